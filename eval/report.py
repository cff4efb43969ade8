"""Terminal tables for `qa eval`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eval.harness import Report
from eval.metrics import METRICS


def _mark(v: bool | None) -> str:
    return "-" if v is None else "ok" if v else "FAIL"


def items_table(r: Report) -> str:
    head = f"{'ID':28} {'KIND':12} {'RETR':>4} {'FACT':>4} {'SUPP':>4} {'REFUSAL':>7}  ANSWER"
    lines = [head]
    for res in r.items:
        s = res.score
        answer = " ".join(res.answer.text.split())
        lines.append(f"{res.item.id[:28]:28} {(res.item.kind or '-')[:12]:12} "
                     f"{_mark(s.retrieved):>4} {_mark(s.facts):>4} {_mark(s.supported):>4} "
                     f"{_mark(s.refusal_ok):>7}  {answer[:60]}")
    return "\n".join(lines)


def summary(r: Report, pyproject: Path | None) -> str:
    n = len(r.items)
    answerable = sum(1 for i in r.items if i.item.answerable)
    lines = [f"{n} items ({answerable} answerable, {n - answerable} not), k={r.k}, mode={r.mode}; "
             f"indexing {r.index_seconds:.1f} s, total {r.total_seconds:.1f} s",
             f"{'METRIC':22} {'VALUE':>9} {'GATE':>12}"]
    for name in METRICS:
        g = r.gate.get(name)
        limit = "" if not g else f"{'>=' if g['direction'] == 'min' else '<='} {g['threshold']:g}"
        flag = "" if not g else "  ok" if g["ok"] else "  BELOW GATE"
        lines.append(f"{name:22} {r.metrics[name]:>9g} {limit:>12}{flag}")
    if r.gate:
        source = f" (thresholds from {pyproject})" if pyproject else ""
        lines.append(("PASSED" if not r.failed else "FAILED") + source)
    return "\n".join(lines)


def gate_line(r: Report, name: str) -> str:
    g = r.gate[name]
    op = ">=" if g["direction"] == "min" else "<="
    return f"{name} = {g['value']:g} (needs {op} {g['threshold']:g})"


def progress() -> Any:
    import sys

    def report(n: int, total: int, item_id: str) -> None:
        sys.stderr.write(f"\r[{n + 1}/{total}] {item_id[:60]:60}")
        if n + 1 == total:
            sys.stderr.write("\r" + " " * 72 + "\r")
        sys.stderr.flush()

    return report
