"""The interactive session: `qa` (in a terminal) or `qa repl`.

    lines (prompt_toolkit, or any text stream)  ->  parse()  ->  Command  ->  Repl.execute
                                                              questions ->  ask(...) in a worker

The loop takes an `ask` callable (same signature as `qa.pipeline.Asker.ask`), a Catalog (what is
indexed), a LineSource and a rich Console, so it runs without a terminal in tests. Nothing here
imports chromadb, openai or numpy at import time: the index opens in the background once the
prompt is up (IndexCatalog.warm), or when first needed.
"""

from __future__ import annotations

import os
import re
import sys
import threading
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol, TextIO

from rich.console import Console
from rich.text import Text

from index.errors import QAError
from index.types import Role, Section, Transcript
from qa import retrieve as retrieve_filters
from qa import screen
from qa.types import Answer

AskFn = Callable[..., Answer]  # ask(question, transcripts=, where=, settings=, on_text=, on_notice=)

# -- commands -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    text: str


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Sources:
    n: int | None = None  # None: every citation of the last answer


@dataclass(frozen=True)
class Use:
    ids: tuple[str, ...] = ()  # () shows the scope; ("all",) clears it


@dataclass(frozen=True)
class Filter:
    pairs: tuple[tuple[str, str], ...] = ()  # () shows the filters
    clear: bool = False


@dataclass(frozen=True)
class Transcripts:
    pass


@dataclass(frozen=True)
class Mode:
    mode: str | None = None  # None shows the mode


@dataclass(frozen=True)
class Json:
    pass


@dataclass(frozen=True)
class History:
    pass


@dataclass(frozen=True)
class Quit:
    pass


@dataclass(frozen=True)
class Invalid:
    message: str


Command = (Question | Help | Sources | Use | Filter | Transcripts | Mode | Json | History | Quit
           | Invalid)
NO_ARGS: dict[str, Command] = {"help": Help(), "transcripts": Transcripts(), "json": Json(),
                               "history": History(), "quit": Quit()}
NAMES = ("help", "sources", "use", "filter", "transcripts", "mode", "json", "history", "quit")
ALIASES = {"h": "help", "?": "help", "q": "quit", "exit": "quit", "s": "sources"}
FILTER_KEYS = ("speaker", "role", "section", "company", "period")
SEP = " \u00b7 "


def parse(line: str) -> Command | None:
    """One input (possibly several lines) -> a Command; None for a blank line."""
    text = line.strip()
    if not text:
        return None
    if text.lower() in ("quit", "exit"):
        return Quit()
    if not text.startswith(":"):
        return Question(" ".join(text.split()))
    word, _, arg = text[1:].partition(" ")
    name = command_name(word)
    if name is None:
        return Invalid(f"unknown command :{word}; :help lists the commands")
    return _parse_args(name, " ".join(arg.split()))


def command_name(word: str) -> str | None:
    word = ALIASES.get(word.lower(), word.lower())
    if word in NAMES:
        return word
    starts = [n for n in NAMES if word and n.startswith(word)]
    return starts[0] if len(starts) == 1 else None


def _parse_args(name: str, arg: str) -> Command:
    if name in NO_ARGS:
        return NO_ARGS[name] if not arg or name == "help" else Invalid(
            f":{name} takes no arguments")
    if name == "sources":
        if not arg:
            return Sources()
        return Sources(int(arg)) if arg.isdigit() and int(arg) > 0 else Invalid(
            ":sources takes a citation number, e.g. :sources 1")
    if name == "use":
        return Use(tuple(a for a in re.split(r"[\s,]+", arg) if a))
    if name == "mode":
        if arg and arg.lower() not in ("quotes", "llm"):
            return Invalid(f":mode is quotes or llm, not {arg!r}")
        return Mode(arg.lower() or None)
    return _parse_filter(arg)


def _parse_filter(arg: str) -> Command:
    if not arg:
        return Filter()
    if arg.lower() == "clear":
        return Filter(clear=True)
    keys = list(re.finditer(r"(?:^|\s)(\w+)\s*=", arg))
    if not keys or arg[: keys[0].start()].strip():
        return Invalid(f"expected KEY=VALUE after :filter, e.g. :filter role=cfo "
                       f"(keys: {', '.join(FILTER_KEYS)})")
    pairs = []
    for m, nxt in zip(keys, [*keys[1:], None], strict=True):
        key = m.group(1).lower()
        if key not in FILTER_KEYS:
            return Invalid(f"unknown filter {key!r}: use {', '.join(FILTER_KEYS)}")
        value = arg[m.end() : nxt.start() if nxt else len(arg)].strip().strip("\"'")
        pairs.append((key, value))
    return Filter(tuple(pairs))


# -- filters ------------------------------------------------------------------------------------

ROLES = tuple(r.value for r in Role)
SECTIONS = tuple(s.value for s in Section)
VALUE_ALIASES = {"role": {"ir": "investor_relations", "investor relations": "investor_relations"},
                 "section": {"q&a": "qa", "prepared remarks": "prepared"}}


FilterError = retrieve_filters.FilterError


def filter_value(key: str, value: str, speakers: Sequence[str],
                 transcripts: Sequence[dict[str, Any]] = ()) -> str:
    """The exact metadata value a filter matches (for company and period: what the prompt
    shows; `filter_values` gives every value they match), or FilterError with a one-line
    message."""
    if key == "speaker":
        return match_speaker(value, speakers)
    if key in ("company", "period"):
        values = filter_values(key, value, transcripts)
        if key == "company" and len(values) > 1:
            return value
        return values[0] if len(values) == 1 else value
    allowed = ROLES if key == "role" else SECTIONS
    v = value.lower()
    v = VALUE_ALIASES[key].get(v, v)
    if v not in allowed:
        raise FilterError(f"{key} must be one of {', '.join(allowed)} (not {value!r})")
    return v


def _tokens(name: str) -> set[str]:
    return set(re.findall(r"\w+", name.casefold()))


def match_speaker(value: str, speakers: Sequence[str]) -> str:
    """A speaker of the index: the same name ignoring case, else the one sharing most name
    tokens ("hou" -> "Henry Hou")."""
    exact = [s for s in speakers if s.casefold() == value.casefold()]
    if exact:
        return exact[0]
    wanted = _tokens(value)
    scored = [(len(wanted & _tokens(s)), s) for s in speakers]
    best = max((n for n, _ in scored), default=0)
    hits = [s for n, s in scored if n == best and n > 0]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise FilterError(f"speaker={value} could be {', '.join(hits)}: give more of the name")
    raise FilterError(f"no speaker {value!r} in the index (speakers: "
                      f"{', '.join(speakers) or 'none'})")


def filter_values(key: str, value: str, transcripts: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """Every indexed value a company or period filter matches ("aflac" -> the company names
    of the calls whose name or ticker is Aflac; "2021" -> 2021Q1 ... 2021Q4)."""
    resolve = (retrieve_filters.company_values if key == "company"
               else retrieve_filters.period_values)
    return tuple(resolve(value, transcripts))


def where_clause(filters: Mapping[str, str | Collection[str]]) -> dict[str, Any] | None:
    """Chroma's `where` for the active filters: one clause, or several under "$and" (built by
    index.store.where_clause, the one place that builds them)."""
    if not filters:
        return None
    from index.store import where_clause as build

    return build(filters)


# -- completion ---------------------------------------------------------------------------------


def completions(text: str, ids: Sequence[str], speakers: Sequence[str],
                companies: Sequence[str] = (), periods: Sequence[str] = ()) -> list[
        tuple[str, int]]:
    """Tab completions for the text before the cursor: (candidate, start offset, <= 0)."""
    if not text.startswith(":"):
        return []
    if " " not in text:
        return [(":" + n, -len(text)) for n in NAMES if (":" + n).startswith(text.lower())]
    name = command_name(text[1:].split(" ", 1)[0])
    arg = text.split(" ", 1)[1]
    if name == "filter":
        return _filter_completions(arg, {"role": ROLES, "section": SECTIONS, "speaker": speakers,
                                         "company": companies, "period": periods})
    options = {"use": ["all", *ids], "mode": ["quotes", "llm"]}.get(name or "", [])
    return _starting(options, arg.split(" ")[-1])


def _starting(options: Sequence[str], word: str) -> list[tuple[str, int]]:
    return [(o, -len(word)) for o in options if o.casefold().startswith(word.casefold())]


def _filter_completions(arg: str, values: Mapping[str, Sequence[str]]) -> list[tuple[str, int]]:
    m = re.search(r"(\w+)=([^=]*)$", arg)
    if m and (m.group(1) in ("speaker", "company") or " " not in m.group(2)):
        options = values.get(m.group(1), ())
        found = _starting(options, m.group(2))
        if found or " " not in m.group(2):
            return found
    word = arg.split(" ")[-1]
    return _starting([f"{k}=" for k in FILTER_KEYS] + (["clear"] if " " not in arg else []), word)


# -- what the loop needs from the outside -------------------------------------------------------


class Catalog(Protocol):
    """What is indexed, as the REPL needs it."""

    path: Path

    def ids(self) -> list[str]: ...
    def summaries(self) -> list[dict[str, Any]]: ...
    def speakers(self) -> list[str]: ...
    def transcript(self, tid: str) -> Transcript: ...
    def index(self, paths: Sequence[Path]) -> tuple[list[str], list[str]]: ...  # (done, failed)
    def held_user_calls(self) -> bool: ...  # ever held a call other than the built-in sample


class LineSource(Protocol):
    def read(self, prompt: str) -> str | None: ...  # None at end of input; Ctrl-C raises
    def read_reply(self, prompt: str) -> str | None: ...  # a one-off reply, kept out of history
    def history(self) -> list[str]: ...


class StreamLines:
    """Lines from a text stream (a pipe, or a script in tests); a trailing \\ continues."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._history: list[str] = []

    def read(self, prompt: str) -> str | None:
        line = self.read_reply(prompt)
        while line is not None and line.endswith("\\"):
            more = self.read_reply(prompt)
            line = line[:-1] + "\n" + (more or "")
            if more is None:
                break
        if line is not None and line.strip():
            self._history.append(line)
        return line

    def read_reply(self, prompt: str) -> str | None:
        line = self.stream.readline()
        return line.rstrip("\r\n") if line else None

    def history(self) -> list[str]:
        return list(self._history)


# -- the loop -----------------------------------------------------------------------------------


@dataclass
class State:
    settings: Any = None  # qa.config.Settings; None: offline answers, no model configured
    scope: tuple[str, ...] = ()  # transcript ids; () = all
    filters: dict[str, str] = field(default_factory=dict)  # as shown: role=cfo company=Aflac
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)  # company/period matches
    json: bool = False

    def where(self) -> dict[str, Any] | None:
        return where_clause({k: self.values.get(k, v) for k, v in self.filters.items()})
    last: Answer | None = None

    @property
    def mode(self) -> str:
        return getattr(self.settings, "mode", "quotes")


class Live:
    """Streams a model's answer as it arrives, from the worker thread; silent once cancelled."""

    def __init__(self, console: Console, err: Console, stream: bool, quiet: bool) -> None:
        self.console, self.err = console, err
        self.stream, self.quiet = stream, quiet
        self.cancelled = self.wrote = self.streamed = False
        self.shown: list[str] = []
        self._lock = threading.Lock()

    def text(self, chunk: str) -> None:
        with self._lock:
            if self.cancelled or not self.stream or not chunk:
                return
            self.console.out(chunk, end="", style="bold", highlight=False)
            self.wrote = self.streamed = True

    def notice(self, message: str) -> None:
        with self._lock:
            if self.cancelled or self.quiet:
                return
            self._newline()
            self.shown.append(message)
            self.err.print(screen.notice_text(message))

    def finish(self) -> None:
        with self._lock:
            self._newline()

    def cancel(self) -> None:
        with self._lock:
            self.cancelled = True
            self._newline()

    def _newline(self) -> None:
        if self.wrote:
            self.console.print()
            self.wrote = False


class Repl:
    def __init__(self, ask: AskFn, catalog: Catalog, lines: LineSource, console: Console,
                 settings: Any = None, err: Console | None = None,
                 interactive: bool = False) -> None:
        self.ask, self.catalog, self.lines = ask, catalog, lines
        self.console, self.err = console, err or console
        self.state = State(settings)
        self.interactive = interactive
        self._handlers: dict[type, Callable[[Any], bool | None]] = {
            Question: self.do_question, Help: self.do_help, Sources: self.do_sources,
            Use: self.do_use, Filter: self.do_filter, Transcripts: self.do_transcripts,
            Mode: self.do_mode, Json: self.do_json, History: self.do_history,
            Quit: lambda _: True, Invalid: lambda c: self.error(c.message)}

    def run(self) -> None:
        """Read, execute, repeat, until :quit or the end of input (Ctrl-D)."""
        while True:
            try:
                line = self.lines.read(self.prompt())
            except KeyboardInterrupt:  # Ctrl-C at the prompt: the line is dropped
                continue
            if line is None:
                break
            command = parse(line)
            if command is not None and self.execute(command):
                break

    def execute(self, command: Command) -> bool:
        """Run one command; True means leave."""
        try:
            return bool(self._handlers[type(command)](command))
        except KeyboardInterrupt:
            self.console.print(Text("(cancelled)"))
        except QAError as e:
            self.error(f"error: {e}")
        except Exception as e:  # a bug must not end the session; say what it was
            self.error(f"unexpected error: {type(e).__name__}: {e}")
        return False

    def prompt(self) -> str:
        s = self.state
        bits = (["llm"] if s.mode == "llm" else []) + (["json"] if s.json else [])
        if s.scope:
            bits.append(", ".join(s.scope) if len(s.scope) <= 2 else f"{len(s.scope)} calls")
        bits += [f"{k}={v}" for k, v in s.filters.items()]
        return f"qa ({SEP.join(bits)})> " if bits else "qa> "

    def show(self, renderable: Any) -> None:
        self.console.print(screen.tidy(self.console, renderable))

    def say(self, message: str) -> None:
        self.console.print(screen.info_text(message))

    def error(self, message: str) -> None:
        self.err.print(screen.error_text(message))

    # -- questions ------------------------------------------------------------------------------
    def do_question(self, q: Question) -> None:
        if not self.ensure_index():
            return
        s = self.state
        live = Live(self.console, self.err, stream=s.mode == "llm" and not s.json, quiet=s.json)
        answer = self.in_worker(lambda: self.ask(
            q.text, transcripts=list(s.scope) or None, where=s.where(),
            settings=s.settings, on_text=live.text, on_notice=live.notice), live)
        if answer is None:
            return
        s.last = answer
        if s.json:
            self.console.out(screen.json_text(answer), highlight=False)
            return
        streamed = live.streamed and answer.mode == "llm"
        if live.streamed:
            self.console.print()
        self.show(screen.answer_view(self.console, answer, streamed, live.shown))
        self.console.print()

    def in_worker(self, work: Callable[[], Answer], live: Live) -> Answer | None:
        """Run `work` in a thread, waiting here so that Ctrl-C lands in this (main) thread;
        on Ctrl-C say "(cancelled)", silence the worker and drop its late result."""
        done = threading.Event()
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["answer"] = work()
            except BaseException as e:  # handed to the main thread below
                box["error"] = e
            finally:
                done.set()

        try:
            threading.Thread(target=target, name="qa-answer", daemon=True).start()
            while not done.wait(0.05):
                pass
        except KeyboardInterrupt:
            live.cancel()
            self.console.print(Text("(cancelled)"))
            return None
        live.finish()
        if "error" in box:
            raise box["error"]
        return box["answer"]

    # -- the first run ----------------------------------------------------------------------------
    def ensure_index(self) -> bool:
        if self.catalog.ids():
            return True
        self.offer_index()
        return bool(self.catalog.ids())

    def offer_index(self) -> None:
        """An empty index: offer the built-in sample or a path (a pipe gets the sample). An
        index whose calls were removed never gets the sample unasked: it offers a path."""
        from index.paths import sample_path

        sample = sample_path()
        if self.catalog.held_user_calls():
            self.offer_path(sample)
            return
        if not self.interactive:
            self.err.print(screen.info_text(
                f"The index at {self.catalog.path} is empty: indexing the built-in sample call "
                f"({sample.name}). Add your own with `qa index PATH`."))
            self.index([sample])
            return
        self.say(f"The index at {self.catalog.path} is empty. Index the built-in sample call "
                 f"({sample.name}) now? Enter = yes, n = no, or type the path of your "
                 "transcripts (a file or a folder).")
        paths = self._offer_reply(sample)
        if paths:
            self.index(paths)

    def offer_path(self, sample: Path) -> None:
        """The index held the user's calls and they were removed: say so; on a terminal, offer
        to index a path (or, typed out, the sample)."""
        from qa.cli import emptied_message

        self.error(emptied_message(self.catalog.path))
        if not self.interactive:
            return
        self.say("Type the path of your transcripts (a file or a folder) to index them, "
                 "`sample` for the built-in sample call, or Enter to index nothing.")
        while True:
            try:
                reply = self.lines.read_reply("index [path/sample/N]> ")
            except KeyboardInterrupt:
                reply = None
            answer = (reply or "").strip()
            if answer.lower() in ("", "n", "no"):
                self.say("Nothing indexed. Add transcripts with `qa index PATH`, then ask here.")
                return
            path = Path(answer).expanduser()
            if path.exists():
                self.index([path])
                return
            if answer.lower() == "sample":
                self.index([sample])
                return
            self.error(f"no such file or folder: {path}; type a path, `sample`, or Enter for "
                       "nothing")

    def _offer_reply(self, sample: Path) -> list[Path]:
        while True:
            try:
                reply = self.lines.read_reply("index [Y/n/path]> ")
            except KeyboardInterrupt:
                reply = "n"
            answer = "n" if reply is None else reply.strip()
            if answer.lower() in ("", "y", "yes"):
                return [sample]
            if answer.lower() in ("n", "no"):
                self.say("Nothing indexed. Add transcripts with `qa index PATH`, then ask here.")
                return []
            path = Path(answer).expanduser()
            if path.exists():
                return [path]
            self.error(f"no such file or folder: {path}; type a path, Enter for the sample, "
                       "or n")

    def index(self, paths: Sequence[Path]) -> None:
        try:
            done, failed = self.catalog.index(paths)
        except KeyboardInterrupt:
            self.error("(indexing cancelled; run it again to finish)")
            return
        for line in done:
            self.console.print(Text(line))
        for line in failed:
            self.error(line)

    # -- commands ---------------------------------------------------------------------------------
    def do_help(self, _: Help) -> None:
        self.show(screen.help_view())

    def do_sources(self, cmd: Sources) -> None:
        last = self.state.last
        cites = screen.shown_citations(last) if last else ()
        if not cites:
            self.error("no citations yet: ask a question first" if last is None
                       else "the last answer has no citations")
            return
        numbered = list(enumerate(cites, 1))
        if cmd.n is not None:
            if cmd.n > len(cites):
                self.error(f"no citation {cmd.n}: the last answer has {len(cites)}")
                return
            numbered = [numbered[cmd.n - 1]]
        for group in screen.group_by_turn(numbered):
            t = self.catalog.transcript(group[0][1].transcript)
            self.show(screen.sources_view(self.console, group, t))
            self.console.print()

    def do_use(self, cmd: Use) -> None:
        if not cmd.ids:
            self.say("Asking " + (", ".join(self.state.scope) if self.state.scope
                                  else "every indexed call") + ".")
            return
        if [i.lower() for i in cmd.ids] == ["all"]:
            self.state.scope = ()
            self.say("Asking every indexed call.")
            return
        known = self.catalog.ids()
        chosen = [_pick_id(i, known) for i in cmd.ids]
        missing = [i for i, c in zip(cmd.ids, chosen, strict=True) if c is None]
        if missing:
            self.error(f"not indexed: {', '.join(missing)} (indexed: {', '.join(known) or 'none'})")
            return
        self.state.scope = tuple(dict.fromkeys(c for c in chosen if c))
        self.say(f"Asking {', '.join(self.state.scope)}.")

    def do_filter(self, cmd: Filter) -> None:
        if cmd.clear:
            self.state.filters, self.state.values = {}, {}
        elif cmd.pairs:
            try:
                self.state.filters, self.state.values = self._merged(cmd.pairs)
            except FilterError as e:
                self.error(str(e))
                return
        f = self.state.filters
        self.say("Filters: " + SEP.join(f"{k}={v}" for k, v in f.items()) if f
                 else "No filters: every passage can answer.")

    def _merged(self, pairs: Sequence[tuple[str, str]]) -> tuple[
            dict[str, str], dict[str, tuple[str, ...]]]:
        filters, values = dict(self.state.filters), dict(self.state.values)
        keys = {k for k, _ in pairs}
        speakers = self.catalog.speakers() if "speaker" in keys else []
        rows = self.catalog.summaries() if keys & {"company", "period"} else []
        for key, value in pairs:
            values.pop(key, None)
            if not value:
                filters.pop(key, None)  # `role=` removes that one filter
                continue
            filters[key] = filter_value(key, value, speakers, rows)
            if key in ("company", "period"):
                values[key] = filter_values(key, value, rows)
        return filters, values

    def do_transcripts(self, _: Transcripts) -> None:
        rows = self.catalog.summaries()
        if not rows and self.catalog.held_user_calls():
            from qa.cli import emptied_message

            message = emptied_message(self.catalog.path)
            self.say(message[0].upper() + message[1:] + ".")
            return
        if not rows:
            self.say(f"The index at {self.catalog.path} is empty: ask a question to index the "
                     "built-in sample, or run `qa index PATH`.")
            return
        self.show(screen.transcripts_view(rows, self.state.scope))

    def do_mode(self, cmd: Mode) -> None:
        settings = self.state.settings
        if cmd.mode == "llm" and not getattr(settings, "model", None):
            self.error("no model configured: set QA_MODEL=NAME (and OPENAI_BASE_URL for a local "
                       "server), or start with `qa repl --model NAME`")
            return
        if cmd.mode is not None and settings is not None:
            self.state.settings = replace(settings, mode=cmd.mode)
        model = getattr(self.state.settings, "model", None)
        self.say(f"Mode: {self.state.mode}" + (f" (model {model})" if self.state.mode == "llm"
                                                else " (offline answers quoted from the call)"))

    def do_json(self, _: Json) -> None:
        self.state.json = not self.state.json
        self.say(f"JSON output {'on' if self.state.json else 'off'}.")

    def do_history(self, _: History) -> None:
        self.show(screen.history_view(self.lines.history()))


def _pick_id(wanted: str, known: Sequence[str]) -> str | None:
    """An indexed id: exactly, else the only one starting with `wanted`."""
    if wanted in known:
        return wanted
    starts = [k for k in known if k.startswith(wanted)]
    return starts[0] if len(starts) == 1 else None


# -- the real index, opened lazily ------------------------------------------------------------


class IndexCatalog:
    """The Chroma index behind the REPL. Opening it loads chromadb, so it happens on first use
    or in the background once the prompt is up (`warm`); safe to use from several threads."""

    def __init__(self, index_path: str | None = None) -> None:
        from index.paths import index_dir

        self.index_path = index_path
        self.path = index_dir(index_path)
        self._lock = threading.RLock()
        self._asker: Any = None
        self._summaries: list[dict[str, Any]] | None = None

    def probably_empty(self) -> bool:
        """Without opening Chroma: no database file means nothing was ever indexed here."""
        return not (self.path / "chroma.sqlite3").is_file()

    def asker(self) -> Any:
        with self._lock:
            if self._asker is None:
                from index.store import Store
                from qa.pipeline import Asker

                self._asker = Asker(Store(self.index_path))
            return self._asker

    def ask(self, question: str, **kwargs: Any) -> Answer:
        return self.asker().ask(question, **kwargs)

    def summaries(self) -> list[dict[str, Any]]:
        with self._lock:
            if self._summaries is None:
                self._summaries = self.asker().store.summaries()
            return self._summaries

    def ids(self) -> list[str]:
        return [r["id"] for r in self.summaries()]

    def speakers(self) -> list[str]:
        return sorted({s for r in self.summaries() for s in r.get("speakers", [])})

    def known_ids(self) -> list[str]:
        """For Tab completion: never waits for the index to open."""
        return [r["id"] for r in self._summaries or []]

    def known_speakers(self) -> list[str]:
        return sorted({s for r in self._summaries or [] for s in r.get("speakers", [])})

    def known_values(self, key: str) -> list[str]:
        """For Tab completion of company=/period=: the indexed companies, tickers, periods."""
        keys = ("company", "ticker") if key == "company" else (key,)
        return sorted({str(r[k]) for r in self._summaries or [] for k in keys if r.get(k)})

    def transcript(self, tid: str) -> Transcript:
        return self.asker().transcript(tid)

    def held_user_calls(self) -> bool:
        if self.probably_empty():  # no database yet: nothing was ever indexed (no Chroma load)
            return False
        return bool(self.asker().store.held_user_calls())

    def index(self, paths: Sequence[Path]) -> tuple[list[str], list[str]]:
        from index.indexer import index_paths
        from qa import render
        from qa.cli import _walk, _writing  # the file walk and the write lock of `qa index`

        store = self.asker().store
        files = list(_walk(tuple(str(p) for p in paths)))
        with _writing(store):
            results, failures = index_paths(store, files, render.progress_printer())
        with self._lock:
            self._summaries = None
            self._asker = None  # forget transcripts cached before re-indexing
        return ([render.index_line(r) for r in results],
                [f"skipped {f.path}: {f.why}" for f in failures])

    def warm(self) -> None:
        """Open the index and load the retrieval code, so the first question is quick. Errors
        are left for the first real use to report."""
        try:
            self.summaries()
            self.asker().store.chunks  # noqa: B018 - opens the collection and its embedder
        except Exception:  # noqa: S110 - reported when the index is used for real
            pass

    def warm_in_background(self) -> None:
        threading.Thread(target=self.warm, name="qa-warm", daemon=True).start()


# -- prompt_toolkit -----------------------------------------------------------------------------


def private_file(path: Path) -> None:
    """Create `path` (and its folder) readable by its owner only, and make an existing one so: the
    REPL's history holds the user's questions."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)


class PromptLines:
    """A prompt_toolkit session: history in a file, suggestions from it, Tab completion,
    multi-line input (Alt-Enter, or a trailing backslash, adds a line; Enter sends)."""

    def __init__(self, history_path: Path, ids: Callable[[], list[str]],
                 speakers: Callable[[], list[str]],
                 on_first_prompt: Callable[[], None] | None = None,
                 values: Callable[[str], list[str]] | None = None) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
        from prompt_toolkit.history import FileHistory

        private_file(history_path)
        self._first = on_first_prompt
        self.session: Any = PromptSession(
            history=FileHistory(str(history_path)), auto_suggest=AutoSuggestFromHistory(),
            completer=_pt_completer(ids, speakers, values), complete_while_typing=False,
            multiline=True, key_bindings=_key_bindings(), prompt_continuation=_continuation)

    def read(self, prompt: str) -> str | None:
        first, self._first = self._first, None
        try:
            return str(self.session.prompt(prompt, pre_run=first))
        except EOFError:
            return None

    def read_reply(self, prompt: str) -> str | None:
        from prompt_toolkit import PromptSession

        try:
            return str(PromptSession().prompt(prompt))
        except EOFError:
            return None

    def history(self) -> list[str]:
        return list(self.session.history.get_strings())


def _continuation(width: int, line_number: int, is_soft_wrap: int) -> str:
    return "." * max(0, width - 1) + " "


def _key_bindings() -> Any:
    from prompt_toolkit.filters import completion_is_selected
    from prompt_toolkit.key_binding import KeyBindings

    kb = KeyBindings()

    @kb.add("enter", filter=~completion_is_selected)
    def _send(event: Any) -> None:
        buf = event.current_buffer
        if buf.document.text_before_cursor.endswith("\\"):
            buf.delete_before_cursor(1)
            buf.insert_text("\n")
        else:
            buf.validate_and_handle()

    @kb.add("escape", "enter")
    def _newline(event: Any) -> None:
        event.current_buffer.insert_text("\n")

    return kb


def _pt_completer(ids: Callable[[], list[str]], speakers: Callable[[], list[str]],
                  values: Callable[[str], list[str]] | None = None) -> Any:
    from prompt_toolkit.completion import Completer, Completion

    def known(key: str) -> list[str]:
        return values(key) if values else []

    class ReplCompleter(Completer):
        def get_completions(self, document: Any, complete_event: Any) -> Any:
            for text, start in completions(document.text_before_cursor, ids(), speakers(),
                                           known("company"), known("period")):
                yield Completion(text, start_position=start)

    return ReplCompleter()


# -- wiring -------------------------------------------------------------------------------------

BANNER = ("earnings-qa: ask about the indexed earnings calls; answers quote the call verbatim. "
          ":help for commands, Ctrl-D or :quit to leave.")


def start(settings: Any, index_path: str | None = None) -> None:
    """`qa` / `qa repl`: a prompt_toolkit session on a terminal, plain lines from a pipe."""
    from index.paths import data_dir

    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    console, err = screen.make_console(), screen.make_console(stderr=True)
    catalog = IndexCatalog(index_path)
    lines: LineSource = StreamLines(sys.stdin)
    if interactive:
        lines = PromptLines(data_dir() / "history", catalog.known_ids, catalog.known_speakers,
                            on_first_prompt=catalog.warm_in_background,
                            values=catalog.known_values)
        console.print(screen.info_text(BANNER))
    repl = Repl(catalog.ask, catalog, lines, console, settings, err=err, interactive=interactive)
    if catalog.probably_empty():
        repl.offer_index()
    repl.run()
