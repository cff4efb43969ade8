"""Gold set in, scores out: index the gold transcripts into an isolated collection, ask every
question through the same pipeline `qa ask` uses, score, gate."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eval.gold import GoldFile, GoldItem, load_gold, transcript_files, transcripts_dir
from eval.metrics import (
    METRICS,
    ItemScore,
    aggregate,
    chunk_holds_evidence,
    evidence_spans,
    facts_ok,
    first_hit_rank,
)
from index.errors import ConfigError
from index.indexer import index_paths
from index.parse import transcript_id
from index.store import Store
from qa.pipeline import Asker
from qa.types import Answer

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ItemResult:
    item: GoldItem
    answer: Answer
    score: ItemScore

    def to_json(self) -> dict[str, Any]:
        s = self.score
        return {
            "id": self.item.id,
            "kind": self.item.kind,
            "question": self.item.question,
            "answerable": self.item.answerable,
            "answer": self.answer.text,
            "answered": self.answer.answerable,
            "citations": [c.to_json() for c in self.answer.citations],
            "pass": {
                "evidence_recall_at_k": s.retrieved,
                "fact_accuracy": s.facts,
                "citation_support": s.supported,
                "refusal": s.refusal_ok,
                "citation_validity": s.valid_quotes == s.quotes,
            },
            "reciprocal_rank": s.reciprocal_rank,
            "latency_ms": round(s.latency_ms, 1),
        }


@dataclass(frozen=True)
class Report:
    gold: str
    k: int
    mode: str
    metrics: dict[str, float]
    items: list[ItemResult]
    index_seconds: float
    total_seconds: float
    gate: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def failed(self) -> list[str]:
        return [name for name, g in self.gate.items() if not g["ok"]]

    def to_json(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "k": self.k,
            "mode": self.mode,
            "metrics": self.metrics,
            "gate": self.gate,
            "passed": not self.failed,
            "index_seconds": round(self.index_seconds, 2),
            "total_seconds": round(self.total_seconds, 2),
            "items": [r.to_json() for r in self.items],
        }


def run(gold_path: str | Path, transcripts: str | Path | None = None, k: int = 5,
        mode: str = "quotes", thresholds: dict[str, float] | None = None,
        progress: Progress | None = None) -> Report:
    if mode != "quotes":
        raise ConfigError("--mode llm needs a configured language model, which this version "
                          "does not support yet; use --mode quotes")
    started = time.perf_counter()
    gold = load_gold(gold_path)
    files = transcript_files(gold, transcripts_dir(gold_path, gold, transcripts))
    with tempfile.TemporaryDirectory(prefix="qa-eval-") as tmp:
        store = Store(Path(tmp) / "index")
        results, failures = index_paths(store, list(dict.fromkeys(files.values())))
        if failures:
            raise ConfigError(f"cannot index {failures[0].path}: {failures[0].why}")
        index_seconds = time.perf_counter() - started
        asker = Asker(store, k=k)
        sources = {name: asker.transcript(transcript_id(p)) for name, p in files.items()}
        items = []
        for n, item in enumerate(gold.items):
            if progress:
                progress(n, len(gold.items), item.id)
            items.append(_run_item(asker, item, sources[item.transcript].source,
                                   transcript_id(files[item.transcript]), k))
    metrics = aggregate([r.score for r in items], [r.item.answerable for r in items])
    report = Report(str(gold_path), k, mode, metrics, items, index_seconds,
                    time.perf_counter() - started)
    return gate(report, thresholds or {})


def _run_item(asker: Asker, item: GoldItem, source: str, tid: str, k: int) -> ItemResult:
    t0 = time.perf_counter()
    answer = asker.ask(item.question, transcripts=[tid], k=k)
    latency = (time.perf_counter() - t0) * 1000
    spans = evidence_spans(source, item.evidence)
    chunks = [(h.chunk.start, h.chunk.end) for h in asker.last_hits]
    rank = first_hit_rank(chunks, spans) if item.answerable and spans else None
    shown = answer.citations + answer.nearest
    valid = sum(1 for c in shown if c.transcript == tid and source[c.start : c.end] == c.quote)
    refused = not answer.answerable
    said = answer.text + " " + " ".join(c.quote for c in answer.citations)
    score = ItemScore(
        retrieved=(rank is not None) if item.answerable else None,
        reciprocal_rank=(1.0 / rank if rank else 0.0) if item.answerable else None,
        facts=(not refused and facts_ok(said, item.facts)) if item.answerable else None,
        supported=(not refused and any(chunk_holds_evidence((c.start, c.end), spans, 0.01)
                                       for c in answer.citations)) if item.answerable else None,
        refused=refused,
        refusal_ok=refused != item.answerable,
        quotes=len(shown),
        valid_quotes=valid,
        latency_ms=latency,
    )
    return ItemResult(item, answer, score)


def gate(report: Report, thresholds: dict[str, float]) -> Report:
    checks: dict[str, dict[str, Any]] = {}
    for name, limit in thresholds.items():
        if name not in METRICS:
            raise ConfigError(f"unknown metric {name!r} in the thresholds; known: "
                              f"{', '.join(METRICS)}")
        value = report.metrics[name]
        higher = METRICS[name]
        ok = value >= limit if higher else value <= limit
        checks[name] = {"value": value, "threshold": limit, "ok": ok,
                        "direction": "min" if higher else "max"}
    return Report(report.gold, report.k, report.mode, report.metrics, report.items,
                  report.index_seconds, report.total_seconds, checks)


def load(gold_path: str | Path) -> GoldFile:
    return load_gold(gold_path)
