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

CHUNKER_VERSION = "sentences-v1"
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
    """Cut a sentence longer than MAX_TOKENS at white space."""
    if count(text[a:b]) <= MAX_TOKENS:
        return [(a, b)]
    out: list[tuple[int, int]] = []
    start = a
    last_cut = a
    for m in re.finditer(r"\s+", text[a:b]):
        cut = a + m.start()
        if count(text[start:cut]) > MAX_TOKENS and last_cut > start:
            out.append((start, last_cut))
            start = last_cut + len(re.match(r"\s*", text[last_cut:b]).group(0))  # type: ignore[union-attr]
        last_cut = cut
    if count(text[start:b]) > MAX_TOKENS and last_cut > start:
        out.append((start, last_cut))
        start = last_cut + len(re.match(r"\s*", text[last_cut:b]).group(0))  # type: ignore[union-attr]
    out.append((start, b))
    return [s for s in out if s[0] < s[1]]


def _fit(text: str, span: tuple[int, int], pieces: Counter, limit: int,
         head: str) -> list[tuple[int, int]]:
    """Halve a span (at a sentence or space) until header + text fit the embedder's window."""
    a, b = span
    if pieces(f"{head}\n{text[a:b]}") <= limit:
        return [span]
    inner = [s for s in sentence_spans(text, a, b)]
    if len(inner) < 2:
        inner = [(m.start() + a, m.end() + a) for m in re.finditer(r"\S+", text[a:b])]
    if len(inner) < 2:
        return [span]  # a single huge "word": nothing sensible to cut
    mid = len(inner) // 2
    left, right = (inner[0][0], inner[mid - 1][1]), (inner[mid][0], inner[-1][1])
    return _fit(text, left, pieces, limit, head) + _fit(text, right, pieces, limit, head)
