"""The qa stage's errors (the base and the shared ones live in index.errors)."""

from __future__ import annotations

from index.errors import ConfigError, IndexStateError, QAError

__all__ = ["QAError", "ConfigError", "IndexStateError", "ModelError"]


class ModelError(QAError):
    """The language-model server failed: unreachable, refused, timed out, broke the stream."""

    exit_code = 5
