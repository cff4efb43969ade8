"""Gold files in: YAML validated at the trust boundary (pydantic), paths resolved."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from index.errors import ConfigError, first_problem


class GoldItem(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)  # more optional keys are welcome

    id: str
    transcript: str
    question: str
    answerable: bool
    facts: list[list[str]] = Field(default_factory=list)
    evidence: list[str] = Field(default_factory=list)
    kind: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _answerable_items_say_what_is_right(self) -> GoldItem:
        if self.answerable and not (self.facts or self.evidence):
            raise ValueError("an answerable item needs facts or evidence")
        if any(not group for group in self.facts):
            raise ValueError("a fact group is empty")
        return self


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
        raise ConfigError(f"{path}: {first_problem(e)} ({e.error_count()} problem(s); "
                          "see the gold format in the README)") from e


def transcripts_dir(gold_path: str | Path, gold: GoldFile, override: str | Path | None) -> Path:
    """--transcripts DIR, else the gold file's `transcripts:` (relative to it), else its folder."""
    if override:
        return Path(override)
    base = Path(gold_path).resolve().parent
    return (base / gold.transcripts).resolve() if gold.transcripts else base


def transcript_files(gold: GoldFile, folder: Path) -> dict[str, Path]:
    """File name -> path for every transcript the items name; missing ones are an error."""
    files = {item.transcript: folder / item.transcript for item in gold.items}
    missing = sorted(name for name, p in files.items() if not p.is_file())
    if missing:
        raise ConfigError(f"transcripts not found in {folder}: {', '.join(missing)} "
                          "(set `transcripts:` in the gold file or pass --transcripts DIR)")
    return files
