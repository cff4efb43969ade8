"""Opening -> prepared remarks -> Q&A, from roles and the call's own cues; shared by every
format that does not label its sections."""

from __future__ import annotations

import re
from collections.abc import Sequence

from index.parse.cues import SAFE_HARBOUR, flat, opens_qa_now
from index.types import Role, Section

_MANAGEMENT = {Role.CEO, Role.CFO, Role.EXECUTIVE}
_OPENING_WORDS = re.compile(r"forward[- ]looking|safe harbou?r|welcome to|conference (?:call )?is being "
                            r"recorded|listen[- ]only|non-GAAP|joining (?:me|us)|on the call (?:today|with)",
                            re.I)
# a turn that thanks whoever spoke before ("Thank you, <UNK>, and thanks, everyone") is not the first
THANKS_SOMEONE = re.compile(r"\s*(?:[Tt]hank you|[Tt]hanks)(?: very much)?,?\s+"
                            r"(?!everyone|everybody|all\b|[Oo]perator)(?:<UNK>|[A-Z][a-z]+)")


def assign(turns: Sequence[tuple[Role, str]]) -> list[Section]:
    """The section of each (role, text) turn. The Q&A starts at the operator's turn that
    opens it, or at the turn after a speaker who invites questions, or at the first analyst."""
    out: list[Section] = []
    section = Section.OPENING
    qa_next = after_safe_harbour = False
    for role, raw in turns:
        text = flat(raw)
        if qa_next:
            section, qa_next = Section.QA, False
        if section == Section.OPENING and (
                role in _MANAGEMENT
                or (role not in (Role.OPERATOR, Role.IR) and (
                    after_safe_harbour or not _OPENING_WORDS.search(text) or THANKS_SOMEONE.match(text)))
                or (role == Role.IR and after_safe_harbour and not _OPENING_WORDS.search(text[:300]))):
            section = Section.PREPARED  # an IR officer who goes on to present the results presents
        if section != Section.QA:
            if role == Role.ANALYST:
                section = Section.QA
            elif section == Section.PREPARED and opens_qa_now(raw):
                if role == Role.OPERATOR:
                    section = Section.QA
                else:
                    qa_next = True
        after_safe_harbour = after_safe_harbour or bool(SAFE_HARBOUR.search(text))
        out.append(section)
    return out
