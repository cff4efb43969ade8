"""Company and period of every corpus call: parse each one (no embedding) and check.

    python -m eval.bench_metadata [--corpus DIR] [--misses 5] [--json]

The corpus is ../shared/corpus (its README describes it). Checks, per source:

- ECTSum (train, val): the file name `<TICKER>_q<N>_<YEAR>.txt` gives ticker, quarter and
  fiscal year. Period right = the parsed period equals the name's. The Reuters summaries also
  name the reported quarter ("q1 adjusted earnings per share $1.53"; guidance lines such as
  "sees q2 ..." are skipped): a second, independent check of the quarter where a summary has
  one.
- MAEC: the file name `<YYYYMMDD>_<TICKER>.txt` gives the ticker and the call date only; the
  period and company below were read by hand from each call's text, the call date and the
  company's fiscal calendar (MAEC_EXPECTED).
- Company right = the ticker itself (what a call that names no company gets), or a name that
  shares a word with (or is the initials of) the company's name from a source independent of
  the parser, best first: the index-constituent names shipped by the `pytickersymbols`
  package (S&P 500/600 and others; used when installed), the company a Reuters summary
  names ("southwest airlines - qtrly ..."), MAEC_EXPECTED. Calls with none of these are
  judged by the ticker's letters alone (`fits_ticker`), which the parser itself uses: they are
  counted apart as "judged weakly".

"text only" is the same parse with the path hidden (the file read as `call.txt`): what the
call's words alone give. Every source is reported, with misses; nothing is tuned on a subset.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from index.errors import UnreadableTranscript
from index.parse import decode, read_transcript
from index.parse.meta import call_meta, fits_ticker, short_name
from index.parse.sniff import not_a_call

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

# MAEC calls: (period, company) read by hand. The period is the fiscal quarter the call
# reports, as the company names it (e.g. Accenture's fiscal year ends in August: a June 2017
# call reports the third quarter of fiscal 2017).
MAEC_EXPECTED: dict[str, tuple[str, str]] = {
    "20150225_LMAT": ("2014Q4", "LeMaitre Vascular"),
    "20150423_AVT": ("2015Q3", "Avnet"),
    "20150430_APD": ("2015Q2", "Air Products"),
    "20150506_VSI": ("2015Q1", "Vitamin Shoppe"),
    "20150716_IIIN": ("2015Q3", "Insteel Industries"),
    "20150728_OSPN": ("2015Q2", "VASCO Data Security"),
    "20150806_CUB": ("2015Q3", "Cubic"),
    "20151020_WWW": ("2015Q3", "Wolverine World Wide"),
    "20151027_NUVA": ("2015Q3", "NuVasive"),
    "20151103_VMC": ("2015Q3", "Vulcan Materials"),
    "20151124_MOV": ("2016Q3", "Movado Group"),
    "20160127_HOLX": ("2016Q1", "Hologic"),
    "20160204_MPWR": ("2015Q4", "Monolithic Power Systems"),
    "20160218_PCG": ("2015Q4", "PG&E"),
    "20160302_ANF": ("2015Q4", "Abercrombie & Fitch"),
    "20160421_SBUX": ("2016Q2", "Starbucks"),
    "20160427_X": ("2016Q1", "United States Steel"),
    "20160503_CRAY": ("2016Q1", "Cray"),
    "20160505_BDX": ("2016Q2", "Becton Dickinson"),
    "20160506_ROCK": ("2016Q1", "Gibraltar Industries"),
    "20160519_RAVN": ("2017Q1", "Raven Industries"),
    "20160722_TRST": ("2016Q2", "TrustCo"),
    "20160728_FTNT": ("2016Q2", "Fortinet"),
    "20160729_MATW": ("2016Q3", "Matthews International"),
    "20160803_CTL": ("2016Q2", "CenturyLink"),
    "20160804_MNTA": ("2016Q2", "Momenta Pharmaceuticals"),
    "20160812_JCP": ("2016Q2", "J. C. Penney (JCPenney)"),
    "20161018_KSU": ("2016Q3", "Kansas City Southern"),
    "20161025_CSL": ("2016Q3", "Carlisle Companies"),
    "20161026_VG": ("2016Q3", "Vonage"),
    "20170131_ABC": ("2017Q1", "AmerisourceBergen"),
    "20170209_AGYS": ("2017Q3", "Agilysys"),
    "20170216_DVA": ("2016Q4", "DaVita"),
    "20170223_LTC": ("2016Q4", "LTC Properties"),
    "20170306_KFY": ("2017Q3", "Korn Ferry"),
    "20170425_FCX": ("2017Q1", "Freeport-McMoRan"),
    "20170427_SKYW": ("2017Q1", "SkyWest"),
    "20170503_POWL": ("2017Q2", "Powell Industries"),
    "20170508_SYY": ("2017Q3", "Sysco"),
    "20170622_ACN": ("2017Q3", "Accenture"),
    "20170726_HOPE": ("2017Q2", "Hope Bancorp"),
    "20170728_AAN": ("2017Q2", "Aaron's"),
    "20171023_ITW": ("2017Q3", "Illinois Tool Works"),
    "20171102_WRK": ("2017Q4", "WestRock"),
    "20171116_GFF": ("2017Q4", "Griffon"),
    "20180130_WDR": ("2017Q4", "Waddell & Reed"),
    "20180222_EIG": ("2017Q4", "Employers Holdings"),
    "20180425_IRT": ("2018Q1", "Independence Realty Trust"),
    "20180501_UAA": ("2018Q1", "Under Armour"),
    "20180507_FN": ("2018Q3", "Fabrinet"),
}

_GUIDANCE = re.compile(r"\b(?:sees|see|expects?|expected|guidance|outlook|forecasts?|targets?|"
                       r"anticipates?|projects?|next|affirms|reaffirms|raises|lowers|narrows|"
                       r"maintains|updates|cuts|reiterates)\b")
_SUMMARY_Q = re.compile(r"\bq([1-4])\b|\b(first|second|third|fourth)[- ]quarter\b")
_SUMMARY_NAME = re.compile(r"^([a-z][a-z0-9&.' ]{2,40}?)(?: - | (?:reports|posts|says|announces) )")
_SUMMARY_NOT_NAME = {"for", "the", "a", "an", "net", "as", "we", "our", "not", "declared", "cash",
                     "adjusted", "qtrly", "quarterly", "total", "sales", "revenue", "company",
                     "board", "announced", "reported", "sees", "fy", "full", "year"}
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_NOT_NAME_WORDS = {"inc", "corp", "co", "company", "companies", "group", "ltd", "plc", "holdings",
                   "the", "and", "of", "corporation", "incorporated", "trust", "international"}


@dataclass
class Row:
    source: str  # "ectsum-train" | "ectsum-val" | "maec"
    name: str
    company: str | None
    ticker: str | None
    period: str | None
    expected_period: str | None
    company_ok: bool
    company_judge: str
    period_ok: bool
    company_from: str
    period_from: str
    text_period_ok: bool
    text_company_ok: bool
    summary_quarter: int | None = None
    summary_company: str | None = None
    notes: list[str] = field(default_factory=list)


def calls(corpus: Path) -> Iterator[tuple[str, Path, Path | None]]:
    for split in ("train", "val"):
        for path in sorted((corpus / "ectsum" / split / "transcripts").glob("*.txt")):
            summary = corpus / "ectsum" / split / "summaries" / path.name
            yield f"ectsum-{split}", path, summary if summary.is_file() else None
    for path in sorted((corpus / "maec").glob("*.txt")):
        yield "maec", path, None


def summary_facts(path: Path | None) -> tuple[int | None, str | None]:
    """(quarter the summary reports, company it names), either None."""
    if path is None:
        return None, None
    quarters: Counter[int] = Counter()
    company = None
    for line in path.read_text(encoding="utf-8").lower().splitlines():
        m = _SUMMARY_NAME.match(line)
        if m and company is None and "compname" not in m[1] and \
                not set(m[1].split()) & _SUMMARY_NOT_NAME:
            company = m[1].strip()
        if _GUIDANCE.search(line):
            continue
        for q in _SUMMARY_Q.finditer(line):
            quarters[int(q[1]) if q[1] else _ORD[q[2]]] += 1
    quarter = quarters.most_common(1)[0][0] if quarters else None
    return quarter, company


def _words(name: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9&]+", name.lower().replace("'s", ""))
            if len(w) >= 3 and w not in _NOT_NAME_WORDS}


def _initials(name: str) -> str:
    return "".join(w[0] for w in re.findall(r"[A-Za-z]+", name)
                   if w.lower() not in {"of", "and", "the"}).lower()


def reference_names() -> dict[str, str]:
    """Ticker -> company name from `pytickersymbols` (a development extra), or {}."""
    try:
        from pytickersymbols import PyTickerSymbols
    except ImportError:
        return {}
    names: dict[str, str] = {}
    for stock in PyTickerSymbols().get_all_stocks():
        for symbol in stock.get("symbols", []):
            ticker = symbol.get("yahoo") or ""
            if ticker and "." not in ticker:
                names.setdefault(ticker, stock["name"])
    return names


def same_company(found: str, reference: str) -> bool:
    if _words(found) & _words(reference):
        return True
    letters = re.sub(r"[^a-z]", "", found.lower())
    return len(letters) >= 2 and (_initials(reference).startswith(letters)
                                  or _initials(found) == re.sub(r"[^a-z]", "", reference.lower()))


def company_judged(company: str | None, ticker: str, references: list[str | None]) -> tuple[
        bool, str]:
    """(right, judge): judge is "reference" when an independent name decided, else "letters"."""
    if not company:
        return False, "none"
    if company.upper() == ticker:
        return True, "ticker"
    named = [r for r in references if r]
    if named:
        return same_company(company, named[0]), "reference"
    return fits_ticker(short_name(company), ticker) or fits_ticker(company, ticker), "letters"


def check(source: str, path: Path, summary: Path | None, parse: bool,
          references: dict[str, str]) -> Row:
    text = decode(path, path.read_bytes())
    t = call_meta(text, path)
    if parse:  # the whole parse gives the same metadata (it calls call_meta on the same text)
        parsed = read_transcript(path)
        assert (parsed.company, parsed.period, parsed.ticker) == (t.company, t.period, t.ticker)
    blind = call_meta(text, Path("call.txt"))
    s_quarter, s_company = summary_facts(summary)
    if source == "maec":
        ticker = path.stem.split("_", 1)[1]
        expected, written = MAEC_EXPECTED.get(path.stem, (None, None))
    else:
        ticker, q, y = path.stem.split("_")
        expected, written = f"{y}Q{q[1]}", None
    names = [references.get(ticker), s_company, written]
    ok, judge = company_judged(t.company, ticker, names)
    blind_ok, _ = company_judged(blind.company, ticker, names)
    return Row(
        source, path.stem, t.company, t.ticker, t.period, expected,
        company_ok=ok, company_judge=judge, period_ok=t.period == expected,
        company_from=_from(t, "company"), period_from=_from(t, "period"),
        text_period_ok=blind.period == expected, text_company_ok=blind_ok,
        summary_quarter=s_quarter, summary_company=s_company)


def _from(t: Any, key: str) -> str:
    why = t.why.get(key, "")
    if not why:
        return "none"
    if why.startswith(("file name", "the ticker")):
        return "file name"
    if why.startswith("the calendar quarter") or "year from the call date" in why:
        return "text + call date" if why.startswith("text") else "call date"
    return "text"


def summarize(rows: list[Row], misses: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for source in sorted({r.source for r in rows}) + ["all"]:
        group = [r for r in rows if source in ("all", r.source)]
        n = len(group)
        with_q = [r for r in group if r.summary_quarter]
        stats = {
            "calls": n,
            "company_right": _share(sum(r.company_ok for r in group), n),
            "period_right": _share(sum(r.period_ok for r in group), n),
            "both_right": _share(sum(r.company_ok and r.period_ok for r in group), n),
            "company_from": dict(Counter(r.company_from for r in group)),
            "company_judged_by": dict(Counter(r.company_judge for r in group)),
            "company_right_judged_weakly": _share(
                sum(r.company_ok for r in group if r.company_judge == "letters"),
                sum(1 for r in group if r.company_judge == "letters")),
            "period_from": dict(Counter(r.period_from for r in group)),
            "text_only_company_right": _share(sum(r.text_company_ok for r in group), n),
            "text_only_period_right": _share(sum(r.text_period_ok for r in group), n),
            "summary_quarter_checked": len(with_q),
            "summary_quarter_agrees": _share(sum(
                1 for r in with_q if r.period and r.period.endswith(f"Q{r.summary_quarter}")),
                len(with_q)),
            "company_misses": [_miss(r) for r in group if not r.company_ok][:misses],
            "period_misses": [_miss(r) for r in group if not r.period_ok][:misses],
        }
        out[source] = stats
    return out


def _share(k: int, n: int) -> float:
    return round(k / n, 4) if n else 0.0


def _miss(r: Row) -> dict[str, Any]:
    return {"call": r.name, "company": r.company, "ticker": r.ticker, "period": r.period,
            "expected_period": r.expected_period, "judge": r.company_judge}


def sniffed(rows_paths: list[Path]) -> list[str]:
    """Corpus calls the not-a-call check would skip (must be none)."""
    flagged = []
    for path in rows_paths:
        why = not_a_call(decode(path, path.read_bytes()))
        if why:
            flagged.append(f"{path.name}: {why}")
    return flagged


def report_text(result: dict[str, Any]) -> str:
    lines = []
    for source, s in result["sources"].items():
        lines.append(
            f"{source:13} {s['calls']:5} calls  company {s['company_right']:.1%}  period "
            f"{s['period_right']:.1%}  both {s['both_right']:.1%}  | text only: company "
            f"{s['text_only_company_right']:.1%}  period {s['text_only_period_right']:.1%}  | "
            f"summary quarter agrees {s['summary_quarter_agrees']:.1%} of "
            f"{s['summary_quarter_checked']}")
        lines.append(f"{'':13} company from {_counts(s['company_from'])}; period from "
                     f"{_counts(s['period_from'])}")
        lines.append(f"{'':13} company judged by {_counts(s['company_judged_by'])} (right when "
                     f"judged by letters only: {s['company_right_judged_weakly']:.1%})")
        if source == "all":
            continue
        for kind in ("company", "period"):
            for m in s[f"{kind}_misses"]:
                lines.append(f"{'':13} {kind} miss: {m['call']}: company={m['company']!r} "
                             f"ticker={m['ticker']} period={m['period']} "
                             f"(expected {m['expected_period']})")
    lines.append(f"reference company names (pytickersymbols): {result['reference_names'] or 'not installed'}")
    lines.append(f"corpus calls skipped as not a call: {len(result['not_calls'])}"
                 + "".join(f"\n  {x}" for x in result["not_calls"]))
    lines.append(f"unreadable: {len(result['unreadable'])}"
                 + "".join(f"\n  {x}" for x in result["unreadable"]))
    lines.append(f"{result['seconds']:.1f} s")
    return "\n".join(lines)


def _counts(c: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(c.items(), key=lambda kv: -kv[1]))


def run(corpus: Path, misses: int = 5, parse: bool = True) -> dict[str, Any]:
    started = time.perf_counter()
    references = reference_names()
    rows, unreadable, paths = [], [], []
    for source, path, summary in calls(corpus):
        paths.append(path)
        try:
            rows.append(check(source, path, summary, parse, references))
        except UnreadableTranscript as e:
            unreadable.append(str(e))
    return {"corpus": str(corpus), "reference_names": len(references),
            "sources": summarize(rows, misses),
            "not_calls": sniffed(paths), "unreadable": unreadable,
            "seconds": round(time.perf_counter() - started, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench_metadata",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--misses", type=int, default=5, help="misses listed per source")
    parser.add_argument("--json", dest="json_", action="store_true")
    parser.add_argument("--no-parse", action="store_true",
                        help="only the metadata step, not the whole parse of each call (faster)")
    args = parser.parse_args(argv)
    if not (args.corpus / "ectsum").is_dir():
        print(f"bench_metadata: no corpus at {args.corpus} (use --corpus DIR)", file=sys.stderr)
        return 2
    result = run(args.corpus, args.misses, parse=not args.no_parse)
    print(json.dumps(result, indent=2) if args.json_ else report_text(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
