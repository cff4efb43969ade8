"""The qa stage's types: Hit (from index.store) -> Answer(citations=[Citation])."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from index.types import ROLE_LABELS, SECTION_LABELS, Role, Section

if TYPE_CHECKING:
    from qa.conflicts import FigureConflict


@dataclass(frozen=True)
class Citation:
    """A span [start, end) of the original transcript file and its exact text."""

    quote: str
    transcript: str
    start: int
    end: int
    turn: int
    speaker: str | None
    role: Role
    section: Section
    title: str | None = None
    rendering: str = "original"
    verified: bool = False  # computed by qa.verify, never asserted

    def who(self) -> str:
        name = self.speaker or "Unidentified speaker"
        label = self.title or ROLE_LABELS[self.role]
        if self.role in (Role.UNKNOWN, Role.OPERATOR) or self.speaker in (None, label):
            return name if self.speaker else label if self.role != Role.UNKNOWN else name
        return f"{name} ({label})"

    def where(self) -> str:
        via = {"interpreted": ", via the interpreter", "machine": ", machine translation"}
        return f"{SECTION_LABELS[self.section]}, turn {self.turn}{via.get(self.rendering, '')}"

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["role"] = self.role.value
        d["section"] = self.section.value
        return d


@dataclass(frozen=True)
class Answer:
    question: str
    text: str
    answerable: bool
    citations: tuple[Citation, ...] = ()
    nearest: tuple[Citation, ...] = ()  # shown when the call does not say
    mode: str = "quotes"
    model: str | None = None
    notices: tuple[str, ...] = ()
    retrieved: tuple[str, ...] = field(default=(), compare=False)  # chunk ids, best first
    removed_quotes: tuple[str, ...] = ()  # model quotes not found in the excerpt they cite
    unbacked_figures: tuple[str, ...] = ()  # figures in the answer no displayed quote backs
    conflicts: tuple[FigureConflict, ...] = ()  # quotes that give different values (qa.conflicts)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "answerable": self.answerable,
            "citations": [c.to_json() for c in self.citations],
            "nearest": [c.to_json() for c in self.nearest],
            "mode": self.mode,
            "model": self.model,
            "notices": list(self.notices),
            "retrieved": list(self.retrieved),
            "removed_quotes": list(self.removed_quotes),
            "unbacked_figures": list(self.unbacked_figures),
            "conflicts": [self._conflict_json(c) for c in self.conflicts],
        }

    def _conflict_json(self, c: FigureConflict) -> dict[str, Any]:
        """Values point at their citation by its number as displayed (1-based); `trusted` is
        the index into `values` (0-based)."""
        from qa.conflicts import who  # qa.conflicts imports this module

        spans = [(d.transcript, d.start, d.end) for d in self.citations]

        def number(d: Citation) -> int | None:
            key = (d.transcript, d.start, d.end)
            return spans.index(key) + 1 if key in spans else None

        return {"metric": c.metric, "trusted": c.trusted, "why": c.why,
                "values": [{"figure": v.figure, "citation": number(v.citation),
                            "who": who(v.citation)} for v in c.values]}


NOT_SAID = "The call does not say."
