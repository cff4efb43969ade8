"""No silent fallback: the built-in sample is indexed unasked only into an empty index that never
held the user's calls (issue 9). Real index, real `qa` commands; the sample is embedded only where
a test is about embedding it (twice in this file, about 10 s each)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.store import HELD_USER_CALLS, TRANSCRIPTS, Store
from qa import repl, screen
from qa.cli import cli, run

from .conftest import SAMPLE

TINY = """Harbor Bank (HBK) Q1 2025 Earnings Call Transcript

Operator

Welcome to the Harbor Bank first quarter 2025 earnings call.

Dana Cole -- Chief Financial Officer

Thank you, operator. Net interest margin was 3.42% this quarter, up 6 basis points.

Sam Park -- Analyst

What drove the margin?

Dana Cole -- Chief Financial Officer

Deposit costs came down faster than loan yields.
"""
TID = "hbk-2025q1"
SAMPLE_ID = "kingsoft-cloud-2024q2"


def qa(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`qa ARGS` in process, through the same entry point as the console script."""
    capsys.readouterr()
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def emptied_line(idx: Path) -> str:
    return (f"qa: error: the index at {idx} is empty (its calls were removed); add calls with "
            "`qa index PATH`, or `qa index --sample` for the built-in sample")


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "calls" / "harbor-bank-2025q1.txt"
    path.parent.mkdir()
    path.write_text(TINY, encoding="utf-8")
    return path


@pytest.fixture
def emptied(tmp_path: Path, tiny: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """An index that held a user call, which `qa remove` removed."""
    idx = tmp_path / "idx"
    code, out, _ = qa(capsys, "index", str(tiny), "--index", str(idx))
    assert code == 0 and TID in out
    assert qa(capsys, "remove", TID, "--index", str(idx))[0] == 0
    store = Store(idx)
    assert store.transcript_ids() == [] and store.count() == 0
    return idx


def forget_flag(idx: Path) -> None:
    """Make the index look like one built before the flag existed."""
    Store(idx).client.get_collection(TRANSCRIPTS).modify(metadata={HELD_USER_CALLS: False})
    assert not (Store(idx).client.get_collection(TRANSCRIPTS).metadata or {}).get(HELD_USER_CALLS)


# -- qa ask -------------------------------------------------------------------------------------


def test_ask_on_an_emptied_index_fails_and_indexes_nothing(
        emptied: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = qa(capsys, "ask", "What was the net interest margin?", "--index",
                        str(emptied))
    assert code == 4  # IndexStateError: an index problem
    assert out == ""
    assert err.splitlines() == [emptied_line(emptied)]
    store = Store(emptied)
    assert store.transcript_ids() == [] and store.count() == 0
    assert store.held_user_calls()


def test_the_flag_is_set_by_indexing_and_outlives_reopening(
        tmp_path: Path, tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    idx = tmp_path / "idx"
    assert not Store(idx).held_user_calls()  # a new index
    qa(capsys, "index", str(tiny), "--index", str(idx))
    meta = Store(idx).client.get_collection(TRANSCRIPTS).metadata
    assert meta and meta[HELD_USER_CALLS] is True


def test_an_old_index_with_user_calls_counts_as_having_held_them(
        tmp_path: Path, tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    idx = tmp_path / "idx"
    qa(capsys, "index", str(tiny), "--index", str(idx))
    forget_flag(idx)
    assert Store(idx).held_user_calls()  # found holding a user call: flagged from now on
    forget_flag(idx)
    assert qa(capsys, "remove", TID, "--index", str(idx))[0] == 0  # removing one flags it too
    code, _, err = qa(capsys, "ask", "What was the margin?", "--index", str(idx))
    assert code == 4 and err.splitlines() == [emptied_line(idx)]
    assert Store(idx).transcript_ids() == []


def test_the_sample_alone_does_not_set_the_flag(
        tmp_path: Path, sample_index: Path, capsys: pytest.CaptureFixture[str]) -> None:
    idx = tmp_path / "copy"
    shutil.copytree(sample_index, idx)
    store = Store(idx)
    assert store.transcript_ids() == [SAMPLE_ID] and not store.held_user_calls()
    code, out, _ = qa(capsys, "index", "--sample", "--index", str(idx))  # already there
    assert code == 0 and "unchanged" in out
    copy = tmp_path / "my-copy.txt"  # the sample's bytes elsewhere are still the sample
    shutil.copyfile(SAMPLE, copy)
    qa(capsys, "index", str(copy), "--index", str(idx))
    assert not Store(idx).held_user_calls()


def test_a_fresh_index_still_gets_the_sample_and_says_so(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    idx = tmp_path / "fresh"
    code, out, err = qa(capsys, "ask", "What is the CDN floor?", "--index", str(idx))
    assert code == 0 and "300 million" in out
    assert (f"The index at {idx} is empty: indexing the built-in sample call "
            "(kingsoft-cloud-2024q2.txt) first.") in err
    store = Store(idx)
    assert store.transcript_ids() == [SAMPLE_ID] and not store.held_user_calls()


def test_index_sample_adds_it_on_purpose(emptied: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = qa(capsys, "index", "--sample", "--index", str(emptied), "--json")
    assert code == 0, err
    assert '"transcript": "kingsoft-cloud-2024q2"' in out and '"status": "added"' in out
    code, out, err = qa(capsys, "ask", "What is the CDN floor?", "--index", str(emptied))
    assert code == 0 and "300 million" in out and "built-in sample" not in err
    assert Store(emptied).held_user_calls()  # still: removing the sample won't bring it back


def test_index_without_paths_or_sample_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = qa(capsys, "index", "--index", str(tmp_path / "idx"))
    assert code == 2 and "--sample" in err
    assert not (tmp_path / "idx").exists()


# -- the REPL -----------------------------------------------------------------------------------


def test_repl_from_a_pipe_refuses_the_sample_on_an_emptied_index(emptied: Path) -> None:
    result = CliRunner().invoke(cli, ["repl", "--index", str(emptied)],
                                input="What was the net interest margin?\n")
    assert result.exit_code == 0
    assert emptied_line(emptied).removeprefix("qa: error: ") in " ".join(result.stderr.split())
    assert "indexing the built-in sample" not in result.output
    assert Store(emptied).transcript_ids() == []


def interactive(idx: Path, script: str) -> str:
    out = io.StringIO()
    console = screen.make_console(file=out, width=200)
    catalog = repl.IndexCatalog(str(idx))
    repl.Repl(catalog.ask, catalog, repl.StreamLines(io.StringIO(script)), console,
              interactive=True).run()
    return out.getvalue()


def test_repl_on_a_terminal_offers_a_path_not_the_sample(emptied: Path, tiny: Path) -> None:
    out = interactive(emptied, "What was the net interest margin?\n\n:transcripts\n")
    flat = " ".join(out.split())
    assert emptied_line(emptied).removeprefix("qa: error: ") in flat
    assert "Nothing indexed." in flat and "Index the built-in sample call" not in flat
    assert "(its calls were removed)" in flat.split("Nothing indexed.", 1)[1]  # :transcripts
    assert Store(emptied).transcript_ids() == []
    out = interactive(emptied, f"What was the net interest margin?\n{tiny.parent / 'nope'}\n"
                               f"{tiny}\n")
    assert "no such file or folder" in out and "3.42%" in out
    assert Store(emptied).transcript_ids() == [TID]
