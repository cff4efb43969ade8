"""What kind of question is this? Flags that retrieval and the answerer share."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from index.text import stem

if TYPE_CHECKING:
    from index.types import Transcript

_WHO = re.compile(r"^\s*who\b|\bwhich (?:analysts?|executives?|firms?|banks?|brokers?)\b|"
                  r"\bwhat firms?\b", re.I)
_ASKED = re.compile(r"\b(?:asked|ask|raised|questioned)\b|\bwhich (?:analysts?|firms?|banks?|"
                    r"brokers?)", re.I)
_ANSWERED = re.compile(r"\b(?:answered|took|fielded|responded|replied|handled|answer)\b", re.I)
_COUNT = re.compile(r"^\s*(?:(?:for|by|at|to|in|and)\s+)?"  # "... and for how much?"
                    r"(?:how (?:much|many)|what (?:is|was|were|are) the (?:number|amount))\b", re.I)
_WHY = re.compile(r"^\s*why\b|\bwhat (?:drove|drives|is driving|was driving|caused|is behind|was "
                  r"behind|explains|helped|hurt|held back|weighed on|pressured|boosted|pushed|accounts for|"
                  r"accounted for|led to)\b|\breason", re.I)
# The frame of a "why" question ("what caused ...", "what pushed ... down"): not its subject
WHY_FRAME = frozenset(stem(w) for w in """cause caused help hurt push weigh pressure pressured
    boost lead explain reason account ago""".split())
_QUANT = re.compile(r"\b(?:how much|how many|revenues?|margins?|profits?|capex|cash|expenses?|"
                    r"costs?|percent|growth|floor|ceiling|figure|number|ebitda|share|ratio|"
                    r"amount|rate|balance|income|earnings|eps|sales|ffo|noi|backlog|bookings|"
                    r"dividends?|debt|liquidity)\b|%", re.I)


@dataclass(frozen=True)
class Kind:
    who: bool  # asks for a person or firm
    asked: bool  # ... who asked (an analyst)
    answered: bool  # ... who answered (management)
    why: bool  # asks for a reason
    quantitative: bool  # a figure is the likely answer
    count: bool  # "how much / how many": a figure or nothing


def classify(question: str) -> Kind:
    who = bool(_WHO.search(question))
    asked = who and bool(_ASKED.search(question))
    why = bool(_WHY.search(question))
    return Kind(
        who=who,
        asked=asked,
        answered=who and not asked and bool(_ANSWERED.search(question)),
        why=why,
        quantitative=bool(_QUANT.search(question)) and not why and not who,
        count=bool(_COUNT.search(question)),
    )


# -- question analysis: once per question, shared by retrieval and the answerers ----------------

# Periods as questions write them: "Q3", "3Q17", "Q3 2017", "FY21", "fiscal '22", "2021", "the
# first quarter", "first half". They scope a question (which call), they are not its subject.
_PERIOD = re.compile(
    r"\b(?:Q[1-4]|[1-4]Q|H[12]|[12]H)(?:\s*(?:FY)?\s*'?(?:19|20)?\d\d)?\b"
    r"|\b(?:FY|F)\s*'?(?:19|20)?\d\d\b"
    r"|\bfiscal(?:\s+year)?\s+'?(?:19|20)?\d\d\b|'\d\d\b"
    r"|\b(?:19|20)\d\d\b"
    r"|\b(?:first|second|third|fourth|1st|2nd|3rd|4th)[- ](?:quarter|half)\b", re.I)
# Where a question starts its second part: "..., and what's planned for Q4?", "... and for how much?"
_PART = re.compile(r"\?\s+(?=\S)|,?\s+and\s+(?=(?:(?:for|in|at|by|from|to)\s+)?(?:what|what's|how|"
                   r"when|where|why|who|which|is|are|does|did|do|was|were|will)\b)", re.I)
# The unit asked for: a rate ("operating margin", "as a percent of revenue") or an amount ("in
# dollars", "per share"). A change ("how much did sales grow") may be given either way.
_RATE = re.compile(r"\b(?:margins?|rates?|ratios?|percent(?:age)?|yields?|occupancy)\b|%", re.I)
_MONEY = re.compile(r"\bin dollars\b|\bdollar (?:amount|value|figure)s?\b|\bper (?:diluted )?share\b|"
                    r"\bEPS\b|\bhow much (?:money|cash)\b|\bhow much did \w+(?: \w+)? (?:spend|pay)\b",
                    re.I)
_CHANGE = re.compile(r"\b(?:grow|grew|growth|increase[ds]?|decrease[ds]?|rise|rose|fall|fell|"
                     r"decline[ds]?|change[ds]?|up|down|improve[ds]?|move[ds]?|compare[ds]?|versus|vs|"
                     r"expand(?:ed)?|contract(?:ed)?)\b", re.I)
_VALUE = re.compile(r"^\s*(?:what(?:'s| (?:is|was|were|are|will be))|how (?:much|many|big|large|high|"
                    r"low))\b", re.I)
RATE, AMOUNT = "rate", "amount"
_COMPARED = re.compile(r"\b(?:compare[ds]?|comparison|versus|vs|between|from|move[ds]?|change[ds]?)\b",
                       re.I)
# Guidance and plans are stated in the future tense or with an outlook word.
_FORWARD_ASK = re.compile(r"\b(?:guidance|guide|outlook|forecast|target(?:ing)?|expect(?:ed|s)?|"
                          r"plan(?:s|ned)?|anticipate[ds]?)\b", re.I)
FORWARD_WORDS = frozenset({"expect", "anticipat", "anticipate", "plan", "forecast", "target", "guide",
                           "guidance", "outlook"})
FORWARD = re.compile(r"\b(?:guidance|guide|outlook|forecast|target|expect\w*|anticipat\w*|plan\w*|"
                     r"will|going to|intend\w*|project\w*|estimate\w*|range|aim\w*|goal|"
                     r"remainder|rest of|next|continue to|should|would|remain)\b", re.I)
# Asks which companies, customers, partners...: answered by names
_ENTITY = re.compile(r"^\s*(?:which|what)\s+(?:[\w-]+\s+){0,3}?(?:companies|customers|clients|partners|"
                     r"firms|banks|brands|competitors|vendors|suppliers|countries|acquisitions)\b", re.I)
_ACRONYM = re.compile(r"\b[A-Z][A-Z&]{1,4}(?=\d|\b)")


@dataclass(frozen=True)
class Question:
    """What the question asks, analysed once.

    `terms` rank sentences (the subject, names and periods included: "Capital One earned ...");
    `core` is what a sentence must be about to answer it: the terms without the names of the
    companies in play and without periods, which choose the call rather than the passage."""

    text: str
    kind: Kind
    terms: tuple[str, ...]
    core: tuple[str, ...]
    periods: tuple[str, ...]  # as written: "Q1", "2021"
    parts: tuple[str, ...]  # one per thing asked; a single part for most questions
    acronyms: frozenset[str] = frozenset()  # "CET1" -> {"cet"}: may be spelled out in the call
    proper: frozenset[str] = frozenset()  # capitalised words past the first: names
    forward: bool = False  # asks for guidance or a plan: only a forward-looking sentence answers
    unit: str | None = None  # RATE or AMOUNT when the question asks for one; None: any figure
    needs_figure: bool = False  # asks for a value: a sentence without a figure cannot answer
    needs_name: bool = False  # "which companies ...": a sentence that names none cannot answer


def expected_unit(question: str) -> str | None:
    if re.match(r"\s*how many\b", question, re.I):
        return AMOUNT  # a count: "how many shares", never "up 12%"
    if _CHANGE.search(question):
        return None
    if _MONEY.search(question) and not _RATE.search(question):
        return AMOUNT
    if _RATE.search(question) and not _MONEY.search(question):
        return RATE
    return None


def names_in_play(transcripts: Mapping[str, Transcript]) -> list[str]:
    """Company names and tickers of the calls in play, and the capitalised words of the call's
    welcome ("Welcome to the General Dynamics second quarter call"): they scope a question,
    they do not answer it."""
    out = [n for t in transcripts.values() for n in (t.company, t.ticker) if n]
    for t in transcripts.values():
        out += _welcome_names(t.source[:WELCOME_CHARS])
    return out


WELCOME_CHARS = 1500
_WELCOME = re.compile(r"\b(?:welcome|conference call|earnings call|results call)\b", re.I)


@lru_cache(maxsize=256)
def _welcome_names(opening: str) -> tuple[str, ...]:
    from index.text import sentence_spans

    names: list[str] = []
    for a, b in sentence_spans(opening):
        sentence = opening[a:b]
        if _WELCOME.search(sentence):
            names += re.findall(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w&'\u2019-]*(?:\s+[A-Z][\w&'\u2019-]*)*",
                                sentence)
    return tuple(names)


def _name_words(names: Iterable[str]) -> set[str]:
    from index.text import content_words

    out: set[str] = set()
    for name in names:
        out.update(content_words(name))
    return out


def initialled(question: str, names: Iterable[str]) -> set[str]:
    """Words of a capitalised name in the question whose initials are a ticker in play:
    "General Dynamics" for GD."""
    from index.text import content_words

    tickers = {n.upper() for n in names if n.isupper() and 2 <= len(n) <= 5}
    out: set[str] = set()
    for m in re.finditer(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+", question):
        if "".join(w[0] for w in m.group(0).split()).upper() in tickers:
            out.update(content_words(m.group(0)))
    return out


def analyse(question: str, names: Iterable[str] = ()) -> Question:
    """`names`: company names and tickers of the calls in play (words to scope, not to cover)."""
    from qa.lexical import query_terms

    kind = classify(question)
    periods = tuple(m.group(0).strip() for m in _PERIOD.finditer(question))
    terms = tuple(query_terms(question, who=kind.who))
    scoping = _name_words(names) | initialled(question, names)
    unscoped = _PERIOD.sub(" ", question)
    frame = WHY_FRAME if kind.why else frozenset()
    core = tuple(t for t in query_terms(unscoped, who=kind.who)
                 if t not in scoping and t not in frame) or terms
    pieces = [p.strip(" ,;") for p in _PART.split(question) if p and p.strip(" ,;?")]
    if len(pieces) == 1:
        pieces = _coordinated(question)
    parts = tuple(p for p in pieces if query_terms(_PERIOD.sub(" ", p), who=kind.who)) or (question,)
    unit = expected_unit(question)
    # a value is asked for: "what was the margin", "how much", and "how did the margin move
    # from Q1 to Q2" (answered per call, each with its value)
    needs = kind.count or ((kind.quantitative or unit is not None) and bool(
        _VALUE.search(question) or (_COMPARED.search(question) and len(periods) >= 2)))
    from index.text import content_words

    short = frozenset(w for a in acronyms(question) for w in content_words(a) if w.isalpha())
    proper = frozenset(w for m in re.finditer(r"(?<!^)\b[A-Z][\w&'\u2019]*", question.strip())
                       for w in content_words(m.group(0)))
    return Question(question, kind, terms, core, periods, parts if len(parts) > 1 else (question,),
                    short, proper, bool(_FORWARD_ASK.search(question)) and not kind.who, unit, needs,
                    bool(_ENTITY.search(question)) and not kind.who)


_LEAD = re.compile(r"^\s*(?:what|how much|how many|how big|how large)\b(?:\s+(?:was|were|is|are|the|did|"
                   r"does|do|they|their|its|it))*", re.I)


def _coordinated(question: str) -> list[str]:
    """ "What were revenue and free cash flow?" -> ["What were revenue", "What were free cash
    flow?"]: two values asked in one clause. Only for value questions with one "and"."""
    from index.text import words

    lead = _LEAD.match(question)
    if not lead or lead.end() == 0 or words(question).count("and") != 1 or \
            len(re.findall(r"\band\b", question)) != 1:  # "research and development" is one thing
        return [question]
    left, right = re.split(r"\s+and\s+", question, maxsplit=1)
    if not right.strip(" ?") or not left[lead.end():].strip():
        return [question]
    if not (_QUANT.search(left[lead.end():]) and _QUANT.search(right)):
        return [question]  # "the debt paydown and buyback plans": one plan, not two values
    head = re.sub(r"\s+(?:the|their|its)$", "", lead.group(0).strip(), flags=re.I)
    return [left, f"{head} {right}"]


def acronyms(question: str) -> list[str]:
    """Capitalised short forms in the question: "CET1", "FCF", "NPW"."""
    return [m.group(0) for m in _ACRONYM.finditer(question)]
