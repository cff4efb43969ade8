"""Gold files in: YAML validated at the trust boundary (pydantic), paths resolved.

Two kinds of item share one format:
- a question item (`question:` and `answerable:`) is asked through the pipeline; optional
  `speaker`/`role`/`section` describe who says its evidence, checked against the citations;
- an attribution-only item (no `question:`) names exactly one evidence sentence and at least one
  of `speaker`/`role`/`section`; it is checked against the parsed transcript's turns.
`speaker: null` means "the call does not name them": a right attribution then gives no name.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from index.errors import ConfigError, first_problem
from index.types import Role, Section

ATTRIBUTION_FIELDS = ("speaker", "role", "section")
ROLES = tuple(r.value for r in Role if r != Role.UNKNOWN)  # "unknown" is no label: leave role out
SECTIONS = tuple(s.value for s in Section)


def _one_of(value: str | None, allowed: tuple[str, ...], key: str) -> str | None:
    if value is not None and value not in allowed:
        raise ValueError(f"{key} {value!r} is not one of {', '.join(allowed)}")
    return value


class GoldItem(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)  # more optional keys are welcome

    id: str
    transcript: str | list[str]
    question: str | None = None
    answerable: bool | None = None
    facts: list[list[str]] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    kind: str | None = None
    note: str | None = None
    layout: str | None = None
    speaker: str | None = None  # null: the call does not name the person
    role: str | None = None  # a Role value
    section: str | None = None  # a Section value

    @field_validator("transcript")
    @classmethod
    def _some_transcript(cls, v: str | list[str]) -> str | list[str]:
        if isinstance(v, list) and not v:
            raise ValueError("names no transcript (give a file or a list of files)")
        return v

    @field_validator("role")
    @classmethod
    def _a_role(cls, v: str | None) -> str | None:
        return _one_of(v, ROLES, "role")

    @field_validator("section")
    @classmethod
    def _a_section(cls, v: str | None) -> str | None:
        return _one_of(v, SECTIONS, "section")

    @model_validator(mode="after")
    def _consistent(self) -> GoldItem:
        if any(not group for group in self.facts):
            raise ValueError("a fact group is empty")
        if self.question is None:
            self._check_attribution_only()
        elif self.answerable is None:
            raise ValueError("a question item needs `answerable: true|false`")
        elif self.answerable and not (self.facts or self.evidence):
            raise ValueError("an answerable item needs facts or evidence")
        return self

    def _check_attribution_only(self) -> None:
        if len(self.evidence) != 1:
            raise ValueError("an item without a question needs exactly one "
                             f"evidence string (it has {len(self.evidence)})")
        if not self.expected:
            raise ValueError("an item without a question needs at least one "
                             "of speaker, role, section")
        if self.facts or self.answerable is not None:
            raise ValueError("facts and answerable belong to question items; "
                             "add a `question:` or remove them")

    @property
    def files(self) -> list[str]:
        """The transcript file(s) the item is about (a comparison names several)."""
        return [self.transcript] if isinstance(self.transcript, str) else list(self.transcript)

    @property
    def asks(self) -> bool:
        return self.question is not None

    @property
    def expected(self) -> dict[str, str | None]:
        """The attribution fields the item gives: speaker may be None (unnamed), the others not."""
        out: dict[str, str | None] = {}
        if "speaker" in self.model_fields_set:
            out["speaker"] = self.speaker
        if self.role is not None:
            out["role"] = self.role
        if self.section is not None:
            out["section"] = self.section
        return out


class GoldFile(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    transcripts: str | None = None
    items: list[GoldItem]

    @model_validator(mode="after")
    def _ids_unique(self) -> GoldFile:
        seen: set[str] = set()
        for item in self.items:
            if item.id in seen:
                raise ValueError(f"duplicate item id {item.id!r}")
            seen.add(item.id)
        return self

    @property
    def asks(self) -> bool:
        """Whether any item is a question (otherwise no index is needed)."""
        return any(item.asks for item in self.items)


def load_gold(path: str | Path) -> GoldFile:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"cannot read gold file {path}: {e.strerror or e}") from e
    except yaml.YAMLError as e:
        raise ConfigError(f"{path} is not valid YAML: {str(e).splitlines()[0]}") from e
    try:
        return GoldFile.model_validate(raw)
    except ValidationError as e:
        raise ConfigError(f"{path}: {_where(e, raw)}{first_problem(e).replace('Value error, ', '')} "
                          f"({e.error_count()} problem(s); see the gold format in the README)") from e


def _where(e: ValidationError, raw: object) -> str:
    """"item 'afl-s07': " when the first problem is inside an item that has an id."""
    loc = e.errors()[0]["loc"]
    if len(loc) >= 2 and loc[0] == "items" and isinstance(loc[1], int) and isinstance(raw, dict):
        items = raw.get("items")
        if isinstance(items, list) and loc[1] < len(items) and isinstance(items[loc[1]], dict):
            item_id = items[loc[1]].get("id")
            if item_id is not None:
                return f"item {item_id!r}: "
    return ""


def transcripts_dir(gold_path: str | Path, gold: GoldFile, override: str | Path | None) -> Path:
    """--transcripts DIR, else the gold file's `transcripts:` (relative to it), else its folder."""
    if override:
        return Path(override)
    base = Path(gold_path).resolve().parent
    return (base / gold.transcripts).resolve() if gold.transcripts else base


def transcript_files(gold: GoldFile, folder: Path) -> dict[str, Path]:
    """File name -> path for every transcript the items name; missing ones are an error."""
    files = {name: folder / name for item in gold.items for name in item.files}
    missing = sorted(name for name, p in files.items() if not p.is_file())
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise ConfigError(f"transcripts not found in {folder}: {', '.join(missing[:3])}{more} "
                          "(set `transcripts:` in the gold file or pass --transcripts DIR)")
    return files
