"""`qa` end to end in a real pseudo-terminal, as a person would use it.

The real `qa` console script runs in a pty (pexpect); what it writes goes through a VT100
emulator (pyte), which also answers prompt_toolkit's cursor-position requests the way a
terminal does. Assertions are on the emulated screen (plus the lines scrolled off its top).
Language-model answers come from tests/fake_openai.py on 127.0.0.1.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect
import pyte
import pytest

from tests.fake_openai import FakeOpenAI, Slow, Text, fake_openai  # noqa: F401 - fixture

# Python 3.12+ warns when forking a process that runs threads (the fake model server does);
# the child execs `qa` at once, so nothing of the parent's threads is used.
pytestmark = pytest.mark.filterwarnings("ignore:This process .* is multi-threaded")

QA = str(Path(sys.executable).parent / "qa")
CDN = ("So my quick answer is that for the first type of standard CDN business, the minimum "
       "amount that we aim to maintain on a quarterly basis is 300 million RMB.")


class Terminal:
    """A program in a pty, seen through a terminal emulator."""

    def __init__(self, argv: list[str], env: dict[str, str], rows: int = 50,
                 cols: int = 120) -> None:
        self.cols = cols
        self.screen = pyte.HistoryScreen(cols, rows, history=10000, ratio=0.001)
        self.stream = pyte.ByteStream(self.screen)
        self.child = pexpect.spawn(argv[0], argv[1:], env=env, dimensions=(rows, cols))
        self.screen.write_process_input = lambda data: self.child.send(data.encode())

    def pump(self, seconds: float = 0.05) -> None:
        """Feed what the program wrote during `seconds` to the emulator."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            try:
                self.stream.feed(self.child.read_nonblocking(65536, timeout=left))
            except (pexpect.TIMEOUT, pexpect.EOF):
                return

    def lines(self) -> list[str]:
        def row(line: dict[int, pyte.screens.Char]) -> str:
            return "".join(line[x].data for x in range(self.cols)).rstrip()

        return [row(line) for line in self.screen.history.top] + [
            row(self.screen.buffer[y]) for y in range(self.screen.lines)]

    def text(self) -> str:
        return "\n".join(self.lines()).rstrip()

    def chars(self) -> list[pyte.screens.Char]:
        rows = [*self.screen.history.top, *(self.screen.buffer[y]
                                            for y in range(self.screen.lines))]
        return [line[x] for line in rows for x in range(self.cols)]

    def cursor_line(self) -> str:
        c = self.screen.cursor
        return "".join(self.screen.buffer[c.y][x].data for x in range(c.x))

    def wait(self, ready: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.pump(0.05)
            if ready():
                return
        raise AssertionError(f"timed out waiting for {what}; the screen:\n{self.text()}")

    def wait_prompt(self, prompt: str = "qa> ", timeout: float = 20.0) -> None:
        self.wait(lambda: self.cursor_line() == prompt, f"the prompt {prompt!r}", timeout)

    def row(self) -> int:
        """The cursor's row counted from the first line scrolled off the top."""
        return len(self.screen.history.top) + self.screen.cursor.y

    def enter(self, line: str, prompt: str = "qa> ", timeout: float = 20.0) -> str:
        """Type a line and Enter; wait for the next `prompt`; return what the line printed."""
        start = self.row()
        self.child.send(line + "\r")
        self.wait(lambda: self.row() > start and self.cursor_line() == prompt,
                  f"the prompt {prompt!r} after {line!r}", timeout)
        return "\n".join(self.lines()[start : self.row()])

    def exit_status(self, timeout: float = 10.0) -> int | None:
        self.wait(lambda: not self.child.isalive(), "the program to exit", timeout)
        self.child.close()
        return self.child.exitstatus  # type: ignore[no-any-return]


@pytest.fixture
def spawn(isolated_env: Path) -> Iterator[Callable[..., Terminal]]:
    terminals: list[Terminal] = []

    def start(rows: int = 50, cols: int = 120, **env: str) -> Terminal:
        full = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS", "LINES")}
        full.update(TERM="xterm-256color", **env)
        t = Terminal([QA], full, rows, cols)
        terminals.append(t)
        return t

    yield start
    for t in terminals:
        t.child.close(force=True)


def attributions(output: str) -> list[str]:
    return [line.strip() for line in output.splitlines() if line.lstrip().startswith("\u2014 ")]


def test_a_session_in_a_terminal(spawn: Callable[..., Terminal], sample_index: Path,
                                 fake_openai: FakeOpenAI) -> None:  # noqa: F811
    fake_openai.script(
        Slow(30),  # the answer that Ctrl-C cancels
        Text.json({"answer": "The CDN floor is 300 million RMB per quarter.", "answerable": True,
                   "quotes": [{"excerpt": "E1", "text": CDN}]}, chunk_delay_s=0.1))
    t = spawn(QA_INDEX=str(sample_index), QA_MODEL="fake-model", QA_MODE="quotes",
              OPENAI_BASE_URL=fake_openai.base_url)
    t.wait_prompt()
    assert ":help for commands" in t.text()

    out = t.enter("What is the CDN floor?")
    assert "300 million" in out
    assert "\u2014 Bao, Head of the CDN business \u00b7 Executive \u00b7 Q&A" in out

    out = t.enter("What were total revenues this quarter?")
    assert "1,891.8 million" in out and "[1] \u201cTotal revenues for this quarter" in out

    out = t.enter(":sources 1")
    assert "turn 15 \u00b7 Henry Hou \u00b7 CFO \u00b7 Prepared remarks" in out
    assert "turn 14 \u00b7 Zhou Tao" in out and "turn 16 \u00b7" in out
    assert "Thank you, Mr. Zhou, and welcome everyone for joining the call." in out
    highlighted = "".join(c.data for c in t.chars() if c.reverse).replace(" ", "")
    assert "Totalrevenuesforthisquarterwere1,891.8millionRMB" in highlighted  # the cited span

    assert "Filters: role=cfo" in t.enter(":filter role=cfo", prompt="qa (role=cfo)> ")
    out = t.enter("What was the adjusted EBITDA?", prompt="qa (role=cfo)> ")
    assert "60.6 million RMB" in out
    assert attributions(out) and all(a.startswith("\u2014 Henry Hou \u00b7 CFO \u00b7")
                                     for a in attributions(out))
    t.enter(":filter clear")

    t.enter(":mode llm", prompt="qa (llm)> ")
    t.child.send("What is the CDN floor?\r")
    t.wait(lambda: len(fake_openai.chat_requests) == 1, "the model request")
    t.child.sendcontrol("c")
    t.wait_prompt("qa (llm)> ")
    assert t.lines()[-2].endswith("(cancelled)")

    t.child.send("What is the CDN floor?\r")  # streamed: the answer shows before its quotes
    t.wait(lambda: "The CDN floor is" in t.text() and "per quarter" not in t.text(),
           "the start of the streamed answer")
    t.wait_prompt("qa (llm)> ")
    out = t.text().split("(cancelled)", 1)[1]
    assert "The CDN floor is 300 million RMB per quarter." in out
    assert "[1] \u201cSo my quick answer" in out and "verified" in out

    t.child.send(":quit\r")
    assert t.exit_status() == 0
    print(t.text())  # the whole session, for `pytest -s`


def test_keys_completion_suggestions_and_history(spawn: Callable[..., Terminal],
                                                  sample_index: Path, isolated_env: Path) -> None:
    history = isolated_env / "history"
    history.parent.mkdir(parents=True, exist_ok=True)
    history.write_text("\n# 2024-08-20 10:00:00.000000\n+What is the CDN floor?\n")
    t = spawn(QA_INDEX=str(sample_index))
    t.wait_prompt()
    t.child.send(":use king")

    def completed() -> bool:  # ids are known once the index has opened in the background
        t.child.send("\t")
        t.pump(0.2)
        return t.cursor_line() == "qa> :use kingsoft-cloud-2024q2"

    t.wait(completed, "Tab completion")
    assert "Asking kingsoft-cloud-2024q2." in t.enter("", prompt="qa (kingsoft-cloud-2024q2)> ")
    t.enter(":use all")

    t.child.send("What is the C")  # suggested from the history of an earlier session
    t.wait(lambda: t.screen.display[t.screen.cursor.y].rstrip() == "qa> What is the CDN floor?",
           "the suggestion from history")
    t.child.sendcontrol("c")  # Ctrl-C at the prompt drops the line
    t.wait_prompt()

    t.child.send("What is the\x1b\r")  # Alt-Enter: a second line
    t.wait(lambda: t.cursor_line().endswith(" "), "the continuation line")
    out = t.enter("CDN floor?")
    assert "300 million" in out

    out = t.enter(":history")
    assert "1  What is the CDN floor?" in out and ":use all" in out
    t.child.sendcontrol("d")
    assert t.exit_status() == 0
    saved = history.read_text()
    assert "+What is the\n+CDN floor?" in saved and "+:use all" in saved


def test_narrow_terminal_without_colour(spawn: Callable[..., Terminal],
                                        sample_index: Path) -> None:
    t = spawn(rows=40, cols=50, QA_INDEX=str(sample_index), NO_COLOR="1")
    t.wait_prompt()
    out = t.enter("What were total revenues this quarter?")
    assert "1,891.8" in out and "Henry Hou \u00b7 CFO" in out
    assert "\n    kingsoft-cloud-2024q2, turn 15," in out  # the attribution splits when narrow
    assert all(c.fg == "default" and c.bg == "default" for c in t.chars())
    assert any(c.bold for c in t.chars())  # NO_COLOR keeps bold
    t.child.sendcontrol("d")
    assert t.exit_status() == 0


LABELLED = """\
Acme Widgets (ACME) Q3 2024 Earnings Call Transcript

Prepared Remarks:

Operator: Good afternoon and welcome to the Acme Widgets third quarter 2024 earnings call. \
I would now like to turn the call over to Mary Major, our Chief Financial Officer.

Mary Major -- Chief Financial Officer

Thank you, operator. Gross margin expanded 150 basis points to 38.5% this quarter.
"""


def test_first_run_offers_to_index(spawn: Callable[..., Terminal], tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()
    (calls / "acme-2024q3.txt").write_text(LABELLED, encoding="utf-8")
    t = spawn(QA_INDEX=str(tmp_path / "index"))
    t.wait_prompt("index [Y/n/path]> ")
    assert "is empty. Index the built-in sample call (kingsoft-cloud-2024q2.txt) now?" in \
        " ".join(t.text().split())
    out = t.enter(str(tmp_path / "nope"), prompt="index [Y/n/path]> ")
    assert "no such file or folder" in out
    out = t.enter(str(calls))
    assert "indexed    acme-2024q3" in out
    out = t.enter("What was the gross margin?")
    assert "38.5%" in out and "Mary Major" in out
    t.child.sendcontrol("d")
    assert t.exit_status() == 0
