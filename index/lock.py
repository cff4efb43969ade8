"""One writer per index at a time. Two `qa index` runs writing one index at once each keep
their own view of the vector index and overwrite the other's (vectors went missing, and the next
write failed in compaction). A writer holds an exclusive lock on a file beside the index
(`<index>.lock`) from before it opens the index until it is done; a second writer waits, saying
so, or with `wait=False` refuses. Readers (`qa ask`, `qa transcripts`) never take it.
The lock is the operating system's (flock): it is released when the process ends, even by
kill -9, so a crashed writer never leaves the index locked."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from index.errors import IndexStateError

try:
    import fcntl
except ImportError:  # Windows: no flock; one writer at a time is then up to the user
    fcntl = None  # type: ignore[assignment]


def lock_path(index: Path) -> Path:
    return index.with_name(index.name + ".lock")


@contextmanager
def writer(index: Path, wait: bool = True, say: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the index's write lock for the block. Busy: `say` why we wait and wait, or (with
    `wait=False`) raise IndexStateError (exit 4)."""
    if fcntl is None:
        yield
        return
    path = lock_path(index)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise IndexStateError(
                    f"another qa is writing to the index at {index}: run this again when it is done, "
                    "or without --no-wait to wait for it") from None
            if say:
                say(f"another qa is writing to the index at {index}; waiting for it to finish "
                    "(Ctrl-C stops)")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock
