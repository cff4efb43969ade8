"""Shared fixtures. Every test runs with its user directories under tmp_path and without any
OpenAI credentials; the unpacked model files are shared by the whole session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.fake_openai"]  # the `fake_openai` fixture: a scripted model server

SAMPLE = Path(__file__).resolve().parents[1] / "index" / "samples" / "kingsoft-cloud-2024q2.txt"
SHARED = Path(__file__).resolve().parents[2] / "shared"


@pytest.fixture(scope="session")
def assets_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("assets")
    os.environ["QA_ASSETS"] = str(path)
    return path


@pytest.fixture(autouse=True)
def isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, assets_dir: Path) -> Path:
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "QA_MODEL", "QA_INDEX", "QA_PROMPTS_DIR"):
        monkeypatch.delenv(var, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("QA_HOME", str(home))
    monkeypatch.setenv("QA_ASSETS", str(assets_dir))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "user" / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "user" / "config"))
    return home


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory, assets_dir: Path) -> Path:
    """The sample call indexed once for the session (read-only for tests)."""
    from index.indexer import index_paths
    from index.store import Store

    path = tmp_path_factory.mktemp("sample-index")
    results, failures = index_paths(Store(path), [SAMPLE])
    assert not failures and results[0].chunks > 0
    return path


@pytest.fixture
def sample_copy(tmp_path: Path) -> Iterator[Path]:
    """A writable copy of the sample transcript."""
    folder = tmp_path / "calls"
    folder.mkdir()
    dest = folder / SAMPLE.name
    shutil.copyfile(SAMPLE, dest)
    yield dest
