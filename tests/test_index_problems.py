"""An index directory is recognised as ours before anything is written into it; an index that
cannot be used is one line saying what to do, and exit 4 (never a traceback, never silently
treated as empty)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from qa.cli import run


def qa(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = run(list(args))
    return code, capsys.readouterr().err


def test_an_index_path_that_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "notes.txt"
    f.write_text("not an index\n", encoding="utf-8")
    code, err = qa("transcripts", "--index", str(f), capsys=capsys)
    assert code == 4
    assert err == f"qa: error: --index {f} is a file, not an index directory: give a new directory " \
                  "or one made by `qa index`\n"


def test_another_applications_database_gets_nothing_added(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "app"
    other.mkdir()
    con = sqlite3.connect(other / "chroma.sqlite3")
    con.execute("CREATE TABLE notes (x)")
    con.commit()
    con.close()
    code, err = qa("transcripts", "--index", str(other), capsys=capsys)
    assert code == 4 and "belongs to another application" in err and err.count("\n") == 1
    tables = {r[0] for r in sqlite3.connect(other / "chroma.sqlite3").execute(
        "SELECT name FROM sqlite_master")}
    assert tables == {"notes"}  # nothing of ours was written into it


def test_a_folder_of_other_files_is_not_made_an_index(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "letter.txt").write_text("Dear Sir,\n", encoding="utf-8")
    code, err = qa("transcripts", "--index", str(folder), capsys=capsys)
    assert code == 4 and "holds other files and no index" in err
    assert sorted(p.name for p in folder.iterdir()) == ["letter.txt"]


@pytest.mark.parametrize("damage", ["emptied", "random bytes", "header"])
def test_a_damaged_database_is_one_line_and_exit_4(sample_index: Path, tmp_path: Path, damage: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    index = tmp_path / "index"
    shutil.copytree(sample_index, index)
    db = index / "chroma.sqlite3"
    if damage == "emptied":
        db.write_bytes(b"")
    elif damage == "random bytes":
        db.write_bytes(bytes(range(256)) * 400)
    else:
        data = bytearray(db.read_bytes())
        data[20:80] = b"\xff" * 60
        db.write_bytes(bytes(data))
    for args in (["transcripts"], ["ask", "What is the CDN floor?"], ["index", "--sample"]):
        code, err = qa(*args, "--index", str(index), capsys=capsys)
        assert code == 4, (args, err)
        assert err.startswith(f"qa: error: the index at {index} cannot be") and err.count("\n") == 1
        assert "Traceback" not in err
    if damage == "emptied":
        assert db.stat().st_size == 0  # the sample was not indexed into it
