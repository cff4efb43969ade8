"""qa.repl without a terminal: the loop driven by scripted lines and an injected `ask`.

The transcripts are the real sample call, parsed (no index needed); the answers are built from
its real turns, so `:sources` shows real text. A few tests at the end use the session's real
index to check that filters become `where` clauses Chroma understands.
"""

from __future__ import annotations

import _thread
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from index.errors import QAError
from index.parse import read_transcript
from index.types import Transcript
from qa import repl, screen
from qa.config import resolve
from qa.repl import (
    Filter,
    Help,
    History,
    Invalid,
    Json,
    Mode,
    Question,
    Quit,
    Repl,
    Sources,
    StreamLines,
    Transcripts,
    Use,
    completions,
    filter_value,
    match_speaker,
    parse,
    where_clause,
)
from qa.types import Answer, Citation

SAMPLE = Path(__file__).resolve().parents[1] / "index" / "samples" / "kingsoft-cloud-2024q2.txt"
TID = "kingsoft-cloud-2024q2"
CDN = ("So my quick answer is that for the first type of standard CDN business, the minimum "
       "amount that we aim to maintain on a quarterly basis is 300 million RMB.")
REVENUE = "Total revenues for this quarter were 1,891.8 million RMB"


@pytest.fixture(scope="module")
def call() -> Transcript:
    return read_transcript(SAMPLE)


def cite(t: Transcript, quote: str, verified: bool = True) -> Citation:
    start = t.source.index(quote)
    turn = t.turn_at(start)
    assert turn is not None
    return Citation(quote, t.id, start, start + len(quote), turn.index, turn.speaker, turn.role,
                    turn.section, turn.title, turn.rendering.value, verified)


class FakeCatalog:
    path = Path("/nowhere/index")

    def __init__(self, transcripts: Sequence[Transcript], empty: bool = False) -> None:
        self.transcripts = {t.id: t for t in transcripts}
        self.empty = empty
        self.indexed: list[list[Path]] = []

    def ids(self) -> list[str]:
        return [] if self.empty else sorted(self.transcripts)

    def summaries(self) -> list[dict[str, Any]]:
        return [{"id": t.id, "company": t.company, "period": t.period, "turns": len(t.turns),
                 "speakers": sorted({u.speaker for u in t.turns if u.speaker})}
                for t in self.transcripts.values() if not self.empty]

    def speakers(self) -> list[str]:
        return sorted({s for r in self.summaries() for s in r["speakers"]})

    def transcript(self, tid: str) -> Transcript:
        return self.transcripts[tid]

    def index(self, paths: Sequence[Path]) -> tuple[list[str], list[str]]:
        self.indexed.append(list(paths))
        self.empty = False
        return [f"indexed    {p.name}" for p in paths], []

    def held_user_calls(self) -> bool:  # the real flag is tested in test_fallback.py
        return False


class FakeAsk:
    """Records every call; answers from a queue of Answers or callables."""

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.calls: list[dict[str, Any]] = []

    def __call__(self, question: str, **kw: Any) -> Answer:
        self.calls.append({"question": question, **kw})
        reply = self.replies.pop(0)
        return reply(question, **kw) if callable(reply) else reply


def answer(t: Transcript, text: str = "300 million RMB a quarter", quotes: Sequence[str] = (CDN,),
           **kw: Any) -> Answer:
    return Answer("q", text, True, citations=tuple(cite(t, q) for q in quotes), **kw)


def session(script: str, ask: Any, catalog: Any, settings: Any = None, width: int = 100,
            interactive: bool = False) -> tuple[Repl, str]:
    out = io.StringIO()
    console = screen.make_console(file=out, width=width)
    r = Repl(ask, catalog, StreamLines(io.StringIO(script)), console, settings,
             interactive=interactive)
    r.run()
    return r, out.getvalue()


def flat(text: str) -> str:
    """The text with every run of white space (line wrapping) as one space."""
    return " ".join(text.split())


def quotes_settings() -> Any:
    return resolve({}, env={}, path=Path("/nonexistent/config.toml"))


def llm_settings() -> Any:
    return resolve({"model": "m"}, env={}, path=Path("/nonexistent/config.toml"))


# -- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "command"), [
    ("What is the CDN floor?", Question("What is the CDN floor?")),
    ("  What is\n the   floor? ", Question("What is the floor?")),
    ("", None), ("   ", None),
    (":help", Help()), (":h", Help()), (":?", Help()), (":help filter", Help()),
    (":sources", Sources()), (":sources 2", Sources(2)), (":so 1", Sources(1)),
    (":use", Use()), (":use all", Use(("all",))), (":use a b,c", Use(("a", "b", "c"))),
    (":filter", Filter()), (":filter clear", Filter(clear=True)),
    (":filter role=cfo", Filter((("role", "cfo"),))),
    (":filter speaker=Henry Hou role=cfo section = qa",
     Filter((("speaker", "Henry Hou"), ("role", "cfo"), ("section", "qa")))),
    (":filter speaker=\"Zhou Tao\"", Filter((("speaker", "Zhou Tao"),))),
    (":filter role=", Filter((("role", ""),))),
    (":transcripts", Transcripts()), (":t", Transcripts()),
    (":mode", Mode()), (":mode llm", Mode("llm")), (":mode QUOTES", Mode("quotes")),
    (":json", Json()), (":history", History()),
    (":quit", Quit()), (":q", Quit()), (":exit", Quit()), ("quit", Quit()), ("exit", Quit()),
])
def test_parse(line: str, command: Any) -> None:
    assert parse(line) == command


@pytest.mark.parametrize(("line", "message"), [
    (":bogus", "unknown command :bogus; :help lists the commands"),
    (":sources x", ":sources takes a citation number, e.g. :sources 1"),
    (":sources 0", ":sources takes a citation number, e.g. :sources 1"),
    (":mode fast", ":mode is quotes or llm, not 'fast'"),
    (":json on", ":json takes no arguments"),
    (":filter cfo", "expected KEY=VALUE after :filter, e.g. :filter role=cfo "
                    "(keys: speaker, role, section, company, period)"),
    (":filter colour=red", "unknown filter 'colour': use speaker, role, section, company, "
                           "period"),
])
def test_parse_errors(line: str, message: str) -> None:
    assert parse(line) == Invalid(message)


# -- filters ------------------------------------------------------------------------------------

SPEAKERS = ["Bao", "Henry Hou", "Nicole Shan", "Xiaodan Zhang", "Zhou Tao"]


@pytest.mark.parametrize(("key", "value", "exact"), [
    ("role", "CFO", "cfo"), ("role", "ir", "investor_relations"), ("section", "Q&A", "qa"),
    ("section", "prepared", "prepared"), ("speaker", "henry hou", "Henry Hou"),
    ("speaker", "hou", "Henry Hou"), ("speaker", "Mr. Zhou", "Zhou Tao"),
    ("speaker", "BAO", "Bao"),
])
def test_filter_values(key: str, value: str, exact: str) -> None:
    assert filter_value(key, value, SPEAKERS) == exact


@pytest.mark.parametrize(("key", "value", "message"), [
    ("role", "boss", "role must be one of operator, investor_relations, ceo, cfo, executive, "
                     "analyst, interpreter, unknown (not 'boss')"),
    ("section", "intro", "section must be one of opening, prepared, qa (not 'intro')"),
    ("speaker", "Smith", "no speaker 'Smith' in the index (speakers: Bao, Henry Hou, "
                         "Nicole Shan, Xiaodan Zhang, Zhou Tao)"),
])
def test_filter_value_errors(key: str, value: str, message: str) -> None:
    with pytest.raises(repl.FilterError) as e:
        filter_value(key, value, SPEAKERS)
    assert str(e.value) == message


def test_ambiguous_speaker_names_the_candidates() -> None:
    with pytest.raises(repl.FilterError, match="could be Xiaodan Zhang, Zhang Wei"):
        match_speaker("zhang", ["Xiaodan Zhang", "Zhang Wei"])
    assert match_speaker("xiaodan zhang", ["Xiaodan Zhang", "Zhang Wei"]) == "Xiaodan Zhang"


def test_where_clause() -> None:
    assert where_clause({}) is None
    assert where_clause({"role": "cfo"}) == {"role": "cfo"}
    assert where_clause({"role": "cfo", "section": "qa"}) == {
        "$and": [{"role": "cfo"}, {"section": "qa"}]}


# -- completion ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    (":so", [(":sources", -3)]),
    (":", [(":" + n, -1) for n in repl.NAMES]),
    (":use k", [(TID, -1)]),
    (":use ", [("all", 0), (TID, 0)]),
    (":mode l", [("llm", -1)]),
    (":filter ro", [("role=", -2)]),
    (":filter role=c", [("ceo", -1), ("cfo", -1)]),
    (":filter section=", [("opening", 0), ("prepared", 0), ("qa", 0)]),
    (":filter speaker=hen", [("Henry Hou", -3)]),
    (":filter speaker=Henry H", [("Henry Hou", -7)]),
    (":filter role=cfo se", [("section=", -2)]),
    ("What is", []),
])
def test_completions(text: str, expected: list[tuple[str, int]]) -> None:
    assert completions(text, [TID], SPEAKERS) == expected


# -- the loop -----------------------------------------------------------------------------------


def test_question_renders_answer_and_numbered_citations(call: Transcript) -> None:
    ask = FakeAsk(answer(call, "Revenue was 1,891.8 million RMB", [REVENUE, CDN]))
    r, out = session("What were total revenues?\n", ask, FakeCatalog([call]), quotes_settings())
    assert ask.calls[0]["question"] == "What were total revenues?"
    assert ask.calls[0]["transcripts"] is None and ask.calls[0]["where"] is None
    assert ask.calls[0]["settings"].mode == "quotes"
    assert "Revenue was 1,891.8 million RMB" in out
    assert "[1] \u201cTotal revenues for this quarter were 1,891.8 million RMB\u201d" in out
    assert ("\u2014 Henry Hou \u00b7 CFO \u00b7 Prepared remarks \u00b7 kingsoft-cloud-2024q2, "
            "turn 15") in out
    assert ("\u2014 Bao, Head of the CDN business \u00b7 Executive \u00b7 Q&A, via the "
            "interpreter") in out
    assert "[2] \u201cSo my quick answer" in out and out.count("verified") == 2
    assert r.state.last is not None and "\x1b[" not in out  # not a terminal: plain text


def test_flagged_figures_removed_quotes_and_unverified_are_marked(call: Transcript) -> None:
    bad = Citation("a quote", TID, 0, 7, 0, None, call.turns[0].role, call.turns[0].section)
    a = Answer("q", "Revenue rose 12% to 300 million", True, citations=(cite(call, CDN), bad),
               removed_quotes=("We expect 50% growth.",), unbacked_figures=("12%",),
               notices=("something the model did",))
    _, out = session("q\n", FakeAsk(a), FakeCatalog([call]))
    assert "\u26a0 Not backed by any quote below: 12%" in out
    assert "\u26a0 1 quote was not in the transcript and was removed:" in out
    assert "\u2717 \u201cWe expect 50% growth.\u201d" in out
    assert "NOT VERIFIED" in flat(out)
    assert "note: something the model did" in out


def test_unanswerable_shows_nearest_passages(call: Transcript) -> None:
    a = Answer("q", "The call does not say.", False, nearest=(cite(call, CDN),))
    r, out = session("Did they pay a dividend?\n:sources 1\n", FakeAsk(a), FakeCatalog([call]))
    assert "The call does not say." in out
    assert "Nearest passages (they do not answer it):" in out and "[1] \u201cSo my" in out
    assert ">>So my quick answer" in out  # :sources numbers the passages shown


def test_sources_shows_the_full_turn_and_the_turns_around_it(call: Transcript) -> None:
    ask = FakeAsk(answer(call, quotes=[REVENUE, CDN]))
    _, out = session("q\n:sources 2\n", ask, FakeCatalog([call]))
    after = out.split("[2] kingsoft-cloud-2024q2", 1)[1]
    assert "turn 31 \u00b7 Bao, Head of the CDN business \u00b7 Executive \u00b7 Q&A, via the " \
           "interpreter" in after
    assert "turn 30 \u00b7 Bao" in after and "turn 32 \u00b7 Unidentified speaker" in after
    assert ">>So my quick answer is that" in after and "300 million RMB.<<" in after
    assert "Yeah, that concludes my answer." in " ".join(after.split())  # the whole turn
    assert "Henry Hou" not in after  # only citation 2


def test_sources_without_n_groups_citations_of_one_turn(call: Transcript) -> None:
    other = "This quarter, our AI revenues grew to 326 million RMB"
    ask = FakeAsk(answer(call, quotes=[REVENUE, other, CDN]))
    _, out = session("q\n:sources\n", ask, FakeCatalog([call]))
    assert "[1][2] kingsoft-cloud-2024q2" in out and "[3] kingsoft-cloud-2024q2" in out
    assert out.count("turn 15 \u00b7 Henry Hou") == 1 and out.count(">>") == 3


@pytest.mark.parametrize(("script", "message"), [
    (":sources\n", "no citations yet: ask a question first"),
    ("q\n:sources 3\n", "no citation 3: the last answer has 1"),
])
def test_sources_errors(call: Transcript, script: str, message: str) -> None:
    _, out = session(script, FakeAsk(answer(call)), FakeCatalog([call]))
    assert message in out


def test_filters_become_where_clauses(call: Transcript) -> None:
    ask = FakeAsk(*[answer(call)] * 5)
    script = ("q1\n:filter role=CFO\nq2\n:filter speaker=hou section=Q&A\nq3\n:filter\n"
              ":filter role=\nq4\n:filter clear\nq5\n")
    r, out = session(script, ask, FakeCatalog([call]))
    assert [c["where"] for c in ask.calls] == [
        None, {"role": "cfo"},
        {"$and": [{"role": "cfo"}, {"speaker": "Henry Hou"}, {"section": "qa"}]},
        {"$and": [{"speaker": "Henry Hou"}, {"section": "qa"}]}, None]
    assert "Filters: role=cfo \u00b7 speaker=Henry Hou \u00b7 section=qa" in out
    assert "No filters: every passage can answer." in out


def test_filter_errors_are_one_line_and_change_nothing(call: Transcript) -> None:
    ask = FakeAsk(answer(call))
    r, out = session(":filter role=cfo\n:filter role=boss\n:filter speaker=Smith\nq\n", ask,
                     FakeCatalog([call]))
    assert "role must be one of operator, investor_relations" in out
    assert "no speaker 'Smith' in the index (speakers: Bao, Henry Hou" in out
    assert ask.calls[0]["where"] == {"role": "cfo"}
    assert r.prompt() == "qa (role=cfo)> "


def test_use_scopes_questions(call: Transcript) -> None:
    ask = FakeAsk(*[answer(call)] * 3)
    r, out = session(":use king\nq1\n:use\n:use nope\n:use all\nq2\n", ask, FakeCatalog([call]))
    assert [c["transcripts"] for c in ask.calls] == [[TID], None]
    assert f"Asking {TID}." in out and "Asking every indexed call." in out
    assert f"not indexed: nope (indexed: {TID})" in out


def test_transcripts_table_marks_the_scope(call: Transcript) -> None:
    _, out = session(":use all\n:transcripts\n:use kingsoft-cloud-2024q2\n:transcripts\n",
                     FakeAsk(), FakeCatalog([call]))
    first, second = out.split("ID", 2)[1:]
    assert "kingsoft-cloud-2024q2  Kingsoft Cloud  -       2024Q2" in first and "Henry Hou" in first
    assert "*  kingsoft-cloud-2024q2" in second and "*  kingsoft" not in first


def test_mode_llm_needs_a_model(call: Transcript) -> None:
    ask = FakeAsk(answer(call))
    r, out = session(":mode llm\nq\n", ask, FakeCatalog([call]), quotes_settings())
    assert ("no model configured: set QA_MODEL=NAME (and OPENAI_BASE_URL for a local server), "
            "or start with `qa repl --model NAME`") in flat(out)
    assert ask.calls[0]["settings"].mode == "quotes" and r.prompt() == "qa> "


def test_llm_mode_streams_and_does_not_repeat_the_answer(call: Transcript) -> None:
    def streaming(question: str, **kw: Any) -> Answer:
        for word in ("The floor ", "is 300 ", "million RMB."):
            kw["on_text"](word)
        kw["on_notice"]("the server did not take response_format json_schema")
        return answer(call, "The floor is 300 million RMB.", mode="llm",
                      notices=("the server did not take response_format json_schema",))

    settings = llm_settings()
    ask = FakeAsk(streaming, answer(call, "offline answer"))
    r, out = session(":mode\nq\n:mode quotes\nq2\n", ask, FakeCatalog([call]), settings)
    assert "Mode: llm (model m)" in out
    assert ask.calls[0]["settings"].mode == "llm" and ask.calls[1]["settings"].mode == "quotes"
    assert out.count("The floor is 300 million RMB.") == 1  # streamed once, not re-printed
    assert out.count("response_format json_schema") == 1  # the notice is not repeated
    assert "Mode: quotes (offline answers quoted from the call)" in out


def test_json_toggles_machine_output(call: Transcript) -> None:
    ask = FakeAsk(answer(call), answer(call, "again"))
    _, out = session(":json\nq\n:json\nq2\n", ask, FakeCatalog([call]))
    body = out.split("JSON output on.\n", 1)[1].split("JSON output off.", 1)[0]
    data = json.loads(body)
    assert data["citations"][0]["quote"] == CDN and data["answer"] == "300 million RMB a quarter"
    assert "again" in out.split("JSON output off.", 1)[1]


def test_history_lists_what_was_typed(call: Transcript) -> None:
    _, out = session("first question\n:filter role=cfo\n:history\n", FakeAsk(answer(call)),
                     FakeCatalog([call]))
    assert "   1  first question\n   2  :filter role=cfo\n   3  :history" in out


def test_help_and_unknown_commands(call: Transcript) -> None:
    _, out = session(":help\n:frobnicate\n", FakeAsk(), FakeCatalog([call]))
    for name in repl.NAMES:
        assert f":{name}" in out
    assert "unknown command :frobnicate; :help lists the commands" in out


def test_quit_stops_reading_and_end_of_input_ends(call: Transcript) -> None:
    ask = FakeAsk(answer(call))
    session(":quit\nnever asked\n", ask, FakeCatalog([call]))
    assert ask.calls == []
    session("a question\n", FakeAsk(answer(call)), FakeCatalog([call]))  # EOF ends the loop


def test_a_trailing_backslash_continues_the_question(call: Transcript) -> None:
    ask = FakeAsk(answer(call))
    session("What is the \\\nCDN floor?\n", ask, FakeCatalog([call]))
    assert ask.calls[0]["question"] == "What is the CDN floor?"


def test_errors_keep_the_session(call: Transcript) -> None:
    def broken(question: str, **kw: Any) -> Answer:
        raise QAError("the model server at http://x is unreachable; start it")

    def buggy(question: str, **kw: Any) -> Answer:
        raise KeyError("oops")

    ask = FakeAsk(broken, buggy, answer(call))
    _, out = session("q1\nq2\nq3\n", ask, FakeCatalog([call]))
    assert "error: the model server at http://x is unreachable; start it" in out
    assert "unexpected error: KeyError: 'oops'" in out
    assert "300 million RMB a quarter" in out and len(ask.calls) == 3


def test_ctrl_c_at_the_prompt_drops_the_line(call: Transcript) -> None:
    class Lines(StreamLines):
        interrupted = False

        def read(self, prompt: str) -> str | None:
            if not self.interrupted:
                self.interrupted = True
                raise KeyboardInterrupt
            return super().read(prompt)

    out = io.StringIO()
    ask = FakeAsk(answer(call))
    Repl(ask, FakeCatalog([call]), Lines(io.StringIO("q\n")), screen.make_console(file=out)).run()
    assert len(ask.calls) == 1


def test_ctrl_c_during_an_answer_cancels_it_and_keeps_the_session(call: Transcript) -> None:
    release = threading.Event()
    late: list[str] = []

    def slow(question: str, **kw: Any) -> Answer:
        kw["on_text"]("partial ")
        _thread.interrupt_main()  # what Ctrl-C does to the waiting main thread
        release.wait(10)
        kw["on_text"]("LATE TEXT")
        late.append("done")
        return answer(call, "LATE ANSWER")

    first = answer(call, "first answer")
    ask = FakeAsk(first, slow, answer(call, "after the cancel"))
    r, out = session(":mode llm\nq1\nq2\nq3\n", ask, FakeCatalog([call]), llm_settings())
    release.set()
    for t in threading.enumerate():
        if t.name == "qa-answer":
            t.join(5)
    assert late == ["done"]
    assert "partial \n(cancelled)\n" in out
    assert "after the cancel" in out and "LATE" not in out
    assert r.state.last is not None and r.state.last.text == "after the cancel"


# -- the first run ------------------------------------------------------------------------------


def test_first_run_offers_the_sample(call: Transcript) -> None:
    catalog = FakeCatalog([call], empty=True)
    ask = FakeAsk(answer(call))
    _, out = session("What is the CDN floor?\n\n", ask, catalog, interactive=True)
    assert [p.name for p in catalog.indexed[0]] == [SAMPLE.name]
    assert "is empty. Index the built-in sample call (kingsoft-cloud-2024q2.txt) now?" in flat(out)
    assert "indexed    kingsoft-cloud-2024q2.txt" in out and len(ask.calls) == 1


def test_first_run_takes_a_path_and_rejects_a_missing_one(call: Transcript,
                                                            tmp_path: Path) -> None:
    catalog = FakeCatalog([call], empty=True)
    folder = tmp_path / "calls"
    folder.mkdir()
    script = f"q\n{tmp_path / 'missing'}\n{folder}\n"
    _, out = session(script, FakeAsk(answer(call)), catalog, interactive=True)
    assert f"no such file or folder: {tmp_path / 'missing'}" in out
    assert catalog.indexed == [[folder]]


def test_first_run_declined_indexes_nothing(call: Transcript) -> None:
    catalog = FakeCatalog([call], empty=True)
    ask = FakeAsk()
    _, out = session("q\nn\n", ask, catalog, interactive=True)
    assert catalog.indexed == [] and ask.calls == []
    assert "Nothing indexed. Add transcripts with `qa index PATH`" in out


def test_first_run_from_a_pipe_indexes_the_sample_without_asking(call: Transcript) -> None:
    catalog = FakeCatalog([call], empty=True)
    ask = FakeAsk(answer(call))
    _, out = session("What is the CDN floor?\n", ask, catalog, interactive=False)
    assert [p.name for p in catalog.indexed[0]] == [SAMPLE.name]
    assert "indexing the built-in sample call" in out and len(ask.calls) == 1


# -- terminals: width, NO_COLOR, plain --------------------------------------------------------


def test_narrow_terminal_wraps_within_its_width(call: Transcript) -> None:
    _, out = session("q\n:sources 1\n", FakeAsk(answer(call)), FakeCatalog([call]), width=40)
    assert max(len(line) for line in out.splitlines()) <= 40
    assert "\n    \u2014 Bao, Head of the CDN business" in out
    assert "\n    kingsoft-cloud-2024q2, turn 31," in out  # the attribution splits
    assert "\n  \u2026an this. At the same time" in out  # turns indent 2 when narrow


def test_no_color_on_a_terminal(call: Transcript, monkeypatch: pytest.MonkeyPatch) -> None:
    def run(no_color: bool) -> str:
        if no_color:
            monkeypatch.setenv("NO_COLOR", "1")
        else:
            monkeypatch.delenv("NO_COLOR", raising=False)
        out = io.StringIO()
        console = screen.make_console(file=out, width=100, force_terminal=True,
                                      color_system="truecolor")
        bad = Answer("q", "12% more", True, citations=(cite(call, CDN),),
                     unbacked_figures=("12%",))
        Repl(FakeAsk(bad), FakeCatalog([call]), StreamLines(io.StringIO("q\n")), console).run()
        return out.getvalue()

    coloured, plain = run(False), run(True)
    assert "\x1b[33" in coloured or "\x1b[1;33" in coloured  # yellow warnings
    for code in ("[31", "[32", "[33", "[36", ";31", ";32", ";33", ";36", "38;"):
        assert code not in plain
    assert "\x1b[1m" in plain  # bold is not colour


# -- wiring -------------------------------------------------------------------------------------


def test_import_is_light() -> None:
    code = ("import sys, qa.repl; print(sorted(m for m in ('chromadb', 'openai', 'numpy', "
            "'onnxruntime', 'prompt_toolkit') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=dict(os.environ))
    assert out.stdout.strip() == "[]"


def test_qa_without_a_terminal_prints_help() -> None:
    from qa.cli import cli

    result = CliRunner().invoke(cli, [], input="")
    assert result.exit_code == 0 and "Usage:" in result.output and "repl" in result.output


def test_qa_repl_from_a_pipe_on_the_real_index(sample_index: Path) -> None:
    from qa.cli import cli

    script = ("What is the CDN floor?\n:filter role=cfo\nWhat was the adjusted EBITDA?\n"
              ":filter speaker=hou section=qa\n:use kingsoft\nWhat about capex?\n:sources 1\n")
    result = CliRunner().invoke(cli, ["repl", "--index", str(sample_index)], input=script)
    out = result.output
    assert result.exit_code == 0, out
    assert "300 million RMB" in flat(out)
    ebitda = out.split("Filters: role=cfo\n", 1)[1].split("Filters:", 1)[0]
    assert "60.6 million RMB" in ebitda
    attributions = [line for line in ebitda.splitlines() if "\u2014 " in line]
    assert attributions and all("\u2014 Henry Hou \u00b7 CFO \u00b7" in a for a in attributions)
    capex = out.split(f"Asking {TID}.\n", 1)[1]
    cites = [line for line in capex.splitlines() if line.startswith("    \u2014 ")]
    assert cites and all("Henry Hou \u00b7 CFO \u00b7 Q&A" in c for c in cites)
    assert ">>" in capex  # :sources marks the quote on a plain console


def test_index_catalog_on_the_real_index(sample_index: Path) -> None:
    catalog = repl.IndexCatalog(str(sample_index))
    assert not catalog.probably_empty() and catalog.known_ids() == []
    catalog.warm()
    assert catalog.known_ids() == [TID] == catalog.ids()
    assert "Henry Hou" in catalog.speakers() and "Henry Hou" in catalog.known_speakers()
    assert catalog.transcript(TID).turns[15].speaker == "Henry Hou"
    a = catalog.ask("What is the CDN floor?", where=where_clause({"speaker": "Bao",
                                                                   "section": "qa"}))
    assert a.citations and {c.speaker for c in a.citations} == {"Bao"}


def test_empty_index_catalog(tmp_path: Path) -> None:
    catalog = repl.IndexCatalog(str(tmp_path / "none"))
    assert catalog.probably_empty()
