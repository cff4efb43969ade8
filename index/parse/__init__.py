"""Files in, Transcripts out. The format is detected from the content, not the file name.

Formats: "json" (exports), "labelled" ("Operator:", "Name -- Title", "Name: text"),
"paragraphs" (one unlabelled paragraph per line, like the bundled sample), "sentences"
(one sentence per line), "plain" (blank-line-separated paragraphs, anything else).

A file that does not look like a call (markup, a table, code, settings, a Markdown document,
JSON without turns; `sniff.py`) raises NotATranscript unless `force`; company, ticker, period
and date come from `meta.py`.
"""

from __future__ import annotations

import hashlib
import re
import stat
from pathlib import Path

from index.errors import UnreadableTranscript
from index.parse import jsonfmt, labelled, meta, sniff, unlabelled
from index.text import paragraph_spans
from index.types import Transcript, Turn

MAX_BYTES = 20 * 1024 * 1024
FORCE_HINT = "--force indexes it anyway"


class NotATranscript(UnreadableTranscript):
    """The file reads as text but does not look like a call (README, CSV, HTML, code...)."""

    def __init__(self, path: str, looks_like: str, hint: str = FORCE_HINT) -> None:
        super().__init__(path, f"looks like {looks_like} (not a call transcript); {hint}")
        self.looks_like = looks_like


def transcript_id(path: Path) -> str:
    """The id a file gets from its path alone (see meta.id_candidates for the full rule)."""
    return meta.path_ids(path)[0]


def decode(path: Path, data: bytes, max_bytes: int = MAX_BYTES) -> str:
    """Bytes -> text, or UnreadableTranscript saying why and what to do."""
    where = str(path)
    if not data.strip():
        raise UnreadableTranscript(where, "empty file; nothing to index")
    if len(data) > max_bytes:
        raise UnreadableTranscript(where, _too_large(max_bytes))
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


def _too_large(max_bytes: int) -> str:
    return f"larger than {max_bytes / 2**20:.3g} MiB; split it, or raise the limit with --max-size"


def read_transcript(path: str | Path, force: bool = False, max_bytes: int = MAX_BYTES) -> Transcript:
    """Parse a file; `force` indexes files that do not look like a call (as plain text). Only a
    regular file of at most `max_bytes` is read: a FIFO would block and a device never end."""
    path = Path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "a pipe" if stat.S_ISFIFO(info.st_mode) \
                else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "not a file"
            raise UnreadableTranscript(str(path), f"{kind}, not a regular file; only files are read")
        if info.st_size > max_bytes:
            raise UnreadableTranscript(str(path), _too_large(max_bytes))
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)  # a file that grows while read is still bounded
    except OSError as e:
        raise UnreadableTranscript(str(path), f"cannot read it ({e.strerror or e})") from e
    return parse_text(decode(path, data, max_bytes), path, hashlib.sha256(data).hexdigest(), force)


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


def parse_text(source: str, path: Path, sha256: str, force: bool = False) -> Transcript:
    fmt = detect_format(source)
    declared: dict[str, str] = {}
    turns: list[Turn] = []
    if fmt == "json":
        try:
            turns, declared = jsonfmt.parse(source, str(path))
        except UnreadableTranscript as e:
            if not force:
                raise _json_problem(source, str(path), e) from e
            fmt = "plain"  # --force: index the JSON as text
    elif not force:
        looks_like = sniff.not_a_call(source)
        if looks_like:
            raise NotATranscript(str(path), looks_like)
    json_spans = fmt == "json"
    if json_spans:
        pass  # turns parsed above
    elif fmt == "labelled":
        turns = labelled.parse(source)
    elif fmt == "sentences":
        turns = unlabelled.parse_sentences(source)
    else:
        spans = paragraph_spans(source, by_blank_lines=(fmt == "plain"))
        turns = unlabelled.parse_blocks(source, [s for s in spans if not _date_line(source, s)])
    if not turns:
        raise UnreadableTranscript(str(path), "no text found to index")
    text_for_meta = "\n".join(t.text for t in turns) if json_spans else source
    found = meta.call_meta(text_for_meta, path, declared)
    return Transcript(
        id=meta.id_candidates(found, path)[0],
        path=str(path.resolve()),
        source=source,
        sha256=sha256,
        format=fmt,
        turns=tuple(turns),
        company=found.company,
        period=found.period,
        date=found.date,
        turn_texts_are_json=json_spans,
        ticker=found.ticker,
    )


def _json_problem(source: str, path: str, e: UnreadableTranscript) -> UnreadableTranscript:
    """JSON that parses but holds no turns is data, not a call: skipped with the --force hint.
    JSON that does not parse stays unreadable (fix the file)."""
    import json

    try:
        json.loads(source)
    except (ValueError, RecursionError):
        return e
    return NotATranscript(path, "JSON without turns", hint=f"{e.why.split(': ', 1)[-1]}; "
                                                           "--force indexes it as plain text")


_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def _date_line(source: str, span: tuple[int, int]) -> bool:
    return bool(_DATE.match(source[span[0] : span[1]]))


__all__ = ["read_transcript", "parse_text", "detect_format", "NotATranscript", "Transcript", "Turn"]
