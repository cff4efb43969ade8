"""Does a file look like a call transcript? Measured from its lines, not its extension.

A call is prose: most of its lines hold sentences. What is not a call is dominated by structure
a speaker never says: markup tags, rows with the same number of separators (CSV, TSV, Markdown
tables), code, key = value settings, Markdown/reStructuredText headings, lists and code blocks.
`not_a_call` names the structure it found, or None.

The thresholds sit between two measured sides. Calls: all 1,978 corpus calls (ECTSum train
and val, MAEC; `python -m eval.bench_metadata` reports any it would skip), the bundled sample
and the test fixtures reach at most table 0.37, code 0.13, settings 0.0, Markdown 0.0, symbols
0.02 and at least prose 0.71. Not calls: the repository's README, CHANGELOG, pyproject.toml,
Makefile, gold YAML and sources, and 150 each of CSV, HTML, XML, YAML, TOML, INI, Markdown,
reStructuredText, C, JavaScript, Python and shell files found on a development machine: all
skipped but a few prose-only licence texts and two-line files (tests/test_sniff.py keeps the
measured examples).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

SAMPLE_CHARS = 100_000  # enough to judge; a 20 MiB file is not scanned whole

_TAG = re.compile(r"</[A-Za-z][\w:.-]*\s*>|<[A-Za-z][\w:.-]*(?:\s+[\w:.-]+\s*=\s*(?:\"[^\"<>]*\"|"
                  r"'[^'<>]*'|[\w.-]+))+\s*/?>|<!--|<!doctype|<\?xml|<[A-Za-z][\w:.-]*\s*/>", re.I)
# a line of code: a keyword a sentence does not start with, a call `name(`, snake_case,
# operators, brackets or a semicolon ending the line, shell variables
_CODE = re.compile(
    r"^\s*(?:def |class |import |from [\w.]+ import |return\b|elif\b|else\b|try:|except\b|"
    r"finally:|raise |async |await |yield |#include|#define|#!|#\s|function\b|const |let |"
    r"var |public |private |protected |static |package |fn |impl |struct |enum |typedef |"
    r"fi$|done$|esac$|then$|do$|echo |export |local |set -|[})\]][,;)]*$|//|/\*|\*/|@\w)"
    r"|\w\(|\b[a-z]+_[a-z_]+\b|[a-z][A-Z]\w*\(|\s=\s|[{};]\s*$|\)\s*:\s*$|=>|->|::|==|!=|&&|"
    r"\|\||\$\{\w|\$[A-Za-z_]")
_SETTING = re.compile(r"^\s*(?:\[[\w.\-\" ]+\]\s*$|-?\s*[a-z_][\w.\-\"]*\s*(?:=|:(?:\s|$)))")
_DOC_MARKUP = re.compile(
    r"^\s*(?:#{1,6}\s|[-*+]\s|\d+\.\s|```|~~~|\||>\s|[=\-~^\"'`#*+]{3,}\s*$|\[[^\]]+\]:|"
    r"\.\. [\w-]+::|\.\. _|:\w+:)")
_WORDS = re.compile(r"[A-Za-z][\w'\u2019-]*(?:[,;]?\s+\S+){3,}")  # four or more words
_ENDS = re.compile(r"(?:[.?!:,\u2026\u3002\uff01\uff1f-]|[^\W_])[\"'\u201d\u2019)\]\u300d]*$")
_OTHER_SCRIPT = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f]")  # Chinese, Japanese, Cyrillic ...
_SYMBOLS = re.compile(r"[{}\[\]()<>=;|\\/_#@^~`*]")


@dataclass(frozen=True)
class Shape:
    """How much of the text has each kind of structure: shares of its non-blank lines
    (markup_chars and symbols: shares of its characters)."""

    lines: int
    prose: float  # four or more words, no code, ending like speech
    markup: float
    markup_chars: float
    table: float
    code: float
    settings: float
    doc_markup: float  # Markdown / reStructuredText structure
    symbols: float

    def verdict(self) -> str | None:
        if self.markup >= 0.2 or self.markup_chars >= 0.1:
            return "HTML/XML markup"
        if self._some(self.table, 0.6):
            return "a table (CSV/TSV rows with the same columns)"
        if self._some(max(self.settings, self.code), 0.3):
            return ("a configuration file (key = value settings)" if self.settings >= self.code
                    else "source code")
        if self._some(self.doc_markup, 0.15):
            return "a Markdown/reStructuredText document (headings, lists, code blocks)"
        if self.prose < 0.5 and (self.symbols >= 0.08 or self.code == 1.0):
            return "source code or data (mostly symbols)"
        if self.lines >= 3 and self.prose < 0.5:
            return "not prose (few lines are sentences)"
        return None  # a call, or too little to judge (fewer than 3 lines): index it


    def _some(self, share: float, least: float) -> bool:
        """At least `least` of the lines, and at least two of them: one "[Music]" line in a
        three-line call is not a settings file."""
        return self.lines >= 3 and share >= least and share * self.lines >= 2


def shape(text: str) -> Shape:
    text = text[:SAMPLE_CHARS]
    lines = [ln for ln in text.splitlines() if ln.strip()]
    n = len(lines) or 1
    chars = sum(len(ln.strip()) for ln in lines) or 1

    def share(pattern: re.Pattern[str], match: bool = False) -> float:
        test = pattern.match if match else pattern.search
        return sum(1 for ln in lines if test(ln)) / n

    return Shape(
        lines=len(lines),
        prose=sum(1 for ln in lines if _is_prose(ln)) / n,
        markup=share(_TAG),
        markup_chars=sum(len(m[0]) for m in _TAG.finditer(text)) / chars,
        table=_table_share(lines),
        code=share(_CODE),
        settings=share(_SETTING, match=True),
        doc_markup=share(_DOC_MARKUP, match=True),
        symbols=len(_SYMBOLS.findall(text)) / chars,
    )


def _is_prose(line: str) -> bool:
    s = line.strip()
    words = bool(_WORDS.match(s)) or len(_OTHER_SCRIPT.findall(s)) >= 8
    return words and bool(_ENDS.search(s)) and not _CODE.search(s) and not _TAG.search(s)


def _table_share(lines: list[str]) -> float:
    """The largest share of lines with the same number (>= 1 tab; >= 2 commas, pipes or
    semicolons) of one separator: the rows of a table. Prose varies its commas."""
    best = 0.0
    for sep, least in ((",", 2), ("\t", 1), ("|", 2), (";", 2)):
        counts = Counter(_cells(ln, sep) for ln in lines)
        for count, hits in counts.items():
            if count >= least:
                best = max(best, hits / len(lines))
    return best


def _cells(line: str, sep: str) -> int:
    if sep == ",":
        line = re.sub(r'"(?:[^"]|"")*"', '""', line)  # a quoted cell may hold commas
    return line.count(sep)


def not_a_call(text: str) -> str | None:
    """What the text looks like instead of a call ("HTML/XML markup", ...), or None."""
    return shape(text).verdict()
