"""Text from a transcript, a model, a file name or an error reaches the terminal escaped, never
executed (escape sequences, bidi overrides, zero-width characters, newlines in one-line
messages); `--json` keeps the exact text."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.text import Text

from qa.cli import cli, run
from qa.safe import visible
from qa.screen import SafeConsole, make_console

ESC = "\x1b"
TITLE = f"{ESC}]0;pwned\x07"  # OSC 0: sets the window title
CLEAR = f"{ESC}[2J"  # clears the screen
CONCEAL = f"{ESC}[8m"  # SGR 8: hides the text that follows
LINK = f"{ESC}]8;;https://evil.example{ESC}\\verified{ESC}]8;;{ESC}\\"  # OSC 8: text and target differ
RLO = "\u202e"  # right-to-left override
ZWSP = "\u200b"  # zero-width space
ACTING = (ESC, "\x07", "\x08", "\r", RLO, ZWSP, "\u2066", "\ufeff", "\x9b")


def test_visible_escapes_what_a_terminal_would_act_on() -> None:
    text = f"a{TITLE}b{CLEAR}c{RLO}d{ZWSP}e\x08f\rg\x9bh\nline two\tend"
    shown = visible(text)
    assert not any(ch in shown for ch in ACTING)
    assert shown == ("a\\x1b]0;pwned\\x07b\\x1b[2Jc\\u202ed\\u200be\\x08f\\x0dg\\u009bh"
                     "\nline two\tend")
    # a one-line message (an error, a file name) cannot start a line of its own
    assert visible("bad.txt\nqa: all files indexed", one_line=True) == "bad.txt\\x0aqa: all files indexed"
    assert visible("plain text, 5% up: $1.2 billion — fine") == "plain text, 5% up: $1.2 billion — fine"


def test_the_repl_console_keeps_its_own_styles_and_escapes_the_text() -> None:
    out = io.StringIO()
    console = SafeConsole(file=out, force_terminal=True, color_system="standard", width=100)
    console.print(Text(f"Revenue was $5 million{CONCEAL} [1] verified", style="bold"))
    printed = out.getvalue()
    assert printed.startswith(f"{ESC}[1m")  # rich's own bold is still there
    assert "\\x1b[8m" in printed and CONCEAL not in printed
    assert isinstance(make_console(), SafeConsole)  # what the REPL prints with


HOSTILE = (
    "Operator: Welcome to the Contoso first quarter 2024 earnings call. " + "Thank you for joining. " * 20
    + f"\n\nJane Doe -- Chief Executive Officer: Revenue was $5 million{TITLE} this quarter, up 10%.{CLEAR} "
    f"Our gross margin was 40%{RLO} and the rest of this{CONCEAL} sentence is hidden {LINK}. "
    + "We continue to invest in our teams and our products across every region. " * 10
    + f"\n\nJohn Roe -- Chief Financial Officer: Free cash flow was $2{ZWSP} million this quarter. "
    + "We ended the quarter with a strong balance sheet and no debt. " * 10 + "\n"
)


@pytest.fixture()
def hostile_index(tmp_path: Path) -> Path:
    path = tmp_path / "contoso-2024q1.txt"
    path.write_text(HOSTILE, encoding="utf-8")
    index = tmp_path / "index"
    result = CliRunner().invoke(cli, ["index", str(path), "--index", str(index)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return index


def test_an_answer_quoting_escape_codes_shows_them_escaped(hostile_index: Path) -> None:
    result = CliRunner().invoke(cli, ["ask", "What was revenue this quarter?", "--index", str(hostile_index)],
                                catch_exceptions=False)
    assert result.exit_code == 0
    assert "Revenue was $5 million" in result.stdout
    assert "\\x1b]0;pwned\\x07" in result.stdout  # shown, not executed
    assert not any(ch in result.stdout + result.stderr for ch in ACTING)


def test_json_keeps_the_exact_text(hostile_index: Path) -> None:
    result = CliRunner().invoke(cli, ["ask", "What was revenue this quarter?", "--index", str(hostile_index),
                                      "--json"], catch_exceptions=False)
    data = json.loads(result.stdout)
    quotes = " ".join(c["quote"] for c in data["citations"])
    assert TITLE in quotes  # the exact characters of the file, for a program to handle


def test_the_turn_table_shows_the_text_escaped(tmp_path: Path) -> None:
    text = HOSTILE.replace("Jane Doe -- Chief", f"Jane{RLO}Doe -- Chief")
    path = tmp_path / "contoso-2024q1.txt"
    path.write_text(text, encoding="utf-8")
    index = tmp_path / "index"
    runner = CliRunner()
    assert runner.invoke(cli, ["index", str(path), "--index", str(index), "--force"]).exit_code == 0
    shown = runner.invoke(cli, ["transcripts", "--turns", "contoso-2024q1", "--index", str(index)]).stdout
    assert "Jane\\u202eDoe" in shown
    assert not any(ch in shown for ch in ACTING)


def test_a_file_name_cannot_fake_a_line_or_act_on_the_terminal(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / f"empty\nqa: indexed 1 file{CLEAR}.txt"
    bad.write_text("", encoding="utf-8")
    code = run(["index", str(bad), "--index", str(tmp_path / "index")])
    err = capsys.readouterr().err
    assert code != 0
    assert err.count("\n") == 1 and err.startswith("qa: skipped ")  # one line, naming the file
    assert "empty\\x0aqa: indexed 1 file\\x1b[2J.txt" in err
    assert not any(ch in err for ch in ACTING)


def test_the_repl_history_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    from qa.repl import private_file

    fresh = tmp_path / "data" / "history"
    private_file(fresh)
    assert fresh.exists() and fresh.stat().st_mode & 0o777 == 0o600
    old = tmp_path / "old-history"
    old.write_text("what is the CDN floor?\n", encoding="utf-8")
    old.chmod(0o644)  # as earlier versions left it
    private_file(old)
    assert old.stat().st_mode & 0o777 == 0o600
    assert old.read_text(encoding="utf-8") == "what is the CDN floor?\n"  # nothing lost
