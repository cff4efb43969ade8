"""The `qa` command. Thin: each command parses options, calls qa/ or index/, prints.

Answers go to stdout; progress and diagnostics to stderr. Errors are one line and an exit code.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

from index.errors import IndexStateError, QAError
from qa import render, safe

F = TypeVar("F", bound=Callable[..., Any])

EXIT_PARTIAL = 1  # some files could not be indexed


def index_option(f: F) -> F:
    return click.option(
        "--index", "index_path", metavar="DIR", envvar="QA_INDEX", default=None,
        help="Index directory (env QA_INDEX; default: a per-user data directory).")(f)


def json_option(f: F) -> F:
    return click.option("--json", "json_", is_flag=True, help="Print JSON for scripts.")(f)


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="earnings-qa", prog_name="qa")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Answer questions about earnings-call transcripts with verified, verbatim quotes.

    \b
    Start:  qa ask "What is the CDN floor?"      (a new, empty index gets the built-in sample)
    Yours:  qa index PATH...  then  qa ask "QUESTION" --transcript ID
    """
    if ctx.invoked_subcommand is None:
        if sys.stdin.isatty():  # `qa` in a terminal is the interactive session
            ctx.invoke(repl_cmd)
        else:
            click.echo(ctx.get_help())


def _store(index_path: str | None) -> Any:
    from index.store import Store

    return Store(index_path)


no_wait_option = click.option(
    "--no-wait", is_flag=True,
    help="If another qa is writing to the index, stop (exit 4) instead of waiting for it.")


def _writing(store: Any, no_wait: bool = False) -> Any:
    """The index's write lock (one writer at a time; see index/lock.py)."""
    from index.lock import writer

    def say(message: str) -> None:
        click.echo(safe.qa_line(message), err=True)

    return writer(store.path, wait=not no_wait, say=say)


def _walk(paths: tuple[str, ...]) -> Iterator[Path]:
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(f for f in p.rglob("*") if f.is_file()
                              and not any(part.startswith(".") for part in f.relative_to(p).parts))
        else:
            yield p


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--sample", is_flag=True,
              help="Index the built-in sample call (kingsoft-cloud-2024q2) too, into any index.")
@click.option("--force", is_flag=True,
              help="Index files that do not look like a call transcript too (as plain text).")
@click.option("--id", "transcript_id", metavar="ID", default=None,
              help="The transcript id for one file (default: ticker or company and period, "
                   "e.g. afl-2021q1, else the file name).")
@click.option("--max-size", "max_mib", type=click.FloatRange(min=0, min_open=True), default=20.0,
              show_default=True, metavar="MIB", help="Skip files larger than this many MiB.")
@no_wait_option
@index_option
@json_option
def index_cmd(paths: tuple[str, ...], sample: bool, force: bool, transcript_id: str | None,
              max_mib: float, no_wait: bool, index_path: str | None, json_: bool) -> None:
    """Index transcript files or directories (re-indexing unchanged files does nothing).

    Files that do not look like a call (README, CSV, HTML, code ...) are skipped with the
    reason; --force indexes them anyway. --sample adds the built-in sample call."""
    from index.indexer import index_paths
    from index.paths import sample_path

    if not paths and not sample:
        raise click.UsageError("nothing to index: give files or folders (qa index PATH...), "
                               "or --sample for the built-in sample call")
    files = list(_walk(paths)) + ([sample_path()] if sample else [])
    if transcript_id is not None and len(files) != 1:
        raise click.BadParameter(f"names one transcript, but {len(files)} files were given",
                                 param_hint="--id")
    store = _store(index_path)
    with _writing(store, no_wait):
        results, failures = index_paths(store, files, render.progress_printer(), force=force,
                                        transcript_id=transcript_id, max_bytes=int(max_mib * 2**20))
    for r in results:
        if r.notice:
            click.echo(safe.qa_line(r.notice), err=True)
    if json_:
        click.echo(json.dumps({
            "index": str(store.path),
            "indexed": [r.__dict__ for r in results],
            "failed": [{"path": f.path, "error": f.why} for f in failures],
        }, indent=2))
    else:
        for r in results:
            click.echo(safe.visible(render.index_line(r)))
    for f in failures:
        click.echo(safe.qa_line(f"skipped {f.path}: {f.why}"), err=True)
    if failures:
        sys.exit(EXIT_PARTIAL)


@cli.command("transcripts")
@click.option("--turns", "turns_of", metavar="ID", default=None,
              help="Show the turn table of one transcript (speakers, roles, sections).")
@index_option
@json_option
def transcripts_cmd(turns_of: str | None, index_path: str | None, json_: bool) -> None:
    """List indexed transcripts, or one transcript's turns."""
    store = _store(index_path)
    if turns_of:
        t = store.load(turns_of)
        if json_:
            click.echo(json.dumps([turn.to_dict() | {"text": turn.text} for turn in t.turns],
                                  indent=2))
        else:
            click.echo(safe.visible(render.turn_table(t)))
        return
    rows = store.summaries()
    if json_:
        click.echo(json.dumps([{k: r.get(k) for k in ("company", "ticker", "period", "date")}
                               | r for r in rows], indent=2))
    elif not rows:
        click.echo(safe.visible(f"The index at {store.path} is empty. Add transcripts with `qa index PATH`."))
    else:
        click.echo(safe.visible(render.transcript_table(rows)))


def model_options(f: F) -> F:
    for option in reversed([
        click.option("--mode", type=click.Choice(["quotes", "llm"]), default=None,
                     help="quotes: offline extractive answers; llm: a language model "
                          "(default: llm when a model is configured; env QA_MODE)."),
        click.option("--model", default=None, help="Model name on the server (env QA_MODEL)."),
        click.option("--base-url", default=None, metavar="URL",
                     help="OpenAI-compatible server (env OPENAI_BASE_URL)."),
        click.option("--timeout", type=float, default=None, metavar="SECONDS",
                     help="Per-request timeout for the model server (env QA_TIMEOUT; 60)."),
    ]):
        f = option(f)
    return f


@cli.command("ask")
@click.argument("question")
@click.option("--transcript", "transcripts", multiple=True, metavar="ID",
              help="Only this transcript (repeatable). See `qa transcripts`.")
@click.option("--company", metavar="NAME", default=None,
              help="Only calls of this company (name or ticker, any case).")
@click.option("--period", metavar="PERIOD", default=None,
              help="Only calls of this fiscal period (2021Q1, Q1 2021) or year (2021).")
@click.option("--k", "k", default=5, show_default=True, type=click.IntRange(1, 50),
              help="How many chunks to retrieve.")
@model_options
@click.option("-v", "--verbose", is_flag=True, help="Show mode, tokens used and time on stderr.")
@index_option
@json_option
def ask_cmd(question: str, transcripts: tuple[str, ...], company: str | None,
            period: str | None, k: int, mode: str | None, model: str | None,
            base_url: str | None, timeout: float | None, verbose: bool,
            index_path: str | None, json_: bool) -> None:
    """Answer QUESTION from the indexed calls, with verified quotes."""
    from qa.config import resolve
    from qa.pipeline import Asker

    if not question.strip():
        raise click.UsageError("the question is empty: qa ask \"What is the CDN floor?\"")
    settings = resolve({"mode": mode, "model": model, "base_url": base_url, "timeout": timeout})
    store = _store(index_path)
    _ensure_sample(store)
    known = set(store.transcript_ids())
    missing = [t for t in transcripts if t not in known]
    if missing:
        raise click.BadParameter(f"not indexed: {', '.join(missing)} (indexed: "
                                 f"{', '.join(sorted(known)) or 'none'})", param_hint="--transcript")
    where = _scope(store, company, period)
    asker = Asker(store, k=k)
    stream = render.Streamer(enabled=not json_ and settings.mode == "llm")
    started = time.perf_counter()
    answer = asker.ask(question, transcripts=list(transcripts) or None, where=where,
                       settings=settings, on_text=stream.write, on_notice=stream.notice)
    stream.end()
    if verbose:
        line = render.verbose_line(settings, asker.last_usage, time.perf_counter() - started)
        click.echo(safe.visible(line, one_line=True), err=True)
    if json_:
        click.echo(json.dumps(answer.to_json(), indent=2, ensure_ascii=False))
    else:
        # the final answer is printed again when it is not what was streamed (a repaired reply,
        # the offline fallback, or a stream that was asked again)
        streamed = stream.streamed and answer.mode == "llm" and \
            " ".join(stream.text.split()) == " ".join(answer.text.split())
        click.echo(safe.visible(render.answer_text(answer, streamed=streamed, shown=stream.shown)))


def _scope(store: Any, company: str | None, period: str | None) -> dict[str, Any] | None:
    """--company / --period as a Chroma `where` (a value that matches nothing: exit 2)."""
    if company is None and period is None:
        return None
    from index.store import where_clause
    from qa.retrieve import FilterError, company_values, period_values

    rows = store.summaries()
    filters: dict[str, list[str]] = {}
    for name, value, resolve in (("company", company, company_values),
                                 ("period", period, period_values)):
        if value is not None:
            try:
                filters[name] = resolve(value, rows)
            except FilterError as e:
                raise click.BadParameter(str(e), param_hint=f"--{name}") from e
    return where_clause(filters)


def emptied_message(path: Path) -> str:
    """What to do with an index whose calls were all removed (it never gets the sample unasked)."""
    return (f"the index at {path} is empty (its calls were removed); add calls with "
            "`qa index PATH`, or `qa index --sample` for the built-in sample")


def _ensure_sample(store: Any) -> None:
    """A new, empty index gets the built-in sample call, so `qa ask` works on a fresh machine.
    An index that has held other calls never does (IndexStateError, exit 4): questions about
    the user's calls must not be answered from the sample."""
    if store.transcript_ids():
        return
    if store.held_user_calls():
        raise IndexStateError(emptied_message(store.path))
    from index.indexer import index_paths
    from index.paths import sample_path

    click.echo(safe.visible(f"The index at {store.path} is empty: indexing the built-in sample call "
                            f"({sample_path().name}) first. Add your own with `qa index PATH`.",
                            one_line=True), err=True)
    with _writing(store):
        _results, failures = index_paths(store, [sample_path()], render.progress_printer())
    if failures:
        raise QAError(f"could not index the built-in sample: {failures[0].why}")


@cli.command("remove")
@click.argument("transcript_ids", nargs=-1, required=True)
@no_wait_option
@index_option
def remove_cmd(transcript_ids: tuple[str, ...], no_wait: bool, index_path: str | None) -> None:
    """Remove transcripts (and their chunks) from the index."""
    store = _store(index_path)
    with _writing(store, no_wait):
        known = set(store.transcript_ids())
        for tid in transcript_ids:
            if tid not in known:
                raise QAError(f"no transcript {tid!r} in the index; `qa transcripts` lists them")
            click.echo(safe.visible(f"removed {tid} ({store.remove(tid)} chunks)"))


@cli.command("repl")
@model_options
@index_option
def repl_cmd(mode: str | None, model: str | None, base_url: str | None, timeout: float | None,
             index_path: str | None) -> None:
    """Ask questions interactively (what `qa` alone does in a terminal); :help inside."""
    from qa.config import resolve
    from qa.repl import start

    start(resolve({"mode": mode, "model": model, "base_url": base_url, "timeout": timeout}),
          index_path)


def _plugins() -> None:
    """Commands of later pipeline stages (`qa eval`) register through entry points, so that
    qa/ never imports them."""
    from importlib.metadata import entry_points

    for ep in entry_points(group="earnings_qa.commands"):
        if ep.name not in cli.commands:
            cli.add_command(ep.load(), ep.name)


def run(args: list[str] | None = None) -> int:
    """Run the command line; every failure becomes one line on stderr and an exit code."""
    _plugins()
    try:
        cli.main(args=args, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("qa: interrupted", err=True)
        return 130
    except click.exceptions.Exit as e:
        return int(e.exit_code or 0)
    except click.ClickException as e:
        if safe.visible(e.format_message(), one_line=True) != e.format_message():
            click.echo(safe.qa_line(f"error: {e.format_message()}"), err=True)  # it quotes a file name
        else:
            e.show()
        return e.exit_code
    except QAError as e:
        click.echo(safe.qa_line(f"error: {e}"), err=True)
        return e.exit_code
    except KeyboardInterrupt:
        click.echo("qa: interrupted", err=True)
        return 130
    except BrokenPipeError:
        return 0
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    return 0


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
