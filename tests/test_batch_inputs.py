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


BATCH = """output_dir: out
defaults:
  formats: [docx]
jobs:
  - consultation: a.yaml
    name: first
  - consultation: b.yaml
    template: eu-position-paper
"""


def test_an_unchanged_batch_file_is_not_parsed_again(tmp_path, monkeypatch):
    from drafter.batch import plan as plan_module

    path = tmp_path / "batch.yaml"
    path.write_text(BATCH)
    first = plan_module.load_plan(path, tmp_path / "cache")

    def refuse(*args, **kwargs):
        raise AssertionError("the batch file was parsed again")

    monkeypatch.setattr(plan_module, "parse_yaml", refuse)
    second = plan_module.load_plan(path, tmp_path / "cache")
    assert second == first
    assert [(j.name, j.line, j.template_line) for j in second.jobs] == [
        ("first", 5, 5), ("b", 7, 8)]

    path.write_text(BATCH.replace("name: first", "name: renamed"))
    monkeypatch.undo()
    third = plan_module.load_plan(path, tmp_path / "cache")
    assert third.jobs[0].name == "renamed"
