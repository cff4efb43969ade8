"""JSON exports: a list of {speaker, text} turns, or Motley-Fool-style objects with prepared
remarks and Q&A lists. Offsets point at the contents of the JSON string literals."""

from __future__ import annotations

import json
import json.decoder
import json.scanner
import re
from typing import Any

from index.errors import UnreadableTranscript
from index.parse import cues, sections
from index.text import json_raw_map
from index.types import Role, Section, Turn

_TEXT_KEYS = ("text", "content", "paragraph", "speech", "body", "transcript")
_SPEAKER_KEYS = ("speaker", "name", "speaker_name")
_TITLE_KEYS = ("title", "role", "speaker_title", "position")
_PREPARED_KEYS = ("prepared_remarks", "prepared", "presentation", "remarks")
_QA_KEYS = ("questions_and_answers", "qa", "q_and_a", "questions", "question_and_answer")


class _Located(str):
    """A decoded JSON string that remembers where its contents sit in the file."""

    raw_start: int
    raw_end: int


def _scanstring(s: str, end: int, strict: bool = True) -> tuple[str, int]:
    value, new_end = json.decoder.scanstring(s, end, strict)  # type: ignore[attr-defined]
    located = _Located(value)
    located.raw_start, located.raw_end = end, new_end - 1
    return located, new_end


def load_located(source: str) -> Any:
    decoder = json.JSONDecoder()
    decoder.parse_string = _scanstring  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    return decoder.decode(source)


def looks_json(source: str) -> bool:
    """JSON starts with { or with [ followed by an object, a string or ]: "[Music]" is text."""
    return re.match(r"\s*(?:\{|\[\s*(?:[{\"\]]|$))", source) is not None


def parse(source: str, path: str) -> tuple[list[Turn], dict[str, str]]:
    try:
        data = load_located(source)
    except ValueError as e:
        raise UnreadableTranscript(path, f"looks like JSON but does not parse ({e}); fix the "
                                         "file or save it as plain text") from e
    except RecursionError as e:
        raise UnreadableTranscript(path, "JSON nested too deeply to be a transcript export; fix the "
                                         "file or save it as plain text") from e
    meta: dict[str, str] = {}
    rows: list[tuple[dict[str, Any], Section | None]] = []
    if isinstance(data, dict):
        for key in ("company", "company_name", "ticker", "period", "quarter", "date", "fiscal_period"):
            if isinstance(data.get(key), str | int):
                meta[key] = str(data[key])
        sections = [(k, Section.PREPARED) for k in _PREPARED_KEYS] + [(k, Section.QA) for k in _QA_KEYS]
        for key, section in sections:
            if isinstance(data.get(key), list):
                rows += [(r, section) for r in data[key] if isinstance(r, dict)]
        for key in ("turns", "transcript", "segments", "utterances"):
            if not rows and isinstance(data.get(key), list):
                rows = [(r, None) for r in data[key] if isinstance(r, dict)]
    elif isinstance(data, list):
        rows = [(r, None) for r in data if isinstance(r, dict)]
    turns = [t for t in (_turn(i, r, s, source) for i, (r, s) in enumerate(rows)) if t]
    if not turns:
        raise UnreadableTranscript(path, "JSON without turns: expected a list of {speaker, text} "
                                         "objects or prepared_remarks / questions_and_answers lists")
    return _renumber(turns), meta


def _pick(row: dict[str, Any], keys: tuple[str, ...]) -> Any:
    lowered = {k.lower(): v for k, v in row.items()}
    for key in keys:
        if key in lowered:
            return lowered[key]
    return None


def _turn(i: int, row: dict[str, Any], section: Section | None, source: str) -> Turn | None:
    text = _pick(row, _TEXT_KEYS)
    if not isinstance(text, _Located) or not text.strip():
        return None
    speaker = _pick(row, _SPEAKER_KEYS)
    title = _pick(row, _TITLE_KEYS)
    speaker = str(speaker) if speaker else None
    title = str(title) if title else None
    if speaker and speaker.lower() == "operator":
        role, speaker = Role.OPERATOR, "Operator"
    else:
        role = cues.role_from_title(title) if title else Role.UNKNOWN
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    rmap = json_raw_map(source[text.raw_start : text.raw_end])
    start, end = text.raw_start + rmap[lead], text.raw_start + rmap[len(text) - trail]
    sec = section
    declared = _pick(row, ("section",))
    if isinstance(declared, str):
        sec = Section.QA if "q" in declared.lower() else Section.PREPARED
    return Turn(index=i, start=start, end=end, text=text.strip(), speaker=speaker, role=role,
                section=sec or Section.PREPARED, title=title, cue="labelled in the file")


def _renumber(turns: list[Turn]) -> list[Turn]:
    from dataclasses import replace

    turns = [replace(t, index=i) for i, t in enumerate(turns)]
    if any(t.section == Section.QA for t in turns):  # the file says where the Q&A is
        return turns
    found = sections.assign([(t.role, t.text) for t in turns])
    return [replace(t, section=sec) for t, sec in zip(turns, found, strict=True)]
