"""Only regular files of bounded size are read: a FIFO would block `qa index` forever and a
device would never end; each is refused in one line and the rest of the batch is indexed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from qa.cli import run

from .conftest import SAMPLE


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_pipe_and_a_device_are_refused_and_the_rest_is_indexed(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)  # nobody writes to it: reading it would block forever
    good = tmp_path / "kingsoft.txt"
    shutil.copy(SAMPLE, good)
    code = run(["index", str(fifo), "/dev/zero", str(good), "--index", str(tmp_path / "index")])
    out, err = capsys.readouterr()
    assert code == 1  # some files were skipped
    assert f"qa: skipped {fifo}: a pipe, not a regular file; only files are read" in err
    assert "qa: skipped /dev/zero: a device, not a regular file; only files are read" in err
    assert "kingsoft-cloud-2024q2" in out  # indexed


def test_a_file_over_the_size_limit_is_skipped_unless_the_limit_is_raised(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "kingsoft.txt"
    shutil.copy(SAMPLE, good)
    index = str(tmp_path / "index")
    assert run(["index", str(good), "--index", index, "--max-size", "0.01"]) == 1
    err = capsys.readouterr().err
    assert "larger than 0.01 MiB; split it, or raise the limit with --max-size" in err
    assert run(["index", str(good), "--index", index, "--max-size", "1"]) == 0
    assert "kingsoft-cloud-2024q2" in capsys.readouterr().out


def test_json_nested_ten_thousand_deep_is_one_line_and_the_batch_goes_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"turns": ' + "[" * 10_000 + "]" * 10_000 + "}", encoding="utf-8")
    good = tmp_path / "kingsoft.txt"
    shutil.copy(SAMPLE, good)
    code = run(["index", str(deep), str(good), "--index", str(tmp_path / "index")])
    out, err = capsys.readouterr()
    assert code == 1
    assert f"qa: skipped {deep}: JSON nested too deeply to be a transcript export" in err
    assert "Traceback" not in err and "RecursionError" not in err
    assert "kingsoft-cloud-2024q2" in out
