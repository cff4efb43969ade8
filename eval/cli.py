"""`qa eval`: registered with the `qa` command through the `earnings_qa.commands` entry point,
so that nothing in qa/ imports eval/."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from eval import config, harness, report


@click.command("eval")
@click.argument("gold", type=click.Path(dir_okay=False))
@click.option("--transcripts", metavar="DIR", type=click.Path(file_okay=False),
              help="Directory of the transcript files (default: the gold file's `transcripts:`).")
@click.option("--k", "k", default=5, show_default=True, type=click.IntRange(1, 50),
              help="Chunks retrieved per question.")
@click.option("--mode", type=click.Choice(["quotes", "llm"]), default="quotes", show_default=True,
              help="quotes: the offline extractive answerer.")
@click.option("--min", "mins", multiple=True, metavar="NAME=VALUE",
              help="Override a gate threshold (repeatable), e.g. --min fact_accuracy=0.8.")
@click.option("--no-gate", is_flag=True, help="Report only; never fail on thresholds.")
@click.option("--json", "json_", is_flag=True, help="Print the JSON report.")
@click.option("--report", "report_file", type=click.Path(dir_okay=False),
              help="Also write the JSON report to this file.")
def eval_cmd(gold: str, transcripts: str | None, k: int, mode: str, mins: tuple[str, ...],
             no_gate: bool, json_: bool, report_file: str | None) -> None:
    """Score the tool on a gold set of questions; exit 1 when a metric is below its threshold."""
    pyproject = config.find_pyproject()
    limits = {} if no_gate else config.thresholds(pyproject, mins)
    progress = report.progress() if sys.stderr.isatty() and not json_ else None
    result = harness.run(gold, transcripts, k=k, mode=mode, thresholds=limits, progress=progress)
    data = result.to_json()
    if report_file:
        Path(report_file).write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
    if json_:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(report.items_table(result))
        click.echo()
        click.echo(report.summary(result, pyproject))
    if result.failed:
        click.echo(f"qa: eval gate failed: {', '.join(report.gate_line(result, n) for n in result.failed)}",
                   err=True)
        sys.exit(1)
