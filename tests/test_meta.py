"""index.parse.meta: company, ticker, period and date from the call's words and its path."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from index.parse import meta, read_transcript
from index.parse.meta import CallMeta, call_meta, fiscal_year, from_path, normalize_period

from .conftest import SAMPLE, SHARED

CORPUS = SHARED / "corpus"


def corpus() -> Path:
    """The development corpus, or a skip (a failure when QA_REQUIRE_CORPUS=1, as in CI)."""
    if not (CORPUS / "ectsum").is_dir():
        if os.environ.get("QA_REQUIRE_CORPUS") == "1":
            pytest.fail(f"QA_REQUIRE_CORPUS=1 but there is no corpus at {CORPUS}")
        pytest.skip(f"no development corpus at {CORPUS}")
    return CORPUS


# -- the path -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "ticker", "period", "when"), [
    ("ectsum/train/transcripts/AFL_q1_2021.txt", "AFL", "2021Q1", None),
    ("maec/20150225_LMAT.txt", "LMAT", None, "2015-02-25"),
    ("MAEC_Dataset/20150225_LMAT/text.txt", "LMAT", None, "2015-02-25"),
    ("calls/acme-2024-q3.txt", None, "2024Q3", None),
    ("calls/kingsoft-cloud-2024q2.txt", None, "2024Q2", None),
    ("calls/litware_q2_2023.txt", None, "2023Q2", None),  # lower case: not a ticker
    ("calls/call-2024-05-07.txt", None, None, "2024-05-07"),
    ("calls/notes.txt", None, None, None),
])
def test_from_path(path: str, ticker: str | None, period: str | None, when: str | None) -> None:
    found = from_path(Path(path))
    assert (found.ticker, found.period, found.date) == (ticker, period, when)


@pytest.mark.parametrize(("raw", "label"), [
    ("2021Q1", "2021Q1"), ("Q1 2021", "2021Q1"), ("q1-2021", "2021Q1"), ("1Q21", "2021Q1"),
    ("Q1 FY22", "2022Q1"), ("first quarter 2021", "2021Q1"), ("third quarter of fiscal 2022",
                                                              "2022Q3"), ("soon", None),
])
def test_normalize_period(raw: str, label: str | None) -> None:
    assert normalize_period(raw) == label


# -- the text -----------------------------------------------------------------------------------


def meta_of(text: str, name: str = "call.txt") -> CallMeta:
    return call_meta(text, Path(name))


def test_the_welcome_names_company_and_period() -> None:
    m = meta_of("Good day and welcome to the Aflac first quarter 2021 earnings conference call. "
                "All participants are in a listen-only mode.\nThank you. Revenue rose 5%.\n")
    assert (m.company, m.period) == ("Aflac", "2021Q1")
    assert m.why["period"].startswith("text")


def test_a_fiscal_year_is_kept_as_the_call_says_it() -> None:
    # Campbell's first quarter of fiscal 2022 ended in October 2021: it stays 2022Q1
    m = meta_of("Welcome to Campbell's first quarter fiscal 2022 earnings conference call.\n"
                "Net sales for the quarter ended October 31, 2021 were $2.2 billion.\n")
    assert (m.company, m.period) == ("Campbell's", "2022Q1")  # never "Campbell" alone


def test_the_title_line_of_a_motley_fool_transcript() -> None:
    m = meta_of("Acme Widgets (ACME) Q3 2024 Earnings Call Transcript\n\nOperator: Good "
                "afternoon.\nJane Roe -- CFO\nRevenue grew.\n")
    assert (m.company, m.ticker, m.period) == ("Acme Widgets", "ACME", "2024Q3")


def test_the_exchange_ticker_in_the_text() -> None:
    m = meta_of("Welcome to the Fabrikam (NYSE: FAB) fourth quarter 2024 results call.\n"
                "Thank you, operator.\n")
    assert (m.company, m.ticker, m.period) == ("Fabrikam", "FAB", "2024Q4")


def test_a_stated_period_beats_the_file_name_and_says_so() -> None:
    text = "Welcome to the Aflac second quarter 2021 earnings call.\nThank you.\n"
    m = call_meta(text, Path("AFL_q1_2021.txt"))
    assert m.period == "2021Q2"  # the call names its period; the file name is only a name
    assert "the call names it" in m.why["period"]


def test_passing_mentions_lose_to_the_file_name() -> None:
    text = ("Revenue was up 12% over the fourth quarter of 2020.\nIn the third quarter we expect "
            "growth to continue.\nOur first quarter was strong.\n")
    m = call_meta(text, Path("ACME_q1_2021.txt"))
    assert (m.period, m.ticker, m.company) == ("2021Q1", "ACME", "ACME")
    assert m.why["period"].startswith("file name")


def test_comparisons_and_guidance_do_not_set_the_year() -> None:
    text = ("Our first quarter results were strong. Sales in the first quarter of 2021 rose 9% "
            "compared to the first quarter of 2020. We expect the second quarter of 2021 to be "
            "softer.\n" * 3)
    assert meta_of(text).period == "2021Q1"


def test_without_a_year_the_text_gives_no_period() -> None:
    assert meta_of("Our third quarter was strong.\nThank you all.\n").period is None


def test_a_call_date_line_and_as_of_today() -> None:
    assert meta_of("Kingsoft call\n8/20/2024\nGood day.\n").date == "2024-08-20"
    assert meta_of("Acme call\nApril 28, 2021\nGood day.\n").date == "2021-04-28"
    text = "Our statements are made as of today, February 25, 2015, and we undertake no duty.\n"
    assert meta_of(text).date == "2015-02-25"


def test_maec_name_gives_date_ticker_and_the_period_from_the_date() -> None:
    # a MAEC fragment that names no quarter: the calendar quarter that ended before the call
    m = call_meta("Good morning, <UNK>.\nSo it is certainly tight out there.\n",
                  Path("MAEC/20160427_X/text.txt"))
    assert (m.ticker, m.company, m.date, m.period) == ("X", "X", "2016-04-27", "2016Q1")
    assert m.why["period"].startswith("the calendar quarter")


def test_maec_fiscal_quarter_takes_its_year_from_the_call_date() -> None:
    text = ("We had a strong third quarter in fiscal revenue.\nOur fiscal year ends in August.\n"
            "In the third quarter, bookings were a record. The third quarter showed growth.\n")
    m = call_meta(text, Path("20170622_ACN.txt"))
    assert m.period == "2017Q3"


@pytest.mark.parametrize(("quarter", "call", "year"), [
    (4, date(2015, 2, 25), 2014),  # calendar: Q4 2014 reported in February 2015
    (3, date(2017, 6, 22), 2017),  # Accenture: Q3 of fiscal 2017 (year ends in August)
    (1, date(2016, 1, 27), 2016),  # Hologic: Q1 of fiscal 2016 (year ends in September)
    (2, date(2017, 5, 3), 2017),  # Powell: Q2 of fiscal 2017
])
def test_fiscal_year_from_the_call_date(quarter: int, call: date, year: int) -> None:
    assert fiscal_year(quarter, call) == year


def test_company_from_the_ticker_and_the_name_used_most() -> None:
    text = ("Thank you. At Contoso we grew again.\nContoso delivered record sales and Contoso's "
            "margins rose.\nWe thank the Fabrikam team for the partnership.\n")
    assert call_meta(text, Path("CTSO_q2_2021.txt")).company == "Contoso"
    assert call_meta(text, Path("ZZZ_q2_2021.txt")).company == "ZZZ"  # no name fits: the ticker


def test_a_possessive_is_not_part_of_the_name() -> None:
    text = ("Welcome to Gartner's second quarter 2021 earnings call.\nGartner delivered "
            "strong results.\n")
    assert meta_of(text).company == "Gartner"


def test_a_words_capitalised_elsewhere_is_not_a_company() -> None:
    text = ("We saw strong Reinsurance growth. reinsurance pricing rose and reinsurance demand "
            "held. Reinsurance Division margins grew.\n")
    assert call_meta(text, Path("RE_q3_2020.txt")).company == "RE"


@pytest.mark.parametrize(("name", "ticker", "fits"), [
    ("Aflac", "AFL", True), ("Campbell Soup Company", "CPB", True), ("LeMaitre", "LMAT", True),
    ("International Business Machines", "IBM", True), ("Southwest Airlines", "LUV", False),
    ("Mark Clouse", "CPB", False),
])
def test_fits_ticker(name: str, ticker: str, fits: bool) -> None:
    assert meta.fits_ticker(name, ticker) is fits


# -- ids ----------------------------------------------------------------------------------------


def test_ids_from_ticker_or_company_and_period_then_the_path() -> None:
    m = CallMeta(company="Aflac Incorporated", ticker="AFL", period="2021Q1")
    assert meta.id_candidates(m, Path("/x/ectsum/AFL_q1_2021.txt"))[:3] == [
        "afl-2021q1", "afl-q1-2021", "ectsum-afl-q1-2021"]
    assert meta.preferred_id(CallMeta(company="The Travelers Companies, Inc.",
                                      period="2021Q1")) == "travelers-2021q1"
    assert meta.preferred_id(CallMeta(company="Aflac")) is None


def test_maec_folder_layout_gives_distinct_path_ids() -> None:
    a = meta.path_ids(Path("/data/MAEC/20150225_LMAT/text.txt"))
    b = meta.path_ids(Path("/data/MAEC/20150423_AVT/text.txt"))
    assert a[0] == "20150225-lmat" and b[0] == "20150423-avt"
    assert a[1] == "maec-20150225-lmat"


# -- the bundled sample and the corpus ----------------------------------------------------------


def test_sample_metadata_and_id() -> None:
    t = read_transcript(SAMPLE)
    assert (t.id, t.company, t.ticker, t.period, t.date) == (
        "kingsoft-cloud-2024q2", "Kingsoft Cloud", None, "2024Q2", "2024-08-20")


@pytest.mark.parametrize(("name", "company", "ticker", "period", "when"), [
    ("ectsum/train/transcripts/AFL_q1_2021.txt", "Aflac", "AFL", "2021Q1", None),
    ("ectsum/train/transcripts/CPB_q1_2022.txt", "Campbell Soup Company", "CPB", "2022Q1", None),
    ("maec/20150225_LMAT.txt", "LMAT", "LMAT", "2014Q4", "2015-02-25"),
    ("maec/20150716_IIIN.txt", "Insteel Industries", "IIIN", "2015Q3", "2015-07-16"),
])
def test_corpus_calls(name: str, company: str, ticker: str, period: str, when: str | None) -> None:
    t = read_transcript(corpus() / name)
    assert (t.company, t.ticker, t.period, t.date) == (company, ticker, period, when)


def test_every_ectsum_val_call_gets_its_file_names_period() -> None:
    """The whole benchmark (`python -m eval.bench_metadata`) covers every source; here the
    val split, quickly: the period is the file name's unless the call states another."""
    folder = corpus() / "ectsum" / "val" / "transcripts"
    wrong = []
    for path in sorted(folder.glob("*.txt")):
        m = call_meta(path.read_text(encoding="utf-8"), path)
        _, q, y = path.stem.split("_")
        if m.period != f"{y}Q{q[1]}" and "the call names it" not in m.why.get("period", ""):
            wrong.append((path.name, m.period))
    assert not wrong
