"""Figures that disagree: when the quotes about the asked metric give different values, say so.

A machine-generated transcript can state one figure several times, and not always alike: the
machine translation of a Chinese remark, the interpreter's rendering of it, the CFO's prepared
remarks and a restatement in Q&A ("151.2 million RMB" from the CFO, "RMB $115 million" in the
interpreter's rendering). `flag` finds such a disagreement among the answer's quotes and the
best-ranked sentences for the question, quotes every value and says which it trusts and why.

False alarms are worse than misses, so a sentence counts only when its own words for the figure
match the question's metric, and only its level for this period does: a change ("up 4%", "a
56.4% increase", "increased by 3%"), a prior or future period's value ("from 98 million last
year", "we expect ..."), a range and a hedged figure ("about 150 million") never conflict. Two
figures conflict only when they are of the same kind, in the same currency, from the same call,
said of the same words, and neither rounds to the other (`qa.figures.same_figure`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from index.text import content_words, iter_clauses, sentence_spans, stem
from index.types import ROLE_LABELS, Role, Section
from qa.figures import Figure, extract_figures, same_figure
from qa.lexical import query_terms
from qa.types import Answer, Citation

MAX_EXTRA = 2  # citations appended so that every value shown is quoted
MAX_VALUES = 3


class Value(NamedTuple):
    """One of the disagreeing figures: as written in the quote, and the quote."""

    figure: str
    citation: Citation


@dataclass(frozen=True)
class FigureConflict:
    """The quotes give different values for `metric`; `values[trusted]` is the one to believe,
    `why` says why in one short sentence."""

    metric: str
    values: tuple[Value, ...]
    trusted: int
    why: str


# Words --------------------------------------------------------------------------------------

# Words that say a figure is stated, not what it is: "reached", "amounted to", "hit", "worth".
_NEUTRAL = {stem(w) for w in """reach reached reaching amount amounted amounting hit hits worth
    record recorded total stand stood achieve achieved deliver delivered post posted report
    reported register registered arrive arrived again once further approximately around about
    roughly nearly almost some close respectively overall totally totaling totalling
    increase increased increasing grow grew growing rise rose risen rising decline declined
    decrease decreased drop dropped fall fell up down surge surged jump jumped improve improved
    expand expanded shrink shrank reduce reduced climb climbed yoy qoq
    rmb rmd cny yuan renminbi usd us hkd hk dollar dollars eur euro gbp
    quarter quarterly year period current currently today now figure number level
    mention mentioned say said note noted highlight highlighted disclose disclosed show showed
    see saw first firstly second secondly third thirdly fourth finally lastly additionally
    moreover furthermore meanwhile overall""".split()}
_CHANGE_VERBS = {stem(w) for w in """increase increased increasing grow grew growing rise rose
    risen rising decline declined decrease decreased drop dropped fall fell up down surge surged
    jump jumped improve improved expand expanded shrink shrank reduce reduced climb climbed
    yoy qoq""".split()}
_SCOPES = {"in", "for", "on", "at", "within", "across", "excluding", "including", "under",
           "during", "outside", "among", "ex", "year-to-date", "ytd", "as", "from", "by", "after",
           "before", "without", "with"}
_FIGURE_WORD = re.compile(r"[A-Za-z][A-Za-z'&-]*")

# Right before a figure: a change ("by 4%", "up 4%"), an earlier value ("from 98 million",
# "compared to 98 million", "than"), a hedge ("about 150 million").
_BEFORE = re.compile(
    r"\b(?P<change>by|up|down)\s*$"
    r"|\b(?P<prior>from|compared (?:to|with)|versus|vs\.?|than|against|over|relative to)\s*$"
    r"|\b(?P<hedge>about|around|approximately|approx\.?|roughly|nearly|almost|over|above|below|"
    r"under|more than|less than|fewer than|close to|up to|at least|at most|some|north of|"
    r"south of|in excess of|in the range of|in the region of|circa)\s*$|~\s*$", re.I)
# Right after a figure: it is a change ("a 56.4% increase", "3.1% growth", "higher").
_AFTER = re.compile(
    r"^\s*(?:increase|decrease|growth|rise|decline|drop|gain|improvement|jump|reduction|"
    r"higher|lower|more|less|up|down|year[- ]over[- ]year|year[- ]on[- ]year|yoy|"
    r"quarter[- ]over[- ]quarter|sequential|y/y|q/q)\b", re.I)
_CHANGE_OF = re.compile(r"\b(?:increase|decrease|growth|rise|decline|drop|gain|improvement|jump|"
                        r"reduction|change|expansion|contraction)s?\s+of\s*$", re.I)
# A period other than the call's own, or a future one: the figure is not this quarter's level.
_OTHER_PERIOD = re.compile(
    r"\b(?:last|previous|prior|preceding|next|coming|following|past|same)\s+(?:\w+\s+)?"
    r"(?:years?|quarters?|periods?|months?|half|fiscal)\b|\bago\b|\b(?:first|second|third|fourth|"
    r"1st|2nd|3rd|4th)[- ](?:quarter|half)\b|\bQ[1-4]\b|\b[1-4]Q(?:\d\d)?\b|\b[12]H\b|\bH[12]\b"
    r"|\bFY\s*'?\d\d|\b(?:19|20)\d\d\b|\bfull[- ]year\b|\bannual\w*|\byear[- ]to[- ]date\b|\bYTD\b"
    r"|\bsix months\b|\bnine months\b|\bcumulative\w*|\brun[- ]rate\b|\bfor the year\b"
    r"|\bexpect\w*|\bguidance\b|\boutlook\b|\bforecast\w*|\banticipat\w*|\btarget\w*|\bwill\b"
    r"|\bwould\b|\bplan(?:s|ned)?\b|\baim\w*|\bestimat\w*|\bproject(?:s|ed|ion)\b|\bgoing forward\b"
    r"|\bbudget\w*|\bif\b", re.I)
_RANGE_NEXT = re.compile(r"^\s*(?:-|–|—|to|or|and)\s*$", re.I)

# Currencies: "RMB $115 million" is in renminbi (the "$" is the transcript's).
_CURRENCIES = [
    ("CNY", re.compile(r"RMB|RMD|CNY|yuan|renminbi|[¥￥]", re.I)),
    ("HKD", re.compile(r"HK\$|HKD|Hong Kong dollars?", re.I)),
    ("USD", re.compile(r"US\$|USD|US dollars?|\$|dollars?", re.I)),
    ("EUR", re.compile(r"€|EUR\b|euros?", re.I)),
    ("GBP", re.compile(r"£|GBP\b|pounds?", re.I)),
]
_CURRENCY_BEFORE = re.compile(r"\b(?:RMB|RMD|CNY|USD|US|HKD|HK)\s?$", re.I)


def _currency(written: str) -> str | None:
    return next((name for name, pattern in _CURRENCIES if pattern.search(written)), None)


# One sentence's figure for the metric -------------------------------------------------------


@dataclass(frozen=True)
class _Found:
    """A figure a quote gives for the metric: where, what, and the words it was said of."""

    citation: Citation
    figure: Figure
    written: str  # the figure as written, with a currency word just before it ("RMB $115 million")
    currency: str | None
    words: frozenset[str]  # the stems it is said of, without frame words
    label: str  # those words as written: "net inflow of operating cash flow"
    changes: tuple[Figure, ...] = ()  # the change the sentence gives: "a 56.4% increase"

    @property
    def at(self) -> tuple[str, int]:
        return (self.citation.transcript, self.citation.start + self.figure.start)


def _matches(word: str, term: str) -> bool:
    """Same stem, or one word inside the other: "operat"/"operation", "flow"/"inflow"."""
    if word == term:
        return True
    short, long_ = sorted((word, term), key=len)
    return len(short) >= 4 and (long_.startswith(short) or long_.endswith(short))


def _covers(words: frozenset[str], terms: Sequence[str]) -> bool:
    return all(any(_matches(w, t) for w in words) for t in terms)


def _same_words(a: frozenset[str], b: frozenset[str]) -> bool:
    return all(any(_matches(x, y) for y in b) for x in a) and all(
        any(_matches(y, x) for x in a) for y in b)


def _metric_words(text: str) -> frozenset[str]:
    """The stems a figure is said of: "net inflow of operating cash flow amounting to" ->
    net, inflow, operat, cash, flow. Every other word counts ("new customers" is not
    "customers")."""
    return frozenset(w for w in content_words(text) if not w[0].isdigit() and w not in _NEUTRAL)


def _label(text: str, words: Collection[str]) -> str:
    """The words of `text` from the first to the last of `words` (stems), as written: "net
    inflow of operating cash flow"."""
    hits = [m for m in _FIGURE_WORD.finditer(text) if stem(m[0].lower()) in words]
    if not hits:
        return ""
    label = text[hits[0].start() : hits[-1].end()]
    first = label.split(" ", 1)[0]
    return label if first.isupper() and len(first) > 1 else label[:1].lower() + label[1:]


_LINKS = {"of", "and", "&", "from", "on", "in", "for", "to"}


def _asked_label(question: str, terms: Sequence[str]) -> str:
    """The question's own words for the metric when they run together: "net operating cash
    flow" in "What was net operating cash flow for the quarter?"."""
    found = list(_FIGURE_WORD.finditer(question))
    named = [i for i, m in enumerate(found) if any(_matches(stem(m[0].lower()), t) for t in terms)]
    if not named or any(found[i][0].lower() not in _LINKS for i in range(named[0], named[-1] + 1)
                        if i not in named):
        return ""
    label = question[found[named[0]].start() : found[named[-1]].end()]
    first = label.split(" ", 1)[0]
    return label if first.isupper() and len(first) > 1 else label[:1].lower() + label[1:]


def _clause_start(text: str, at: int) -> int:
    starts = [a for a, _ in iter_clauses(text) if a <= at]
    return starts[-1] if starts else 0


LEVEL, CHANGE, OTHER = "level", "change", "other"


def _reading(text: str, f: Figure, prev: Figure | None, nxt: Figure | None,
             changing: bool) -> str:
    """What a figure said of the metric is: its level this period, a change ("up 4%", "a 56.4%
    increase", "increased 23%"), or something else: an earlier or later period's value, a hedged
    figure, one end of a range."""
    head = text[max(0, f.start - 40) : f.start]
    head = _CURRENCY_BEFORE.sub("", head.rstrip()).rstrip()
    before = _BEFORE.search(head)
    if (before and before["change"]) or _CHANGE_OF.search(head) or _AFTER.match(text[f.end :]):
        return CHANGE
    if before:
        return OTHER  # "from 98 million", "about 150 million"
    if changing and not re.search(r"\bto\s*$", head, re.I):
        return CHANGE  # "revenue increased 36.9%"; "increased to 17.1%" is a level
    if nxt is not None and _RANGE_NEXT.match(text[f.end : nxt.start]):
        return OTHER  # "between RMB 600 and 700 million", "15-20%"
    if prev is not None and _RANGE_NEXT.match(text[prev.end : f.start]):
        return OTHER
    clause_end = next((b for a, b in iter_clauses(text) if a <= f.start < b), len(text))
    tail = text[f.end : min(nxt.start if nxt else len(text), max(f.end, clause_end))]
    sentence = next((a for a, b in sentence_spans(text) if a <= f.start < b), 0)
    if _OTHER_PERIOD.search(text, sentence, f.start) or _OTHER_PERIOD.search(tail):
        return OTHER
    return LEVEL


def _scope(text: str, start: int) -> frozenset[str]:
    """Words of the short scoping clauses that open the sentence before `start`: "In Europe,",
    "On a GAAP basis,", "Excluding the divestiture," (not "This quarter," or "Third,")."""
    sentence = next((a for a, b in sentence_spans(text) if a <= start <= b), 0)
    out: set[str] = set()
    for a, b in iter_clauses(text[sentence:start]):
        clause = text[sentence + a : sentence + b]
        first = clause.split(" ", 1)[0].lower()
        if b < start - sentence and first in _SCOPES and len(clause.split()) <= 6:
            out |= _metric_words(clause)
    return frozenset(out)


def _found(c: Citation, terms: Sequence[str]) -> _Found | None:
    """The figure nearest after the metric's words in the quote, when it is the metric's level
    this period, with the change the sentence gives for it ("a 56.4% increase")."""
    text = c.quote
    figures = extract_figures(text)
    live: frozenset[str] | None = None  # the metric's words, while they govern the figures
    level: _Found | None = None
    changes: list[Figure] = []
    label, changing = "", False
    for i, f in enumerate(figures):
        prev_end = figures[i - 1].end if i else 0
        start = max(prev_end, _clause_start(text, f.start))
        if not _metric_words(text[start : f.start]) and start > prev_end:
            start = max(prev_end, _clause_start(text, max(0, start - 2)))  # "..., which is 151 million"
        window = text[start : f.start]
        words = _metric_words(window)
        said = content_words(window)
        if any(w in _CHANGE_VERBS for w in said):
            changing = True  # "increased", "up": a change, unless "increased to"
        elif said:
            changing = False  # "reaching": a new verb
        if words:
            if level is not None:
                break  # a new subject: "..., with an adjusted gross margin of 17.1%"
            live = words | _scope(text, start) if _covers(words, terms) else None
            label = _label(window, words) if live else ""
        if live is None:
            continue
        reading = _reading(text, f, figures[i - 1] if i else None,
                           figures[i + 1] if i + 1 < len(figures) else None, changing)
        if reading == CHANGE:
            changes.append(f)
        elif reading == LEVEL and level is None:
            written = f.text
            if f.text[:1] in "$\u00a5" and (lead := _CURRENCY_BEFORE.search(text, 0, f.start)):
                written = text[lead.start() : f.end]  # "RMB $115 million"
            level = _Found(c, f, written, _currency(written), live, label)
    return replace(level, changes=tuple(changes)) if level else None


def metric_terms(question: str, transcripts: Collection[str] = ()) -> list[str]:
    """The question's words for the metric: no frame words, periods or the calls' names. None
    for a question about a change ("how fast did revenue grow"): only levels are compared."""
    names = {w for t in transcripts for w in content_words(t.replace("-", " "))}
    terms = [t for t in query_terms(question) if not t[0].isdigit() and t not in names
             and not re.fullmatch(r"[qh][1-4]|[1-4][qh]\d*|fy\d*", t)]
    if any(t in _CHANGE_VERBS for t in terms):
        return []
    return [t for t in terms if t not in _NEUTRAL]


# Trust ----------------------------------------------------------------------------------------

_RULES = ("machine", "analyst", "cfo", "prepared", "agree")


def _standing(c: Citation) -> tuple[bool, bool, bool, bool]:
    """The trust rules in order: not the machine translation, not an analyst's question, the
    CFO's prepared remarks, the prepared remarks."""
    return (c.rendering != "machine", c.role != Role.ANALYST,
            c.role == Role.CFO and c.section == Section.PREPARED, c.section == Section.PREPARED)


def _via(c: Citation) -> str:
    return {"interpreted": ", via the interpreter", "machine": ", machine translation"}.get(
        c.rendering, "")


def who(c: Citation) -> str:
    """Who gives a figure: "Henry Hou, CFO", "Zhou Tao, CEO, via the interpreter"."""
    name = c.speaker or "Unidentified speaker"
    label = c.title or ROLE_LABELS[c.role]
    if c.role in (Role.UNKNOWN, Role.OPERATOR) or label == name:
        return name + _via(c)
    return f"{name}, {label}{_via(c)}"


def _whose(c: Citation) -> str:
    if c.rendering == "interpreted":
        return f"the interpreter's rendering of {c.speaker or 'another speaker'}"
    if c.rendering == "machine":
        return "the machine translation"
    if c.section == Section.QA:
        return "a restatement in Q&A"
    return f"{c.speaker}'s" if c.speaker else "another speaker's"


@dataclass(frozen=True)
class _Verdict:
    trusted: int  # index into the groups
    runner: int  # the next best value
    rule: str  # the first rule that tells them apart


def _key_of(group: list[_Found]) -> tuple[bool, ...]:
    agreeing = sum(1 for f in group if f.citation.rendering != "machine")
    return max(_standing(f.citation) for f in group) + (agreeing > 1,)


def _trust(groups: list[list[_Found]]) -> _Verdict | None:
    """Which value to believe: the best source by the rules in order, then the value that more
    than one quote gives; None when no rule tells them apart (the same speaker in the same part
    of the call, nothing to confirm either: more likely two periods or segments than an error)."""
    keys = [_key_of(g) for g in groups]
    ranked = sorted(range(len(groups)), key=lambda i: keys[i], reverse=True)
    best, runner = ranked[0], ranked[1]
    if keys[best] == keys[runner]:
        return None
    rule = next(r for r, a, b in zip(_RULES, keys[best], keys[runner], strict=True) if a != b)
    return _Verdict(best, runner, rule)


def _why(verdict: _Verdict, groups: list[list[_Found]], numbers: dict[tuple[str, int, int], int]
         ) -> str:
    """One short sentence: why the trusted value."""
    best = groups[verdict.trusted]
    lead = best[0].citation
    other = groups[verdict.runner][0].citation
    if verdict.rule == "machine":
        own = ("the interpreter's rendering" if lead.rendering == "interpreted"
               else "the speaker's own words")
        return f"{own} over the machine translation."
    if verdict.rule == "analyst":
        return "management's figure over an analyst's question."
    if verdict.rule == "cfo":
        return f"the CFO's prepared figure over {_whose(other)}."
    if verdict.rule == "prepared":
        return "the prepared remarks over a restatement in Q&A."
    also = sorted(numbers[_key(f.citation)] for f in best[1:] if _key(f.citation) in numbers)
    once = groups[verdict.runner][0].written
    if also:
        refs = " and ".join(f"[{n}]" for n in also)
        return f"{refs} give{'s' if len(also) == 1 else ''} the same figure; {once} is given only once."
    return f"more than one quote gives it; {once} is given only once."


# Grouping -------------------------------------------------------------------------------------


def _comparable(a: _Found, b: _Found) -> bool:
    """Said of the same thing in the same call, and, when both sentences give a change of the
    same kind, the same change ("increased 23% to $1.86" and "increased 17% to $0.84" are two
    periods)."""
    return (a.citation.transcript == b.citation.transcript and a.figure.kind == b.figure.kind
            and (a.currency is None or b.currency is None or a.currency == b.currency)
            and _same_words(a.words, b.words)
            and all(same_figure(x, y) for x in a.changes for y in b.changes if x.kind == y.kind))


def _groups(found: list[_Found]) -> list[list[_Found]]:
    """The figures said of the same words, split by value (figures that round to each other,
    directly or through another, are one value)."""
    groups: list[list[_Found]] = []
    for f in found:
        joined = [g for g in groups if any(same_figure(f.figure, h.figure) for h in g)]
        merged = [f] + [h for g in joined for h in g]
        groups = [g for g in groups if g not in joined] + [merged]
    return groups


def _key(c: Citation) -> tuple[str, int, int]:
    return (c.transcript, c.start, c.end)


def _conflict(found: list[_Found], cited: set[tuple[str, int, int]]) -> list[list[_Found]] | None:
    """Comparable figures that disagree, one of them in the answer's own quotes; each value's
    quotes ordered: the best source first (the one shown, so that the reason given is about the
    quote shown), then the answer's own, then the earliest."""
    for f in found:
        if _key(f.citation) not in cited:
            continue
        groups = _groups([g for g in found if _comparable(f, g)])
        if len(groups) > 1:
            for g in groups:
                g.sort(key=lambda h: (tuple(not x for x in _standing(h.citation)),
                                      _key(h.citation) not in cited, h.citation.start))
            return groups
    return None


def worth_checking(answer: Answer) -> bool:
    """Whether `flag` could find anything: an answer whose own quotes give a figure for the
    asked metric. Cheap; lets the caller skip ranking the candidates."""
    if not answer.answerable or not answer.citations:
        return False
    terms = metric_terms(answer.question, {c.transcript for c in answer.citations})
    return bool(terms) and any(_found(c, terms) for c in answer.citations)


def flag(answer: Answer, candidates: Sequence[Citation]) -> Answer:
    """The answer with `conflicts` set when its quotes, or the best-ranked `candidates` for the
    question, give different values for the asked metric; quotes holding a value the answer does
    not cite are appended to its citations (at most MAX_EXTRA). Refusals are returned as they are."""
    if not answer.answerable or not answer.citations:
        return answer
    cited = {_key(c) for c in answer.citations}
    pool = list(answer.citations) + [c for c in candidates if _key(c) not in cited]
    pool = list({_key(c): c for c in pool}.values())
    terms = metric_terms(answer.question, {c.transcript for c in pool})
    if not terms:
        return answer
    found: list[_Found] = []
    seen: set[tuple[str, int]] = set()
    for c in pool:
        f = _found(c, terms)
        if f is not None and f.at not in seen:
            seen.add(f.at)
            found.append(f)
    groups = _conflict(found, cited)
    if groups is None:
        return answer
    verdict = _trust(groups)
    if verdict is None:
        return answer
    order = sorted(range(len(groups)), key=lambda i: (i != verdict.trusted, i))[:MAX_VALUES]
    citations = list(answer.citations)
    chosen: list[int] = []
    for i in order:
        shown = groups[i][0].citation
        if _key(shown) not in cited:
            if len(citations) - len(answer.citations) >= MAX_EXTRA:
                continue
            citations.append(shown)
            cited.add(_key(shown))
        chosen.append(i)
    if len(chosen) < 2 or verdict.runner not in chosen:
        return answer
    numbers = {_key(c): n for n, c in enumerate(citations, 1)}
    chosen.sort(key=lambda i: numbers[_key(groups[i][0].citation)])
    values = tuple(Value(groups[i][0].written, groups[i][0].citation) for i in chosen)
    trusted = chosen.index(verdict.trusted)
    metric = (_asked_label(answer.question, terms) or groups[verdict.trusted][0].label
              or " ".join(terms))
    conflict = FigureConflict(metric, values, trusted, _why(verdict, groups, numbers))
    if conflict in answer.conflicts:
        return answer
    text = answer.text
    best = values[trusted]
    if answer.mode == "quotes" and best.figure not in text:
        text = best.citation.quote.strip()  # the offline headline states the trusted value
    return replace(answer, text=text, citations=tuple(citations),
                   conflicts=answer.conflicts + (conflict,))


# Display --------------------------------------------------------------------------------------

_COUNTS = {2: "two", 3: "three"}


def number_of(answer: Answer, c: Citation) -> int | None:
    """The citation's number as displayed ([1] is the first), matched by span."""
    return next((n for n, d in enumerate(answer.citations, 1) if _key(d) == _key(c)), None)


def describe(answer: Answer, conflict: FigureConflict) -> str:
    """One line: "The call gives two figures for X: A [1] (who) and B [3] (who). Trusting [1]:
    why." """
    parts = []
    for v in conflict.values:
        n = number_of(answer, v.citation)
        parts.append(f"{v.figure}{f' [{n}]' if n else ''} ({who(v.citation)})")
    listed = ", ".join(parts[:-1]) + " and " + parts[-1]
    count = _COUNTS.get(len(parts), str(len(parts)))
    line = f"The call gives {count} figures for {conflict.metric}: {listed}."
    n = number_of(answer, conflict.values[conflict.trusted].citation)
    return f"{line} Trusting {f'[{n}]' if n else conflict.values[conflict.trusted].figure}: {conflict.why}"
