"""Scoring: pure functions over an item, its answer, its retrieved chunks and the file text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# name -> True when higher is better (the gate's direction)
METRICS: dict[str, bool] = {
    "evidence_recall_at_k": True,
    "mrr": True,
    "fact_accuracy": True,
    "citation_validity": True,
    "citation_support": True,
    "refusal_accuracy": True,
    "false_refusal_rate": False,
    "latency_p50_ms": False,
    "latency_p95_ms": False,
}

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


def first_hit_rank(chunks: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]]) -> int | None:
    for rank, c in enumerate(chunks, 1):
        if chunk_holds_evidence(c, spans):
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
    facts: bool | None
    supported: bool | None
    refused: bool
    refusal_ok: bool  # refused iff unanswerable
    quotes: int
    valid_quotes: int
    latency_ms: float


def aggregate(scores: Sequence[ItemScore], answerable: Sequence[bool]) -> dict[str, float]:
    ans = [s for s, a in zip(scores, answerable, strict=True) if a]
    unans = [s for s, a in zip(scores, answerable, strict=True) if not a]
    quotes = sum(s.quotes for s in scores)

    def share(values: Sequence[bool | None]) -> float:
        return round(sum(1 for v in values if v) / len(values), 4) if values else 0.0

    latencies = [s.latency_ms for s in scores]
    return {
        "evidence_recall_at_k": share([s.retrieved for s in ans]),
        "mrr": round(sum(s.reciprocal_rank or 0.0 for s in ans) / len(ans), 4) if ans else 0.0,
        "fact_accuracy": share([s.facts for s in ans]),
        "citation_validity": round(sum(s.valid_quotes for s in scores) / quotes, 4) if quotes else 1.0,
        "citation_support": share([s.supported for s in ans]),
        "refusal_accuracy": share([s.refused for s in unans]),
        "false_refusal_rate": share([s.refused for s in ans]),
        "latency_p50_ms": round(percentile(latencies, 0.5), 1),
        "latency_p95_ms": round(percentile(latencies, 0.95), 1),
    }
