"""Paths in, index updated: parse each file, chunk, embed, upsert. One bad file never stops
the others; each failure is reported with its reason.

Ids never collide silently. A file keeps the id it was indexed under (re-indexing a path
updates it in place). A new file takes the first free id of `meta.id_candidates`: ticker (or
company) and period ("afl-2021q1", "kingsoft-cloud-2024q2"), then its path with as many folders as needed
("20150225-lmat", "maec-20150225-lmat", ...). An id held by another file with the same bytes
is that file moved or copied: it is taken over (IndexResult.replaced_path says so). An id held
by a different file is never replaced: the next candidate is used and IndexResult.notice says
why. `transcript_id` (`qa index --id`) names the id for one file and may replace another
file's transcript, which the notice also says.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from index.errors import ConfigError, UnreadableTranscript
from index.parse import MAX_BYTES, meta, read_transcript
from index.store import IndexResult, Store
from index.types import Transcript

# (event, detail): ("file", path) when a file starts, ("embed", (done, total)) while embedding
Report = Callable[[str, object], None]

_VALID_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


@dataclass(frozen=True)
class Failure:
    path: str
    why: str


def index_paths(store: Store, paths: Sequence[Path], report: Report | None = None,
                force: bool = False, transcript_id: str | None = None,
                max_bytes: int = MAX_BYTES) -> tuple[
        list[IndexResult], list[Failure]]:
    """Index each file; one IndexResult per indexed file (with the id it got), one Failure
    per file skipped. `force` indexes files that do not look like a call; `transcript_id`
    (one file only) chooses the id."""
    if transcript_id is not None:
        check_id(transcript_id)
        if len(paths) != 1:
            raise ConfigError(f"--id names one transcript, but {len(paths)} files were given: "
                              "index them one at a time")
    results: list[IndexResult] = []
    failures: list[Failure] = []
    for n, path in enumerate(paths):
        if report:
            report("file", (n, len(paths), str(path)))
        try:
            transcript = read_transcript(path, force=force, max_bytes=max_bytes)
        except UnreadableTranscript as e:
            failures.append(Failure(e.path, e.why))
            continue
        transcript, notice = assign_id(store, transcript, Path(path), transcript_id)

        def progress(done: int, total: int) -> None:
            if report:
                report("embed", (done, total))

        result = store.add(transcript, progress)
        results.append(replace(result, notice=notice) if notice else result)
    if report:
        report("done", None)
    return results, failures


def check_id(tid: str) -> str:
    if not _VALID_ID.fullmatch(tid):
        raise ConfigError(f"--id {tid!r}: use letters, digits, '.', '_' and '-' (at most 100), "
                          "starting with a letter or digit")
    return tid


def assign_id(store: Store, t: Transcript, path: Path, wanted: str | None = None) -> tuple[
        Transcript, str | None]:
    """The transcript under the id it should have in this index, and what to tell the user
    about it (None when nothing surprising happened)."""
    if wanted:
        held = store.record(wanted)
        notice = None
        if held and held.get("path") != t.path and held.get("sha256") != t.sha256:
            notice = (f"{path}: --id {wanted} replaces the transcript indexed from "
                      f"{held.get('path')}")
        return replace(t, id=wanted), notice
    mine = store.id_for_path(t.path)
    if mine:
        return replace(t, id=mine), None
    candidates = meta.id_candidates(meta.CallMeta(t.company, t.ticker, t.period, t.date), path)
    first_holder = None
    for tid in candidates + _numbered(candidates[0]):
        held = store.record(tid)
        if held is None or held.get("sha256") == t.sha256:
            notice = None
            if first_holder is not None:
                notice = (f"{path}: the id {candidates[0]} is taken by {first_holder}; indexed "
                          f"as {tid} (choose one with `qa index --id ID FILE`)")
            return replace(t, id=tid), notice
        if first_holder is None:
            first_holder = held.get("path") or candidates[0]
    raise AssertionError("unreachable: numbered ids never run out")


def _numbered(base: str) -> list[str]:
    return [f"{base}-{n}" for n in range(2, 10_000)]
