"""Transcripts without speaker labels: infer turns, speakers, roles and sections from the
call's own cues, and pair machine-translated remarks with the interpreter's rendering.

The input is a list of blocks (file spans: paragraphs, or groups of one-sentence lines).
Steps, each a small pure function over a list of mutable `_Block`s:
1. `_split_restarts`  a paragraph whose tail restates its head (the interpreter starting
                      mid-paragraph) or that holds a translator's line is split there;
2. `_join_broken`     a paragraph that starts mid-sentence continues the previous block;
3. `_pair`            machine translation -> interpreted rendering of the same remark;
4. `_attribute`       speakers and roles from hand-overs, announcements and self-introductions;
5. `_sections`        opening, prepared remarks, Q&A.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from index.parse import cues, sections
from index.text import content_words, jaccard, sentence_spans, trim
from index.types import Rendering, Role, Section, Turn

_MANAGEMENT = {Role.CEO, Role.CFO, Role.EXECUTIVE, Role.IR}


@dataclass
class _Block:
    start: int
    end: int
    para: int  # index of the source paragraph it came from
    rendering: Rendering = Rendering.ORIGINAL
    pair: int | None = None
    speaker: str | None = None
    role: Role = Role.UNKNOWN
    title: str | None = None
    cue: str = ""
    section: Section = Section.PREPARED
    header: bool = False
    start_cue: bool = False  # opens like a new speaker's remarks ("I'll start with ...")
    back_ref: str | None = None  # starts where someone refers back to this earlier speaker


def parse_sentences(source: str) -> list[Turn]:
    """One sentence per line (ECTSum, MAEC): regroup the lines into turns, then attribute."""
    spans, why = _sentence_blocks(source)
    return parse_blocks(source, spans, why)


def parse_blocks(source: str, spans: list[tuple[int, int]], why: dict[int, str] | None = None) -> list[Turn]:
    """Turns from blocks of the file. `why[i]` says why block i starts like new remarks:
    "opens" ("I'll start with ...") or the name of an earlier speaker it refers back to."""
    interpreted = bool(cues.INTERPRETED_CALL.search(source))
    why = why or {}
    blocks = [_Block(a, b, i, start_cue=why.get(i) == "opens",
                     back_ref=why[i] if why.get(i, "opens") != "opens" else None)
              for i, (a, b) in enumerate(spans)]
    _mark_header(source, blocks)
    if interpreted:
        blocks = _split_restarts(source, blocks)
        blocks = _join_broken(source, blocks)
        _pair(source, blocks)
    _attribute(source, blocks)
    _sections(source, blocks)
    _conventions(source, blocks)
    _sections(source, blocks)
    return [
        Turn(
            index=i,
            start=b.start,
            end=b.end,
            text=source[b.start : b.end],
            speaker=b.speaker,
            role=b.role,
            section=b.section,
            title=b.title,
            rendering=b.rendering,
            pair=b.pair,
            cue=b.cue,
        )
        for i, b in enumerate(blocks)
    ]


def _mark_header(source: str, blocks: list[_Block]) -> None:
    """Publisher disclaimers before the call starts are not anybody's remarks."""
    for b in blocks[:3]:
        text = source[b.start : b.end]
        if re.search(r"transcript (?:was|is) (?:computer|machine)[- ]generated|provided for "
                     r"information purposes|makes no representation", text, re.I):
            b.header, b.section, b.cue = True, Section.OPENING, "publisher's disclaimer"


def _cw(source: str, span: tuple[int, int]) -> set[str]:
    return set(content_words(source[span[0] : span[1]]))


def _split_restarts(source: str, blocks: list[_Block]) -> list[_Block]:
    out: list[_Block] = []
    for b in blocks:
        out.extend(_split_one(source, b))
    return out


def _split_one(source: str, b: _Block) -> list[_Block]:
    if b.header:
        return [b]
    sents = sentence_spans(source, b.start, b.end)
    words = [_cw(source, s) for s in sents]
    # A translator's own line ("let me just simply translate what Mr. Zhou said").
    for k, s in enumerate(sents):
        if cues.TRANSLATOR_LINE.search(source[s[0] : s[1]]):
            own = re.search(r"\bmy\b", source[s[0] : s[1]], re.I)
            if own and k > 0:  # the speaker translating their own question
                return [_Block(b.start, sents[k - 1][1], b.para, Rendering.MACHINE),
                        _Block(s[0], b.end, b.para, Rendering.INTERPRETED, cue="translates own words")]
            if not own:
                parts = []
                if k > 0:
                    parts.append(_Block(b.start, sents[k - 1][1], b.para))
                parts.append(_Block(s[0], s[1], b.para, role=Role.INTERPRETER,
                                    speaker="Interpreter", cue="translator's line"))
                if k + 1 < len(sents):
                    parts.append(_Block(sents[k + 1][0], b.end, b.para))
                return parts
    nxt = source[b.end : b.end + 200].lstrip()
    cut = _continuation_cut(words, nxt) or _restart_cut(source, sents, words)
    if cut:
        return [_Block(b.start, sents[cut - 1][1], b.para, Rendering.MACHINE),
                _Block(sents[cut][0], b.end, b.para, Rendering.INTERPRETED,
                       cue="restates the remark before it")]
    return [b]


def _same(source: str, a: tuple[int, int], b: tuple[int, int], wa: set[str],
          wb: set[str]) -> float:
    """How surely sentence b restates sentence a (0..1)."""
    if len(wa) >= 4 and len(wb) >= 4:
        score = jaccard(wa, wb)
        if score >= 0.5:
            return score
    ta, tb = source[a[0] : a[1]].lower(), source[b[0] : b[1]].lower()
    if min(len(ta), len(tb)) >= 20:
        ratio = SequenceMatcher(None, ta, tb).ratio()
        if ratio >= 0.8:
            return ratio
    return 0.0


def _restart_cut(source: str, sents: list[tuple[int, int]], words: list[set[str]]) -> int | None:
    """The tail restates the head: sentence k repeats sentence j (j < k) in other words, so
    the rendering starts at sentence k - j. The surest such match wins."""
    best: tuple[float, int] | None = None
    for k in range(2, len(sents)):
        for j in range(min(3, k - 1)):
            score = _same(source, sents[j], sents[k], words[j], words[k])
            if score and k - j >= 2 and (best is None or score > best[0]):
                best = (score, k - j)
    return best[1] if best else None


def _continuation_cut(words: list[set[str]], nxt: str) -> int | None:
    """The paragraph runs on mid-sentence into the next: the rendering starts at the last
    sentences, at the one whose words best match the first sentence."""
    if len(words) < 3 or not nxt[:1].islower():
        return None
    best = max(range(2, len(words)), key=lambda k: jaccard(words[k], words[0]))
    return best if jaccard(words[best], words[0]) >= 0.15 else None


def _join_broken(source: str, blocks: list[_Block]) -> list[_Block]:
    """A paragraph starting mid-sentence continues the block before it."""
    out: list[_Block] = []
    for b in blocks:
        first = source[b.start : b.start + 1]
        prev_end = source[b.start - 2 : b.start].strip()[-1:] if out else ""
        new_para = bool(out) and out[-1].para != b.para
        if new_para and (first.islower() or prev_end == ",") and not out[-1].header:
            last = out[-1]
            out[-1] = _Block(last.start, b.end, last.para, last.rendering, cue=last.cue)
        else:
            out.append(b)
    return out


def _pair(source: str, blocks: list[_Block]) -> None:
    """Mark machine translation / interpreted rendering pairs among neighbouring blocks."""
    for i in range(len(blocks) - 1):
        a, b = blocks[i], blocks[i + 1]
        if a.header or a.role == Role.INTERPRETER:
            continue
        if a.rendering == Rendering.MACHINE and b.rendering == Rendering.INTERPRETED:
            a.pair, b.pair = i + 1, i
            continue
        if b.role == Role.INTERPRETER and i + 2 < len(blocks):
            c = blocks[i + 2]  # machine remark, translator's line, rendering
            a.rendering, c.rendering = Rendering.MACHINE, Rendering.INTERPRETED
            a.pair, c.pair = i + 2, i
            continue
        if a.rendering != Rendering.ORIGINAL or b.rendering != Rendering.ORIGINAL:
            continue
        ta, tb = source[a.start : a.end], source[b.start : b.end]
        if cues.is_operator(ta) or cues.is_operator(tb) or cues.next_speaker(ta, {}):
            continue
        if re.match(r"\s*(?:Thank you,? [A-Z][a-z]+\.|I can answer|The first question)", tb):
            continue
        wa, wb = _cw(source, (a.start, a.end)), _cw(source, (b.start, b.end))
        if min(len(wa), len(wb)) < 8 or not 0.2 <= len(tb) / len(ta) <= 5:
            continue
        containment = len(wa & wb) / min(len(wa), len(wb))
        shared_pct = set(re.findall(r"\d+(?:\.\d+)?%", ta)) & set(re.findall(r"\d+(?:\.\d+)?%", tb))
        if containment >= 0.35 or len(shared_pct) >= 2:
            a.rendering, b.rendering = Rendering.MACHINE, Rendering.INTERPRETED
            a.pair, b.pair = i + 1, i
            b.cue = b.cue or f"renders the remark before it ({containment:.0%} shared words)"


def _attribute(source: str, blocks: list[_Block]) -> None:
    known = cues.roster(source)
    cast = _Cast(known, cues.speaking_order(source[: blocks[0].end] if blocks else ""))
    pending: cues.Who | None = None
    previous: _Block | None = None
    in_qa = False
    english: dict[str | None, cues.Who] = {}
    interpreted_management = False
    last_analyst: _Block | None = None
    for b in blocks:
        text = source[b.start : b.end]
        if b.header:
            continue
        in_qa = in_qa or bool(previous and (cues.opens_qa_now(text)
                                            or cues.opens_qa_now(source[previous.start : previous.end])))
        if b.role == Role.INTERPRETER:
            who = cues.translated_speaker(text, known)
            if who and previous is not None and previous.rendering == Rendering.MACHINE:
                _assign(previous, who)
            pending = who
            continue
        if b.rendering == Rendering.INTERPRETED and b.pair is not None and b.pair < len(blocks):
            src = blocks[b.pair]
            if src.speaker or src.role != Role.UNKNOWN:
                b.speaker, b.role, b.title = src.speaker, src.role, src.title
                b.cue = (b.cue + "; " if b.cue else "") + "same speaker as the remark it renders"
        _thanked_back(source, text, previous, known)
        if pending is not None and pending.name and pending.role != Role.UNKNOWN \
                and pending.name not in known and cues.resolve(pending.name, known) is None:
            known[pending.name] = pending  # "over to Steve to discuss the financials": Steve, CFO
        if pending is None and previous is not None and not in_qa and b.start_cue:
            pending = cast.next_in_order()
        if b.role == Role.UNKNOWN and b.speaker is None:
            who = _who_for(text, cast.place(pending), previous, known, in_qa)
            if who is None and in_qa and previous is not None and previous.role == Role.ANALYST:
                who = _english_answerer(b, english, interpreted_management)
            first_line = text.split("\n", 1)[0]
            if who is None and in_qa and last_analyst is not None and previous is not None \
                    and previous.role not in (Role.ANALYST, Role.OPERATOR) \
                    and (_follow_up(text) or _asks(first_line)):
                who = cues.Who(last_analyst.speaker, Role.ANALYST, last_analyst.title,
                               "asks a follow-up question")
            lines = [ln for ln in text.splitlines() if ln.strip()]
            if who is None and in_qa and last_analyst is None and previous is not None \
                    and previous.role != Role.ANALYST and _asks(first_line) \
                    and (len(lines) <= 3 or 2 * sum(map(_asks, lines)) >= len(lines)):
                who = cues.Who(None, Role.ANALYST, None, "asks a question in the Q&A (analyst, inferred)")
            if who is None and previous is None and not in_qa and not cues.is_operator(text) \
                    and _reads_introduction(text.splitlines()[:_INTRO_LINES]) and (
                        not sections.THANKS_SOMEONE.match(text)
                        or any(w.role == Role.CEO for w in cues.roster(text).values())):
                who = cues.Who(None, Role.IR, None, "opens the call: the safe harbour, who is on the "
                                                    "call (investor relations, inferred)")
            if who:
                _assign(b, who)
        cast.spoke(b)
        if b.role == Role.ANALYST:
            last_analyst = b
        if not in_qa and b.role in {Role.CEO, Role.CFO, Role.EXECUTIVE}:
            if b.rendering == Rendering.ORIGINAL:
                english[b.speaker] = cues.Who(b.speaker, b.role, b.title, "")
            else:
                interpreted_management = True
        pending = cues.next_speaker(text, known)
        previous = b


# "which Jeff will discuss", "And Chris will provide some color", "We'll then have Steve discuss"
_FORWARD_REF = re.compile(
    rf"\b(?:[Ww]hich|[Tt]hat|[Aa]s|[Aa]nd|[Tt]hen|,)\s+(?:then\s+)?{cues._NAME}\s+will\s+"
    rf"(?:then\s+|also\s+|now\s+)?"
    rf"(?:discuss|cover|review|address|talk|detail|walk|go|provide|give|elaborate|share|update|comment|"
    rf"touch|take you)\b|"
    rf"\bhave\s+{cues._NAME}\s+(?:discuss|cover|review|address|talk|walk|go|provide|give|share|"
    rf"update)\b|"
    rf"\b{cues._NAME}\s+will\s+(?:then\s+)?(?:discuss|cover|review|walk|go|provide|take you)\b"
    rf"[^.]{{0,60}}\b(?:later|shortly|in (?:more|greater|a (?:bit|little) more) detail|"
    rf"in a (?:moment|minute|few minutes))")
_DEFERRED_TO = re.compile(rf"\b(?:before|prior to)\s+(?:I\s+)?(?:turn|hand|pass)\w*\s+"
                          rf"(?:the call |it |the floor |things )?(?:over |back )?to\s+(?:our |my )?"
                          rf"{cues._NAME}")


_SELF_ANNOUNCED = re.compile(r"\bI(?:'ll| will) (?:then |now |also )?(?:provide|discuss|review|walk|cover|"
                             r"give|go (?:over|through)|take you|present|share|comment)\b", re.I)


def _runs(blocks: list[_Block]) -> list[list[_Block]]:
    """Consecutive prepared-remarks blocks of one speaker: a block that nothing attributes and
    that does not open like new remarks continues the block before it."""
    runs: list[list[_Block]] = []
    for b in blocks:
        if b.header or b.section != Section.PREPARED:
            continue
        attributed = b.speaker is not None or b.role != Role.UNKNOWN
        # "As Greg mentioned" turns the remarks to a new speaker when Greg is the one speaking so
        # far, or when nobody spoke before this run who could be Greg
        turned = b.back_ref is not None and bool(runs) and (
            runs[-1][0].speaker == b.back_ref
            or (runs[-1][0].speaker is None and not any(r[0].role not in (Role.IR, Role.OPERATOR)
                                                        for r in runs[:-1])))
        if runs and not attributed and not b.start_cue and not turned \
                and runs[-1][-1] is _prev_body(blocks, b):
            runs[-1].append(b)
        else:
            runs.append([b])
    return runs


def _prev_body(blocks: list[_Block], b: _Block) -> _Block | None:
    i = blocks.index(b)
    return next((p for p in reversed(blocks[:i]) if not p.header), None)


def _conventions(source: str, blocks: list[_Block]) -> None:
    """What a careful reader infers when the call does not say it outright:
    - a name's role wherever any of its turns gives one;
    - a turn nothing attributes continues the speaker before it;
    - "as Greg mentioned" names an earlier speaker, "which Jeff will discuss" a later one,
      "before turning the call over to Mark" the next one;
    - the first executive to speak after the introduction is the CEO, when nobody else is;
    - a later executive whose remarks cover the tax rate, cash flow, the balance sheet is the CFO;
    - an inferred role takes the name of the one person the roster gives that role."""
    known = cues.roster(source)
    _propagate_roles(blocks)
    runs = _runs(blocks)
    for r in runs:  # continuation
        for b in r[1:]:
            if b.speaker is None and b.role == Role.UNKNOWN:
                b.speaker, b.role, b.title = r[0].speaker, r[0].role, r[0].title
                b.cue = (b.cue + "; " if b.cue else "") + "continues the remarks before it"
    _presenting_ir(source, blocks, runs)
    names = [r[0].speaker for r in runs]
    people = _people_named(source)
    intro = [b for b in blocks[: blocks.index(runs[0][0])] if not b.header] if runs else []
    for b in intro:  # "... before turning it over to Noel for his thoughts"
        for pattern in (_FORWARD_REF, _DEFERRED_TO):
            for m in pattern.finditer(cues.flat(source[b.start : b.end])):
                name = cues._person(next(g for g in m.groups() if g))
                later = [j for j in range(len(runs)) if names[j] is None]
                if name and name not in names and later and _is_a_person(name, people, pattern, source):
                    names[later[0]] = name
                    _name_run(runs[later[0]], name, known, f'announced in the introduction: "{m[0]}"')
    for k, r in enumerate(runs):
        text = source[r[0].start : r[-1].end]
        for m in cues.BACK_REF.finditer(cues.flat(text)):
            name = cues._person(next(g for g in m.groups() if g))
            earlier = [j for j in range(k) if names[j] is None and runs[j][0].role != Role.IR
                       and not (name and _mentions_as_other(source, runs[j], name))]
            if name and name not in names[:k] and earlier and (r[0].speaker or "") != name:
                names[earlier[-1]] = name
                _name_run(runs[earlier[-1]], name, known, f'referred to later as "{m[0]}"')
        for pattern in (_FORWARD_REF, _DEFERRED_TO):
            for m in pattern.finditer(cues.flat(text)):
                name = cues._person(next(g for g in m.groups() if g))
                later = [j for j in range(k + 1, len(runs)) if names[j] is None]
                if name and name not in names and later and _is_a_person(name, people, pattern, source):
                    names[later[0]] = name
                    _name_run(runs[later[0]], name, known, f'announced earlier: "{m[0]}"')
    for k, r in enumerate(runs):
        for m in re.finditer(rf"\bback to {cues._NAME}", cues.flat(source[r[-1].start : r[-1].end])):
            name = cues._person(m.group(1))
            earlier = [j for j in range(k) if names[j] is None and runs[j][0].role != Role.IR]
            if name and name not in names[:k + 1] and earlier:
                names[earlier[0]] = name
                _name_run(runs[earlier[0]], name, known, f'handed back to later: "{m[0]}"')
    _in_order_of_introduction(source, intro, runs, names)
    _propagate_roles(blocks)
    body = [b for b in blocks if not b.header]
    management = [r for r in runs if r[0].role in (Role.UNKNOWN, Role.CEO, Role.CFO, Role.EXECUTIVE)]
    if management and not any(b.role == Role.CEO for b in body) and management[0][0].role == Role.UNKNOWN:
        _role_run(management[0], Role.CEO, known, "first executive to speak (CEO, inferred)")
    for r in management[1:]:
        if r[0].role == Role.UNKNOWN and not any(b.role == Role.CFO for b in body):
            topics = {m.group(0).lower() for m in cues.CFO_TOPICS.finditer(source, r[0].start, r[-1].end)}
            if len(topics) >= 3:
                _role_run(r, Role.CFO, known, f"reviews {', '.join(sorted(topics)[:3])} (CFO, inferred)")
    _propagate_roles(blocks)
    _sign_off(source, body)
    _financial_answers(source, body)
    for r in management:  # whoever presents is management; which officer, the call did not say
        if r[0].role == Role.UNKNOWN and r[0].speaker:
            _role_run(r, Role.EXECUTIVE, {}, "presents in the prepared remarks (executive, inferred)")


_LISTS_SPEAKERS = re.compile(
    r"\b(?:on (?:the|today's|this) call (?:today |with me )?(?:will be|are|is|we have)|joining (?:me|us)|"
    r"with me (?:today|on the call|here)|speaking (?:today|on (?:the|today's) call))", re.I)


def _in_order_of_introduction(source: str, intro: list[_Block], runs: list[list[_Block]],
                              names: list[str | None]) -> None:
    """ "On the call today will be Steven Tanger, our Executive Chair; Stephen Yalof, CEO; and Jim
    Williams, CFO": the remarks nothing else names are theirs, in that order."""
    people: list[cues.Who] = []
    for b in intro:
        for line in source[b.start : b.end].splitlines():
            if _LISTS_SPEAKERS.search(line) and not re.search(r"Q&A|question", line, re.I):
                people += [w for w in cues.roster(line).values()
                           if w.name and w.role not in (Role.ANALYST, Role.OPERATOR, Role.IR)]
    if not any(p.role == Role.CEO for p in people):
        return  # "Also on the call are our CFO and ...": the one speaking is not on the list
    todo = [p for p in people if not any(n and cues.resolve(n, {p.name or "": p}) for n in names)]
    for k, r in enumerate(runs):
        if not todo:
            return
        if names[k] is None and r[0].role in (Role.UNKNOWN, todo[0].role):
            who = todo.pop(0)
            names[k] = who.name
            for b in r:
                b.speaker, b.role, b.title = who.name, who.role, who.title
                b.cue = (b.cue + "; " if b.cue else "") + \
                    f"next in the order the introduction listed ({who.title}, inferred)"


def _financial_answers(source: str, body: list[_Block]) -> None:
    """An answer in the Q&A that nobody names and that is about the tax rate, cash flow, the
    balance sheet (two or more such topics) is the CFO's, when the call has one CFO."""
    cfos = {(b.speaker, b.title) for b in body if b.role == Role.CFO}
    if len(cfos) > 1:
        return
    name, title = next(iter(cfos)) if cfos else (None, None)
    for b in body:
        if b.section != Section.QA or b.role != Role.UNKNOWN or b.speaker is not None:
            continue
        topics = {m.group(0).lower() for m in cues.CFO_TOPICS.finditer(source, b.start, b.end)}
        if len(topics) >= 2:
            b.role, b.speaker, b.title = Role.CFO, name, title
            b.cue = (b.cue + "; " if b.cue else "") + \
                f"answers on {', '.join(sorted(topics)[:3])} (CFO, inferred)"


def _sign_off(source: str, body: list[_Block]) -> None:
    """Whoever signs the call off at the end of the Q&A ("I have no closing remarks, other than to
    thank you ...") is, by the usual order of a call, the CEO, when nothing names them."""
    for b in [b for b in body if b.role != Role.OPERATOR][-2:]:
        if b.role == Role.UNKNOWN and b.speaker is None and b.section == Section.QA \
                and _SIGN_OFF.match(source, b.start):
            ceo = next((x for x in body if x.role == Role.CEO), None)
            b.role, b.speaker = Role.CEO, ceo.speaker if ceo else None
            b.title = ceo.title if ceo else None
            b.cue = (b.cue + "; " if b.cue else "") + "signs off the call (CEO, inferred)"


def _presenting_ir(source: str, blocks: list[_Block], runs: list[list[_Block]]) -> None:
    """An investor-relations officer whose introduction says "I will provide commentary on the
    quarter ..." goes on to present: the remarks right after the introduction are theirs."""
    if not runs or runs[0][0].speaker is not None or runs[0][0].role != Role.UNKNOWN:
        return
    first = blocks.index(runs[0][0])
    intro = next((b for b in reversed(blocks[:first]) if not b.header), None)
    if intro is None or intro.role != Role.IR or not _SELF_ANNOUNCED.search(source, intro.start, intro.end):
        return
    for b in runs[0]:
        b.speaker, b.role, b.title = intro.speaker, intro.role, intro.title
        b.cue = (b.cue + "; " if b.cue else "") + "said in the introduction that they would present"


def _people_named(source: str) -> set[str]:
    """Every name the call uses for a person somewhere: introductions with titles, hand-overs,
    thanks, back-references, self-introductions. "Elevate will provide ..." may be a product;
    "Jeff will discuss ..." is a person when the call names Jeff as one elsewhere too."""
    text = cues.flat(source)
    found: set[str] = set()
    for who in cues.roster(text).values():
        if who.name:
            found.update(who.name.split())
    for m in cues.BACK_REF.finditer(text):
        found.update((cues._person(next(g for g in m.groups() if g)) or "").split())
    for line in source.splitlines():
        target = cues.hand_over(line)
        if target and target.name:
            found.update(target.name.split())
        _greets, thanked, _op = cues.greeting(line)
        if thanked:
            found.update(thanked.split())
    return found


def _is_a_person(name: str, people: set[str], pattern: re.Pattern[str], source: str) -> bool:
    """A name announced to speak is a person when the call uses it for a person elsewhere too,
    or never uses it as a thing ("our Elevate program", "the Copa brand")."""
    if pattern is _DEFERRED_TO or set(name.split()) & people:
        return True
    return not re.search(rf"\b(?:[Oo]ur|[Tt]he|[Ii]ts|[Tt]heir|[Tt]his|[Tt]hat|[Aa])\s+{re.escape(name)}\b",
                         source)


def _mentions_as_other(source: str, run: list[_Block], name: str) -> bool:
    """The run thanks `name` or refers back to them: it is not theirs."""
    text = cues.flat(source[run[0].start : run[-1].end])
    thanked = cues.greeting(text)[1]
    return thanked == name or any(cues._person(next(g for g in m.groups() if g)) == name
                                  for m in cues.BACK_REF.finditer(text))


def _propagate_roles(blocks: list[_Block]) -> None:
    roles: dict[str, tuple[Role, str | None]] = {}
    for b in blocks:
        if b.speaker and b.role not in (Role.UNKNOWN, Role.OPERATOR):
            roles.setdefault(b.speaker, (b.role, b.title))
    for b in blocks:
        if b.speaker and b.role == Role.UNKNOWN and b.speaker in roles:
            b.role, b.title = roles[b.speaker]
            b.cue = (b.cue + "; " if b.cue else "") + "role given elsewhere in the call"


def _name_run(run: list[_Block], name: str, known: dict[str, cues.Who], cue: str) -> None:
    who = cues.resolve(name, known)
    for b in run:
        b.speaker = who.name if who else name
        if who and b.role == Role.UNKNOWN:
            b.role, b.title = who.role, who.title
        b.cue = (b.cue + "; " if b.cue else "") + cue


def _role_run(run: list[_Block], role: Role, known: dict[str, cues.Who], cue: str) -> None:
    holders = [w for w in known.values() if w.role == role]
    for b in run:
        b.role = role
        if b.speaker is None and len(holders) == 1 and holders[0].name:
            b.speaker, b.title = holders[0].name, holders[0].title
        b.cue = (b.cue + "; " if b.cue else "") + cue


class _Cast:
    """The people the call introduced, in order. A hand-over to a person whose name the
    transcript removed ("over to <UNK> <UNK>") goes to the next introduced person who has not
    spoken yet (with the title's role, when the hand-over gives one)."""

    def __init__(self, known: dict[str, cues.Who], order: list[str]) -> None:
        self.known = known
        self.people = [w for w in known.values() if w.role not in (Role.ANALYST, Role.OPERATOR)]
        self.spoken: set[int] = set()
        self.order = order
        self.said: set[str] = set()
        self.first: cues.Who | None = None  # the first executive who spoke

    def next_in_order(self) -> cues.Who | None:
        """The next person the introduction said would speak ("Then John will discuss ...")."""
        for name in self.order:
            if name in self.said:
                continue
            self.said.add(name)
            if not name:  # the first speaker, whom the introduction does not name
                return None
            who = cues.resolve(name, self.known)
            if who:
                return cues.Who(who.name, who.role, who.title, f"speaks next in the order the introduction "
                                f"gave ({name})")
            return cues.Who(name, Role.UNKNOWN, None, "speaks next in the order the introduction gave")
        return None

    def place(self, who: cues.Who | None) -> cues.Who | None:
        if who is None or not who.placeholder:
            return who
        if re.search(r"\bback\b", who.cue) and self.first is not None and who.role in (Role.UNKNOWN,
                                                                                    self.first.role):
            return cues.Who(self.first.name, self.first.role, self.first.title,
                            who.cue + "; back to the first executive who spoke (inferred)")
        for n, person in enumerate(self.people):
            if n in self.spoken or (who.role != Role.UNKNOWN and person.role != who.role):
                continue
            if not person.placeholder and person.name:
                continue
            return cues.Who(None, person.role, person.title,
                            who.cue + f"; the next person introduced ({person.title}, inferred)")
        return cues.Who(None, who.role, who.title, who.cue)

    def spoke(self, b: _Block) -> None:
        if self.first is None and b.role in (Role.CEO, Role.CFO, Role.EXECUTIVE):
            self.first = cues.Who(b.speaker, b.role, b.title, "")
        for name in self.order:
            if name and b.speaker and set(name.split()) & set(b.speaker.split()):
                self.said.add(name)
        for n, person in enumerate(self.people):
            if n not in self.spoken and person.role == b.role and person.title == b.title \
                    and person.name == b.speaker:
                self.spoken.add(n)
                return


def _thanked_back(source: str, text: str, previous: _Block | None, known: dict[str, cues.Who]) -> None:
    """ "Thanks, Dan." names the speaker of the turn before, when nothing else did, and when that
    turn did not itself thank Dan ("Thanks Bob for the question ..." answers Bob, whose question
    the file left out)."""
    greets, name, _operator = cues.greeting(text)
    if not greets or name is None or previous is None or previous.speaker is not None:
        return
    if cues.greeting(source[previous.start : previous.end])[1] == name:
        return
    if re.match(r"[^.?!]{0,60}\bquestions?\b", text):
        return  # "Thanks, Bob, for the question": Bob asked; his words may not be in the file
    if previous.role in (Role.OPERATOR, Role.ANALYST, Role.INTERPRETER):
        return
    if len(name.rstrip(".")) < 2:
        return
    who = cues.resolve(name, known) or cues.Who(name, Role.UNKNOWN, None, "")
    if previous.role != Role.UNKNOWN and who.role not in (Role.UNKNOWN, previous.role):
        return
    previous.speaker, previous.title = who.name, who.title or previous.title
    if previous.role == Role.UNKNOWN:
        previous.role = who.role
    previous.cue = (previous.cue + "; " if previous.cue else "") + f'thanked by the next speaker: "{name}"'


def _follow_up(text: str) -> bool:
    head = text[:300]
    return bool(re.match(r"\s*(?:Okay|OK|Great|Got it|Perfect|That's (?:very |really )?helpful|Thanks|"
                         r"Thank you|Understood|Fair enough|Makes sense|All right|Alright|"
                         r"Very helpful|Appreciate)\b", head, re.I)) and "?" in text


def _english_answerer(b: _Block, english: dict[str | None, cues.Who],
                      interpreted_management: bool) -> cues.Who | None:
    """In an interpreted call, an answer given in the original language comes from the one
    executive who gave their prepared remarks in it (the others spoke through the interpreter)."""
    if b.rendering != Rendering.ORIGINAL or not interpreted_management or len(english) != 1:
        return None
    who = next(iter(english.values()))
    return cues.Who(who.name, who.role, who.title,
                    f"answers in English, as only {who.name} did in the prepared remarks (inferred)")


def _who_for(text: str, pending: cues.Who | None, previous: _Block | None,
             known: dict[str, cues.Who], in_qa: bool) -> cues.Who | None:
    if _operator_turn(text) or re.match(r"\s*(?:Thank you\.\s*)?Your line is open", text):
        return cues.Who("Operator", Role.OPERATOR, None, "operator's phrases")
    intro = cues.self_introduction(text, known)
    if pending and pending.role == Role.OPERATOR and len(text) > 300:
        pending = None  # asked for the operator, but what follows is not the operator's
    if intro and intro.name and (pending is None or pending.name is None
                                 or cues.resolve(pending.name, {intro.name: intro}) is None):
        return intro
    if pending and pending.role == Role.EXECUTIVE and intro and intro.name is None:
        return cues.Who(pending.name, pending.role, pending.title, pending.cue + "; " + intro.cue)
    if pending:
        return pending
    if intro:
        return intro
    if re.match(r"\s*Thank you,? (?:the )?operator", text, re.I) and previous is not None:
        return None
    continuing = previous is not None and previous.role in _MANAGEMENT - {Role.IR}
    if continuing and previous is not None and not in_qa and \
            not re.match(r"\s*(?:Thank you|Thanks)\b", text):
        return cues.Who(previous.speaker, previous.role, previous.title,
                        "continues the prepared remarks")
    return None


def _operator_turn(text: str) -> bool:
    """The operator's turn: most of its first sentences are the operator's phrases, or it opens
    with them and says nothing about the business (a turn that merely ends by asking the operator
    for questions is management's; "Let me take the first question on the cash flow." opens an
    answer on the tax rate and capex)."""
    lines = _lines(text)
    if len(lines) > 1 and all(re.match(r"[A-Z0-9<]", text[a]) for a, _b in lines[1:]):
        spans = [s for line in lines for s in sentence_spans(text, *line)]  # one utterance a line
    else:
        spans = sentence_spans(text)  # wrapped paragraphs: a line break is not a sentence's end
    said = [cues.is_operator(text[a:b]) for a, b in spans[:6]]
    business = cues.CFO_TOPICS.search(text) or _FINANCIAL_DETAIL.search(text)
    return bool(said) and ((any(said[:2]) and not business) or sum(said) * 2 > len(said))


def _assign(b: _Block, who: cues.Who) -> None:
    b.speaker, b.role, b.title = who.name, who.role, who.title
    b.cue = (b.cue + "; " if b.cue else "") + who.cue


def _sections(source: str, blocks: list[_Block]) -> None:
    body = [b for b in blocks if not b.header]
    if _starts_in_the_qa(source, body):
        for b in body:
            b.section = Section.QA
        return
    for b, section in zip(body, sections.assign([(b.role, source[b.start : b.end]) for b in body]),
                          strict=True):
        b.section = section


def _starts_in_the_qa(source: str, body: list[_Block]) -> bool:
    """A recording that starts in the middle of the Q&A (audio-aligned transcripts often do): it
    opens with no welcome, greeting or introduction, never opens a Q&A, and its first lines
    answer (or ask) questions."""
    if not body:
        return False
    first = source[body[0].start : body[0].end]
    lines = [ln.strip() for ln in source.splitlines() if ln.strip()][:30]
    opened = next((i for i, ln in enumerate(lines) if cues.opens_qa_now(ln)
                   and re.search(r"\b(?:now|will|let's|we'll|ready)\b", ln, re.I)), None)
    if opened is not None:
        lines = lines[:opened]  # what comes before the Q&A is opened must itself be Q&A talk
    if cues.greeting(first)[0] or _INTRO.search(" ".join(lines[:5])) or cues.is_operator(lines[0]) \
            or re.search(r"\bwelcome\b", " ".join(lines[:3]), re.I):
        return False
    talk = sum(1 for ln in lines if _ANSWER_START.match(ln) or _ADDRESSES.match(ln) or _asks(ln)
               or re.match(r"(?:Yes|No|Correct|Absolutely|Right|Sure)\b", ln)
               or re.search(r"\b(?:your|the|that|this) question\b|\banswer\b", ln, re.I))
    return talk >= 2


_ANSWER_OPENER = re.compile(
    r"\s*(?:Yes|Yeah|No|Sure|Thanks|Thank you|Good|Great|Okay|OK|So|Well|Absolutely|Correct|Right|"
    r"Certainly|Of course|Look|Hi|Hey|Let me|I think|I would|I'd|Sure|We|That's a|It's a|"
    r"[A-Z][a-z]+, (?:this is|it's|I)\b)")


_CLOSING = re.compile(r"\b(?:concludes? my (?:prepared )?(?:remarks|comments)|that's all (?:I have|from me)|"
                      r"I'll stop there|end my (?:prepared )?remarks)",
                      re.I)
# A first-person agenda ("Today, I'll briefly review our second quarter results"): a new speaker's
# start only where someone was announced to speak and has not started yet
_AGENDA = re.compile(
    r"\s*(?:(?:Today|Now|As usual|This morning|This afternoon|So),?\s+)?"
    r"(?:I'll|I will|I'm going to|I am going to|I'd like to|I would like to) "
    r"(?:now |first |briefly |quickly |then )*(?:review|cover|discuss|provide|walk|go (?:over|through)|"
    r"hit on|touch on|give|talk|share|focus|update)\b")
_OPENING = re.compile(
    r"\s*(?:(?:Thank you|Thanks)(?: very much)?,?(?: [A-Z][a-z]+,?)?(?: and)? good "
    r"(?:morning|afternoon|evening)|"
    r"(?:I'll|I will|I'd like to|I would like to|Let me|I'm going to) (?:now )?(?:start|begin|kick)\b"
    r"(?! with [A-Z][a-z]+,)|"
    r"Good (?:morning|afternoon|evening)\b|Thank you|Thanks\b)")


_INTRO = re.compile(
    r"forward[- ]looking|safe[- ]harbou?r|non-GAAP|GAAP measures|risk factors|Form 10-[KQ]|\b10-[KQ]\b|"
    r"\b8-K\b|SEC filings|reconciliation|webcast|replay|playback|press release|investor relations|"
    r"(?:joining|joined by|with) (?:me|us)\b|on (?:the|today's|this) call (?:today )?(?:are|is|with)|"
    r"differ materially|no (?:obligation|duty) to update|subject to (?:risks|uncertaint)|"
    r"uncertaint|assumptions|our website|slide presentation|open (?:it |the call )?up for (?:Q&A|questions)|"
    r"limit yourselves?|one question|references to|\b8-K\b|supplement(?:al)? (?:information|materials)|"
    r"no (?:obligation|duty) to (?:publicly )?(?:update|revise)|comparisons? (?:to|with) the prior|"
    r"unless (?:otherwise )?"
    r"(?:noted|stated|indicated)|exclud(?:e|es|ing) (?:the impact|special|certain)", re.I)


def _intro_end(text: list[str]) -> int | None:
    """Where the introduction ends, when the call opens with one (the safe harbour, who is on the
    call) and the next speaker's remarks follow without a hand-over line: the line after the last
    introductory line, once three lines in a row are not introductory."""
    last = None
    for i, line in enumerate(text[:40]):
        if last is not None and cues.hand_over(line) is not None:
            last = i  # the introduction hands over: it ends here
            break
        if last is not None and _SPEAKS_FOR_ONESELF.search(line) and not _INTRO.search(line):
            break  # "During our call a year ago, I talked about ...": someone's own remarks
        if _INTRO.search(line) or (cues.speaking_order(line) and (last is None or i - last <= 1)):
            last = i
        elif last is not None and i - last >= 3:
            break
    if last == 0 and cues.roster(text[0]):
        # "Joining me on the call today are Gene Lee, our CEO; ...": the introduction goes on with
        # housekeeping until someone speaks for themselves or hands over
        for i in range(1, min(len(text), 12)):
            results = _FINANCIAL_DETAIL.search(text[i]) or _RESULTS.search(text[i])
            if _SPEAKS_FOR_ONESELF.search(text[i]) or _OPENING.match(text[i]) or (
                    results and not _INTRO.search(text[i])):
                last = i - 1
                break
            if cues.hand_over(text[i]) is not None:
                last = i
                break
    if last is None or last + 1 >= len(text) or last > 30:
        return None
    while last + 1 < len(text) and cues.hand_over(text[last + 1]) is not None:
        last += 1  # the introduction's own hand-over ("I'll now hand the call over to Dan.")
    if last + 1 >= len(text):
        return None
    if not _reads_introduction(text[: last + 1]) or (
            sections.THANKS_SOMEONE.match(text[0])
            and not any(w.role == Role.CEO for w in cues.roster(" ".join(text[: last + 1])).values())):
        return None  # the CEO's own welcome ("I'm joined by our CFO ..."), not an IR introduction
    return last + 1


_RESULTS = re.compile(r"\bwe (?:had|delivered|reported|achieved|grew|generated|saw|posted|made|continued)\b",
                      re.I)
_SPEAKS_FOR_ONESELF = re.compile(
    r"\bI(?:'ve| have| had|'m| am| was| talked| said| believe| think| want| wanted| feel)\b"
    r"(?! (?:would like to )?(?:remind|note|point out|turn|hand|introduce|refer))")


_INTRO_LINES = 12  # an introduction says what it is in its first lines, not somewhere in a long turn


def _reads_introduction(lines: list[str]) -> bool:
    """Lines that introduce the call for others: the safe harbour, the filings and the website,
    or who is on the call including the CEO (so the speaker is not the CEO)."""
    text = " ".join(lines)
    intro_lines = sum(1 for ln in lines if _INTRO.search(ln))
    hands_over = bool(lines) and cues.hand_over(lines[-1]) is not None
    return bool(cues.SAFE_HARBOUR.search(text)) or intro_lines >= 2 \
        or any(w.role == Role.CEO for w in cues.roster(text).values()) \
        or (intro_lines >= 1 and (hands_over or bool(cues.speaking_order(text))))


def _sentence_blocks(source: str) -> tuple[list[tuple[int, int]], dict[int, str]]:
    """Group one-sentence (or one-fragment) lines into turns. A turn ends after a hand-over
    ("I'll now turn the call over to Fred"), around the operator's lines, before a line that
    thanks the previous speaker ("Thanks, Dan"), where the introduction ends, where a speaker
    who closed their remarks (or an introduction that announced more speakers) is followed by a
    line that opens new ones ("I'll start with our cash performance"), before a line that
    refers back to an earlier speaker ("As Greg mentioned") and, in the Q&A, where an answer
    follows a question or a question follows an answer. Returns the turns, and for each turn
    that starts like new remarks why: "opens" or the name it refers back to."""
    lines = _lines(source)
    if not lines:
        return [], {}
    text = [source[a:b] for a, b in lines]
    asked = [_asks(t) for t in text]
    starts = [0]
    why: dict[int, str] = {}
    in_qa = False
    answering = False
    closing = -100
    intro_end = _intro_end(text)
    intro_text = " ".join(text[: intro_end or 0])
    announced: list[int] = []  # lines announcing a speaker who has not started yet
    expected = max(len(cues.speaking_order(intro_text)),
                   sum(1 for w in cues.roster(intro_text).values()
                       if w.role in (Role.CEO, Role.CFO, Role.EXECUTIVE)))
    qa_line: int | None = None
    for i in range(1, len(lines)):
        prev, line = text[i - 1], text[i]
        if in_qa and qa_line is None:
            qa_line = i - 1
        opens_qa = i - 1 >= (intro_end or 0) and cues.opens_qa_now(prev)
        opened_qa = not in_qa and opens_qa and not cues.is_operator(prev)
        in_qa = in_qa or opens_qa
        if not in_qa and i > (intro_end or 0) + 3 and _ADDRESSES.match(line) and not cues.greeting(line)[0] \
                and cues.hand_over(line) is None:
            in_qa = opened_qa = True  # answers that address an analyst: the Q&A is under way
        if _CLOSING.search(prev):
            closing = i - 1
        greets, thanked, thanked_operator = cues.greeting(line)
        agenda = _AGENDA.match(line) is not None
        opening = _OPENING.match(line) is not None or i == intro_end
        new = (
            i == intro_end
            or (cues.hand_over(prev) is not None and not cues.VOCATIVE_HANDOVER.match(line))
            or (cues.is_operator(line) and not cues.is_operator(prev))
            or (greets and ((thanked is not None and len(thanked.rstrip(".")) > 1) or thanked_operator
                            or re.match(r"\s*Good (?:morning|afternoon|evening|day)", line) is not None))
            or (opening and not in_qa and (i - closing <= 12 or (expected > 1 and i > (intro_end or 0))))
            or ((opening or agenda) and not in_qa and announced and i - announced[-1] >= 1)
            or (in_qa and asked[i - 1] and not asked[i] and _ANSWER_OPENER.match(line) is not None)
            or (in_qa and answering and not asked[i - 1] and asked[i]
                and _QUESTION_START.match(line) is not None)
            or opened_qa
            or (in_qa and (_ANSWER_START.match(line) is not None or _SIGN_OFF.match(line) is not None))
        )
        if i - 1 >= (intro_end or 0) and not in_qa and _FORWARD_REF.search(cues.flat(prev)):
            announced.append(i - 1)
        if new:
            opening = opening or agenda
            if opening and not in_qa and announced and i != intro_end:
                announced.pop(0)
            # a new turn in the Q&A answers unless it asks, greets or follows the operator
            answering = not (asked[i] or greets or _COURTESY.match(line) or cues.is_operator(prev)
                             or cues.hand_over(prev) is not None)
            if opening and not in_qa:
                why[len(starts)] = "opens"
                closing = -100
                if i != intro_end:
                    expected -= 1
            starts.append(i)
            continue
        earlier = cues.back_reference(line) if not in_qa else None
        if earlier and i - starts[-1] >= 2:
            window = range(max(starts[-1] + 1, i - 8), i + 1)
            j = next((k for k in reversed(window) if _OPENING.match(text[k])), i)
            why[len(starts)] = earlier
            starts.append(j)
    _financial_turn(text, starts, why, intro_end or 0, qa_line or len(lines), source)
    bounds = starts + [len(lines)]
    return [(lines[bounds[k]][0], lines[bounds[k + 1] - 1][1]) for k in range(len(starts))], why


def _lines(source: str) -> list[tuple[int, int]]:
    """The non-empty lines of the text, without white space at either end."""
    return [trim(source, m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", source)]


_FINANCIAL_DETAIL = re.compile(
    r"\$\s?\d|\d(?:\.\d+)?%|\bper (?:diluted )?share\b|\bbasis points?\b|\bmargin\b|\bguidance\b|"
    r"\b(?:million|billion)\b", re.I)


def _financial_turn(text: list[str], starts: list[int], why: dict[int, str], first: int, last: int,
                    source: str) -> None:
    """The call names a CFO, but no turn of the prepared remarks starts where one would: the
    CFO's remarks (dense with figures, the tax rate, cash flow, the balance sheet) follow the
    CEO's in one unbroken run. Split the longest run where the density of financial detail
    rises most, when it rises clearly."""
    people = cues.roster(" ".join(text[:40]))
    if not any(w.role == Role.CFO for w in people.values()):
        return
    runs = [(a, b) for a, b in zip(starts, starts[1:] + [len(text)], strict=True) if a < last]
    runs = [(a, min(b, last)) for a, b in runs if min(b, last) - a >= 20 and a >= first]
    if not runs:
        return
    a, b = max(runs, key=lambda r: r[1] - r[0])
    f = [len(_FINANCIAL_DETAIL.findall(t)) + 2 * len(cues.CFO_TOPICS.findall(t)) for t in text[a:b]]
    best, gain = None, 0.0
    for k in range(8, len(f) - 8):
        head, tail = f[:k], f[k:]
        rise = sum(tail) / len(tail) - sum(head) / len(head)
        bonus = 0.5 if (_OPENING.match(text[a + k]) or _AGENDA.match(text[a + k])) else 0.0
        if rise + bonus > gain:
            best, gain = k, rise + bonus
    if best is not None and gain >= 1.5:  # set on the tune sets
        i = a + best
        k = starts.index(a) + 1
        shifted = {(n + 1 if n >= k else n): v for n, v in why.items()}
        why.clear()
        why.update(shifted)
        why[k] = "opens"
        starts.insert(k, i)


_QUESTION_START = re.compile(
    r"\s*(?:(?:Okay|OK|Great|Got it|Thanks|Thank you|Perfect|Understood|That's (?:very |really )?helpful|"
    r"Fair enough|Makes sense|All right|Alright|Appreciate)\b|(?:Hi|Hey|Good (?:morning|afternoon))\b|"
    r"(?:And|So|Just|Maybe|Then|Also|Second|Lastly|Finally)?\s*,?\s*(?:how|can|could|would|do|does|did|are|"
    r"is|what|where|when|why|I was wondering|I wanted|my (?:\w+ )?question|a (?:quick )?follow|"
    r"just (?:a )?(?:quick )?follow|any)\b)", re.I)


_COURTESY = re.compile(r"\s*(?:(?:Hi|Hey|Hello|Yes|Yeah|Great)\b[,.!]?\s*)*"
                       r"(?:thanks|thank you|good (?:morning|"
                       r"afternoon|evening))\b[^.?!]{0,40}\b(?:question|taking|call|everyone|guys)?", re.I)


# How an answer in the Q&A starts: "Thanks for the question", "<UNK>, yes, this is Steve", "Joe, we ..."
_ANSWER_START = re.compile(
    r"\s*(?:(?:Yes|Yeah|Sure|Hi|Hey|Well|So)\W+)*(?:(?:thanks|thank you) for (?:the|your|that) question|"
    r"(?:good|great|fair) question|"
    r"(?:<UNK>|[A-Z][a-z]+),\s+(?:yes|yeah|this is|it's|good|great|thanks|sure)\b|"
    r"(?:yes|yeah|sure|hi|hey),?\s+<UNK>\b|this is [A-Z][a-z]+\b)", re.I)
# The call's sign-off in the Q&A: "I have no closing remarks", "We appreciate your participation"
_SIGN_OFF = re.compile(
    r"\s*(?:(?:Well|Okay|OK|So|All right),?\s+)?(?:I (?:have|don't have) no (?:further |other )?closing|"
    r"(?:thanks|thank you),?\s+(?:again,?\s+)?(?:everyone|everybody|all)(?: of you)?,? for|"
    r"we appreciate (?:your|everyone's) (?:participation|interest|time)|"
    r"(?:that|this) concludes (?:our|the) call)",
    re.I)
# An answer that addresses the analyst, early in the line: "So, <UNK>, on 2018, ..."
_ADDRESSES = re.compile(r"\s*(?:\S+\s+){0,5}?(?<!as )(?<!As )<UNK>,\s")


def _asks(line: str) -> bool:
    return cues.QUESTION_LINE.search(line) is not None
