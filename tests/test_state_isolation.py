"""The test suite never writes into the repository workspace's ``.drafter/`` (issue 12, item
16): not from a module-scoped fixture (set up before any function-scoped one) and not from a
process run elsewhere on a consultation file of the repository."""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import EXAMPLES, ROOT, _process_state_dir, run_process


@pytest.fixture(scope="module")
def module_state_dir():
    from drafter.load.workspace import discover

    return discover(start=ROOT).state_dir


def test_repository_state_leak_module_fixtures_get_a_temporary_state(module_state_dir):
    assert module_state_dir != ROOT / ".drafter"
    assert ROOT not in module_state_dir.resolve().parents


def test_repository_state_leak_processes_on_a_repository_file_get_a_temporary_state(tmp_path):
    out = tmp_path / "a.md"
    result = run_process("draft", EXAMPLES / "ntia-botnets-comments.yaml", "-o", out,
                         cwd=tmp_path)
    assert result.code == 0, result.err
    register = _process_state_dir() / "register.sqlite"
    with sqlite3.connect(register) as db:
        outputs = [row[0] for row in db.execute("select output from filings")]
    assert str(out) in outputs
