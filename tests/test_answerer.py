"""The offline answerer on questions as analysts ask them: naming the company or the quarter,
two parts, comparisons across calls, and the refusal threshold's calibration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from eval.calibrate import Point, best, sweep
from index.store import Store
from qa import compare
from qa.extractive import MIN_COVERAGE, Sentence
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


def test_a_later_part_keeps_the_subject_of_the_part_before() -> None:
    from qa.extractive import _parts

    q = analyse("How much stock did they repurchase in Q3, and what's planned for Q4?")
    plan = _parts(q, [])[1]
    assert "buyback" in plan.core and plan.forward  # a plan of buybacks, not any plan
    price = _parts(analyse("How many shares were bought back in Q3 and for how much?"), [])[1]
    assert price.needs_figure and "buyback" in price.core


def test_a_count_is_not_answered_by_a_length_of_time() -> None:
    from qa.extractive import _gives

    q = analyse("How many shares were bought back in the quarter?")
    assert not _gives(q, "Over the last 12 months, we repurchased 27% of our shares outstanding.")
    assert _gives(q, "During the third quarter, we purchased 7.9 million shares for $879 million.")


def test_shares_purchased_read_as_a_buyback() -> None:
    from index.text import words

    assert "buyback" in words("During the quarter, we purchased 7.9 million shares of our stock.")
    assert "buyback" not in words("We purchased a distribution center in Ohio.")


def test_which_companies_needs_a_sentence_that_names_one() -> None:
    from qa.extractive import _names_one

    q = analyse("Which external large-model companies are their AI customers?")
    assert q.needs_name and not analyse("What was total company marketing expense?").needs_name
    assert not _names_one("Our AI customer base also further diversified, including large "
                          "language model companies, self-driving, and others.", q)
    assert _names_one("Customers now include Baidu and MiniMax.", q)
    assert not _names_one("In September, customers renewed.", q)  # a month is not a name


def test_what_helped_is_a_why_question() -> None:
    assert analyse("What helped margin expansion in Q1?").kind.why
    assert analyse("What weighed on gross margin?").kind.why
    assert not analyse("What was gross margin?").kind.why
    pushed = analyse("What pushed gross margin down from a year ago?")
    assert pushed.kind.why and "push" not in pushed.core and {"gross", "margin"} <= set(pushed.core)


def test_a_comparison_with_last_year_reads_as_year_over_year() -> None:
    from index.text import content_words

    assert "yoy" in content_words("Why was gross margin lower than last year?")
    assert "yoy" in content_words("Gross margin declined 50 basis points year-over-year.")
    assert "yoy" in content_words("Sales rose 4% compared with the prior-year quarter.")
    assert "yoy" not in content_words("Last year we closed 40 stores.")


def test_a_sentence_announcing_a_list_is_answered_with_the_list() -> None:
    from index.parse import parse_text
    from qa.extractive import Sentence, _listed

    text = ("Acme Corp (ACME) Q1 2021 Earnings Call Transcript\n"
            "Thank you, operator.\nIn Q1, margin expansion was helped by two factors.\n"
            "First, organic revenue growth exceeded our outlook.\n"
            "Second, last year had higher T&E expenses.\nThird, unrelated remark.\n")
    t = parse_text(text, Path("ACME_q1_2021.txt"), "0" * 64, force=True)
    turn = next(u for u in t.turns if "two factors" in u.text)
    a = turn.text.index("In Q1")
    b = turn.text.index("factors.") + len("factors.")
    start, end = t.file_span(turn, a, b)
    listed = _listed(Sentence(t, turn, start, end, turn.text[a:b], 0))
    assert [s.text.split(",")[0] for s in listed] == ["First", "Second"]
    assert all(t.span(s.start, s.end) == s.text for s in listed)  # verbatim, at its offsets
    plain = Sentence(t, turn, start, end, "In Q1, margin expanded.", 0)
    assert _listed(plain) == []


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


def test_the_model_prompt_carries_the_question_analysis() -> None:
    from qa.llm import build_messages, prompt_hints

    def prompt(question: str) -> str:
        messages, _ = build_messages(question, [], "text", len, 10_000, prompt_hints(analyse(question)))
        return messages[-1]["content"]

    assert "which ones by name" in prompt("Which companies are their largest AI customers?")
    assert "which ones by name" not in prompt("What was total revenue?")
    assert "2 parts" in prompt("How much stock did they repurchase in Q3, and what's planned for Q4?")


def test_guidance_in_words_is_a_figure() -> None:
    from qa.extractive import _gives

    q = analyse("What's the updated GAAP EPS growth outlook for 2021?")
    assert _gives(q, "On a GAAP basis, we still expect EPS growth in the low-to-mid single digits.")
    assert _gives(analyse("What operating margin do they target?"), "a mid-teens operating margin")
    assert not _gives(q, "We remain a single-brand company.")


def test_earnings_per_share_read_alike() -> None:
    from index.text import content_words

    assert {"dilut", "eps"} <= set(content_words("Earnings per diluted share were $4.75."))
    assert "eps" in content_words("We reported net income of $34.8 million or $0.89 per share.")
    assert "eps" not in content_words("The board declared a dividend of $0.24 per share.")


def _offline_answer(text: str, question: str) -> Answer:
    """The offline answerer over a small one-sentence-per-line call, every chunk retrieved."""
    from index.chunk import chunk_transcript
    from index.parse import parse_text
    from index.store import Hit
    from qa import extractive

    t = parse_text(text, Path("ACME_q1_2021.txt"), "0" * 64, force=True)
    words = lambda s: len(s.split())  # noqa: E731 -- chunk size is not under test
    hits = [Hit(c, 1.0, i) for i, c in enumerate(chunk_transcript(t, words, words, 256))]
    return extractive.answer(question, hits, {t.id: t})


def _ranked(text: str, question: str) -> list[tuple[Sentence, tuple[float, float]]]:
    from index.chunk import chunk_transcript
    from index.parse import parse_text
    from index.store import Hit
    from qa import extractive

    t = parse_text(text, Path("ACME_q1_2021.txt"), "0" * 64, force=True)
    words = lambda s: len(s.split())  # noqa: E731 -- chunk size is not under test
    hits = [Hit(c, 1.0, i) for i, c in enumerate(chunk_transcript(t, words, words, 256))]
    sentences, bm = extractive._pool(hits, {t.id: t})
    scores = extractive._score(analyse(question), sentences, bm, len(hits))
    return list(zip(sentences, scores, strict=True))


def test_a_why_answer_may_follow_the_sentence_that_states_the_effect() -> None:
    call = ("Acme Corp (ACME) Q1 2021 Earnings Call Transcript\n"
            "Thank you, operator, and good morning.\n"
            "Net sales rose 4% to $812 million in the quarter.\n"
            "The net interest margin decreased to 3.19% in the first quarter from 3.32%.\n"
            "The decrease was due to lower fee income as well as lower loan yields.\n"
            "Deposits grew 2% sequentially.\n")
    a = _offline_answer(call, "What caused the net interest margin to decline?")
    assert a.answerable
    assert any("lower loan yields" in c.quote for c in a.citations), a.citations
    # alone, "The decrease was due to ..." names no margin: it is found by what it follows
    ranked = {s.text.split()[1]: cov for s, (_score, cov) in _ranked(
        call, "What caused the net interest margin to decline?")}
    assert ranked["decrease"] == ranked["net"] >= MIN_COVERAGE
    unrelated = {s.text.split()[1]: cov for s, (_score, cov) in _ranked(
        call, "How much did net sales grow?")}
    assert unrelated["decrease"] < MIN_COVERAGE  # not a "why" question: no inheritance


def test_calibration_pools_several_gold_files(sample_index: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from eval.calibrate import main

    index = tmp_path / "index"
    shutil.copytree(sample_index, index)
    gold = str(ROOT / "eval" / "gold" / "kingsoft-cloud-2024q2.yaml")

    def run(*golds: str) -> tuple[int, int, str]:
        assert main([*golds, "--index", str(index)]) == 0
        text = capsys.readouterr().out
        counts = text.splitlines()[0].split(": ")[1]  # "60 answerable, 11 unanswerable"
        answerable, unanswerable = (int(part.split()[0]) for part in counts.split(", "))
        chosen = next(line for line in text.splitlines() if "<- best" in line).split()[0]
        return answerable, unanswerable, chosen

    single, pooled = run(gold), run(gold, gold)
    assert pooled[:2] == (2 * single[0], 2 * single[1])  # every question of both files
    assert pooled[2] == single[2]  # the same shares, so the same threshold


def test_a_company_named_by_words_whose_initials_are_its_ticker_is_compared() -> None:
    assert _ids("How did Capital One Financial's CET1 ratio in Q2 2021 compare with Q1?") == [
        "cof-2021q1", "cof-2021q2"]


def test_a_count_may_be_spelled_out() -> None:
    from qa.extractive import _gives

    q = analyse("How many stores are being closed this year?")
    assert _gives(q, "We're closing roughly seven stores this year.")
    assert not _gives(q, "It took us two years to close them.")  # a length of time
    assert not _gives(analyse("What was revenue in dollars?"), "We opened seven stores.")


def test_periods_named_relative_to_the_call() -> None:
    from qa.extractive import _relative

    assert _relative("How many stores are being closed this year?") == {"this year"}
    assert _relative("Sales for the prior year were flat.") == {"last year"}
    assert _relative("Why was gross margin lower than last year?") == set()  # a comparison base


def test_this_year_is_not_answered_by_last_year() -> None:
    call = ("Acme Corp (ACME) Q2 2016 Earnings Call Transcript\n"
            "Thank you, operator.\n"
            "As a reminder, last year we closed roughly 40 stores.\n"
            "We're closing roughly seven stores this year.\n"
            "Our new format is in 500 stores.\n")
    ranked = sorted(_ranked(call, "How many stores are being closed this year?"),
                    key=lambda pair: -pair[1][0])
    assert ranked[0][0].text.startswith("We're closing roughly seven")
