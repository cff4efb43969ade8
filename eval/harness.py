"""Gold set in, scores out.

A gold file with questions: index its transcripts into an isolated collection, ask every question
through the same pipeline `qa ask` uses, score answers, quotes and (where the item says who speaks
the evidence) the attribution of the citations. A gold file without questions: parse its
transcripts and score the turns that hold each evidence sentence; no index, no embedding.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from eval.gold import GoldFile, GoldItem, load_gold, transcript_files, transcripts_dir
from eval.metrics import (
    METRICS,
    Attribution,
    ItemScore,
    aggregate,
    attribute,
    attribution_metrics,
    best_overlap,
    chunk_holds_evidence,
    evidence_spans,
    facts_ok,
    first_hit_rank,
)
from index.errors import ConfigError, UnreadableTranscript
from index.indexer import index_paths
from index.parse import read_transcript
from index.store import Store
from index.types import Transcript
from qa.pipeline import Asker
from qa.types import Answer

Progress = Callable[[int, int, str], None]
Spans = dict[str, list[tuple[int, int]]]  # transcript key -> evidence spans in its source
BREAKDOWNS = ("layout", "kind")


@dataclass(frozen=True)
class ItemResult:
    item: GoldItem
    layout: str  # the item's `layout`, else the parsed transcript's format
    answer: Answer | None = None  # None: an attribution-only item, nothing was asked
    score: ItemScore | None = None
    attribution: Attribution | None = None  # None: no labels, or no citation overlaps the evidence
    error: str | None = None  # the pipeline raised this on the question (scored as wrong)

    @property
    def kind(self) -> str:
        return self.item.kind or ("-" if self.item.asks else "attribution")

    @property
    def unscored(self) -> bool:
        """The item says who speaks its evidence, but no citation of the answer overlaps it."""
        return bool(self.item.expected) and self.attribution is None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.item.id, "kind": self.item.kind, "layout": self.layout}
        if self.answer is not None and self.score is not None:
            out.update(_question_json(self.item, self.answer, self.score))
        else:
            out["evidence"] = self.item.evidence
        if self.error:
            out["error"] = self.error
        if self.item.expected:
            a = self.attribution
            out["attribution"] = None if a is None else {
                "expected": a.expected, "got": a.got, "right": a.right, "ok": a.ok, "cue": a.cue}
        return out


def _question_json(item: GoldItem, answer: Answer, s: ItemScore) -> dict[str, Any]:
    return {
        "question": item.question,
        "answerable": item.answerable,
        "answer": answer.text,
        "answered": answer.answerable,
        "citations": [c.to_json() for c in answer.citations],
        "pass": {
            "evidence_recall_at_k": s.retrieved,
            "fact_accuracy": s.facts,
            "answer_fact_accuracy": s.headline_facts,
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
    metrics: dict[str, float]  # only what the set can measure
    items: list[ItemResult]
    index_seconds: float  # indexing, or parsing when nothing is asked
    total_seconds: float
    gate: dict[str, dict[str, Any]] = field(default_factory=dict)
    breakdown: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    indexed: bool = True  # False: attribution only, the transcripts were parsed, not indexed

    @property
    def name(self) -> str:
        """The gold set's name: its file stem, which keys its thresholds."""
        return Path(self.gold).stem

    @property
    def unscored(self) -> int:
        return sum(1 for r in self.items if r.unscored)

    @property
    def errors(self) -> list[ItemResult]:
        return [r for r in self.items if r.error]

    @property
    def failed(self) -> list[str]:
        return [name for name, g in self.gate.items() if g["ok"] is False]

    def to_json(self) -> dict[str, Any]:
        return {
            "gold": self.gold,
            "set": self.name,
            "k": self.k,
            "mode": self.mode,
            "indexed": self.indexed,
            "metrics": self.metrics,
            "attribution_unscored": self.unscored,
            "errors": {r.item.id: r.error for r in self.errors},
            "breakdown": self.breakdown,
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
    if gold.asks:
        with tempfile.TemporaryDirectory(prefix="qa-eval-") as tmp:
            items, prepared = _ask_all(gold, files, Store(Path(tmp) / "index"), k, progress)
    else:
        t0 = time.perf_counter()
        parsed = {name: _read(path) for name, path in files.items()}
        prepared = time.perf_counter() - t0
        items = [_attribute_item(item, scope, _evidence(item, scope))
                 for item, scope in ((i, {n: parsed[n] for n in i.files}) for i in gold.items)]
    report = Report(str(gold_path), k, mode, score(items), items, prepared,
                    time.perf_counter() - started, breakdown=breakdown(items), indexed=gold.asks)
    return gate(report, thresholds or {})


def _read(path: Path) -> Transcript:
    try:
        return read_transcript(path)
    except UnreadableTranscript as e:
        raise ConfigError(f"cannot read {e.path}: {e.why}") from e


def _ask_all(gold: GoldFile, files: dict[str, Path], store: Store, k: int,
             progress: Progress | None) -> tuple[list[ItemResult], float]:
    t0 = time.perf_counter()
    ids = _index(store, files)
    index_seconds = time.perf_counter() - t0
    asker = Asker(store, k=k)
    loaded = {name: asker.transcript(tid) for name, tid in ids.items()}
    scopes = [{ids[n]: loaded[n] for n in item.files} for item in gold.items]
    spans = [_evidence(item, scope) for item, scope in zip(gold.items, scopes, strict=True)]
    items = []
    for n, (item, scope, where) in enumerate(zip(gold.items, scopes, spans, strict=True)):
        if progress:
            progress(n, len(gold.items), item.id)
        if item.asks:
            items.append(_ask_item(asker, item, scope, where, k))
        else:
            items.append(_attribute_item(item, scope, where))
    return items, index_seconds


def _index(store: Store, files: dict[str, Path]) -> dict[str, str]:
    """Gold file name -> the transcript id the indexer gave that file."""
    paths = list(dict.fromkeys(p.resolve() for p in files.values()))
    results, failures = index_paths(store, paths)
    if failures:
        raise ConfigError(f"cannot index {failures[0].path}: {failures[0].why}")
    by_path = {Path(r.path).resolve(): r.transcript for r in results}
    missing = [str(p) for p in paths if p not in by_path]
    if missing:
        raise ConfigError(f"the indexer did not index {missing[0]}; run `qa index` on it to see why")
    if len(set(by_path.values())) < len(paths):
        raise ConfigError("two gold transcripts were given the same id; index them with "
                          "`qa index` to see which")
    return {name: by_path[p.resolve()] for name, p in files.items()}


def _evidence(item: GoldItem, scope: dict[str, Transcript]) -> Spans:
    """Where each evidence quote is, per transcript; a quote found nowhere is a gold-file error."""
    spans: Spans = {}
    for quote in item.evidence:
        found = [(key, s) for key, t in scope.items() for s in evidence_spans(t.source, [quote])]
        if not found:
            short = quote if len(quote) <= 70 else quote[:67] + "..."
            raise ConfigError(f"gold item {item.id!r}: evidence not found in {', '.join(item.files)}: "
                              f"{short!r} (quotes must be verbatim; only whitespace may differ)")
        for key, span in found:
            spans.setdefault(key, []).append(span)
    return spans


def _layout(item: GoldItem, scope: dict[str, Transcript]) -> str:
    return item.layout or "+".join(sorted({t.format for t in scope.values()})) or "-"


def _attribute_item(item: GoldItem, scope: dict[str, Transcript], spans: Spans) -> ItemResult:
    """An attribution-only item: the turn that holds the start of the evidence."""
    key, found = next(iter(spans.items()))
    t = scope[key]
    turn = t.turn_at(found[0][0])
    if turn is None:
        got = Attribution(item.expected, {"speaker": None, "role": None, "section": None},
                          "no turn holds this text", {name: False for name in item.expected})
    else:
        got = attribute(item.expected, turn.speaker, turn.role.value, turn.section.value, turn.cue)
    return ItemResult(item, _layout(item, scope), attribution=got)


def _ask_item(asker: Asker, item: GoldItem, scope: dict[str, Transcript], spans: Spans,
              k: int) -> ItemResult:
    assert item.question is not None and item.answerable is not None
    t0 = time.perf_counter()
    try:
        answer = asker.ask(item.question, transcripts=list(scope), k=k)
    except Exception as e:  # one crashing question must not hide the scores of the others
        return _crashed(item, scope, f"{type(e).__name__}: {e}", time.perf_counter() - t0)
    latency = (time.perf_counter() - t0) * 1000
    chunks = [(h.chunk.transcript, h.chunk.start, h.chunk.end) for h in asker.last_hits]
    rank = first_hit_rank(chunks, spans) if item.answerable and spans else None
    shown = answer.citations + answer.nearest
    valid = sum(1 for c in shown
                if c.transcript in scope and scope[c.transcript].span(c.start, c.end) == c.quote)
    refused = not answer.answerable
    said = answer.text + " " + " ".join(c.quote for c in answer.citations)
    answerable = item.answerable
    score = ItemScore(
        retrieved=(rank is not None) if answerable else None,
        reciprocal_rank=(1.0 / rank if rank else 0.0) if answerable else None,
        facts=(not refused and facts_ok(said, item.facts)) if answerable else None,
        supported=(not refused and any(chunk_holds_evidence((c.start, c.end), spans.get(c.transcript, []),
                                                            0.01) for c in answer.citations))
        if answerable else None,
        refused=refused,
        refusal_ok=refused != answerable,
        quotes=len(shown),
        valid_quotes=valid,
        latency_ms=latency,
        headline_facts=(not refused and facts_ok(answer.text, item.facts)) if answerable else None,
    )
    return ItemResult(item, _layout(item, scope), answer, score,
                      _cited_attribution(item, answer, scope, spans))


def _crashed(item: GoldItem, scope: dict[str, Transcript], error: str, seconds: float) -> ItemResult:
    """A question the pipeline raised on: wrong on every count, a refusal included."""
    assert item.question is not None
    wrong = False if item.answerable else None
    score = ItemScore(wrong, 0.0 if item.answerable else None, wrong, wrong, refused=bool(item.answerable),
                      refusal_ok=False, quotes=0, valid_quotes=0, latency_ms=seconds * 1000,
                      headline_facts=wrong)
    return ItemResult(item, _layout(item, scope), Answer(item.question, f"error: {error}", False), score,
                      error=error)


def _cited_attribution(item: GoldItem, answer: Answer, scope: dict[str, Transcript],
                       spans: Spans) -> Attribution | None:
    """Who the citation that overlaps the evidence most says is speaking; None when none does."""
    if not item.expected:
        return None
    cited = answer.citations
    n = best_overlap(spans, [(c.transcript, c.start, c.end) for c in cited])
    if n is None:
        return None
    c = cited[n]
    turn = next((t for t in scope[c.transcript].turns if t.index == c.turn), None)
    return attribute(item.expected, c.speaker, c.role.value, c.section.value, turn.cue if turn else "")


def score(results: Sequence[ItemResult]) -> dict[str, float]:
    """Every metric the results can measure, in METRICS order."""
    asked = [r for r in results if r.score is not None]
    found = aggregate([r.score for r in asked if r.score], [bool(r.item.answerable) for r in asked])
    found.update(attribution_metrics([r.attribution for r in results if r.attribution]))
    return {name: found[name] for name in METRICS if name in found}


def breakdown(results: Sequence[ItemResult]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per layout and per kind: {"layout": {"ectsum": {"items": n, "metrics": {...}}}, ...}."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for by in BREAKDOWNS:
        groups: dict[str, list[ItemResult]] = {}
        for r in results:
            groups.setdefault(getattr(r, by), []).append(r)
        out[by] = {name: {"items": len(rs), "unscored": sum(1 for r in rs if r.unscored),
                          "metrics": score(rs)} for name, rs in sorted(groups.items())}
    return out


def combined_attribution(reports: Sequence[Report]) -> dict[str, dict[str, Any]]:
    """Attribution over several gold sets, per layout and in all ("all")."""
    groups: dict[str, list[Attribution]] = {}
    for report in reports:
        for r in report.items:
            if r.attribution is not None:
                groups.setdefault(r.layout, []).append(r.attribution)
    out = {name: {"items": len(a), "metrics": attribution_metrics(a)} for name, a in sorted(groups.items())}
    every = [a for group in groups.values() for a in group]
    if every:
        out["all"] = {"items": len(every), "metrics": attribution_metrics(every)}
    return out


def gate(report: Report, thresholds: dict[str, float]) -> Report:
    """Check each threshold; a metric the set cannot measure is reported, never gated (ok None)."""
    checks: dict[str, dict[str, Any]] = {}
    for name, limit in thresholds.items():
        if name not in METRICS:
            raise ConfigError(f"unknown metric {name!r} in the thresholds; known: "
                              f"{', '.join(METRICS)}")
        value = report.metrics.get(name)
        higher = METRICS[name]
        ok = None if value is None else value >= limit if higher else value <= limit
        checks[name] = {"value": value, "threshold": limit, "ok": ok,
                        "direction": "min" if higher else "max"}
    return replace(report, gate=checks)


def load(gold_path: str | Path) -> GoldFile:
    return load_gold(gold_path)
