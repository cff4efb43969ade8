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
from dataclasses import dataclass, replace

from index.store import Hit
from index.text import content_words, iter_clauses, sentence_spans, words
from index.types import Rendering, Role, Transcript, Turn
from qa.figures import AMOUNT as AMOUNT_KIND
from qa.figures import PERCENT, POINTS, extract_figures
from qa.lexical import BM25, FIGURE, FIGURE_WORDS, QUESTION_WORDS, RATE_WORDS, figure_near, states_value
from qa.question import AMOUNT, FORWARD, FORWARD_WORDS, RATE, Kind, Question, analyse, names_in_play
from qa.types import NOT_SAID, Answer, Citation

MIN_COVERAGE = 0.46  # eval/calibrate.py on the tune sets; README: why not 0.49
SENTENCE_K1, SENTENCE_B = 0.5, 0.3  # one sentence: repeating a word or length matters little
RANK_WEIGHT = 0.15  # the chunk's retrieval rank
RUNNER_UP = 0.75  # further citations must score at least this share of the best
MAX_CITATIONS = 3

_CAUSAL = re.compile(r"\b(?:because|due to|driven by|reflecting|as a result|primarily|mainly|thanks "
                     r"to|owing to|in response to|in line with|which is why|given|impact(?:ed)? (?:of|by)|"
                     r"if not for|benefit(?:ed|ing)? from|helped by|result of|caused by|attributable to)\b",
                     re.I)
WHY_WORDS = 60  # a "why" answer is the whole sentence: the reason sits beside the effect


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
        for a, b in _sentences(turn.text, t.format):
            start, end = t.file_span(turn, a, b)
            if start >= c.start and end <= c.end and (t.id, start) not in seen:
                seen.add((t.id, start))
                out.append(Sentence(t, turn, start, end, turn.text[a:b], hit.rank))
    return out


def _sentences(text: str, layout: str) -> list[tuple[int, int]]:
    """Sentence spans; in a one-line-per-sentence layout (ECTSum, MAEC's audio fragments) a line
    never runs on into the next: the layout states where each unit ends."""
    if layout != "sentences":
        return sentence_spans(text)
    out: list[tuple[int, int]] = []
    for m in re.finditer(r"[^\n]+", text):
        out += [(a, b) for a, b in sentence_spans(text, m.start(), m.end()) if b > a]
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
    """Candidate sentences scored for one question (or one part of it), best first."""

    kind: Kind
    terms: list[str]
    sentences: list[Sentence]
    scores: list[tuple[float, float]]  # (score, coverage of the question's core terms)
    order: list[int]
    bm: BM25


def _rank(q: Question, sentences: list[Sentence], bm: BM25, n_hits: int) -> _Ranking:
    scores = _score(q, sentences, bm, n_hits)
    order = sorted(range(len(sentences)), key=lambda i: -scores[i][0])
    return _Ranking(q.kind, list(q.terms), sentences, scores, order, bm)


def _pool(hits: Sequence[Hit], transcripts: dict[str, Transcript]) -> tuple[list[Sentence], BM25]:
    sentences = candidate_sentences(hits, transcripts)
    bm = BM25([s.text for s in sentences] + _background(transcripts), k1=SENTENCE_K1,
              b=SENTENCE_B)
    return sentences, bm


def _parts(q: Question, names: Sequence[str]) -> list[Question]:
    """One analysed question per part; a part that names no subject of its own ("... and for
    how much?") keeps the subject of the part before it."""
    if len(q.parts) == 1:
        return [q]
    out: list[Question] = []
    for text in q.parts:
        part = analyse(text, names)
        # "... and what's planned for Q4?": a plan of what the part before names
        own = [t for t in part.core if t not in QUESTION_WORDS and t not in FORWARD_WORDS]
        if not own and out:
            part = replace(part, terms=out[-1].terms + part.terms, core=out[-1].core)
        out.append(part)
    return out


def _gives(q: Question, text: str) -> bool:
    """Does the sentence state a value of the kind asked ("in dollars": an amount, not "up 12%")?"""
    if q.unit is None:  # a figure ("half" and "twice" too), not "Q3" or "2021"
        return bool(extract_figures(text)) or bool(FIGURE_WORDS.search(text))
    if q.unit == RATE and RATE_WORDS.search(text):
        return True
    if q.unit == AMOUNT and q.kind.count and _CARDINAL.search(text):
        return True  # "how many stores": "closing roughly seven stores"
    kinds = {RATE: (PERCENT, POINTS), AMOUNT: (AMOUNT_KIND,)}[q.unit]
    return any(f.kind in kinds and not (f.kind == AMOUNT_KIND and _DURATION.match(text, f.end))
               for f in extract_figures(text))


_CARDINAL = re.compile(r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
                       r"twenty|thirty|forty|fifty|a dozen|dozens|hundreds|thousands)\b(?![- ](?:years?|"
                       r"quarters?|months?|weeks?|days?|times)\b)", re.I)
# "12 months", "30 days": a length of time, not the amount asked for
_DURATION = re.compile(r"[\s-]*(?:years?|quarters?|months?|weeks?|days?|hours?)\b", re.I)
# Capitalised words that name no company or product
_NOT_NAMES = frozenset("""january february march april may june july august september october
    november december monday tuesday wednesday thursday friday i""".split())


def _names_one(text: str, q: Question) -> bool:
    """Does the sentence name something the question does not: a capitalised word past its
    first ("including Baidu and ByteDance"), or an all-capitals name of three letters or more?"""
    asked = set(content_words(q.text))
    for m in re.finditer(r"(?<=\s)(?:[A-Z][a-z][\w&'-]*|[A-Z]{3,})\b", text.strip()):
        word = m.group(0).lower()
        if word not in _NOT_NAMES and not set(content_words(word)) <= asked:
            return True
    return False


def _is_question(text: str) -> bool:
    return text.rstrip().endswith("?")


def _part_answer(q: Question, r: _Ranking) -> int | None:
    """The best sentence for one part, or None when the call does not answer it."""
    if not r.sentences:
        return None
    order, sentences = r.order, r.sentences
    if not q.kind.asked:  # a question never answers a question
        order[:] = [i for i in order if not _is_question(sentences[i].text)] or order
    if q.needs_figure:  # "how much", "what was the margin": a value of that kind or nothing
        with_figure = [i for i in order if _gives(q, sentences[i].text)]
        if not with_figure:
            return None
        order[:] = with_figure + [i for i in order if i not in with_figure]
    if q.needs_name:  # "which companies are their customers": a sentence that names some
        named = [i for i in order if _names_one(sentences[i].text, q)]
        if not named:
            return None
        order[:] = named + [i for i in order if i not in named]
    if q.forward:  # "what's the guidance": a sentence about what will be, not what was
        ahead = [i for i in order if FORWARD.search(sentences[i].text)]
        if not ahead:
            return None
        order[:] = ahead + [i for i in order if i not in ahead]
    return order[0]


def answer(question: str, hits: Sequence[Hit], transcripts: dict[str, Transcript],
           q: Question | None = None) -> Answer:
    names = names_in_play(transcripts)
    q = q or analyse(question, names)
    retrieved = tuple(h.chunk.id for h in hits)
    sentences, bm = _pool(hits, transcripts)
    if not sentences:
        return Answer(question, NOT_SAID, False, retrieved=retrieved)
    parts = _parts(q, names)
    rankings = [_rank(p, sentences, bm, len(hits)) for p in parts]
    found = [_part_answer(p, r) for p, r in zip(parts, rankings, strict=True)]
    bests = [b if b is not None and r.scores[b][1] >= MIN_COVERAGE else None
             for b, r in zip(found, rankings, strict=True)]
    if all(b is None for b in bests):
        r = rankings[0]
        nearest = tuple(to_citation(sentences[i]) for i in r.order[:3])
        return Answer(question, NOT_SAID, False, nearest=nearest, retrieved=retrieved)
    chosen: list[int] = []
    texts: list[str] = []
    extra: list[Sentence] = []
    for part, r, best in zip(parts, rankings, bests, strict=True):
        if best is None:
            texts.append(f"The call does not say ({part.text.strip(' ?')})")
            continue
        share = MAX_CITATIONS if len(parts) == 1 else max(1, MAX_CITATIONS // len(parts))
        for i in _choose([best] + [i for i in r.order if i != best], r.scores, sentences)[:share]:
            if i not in chosen:
                chosen.append(i)
        text = _short_answer(part, r.terms, sentences[best], bm)
        listed = _listed(sentences[best])
        for s in listed:  # "helped by two factors." + "First, ..." "Second, ...": the factors
            text = f"{text}. {s.text.strip().rstrip('.')}"
            extra.append(s)
        if text not in texts:
            texts.append(text)
    citations = tuple(to_citation(sentences[i]) for i in chosen[:MAX_CITATIONS + len(parts) - 1])
    citations += tuple(to_citation(s) for s in extra
                       if all((c.transcript, c.start) != (s.transcript.id, s.start) for c in citations))
    text = "; ".join(texts)
    if q.kind.who:
        text = f"{citations[0].who()}: {text}"
    return Answer(question, text, True, citations=citations, retrieved=retrieved)


def support(question: str, hits: Sequence[Hit], transcripts: dict[str, Transcript]) -> float:
    """How well the best sentence covers what the question asks (the best part of a two-part
    question): the evidence score the answerer refuses below (MIN_COVERAGE). For calibration."""
    names = names_in_play(transcripts)
    q = analyse(question, names)
    sentences, bm = _pool(hits, transcripts)
    if not sentences:
        return 0.0
    best = 0.0
    for part in _parts(q, names):
        r = _rank(part, sentences, bm, len(hits))
        i = _part_answer(part, r)
        if i is not None:
            best = max(best, r.scores[i][1])
    return best


def nearest(question: str, hits: Sequence[Hit], transcripts: dict[str, Transcript],
            n: int = 3) -> tuple[Citation, ...]:
    """The n best-scoring sentences, shown when the call does not answer the question."""
    sentences, bm = _pool(hits, transcripts)
    r = _rank(analyse(question, names_in_play(transcripts)), sentences, bm, len(hits))
    return tuple(to_citation(r.sentences[i]) for i in r.order[:n])


def _background(transcripts: dict[str, Transcript]) -> list[str]:
    """Every sentence of the transcripts in play, so term weights reflect the whole call."""
    return [turn.text[a:b] for t in transcripts.values() for turn in t.turns
            for a, b in _sentences(turn.text, t.format)]


def _score(q: Question, sentences: list[Sentence], bm: BM25,
           n_hits: int) -> list[tuple[float, float]]:
    kind, terms = q.kind, list(q.terms)
    # a name the call never uses ("General Dynamics" where the call says "we") picks the call,
    # it cannot be covered by any sentence of it
    core = [t for t in q.core if bm.known(t) or t not in q.proper] or list(q.core)
    if q.forward:  # only forward-looking sentences are candidates: "expect" need not be covered
        core = [t for t in core if t not in FORWARD_WORDS] or core
    # a "why" question asks for a reason: a figure is no evidence of one
    quantitative, who, asked, answered, why = (kind.quantitative and not kind.why, kind.who,
                                               kind.asked, kind.answered, kind.why)
    past = not q.forward and (bool(_PAST.search(q.text)) or (q.needs_figure and len(q.periods) >= 2))
    asked_span = bool(_SPAN.search(q.text))
    relative = _relative(q.text)
    lex = [bm.score(i, terms) for i in range(len(sentences))]
    top = max(lex, default=0.0) or 1.0  # no sentences: nothing to scale
    covs = [bm.coverage(i, core, q.acronyms) for i in range(len(sentences))]
    # "Gross margin was down 40 bps. The decline primarily reflects mix.": the reason follows
    # the effect and inherits its subject
    reasons = [why and i > 0 and _follows(sentences[i - 1], s) and bool(_CAUSAL.search(s.text))
               for i, s in enumerate(sentences)]
    for i in (i for i, r in enumerate(reasons) if r):
        covs[i] = max(covs[i], covs[i - 1])
        lex[i] = max(lex[i], lex[i - 1])
    out = []
    for i, s in enumerate(sentences):
        cov = covs[i]
        score = 0.55 * lex[i] / top + 0.2 * cov + RANK_WEIGHT * (1 - s.hit_rank / max(n_hits, 1))
        if quantitative and figure_near(s.text, terms):
            score += 0.25
        elif quantitative and FIGURE.search(s.text):
            score += 0.1
        score += 0.1 * min(2, _bigrams(s.text, terms))  # "total revenues", not "total cost of revenue"
        if _leads_with(s.text, terms):
            score += 0.1  # "Total revenues for this quarter were ...": the subject comes first
        if q.needs_figure and states_value(s.text, terms):
            score += 0.2  # "total backlog of $89.2 billion", not "total backlog grew $95 million"
        if past and _AHEAD.search(s.text):
            score -= 0.15  # "what was" is not answered by "we expect ... to remain below 60%"
        said = _relative(s.text) if relative else set()
        if said and not relative & said:
            score -= 0.15  # "closed this year" is not answered by "last year we closed 40 stores"
        if _SPAN.search(s.text) and not asked_span and not _QUARTER.search(s.text):
            score -= 0.15  # "in the third quarter" is not answered by "up 15% year-to-date"
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


def _follows(a: Sentence, b: Sentence) -> bool:
    """Is b the next sentence after a in the same turn?"""
    return a.turn is b.turn and 0 <= b.start - a.end <= 3 and \
        not a.transcript.span(a.end, b.start).strip()


_PAST = re.compile(r"^\s*(?:what|how|which|who)\b.*?\b(?:was|were|did|had)\b", re.I)
_AHEAD = re.compile(r"\b(?:expect\w*|will|guidance|outlook|forecast\w*|anticipat\w*|going to|target\w*)\b",
                    re.I)
# A span longer than the quarter: a question about the quarter is not answered by it.
_SPAN = re.compile(r"\b(?:year[- ]to[- ]date|YTD|first half|second half|first nine months|nine months|"
                   r"full[- ]year|for the (?:full )?year|trailing twelve months|TTM)\b", re.I)
# Periods named relative to the call: the question's and the sentence's must agree
_RELATIVE = re.compile(r"\b(this|last|next|prior|previous|current) (year|quarter)\b", re.I)
_SAME_AS = {"prior": "last", "previous": "last", "current": "this"}


_BASE = re.compile(r"\b(?:than|from|versus|vs\.?|over|compared (?:to|with)|relative to)(?: the)?\s*$",
                   re.I)


def _relative(text: str) -> set[str]:
    """The periods a text is about, named relative to the call: "this year", "last quarter" ("the
    prior year" is last year). "Lower than last year" names a comparison base, not a period."""
    return {f"{_SAME_AS.get(m[1].lower(), m[1].lower())} {m[2].lower()}"
            for m in _RELATIVE.finditer(text) if not _BASE.search(text, 0, m.start())}
_QUARTER = re.compile(r"\b(?:quarter|Q[1-4]|[1-4]Q)\b", re.I)  # states the quarter's figure too


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


# A sentence that announces a list: "margin expansion was helped by two factors", "... as follows:"
_ANNOUNCES = re.compile(r"\b(?P<n>two|three|four|several|a few|a couple of|a number of) (?:\w+ )?"
                        r"(?:factors|reasons|things|drivers|items|areas|components|elements|"
                        r"headwinds|tailwinds|pieces|dynamics)\b[^.;]*[.:]?\s*$|:\s*$", re.I)
_COUNTS = {"two": 2, "three": 3, "four": 4}


def _listed(s: Sentence, most: int = 3) -> list[Sentence]:
    """The sentences after `s` in its turn that give the list `s` announces (none otherwise)."""
    m = _ANNOUNCES.search(s.text)
    if not m:
        return []
    n = _COUNTS.get((m.group("n") or "").lower(), 2)  # "several", "as follows:": two
    t, turn = s.transcript, s.turn
    spans = _sentences(turn.text, t.format)
    after = [(a, b) for a, b in spans if t.file_span(turn, a, b)[0] >= s.end and b > a]
    out = []
    for a, b in after[: min(n, most)]:
        start, end = t.file_span(turn, a, b)
        out.append(Sentence(t, turn, start, end, turn.text[a:b], s.hit_rank))
    return out


def _short_answer(q: Question, terms: list[str], s: Sentence, bm: BM25) -> str:
    """The clause of the best sentence that carries the answer (verbatim); for a question
    that asks for a value, the clause that holds the figure after the asked metric."""
    wants_figure = q.kind.quantitative or q.needs_figure
    if q.kind.why and len(words(s.text)) <= WHY_WORDS:
        return s.text.strip().rstrip(".")
    clauses = [(a, b) for a, b in iter_clauses(s.text) if b > a]
    if len(clauses) <= 1:
        return s.text.strip()
    solo = BM25([s.text[a:b] for a, b in clauses])
    for term in terms:  # use the call-wide weights
        solo.df[term] = bm.df.get(term, 0)
    solo.n = bm.n

    def value(i: int) -> float:
        a, b = clauses[i]
        v = solo.coverage(i, terms, q.acronyms)
        if wants_figure and extract_figures(s.text[a:b]):
            v += 0.5
        return v

    best = max(range(len(clauses)), key=value)
    a, b = clauses[best]
    if len(words(s.text[a:b])) < 4 and best + 1 < len(clauses):
        b = clauses[best + 1][1]
    if wants_figure and not extract_figures(s.text[a:b]):
        # "Our stress capital buffer requirement, which will be effective ..., is 2.5%": the
        # subject's clause and the figure's clause belong together
        later = [end for start, end in clauses[best + 1 : best + 3] if extract_figures(s.text[start:end])]
        if later:
            b = later[0]
    return s.text[a:b].strip().rstrip(".")
