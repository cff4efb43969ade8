"""index.text: sentence and paragraph spans, word tokens, JSON string offset maps."""

from __future__ import annotations

import json

import pytest

from index.text import content_words, json_raw_map, paragraph_spans, sentence_spans, words


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


# sentence_spans ---------------------------------------------------------------------------


def test_sentence_spans_do_not_end_at_a_title_abbreviation() -> None:
    text = "Thank you, Mr. Zhou. Let me add one point."
    assert sentences(text) == ["Thank you, Mr. Zhou.", "Let me add one point."]


def test_sentence_spans_do_not_end_inside_a_decimal() -> None:
    text = "Revenue was RMB 1.89 billion. Margin was 3.5%."
    assert sentences(text) == ["Revenue was RMB 1.89 billion.", "Margin was 3.5%."]


def test_sentence_spans_do_not_end_at_us_abbreviation() -> None:
    text = "We filed with the U.S. SEC in March. Growth was strong."
    assert sentences(text) == ["We filed with the U.S. SEC in March.", "Growth was strong."]


def test_sentence_spans_end_at_question_and_exclamation_marks() -> None:
    assert sentences("Why now? Because demand is strong! Thanks.") == [
        "Why now?", "Because demand is strong!", "Thanks."]


def test_sentence_spans_keep_a_closing_quote_with_its_sentence() -> None:
    assert sentences('He called it "the year of execution." Then he left.') == [
        'He called it "the year of execution."', "Then he left."]


def test_sentence_spans_split_machine_transcript_comma_before_an_opener() -> None:
    text = "We upgraded the computing resources, In terms of public cloud, revenue grew."
    assert sentences(text) == ["We upgraded the computing resources,",
                               "In terms of public cloud, revenue grew."]


def test_sentence_spans_keep_an_ordinary_comma_inside_the_sentence() -> None:
    text = "Revenue grew, and margins improved, in terms of both segments."
    assert sentences(text) == [text]


def test_sentence_spans_are_trimmed_of_white_space() -> None:
    text = "  Hello there.   Bye now.\n"
    assert sentence_spans(text) == [(2, 14), (17, 25)]


def test_sentence_spans_honour_start_and_end() -> None:
    text = "Skip this. Keep this one. And this. Not this."
    start, end = text.index("Keep"), text.index(" Not")
    assert [text[a:b] for a, b in sentence_spans(text, start, end)] == [
        "Keep this one.", "And this."]


def test_sentence_spans_of_blank_text_are_empty() -> None:
    assert sentence_spans("   \n ") == []


# paragraph_spans --------------------------------------------------------------------------


PARAGRAPHS = "  First line.  \nSecond line\n\n \t\nThird block\ncontinues here. \n"


def test_paragraph_spans_one_per_line() -> None:
    spans = paragraph_spans(PARAGRAPHS, by_blank_lines=False)
    assert [PARAGRAPHS[a:b] for a, b in spans] == [
        "First line.", "Second line", "Third block", "continues here."]


def test_paragraph_spans_by_blank_lines() -> None:
    spans = paragraph_spans(PARAGRAPHS, by_blank_lines=True)
    assert [PARAGRAPHS[a:b] for a, b in spans] == [
        "First line.  \nSecond line", "Third block\ncontinues here."]


# words / content_words --------------------------------------------------------------------


def test_words_keep_numbers_whole_and_drop_thousands_separators() -> None:
    assert words("Revenue of RMB 1,891.8 million, up 12.5% YoY.") == [
        "revenue", "of", "rmb", "1891.8", "million", "up", "12.5%", "yoy"]


def test_words_keep_ampersands_and_drop_possessives() -> None:
    assert words("Kingsoft's R&D spending") == ["kingsoft", "r&d", "spending"]


def test_content_words_drop_stop_words_and_stem() -> None:
    assert content_words("Our margins were growing to 1,891.8 in 2024.") == [
        "margin", "grow", "1891.8", "2024"]


def test_content_words_match_singular_and_plural_revenue() -> None:
    assert content_words("revenues") == content_words("revenue")


# json_raw_map -----------------------------------------------------------------------------


def assert_maps_every_span(raw: str) -> None:
    decoded = json.loads('"' + raw + '"')
    m = json_raw_map(raw)
    assert len(m) == len(decoded) + 1
    for a in range(len(decoded) + 1):
        for b in range(a, len(decoded) + 1):
            assert json.loads('"' + raw[m[a] : m[b]] + '"') == decoded[a:b], (a, b)


@pytest.mark.parametrize(
    "raw",
    [
        r"Plain text, no escapes.",
        r"Line one\nLine two",
        r"He said \"growth\" twice",
        r"Caf\u00e9 revenue",
        r"Smile \ud83d\ude00 done",
        r"Mixed: \"caf\u00e9\"\n\t\\ \/ \ud83d\ude00\u2019s end",
    ],
    ids=["plain", "newline", "quote", "u-escape", "surrogate-pair", "mixed"],
)
def test_json_raw_map_maps_decoded_spans_back_to_raw(raw: str) -> None:
    assert_maps_every_span(raw)


def test_json_raw_map_counts_a_surrogate_pair_as_one_character() -> None:
    raw = r"a\ud83d\ude00b"
    assert json_raw_map(raw) == [0, 1, 13, 14]


def test_json_raw_map_of_empty_string() -> None:
    assert json_raw_map("") == [0]
