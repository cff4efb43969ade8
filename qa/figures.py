"""Figures in text, and whether an answer's figures are backed by its quotes.

Every figure a model writes in an answer must be stated in one of the verified quotes shown
with it. Transcripts state one figure many ways ("RMB 1.89 billion", "1,891.8 million RMB",
"RMB1,891.8 million"; "six point five percent", "6.5%"), so figures are compared by kind and by
value, allowing for the rounding each was written with.

What is not a figure: years ("2024", "fiscal 2025"), quarter and half-year labels ("Q2", "2Q24",
"1H24", "second quarter"), dates and clock times ("June 30th", "8/20/2024", "10:30"),
ordinals ("1st", "eighth"), list markers ("1." at the start of a line, "(2)"), identifiers
("H100", "COVID-19") and counts spelled in words ("two questions"). A spelled number counts
only with a scale word, a unit or a currency ("three hundred million", "ten times").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from itertools import takewhile

PERCENT, POINTS, MULTIPLE, AMOUNT = "percent", "points", "multiple", "amount"


@dataclass(frozen=True)
class Figure:
    """A figure as written: `text` is `source[start:end]`; `value` has the scale applied."""

    text: str
    start: int
    end: int
    value: float
    kind: str  # percent | points | multiple | amount
    decimals: int  # digits after the decimal point, in the written scale
    scale: float  # 1, 1e3, 1e6, 1e9, 1e12; 0.01 for basis points (1 bp = 0.01 points)


@dataclass(frozen=True)
class _Raw:
    """A candidate figure before the filters: the number as written and what follows it."""

    start: int
    end: int
    number: Decimal  # as written, before the scale
    decimals: int
    scale: Decimal | None = None  # None: no scale word
    kind: str | None = None  # None: no unit
    factor: Decimal = Decimal(1)  # 0.01 for basis points
    currency: bool = False
    spelled: bool = False

    @property
    def unitless(self) -> bool:
        return self.scale is None and self.kind is None

    @property
    def bare(self) -> bool:
        return self.unitless and not self.currency


# Numerals -------------------------------------------------------------------------------------

_SP = r"[ \u00a0]"
_PREFIX = rf"(?:(?<![A-Za-z])(?:US\$|HK\$|RMB|CNY|USD|HKD)|[$¥￥€£]){_SP}?"
_NUMBER = r"\d+(?:,\d{3})+(?!\d)(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_NUMERAL = re.compile(rf"(?P<cur>{_PREFIX})?(?P<num>{_NUMBER})", re.I)

_SCALES = {"thousand": "1e3", "k": "1e3", "million": "1e6", "mn": "1e6", "m": "1e6",
           "billion": "1e9", "bn": "1e9", "b": "1e9", "trillion": "1e12", "tn": "1e12"}
# "m", "b", "k" only attached ("300m", "$1.5B"); the words also after a space
_SCALE_TAIL = re.compile(rf"(?P<a>bn|mn|tn|[kmb])(?![A-Za-z0-9])"
                         rf"|{_SP}?(?P<w>trillion|billion|million|thousand|bn|mn|tn)\b", re.I)
_UNIT_TAIL = re.compile(rf"""{_SP}?(?:
      (?P<percent>%|％|percent\b|per{_SP}cent\b|pct\b)
    | (?P<bps>basis{_SP}points?\b|bps\b|bp\b)
    | (?P<points>percentage{_SP}points?\b|ppts?\b|pp\b|pts?\b)
    | (?P<bare>points?\b(?!{_SP}*\d))
    | (?P<multiple>times\b|-?fold\b|×)
  ) | (?P<x>x)(?![A-Za-z0-9])""", re.I | re.X)
_UNIT_KINDS = {"percent": PERCENT, "bps": POINTS, "points": POINTS, "bare": POINTS,
               "multiple": MULTIPLE, "x": MULTIPLE}
_CURRENCY_TAIL = re.compile(rf"{_SP}?(?:yuan|renminbi|RMB|CNY|USD|HKD|US{_SP}dollars?"
                            rf"|(?:Hong{_SP}Kong{_SP})?dollars?)\b", re.I)


def _decimals(number: str) -> int:
    return len(number.partition(".")[2])


def _numeral(text: str, m: re.Match[str]) -> _Raw | None:
    num = m["num"]
    raw = _Raw(m.start(), m.end(), Decimal(num.replace(",", "")), _decimals(num),
               currency=bool(m["cur"]))
    if s := _SCALE_TAIL.match(text, raw.end):
        raw = replace(raw, end=s.end(), scale=Decimal(_SCALES[(s["a"] or s["w"]).lower()]))
    raw = _suffix(text, raw)
    return raw if _standalone(text, raw, prefixed=bool(m["cur"])) else None


def _suffix(text: str, raw: _Raw) -> _Raw:
    """The unit ("%", "percentage points", "bps", "times", "2x") or currency after a number."""
    u = _UNIT_TAIL.match(text, raw.end)
    if u and u.lastgroup and not (raw.spelled and u.lastgroup in ("x", "bare")):
        factor = Decimal("0.01") if u.lastgroup == "bps" else Decimal(1)
        return replace(raw, end=u.end(), kind=_UNIT_KINDS[u.lastgroup], factor=factor)
    c = _CURRENCY_TAIL.match(text, raw.end)
    return replace(raw, end=c.end(), currency=True) if c else raw


def _standalone(text: str, raw: _Raw, prefixed: bool) -> bool:
    """Not part of a word or label: "Q2", "2Q24", "1st", "H100", "FY2024", "COVID-19"."""
    after = text[raw.end : raw.end + 1]
    if after.isascii() and (after.isalnum() or after == "_"):
        return False
    if prefixed:
        return True
    before = text[max(0, raw.start - 2) : raw.start]
    b = before[-1:]
    label = b == "-" and before[:1].isascii() and before[:1].isalpha()
    return not (label or b in ("_", "#") or (b.isascii() and b.isalnum()))


def _numerals(text: str) -> list[_Raw]:
    return [r for m in _NUMERAL.finditer(text) if (r := _numeral(text, m))]


# Spelled numbers ------------------------------------------------------------------------------

_DIGITS = "zero one two three four five six seven eight nine".split()
_TEENS = "ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
_ONES = _DIGITS + _TEENS.split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_COUNTS = {w: i for i, w in enumerate(_ONES)} | {w: 10 * i for i, w in enumerate(_TENS, 2)}
_BIG = {"thousand": Decimal("1e3"), "million": Decimal("1e6"), "billion": Decimal("1e9"),
        "trillion": Decimal("1e12")}
_BEFORE_BIG = ("ones", "tens", "hundred", "a", "frac")
_WORD = re.compile(r"[A-Za-z]+")
_JOINERS = (" ", "-", "\u00a0")
_MULTIPLE_WORDS = re.compile(
    rf"\b(?:(?P<two>doubl(?:e[sd]?|ing)|twice(?={_SP}+(?:as|the)\b))|(?P<three>tripl(?:e[sd]?|ing))"
    rf"|(?P<four>quadrupl(?:e[sd]?|ing)))\b(?![- \u00a0]?(?:digits?|down)\b)", re.I)
_MULTIPLES = {"two": 2, "three": 3, "four": 4}


@dataclass(frozen=True)
class _Reading:
    """A spelled number read so far: total + group, and the class of the last word read."""

    used: int = 0
    total: Decimal = Decimal(0)
    group: Decimal = Decimal(0)
    decimals: int = 0
    last: str = ""  # "", ones, tens, hundred, big, and, frac, a
    scale: Decimal | None = None  # the last scale word read


def _count(r: _Reading, word: str) -> _Reading | None:
    n, tens = _COUNTS[word], word in _TENS
    ok = r.last in ("", "hundred", "and", "big") or (r.last == "tens" and not tens and 0 < n < 10)
    if not ok:
        return None
    return replace(r, used=r.used + 1, group=r.group + n, last="tens" if tens else "ones")


def _and(r: _Reading, ahead: list[str]) -> _Reading | None:
    """ "hundred and fifty", "one and a half". """
    if r.last in ("hundred", "big") and ahead[:1] and ahead[0] in _COUNTS:
        return replace(r, used=r.used + 1, last="and")
    if r.last in ("ones", "tens") and ahead == ["a", "half"]:
        return replace(r, used=r.used + 3, group=r.group + Decimal("0.5"), decimals=1, last="frac")
    return None


def _point(r: _Reading, rest: list[str]) -> _Reading | None:
    """ "six point five", "one point eight nine". """
    digits = "".join(str(_COUNTS[w]) for w in takewhile(lambda w: w in _DIGITS, rest))
    if r.last not in ("ones", "tens") or not digits:
        return None
    return replace(r, used=r.used + 1 + len(digits), group=r.group + Decimal("0." + digits),
                   decimals=len(digits), last="frac")


def _step(r: _Reading, words: list[str], j: int) -> _Reading | None:
    w, ahead = (words[j], words[j + 1 : j + 3]) if j < len(words) else ("", [])
    if w in _COUNTS:
        return _count(r, w)
    if w == "hundred" and r.last in ("ones", "tens", "a"):
        return replace(r, used=r.used + 1, group=Decimal(r.group or 1) * 100, last="hundred")
    if w in _BIG and r.last in _BEFORE_BIG:
        return replace(r, used=r.used + 1, total=r.total + (r.group or 1) * _BIG[w],
                       group=Decimal(0), scale=_BIG[w], last="big")
    if w == "and":
        return _and(r, ahead)
    if w == "point":
        return _point(r, words[j + 1 :])
    if w == "a" and r.last == "" and ahead[:1] and (ahead[0] == "hundred" or ahead[0] in _BIG):
        return replace(r, used=1, group=Decimal(1), last="a")
    if w == "half" and r.last == "" and ahead[:1] == ["a"] and ahead[1:] and ahead[1] in _BIG:
        return replace(r, used=2, group=Decimal("0.5"), decimals=1, last="frac")  # half a billion
    return None


def _read(words: list[str], i: int) -> _Reading:
    r = _Reading()
    while (nxt := _step(r, words, i + r.used)) is not None:
        r = nxt
    return r


def _runs(text: str) -> list[list[re.Match[str]]]:
    """Words joined by single spaces or hyphens: where a spelled number can be."""
    runs: list[list[re.Match[str]]] = []
    for m in _WORD.finditer(text):
        if runs and text[runs[-1][-1].end() : m.start()] in _JOINERS:
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs


def _from_reading(r: _Reading, start: int, end: int) -> _Raw:
    scale = r.scale if r.last == "big" else (Decimal(1) if r.scale else None)
    number = (r.total + r.group) / (scale or 1)
    return _Raw(start, end, number, r.decimals, scale=scale, spelled=True)


def _spelled_in(text: str, run: list[re.Match[str]]) -> list[_Raw]:
    words, out, i = [m[0].lower() for m in run], [], 0
    while i < len(run):
        r = _read(words, i)
        if r.used:
            out.append(_suffix(text, _from_reading(r, run[i].start(), run[i + r.used - 1].end())))
        i += r.used or 1
    return out


def _spelled(text: str) -> list[_Raw]:
    multiples = [_Raw(m.start(), m.end(), Decimal(_MULTIPLES[m.lastgroup or "two"]), 0,
                      kind=MULTIPLE, spelled=True) for m in _MULTIPLE_WORDS.finditer(text)]
    return multiples + [raw for run in _runs(text) for raw in _spelled_in(text, run)]


# Filters --------------------------------------------------------------------------------------

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_NOT_FIGURES = re.compile(rf"""
      \b{_MONTH}\.?{_SP}\d{{1,2}}(?!\d)                         # June 30
    | \b\d{{1,2}}(?:st|nd|rd|th)?{_SP}(?:of{_SP})?{_MONTH}\b     # 30 June
    | \b\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?\b                     # 8/20/2024, 8/20
    | \b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b                            # 2024-08-20
    | \b\d{{1,2}}:\d{{2}}\b                                      # 10:30
    | ^[ \t]*(?:[-*•][ \t]*)?\(?\d{{1,2}}[.)](?=[ \t])            # list marker: "1." "2)"
    | \(\d{{1,2}}\)(?![ \t]?%)                                   # inline list marker: "(1)"
""", re.X | re.M)
_RANGE = re.compile(r"[ \u00a0]*(?:-|–|—|to|or|and)[ \u00a0]*", re.I)
_BETWEEN = re.compile(r"\bbetween[ \u00a0]+$", re.I)


def _is_year(text: str, raw: _Raw) -> bool:
    written = text[raw.start : raw.end]
    return raw.bare and re.fullmatch(r"\d{4}", written) is not None and 1900 <= raw.number <= 2100


def _masked(raw: _Raw, masks: list[tuple[int, int]]) -> bool:
    return any(a < raw.end and raw.start < b for a, b in masks)


def _first_of_range(text: str, a: _Raw, b: _Raw) -> bool:
    """ "15 to 20%", "RMB 300-400 million", "between five and six percent": a takes b's unit."""
    gap = _RANGE.fullmatch(text, a.end, b.start)
    if not gap or not a.unitless or b.unitless or a.spelled != b.spelled or _is_year(text, a):
        return False
    return gap[0].strip().lower() != "and" or _BETWEEN.search(text, 0, a.start) is not None


def _ranges(text: str, raws: list[_Raw]) -> list[_Raw]:
    out = list(raws)
    for i in range(len(out) - 2, -1, -1):
        a, b = out[i], out[i + 1]
        if _first_of_range(text, a, b):
            out[i] = replace(a, scale=b.scale, kind=b.kind, factor=b.factor)
    return out


def _candidates(text: str) -> list[_Raw]:
    masks = [m.span() for m in _NOT_FIGURES.finditer(text)]
    found = sorted((r for r in _numerals(text) + _spelled(text) if not _masked(r, masks)),
                   key=lambda r: (r.start, -r.end))
    kept: list[_Raw] = []
    for r in found:
        if not kept or r.start >= kept[-1].end:
            kept.append(r)
    return kept


def _to_figure(text: str, raw: _Raw) -> Figure:
    scale = (raw.scale or Decimal(1)) * raw.factor
    return Figure(text[raw.start : raw.end], raw.start, raw.end, float(raw.number * scale),
                  raw.kind or AMOUNT, raw.decimals, float(scale))


def extract_figures(text: str) -> list[Figure]:
    """Every figure in `text`, in order."""
    raws = _ranges(text, _candidates(text))
    return [_to_figure(text, r) for r in raws
            if not (r.spelled and r.bare) and not _is_year(text, r)]


# Comparison -----------------------------------------------------------------------------------


def _exact(x: float) -> Decimal:
    return Decimal(repr(x))


def _unit(f: Figure) -> Decimal:
    """One unit of the last digit written: "1.89 billion" -> 1e7, "17.1%" -> 0.1."""
    return _exact(f.scale).scaleb(-f.decimals)


def _rounds_to(fine: Figure, coarse: Figure) -> bool:
    unit = _unit(coarse)
    rounded = (_exact(fine.value) / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP) * unit
    return rounded == _exact(coarse.value)


def same_figure(a: Figure, b: Figure) -> bool:
    """The same kind, and the more precise value rounds (half up) to the less precise one as
    written. A percent and a points figure are the same only when their numbers are equal."""
    if a.kind != b.kind:
        return {a.kind, b.kind} == {PERCENT, POINTS} and _exact(a.value) == _exact(b.value)
    coarse, fine = (a, b) if _unit(a) >= _unit(b) else (b, a)
    return _rounds_to(fine, coarse)


def unbacked(answer: str, quotes: Sequence[str]) -> list[Figure]:
    """The figures in `answer` that no figure in any quote backs, in order."""
    backing = [f for q in quotes for f in extract_figures(q)]
    return [f for f in extract_figures(answer) if not any(same_figure(f, b) for b in backing)]
