"""The offline answerer on questions as analysts ask them: naming the company or the quarter,
two parts, comparisons across calls, and the refusal threshold's calibration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eval.calibrate import Point, best, sweep
from index.store import Store
from qa import compare
from qa.pipeline import Asker
from qa.question import AMOUNT, RATE, analyse
from qa.types import NOT_SAID, Answer

ROOT = Path(__file__).resolve().parents[1]
NORTHWIND = ROOT / "eval" / "gold" / "transcripts" / "northwind-freight-2025q3.txt"


# -- question analysis -----------------------------------------------------------------------------


def test_names_and_periods_scope_the_question_but_need_not_be_covered() -> None:
    q = analyse("How many COVID tests did Abbott sell in Q3 2021?", ["Abbott Laboratories", "ABT"])
    assert "abbott" in q.terms and "abbott" not in q.core
    assert {"covid", "test", "sell"} <= set(q.core)
    assert "2021" not in q.core and q.periods == ("Q3 2021",)


def test_a_name_whose_initials_are_the_ticker_scopes() -> None:
    q = analyse("How much did General Dynamics spend on share repurchases?", ["GD"])
    assert "general" not in q.core and "dynamic" not in q.core
    assert {"spend", "buyback"} <= set(q.core)


def test_parts_of_a_question() -> None:
    assert analyse("How much stock did they repurchase in Q3, and what's planned for Q4?").parts == (
        "How much stock did they repurchase in Q3", "what's planned for Q4?")
    assert analyse("What were revenue and free cash flow this quarter?").parts == (
        "What were revenue", "What were free cash flow this quarter?")
    # one thing, not two: a folded phrase, or a shared head noun
    assert len(analyse("What was research and development spend?").parts) == 1
    assert len(analyse("What are the debt paydown and buyback plans for the rest of 2021?").parts) == 1
    assert len(analyse("How did EPS compare between Q1 and Q2 2021?").parts) == 1


def test_the_unit_asked_for() -> None:
    assert analyse("What was total revenue in dollars?").unit == AMOUNT
    assert analyse("How many shares did they buy back?").unit == AMOUNT
    assert analyse("What was the operating margin?").unit == RATE
    assert analyse("How much did sales grow?").unit is None  # a change: either way
    assert analyse("What was the operating margin?").needs_figure
    assert not analyse("Why did the operating margin fall?").needs_figure


def test_guidance_questions_are_forward_looking_but_who_questions_are_not() -> None:
    assert analyse("What's the FY21 net sales guide?").forward
    assert not analyse("What was net sales growth?").forward
    assert not analyse("Who fielded the question on the CDN outlook?").forward


# -- comparisons: which calls ----------------------------------------------------------------------

ROWS = [
    {"id": "cof-2021q1", "company": "COF", "ticker": "COF", "period": "2021Q1"},
    {"id": "cof-2021q2", "company": "COF", "ticker": "COF", "period": "2021Q2"},
    {"id": "afl-2021q1", "company": "Aflac", "ticker": "AFL", "period": "2021Q1"},
    {"id": "afl-2021q2", "company": "Aflac Japan", "ticker": "AFL", "period": "2021Q2"},
    {"id": "acn-2022q1", "company": "Accenture", "ticker": "ACN", "period": "2022Q1"},
    {"id": "cvs-2021q3", "company": "CVS Health", "ticker": "CVS", "period": "2021Q3"},
]


def _ids(question: str, scoped: list[str] | None = None) -> list[str]:
    return [c.transcript for c in compare.calls(analyse(question), ROWS, scoped)]


def test_two_quarters_of_one_company_are_two_calls() -> None:
    assert _ids("How did Aflac's adjusted EPS change from Q1 to Q2 2021?") == ["afl-2021q1",
                                                                             "afl-2021q2"]
    assert _ids("How did the COF CET1 ratio move from Q1 to Q2 2021?") == ["cof-2021q1",
                                                                          "cof-2021q2"]


def test_two_companies_are_two_calls_and_labels_use_the_ticker() -> None:
    calls = compare.calls(analyse("Accenture vs CVS revenue growth"), ROWS, None)
    assert [c.transcript for c in calls] == ["cvs-2021q3", "acn-2022q1"]
    assert [c.label for c in calls] == ["CVS 2021Q3", "ACN 2022Q1"]


def test_ambiguous_or_single_questions_are_not_comparisons() -> None:
    assert _ids("How did EPS change from Q1 to Q2 2021?") == []  # two companies have both
    assert _ids("What was Aflac's EPS?") == []
    assert _ids("How did EPS compare?", scoped=["afl-2021q1", "afl-2021q2"]) == ["afl-2021q1",
                                                                                "afl-2021q2"]


def test_combine_labels_each_call_and_keeps_its_quotes() -> None:
    calls = [compare.Call("a", "AFL 2021Q1"), compare.Call("b", "AFL 2021Q2")]
    answers = [Answer("q", "EPS was $1.63", True), Answer("q", NOT_SAID, False)]
    combined = compare.combine("q", list(zip(calls, answers, strict=True)))
    assert combined.answerable
    assert combined.text == f"AFL 2021Q1: EPS was $1.63 | AFL 2021Q2: {NOT_SAID}"


# -- calibration ---------------------------------------------------------------------------------


def test_calibration_picks_the_threshold_with_the_best_difference() -> None:
    rows = [("a1", True, 0.9), ("a2", True, 0.6), ("a3", True, 0.3),
            ("u1", False, 0.2), ("u2", False, 0.5)]
    points = sweep(rows, step=0.1)
    chosen = best(points)
    # refused below the threshold: at 0.3, 1 of 2 unanswerable and 0 of 3 answerable (J 0.5);
    # at 0.6, 2 of 2 and 1 of 3 (J 0.67), the best
    assert chosen.threshold == pytest.approx(0.6)
    assert chosen.refusal_accuracy == 1.0 and chosen.false_refusal_rate == pytest.approx(1 / 3)
    tie = [Point(0.4, 1.0, 0.2), Point(0.5, 1.0, 0.2)]
    assert best(tie, current=0.5).threshold == 0.5 and best(tie).threshold == 0.4


# -- end to end on real calls ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_calls(sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Asker:
    """The sample and the fictional Northwind call in one index."""
    from index.indexer import index_paths

    path = tmp_path_factory.mktemp("two-calls") / "index"
    shutil.copytree(sample_index, path)
    store = Store(path)
    _results, failures = index_paths(store, [NORTHWIND])
    assert not failures
    return Asker(store)


def test_a_question_naming_the_company_and_quarter_is_answered(two_calls: Asker) -> None:
    a = two_calls.ask("What was Kingsoft Cloud's total revenue in Q2 2024?",
                      transcripts=["kingsoft-cloud-2024q2"])
    assert a.answerable and "1,891.8 million" in a.text


def test_a_two_part_question_gets_both_parts(two_calls: Asker) -> None:
    a = two_calls.ask("What were adjusted EBITDA and EBITDA margin?",
                      transcripts=["kingsoft-cloud-2024q2"])
    assert a.answerable and "60.59 million" in a.text and "3.2%" in a.text


def test_a_comparison_of_two_companies_is_answered_per_call(two_calls: Asker) -> None:
    a = two_calls.ask("Compare Kingsoft Cloud and Northwind Freight total revenue")
    assert a.answerable
    first, second = a.text.split(" | ")
    assert "1,891.8 million" in first or "1,891.8 million" in second
    assert "$1,418.6 million" in first or "$1,418.6 million" in second
    assert {c.transcript for c in a.citations} == {"kingsoft-cloud-2024q2", "nwf-2025q3"}


def test_an_unanswerable_question_is_refused(two_calls: Asker) -> None:
    a = two_calls.ask("How many employees does Kingsoft Cloud have?",
                      transcripts=["kingsoft-cloud-2024q2"])
    assert not a.answerable and a.text == NOT_SAID


def test_a_large_scope_is_compared_only_on_the_calls_the_question_names() -> None:
    everything = [r["id"] for r in ROWS]
    assert _ids("How did the CET1 ratio compare?", scoped=everything) == []
    assert _ids("How did COF's CET1 ratio move from Q1 to Q2 2021?", scoped=everything) == [
        "cof-2021q1", "cof-2021q2"]
