"""Bad input through the CLI: one line naming the culprit, exit 2, no traceback, no file."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLES, run_cli, run_process

GOOD = (EXAMPLES / "ntia-botnets-comments.yaml").read_text()


def _assert_clean_failure(result, out_dir, *fragments):
    assert result.code == 2, result.err
    lines = result.err.strip().split("\n")
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    leftovers = [p.name for p in out_dir.iterdir() if p.suffix != ".yaml"]
    assert leftovers == [], leftovers


CASES = {
    "malformed-yaml": (GOOD.replace("kind: rfc", "kind: [rfc"), ["malformed YAML", "while parsing a flow sequence that starts at line 7"], 8),
    "missing-required-key": (GOOD.replace("jurisdiction: US\n", ""), ["missing required key 'jurisdiction'"], None),
    "unknown-position": (GOOD.replace("  - centralization-threat", "  - centralisation-threat"),
                         ["unknown position id 'centralisation-threat'", "did you mean 'centralization-threat'"], 23),
    "unknown-template": (GOOD.replace("template: us-agency-comments", "template: us-comments"),
                         ["unknown template 'us-comments'"], 10),
    "not-a-mapping": ("- just\n- a list\n", ["consultation must be a YAML mapping"], 1),
    "wrong-type": (GOOD.replace("date: 2018-02-12", "date: last tuesday"), ["date:"], 9),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_consultation(case, tmp_path):
    text, fragments, line = CASES[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text)
    result = run_cli("draft", path, "-o", tmp_path / "out.docx")
    where = f"{path}:{line}:" if line else f"{path}:"
    _assert_clean_failure(result, tmp_path, where, "error:", *fragments)


def test_missing_consultation_file(tmp_path):
    result = run_cli("draft", tmp_path / "nope.yaml", "-o", tmp_path / "out.docx")
    _assert_clean_failure(result, tmp_path, "nope.yaml", "no such file")


def test_unknown_topic_in_a_block(workspace, tmp_path):
    block = workspace / "positions" / "encryption" / "eu-oppose-backdoors.md"
    block.write_text(block.read_text().replace("topics: [", "topics: [crypto, ", 1))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = run_cli("draft", "examples/ntia-botnets-comments.yaml", "-o", out_dir / "x.docx", cwd=workspace)
    _assert_clean_failure(result, out_dir, "eu-oppose-backdoors.md:5:", "unknown topic 'crypto'")


def test_unknown_topic_filter(tmp_path):
    result = run_cli("positions", "list", "--topic", "encrypton")
    assert result.code == 2 and "unknown topic 'encrypton' (did you mean 'encryption'?)" in result.err


def test_duplicate_block_ids(workspace, tmp_path):
    source = workspace / "positions" / "encryption" / "eu-oppose-backdoors.md"
    (workspace / "positions" / "data" / "eu-oppose-backdoors.md").write_text(source.read_text())
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    result = run_cli("draft", "examples/ntia-botnets-comments.yaml", "-o", out_dir / "x.docx", cwd=workspace)
    _assert_clean_failure(result, out_dir, "duplicate position id 'eu-oppose-backdoors'")


def test_unknown_position_show():
    result = run_cli("positions", "show", "eu-opose-backdoors")
    assert result.code == 2
    assert "unknown position id 'eu-opose-backdoors' (did you mean 'eu-oppose-backdoors'?)" in result.err


def test_failed_draft_leaves_an_existing_output_untouched(tmp_path):
    out = tmp_path / "filing.docx"
    out.write_bytes(b"previous draft")
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("template: us-agency-comments", "template: nope"))
    result = run_cli("draft", path, "-o", out)
    assert result.code == 2
    assert out.read_bytes() == b"previous draft"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "filing.docx"]


def test_unwritable_output_is_a_clean_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli("draft", EXAMPLES / "ntia-botnets-comments.yaml", "-o", blocker / "sub" / "x.docx")
    assert result.code == 2 and "cannot write" in result.err and "Traceback" not in result.err


def test_debug_shows_the_traceback(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("template: us-agency-comments", "template: nope"))
    result = run_process("--debug", "draft", path, "-o", tmp_path / "x.docx")
    assert result.code == 2
    assert "Traceback (most recent call last)" in result.err
    assert result.err.strip().split("\n")[-1].endswith("error: unknown template 'nope'")
