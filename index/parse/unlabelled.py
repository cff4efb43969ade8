"""Transcripts without speaker labels: infer turns, speakers, roles and sections from the
call's own cues, and pair machine-translated remarks with the interpreter's rendering.

The input is a list of blocks (file spans: paragraphs, or groups of one-sentence lines).
Steps, each a small pure function over a list of mutable `_Block`s:
1. `_split_restarts`  a paragraph whose tail restates its head (the interpreter starting
                      mid-paragraph) or that holds a translator's line is split there;
2. `_join_broken`     a paragraph that starts mid-sentence continues the previous block;
3. `_pair`            machine translation -> interpreted rendering of the same remark;
4. `_attribute`       speakers and roles from hand-overs, announcements and self-introductions;
5. `_sections`        opening, prepared remarks, Q&A.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from index.parse import cues, sections
from index.text import content_words, jaccard, sentence_spans
from index.types import Rendering, Role, Section, Turn

_MANAGEMENT = {Role.CEO, Role.CFO, Role.EXECUTIVE, Role.IR}


@dataclass
class _Block:
    start: int
    end: int
    para: int  # index of the source paragraph it came from
    rendering: Rendering = Rendering.ORIGINAL
    pair: int | None = None
    speaker: str | None = None
    role: Role = Role.UNKNOWN
    title: str | None = None
    cue: str = ""
    section: Section = Section.PREPARED
    header: bool = False


def parse_sentences(source: str) -> list[Turn]:
    """One sentence per line (ECTSum, MAEC): regroup the lines into turns, then attribute."""
    return parse_blocks(source, _sentence_blocks(source))


def parse_blocks(source: str, spans: list[tuple[int, int]]) -> list[Turn]:
    interpreted = bool(cues.INTERPRETED_CALL.search(source))
    blocks = [_Block(a, b, i) for i, (a, b) in enumerate(spans)]
    _mark_header(source, blocks)
    if interpreted:
        blocks = _split_restarts(source, blocks)
        blocks = _join_broken(source, blocks)
        _pair(source, blocks)
    _attribute(source, blocks)
    _sections(source, blocks)
    return [
        Turn(
            index=i,
            start=b.start,
            end=b.end,
            text=source[b.start : b.end],
            speaker=b.speaker,
            role=b.role,
            section=b.section,
            title=b.title,
            rendering=b.rendering,
            pair=b.pair,
            cue=b.cue,
        )
        for i, b in enumerate(blocks)
    ]


def _mark_header(source: str, blocks: list[_Block]) -> None:
    """Publisher disclaimers before the call starts are not anybody's remarks."""
    for b in blocks[:3]:
        text = source[b.start : b.end]
        if re.search(r"transcript (?:was|is) (?:computer|machine)[- ]generated|provided for "
                     r"information purposes|makes no representation", text, re.I):
            b.header, b.section, b.cue = True, Section.OPENING, "publisher's disclaimer"


def _cw(source: str, span: tuple[int, int]) -> set[str]:
    return set(content_words(source[span[0] : span[1]]))


def _split_restarts(source: str, blocks: list[_Block]) -> list[_Block]:
    out: list[_Block] = []
    for b in blocks:
        out.extend(_split_one(source, b))
    return out


def _split_one(source: str, b: _Block) -> list[_Block]:
    if b.header:
        return [b]
    sents = sentence_spans(source, b.start, b.end)
    words = [_cw(source, s) for s in sents]
    # A translator's own line ("let me just simply translate what Mr. Zhou said").
    for k, s in enumerate(sents):
        if cues.TRANSLATOR_LINE.search(source[s[0] : s[1]]):
            own = re.search(r"\bmy\b", source[s[0] : s[1]], re.I)
            if own and k > 0:  # the speaker translating their own question
                return [_Block(b.start, sents[k - 1][1], b.para, Rendering.MACHINE),
                        _Block(s[0], b.end, b.para, Rendering.INTERPRETED, cue="translates own words")]
            if not own:
                parts = []
                if k > 0:
                    parts.append(_Block(b.start, sents[k - 1][1], b.para))
                parts.append(_Block(s[0], s[1], b.para, role=Role.INTERPRETER,
                                    speaker="Interpreter", cue="translator's line"))
                if k + 1 < len(sents):
                    parts.append(_Block(sents[k + 1][0], b.end, b.para))
                return parts
    nxt = source[b.end : b.end + 200].lstrip()
    cut = _continuation_cut(words, nxt) or _restart_cut(source, sents, words)
    if cut:
        return [_Block(b.start, sents[cut - 1][1], b.para, Rendering.MACHINE),
                _Block(sents[cut][0], b.end, b.para, Rendering.INTERPRETED,
                       cue="restates the remark before it")]
    return [b]


def _same(source: str, a: tuple[int, int], b: tuple[int, int], wa: set[str],
          wb: set[str]) -> float:
    """How surely sentence b restates sentence a (0..1)."""
    if len(wa) >= 4 and len(wb) >= 4:
        score = jaccard(wa, wb)
        if score >= 0.5:
            return score
    ta, tb = source[a[0] : a[1]].lower(), source[b[0] : b[1]].lower()
    if min(len(ta), len(tb)) >= 20:
        ratio = SequenceMatcher(None, ta, tb).ratio()
        if ratio >= 0.8:
            return ratio
    return 0.0


def _restart_cut(source: str, sents: list[tuple[int, int]], words: list[set[str]]) -> int | None:
    """The tail restates the head: sentence k repeats sentence j (j < k) in other words, so
    the rendering starts at sentence k - j. The surest such match wins."""
    best: tuple[float, int] | None = None
    for k in range(2, len(sents)):
        for j in range(min(3, k - 1)):
            score = _same(source, sents[j], sents[k], words[j], words[k])
            if score and k - j >= 2 and (best is None or score > best[0]):
                best = (score, k - j)
    return best[1] if best else None


def _continuation_cut(words: list[set[str]], nxt: str) -> int | None:
    """The paragraph runs on mid-sentence into the next: the rendering starts at the last
    sentences, at the one whose words best match the first sentence."""
    if len(words) < 3 or not nxt[:1].islower():
        return None
    best = max(range(2, len(words)), key=lambda k: jaccard(words[k], words[0]))
    return best if jaccard(words[best], words[0]) >= 0.15 else None


def _join_broken(source: str, blocks: list[_Block]) -> list[_Block]:
    """A paragraph starting mid-sentence continues the block before it."""
    out: list[_Block] = []
    for b in blocks:
        first = source[b.start : b.start + 1]
        prev_end = source[b.start - 2 : b.start].strip()[-1:] if out else ""
        new_para = bool(out) and out[-1].para != b.para
        if new_para and (first.islower() or prev_end == ",") and not out[-1].header:
            last = out[-1]
            out[-1] = _Block(last.start, b.end, last.para, last.rendering, cue=last.cue)
        else:
            out.append(b)
    return out


def _pair(source: str, blocks: list[_Block]) -> None:
    """Mark machine translation / interpreted rendering pairs among neighbouring blocks."""
    for i in range(len(blocks) - 1):
        a, b = blocks[i], blocks[i + 1]
        if a.header or a.role == Role.INTERPRETER:
            continue
        if a.rendering == Rendering.MACHINE and b.rendering == Rendering.INTERPRETED:
            a.pair, b.pair = i + 1, i
            continue
        if b.role == Role.INTERPRETER and i + 2 < len(blocks):
            c = blocks[i + 2]  # machine remark, translator's line, rendering
            a.rendering, c.rendering = Rendering.MACHINE, Rendering.INTERPRETED
            a.pair, c.pair = i + 2, i
            continue
        if a.rendering != Rendering.ORIGINAL or b.rendering != Rendering.ORIGINAL:
            continue
        ta, tb = source[a.start : a.end], source[b.start : b.end]
        if cues.is_operator(ta) or cues.is_operator(tb) or cues.next_speaker(ta, {}):
            continue
        if re.match(r"\s*(?:Thank you,? [A-Z][a-z]+\.|I can answer|The first question)", tb):
            continue
        wa, wb = _cw(source, (a.start, a.end)), _cw(source, (b.start, b.end))
        if min(len(wa), len(wb)) < 8 or not 0.2 <= len(tb) / len(ta) <= 5:
            continue
        containment = len(wa & wb) / min(len(wa), len(wb))
        shared_pct = set(re.findall(r"\d+(?:\.\d+)?%", ta)) & set(re.findall(r"\d+(?:\.\d+)?%", tb))
        if containment >= 0.35 or len(shared_pct) >= 2:
            a.rendering, b.rendering = Rendering.MACHINE, Rendering.INTERPRETED
            a.pair, b.pair = i + 1, i
            b.cue = b.cue or f"renders the remark before it ({containment:.0%} shared words)"


def _attribute(source: str, blocks: list[_Block]) -> None:
    known = cues.roster(source)
    pending: cues.Who | None = None
    previous: _Block | None = None
    in_qa = False
    english: dict[str | None, cues.Who] = {}
    interpreted_management = False
    for b in blocks:
        text = source[b.start : b.end]
        if b.header:
            continue
        in_qa = in_qa or bool(previous and cues.QA_OPENING.search(text))
        if b.role == Role.INTERPRETER:
            who = cues.translated_speaker(text, known)
            if who and previous is not None and previous.rendering == Rendering.MACHINE:
                _assign(previous, who)
            pending = who
            continue
        if b.rendering == Rendering.INTERPRETED and b.pair is not None and b.pair < len(blocks):
            src = blocks[b.pair]
            if src.speaker or src.role != Role.UNKNOWN:
                b.speaker, b.role, b.title = src.speaker, src.role, src.title
                b.cue = (b.cue + "; " if b.cue else "") + "same speaker as the remark it renders"
        if b.role == Role.UNKNOWN and b.speaker is None:
            who = _who_for(text, pending, previous, known, in_qa)
            if who is None and in_qa and previous is not None and previous.role == Role.ANALYST:
                who = _english_answerer(b, english, interpreted_management)
            if who:
                _assign(b, who)
        if not in_qa and b.role in {Role.CEO, Role.CFO, Role.EXECUTIVE}:
            if b.rendering == Rendering.ORIGINAL:
                english[b.speaker] = cues.Who(b.speaker, b.role, b.title, "")
            else:
                interpreted_management = True
        pending = cues.next_speaker(text, known)
        previous = b


def _english_answerer(b: _Block, english: dict[str | None, cues.Who],
                      interpreted_management: bool) -> cues.Who | None:
    """In an interpreted call, an answer given in the original language comes from the one
    executive who gave their prepared remarks in it (the others spoke through the interpreter)."""
    if b.rendering != Rendering.ORIGINAL or not interpreted_management or len(english) != 1:
        return None
    who = next(iter(english.values()))
    return cues.Who(who.name, who.role, who.title,
                    f"answers in English, as only {who.name} did in the prepared remarks (inferred)")


def _who_for(text: str, pending: cues.Who | None, previous: _Block | None,
             known: dict[str, cues.Who], in_qa: bool) -> cues.Who | None:
    if cues.is_operator(text) or re.match(r"\s*(?:Thank you\.\s*)?Your line is open", text):
        return cues.Who("Operator", Role.OPERATOR, None, "operator's phrases")
    intro = cues.self_introduction(text, known)
    if pending and pending.role == Role.EXECUTIVE and intro and intro.name is None:
        return cues.Who(pending.name, pending.role, pending.title, pending.cue + "; " + intro.cue)
    if pending:
        return pending
    if intro:
        return intro
    if re.match(r"\s*Thank you,? (?:the )?operator", text, re.I) and previous is not None:
        return None
    continuing = previous is not None and previous.role in _MANAGEMENT - {Role.IR}
    if continuing and previous is not None and not in_qa and \
            not re.match(r"\s*(?:Thank you|Thanks)\b", text):
        return cues.Who(previous.speaker, previous.role, previous.title,
                        "continues the prepared remarks")
    return None


def _assign(b: _Block, who: cues.Who) -> None:
    b.speaker, b.role, b.title = who.name, who.role, who.title
    b.cue = (b.cue + "; " if b.cue else "") + who.cue


def _sections(source: str, blocks: list[_Block]) -> None:
    body = [b for b in blocks if not b.header]
    for b, section in zip(body, sections.assign([(b.role, source[b.start : b.end]) for b in body]),
                          strict=True):
        b.section = section


def _sentence_blocks(source: str) -> list[tuple[int, int]]:
    """Group one-sentence lines into turns: a hand-over or an operator line ends a turn."""
    blocks: list[tuple[int, int]] = []
    start: int | None = None
    last_end = 0
    for m in re.finditer(r"[^\n]*\S[^\n]*", source):
        line = m.group(0)
        operator = cues.is_operator(line)
        if operator and start is not None:
            blocks.append((start, last_end))
            start = None
        if start is None:
            start = m.start() + (len(line) - len(line.lstrip()))
        last_end = m.start() + len(line.rstrip())
        if operator or cues.next_speaker(line, {}) is not None:
            blocks.append((start, last_end))
            start = None
    if start is not None:
        blocks.append((start, last_end))
    return blocks
