"""Question in, verified Answer out: retrieve -> answer -> verify."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from index.store import Hit, Store
from index.types import Transcript
from qa import extractive
from qa.config import Settings
from qa.retrieve import retrieve
from qa.types import Answer
from qa.verify import verify_answer

OnText = Callable[[str], None]
OnNotice = Callable[[str], None]


class Asker:
    """Holds the store and a cache of loaded transcripts across questions."""

    def __init__(self, store: Store, k: int = 5) -> None:
        self.store = store
        self.k = k
        self._transcripts: dict[str, Transcript] = {}
        self.last_hits: list[Hit] = []  # what the last question retrieved, best first
        self.last_usage: Any = None  # tokens and time of the last model call (llm mode)

    def transcript(self, tid: str) -> Transcript:
        if tid not in self._transcripts:
            self._transcripts[tid] = self.store.load(tid)
        return self._transcripts[tid]

    def retrieve(self, question: str, transcripts: Sequence[str] | None = None,
                 where: dict[str, Any] | None = None, k: int | None = None) -> list[Hit]:
        return retrieve(self.store, question, k or self.k, transcripts, where)

    def ask(self, question: str, transcripts: Sequence[str] | None = None,
            where: dict[str, Any] | None = None, k: int | None = None,
            settings: Settings | None = None, on_text: OnText | None = None,
            on_notice: OnNotice | None = None) -> Answer:
        """Retrieve, answer (offline, or with the model when settings say "llm"), verify."""
        hits = self.retrieve(question, transcripts, where, k)
        self.last_hits = hits
        loaded = {tid: self.transcript(tid) for tid in {h.chunk.transcript for h in hits}}
        self.last_usage = None
        if settings is not None and settings.mode == "llm":
            from qa import llm

            result, self.last_usage = llm.answer(question, hits, loaded, settings, on_text,
                                                 on_notice)
        else:
            result = extractive.answer(question, hits, loaded)
        return verify_answer(result, loaded)
