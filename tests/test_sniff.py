"""Files that do not look like a call are skipped with the reason; --force indexes them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.errors import UnreadableTranscript
from index.parse import NotATranscript, read_transcript
from index.parse.sniff import not_a_call, shape
from qa.cli import cli

from . import test_parse_formats as fixtures
from .conftest import SAMPLE, SHARED

REPO = Path(__file__).resolve().parents[1]

README = """\
# earnings-qa

Ask questions about earnings-call transcripts in a terminal.

## Install

```sh
python3 -m venv .venv && .venv/bin/pip install .
```

- `qa index PATH` indexes files
- `qa ask "QUESTION"` answers

| command | what it does |
|---|---|
| `qa transcripts` | lists what is indexed |
"""
PYPROJECT = """\
[project]
name = "earnings-qa"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [
    "chromadb==1.5.9",
    "click>=8.1",
]

[tool.ruff]
line-length = 110
"""
CSV = """\
source,split,path,bytes,summary_path
ectsum,train,ectsum/train/transcripts/AAN_q1_2021.txt,11330,ectsum/train/summaries/AAN_q1_2021.txt
ectsum,train,ectsum/train/transcripts/AAP_q1_2021.txt,21811,ectsum/train/summaries/AAP_q1_2021.txt
ectsum,train,ectsum/train/transcripts/AAP_q2_2021.txt,20311,ectsum/train/summaries/AAP_q2_2021.txt
maec,sample,maec/20150225_LMAT.txt,12001,
"""
HTML = """\
<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Acme Q3 2024 earnings call</title></head>
<body>
<div class="transcript"><p class="speaker">Operator</p>
<p>Good afternoon and welcome to the Acme third quarter call.</p></div>
</body>
</html>
"""
XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<call company="Acme" period="2024Q3">
  <turn speaker="Operator">Good afternoon.</turn>
  <turn speaker="Jane Roe">Revenue grew 12%.</turn>
</call>
"""
PYTHON = '''\
"""Helpers."""

import re


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Store:
    def __init__(self, path):
        self.path = path
'''
TSV = "ticker\tquarter\tyear\teps\nAFL\t1\t2021\t1.53\nCPB\t1\t2022\t0.89\nLMAT\t4\t2014\t0.12\n"


@pytest.mark.parametrize(("name", "text", "looks_like"), [
    ("README.md", README, "Markdown"),
    ("pyproject.toml", PYPROJECT, "configuration file"),
    ("manifest.csv", CSV, "table"),
    ("page.html", HTML, "HTML/XML markup"),
    ("call.xml", XML, "HTML/XML markup"),
    ("slug.py", PYTHON, "source code"),
    ("eps.tsv", TSV, "table"),
    ("notes.txt", PYTHON, "source code"),  # the content decides, not the extension
])
def test_what_is_not_a_call_is_skipped_with_the_reason(tmp_path: Path, name: str, text: str,
                                                       looks_like: str) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(NotATranscript) as info:
        read_transcript(path)
    assert looks_like in info.value.why
    assert info.value.why.endswith("(not a call transcript); --force indexes it anyway")
    assert read_transcript(path, force=True).turns  # --force: indexed as text


def test_json_that_is_not_a_transcript_export(tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    path.write_text(json.dumps({"name": "earnings-qa", "version": "1.0", "scripts": {}}),
                    encoding="utf-8")
    with pytest.raises(NotATranscript, match="JSON without turns.*--force indexes it as plain"):
        read_transcript(path)
    assert read_transcript(path, force=True).format == "plain"


def test_broken_json_stays_unreadable_not_a_skip(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('[{"speaker": "Operator", "text": "Welcome."}', encoding="utf-8")
    with pytest.raises(UnreadableTranscript) as info:
        read_transcript(path)
    assert not isinstance(info.value, NotATranscript)


@pytest.mark.parametrize("name", ["README.md", "pyproject.toml", "Makefile", "qa/cli.py",
                                  "index/parse/meta.py", "eval/gold/kingsoft-cloud-2024q2.yaml"])
def test_the_repositorys_own_files_are_not_calls(name: str) -> None:
    path = REPO / name
    if not path.is_file():
        pytest.skip(f"{name} is not in this checkout")
    assert not_a_call(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", ["LABELLED", "INLINE", "SENTENCES", "PLAIN", "PARAGRAPHS"])
def test_the_format_fixtures_are_calls(name: str) -> None:
    assert not_a_call(getattr(fixtures, name)) is None


def test_the_sample_is_a_call() -> None:
    assert not_a_call(SAMPLE.read_text(encoding="utf-8")) is None


@pytest.mark.parametrize("text", [
    "[Music]\nGood morning, and thank you for standing by.\n\nThank you, operator. Revenue grew "
    "9% this quarter.\n",
    "Operator: Welcome to the call.\nZhou Tao (Chief Executive Officer): "
    + "我们本季度的收入达到了人民币十八亿九千万元，同比增长百分之三。" * 5
    + "\nHenry Hou (CFO): Thank you.\n",
    "Thank you, Whitley.\nGood afternoon and thank you for joining us.\nJoining me is <UNK> <UNK>.\n"
    "I will now turn the call over to <UNK> <UNK>.\n",
    "Revenue, gross margin, and EPS rose.\nWe grew sales, units, and share, again.\n"
    "Costs, freight, and labor, were higher, as expected.\n",
])
def test_short_and_unusual_calls_are_calls(text: str) -> None:
    assert not_a_call(text) is None, shape(text)


def test_every_corpus_call_is_a_call() -> None:
    corpus = SHARED / "corpus"
    if not (corpus / "ectsum").is_dir():
        if os.environ.get("QA_REQUIRE_CORPUS") == "1":
            pytest.fail(f"QA_REQUIRE_CORPUS=1 but there is no corpus at {corpus}")
        pytest.skip(f"no development corpus at {corpus}")
    files = sorted(corpus.glob("ectsum/*/transcripts/*.txt")) + sorted(corpus.glob("maec/*.txt"))
    assert len(files) == 1978
    flagged = [(f.name, why) for f in files if (why := not_a_call(f.read_text(encoding="utf-8")))]
    assert flagged == []


def test_qa_index_skips_a_readme_and_a_csv_with_reasons_and_exit_1(tmp_path: Path,
                                                                   sample_copy: Path) -> None:
    folder = sample_copy.parent
    (folder / "README.md").write_text(README, encoding="utf-8")
    (folder / "manifest.csv").write_text(CSV, encoding="utf-8")
    idx = str(tmp_path / "idx")
    result = CliRunner().invoke(cli, ["index", str(folder), "--index", idx])
    assert result.exit_code == 1
    skipped = [ln for ln in result.stderr.splitlines() if ln.startswith("qa: skipped")]
    assert skipped == [
        f"qa: skipped {folder / 'README.md'}: looks like a Markdown/reStructuredText document "
        "(headings, lists, code blocks) (not a call transcript); --force indexes it anyway",
        f"qa: skipped {folder / 'manifest.csv'}: looks like a table (CSV/TSV rows with the same "
        "columns) (not a call transcript); --force indexes it anyway"]
    assert "kingsoft-cloud-2024q2" in result.stdout
    forced = CliRunner().invoke(cli, ["index", str(folder), "--index", idx, "--force", "--json"])
    assert forced.exit_code == 0, forced.output
    statuses = {Path(r["path"]).name: r["status"] for r in json.loads(forced.stdout)["indexed"]}
    assert statuses == {"README.md": "added", "manifest.csv": "added",
                        "kingsoft-cloud-2024q2.txt": "unchanged"}
