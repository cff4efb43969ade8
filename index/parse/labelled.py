"""Labelled transcripts: "Operator:", "Name -- Title" header lines, "Name: text" lines."""

from __future__ import annotations

import re
from dataclasses import replace

from index.parse import cues, sections
from index.text import trim
from index.types import Role, Section, Turn

# "Henry Hou -- Chief Financial Officer" / "Timothy Tsao -- Goldman Sachs -- Analyst"
_HEADER = re.compile(r"^[ \t]*([A-Z][\w.'\-]*(?:[ \t]+[A-Z][\w.'\-]*){0,4})[ \t]+(?:--|\u2014|\u2013)"
                     r"[ \t]+(.{2,120}?)[ \t]*$", re.M)
# "Operator:" alone, or "Name: text" / "Name (Title): text"
_INLINE = re.compile(r"^[ \t]*(Operator|[A-Z][\w.'\-]*(?:[ \t]+[A-Z][\w.'\-]*){0,4})"
                     r"(?:[ \t]*\(([^)\n]{2,80})\))?[ \t]*:[ \t]*", re.M)
_SECTION_HEAD = re.compile(r"^[ \t]*(Prepared Remarks|Questions (?:and|&) Answers|Q&A|"
                           r"Question-and-Answer Session)[ \t]*:?[ \t]*$", re.M | re.I)
_NOT_NAMES = {"Note", "Source", "Date", "Title", "Company", "Call", "Webcast", "Participants",
              "Duration", "Time", "Ticker", "Image", "Forward", "Disclaimer", "Good", "Thank"}


# Motley Fool files put the operator's label alone on its line: "Operator"
_BARE_OPERATOR = re.compile(r"^[ \t]*(Operator)[ \t]*$", re.M)


def looks_labelled(source: str) -> bool:
    labels = [m for m in _INLINE.finditer(source) if _is_name(m.group(1))]
    headers = len(list(_HEADER.finditer(source)))
    found = len(labels) + headers + (len(list(_BARE_OPERATOR.finditer(source))) if headers else 0)
    lines = sum(1 for ln in source.splitlines() if ln.strip())
    return found >= 3 or (found >= 2 and found >= 0.3 * lines)


def _is_name(label: str) -> bool:
    if _SECTION_HEAD.fullmatch(label + ":") or _SECTION_HEAD.fullmatch(label):
        return False
    return label.split()[0] not in _NOT_NAMES and len(label) <= 60


def parse(source: str) -> list[Turn]:
    marks = _labels(source)
    heads = [(m.start(), m.end(), m.group(1)) for m in _SECTION_HEAD.finditer(source)]
    turns: list[Turn] = []
    titles = {name: title for _s, _e, name, title in marks if title}
    for n, (label_start, text_start, name, title) in enumerate(marks):
        title = title or titles.get(name)
        end = marks[n + 1][0] if n + 1 < len(marks) else len(source)
        for h_start, _h_end, _ in heads:
            if text_start <= h_start < end:
                end = h_start
        start, end = trim(source, text_start, end)
        if start >= end:
            continue
        role = Role.OPERATOR if name.lower() == "operator" else cues.role_from_title(title or "")
        if role == Role.EXECUTIVE and not title:
            role = Role.UNKNOWN
        section = _section_for(label_start, heads)
        turns.append(Turn(index=len(turns), start=start, end=end, text=source[start:end],
                          speaker="Operator" if role == Role.OPERATOR else name, role=role,
                          section=section or Section.PREPARED, title=title,
                          cue="labelled in the file"))
    return _infer_sections(turns, explicit=bool(heads))


def _labels(source: str) -> list[tuple[int, int, str, str | None]]:
    found: dict[int, tuple[int, int, str, str | None]] = {}
    for m in _HEADER.finditer(source):
        name, rest = m.group(1), m.group(2)
        parts = [p.strip() for p in re.split(r"\s+(?:--|\u2014|\u2013)\s+", rest)]
        title = " -- ".join(parts)
        found[m.start()] = (m.start(), m.end(), name, title)
    for m in _INLINE.finditer(source):
        if not _is_name(m.group(1)) or any(s <= m.start() < e for s, e, *_ in found.values()):
            continue
        found[m.start()] = (m.start(), m.end(), m.group(1), m.group(2))
    if found and any(title for *_x, title in found.values()):
        for m in _BARE_OPERATOR.finditer(source):
            found.setdefault(m.start(), (m.start(), m.end(), "Operator", None))
    return [found[k] for k in sorted(found)]


def _section_for(pos: int, heads: list[tuple[int, int, str]]) -> Section | None:
    current = None
    for start, _end, name in heads:
        if start <= pos:
            current = Section.PREPARED if name.lower().startswith("prepared") else Section.QA
    return current


def _infer_sections(turns: list[Turn], explicit: bool) -> list[Turn]:
    if explicit:  # the operator's welcome and the IR's safe harbour open the call, under any heading
        out, opening = [], True
        for t in turns:
            opening = opening and t.section != Section.QA and t.role in (Role.OPERATOR, Role.IR)
            out.append(replace(t, section=Section.OPENING) if opening else t)
        return out
    found = sections.assign([(t.role, t.text) for t in turns])
    return [replace(t, section=sec) for t, sec in zip(turns, found, strict=True)]
