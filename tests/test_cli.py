"""The first slice end to end, through the `qa` command: index, list, ask, errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qa.cli import cli

from .conftest import SAMPLE


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def source() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def test_cdn_floor_quotes_the_head_of_cdn_in_the_qa(sample_index: Path) -> None:
    code, out, _ = run("ask", "What is the CDN floor?", "--index", str(sample_index), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["answerable"] is True
    assert "300 million" in data["answer"]
    first = data["citations"][0]
    assert "300 million" in first["quote"]
    assert first["speaker"] == "Bao" and "CDN" in first["title"]
    assert first["section"] == "qa"


def test_total_revenue_cites_the_right_figure_verbatim(sample_index: Path) -> None:
    code, out, _ = run("ask", "What were total revenues this quarter?", "--index",
                       str(sample_index), "--json")
    assert code == 0
    data = json.loads(out)
    text = data["answer"] + " ".join(c["quote"] for c in data["citations"])
    assert "1,891.8 million" in text
    assert "18.9 billion" not in text
    src = source()
    for c in data["citations"]:
        assert c["quote"] == src[c["start"] : c["end"]]
        assert c["verified"] is True
        assert set(c) >= {"quote", "transcript", "start", "end", "speaker", "role", "section",
                          "turn"}


def test_unanswerable_question_says_so_and_shows_nearest(sample_index: Path) -> None:
    code, out, _ = run("ask", "Did they announce a dividend?", "--index", str(sample_index))
    assert code == 0
    assert out.startswith("The call does not say.")
    assert "Nearest passages" in out


def test_reindexing_unchanged_file_changes_nothing(tmp_path: Path, sample_copy: Path) -> None:
    idx = str(tmp_path / "idx")
    code, out, _ = run("index", str(sample_copy), "--index", idx, "--json")
    assert code == 0
    first = json.loads(out)["indexed"][0]
    code, out, _ = run("index", str(sample_copy), "--index", idx, "--json")
    second = json.loads(out)["indexed"][0]
    assert second["status"] == "unchanged" and second["chunks"] == first["chunks"]
    from index.store import Store

    assert Store(idx).count() == first["chunks"]


def test_editing_one_paragraph_replaces_only_that_transcripts_chunks(
        tmp_path: Path, sample_copy: Path) -> None:
    from index.store import Store

    idx = str(tmp_path / "idx")
    other = tmp_path / "calls" / "other-call.txt"
    other.write_text("Operator: Welcome to the Acme first quarter 2024 call.\n"
                     "Jane Roe -- Chief Financial Officer\nRevenue was 12 million dollars.\n"
                     "John Doe -- Analyst\nWhat about margins?\n", encoding="utf-8")
    run("index", str(sample_copy), str(other), "--index", idx)
    store = Store(idx)
    before = {tid: {c.id for c in store.transcript_chunks(tid)} for tid in store.transcript_ids()}
    text = sample_copy.read_text(encoding="utf-8")
    edited = text.replace("the minimum amount that we aim to maintain on a quarterly basis is "
                          "300 million RMB", "the minimum amount that we aim to maintain on a "
                          "quarterly basis is 350 million RMB")
    assert edited != text
    sample_copy.write_text(edited, encoding="utf-8")
    code, out, _ = run("index", str(sample_copy), str(other), "--index", idx, "--json")
    assert code == 0
    rows = {r["transcript"]: r for r in json.loads(out)["indexed"]}
    assert rows["acme-2024q1"]["status"] == "unchanged"  # id: company and period
    assert rows["kingsoft-cloud-2024q2"]["status"] == "updated"
    assert rows["kingsoft-cloud-2024q2"]["embedded"] == 1
    assert rows["kingsoft-cloud-2024q2"]["removed"] == 1
    store = Store(idx)
    after = {tid: {c.id for c in store.transcript_chunks(tid)} for tid in store.transcript_ids()}
    assert after["acme-2024q1"] == before["acme-2024q1"]
    assert len(after["kingsoft-cloud-2024q2"] ^ before["kingsoft-cloud-2024q2"]) == 2
    assert store.count() == sum(len(v) for v in after.values())  # no orphans
    chunks = store.transcript_chunks("kingsoft-cloud-2024q2")
    assert any("350 million RMB" in c.text for c in chunks)
    assert all(edited[c.start : c.end] == c.text for c in chunks)


def test_directory_with_bad_files_indexes_the_good_one(tmp_path: Path, sample_copy: Path) -> None:
    folder = sample_copy.parent
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    result = CliRunner().invoke(cli, ["index", str(folder), "--index", str(tmp_path / "idx")])
    assert result.exit_code == 1
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("qa: skipped")]
    assert len(errors) == 2
    assert any("empty.txt" in e and "empty" in e for e in errors)
    assert any("image.bin" in e and "binary" in e for e in errors)
    assert "kingsoft-cloud-2024q2" in result.stdout


def test_transcripts_lists_and_shows_turns(sample_index: Path) -> None:
    code, out, _ = run("transcripts", "--index", str(sample_index))
    assert code == 0 and "kingsoft-cloud-2024q2" in out and "Henry Hou" in out
    code, out, _ = run("transcripts", "--turns", "kingsoft-cloud-2024q2", "--index",
                       str(sample_index), "--json")
    turns = json.loads(out)
    roles = {t["role"] for t in turns}
    assert {"operator", "investor_relations", "ceo", "cfo", "analyst"} <= roles
    src = source()
    assert all(src[t["start"] : t["end"]] == t["text"] for t in turns)


def test_unknown_transcript_is_a_one_line_error(sample_index: Path) -> None:
    code, _, err = run("ask", "What is the CDN floor?", "--transcript", "nope", "--index",
                       str(sample_index))
    assert code == 2
    assert "not indexed: nope" in err


def test_console_script_on_an_empty_index_uses_the_builtin_sample(tmp_path: Path) -> None:
    env = dict(os.environ, QA_INDEX=str(tmp_path / "fresh"))
    qa = Path(sys.executable).parent / "qa"
    if not qa.exists():
        pytest.skip("console script not installed in this environment")
    proc = subprocess.run([str(qa), "ask", "What is the CDN floor?"], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "300 million" in proc.stdout
    assert "built-in sample" in proc.stderr
