"""Question -> Hits: dense retrieval from Chroma, re-ranked with BM25 over the chunks of the
transcripts in play (the scoped ones, or those the dense hits come from)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from index.store import Hit, Store
from index.types import Chunk, Rendering
from qa.lexical import BM25, query_terms

DENSE_WEIGHT = 0.5
MACHINE_PENALTY = 0.1
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


def rerank(question: str, pool: Sequence[Chunk], dense: dict[str, float]) -> list[tuple[Chunk, float]]:
    if not pool:
        return []
    bm = BM25([c.text for c in pool])
    terms = query_terms(question)
    lex = [bm.score(i, terms) for i in range(len(pool))]
    top_lex = max(lex) or 1.0
    lo, hi = min(dense.values(), default=0.0), max(dense.values(), default=1.0)
    span = (hi - lo) or 1.0
    scored = []
    for i, chunk in enumerate(pool):
        d = (dense[chunk.id] - lo) / span if chunk.id in dense else 0.0
        score = DENSE_WEIGHT * d + (1 - DENSE_WEIGHT) * lex[i] / top_lex
        if chunk.rendering == Rendering.MACHINE:
            score -= MACHINE_PENALTY
        scored.append((chunk, score))
    return sorted(scored, key=lambda cs: -cs[1])
