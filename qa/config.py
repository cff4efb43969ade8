"""Settings for answering with a language model, resolved in one place.

Precedence, for every setting: command-line flag > environment > config file > default.

| setting      | flag           | environment          | config file key |
|--------------|----------------|----------------------|-----------------|
| model        | --model        | QA_MODEL             | model           |
| base_url     | --base-url     | OPENAI_BASE_URL      | base_url        |
| api_key      | -              | OPENAI_API_KEY       | api_key         |
| mode         | --mode         | QA_MODE              | mode            |
| timeout      | --timeout      | QA_TIMEOUT           | timeout         |
| context      | -              | QA_CONTEXT_TOKENS    | context_tokens  |

The config file is TOML: QA_CONFIG, else `config.toml` in the per-user config directory.
Without a model the mode is "quotes" (the offline extractive answerer).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from index.errors import ConfigError, first_problem

Mode = Literal["quotes", "llm"]
DEFAULT_BASE_URL = "https://api.openai.com/v1"
DEFAULT_TIMEOUT = 60.0  # seconds; the openai client's own default is 600
DEFAULT_CONTEXT = 4096  # tokens the model can take (prompt + answer)
DEFAULT_ANSWER_TOKENS = 512
DEFAULT_RETRIES = 2


class FileSettings(BaseModel):
    """The config file: unknown keys are refused (a typo should not silently do nothing)."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    base_url: str | None = None
    api_key: str | None = None
    mode: Mode | None = None
    timeout: float | None = None
    context_tokens: int | None = None
    answer_tokens: int | None = None
    max_retries: int | None = None


@dataclass(frozen=True)
class Settings:
    mode: Mode
    model: str | None
    base_url: str
    api_key: str | None
    timeout: float
    context_tokens: int
    answer_tokens: int
    max_retries: int
    source: dict[str, str]  # setting -> where its value came from ("flag", "env", file path, "default")


def config_path() -> Path:
    env = os.environ.get("QA_CONFIG")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("earnings-qa", appauthor=False)) / "config.toml"


def load_file(path: Path) -> FileSettings:
    if not path.is_file():
        return FileSettings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"cannot read the config file {path}: {e}; fix or remove it") from e
    try:
        return FileSettings.model_validate(data)
    except ValidationError as e:
        raise ConfigError(f"{path}: {first_problem(e)} (known keys: "
                          f"{', '.join(FileSettings.model_fields)})") from e


def resolve(flags: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None,
            path: Path | None = None) -> Settings:
    """The one function that decides every setting: flag > environment > file > default."""
    flags = {k: v for k, v in (flags or {}).items() if v is not None}
    env = os.environ if env is None else env
    path = path or config_path()
    file = load_file(path)
    source: dict[str, str] = {}

    def pick(name: str, env_var: str | None, default: Any, cast: Any = str) -> Any:
        if name in flags:
            source[name] = "flag"
            return flags[name]
        if env_var and env.get(env_var):
            source[name] = f"env {env_var}"
            try:
                return cast(env[env_var])
            except ValueError:
                raise ConfigError(f"{env_var}={env[env_var]!r} is not a valid {name}") from None
        value = getattr(file, name, None)
        if value is not None:
            source[name] = str(path)
            return value
        source[name] = "default"
        return default

    model = pick("model", "QA_MODEL", None)
    mode = pick("mode", "QA_MODE", "llm" if model else "quotes")
    if mode not in ("quotes", "llm"):
        raise ConfigError(f"mode must be 'quotes' or 'llm', not {mode!r}")
    if mode == "llm" and not model:
        raise ConfigError("--mode llm needs a model: pass --model NAME or set QA_MODEL "
                          f"(or `model = \"NAME\"` in {path})")
    timeout = float(pick("timeout", "QA_TIMEOUT", DEFAULT_TIMEOUT, float))
    if timeout <= 0:
        raise ConfigError("the timeout must be a positive number of seconds")
    return Settings(
        mode=mode,
        model=model,
        base_url=str(pick("base_url", "OPENAI_BASE_URL", DEFAULT_BASE_URL)).rstrip("/"),
        api_key=pick("api_key", "OPENAI_API_KEY", None),
        timeout=timeout,
        context_tokens=int(pick("context_tokens", "QA_CONTEXT_TOKENS", DEFAULT_CONTEXT, int)),
        answer_tokens=int(pick("answer_tokens", None, DEFAULT_ANSWER_TOKENS, int)),
        max_retries=int(pick("max_retries", None, DEFAULT_RETRIES, int)),
        source=source,
    )
