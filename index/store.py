"""The Chroma side: one persistent client, two collections.

- `chunks`: one record per Chunk (document = the chunk's exact text, metadata =
  Chunk.to_metadata(), embedding = the embedder's vector of header + text). The
  collection's metadata records the embedder, its dimension and the chunker version.
- `transcripts`: one record per transcript (document = the file's full text, so quotes can
  be verified and turns shown even if the file moves; metadata = path, sha256, format,
  company, ticker, period, date, turn table). Its vectors are a constant placeholder: never
  queried. The collection's metadata has `held_user_calls: true` once a call other than the
  built-in sample was indexed here; removing every call keeps it (see `held_user_calls`).

`where_clause` is the one place that builds Chroma `where` filters.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from index import offline
from index.chunk import CHUNKER_VERSION, chunk_transcript, embed_text, header
from index.errors import IndexStateError
from index.paths import index_dir, is_sample
from index.types import Chunk, Transcript, Turn

CHUNKS = "chunks"
TRANSCRIPTS = "transcripts"
HELD_USER_CALLS = "held_user_calls"  # transcripts collection metadata: see Store.held_user_calls
BATCH = 32

Progress = Callable[[int, int], None]  # (done, total) chunks embedded


@dataclass(frozen=True)
class IndexResult:
    transcript: str
    path: str
    status: str  # "added" | "updated" | "unchanged"
    chunks: int
    embedded: int  # chunks whose vectors had to be computed
    removed: int
    replaced_path: str | None = None
    notice: str | None = None  # e.g. the id it wanted was taken by another file


FilterValue = str | Collection[str]
META_KEYS = ("company", "ticker", "period", "date")


def where_clause(filters: Mapping[str, FilterValue] | None = None,
                 transcripts: Sequence[str] | None = None) -> dict[str, Any] | None:
    """Chroma's `where` for chunk metadata: {key: value} for one value, {key: {"$in": [...]}}
    for several, all under "$and"; `transcripts` limits to those ids. None when unfiltered."""
    clauses: list[dict[str, Any]] = []
    for key, value in (filters or {}).items():
        values = [value] if isinstance(value, str) else list(value)
        if values:
            clauses.append({key: values[0]} if len(values) == 1 else {key: {"$in": values}})
    ids = list(transcripts or [])
    if ids:
        clauses.append({"transcript": ids[0]} if len(ids) == 1 else {"transcript": {"$in": ids}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@dataclass(frozen=True)
class Hit:
    chunk: Chunk
    score: float  # cosine similarity, higher is closer
    rank: int


def hits_from_query(result: dict[str, Any]) -> list[Hit]:
    """Chroma's columnar query result (first query only) -> Hits, best first."""
    ids = (result.get("ids") or [[]])[0]
    docs = (result.get("documents") or [[]])[0]
    metas = (result.get("metadatas") or [[]])[0]
    dists = (result.get("distances") or [[]])[0]
    return [
        Hit(Chunk.from_metadata(i, d or "", m or {}), 1.0 - float(dist), rank)
        for rank, (i, d, m, dist) in enumerate(zip(ids, docs, metas, dists, strict=True))
    ]


_REBUILD = "move it aside and index your calls again into a new directory (--index DIR)"
_CHROMA_TABLES = {"collections", "segments", "embeddings"}


def recognise(path: Path) -> None:
    """An index directory is recognised as ours before anything is written into it: a new or
    empty directory, or one whose chroma.sqlite3 is a Chroma database. A file, a directory of
    other files, an emptied or foreign database: IndexStateError (exit 4) saying what to do."""
    if path.exists() and not path.is_dir():
        raise IndexStateError(f"--index {path} is a file, not an index directory: give a new directory "
                              "or one made by `qa index`")
    if not path.is_dir():
        return
    db = path / "chroma.sqlite3"
    if not db.exists():
        if any(path.iterdir()):
            raise IndexStateError(f"{path} holds other files and no index (no chroma.sqlite3): give a new "
                                  "or empty directory for the index")
        return
    problem = _not_chroma(db)
    if problem:
        raise IndexStateError(f"the index at {path} cannot be used: {problem}; {_REBUILD}")


def _not_chroma(db: Path) -> str | None:
    """Why db is not a Chroma database, or None."""
    import sqlite3

    if db.stat().st_size == 0:
        return "chroma.sqlite3 is empty"
    try:
        with open(db, "rb") as f:
            if f.read(16) != b"SQLite format 3\x00":
                return "chroma.sqlite3 is not an SQLite database (damaged)"
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            con.close()
    except sqlite3.Error as e:
        return f"chroma.sqlite3 cannot be read ({e})"
    if not _CHROMA_TABLES <= tables:
        return "chroma.sqlite3 belongs to another application (no Chroma tables)"
    return None


class Store:
    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = index_dir(path)
        self._client: Any = None
        self._chunks: Any = None
        self._transcripts: Any = None
        self._held = False  # held_user_calls is known to be set

    # -- opening -----------------------------------------------------------------------------
    @property
    def client(self) -> Any:
        if self._client is None:
            import chromadb
            from chromadb.config import Settings

            recognise(self.path)
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                self._client = chromadb.PersistentClient(
                    path=str(self.path),
                    settings=Settings(anonymized_telemetry=False, allow_reset=False),
                )
            except Exception as e:  # chromadb wraps sqlite's and its own errors in many types
                raise IndexStateError(f"the index at {self.path} cannot be opened ({type(e).__name__}: "
                                      f"{str(e)[:120]}): {_REBUILD}") from e
        return self._client

    @property
    def chunks(self) -> Any:
        if self._chunks is None:
            self._chunks = self.client.get_or_create_collection(
                CHUNKS,
                embedding_function=offline.embedding_function(),
                configuration={"hnsw": {"space": "cosine"}},
                metadata={
                    "embedder": offline.EMBEDDER_NAME,
                    "dimension": offline.EMBEDDER_DIM,
                    "chunker": CHUNKER_VERSION,
                },
            )
            meta = self._chunks.metadata or {}
            if meta.get("embedder") != offline.EMBEDDER_NAME:
                raise IndexStateError(
                    f"the index at {self.path} was built with the embedder "
                    f"{meta.get('embedder')!r}, not {offline.EMBEDDER_NAME!r}: index into a new "
                    "directory (--index DIR) or delete this one")
        return self._chunks

    @property
    def transcripts(self) -> Any:
        if self._transcripts is None:
            self._transcripts = self.client.get_or_create_collection(
                TRANSCRIPTS, embedding_function=None)
        return self._transcripts

    # -- writing -----------------------------------------------------------------------------
    def add(self, t: Transcript, progress: Progress | None = None) -> IndexResult:
        """Add or update `t` under its id. A file whose bytes, chunker and parse (turns,
        company, ticker, period, date) are what the index holds is left alone; otherwise only
        chunks whose text changed are embedded again."""
        old = self._record(t.id)
        old_path = old["metadata"].get("path") if old else None
        if not is_sample(t.path, t.sha256) or (old and _user_call(old["metadata"])):
            self._mark_user_calls()
        if old and self._same(old["metadata"], t):
            if old_path != t.path:
                self._put_transcript(t, int(old["metadata"].get("chunks", 0)))
            return IndexResult(t.id, t.path, "unchanged", int(old["metadata"].get("chunks", 0)),
                               0, 0, old_path if old_path and old_path != t.path else None)
        enc = offline.tiktoken_encoding()
        pieces = offline.word_pieces()
        chunks = [replace(c, ticker=t.ticker) for c in chunk_transcript(
            t, lambda s: len(enc.encode(s, disallowed_special=())),
            lambda s: len(pieces.encode(s).ids), offline.EMBEDDER_MAX_PIECES)]
        existing = self._existing(t.id)
        keep = {c.id for c in chunks}
        stale = [i for i in existing if i not in keep]
        fresh = [c for c in chunks if c.id not in existing]
        moved = [c for c in chunks if c.id in existing and existing[c.id] != c.to_metadata()]
        if stale:
            self.chunks.delete(ids=stale)
        if moved:
            self.chunks.update(ids=[c.id for c in moved], metadatas=[c.to_metadata() for c in moved])
        self._embed_and_upsert(t, fresh, progress)
        self._put_transcript(t, len(chunks))
        return IndexResult(t.id, t.path, "updated" if old else "added", len(chunks), len(fresh),
                           len(stale), old_path if old_path and old_path != t.path else None)

    @staticmethod
    def _same(meta: Mapping[str, Any], t: Transcript) -> bool:
        return (meta.get("sha256") == t.sha256 and meta.get("chunker") == CHUNKER_VERSION
                and all(meta.get(k) == getattr(t, k) for k in META_KEYS)
                and meta.get("turn_table") == _turn_table(t))

    def _embed_and_upsert(self, t: Transcript, chunks: Sequence[Chunk],
                          progress: Progress | None) -> None:
        ef = offline.embedding_function()
        turns = {turn.index: turn for turn in t.turns}
        for n in range(0, len(chunks), BATCH):
            batch = chunks[n : n + BATCH]
            vectors = ef([embed_text(c, header(t, turns[c.turn])) for c in batch])
            self.chunks.upsert(
                ids=[c.id for c in batch],
                documents=[c.text for c in batch],
                metadatas=[c.to_metadata() for c in batch],
                embeddings=[list(map(float, v)) for v in vectors],
            )
            if progress:
                progress(min(n + BATCH, len(chunks)), len(chunks))

    def _existing(self, transcript: str) -> dict[str, dict[str, Any]]:
        got = self.chunks.get(where={"transcript": transcript}, include=["metadatas"])
        return dict(zip(got["ids"], got["metadatas"] or [], strict=True))

    def _put_transcript(self, t: Transcript, n_chunks: int) -> None:
        meta = {
            "path": t.path,
            "sha256": t.sha256,
            "format": t.format,
            "chunker": CHUNKER_VERSION,
            "chunks": n_chunks,
            "turns": len(t.turns),
            "turn_table": _turn_table(t),
            "json_spans": t.turn_texts_are_json,
        }
        for key in META_KEYS:
            value = getattr(t, key)
            if value:
                meta[key] = value
        self.transcripts.upsert(ids=[t.id], documents=[t.source], metadatas=[meta],
                                embeddings=[[1.0]])

    def remove(self, transcript: str) -> int:
        old = self._record(transcript)
        if old and _user_call(old["metadata"]):
            self._mark_user_calls()  # an index older than the flag: it held this user call
        ids = list(self._existing(transcript))
        if ids:
            self.chunks.delete(ids=ids)
        self.transcripts.delete(ids=[transcript])
        return len(ids)

    def _mark_user_calls(self) -> None:
        if self._held:
            return
        col = self.client.get_or_create_collection(TRANSCRIPTS, embedding_function=None)
        meta = dict(col.metadata or {})
        if not meta.get(HELD_USER_CALLS):
            col.modify(metadata={**meta, HELD_USER_CALLS: True})
        self._held = True

    # -- reading -----------------------------------------------------------------------------
    def held_user_calls(self) -> bool:
        """Whether this index has ever held a call other than the built-in sample. Kept in the
        transcripts collection's metadata, so it outlives `qa remove` of every call: an index
        emptied that way never gets the sample indexed into it unasked. An index made before
        the flag gets it when it is found holding a user call (here, or when one is indexed or
        removed)."""
        if self._held:
            return True
        col = self.client.get_or_create_collection(TRANSCRIPTS, embedding_function=None)
        if (col.metadata or {}).get(HELD_USER_CALLS):
            self._held = True
            return True
        got = col.get(include=["metadatas"])
        if any(_user_call(m or {}) for m in got["metadatas"] or []):
            self._mark_user_calls()
            return True
        return False

    def _record(self, transcript: str) -> dict[str, Any] | None:
        got = self.transcripts.get(ids=[transcript], include=["metadatas"])
        if not got["ids"]:
            return None
        return {"metadata": got["metadatas"][0] or {}}

    def id_for_path(self, path: str) -> str | None:
        """The id the file at `path` was indexed under, if it was."""
        got = self.transcripts.get(where={"path": path}, include=[])
        return sorted(got["ids"])[0] if got["ids"] else None

    def record(self, transcript: str) -> dict[str, Any] | None:
        """The stored metadata of a transcript (path, sha256, company ...), or None."""
        found = self._record(transcript)
        return found["metadata"] if found else None

    def transcript_ids(self) -> list[str]:
        return sorted(self.transcripts.get(include=[])["ids"])

    def summaries(self) -> list[dict[str, Any]]:
        got = self.transcripts.get(include=["metadatas"])
        out = []
        for tid, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
            turns = [Turn.from_dict(d, "") for d in json.loads(meta.get("turn_table", "[]"))]
            people = {t.speaker for t in turns if t.speaker}
            speakers = sorted(people - {"Interpreter", "Operator"})
            row = {k: v for k, v in meta.items() if k != "turn_table"}
            out.append({"id": tid, **row, "speakers": speakers})
        return sorted(out, key=lambda r: r["id"])

    def load(self, transcript: str) -> Transcript:
        got = self.transcripts.get(ids=[transcript], include=["metadatas", "documents"])
        if not got["ids"]:
            raise IndexStateError(f"no transcript {transcript!r} in the index at {self.path}: "
                                  "run `qa transcripts` to list them")
        meta, source = got["metadatas"][0], got["documents"][0]
        json_spans = bool(meta.get("json_spans"))
        raw_turns = json.loads(meta.get("turn_table", "[]"))
        t = Transcript(id=transcript, path=meta.get("path", ""), source=source,
                       sha256=meta.get("sha256", ""), format=meta.get("format", ""),
                       company=meta.get("company"), period=meta.get("period"),
                       date=meta.get("date"), turn_texts_are_json=json_spans,
                       ticker=meta.get("ticker"))
        turns = tuple(Turn.from_dict(d, t.span(d["start"], d["end"])) for d in raw_turns)
        return replace(t, turns=turns)

    def transcript_chunks(self, transcript: str, where: dict[str, Any] | None = None) -> list[Chunk]:
        flt = _and(where, where_clause(transcripts=[transcript]))
        got = self.chunks.get(where=flt, include=["documents", "metadatas"])
        return [Chunk.from_metadata(i, d or "", m or {}) for i, d, m in
                zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)]

    def count(self) -> int:
        return int(self.chunks.count())

    def query(self, question: str, k: int = 8, transcripts: Iterable[str] | None = None,
              where: dict[str, Any] | None = None) -> list[Hit]:
        n = self.count()
        if n == 0:
            return []
        flt = _and(where, where_clause(transcripts=list(transcripts or [])))
        vector = offline.embedding_function()([question])[0]
        result = self.chunks.query(
            query_embeddings=[list(map(float, vector))], n_results=min(k, n), where=flt,
            include=["documents", "metadatas", "distances"])
        return hits_from_query(result)


def _and(*clauses: dict[str, Any] | None) -> dict[str, Any] | None:
    """Several `where` clauses (None for none) as one."""
    present = [c for c in clauses if c]
    if not present:
        return None
    return present[0] if len(present) == 1 else {"$and": present}


def _user_call(meta: Mapping[str, Any]) -> bool:
    """A stored transcript record that is not the built-in sample."""
    return not is_sample(meta.get("path"), meta.get("sha256"))


def _turn_table(t: Transcript) -> str:
    return json.dumps([turn.to_dict() for turn in t.turns])


def default_store(path: str | Path | None = None) -> Store:
    return Store(path)
