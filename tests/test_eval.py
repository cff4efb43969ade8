"""The eval harness: metrics are pure functions; the harness runs any gold file over any
transcripts; the gate fails when a metric drops below its threshold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from eval import config, harness
from eval.gold import load_gold
from eval.metrics import (
    aggregate,
    chunk_holds_evidence,
    evidence_spans,
    facts_ok,
    has_fact_group,
    normalise_fact,
)
from index.errors import ConfigError

from .conftest import SAMPLE

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "eval" / "gold" / "kingsoft-cloud-2024q2.yaml"


# -- the gold set itself ------------------------------------------------------------------------


def test_gold_set_is_valid_and_large_enough() -> None:
    gold = load_gold(GOLD)
    assert len(gold.items) >= 30
    assert sum(1 for i in gold.items if not i.answerable) >= 6


def test_every_gold_evidence_quote_is_verbatim_in_the_transcript() -> None:
    gold = load_gold(GOLD)
    text = SAMPLE.read_text(encoding="utf-8")
    missing = [(i.id, q) for i in gold.items for q in i.evidence if q not in text]
    assert missing == []


# -- metrics ------------------------------------------------------------------------------------


def test_fact_normalisation_ignores_case_spaces_commas_and_currency() -> None:
    assert normalise_fact("RMB 1,891.8 Million") == normalise_fact("1891.8 million yuan")
    assert has_fact_group("revenue was RMB1,891.8 million", ["1,891.8 million"])
    assert not has_fact_group("revenue was 18.9 billion", ["1.89 billion", "1,891.8 million"])


def test_a_figure_is_not_found_inside_a_longer_number() -> None:
    assert not has_fact_group("IDC costs fell 14.4%", ["4%"])
    assert has_fact_group("up 4% sequentially", ["4%"])
    assert facts_ok("370 million, up 36.9%", [["370 million"], ["36.9%"]])
    assert not facts_ok("370 million", [["370 million"], ["36.9%"]])


def test_evidence_spans_match_across_whitespace_differences() -> None:
    source = "Alpha beta.\nThe floor is   300 million RMB.\nGamma."
    (span,) = evidence_spans(source, ["The floor is 300 million RMB."])
    assert source[span[0] : span[1]] == "The floor is   300 million RMB."
    assert evidence_spans(source, ["not there"]) == []


def test_a_chunk_holding_most_of_a_quote_counts() -> None:
    quote = (100, 200)
    assert chunk_holds_evidence((0, 160), [quote])  # 60% of it
    assert not chunk_holds_evidence((0, 130), [quote])  # 30% of it
    assert chunk_holds_evidence((50, 250), [quote])


def test_aggregate_counts_refusals_per_kind() -> None:
    from eval.metrics import ItemScore

    ok = ItemScore(True, 1.0, True, True, False, True, 2, 2, 10.0)
    refused = ItemScore(False, 0.0, False, False, True, False, 1, 1, 30.0)
    right_refusal = ItemScore(None, None, None, None, True, True, 0, 0, 20.0)
    m = aggregate([ok, refused, right_refusal], [True, True, False])
    assert m["false_refusal_rate"] == 0.5
    assert m["refusal_accuracy"] == 1.0
    assert m["fact_accuracy"] == 0.5
    assert m["mrr"] == 0.5
    assert m["citation_validity"] == 1.0
    assert m["latency_p50_ms"] == 20.0


# -- thresholds ---------------------------------------------------------------------------------


def test_thresholds_come_from_pyproject_and_flags_override() -> None:
    found = config.thresholds(ROOT / "pyproject.toml", ["fact_accuracy=0.99"])
    assert found["fact_accuracy"] == 0.99
    assert 0 < found["evidence_recall_at_k"] <= 1
    assert all(v > 0 for v in found.values())  # never gated at zero
    with pytest.raises(ConfigError, match="unknown metric"):
        config.thresholds(None, ["accuracy=0.5"])
    with pytest.raises(ConfigError, match="NAME=VALUE"):
        config.thresholds(None, ["fact_accuracy"])


# -- the harness on any gold file and transcripts ---------------------------------------------


def _tiny_gold(tmp_path: Path) -> Path:
    calls = tmp_path / "calls"
    calls.mkdir()
    (calls / "acme.dat").write_text(json.dumps([  # JSON, whatever the extension says
        {"speaker": "Operator", "text": "Welcome to the Acme first quarter 2025 earnings call."},
        {"speaker": "Jane Roe", "title": "Chief Financial Officer",
         "text": "Revenue was 12.5 million dollars, up 8% year over year. Gross margin was 41%."},
        {"speaker": "John Doe", "title": "Analyst", "text": "What about the buyback?"},
        {"speaker": "Jane Roe", "title": "Chief Financial Officer",
         "text": "We have nothing to announce on capital returns today."},
    ]), encoding="utf-8")
    gold = {
        "transcripts": "calls",
        "items": [
            {"id": "rev", "transcript": "acme.dat", "question": "What was revenue?",
             "answerable": True, "facts": [["12.5 million"]],
             "evidence": ["Revenue was 12.5 million dollars"], "extra_key": "welcome"},
            {"id": "gm", "transcript": "acme.dat", "question": "What was gross margin?",
             "answerable": True, "facts": [["41%"]], "evidence": ["Gross margin was 41%."]},
            {"id": "div", "transcript": "acme.dat", "question": "What dividend did they declare?",
             "answerable": False},
        ],
    }
    path = tmp_path / "gold.yaml"
    path.write_text(yaml.safe_dump(gold), encoding="utf-8")
    return path


def test_harness_runs_any_gold_file_over_any_transcripts(tmp_path: Path) -> None:
    report = harness.run(_tiny_gold(tmp_path), k=3)
    m = report.metrics
    assert m["evidence_recall_at_k"] == 1.0
    assert m["fact_accuracy"] == 1.0
    assert m["citation_validity"] == 1.0
    assert m["refusal_accuracy"] == 1.0
    assert [r.item.id for r in report.items] == ["rev", "gm", "div"]


def test_missing_transcript_is_a_clear_error(tmp_path: Path) -> None:
    gold = _tiny_gold(tmp_path)
    with pytest.raises(ConfigError, match="transcripts not found"):
        harness.run(gold, transcripts=tmp_path / "elsewhere")


def test_bad_gold_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("items:\n  - id: x\n    question: q\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="items.0"):
        load_gold(bad)


def test_cli_gate_fails_and_names_the_metric(tmp_path: Path) -> None:
    from eval.cli import eval_cmd

    report_file = tmp_path / "report.json"
    result = CliRunner().invoke(eval_cmd, [str(_tiny_gold(tmp_path)), "--min",
                                           "fact_accuracy=1.0", "--min", "mrr=1.01",
                                           "--report", str(report_file)])
    assert result.exit_code == 1
    assert "eval gate failed: mrr" in result.stderr
    data = json.loads(report_file.read_text(encoding="utf-8"))
    assert data["gate"]["fact_accuracy"]["ok"] is True
    assert data["gate"]["mrr"]["ok"] is False
    assert set(data["metrics"]) == set(config.METRICS)


# -- the CI gate on the sample ------------------------------------------------------------------


def test_sample_eval_meets_the_gate_in_pyproject(capsys: pytest.CaptureFixture[str]) -> None:
    """CI's quality gate: the offline answerer on the sample's gold set."""
    from eval import report as render

    limits = config.thresholds(ROOT / "pyproject.toml")
    result = harness.run(GOLD, k=5, thresholds=limits)
    with capsys.disabled():
        print("\n" + render.summary(result, ROOT / "pyproject.toml"))
    assert result.metrics["citation_validity"] == 1.0
    assert result.failed == [], [render.gate_line(result, n) for n in result.failed]
