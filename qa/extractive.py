"""The offline answerer: pick the sentences of the retrieved chunks that answer the question,
quote them, and say "the call does not say" when none does. No model, no network.

Sentences are scored by BM25 (over all sentences of the transcripts in play), coverage of the
question's terms, the chunk's retrieval rank, and preferences an analyst would apply: the
interpreter's or an English speaker's rendering over the machine translation, answers over
questions, figures for "how much" questions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from index.store import Hit
from index.text import content_words, iter_clauses, sentence_spans, words
from index.types import Rendering, Role, Transcript, Turn
from qa.lexical import BM25, FIGURE, figure_near, query_terms
from qa.question import Kind, classify
from qa.types import NOT_SAID, Answer, Citation

MIN_COVERAGE = 0.45  # below this the best sentence does not answer the question
SENTENCE_K1, SENTENCE_B = 0.5, 0.3  # one sentence: repeating a word or length matters little
RANK_WEIGHT = 0.15  # the chunk's retrieval rank
RUNNER_UP = 0.75  # further citations must score at least this share of the best
MAX_CITATIONS = 3

_CAUSAL = re.compile(r"\b(?:because|due to|driven by|reflecting|as a result|primarily|mainly|thanks "
                     r"to|owing to|in response to|in line with|which is why|given)\b", re.I)


@dataclass(frozen=True)
class Sentence:
    transcript: Transcript
    turn: Turn
    start: int  # file offsets
    end: int
    text: str
    hit_rank: int


def candidate_sentences(hits: Sequence[Hit], transcripts: dict[str, Transcript]) -> list[Sentence]:
    """Sentences of the retrieved chunks. A machine translation whose interpreted rendering
    is in the transcript is left out: the rendering says the same, with the right figures."""
    out: list[Sentence] = []
    seen: set[tuple[str, int]] = set()
    for hit in hits:
        c = hit.chunk
        t = transcripts[c.transcript]
        turn = t.turns[c.turn]
        if turn.rendering == Rendering.MACHINE and turn.pair is not None:
            continue
        for a, b in sentence_spans(turn.text):
            start, end = t.file_span(turn, a, b)
            if start >= c.start and end <= c.end and (t.id, start) not in seen:
                seen.add((t.id, start))
                out.append(Sentence(t, turn, start, end, turn.text[a:b], hit.rank))
    return out


def to_citation(s: Sentence, start: int | None = None, end: int | None = None) -> Citation:
    start = s.start if start is None else start
    end = s.end if end is None else end
    return Citation(
        quote=s.transcript.span(start, end), transcript=s.transcript.id, start=start, end=end,
        turn=s.turn.index, speaker=s.turn.speaker, role=s.turn.role, section=s.turn.section,
        title=s.turn.title, rendering=s.turn.rendering.value,
    )


@dataclass(frozen=True)
class _Ranking:
    """Candidate sentences scored for one question, best first."""

    kind: Kind
    terms: list[str]
    sentences: list[Sentence]
    scores: list[tuple[float, float]]  # (score, coverage of the question's terms)
    order: list[int]
    bm: BM25


def _rank(question: str, hits: Sequence[Hit], transcripts: dict[str, Transcript]) -> _Ranking:
    sentences = candidate_sentences(hits, transcripts)
    kind = classify(question)
    terms = query_terms(question, who=kind.who)
    bm = BM25([s.text for s in sentences] + _background(transcripts), k1=SENTENCE_K1,
              b=SENTENCE_B)
    scores = _score(kind, terms, sentences, bm, len(hits))
    order = sorted(range(len(sentences)), key=lambda i: -scores[i][0])
    return _Ranking(kind, terms, sentences, scores, order, bm)


def answer(question: str, hits: Sequence[Hit], transcripts: dict[str, Transcript]) -> Answer:
    r = _rank(question, hits, transcripts)
    retrieved = tuple(h.chunk.id for h in hits)
    if not r.sentences:
        return Answer(question, NOT_SAID, False, retrieved=retrieved)
    order, scores, sentences = r.order, r.scores, r.sentences
    if r.kind.count:  # "how much / how many" is answered by a figure or not at all
        order = [i for i in order if FIGURE.search(sentences[i].text)] or order[:1]
        if not FIGURE.search(sentences[order[0]].text):
            scores[order[0]] = (scores[order[0]][0], 0.0)
    best = order[0]
    if scores[best][1] < MIN_COVERAGE:
        nearest = tuple(to_citation(sentences[i]) for i in order[:3])
        return Answer(question, NOT_SAID, False, nearest=nearest, retrieved=retrieved)
    citations = tuple(to_citation(sentences[i]) for i in _choose(order, scores, sentences))
    text = _short_answer(r.kind, r.terms, sentences[best], r.bm)
    if r.kind.who:
        text = f"{citations[0].who()}: {text}"
    return Answer(question, text, True, citations=citations, retrieved=retrieved)


def nearest(question: str, hits: Sequence[Hit], transcripts: dict[str, Transcript],
            n: int = 3) -> tuple[Citation, ...]:
    """The n best-scoring sentences, shown when the call does not answer the question."""
    r = _rank(question, hits, transcripts)
    return tuple(to_citation(r.sentences[i]) for i in r.order[:n])


def _background(transcripts: dict[str, Transcript]) -> list[str]:
    """Every sentence of the transcripts in play, so term weights reflect the whole call."""
    return [turn.text[a:b] for t in transcripts.values() for turn in t.turns
            for a, b in sentence_spans(turn.text)]


def _score(kind: Kind, terms: list[str], sentences: list[Sentence], bm: BM25,
           n_hits: int) -> list[tuple[float, float]]:
    quantitative, who, asked, answered, why = (kind.quantitative, kind.who, kind.asked,
                                               kind.answered, kind.why)
    lex = [bm.score(i, terms) for i in range(len(sentences))]
    top = max(lex, default=0.0) or 1.0  # no sentences: nothing to scale
    out = []
    for i, s in enumerate(sentences):
        cov = bm.coverage(i, terms)
        score = 0.55 * lex[i] / top + 0.2 * cov + RANK_WEIGHT * (1 - s.hit_rank / max(n_hits, 1))
        if quantitative and figure_near(s.text, terms):
            score += 0.25
        elif quantitative and FIGURE.search(s.text):
            score += 0.1
        score += 0.1 * min(2, _bigrams(s.text, terms))  # "total revenues", not "total cost of revenue"
        if _leads_with(s.text, terms):
            score += 0.1  # "Total revenues for this quarter were ...": the subject comes first
        if why and _CAUSAL.search(s.text):
            score += 0.15
        if s.turn.rendering == Rendering.MACHINE:
            score -= 0.35
        if s.turn.role == Role.OPERATOR and not who:
            score -= 0.3
        if s.turn.role == Role.ANALYST and not asked:
            score -= 0.3
        if asked and s.turn.role != Role.ANALYST:
            score -= 0.3
        if answered and s.turn.role in (Role.ANALYST, Role.OPERATOR, Role.UNKNOWN):
            score -= 0.3
        if s.text.rstrip().endswith("?"):
            score -= 0.1
        if len(words(s.text)) < 5:
            score -= 0.2
        out.append((score, cov))
    return out


def _bigrams(text: str, terms: list[str]) -> int:
    """How many adjacent pairs of question terms stand adjacent in the sentence too."""
    pairs = set(zip(terms, terms[1:], strict=False))
    cw = content_words(text)
    return len(pairs & set(zip(cw, cw[1:], strict=False)))


def _leads_with(text: str, terms: list[str]) -> bool:
    head = set(content_words(text)[:3])
    wanted = set(terms)
    return bool(wanted) and len(head & wanted) >= max(1, round(len(wanted) * 0.67))


def _choose(order: list[int], scores: list[tuple[float, float]], sentences: list[Sentence]) -> list[int]:
    best = scores[order[0]][0]
    chosen = [order[0]]
    for i in order[1:]:
        if len(chosen) == MAX_CITATIONS or scores[i][0] < RUNNER_UP * best:
            break
        s = sentences[i]
        if s.turn.rendering == Rendering.MACHINE and any(
                sentences[j].turn.index == s.turn.pair for j in chosen):
            continue  # the interpreter's rendering of this remark is already quoted
        if scores[i][1] < MIN_COVERAGE:
            continue
        chosen.append(i)
    return chosen


def _short_answer(kind: Kind, terms: list[str], s: Sentence, bm: BM25) -> str:
    """The clause of the best sentence that carries the answer (verbatim)."""
    quantitative = kind.quantitative
    clauses = [(a, b) for a, b in iter_clauses(s.text) if b > a]
    if len(clauses) <= 1:
        return s.text.strip()
    solo = BM25([s.text[a:b] for a, b in clauses])
    for term in terms:  # use the call-wide weights
        solo.df[term] = bm.df.get(term, 0)
    solo.n = bm.n

    def value(i: int) -> float:
        a, b = clauses[i]
        v = solo.coverage(i, terms)
        if quantitative and FIGURE.search(s.text[a:b]):
            v += 0.5
        return v

    best = max(range(len(clauses)), key=value)
    a, b = clauses[best]
    if len(words(s.text[a:b])) < 4 and best + 1 < len(clauses):
        b = clauses[best + 1][1]
    return s.text[a:b].strip().rstrip(".")
