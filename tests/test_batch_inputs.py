"""Input hashing for incremental batches: one snapshot per run, fresh digests otherwise."""

from __future__ import annotations

import hashlib

from drafter.batch.inputs import FileHasher


def test_a_run_sees_one_snapshot_of_each_input(tmp_path):
    path = tmp_path / "block.md"
    path.write_text("first wording\n")
    hasher = FileHasher(snapshot=True)
    first = hasher.sha(path)
    path.write_text("second, longer wording\n")
    assert hasher.sha(path) == first == hashlib.sha256(b"first wording\n").hexdigest()


def test_a_long_lived_hasher_sees_every_change(tmp_path):
    path = tmp_path / "block.md"
    path.write_text("first wording\n")
    hasher = FileHasher()
    assert hasher.sha(path) == hashlib.sha256(b"first wording\n").hexdigest()
    path.write_text("second, longer wording\n")
    assert hasher.sha(path) == hashlib.sha256(b"second, longer wording\n").hexdigest()
    assert hasher.sha(tmp_path / "missing.md") is None
