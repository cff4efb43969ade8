"""Where the tool keeps its files. Every directory can be moved by an environment variable."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path

APP = "earnings-qa"


def _user_data() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP, appauthor=False))


def data_dir() -> Path:
    """QA_HOME, else the per-user data directory."""
    env = os.environ.get("QA_HOME")
    return Path(env).expanduser() if env else _user_data()


def index_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """--index DIR, else QA_INDEX, else <data dir>/index."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("QA_INDEX")
    return Path(env).expanduser() if env else data_dir() / "index"


def assets_dir() -> Path:
    """Unpacked model files (tiktoken ranks, the ONNX embedder)."""
    env = os.environ.get("QA_ASSETS")
    return Path(env).expanduser() if env else data_dir() / "assets"


def sample_path() -> Path:
    """The built-in sample call shipped inside the package."""
    return Path(__file__).parent / "samples" / "kingsoft-cloud-2024q2.txt"


@cache
def _sample_sha256() -> str:
    return hashlib.sha256(sample_path().read_bytes()).hexdigest()


def is_sample(path: str | None, sha256: str | None) -> bool:
    """Whether a transcript (its file path and the sha256 of its bytes) is the built-in sample:
    the same bytes, or the sample's own file."""
    if path and path == str(sample_path().resolve()):
        return True
    try:
        return sha256 == _sample_sha256()
    except OSError:  # the sample is missing from this install: nothing is the sample
        return False
