"""The eval harness: metrics are pure functions; the harness runs any gold file over any
transcripts; the gate fails when a metric drops below its threshold."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from eval import config, harness
from eval.gold import load_gold
from eval.metrics import (
    ATTRIBUTION_METRICS,
    aggregate,
    attribute,
    attribution_metrics,
    chunk_holds_evidence,
    evidence_spans,
    facts_ok,
    has_fact_group,
    normalise_fact,
    speaker_right,
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
    question_metrics = set(config.METRICS) - set(ATTRIBUTION_METRICS)
    assert set(data["metrics"]) == question_metrics  # nothing labels who speaks: no attribution


# -- the CI gate on the sample ------------------------------------------------------------------


def test_sample_eval_meets_the_gate_in_pyproject(capsys: pytest.CaptureFixture[str]) -> None:
    """CI's quality gate: the offline answerer on the sample's gold set."""
    from eval import report as render

    limits = config.thresholds(ROOT / "pyproject.toml", gold_set=GOLD.stem)
    result = harness.run(GOLD, k=5, thresholds=limits)
    with capsys.disabled():
        print("\n" + render.summary(result, ROOT / "pyproject.toml"))
    assert result.metrics["citation_validity"] == 1.0
    assert result.failed == [], [render.gate_line(result, n) for n in result.failed]


# -- attribution: who says the evidence --------------------------------------------------------

# A labelled call whose turns are stated in the file, so the right attribution is known.
ACME = """Jane Roe -- Chief Executive Officer

Thank you. Revenue grew 8% to 12.5 million dollars this quarter. Our customers keep buying more.

John Smith -- Chief Financial Officer

Gross margin was 41%, up from 39% a year ago. We expect margins to hold.

Questions & Answers:

Mary Major -- Big Bank -- Analyst

What drove the margin gain?

John Smith -- Chief Financial Officer

Mostly pricing and a better mix.
"""


@pytest.mark.parametrize(("gold", "predicted", "right"), [
    ("Fred Crawford", "Fred Crawford", True),
    ("Fred Crawford", "Fred", True),  # a first name only is right
    ("Fred Crawford", "Crawford", True),
    ("Fred Crawford", "fred  CRAWFORD.", True),  # case, spaces and punctuation do not matter
    ("José Núñez", "Mr. Jose Nunez", True),  # accents and honorifics do not matter
    ("Dr. Lisa Su", "Lisa Su", True),
    ("Fred Crawford", "Dan Amos", False),  # a wrong speaker is wrong
    ("Fred Crawford", "Fred Smith", False),
    ("Fred", "Fred Crawford", False),  # more than the gold name: not the gold name
    ("Fred Crawford", None, False),  # no name for a named person
    ("Fred Crawford", "<UNK>", False),
    (None, None, True),  # the call does not name them, and neither does the tool
    (None, "<UNK>", False),  # a placeholder is not "no name"
    (None, "Unidentified speaker", False),
    (None, "And", False),  # a sentence start taken for a name
    (None, "Dan Amos", False),
    ("Operator", "Operator", True),
    (None, "Interpreter", True),  # a bare role word names nobody
    ("Max Broden", "Mr", False),  # nothing left after the honorific
])
def test_speaker_match(gold: str | None, predicted: str | None, right: bool) -> None:
    assert speaker_right(gold, predicted) is right


def test_attribution_counts_each_field_the_item_gives() -> None:
    a = attribute({"speaker": "Max Broden", "role": "cfo"}, "Dan Amos", "cfo", "qa", "first speaker")
    assert a.right == {"speaker": False, "role": True}  # section not given, not scored
    assert not a.ok and a.wrong == ["speaker"]
    m = attribution_metrics([a, attribute({"section": "qa"}, None, "unknown", "qa")])
    assert m == {"attribution_accuracy": 0.5, "speaker_accuracy": 0.0, "role_accuracy": 1.0,
                 "section_accuracy": 1.0}
    assert attribution_metrics([attribute({"role": "cfo"}, None, "cfo", "qa")]) == {
        "attribution_accuracy": 1.0, "role_accuracy": 1.0}  # no speaker given: no speaker_accuracy


def _attribution_gold(tmp_path: Path, items: list[dict[str, object]], name: str = "attr") -> Path:
    calls = tmp_path / "calls"
    calls.mkdir(exist_ok=True)
    (calls / "acme.txt").write_text(ACME, encoding="utf-8")
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"transcripts": "calls", "items": items}), encoding="utf-8")
    return path


def _label(item_id: str, evidence: str, **labels: object) -> dict[str, object]:
    return {"id": item_id, "transcript": "acme.txt", "evidence": [evidence], **labels}


def test_attribution_only_gold_scores_the_turns_without_an_index(tmp_path: Path) -> None:
    gold = _attribution_gold(tmp_path, [
        _label("ceo", "Revenue grew 8% to 12.5 million dollars this quarter.",
               speaker="Jane Roe", role="ceo", section="prepared"),
        _label("cfo", "We expect margins to hold.", speaker="john smith", role="cfo"),
        _label("analyst", "What drove the margin gain?", speaker="Mary Major", role="analyst",
               section="qa"),
        _label("wrong-speaker", "Mostly pricing and a better mix.", speaker="Jane Roe",
               role="cfo", section="qa"),
        _label("wrong-section", "Our customers keep buying more.", section="qa"),
        _label("no-turn", "Questions & Answers:", role="operator"),
    ])
    report = harness.run(gold, thresholds={"role_accuracy": 0.5, "fact_accuracy": 0.9})
    assert report.indexed is False  # parsed, never embedded
    by_id = {r.item.id: r.attribution for r in report.items}
    assert by_id["ceo"] is not None and by_id["ceo"].ok
    assert by_id["cfo"] is not None and by_id["cfo"].ok
    wrong = by_id["wrong-speaker"]
    assert wrong is not None and wrong.wrong == ["speaker"]
    assert wrong.got["speaker"] == "John Smith" and wrong.cue  # the turn's cue is reported
    assert by_id["wrong-section"] is not None and by_id["wrong-section"].wrong == ["section"]
    assert by_id["no-turn"] is not None and not by_id["no-turn"].ok
    assert report.metrics == {"attribution_accuracy": 0.5, "speaker_accuracy": 0.75,
                              "role_accuracy": 0.8, "section_accuracy": 0.75}
    assert "fact_accuracy" not in report.metrics  # nothing asked: not measured, never 0
    assert report.gate["fact_accuracy"]["ok"] is None and report.failed == []
    assert report.breakdown["layout"]["labelled"]["items"] == 6
    assert report.breakdown["kind"]["attribution"]["metrics"]["role_accuracy"] == 0.8


def test_the_attribution_report_lists_misses_with_the_cue(tmp_path: Path) -> None:
    from eval import report as render

    gold = _attribution_gold(tmp_path, [
        _label("ok", "What drove the margin gain?", speaker="Mary Major"),
        _label("bad", "Mostly pricing and a better mix.", speaker="Jane Roe", layout="mine"),
    ])
    report = harness.run(gold)
    text = render.full(report, None)
    misses = text.split("ATTRIBUTION MISSES (1 of 2)")[1].split("\n\n")[0]
    assert "bad" in misses and "Jane Roe" in misses and "John Smith" in misses
    cue = report.items[1].attribution.cue if report.items[1].attribution else ""
    assert cue and cue[:40] in misses  # why the tool chose that speaker
    assert "Mary Major" not in misses  # right items are not listed
    assert "BY LAYOUT" in text and "mine" in text  # the item's own layout wins


def test_items_with_and_without_a_speaker_and_lists_of_transcripts(tmp_path: Path) -> None:
    gold = load_gold(_attribution_gold(tmp_path, [
        _label("named", "What drove the margin gain?", speaker="Mary Major"),
        _label("unnamed", "What drove the margin gain?", speaker=None),
        _label("role-only", "What drove the margin gain?", role="analyst"),
        {"id": "both", "transcript": ["a.txt", "b.txt"], "question": "Q1 vs Q2 revenue?",
         "answerable": False},
    ]))
    named, unnamed, role_only, both = gold.items
    assert named.expected == {"speaker": "Mary Major"}
    assert unnamed.expected == {"speaker": None}  # given as null: "the call does not name them"
    assert role_only.expected == {"role": "analyst"}  # not given: not scored
    assert both.files == ["a.txt", "b.txt"] and not role_only.asks and both.asks


@pytest.mark.parametrize(("item", "message"), [
    ({"evidence": ["a", "b"], "role": "cfo"}, "exactly one evidence string"),
    ({"evidence": [], "role": "cfo"}, "exactly one evidence string"),
    ({"evidence": ["a"]}, "at least one of speaker, role, section"),
    ({"evidence": ["a"], "role": "CFO"}, "role 'CFO' is not one of operator"),
    ({"evidence": ["a"], "role": "unknown"}, "role 'unknown' is not one of"),
    ({"evidence": ["a"], "section": "q&a"}, "section 'q&a' is not one of opening, prepared, qa"),
    ({"evidence": ["a"], "role": "cfo", "facts": [["1"]]}, "add a `question:`"),
    ({"question": "q?", "evidence": ["a"]}, "needs `answerable: true|false`"),
    ({"question": "q?", "answerable": True}, "needs facts or evidence"),
    ({"question": "q?", "answerable": False, "transcript": []}, "names no transcript"),
])
def test_bad_attribution_items_are_one_line_errors(tmp_path: Path, item: dict[str, object],
                                                   message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"items": [{"id": "x7", "transcript": "a.txt", **item}]}),
                   encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)) as e:
        load_gold(bad)
    assert "\n" not in str(e.value) and "item 'x7'" in str(e.value)


def test_evidence_not_in_the_transcript_is_a_clear_error(tmp_path: Path) -> None:
    gold = _attribution_gold(tmp_path, [_label("typo", "Revenue grew 9%.", role="ceo")])
    with pytest.raises(ConfigError, match="gold item 'typo': evidence not found in acme.txt"):
        harness.run(gold)


def test_question_items_score_the_speaker_of_the_citation_over_the_evidence(tmp_path: Path) -> None:
    path = _tiny_gold(tmp_path)
    gold = yaml.safe_load(path.read_text(encoding="utf-8"))
    rev, gm, div = gold["items"]
    gm_wrong = dict(gm, id="gm-wrong", speaker="John Doe", role="analyst")
    rev.update(speaker="Jane Roe", role="cfo", section="prepared")
    div.update(speaker="Jane Roe")  # nothing cited: unscored, not wrong
    gold["items"] = [rev, gm_wrong, div]
    path.write_text(yaml.safe_dump(gold), encoding="utf-8")
    report = harness.run(path, k=3)
    by_id = {r.item.id: r for r in report.items}
    assert by_id["rev"].attribution is not None and by_id["rev"].attribution.ok
    wrong = by_id["gm-wrong"].attribution
    assert wrong is not None and wrong.wrong == ["speaker", "role"]
    assert wrong.got["speaker"] == "Jane Roe"
    assert by_id["div"].unscored and report.unscored == 1
    assert report.metrics["attribution_accuracy"] == 0.5
    assert report.metrics["speaker_accuracy"] == 0.5
    assert report.to_json()["attribution_unscored"] == 1


def test_headline_facts_are_scored_on_the_answer_text_alone(tmp_path: Path) -> None:
    report = harness.run(_tiny_gold(tmp_path), k=3)
    for r in report.items:
        if r.item.answerable and r.score and r.answer:
            assert r.score.headline_facts == facts_ok(r.answer.text, r.item.facts)
            assert r.score.facts or not r.score.headline_facts  # headline right => answer right
    assert report.metrics["answer_fact_accuracy"] <= report.metrics["fact_accuracy"]


def test_aggregate_leaves_out_what_it_cannot_measure() -> None:
    from eval.metrics import ItemScore

    right_refusal = ItemScore(None, None, None, None, True, True, 0, 0, 20.0)
    m = aggregate([right_refusal], [False])
    assert m == {"refusal_accuracy": 1.0, "latency_p50_ms": 20.0, "latency_p95_ms": 20.0}
    assert aggregate([], []) == {}
    answered = ItemScore(True, 1.0, True, True, False, True, 1, 1, 5.0, headline_facts=False)
    assert aggregate([answered], [True])["answer_fact_accuracy"] == 0.0
    assert aggregate([answered], [True])["fact_accuracy"] == 1.0


def test_comparison_items_ask_across_every_named_call(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()
    for quarter, revenue in (("first", "12.5"), ("second", "14.0")):
        (calls / f"acme-{quarter}.json").write_text(json.dumps([
            {"speaker": "Operator", "text": f"Welcome to the Acme {quarter} quarter 2025 call."},
            {"speaker": "Jane Roe", "title": "Chief Financial Officer",
             "text": f"Revenue in the {quarter} quarter was {revenue} million dollars."},
        ]), encoding="utf-8")
    gold = tmp_path / "cmp.yaml"
    gold.write_text(yaml.safe_dump({"transcripts": "calls", "items": [{
        "id": "rev-q1-q2", "kind": "comparison", "question": "What was revenue in each quarter?",
        "transcript": ["acme-first.json", "acme-second.json"], "answerable": True,
        "facts": [["12.5 million"]],
        "evidence": ["Revenue in the first quarter was 12.5 million dollars.",
                     "Revenue in the second quarter was 14.0 million dollars."]}]}),
        encoding="utf-8")
    report = harness.run(gold, k=4)
    (result,) = report.items
    assert result.layout == "json" and result.kind == "comparison"
    assert report.metrics["evidence_recall_at_k"] == 1.0
    assert report.metrics["citation_validity"] == 1.0


def test_set_thresholds_are_keyed_by_the_gold_file_stem(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text("[tool.qa.eval]\nfact_accuracy = 0.6\n\n"
                         "[tool.qa.eval.sets.attr-tune]\nspeaker_accuracy = 0.9\n", encoding="utf-8")
    assert config.thresholds(pyproject) == {"fact_accuracy": 0.6}
    assert config.thresholds(pyproject, gold_set="other") == {"fact_accuracy": 0.6}
    assert config.thresholds(pyproject, gold_set="attr-tune") == {"speaker_accuracy": 0.9}
    assert config.thresholds(pyproject, ["role_accuracy=0.5"], "attr-tune") == {
        "speaker_accuracy": 0.9, "role_accuracy": 0.5}
    pyproject.write_text("[tool.qa.eval.sets.attr-tune]\nspeaker_acc = 0.9\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown metric"):
        config.thresholds(pyproject, gold_set="attr-tune")


def test_cli_takes_several_gold_files_and_gates_each(tmp_path: Path) -> None:
    from eval.cli import eval_cmd

    a = _attribution_gold(tmp_path, [
        _label("ok", "What drove the margin gain?", speaker="Mary Major", role="analyst")], "set-a")
    b = _attribution_gold(tmp_path, [
        _label("bad", "Mostly pricing and a better mix.", speaker="Jane Roe")], "set-b")
    result = CliRunner().invoke(eval_cmd, [str(a), str(b), "--min", "speaker_accuracy=0.9"])
    assert result.exit_code == 1
    assert "== set-a" in result.stdout and "== set-b" in result.stdout
    assert "ATTRIBUTION, ALL SETS" in result.stdout
    assert "eval gate failed: set-b: speaker_accuracy = 0 (needs >= 0.9)" in result.stderr
    result = CliRunner().invoke(eval_cmd, [str(a), str(b), "--json", "--no-gate"])
    data = json.loads(result.stdout)
    assert [r["set"] for r in data["reports"]] == ["set-a", "set-b"]
    assert data["combined_attribution"]["all"]["metrics"]["speaker_accuracy"] == 0.5
    assert data["passed"] is True
