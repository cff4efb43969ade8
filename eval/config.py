"""Gate thresholds from pyproject.toml, overridden by --min NAME=VALUE.

`[tool.qa.eval]` holds the thresholds of any gold set without its own table (the sample's);
`[tool.qa.eval.sets.NAME]` those of the gold set whose file stem is NAME (a set's table replaces
the defaults, it does not add to them)."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path

from eval.metrics import METRICS
from index.errors import ConfigError


def find_pyproject(start: Path | None = None) -> Path | None:
    """The nearest pyproject.toml with a [tool.qa.eval] table: from the working directory up,
    then the one beside the installed packages (a source checkout)."""
    here = (start or Path.cwd()).resolve()
    candidates = [d / "pyproject.toml" for d in (here, *here.parents)]
    candidates.append(Path(__file__).resolve().parents[1] / "pyproject.toml")
    for path in candidates:
        if path.is_file() and _table(path) is not None:
            return path
    return None


def _table(path: Path) -> dict[str, object] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    table = data.get("tool", {}).get("qa", {}).get("eval")
    return table if isinstance(table, dict) else None


def thresholds(pyproject: Path | None, overrides: Iterable[str] = (),
               gold_set: str | None = None) -> dict[str, float]:
    """The thresholds for the gold set named `gold_set` (a file stem), or the defaults."""
    found: dict[str, float] = {}
    if pyproject is not None:
        table, where = _set_table(_table(pyproject) or {}, gold_set, str(pyproject))
        for name, value in table.items():
            found[name] = _number(name, value, where)
    for text in overrides:
        name, sep, value = text.partition("=")
        if not sep:
            raise ConfigError(f"--min takes NAME=VALUE (e.g. fact_accuracy=0.8), not {text!r}")
        found[name.strip()] = _number(name.strip(), value, "--min")
    unknown = sorted(set(found) - set(METRICS))
    if unknown:
        raise ConfigError(f"unknown metric(s) {', '.join(unknown)}; known: {', '.join(METRICS)}")
    return found


def _set_table(table: dict[str, object], gold_set: str | None,
               where: str) -> tuple[dict[str, object], str]:
    sets = table.get("sets", {})
    if not isinstance(sets, dict):
        raise ConfigError(f"{where}: [tool.qa.eval.sets] must be a table of tables, one per gold set")
    if gold_set is not None and gold_set in sets:
        own = sets[gold_set]
        if not isinstance(own, dict):
            raise ConfigError(f"{where}: [tool.qa.eval.sets.{gold_set}] must be a table of thresholds")
        return own, f"{where} [tool.qa.eval.sets.{gold_set}]"
    return {k: v for k, v in table.items() if k != "sets"}, f"{where} [tool.qa.eval]"


def _number(name: str, value: object, where: str) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: threshold for {name} must be a number, not {value!r}") from None
