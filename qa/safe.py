"""Text that reaches a terminal is shown, never executed.

A transcript, a model's answer, a file name or an error message can hold characters a terminal
acts on: escape sequences (clear the screen, set the window title, hide text, draw a link whose
text and target differ), backspace and carriage return (overwrite what was printed), bidi
overrides (reverse the order the eye reads) and zero-width characters (hide a difference). All
of them are written visibly escaped instead: `\\x1b` for a C0 control character, `\\u202e` for
the others, the same spelling JSON uses, so `--json` output stays valid JSON with the same
values. Newline and tab are kept in running text; in a one-line message (an error, a file name)
a newline is escaped too, so that it cannot fake a line of its own.

The command line writes every human-readable line through `visible()` (`qa_line()` for its
one-line `qa:` messages); `qa.screen.SafeConsole` applies it to the text (not the styles or
cursor moves) of everything a rich console prints. No rich here: the command line imports this
module on every start.
"""

from __future__ import annotations

import re

# C0 controls but tab and newline, DEL, C1 controls, bidi embeddings/overrides/isolates and marks,
# zero-width characters, the line and paragraph separators, the byte-order mark
_ACTS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
_ACTS_IN_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]")


def _escaped(m: re.Match[str]) -> str:
    code = ord(m[0])
    return f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}"


def visible(text: str, one_line: bool = False) -> str:
    """`text` with every character a terminal would act on written out; with `one_line`, also
    newlines and tabs."""
    return (_ACTS_IN_A_LINE if one_line else _ACTS).sub(_escaped, text)


def qa_line(message: str) -> str:
    """A one-line `qa: ...` message for stderr."""
    return f"qa: {visible(message, one_line=True)}"
