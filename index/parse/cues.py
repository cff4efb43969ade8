"""What a call says about itself: who speaks next, who is who, when the Q&A starts.

Regular expressions over the text of a turn; nothing here looks at the file layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.types import Role

# A person as calls write them: "Fred", "Max Broden", "Mr. Zhou Tao", "O'Brien", "McDonald", or
# the MAEC corpus's "<UNK> <UNK>" placeholder (a person whose name was removed).
_WORD = r"(?:[A-Z][a-z]+(?:[A-Z][a-z]+)?(?:-[A-Z]?[a-z]+|'[A-Z][a-z]+)?(?!'s\b)|[A-Z]'[A-Z][a-z]+|<UNK>)"
_NAME = rf"(?:Mr\.?|Ms\.?|Mrs\.?|Dr\.?)?\s*({_WORD}(?:\s+{_WORD}){{0,2}})"
PLACEHOLDER = "<UNK>"
# Titles: the head words that make a phrase a job title.
_TITLE_HEAD = (
    r"Chief [A-Z][a-z]+(?: [A-Z][a-z]+)? Officer|C[EFOTI]O|CAO|President|Chairman|Chairwoman|"
    r"Chair(?:person)?|Vice Chair(?:man)?|(?:Senior |Executive )?Vice President|[SE]?VP|"
    r"(?:Managing )?Director(?: of [A-Z][\w ]{2,30})?|Treasurer|Controller|General Counsel|"
    r"Head of [A-Z]?[\w ]{2,30}|Investor Relations(?: Officer| Director| Manager)?|IR Director|"
    r"Founder|Secretary|Chief Actuary|Chief Investment Officer"
)
_TITLE_WORDS = (
    r"(?i:(?:Interim|Acting|Co-|Deputy |Executive |Senior |Group )?(?:" + _TITLE_HEAD + r")"
    r"(?:(?:,? and |, |\s*&\s*)(?:the )?(?:Interim |Acting |Co-)?(?:" + _TITLE_HEAD + r"))*)"
)
OPERATOR_PHRASES = re.compile(
    r"press(?:ing)? star|star[ -](?:one|1)|your line is (?:now )?open|"
    r"(?:take|have) (?:our|the|your) (?:first|next|last|final) question|"
    r"(?:first|next|last|final|following) question (?:comes|is) from|from the line of|no further questions|"
    r"you may (?:now )?disconnect|thank you for standing by|"
    r"this concludes today's (?:conference|call)|listen[- ]only mode|"
    r"conference (?:call )?is being recorded|conference is now over",
    re.I,
)
QA_OPENING = re.compile(
    r"(?:first|next) question|now (?:begin|open|take|start)\b.{0,40}\bquestions?|"
    r"happy to take (?:your )?questions|open (?:up )?the (?:call|line|floor) (?:up )?(?:to|for) "
    r"questions|question-and-answer session (?:will now|now)|Q&A session (?:will now|now)|"
    r"\b(?:open|turn)\b[^.?!]{0,30}\b(?:to|for|take)\b[^.?!]{0,20}\b(?:your |some |any )?"
    r"questions\b|"
    r"\b(?:let's|we'll|we will|to) take (?:your|some|any) questions\b|"
    r"(?<!before we )(?<!before I )\bmove (?:on )?(?:in)?to (?:the )?(?:Q&A|questions)|"
    r"\bconcludes? (?:our|my) prepared (?:remarks|comments)|\bready (?:for|to take|to begin) (?:the )?"
    r"(?:Q&A|questions)|\b(?:start|begin|open)\w* (?:our|the) Q&A\b",
    re.I,
)
AGENDA_WORDS = re.compile(r"\b(?:then|after which|afterwards|followed by|at the end|later|"
                          r"following (?:our|the|these|my))\b", re.I)


def opens_qa_now(text: str) -> bool:
    """ "We will now open the line for questions", not the agenda's "after which we'll open the
    call to your questions"."""
    for m in QA_OPENING.finditer(text):
        begins = max(text.rfind(end, 0, m.start()) for end in ".?!\n")  # audio transcripts: lines
        sentence = text[begins + 1 : m.end()]
        if not AGENDA_WORDS.search(sentence):
            return True
    return False


# An analyst's question, with or without its question mark (audio-aligned transcripts drop them)
QUESTION_LINE = re.compile(
    r"\?\s*$|"
    r"^\W*(?:(?:Okay|OK|Great|Got it|Thanks|Thank you|Yes|Yeah|Perfect|Understood)[,.!]?\s*)*"
    r"(?:(?:And|So|Just|Maybe|Then|Also|Secondly|Second|Lastly|Finally)\s*,?\s*)*"
    r"(?:how (?:should|do|does|did|are|is|much|many|would|will|can)|can you|could you|would you|do you|"
    r"does (?:that|this|it|the)|did you|are you|is there|is that|is it|what (?:is|are|was|were|do|does|did|"
    r"would|should|kind|sort)|where (?:do|does|are|is)|when do|why (?:is|are|did|do)|"
    r"I (?:was|am|'m) wondering|I wanted to (?:ask|follow)|my (?:first |second |last |follow-up )?question|"
    r"(?:a|one) (?:quick )?(?:follow-up|follow up)|just (?:a )?(?:quick )?follow(?:-| )?up|"
    r"any (?:color|update|"
    r"thoughts|comment))|"
    r"\b(?:how should (?:we|I) think|(?:can|could|would) you (?:talk|comment|give|help|provide|walk|update|"
    r"share|elaborate|quantify|remind)|I (?:was|am|'m) wondering|I wanted to ask|do you (?:expect|see|think|"
    r"anticipate|foresee))\b",
    re.I,
)
TRANSLATOR_LINE = re.compile(r"\b(?:let me|I will|I'll|I would)\b[^.?!]{0,30}\btranslat", re.I)
# An interpreted call says so ("consecutive interpretation", "let me translate what Mr. Zhou said");
# "foreign currency translation" does not make a call interpreted.
INTERPRETED_CALL = re.compile(
    r"\binterp\w*tations?\b|\binterperations?\b|\binterpreters?\b|consecutive interp|"
    r"\btranslat\w*\s+(?:what|my|our|his|her|the (?:question|answer|remarks?)|for (?:you|us|him|her|our)|"
    r"(?:in)?to (?:English|Chinese|Mandarin|Japanese|Spanish|Portuguese|Korean|French|German))",
    re.I)


@dataclass(frozen=True)
class Who:
    name: str | None
    role: Role
    title: str | None
    cue: str
    placeholder: bool = False  # a person whose name the transcript replaced ("<UNK> <UNK>")


_CORPORATE = re.compile(r"\b(?:Inc(?:orporated)?|Corp(?:oration)?|Company|Co|Holdings?|Group|plc|PLC|"
                        r"Limited|Ltd|N\.V|S\.A|AG|SE|LLC|LP|Ltda|Bancorp|Trust)\.?$")


def role_from_title(title: str) -> Role:
    """ "Chairman and CEO" -> CEO; "President and COO" -> executive; "CFO of Aflac US" (a
    subsidiary's or a segment's CFO) -> executive; "EVP and CFO of Aflac Incorporated" -> CFO."""
    t = title.lower()
    if "operator" in t:
        return Role.OPERATOR
    if "analyst" in t:
        return Role.ANALYST
    if "investor relations" in t or re.search(r"\bir\b", t):
        return Role.IR
    if "interpret" in t or "translat" in t:
        return Role.INTERPRETER
    if re.search(r"\bdeputy\b|\bformer\b|\bincoming\b|\bdesignate\b", t):
        return Role.EXECUTIVE
    for pattern, role in ((r"\b(?:co-)?ceo\b|chief executive(?: officer)?", Role.CEO),
                          (r"\bcfo\b|chief financial(?: officer)?|finance director", Role.CFO)):
        m = re.search("(?:" + pattern + r")(?:,? (?:of|for|at) (?:the )?([^,;]+))?", t)
        if m:
            if m.group(1) and not _CORPORATE.search(title[m.start(1):].strip().rstrip(".,")):
                return Role.EXECUTIVE  # a subsidiary's or a segment's chief officer
            return role
    return Role.EXECUTIVE


def _person(raw: str | None) -> str | None:
    """A name as the call gives it, without the transcript's placeholders ("Doug <UNK>" -> "Doug");
    None for a placeholder alone or for words that are not names."""
    if raw is None:
        return None
    words = [w for w in raw.split() if w != PLACEHOLDER]
    if not words or not words[0][:1].isupper():
        return None  # matched case-insensitively: "sure", "everyone" are not names
    if any(re.fullmatch(_TITLE_WORDS, w) for w in words):
        return None  # "Boy's Chairman": a title, not a name
    return _clean_name(" ".join(words))


def is_placeholder(raw: str | None) -> bool:
    """Only placeholders: a person whose whole name the transcript removed ("<UNK> <UNK>")."""
    return bool(raw) and all(w == PLACEHOLDER for w in (raw or "").split())


def roster(text: str) -> dict[str, Who]:
    """Names the call introduces with their titles: {"Zhou Tao": Who(..., CEO)}. Only people
    introduced with a full name (two words or more) are kept; a placeholder ("<UNK> <UNK>")
    is kept by its title, in order of introduction, under the key "#1", "#2", ...
    A new dict each time (callers add to it); the parsing behind it is done once per text."""
    return dict(_roster(text))


@lru_cache(maxsize=256)
def _roster(text: str) -> tuple[tuple[str, Who], ...]:
    text = flat(text)
    found: dict[str, Who] = {}
    hits: list[tuple[int, str, str, str]] = []
    stop = r"(?=\s*(?:[,;.()]|$|\s(?:and|will|who|is|are|has|have|to|from|on|in|for|at)\s))"
    patterns = [
        rf"(?:\b(?:the|our|my|and)\s+|[,:;]\s+|^)({_TITLE_WORDS}),?\s+{_NAME}",
        rf"{_NAME},\s+(?:the |our |who is (?:the |our )?|[A-Z][\w&.\-]*'s\s+)?"
        rf"({_TITLE_WORDS}(?: (?:of|for|at) "
        rf"(?:the )?[A-Z][\w&.'\-]*(?: [A-Z][\w&.'\-]*){{0,3}})?){stop}",
    ]
    for i, pattern in enumerate(patterns):
        for m in re.finditer(pattern, text):
            title, name = (m.group(1), m.group(2)) if i == 0 else (m.group(2), m.group(1))
            hits.append((m.start(), name, title.strip(), m[0].strip()))
    placeholders = 0
    for _pos, name, title, cue in sorted(hits):
        if is_placeholder(name):
            placeholders += 1
            key = f"#{placeholders}"
            found[key] = Who(None, role_from_title(title), title, f'introduced as "{cue}"')
            continue
        clean = _person(name)
        full = len(clean.split()) >= 2 if clean else False
        if clean and clean not in found and (full or PLACEHOLDER in name):
            found[clean] = Who(clean, role_from_title(title), title, f'introduced as "{cue}"')
    return tuple(found.items())


_NOT_NAME_WORDS = {"Please", "Thank", "Thanks", "Our", "The", "And", "Good", "Hello", "Hi",
                   "Welcome", "Morning", "Afternoon", "Evening", "So", "We", "I", "Yes", "Okay",
                   "Sure", "Great", "Today", "Now", "This", "It", "Then", "First", "Next", "Finally",
                   "Also", "After", "Later", "Lastly", "Both", "Joining", "Speaking", "With", "Here"}


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


_ORG = r"([A-Z][\w&.'\-]*(?:\s+(?:[A-Z][\w&.'\-]*|&|and|de|du|of))*)"
_ANNOUNCE = re.compile(
    rf"(?i:from the line of|question (?:comes |is )?from|questions? (?:today )?(?:will )?come[s]? from|"
    rf"this is from|we(?:'ll| will) (?:go|move|turn) (?:next |now )?(?:over )?to|(?:go|move|turn) "
    rf"(?:next |now )?to the line of|next (?:we have|is)|we(?:'ll| will) (?:now )?hear from|"
    rf"comes from the line of|the line of)\s+{_NAME}\s+(?:from|with|of|at)\s+{_ORG}"
    rf"(?=\s*[.,;:?]|\s+(?:Please|Your|You|Go)\b|\s*$)"
)
# "I'll now turn the call over to Dan" / "I'll pass on to Max to discuss ..." / "With that, let me
# hand it over to our CFO, Max Broden" / "I'd like to introduce our CEO, ...".
_HANDOVER = re.compile(
    rf"(?:\b(?:hand|pass|turn|give|send)(?:ing|ed)?(?:\s+(?:the (?:\w+ )?(?:conference|call|floor|line|"
    rf"program|presentation|meeting|mic|microphone|podium|discussion|baton)|it|things|this|that|you))?"
    rf"\s+(?:over|back|"
    rf"on)\s+to|\b(?:hand|pass|turn|give)(?:ing|ed)?\s+(?:the (?:\w+ )?(?:conference|call|floor|line|"
    rf"program|presentation|meeting|mic|microphone|podium|discussion)|it|things)\s+to|"
    rf"\b(?:hand|pass|turn|give)(?:ing|ed)?\s+over\s+(?:the (?:\w+ )?(?:conference|call|floor|line|program|"
    rf"presentation|meeting)|it|things)\s+to|\b(?:hand|pass|turn|give)\w*\s+"
    rf"back\s+(?:the (?:\w+ )?(?:conference|call|floor|line|program|presentation|mic)|it)\s+to|\bintroduce|"
    rf"\bwith that,?(?: I'll| let me| I will)?(?: now)?(?: turn| hand| pass)?(?: it| things)?(?: over)? to|"
    rf"\b(?:[Nn]ow,? )?[Hh]ere(?:'s| is)|\blet me (?:now )?(?:ask|invite)|"
    rf"\bI(?:'ll| will| would like to|'d like to) (?:now )?(?:ask|invite))"
    rf"\s+(?:your first speaker today,\s*|my (?:colleague|partner),?\s*)?(?:our |my )?"
    rf"(?:(?:[A-Z][\w&.\-]*\s+){{0,3}}[A-Z][\w&.\-]*'s\s+)?(?:({_TITLE_WORDS}),?\s+)?(?!the\b){_NAME}(?!'s\b|\w)"
    rf"(?:,\s+(?:our |the )?({_TITLE_WORDS}(?: (?:of|for|at) [A-Z][\w ]{{1,40}}?)?)(?=[,.]| to | who ))?"
    rf"(?P<tail>[^.?!]{{0,120}})"
)
BACK_REF = re.compile(
    rf"\b(?:[Aa]s|[Ww]hat)\s+{_NAME}\s+(?:just\s+|already\s+|earlier\s+)?(?:mentioned|said|noted|discussed|"
    rf"described|highlighted|indicated|laid out|outlined|pointed out|touched on|covered|shared|"
    rf"explained|talked about|referenced|stated)|"
    rf"\b(?:noted|mentioned|discussed) by\s+{_NAME}|"
    rf"\b(?:heard|hear) from\s+{_NAME}")


_AND_NAME = re.compile(rf"(?:,|,? and)\s+{_NAME}")


def back_reference(text: str) -> str | None:
    """ "As Greg mentioned" names someone who spoke before (so not the one speaking now); of
    "you've heard from Jeff and Dennis", the last named, who spoke last."""
    text = flat(text)
    m = BACK_REF.search(text)
    if not m:
        return None
    name = next(g for g in m.groups() if g)
    end = m.end()
    while (more := _AND_NAME.match(text, end)) and _person(more.group(1)):
        name, end = more.group(1), more.end()
    return _person(name)


VOCATIVE_HANDOVER = re.compile(  # "<UNK>, over to you." / "Over to you, Dennis." / "Jeff, back to you."
    rf"(?:^|[.!?]\s+)(?:{_NAME},?\s+(?:over to you|back to you|the floor is yours|please go ahead)\b|"
    rf"(?:Over|Back|Now over|And over|So over) to you,?\s+{_NAME})")
_DEFERRED = re.compile(r"\b(?:before|prior to|after) (?:I |we )?(?:turn|hand|pass)", re.I)
_REVIEWS_FINANCIALS = re.compile(
    r"\b(?:discuss|review|walk|go (?:over|through)|cover|take (?:you|us) through|talk (?:about|through)|"
    r"provide|share|present)\b[^.?!]{0,50}\b(?:financial|financials|results in (?:more )?detail|"
    r"numbers|P&L|balance sheet|guidance|outlook|cash flow)", re.I)
_TO_OPERATOR = re.compile(
    r"(?:^|[.!?]\s+)(?:\w+,?\s+)?operator[,.]?\s+(?:please|can|could|would|we(?:'ll| will| are|'re| can)|"
    r"I(?:'ll| will| think)|let's|go ahead|open|you)|(?:back|over) to (?:the |our )?operator|"
    r"(?:open|turn) (?:up )?(?:the (?:call|line|floor) )?(?:up )?(?:for|to) (?:your |any )?questions|"
    r"\bask (?:the |our )?operator|operator,? (?:please )?go ahead", re.I)


@lru_cache(maxsize=4096)
def hand_over(line: str) -> Who | None:
    """next_speaker() of one line with nobody known yet; segmentation asks it of the same lines
    many times."""
    return next_speaker(line, {})


def next_speaker(text: str, known: dict[str, Who]) -> Who | None:
    """The speaker a turn hands over to, from its last hand-over cue. A hand-over announced for
    later ("Before turning the call over to Mark, I'd like to ...") is not one."""
    text = flat(text)
    candidates: list[tuple[int, Who]] = []
    for m in _ANNOUNCE.finditer(text):
        org = re.sub(r"(?:\s+(?:and|of|de|du))?\.?$", "", m.group(2).strip())
        name = _person(m.group(1))
        who = Who(name, Role.ANALYST, org, f'announced: "{m[0]}"', is_placeholder(m.group(1)))
        if name is None and not who.placeholder:
            continue
        candidates.append((m.end(), who))
    for m in _HANDOVER.finditer(text):
        if _DEFERRED.search(text[max(0, m.start() - 25) : m.start() + 12]):
            continue
        raw = m.group(2)
        if _person(raw) is None and not is_placeholder(raw):
            continue
        if re.match(r"(?:Operator|Questions?|Slide|Page)\b", raw):
            continue
        if re.match(r"(?:[Nn]ow,? )?[Hh]ere", m[0]) \
                and not re.match(r"\s+(?:with|to)\b", m.group("tail") or ""):
            continue  # "Here's Billy with an update", "here is Bill to wrap up"; not "Here is China, where"
        title = m.group(1) or m.group(3)
        who = _who(raw, title, known, m[0].strip())
        if who.role == Role.UNKNOWN and _REVIEWS_FINANCIALS.search(m.group("tail") or ""):
            who = Who(who.name, Role.CFO, who.title, who.cue + " (to review the financials: CFO, inferred)",
                      who.placeholder)
        candidates.append((m.end(2), who))
    for m in VOCATIVE_HANDOVER.finditer(text):
        raw = m.group(1) or m.group(2)
        if (_person(raw) or is_placeholder(raw)) and raw != "Operator":
            candidates.append((m.end(), _who(raw, None, known, m[0].strip())))
    for m in re.finditer(rf"{_NAME},\s+who is in charge of (?:the |our )?([\w ]{{2,40}}?)[,.]", text):
        title = f"Head of the {m.group(2).strip()}"
        candidates.append((m.end(), Who(_clean_name(m.group(1)), Role.EXECUTIVE, title,
                                        f'introduced: "{m[0]}"')))
    for m in _TO_OPERATOR.finditer(text):
        if AGENDA_WORDS.search(text[max(0, text.rfind(".", 0, m.start()) + 1) : m.end()]):
            continue  # "... after which we'll open the call to questions": later, not now
        candidates.append((m.end(), Who("Operator", Role.OPERATOR, None, f'hand-over: "{m[0].strip()}"')))
    if not candidates:
        return None
    candidates.sort(key=lambda c: c[0])
    last = candidates[-1][1]
    if last.placeholder and last.role == Role.UNKNOWN:  # "<UNK>, over to you" after "over to our CFO"
        earlier = [w for _pos, w in candidates[:-1] if w.placeholder and w.role != Role.UNKNOWN]
        if earlier:
            return earlier[-1]
    return last


def _who(name: str, title: str | None, known: dict[str, Who], cue: str) -> Who:
    name = name if is_placeholder(name) else (_person(name) or name)
    if is_placeholder(name):
        role = role_from_title(title) if title else Role.UNKNOWN
        return Who(None, role, title, f'hand-over: "{cue}"', placeholder=True)
    match = resolve(name, known)
    if match:
        return Who(match.name, match.role, match.title, f'hand-over: "{cue}"')
    role = role_from_title(title) if title else Role.UNKNOWN
    return Who(_clean_name(name), role, title, f'hand-over: "{cue}"')


_GREETING = re.compile(
    rf"^\s*(?:(?:Thank you|Thanks)(?: (?:very|so) much)?(?: for that| for the introduction)?,?\s+"
    rf"(?:(?P<op>operator)|(?:Mr\.?|Ms\.?|Mrs\.?|Dr\.?)?\s*(?P<nm>{_WORD}|[A-Z]\.?(?=[\s,.!]|$)))|"
    rf"Good (?:morning|afternoon|evening|day)\b|Hello\b|Hi\b)", re.I)


def greeting(text: str) -> tuple[bool, str | None, bool]:
    """A turn that opens by thanking the previous speaker or greeting the audience:
    (is a greeting, the name thanked, whether the operator was thanked)."""
    m = _GREETING.match(text)
    if not m:
        return False, None, False
    if m.group("op"):
        return True, None, True
    raw = m.group("nm")
    if raw and raw.split()[0].lower() in {"everyone", "everybody", "all", "you", "and", "again", "so",
                                          "for", "very", "operator"}:
        raw = None
    return True, _person(raw) if raw else None, False


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
    # "<UNK>, yes, this is Steve." / "Hi, it's Dan here." at the start of a turn
    m = re.match(rf"\W*(?:<UNK>\s*,?\s*)?(?:(?:yes|yeah|hi|hey|sure|and|so)\W+)*(?:this is|it's|I'm)\s+"
                 rf"{_NAME}(?=\s*(?:[.,;!]|here\b|speaking\b|$))", text, re.I)
    if m and _person(m.group(1)) and m.group(1)[0].isupper():
        match = resolve(m.group(1), known)
        if match:
            return Who(match.name, match.role, match.title, f'says: "{m[0].strip()}"')
        return Who(_person(m.group(1)), Role.UNKNOWN, None, f'says: "{m[0].strip()}"')
    return None


def is_operator(text: str) -> bool:
    """The operator's own words, not management's words to the operator ("Operator, we'll take
    our first question.", "Thank you, operator.")."""
    text = flat(text)
    if not OPERATOR_PHRASES.search(text):
        return False
    return not (re.match(r"\s*(?:\w+,?\s+)?operator\b", text, re.I) or greeting(text)[2]
                # "Ami, let's take our first question." is said to the operator, by name
                or re.match(r"\s*[A-Z][a-z]+,\s+(?:let's|we'll|we will|can we|could we|we can|we'd|please|"
                            r"you can|go ahead)\b", text)
                or re.search(r"\b(?:back|over) to (?:the |our )?operator", text, re.I))


SAFE_HARBOUR = re.compile(r"forward[- ]looking (?:statements?|information)|safe[- ]harbou?r|"
                          r"differ materially|"
                          r"non-GAAP (?:financial )?measures|risks? and uncertainties", re.I)



_WILL_SPEAK = re.compile(
    rf"(?:^|[.;:,]\s+|\b(?:and|then|after that|afterwards|first|finally),?\s+)(?:then\s+)?{_NAME}"
    rf"(?:,\s+(?:our |the )?[^,.;]{{2,80}}){{0,3}},?\s+will\s+(?:then\s+|also\s+|first\s+|now\s+)?"
    rf"(?:begin|start|open|lead|kick|provide|discuss|review|give|share|present|cover|walk|take|"
    rf"talk|update|comment|touch|follow|go|offer|make|highlight|close|conclude|summarize)\b")


_NAMES_WILL = re.compile(rf"\b((?:{_WORD},\s+)+{_WORD},?\s+and\s+{_WORD}|{_WORD}\s+and\s+{_WORD})\s+will\b")


def speaking_order(text: str) -> list[str]:
    """Who the introduction says will speak, in order: "Tim will provide brief remarks ... Then
    John will discuss the financial results" -> ["Tim", "John"]; "Mike, Chris and Tom will refer
    to ..." -> ["Mike", "Chris", "Tom"]. A name said to speak "then" is not the first: the
    list starts with "" for the unnamed first speaker ("Kevin, our CFO, will then review ...")."""
    found: list[tuple[int, str, bool]] = []
    flat_text = flat(text)
    for m in _WILL_SPEAK.finditer(flat_text):
        found.append((m.start(1), m.group(1), bool(re.search(r"\bthen\b", m[0]))))
    for m in _NAMES_WILL.finditer(flat_text):
        for k, part in enumerate(re.split(r",\s+|,?\s+and\s+", m.group(1))):
            found.append((m.start(1) + k, part, False))
    out: list[str] = []
    for _pos, raw, then in sorted(found):
        name = _person(raw)
        if not name or re.fullmatch(_TITLE_WORDS, name) or name in out:
            continue  # "President", "Chairman": a title, not a name
        if name.split()[0] in {"We", "I", "It", "This", "That", "They", "Members"}:
            continue
        if then and not out:
            out.append("")
        out.append(name)
    return out


CFO_TOPICS = re.compile(
    r"\b(?:(?:effective )?tax rate|interest expense|balance sheet|liquidity|share count|diluted shares|"
    r"capital expenditures?|capex|free cash flow|operating cash flow|cash flow from operations|net debt|"
    r"leverage ratio|depreciation|working capital|cash and cash equivalents|G&A|SG&A|"
    r"corporate (?:expense|cost)s?|revolver|credit facility)\b", re.I)
