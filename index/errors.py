"""The project's errors. Each message says what to do; only the CLI turns them into exit codes.

QAError
 +-- UnreadableTranscript   a file is empty, binary or not text: skip it, say which and why
 +-- OfflineAssetError      a bundled model/encoding file is missing or has the wrong hash
 +-- IndexStateError        the index is missing, empty, or was built by another embedder
 +-- ConfigError            bad configuration or arguments
"""

from __future__ import annotations


class QAError(Exception):
    """Base error: the message is one line that tells the user what to do."""

    exit_code = 1


def first_problem(e: Exception, whole: str = "value") -> str:
    """ "items.0.answerable: Field required" from a pydantic ValidationError (the first of its
    problems), without importing pydantic here."""
    errors = e.errors()  # type: ignore[attr-defined]
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or whole
    return f"{where}: {first['msg']}"


class UnreadableTranscript(QAError):
    def __init__(self, path: str, why: str) -> None:
        super().__init__(f"{path}: {why}")
        self.path = path
        self.why = why


class OfflineAssetError(QAError):
    exit_code = 3


class IndexStateError(QAError):
    exit_code = 4


class ConfigError(QAError):
    exit_code = 2
