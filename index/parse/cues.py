"""What a call says about itself: who speaks next, who is who, when the Q&A starts.

Regular expressions over the text of a turn; nothing here looks at the file layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.types import Role

_NAME = r"(?:Mr\.?|Ms\.?|Mrs\.?|Dr\.?)?\s*([A-Z][a-z'\-]+(?:\s+[A-Z][a-z'\-]+){0,2})"
_TITLE_WORDS = (
    r"Vice Chairman and (?:the )?CEO|Chairman and (?:the )?CEO|CEO|CFO|COO|CTO|President|Chairman|"
    r"Chief Executive Officer|Chief Financial Officer|Chief Operating Officer|"
    r"Chief Technology Officer|IR Director|Director of Investor Relations|"
    r"Head of Investor Relations|Investor Relations Director|Investor Relations"
)

OPERATOR_PHRASES = re.compile(
    r"press(?:ing)? star|star[ -](?:one|1)|your line is (?:now )?open|"
    r"(?:take|have) (?:our|the|your) (?:first|next|last|final) question|"
    r"next question (?:comes|is) from|from the line of|no further questions|"
    r"you may (?:now )?disconnect|thank you for standing by|"
    r"this concludes today's (?:conference|call)|listen[- ]only mode|"
    r"conference (?:call )?is being recorded|conference is now over",
    re.I,
)
QA_OPENING = re.compile(
    r"(?:first|next) question|now (?:begin|open|take|start)\b.{0,40}\bquestions?|"
    r"happy to take (?:your )?questions|open (?:up )?the (?:call|line|floor) (?:up )?(?:to|for) "
    r"questions|question-and-answer session (?:will now|now)|Q&A session (?:will now|now)",
    re.I,
)
TRANSLATOR_LINE = re.compile(r"\b(?:let me|I will|I'll|I would)\b[^.?!]{0,30}\btranslat", re.I)
INTERPRETED_CALL = re.compile(r"interp\w*tation|interperation|consecutive interp|translat", re.I)


@dataclass(frozen=True)
class Who:
    name: str | None
    role: Role
    title: str | None
    cue: str


def role_from_title(title: str) -> Role:
    t = title.lower()
    if "operator" in t:
        return Role.OPERATOR
    if "analyst" in t:
        return Role.ANALYST
    if "investor relations" in t or re.search(r"\bir\b", t):
        return Role.IR
    if "interpret" in t or "translat" in t:
        return Role.INTERPRETER
    if re.search(r"\bceo\b|chief executive", t):
        return Role.CEO
    if re.search(r"\bcfo\b|chief financial|finance director", t):
        return Role.CFO
    return Role.EXECUTIVE


def roster(text: str) -> dict[str, Who]:
    """Names the call introduces with their titles: {"Zhou Tao": Who(..., CEO)}."""
    text = flat(text)
    found: dict[str, Who] = {}
    patterns = [
        rf"(?:the |our )?({_TITLE_WORDS}),?\s+{_NAME}",
        rf"{_NAME},\s+(?:the |our )?({_TITLE_WORDS})\b",
    ]
    for i, pattern in enumerate(patterns):
        for m in re.finditer(pattern, text):
            title, name = (m.group(1), m.group(2)) if i == 0 else (m.group(2), m.group(1))
            name = _clean_name(name)
            if name and name not in found and len(name.split()) >= 2:
                found[name] = Who(name, role_from_title(title), title, f'introduced as "{m[0]}"')
    return found


_NOT_NAME_WORDS = {"Please", "Thank", "Thanks", "Our", "The", "And", "Good", "Hello", "Hi",
                   "Welcome", "Morning", "Afternoon", "Evening", "So", "We", "I", "Yes", "Okay",
                   "Sure", "Great", "Today", "Now", "This", "It"}


def _clean_name(name: str) -> str | None:
    """Drop leading/trailing words that are not names ("Alan Fisher Good" -> "Alan Fisher")."""
    words = name.split()
    while words and words[-1] in _NOT_NAME_WORDS:
        words.pop()
    while words and words[0] in _NOT_NAME_WORDS:
        words.pop(0)
    return " ".join(words) or None


def flat(text: str) -> str:
    """Cues are phrases: match them across line breaks and runs of spaces."""
    return re.sub(r"\s+", " ", text)


def resolve(name: str, known: dict[str, Who]) -> Who | None:
    """Match "Mr. Zhou", "Henry" or "Zou Tao" against the roster by any shared name token."""
    tokens = {t for t in re.findall(r"[A-Z][a-z]+", name) if t not in {"Mr", "Ms", "Mrs", "Dr"}}
    for full, who in known.items():
        if tokens & set(full.split()):
            return who
    return None


def next_speaker(text: str, known: dict[str, Who]) -> Who | None:
    """The speaker a turn hands over to, from its last hand-over cue."""
    text = flat(text)
    candidates: list[tuple[int, Who]] = []
    for m in re.finditer(
        rf"(?i:from the line of|question (?:comes |is )?from|this is from)\s+{_NAME}\s+"
        rf"(?:from|with|of|at)\s+([A-Z][\w&.\- ]{{1,40}}?)(?=[.,;]|\s+(?:Please|Your)\b|$)",
        text,
    ):
        who = Who(m.group(1), Role.ANALYST, m.group(2).strip(), f'announced: "{m[0]}"')
        candidates.append((m.end(), who))
    for m in re.finditer(
        rf"(?:hand|pass|turn)(?:ing)?(?: (?:the (?:conference|call|floor|line)|it) (?:over |back )?"
        rf"| (?:over|back) )to (?:your first speaker today,\s*)?(?:our |the )?"
        rf"(?:({_TITLE_WORDS}),?\s+)?{_NAME}"
        rf"(?:,\s+([A-Z][\w ]{{1,40}}?)(?= of |[.,]))?",
        text,
    ):
        candidates.append((m.end(), _who(m.group(2), m.group(1) or m.group(3), known, m[0])))
    for m in re.finditer(
        rf"(?:pleasure to introduce|I(?:'d| would) like to introduce) (?:our )?(?:({_TITLE_WORDS}),?\s+)?"
        rf"{_NAME}",
        text,
    ):
        candidates.append((m.end(), _who(m.group(2), m.group(1), known, m[0])))
    for m in re.finditer(rf"{_NAME},\s+who is in charge of (?:the |our )?([\w ]{{2,40}}?)[,.]", text):
        title = f"Head of the {m.group(2).strip()}"
        candidates.append((m.end(), Who(_clean_name(m.group(1)), Role.EXECUTIVE, title,
                                        f'introduced: "{m[0]}"')))
    for m in re.finditer(r"operator,? (?:please )?go ahead|back (?:over )?to (?:the )?operator", text,
                         re.I):
        candidates.append((m.end(), Who("Operator", Role.OPERATOR, None, f'hand-over: "{m[0]}"')))
    if not candidates:
        return None
    return max(candidates, key=lambda c: c[0])[1]


def _who(name: str, title: str | None, known: dict[str, Who], cue: str) -> Who:
    match = resolve(name, known)
    if match:
        return Who(match.name, match.role, match.title, f'hand-over: "{cue}"')
    role = role_from_title(title) if title else Role.UNKNOWN
    return Who(_clean_name(name), role, title, f'hand-over: "{cue}"')


def translated_speaker(text: str, known: dict[str, Who]) -> Who | None:
    """ "let me translate what Mr. Zhou said" names whose remark is being rendered."""
    text = flat(text)
    m = re.search(rf"translat\w* (?:what|for)\s+{_NAME}", text)
    if not m:
        return None
    match = resolve(m.group(1), known)
    name = match.name if match else _clean_name(m.group(1))
    role = match.role if match else Role.UNKNOWN
    return Who(name, role, match.title if match else None, f'interpreter: "{m[0]}"')


def self_introduction(text: str, known: dict[str, Who]) -> Who | None:
    text = flat(text)
    m = re.search(r"\bI am (?:the )?(person|one) in charge of (?:the |our )?([\w ]{2,40}?)[,.]",
                  text)
    if m:
        return Who(None, Role.EXECUTIVE, f"Head of the {m.group(2)}", f'says: "{m[0]}"')
    m = re.search(rf"\b(?:I am|I'm|this is)\s+{_NAME},\s+({_TITLE_WORDS})\b", text)
    if m:
        match = resolve(m.group(1), known)
        name = match.name if match else _clean_name(m.group(1))
        return Who(name, role_from_title(m.group(2)), m.group(2), f'says: "{m[0]}"')
    return None


def is_operator(text: str) -> bool:
    text = flat(text)
    return bool(OPERATOR_PHRASES.search(text))


def company_and_period(text: str) -> tuple[str | None, str | None]:
    """ "Welcome to the Kingsoft Cloud second quarter 2024 earnings conference call" """
    ordinal = {"first": 1, "second": 2, "third": 3, "fourth": 4}
    m = re.search(
        r"(?:welcome to|joining us (?:today )?for|participating in) (?:the |today's )?"
        r"([A-Z][\w.&' ]{1,60}?)(?:'s)? (first|second|third|fourth) quarter (?:fiscal )?(?:year )?"
        r"(\d{4})",
        text[:20000],
        re.I,
    )
    if m:
        return m.group(1).strip(), f"{m.group(3)}Q{ordinal[m.group(2).lower()]}"
    m = re.search(
        r"(?:welcome to|joining us (?:today )?for) (?:the |today's )?([A-Z][\w.&' ]{1,60}?)"
        r"(?:'s)? (?:fiscal )?(?:Q([1-4])|([1-4])Q) (?:fiscal )?(?:year )?(\d{4})",
        text[:20000],
        re.I,
    )
    if m:
        return m.group(1).strip(), f"{m.group(4)}Q{m.group(2) or m.group(3)}"
    return None, None


def period_from_name(stem: str) -> str | None:
    m = re.search(r"(20\d\d)[-_ ]?q([1-4])|q([1-4])[-_ ]?(20\d\d)", stem, re.I)
    if not m:
        return None
    year, quarter = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    return f"{year}Q{quarter}"
