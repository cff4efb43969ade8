"""Answers from a language model on any OpenAI-compatible server, verified before display.

Flow: retrieved chunks become numbered excerpts (E1, E2, ...) in Jinja2 prompts trimmed to the
model's context with tiktoken; the reply format climbs down a ladder that real servers need
(JSON schema -> JSON mode -> plain text with tolerant parsing); the reply is validated, repaired
once if invalid, else the offline answer is shown with a notice. Every quote must be found in the
excerpt it cites and is then located at exact offsets in the file; a quote that is not there is
removed and the user told. Figures in the answer that no displayed quote backs are flagged.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

from pydantic import BaseModel, ConfigDict, Field, ValidationError

import prompts
from index.errors import first_problem
from index.store import Hit
from index.types import ROLE_LABELS, SECTION_LABELS, Rendering, Transcript
from qa.config import Settings
from qa.errors import ModelError
from qa.question import Question, analyse, names_in_play
from qa.types import NOT_SAID, Answer, Citation

FORMATS = ("json_schema", "json_object", "text")
OnText = Callable[[str], None]
OnNotice = Callable[[str], None]


# -- excerpts and prompts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Excerpt:
    id: str
    hit: Hit
    transcript: Transcript
    text: str

    def variables(self) -> dict[str, str]:
        c = self.hit.chunk
        who = c.speaker or ROLE_LABELS[c.role]
        if c.speaker and c.role.value not in ("unknown", "operator"):
            who = f"{c.speaker}, {c.title or ROLE_LABELS[c.role]}"
        note = ""
        if c.rendering == Rendering.MACHINE:
            note = "machine translation (figures may be wrong)"
        elif c.rendering == Rendering.INTERPRETED:
            note = "interpreter's rendering"
        return {"id": self.id, "company": c.company or c.transcript, "period": c.period or "",
                "speaker": who, "section": SECTION_LABELS[c.section], "note": note,
                "text": self.text}


class ModelQuote(BaseModel):
    model_config = ConfigDict(extra="ignore")
    excerpt: str = Field(min_length=1)
    text: str = Field(min_length=1)


class ModelReply(BaseModel):
    """What the model must return (validated: it is untrusted input)."""

    model_config = ConfigDict(extra="ignore")
    answer: str
    answerable: bool = True
    quotes: list[ModelQuote] = Field(default_factory=list)


SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "answer": {"type": "string"},
        "answerable": {"type": "boolean"},
        "quotes": {"type": "array", "items": {
            "type": "object",
            "properties": {"excerpt": {"type": "string"}, "text": {"type": "string"}},
            "required": ["excerpt", "text"], "additionalProperties": False}},
    },
    "required": ["answer", "answerable", "quotes"],
    "additionalProperties": False,
}
SCHEMA_HINT = ('{"answer": string, "answerable": boolean, '
               '"quotes": [{"excerpt": "E<n>", "text": string copied verbatim from excerpt E<n>}]}')


def excerpts_for(hits: Sequence[Hit], transcripts: dict[str, Transcript]) -> list[Excerpt]:
    return [Excerpt(f"E{n}", h, transcripts[h.chunk.transcript], h.chunk.text)
            for n, h in enumerate(hits, 1)]


def prompt_hints(q: Question) -> dict[str, Any]:
    """What the question analysis tells the model: its parts, the unit asked for, whether it asks
    for guidance or for names."""
    return {"parts": list(q.parts), "unit": q.unit, "forward": q.forward, "names": q.needs_name}


def build_messages(question: str, excerpts: Sequence[Excerpt], fmt: str,
                   count: Callable[[str], int], budget: int,
                   hints: dict[str, Any] | None = None) -> tuple[list[dict[str, str]], int]:
    """System + user messages that fit `budget` tokens: excerpts are dropped from the end.
    `hints`: the question analysis (parts, unit asked for, guidance) the offline answerer uses."""
    json_mode = fmt != "text"
    system = prompts.render("system.j2", json_mode=json_mode)
    kept = list(excerpts)
    while True:
        user = prompts.render("user.j2", question=question, json_mode=json_mode,
                              schema=SCHEMA_HINT, excerpts=[e.variables() for e in kept],
                              hints=hints)
        used = count(system) + count(user) + 12
        if used <= budget or not kept:
            break
        kept.pop()
    if used > budget:
        raise ModelError("the question and instructions alone do not fit the model's context "
                         f"({used} > {budget} tokens): raise QA_CONTEXT_TOKENS or shorten it")
    return [{"role": "system", "content": system}, {"role": "user", "content": user}], len(kept)


# -- parsing replies ------------------------------------------------------------------------------


def parse_reply(text: str) -> ModelReply:
    """JSON (also inside code fences or prose), else the ANSWER:/QUOTE [E1]: text form."""
    obj = _json_object(text)
    if obj is not None:
        return ModelReply.model_validate(obj)
    return _plain(text)


def _json_object(text: str) -> Any | None:
    cleaned = re.sub(r"^```(?:json)?\s*|\s*```\s*$", "", text.strip())
    try:
        return json.loads(cleaned)
    except ValueError:
        pass
    start = cleaned.find("{")
    while start >= 0:
        try:
            obj, _ = json.JSONDecoder().raw_decode(cleaned[start:])
            if isinstance(obj, dict):
                return obj
        except ValueError:
            pass
        start = cleaned.find("{", start + 1)
    return None


def _plain(text: str) -> ModelReply:
    m = re.search(r"ANSWER\s*:\s*(.+?)(?=\n\s*QUOTE\b|\Z)", text, re.S | re.I)
    if not m:
        raise ValueError("no JSON object and no 'ANSWER:' line in the reply")
    answer = " ".join(m.group(1).split())
    quotes = [ModelQuote(excerpt=q.group(1).upper(), text=_unquote(q.group(2)))
              for q in re.finditer(r"QUOTE\s*\[?\s*(E\d+)\s*\]?\s*:\s*(.+)", text, re.I)]
    refused = bool(re.search(r"(?:does not|doesn't|did not) (?:say|mention|answer|discuss)", answer,
                             re.I)) and not quotes
    return ModelReply(answer=answer, answerable=not refused, quotes=quotes)


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] in "\"'\u201c\u2018" and text[-1] in "\"'\u201d\u2019":
        text = text[1:-1]
    return text.strip()


class AnswerStream:
    """Pulls the answer text out of a reply while it streams, for display as it arrives."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.buffer = ""
        self.shown = 0  # characters of the answer already handed out

    def feed(self, delta: str) -> str:
        self.buffer += delta
        answer = self._answer_so_far()
        new = answer[self.shown :]
        self.shown = len(answer)
        return new

    def _answer_so_far(self) -> str:
        if self.fmt == "text":
            m = re.search(r"ANSWER\s*:\s*", self.buffer, re.I)
            if not m:
                return ""
            rest = self.buffer[m.end() :]
            stop = re.search(r"\n\s*Q(?:U(?:O(?:T(?:E)?)?)?)?\s*$|\n\s*QUOTE\b", rest, re.I)
            return rest[: stop.start()] if stop else rest
        m = re.search(r'"answer"\s*:\s*"', self.buffer)
        if not m:
            return ""
        return _partial_json_string(self.buffer[m.end() :])


def _partial_json_string(raw: str) -> str:
    out: list[str] = []
    i = 0
    escapes = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
               "t": "\t"}
    while i < len(raw):
        ch = raw[i]
        if ch == '"':
            break
        if ch == "\\":
            if i + 1 >= len(raw):
                break
            nxt = raw[i + 1]
            if nxt == "u":
                if i + 6 > len(raw):
                    break
                try:
                    out.append(chr(int(raw[i + 2 : i + 6], 16)))
                except ValueError:
                    pass
                i += 6
                continue
            out.append(escapes.get(nxt, nxt))
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


# -- verification of the model's quotes -----------------------------------------------------------

_QUOTE_MARKS = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'",
                              "\u2032": "'", "\u00b4": "'", "`": "'", "\u2013": "-", "\u2014": "-"})


def _normalised(text: str) -> tuple[str, list[int]]:
    """Text with quote marks unified and white space folded, and each char's original index."""
    out: list[str] = []
    where: list[int] = []
    space = False
    for i, ch in enumerate(text.translate(_QUOTE_MARKS)):
        if ch.isspace():
            if out and not space:
                out.append(" ")
                where.append(i)
            space = True
            continue
        out.append(ch)
        where.append(i)
        space = False
    return "".join(out), where


def locate(quote: str, excerpt: Excerpt) -> Citation | None:
    """The model's quote as a span of the file, if it is in the excerpt it cites."""
    wanted, _ = _normalised(quote.strip().strip("\"'\u201c\u201d").rstrip("."))
    if len(wanted) < 8:
        return None
    hay, where = _normalised(excerpt.text)
    at = hay.find(wanted)
    if at < 0:
        at = hay.lower().find(wanted.lower())
        if at < 0:
            return None
    a, b = where[at], where[at + len(wanted) - 1] + 1
    if b < len(excerpt.text) and excerpt.text[b] == "." and quote.rstrip().endswith("."):
        b += 1
    t, c = excerpt.transcript, excerpt.hit.chunk
    turn = t.turns[c.turn]
    local = t.local_offset(turn, c.start)
    start, end = t.file_span(turn, local + a, local + b)
    return Citation(quote=t.span(start, end), transcript=t.id, start=start, end=end,
                    turn=turn.index, speaker=turn.speaker, role=turn.role, section=turn.section,
                    title=turn.title, rendering=turn.rendering.value)


# -- the client -----------------------------------------------------------------------------------


@dataclass
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    excerpts: int = 0
    prompt_estimate: int = 0  # tiktoken's count of the prompt, when the server reports none
    seconds: float = 0.0
    formats: list[str] = field(default_factory=list)


_capabilities: dict[tuple[str, str], int] = {}  # (base_url, model) -> first format that works


class ChatClient:
    def __init__(self, settings: Settings) -> None:
        import openai

        self.settings = settings
        self.model = settings.model or ""
        self.client = openai.OpenAI(
            base_url=settings.base_url, api_key=settings.api_key or "not-needed",
            timeout=settings.timeout, max_retries=settings.max_retries)

    def formats(self) -> list[str]:
        start = _capabilities.get((self.settings.base_url, self.model), 0)
        return list(FORMATS[start:])

    def downgrade(self, fmt: str) -> None:
        key = (self.settings.base_url, self.model)
        _capabilities[key] = max(_capabilities.get(key, 0), FORMATS.index(fmt) + 1)

    def request(self, messages: list[dict[str, str]], fmt: str, stream: bool) -> Any:
        extra: dict[str, Any] = {}
        if fmt == "json_schema":
            extra["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "answer", "schema": SCHEMA, "strict": True}}
        elif fmt == "json_object":
            # "schema" is llama.cpp's way to constrain JSON mode; servers that refuse the key
            # answer 400 and the ladder moves on to plain text.
            extra["response_format"] = {"type": "json_object", "schema": SCHEMA}
        if stream:
            extra["stream_options"] = {"include_usage": True}
        return self.client.chat.completions.create(
            model=self.model, messages=cast(Any, messages), stream=stream, temperature=0,
            max_tokens=self.settings.answer_tokens, **extra)


Messages = Callable[[str], list[dict[str, str]]]  # format -> the messages for it


def run_chat(client: ChatClient, messages: Messages, on_text: OnText | None,
             on_notice: OnNotice | None, usage: Usage) -> tuple[str, str]:
    """Send the messages down the format ladder; returns (reply text, format used)."""
    import openai

    last: Exception | None = None
    for fmt in client.formats():
        try:
            text = _stream_once(client, messages(fmt), fmt, on_text, on_notice, usage)
            usage.formats.append(fmt)
            return text, fmt
        except (openai.BadRequestError, openai.UnprocessableEntityError,
                openai.InternalServerError) as e:
            if fmt == "text":
                raise _model_error(e, client.settings) from e
            client.downgrade(fmt)
            last = e
            if on_notice:
                on_notice(f"the server did not take response_format {fmt} "
                          f"(HTTP {e.status_code}); trying {FORMATS[FORMATS.index(fmt) + 1]}")
        except openai.APIError as e:
            raise _model_error(e, client.settings) from e
    raise _model_error(last or RuntimeError("no reply"), client.settings)


def _stream_once(client: ChatClient, messages: list[dict[str, str]], fmt: str,
                 on_text: OnText | None, on_notice: OnNotice | None, usage: Usage) -> str:
    """One streamed request; a stream that drops is asked again once (nothing is lost: the
    answer is only verified and kept once complete)."""
    for attempt in (1, 2):
        started = time.perf_counter()
        shown = AnswerStream(fmt)
        parts: list[str] = []
        try:
            stream = client.request(messages, fmt, stream=True)
            with stream:
                finished = False
                for chunk in stream:
                    _count_usage(chunk, usage)
                    for choice in chunk.choices or []:
                        delta = choice.delta.content or "" if choice.delta else ""
                        if delta:
                            parts.append(delta)
                            visible = shown.feed(delta)
                            if visible and on_text:
                                on_text(visible)
                        if choice.finish_reason:
                            finished = True
            if not finished:
                raise _Dropped("the stream ended without a finish reason")
            usage.seconds += time.perf_counter() - started
            return "".join(parts)
        except _stream_breaks() as e:
            if _is_status(e):
                raise
            if attempt == 2:
                raise ModelError(f"the model server at {client.settings.base_url} dropped the "
                                 "answer stream twice; try again") from e
            if on_notice:
                on_notice("the answer stream dropped mid-answer; asking again")
    raise AssertionError("unreachable")


class _Dropped(Exception):
    pass


def _stream_breaks() -> tuple[type[BaseException], ...]:
    import openai

    # openai raises APIConnectionError for a chunked stream cut mid-way, a bare JSONDecodeError
    # (a ValueError) for a malformed SSE event, and APIError for an SSE error event.
    breaks: list[type[BaseException]] = [_Dropped, openai.APIConnectionError, openai.APIError,
                                          ConnectionError, OSError, ValueError]
    try:
        import httpx

        breaks.append(httpx.HTTPError)
    except ImportError:  # pragma: no cover - openai brings its own HTTP stack
        pass
    return tuple(breaks)


def _is_status(e: BaseException) -> bool:
    """Errors with an HTTP status, or a timeout, are not dropped streams: never retried here."""
    import openai

    return isinstance(e, openai.APIStatusError | openai.APITimeoutError) or (
        isinstance(e, openai.APIConnectionError) and _refused(e))


def _refused(e: BaseException) -> bool:
    seen: BaseException | None = e
    while seen is not None:
        if isinstance(seen, ConnectionRefusedError) or "refused" in str(seen).lower():
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _count_usage(chunk: Any, usage: Usage) -> None:
    u = getattr(chunk, "usage", None)
    if u:
        usage.prompt_tokens = getattr(u, "prompt_tokens", 0) or usage.prompt_tokens
        usage.completion_tokens = getattr(u, "completion_tokens", 0) or usage.completion_tokens


def _model_error(e: BaseException, s: Settings) -> ModelError:
    """One line that says what happened and what to do."""
    import openai

    where = s.base_url
    if isinstance(e, openai.APITimeoutError):
        return ModelError(f"the model server at {where} did not answer within {s.timeout:g} s: "
                          "raise --timeout / QA_TIMEOUT or check the server")
    if isinstance(e, openai.APIConnectionError):
        return ModelError(f"cannot reach the model server at {where} (connection refused or "
                          "dropped): start it, or set OPENAI_BASE_URL / --base-url")
    if isinstance(e, openai.AuthenticationError):
        return ModelError(f"the model server at {where} refused the API key (HTTP 401): set "
                          "OPENAI_API_KEY")
    if isinstance(e, openai.PermissionDeniedError):
        return ModelError(f"the model server at {where} denied access (HTTP 403): check "
                          "OPENAI_API_KEY and the model's permissions")
    if isinstance(e, openai.NotFoundError):
        return ModelError(f"model {s.model!r} not found at {where} (HTTP 404): check --model / "
                          "QA_MODEL and OPENAI_BASE_URL")
    if isinstance(e, openai.RateLimitError):
        return ModelError(f"the model server at {where} is rate limiting (HTTP 429) after "
                          f"{s.max_retries} retries: wait and try again")
    if isinstance(e, openai.APIStatusError):
        return ModelError(f"the model server at {where} failed (HTTP {e.status_code}) after "
                          f"{s.max_retries} retries: try again or check the server's log")
    if isinstance(e, ModelError):
        return e
    return ModelError(f"the model server at {where} failed: {type(e).__name__}: {e}")


# -- the answerer ---------------------------------------------------------------------------------


def answer(question: str, hits: Sequence[Hit], transcripts: dict[str, Transcript],
           settings: Settings, on_text: OnText | None = None, on_notice: OnNotice | None = None,
           client: ChatClient | None = None) -> tuple[Answer, Usage]:
    from index import offline

    usage = Usage()
    notices: list[str] = []

    def notice(message: str) -> None:
        """A process event (format ladder, repair, dropped stream), shown as it happens."""
        notices.append(message)
        if on_notice:
            on_notice(message)

    retrieved = tuple(h.chunk.id for h in hits)
    if not hits:
        return Answer(question, NOT_SAID, False, mode="llm", model=settings.model,
                      retrieved=retrieved), usage
    enc = offline.tiktoken_encoding()

    def count(text: str) -> int:
        return len(enc.encode(text, disallowed_special=()))

    excerpts = excerpts_for(hits, transcripts)
    budget = settings.context_tokens - settings.answer_tokens
    hints = prompt_hints(analyse(question, names_in_play(transcripts)))

    def messages(fmt: str) -> list[dict[str, str]]:
        built, usage.excerpts = build_messages(question, excerpts, fmt, count, budget, hints)
        usage.prompt_estimate = sum(count(m["content"]) for m in built)
        return built

    client = client or ChatClient(settings)
    text, fmt = run_chat(client, messages, on_text, notice, usage)
    reply, why = _validated(text)
    if reply is None:
        notice("the model's reply was not valid; asking it once to repair it")
        repair = prompts.render("repair.j2", error=why, json_mode=fmt != "text",
                                schema=SCHEMA_HINT)

        def repair_messages(f: str) -> list[dict[str, str]]:
            return messages(f) + [{"role": "assistant", "content": text},
                                  {"role": "user", "content": repair}]

        fixed, _ = run_chat(client, repair_messages, None, notice, usage)
        reply, _ = _validated(fixed)
    if reply is None:
        notice("the model's reply could not be used (invalid twice); showing the offline answer")
        from qa import extractive

        fallback = extractive.answer(question, hits, transcripts)
        return replace(fallback, mode="quotes", model=settings.model,
                       notices=tuple(notices)), usage
    return _verified(question, reply, excerpts, hits, transcripts, settings, notices,
                     retrieved), usage


def _validated(text: str) -> tuple[ModelReply | None, str]:
    """The parsed reply, or None and why it could not be used (told to the model on repair)."""
    try:
        return parse_reply(text), ""
    except ValidationError as e:
        return None, first_problem(e, whole="reply")
    except ValueError as e:
        return None, str(e)


def _verified(question: str, reply: ModelReply, excerpts: Sequence[Excerpt], hits: Sequence[Hit],
              transcripts: dict[str, Transcript], settings: Settings, notices: list[str],
              retrieved: tuple[str, ...]) -> Answer:
    """Keep the quotes found in their excerpts, flag unbacked figures. The findings go in the
    answer (shown with it, and in --json), not to the live notice channel."""
    notice = notices.append
    from qa import extractive, figures

    by_id = {e.id.upper(): e for e in excerpts}
    citations: list[Citation] = []
    removed: list[str] = []
    for q in reply.quotes:
        excerpt = by_id.get(q.excerpt.strip().strip("[]").upper())
        found = locate(q.text, excerpt) if excerpt else None
        if found is None:
            removed.append(q.text)
        elif all((c.start, c.end) != (found.start, found.end) for c in citations):
            citations.append(found)
    if removed:
        n = len(removed)
        notice(f"{n} quote{' was' if n == 1 else 's were'} not in the transcript and "
               f"{'was' if n == 1 else 'were'} removed")
    unbacked = [f.text for f in figures.unbacked(reply.answer, [c.quote for c in citations])]
    if unbacked:
        notice(f"figure{'s' if len(unbacked) > 1 else ''} not backed by any displayed quote: "
               f"{', '.join(unbacked)}")
    if reply.answerable and not citations:
        notice("no quote from the transcript supports this answer: treat it as unverified")
    nearest: tuple[Citation, ...] = ()
    if not reply.answerable:
        nearest = extractive.nearest(question, hits, transcripts)
    return Answer(question, reply.answer.strip() or NOT_SAID, reply.answerable,
                  citations=tuple(citations), nearest=nearest, mode="llm", model=settings.model,
                  notices=tuple(notices), retrieved=retrieved, removed_quotes=tuple(removed),
                  unbacked_figures=tuple(unbacked))
