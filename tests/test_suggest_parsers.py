"""The optional fast YAML parser and PyYAML read every block header the same way."""

from __future__ import annotations

import pytest

from drafter.load.library import block_files, load_block
from drafter.suggest import index
from tests.conftest import ROOT


def test_fallback_without_the_accelerator_gives_the_canonical_reading(monkeypatch):
    monkeypatch.setattr(index, "yaml_rs", None)
    for path in block_files(ROOT / "positions"):
        meta, body = index.parse_block(path, path.read_bytes())
        block = load_block(path)
        assert (meta, body) == (block.meta, block.body), path


def test_accelerator_agrees_with_pyyaml_on_every_shipped_block():
    if index.yaml_rs is None:
        pytest.skip("yaml-rs (the 'fast' extra) is not installed")
    for path in block_files(ROOT / "positions"):
        fast = index._parse_fast(path.read_bytes())
        block = load_block(path)
        assert fast == (block.meta, block.body), path
