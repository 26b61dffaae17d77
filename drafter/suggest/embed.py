"""Sentence embeddings for suggestions: what a question or a block means, as a vector.

The model is WordLlama's 256-dimension ``l2_supercat`` (the ``wordllama`` package ships it
inside its wheel: a 32,000 x 256 token-embedding table and its tokenizer). A text's vector is the
mean of its tokens' vectors, scaled to unit length, exactly as ``WordLlama.embed`` computes it;
the similarity of two texts is the dot product of their vectors, in [-1, 1].

Only the two files are read: the tokenizer (``tokenizers``) and the table (a ``safetensors``
file, memory-mapped: :func:`token_table`),
from the package's own folder. Nothing is downloaded and ``wordllama`` itself is not imported
(its ``load()`` looks for the tokenizer in another folder and then tries the network).

The tokenizer is built only when a word is met whose tokens are not known yet: building it
costs a tenth of a second (61,249 merges). The index cache keeps the tokens of every word
tokenized so far (:meth:`Embedder.teach`, :meth:`Embedder.take_fresh`), so a run whose
words are all known never builds it.

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

# Between texts split in one go (Embedder._word_rows): a word no text may hold.
_CUT = "\0"
_CUT_JOIN = " \0 "

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


def loaded() -> "Embedder | None":
    """The embedder if this process has loaded it already, else None (never loads it)."""
    return _LOADED.get("model")


def preload(tokenizer: bool = False) -> None:
    """Start loading the embedder in a thread (while the caller opens the index); an error is
    raised again by the next :func:`load`. ``tokenizer``: build its tokenizer too (the caller
    will tokenize new words, as an index built from nothing does); :func:`load` waits for
    both."""
    if "model" not in _LOADED and model_folder() is not None:
        threading.Thread(target=_quiet_load, args=(tokenizer,), daemon=True).start()


def _quiet_load(tokenizer: bool = False) -> None:
    try:
        with _LOADING:
            model = _load()
            if tokenizer and model is not None:
                model.tokenizer
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
            except Exception as exc:  # noqa: BLE001 - a damaged file raises many kinds
                raise _load_error(exc, folder) from None
        _LOADED["model"] = model
    return _LOADED["model"]


def token_table(path: Path):
    """The token-embedding table of the model's safetensors file, memory-mapped (only the
    rows used are read): a (tokens, DIM) float16 array. Raises ValueError (or OSError) when
    the file is not such a table.

    The format: an 8-byte little-endian header length, a JSON header giving the tensor's
    dtype, shape and byte range, then the data from the end of the header.
    """
    import json
    import struct

    import numpy as np

    with open(path, "rb") as f:
        (size,) = struct.unpack("<Q", f.read(8))
        if size > 1 << 24:
            raise ValueError("safetensors header too large")
        info = json.loads(f.read(size))[_TENSOR]
    rows, width = info["shape"]
    begin, end = info["data_offsets"]
    if info["dtype"] != "F16" or width != DIM or end - begin != rows * DIM * 2:
        raise ValueError(f"{_TENSOR} is not a float16 table {DIM} wide")
    return np.memmap(path, dtype="<f2", mode="r", offset=8 + size + begin, shape=(rows, DIM))


def _load_error(exc: Exception, folder: Path):
    from drafter.errors import LoadError

    return LoadError(f"cannot load the embedding model ({type(exc).__name__}: "
                     f"{str(exc).splitlines()[0] if str(exc) else exc!r}); "
                     "reinstall drafter's dependencies (wordllama)", folder)


def signature() -> str:
    """What the index records of the model its vectors come from: ``none`` without one."""
    folder = model_folder()
    if folder is None:
        return "none"
    return (f"wordllama {MODEL} {(folder / _WEIGHTS).stat().st_size}"
            f" {(folder / _TOKENIZER).stat().st_size}")


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

        self.name = MODEL
        self.folder = folder
        self._tokenizer = None
        self.table = token_table(folder / _WEIGHTS)       # (32000, DIM) float16, mapped
        self._np = np
        self._words: dict[str, int] = {}                 # word -> row of _sums and _counts
        self._sums = np.zeros((1, DIM), dtype=np.float32)  # the last row: zeros (padding)
        self._counts = np.zeros(1, dtype=np.int64)
        self._fresh: dict[str, list[int]] = {}            # tokenized here, not yet handed out
        self._lock = threading.Lock()                     # threads share the word cache

    @property
    def tokenizer(self):
        """The model's ``tokenizers.Tokenizer``, built on first use (word by word: see the
        class). Raises :class:`drafter.errors.LoadError` when its file cannot be read."""
        if self._tokenizer is None:
            try:
                from tokenizers import Tokenizer, pre_tokenizers

                tokenizer = Tokenizer.from_file(str(self.folder / _TOKENIZER))
                tokenizer.normalizer = None
                tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(
                    replacement="\u2581", prepend_scheme="always", split=True)
                tokenizer.no_padding()
                tokenizer.no_truncation()
            except Exception as exc:  # noqa: BLE001 - tokenizers raises its own
                raise _load_error(exc, self.folder) from None
            self._tokenizer = tokenizer
        return self._tokenizer

    def tokens(self, words: list[str]) -> list[list[int]]:
        """The token ids of each word (a word has no white space), from the tokenizer.

        Words are tokenized as one text, joined by spaces, and the tokens handed back to the
        word each came from: the same tokens as one word at a time (no token spans a space),
        at half the cost. A word holding the "▁" the tokenizer writes for a space would be
        split there, and counted as two: such words are tokenized on their own.
        """
        words = list(words)
        out: list[list[int]] = [[] for _ in words]
        plain = [i for i, w in enumerate(words) if "\u2581" not in w]
        if plain:
            encoded = self.tokenizer.encode(" ".join(words[i] for i in plain),
                                            add_special_tokens=False)
            for token, word in zip(encoded.ids, encoded.word_ids):
                out[plain[word]].append(token)
        odd = [i for i, w in enumerate(words) if "\u2581" in w]
        if odd:
            for i, e in zip(odd, self.tokenizer.encode_batch([words[i] for i in odd],
                                                             add_special_tokens=False)):
                out[i] = e.ids
        return out

    def missing(self, texts) -> list[str]:
        """The words of ``texts`` (split at white space) whose tokens are not known yet,
        sorted: what :meth:`teach` can supply, else the tokenizer."""
        new: set[str] = set()
        for text in texts:
            new.update(text.split())
        with self._lock:
            new.difference_update(self._words)
        return sorted(new)

    def teach(self, tokens: dict[str, list[int]]) -> None:
        """Remember words' token ids (as :meth:`tokens` gives them, e.g. kept from an earlier
        run), so that embedding them needs no tokenizer; known words are left as they are."""
        rows = len(self.table)
        with self._lock:
            words = sorted(w for w, ids in tokens.items() if w not in self._words
                           and all(0 <= i < rows for i in ids))
            if words:
                self._add(words, [list(tokens[w]) for w in words])

    def take_fresh(self) -> dict[str, list[int]]:
        """The words tokenized by the tokenizer since the last call, with their token ids."""
        with self._lock:
            fresh, self._fresh = self._fresh, {}
        return fresh

    def _pool(self, table, items, lengths, starts):
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
                first, count = starts[batch], lengths[batch]
                total = np.zeros((len(batch), DIM), dtype=np.float32)
                for step in range(longest):
                    total += table[flat[np.where(step < count, first + step, len(flat) - 1)]]
                out[batch] = total
            begin = end
        return out

    def _learn(self, words: list[str]) -> None:
        """Tokenize words not seen yet; remember each one's token-vector sum and count."""
        ids = self.tokens(words)
        self._fresh.update(zip(words, ids))
        self._add(words, ids)

    def _add(self, words: list[str], ids: list[list[int]]) -> None:
        """Remember each word's token-vector sum and token count, from its token ids."""
        import itertools

        np = self._np
        lengths = np.fromiter(map(len, ids), dtype=np.int64, count=len(ids))
        flat = np.fromiter(itertools.chain.from_iterable(ids), dtype=np.int64,
                           count=int(lengths.sum()))
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        # Only the rows of the tokens used are read from the table, with a row of zeros last.
        used, where = np.unique(flat, return_inverse=True)
        rows = np.concatenate((self.table[used], np.zeros((1, DIM), dtype=self.table.dtype)))
        sums = self._pool(rows, where, lengths, starts)
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
        items, lengths = self._word_rows(texts)
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
        out = self._pool(self._sums, items, lengths, starts)
        running = np.concatenate(([0], np.cumsum(self._counts[items])))
        counts = running[starts + lengths] - running[starts]
        out /= np.maximum(counts, 1)[:, None]
        # Scaled to unit length a few thousand rows at a time (as numpy.linalg.norm computes
        # the norm: the same values, without temporaries the size of the whole matrix).
        for begin in range(0, len(out), 4096):
            part = out[begin:begin + 4096]
            norms = np.sqrt(np.add.reduce(part * part, axis=1, keepdims=True))
            np.divide(part, norms, out=part, where=norms > 0)
        return out

    def _word_rows(self, texts: list[str]):
        """(rows, lengths): the row of ``_sums`` of each word of ``texts``, one text after
        another (an int64 array), and each text's number of words; words not seen yet are
        tokenized first (:meth:`_learn`).

        The texts are split at white space in one go, joined by a NUL between them (a word of
        its own); when a text, or a word already known, holds a NUL, each text is split on
        its own instead (the same words)."""
        import itertools

        np = self._np
        known = self._words
        joined = _CUT_JOIN.join(texts) if len(texts) > 1 and _CUT not in known else ""
        if joined and joined.count(_CUT) == len(texts) - 1:
            flat = joined.split()
            del joined
            new = set(flat).difference(known)
            new.discard(_CUT)
            if new:
                self._learn(sorted(new))
            lookup = dict(known)
            lookup[_CUT] = -1
            rows = np.fromiter(map(lookup.__getitem__, flat), dtype=np.int64, count=len(flat))
            cuts = np.flatnonzero(rows < 0)
            lengths = np.diff(np.concatenate(([-1], cuts, [len(rows)]))) - 1
            return np.delete(rows, cuts), lengths
        split = [t.split() for t in texts]
        flat = list(itertools.chain.from_iterable(split))
        new = set(flat).difference(known)
        if new:
            self._learn(sorted(new))
        rows = np.fromiter(map(known.__getitem__, flat), dtype=np.int64, count=len(flat))
        lengths = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
        return rows, lengths
