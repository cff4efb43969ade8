"""Files in, Transcripts out. The format is detected from the content, not the file name.

Formats: "json" (exports), "labelled" ("Operator:", "Name -- Title", "Name: text"),
"paragraphs" (one unlabelled paragraph per line, like the bundled sample), "sentences"
(one sentence per line), "plain" (blank-line-separated paragraphs, anything else).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from index.errors import UnreadableTranscript
from index.parse import cues, jsonfmt, labelled, unlabelled
from index.text import paragraph_spans
from index.types import Transcript, Turn

MAX_BYTES = 20 * 1024 * 1024


def transcript_id(path: Path) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return slug or "transcript"


def decode(path: Path, data: bytes) -> str:
    """Bytes -> text, or UnreadableTranscript saying why and what to do."""
    where = str(path)
    if not data.strip():
        raise UnreadableTranscript(where, "empty file; nothing to index")
    if len(data) > MAX_BYTES:
        raise UnreadableTranscript(where, f"larger than {MAX_BYTES // 2**20} MiB; split it")
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as e:
                raise UnreadableTranscript(
                    where, f"starts like {codec.upper()} text but does not decode as it (bad byte "
                           f"at offset {e.start}); re-save it as UTF-8") from e
    if b"\x00" in data[:8192]:
        raise UnreadableTranscript(where, "binary file (contains NUL bytes), not a transcript")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UnreadableTranscript(
            where, f"not UTF-8 text (bad byte at offset {e.start}); re-save it as UTF-8") from e
    controls = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > 0.01 * min(len(text), 8192):
        raise UnreadableTranscript(where, "binary file (control characters), not a transcript")
    return text


def read_transcript(path: str | Path) -> Transcript:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise UnreadableTranscript(str(path), f"cannot read it ({e.strerror or e})") from e
    return parse_text(decode(path, data), path, hashlib.sha256(data).hexdigest())


def detect_format(source: str) -> str:
    if jsonfmt.looks_json(source):
        return "json"
    if labelled.looks_labelled(source):
        return "labelled"
    lines = [ln for ln in source.splitlines() if ln.strip()]
    if len(lines) >= 5:
        mean = sum(len(ln) for ln in lines) / len(lines)
        ends = sum(1 for ln in lines if re.search(r"[.!?]['\")\]]*\s*$", ln)) / len(lines)
        blank_separated = re.search(r"\n[ \t]*\n", source) is not None
        if mean < 250 and (ends > 0.6 or not blank_separated):
            return "sentences"  # one sentence, or one audio-aligned fragment (MAEC), per line
    if re.search(r"\n[ \t]*\n", source) and not _one_paragraph_per_line(lines):
        return "plain"
    return "paragraphs"


def _one_paragraph_per_line(lines: list[str]) -> bool:
    return bool(lines) and sum(len(ln) for ln in lines) / len(lines) > 250


def parse_text(source: str, path: Path, sha256: str) -> Transcript:
    fmt = detect_format(source)
    meta: dict[str, str] = {}
    json_spans = False
    if fmt == "json":
        turns, meta = jsonfmt.parse(source, str(path))
        json_spans = True
    elif fmt == "labelled":
        turns = labelled.parse(source)
    elif fmt == "sentences":
        turns = unlabelled.parse_sentences(source)
    else:
        spans = paragraph_spans(source, by_blank_lines=(fmt == "plain"))
        turns = unlabelled.parse_blocks(source, [s for s in spans if not _date_line(source, s)])
    if not turns:
        raise UnreadableTranscript(str(path), "no text found to index")
    text_for_meta = " ".join(t.text for t in turns[:12])
    company, period = cues.company_and_period(text_for_meta)
    return Transcript(
        id=transcript_id(path),
        path=str(path.resolve()),
        source=source,
        sha256=sha256,
        format=fmt,
        turns=tuple(turns),
        company=meta.get("company") or meta.get("company_name") or company,
        period=_period(meta) or period or cues.period_from_name(path.stem),
        date=meta.get("date") or _date(source),
        turn_texts_are_json=json_spans,
    )


def _period(meta: dict[str, str]) -> str | None:
    raw = meta.get("period") or meta.get("fiscal_period") or meta.get("quarter")
    return cues.period_from_name(raw) if raw else None


_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def _date_line(source: str, span: tuple[int, int]) -> bool:
    return bool(_DATE.match(source[span[0] : span[1]]))


def _date(source: str) -> str | None:
    for line in source.splitlines()[:6]:
        m = _DATE.match(line)
        if m:
            return f"{m.group(3)}-{int(m.group(1)):02d}-{int(m.group(2)):02d}"
    return None


__all__ = ["read_transcript", "parse_text", "detect_format", "Transcript", "Turn"]
