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
from qa.types import Answer, Citation


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


def _verified(citations: tuple[Citation, ...], transcripts: dict[str, Transcript],
              notices: list[str]) -> tuple[Citation, ...]:
    kept: list[Citation] = []
    for c in citations:
        t = transcripts.get(c.transcript)
        checked = verify(c, t) if t else replace(c, verified=False)
        if checked.verified:
            kept.append(checked)
        else:
            notices.append(f"a quote from {c.transcript} did not match the transcript and was "
                           "removed")
    return tuple(kept)


def verify_answer(answer: Answer, transcripts: dict[str, Transcript]) -> Answer:
    """The answer with verified citations and nearest passages only, plus notices for anything
    dropped or stale. Each source file is read and hashed once."""
    notices: list[str] = []
    citations = _verified(answer.citations, transcripts, notices)
    nearest = _verified(answer.nearest, transcripts, notices)
    used = sorted({c.transcript for c in citations + nearest if c.transcript in transcripts})
    for tid in used:
        t = transcripts[tid]
        if file_matches_index(t) is False:
            notices.append(f"{t.path} changed since it was indexed; quotes are from the indexed "
                           f"copy (run `qa index {t.path}` to refresh)")
    return replace(answer, citations=citations, nearest=nearest,
                   notices=tuple(dict.fromkeys(answer.notices + tuple(notices))))
