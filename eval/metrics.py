"""Scoring: pure functions over an item, its answer, its retrieved chunks and the file text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# name -> True when higher is better (the gate's direction). A metric a gold set cannot measure
# (no question items: no fact accuracy; no labels: no attribution) is absent from its results.
METRICS: dict[str, bool] = {
    "evidence_recall_at_k": True,
    "mrr": True,
    "fact_accuracy": True,
    "answer_fact_accuracy": True,  # the facts in the headline answer alone, not its quotes
    "citation_validity": True,
    "citation_support": True,
    "refusal_accuracy": True,
    "false_refusal_rate": False,
    "latency_p50_ms": False,
    "latency_p95_ms": False,
    "attribution_accuracy": True,  # speaker, role and section all right (those the item gives)
    "speaker_accuracy": True,
    "role_accuracy": True,
    "section_accuracy": True,
}
ATTRIBUTION_METRICS = ("attribution_accuracy", "speaker_accuracy", "role_accuracy", "section_accuracy")

_CURRENCY = re.compile(r"\b(?:rmb|yuan|renminbi|usd|us\$|dollars?|cny)\b|[$¥€£]")


def normalise_fact(text: str) -> str:
    """Case, spaces, commas and currency words do not matter: "RMB 1,891.8 Million" -> "1891.8million"."""
    text = _CURRENCY.sub("", text.lower())
    return re.sub(r"[\s,]+", "", text)


def has_fact_group(text: str, alternatives: Sequence[str]) -> bool:
    hay = normalise_fact(text)
    return any(_contains(hay, normalise_fact(alt)) for alt in alternatives)


def _contains(hay: str, needle: str) -> bool:
    """Substring, but a figure must not be part of a longer number ("4%" is not in "14.4%")."""
    if not needle:
        return False
    pattern = re.escape(needle)
    if needle[0].isdigit():
        pattern = r"(?<![\d.])" + pattern
    if needle[-1].isdigit():
        pattern += r"(?![\d])"
    return re.search(pattern, hay) is not None


def facts_ok(text: str, facts: Sequence[Sequence[str]]) -> bool:
    return all(has_fact_group(text, group) for group in facts)


def _squash(text: str) -> tuple[str, list[int]]:
    """Whitespace-normalised text and, for each of its characters, the original offset."""
    out: list[str] = []
    where: list[int] = []
    prev_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not prev_space and out:
                out.append(" ")
                where.append(i)
            prev_space = True
        else:
            out.append(ch)
            where.append(i)
            prev_space = False
    return "".join(out), where


def evidence_spans(source: str, evidence: Sequence[str]) -> list[tuple[int, int]]:
    """File spans of the gold quotes (whitespace-normalised match)."""
    flat, where = _squash(source)
    spans = []
    for quote in evidence:
        q = " ".join(quote.split())
        i = flat.find(q)
        if i >= 0 and q:
            spans.append((where[i], where[i + len(q) - 1] + 1))
    return spans


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def chunk_holds_evidence(chunk: tuple[int, int], spans: Sequence[tuple[int, int]],
                         most: float = 0.5) -> bool:
    """A chunk holds a quote when it holds most of it (quotes can span a chunk border)."""
    return any(overlap(chunk, s) >= most * (s[1] - s[0]) for s in spans)


def first_hit_rank(chunks: Sequence[tuple[str, int, int]],
                   spans: Mapping[str, Sequence[tuple[int, int]]]) -> int | None:
    """Rank (1-based) of the first (transcript, start, end) chunk that holds an evidence span of
    its transcript."""
    for rank, (tid, start, end) in enumerate(chunks, 1):
        if chunk_holds_evidence((start, end), spans.get(tid, ())):
            return rank
    return None


def percentile(values: Sequence[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


@dataclass(frozen=True)
class ItemScore:
    retrieved: bool | None  # evidence in a retrieved chunk (answerable items)
    reciprocal_rank: float | None
    facts: bool | None  # in the answer text or its quotes
    supported: bool | None
    refused: bool
    refusal_ok: bool  # refused iff unanswerable
    quotes: int
    valid_quotes: int
    latency_ms: float
    headline_facts: bool | None = None  # in the answer text alone


def _share(values: Sequence[bool | None]) -> float | None:
    """Share of True among the measured values; None (not measured) when there are none."""
    measured = [v for v in values if v is not None]
    return round(sum(1 for v in measured if v) / len(measured), 4) if measured else None


def aggregate(scores: Sequence[ItemScore], answerable: Sequence[bool]) -> dict[str, float]:
    """The question metrics; those the items cannot measure are left out, never 0."""
    ans = [s for s, a in zip(scores, answerable, strict=True) if a]
    unans = [s for s, a in zip(scores, answerable, strict=True) if not a]
    quotes = sum(s.quotes for s in scores)
    latencies = [s.latency_ms for s in scores]
    found: dict[str, float | None] = {
        "evidence_recall_at_k": _share([s.retrieved for s in ans]),
        "mrr": round(sum(s.reciprocal_rank or 0.0 for s in ans) / len(ans), 4) if ans else None,
        "fact_accuracy": _share([s.facts for s in ans]),
        "answer_fact_accuracy": _share([s.headline_facts for s in ans]),
        "citation_validity": round(sum(s.valid_quotes for s in scores) / quotes, 4) if quotes else None,
        "citation_support": _share([s.supported for s in ans]),
        "refusal_accuracy": _share([s.refused for s in unans]),
        "false_refusal_rate": _share([s.refused for s in ans]),
        "latency_p50_ms": round(percentile(latencies, 0.5), 1) if latencies else None,
        "latency_p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
    }
    return {name: value for name, value in found.items() if value is not None}


# -- attribution: who says the evidence -----------------------------------------------------------

HONORIFICS = frozenset({"mr", "ms", "mrs", "dr"})
# Tokens that mark a placeholder rather than a person ("<UNK>", "Unknown speaker").
NON_NAMES = frozenset({"unk", "unknown", "unidentified", "speaker", "none", "null", "nan"})
# Who speaks when the call names nobody; the gold format writes "Operator" or null for them.
ROLE_WORDS = ("operator", "interpreter", "translator", "moderator")


def name_tokens(name: str) -> list[str]:
    """ "Dr. José O'Neil" -> ["jose", "o", "neil"]: casefold, accents and punctuation stripped,
    honorifics dropped."""
    text = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    text = re.sub(r"[\W_]+", " ", text.casefold())
    return [t for t in text.split() if t not in HONORIFICS]


def is_name(text: str) -> bool:
    tokens = name_tokens(text)
    return bool(tokens) and "<" not in text and not any(t in NON_NAMES for t in tokens)


def speaker_right(gold: str | None, predicted: str | None) -> bool:
    """Right when the names are equal or the prediction's tokens are all the gold name's ("Fred"
    for "Fred Crawford"); gold None (the call does not name them) is right only for no name; a
    placeholder such as "<UNK>" is never right. A bare role word ("Operator", "Interpreter")
    names nobody: it stands for no name on either side."""
    gold, predicted = _no_role_word(gold), _no_role_word(predicted)
    if predicted is None:
        return gold is None
    if gold is None or not is_name(predicted):
        return False
    return set(name_tokens(predicted)) <= set(name_tokens(gold))


def _no_role_word(name: str | None) -> str | None:
    if name is None or not name.strip() or name_tokens(name) in ([w] for w in ROLE_WORDS):
        return None
    return name


@dataclass(frozen=True)
class Attribution:
    """Who the tool says speaks an item's evidence, against who the gold item says."""

    expected: dict[str, str | None]  # the fields the item gives
    got: dict[str, str | None]  # speaker, role, section of the turn (or the citation)
    cue: str = ""  # why the tool inferred that speaker (Turn.cue)
    right: dict[str, bool] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(self.right.values())

    @property
    def wrong(self) -> list[str]:
        return [name for name, ok in self.right.items() if not ok]


def attribute(expected: Mapping[str, str | None], speaker: str | None, role: str | None,
              section: str | None, cue: str = "") -> Attribution:
    got = {"speaker": speaker, "role": role, "section": section}
    right = {name: (speaker_right(want, speaker) if name == "speaker" else got[name] == want)
             for name, want in expected.items()}
    return Attribution(dict(expected), got, cue, right)


def attribution_metrics(results: Sequence[Attribution]) -> dict[str, float]:
    """attribution_accuracy over every scored item, each field's accuracy over the items that
    give that field; what no item gives is left out."""
    found = {"attribution_accuracy": _share([a.ok for a in results])}
    for name in ("speaker", "role", "section"):
        found[f"{name}_accuracy"] = _share([a.right.get(name) for a in results])
    return {name: value for name, value in found.items() if value is not None}


def best_overlap(evidence: Mapping[str, Sequence[tuple[int, int]]],
                 cited: Sequence[tuple[str, int, int]]) -> int | None:
    """Index of the cited (transcript, start, end) span that overlaps the evidence spans (per
    transcript) the most; None when none overlaps."""
    best, most = None, 0
    for n, (tid, start, end) in enumerate(cited):
        got = max((overlap((start, end), s) for s in evidence.get(tid, ())), default=0)
        if got > most:
            best, most = n, got
    return best
