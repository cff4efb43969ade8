"""Question -> Hits: dense retrieval from Chroma, re-ranked with BM25 over the chunks of the
transcripts in play (the scoped ones, or those the dense hits come from).

Scoping by company and period: `company_values` / `period_values` turn what a user typed
("aflac", "AFL", "Q1 2021", "2021") into the exact values the index holds, for
`index.store.where_clause`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from index.text import sentence_spans
from index.types import Chunk, Rendering, Role
from qa.lexical import BM25, figure_near, query_terms
from qa.question import classify

if TYPE_CHECKING:  # the REPL imports this module for its filters: keep Chroma's side lazy
    from index.store import Hit, Store

DENSE_WEIGHT = 0.5
MACHINE_PENALTY = 0.1
ANALYST_PENALTY = 0.15
FIGURE_BOOST = 1.5  # "how much" questions: a sentence with a figure right after the subject
MAX_TRANSCRIPTS = 3


def retrieve(store: Store, question: str, k: int = 5, transcripts: Sequence[str] | None = None,
             where: dict[str, Any] | None = None) -> list[Hit]:
    from index.store import Hit

    dense = store.query(question, k=max(40, 8 * k), transcripts=transcripts, where=where)
    if not dense:
        return []
    scope = list(transcripts or [])
    if not scope:
        for h in dense:
            if h.chunk.transcript not in scope:
                scope.append(h.chunk.transcript)
            if len(scope) == MAX_TRANSCRIPTS:
                break
    pool = [c for tid in scope for c in store.transcript_chunks(tid, where)]
    ranked = rerank(question, pool, {h.chunk.id: h.score for h in dense})
    return [Hit(chunk, score, rank) for rank, (chunk, score) in enumerate(ranked[:k])]


def _sentence_score(bm: BM25, i: int, text: str, terms: Sequence[str], quantitative: bool) -> float:
    score = bm.score(i, terms)
    if quantitative and figure_near(text, terms):
        score *= FIGURE_BOOST
    return score


def rerank(question: str, pool: Sequence[Chunk], dense: dict[str, float]) -> list[tuple[Chunk, float]]:
    """Dense similarity plus the lexical score of the chunk's best sentence (a figure sits in
    one sentence; a whole chunk that repeats a word is not the better answer for it)."""
    if not pool:
        return []
    sentences = [[c.text[a:b] for a, b in sentence_spans(c.text)] or [c.text] for c in pool]
    flat = [s for group in sentences for s in group]
    bm = BM25(flat, k1=0.5, b=0.3)
    kind = classify(question)
    terms = query_terms(question, who=kind.who)
    lex, n = [], 0
    for group in sentences:
        lex.append(max(_sentence_score(bm, n + j, group[j], terms, kind.quantitative)
                       for j in range(len(group))))
        n += len(group)
    top_lex = max(lex) or 1.0
    lo, hi = min(dense.values(), default=0.0), max(dense.values(), default=1.0)
    span = (hi - lo) or 1.0
    scored = []
    for i, chunk in enumerate(pool):
        d = (dense[chunk.id] - lo) / span if chunk.id in dense else 0.0
        score = DENSE_WEIGHT * d + (1 - DENSE_WEIGHT) * lex[i] / top_lex
        if chunk.rendering == Rendering.MACHINE:
            score -= MACHINE_PENALTY
        if chunk.role == Role.ANALYST and not kind.asked:
            score -= ANALYST_PENALTY  # a question seldom holds its answer
        scored.append((chunk, score))
    return sorted(scored, key=lambda cs: -cs[1])


# -- scoping by company and period ---------------------------------------------------------------


class FilterError(ValueError):
    """A filter value that matches nothing (or too much): the message says what would."""


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def company_values(value: str, transcripts: Sequence[Mapping[str, Any]]) -> list[str]:
    """The exact company names (as indexed) of the transcripts whose company or ticker is
    `value`, ignoring case ("aflac", "AFL", "Aflac Incorporated"); else those whose name holds
    all of its words ("campbell" -> "Campbell Soup Company")."""
    wanted = value.strip().casefold()
    from index.parse.meta import short_name

    def names(row: Mapping[str, Any]) -> set[str]:
        found = {str(row.get(k) or "").casefold() for k in ("company", "ticker")}
        if row.get("company"):
            found.add(short_name(str(row["company"])).casefold())
        return found - {""}

    exact = [r for r in transcripts if wanted in names(r)]
    words = _words(value)
    matched = exact or [r for r in transcripts if words and words <= _words(
        str(r.get("company") or ""))]
    companies = sorted({str(r.get("company")) for r in matched if r.get("company")})
    if companies:
        return companies
    known = sorted({str(r.get("company")) for r in transcripts if r.get("company")})
    raise FilterError(f"no company {value!r} in the index (companies: "
                      f"{', '.join(known) or 'none'})")


def period_values(value: str, transcripts: Sequence[Mapping[str, Any]]) -> list[str]:
    """ "2021Q1", "Q1 2021", "1Q21", "first quarter 2021" -> ["2021Q1"]; a year ("2021",
    "FY2021") -> the periods of that year in the index."""
    from index.parse.meta import normalize_period

    known = sorted({str(r.get("period")) for r in transcripts if r.get("period")})
    label = normalize_period(value)
    year = re.fullmatch(r"\s*(?:FY\s*)?((?:19|20)\d\d)\s*", value, re.I)
    if label is None and year is None:
        raise FilterError(f"period {value!r}: write a quarter and year like 2021Q1 or Q1 2021, "
                          "or a year like 2021")
    found = [label] if label in known else [p for p in known if year and p.startswith(year[1])]
    if not found:
        asked = label or (year[1] if year else value)
        raise FilterError(f"no transcript for period {asked} in the index (periods: "
                          f"{', '.join(known) or 'none'})")
    return found
