"""Calibrate the offline answerer's refusal threshold on a development gold set.

The answerer refuses when its best sentence covers too little of what the question asks
(`qa.extractive.MIN_COVERAGE`). That threshold is a trade: higher refuses more unanswerable
questions and more answerable ones. This script measures the evidence score
(`qa.extractive.support`) of every question of a gold set, then prints, for each candidate
threshold, the share of unanswerable questions refused and the share of answerable ones
refused, and the threshold that maximises the difference (Youden's J).

Run it on the TUNE sets only (several gold files are pooled), set MIN_COVERAGE from it, and
report the CHECK half with `qa eval` (never choose the threshold on the data you report):

    python -m eval.calibrate eval/gold/dev-tune.yaml eval/gold/dev-tune2.yaml --index /tmp/qa-tune

`--index` keeps the indexed calls between runs (indexing a development set takes minutes).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from eval.gold import load_gold, transcript_files, transcripts_dir
from eval.harness import _index
from index.store import Store
from qa import extractive
from qa.pipeline import Asker


@dataclass(frozen=True)
class Point:
    threshold: float
    refusal_accuracy: float  # unanswerable questions refused
    false_refusal_rate: float  # answerable questions refused

    @property
    def j(self) -> float:
        return self.refusal_accuracy - self.false_refusal_rate


def scores(gold_path: Path, store: Store, k: int = 5) -> list[tuple[str, bool, float]]:
    """(item id, answerable, evidence score) for every question of the gold set."""
    gold = load_gold(gold_path)
    ids = _index(store, transcript_files(gold, transcripts_dir(gold_path, gold, None)))
    asker = Asker(store, k=k)
    out = []
    for item in gold.items:
        if not item.asks or item.question is None:
            continue
        hits = asker.retrieve(item.question, [ids[n] for n in item.files])
        loaded = {t: asker.transcript(t) for t in {h.chunk.transcript for h in hits}}
        out.append((item.id, bool(item.answerable),
                    extractive.support(item.question, hits, loaded)))
    return out


def sweep(rows: list[tuple[str, bool, float]], step: float = 0.01) -> list[Point]:
    ans = [s for _, a, s in rows if a]
    unans = [s for _, a, s in rows if not a]
    if not ans or not unans:
        raise SystemExit("calibrate: the gold set needs answerable and unanswerable questions")
    points = []
    for n in range(int(1 / step) + 1):
        t = round(n * step, 4)
        points.append(Point(t, sum(s < t for s in unans) / len(unans),
                            sum(s < t for s in ans) / len(ans)))
    return points


def best(points: list[Point], current: float | None = None) -> Point:
    """The highest J; among equals the current threshold if it is one of them (no change
    without a gain), else the lowest (refuse no more than needed)."""
    top = max(round(p.j, 6) for p in points)
    tied = [p for p in points if round(p.j, 6) == top]
    keep = [p for p in tied if current is not None and abs(p.threshold - current) < 1e-9]
    return keep[0] if keep else min(tied, key=lambda p: p.threshold)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__.split("\n")[1])
    ap.add_argument("gold", type=Path, nargs="+", help="gold files; their questions are pooled")
    ap.add_argument("--index", type=Path, help="keep the indexed calls here between runs")
    ap.add_argument("--json", action="store_true", help="print the sweep as JSON")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="qa-calibrate-") as tmp:
        store = Store(args.index or Path(tmp) / "index")
        rows = [row for gold in args.gold for row in scores(gold, store)]
    points = sweep(rows)
    chosen = best(points, extractive.MIN_COVERAGE)
    if args.json:
        print(json.dumps({"chosen": chosen.threshold, "current": extractive.MIN_COVERAGE,
                          "points": [p.__dict__ for p in points]}))
        return 0
    current = min(points, key=lambda p: abs(p.threshold - extractive.MIN_COVERAGE))
    print(f"{' + '.join(g.name for g in args.gold)}: {sum(a for _, a, _ in rows)} answerable, "
          f"{sum(not a for _, a, _ in rows)} unanswerable")
    print("threshold  refused-unanswerable  refused-answerable  J")
    for p in points:
        if p.threshold * 100 % 5 == 0 or p in (chosen, current):
            mark = " <- best" if p == chosen else " <- current" if p == current else ""
            print(f"{p.threshold:9.2f}  {p.refusal_accuracy:20.3f}  {p.false_refusal_rate:18.3f}  "
                  f"{p.j:.3f}{mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
