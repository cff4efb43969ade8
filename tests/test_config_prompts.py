"""Settings precedence (flag > env > file > default) and the Jinja2 prompt files."""

from __future__ import annotations

from pathlib import Path

import pytest

import prompts
from index.errors import ConfigError
from qa.config import resolve


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_is_the_offline_mode_without_a_model(tmp_path: Path) -> None:
    s = resolve({}, env={}, path=tmp_path / "none.toml")
    assert (s.mode, s.model, s.timeout) == ("quotes", None, 60.0)
    assert s.source["mode"] == "default"


def test_flag_beats_env_beats_file_beats_default(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'model = "from-file"\ntimeout = 30\nbase_url = "http://file/v1"\n')
    env = {"QA_MODEL": "from-env", "OPENAI_BASE_URL": "http://env/v1/"}
    s = resolve({"model": "from-flag"}, env=env, path=path)
    assert s.model == "from-flag" and s.source["model"] == "flag"
    assert s.base_url == "http://env/v1" and s.source["base_url"] == "env OPENAI_BASE_URL"
    assert s.timeout == 30.0 and s.source["timeout"] == str(path)
    assert s.mode == "llm"  # a model is configured
    assert resolve({}, env={}, path=path).model == "from-file"


def test_mode_flag_overrides_a_configured_model(tmp_path: Path) -> None:
    s = resolve({"mode": "quotes"}, env={"QA_MODEL": "m"}, path=tmp_path / "none.toml")
    assert s.mode == "quotes"


def test_llm_mode_without_a_model_says_how_to_set_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--model NAME or set QA_MODEL"):
        resolve({"mode": "llm"}, env={}, path=tmp_path / "none.toml")


def test_config_file_with_unknown_key_is_refused(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'modle = "typo"\n')
    with pytest.raises(ConfigError, match="modle"):
        resolve({}, env={}, path=path)


def test_bad_number_in_environment_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="QA_TIMEOUT"):
        resolve({}, env={"QA_TIMEOUT": "soon"}, path=tmp_path / "none.toml")


def test_prompts_render_with_transcript_text_as_data() -> None:
    hostile = "{{ 7*7 }} {% for x in y %} Revenue was RMB 1.89 billion."
    text = prompts.render("user.j2", question="What was revenue?", json_mode=True,
                          schema="{}", excerpts=[{"id": "E1", "company": "Kingsoft Cloud",
                                                  "period": "2024Q2", "speaker": "Henry Hou, CFO",
                                                  "section": "Q&A", "note": "", "text": hostile}])
    assert hostile in text  # not compiled as a template
    assert "[E1] Kingsoft Cloud 2024Q2 | Henry Hou, CFO | Q&A" in text
    assert "Question: What was revenue?" in text


def test_system_prompt_states_the_rules() -> None:
    text = prompts.render("system.j2", json_mode=True)
    for rule in ("ONLY from the numbered excerpts", "VERBATIM", "excerpt id",
                 "the call does not say"):
        assert rule in text


def test_missing_variable_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(ConfigError, match="undefined"):
        prompts.render("user.j2", question="q", json_mode=True, schema="{}")


def test_user_override_directory_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "system.j2").write_text("Be brief. json={{ json_mode }}", encoding="utf-8")
    monkeypatch.setenv("QA_PROMPTS_DIR", str(tmp_path))
    assert prompts.render("system.j2", json_mode=False) == "Be brief. json=False"
    assert "Question: q" in prompts.render("user.j2", question="q", json_mode=False, schema="",
                                           excerpts=[])  # not overridden: the bundled one


def test_override_with_unknown_variables_is_refused_by_name(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "user.j2").write_text("{{ question }} {{ ticker }} {{ secret }}", encoding="utf-8")
    monkeypatch.setenv("QA_PROMPTS_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="unknown variable.*secret, ticker"):
        prompts.render("user.j2", question="q", json_mode=False, schema="", excerpts=[])
