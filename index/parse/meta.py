"""Call metadata: company, ticker, fiscal period and call date.

What the call states about itself comes first; the path is the fallback.

- company: the operator's welcome ("Welcome to the Aflac first quarter 2021 earnings call"),
  a Motley Fool title line ("Acme Widgets (ACME) Q3 2024 Earnings Call Transcript"),
  introductions ("Chairman and CEO of Aflac Incorporated", "Investor Relations at Campbell Soup
  Company"), the name with its legal form ("Aflac Incorporated"), possessives before what a
  company reports ("Devon's second quarter"). Each mention is a vote; the ticker, when known,
  picks among names that all look plausible. Without a name in the text: the ticker.
- ticker: "(NYSE: AFL)" or a title line in the text; else the file or folder name: ECTSum
  `<TICKER>_q<N>_<YEAR>.txt`, MAEC `<YYYYMMDD>_<TICKER>.txt` or `<YYYYMMDD>_<TICKER>/text.txt`.
- period: quarter and fiscal year as the call names them ("first quarter of fiscal 2022" is
  2022Q1 even when that quarter ended in October 2021). See `period` for which source wins.
- date: a date line in the text ("8/20/2024", "April 28, 2021"), "as of today, February 25,
  2015"; else a date in the file or folder name (MAEC's `<YYYYMMDD>_`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date as Date
from datetime import timedelta
from pathlib import Path

# -- what we found ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CallMeta:
    company: str | None = None
    ticker: str | None = None
    period: str | None = None  # "2021Q1"
    date: str | None = None  # "2021-04-28"
    why: dict[str, str] = field(default_factory=dict, compare=False)  # field -> its source


@dataclass(frozen=True)
class Period:
    quarter: int
    year: int | None
    stated: bool  # the call names it as its own ("our first quarter 2021 results")
    cue: str

    @property
    def label(self) -> str | None:
        return f"{self.year}Q{self.quarter}" if self.year else None


def call_meta(text: str, path: Path, declared: Mapping[str, str] | None = None) -> CallMeta:
    """Metadata for the call in `text` (the transcript's words) read from `path`. `declared`:
    fields a JSON export states (company, ticker, period, date)."""
    declared = declared or {}
    named = from_path(path)
    flat = " ".join(text.split())
    ticker, ticker_why = _ticker(flat, text, declared, named)
    company, company_why = _company(flat, text, declared, ticker)
    period, period_why = _period(flat, text, declared, named)
    when, date_why = _date(text, declared, named)
    if company is None and ticker:
        company, company_why = ticker, f"the ticker ({ticker_why})"
    elif company:
        company = _without_possessive(company, flat)
    why = {k: v for k, v in (("company", company_why), ("ticker", ticker_why),
                             ("period", period_why), ("date", date_why)) if v}
    return CallMeta(company, ticker, period, when, why)


# -- the path -----------------------------------------------------------------------------------

_TICKER = r"[A-Z][A-Z0-9]{0,5}(?:[.\-][A-Z]{1,2})?"
_ECTSUM = re.compile(rf"^(?P<ticker>{_TICKER})_q(?P<q>[1-4])_(?P<y>(?:19|20)\d\d)$")
_MAEC = re.compile(rf"^(?P<date>(?:19|20)\d{{6}})_(?P<ticker>{_TICKER})$")
_NAME_PERIOD = re.compile(
    r"(?<![a-z0-9])(?:(?P<y1>(?:19|20)\d\d)[-_ ]?q(?P<q1>[1-4])|q(?P<q2>[1-4])[-_ ]?(?:fy)?"
    r"(?P<y2>(?:19|20)\d\d)|(?P<q3>[1-4])q[-_ ]?(?P<y3>(?:19|20)\d\d))(?![0-9])", re.I)
_NAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d\d)-?(0[1-9]|1[0-2])-?(0[1-9]|[12]\d|3[01])(?!\d)")


@dataclass(frozen=True)
class PathMeta:
    ticker: str | None = None
    period: str | None = None
    date: str | None = None
    where: str = ""  # the name they came from


def from_path(path: Path) -> PathMeta:
    """Ticker, period and date in the file name, else in its folder's name (MAEC's release
    keeps every call as `<YYYYMMDD>_<TICKER>/text.txt`)."""
    for name in (path.stem, path.parent.name):
        m = _ECTSUM.match(name)
        if m:
            return PathMeta(m["ticker"], f"{m['y']}Q{m['q']}", None, name)
        m = _MAEC.match(name)
        if m:
            return PathMeta(m["ticker"], None, _iso(m["date"][:4], m["date"][4:6], m["date"][6:]),
                            name)
    for name in (path.stem, path.parent.name):
        period, when = period_from_name(name), _date_from_name(name)
        if period or when:
            return PathMeta(None, period, when, name)
    return PathMeta()


def period_from_name(name: str) -> str | None:
    """ "acme-2024-q3", "kingsoft-cloud-2024q2", "AFL_q1_2021", "3Q2021" -> "2024Q3" ... """
    m = _NAME_PERIOD.search(name)
    if not m:
        return None
    year = m["y1"] or m["y2"] or m["y3"]
    return f"{year}Q{m['q1'] or m['q2'] or m['q3']}"


def _date_from_name(name: str) -> str | None:
    m = _NAME_DATE.search(name)
    return _iso(m[1], m[2], m[3]) if m else None


def _iso(year: str, month: str, day: str) -> str | None:
    try:
        return Date(int(year), int(month), int(day)).isoformat()
    except ValueError:
        return None


# -- ticker -------------------------------------------------------------------------------------

_EXCHANGE = re.compile(rf"\((?:NYSE|NASDAQ|Nasdaq|NYSE American|NYSE MKT|NYSEMKT|AMEX|TSX|OTC\w*|"
                       rf"LSE|ASX)\s*:\s*({_TICKER})\)")
_TITLE_LINE = re.compile(rf"^\s*(?P<name>[A-Z][^()\n]{{1,80}}?)\s+\((?:[A-Za-z ]+:\s*)?"
                         rf"(?P<ticker>{_TICKER})\)\s+(?P<rest>[^\n]*)$")


def _title_line(text: str) -> re.Match[str] | None:
    """ "Acme Widgets (ACME) Q3 2024 Earnings Call Transcript" on one of the first lines."""
    for line in text.lstrip()[:2000].splitlines()[:3]:
        m = _TITLE_LINE.match(line)
        if m and re.search(r"\b(?:earnings|conference|call|results|Q[1-4])\b", m["rest"], re.I):
            return m
    return None


def _ticker(flat: str, text: str, declared: Mapping[str, str], named: PathMeta) -> tuple[
        str | None, str]:
    if declared.get("ticker"):
        return declared["ticker"].strip().upper(), "declared in the file"
    title = _title_line(text)
    if title:
        return title["ticker"], f'title line "{title[0].strip()[:80]}"'
    m = _EXCHANGE.search(flat[:20000])
    if m:
        return m[1], f'text: "{m[0]}"'
    if named.ticker:
        return named.ticker, f"file name {named.where}"
    return None, ""


# -- company ------------------------------------------------------------------------------------

_WORD = r"(?:[A-Z](?:[\w&'\u2019\-]|\.(?=[A-Za-z]))*|&)"  # no sentence's full stop
_NAME = rf"{_WORD}(?:\s+(?:{_WORD}|of|and|de|du|la|del)(?=\s+[A-Z&]|\b)){{0,5}}"
_LEGAL = (r"Inc\.?|Incorporated|Corporation|Corp\.?|Company|Companies|Co\.|Ltd\.?|Limited|plc|PLC|"
          r"LLC|L\.P\.|LP|N\.V\.|S\.A\.|AG|SE|Holdings?|Group|Bancorp|Bancshares|Trust|REIT")
_REPORTS = (r"(?:first|second|third|fourth|1st|2nd|3rd|4th|Q[1-4]|[1-4]Q|fiscal|FY|20\d\d|"
            r"full[- ]year|year[- ]end|quarterly|earnings|results|conference|investor|financial|"
            r"annual|fourth-quarter|third-quarter|second-quarter|first-quarter)\b")
_CALL_NAMES = (r"(?:first|second|third|fourth|1st|2nd|3rd|4th|Q[1-4]|[1-4]Q|fiscal|FY|20\d\d|"
               r"full[- ]year|year[- ]end|quarterly|earnings|results|(?:conference|investor) call|"
               r"financial|annual|fourth-quarter|third-quarter|second-quarter|first-quarter)\b")
_COMPANY_CUES: list[tuple[float, str, re.Pattern[str]]] = [
    (6.0, "welcome", re.compile(
        rf"(?i:welcome(?: \w+)? to|joining us(?: today| this \w+)? (?:for|on)|thank you for "
        rf"(?:joining|participating in|attending)(?: us)?(?: today| this \w+)?(?: for| on| in)?|"
        rf"participating in)\s+(?:the |today's |this |our )?(?P<name>{_NAME})(?:'s|'|\u2019s)?\s+"
        rf"(?i:{_CALL_NAMES})")),
    (4.0, "discuss", re.compile(
        rf"(?i:to discuss|to review|to talk about|reviewing|discussing)\s+(?:the )?"
        rf"(?P<name>{_NAME})(?:'s|'|\u2019s)\s+(?i:{_REPORTS})")),
    (3.0, "introduction", re.compile(
        rf"(?i:chief \w+ officer|CEO|CFO|COO|president|chairman|chairwoman|chair|investor "
        rf"relations|treasurer|controller|founder)\s+(?:of|at|for)\s+(?P<name>{_NAME})")),
    (2.0, "legal name", re.compile(rf"(?P<name>{_NAME}\s+(?:{_LEGAL}))(?![\w])")),
    (2.0, "possessive", re.compile(
        rf"(?P<name>{_NAME})(?:'s|\u2019s)\s+(?i:{_REPORTS}|performance|business|strategy|board|"
        rf"shareholders|stockholders|customers|employees|history|portfolio|balance sheet)")),
    (1.5, "here at", re.compile(rf"(?i:here at|everyone at|all of us at|we at)\s+(?P<name>{_NAME})")),
]
_NOT_COMPANY_WORDS = {
    "the", "our", "this", "that", "at", "for", "welcome", "thank", "thanks", "good", "today",
    "on", "in", "with", "and", "i", "we", "please", "ladies", "hello", "hi", "morning",
    "afternoon", "evening", "everyone", "joining", "mr", "mr.", "ms", "ms.", "dr", "dr.", "so",
    "now", "as", "also", "again", "before", "after", "during", "q&a", "of", "a", "an", "it",
    "let", "while", "first", "second", "third", "fourth", "fiscal", "overall", "total",
    "to", "from", "by", "into", "call", "conference", "all"}
_NOT_COMPANIES = {
    "company", "companies", "group", "trust", "corporation", "investor relations", "operator",
    "securities and exchange commission", "sec", "exchange commission", "form", "safe harbor",
    "private securities litigation reform act", "gaap", "non-gaap", "covid", "covid-19", "ebitda",
    "board", "management", "q", "u.s", "us", "fed", "federal reserve", "the street", "wall street",
    "ceo", "cfo", "coo", "president", "chairman", "earnings", "investor", "conference",
    "fourth quarter", "full year", "year", "quarter", "capital", "holdings", "llc", "inc",
    "earningscall", "motley fool", "the motley fool", "refinitiv", "seeking alpha", "america",
    "north america", "europe", "china", "japan", "canada", "asia", "latin america", "texas",
    "california", "florida", "bank", "our company", "the company"}
_LEGAL_TAIL = re.compile(rf"(?:,?\s+(?:{_LEGAL}|the))+$", re.I)


def short_name(name: str) -> str:
    """ "Aflac Incorporated" -> "Aflac"; "The Travelers Companies, Inc." -> "The Travelers";
    "Campbell's" -> "Campbell". For ids and matching."""
    name = re.sub(r"(?:'s|'|\u2019s)$", "", name.strip().rstrip(",."))
    short = _LEGAL_TAIL.sub("", name).strip(" ,.")
    return short or name


def _key(name: str) -> str:
    short = short_name(name).lower()
    short = re.sub(r"^the\s+", "", short)
    return " ".join(re.findall(r"[a-z0-9&]+", short))


def fits_ticker(name: str, ticker: str) -> bool:
    """Could `ticker` abbreviate `name`? Its letters appear in order in the name, the first one
    starting the name ("AFL" Aflac, "CPB" Campbell, "LMAT" LeMaitre, "IBM" International
    Business Machines). Tickers that are not abbreviations (Southwest Airlines, LUV) do not
    fit; that only costs a tie-break."""
    letters = re.sub(r"[^a-z]", "", ticker.lower().split(".")[0])
    words = re.sub(r"^the\s+", "", name.lower())
    flat = re.sub(r"[^a-z]", "", words)
    if not letters or not flat or flat[0] != letters[0]:
        return False
    rest = iter(flat[1:])
    return all(ch in rest for ch in letters[1:])


_TITLE_OF = re.compile(
    r"^.*\b(?:CEO|CFO|COO|CTO|CIO|Officer|President|Chairman|Chairwoman|Chair|Director|Head|"
    r"Founder|Treasurer|Controller|Relations|Manager|Member|Partner|Analyst|Secretary|Counsel)"
    r"(?:\s+\w+){0,3}?\s+(?:of|at|for)\s+", re.I)


def _clean_company(raw: str) -> str | None:
    raw = _TITLE_OF.sub("", raw)  # "Chairman and CEO of Aflac Incorporated" -> "Aflac ..."
    words = raw.replace("\u2019", "'").split()
    while words and words[0].lower().strip(",.") in _NOT_COMPANY_WORDS:
        words.pop(0)
    while words and words[-1].lower() in {"of", "and", "&", "de", "du", "la", "del"}:
        words.pop()
    name = " ".join(words).strip(" ,.;:")
    name = re.sub(r"(?:'s|')$", "", name) if not re.search(r"\w'\w", name[-3:]) else name
    if not name or _key(name) in _NOT_COMPANIES or not re.search(r"[A-Za-z]{2}", name):
        return None
    if len(name) > 60 or name.isupper() and len(name) > 6 and " " not in name:
        return None
    return name


def company_mentions(flat: str) -> list[tuple[str, float, str]]:
    """(name, weight, cue) for every place the text names a company, earliest first."""
    found: list[tuple[int, str, float, str]] = []
    for weight, cue, pattern in _COMPANY_CUES:
        for m in pattern.finditer(flat):
            name = _clean_company(m["name"])
            if name:
                early = 1.5 if m.start() < 3000 else 1.0
                found.append((m.start(), name, weight * early, f'{cue}: "{_around(flat, m)}"'))
    return [(name, w, cue) for _, name, w, cue in sorted(found)]


def _around(flat: str, m: re.Match[str]) -> str:
    return flat[m.start() : m.end()][:90]


def _company(flat: str, text: str, declared: Mapping[str, str], ticker: str | None) -> tuple[
        str | None, str]:
    """The file's declared name or title line; else the name the call gives itself (the
    welcome: "Welcome to the Aflac first quarter 2021 call"); else, with a ticker, the name the
    call uses most among those the ticker could abbreviate ("Aflac" for AFL, "AIG"); else,
    without one, a name the call gives with enough weight (an introduction, its legal form,
    repeated). None rather than a guess: `call_meta` falls back to the ticker."""
    for key in ("company", "company_name"):
        if declared.get(key):
            return declared[key].strip(), "declared in the file"
    title = _title_line(text)
    if title:
        name = _clean_company(title["name"].strip())
        if name:
            return name, f'title line "{title[0].strip()[:80]}"'
    mentions = company_mentions(flat)
    named = [m for m in mentions if m[2].startswith(("welcome", "discuss"))]
    if named:
        return named[0][0], f"text, {named[0][2]}"
    if ticker:
        return _company_for_ticker(flat, mentions, ticker)
    return _pick_company(mentions)


def _pick_company(mentions: list[tuple[str, float, str]]) -> tuple[str | None, str]:
    """Votes per name ("Aflac" and "Aflac Incorporated" are one name), kept when they add up to
    at least two good cues (MIN_VOTES); shown as its most telling mention said it."""
    votes: dict[str, float] = defaultdict(float)
    best_form: dict[str, tuple[float, int, str, str]] = {}
    for name, weight, cue in mentions:
        k = _key(name)
        votes[k] += weight
        form = best_form.get(k)
        if form is None or (weight, len(name)) > (form[0], form[1]):
            best_form[k] = (weight, len(name), name, cue)
    if not votes:
        return None, ""
    winner = max(votes, key=lambda k: (votes[k], len(k)))
    if votes[winner] < MIN_VOTES:
        return None, ""
    _, _, name, cue = best_form[winner]
    return name, f"text, {cue}"


MIN_VOTES = 6.0
MIN_USES = 2.0  # a name the ticker fits must be used at least twice


def _company_for_ticker(flat: str, mentions: list[tuple[str, float, str]], ticker: str) -> tuple[
        str | None, str]:
    uses, forms = proper_names(flat)
    for name, weight, _ in mentions:
        k = _key(name)
        uses[k] += weight / 2
        forms[k][_clean_form(name)] += 1
    fitting = [k for k in uses if uses[k] >= MIN_USES and fits_ticker(k, ticker)
               and not _common_word(k, uses[k], flat)]
    if not fitting:
        return None, ""
    best = max(fitting, key=lambda k: (uses[k], len(k)))
    name = forms[best].most_common(1)[0][0]
    return name, f"text, the name fitting the ticker {ticker} used most ({uses[best]:g} times)"


def _common_word(key: str, uses: float, flat: str) -> bool:
    """ "Reinsurance", "Christmas", "Commission": words the call also writes in lower case
    are words, not the company's name (which is capitalised wherever it stands)."""
    lower = len(re.findall(rf"(?<![\w.]){re.escape(key)}(?![\w])", flat))
    return lower * 3 > uses


_PROPER = re.compile(
    r"(?<![\w&'\u2019.-])(?:[A-Z][\w&'\u2019\-]*(?:\.[A-Z][\w&'\u2019\-]*)*)"
    r"(?:\s+(?:[A-Z][\w&'\u2019\-]*(?:\.[A-Z][\w&'\u2019\-]*)*|&|of|and|de)(?=[\s.,;:!?']|$))*")
_COMMON = set("""
i we our the a an in on at for of and or but so as this that these those it its to by with from
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday ceo cfo coo cto cio evp svp ir q&a
gaap non-gaap ebitda ebit eps covid covid-19 sec esg u.s us usa u.k uk eu america americas north
south east west europe asia china japan canada mexico india brazil germany france australia
latin emea apac texas california florida new york q1 q2 q3 q4 fy slide slides page form operator
company board chairman president chief officer vice director directors investor investors
relations safe harbor thank thanks good morning afternoon evening everyone today now then also
again before after during while first second third fourth next last please let let's i'm we're
we've i'll we'll you yes no okay well sure great overall total turning moving looking finally
lastly additionally however therefore moreover furthermore all both each every some many most
more other another one two three four five year quarter annual fiscal full results earnings call
conference webcast release management team shareholders approximately
""".split())


def proper_names(flat: str) -> tuple[defaultdict[str, float], defaultdict[str, Counter[str]]]:
    """How often each capitalised name is used (a sentence's first word counts half: it may be
    capitalised only for being first), with the forms it is written in."""
    uses: defaultdict[str, float] = defaultdict(float)
    forms: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for sentence in re.split(r"(?<=[.!?])\s+", flat):
        for m in _PROPER.finditer(sentence):
            words = m[0].replace("\u2019", "'").split()
            while words and words[0].lower() in _COMMON:
                words.pop(0)
            while words and words[-1].lower() in {"of", "and", "&", "de"}:
                words.pop()
            if not words:
                continue
            name = _clean_form(" ".join(words))
            k = _key(name)
            if len(k) < 2 or all(w in _COMMON for w in k.split()):
                continue
            uses[k] += 0.5 if m.start() == 0 and len(words) == 1 else 1.0
            forms[k][name] += 1
    return uses, forms


def _clean_form(name: str) -> str:
    return re.sub(r"(?:'s|')$", "", name.replace("\u2019", "'"))


def _without_possessive(name: str, flat: str) -> str:
    """ "Gartner's" -> "Gartner" when the call also says "Gartner" alone; "Aaron's" stays."""
    m = re.fullmatch(r"(.+?)(?:'s|\u2019s|')", name)
    if m and re.search(rf"\b{re.escape(m[1])}\b(?!['\u2019])", flat):
        return m[1]
    return name


# -- period -------------------------------------------------------------------------------------

_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_QUARTER = re.compile(
    r"\b(?:(?:fiscal\s+)?(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)(?:\s+fiscal)?[- ]quarter"
    r"|Q(?P<q>[1-4])(?![\w])|(?P<nq>[1-4])Q(?=\s*'?\d\d\b|[^\w]|$))", re.I)
_FY = r"(?:fiscal(?:\s+year)?|FY)"
_YEAR_AFTER = re.compile(
    rf"^(?:(?:\s+and\s+(?:the\s+)?(?:full[- ]year|fiscal(?:\s+year)?|year[- ]end(?:ed)?|"
    rf"twelve months|annual))|,?\s+of)?(?:\s+(?:the|our|this))?"
    rf"(?:\s+(?P<fy>{_FY})\s*(?P<q1>')?|\s*(?P<q2>')|\s+)(?P<y>(?:19|20)\d\d|\d\d)\b", re.I)
_YEAR_BEFORE = re.compile(rf"(?:(?P<fy>{_FY})\s*'?)?(?<![\d,.$])(?P<y>(?:19|20)\d\d|\d\d)"
                          rf"(?:'s)?\s+$", re.I)
# How a quarter is mentioned, from the words before it in its clause (since the last
# punctuation or quarter mention) and the few after it.
_COMPARISON = re.compile(
    r"\b(?:compared (?:to|with)|comparison (?:to|with)|comparable to|versus|vs|relative to|over|"
    r"from|than|against|since|last year'?s?|prior[- ]year'?s?|previous year'?s?|year[- ]ago|same|"
    r"prior|previous|last|lapp\w*|exceed\w*|both)\b", re.I)
_REFERENCE = re.compile(r"\b(?:introduced|highlighted|mentioned|noted|outlined|discussed|"
                        r"announced|reported|reminder|previously)\b", re.I)
_JOINED = re.compile(r"^\s*(?:and|or|&|as well as|versus|vs\.?)\s+(?:the\s+|our\s+)?(?:\w+\s+)?$", re.I)
_RELATIVE_AFTER = re.compile(r"^,?\s+(?:of\s+)?(?:the\s+)?(?:last|prior|previous)\s+year|"
                             r"^,?\s+(?:a|one)\s+year\s+(?:ago|earlier)", re.I)
_FUTURE = re.compile(
    r"\b(?:guidance|outlook|expect\w*|anticipat\w*|forecast\w*|next|upcoming|coming|into|sees?|"
    r"projected|projecting|projections?|target\w*|plan\w*|forward|beginning|starting|ahead|until|"
    r"through|when|by|enter|entering)\b",
    re.I)
_FUTURE_AFTER = re.compile(
    r"^[,;]?(?:\s+\S+){0,2}?\s+(?:will|would|should|could|is expected|to be|guidance|outlook|"
    r"forecasts?|we expect|we anticipate)\b", re.I)
_WELCOME = re.compile(r"\b(?:welcome(?: \w+)? to|joining us(?: today| this \w+)? (?:for|on|to "
                      r"review|to discuss))\b[^.?!]{0,60}$", re.I)
_CURRENT_BEFORE = re.compile(
    r"(?:\b(?:to discuss|to review|reviewing|discussing)\b.{0,60}|\b(?:our|this|the current|"
    r"today's|current)(?:\s+(?:\w+|\w+-\w+))?\s*)$", re.I)
_CURRENT_AFTER = re.compile(
    r"^(?:\s+(?:and\s+)?(?:full[- ]year|fiscal|year[- ]end|\S+)){0,3}?\s*(?:earnings|financial "
    r"results|results|conference call|earnings call|call)\b", re.I)
_CLAUSE = re.compile(r"[.!?;,:\u2014]\s|\s[-\u2013]\s")


@dataclass(frozen=True)
class Mention:
    pos: int
    quarter: int
    year: int | None
    kind: str  # see _kind
    text: str


def quarter_mentions(flat: str) -> list[Mention]:
    out: list[Mention] = []
    last_end = 0
    for m in _QUARTER.finditer(flat):
        q = _ORD[m["ord"].lower()] if m["ord"] else int(m["q"] or m["nq"])
        window = flat[max(0, m.start() - 60) : m.start()]
        clause = flat[max(0, m.start() - 100, last_end) : m.start()]
        clause = _CLAUSE.split(clause)[-1]
        after = flat[m.end() : m.end() + 60]
        year, end = _year_after(after)
        if year is None:
            year = _year_before(window)
            end = 0
        kind = _kind(clause, window, after[end:])
        if out and last_end and _JOINED.match(flat[last_end : m.start()]):
            kind = out[-1].kind  # "the second quarter of 2020 and the second quarter of 2019"
        out.append(Mention(m.start(), q, year, kind, flat[max(0, m.start() - 30): m.end() + end]))
        last_end = m.end() + end
    return out


def _year_after(after: str) -> tuple[int | None, int]:
    m = _YEAR_AFTER.match(after)
    if not m:
        return None, 0
    if len(m["y"]) == 2 and not (m["fy"] or m["q1"] or m["q2"]):
        return None, 0  # "first quarter 20 new stores"
    return _year(m["y"]), m.end()


def _year_before(before: str) -> int | None:
    m = _YEAR_BEFORE.search(before)
    if not m or (len(m["y"]) == 2 and not m["fy"]):
        return None
    return _year(m["y"])


def _year(y: str) -> int:
    return int(y) if len(y) == 4 else 2000 + int(y)


def _kind(clause: str, window: str, after: str) -> str:
    """"welcome" (the operator names the call), "comparison" (compared with, over, from, last
    year's ...), "reference" (as we discussed on our ... call, as a reminder ...), "future"
    (guidance, expect, next, ... will), "results" (... results / earnings call), "current"
    (our / this ...) or "plain"."""
    if _WELCOME.search(window):
        return "welcome"
    if _COMPARISON.search(clause) or _RELATIVE_AFTER.match(after):
        return "comparison"
    if _REFERENCE.search(clause):
        return "reference"
    if _FUTURE.search(clause) or _FUTURE_AFTER.match(after):
        return "future"
    if _CURRENT_AFTER.match(after):
        return "results"
    if _CURRENT_BEFORE.search(clause):
        return "current"
    return "plain"


_WEIGHT = {"welcome": 8.0, "results": 3.0, "current": 2.0, "plain": 1.0, "comparison": 0.5,
           "reference": 0.5, "future": 0.3}


def period_in_text(flat: str) -> Period | None:
    """The quarter the call reports on, and its fiscal year when the text gives it.

    The quarter: votes of every quarter mention, weighted by how it is said (the operator's
    welcome decides; "our first quarter results" counts more than "compared with the fourth
    quarter", guidance for a later quarter least) and by position (the opening names the call's
    own quarter). The year: the one the welcome gives ("Welcome to the Aflac first quarter
    2021 earnings call"; only this counts as the call stating its period: "our first quarter
    2020 results" is as often a comparison); else the latest year said with that quarter
    (calls compare with the past, so the call's own year is the latest); else the year after
    a comparison ("up 5% over the first quarter of 2020": 2021)."""
    mentions = quarter_mentions(flat)
    if not mentions:
        return None
    votes: dict[int, float] = defaultdict(float)
    for mt in mentions:
        votes[mt.quarter] += _WEIGHT[mt.kind] * (1.5 if mt.pos < 3000 else 1.0)
    quarter = max(votes, key=lambda q: votes[q])
    same = [mt for mt in mentions if mt.quarter == quarter and mt.year]
    welcome = [mt for mt in same if mt.kind == "welcome"]  # the call names itself
    years = {mt.year: mt for mt in same if mt.year and mt.kind in ("results", "current", "plain")}
    compared = {mt.year + 1: mt for mt in same if mt.year and mt.kind == "comparison"}
    if welcome:
        cue = welcome[0]
    elif years or compared:
        cue = years[max(years)] if years else compared[max(compared)]
    else:
        first = next(mt for mt in mentions if mt.quarter == quarter)
        return Period(quarter, None, False, f'"{first.text}"')
    year = cue.year + (1 if cue.kind == "comparison" else 0) if cue.year else None
    return Period(quarter, year, bool(welcome), f'"{cue.text}"')


def _period(flat: str, text: str, declared: Mapping[str, str], named: PathMeta) -> tuple[
        str | None, str]:
    """Which source wins:

    1. A period the file declares (JSON "period"), or its title line ("... Q3 2024 Earnings
       Call Transcript"): the transcript's own header.
    2. A quarter and year the call states as its own ("welcome to the ... first quarter 2021
       call", "our first quarter fiscal 2022 results"): the call names its period; a file name
       is whatever someone saved it as, and beats it only when the call says nothing. When the
       two disagree, the text wins.
    3. A period in the file name (ECTSum `AFL_q1_2021`, `acme-2024-q3`): it beats the votes of
       passing mentions, which are mostly comparisons ("up from the fourth quarter of 2020")
       and guidance ("we expect third quarter revenue ...").
    4. With a call date (a date line, MAEC's file names): see `_period_by_date`.
    5. The votes of passing mentions, when they give a quarter and a year.
    """
    raw = declared.get("period") or declared.get("fiscal_period") or declared.get("quarter")
    if raw:
        label = normalize_period(raw)
        if label:
            return label, "declared in the file"
    title = _title_line(text)
    if title:
        found = period_in_text(" ".join(title["rest"].split()))
        if found and found.label:
            return found.label, f'title line "{title[0].strip()[:80]}"'
    found = period_in_text(flat)
    if found and found.stated and found.label:
        return found.label, f"text, the call names it: {found.cue}"
    if named.period:
        return named.period, f"file name {named.where}"
    when = _date(text, declared, named)[0]
    if when:
        return _period_by_date(found, Date.fromisoformat(when), bool(_FISCAL.search(flat)))
    if found and found.label:
        return found.label, f"text: {found.cue}"
    return None, ""


_FISCAL = re.compile(r"\b(?:fiscal (?:year |20\d\d|'\d\d|first|second|third|fourth|q[1-4])|"
                     r"FY ?'?\d\d)", re.I)


def _period_by_date(found: Period | None, call: Date, fiscal: bool) -> tuple[str, str]:
    """A call reports the quarter that ended two to fourteen weeks before it.

    - A company that speaks of its fiscal year ("fiscal 2017", "FY17") may not keep the
      calendar's: the quarter the text talks about most, in the fiscal year `fiscal_year`
      derives from the call date.
    - Otherwise the calendar quarter that ended last before the call. Without a stated
      period, the quarter a call talks about most is often the next one (the guidance in the
      Q&A), so the date is the better witness."""
    iso = call.isoformat()
    if fiscal and found:
        year = found.year or fiscal_year(found.quarter, call)
        return f"{year}Q{found.quarter}", f"text: {found.cue}, fiscal year from the call date {iso}"
    last = _last_quarter(call)
    if found and found.label == last:
        return last, f"text: {found.cue}, consistent with the call date {iso}"
    return last, f"the calendar quarter before the call date {iso}"


def fiscal_year(quarter: int, call: Date) -> int:
    """The fiscal year of a quarter reported on `call`. Calls come two to eight weeks after a
    quarter ends. If the calendar quarter ended in that window (or up to ~100 days before),
    the fiscal year is that calendar year (retailers' years end in January, close enough).
    Otherwise the company's year is shifted: the quarter ended about a month before the call,
    and the fiscal year is named after the calendar year in which it ends (Accenture's third
    quarter of fiscal 2017 ended in May 2017; its year in August 2017)."""
    for year in (call.year, call.year - 1):
        end = _quarter_end(year, quarter)
        if 0 <= (call - end).days <= 100:
            return year
    month = call.month - 1 or 12
    end_year = call.year if call.month > 1 else call.year - 1
    months_left = (4 - quarter) * 3
    return end_year + (month + months_left - 1) // 12


def _last_quarter(call: Date) -> str:
    """The calendar quarter that ended at least ten days before the call."""
    year, q = call.year, (call.month - 1) // 3 + 1
    while _quarter_end(year, q) > call - timedelta(days=10):
        q, year = (q - 1, year) if q > 1 else (4, year - 1)
    return f"{year}Q{q}"


def _quarter_end(year: int, q: int) -> Date:
    return Date(year, 3 * q, 30 if q in (2, 3) else 31)


def normalize_period(raw: str) -> str | None:
    """ "Q1 2021", "2021q1", "first quarter 2021", "1Q21", "Q1 FY22" -> "2021Q1"; None if it
    names no quarter and year."""
    text = " ".join(str(raw).split())
    name = period_from_name(text.replace(" ", ""))
    if name:
        return name
    found = period_in_text(text)
    if found and found.label:
        return found.label
    m = re.fullmatch(r"(?i)(?:FY\s*)?'?(\d\d)\s*Q([1-4])|Q([1-4])\s*(?:FY\s*)?'?(\d\d)|"
                     r"([1-4])Q\s*'?(\d\d)", text)
    if m:
        return f"{2000 + int(m[1] or m[4] or m[6])}Q{m[2] or m[3] or m[5]}"
    return None


# -- date ---------------------------------------------------------------------------------------

_MONTHS = {m: i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
_SLASH_LINE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")
_MONTH_DATE = (r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|"
               r"Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+"
               r"(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>(?:19|20)\d\d)")
_DATE_LINE = re.compile(rf"^\s*(?:(?:Date|Call date|Held on)\s*:\s*)?(?:\w+day,\s+)?{_MONTH_DATE}"
                        rf"(?:,?\s+\d{{1,2}}:\d\d.*)?\s*$", re.I)
_ISO_LINE = re.compile(r"^\s*(?:Date\s*:\s*)?((?:19|20)\d\d)-(\d\d)-(\d\d)\s*$", re.I)
_TODAY = re.compile(rf"\b(?:today|today's date)(?: is|,)\s+(?:\w+day,\s+)?{_MONTH_DATE}", re.I)


def _date(text: str, declared: Mapping[str, str], named: PathMeta) -> tuple[str | None, str]:
    """A date line near the top of the file, "as of today, February 25, 2015" in the safe
    harbour statement, else the date in the file or folder name: the text is the call's own
    record; a name's date is when the file was made for MAEC, usually but not surely the
    call's day."""
    if declared.get("date"):
        return declared["date"].strip(), "declared in the file"
    for line in text.splitlines()[:8]:
        found = _date_in_line(line)
        if found:
            return found, f'date line "{line.strip()[:40]}"'
    m = _TODAY.search(" ".join(text[:30000].split()))
    if m:
        found = _iso(m["year"], str(_MONTHS[m["mon"][:3].lower()]), m["day"])
        if found:
            return found, f'text: "{m[0]}"'
    if named.date:
        return named.date, f"file name {named.where}"
    return None, ""


def _date_in_line(line: str) -> str | None:
    m = _SLASH_LINE.match(line)
    if m:
        return _iso(m[3], m[1], m[2])
    m = _ISO_LINE.match(line)
    if m:
        return _iso(m[1], m[2], m[3])
    m = _DATE_LINE.match(line)
    if m:
        return _iso(m["year"], str(_MONTHS[m["mon"][:3].lower()]), m["day"])
    return None


def is_date_line(line: str) -> bool:
    """A line that only holds a date (kept out of the turns)."""
    return _date_in_line(line) is not None


# -- ids ----------------------------------------------------------------------------------------

GENERIC_STEMS = {"text", "transcript", "call", "index", "content", "document", "main", "data",
                 "raw", "body", "full", "clean"}


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def preferred_id(meta: CallMeta) -> str | None:
    """ "afl-2021q1" from the ticker (else the company: "kingsoft-cloud-2024q2") and period;
    None when either is unknown. The ticker first: short, and it does not change when the
    company's name is read differently."""
    name = meta.ticker or meta.company
    if not name or not meta.period:
        return None
    base = slug(re.sub(r"^the\s+", "", short_name(name), flags=re.I))
    return f"{base}-{meta.period.lower()}" if base else None


def path_ids(path: Path) -> list[str]:
    """Ids from the path, shortest first: the file name, then with one more folder each time.
    A generic file name is left out (`20150225_LMAT/text.txt` gives "20150225-lmat",
    "maec-20150225-lmat", ...)."""
    folders = [p for p in path.parent.parts if p not in ("/", "")]
    stem = [] if slug(path.stem) in GENERIC_STEMS else [path.stem]
    ids = []
    for n in range(0 if stem else 1, len(folders) + 1):
        name = slug("-".join(folders[len(folders) - n :] + stem))
        if name:
            ids.append(name)
    return list(dict.fromkeys(ids)) or [slug(path.stem) or "transcript"]


def id_candidates(meta: CallMeta, path: Path) -> list[str]:
    """Ids to try in order: from ticker (or company) and period, then from the path."""
    first = preferred_id(meta)
    return list(dict.fromkeys(([first] if first else []) + path_ids(path)))
