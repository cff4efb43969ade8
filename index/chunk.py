"""Turns -> Chunks, sized with tiktoken for the embedder's window; a chunk never crosses a turn.

A turn is cut at sentence boundaries into chunks of at most MAX_TOKENS cl100k tokens; a
sentence longer than that is cut at white space. The embedder sees a short header (company,
period, speaker, section) before the chunk text; header + text must fit the embedder's
256 word pieces, which is checked with the embedder's own tokenizer, so nothing is ever
silently truncated.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from index.text import sentence_spans
from index.types import ROLE_LABELS, SECTION_LABELS, Chunk, Rendering, Transcript, Turn

CHUNKER_VERSION = "sentences-v3"
MAX_TOKENS = 200

Counter = Callable[[str], int]


def chunk_transcript(t: Transcript, count_tokens: Counter, count_pieces: Counter | None = None,
                     limit: int = 256) -> list[Chunk]:
    chunks: list[Chunk] = []
    for turn in t.turns:
        for part, (a, b) in enumerate(_turn_spans(turn.text, count_tokens, count_pieces, limit,
                                                  header(t, turn))):
            start, end = t.file_span(turn, a, b)
            text = turn.text[a:b]
            digest = hashlib.sha1(text.encode()).hexdigest()[:10]
            chunks.append(Chunk(
                id=f"{t.id}:{turn.index:04d}:{part:02d}:{digest}",
                transcript=t.id, turn=turn.index, part=part, start=start, end=end, text=text,
                tokens=count_tokens(text), speaker=turn.speaker, role=turn.role,
                section=turn.section, title=turn.title, rendering=turn.rendering,
                company=t.company, period=t.period,
            ))
    return chunks


def header(t: Transcript, turn: Turn) -> str:
    who = turn.speaker or ROLE_LABELS[turn.role]
    if turn.role.value not in ("unknown", "operator") and turn.speaker:
        who = f"{turn.speaker} ({turn.title or ROLE_LABELS[turn.role]})"
    bits = [t.company or t.id, t.period or "", who, SECTION_LABELS[turn.section]]
    if turn.rendering == Rendering.MACHINE:
        bits.append("machine translation")
    return " | ".join(b for b in bits if b)


def embed_text(chunk: Chunk, head: str) -> str:
    return f"{head}\n{chunk.text}"


def _turn_spans(text: str, count: Counter, pieces: Counter | None, limit: int,
                head: str) -> list[tuple[int, int]]:
    units: list[tuple[int, int]] = []
    for a, b in sentence_spans(text):
        units.extend(_split_long(text, a, b, count))
    spans: list[tuple[int, int]] = []
    cur: tuple[int, int] | None = None
    for a, b in units:
        if cur is None:
            cur = (a, b)
        elif count(text[cur[0] : b]) <= MAX_TOKENS:
            cur = (cur[0], b)
        else:
            spans.append(cur)
            cur = (a, b)
    if cur is not None:
        spans.append(cur)
    if pieces is None:
        return spans
    return [s for span in spans for s in _fit(text, span, pieces, limit, head)]


def _split_long(text: str, a: int, b: int, count: Counter) -> list[tuple[int, int]]:
    """Cut a sentence longer than MAX_TOKENS at white space, or, where it has none (Chinese
    text, a run-on string), at the longest prefix that fits. Each cut looks no further than
    about twice the text that fits, so a megabyte without a space costs time in proportion to
    its length, not its square."""
    out: list[tuple[int, int]] = []
    while a < b:
        cut = _longest_fit(text, a, b, count)
        if cut >= b:
            out.append((a, b))
            break
        spaces = [m.start() + a for m in re.finditer(r"\s+", text[a:cut])]
        if spaces and spaces[-1] > a and not text[cut].isspace():
            cut = spaces[-1]  # prefer the last white space before the limit
        out.append(_strip(text, a, cut))
        a = cut
        while a < b and text[a].isspace():
            a += 1
    return [s for s in out if s[0] < s[1]]


def _longest_fit(text: str, a: int, b: int, count: Counter) -> int:
    """The largest end e (a < e <= b) with count(text[a:e]) <= MAX_TOKENS, by bisection; b when
    all of it fits. The window doubles from 4 characters a token until it no longer fits (or
    reaches b), so the counting is over at most twice the text that fits."""
    lo, width = a + 1, MAX_TOKENS * 4
    while a + width < b and count(text[a : a + width]) <= MAX_TOKENS:
        lo, width = a + width, width * 2
    hi = min(b, a + width)
    if hi == b and count(text[a:b]) <= MAX_TOKENS:
        return b
    hi -= 1  # text[a:hi + 1] does not fit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if count(text[a:mid]) <= MAX_TOKENS:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _fit(text: str, span: tuple[int, int], pieces: Counter, limit: int,
         head: str) -> list[tuple[int, int]]:
    """Halve a span (at a sentence or space) until header + text fit the embedder's window."""
    a, b = span
    if pieces(f"{head}\n{text[a:b]}") <= limit:
        return [span]
    inner = [s for s in sentence_spans(text, a, b)]
    if len(inner) < 2:
        inner = [(m.start() + a, m.end() + a) for m in re.finditer(r"\S+", text[a:b])]
    if len(inner) < 2:  # one huge "word": cut it in the middle
        mid = (a + b) // 2
        return (_fit(text, (a, mid), pieces, limit, head) + _fit(text, (mid, b), pieces, limit, head)
                if b - a > 1 else [span])
    mid = len(inner) // 2
    left, right = (inner[0][0], inner[mid - 1][1]), (inner[mid][0], inner[-1][1])
    return _fit(text, left, pieces, limit, head) + _fit(text, right, pieces, limit, head)
