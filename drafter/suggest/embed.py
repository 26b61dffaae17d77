"""Sentence embeddings for suggestions: what a question or a block means, as a vector.

The model is WordLlama's 256-dimension ``l2_supercat`` (the ``wordllama`` package ships it
inside its wheel: a 32,000 x 256 token-embedding table and its tokenizer). A text's vector is the
mean of its tokens' vectors, scaled to unit length, exactly as ``WordLlama.embed`` computes it;
the similarity of two texts is the dot product of their vectors, in [-1, 1].

Only the two files are read: the tokenizer (``tokenizers``) and the table (``safetensors``),
from the package's own folder. Nothing is downloaded and ``wordllama`` itself is not imported
(its ``load()`` looks for the tokenizer in another folder and then tries the network).

Without the ``wordllama`` package, :func:`load` returns None and suggestions rank on words and
topics alone.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

MODEL = "l2_supercat_256"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
_WEIGHTS = "weights/l2_supercat_256.safetensors"
_TENSOR = "embedding.weight"
DIM = 256
# Tokens gathered at once while embedding many texts: bounds memory (x DIM x 4 bytes).
_CHUNK_TOKENS = 65_536

_LOADED: dict[str, "Embedder | None"] = {}


def model_folder() -> Path | None:
    """The installed ``wordllama`` package's folder, or None (found without importing it)."""
    try:
        spec = importlib.util.find_spec("wordllama")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    if not (folder / _TOKENIZER).is_file() or not (folder / _WEIGHTS).is_file():
        return None
    return folder


def load() -> "Embedder | None":
    """The embedder (loaded once per process), or None when ``wordllama`` is not installed."""
    if "model" not in _LOADED:
        folder = model_folder()
        _LOADED["model"] = Embedder(folder) if folder is not None else None
    return _LOADED["model"]


def signature() -> str:
    """What the index records of the model its vectors come from: ``none`` without one."""
    folder = model_folder()
    if folder is None:
        return "none"
    return f"wordllama {MODEL} {(folder / _WEIGHTS).stat().st_size}"


class Embedder:
    """Unit vectors (float32, ``DIM`` wide) for texts."""

    def __init__(self, folder: Path):
        import numpy as np
        from safetensors import safe_open
        from tokenizers import Tokenizer

        self.name = MODEL
        self.tokenizer = Tokenizer.from_file(str(folder / _TOKENIZER))
        self.tokenizer.no_padding()
        self.tokenizer.no_truncation()
        with safe_open(str(folder / _WEIGHTS), framework="numpy") as f:
            table = f.get_tensor(_TENSOR)
        self.table = np.ascontiguousarray(table, dtype=np.float32)
        self._np = np

    def embed(self, texts: list[str]):
        """A (len(texts), DIM) float32 array of unit vectors (zeros for a text without tokens)."""
        np = self._np
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out
        encoded = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        ids = [e.ids for e in encoded]
        last = len(self.table) - 1
        start = 0
        while start < len(ids):
            end, tokens = start, 0
            while end < len(ids) and (end == start or tokens + len(ids[end]) <= _CHUNK_TOKENS):
                tokens += len(ids[end])
                end += 1
            part = ids[start:end]
            lengths = np.fromiter((len(i) for i in part), dtype=np.int64, count=len(part))
            filled = lengths > 0
            if filled.any():
                flat = np.fromiter((t for i in part for t in i), dtype=np.int64,
                                   count=int(lengths.sum()))
                np.clip(flat, 0, last, out=flat)
                offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))[filled]
                sums = np.add.reduceat(self.table[flat], offsets, axis=0)
                out[start:end][filled] = sums / lengths[filled, None]
            start = end
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out
