"""Questions across calls: "How did comparable sales change from Q1 to Q2?", "Accenture vs CVS
revenue growth". Such a question is answered once per call, each part with its own quotes and
the call it comes from.

Which calls: those the user scoped to (two or more), or those the question names by period
and/or company, matched against the index's metadata (`Store.summaries()` rows).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from qa.question import Question, initialled
from qa.types import NOT_SAID, Answer

_COMPARE = re.compile(r"\b(?:compare[ds]?|comparison|versus|vs\.?|between|from .{1,40}? to |"
                      r"relative to|against)\b", re.I)
_QUARTER = re.compile(r"\b(?:Q([1-4])|([1-4])Q|(first|second|third|fourth) quarter)\b", re.I)
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b|\bFY\s*'?(\d\d)\b|'(\d\d)\b", re.I)
_ORDINAL = {"first": "1", "second": "2", "third": "3", "fourth": "4"}


@dataclass(frozen=True)
class Call:
    """One call of a comparison and how the answer names it."""

    transcript: str
    label: str  # "Capital One 2021Q1"


def asks_to_compare(q: Question) -> bool:
    return bool(_COMPARE.search(q.text)) or len(_quarters(q.text)) >= 2


def _quarters(text: str) -> list[str]:
    """Quarters the question names, as "2021Q1" (a quarter without a year takes the year the
    question gives elsewhere: "from Q1 to Q2 2021"), or "Q1" when it gives none."""
    years = [m[1] or f"20{m[2] or m[3]}" for m in _YEAR.finditer(text)]
    out = []
    for m in _QUARTER.finditer(text):
        n = m[1] or m[2] or _ORDINAL[(m[3] or "").lower()]
        label = f"{years[-1]}Q{n}" if years else f"Q{n}"
        if label not in out:
            out.append(label)
    return out


def _named(text: str, row: Mapping[str, Any]) -> bool:
    """Does the question name this call's company: its ticker, a name whose initials are the
    ticker, or the first word of its name written as a name ("Aflac" names "Aflac" and "Aflac
    Japan")?"""
    from index.parse.meta import short_name

    ticker = str(row.get("ticker") or "")
    if ticker and re.search(rf"\b{re.escape(ticker)}\b", text):
        return True
    if ticker and initialled(text, [ticker]):  # "Advance Auto Parts" names AAP
        return True
    company = short_name(str(row.get("company") or ""))
    first = re.match(r"[A-Z][\w&'\u2019-]*", company)
    return first is not None and bool(re.search(rf"\b{re.escape(first.group(0))}\b", text))


def _who(row: Mapping[str, Any]) -> str:
    """One key per company: the ticker when known (names read from the text vary by call)."""
    return str(row.get("ticker") or row.get("company") or row.get("id"))


MAX_CALLS = 4  # a comparison over the whole scope only when the scope is this small


def calls(q: Question, rows: Sequence[Mapping[str, Any]],
          scoped: Sequence[str] | None) -> list[Call]:
    """The calls a comparison question is about, in the order of their periods; [] when it is
    not a comparison, or names fewer than two calls unambiguously. Within a scope (`--transcript`,
    REPL `:use`), the periods and companies the question names choose; a question that names
    none compares every call of a small scope (up to MAX_CALLS)."""
    if not asks_to_compare(q):
        return []
    by_id = {str(r.get("id")): r for r in rows}
    pool = [by_id[t] for t in scoped if t in by_id] if scoped else list(rows)
    quarters = _quarters(q.text)
    named = [r for r in pool if _named(q.text, r)]
    chosen: list[Mapping[str, Any]] = []
    if len(quarters) >= 2:
        among = named or pool
        chosen = [r for r in among if _period_matches(str(r.get("period") or ""), quarters)]
        if len({_who(r) for r in chosen}) > 1 and not named and not scoped:
            return []  # "Q1 vs Q2" over several companies' calls: ambiguous, answer as usual
    elif len({_who(r) for r in named}) >= 2:
        chosen = [r for r in named if not quarters or _period_matches(str(r.get("period") or ""),
                                                                       quarters)]
        chosen = _latest_per_company(chosen)
    if len(chosen) < 2 and scoped and 2 <= len(pool) <= MAX_CALLS:
        chosen = pool
    if len(chosen) < 2:
        return []
    chosen = sorted(chosen, key=lambda r: (str(r.get("period") or ""), str(r.get("company") or "")))
    return [Call(str(r.get("id")), _label(r)) for r in chosen]


def _period_matches(period: str, quarters: Sequence[str]) -> bool:
    return any(period == want or (len(want) == 2 and period.endswith(want)) for want in quarters)


def _latest_per_company(rows: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    latest: dict[str, Mapping[str, Any]] = {}
    for r in rows:
        key = _who(r)
        if key not in latest or str(r.get("period") or "") > str(latest[key].get("period") or ""):
            latest[key] = r
    return list(latest.values())


def _label(row: Mapping[str, Any]) -> str:
    """ "COF 2021Q1": the ticker when the call has one (names read from the text can be wrong),
    else the company's short name, else the transcript id."""
    from index.parse.meta import short_name

    name = str(row.get("ticker") or "") or (short_name(str(row["company"])) if row.get("company")
                                            else str(row.get("id")))
    period = str(row.get("period") or "")
    return f"{name} {period}".strip()


def combine(question: str, parts: Sequence[tuple[Call, Answer]], per_call: int = 2) -> Answer:
    """One answer from the answers per call: each call's headline after its label, each call's
    quotes (at most `per_call`), in call order."""
    texts = []
    citations = []
    for call, a in parts:
        texts.append(f"{call.label}: {a.text if a.answerable else NOT_SAID}")
        if a.answerable:
            citations += list(a.citations[:per_call])
    answerable = any(a.answerable for _, a in parts)
    nearest = () if answerable else tuple(c for _, a in parts for c in a.nearest[:1])
    retrieved = tuple(r for _, a in parts for r in a.retrieved)
    notices = tuple(n for _, a in parts for n in a.notices)
    first = next((a for _, a in parts), None)
    return Answer(question, " | ".join(texts), answerable, citations=tuple(citations),
                  nearest=nearest, retrieved=retrieved, notices=notices,
                  mode=first.mode if first else "quotes", model=first.model if first else None)
