"""Paths in, index updated: parse each file, chunk, embed, upsert. One bad file never stops
the others; each failure is reported with its reason."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from index.errors import UnreadableTranscript
from index.parse import read_transcript
from index.store import IndexResult, Store

# (event, detail): ("file", path) when a file starts, ("embed", (done, total)) while embedding
Report = Callable[[str, object], None]


@dataclass(frozen=True)
class Failure:
    path: str
    why: str


def index_paths(store: Store, paths: Sequence[Path], report: Report | None = None) -> tuple[
        list[IndexResult], list[Failure]]:
    results: list[IndexResult] = []
    failures: list[Failure] = []
    for n, path in enumerate(paths):
        if report:
            report("file", (n, len(paths), str(path)))
        try:
            transcript = read_transcript(path)
        except UnreadableTranscript as e:
            failures.append(Failure(e.path, e.why))
            continue

        def progress(done: int, total: int) -> None:
            if report:
                report("embed", (done, total))

        results.append(store.add(transcript, progress))
    if report:
        report("done", None)
    return results, failures
