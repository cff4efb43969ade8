"""What kind of question is this? Flags that retrieval and the answerer share."""

from __future__ import annotations

import re
from dataclasses import dataclass

_WHO = re.compile(r"^\s*who\b|\bwhich (?:analysts?|executives?|firms?|banks?|brokers?)\b|"
                  r"\bwhat firms?\b", re.I)
_ASKED = re.compile(r"\b(?:asked|ask|raised|questioned)\b|\bwhich (?:analysts?|firms?|banks?|"
                    r"brokers?)", re.I)
_ANSWERED = re.compile(r"\b(?:answered|took|fielded|responded|replied|handled|answer)\b", re.I)
_COUNT = re.compile(r"^\s*(?:how (?:much|many)|what (?:is|was|were|are) the (?:number|amount))\b",
                    re.I)
_WHY = re.compile(r"^\s*why\b|\bwhat (?:drove|drives|is driving|was driving|caused|is behind|was "
                  r"behind|explains)\b|\breason", re.I)
_QUANT = re.compile(r"\b(?:how much|how many|revenues?|margins?|profits?|capex|cash|expenses?|"
                    r"costs?|percent|growth|floor|ceiling|figure|number|ebitda|share|ratio|"
                    r"amount|rate|balance)\b|%", re.I)


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
