"""Company and period: listed by `qa transcripts`, stored in Chroma, and scoping `qa ask
--company/--period` and the REPL's `:filter company=... period=...`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from index.parse import read_transcript
from index.store import Store, where_clause
from qa import repl
from qa.cli import cli
from qa.retrieve import FilterError, company_values, period_values

from .test_repl import FakeAsk, FakeCatalog, answer, session

ACME = ("Acme Widgets (ACME) Q1 2024 Earnings Call Transcript\n\n"
        "Operator: Good afternoon and welcome to the Acme Widgets first quarter 2024 call.\n"
        "Jane Roe -- Chief Financial Officer\nRevenue was 12 million dollars, up 4%.\n"
        "John Doe -- Analyst\nWhat about margins?\n")
CONTOSO = ("Contoso Ltd (NASDAQ: CTSO) Q2 2024 Earnings Call Transcript\n\n"
           "Operator: Welcome to the Contoso second quarter 2024 earnings call.\n"
           "Mary Major -- Chief Financial Officer\nRevenue was 40 million dollars, up 9%.\n"
           "Ken Lee -- Analyst\nAnd the outlook?\n")


@pytest.fixture(scope="module")
def two_calls(tmp_path_factory: pytest.TempPathFactory, assets_dir: Path) -> Path:
    folder = tmp_path_factory.mktemp("calls")
    (folder / "acme.txt").write_text(ACME, encoding="utf-8")
    (folder / "contoso.txt").write_text(CONTOSO, encoding="utf-8")
    idx = tmp_path_factory.mktemp("idx")
    result = CliRunner().invoke(cli, ["index", str(folder), "--index", str(idx)])
    assert result.exit_code == 0, result.output
    return idx


def ask(idx: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["ask", "What was revenue?", "--index", str(idx), "--json",
                                      *args])
    return result.exit_code, result.stdout, result.stderr


def test_transcripts_shows_company_ticker_period_and_date(two_calls: Path) -> None:
    result = CliRunner().invoke(cli, ["transcripts", "--index", str(two_calls)])
    lines = result.stdout.splitlines()
    assert lines[0].split()[:6] == ["ID", "COMPANY", "TICKER", "PERIOD", "DATE", "FORMAT"]
    assert any(ln.startswith("acme-2024q1") and "Acme Widgets" in ln and " ACME " in ln
               and "2024Q1" in ln for ln in lines)
    rows = json.loads(CliRunner().invoke(cli, ["transcripts", "--index", str(two_calls),
                                               "--json"]).stdout)
    contoso = next(r for r in rows if r["ticker"] == "CTSO")
    assert (contoso["id"], contoso["company"], contoso["period"], contoso["date"]) == (
        "ctso-2024q2", "Contoso Ltd", "2024Q2", None)


def test_chunk_metadata_carries_company_ticker_and_period(two_calls: Path) -> None:
    chunks = Store(two_calls).transcript_chunks("ctso-2024q2")
    assert chunks and {(c.company, c.ticker, c.period) for c in chunks} == {
        ("Contoso Ltd", "CTSO", "2024Q2")}


@pytest.mark.parametrize(("args", "transcript"), [
    (["--company", "contoso"], "ctso-2024q2"),
    (["--company", "ctso"], "ctso-2024q2"),  # the ticker, any case
    (["--company", "ACME WIDGETS"], "acme-2024q1"),
    (["--period", "Q1 2024"], "acme-2024q1"),
    (["--company", "acme", "--period", "2024q1"], "acme-2024q1"),
])
def test_ask_scoped_by_company_and_period(two_calls: Path, args: list[str],
                                          transcript: str) -> None:
    code, out, _ = ask(two_calls, *args)
    assert code == 0
    data = json.loads(out)
    cited = data["citations"] or data["nearest"]
    assert cited and {c["transcript"] for c in cited} == {transcript}


@pytest.mark.parametrize(("args", "message"), [
    (["--company", "fabrikam"], "no company 'fabrikam' in the index (companies: Acme Widgets, "
                                "Contoso Ltd)"),
    (["--period", "2023Q4"], "no transcript for period 2023Q4 in the index (periods: 2024Q1, "
                             "2024Q2)"),
    (["--period", "soon"], "write a quarter and year like 2021Q1"),
])
def test_ask_filter_that_matches_nothing_exits_2(two_calls: Path, args: list[str],
                                                 message: str) -> None:
    result = CliRunner().invoke(cli, ["ask", "What was revenue?", "--index", str(two_calls),
                                      *args])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


# -- resolving what the user typed ---------------------------------------------------------------

ROWS = [{"id": "aflac-2021q1", "company": "Aflac Incorporated", "ticker": "AFL",
         "period": "2021Q1"},
        {"id": "aflac-2021q2", "company": "Aflac", "ticker": "AFL", "period": "2021Q2"},
        {"id": "campbell-2022q1", "company": "Campbell Soup Company", "ticker": "CPB",
         "period": "2022Q1"}]


@pytest.mark.parametrize(("value", "names"), [
    ("afl", ["Aflac", "Aflac Incorporated"]), ("AFLAC", ["Aflac", "Aflac Incorporated"]),
    ("Aflac Incorporated", ["Aflac Incorporated"]), ("campbell", ["Campbell Soup Company"]),
    ("campbell soup", ["Campbell Soup Company"]),
])
def test_company_values(value: str, names: list[str]) -> None:
    assert company_values(value, ROWS) == names


@pytest.mark.parametrize(("value", "periods"), [
    ("2021Q1", ["2021Q1"]), ("q2 2021", ["2021Q2"]), ("1Q22", ["2022Q1"]),
    ("2021", ["2021Q1", "2021Q2"]), ("FY2022", ["2022Q1"]),
])
def test_period_values(value: str, periods: list[str]) -> None:
    assert period_values(value, ROWS) == periods


def test_unknown_company_lists_the_known_ones() -> None:
    with pytest.raises(FilterError, match=r"no company 'ibm' in the index \(companies: Aflac, "):
        company_values("ibm", ROWS)


def test_where_clause_is_built_in_one_place() -> None:
    assert where_clause() is None
    assert where_clause({"role": "cfo"}) == {"role": "cfo"}
    assert where_clause({"company": ["Aflac", "Aflac Incorporated"]}) == {
        "company": {"$in": ["Aflac", "Aflac Incorporated"]}}
    assert where_clause({"period": ("2021Q1",)}, transcripts=["a", "b"]) == {
        "$and": [{"period": "2021Q1"}, {"transcript": {"$in": ["a", "b"]}}]}
    assert repl.where_clause({"role": "cfo", "period": ("2021Q1", "2021Q2")}) == {
        "$and": [{"role": "cfo"}, {"period": {"$in": ["2021Q1", "2021Q2"]}}]}


# -- the REPL -----------------------------------------------------------------------------------


def test_repl_filter_company_and_period(tmp_path: Path) -> None:
    acme = tmp_path / "acme.txt"
    acme.write_text(ACME, encoding="utf-8")
    contoso = tmp_path / "contoso.txt"
    contoso.write_text(CONTOSO, encoding="utf-8")
    calls = [read_transcript(acme), read_transcript(contoso)]
    ask_fn = FakeAsk(*[answer_for(calls[0])] * 3)
    script = (":filter company=ACME period=q1 2024\nq1\n:filter company=contoso role=cfo\nq2\n"
              ":filter period=\nq3\n")
    r, out = session(script, ask_fn, FakeCatalog(calls))
    assert [c["where"] for c in ask_fn.calls] == [
        {"$and": [{"company": "Acme Widgets"}, {"period": "2024Q1"}]},
        {"$and": [{"company": "Contoso Ltd"}, {"period": "2024Q1"}, {"role": "cfo"}]},
        {"$and": [{"company": "Contoso Ltd"}, {"role": "cfo"}]}]
    assert "Filters: company=Acme Widgets \u00b7 period=2024Q1" in out
    assert r.prompt() == "qa (company=Contoso Ltd \u00b7 role=cfo)> "


def test_repl_filter_company_error_changes_nothing(tmp_path: Path) -> None:
    acme = tmp_path / "acme.txt"
    acme.write_text(ACME, encoding="utf-8")
    t = read_transcript(acme)
    ask_fn = FakeAsk(answer_for(t))
    r, out = session(":filter period=2024Q1\n:filter company=fabrikam\nq\n", ask_fn,
                     FakeCatalog([t]))
    assert "no company 'fabrikam' in the index (companies: Acme Widgets)" in out
    assert ask_fn.calls[0]["where"] == {"period": "2024Q1"}


def test_repl_completes_company_and_period_values() -> None:
    assert repl.completions(":filter company=ac", [], [], ["Acme Widgets", "ACME"], []) == [
        ("Acme Widgets", -2), ("ACME", -2)]
    assert repl.completions(":filter period=2024", [], [], [], ["2024Q1", "2024Q2"]) == [
        ("2024Q1", -4), ("2024Q2", -4)]
    assert (":filter co", [("company=", -2)]) == (
        ":filter co", repl.completions(":filter co", [], []))


def answer_for(t: object) -> object:
    from index.types import Transcript

    assert isinstance(t, Transcript)
    quote = "Revenue was 12 million dollars" if "Acme" in t.source else "Revenue was 40 million"
    return answer(t, "revenue", [quote])
