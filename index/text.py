"""Pure text helpers: sentence spans, words, similarity. No I/O, no models."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

_ABBREV = {
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "inc", "co", "corp", "ltd", "no",
    "vs", "etc", "e.g", "i.e", "u.s", "u.k", "approx", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "fig",
}
# A sentence ends at . ! ? (optionally followed by a closing quote/bracket) before white space,
# or, in machine transcripts, at a comma followed by a capitalised sentence opener
# ("...the computing resources, In terms of public cloud...").
_OPENERS = (
    "In|This|These|That|We|Our|The|So|And|But|It|For|As|At|On|Now|Next|First|Second|Third|"
    "Fourth|Fifth|Finally|Meanwhile|However|Therefore|Looking|Moving|Secondly|Thirdly|Thank"
)
_END = re.compile(rf"[.!?]+[\"')\]]*(?=\s)|,(?=\s+(?:{_OPENERS})\b)")


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence [start, end) spans within text[start:end], trimmed of white space."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cursor = start
    for m in _END.finditer(text, start, end):
        if re.match(r"\s+[a-z]", text[m.end() : m.end() + 2]):
            continue  # a real sentence starts with a capital: this one runs on
        word = re.search(r"(\S+)$", text[cursor : m.start() + 1])
        token = word.group(1).lower().rstrip(".") if word else ""
        if token in _ABBREV or re.fullmatch(r"[a-z]", token):
            continue
        spans.append((cursor, m.end()))
        cursor = m.end()
    spans.append((cursor, end))
    return [s for s in (trim(text, a, b) for a, b in spans) if s[0] < s[1]]


def trim(text: str, a: int, b: int) -> tuple[int, int]:
    """[a, b) without white space at either end."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def paragraph_spans(text: str, by_blank_lines: bool) -> list[tuple[int, int]]:
    """Paragraph spans: one per non-empty line, or one per blank-line-separated block."""
    pattern = r"\S(?:.*\S)?" if not by_blank_lines else r"\S(?:(?!\n[ \t]*\n)[\s\S])*"
    spans = []
    for m in re.finditer(pattern, text):
        spans.append(trim(text, m.start(), m.end()))
    return [s for s in spans if s[0] < s[1]]


_STOP = set(
    """a an and are as at be been but by can could did do does for from had has have how i
    if in into is it its it's just me more most my no not of on or our out over so some such
    than that the their them then there these they this those to too up us very was we were
    what when where which while who whom why will with would you your yes okay ok also about
    all any because being both each few further here hers him his itself let many may might
    must now only other own same she should very well ve ll re d s t""".split()
)


# Phrases that name one thing, folded to one token before splitting into words.
_PHRASES = [
    (re.compile(r"\bcapital expenditures?\b", re.I), "capex"),
    (re.compile(r"\b(?:(?:share|stock) )?(?:buy ?backs?|repurchas(?:e[sd]?|ing))\b|\bbuy[- ]backs?\b|"
                r"\b(?:buy|bought|buying) back\b|"
                r"\bpurchas(?:e[sd]?|ing)\b(?=(?:\s+[\w.,$]+){0,3}?\s+(?:of\s+)?(?:our\s+)?(?:own\s+)?"
                r"(?:shares|stock)\b)", re.I), "buyback"),  # "we purchased 7.9 million shares"
    (re.compile(r"\bresearch and development\b", re.I), "r&d"),
    (re.compile(r"\b(?:general and administrative|G&A|GNN)\b", re.I), "g&a"),
    (re.compile(r"\bquarter[- ]over[- ]quarter\b|\bsequential(?:ly)?\b", re.I), "qoq"),
    (re.compile(r"\byear[- ]over[- ]year\b|\byear[- ]on[- ]year\b|\b(?:than|from|versus|vs\.?|over|"
                r"compared (?:to|with)) (?:a year ago|last year|the (?:prior|previous)[- ]year(?: period|"
                r" quarter)?|the year[- ]ago (?:period|quarter))\b", re.I), "yoy"),
    (re.compile(r"\b(?:earnings )?per diluted (?:common )?share\b", re.I), "diluted eps"),
    (re.compile(r"\bearnings per (?:share|ADS)\b", re.I), "eps"),
    # "net income of $34.8 million or $0.89 per share": earnings per share
    (re.compile(r"\b(income|earnings|loss) ((?:[^.;]|\.\d){0,40}?\bor \$?\d[\d.,]*) per share\b", re.I),
     r"\1 \2 eps"),
]


def words(text: str) -> list[str]:
    """Lower-cased word tokens, numbers kept whole (1,891.8 -> 1891.8), possessives dropped,
    hyphenated words split ("accident-year" and "accident year" read the same)."""
    for pattern, token in _PHRASES:
        text = pattern.sub(f" {token} ", text)
    out = []
    for tok in re.findall(r"\d[\d,]*(?:\.\d+)?%?|[A-Za-z][A-Za-z'&]*", text):
        tok = re.sub(r"'s?$", "", tok)
        out.append(tok.replace(",", "").lower() if tok[0].isdigit() else tok.lower())
    return out


# Irregular verb forms, so that "spent" meets "spend" and "bought" meets "buy".
_IRREGULAR = {
    "spent": "spend", "bought": "buy", "paid": "pay", "grew": "grow", "grown": "grow",
    "rose": "rise", "risen": "rise", "fell": "fall", "fallen": "fall", "sold": "sell",
    "made": "make", "took": "take", "taken": "take", "gave": "give", "given": "give",
    "held": "hold", "brought": "bring", "built": "build", "drove": "drive", "driven": "drive",
    "saw": "see", "seen": "see", "began": "begin", "begun": "begin", "won": "win", "lost": "lose",
    "led": "lead", "kept": "keep", "left": "leave", "met": "meet", "told": "tell", "went": "go",
    "gone": "go", "came": "come", "got": "get", "gotten": "get", "wrote": "write",
    "written": "write", "shown": "show", "thought": "think",
}


def stem(word: str) -> str:
    """A light suffix stripper: enough to match revenue/revenues, margin/margins,
    expense/expenses, business/businesses, grow/growing; irregular verbs to their base."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 4:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    for suffix in ("ing", "ly", "ed"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            base = word[: -len(suffix)]
            if suffix != "ly" and len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # dropped -> drop, planned -> plan
            return base
    return word


def content_words(text: str) -> list[str]:
    return list(_content_words(text))


@lru_cache(maxsize=65536)
def _content_words(text: str) -> tuple[str, ...]:
    """Cached: every question re-reads the sentences of the calls in play."""
    return tuple(stem(w) for w in words(text) if w not in _STOP and len(w) > 1)


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def normalise_space(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def iter_clauses(text: str) -> Iterator[tuple[int, int]]:
    """Clause spans (split at , ; : and dashes) within a sentence."""
    cursor = 0
    for m in re.finditer(r"[,;:]\s+(?!\d{3}\b)|\s[-\u2013\u2014]+\s", text):
        yield trim(text, cursor, m.start())
        cursor = m.end()
    yield trim(text, cursor, len(text))


def json_raw_map(raw: str) -> list[int]:
    """For the contents of a JSON string literal, the raw offset of each decoded character,
    plus one entry for the end (so decoded [a, b) is raw [m[a], m[b]))."""
    out: list[int] = []
    i = 0
    while i < len(raw):
        out.append(i)
        if raw[i] != "\\":
            i += 1
        elif raw[i + 1 : i + 2] != "u":
            i += 2
        else:
            code = int(raw[i + 2 : i + 6], 16)
            i += 6
            if 0xD800 <= code < 0xDC00 and raw[i : i + 2] == "\\u":
                low = int(raw[i + 2 : i + 6], 16)
                if 0xDC00 <= low < 0xE000:
                    i += 6
    out.append(len(raw))
    return out
