"""Terminal tables for `qa eval`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.harness import Report
from eval.metrics import ATTRIBUTION_METRICS, METRICS, Attribution

# Column headers of the breakdown tables.
SHORT = {
    "evidence_recall_at_k": "RECALL", "mrr": "MRR", "fact_accuracy": "FACT",
    "answer_fact_accuracy": "ANS_FACT", "citation_validity": "CIT_VAL",
    "citation_support": "CIT_SUP", "refusal_accuracy": "REFUSAL",
    "false_refusal_rate": "FALSE_RF", "latency_p50_ms": "P50_MS", "latency_p95_ms": "P95_MS",
    "attribution_accuracy": "ATTR", "speaker_accuracy": "SPEAKER", "role_accuracy": "ROLE",
    "section_accuracy": "SECTION",
}


def _mark(v: bool | None) -> str:
    return "-" if v is None else "ok" if v else "FAIL"


def _value(name: str, v: float | None) -> str:
    if v is None:
        return "n/a"
    return f"{v:.0f}" if name.startswith("latency") else f"{v:.3f}"


def full(r: Report, pyproject: Path | None) -> str:
    """Everything `qa eval` prints for one gold set."""
    parts = [items_table(r)] if r.indexed else []
    misses = misses_table(r)
    if misses:
        parts.append(misses)
    if r.errors:
        parts.append(f"ERRORS ({len(r.errors)} question(s) raised; scored as wrong)\n" +
                     "\n".join(f"{res.item.id}: {res.error}" for res in r.errors))
    parts += [summary(r, pyproject), breakdown_tables(r)]
    return "\n\n".join(p for p in parts if p)


def _id_width(r: Report) -> int:
    return min(max((len(res.item.id) for res in r.items), default=2), 40)


def items_table(r: Report) -> str:
    """One row per question item."""
    w = _id_width(r)
    head = (f"{'ID':{w}} {'KIND':12} {'LAYOUT':10} {'RETR':>4} {'FACT':>4} {'HEAD':>4} {'SUPP':>4} "
            f"{'REFUSAL':>7} {'ATTR':>5}  ANSWER")
    lines = [head]
    for res in r.items:
        s = res.score
        if s is None or res.answer is None:
            continue
        answer = " ".join(res.answer.text.split())
        attr = "unsc" if res.unscored else _mark(res.attribution.ok if res.attribution else None)
        lines.append(f"{res.item.id[:w]:{w}} {res.kind[:12]:12} {res.layout[:10]:10} "
                     f"{_mark(s.retrieved):>4} {_mark(s.facts):>4} {_mark(s.headline_facts):>4} "
                     f"{_mark(s.supported):>4} {_mark(s.refusal_ok):>7} {attr:>5}  {answer[:60]}")
    return "\n".join(lines)


def _who(values: Mapping[str, str | None], fields: Sequence[str]) -> str:
    shown = []
    for name in fields:
        v = values.get(name)
        shown.append(("(unnamed)" if v is None else v) if name == "speaker" else (v or "-"))
    return " · ".join(shown)


def misses_table(r: Report) -> str:
    """The attribution items the tool gets wrong: expected against got, and the turn's cue."""
    scored = [res for res in r.items if res.attribution is not None]
    wrong = [(res, res.attribution) for res in scored if res.attribution and not res.attribution.ok]
    if not wrong:
        return ""
    w = _id_width(r)
    lines = [f"ATTRIBUTION MISSES ({len(wrong)} of {len(scored)})",
             f"{'ID':{w}} {'LAYOUT':9} {'WRONG':20} {'EXPECTED':44} {'GOT':44} CUE"]
    for res, a in wrong:
        fields = list(a.expected)
        lines.append(f"{res.item.id[:w]:{w}} {res.layout[:9]:9} {','.join(a.wrong)[:20]:20} "
                     f"{_who(a.expected, fields)[:44]:44} {_who(a.got, fields)[:44]:44} "
                     f"{_cue(a)[:50]}")
    return "\n".join(lines)


def _cue(a: Attribution) -> str:
    return " ".join(a.cue.split()) or "-"


def summary(r: Report, pyproject: Path | None) -> str:
    lines = [_headline(r), f"{'METRIC':22} {'VALUE':>9} {'GATE':>12}"]
    for name in METRICS:
        g = r.gate.get(name)
        if name not in r.metrics:
            continue
        limit = "" if not g else f"{'>=' if g['direction'] == 'min' else '<='} {g['threshold']:g}"
        flag = "" if not g else "  ok" if g["ok"] else "  BELOW GATE"
        lines.append(f"{name:22} {r.metrics[name]:>9g} {limit:>12}{flag}")
    unmeasured = [name for name, g in r.gate.items() if g["ok"] is None]
    if unmeasured:
        lines.append(f"not gated (this set cannot measure them): {', '.join(unmeasured)}")
    if r.gate:
        source = f" (thresholds for {r.name} from {pyproject})" if pyproject else ""
        lines.append(("PASSED" if not r.failed else "FAILED") + source)
    return "\n".join(lines)


def _headline(r: Report) -> str:
    asked = [res for res in r.items if res.score is not None]
    labelled = [res for res in r.items if res.item.expected]
    parts = []
    if asked:
        answerable = sum(1 for res in asked if res.item.answerable)
        parts.append(f"{len(asked)} questions ({answerable} answerable, {len(asked) - answerable} "
                     f"not), k={r.k}, mode={r.mode}")
    if labelled:
        unscored = f", {r.unscored} unscored (no citation overlaps the evidence)" if r.unscored else ""
        parts.append(f"{len(labelled)} with speaker/role/section{unscored}")
    timing = (f"indexing {r.index_seconds:.1f} s" if r.indexed
              else f"parsing {r.index_seconds:.1f} s, no index")
    return f"{r.name}: {'; '.join(parts) or 'no items'}; {timing}, total {r.total_seconds:.1f} s"


def breakdown_tables(r: Report) -> str:
    names = [m for m in METRICS if m in r.metrics]
    return "\n\n".join(_groups_table(f"BY {by.upper()}", groups, names)
                       for by, groups in r.breakdown.items() if groups)


def _groups_table(title: str, groups: Mapping[str, Mapping[str, Any]], names: Sequence[str]) -> str:
    lines = [f"{title:21} {'ITEMS':>5} " + " ".join(f"{SHORT[n]:>8}" for n in names)]
    for group, g in groups.items():
        cells = " ".join(f"{_value(n, g['metrics'].get(n)):>8}" for n in names)
        lines.append(f"{group[:21]:21} {g['items']:>5} {cells}")
    return "\n".join(lines)


def combined(groups: Mapping[str, Mapping[str, Any]]) -> str:
    """Attribution over several gold sets, one line per layout."""
    names = [m for m in ATTRIBUTION_METRICS if any(m in g["metrics"] for g in groups.values())]
    if not names:
        return ""
    return _groups_table("ATTRIBUTION, ALL SETS", groups, names)


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
