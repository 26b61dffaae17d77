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
import os
import threading
from pathlib import Path

MODEL = "l2_supercat_256"
_TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
_WEIGHTS = "weights/l2_supercat_256.safetensors"
_TENSOR = "embedding.weight"
DIM = 256
# Tokens (padding included) gathered at once while embedding many texts: bounds memory
# (times DIM x 4 bytes).
_CHUNK_TOKENS = 32_768

_LOADED: dict[str, "Embedder | None"] = {}
_LOADING = threading.Lock()


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
    """The embedder (loaded once per process), or None when ``wordllama`` is not installed.

    Raises :class:`drafter.errors.LoadError`, naming the model's folder, when its files cannot
    be read.
    """
    with _LOADING:
        return _load()


def preload() -> None:
    """Start loading the embedder in a thread (while the caller opens the index); an error is
    raised again by the next :func:`load`."""
    if "model" not in _LOADED and model_folder() is not None:
        threading.Thread(target=_quiet_load, daemon=True).start()


def _quiet_load() -> None:
    try:
        load()
    except Exception:  # noqa: BLE001 - load() raises it again for the caller
        pass


def _load() -> "Embedder | None":
    if "model" not in _LOADED:
        # Index builds fork a worker after the model is loaded: the tokenizer's own threads
        # and a fork do not mix (it would disable them, with a warning). Products of a
        # question's vector with the library's are small: OpenBLAS threads cost more than they
        # save, four times over on two busy cores (read when numpy is first imported).
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
        folder = model_folder()
        model = None
        if folder is not None:
            try:
                model = Embedder(folder)
            except Exception as exc:  # noqa: BLE001 - tokenizers and safetensors raise their own
                from drafter.errors import LoadError

                raise LoadError(f"cannot load the embedding model ({type(exc).__name__}: "
                                f"{str(exc).splitlines()[0] if str(exc) else exc!r}); "
                                "reinstall drafter's dependencies (wordllama)",
                                folder) from None
        _LOADED["model"] = model
    return _LOADED["model"]


def signature() -> str:
    """What the index records of the model its vectors come from: ``none`` without one."""
    folder = model_folder()
    if folder is None:
        return "none"
    return f"wordllama {MODEL} {(folder / _WEIGHTS).stat().st_size}"


class Embedder:
    """Unit vectors (float32, ``DIM`` wide) for texts.

    The model's tokenizer writes every space as "▁" (and one before the text) and then splits
    the whole text into sub-word tokens, none of which spans two words. Splitting at the spaces
    first (a ``Metaspace`` pre-tokenizer) gives the same tokens, and lets the tokenizer work
    word by word, with its cache of words it has seen: many times faster on long texts. Runs of
    white space count as one space.
    """

    def __init__(self, folder: Path):
        import numpy as np
        from safetensors import safe_open
        from tokenizers import Tokenizer, pre_tokenizers

        self.name = MODEL
        tokenizer = Tokenizer.from_file(str(folder / _TOKENIZER))
        tokenizer.normalizer = None
        tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581",
                                                           prepend_scheme="always", split=True)
        tokenizer.no_padding()
        tokenizer.no_truncation()
        self.tokenizer = tokenizer
        with safe_open(str(folder / _WEIGHTS), framework="numpy") as f:
            table = f.get_tensor(_TENSOR)                 # (32000, DIM) float16
        # one more row of zeros stands for the padding of shorter texts
        self.table = np.concatenate((table, np.zeros((1, DIM), dtype=table.dtype)))
        self._np = np
        self._words: dict[str, int] = {}                 # word -> row of _sums and _counts
        self._sums = np.zeros((1, DIM), dtype=np.float32)  # the last row: zeros (padding)
        self._counts = np.zeros(1, dtype=np.int64)
        self._lock = threading.Lock()                     # threads share the word cache

    def _pool(self, table, items: list[int], lengths, starts):
        """Row sums of ``table`` over segments of ``items`` (each ``starts[i]``, ``lengths[i]``
        long): a (len(lengths), DIM) float32 array. The last row of ``table`` must be zeros."""
        np = self._np
        out = np.zeros((len(lengths), DIM), dtype=np.float32)
        flat = np.append(np.asarray(items, dtype=np.int64), len(table) - 1)
        # Segments of similar length together, padded with the zero row to the longest.
        order = np.argsort(lengths, kind="stable")
        begin = 0
        while begin < len(order):
            end = begin + 1
            while end < len(order) and (end - begin + 1) * int(lengths[order[end]]) <= \
                    max(_CHUNK_TOKENS, int(lengths[order[end]])):
                end += 1
            batch = order[begin:end]
            longest = int(lengths[batch].max())
            if longest:
                steps = np.arange(longest)
                inside = steps[None, :] < lengths[batch][:, None]
                where = np.where(inside, starts[batch][:, None] + steps[None, :], len(flat) - 1)
                out[batch] = table[flat[where]].sum(axis=1, dtype=np.float32)
            begin = end
        return out

    def _learn(self, words: list[str]) -> None:
        """Tokenize words not seen yet; remember each one's token-vector sum and count."""
        import itertools

        np = self._np
        encoded = self.tokenizer.encode_batch(words, add_special_tokens=False)
        ids = [e.ids for e in encoded]
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        flat = list(itertools.chain.from_iterable(ids))
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        sums = self._pool(self.table, flat, lengths, starts)
        base = len(self._words)
        self._words.update(zip(words, range(base, base + len(words))))
        # the zero row stays last
        self._sums = np.concatenate((self._sums[:-1], sums, self._sums[-1:]))
        self._counts = np.concatenate((self._counts[:-1], lengths, self._counts[-1:]))

    def embed(self, texts: list[str]):
        """A (len(texts), DIM) float32 array of unit vectors (zeros for a text without tokens).

        A text's vector is the mean of its tokens' vectors: the sum of its words' token sums
        over their token count; each distinct word is tokenized once per process. Safe to call
        from several threads.
        """
        with self._lock:
            return self._embed(texts)

    def _embed(self, texts: list[str]):
        np = self._np
        split = [t.split() for t in texts]
        known = self._words
        new: set[str] = set()
        for words in split:
            new.update(words)
        new.difference_update(known)
        if new:
            self._learn(sorted(new))
        items = [known[w] for words in split for w in words]
        lengths = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        out = self._pool(self._sums, items, lengths, starts)
        running = np.concatenate(([0], np.cumsum(self._counts[np.asarray(items, dtype=np.int64)])))
        counts = running[starts + lengths] - running[starts]
        out /= np.maximum(counts, 1)[:, None]
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        np.divide(out, norms, out=out, where=norms > 0)
        return out
