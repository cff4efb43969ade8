"""One writer per index: a second `qa index` waits (saying so) or, with --no-wait, stops with
exit 4; two writers at once lose nothing."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from index.lock import lock_path, writer

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="flock")


def call(company: str, n: int) -> str:
    return (f"Operator: Welcome to the {company} first quarter 2024 earnings call.\n\n"
            f"Jane Miller -- Chief Executive Officer: Revenue at {company} grew {n}% to ${n}.5 billion. "
            f"Our {company} stores opened in {n + 3} new cities this quarter.\n\n"
            f"Tom Baker -- Chief Financial Officer: Gross margin was {30 + n}.1%, and free cash flow "
            f"was ${n * 10} million. The tax rate was {20 + n}%.\n\n"
            "Operator: Our first question comes from Kim Young with UBS.\n\n"
            f"Kim Young -- UBS: What drove the {company} margin?\n\n"
            f"Tom Baker -- Chief Financial Officer: Pricing and mix drove it, {n} points in all.\n")


def qa(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", "from qa.cli import main; main()", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "data")}


def test_a_second_writer_with_no_wait_stops_and_writes_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    index = tmp_path / "index"
    (tmp_path / "a.txt").write_text(call("Adatum", 1), encoding="utf-8")
    with writer(index):
        p = qa("index", str(tmp_path / "a.txt"), "--index", str(index), "--no-wait", env=env)
        out, err = p.communicate(timeout=120)
    assert p.returncode == 4
    assert err == (f"qa: error: another qa is writing to the index at {index}: run this again when it "
                   "is done, or without --no-wait to wait for it\n")
    assert not index.exists()  # it did not open the index


def test_a_second_writer_waits_saying_so_then_writes(tmp_path: Path, env: dict[str, str]) -> None:
    index = tmp_path / "index"
    (tmp_path / "a.txt").write_text(call("Adatum", 1), encoding="utf-8")
    release = threading.Event()

    def hold() -> None:
        with writer(index):
            release.wait(timeout=60)

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.2)
    p = qa("index", str(tmp_path / "a.txt"), "--index", str(index), env=env)
    time.sleep(3)
    assert p.poll() is None  # still waiting
    release.set()
    holder.join()
    out, err = p.communicate(timeout=300)
    assert p.returncode == 0, err
    assert f"qa: another qa is writing to the index at {index}; waiting for it to finish" in err
    assert "adatum" in out.lower()
    assert lock_path(index).exists() and lock_path(index).parent == index.parent  # beside the index


def test_two_writers_at_once_lose_no_vector(tmp_path: Path, env: dict[str, str]) -> None:
    index = tmp_path / "index"
    names = ["Adatum", "Contoso", "Fabrikam", "Northwind", "Tailspin", "Wingtip", "Litware", "Proseware"]
    for k, name in enumerate(names):
        folder = tmp_path / ("h1" if k % 2 else "h2")
        folder.mkdir(exist_ok=True)
        (folder / f"{name.lower()}.txt").write_text(call(name, k + 1), encoding="utf-8")
    first = qa("index", str(tmp_path / "h1"), "--index", str(index), env=env)
    second = qa("index", str(tmp_path / "h2"), "--index", str(index), env=env)
    for p in (first, second):
        _out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err

    import chromadb

    client = chromadb.PersistentClient(path=str(index))
    chunks = client.get_collection("chunks")
    stored = chunks.get(include=["embeddings"])
    assert len({m for m in stored["ids"]}) == len(stored["ids"]) > 0
    transcripts = {i.split(":")[0] for i in stored["ids"]}
    assert len(transcripts) == len(names)
    # every stored vector is in the vector index (HNSW): a query for it finds it first
    for cid, vector in zip(stored["ids"], stored["embeddings"], strict=True):
        found = chunks.query(query_embeddings=[list(vector)], n_results=1)["ids"][0]
        assert found and chunks.get(ids=found, include=["embeddings"])["ids"] == found
        assert cid in chunks.query(query_embeddings=[list(vector)], n_results=3)["ids"][0]


def test_the_repl_indexing_the_sample_waits_for_another_writer(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    from index.paths import sample_path
    from qa import repl

    index = tmp_path / "index"
    catalog = repl.IndexCatalog(str(index))
    done = threading.Event()

    def index_sample() -> None:
        catalog.index([sample_path()])
        done.set()

    with writer(index):
        worker = threading.Thread(target=index_sample)
        worker.start()
        assert not done.wait(timeout=3)  # held back while another writer holds the index
    worker.join(timeout=300)
    assert done.is_set()
    assert "another qa is writing to the index" in capsys.readouterr().err
    assert catalog.asker().store.transcript_ids() == ["kingsoft-cloud-2024q2"]
