"""Transcript ids never collide silently: company and period, else the path; --id for one file;
re-indexing a path updates it in place; a second, different file never replaces another."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.indexer import index_paths
from index.store import Store
from qa.cli import cli

from .conftest import SHARED

ACME_Q1 = ("Operator: Welcome to the Acme first quarter 2024 earnings call.\n"
           "Jane Roe -- Chief Financial Officer\nRevenue was 12 million dollars.\n"
           "John Doe -- Analyst\nWhat about margins?\n")
ACME_Q1_OTHER_COPY = ACME_Q1.replace("12 million", "13 million")  # another transcript, same call
NO_PERIOD = ("Good morning, <UNK>.\nSo it is certainly tight out there, and we do have some "
             "flexibility.\nWe would restart it if demand was sustainable.\n")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def indexed(out: str) -> dict[str, dict[str, object]]:
    return {Path(str(r["path"])).parent.name + "/" + Path(str(r["path"])).name: r
            for r in json.loads(out)["indexed"]}


def test_id_from_company_and_period(tmp_path: Path) -> None:
    call = write(tmp_path / "calls" / "whatever.txt", ACME_Q1)
    code, out, _ = run("index", str(call), "--index", str(tmp_path / "idx"), "--json")
    assert code == 0
    assert json.loads(out)["indexed"][0]["transcript"] == "acme-2024q1"


def test_a_different_file_never_replaces_another_and_says_so(tmp_path: Path) -> None:
    idx = str(tmp_path / "idx")
    first = write(tmp_path / "a" / "acme.txt", ACME_Q1)
    second = write(tmp_path / "b" / "acme.txt", ACME_Q1_OTHER_COPY)
    run("index", str(first), "--index", idx)
    code, out, err = run("index", str(second), "--index", idx, "--json")
    assert code == 0
    row = json.loads(out)["indexed"][0]
    assert row["transcript"] == "acme" and row["status"] == "added"
    assert f"qa: {second}: the id acme-2024q1 is taken by {first.resolve()}; indexed as acme" \
           in err
    assert Store(idx).transcript_ids() == ["acme", "acme-2024q1"]
    third = write(tmp_path / "c" / "acme.txt", ACME_Q1.replace("12 million", "14 million"))
    _, out, _ = run("index", str(third), "--index", idx, "--json")
    assert json.loads(out)["indexed"][0]["transcript"] == "c-acme"  # one more folder


def test_reindexing_the_same_path_updates_in_place(tmp_path: Path) -> None:
    idx = str(tmp_path / "idx")
    call = write(tmp_path / "calls" / "acme.txt", ACME_Q1)
    run("index", str(call), "--index", idx)
    call.write_text(ACME_Q1.replace("Acme first quarter 2024", "Acme second quarter 2024"),
                    encoding="utf-8")
    code, out, err = run("index", str(call), "--index", idx, "--json")
    row = json.loads(out)["indexed"][0]
    # the file now says Q2, but it is the same file: it keeps its id
    assert (code, row["transcript"], row["status"], err) == (0, "acme-2024q1", "updated", "")
    assert Store(idx).record("acme-2024q1")["period"] == "2024Q2"  # type: ignore[index]


def test_a_moved_file_takes_its_id_along(tmp_path: Path) -> None:
    idx = str(tmp_path / "idx")
    old = write(tmp_path / "old" / "acme.txt", ACME_Q1)
    run("index", str(old), "--index", idx)
    new = tmp_path / "new" / "acme.txt"
    new.parent.mkdir()
    shutil.move(old, new)
    code, out, _ = run("index", str(new), "--index", idx)
    assert code == 0
    assert f"(replaces the copy indexed from {old.resolve()})" in out
    assert Store(idx).transcript_ids() == ["acme-2024q1"]


def test_maec_folder_layout_keeps_every_call(tmp_path: Path) -> None:
    root = tmp_path / "MAEC_Dataset"
    for n, folder in enumerate(("20160427_X", "20160427_Y", "20160428_X")):
        write(root / folder / "text.txt", NO_PERIOD + f"Thank you, <UNK>. Call {n}.\n")
    results, failures = index_paths(Store(tmp_path / "idx"), sorted(root.rglob("text.txt")))
    assert not failures
    ids = [r.transcript for r in results]
    assert ids == ["x-2016q1", "y-2016q1", "20160428-x"]  # three calls, three ids
    assert results[2].notice and "x-2016q1 is taken" in results[2].notice
    assert Store(tmp_path / "idx").transcript_ids() == sorted(ids)


def test_the_same_bytes_in_another_folder_are_the_same_call(tmp_path: Path) -> None:
    a = write(tmp_path / "20160427_X" / "text.txt", NO_PERIOD)
    b = write(tmp_path / "copy" / "20160427_X" / "text.txt", NO_PERIOD)
    results, _ = index_paths(Store(tmp_path / "idx"), [a, b])
    assert [r.transcript for r in results] == ["x-2016q1", "x-2016q1"]
    assert results[1].replaced_path == str(a.resolve())  # said: "replaces the copy ..."


def test_maec_folder_layout_from_the_corpus(tmp_path: Path) -> None:
    corpus = SHARED / "corpus" / "maec"
    if not corpus.is_dir():
        if os.environ.get("QA_REQUIRE_CORPUS") == "1":
            pytest.fail(f"QA_REQUIRE_CORPUS=1 but there is no corpus at {corpus}")
        pytest.skip(f"no development corpus at {corpus}")
    names = ["20150225_LMAT", "20160427_X", "20170728_AAN", "20180507_FN"]
    for name in names:
        write(tmp_path / "maec" / name / "text.txt", (corpus / f"{name}.txt").read_text("utf-8"))
    code, out, err = run("index", str(tmp_path / "maec"), "--index", str(tmp_path / "idx"),
                         "--json")
    assert code == 0, err
    rows = json.loads(out)["indexed"]
    assert len({r["transcript"] for r in rows}) == 4
    assert len(Store(tmp_path / "idx").transcript_ids()) == 4
    _, out, _ = run("transcripts", "--index", str(tmp_path / "idx"), "--json")
    listed = {r["ticker"]: r for r in json.loads(out)}
    assert set(listed) == {"LMAT", "X", "AAN", "FN"}
    assert (listed["LMAT"]["period"], listed["LMAT"]["date"]) == ("2014Q4", "2015-02-25")


def test_id_option_names_one_file(tmp_path: Path) -> None:
    idx = str(tmp_path / "idx")
    call = write(tmp_path / "calls" / "acme.txt", ACME_Q1)
    code, out, _ = run("index", str(call), "--id", "my-call", "--index", idx, "--json")
    assert (code, json.loads(out)["indexed"][0]["transcript"]) == (0, "my-call")
    other = write(tmp_path / "calls" / "acme-copy.txt", ACME_Q1_OTHER_COPY)
    code, _, err = run("index", str(other), "--id", "my-call", "--index", idx)
    assert code == 0
    assert f"--id my-call replaces the transcript indexed from {call.resolve()}" in err


@pytest.mark.parametrize(("args", "message"), [
    (["--id", "two"], "names one transcript, but 2 files were given"),
    (["--id", "bad id!"], "use letters, digits"),
])
def test_id_option_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 args: list[str], message: str) -> None:
    from qa.cli import run as run_cli

    write(tmp_path / "calls" / "a.txt", ACME_Q1)
    target = str(tmp_path / "calls" / "a.txt")
    if "two" in args:
        write(tmp_path / "calls" / "b.txt", ACME_Q1_OTHER_COPY)
        target = str(tmp_path / "calls")
    assert run_cli(["index", target, *args, "--index", str(tmp_path / "i")]) == 2
    assert message in capsys.readouterr().err
