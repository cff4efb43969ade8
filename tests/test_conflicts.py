"""qa.conflicts: quotes that give different values for the asked metric, which one is trusted and
why, and how it is shown; end to end on the sample call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from index.store import Store
from index.types import Role, Section
from qa import conflicts, render, screen
from qa.cli import cli
from qa.conflicts import FigureConflict, flag
from qa.pipeline import Asker
from qa.types import Answer, Citation

from .conftest import SAMPLE

CASH_Q = "What was net operating cash flow for the quarter?"
CFO_CASH = "Third, we have recorded a net inflow of operating cash flow amounting to 151.2 million RMB."
CEO_CASH = ("Net operating cash inflow amounted to RMB $115 million, once again demonstrating our "
            "cash-generating ability from operating activities.")

_next_start = [0]


def cite(quote: str, role: Role = Role.CFO, section: Section = Section.PREPARED,
         rendering: str = "original", speaker: str | None = None, transcript: str = "call",
         title: str | None = None) -> Citation:
    """A citation at its own place in the call (offsets only need to differ)."""
    _next_start[0] += 1000
    start = _next_start[0]
    names = {Role.CFO: "Henry Hou", Role.CEO: "Zhou Tao", Role.ANALYST: "Timothy Tsao"}
    return Citation(quote, transcript, start, start + len(quote), turn=start // 1000,
                    speaker=speaker or names.get(role, "Someone"), role=role, section=section,
                    title=title, rendering=rendering, verified=True)


def ask(question: str, *cited: Citation) -> Answer:
    return Answer(question, cited[0].quote, True, citations=cited)


def unchanged(question: str, *cited: Citation, candidates: tuple[Citation, ...] = ()) -> None:
    answer = ask(question, *cited)
    assert flag(answer, list(candidates)) == answer


def only(answer: Answer) -> FigureConflict:
    assert len(answer.conflicts) == 1, answer.conflicts
    return answer.conflicts[0]


def figures(c: FigureConflict) -> list[str]:
    return [v.figure for v in c.values]


# A conflict, and which value is trusted ------------------------------------------------------


def test_cfo_prepared_figure_is_trusted_over_the_interpreters_rendering() -> None:
    cfo = cite(CFO_CASH)
    ceo = cite(CEO_CASH, Role.CEO, rendering="interpreted")
    c = only(flag(ask(CASH_Q, cfo, ceo), []))
    assert figures(c) == ["151.2 million RMB", "RMB $115 million"]
    assert c.values[0].citation == cfo and c.values[1].citation == ceo
    assert c.trusted == 0
    assert c.metric == "net operating cash flow"
    assert c.why == "the CFO's prepared figure over the interpreter's rendering of Zhou Tao."


def test_interpreter_is_trusted_over_the_machine_translation() -> None:
    machine = cite("Adjusted gross profit reached RMB 3.2 billion.", Role.CEO, rendering="machine")
    interpreted = cite("Adjusted gross profits reached RMB 323 million, increased by 56.4% "
                       "year-over-year.", Role.CEO, rendering="interpreted")
    c = only(flag(ask("What was adjusted gross profit?", machine, interpreted), []))
    assert figures(c) == ["RMB 3.2 billion", "RMB 323 million"]
    assert c.values[c.trusted].figure == "RMB 323 million" and c.trusted == 1
    assert c.why == "the interpreter's rendering over the machine translation."


def test_management_is_trusted_over_an_analysts_question() -> None:
    analyst = cite("You mentioned operating cash flow of 115 million RMB.", Role.ANALYST,
                   Section.QA)
    cfo = cite("Operating cash flow was 151.2 million RMB.", Role.CFO, Section.QA)
    c = only(flag(ask("What was operating cash flow?", analyst, cfo), []))
    assert c.values[c.trusted].citation == cfo and c.trusted == 1
    assert c.why == "management's figure over an analyst's question."


def test_cfo_prepared_figure_is_trusted_over_a_restatement_in_qa() -> None:
    qa = cite("Operating cash flow was 115 million RMB.", Role.CFO, Section.QA)
    prepared = cite("Operating cash flow reached 151.2 million RMB.", Role.CFO)
    c = only(flag(ask("What was operating cash flow?", qa, prepared), []))
    assert c.values[c.trusted].citation == prepared
    assert c.why == "the CFO's prepared figure over a restatement in Q&A."


def test_prepared_remarks_are_trusted_over_qa_when_no_cfo_speaks() -> None:
    qa = cite("Operating cash flow was 115 million RMB.", Role.CEO, Section.QA)
    prepared = cite("Operating cash flow reached 151.2 million RMB.", Role.CEO)
    c = only(flag(ask("What was operating cash flow?", qa, prepared), []))
    assert c.values[c.trusted].citation == prepared
    assert c.why == "the prepared remarks over a restatement in Q&A."


def test_a_figure_two_quotes_agree_on_is_trusted_over_one_given_once() -> None:
    """The sample's adjusted gross profit: the CFO says 333.4 and 323.4 million, the
    interpreter 323 million."""
    first = cite("This quarter, our adjusted gross margin reached 17.1%. marking eight consecutive "
                 "quarters of steady growth, while adjusted gross profit hit 333.4 million RMB.")
    second = cite("Our adjusted gross profit for the quarter worth 323.4 million RMB, a 56.4% "
                  "increase year-over-year, with an adjusted gross margin of 17.1%.")
    interpreter = cite("Adjusted gross profits reached RMB 323 million, increased by 56.4% "
                       "year-over-year.", Role.CEO, rendering="interpreted")
    a = flag(ask("What was adjusted gross profit?", first, second, interpreter), [])
    c = only(a)
    assert figures(c) == ["333.4 million RMB", "323.4 million RMB"]
    assert c.trusted == 1
    assert c.why == "[3] gives the same figure; 333.4 million RMB is given only once."


def test_two_figures_no_rule_tells_apart_are_left_alone() -> None:
    """The same speaker in the same part of the call, nothing to confirm either: more likely
    two periods or segments than an error, and nothing to say which to trust."""
    unchanged("What was adjusted gross profit?",
              cite("Adjusted gross profit hit 333.4 million RMB."),
              cite("Our adjusted gross profit for the quarter was 323.4 million RMB."))


def test_flagging_twice_changes_nothing() -> None:
    a = flag(ask(CASH_Q, cite(CFO_CASH)), [cite(CEO_CASH, Role.CEO, rendering="interpreted")])
    assert len(a.conflicts) == 1 and len(a.citations) == 2
    assert flag(a, []) == a


# What is not a conflict -----------------------------------------------------------------------


def test_one_figure_in_two_scales_is_not_a_conflict() -> None:
    unchanged("What was total revenue?",
              cite("Total revenues for this quarter were 1,891.8 million RMB, a 3.1% increase."),
              cite("Our revenues reached RMB 1.89 billion, not only a sequential growth of 6.5%.",
                   Role.CEO, rendering="interpreted"))


def test_this_year_against_last_year_is_not_a_conflict() -> None:
    unchanged("What was operating cash flow?",
              cite("Operating cash flow was 151.2 million RMB compared to 98 million RMB last year."),
              cite("Operating cash flow reached RMB 151 million.", Role.CEO))
    unchanged("What was operating cash flow?",
              cite("Operating cash flow was 151.2 million RMB."),
              cite("A year ago, operating cash flow was 98 million RMB.", Role.CEO))


def test_growth_rates_next_to_amounts_are_not_a_conflict() -> None:
    unchanged("What was adjusted gross profit?",
              cite("Adjusted gross profits reached RMB 323 million, increased by 56.4% year-over-year."),
              cite("Adjusted gross profit grew 50% to RMB 323.4 million."),
              cite("Our adjusted gross profit for the quarter worth 323.4 million RMB, a 56.4% "
                   "increase year-over-year."))


def test_a_range_a_hedge_or_a_forecast_is_not_a_conflict() -> None:
    unchanged("What was capex?", cite("Capex was 654.8 million RMB."),
              cite("Capex was between RMB 600 and 700 million.", Role.CEO))
    unchanged("What was capex?", cite("Capex was 654.8 million RMB."),
              cite("Capex was about RMB 600 million.", Role.CEO))
    unchanged("What was capex?", cite("Capex was 654.8 million RMB."),
              cite("We expect capex to reach RMB 900 million.", Role.CEO))


def test_two_metrics_in_one_sentence_are_not_a_conflict() -> None:
    unchanged("What was adjusted EBITDA?",
              cite("Adjusted EBITDA reached RMB 60.59 million, and adjusted EBITDA margin reached 3.2%."),
              cite("Adjusted EBITDA margin was 3.5%, adjusted EBITDA was 60.6 million RMB."))
    unchanged("What was revenue?",
              cite("Revenues from public cloud services were 1,234.5 million RMB."),
              cite("Total revenues for this quarter were 1,891.8 million RMB."))


def test_different_changes_or_scopes_mean_different_periods_or_segments() -> None:
    """Year-to-date and the quarter, said alike; two segments, scoped by an opening clause."""
    unchanged("What was adjusted EPS?",
              cite("Adjusted earnings per share increased by 17% to $0.84 per share."),
              cite("Adjusted earnings per share increased 23% to $1.86 per share.", Role.CEO))
    unchanged("What was adjusted operating margin?",
              cite("In North America, adjusted operating margin was 12.1%."),
              cite("In Europe, adjusted operating margin was 8.3%.", Role.CEO))


def test_other_calls_and_other_currencies_are_not_a_conflict() -> None:
    unchanged("What was operating cash flow?", cite("Operating cash flow was 151.2 million RMB."),
              cite("Operating cash flow was 115 million RMB.", transcript="other-call"))
    unchanged("What was operating cash flow?", cite("Operating cash flow was 151.2 million RMB."),
              cite("Operating cash flow was US$21 million.", Role.CEO))


def test_a_refusal_is_returned_unchanged() -> None:
    answer = Answer(CASH_Q, "The call does not say.", False,
                    nearest=(cite(CFO_CASH), cite(CEO_CASH, Role.CEO, rendering="interpreted")))
    assert flag(answer, list(answer.nearest)) is answer


def test_candidates_that_disagree_only_among_themselves_are_left_out() -> None:
    unchanged(CASH_Q, cite("As of June 30th, our cash and cash equivalents totaled 1,837.8 million RMB."),
              candidates=(cite(CFO_CASH), cite(CEO_CASH, Role.CEO, rendering="interpreted")))


def test_only_answers_quoting_a_figure_for_the_metric_are_worth_checking() -> None:
    assert conflicts.worth_checking(ask(CASH_Q, cite(CFO_CASH)))
    assert not conflicts.worth_checking(ask(CASH_Q, cite("Cash generation was strong.")))
    assert not conflicts.worth_checking(ask("How fast did operating cash flow grow?", cite(CFO_CASH)))
    assert not conflicts.worth_checking(Answer(CASH_Q, "The call does not say.", False,
                                               nearest=(cite(CFO_CASH),)))


# Extra citations, JSON and display -------------------------------------------------------------


def test_a_candidate_holding_the_other_value_is_appended_and_quoted() -> None:
    cfo = cite(CFO_CASH)
    ceo = cite(CEO_CASH, Role.CEO, rendering="interpreted")
    other = cite("Capital expenditures for this quarter was 654.8 million RMB.")
    a = flag(ask(CASH_Q, cfo), [other, ceo, cfo])
    assert a.citations == (cfo, ceo)
    c = only(a)
    assert [conflicts.number_of(a, v.citation) for v in c.values] == [1, 2]


def test_json_numbers_the_citations_as_displayed() -> None:
    cfo = cite(CFO_CASH)
    ceo = cite(CEO_CASH, Role.CEO, rendering="interpreted", title="Vice Chairman and the CEO")
    data = flag(ask(CASH_Q, ceo, cfo), []).to_json()
    assert data["conflicts"] == [{
        "metric": "net operating cash flow",
        "trusted": 1,
        "why": "the CFO's prepared figure over the interpreter's rendering of Zhou Tao.",
        "values": [
            {"figure": "RMB $115 million", "citation": 1,
             "who": "Zhou Tao, Vice Chairman and the CEO, via the interpreter"},
            {"figure": "151.2 million RMB", "citation": 2, "who": "Henry Hou, CFO"},
        ],
    }]
    assert Answer("q", "a", True).to_json()["conflicts"] == []


def test_plain_and_rich_displays_show_one_warning_line_after_the_answer() -> None:
    a = flag(ask(CASH_Q, cite(CFO_CASH, title="CFO"),
                 cite(CEO_CASH, Role.CEO, rendering="interpreted")), [])
    line = ("\u26a0 The call gives two figures for net operating cash flow: 151.2 million RMB [1] "
            "(Henry Hou, CFO) and RMB $115 million [2] (Zhou Tao, CEO, via the interpreter). "
            "Trusting [1]: the CFO's prepared figure over the interpreter's rendering of Zhou Tao.")
    plain = render.answer_text(a)
    assert plain.split("\n\n")[0] == a.text
    assert " ".join(plain.split("\n\n")[1].split("\n")) == line
    assert "\x1b" not in plain
    console = Console(width=400, color_system=None, record=True)
    console.print(screen.answer_view(console, a))
    shown = console.export_text().split("\n\n")
    assert shown[0].strip() == a.text and shown[1].strip() == line


# End to end on the sample call ----------------------------------------------------------------


@pytest.fixture(scope="module")
def asker(sample_index: Path) -> Asker:
    return Asker(Store(sample_index))


def test_sample_operating_cash_flow_gives_both_values_and_trusts_the_cfo(asker: Asker) -> None:
    a = asker.ask(CASH_Q)
    c = only(a)
    assert sorted(figures(c)) == ["151.2 million RMB", "RMB $115 million"]
    trusted = c.values[c.trusted]
    assert trusted.figure == "151.2 million RMB"
    assert trusted.citation.role == Role.CFO and trusted.citation.section == Section.PREPARED
    other = next(v for v in c.values if v is not trusted)
    assert other.citation.rendering == "interpreted" and other.citation.speaker == "Zhou Tao"
    source = SAMPLE.read_text(encoding="utf-8")
    for v in c.values:
        n = conflicts.number_of(a, v.citation)
        assert n is not None
        shown = a.citations[n - 1]
        assert shown.verified and source[shown.start : shown.end] == shown.quote
        assert v.figure in shown.quote


def test_sample_adjusted_gross_profit_trusts_the_figure_the_interpreter_confirms(
        asker: Asker) -> None:
    c = only(asker.ask("What was adjusted gross profit?"))
    assert sorted(figures(c)) == ["323.4 million RMB", "333.4 million RMB"]
    assert c.values[c.trusted].figure == "323.4 million RMB"


def test_sample_figures_that_agree_get_no_warning(asker: Asker) -> None:
    for question in ("What was total revenue in Q2?", "Where did adjusted gross margin land?",
                     "How much AI revenue did they book in the quarter?"):
        a = asker.ask(question)
        assert a.answerable and a.conflicts == (), question


def test_sample_cli_prints_the_warning_and_the_json(sample_index: Path) -> None:
    run = CliRunner().invoke(cli, ["ask", CASH_Q, "--index", str(sample_index)])
    assert run.exit_code == 0
    assert "\u26a0 The call gives two figures for net operating cash flow: " in run.stdout
    run = CliRunner().invoke(cli, ["ask", CASH_Q, "--index", str(sample_index), "--json"])
    data = json.loads(run.stdout)
    (c,) = data["conflicts"]
    trusted = c["values"][c["trusted"]]
    assert trusted["figure"] == "151.2 million RMB"
    assert "151.2 million" in data["citations"][trusted["citation"] - 1]["quote"]
