"""The attribution engine for unlabelled layouts: turns, speakers, roles and sections from the
call's own cues. Small synthetic calls written for these tests (no corpus text)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from index.parse import cues, parse_text
from index.types import Role, Section, Transcript


def _parse(text: str, name: str = "call.txt") -> Transcript:
    return parse_text(text, Path(name), hashlib.sha256(text.encode()).hexdigest())


def _who(t: Transcript, sentence: str) -> tuple[str | None, str, str]:
    at = t.source.index(sentence)
    turn = t.turn_at(at)
    assert turn is not None, sentence
    return turn.speaker, turn.role.value, turn.section.value


# One sentence per line, the IR's hand-over removed (as ECTSum publishes calls).
SENTENCES = """\
Joining me today are Jane Miller, our Chairman and CEO; and Tom Baker, Executive Vice President and CFO.
Jane will begin with an overview of the quarter, and then Tom will review the financial results.
Before we begin, some statements made today are forward-looking and subject to risks and uncertainties.
Reconciliations of non-GAAP measures are in our press release on our website.
We had a record quarter across every region.
Orders grew faster than at any time in the last decade.
Our new plant in Ohio opened on schedule.
I'm proud of what our teams achieved this quarter.
With that, I'll turn it over to Tom.
Thanks, Jane.
Revenue was $412 million, up 9% from last year.
The effective tax rate was 21% and free cash flow was $55 million.
Our balance sheet remains strong, with net debt of $300 million.
As Jane mentioned, we opened the Ohio plant on schedule.
Operator, we'll now take our first question.
"""


def test_sentence_layout_is_regrouped_into_turns():
    t = _parse(SENTENCES)
    assert t.format == "sentences"
    assert len(t.turns) >= 3
    assert _who(t, "Before we begin")[1:] == ("investor_relations", "opening")
    assert _who(t, "We had a record quarter") == ("Jane Miller", "ceo", "prepared")
    assert _who(t, "I'm proud of what") == ("Jane Miller", "ceo", "prepared")
    assert _who(t, "Thanks, Jane.") == ("Tom Baker", "cfo", "prepared")
    assert _who(t, "The effective tax rate") == ("Tom Baker", "cfo", "prepared")
    # "Operator, ..." is management speaking to the operator, not the operator
    assert _who(t, "Operator, we'll now take")[:2] == ("Tom Baker", "cfo")


def test_a_name_never_given_stays_unknown_and_placeholders_are_not_names():
    text = """\
Thank you, and good morning, everyone.
Joining me on today's call is our Chairman and CEO <UNK> <UNK> and our CFO <UNK> <UNK>.
Our comments today include forward-looking statements.
I will now turn the call over to <UNK> <UNK>.
Thanks, <UNK>.
This was a very productive quarter for us.
Sales rose 4% to a record.
I will now turn it over to our CFO, <UNK> <UNK>, to discuss the financials.
Gross margin was 70.1%, and the tax rate was 24%.
"""
    t = _parse(text)
    for turn in t.turns:
        assert turn.speaker is None or "UNK" not in turn.speaker
    assert _who(t, "Our comments today")[1] == "investor_relations"
    assert _who(t, "This was a very productive quarter") == (None, "ceo", "prepared")
    assert _who(t, "Gross margin was 70.1%") == (None, "cfo", "prepared")


def test_thanks_names_the_previous_speaker_and_back_references_name_earlier_ones():
    text = """\
Good morning, everyone.
Revenue grew 12% this quarter, our best since 2015.
We continue to invest in our stores.
Now I turn the program over to Fred.
Thanks, Greg.
As Greg noted, stores did well.
Our tax rate was 22% and capital expenditures were $40 million.
Operating cash flow and liquidity were strong.
"""
    t = _parse(text)
    speaker, role, _ = _who(t, "Revenue grew 12%")
    assert speaker == "Greg" and role == "ceo"
    assert _who(t, "As Greg noted")[0] == "Fred"


def test_hand_over_cues_and_false_friends():
    assert cues.next_speaker("Now I turn the program over to Fred.", {}).name == "Fred"
    max_ = cues.next_speaker("I'll now pass on to Max to discuss our financial performance.", {})
    assert max_.name == "Max" and max_.role == Role.CFO
    assert cues.next_speaker("With that, let me turn to the Aerospace results.", {}) is None
    assert cues.next_speaker("Let's turn to DiamondRock's setup for 2022.", {}) is None
    assert cues.next_speaker("Before turning the call over to Mark, I'd like to add a word.", {}) is None
    assert cues.next_speaker("Here's Billy with an update on our operations.", {}).name == "Billy"
    assert cues.next_speaker("Here is China, where sales rose 9%.", {}) is None
    kurt = cues.next_speaker("With that, I will turn over the call to Kurt Darrow, our Chairman and CEO.", {})
    assert kurt.name == "Kurt Darrow"
    assert cues.next_speaker("Operator, we'll take our first question.", {}).role == Role.OPERATOR
    analyst = cues.next_speaker("Our next question comes from Jimmy Bhullar with JP Morgan.", {})
    assert (analyst.name, analyst.role, analyst.title) == ("Jimmy Bhullar", Role.ANALYST, "JP Morgan")
    placeholder = cues.next_speaker("I will now turn the call over to Aaron's CEO, <UNK> <UNK>.", {})
    assert placeholder.name is None and placeholder.placeholder and placeholder.role == Role.CEO


def test_a_back_reference_to_several_speakers_names_the_last():
    assert cues.back_reference("And as you've heard from Jeff and Dennis, we executed.") == "Dennis"
    assert cues.back_reference("We heard from Jeff, Dennis and Mark today.") == "Mark"
    assert cues.back_reference("As Chris said, and as we expected, sales rose.") == "Chris"


def test_titles_give_roles_and_a_subsidiary_officer_is_an_executive():
    assert cues.role_from_title("Chairman and CEO of Acme Incorporated") == Role.CEO
    assert cues.role_from_title("Executive Vice President and Chief Financial Officer") == Role.CFO
    assert cues.role_from_title("CFO of Acme US") == Role.EXECUTIVE
    assert cues.role_from_title("President and COO") == Role.EXECUTIVE
    assert cues.role_from_title("Deputy CFO") == Role.EXECUTIVE
    found = cues.roster("Joining me are Johnson's chairman and CEO, George Oliver; and "
                        "executive vice president and CFO, Olivier Leonetti.")
    assert found["George Oliver"].role == Role.CEO
    assert found["Olivier Leonetti"].role == Role.CFO


def test_qa_turns_in_a_sentence_layout():
    text = """\
Thank you for standing by and welcome to the Acme first quarter 2024 earnings call.
I would now like to turn the call over to Jane Miller, Chief Executive Officer.
Thank you, operator.
Sales were up 5% to $1.2 billion.
We will now open the line for questions.
Our first question comes from Ann Lee with Morgan Stanley.
Hi, thanks for taking my question.
How should we think about margins in the second half?
Sure, Ann.
We expect margins to expand by about 50 basis points.
Okay, great.
And what about pricing?
Pricing should add about 2 points.
"""
    t = _parse(text)
    assert _who(t, "Thank you for standing by") == ("Operator", "operator", "opening")
    assert _who(t, "Sales were up 5%") == ("Jane Miller", "ceo", "prepared")
    assert _who(t, "How should we think") == ("Ann Lee", "analyst", "qa")
    assert _who(t, "We expect margins")[2] == "qa"
    assert _who(t, "We expect margins")[1] != "analyst"
    assert _who(t, "And what about pricing?")[:2] == ("Ann Lee", "analyst")


def test_sections_of_a_call_without_labels():
    t = _parse(SENTENCES)
    sections = [turn.section for turn in t.turns]
    assert sections[0] == Section.OPENING
    assert Section.PREPARED in sections


def test_currency_translation_does_not_make_a_call_interpreted():
    assert not cues.INTERPRETED_CALL.search("Results include foreign currency translation effects.")
    assert cues.INTERPRETED_CALL.search("Let me translate what Mr. Zhou said.")
    assert cues.INTERPRETED_CALL.search("with consecutive interpretation")


def test_the_introductions_own_hand_over_stays_with_the_introduction():
    old = "Reconciliations of non-GAAP measures are in our press release on our website.\n"
    t = _parse(SENTENCES.replace(old,
                                 "Reconciliations of non-GAAP measures are in our press release.\n"
                                 "I'll now hand the call over to Jane.\n"))
    speaker, role, section = _who(t, "I'll now hand the call over to Jane.")
    assert (role, section) == ("investor_relations", "opening")
    assert _who(t, "We had a record quarter")[:2] == ("Jane Miller", "ceo")


def test_answers_without_their_questions_and_the_sign_off():
    """Audio-aligned transcripts (MAEC) often keep the answers and drop the questions."""
    text = """\
Thank you, and good morning, everyone.
Our remarks include forward-looking statements.
I will now turn the call over to our CEO, <UNK> <UNK>.
Thanks, <UNK>.
Revenue grew 4% in the quarter.
I'll now turn it over to Steve to discuss the financials.
Thanks.
Gross margin was 41%, and the tax rate was 23%.
With that, we'll open the call for questions.
Thanks for the question.
We expect demand to stay firm.
<UNK>, yes, this is Steve.
The tax rate should be about 24% next year.
I have no closing remarks, other than to thank you for joining us.
"""
    t = _parse(text)
    assert _who(t, "Revenue grew 4%") == (None, "ceo", "prepared")
    assert _who(t, "Gross margin was 41%") == ("Steve", "cfo", "prepared")
    assert _who(t, "The tax rate should be about 24%") == ("Steve", "cfo", "qa")
    assert _who(t, "We expect demand")[2] == "qa"
    assert _who(t, "I have no closing remarks")[1:] == ("ceo", "qa")


def test_products_and_companies_are_not_speakers():
    base = SENTENCES.replace("Jane will begin with an overview of the quarter, and then Tom will review "
                             "the financial results.\n", "")
    text = base.replace("Our new plant in Ohio opened on schedule.\n",
                        "Our Elevate program grew, and Elevate will provide more savings next year.\n")
    t = _parse(text)
    assert all(u.speaker != "Elevate" for u in t.turns)
    who = cues.next_speaker("It is my pleasure to introduce Norfolk Southern's Chairman, President and "
                            "CEO, Jim Squires.", {})
    assert (who.name, who.role) == ("Jim Squires", Role.CEO)


# Audio-aligned lines (MAEC): no full stops, names replaced, the questions dropped
AUDIO = """\
Good morning, everyone
I'll take you through the quarter and then we'll take your questions later
Copper sales rose in the quarter and we expect higher volumes next year
Our mines in Arizona ran at full capacity
Our mine in Peru finished its expansion on schedule
Demand from China recovered in the second half
We sold more copper than we planned
Costs per pound fell as volumes rose
Our teams worked safely through the winter
We are talking with the government about our export permit
We expect that work to take several months
Gold sales were in line with our plan
The details are in our press release
The slides on our website show the reconciliation
So, with that, <UNK>, let's open the line for questions
Let me take the first question on the cash flow
The tax rate for the year should be about 30%
Capex will normalize next year, and working capital will come down
"""


def test_a_turn_of_audio_lines_opens_the_qa_at_its_last_line():
    # The Q&A opening is read in its own line, not in everything since the last full stop
    # (which here includes "then we'll take your questions later", an agenda).
    t = _parse(AUDIO)
    assert _who(t, "Copper sales rose")[1:] == ("ceo", "prepared")
    assert _who(t, "The tax rate for the year")[2] == "qa"


def test_an_answer_that_starts_like_the_operator_is_not_the_operator():
    # "Let me take the first question" is the operator's phrase, but the turn goes on about the
    # tax rate and capex: an answer (here the CFO's, inferred from those topics)
    t = _parse(AUDIO)
    assert _who(t, "Let me take the first question")[1] != "operator"
    assert _who(t, "Capex will normalize")[1] != "operator"


def test_a_long_first_turn_is_not_an_introduction_for_what_it_says_late():
    # The press release and the website come up in the CEO's remarks, not in the first lines
    t = _parse(AUDIO)
    assert _who(t, "Good morning, everyone")[1] != "investor_relations"


def test_thanks_in_the_qa_name_the_analyst_whose_question_was_left_out_not_the_answer_before():
    text = """\
Thanks <UNK>, and good morning everyone
Revenue grew 5% this quarter and margins rose
Now here's <UNK> to start our Q&A
Thanks Bob for the question and I'll take them in order
Our margins rose because of a better mix of products
Thanks Bob I'll start
Certainly we reaffirmed our guidance for the year
"""
    t = _parse(text)
    assert _who(t, "Revenue grew 5%")[2] == "prepared"
    assert _who(t, "Our margins rose because")[2] == "qa"  # "here's <UNK> to start our Q&A"
    assert _who(t, "Our margins rose because")[0] != "Bob"  # Bob asked; his question is not in the file
    assert _who(t, "Certainly we reaffirmed")[0] != "Bob"


def test_whoever_presents_in_the_prepared_remarks_is_an_executive_at_least():
    text = """\
Some statements made today are forward-looking and subject to risks and uncertainties.
Reconciliations of non-GAAP measures are on our website.
I'll now turn the call over to our Chairman and CEO, Bill Thomas.
Thanks, and good morning, everyone.
Our company is focused on improving returns.
We raised our dividend again this quarter.
Here's Ken with the details on our emissions projects.
Our carbon capture pilot starts next year.
We cut flaring by half since last year.
"""
    t = _parse(text)
    assert _who(t, "Our company is focused")[:2] == ("Bill Thomas", "ceo")
    assert _who(t, "Our carbon capture pilot") == ("Ken", "executive", "prepared")
