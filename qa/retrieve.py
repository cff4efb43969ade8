"""Question -> Hits: dense retrieval from Chroma, re-ranked with BM25 over the chunks of the
transcripts in play (the scoped ones, or those the dense hits come from)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from index.store import Hit, Store
from index.text import sentence_spans
from index.types import Chunk, Rendering, Role
from qa.lexical import BM25, figure_near, query_terms
from qa.question import classify

DENSE_WEIGHT = 0.5
MACHINE_PENALTY = 0.1
ANALYST_PENALTY = 0.15
FIGURE_BOOST = 1.5  # "how much" questions: a sentence with a figure right after the subject
MAX_TRANSCRIPTS = 3


def retrieve(store: Store, question: str, k: int = 5, transcripts: Sequence[str] | None = None,
             where: dict[str, Any] | None = None) -> list[Hit]:
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
