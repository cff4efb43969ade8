"""Every gold file in eval/gold: it loads, its evidence is verbatim in its transcripts, and the
attribution sets meet their gates in pyproject.toml.

Gold files over ../shared/corpus are skipped when the corpus is absent, unless
QA_REQUIRE_CORPUS=1 (CI sets it): then a missing corpus fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eval import config, harness
from eval.gold import GoldFile, load_gold, transcript_files, transcripts_dir
from eval.metrics import ATTRIBUTION_METRICS, evidence_spans

from .conftest import SHARED

ROOT = Path(__file__).resolve().parents[1]
GOLD_FILES = sorted((ROOT / "eval" / "gold").glob("*.yaml"))
ATTRIBUTION_FILES = [p for p in GOLD_FILES if p.stem.startswith("attribution-")]
PYPROJECT = ROOT / "pyproject.toml"


def _needs_corpus(path: Path, gold: GoldFile, corpus: Path = SHARED / "corpus") -> None:
    """Skip (or fail under QA_REQUIRE_CORPUS=1) when the file's transcripts are in an absent
    ../shared/corpus."""
    folder = transcripts_dir(path, gold, None)
    corpus = corpus.resolve()
    if not folder.is_relative_to(corpus) or folder.is_dir():
        return
    if os.environ.get("QA_REQUIRE_CORPUS") == "1":
        pytest.fail(f"QA_REQUIRE_CORPUS=1 but {folder} is missing ({path.name} needs it)")
    pytest.skip(f"{path.name}: the corpus {corpus} is absent")


@pytest.fixture(params=GOLD_FILES, ids=lambda p: p.stem)
def gold_file(request: pytest.FixtureRequest) -> tuple[Path, GoldFile]:
    path: Path = request.param
    gold = load_gold(path)  # a bad file fails here with its one-line error
    _needs_corpus(path, gold)
    return path, gold


def test_gold_files_exist() -> None:
    assert (ROOT / "eval" / "gold" / "kingsoft-cloud-2024q2.yaml") in GOLD_FILES


def test_ids_are_unique(gold_file: tuple[Path, GoldFile]) -> None:
    _, gold = gold_file
    ids = [item.id for item in gold.items]
    assert gold.items and len(ids) == len(set(ids))


def test_every_evidence_string_is_verbatim_in_its_transcript(gold_file: tuple[Path, GoldFile]) -> None:
    path, gold = gold_file
    files = transcript_files(gold, transcripts_dir(path, gold, None))
    text = {name: p.read_text(encoding="utf-8") for name, p in files.items()}
    missing = [(item.id, quote) for item in gold.items for quote in item.evidence
               if not any(evidence_spans(text[name], [quote]) for name in item.files)]
    assert missing == [], f"{path.name}: {len(missing)} evidence string(s) not found verbatim"


@pytest.mark.parametrize("path", ATTRIBUTION_FILES, ids=lambda p: p.stem)
def test_attribution_gold_meets_its_gate(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CI's attribution gate: `qa eval` on each attribution set, thresholds from
    [tool.qa.eval.sets.<stem>] in pyproject.toml."""
    from eval import report as render

    _needs_corpus(path, load_gold(path))
    limits = config.thresholds(PYPROJECT, gold_set=path.stem)
    assert set(limits) & set(ATTRIBUTION_METRICS), \
        f"no attribution thresholds for {path.stem} in {PYPROJECT}"
    result = harness.run(path, thresholds=limits)
    with capsys.disabled():
        print("\n" + render.summary(result, PYPROJECT))
    assert result.failed == [], [render.gate_line(result, n) for n in result.failed]
    assert not any(g["ok"] is None for g in result.gate.values()), "a gated metric is not measured"


def test_a_missing_corpus_skips_unless_required(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gold_path = tmp_path / "eval" / "g.yaml"
    gold_path.parent.mkdir()
    gold_path.write_text("transcripts: ../corpus/ectsum\nitems: []\n", encoding="utf-8")
    gold = load_gold(gold_path)
    monkeypatch.delenv("QA_REQUIRE_CORPUS", raising=False)
    with pytest.raises(pytest.skip.Exception):
        _needs_corpus(gold_path, gold, tmp_path / "corpus")
    monkeypatch.setenv("QA_REQUIRE_CORPUS", "1")
    with pytest.raises(pytest.fail.Exception, match="QA_REQUIRE_CORPUS=1"):
        _needs_corpus(gold_path, gold, tmp_path / "corpus")
    (tmp_path / "corpus" / "ectsum").mkdir(parents=True)
    _needs_corpus(gold_path, gold, tmp_path / "corpus")  # present: runs


DEV_FILES = [p for p in GOLD_FILES if p.stem.startswith("dev-")]


@pytest.mark.parametrize("path", DEV_FILES, ids=lambda p: p.stem)
def test_dev_question_sets_meet_their_gate(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """CI's answer-quality gate over corpus calls the tool was not written for: `qa eval` on the
    tune and check halves, thresholds from [tool.qa.eval.sets.<stem>] in pyproject.toml.
    Indexing their calls and asking their 490 questions takes about 5 minutes, so it runs only
    with QA_DEV_GATE=1 (CI sets it for its first pass)."""
    from eval import report as render

    if os.environ.get("QA_DEV_GATE") != "1":
        pytest.skip("the development question gate runs with QA_DEV_GATE=1 (about 5 minutes)")
    _needs_corpus(path, load_gold(path))
    limits = config.thresholds(PYPROJECT, gold_set=path.stem)
    assert {"fact_accuracy", "refusal_accuracy", "false_refusal_rate"} <= set(limits), \
        f"no answer thresholds for {path.stem} in {PYPROJECT}"
    result = harness.run(path, thresholds=limits)
    with capsys.disabled():
        print("\n" + render.summary(result, PYPROJECT))
    assert result.failed == [], [render.gate_line(result, n) for n in result.failed]
