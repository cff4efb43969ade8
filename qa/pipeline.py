"""Question in, verified Answer out: retrieve -> answer -> verify."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from index.store import Hit, Store
from index.types import Transcript
from qa import compare, conflicts, extractive
from qa.config import Settings
from qa.question import analyse
from qa.retrieve import retrieve
from qa.types import Answer
from qa.verify import verify, verify_answer

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
        """Retrieve, answer (offline, or with the model when settings say "llm"), verify.
        A question across calls ("from Q1 to Q2", "Accenture vs CVS") is answered per call."""
        q = analyse(question)
        calls = compare.calls(q, self.store.summaries(), transcripts) \
            if compare.asks_to_compare(q) else []
        if calls:
            return self._compare(question, calls, where, k, settings, on_text, on_notice)
        return self._ask_one(question, transcripts, where, k, settings, on_text, on_notice)

    def _compare(self, question: str, calls: Sequence[compare.Call],
                 where: dict[str, Any] | None, k: int | None, settings: Settings | None,
                 on_text: OnText | None, on_notice: OnNotice | None) -> Answer:
        parts = []
        hits: list[Hit] = []
        for call in calls:
            parts.append((call, self._ask_one(question, [call.transcript], where, k, settings,
                                              on_text, on_notice)))
            hits += self.last_hits
        self.last_hits = hits
        return compare.combine(question, parts)

    def _ask_one(self, question: str, transcripts: Sequence[str] | None,
                 where: dict[str, Any] | None, k: int | None, settings: Settings | None,
                 on_text: OnText | None, on_notice: OnNotice | None) -> Answer:
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
        answer = verify_answer(result, loaded)
        if not conflicts.worth_checking(answer):
            return answer
        candidates = [verify(c, loaded[c.transcript])
                      for c in extractive.nearest(question, hits, loaded, n=8)]
        return conflicts.flag(answer, [c for c in candidates if c.verified])
