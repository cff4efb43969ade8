"""Jinja2 templates for the language-model answerer, and one `render(name, **vars)`.

Templates are loaded with StrictUndefined (a missing variable is an error) and autoescape off.
Transcript text only ever arrives as a variable; it is never compiled as a template. A user may
override any template from a directory of their own (QA_PROMPTS_DIR); an override that uses a
variable the code does not pass is refused with a message naming it.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from index.errors import ConfigError

HERE = Path(__file__).parent

# template -> the variables the code passes to it
VARIABLES: dict[str, frozenset[str]] = {
    "system.j2": frozenset({"json_mode"}),
    "user.j2": frozenset({"question", "excerpts", "json_mode", "schema", "hints"}),
    "repair.j2": frozenset({"error", "json_mode", "schema"}),
}


@cache
def _environment(override: str | None) -> jinja2.Environment:
    paths = [override, str(HERE)] if override else [str(HERE)]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(paths),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _override_dir() -> str | None:
    value = os.environ.get("QA_PROMPTS_DIR")
    if not value:
        return None
    if not Path(value).is_dir():
        raise ConfigError(f"QA_PROMPTS_DIR={value} is not a directory")
    return str(Path(value).resolve())


def check(name: str, override: str | None = None) -> None:
    """Refuse a template that uses variables the code does not pass."""
    env = _environment(override)
    assert env.loader is not None
    source, filename, _ = env.loader.get_source(env, name)
    try:
        used = jinja2.meta.find_undeclared_variables(env.parse(source))
    except jinja2.TemplateSyntaxError as e:
        raise ConfigError(f"prompt template {filename}: line {e.lineno}: {e.message}") from e
    unknown = sorted(used - VARIABLES[name])
    if unknown:
        raise ConfigError(f"prompt template {filename} uses unknown variable(s) "
                          f"{', '.join(unknown)}; available: {', '.join(sorted(VARIABLES[name]))}")


def render(name: str, **variables: Any) -> str:
    if name not in VARIABLES:
        raise ConfigError(f"no prompt template {name!r}")
    override = _override_dir()
    check(name, override)
    try:
        return _environment(override).get_template(name).render(**variables).strip()
    except jinja2.UndefinedError as e:
        raise ConfigError(f"prompt template {name}: {e.message}") from e
