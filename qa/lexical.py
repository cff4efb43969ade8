"""Lexical scoring: BM25 over word stems, with a small finance synonym table so that
"floor" finds "minimum" and "capex" finds "capital expenditures"."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Collection, Sequence

from index.text import content_words, stem, words

# question word -> words a transcript uses for it (all stemmed at load)
_SYNONYMS_RAW: dict[str, list[str]] = {
    "floor": ["minimum", "lowest", "base", "baseline"],
    "ceiling": ["maximum", "cap", "upper"],
    "capex": ["capital", "expenditure", "expenditures"],
    "guidance": ["outlook", "expect", "forecast"],
    "guide": ["guidance", "outlook", "expect", "forecast", "range"],
    "outlook": ["guidance", "expect", "going", "forward"],
    "headcount": ["employees", "workforce", "staff", "personnel"],
    "revenue": ["revenues", "sales", "income", "top"],
    "sales": ["revenue", "revenues"],
    "profit": ["profits", "earnings", "income"],
    "earnings": ["profit", "income"],
    "cash": ["liquidity"],
    "cost": ["costs", "expense", "expenses"],
    "expense": ["expenses", "cost", "costs", "opex"],
    "opex": ["operating", "expenses"],
    "margin": ["margins"],
    "gpu": ["computing", "power", "servers"],
    "ai": ["aigc", "intelligence"],
    "decline": ["decrease", "decreased", "drop", "dropped", "down", "reduce", "reduced"],
    "shrink": ["reduce", "reduced", "decrease", "decreased", "scale", "down", "downscale", "downscaling",
               "phase", "facing"],
    "cut": ["reduce", "reduced", "decrease", "decreased", "reduction", "drop", "dropped", "lower"],
    "down": ["decline", "declined", "decrease", "decreased", "lower", "less", "drop", "dropped", "fall",
             "fell", "reduce", "reduced"],
    "up": ["increase", "increased", "grow", "grew", "growth", "higher", "rise", "rose"],
    "below": ["less", "lower", "short", "miss", "missed", "under"],
    "above": ["exceed", "exceeded", "higher", "beat", "ahead"],
    "fall": ["decrease", "decreased", "drop", "dropped", "down"],
    "fell": ["decrease", "decreased", "drop", "dropped", "down"],
    "rise": ["increase", "increased", "growth", "up", "grew"],
    "rose": ["increase", "increased", "growth", "up", "grew"],
    "share": ["proportion", "percentage", "contribution", "accounting", "portion", "stock"],
    "stock": ["share", "buyback", "equity"],
    "portion": ["proportion", "percentage", "contribution", "accounting", "share"],
    "broker": ["analyst", "line"],
    "grow": ["growth", "increase", "increased", "up", "rise", "grew", "expansion"],
    "ceo": ["chief", "executive"],
    "cfo": ["chief", "financial"],
    "ecosystem": ["xiaomi", "kingsoft"],
    "related": ["xiaomi", "kingsoft", "internal"],
    "dividend": ["dividends", "payout"],
    "rest": ["remainder", "balance"],
    "debt": ["loan", "loans", "borrowing", "financing"],
    "depreciation": ["amortization"],
    "eps": ["earnings", "earning"],
}
SYNONYMS = {stem(k): {stem(v) for v in vs} for k, vs in _SYNONYMS_RAW.items()}
# Words of the question's frame, not of its subject: they never decide whether a call answers.
QUESTION_WORDS = {stem(w) for w in """quarter quarterly q1 q2 q3 q4 call company say said tell mention
    management year much many number figure current currently kingsoft cloud generate generated
    bring brought book booked come came land landed sit sits fast change changed get got give
    gave go went make made see look like level amount big large small new now today roughly
    approximately around about period segment drove drive driving driven driver behind compare
    compared comparison versus vs between seeing fiscal move moved movement whole entire overall
    updated latest post posted report reported achieve achieved""".split()}
# Frame words of "who asked / who answered" questions.
WHO_WORDS = {stem(w) for w in """who ask asked asking question questions answer answered took
    take fielded field respond responded reply replied handle handled raise raised explain
    explained walk walked through set gave give went go discuss discussed cover covered present
    presented talk talked listeners detail detailed ran run""".split()}


# A figure in words ("half", "twice", "ten times"); FIGURE also takes any digit.
# A rate in words, as guidance gives it: "low-to-mid single digits", "mid-teens", "double-digit"
RATE_WORDS = re.compile(r"\b(?:single|double)[- ]digits?\b|\b(?:low|mid|high)[- ](?:teens|twenties|"
                        r"thirties|forties|fifties)\b", re.I)
FIGURE_WORDS = re.compile(r"\b(?:half|double[ds]?|doubling|twice|triple[ds]?|one[- ]third|a third|"
                          r"dozens?|hundreds?|thousands?|millions?|billions?|percent|\w+ times)\b|"
                          + RATE_WORDS.pattern, re.I)
FIGURE = re.compile(r"\d|" + FIGURE_WORDS.pattern, re.I)


def figure_near(text: str, terms: Sequence[str], window: int = 8) -> bool:
    """A figure within `window` words after a question term: "Total revenues ... were 1,891.8"."""
    tokens = [stem(w) for w in words(text)]
    wanted = set(terms) | {s for t in terms for s in SYNONYMS.get(t, ())}
    for i, tok in enumerate(tokens):
        if tok in wanted and any(FIGURE.search(t) for t in tokens[i + 1 : i + 1 + window]):
            return True
    return False


_STATES = {"was", "were", "is", "are", "of", "at", "totaled", "totalled", "total", "reached", "came",
           "amounted", "stood", "be"}


def states_value(text: str, terms: Sequence[str]) -> bool:
    """The metric, then within a few words "was/of/at/totaled", then a figure."""
    tokens = words(text)
    stems = [stem(w) for w in tokens]
    wanted = set(terms)
    for i, tok in enumerate(stems):
        if tok not in wanted:
            continue
        for j in range(i + 1, min(i + 6, len(tokens))):
            if tokens[j] in _STATES:
                if any(FIGURE.search(t) for t in tokens[j + 1 : j + 4]):
                    return True
                break
    return False


def query_terms(question: str, who: bool = False) -> list[str]:
    frame = QUESTION_WORDS | WHO_WORDS if who else QUESTION_WORDS
    terms = [w for w in content_words(question) if w not in frame]
    return terms or content_words(question)


class BM25:
    def __init__(self, docs: Sequence[str], k1: float = 1.2, b: float = 0.75) -> None:
        self.tokens = [content_words(d) for d in docs]
        self.tf = [Counter(t) for t in self.tokens]
        self.n = len(docs)
        self.avg = sum(len(t) for t in self.tokens) / max(self.n, 1)
        self.df: Counter[str] = Counter()
        for t in self.tokens:
            self.df.update(set(t))
        self.k1, self.b = k1, b

    def idf(self, term: str) -> float:
        df = self.df.get(term, 0)
        return math.log(1 + (self.n - df + 0.5) / (df + 0.5))

    def known(self, term: str) -> bool:
        return self.df.get(term, 0) > 0

    def score(self, i: int, terms: Sequence[str]) -> float:
        tf, length = self.tf[i], len(self.tokens[i])
        total = 0.0
        for term in set(terms):
            weight, f = 1.0, tf.get(term, 0)
            if not f:
                best = max((tf.get(s, 0) for s in SYNONYMS.get(term, ())), default=0)
                f, weight = (best, 0.6) if best else (0, 0.0)
            if f:
                norm = f * (self.k1 + 1) / (f + self.k1 * (1 - self.b + self.b * length / self.avg))
                total += weight * self.idf(term if self.known(term) else _best_syn(self, term)) * norm
        return total

    def coverage(self, i: int, terms: Sequence[str], acronyms: Collection[str] = ()) -> float:
        """Share of the question's term weight that document i matches (0..1). A synonym counts
        0.6; a word form the stemmer missed ("organically" for "organic", "announced" for
        "announce") or an acronym spelled out ("CET1": "common equity Tier 1") counts 0.8."""
        tf = self.tf[i]
        have = want = 0.0
        initials: str | None = None
        for term in set(terms):
            w = self.idf(term)
            want += w
            if tf.get(term):
                have += w
            elif any(tf.get(s) for s in SYNONYMS.get(term, ())):
                have += 0.6 * w
            elif len(term) >= 4 and any(_same_word(term, tok) for tok in tf):
                have += 0.8 * w
            elif term in acronyms and len(term) >= 2:
                if initials is None:
                    initials = "".join(tok[0] for tok in self.tokens[i])
                if term in initials:
                    have += 0.8 * w
        return have / want if want else 0.0


def _same_word(a: str, b: str) -> bool:
    """One stem is the other plus an ending the stemmer left: "organic"/"organical"."""
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= 4 and long_.startswith(short) and len(long_) - len(short) <= 4


def _best_syn(bm: BM25, term: str) -> str:
    alts = [s for s in SYNONYMS.get(term, ()) if bm.known(s)]
    return max(alts, key=bm.idf) if alts else term
