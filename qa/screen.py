"""What the REPL shows, as rich renderables: answers, citations, sources, tables, help.

Transcript text only ever goes into `rich.text.Text` objects, never into markup strings, so a
"[1]" or ":smile:" in a quote prints as written. Colour comes from styles alone: rich drops it
for NO_COLOR and when the output is not a terminal; `plain` consoles (no colour system at all)
get explicit markers instead of highlighting.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.segment import Segment, Segments
from rich.table import Table
from rich.text import Text

from index.types import ROLE_LABELS, SECTION_LABELS, Rendering, Role, Transcript, Turn
from qa import conflicts
from qa.conflicts import FigureConflict
from qa.safe import visible
from qa.types import Answer, Citation

NARROW = 60  # columns: below this, indents shrink and attributions split over lines
CONTEXT_CHARS = 320  # how much of the turns around a cited turn `:sources` shows
WARN = "bold yellow"
BAD = "bold red"


class SafeConsole(Console):
    """A rich console whose printed text is `visible()`; its own styles and cursor moves are
    left alone (they are rendered from styles and control segments, never from the text)."""

    def _render_buffer(self, buffer: Any) -> str:
        return super()._render_buffer(
            Segment(s.text if s.control else visible(s.text), s.style, s.control) for s in buffer)


def make_console(stderr: bool = False, **kwargs: Any) -> Console:
    """The REPL's console: rich detects the terminal, its width, NO_COLOR and plain pipes."""
    return SafeConsole(stderr=stderr, highlight=False, emoji=False, markup=False, **kwargs)


def plain(console: Console) -> bool:
    return console.color_system is None


def indent(console: Console) -> int:
    return 2 if console.width < NARROW else 4


def tidy(console: Console, renderable: RenderableType) -> Segments:
    """The renderable laid out for this console without the blanks rich pads lines with."""
    out: list[Segment] = []
    for line in console.render_lines(renderable, pad=False, new_lines=False):
        while line and not line[-1].control and not line[-1].text.strip():
            line.pop()
        if line:
            last = line[-1]
            line[-1] = Segment(last.text.rstrip(), last.style, last.control)
        out += [*line, Segment.line()]
    return Segments(out)


# -- answers ------------------------------------------------------------------------------------


def shown_citations(a: Answer) -> tuple[Citation, ...]:
    """The numbered passages an answer shows: its citations, or the nearest passages."""
    return a.citations if a.answerable else a.nearest


def answer_view(console: Console, a: Answer, streamed: bool = False,
                shown: Collection[str] = ()) -> RenderableType:
    """The answer (unless already streamed), flags, numbered citations, notices not yet shown."""
    parts: list[RenderableType] = []
    if not streamed:
        parts.append(answer_text(a))
    parts += flags_view(a)
    if not a.answerable and a.nearest:
        parts.append(Text("Nearest passages (they do not answer it):", style="italic"))
    parts += [citation_view(console, n, c) for n, c in enumerate(shown_citations(a), 1)]
    parts += removed_view(a)
    parts += [notice_text(n) for n in a.notices if n not in shown]
    return Group(*_spaced(parts))


def answer_text(a: Answer) -> Text:
    text = Text(a.text, style="bold" if a.answerable else "italic")
    for figure in a.unbacked_figures:
        text.highlight_words([figure], style=f"{WARN} underline")
    return text


def flags_view(a: Answer) -> list[Text]:
    out = [conflict_text(a, c) for c in a.conflicts]
    if a.unbacked_figures:
        out.append(Text("\u26a0 Not backed by any quote below: " + ", ".join(a.unbacked_figures),
                        style=WARN))
    if a.answerable and not a.citations:
        out.append(Text("\u26a0 No quote from the transcript supports this answer: it is "
                        "unverified.", style=WARN))
    return out


def conflict_text(a: Answer, c: FigureConflict) -> Text:
    """The quotes disagree on a figure: both values, who gives each, which is trusted."""
    return Text("\u26a0 " + conflicts.describe(a, c), style=WARN)


def removed_view(a: Answer) -> list[RenderableType]:
    if not a.removed_quotes:
        return []
    n = len(a.removed_quotes)
    head = Text(f"\u26a0 {n} quote{' was' if n == 1 else 's were'} not in the transcript and "
                f"{'was' if n == 1 else 'were'} removed:", style=WARN)
    lines = [Text("\u2717 \u201c" + q + "\u201d", style="dim strike") for q in a.removed_quotes]
    return [Group(head, *lines)]


def notice_text(message: str) -> Text:
    return Text(f"note: {message}", style="dim yellow")


def citation_view(console: Console, n: int, c: Citation) -> RenderableType:
    grid = Table.grid()
    grid.add_column(width=len(f"[{n}] "), no_wrap=True)
    grid.add_column()
    grid.add_row(Text(f"[{n}]", style="bold cyan"),
                 Group(Text("\u201c" + c.quote + "\u201d"), attribution(console, c)))
    return grid


def attribution(console: Console, c: Citation) -> Text:
    """Speaker, role, section and transcript of a citation; split over lines when narrow."""
    sep = "\n" if console.width < NARROW else " \u00b7 "
    mark = ("verified", "green") if c.verified else ("NOT VERIFIED", BAD)
    return Text.assemble(
        ("\u2014 " + speaker_label(c.speaker, c.title, c.role), "bold"),
        (" \u00b7 " + ROLE_LABELS[c.role], ""),
        (" \u00b7 " + SECTION_LABELS[c.section] + _via(c.rendering), ""),
        (sep + f"{c.transcript}, turn {c.turn}, characters {c.start}-{c.end}", "dim"),
        (" \u00b7 ", "dim"), mark, style="dim")


def speaker_label(speaker: str | None, title: str | None, role: Role) -> str:
    name = speaker or "Unidentified speaker"
    if title and title not in (name, ROLE_LABELS[role]):
        return f"{name}, {title}"
    return name


def _via(rendering: str) -> str:
    return {Rendering.INTERPRETED.value: ", via the interpreter",
            Rendering.MACHINE.value: ", machine translation"}.get(rendering, "")


def _spaced(parts: Iterable[RenderableType]) -> list[RenderableType]:
    out: list[RenderableType] = []
    for p in parts:
        if out:
            out.append(Text(""))
        out.append(p)
    return out


def json_text(a: Answer) -> str:
    return json.dumps(a.to_json(), indent=2, ensure_ascii=False)


# -- :sources -----------------------------------------------------------------------------------


def sources_view(console: Console, numbered: Sequence[tuple[int, Citation]],
                 t: Transcript) -> RenderableType:
    """The full turn behind citations (all in one turn of `t`), the turns around it shortened,
    and the quoted spans highlighted (or bracketed on a plain console)."""
    turn = _turn(t, numbered[0][1].turn)
    if turn is None:
        return Text(f"turn {numbered[0][1].turn} is not in {t.id} any more; re-index it",
                    style=BAD)
    label = "".join(f"[{n}]" for n, _ in numbered)
    before, after = _turn(t, turn.index - 1), _turn(t, turn.index + 1)
    parts: list[RenderableType] = [Text(f"{label} {t.id}", style="bold cyan")]
    if before is not None:
        parts.append(_context(console, before, tail=True))
    parts.append(_turn_block(console, turn, _cited_text(console, t, turn,
                                                        [c for _, c in numbered])))
    if after is not None:
        parts.append(_context(console, after, tail=False))
    return Group(*_spaced(parts))


def _turn(t: Transcript, index: int) -> Turn | None:
    return next((u for u in t.turns if u.index == index), None)


def turn_label(u: Turn) -> Text:
    return Text(f"turn {u.index} \u00b7 {speaker_label(u.speaker, u.title, u.role)} \u00b7 "
                f"{ROLE_LABELS[u.role]} \u00b7 {SECTION_LABELS[u.section]}{_via(u.rendering)}",
                style="bold")


def _turn_block(console: Console, u: Turn, body: Text) -> RenderableType:
    return Group(turn_label(u), Padding(body, (0, 0, 0, indent(console)), expand=False))


def _context(console: Console, u: Turn, tail: bool) -> RenderableType:
    text = " ".join(u.text.split())
    if len(text) > CONTEXT_CHARS:
        text = "\u2026" + text[-CONTEXT_CHARS:] if tail else text[:CONTEXT_CHARS] + "\u2026"
    label = turn_label(u)
    label.stylize("dim")
    return Group(label, Padding(Text(text, style="dim"), (0, 0, 0, indent(console)), expand=False))


def _cited_text(console: Console, t: Transcript, u: Turn, cites: Sequence[Citation]) -> Text:
    spans = sorted((max(0, t.local_offset(u, c.start)), t.local_offset(u, c.end)) for c in cites)
    if plain(console):
        out, last = Text(), 0
        for a, b in spans:
            out.append(u.text[last:a])
            out.append(">>" + u.text[a:b] + "<<")
            last = max(last, b)
        out.append(u.text[last:])
        return out
    text = Text(u.text)
    for a, b in spans:
        text.stylize("bold reverse", a, b)
    return text


# -- tables and help ----------------------------------------------------------------------------


def transcripts_view(rows: Sequence[dict[str, Any]], scope: Collection[str]) -> RenderableType:
    table = Table(box=None, pad_edge=False, header_style="bold")
    for name in ("", "ID", "COMPANY", "TICKER", "PERIOD", "DATE", "TURNS", "SPEAKERS"):
        table.add_column(name, overflow="fold")
    for r in rows:
        table.add_row("*" if r["id"] in scope else "", r["id"], r.get("company") or "-",
                      r.get("ticker") or "-", r.get("period") or "-", r.get("date") or "-",
                      str(r.get("turns", 0)), ", ".join(r.get("speakers", [])) or "-")
    return table


HELP = [
    ("QUESTION", "ask about the transcripts in scope (Alt-Enter or a trailing \\ adds a line)"),
    (":sources [N]", "the full turns behind the last answer's citations (or citation N)"),
    (":use ID...|all", "ask only these transcripts (Tab completes ids); `all` for every one"),
    (":filter K=V...", "only passages with speaker=NAME, role=ROLE, section=SECTION, "
                       "company=NAME|TICKER, period=2021Q1; `:filter` shows, `:filter clear` removes"),
    (":transcripts", "what is indexed (* = in scope)"),
    (":mode quotes|llm", "offline extractive answers, or a language model"),
    (":json", "toggle machine output (the answer as JSON)"),
    (":history", "earlier questions and commands"),
    (":help", "this help"),
    (":quit", "leave (or Ctrl-D); Ctrl-C cancels an answer being produced"),
]


def help_view() -> RenderableType:
    table = Table(box=None, show_header=False, pad_edge=False)
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for cmd, what in HELP:
        table.add_row(cmd, what)
    return table


def history_view(entries: Sequence[str], last: int = 20) -> RenderableType:
    if not entries:
        return Text("No history yet.")
    start = max(0, len(entries) - last)
    return Text("\n".join(f"{n:>4}  {e}" for n, e in enumerate(entries[start:], start + 1)))


def error_text(message: str) -> Text:
    return Text(message, style=BAD)


def info_text(message: str) -> Text:
    return Text(message, style="italic")


def group_by_turn(numbered: Sequence[tuple[int, Citation]]) -> list[list[tuple[int, Citation]]]:
    """Citations that sit in the same turn of the same transcript are shown together."""
    groups: dict[tuple[str, int], list[tuple[int, Citation]]] = {}
    for n, c in numbered:
        groups.setdefault((c.transcript, c.turn), []).append((n, c))
    return list(groups.values())

