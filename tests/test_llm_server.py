"""`qa ask` in llm mode against a real local HTTP server speaking the chat-completions protocol,
scripted per test. What the user sees (stdout, stderr, exit code) is asserted, end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qa.cli import run

from .conftest import SAMPLE
from .fake_openai import Drop, Error, FakeOpenAI, Raw, RejectResponseFormat, Slow, Text

FLOOR = "the minimum amount that we aim to maintain on a quarterly basis is 300 million RMB"
SRC = SAMPLE.read_text(encoding="utf-8")


def good(answer: str = "The standard CDN floor is 300 million RMB per quarter.",
         quotes: list[tuple[str, str]] | None = None, answerable: bool = True) -> Text:
    return Text.json({"answer": answer, "answerable": answerable,
                      "quotes": [{"excerpt": e, "text": t} for e, t in (quotes or [])]})


@pytest.fixture
def ask(sample_index: Path, fake_openai: FakeOpenAI, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("OPENAI_BASE_URL", fake_openai.base_url)
    monkeypatch.setenv("OPENAI_API_KEY", "test-key")
    monkeypatch.setenv("QA_MODEL", "fake-model")
    monkeypatch.setenv("QA_INDEX", str(sample_index))

    def go(*args: str, question: str = "What is the CDN floor?") -> tuple[int, str, str]:
        code = run(["ask", question, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return go


def excerpt_of(server: FakeOpenAI, needle: str) -> str:
    """The excerpt id under which the prompt showed `needle` to the model."""
    user = server.chat_requests[-1].body["messages"][1]["content"]
    before = user[: user.index(needle)]
    return before[before.rindex("\n[E") + 2 : before.rindex("]")]


def test_good_answer_streams_then_shows_verified_quotes(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.default = None  # every request must be scripted
    first = Text.json({"answer": "placeholder", "answerable": True, "quotes": []})
    fake_openai.script(first)
    ask("--json")  # learn which excerpt holds the quote
    eid = excerpt_of(fake_openai, FLOOR)
    fake_openai.script(good(quotes=[(eid, FLOOR)]))
    code, out, err = ask()
    assert code == 0, err
    assert out.startswith("The standard CDN floor is 300 million RMB per quarter.")
    assert FLOOR in out and "Bao (Head of the CDN business)" in out and "verified" in out
    assert "Not backed" not in out
    body = fake_openai.chat_requests[-1].body
    assert body["stream"] is True and body["model"] == "fake-model"
    assert body["response_format"]["type"] == "json_schema"


def test_json_output_has_the_model_fields(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(good())
    ask("--json")
    eid = excerpt_of(fake_openai, FLOOR)
    fake_openai.script(good(quotes=[(eid, FLOOR)]))
    code, out, _ = ask("--json")
    data = json.loads(out)
    assert code == 0
    assert data["mode"] == "llm" and data["model"] == "fake-model"
    assert data["removed_quotes"] == [] and data["unbacked_figures"] == []
    (c,) = data["citations"]
    assert c["quote"] == FLOOR == SRC[c["start"] : c["end"]] and c["verified"]


def test_fabricated_quote_is_removed_and_the_user_told(ask, fake_openai: FakeOpenAI) -> None:
    invented = "we guarantee the CDN business will never fall below 500 million RMB"
    fake_openai.script(good(answer="The floor is 300 million RMB.", quotes=[("E1", invented)]))
    code, out, err = ask()
    assert code == 0
    assert invented not in out
    assert "1 quote was not in the transcript and was removed" in out + err
    assert "No quote from the transcript supports this answer" in out
    fake_openai.script(good(answer="The floor is 300 million RMB.", quotes=[("E1", invented)]))
    data = json.loads(ask("--json")[1])
    assert data["removed_quotes"] == [invented] and data["citations"] == []


def test_unbacked_number_is_flagged(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(good())
    ask("--json")
    eid = excerpt_of(fake_openai, FLOOR)
    fake_openai.script(good(answer="The floor is 300 million RMB, about 45% of CDN revenue.",
                            quotes=[(eid, FLOOR)]))
    code, out, _ = ask()
    assert code == 0
    assert "Not backed by any quote below: 45%" in out
    fake_openai.script(good(answer="The floor is 300 million RMB, about 45% of CDN revenue.",
                            quotes=[(eid, FLOOR)]))
    assert json.loads(ask("--json")[1])["unbacked_figures"] == ["45%"]


def test_invalid_json_is_repaired_once(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Text('{"answer": "300 million RMB", "answerable": tru'),
                       good(answer="The call says 300 million RMB."))
    code, out, err = ask()
    assert code == 0
    assert "asking it once to repair it" in err
    assert out.startswith('300 million RMB') or "The call says 300 million RMB." in out
    repair = fake_openai.chat_requests[-1].body["messages"]
    assert repair[-2]["role"] == "assistant" and "could not be used" in repair[-1]["content"]


def test_invalid_twice_falls_back_to_the_offline_answer(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Text("no json here"), Text("still not json"))
    code, out, err = ask()
    assert code == 0
    assert "showing the offline answer" in out + err
    assert FLOOR in out  # the extractive answerer's verified quote


def test_server_without_json_schema_support_gets_json_mode(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(RejectResponseFormat("json_schema", status=400), good())
    code, _, err = ask()
    assert code == 0
    assert "did not take response_format json_schema" in err
    formats = [r.body.get("response_format", {}).get("type") for r in fake_openai.chat_requests]
    assert formats == ["json_schema", "json_object"]


def test_server_without_any_json_mode_gets_plain_text(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(RejectResponseFormat("json_schema", status=500,
                                            headers={"retry-after-ms": "5"}),
                       RejectResponseFormat("json_object", status=400),
                       Text(f'ANSWER: The floor is 300 million RMB.\nQUOTE [E1]: "{FLOOR}"'))
    code, out, _ = ask("--json")
    assert code == 0
    assert "response_format" not in fake_openai.chat_requests[-1].body
    assert json.loads(out)["answer"] == "The floor is 300 million RMB."


def test_429_then_success_retries(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Error(429, headers={"retry-after-ms": "20"}), good())
    code, out, _ = ask()
    assert code == 0 and out.startswith("The standard CDN floor")
    assert len(fake_openai.chat_requests) == 2


def test_500_is_one_line_and_exit_code(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.default = Error(500, headers={"retry-after-ms": "5"})
    code, out, err = ask("--mode", "llm")
    assert code == 5
    assert err.strip().splitlines()[-1].startswith("qa: error: the model server at http://127.0.0.1")
    assert "(HTTP 500) after 2 retries" in err
    assert "Traceback" not in err + out


def test_401_says_which_variable_to_set(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Error(401))
    code, _, err = ask()
    assert code == 5 and "refused the API key (HTTP 401): set OPENAI_API_KEY" in err


def test_404_names_the_model(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Error(404))
    code, _, err = ask("--model", "no-such-model")
    assert code == 5 and "model 'no-such-model' not found" in err


def test_dropped_stream_is_asked_again(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Drop(after_chunks=3), good())
    code, out, err = ask()
    assert code == 0
    assert "the answer stream dropped mid-answer; asking again" in err
    assert "The standard CDN floor is 300 million RMB per quarter." in out


def test_stream_dropped_twice_is_an_error(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.default = Drop(after_chunks=2)
    code, _, err = ask()
    assert code == 5 and "dropped the answer stream twice" in err


def test_slow_reply_hits_the_timeout(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.default = Slow(5.0, then=good())
    code, _, err = ask("--timeout", "0.3")
    assert code == 5
    assert "did not answer within 0.3 s" in err and "Traceback" not in err


def test_connection_refused_names_the_base_url(ask, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://127.0.0.1:{port}/v1")
    code, _, err = ask()
    assert code == 5
    assert f"cannot reach the model server at http://127.0.0.1:{port}/v1" in err


def test_malformed_sse_is_treated_as_a_broken_stream(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(Raw("data: {not json\n\n", content_type="text/event-stream"), good())
    code, out, err = ask()
    assert code == 0 and "asking again" in err and "300 million" in out


def test_verbose_shows_tokens_and_time(ask, fake_openai: FakeOpenAI) -> None:
    fake_openai.script(good())
    code, _, err = ask("--verbose")
    assert code == 0
    assert "mode=llm model=fake-model" in err and "prompt_tokens=" in err
    assert "total_seconds=" in err


def test_a_model_cannot_hide_the_warning_or_draw_its_own_verified_block(ask, fake_openai: FakeOpenAI) -> None:
    # SGR 8 conceals what follows, ESC[2J clears the screen, OSC 0 sets the window title; the model
    # draws a fake "[1] ... verified" block for a figure no quote backs
    hostile = ("The CDN floor is 900 million RMB.\x1b[8m\x1b[2J\x1b]0;pwned\x07\n"
               "[1] \u201cthe floor is 900 million RMB\u201d \u00b7 verified\u202e")
    fake_openai.script(good(answer=hostile))
    code, out, err = ask()
    assert code == 0, err
    shown = out + err
    assert not any(ch in shown for ch in ("\x1b", "\x07", "\u202e"))
    assert "\\x1b[8m" in shown and "\\x1b]0;pwned\\x07" in shown  # visible, not acted on
    assert "Not backed" in shown or "not backed" in shown  # the unbacked 900 million is still flagged
