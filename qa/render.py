"""Text for people: answers, citations, tables, progress. Plain text; no colour codes."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Collection
from typing import Any, cast

from index.store import IndexResult
from index.types import ROLE_LABELS, SECTION_LABELS, Transcript
from qa import conflicts, safe
from qa.types import Answer, Citation

WIDTH = 100


def citation_text(n: int, c: Citation) -> str:
    quote = textwrap.fill(f"\u201c{c.quote}\u201d", WIDTH, initial_indent=f"[{n}] ",
                          subsequent_indent="    ")
    mark = "verified" if c.verified else "NOT VERIFIED"
    return (f"{quote}\n    \u2014 {c.who()} \u00b7 {c.where()}\n"
            f"    {c.transcript}, characters {c.start}-{c.end} \u00b7 {mark}")


def answer_text(a: Answer, streamed: bool = False, shown: Collection[str] = ()) -> str:
    """The answer (unless it was already streamed), its citations, flags and the notices not
    already `shown` on stderr."""
    parts = [] if streamed else [textwrap.fill(a.text, WIDTH)]
    parts += [textwrap.fill("\u26a0 " + conflicts.describe(a, c), WIDTH) for c in a.conflicts]
    if a.unbacked_figures:
        parts.append("\u26a0 Not backed by any quote below: " + ", ".join(a.unbacked_figures))
    if a.answerable and not a.citations:
        parts.append("\u26a0 No quote from the transcript supports this answer: it is unverified.")
    if a.answerable:
        parts += [citation_text(n, c) for n, c in enumerate(a.citations, 1)]
    elif a.nearest:
        parts.append("Nearest passages (they do not answer it):")
        parts += [citation_text(n, c) for n, c in enumerate(a.nearest, 1)]
    if a.removed_quotes:
        n = len(a.removed_quotes)
        parts.append(f"\u26a0 {n} quote{' was' if n == 1 else 's were'} not in the transcript and "
                     f"{'was' if n == 1 else 'were'} removed.")
    flagged = set(a.removed_quotes) | set(a.unbacked_figures)
    parts += [f"Note: {n}" for n in a.notices if n not in shown and not _is_flag(n, a, flagged)]
    return "\n\n".join(parts)


def _is_flag(notice: str, a: Answer, flagged: set[str]) -> bool:
    """Notices that repeat the ⚠ lines above (removed quotes, unbacked figures, no support)."""
    return (notice.startswith(("figure not backed", "figures not backed", "no quote from"))
            or ("not in the transcript and" in notice and bool(a.removed_quotes)))


class Streamer:
    """Writes a streaming answer to stdout as it arrives; notices go to stderr at once."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.wrote = False  # the current line holds streamed text
        self.streamed = False  # any answer text was streamed
        self.text = ""  # what was streamed
        self.shown: list[str] = []  # notices already printed

    def write(self, text: str) -> None:
        if self.enabled and text:
            sys.stdout.write(safe.visible(text))
            sys.stdout.flush()
            self.text += text
            self.wrote = self.streamed = True

    def notice(self, message: str) -> None:
        if self.wrote:
            sys.stdout.write("\n")
            sys.stdout.flush()
            self.wrote = False
        self.shown.append(message)
        sys.stderr.write(safe.qa_line(message) + "\n")
        sys.stderr.flush()

    def end(self) -> None:
        """Close the streamed answer with a blank line."""
        if self.streamed:
            sys.stdout.write("\n\n" if self.wrote else "\n")
            sys.stdout.flush()
            self.wrote = False


def verbose_line(settings: Any, usage: Any, seconds: float) -> str:
    line = f"qa: mode={settings.mode}"
    if settings.mode == "llm":
        line += f" model={settings.model} server={settings.base_url}"
    if usage is not None:
        prompt = usage.prompt_tokens or f"~{usage.prompt_estimate}(tiktoken)"
        done = usage.completion_tokens or "?"
        line += (f" format={'/'.join(usage.formats) or '-'} excerpts={usage.excerpts} "
                 f"prompt_tokens={prompt} completion_tokens={done} "
                 f"model_seconds={usage.seconds:.2f}")
    return line + f" total_seconds={seconds:.2f}"


def index_line(r: IndexResult) -> str:
    what = {"added": "indexed", "updated": "re-indexed", "unchanged": "unchanged"}[r.status]
    line = f"{what:10} {r.transcript}  {r.chunks} chunks"
    if r.status == "updated":
        line += f" ({r.embedded} new, {r.removed} removed)"
    if r.replaced_path:
        line += f"  (replaces the copy indexed from {r.replaced_path})"
    return line


def transcript_table(rows: list[dict[str, Any]]) -> str:
    """`qa transcripts`: one line per transcript ("-" for what is not known)."""
    cols = [("ID", "id", 28), ("COMPANY", "company", 24), ("TICKER", "ticker", 6),
            ("PERIOD", "period", 6), ("DATE", "date", 10), ("FORMAT", "format", 10)]
    head = " ".join(f"{name:{w}}" for name, _, w in cols)
    lines = [f"{head} {'TURNS':>5} {'CHUNKS':>6}  SPEAKERS"]
    for r in rows:
        cells = " ".join(f"{str(r.get(key) or '-')[:w]:{w}}" for _, key, w in cols)
        lines.append(f"{cells} {r.get('turns', 0):>5} {r.get('chunks', 0):>6}  "
                     f"{', '.join(r.get('speakers', [])) or '-'}")
    return "\n".join(lines)


def turn_table(t: Transcript) -> str:
    lines = [f"{t.id}: {t.company or '?'} {t.period or '?'} ({t.format}, {len(t.turns)} turns)",
             f"{'#':>3} {'CHARS':13} {'SPEAKER':16} {'ROLE':18} {'SECTION':16} {'RENDERING':11} "
             f"{'PAIR':>4}  HOW INFERRED / START OF TEXT"]
    for u in t.turns:
        pair = "" if u.pair is None else str(u.pair)
        start = " ".join(u.text.split())[:48]
        lines.append(f"{u.index:>3} {f'{u.start}-{u.end}':13} {(u.speaker or '?')[:16]:16} "
                     f"{ROLE_LABELS[u.role][:18]:18} {SECTION_LABELS[u.section]:16} "
                     f"{u.rendering.value:11} {pair:>4}  {u.cue or '(not inferred)'}\n"
                     f"{'':>4}{'':13} \u201c{start}\u2026\u201d"
                     + (f"  [title: {u.title}]" if u.title else ""))
    known = sum(1 for u in t.turns if u.speaker)
    lines.append(f"\nSpeaker known for {known} of {len(t.turns)} turns.")
    return "\n".join(lines)


def progress_printer() -> Any:
    """A progress reporter for index_paths: a rich bar on a terminal, nothing otherwise."""
    if not sys.stderr.isatty():
        return None
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[what]}"),
                   TimeRemainingColumn(), transient=True, console=_stderr_console())
    state: dict[str, Any] = {}

    def report(event: str, detail: object) -> None:
        if event == "file":
            n, total, path = cast(tuple[int, int, str], detail)
            if not state:
                bar.start()
            if "task" in state:
                bar.remove_task(state["task"])
            state["task"] = bar.add_task(f"[{n + 1}/{total}] {path}", total=None,
                                         what="reading and chunking")
        elif event == "embed" and "task" in state:
            done, total = cast(tuple[int, int], detail)
            bar.update(state["task"], completed=done, total=total, what=f"{done}/{total} chunks")
        elif event == "done" and state:
            bar.stop()

    return report


def _stderr_console() -> Any:
    from qa.screen import SafeConsole

    return SafeConsole(stderr=True)
