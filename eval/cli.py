"""`qa eval`: registered with the `qa` command through the `earnings_qa.commands` entry point,
so that nothing in qa/ imports eval/."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from eval import config, harness, report
from qa.safe import visible


@click.command("eval")
@click.argument("gold", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--transcripts", metavar="DIR", type=click.Path(file_okay=False),
              help="Directory of the transcript files (default: each gold file's `transcripts:`).")
@click.option("--k", "k", default=5, show_default=True, type=click.IntRange(1, 50),
              help="Chunks retrieved per question.")
@click.option("--mode", type=click.Choice(["quotes", "llm"]), default="quotes", show_default=True,
              help="quotes: the offline extractive answerer.")
@click.option("--min", "mins", multiple=True, metavar="NAME=VALUE",
              help="Override a gate threshold of every set (repeatable), e.g. --min fact_accuracy=0.8.")
@click.option("--no-gate", is_flag=True, help="Report only; never fail on thresholds.")
@click.option("--json", "json_", is_flag=True, help="Print the JSON report.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False),
              help="Also write the JSON report to this file.")
def eval_cmd(gold: tuple[str, ...], transcripts: str | None, k: int, mode: str,
             mins: tuple[str, ...], no_gate: bool, json_: bool, report_file: str | None) -> None:
    """Score the tool on gold sets (questions and/or who-says-what); exit 1 when a metric is
    below its threshold. Thresholds: [tool.qa.eval.sets.NAME] for the set whose file stem is
    NAME, else [tool.qa.eval], in pyproject.toml."""
    pyproject = config.find_pyproject()
    progress = report.progress() if sys.stderr.isatty() and not json_ else None
    results = []
    for path in gold:
        limits = {} if no_gate else config.thresholds(pyproject, mins, Path(path).stem)
        results.append(harness.run(path, transcripts, k=k, mode=mode, thresholds=limits,
                                   progress=progress))
        if not json_:
            if len(gold) > 1:
                click.echo(visible(f"== {results[-1].name} ({path}) =="))
            click.echo(visible(report.full(results[-1], pyproject)) + "\n")
    combined = harness.combined_attribution(results)
    if not json_ and len(gold) > 1 and combined:
        click.echo(visible(report.combined(combined)))
    data = _json(results, combined)
    if report_file:
        Path(report_file).write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    if json_:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    _fail_on_gate(results, not no_gate)


def _json(results: list[harness.Report], combined: dict[str, Any]) -> dict[str, Any]:
    """One set: its report (as before). Several: every report and attribution over all of them."""
    if len(results) == 1:
        return results[0].to_json()
    return {"reports": [r.to_json() for r in results], "combined_attribution": combined,
            "passed": not any(r.failed for r in results)}


def _fail_on_gate(results: list[harness.Report], gated: bool) -> None:
    lines = [(f"{r.name}: " if len(results) > 1 else "") + report.gate_line(r, n)
             for r in results for n in r.failed]
    crashed = sum(len(r.errors) for r in results)
    if crashed:
        click.echo(f"qa: {crashed} question(s) raised an error in the pipeline (see ERRORS or "
                   "`errors` in the JSON)", err=True)
    if lines:
        click.echo(f"qa: eval gate failed: {', '.join(lines)}", err=True)
    if lines or (crashed and gated):
        sys.exit(1)
