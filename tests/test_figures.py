"""qa.figures: finding figures in text, comparing them, and flagging an answer's unbacked ones."""

from __future__ import annotations

import pytest

from qa.figures import Figure, extract_figures, same_figure, unbacked


def one(text: str) -> Figure:
    figures = extract_figures(text)
    assert len(figures) == 1, figures
    return figures[0]


# extract_figures: every written form ---------------------------------------------------------

FORMS = [
    # sentence, figure text, value, kind, decimals, scale
    ("Revenue was RMB 1.89 billion.", "RMB 1.89 billion", 1.89e9, "amount", 2, 1e9),
    ("revenues were 1,891.8 million RMB, up", "1,891.8 million RMB", 1.8918e9, "amount", 1, 1e6),
    ("revenues reached RMB1,891.8 million", "RMB1,891.8 million", 1.8918e9, "amount", 1, 1e6),
    ("margin reached 17.1%, a record", "17.1%", 17.1, "percent", 1, 1),
    ("margin reached 17.1 per cent.", "17.1 per cent", 17.1, "percent", 1, 1),
    ("margin of 17 percent", "17 percent", 17.0, "percent", 0, 1),
    ("grew six point five percent year over year", "six point five percent", 6.5, "percent", 1, 1),
    ("an increase of 6.5 percentage points", "6.5 percentage points", 6.5, "points", 1, 1),
    ("up 3 ppts", "3 ppts", 3.0, "points", 0, 1),
    ("down 2.1pts", "2.1pts", 2.1, "points", 1, 1),
    ("improved by 50 basis points", "50 basis points", 0.5, "points", 0, 0.01),
    ("improved by 25bps", "25bps", 0.25, "points", 0, 0.01),
    ("dropped nearly 300 million yuan, accounting", "300 million yuan", 3e8, "amount", 0, 1e6),
    ("decreased by approximately RMB 300 million", "RMB 300 million", 3e8, "amount", 0, 1e6),
    ("reduced to three hundred million", "three hundred million", 3e8, "amount", 0, 1e6),
    ("capex of $115 million.", "$115 million", 1.15e8, "amount", 0, 1e6),
    ("capex of US$115 million.", "US$115 million", 1.15e8, "amount", 0, 1e6),
    ("a 115 million US dollars facility", "115 million US dollars", 1.15e8, "amount", 0, 1e6),
    ("HK$50 per share", "HK$50", 50.0, "amount", 0, 1),
    ("EBITDA reached RMB60590,000. The", "RMB60590,000", 6.059e7, "amount", 0, 1),
    ("a $300m deal", "$300m", 3e8, "amount", 0, 1e6),
    ("a 1.5bn loan", "1.5bn", 1.5e9, "amount", 1, 1e9),
    ("a 2.5 bn loan", "2.5 bn", 2.5e9, "amount", 1, 1e9),
    ("12k GPUs", "12k", 1.2e4, "amount", 0, 1e3),
    ("5 thousand servers", "5 thousand", 5e3, "amount", 0, 1e3),
    ("a 1.2 trillion market", "1.2 trillion", 1.2e12, "amount", 1, 1e12),
    ("it grew 10 times", "10 times", 10.0, "multiple", 0, 1),
    ("it's ten times year over year growth", "ten times", 10.0, "multiple", 0, 1),
    ("a 2x increase", "2x", 2.0, "multiple", 0, 1),
    ("a 10-fold increase", "10-fold", 10.0, "multiple", 0, 1),
    ("accounting for 26.3% of public cloud", "26.3%", 26.3, "percent", 1, 1),
    ("we have 12,345 employees", "12,345", 12345.0, "amount", 0, 1),
    ("a floor of 300.", "300", 300.0, "amount", 0, 1),
    ("twenty-five percent of revenue", "twenty-five percent", 25.0, "percent", 0, 1),
    ("one hundred and fifty million", "one hundred and fifty million", 1.5e8, "amount", 0, 1e6),
    ("one and a half billion yuan", "one and a half billion yuan", 1.5e9, "amount", 1, 1e9),
    ("one point eight nine billion", "one point eight nine billion", 1.89e9, "amount", 2, 1e9),
    ("zero point five percent", "zero point five percent", 0.5, "percent", 1, 1),
    ("a billion users", "a billion", 1e9, "amount", 0, 1e9),
    ("half a billion users", "half a billion", 5e8, "amount", 1, 1e9),
    ("AI revenue surged, doubling the amount", "doubling", 2.0, "multiple", 0, 1),
]


@pytest.mark.parametrize(("sentence", "text", "value", "kind", "decimals", "scale"), FORMS)
def test_extract_each_written_form(sentence: str, text: str, value: float, kind: str,
                                   decimals: int, scale: float) -> None:
    f = one(sentence)
    assert (f.text, f.kind, f.decimals) == (text, kind, decimals)
    assert f.value == pytest.approx(value)
    assert f.scale == pytest.approx(scale)
    assert sentence[f.start : f.end] == f.text


def test_extract_keeps_order_and_offsets_across_a_sentence() -> None:
    text = ("Revenue was RMB 1.89 billion, up 3.1% year over year in Q2 2024, and adjusted "
            "EBITDA margin reached 6.5 percentage points higher at 3.2%.")
    figures = extract_figures(text)
    assert [f.text for f in figures] == ["RMB 1.89 billion", "3.1%", "6.5 percentage points",
                                         "3.2%"]
    assert all(text[f.start : f.end] == f.text for f in figures)
    assert [f.start for f in figures] == sorted(f.start for f in figures)


@pytest.mark.parametrize(("text", "expected"), [
    ("between 15 and 20 percent", [("15", 15.0, "percent"), ("20 percent", 20.0, "percent")]),
    ("15-20%", [("15", 15.0, "percent"), ("20%", 20.0, "percent")]),
    ("RMB 300 to 400 million", [("RMB 300", 3e8, "amount"), ("400 million", 4e8, "amount")]),
    ("five to six percent", [("five", 5.0, "percent"), ("six percent", 6.0, "percent")]),
])
def test_the_first_number_of_a_range_takes_the_unit_of_the_second(
        text: str, expected: list[tuple[str, float, str]]) -> None:
    assert [(f.text, f.value, f.kind) for f in extract_figures(text)] == expected


def test_and_is_a_range_only_after_between() -> None:
    figures = extract_figures("It rose in 2023 and 20% of users stayed; 3 and 4%.")
    assert [(f.text, f.kind) for f in figures] == [("20%", "percent"), ("3", "amount"),
                                                   ("4%", "percent")]


# extract_figures: what is not a figure -------------------------------------------------------


@pytest.mark.parametrize("text", [
    "In 2024 we grew.",
    "fiscal 2025 guidance",
    "Q2 results",
    "2Q24 results",
    "in Q2 2024.",
    "1H24 and FY2024",
    "the second quarter and the first half",
    "as of June 30th",
    "as of June 30, 2024",
    "as of 30 June",
    "on 8/20/2024",
    "on 2024-08-20",
    "the call starts at 10:30",
    "the eighth consecutive quarter",
    "our 1st priority",
    "I have two questions.",
    "three areas of focus",
    "First of all, thank you.",
    "one of the drivers",
    "a hundred customers",
    "H100 and A800 GPUs",
    "COVID-19 and GPT-4",
    "double-digit growth",
    "we are doubling down on AI",
    "1. Revenue\n2) Margin",
    "our priorities are (1) growth and (2) margin",
    "the 2020s",
])
def test_not_figures(text: str) -> None:
    assert extract_figures(text) == []


def test_a_year_with_a_unit_or_separator_is_a_figure() -> None:
    assert [f.text for f in extract_figures("2024 million, 2,024 servers, RMB 2024")] == [
        "2024 million", "2,024", "RMB 2024"]


# same_figure ---------------------------------------------------------------------------------

SAME = [
    ("1,891.8 million RMB", "RMB 1.89 billion"),
    ("1,891.8 million", "1.9 billion"),
    ("RMB1,891.8 million", "1,891.8 million RMB"),
    ("17.1%", "17%"),
    ("17.1%", "17.1 per cent"),
    ("RMB60590,000", "RMB 60.59 million"),
    ("60,590,000", "60.6 million"),
    ("300 million RMB", "300 million yuan"),
    ("RMB 300 million", "three hundred million"),
    ("6.5%", "six point five percent"),
    ("6.5%", "6.5 percentage points"),
    ("10 times", "ten times"),
    ("2x", "2 times"),
    ("doubling", "2 times"),
    ("50 basis points", "0.5 percentage points"),
    ("$115 million", "US$115 million"),
    ("1.85 billion", "1.9 billion"),  # rounds half up
    ("323.4 million", "RMB 323 million"),
    ("1.5 billion", "one and a half billion"),
    ("500 million", "half a billion"),
]

DIFFERENT = [
    ("1,891.8 million", "1.8 billion"),
    ("1,891.8 million", "18.9 billion"),
    ("300", "300 million"),
    ("17.1%", "17.2%"),
    ("17.1%", "18%"),
    ("17.14%", "17.2%"),
    ("6.5%", "6.5 times"),
    ("20%", "20"),
    ("6.5%", "7 percentage points"),  # percent and points only when equal
    ("1.85 billion", "1.8 billion"),  # rounds half up, not down
    ("3.1%", "3.1 million"),
    ("60,590,000", "60.5 million"),
    ("50 basis points", "50 percentage points"),
]


@pytest.mark.parametrize(("a", "b"), SAME)
def test_same_figure(a: str, b: str) -> None:
    assert same_figure(one(a), one(b))
    assert same_figure(one(b), one(a))


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_not_same_figure(a: str, b: str) -> None:
    assert not same_figure(one(a), one(b))
    assert not same_figure(one(b), one(a))


# unbacked ------------------------------------------------------------------------------------


def test_unbacked_accepts_a_rounded_restatement_and_ignores_quarter_labels() -> None:
    answer = "Revenue was RMB 1.89 billion, up 3.1% year over year in Q2 2024."
    quote = ("Total revenues for this quarter were 1,891.8 million RMB, a 3.1% increase year "
             "over year")
    assert unbacked(answer, [quote]) == []


def test_unbacked_flags_only_the_figure_no_quote_states() -> None:
    answer = "The CDN floor is 300 million RMB per quarter, about 20% of revenue"
    quote = "The standard CDN business is basically reduced to 300 million RMB."
    flagged = unbacked(answer, [quote])
    assert [(f.text, f.start) for f in flagged] == [("20%", answer.index("20%"))]


def test_unbacked_matches_spelled_and_written_percentages() -> None:
    assert unbacked("Growth was six point five percent.", ["public cloud grew 6.5%"]) == []


def test_unbacked_flags_a_figure_off_by_a_factor_of_ten() -> None:
    flagged = unbacked("It reported revenue of 18.9 billion.", ["revenues were 1,891.8 million"])
    assert [f.text for f in flagged] == ["18.9 billion"]


def test_unbacked_looks_in_every_quote_and_keeps_answer_order() -> None:
    answer = ("Adjusted EBITDA was RMB 60.6 million, a margin of 3.2%, and AI revenue was "
              "RMB 326 million, ten times last year and 40% of growth.")
    quotes = ["After adjustment, EBITDA reached RMB60590,000.",
              "The adjusted EBITDA margin reached 3.2%.",
              "AI revenue surged to RMB 326 million."]
    assert [f.text for f in unbacked(answer, quotes)] == ["ten times", "40%"]


def test_unbacked_with_no_quotes_flags_every_figure_but_not_years() -> None:
    answer = "In fiscal 2024 the 2Q24 margin was 17.1%, up 6.5 percentage points."
    assert [f.text for f in unbacked(answer, [])] == ["17.1%", "6.5 percentage points"]


def test_unbacked_does_not_let_a_bare_number_back_a_scaled_one() -> None:
    assert [f.text for f in unbacked("a floor of 300 million", ["the floor is 300."])] == [
        "300 million"]
