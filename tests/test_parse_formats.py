"""index.parse: one test file per transcript format, plus files that cannot be read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from index.errors import UnreadableTranscript
from index.parse import read_transcript
from index.types import Rendering, Role, Section, Transcript, Turn

SAMPLE = Path(__file__).resolve().parents[1] / "index" / "samples" / "kingsoft-cloud-2024q2.txt"
SECTION_ORDER = [Section.OPENING, Section.PREPARED, Section.QA]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_exact_ordered_turns(t: Transcript) -> None:
    """Every turn is its exact file span; turns are in file order and do not overlap."""
    assert t.turns
    for turn in t.turns:
        assert 0 <= turn.start < turn.end <= len(t.source)
        assert t.span(turn.start, turn.end) == turn.text
    for before, after in zip(t.turns, t.turns[1:], strict=False):
        assert before.end <= after.start
    assert [turn.index for turn in t.turns] == list(range(len(t.turns)))


def assert_sections_move_forward(t: Transcript) -> None:
    ranks = [SECTION_ORDER.index(turn.section) for turn in t.turns]
    assert ranks == sorted(ranks)


def turn_with(t: Transcript, phrase: str) -> Turn:
    found = [turn for turn in t.turns if phrase in turn.text]
    assert len(found) == 1, [turn.index for turn in found]
    return found[0]


def roles_of(t: Transcript, speaker: str) -> set[Role]:
    return {turn.role for turn in t.turns if turn.speaker == speaker}


# (a) the bundled sample: one unlabelled paragraph per line, interpreted call -------------


@pytest.fixture(scope="module")
def sample() -> Transcript:
    return read_transcript(SAMPLE)


def test_sample_metadata(sample: Transcript) -> None:
    assert (sample.format, sample.company, sample.period, sample.date) == (
        "paragraphs", "Kingsoft Cloud", "2024Q2", "2024-08-20")


def test_sample_turns_are_exact_ordered_spans(sample: Transcript) -> None:
    assert_exact_ordered_turns(sample)
    assert all(turn.text == sample.source[turn.start : turn.end] for turn in sample.turns)


def test_sample_sections_go_opening_prepared_qa(sample: Transcript) -> None:
    assert_sections_move_forward(sample)
    assert {turn.section for turn in sample.turns} == set(SECTION_ORDER)


@pytest.mark.parametrize(
    ("speaker", "role"),
    [
        ("Nicole Shan", Role.IR),
        ("Zhou Tao", Role.CEO),
        ("Henry Hou", Role.CFO),
        ("Xiaodan Zhang", Role.ANALYST),
        ("Timothy Tsao", Role.ANALYST),
        ("Bao", Role.EXECUTIVE),
    ],
)
def test_sample_speaker_has_the_right_role(sample: Transcript, speaker: str, role: Role) -> None:
    assert roles_of(sample, speaker) == {role}


def test_sample_operator_is_found(sample: Transcript) -> None:
    operator = [turn for turn in sample.turns if turn.role == Role.OPERATOR]
    assert operator
    assert "thank you for standing by" in operator[0].text.lower()


def test_sample_analyst_titles_name_their_firms(sample: Transcript) -> None:
    titles = {turn.speaker: turn.title for turn in sample.turns if turn.role == Role.ANALYST}
    assert "CICC" in (titles["Xiaodan Zhang"] or "")
    assert "Goldman Sachs" in (titles["Timothy Tsao"] or "")


def test_sample_cdn_head_title_mentions_cdn(sample: Transcript) -> None:
    titles = {turn.title for turn in sample.turns if turn.speaker == "Bao"}
    assert titles and all("CDN" in (title or "") for title in titles)


def test_sample_interpreted_answer_is_paired_with_its_machine_translation(
        sample: Transcript) -> None:
    turn = turn_with(sample, "the minimum amount that we aim to maintain on a quarterly basis "
                             "is 300 million RMB")
    assert (turn.rendering, turn.section) == (Rendering.INTERPRETED, Section.QA)
    assert turn.pair is not None
    machine = sample.turns[turn.pair]
    assert machine.rendering == Rendering.MACHINE
    assert "300 million yuan" in machine.text
    assert machine.pair == turn.index


def test_sample_machine_translated_prepared_remark(sample: Transcript) -> None:
    assert turn_with(sample, "Revenue reached RMB 18.9 billion").rendering == Rendering.MACHINE


# (b) labelled: "Operator:", "Name -- Title" headers, "Name: text" --------------------------


LABELLED = """\
Acme Widgets (ACME) Q3 2024 Earnings Call Transcript

Prepared Remarks:

Operator: Good afternoon and welcome to the Acme Widgets third quarter 2024 earnings \
conference call. Today's conference is being recorded. I would now like to turn the call over \
to Jane Roe, Director of Investor Relations.

Jane Roe -- Director of Investor Relations

Thank you, operator. With me today are John Smith, our Chief Executive Officer, and Mary \
Major, our Chief Financial Officer.

Before we begin, please note that today's remarks include forward-looking statements.

John Smith -- Chief Executive Officer

Thanks, Jane. We delivered record revenue of $1,891.8 million, up 12% year over year.

Our backlog grew to $4.2 billion.

Mary Major -- Chief Financial Officer

Thank you, John. Gross margin expanded 150 basis points to 38.5%.

Questions and Answers:

Operator: Your first question comes from the line of Peter Park with Morgan Stanley. Your line \
is open.

Peter Park -- Morgan Stanley -- Analyst

Hi, thanks for taking my question. Can you talk about pricing?

John Smith: Sure, Peter. Pricing was stable across all regions.

Operator: This concludes today's conference call. You may now disconnect.
"""


@pytest.fixture
def labelled(tmp_path: Path) -> Transcript:
    return read_transcript(write(tmp_path, "acme-2024-q3.txt", LABELLED))


def test_labelled_format_and_metadata(labelled: Transcript) -> None:
    assert (labelled.format, labelled.company, labelled.period) == (
        "labelled", "Acme Widgets", "2024Q3")


def test_labelled_turns_are_exact_spans(labelled: Transcript) -> None:
    assert_exact_ordered_turns(labelled)
    assert all(t.text == labelled.source[t.start : t.end] for t in labelled.turns)


def test_labelled_speakers_roles_and_sections(labelled: Transcript) -> None:
    assert [t.speaker for t in labelled.turns] == [
        "Operator", "Jane Roe", "John Smith", "Mary Major", "Operator", "Peter Park", "John Smith",
        "Operator"]
    # the operator's welcome and the IR's safe harbour open the call, even under "Prepared Remarks"
    assert [t.section for t in labelled.turns] == [Section.OPENING] * 2 + [Section.PREPARED] * 2 + \
        [Section.QA] * 4
    assert [t.role for t in labelled.turns] == [
        Role.OPERATOR, Role.IR, Role.CEO, Role.CFO, Role.OPERATOR, Role.ANALYST, Role.CEO,
        Role.OPERATOR]


def test_labelled_header_turn_spans_its_paragraphs_but_not_the_next_label(
        labelled: Transcript) -> None:
    jane = labelled.turns[1]
    assert jane.text.startswith("Thank you, operator.")
    assert jane.text.endswith("include forward-looking statements.")
    assert labelled.turns[3].text.endswith("to 38.5%.")  # stops before "Questions and Answers:"


def test_labelled_analyst_title_keeps_the_firm(labelled: Transcript) -> None:
    assert labelled.turns[5].title == "Morgan Stanley -- Analyst"


INLINE = """\
Operator: Good morning, and welcome to the Northwind Energy first quarter 2025 earnings call. \
This conference call is being recorded.
Sam Lee (Head of Investor Relations): Thank you. Joining me are Dana Cruz and Omar Haddad.
Dana Cruz (Chief Executive Officer): Thanks, Sam. Production rose 8% to 412,000 barrels per day.
Omar Haddad (CFO): Free cash flow was $1.2 billion.
Operator: Our first question comes from the line of Ana Gomez with Jefferies. Your line is open.
Ana Gomez (Jefferies Analyst): How should we think about capex in the second half?
Omar Haddad (CFO): We expect capex to be flat.
"""


def test_inline_labels_infer_sections_from_roles(tmp_path: Path) -> None:
    t = read_transcript(write(tmp_path, "northwind.txt", INLINE))
    assert t.format == "labelled"
    assert_exact_ordered_turns(t)
    assert [(x.speaker, x.role, x.section) for x in t.turns] == [
        ("Operator", Role.OPERATOR, Section.OPENING),
        ("Sam Lee", Role.IR, Section.OPENING),
        ("Dana Cruz", Role.CEO, Section.PREPARED),
        ("Omar Haddad", Role.CFO, Section.PREPARED),
        ("Operator", Role.OPERATOR, Section.QA),
        ("Ana Gomez", Role.ANALYST, Section.QA),
        ("Omar Haddad", Role.CFO, Section.QA),
    ]


def test_labelled_section_heading_is_not_a_speaker(tmp_path: Path) -> None:
    text = LABELLED.replace(
        "Prepared Remarks:\n\nOperator: Good afternoon",
        "Prepared Remarks:\n\nOperator\n\nGood afternoon")
    assert text != LABELLED
    t = read_transcript(write(tmp_path, "acme.txt", text))
    assert "Prepared Remarks" not in {x.speaker for x in t.turns}


def test_labelled_name_only_label_keeps_the_role_from_its_header(labelled: Transcript) -> None:
    assert roles_of(labelled, "John Smith") == {Role.CEO}


def test_prepared_remarks_ending_with_an_invitation_to_questions_stay_prepared(
        tmp_path: Path) -> None:
    text = INLINE.replace("Free cash flow was $1.2 billion.",
                          "Free cash flow was $1.2 billion. We are now happy to take your "
                          "questions.")
    assert text != INLINE
    t = read_transcript(write(tmp_path, "northwind.txt", text))
    assert t.turns[3].speaker == "Omar Haddad"
    assert t.turns[3].section == Section.PREPARED


# (c) JSON exports ---------------------------------------------------------------------------


JSON_LIST = r"""[
  {"speaker": "Operator", "title": "",
   "text": "Good morning and welcome to the Fabrikam fourth quarter 2024 earnings call."},
  {"speaker": "Lena Ortiz", "title": "Chief Executive Officer",
   "text": "  Thank you. It was the \"year of execution\".\nRevenue rose 14%; we\u2019re up.  "},
  {"speaker": "Raj Patel", "title": "Chief Financial Officer",
   "text": "Operating margin was 21.4%."},
  {"speaker": "Operator",
   "text": "Our first question comes from Kim Young with UBS. Your line is open."},
  {"speaker": "Kim Young", "title": "UBS - Analyst",
   "text": "Thanks. What drove the caf\u00e9 segment?"},
  {"speaker": "Lena Ortiz", "title": "Chief Executive Officer", "text": "Pricing\tand volume."}
]
"""

JSON_MOTLEY = r"""{"company": "Tailspin Toys", "period": "Q2 2024", "date": "2024-07-30",
 "prepared_remarks": [
   {"speaker": "Operator", "text": "Welcome to the Tailspin Toys second quarter 2024 call."},
   {"speaker": "Ada Brook", "title": "CEO",
    "text": "Sales were \"solid\":\nup 6%, and we\u2019re pleased."}
 ],
 "questions_and_answers": [
   {"speaker": "Ben Cole", "title": "Barclays -- Analyst", "text": "What about margins?"},
   {"speaker": "Ada Brook", "title": "CEO", "text": "They\u2019re expanding."}
 ]}
"""


def test_json_list_turns_decode_their_file_spans(tmp_path: Path) -> None:
    t = read_transcript(write(tmp_path, "fabrikam.json", JSON_LIST))
    assert (t.format, t.turn_texts_are_json) == ("json", True)
    assert_exact_ordered_turns(t)
    ceo = t.turns[1]
    assert ceo.text == ("Thank you. It was the \"year of execution\".\n"
                        "Revenue rose 14%; we\u2019re up.")
    raw = t.source[ceo.start : ceo.end]
    assert '\\"' in raw and "\\n" in raw and "\\u2019" in raw  # spans point at the raw escapes


def test_json_list_speakers_roles_and_inferred_sections(tmp_path: Path) -> None:
    t = read_transcript(write(tmp_path, "fabrikam.json", JSON_LIST))
    assert [(x.speaker, x.role, x.section) for x in t.turns] == [
        ("Operator", Role.OPERATOR, Section.OPENING),
        ("Lena Ortiz", Role.CEO, Section.PREPARED),
        ("Raj Patel", Role.CFO, Section.PREPARED),
        ("Operator", Role.OPERATOR, Section.QA),
        ("Kim Young", Role.ANALYST, Section.QA),
        ("Lena Ortiz", Role.CEO, Section.QA),
    ]


def test_json_motley_fool_object_sections_and_metadata(tmp_path: Path) -> None:
    t = read_transcript(write(tmp_path, "tailspin.json", JSON_MOTLEY))
    assert (t.format, t.company, t.period, t.date) == (
        "json", "Tailspin Toys", "2024Q2", "2024-07-30")
    assert_exact_ordered_turns(t)
    assert [(x.speaker, x.role, x.section) for x in t.turns] == [
        ("Operator", Role.OPERATOR, Section.PREPARED),
        ("Ada Brook", Role.CEO, Section.PREPARED),
        ("Ben Cole", Role.ANALYST, Section.QA),
        ("Ada Brook", Role.CEO, Section.QA),
    ]
    assert t.turns[1].text == "Sales were \"solid\":\nup 6%, and we\u2019re pleased."


def test_json_turn_texts_match_json_loads(tmp_path: Path) -> None:
    t = read_transcript(write(tmp_path, "tailspin.json", JSON_MOTLEY))
    data = json.loads(JSON_MOTLEY)
    expected = [row["text"] for row in data["prepared_remarks"] + data["questions_and_answers"]]
    assert [x.text for x in t.turns] == expected


def test_malformed_json_is_unreadable_with_a_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.json", '[{"speaker": "Operator", "text": "Welcome."}')
    with pytest.raises(UnreadableTranscript) as info:
        read_transcript(path)
    assert info.value.path == str(path)
    assert "does not parse" in info.value.why
    assert str(path) in str(info.value)


def test_json_without_turns_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableTranscript, match="JSON without turns"):
        read_transcript(write(tmp_path, "meta.json", '{"company": "Tailspin Toys"}'))


def test_plain_text_starting_with_a_bracketed_note_is_not_json(tmp_path: Path) -> None:
    text = ("[Music]\nGood morning, and thank you for standing by.\n\n"
            "Thank you, operator. Revenue grew 9% this quarter.\n")
    t = read_transcript(write(tmp_path, "webcast.txt", text))
    assert t.format != "json"


# (d) one sentence per line (ECTSum style) ---------------------------------------------------


SENTENCES = """\
Thank you for standing by, and welcome to the Litware second quarter 2023 earnings conference call.
I would now like to turn the call over to our Chief Financial Officer, Maria Lopez.
Thank you, operator, and good morning, everyone.
Revenue for the quarter was $1,891.8 million, up 7% from last year.
Gross margin improved to 41.2%, driven by mix.
With that, I'll turn it over to our CEO, Tom Baker.
Thanks, Maria.
Demand in the U.S. remained healthy throughout the quarter.
We expect growth to continue into the second half.
Our first question comes from the line of Ravi Shah with Citi.
Thanks for taking my question.
Can you talk about pricing trends?
There are no further questions at this time.
"""


@pytest.fixture
def sentences(tmp_path: Path) -> Transcript:
    return read_transcript(write(tmp_path, "litware_q2_2023.txt", SENTENCES))


def test_sentences_format_detected(sentences: Transcript) -> None:
    assert (sentences.format, sentences.company, sentences.period) == (
        "sentences", "Litware", "2023Q2")


def test_sentences_turns_split_at_operator_and_hand_over_lines(sentences: Transcript) -> None:
    assert_exact_ordered_turns(sentences)
    lines = SENTENCES.splitlines()
    got = [(x.text.splitlines()[0], x.text.splitlines()[-1]) for x in sentences.turns]
    assert got == [
        (lines[0], lines[1]),  # the operator's welcome and hand-over to Maria Lopez
        (lines[2], lines[5]),  # Maria, up to her hand-over to Tom Baker
        (lines[6], lines[8]),  # Tom, up to the operator's line
        (lines[9], lines[9]),  # operator announces Ravi Shah
        (lines[10], lines[11]),
        (lines[12], lines[12]),
    ]


def test_sentences_turns_start_and_end_on_line_boundaries(sentences: Transcript) -> None:
    for turn in sentences.turns:
        assert turn.start == 0 or sentences.source[turn.start - 1] == "\n"
        assert sentences.source[turn.end] == "\n"


def test_sentences_speakers_from_hand_overs(sentences: Transcript) -> None:
    got = [(x.speaker, x.role) for x in sentences.turns]
    assert got[1:5] == [
        ("Maria Lopez", Role.CFO),
        ("Tom Baker", Role.CEO),
        ("Operator", Role.OPERATOR),
        ("Ravi Shah", Role.ANALYST),
    ]
    assert got[0][1] == Role.OPERATOR and got[5][1] == Role.OPERATOR
    assert_sections_move_forward(sentences)
    assert sentences.turns[2].section == Section.PREPARED
    assert sentences.turns[4].section == Section.QA


# plain: blank-line separated paragraphs ----------------------------------------------------


PLAIN = """\
Good morning, and welcome to the Adatum first quarter 2024 earnings
call. Today's conference is being recorded. I would now like to
hand the call over to our Chief Executive Officer, Grace Kim.

Thank you, operator. Good morning, everyone. Our revenue grew 11%
to $2.4 billion this quarter, and operating margin expanded by 90
basis points. Let me now hand over to our Chief Financial Officer,
Victor Chen.

Thanks, Grace. Gross margin was 44.1%, up from 42.7% a year ago
and free cash flow reached $310 million in the quarter.
Operator, please go ahead.

Thank you. Our first question comes from Lisa Wong with Bernstein.

Hi, thanks. Could you walk us through the drivers of the margin
expansion and how sustainable it is?
"""


def test_plain_paragraphs_become_turns(tmp_path: Path) -> None:
    t = read_transcript(write(tmp_path, "adatum.txt", PLAIN))
    assert (t.format, t.company, t.period) == ("plain", "Adatum", "2024Q1")
    assert_exact_ordered_turns(t)
    blocks = [b.strip() for b in PLAIN.split("\n\n")]
    assert [x.text for x in t.turns] == blocks
    assert [(x.speaker, x.role) for x in t.turns] == [
        ("Operator", Role.OPERATOR),
        ("Grace Kim", Role.CEO),
        ("Victor Chen", Role.CFO),
        ("Operator", Role.OPERATOR),
        ("Lisa Wong", Role.ANALYST),
    ]
    assert [x.section for x in t.turns] == [
        Section.OPENING, Section.PREPARED, Section.PREPARED, Section.QA, Section.QA]


def test_plain_hand_over_wrapped_across_lines_is_found(tmp_path: Path) -> None:
    text = PLAIN.replace("I would now like to\nhand the call over to our",
                         "I would now like to hand\nthe call over to our")
    assert text != PLAIN
    t = read_transcript(write(tmp_path, "adatum.txt", text))
    assert (t.turns[1].speaker, t.turns[1].role) == ("Grace Kim", Role.CEO)


PARAGRAPHS = """\
Good day and thank you for standing by. Welcome to the Proseware third quarter 2024 earnings \
conference call. Today's conference is being recorded. I would now like to hand the conference \
over to our CEO, Alan Fisher
Good morning everyone and thank you for joining us. Revenue grew 12% year over year to $820 \
million, and our subscription business now represents 70% of total revenue.
"""


def test_paragraph_without_final_period_does_not_lend_a_word_to_the_name(
        tmp_path: Path) -> None:
    t = read_transcript(write(tmp_path, "proseware.txt", PARAGRAPHS))
    assert t.format == "paragraphs"
    assert t.turns[1].speaker == "Alan Fisher"


# unreadable input ---------------------------------------------------------------------------


def unreadable(tmp_path: Path, data: bytes) -> UnreadableTranscript:
    path = tmp_path / "call.txt"
    path.write_bytes(data)
    with pytest.raises(UnreadableTranscript) as info:
        read_transcript(path)
    assert info.value.path == str(path)
    return info.value


def test_empty_file_is_unreadable(tmp_path: Path) -> None:
    assert "empty file" in unreadable(tmp_path, b"").why


def test_whitespace_only_file_is_unreadable(tmp_path: Path) -> None:
    assert "empty file" in unreadable(tmp_path, b" \n\t\r\n  \n").why


def test_binary_file_with_nul_bytes_is_unreadable(tmp_path: Path) -> None:
    why = unreadable(tmp_path, b"Operator: Welcome.\x00\x00\x01\x02PK\x03\x04").why
    assert "binary file" in why and "NUL" in why


def test_invalid_utf8_is_unreadable_and_names_the_offset(tmp_path: Path) -> None:
    why = unreadable(tmp_path, b"Good morning, everyone.\xff\xfe\xfa Revenue grew.").why
    assert "not UTF-8" in why and "offset 23" in why


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(UnreadableTranscript, match="cannot read it"):
        read_transcript(tmp_path / "nowhere.txt")


def test_utf8_bom_file_parses_without_the_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + PLAIN.encode("utf-8"))
    t = read_transcript(path)
    assert t.source == PLAIN
    assert t.format == "plain"
    assert t.turns[0].text.startswith("Good morning")
    assert_exact_ordered_turns(t)


def test_broken_utf16_file_is_unreadable(tmp_path: Path) -> None:
    assert "UTF" in unreadable(tmp_path, b"\xff\xfeO\x00p\x00e").why


def test_a_short_labelled_file_is_still_labelled(tmp_path: Path) -> None:
    t = read_transcript(write(tmp_path, "acme.txt",
                              "Operator: Welcome to the Acme first quarter 2024 earnings call.\n"
                              "Jane Roe -- Chief Financial Officer\nRevenue was 12 million dollars.\n"))
    assert t.format == "labelled"
    assert [(u.speaker, u.role) for u in t.turns] == [("Operator", Role.OPERATOR),
                                                      ("Jane Roe", Role.CFO)]
