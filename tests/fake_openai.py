"""A scripted OpenAI chat-completions server on 127.0.0.1, for testing the real `openai` client.

The server is a real `http.server.ThreadingHTTPServer` speaking HTTP/1.1 on an ephemeral port;
point any OpenAI-compatible client at `FakeOpenAI.base_url`. Nothing in the SDK is patched.

    from tests.fake_openai import Error, FakeOpenAI, Text

    with FakeOpenAI() as srv:
        srv.script(Error(429, headers={"retry-after-ms": "10"}), Text("Revenue grew 12%."))
        with openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=2) as client:
            reply = client.chat.completions.create(model="fake-model", messages=[...])
        assert reply.choices[0].message.content == "Revenue grew 12%."
        assert len(srv.chat_requests) == 2          # the 429, then the retry

or, in a test, the function-scoped fixture `fake_openai`, which yields a started server and
fails the test if the server itself crashed. Make it visible with one of
    from tests.fake_openai import fake_openai_fixture  # noqa: F401   (in a test module)
    pytest_plugins = ["tests.fake_openai"]                            (in the root conftest)
`from tests.fake_openai import fake_openai  # noqa: F401` also works, but ruff then reports
F811 on every test that takes `fake_openai` as a parameter.

Endpoints
    POST .../chat/completions   answered from the script (below); the body must be JSON.
    GET  .../models             {"object": "list", "data": [{"id": name, ...}]} for `models`.
    GET  .../models/{id}        that model, or a 404 in OpenAI's error shape.
    anything else               404 in OpenAI's error shape.
Every request, answered or not, is recorded in `.requests` as a `Received(method, path,
headers, body)`: headers with lower-cased names, body parsed from JSON (None when absent or not
JSON). `.chat_requests` is the same list filtered to chat completions.

The script
    `srv.script(*replies)` appends replies to a FIFO queue. Each POST to chat/completions takes
    the reply at the head of the queue; when the queue is empty, `srv.default` answers (a
    `Text("fake reply")` unless given to the constructor). Replies are frozen dataclasses:

    Text(content, finish_reason="stop", model=None, usage=None, chunk_delay_s=0.0)
        A normal completion. `model=None` reports the server's first model name ("fake-model"
        by default); `usage=None` counts whitespace-separated words of the prompt and reply.
        If the request has `"stream": true` it is sent as SSE over chunked transfer encoding:
        a chunk whose delta is {"role": "assistant", "content": ""}, one chunk per word of
        `content` (each word with its leading whitespace, so the deltas join back to `content`
        exactly), a chunk with an empty delta and `finish_reason`, then `data: [DONE]`.
        If the request has `stream_options.include_usage`, every chunk carries "usage": null
        and one more chunk with `"choices": []` and the usage precedes [DONE] (as OpenAI does).
        `chunk_delay_s` pauses before each content chunk (for read timeouts / incremental UIs).
        `Text.json(obj, **kw)` is `Text(json.dumps(obj), **kw)`.

    Error(status, message=None, type=None, code=None, headers={})
        `{"error": {"message", "type", "param": null, "code"}}` with that status. Missing
        fields default per status like OpenAI's (401 invalid_api_key, 404 model_not_found,
        429 rate_limit_exceeded, >=500 server_error, ...). Use `headers` for `retry-after`,
        `retry-after-ms` or `x-should-retry`.

    RejectResponseFormat(type="json_schema", status=400, message=None, headers={})
        A server that does not support one `response_format` type. While this entry is at the
        head of the queue, every request whose `response_format.type` equals `type` gets the
        error (status, OpenAI shape) and the entry STAYS at the head, so the client's retries
        of the same request are rejected too. The first request with any other
        response_format (or none) removes the entry and is answered by the next reply in the
        queue (or the default). Entries chain: Reject("json_schema"), Reject("json_object"),
        Text(...) rejects both JSON modes and answers the plain-text fallback.
        For a server that never supports a type, use `FakeOpenAI(reject_formats={type: status})`
        instead: it is checked before the queue and consumes nothing.

    Drop(after_chunks=2, content="partial reply that never ends", framing="chunked")
        Stream request: sends the role chunk and the first `after_chunks` word chunks of
        `content`, then closes the connection: no finish_reason, no [DONE].
        framing="chunked" (HTTP/1.1 chunked body, as real servers do) leaves the body
        incomplete, which the client can detect; framing="eof" sends the stream without
        Content-Length or chunking ("Connection: close", body delimited by EOF), so the drop
        is indistinguishable from a normal end of body.
        Non-stream request: sends headers with the full Content-Length and the first half of
        the JSON body, then closes.

    Slow(delay_s, then=None)
        Waits `delay_s`, then answers with `then` (None: the default reply). The wait ends at
        once when the server stops, so a slow reply never holds up teardown. `then` may be any
        reply except RejectResponseFormat.

    Raw(body, status=200, content_type="application/json", headers={})
        Exactly these bytes (str is UTF-8 encoded) with Content-Length: for malformed JSON,
        malformed SSE (content_type="text/event-stream"), SSE error events, HTML error pages.

Constructor
    FakeOpenAI(models=("fake-model",), default=None, reject_formats=None)
        `models`: names served by GET /models (the first is reported in completions);
        `default`: the reply when the script is empty (None: Text("fake reply"); also a
        plain attribute, `srv.default = ...`); `reject_formats`: {response_format type: status}
        rejected on every request (see RejectResponseFormat).
    Other attributes: `.base_url`, `.port`, `.requests`, `.chat_requests`, `.pending` (replies
    left in the queue), `.errors`.

Lifecycle
    `start()` binds 127.0.0.1:0 and serves from a daemon thread; `stop()` (idempotent) wakes
    any `Slow`, shuts the server down, shuts down open connections, joins the handler threads
    and the serving thread. `with FakeOpenAI() as srv:` does both. Exceptions the handlers
    raise that are not client disconnects land in `.errors` (a bug in the fake, not in the
    code under test); the fixture asserts it is empty.
"""

from __future__ import annotations

import itertools
import json
import re
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import pytest

__all__ = [
    "Drop",
    "Error",
    "FakeOpenAI",
    "Raw",
    "Received",
    "RejectResponseFormat",
    "Reply",
    "Slow",
    "Text",
    "fake_openai",
    "fake_openai_fixture",
]

DEFAULT_MODEL = "fake-model"
CHAT_PATH = "/chat/completions"
_WORD = re.compile(r"\s*\S+|\s+$")


# ---------------------------------------------------------------------------------------------
# Replies


@dataclass(frozen=True)
class Text:
    content: str
    finish_reason: str = "stop"
    model: str | None = None
    usage: Mapping[str, int] | None = None
    chunk_delay_s: float = 0.0

    @classmethod
    def json(cls, obj: Any, **kwargs: Any) -> Text:
        return cls(json.dumps(obj), **kwargs)


@dataclass(frozen=True)
class Error:
    status: int
    message: str | None = None
    type: str | None = None
    code: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        d_message, d_type, d_code = _error_defaults(self.status)
        return {
            "error": {
                "message": self.message or d_message,
                "type": self.type or d_type,
                "param": None,
                "code": self.code if self.code is not None else d_code,
            }
        }


@dataclass(frozen=True)
class RejectResponseFormat:
    type: str = "json_schema"
    status: int = 400
    message: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)

    def error(self) -> Error:
        message = self.message or f"response_format type {self.type!r} is not supported"
        return Error(self.status, message, headers=self.headers)


@dataclass(frozen=True)
class Drop:
    after_chunks: int = 2
    content: str = "partial reply that never ends"
    framing: Literal["chunked", "eof"] = "chunked"


@dataclass(frozen=True)
class Slow:
    delay_s: float
    then: Reply | None = None

    def __post_init__(self) -> None:
        if isinstance(self.then, RejectResponseFormat):
            raise TypeError("Slow(then=RejectResponseFormat(...)) is not supported")


@dataclass(frozen=True)
class Raw:
    body: bytes | str
    status: int = 200
    content_type: str = "application/json"
    headers: Mapping[str, str] = field(default_factory=dict)


Reply = Text | Error | RejectResponseFormat | Drop | Slow | Raw


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    headers: Mapping[str, str]
    body: Any


def _error_defaults(status: int) -> tuple[str, str, str | None]:
    table: dict[int, tuple[str, str, str | None]] = {
        400: ("Invalid request.", "invalid_request_error", None),
        401: ("Incorrect API key provided.", "invalid_request_error", "invalid_api_key"),
        403: ("You are not allowed to access this resource.", "permission_denied", None),
        404: (
            "The model does not exist or you do not have access to it.",
            "invalid_request_error",
            "model_not_found",
        ),
        409: ("Conflict.", "invalid_request_error", None),
        422: ("Unprocessable request.", "invalid_request_error", None),
        429: ("Rate limit reached for requests.", "requests", "rate_limit_exceeded"),
    }
    if status in table:
        return table[status]
    if status >= 500:
        return ("The server had an error while processing your request.", "server_error", None)
    return (f"HTTP {status}", "invalid_request_error", None)


# ---------------------------------------------------------------------------------------------
# The server


class FakeOpenAI:
    def __init__(
        self,
        *,
        models: tuple[str, ...] = (DEFAULT_MODEL,),
        default: Reply | None = None,
        reject_formats: Mapping[str, int] | None = None,
    ) -> None:
        self.models = tuple(models)
        self.default: Reply = default if default is not None else Text("fake reply")
        self.reject_formats = dict(reject_formats or {})
        self.errors: list[BaseException] = []
        self._queue: deque[Reply] = deque()
        self._requests: list[Received] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ids = itertools.count(1)
        self._conns: dict[threading.Thread, socket.socket] = {}
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- scripting and inspection ------------------------------------------------------------

    def script(self, *replies: Reply) -> FakeOpenAI:
        with self._lock:
            self._queue.extend(replies)
        return self

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    @property
    def requests(self) -> list[Received]:
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[Received]:
        return [r for r in self.requests if r.path.endswith(CHAT_PATH)]

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("FakeOpenAI is not started")
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeOpenAI:
        if self._httpd is not None:
            raise RuntimeError("FakeOpenAI is already started")
        self._httpd = _Server(("127.0.0.1", 0), _Handler, self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-openai",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        with self._lock:
            conns = list(self._conns.items())
        for _, sock in conns:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread, _ in conns:
            thread.join(timeout=2)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- used by the handler -----------------------------------------------------------------

    def _record(self, received: Received) -> None:
        with self._lock:
            self._requests.append(received)

    def _next_reply(self, body: Any) -> Reply:
        fmt = _response_format_type(body)
        with self._lock:
            if fmt is not None and fmt in self.reject_formats:
                return RejectResponseFormat(fmt, self.reject_formats[fmt]).error()
            while self._queue:
                head = self._queue[0]
                if not isinstance(head, RejectResponseFormat):
                    return self._queue.popleft()
                if head.type == fmt:
                    return head.error()
                self._queue.popleft()
            return self.default

    def _next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def _wait(self, seconds: float) -> bool:
        """Sleep; True if the server is stopping (the caller should give up)."""
        return seconds > 0 and self._stopping.wait(seconds) or self._stopping.is_set()


def _response_format_type(body: Any) -> str | None:
    fmt = body.get("response_format") if isinstance(body, dict) else None
    return fmt.get("type") if isinstance(fmt, dict) else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type, fake: FakeOpenAI) -> None:
        self.fake = fake
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="fake-openai-conn",
            daemon=True,
        )
        with self.fake._lock:
            self.fake._conns[thread] = request
        thread.start()

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.fake._lock:
                self.fake._conns.pop(threading.current_thread(), None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if exc is None or isinstance(exc, ConnectionError) or self.fake._stopping.is_set():
            return
        with self.fake._lock:
            self.fake.errors.append(exc)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes: avoid 40 ms stalls
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    @property
    def fake(self) -> FakeOpenAI:
        return self.server.fake

    # -- routing -----------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._read_and_record()
        path = self.path.split("?", 1)[0].rstrip("/")
        models = [_model_object(name) for name in self.fake.models]
        if path.endswith("/models"):
            self._send_json(200, {"object": "list", "data": models})
            return
        wanted = path.rsplit("/models/", 1)[-1] if "/models/" in path else None
        found = [m for m in models if m["id"] == wanted]
        if found:
            self._send_json(200, found[0])
        else:
            self._send_reply(Error(404), stream=False, body=None)

    def do_POST(self) -> None:
        body, ok = self._read_and_record()
        if not self.path.split("?", 1)[0].rstrip("/").endswith(CHAT_PATH):
            self._send_reply(
                Error(404, f"Unknown path {self.path}", code="unknown_url"), stream=False, body=None
            )
        elif not ok or not isinstance(body, dict):
            self._send_reply(
                Error(400, "We could not parse the JSON body of your request."),
                stream=False,
                body=None,
            )
        else:
            reply = self.fake._next_reply(body)
            self._send_reply(reply, stream=body.get("stream") is True, body=body)

    def _read_and_record(self) -> tuple[Any, bool]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body, ok = (json.loads(raw), True) if raw else (None, True)
        except ValueError:
            body, ok = None, False
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.fake._record(Received(self.command, self.path, headers, body))
        return body, ok

    # -- replies -----------------------------------------------------------------------------

    def _send_reply(self, reply: Reply, *, stream: bool, body: Any) -> None:
        if isinstance(reply, Slow):
            if self.fake._wait(reply.delay_s):
                self.close_connection = True
                return
            self._send_reply(reply.then or self.fake.default, stream=stream, body=body)
        elif isinstance(reply, Error):
            self._send_json(reply.status, reply.body(), reply.headers)
        elif isinstance(reply, Raw):
            data = reply.body.encode() if isinstance(reply.body, str) else reply.body
            self._send_bytes(reply.status, data, reply.content_type, reply.headers)
        elif isinstance(reply, Text):
            if stream:
                self._stream_text(reply, body)
            else:
                self._send_json(200, self._completion(reply, body))
        elif isinstance(reply, Drop):
            self._drop(reply, stream=stream, body=body)
        else:  # RejectResponseFormat is resolved by _next_reply; anything else is a misuse.
            raise TypeError(f"not a reply: {reply!r}")

    def _send_json(self, status: int, obj: Any, headers: Mapping[str, str] | None = None) -> None:
        data = json.dumps(obj).encode()
        self._send_bytes(status, data, "application/json", headers or {})

    def _send_bytes(self, status: int, data: bytes, ctype: str, headers: Mapping[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", f"req_fake_{self.fake._next_id()}")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _start_sse(self, *, chunked: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("x-request-id", f"req_fake_{self.fake._next_id()}")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()

    def _write(self, data: bytes, *, chunked: bool) -> None:
        if chunked:
            data = b"%x\r\n%s\r\n" % (len(data), data)
        self.wfile.write(data)

    def _event(self, obj: Any, *, chunked: bool = True) -> None:
        self._write(b"data: " + json.dumps(obj).encode() + b"\n\n", chunked=chunked)

    def _stream_text(self, reply: Text, body: Any) -> None:
        chunk = _chunk_factory(self.fake, reply.model, body)
        self._start_sse(chunked=True)
        self._event(chunk({"role": "assistant", "content": ""}))
        for piece in _WORD.findall(reply.content):
            if reply.chunk_delay_s and self.fake._wait(reply.chunk_delay_s):
                self.close_connection = True
                return
            self._event(chunk({"content": piece}))
        self._event(chunk({}, reply.finish_reason))
        if _include_usage(body):
            final = chunk({}, None)
            final["choices"] = []
            final["usage"] = _usage(reply, body)
            self._event(final)
        self._write(b"data: [DONE]\n\n", chunked=True)
        self._write(b"", chunked=True)  # the terminating zero-length chunk

    def _drop(self, reply: Drop, *, stream: bool, body: Any) -> None:
        self.close_connection = True
        if stream:
            chunked = reply.framing == "chunked"
            chunk = _chunk_factory(self.fake, None, body)
            self._start_sse(chunked=chunked)
            self._event(chunk({"role": "assistant", "content": ""}), chunked=chunked)
            for piece in _WORD.findall(reply.content)[: reply.after_chunks]:
                self._event(chunk({"content": piece}), chunked=chunked)
        else:
            data = json.dumps(self._completion(Text(reply.content), body)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
        self.connection.shutdown(socket.SHUT_RDWR)

    def _completion(self, reply: Text, body: Any) -> dict[str, Any]:
        return {
            "id": f"chatcmpl-fake-{self.fake._next_id()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": reply.model or self.fake.models[0],
            "system_fingerprint": None,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content, "refusal": None},
                    "logprobs": None,
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": _usage(reply, body),
        }


def _chunk_factory(fake: FakeOpenAI, model: str | None, body: Any) -> Any:
    ident = f"chatcmpl-fake-{fake._next_id()}"
    created = int(time.time())
    with_usage = _include_usage(body)

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "id": ident,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model or fake.models[0],
            "system_fingerprint": None,
            "choices": [
                {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            ],
        }
        if with_usage:
            obj["usage"] = None
        return obj

    return chunk


def _include_usage(body: Any) -> bool:
    opts = body.get("stream_options") if isinstance(body, dict) else None
    return isinstance(opts, dict) and bool(opts.get("include_usage"))


def _usage(reply: Text, body: Any) -> dict[str, int]:
    if reply.usage is not None:
        return dict(reply.usage)
    messages = body.get("messages", []) if isinstance(body, dict) else []
    prompt = sum(len(str(m.get("content", "")).split()) for m in messages if isinstance(m, dict))
    completion = len(reply.content.split())
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _model_object(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 0, "owned_by": "fake-openai"}


@pytest.fixture(name="fake_openai")
def fake_openai_fixture() -> Iterator[FakeOpenAI]:
    """A started FakeOpenAI, stopped after the test; fails the test if a handler crashed."""
    with FakeOpenAI() as srv:
        yield srv
    assert not srv.errors, f"fake OpenAI server errors: {srv.errors!r}"


# The same fixture under its own name, for `from tests.fake_openai import fake_openai`. Prefer
# importing `fake_openai_fixture` (or `pytest_plugins = ["tests.fake_openai"]` in the root
# conftest): ruff reports F811 when an imported fixture's name is reused as a test parameter.
fake_openai = fake_openai_fixture
