"""The fake server speaks enough of the protocol for the real `openai` client, and these tests
pin down how that client (openai 3.x over httpx2) reports each kind of failure."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx2
import openai
import pytest

from tests.fake_openai import (
    Drop,
    Error,
    FakeOpenAI,
    Raw,
    RejectResponseFormat,
    Slow,
    Text,
    fake_openai_fixture,  # noqa: F401
)

MESSAGES: list[Any] = [{"role": "user", "content": "What was revenue growth?"}]
SCHEMA_FORMAT: Any = {
    "type": "json_schema",
    "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": True},
}


@pytest.fixture
def client_for(fake_openai: FakeOpenAI) -> Iterator[Any]:
    """`client_for(max_retries=.., timeout=..)` -> a real openai.OpenAI bound to the fake."""
    clients: list[openai.OpenAI] = []

    def make(max_retries: int = 0, timeout: float = 5.0) -> openai.OpenAI:
        client = openai.OpenAI(
            base_url=fake_openai.base_url, api_key="test", max_retries=max_retries, timeout=timeout
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


def ask(client: openai.OpenAI, **kwargs: Any) -> Any:
    return client.chat.completions.create(model="fake-model", messages=MESSAGES, **kwargs)


def collect(stream: Any, into: list[Any]) -> None:
    with stream:
        for chunk in stream:
            into.append(chunk)


def text_of(chunks: list[Any]) -> str:
    return "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)


# -- the happy path ------------------------------------------------------------------------------


def test_non_streaming_text(fake_openai: FakeOpenAI, client_for: Any) -> None:
    fake_openai.script(Text("Revenue grew 12% year over year."))
    reply = ask(client_for())
    assert reply.choices[0].message.content == "Revenue grew 12% year over year."
    assert reply.choices[0].message.role == "assistant"
    assert reply.choices[0].finish_reason == "stop"
    assert reply.model == "fake-model"
    assert reply.usage is not None and reply.usage.completion_tokens == 6
    [req] = fake_openai.requests
    assert (req.method, req.path) == ("POST", "/v1/chat/completions")
    assert req.headers["authorization"] == "Bearer test"
    assert req.body["messages"] == MESSAGES and req.body["model"] == "fake-model"
    assert "stream" not in req.body


def test_streaming_text_reassembles(fake_openai: FakeOpenAI, client_for: Any) -> None:
    content = "Revenue grew 12%,\n driven by AI  customers. "
    fake_openai.script(Text(content))
    chunks: list[Any] = []
    collect(ask(client_for(), stream=True), chunks)
    assert len(chunks) > 3
    assert chunks[0].choices[0].delta.role == "assistant"
    assert text_of(chunks) == content
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(c.choices[0].finish_reason is None for c in chunks[:-1])
    assert fake_openai.requests[0].body["stream"] is True


def test_streaming_include_usage(fake_openai: FakeOpenAI, client_for: Any) -> None:
    fake_openai.script(Text("one two three", finish_reason="length"))
    chunks: list[Any] = []
    collect(ask(client_for(), stream=True, stream_options={"include_usage": True}), chunks)
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == 3
    assert chunks[-2].choices[0].finish_reason == "length"
    assert all(c.usage is None for c in chunks[:-1])


def test_default_reply_when_script_is_empty(fake_openai: FakeOpenAI, client_for: Any) -> None:
    fake_openai.default = Text("default!")
    fake_openai.script(Text("scripted"))
    client = client_for()
    assert [ask(client).choices[0].message.content for _ in range(3)] == [
        "scripted",
        "default!",
        "default!",
    ]
    assert fake_openai.pending == 0


def test_models_list() -> None:
    with FakeOpenAI(models=("smollm2", "other")) as srv:
        with openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0) as client:
            assert [m.id for m in client.models.list()] == ["smollm2", "other"]
            assert client.models.retrieve("other").id == "other"
            with pytest.raises(openai.NotFoundError):
                client.models.retrieve("missing")
    assert [r.path for r in srv.requests][0] == "/v1/models"


def test_json_object_request_is_recorded(fake_openai: FakeOpenAI, client_for: Any) -> None:
    fake_openai.script(Text.json({"answer": "12%"}))
    reply = ask(client_for(), response_format={"type": "json_object"})
    assert json.loads(reply.choices[0].message.content) == {"answer": "12%"}
    assert fake_openai.requests[0].body["response_format"] == {"type": "json_object"}


# -- response_format rejection -------------------------------------------------------------------


def test_reject_json_schema_then_json_object(fake_openai: FakeOpenAI, client_for: Any) -> None:
    fake_openai.script(RejectResponseFormat("json_schema", status=400), Text('{"a": 1}'))
    client = client_for(max_retries=2)
    with pytest.raises(openai.BadRequestError) as info:
        ask(client, response_format=SCHEMA_FORMAT)
    assert info.value.status_code == 400 and "json_schema" in info.value.message
    reply = ask(client, response_format={"type": "json_object"})
    assert reply.choices[0].message.content == '{"a": 1}'
    assert [r.body["response_format"]["type"] for r in fake_openai.chat_requests] == [
        "json_schema",
        "json_object",
    ]


def test_reject_500_survives_retries(fake_openai: FakeOpenAI, client_for: Any) -> None:
    """Like llama-cpp's server: json_schema -> 500; the client retries, each retry is rejected."""
    reject = RejectResponseFormat("json_schema", status=500, headers={"retry-after-ms": "1"})
    fake_openai.script(reject, Text("fallback"))
    client = client_for(max_retries=2)
    with pytest.raises(openai.InternalServerError):
        ask(client, response_format=SCHEMA_FORMAT)
    assert len(fake_openai.chat_requests) == 3
    assert ask(client).choices[0].message.content == "fallback"  # no response_format at all
    assert fake_openai.pending == 0


def test_reject_formats_is_permanent() -> None:
    with FakeOpenAI(reject_formats={"json_schema": 400}) as srv:
        srv.script(Text("first"))
        with openai.OpenAI(base_url=srv.base_url, api_key="t", max_retries=0) as client:
            for _ in range(2):
                with pytest.raises(openai.BadRequestError):
                    ask(client, response_format=SCHEMA_FORMAT)
            assert ask(client).choices[0].message.content == "first"


# -- status errors and retries -------------------------------------------------------------------


def test_429_retry_after_zero_then_success(fake_openai: FakeOpenAI, client_for: Any) -> None:
    fake_openai.script(Error(429, headers={"retry-after": "0"}), Text("ok"))
    client = client_for(max_retries=2)
    started = time.monotonic()
    reply = ask(client)
    elapsed = time.monotonic() - started
    assert reply.choices[0].message.content == "ok"
    assert [r.headers["x-stainless-retry-count"] for r in fake_openai.chat_requests] == ["0", "1"]
    # retry-after: 0 is NOT "retry now": only 0 < delay <= 120 s is honoured, so the client
    # falls back to its exponential backoff (0.5 s minus up to 25% jitter).
    assert elapsed >= 0.37


def test_429_retry_after_ms_is_honoured(fake_openai: FakeOpenAI, client_for: Any) -> None:
    fake_openai.script(Error(429, headers={"retry-after-ms": "20"}), Text("ok"))
    client = client_for(max_retries=2)
    started = time.monotonic()
    assert ask(client).choices[0].message.content == "ok"
    assert time.monotonic() - started < 0.3
    assert len(fake_openai.chat_requests) == 2


def test_429_exhausted_raises_rate_limit_error(fake_openai: FakeOpenAI, client_for: Any) -> None:
    rate_limited = Error(429, headers={"retry-after-ms": "1"})
    fake_openai.script(rate_limited, rate_limited, rate_limited, Text("too late"))
    with pytest.raises(openai.RateLimitError) as info:
        ask(client_for(max_retries=2))
    assert info.value.status_code == 429 and info.value.code == "rate_limit_exceeded"
    assert len(fake_openai.chat_requests) == 3


def test_429_long_retry_after_is_not_retried(fake_openai: FakeOpenAI, client_for: Any) -> None:
    fake_openai.script(Error(429, headers={"retry-after": "3600"}), Text("never"))
    with pytest.raises(openai.RateLimitError):
        ask(client_for(max_retries=2))
    assert len(fake_openai.chat_requests) == 1


def test_500_without_retries(fake_openai: FakeOpenAI, client_for: Any) -> None:
    fake_openai.script(Error(500), Text("never"))
    with pytest.raises(openai.InternalServerError) as info:
        ask(client_for(max_retries=0))
    assert info.value.status_code == 500 and info.value.type == "server_error"
    assert len(fake_openai.chat_requests) == 1


@pytest.mark.parametrize(
    ("status", "exc_class", "code"),
    [
        (400, openai.BadRequestError, None),
        (401, openai.AuthenticationError, "invalid_api_key"),
        (403, openai.PermissionDeniedError, None),
        (404, openai.NotFoundError, "model_not_found"),
        (422, openai.UnprocessableEntityError, None),
    ],
)
def test_client_errors_are_not_retried(
    fake_openai: FakeOpenAI,
    client_for: Any,
    status: int,
    exc_class: type[openai.APIStatusError],
    code: str | None,
) -> None:
    fake_openai.script(Error(status, message="nope"), Text("never"))
    with pytest.raises(exc_class) as info:
        ask(client_for(max_retries=2))
    assert info.value.status_code == status and info.value.code == code
    assert info.value.message == f"Error code: {status} - nope"
    assert len(fake_openai.chat_requests) == 1


def test_error_on_stream_request_raises_before_iteration(
    fake_openai: FakeOpenAI, client_for: Any
) -> None:
    fake_openai.script(Error(401))
    with pytest.raises(openai.AuthenticationError):
        ask(client_for(), stream=True)


# -- broken transports ---------------------------------------------------------------------------


def test_drop_mid_stream_raises_api_connection_error(
    fake_openai: FakeOpenAI, client_for: Any
) -> None:
    fake_openai.script(Drop(after_chunks=2, content="Revenue grew twelve percent"))
    chunks: list[Any] = []
    with pytest.raises(openai.APIConnectionError) as info:
        collect(ask(client_for(max_retries=2), stream=True), chunks)
    assert type(info.value) is openai.APIConnectionError  # not APITimeoutError
    assert isinstance(info.value.__cause__, httpx2.RemoteProtocolError)
    assert text_of(chunks) == "Revenue grew"
    assert len(fake_openai.chat_requests) == 1  # a stream is never retried once it started


def test_drop_with_eof_framing_ends_silently(fake_openai: FakeOpenAI, client_for: Any) -> None:
    """Without chunked framing a dropped stream looks like a finished one: no exception, no
    finish_reason. Callers must check finish_reason themselves."""
    fake_openai.script(Drop(after_chunks=2, content="Revenue grew twelve percent", framing="eof"))
    chunks: list[Any] = []
    collect(ask(client_for(), stream=True), chunks)
    assert text_of(chunks) == "Revenue grew"
    assert all(c.choices[0].finish_reason is None for c in chunks)


def test_drop_non_stream_is_retried_as_connection_error(
    fake_openai: FakeOpenAI, client_for: Any
) -> None:
    fake_openai.script(Drop(), Drop(), Text("ok"))
    with pytest.raises(openai.APIConnectionError) as info:
        ask(client_for(max_retries=0))
    assert isinstance(info.value.__cause__, httpx2.RemoteProtocolError)
    assert ask(client_for(max_retries=1)).choices[0].message.content == "ok"
    assert len(fake_openai.chat_requests) == 3


def test_malformed_sse_json_raises_json_decode_error(
    fake_openai: FakeOpenAI, client_for: Any
) -> None:
    fake_openai.script(Raw(b"data: {not json\n\n", content_type="text/event-stream"))
    with pytest.raises(json.JSONDecodeError):
        collect(ask(client_for(), stream=True), [])


def test_malformed_json_body_raises_json_decode_error(
    fake_openai: FakeOpenAI, client_for: Any
) -> None:
    fake_openai.script(Raw(b'{"id": "x", "choices": ['))
    with pytest.raises(json.JSONDecodeError):
        ask(client_for())


def test_sse_error_event_raises_api_error(fake_openai: FakeOpenAI, client_for: Any) -> None:
    event = {"error": {"message": "model overloaded", "type": "server_error", "code": None}}
    fake_openai.script(Raw(f"data: {json.dumps(event)}\n\n", content_type="text/event-stream"))
    with pytest.raises(openai.APIError) as info:
        collect(ask(client_for(), stream=True), [])
    assert type(info.value) is openai.APIError and info.value.message == "model overloaded"


def test_slow_reply_times_out(fake_openai: FakeOpenAI, client_for: Any) -> None:
    fake_openai.script(Slow(5, then=Text("too late")))
    client = client_for(max_retries=0, timeout=0.3)
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError) as info:
        ask(client)
    assert isinstance(info.value, openai.APIConnectionError)  # APITimeoutError subclasses it
    assert isinstance(info.value.__cause__, httpx2.ReadTimeout)
    assert time.monotonic() - started < 1.5


def test_slow_reply_within_timeout_succeeds(fake_openai: FakeOpenAI, client_for: Any) -> None:
    fake_openai.script(Slow(0.1, then=Text("in time")))
    assert ask(client_for(timeout=2)).choices[0].message.content == "in time"


def test_stalled_stream_times_out_while_iterating(fake_openai: FakeOpenAI, client_for: Any) -> None:
    fake_openai.script(Text("a b c", chunk_delay_s=5))
    chunks: list[Any] = []
    with pytest.raises(openai.APITimeoutError):
        collect(ask(client_for(timeout=0.3), stream=True), chunks)
    assert chunks[0].choices[0].delta.role == "assistant" and text_of(chunks) == ""


def test_connection_refused_raises_api_connection_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    with openai.OpenAI(base_url=url, api_key="test", max_retries=0, timeout=1) as client:
        with pytest.raises(openai.APIConnectionError) as info:
            ask(client)
    assert type(info.value) is openai.APIConnectionError
    assert isinstance(info.value.__cause__, httpx2.ConnectError)


def test_stop_interrupts_slow_replies() -> None:
    srv = FakeOpenAI().start()
    srv.script(Slow(30))
    client = openai.OpenAI(base_url=srv.base_url, api_key="test", max_retries=0, timeout=10)
    with client:
        caught: list[BaseException] = []

        def call() -> None:
            try:
                ask(client)
            except openai.APIError as exc:
                caught.append(exc)

        caller = threading.Thread(target=call)
        caller.start()
        deadline = time.monotonic() + 2
        while not srv.requests and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.monotonic()
        srv.stop()
        assert time.monotonic() - started < 0.5
        caller.join(timeout=2)
    assert caught and isinstance(caught[0], openai.APIConnectionError)
    assert not srv.errors
