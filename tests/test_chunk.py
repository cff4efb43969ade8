"""index.chunk with the real offline tiktoken encoding and the embedder's own tokenizer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from index import offline
from index.chunk import MAX_TOKENS, chunk_transcript, embed_text, header
from index.parse import read_transcript
from index.text import sentence_spans
from index.types import Chunk, Transcript

SAMPLE = Path(__file__).resolve().parents[1] / "index" / "samples" / "kingsoft-cloud-2024q2.txt"
WINDOW = offline.EMBEDDER_MAX_PIECES

Counter = Callable[[str], int]


@pytest.fixture(scope="module")
def count_tokens(assets_dir: Path) -> Counter:
    enc = offline.tiktoken_encoding()
    return lambda s: len(enc.encode(s, disallowed_special=()))


@pytest.fixture(scope="module")
def count_pieces(assets_dir: Path) -> Counter:
    tok = offline.word_pieces()
    return lambda s: len(tok.encode(s).ids)


@pytest.fixture(scope="module")
def sample() -> Transcript:
    return read_transcript(SAMPLE)


def chunk(t: Transcript, count_tokens: Counter, count_pieces: Counter) -> list[Chunk]:
    return chunk_transcript(t, count_tokens, count_pieces, WINDOW)


def assert_chunks_fit(t: Transcript, chunks: list[Chunk], count_tokens: Counter,
                      count_pieces: Counter) -> None:
    """Inside its turn, exact text, within MAX_TOKENS and the embedder's window."""
    assert chunks
    turns = {turn.index: turn for turn in t.turns}
    for c in chunks:
        turn = turns[c.turn]
        assert turn.start <= c.start < c.end <= turn.end, c.id
        assert t.span(c.start, c.end) == c.text, c.id
        assert c.tokens == count_tokens(c.text) <= MAX_TOKENS, c.id
        assert count_pieces(embed_text(c, header(t, turn))) <= WINDOW, c.id


# the bundled sample --------------------------------------------------------------------------


def test_sample_chunks_stay_inside_their_turns(sample: Transcript, count_tokens: Counter,
                                               count_pieces: Counter) -> None:
    chunks = chunk(sample, count_tokens, count_pieces)
    turns = {turn.index: turn for turn in sample.turns}
    for c in chunks:
        assert turns[c.turn].start <= c.start < c.end <= turns[c.turn].end, c.id


def test_sample_chunk_text_is_the_source_span(sample: Transcript, count_tokens: Counter,
                                              count_pieces: Counter) -> None:
    for c in chunk(sample, count_tokens, count_pieces):
        assert c.text == sample.source[c.start : c.end], c.id


def test_sample_chunks_fit_token_limit_and_embedder_window(
        sample: Transcript, count_tokens: Counter, count_pieces: Counter) -> None:
    assert_chunks_fit(sample, chunk(sample, count_tokens, count_pieces), count_tokens,
                      count_pieces)


def test_sample_every_turn_is_covered_by_chunks(sample: Transcript, count_tokens: Counter,
                                                count_pieces: Counter) -> None:
    chunked = {c.turn for c in chunk(sample, count_tokens, count_pieces)}
    assert chunked == {turn.index for turn in sample.turns}


def test_sample_chunks_of_a_turn_are_ordered_and_disjoint(
        sample: Transcript, count_tokens: Counter, count_pieces: Counter) -> None:
    chunks = chunk(sample, count_tokens, count_pieces)
    for before, after in zip(chunks, chunks[1:], strict=False):
        if before.turn == after.turn:
            assert after.part == before.part + 1
            assert before.end <= after.start


def test_sample_chunk_ids_are_deterministic_and_unique(
        sample: Transcript, count_tokens: Counter, count_pieces: Counter) -> None:
    first = [c.id for c in chunk(sample, count_tokens, count_pieces)]
    again = [c.id for c in chunk(read_transcript(SAMPLE), count_tokens, count_pieces)]
    assert first == again
    assert len(set(first)) == len(first)


def test_chunks_carry_the_turns_metadata(sample: Transcript, count_tokens: Counter,
                                         count_pieces: Counter) -> None:
    for c in chunk(sample, count_tokens, count_pieces):
        turn = sample.turns[c.turn]
        assert (c.speaker, c.role, c.section, c.rendering) == (
            turn.speaker, turn.role, turn.section, turn.rendering)
        assert (c.transcript, c.company, c.period) == (sample.id, "Kingsoft Cloud", "2024Q2")


# a turn with one 1,000-word sentence ---------------------------------------------------------


WORDS = ("revenue cloud growth margin 1,891.8 customers quarter infrastructure platform "
         "services enterprise AI computing RMB 12.5% delivery").split()
LONG = " ".join(WORDS[i % len(WORDS)] for i in range(1000))


@pytest.fixture
def long_turn(tmp_path: Path) -> Transcript:
    path = tmp_path / "long.txt"
    path.write_text("Operator: Welcome to the call.\n"
                    f"John Smith (Chief Executive Officer): {LONG}\n"
                    "Jane Roe (CFO): Thank you. Margins improved.\n", encoding="utf-8")
    t = read_transcript(path)
    assert t.turns[1].text == LONG
    assert sentence_spans(LONG) == [(0, len(LONG))]  # one sentence, no punctuation
    return t


def test_long_sentence_is_split_into_several_chunks(long_turn: Transcript, count_tokens: Counter,
                                                    count_pieces: Counter) -> None:
    parts = [c for c in chunk(long_turn, count_tokens, count_pieces) if c.turn == 1]
    assert len(parts) >= 5
    assert [c.part for c in parts] == list(range(len(parts)))


def test_long_sentence_chunks_fit_and_stay_exact(long_turn: Transcript, count_tokens: Counter,
                                                 count_pieces: Counter) -> None:
    assert_chunks_fit(long_turn, chunk(long_turn, count_tokens, count_pieces), count_tokens,
                      count_pieces)


def test_long_sentence_chunks_cover_every_word(long_turn: Transcript, count_tokens: Counter,
                                               count_pieces: Counter) -> None:
    parts = [c for c in chunk(long_turn, count_tokens, count_pieces) if c.turn == 1]
    assert " ".join(c.text for c in parts).split() == LONG.split()


def test_long_sentence_chunk_ids_are_deterministic_and_unique(
        long_turn: Transcript, count_tokens: Counter, count_pieces: Counter) -> None:
    first = [c.id for c in chunk(long_turn, count_tokens, count_pieces)]
    assert first == [c.id for c in chunk(long_turn, count_tokens, count_pieces)]
    assert len(set(first)) == len(first)


# JSON exports: chunk offsets point at the raw JSON string contents --------------------------


def test_json_chunks_map_back_to_their_escaped_file_spans(
        tmp_path: Path, count_tokens: Counter, count_pieces: Counter) -> None:
    sentence = ("We call it the \u201cyear of execution\u201d: revenue rose 14% to "
                "\u20ac1,891.8 million in the caf\u00e9 \U0001F600 segment.\n")
    rows = [{"speaker": "Operator", "text": "Welcome to the call."},
            {"speaker": "Lena Ortiz", "title": "CEO", "text": " ".join([sentence] * 40)}]
    path = tmp_path / "call.json"
    path.write_text(json.dumps(rows), encoding="utf-8")  # ensure_ascii: \u escapes everywhere
    t = read_transcript(path)
    chunks = chunk(t, count_tokens, count_pieces)
    assert len([c for c in chunks if c.turn == 1]) > 1
    assert_chunks_fit(t, chunks, count_tokens, count_pieces)


# a remark without white space ----------------------------------------------------------------


def test_remark_without_white_space_is_cut_to_fit(tmp_path: Path, count_tokens: Counter,
                                                  count_pieces: Counter) -> None:
    remark = "我们本季度的收入达到了人民币十八亿九千万元，同比增长百分之三。" * 40
    path = tmp_path / "zh.txt"
    path.write_text("Operator: Welcome to the call.\n"
                    f"Zhou Tao (Chief Executive Officer): {remark}\n"
                    "Henry Hou (CFO): Thank you.\n", encoding="utf-8")
    t = read_transcript(path)
    assert t.turns[1].text == remark
    assert_chunks_fit(t, chunk(t, count_tokens, count_pieces), count_tokens, count_pieces)


# a run with no white space at all (a pasted blob): chunked, and in linear work ----------------


def test_a_run_without_white_space_is_chunked_with_work_in_proportion_to_its_length(
        tmp_path: Path, count_tokens: Counter, count_pieces: Counter) -> None:
    counted = [0]

    def counting(s: str) -> int:
        counted[0] += len(s)
        return count_tokens(s)

    sizes = {}
    for n in (20_000, 80_000):
        path = tmp_path / f"blob{n}.txt"
        path.write_text(f"Operator: Welcome to the call.\n\nJane Roe -- CFO: {'ab1' * (n // 3)}\n",
                        encoding="utf-8")
        t = read_transcript(path, force=True)
        counted[0] = 0
        chunks = chunk_transcript(t, counting, count_pieces, WINDOW)
        sizes[n] = counted[0]
        assert_chunks_fit(t, chunks, count_tokens, count_pieces)
        blob = [c for c in chunks if "ab1ab1" in c.text]
        assert "".join(c.text for c in blob) == "ab1" * (n // 3)  # nothing lost, nothing doubled
    # characters handed to the tokenizer grow with the length (x4 here), not its square (x16)
    assert sizes[80_000] < 6 * sizes[20_000]
