"""The index stage's types: Transcript -> Turn -> Chunk.

Frozen dataclasses; the only place that knows Chroma's flat metadata format is
`Chunk.to_metadata()` / `Chunk.from_metadata()`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    OPERATOR = "operator"
    IR = "investor_relations"
    CEO = "ceo"
    CFO = "cfo"
    EXECUTIVE = "executive"  # any other executive
    ANALYST = "analyst"
    INTERPRETER = "interpreter"
    UNKNOWN = "unknown"


class Section(StrEnum):
    OPENING = "opening"  # operator welcome, safe-harbour statement
    PREPARED = "prepared"  # management's prepared remarks
    QA = "qa"


class Rendering(StrEnum):
    """How the words of a turn reached the transcript."""

    ORIGINAL = "original"  # spoken in the transcript's language
    MACHINE = "machine"  # machine translation of a remark in another language
    INTERPRETED = "interpreted"  # the interpreter's (or the speaker's own) rendering of it


ROLE_LABELS = {
    Role.OPERATOR: "Operator",
    Role.IR: "Investor relations",
    Role.CEO: "CEO",
    Role.CFO: "CFO",
    Role.EXECUTIVE: "Executive",
    Role.ANALYST: "Analyst",
    Role.INTERPRETER: "Interpreter",
    Role.UNKNOWN: "Unknown",
}
SECTION_LABELS = {
    Section.OPENING: "Opening",
    Section.PREPARED: "Prepared remarks",
    Section.QA: "Q&A",
}


@dataclass(frozen=True)
class Turn:
    """One speaker's uninterrupted remark: an exact span [start, end) of the file."""

    index: int
    start: int
    end: int
    text: str
    speaker: str | None = None
    role: Role = Role.UNKNOWN
    section: Section = Section.PREPARED
    title: str | None = None  # "Head of the CDN business", "Goldman Sachs"
    rendering: Rendering = Rendering.ORIGINAL
    pair: int | None = None  # index of the other rendering of the same remark
    cue: str = ""  # why the speaker was inferred, for `qa transcripts --turns`

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "start": self.start,
            "end": self.end,
            "speaker": self.speaker,
            "role": self.role.value,
            "section": self.section.value,
            "title": self.title,
            "rendering": self.rendering.value,
            "pair": self.pair,
            "cue": self.cue,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any], text: str) -> Turn:
        return cls(
            index=d["index"],
            start=d["start"],
            end=d["end"],
            text=text,
            speaker=d.get("speaker"),
            role=Role(d.get("role", "unknown")),
            section=Section(d.get("section", "prepared")),
            title=d.get("title"),
            rendering=Rendering(d.get("rendering", "original")),
            pair=d.get("pair"),
            cue=d.get("cue", ""),
        )


@dataclass(frozen=True)
class Transcript:
    """A parsed file. `source` is the file's full decoded text; offsets index into it."""

    id: str
    path: str
    source: str
    sha256: str
    format: str
    turns: tuple[Turn, ...] = ()
    company: str | None = None
    period: str | None = None  # "2024Q2"
    date: str | None = None
    turn_texts_are_json: bool = False  # JSON exports: spans are JSON string contents
    ticker: str | None = None  # "AFL"

    def span(self, start: int, end: int) -> str:
        """The text a reader sees for file offsets [start, end)."""
        raw = self.source[start:end]
        if self.turn_texts_are_json:
            return json.loads('"' + raw + '"')
        return raw

    def file_span(self, turn: Turn, a: int, b: int) -> tuple[int, int]:
        """File offsets of turn.text[a:b]."""
        if not self.turn_texts_are_json:
            return turn.start + a, turn.start + b
        from index.text import json_raw_map

        m = json_raw_map(self.source[turn.start : turn.end])
        return turn.start + m[a], turn.start + m[b]

    def local_offset(self, turn: Turn, file_offset: int) -> int:
        """Index into turn.text of a file offset inside the turn (inverse of file_span)."""
        if not self.turn_texts_are_json:
            return file_offset - turn.start
        from bisect import bisect_left

        from index.text import json_raw_map

        m = json_raw_map(self.source[turn.start : turn.end])
        return bisect_left(m, file_offset - turn.start)

    def turn_at(self, offset: int) -> Turn | None:
        for turn in self.turns:
            if turn.start <= offset < turn.end:
                return turn
        return None


@dataclass(frozen=True)
class Chunk:
    """A piece of one turn, sized for the embedder; never crosses a turn."""

    id: str
    transcript: str
    turn: int
    part: int
    start: int
    end: int
    text: str
    tokens: int
    speaker: str | None = None
    role: Role = Role.UNKNOWN
    section: Section = Section.PREPARED
    title: str | None = None
    rendering: Rendering = Rendering.ORIGINAL
    company: str | None = None
    period: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    ticker: str | None = None

    def to_metadata(self) -> dict[str, str | int]:
        meta: dict[str, str | int] = {
            "transcript": self.transcript,
            "turn": self.turn,
            "part": self.part,
            "start": self.start,
            "end": self.end,
            "tokens": self.tokens,
            "role": self.role.value,
            "section": self.section.value,
            "rendering": self.rendering.value,
        }
        for key in ("speaker", "title", "company", "period", "ticker"):
            value = getattr(self, key)
            if value:
                meta[key] = value
        return meta

    @classmethod
    def from_metadata(cls, id: str, text: str, meta: dict[str, Any]) -> Chunk:
        return cls(
            id=id,
            transcript=str(meta["transcript"]),
            turn=int(meta["turn"]),
            part=int(meta["part"]),
            start=int(meta["start"]),
            end=int(meta["end"]),
            text=text,
            tokens=int(meta.get("tokens", 0)),
            speaker=meta.get("speaker"),
            role=Role(meta.get("role", "unknown")),
            section=Section(meta.get("section", "prepared")),
            title=meta.get("title"),
            rendering=Rendering(meta.get("rendering", "original")),
            company=meta.get("company"),
            period=meta.get("period"),
            ticker=meta.get("ticker"),
        )
