"""Every quote is checked against the transcript before it is shown.

A citation is verified when its quote equals the transcript's text between its offsets. The
transcript text is the copy stored at index time; when the file is still at its path, its
bytes must still hash to the indexed sha256, so the check is against the file itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

from index.types import Transcript
from qa.types import Citation


def file_matches_index(t: Transcript) -> bool | None:
    """True/False when the file is at its path; None when it is gone."""
    path = Path(t.path)
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return hashlib.sha256(data).hexdigest() == t.sha256


def verify(c: Citation, t: Transcript) -> Citation:
    ok = 0 <= c.start < c.end <= len(t.source) and t.span(c.start, c.end) == c.quote
    return replace(c, verified=ok)


def verify_all(citations: tuple[Citation, ...], transcripts: dict[str, Transcript]) -> tuple[
        tuple[Citation, ...], list[str]]:
    """Verified citations only, plus notices for anything dropped or stale."""
    kept: list[Citation] = []
    notices: list[str] = []
    stale: set[str] = set()
    for c in citations:
        t = transcripts.get(c.transcript)
        checked = verify(c, t) if t else replace(c, verified=False)
        if checked.verified:
            kept.append(checked)
        else:
            notices.append(f"a quote from {c.transcript} did not match the transcript and was "
                           "removed")
        if t and file_matches_index(t) is False:
            stale.add(t.id)
    for tid in sorted(stale):
        notices.append(f"{transcripts[tid].path} changed since it was indexed; quotes are from "
                       f"the indexed copy (run `qa index {transcripts[tid].path}` to refresh)")
    return tuple(kept), notices
