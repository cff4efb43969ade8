"""The model answerer's pure parts: parsing replies, streaming the answer, locating quotes."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from index.parse import parse_text
from index.store import Hit
from index.types import Chunk
from qa.llm import AnswerStream, Excerpt, locate, parse_reply

from .conftest import SAMPLE


def test_parse_json_reply_also_inside_fences_and_prose() -> None:
    body = '{"answer": "300 million RMB", "answerable": true, "quotes": [{"excerpt": "E1", "text": "x y"}]}'
    for text in (body, f"```json\n{body}\n```", f"Sure! Here it is: {body} Hope that helps."):
        reply = parse_reply(text)
        assert reply.answer == "300 million RMB" and reply.quotes[0].excerpt == "E1"


def test_parse_plain_text_reply() -> None:
    reply = parse_reply('ANSWER: The floor is 300 million RMB.\n'
                        'QUOTE [E2]: "the minimum amount ... is 300 million RMB"\n'
                        "QUOTE E3: another one")
    assert reply.answer == "The floor is 300 million RMB."
    assert [(q.excerpt, q.text) for q in reply.quotes] == [
        ("E2", "the minimum amount ... is 300 million RMB"), ("E3", "another one")]
    assert reply.answerable


def test_plain_refusal_is_not_answerable() -> None:
    assert not parse_reply("ANSWER: The call does not say.").answerable


def test_invalid_replies_raise() -> None:
    with pytest.raises(ValueError):
        parse_reply("I think revenue was fine.")
    with pytest.raises(ValidationError):
        parse_reply('{"answerable": true, "quotes": []}')  # no answer
    with pytest.raises(ValidationError):
        parse_reply('{"answer": "x", "quotes": [{"excerpt": "E1"}]}')  # quote without text


@pytest.mark.parametrize("fmt,chunks,expected", [
    ("json_object", ['{"ans', 'wer": "300 mil', 'lion \\"RMB\\"', '\\u00e9", "quotes": []}'],
     '300 million "RMB"é'),
    ("text", ["ANSWER: The fl", "oor is 300", " million.\nQUO", 'TE [E1]: "x"'],
     "The floor is 300 million."),
])
def test_answer_stream_yields_only_the_answer_as_it_arrives(fmt: str, chunks: list[str],
                                                            expected: str) -> None:
    stream = AnswerStream(fmt)
    pieces = [stream.feed(c) for c in chunks]
    assert "".join(pieces) == expected
    assert not any(p.startswith(("ANSWER", "{")) for p in pieces)  # only the answer's own text


def _excerpt_with(needle: str) -> tuple[Excerpt, str]:
    source = SAMPLE.read_text(encoding="utf-8")
    t = parse_text(source, SAMPLE, "sha")
    turn = next(u for u in t.turns if needle in u.text)
    a = turn.text.index(needle)
    start, end = t.file_span(turn, max(0, a - 40), min(len(turn.text), a + len(needle) + 40))
    chunk = Chunk(id="c", transcript=t.id, turn=turn.index, part=0, start=start, end=end,
                  text=source[start:end], tokens=0, speaker=turn.speaker, role=turn.role,
                  section=turn.section)
    return Excerpt("E1", Hit(chunk, 1.0, 0), t, chunk.text), source


def test_locate_finds_a_verbatim_quote_at_exact_offsets() -> None:
    needle = "the minimum amount that we aim to maintain on a quarterly basis is 300 million RMB"
    excerpt, source = _excerpt_with(needle)
    c = locate(needle, excerpt)
    assert c is not None
    assert c.quote == needle == source[c.start : c.end]
    assert c.speaker == "Bao" and c.section.value == "qa"


def test_locate_forgives_quote_marks_and_white_space_only() -> None:
    needle = "I'd like to remind you that this conference call contains forward-looking statements"
    excerpt, source = _excerpt_with(needle)
    c = locate("I\u2019d like to remind   you that this conference\ncall contains forward-looking "
               "statements", excerpt)
    assert c is not None and source[c.start : c.end] == needle


def test_locate_refuses_paraphrases_and_invented_quotes() -> None:
    needle = "the minimum amount that we aim to maintain on a quarterly basis is 300 million RMB"
    excerpt, _ = _excerpt_with(needle)
    assert locate("the minimum amount we aim to maintain each quarter is 300 million RMB",
                  excerpt) is None
    assert locate("the minimum amount that we aim to maintain on a quarterly basis is 400 "
                  "million RMB", excerpt) is None
    assert locate("short", excerpt) is None
