"""The register of filings: recorded by ``draft``, listed, and queried by block."""

from __future__ import annotations

import hashlib
import json
import threading

import pytest

from drafter.register import Register, open_register
from tests.conftest import run_cli


def draft(ws, consultation="examples/ntia-botnets-comments.yaml", out="out/ntia.docx", *args):
    result = run_cli("draft", consultation, "-o", out, *args, cwd=ws)
    assert result.code == 0, result.err
    return result


def filings(ws, *args) -> list[dict]:
    result = run_cli("register", "list", "--format", "json", *args, cwd=ws)
    assert result.code == 0, result.err
    return json.loads(result.out)


def used_in(ws, block_id, *args):
    return run_cli("positions", "used-in", block_id, *args, cwd=ws)


def reword(ws, block_id):
    path = next(ws.glob(f"positions/**/{block_id}.md"))
    path.write_text(path.read_text().rstrip("\n") + "\n\nA sentence added in review.\n")


def test_draft_records_the_filing_with_its_blocks(workspace):
    draft(workspace)
    [filing] = filings(workspace)
    output = workspace / "out" / "ntia.docx"
    assert filing["command"] == "draft" and filing["job"] is None
    assert filing["output"] == str(output.resolve())
    assert filing["sha256"] == hashlib.sha256(output.read_bytes()).hexdigest()
    assert filing["consultation"] == str((workspace / "examples" /
                                          "ntia-botnets-comments.yaml").resolve())
    assert filing["template"] == "us-agency-comments" and filing["format"] == "docx"
    assert filing["title"].startswith("Request for Comments on Promoting Stakeholder Action")
    assert filing["created"].endswith("Z")
    shown = json.loads(run_cli("positions", "show", "should-imperatives", "--format", "json",
                               cwd=workspace).out)
    blocks = {b["id"]: b["hash"] for b in filing["blocks"]}
    assert len(blocks) == 12 and blocks["should-imperatives"] == shown["hash"]
    assert filing["blocks"][0]["id"] == "thanks-for-opportunity"  # in order of use


def test_docket_is_recorded(workspace):
    path = workspace / "examples" / "ntia-botnets-comments.yaml"
    path.write_text(path.read_text() + "docket: 180110025-8025-01\n")
    draft(workspace)
    assert filings(workspace)[0]["docket"] == "180110025-8025-01"


def test_register_list_is_newest_first_with_a_limit(workspace):
    draft(workspace, out="out/a.docx")
    draft(workspace, "examples/eu-manifesto-2024.yaml", "out/b.md")
    listed = filings(workspace)
    assert [f["output"].rsplit("/", 1)[1] for f in listed] == ["b.md", "a.docx"]
    assert len(filings(workspace, "--limit", "1")) == 1
    table = run_cli("register", "list", cwd=workspace)
    lines = table.out.splitlines()
    assert lines[0].split() == ["time", "command", "format", "template", "blocks", "output",
                                "consultation"]
    assert "out/b.md" in lines[1] and "eu-position-paper" in lines[1]
    assert "2 filing(s)" in table.err


def test_an_empty_register_lists_nothing(workspace):
    result = run_cli("register", "list", cwd=workspace)
    assert result.code == 0
    assert result.out == "" and "nothing recorded yet" in result.err
    assert filings(workspace) == []


def test_used_in_compares_with_the_blocks_current_text(workspace):
    draft(workspace, out="out/ntia.docx")
    draft(workspace, "examples/eu-manifesto-2024.yaml", "out/eu.docx")
    result = used_in(workspace, "should-imperatives")
    assert result.code == 0, result.err
    rows = result.out.splitlines()[1:]
    assert len(rows) == 1 and " current " in rows[0] and "out/ntia.docx" in rows[0]

    reword(workspace, "should-imperatives")
    result = used_in(workspace, "should-imperatives", "--format", "json")
    [entry] = json.loads(result.out)
    assert entry["text"] == "outdated"
    assert "1 filing(s) used should-imperatives: 0 with its current text, 1 with another" \
        in used_in(workspace, "should-imperatives").err

    # drafting again: the file now has the current text; --all shows the history
    draft(workspace, out="out/ntia.docx")
    assert [e["text"] for e in json.loads(
        used_in(workspace, "should-imperatives", "--format", "json").out)] == ["current"]
    history = json.loads(used_in(workspace, "should-imperatives", "--all", "--format",
                                 "json").out)
    assert [e["text"] for e in history] == ["current", "outdated"]


def test_used_in_calls_a_filing_current_when_only_a_wording_it_did_not_use_changed(workspace):
    """A US filing used the block's 'us' wording: editing the as-filed text leaves that filing
    current (it was called outdated though it has the wording as it is); editing the 'us'
    wording makes it outdated."""
    draft(workspace, "examples/cisa-circia-rfi.yaml", "out/cisa.docx")
    block = "incident-reporting-not-information-sharing"
    [filing] = filings(workspace)
    shown = json.loads(run_cli("positions", "show", block, "--format", "json",
                               cwd=workspace).out)
    assert {b["id"]: b["hash"] for b in filing["blocks"]}[block] == shown["variants"]["us"]["hash"]
    assert shown["variants"]["us"]["hash"] != shown["hash"]

    reword(workspace, block)                  # the as-filed text
    [entry] = json.loads(used_in(workspace, block, "--format", "json").out)
    assert entry["text"] == "current"

    variant = next(workspace.glob(f"positions/**/{block}.us.md"))
    variant.write_text(variant.read_text().rstrip("\n") + "\n\nA sentence added in review.\n")
    [entry] = json.loads(used_in(workspace, block, "--format", "json").out)
    assert entry["text"] == "outdated"


def test_used_in_for_a_block_no_filing_used(workspace):
    draft(workspace)
    result = used_in(workspace, "coalition-charter-members")
    assert result.code == 0 and result.out == ""
    assert "0 filing(s) used coalition-charter-members" in result.err


def test_used_in_an_unknown_block_suggests_a_name(workspace):
    result = used_in(workspace, "should-imperative")
    assert result.code == 2
    assert "unknown position id 'should-imperative' (did you mean 'should-imperatives'?)" \
        in result.err


def test_used_in_a_removed_block_still_lists_its_filings(workspace):
    draft(workspace)
    path = next(workspace.glob("positions/**/should-imperatives.md"))
    path.unlink()
    for variant in workspace.glob("positions/**/should-imperatives.*.md"):
        variant.unlink()                  # a variant without its block is an error
    result = used_in(workspace, "should-imperatives", "--format", "json")
    assert result.code == 0, result.err
    assert [e["text"] for e in json.loads(result.out)] == ["removed"]


def test_a_broken_register_never_fails_a_draft(workspace):
    (workspace / ".drafter" / "register.sqlite").mkdir(parents=True)
    result = draft(workspace)
    assert (workspace / "out" / "ntia.docx").is_file()
    assert "warning: the filing was written but not recorded in the register" in result.err


def test_a_register_from_a_newer_drafter_is_refused_with_a_warning(workspace):
    reg = Register(workspace / ".drafter" / "register.sqlite")
    reg.conn.execute("PRAGMA user_version = 99")
    reg.close()
    result = draft(workspace)
    assert "written by a newer drafter (schema 99)" in result.err


def test_parallel_writers_lose_nothing(tmp_path):
    path = tmp_path / "register.sqlite"
    Register(path).close()
    errors = []

    def writer(n):
        try:
            reg = Register(path)
            for i in range(40):
                reg.record(command="batch", consultation=f"/c/{n}.yaml", template="t",
                           outputs=[(f"/out/{n}-{i}.docx", "docx", "0" * 64)],
                           blocks=[("a", "1"), ("b", "2")], job=f"{n}-{i}")
            reg.close()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    reg = open_register(type("W", (), {"state_dir": tmp_path})())
    assert len(reg.recent(limit=None)) == 160
    assert len(reg.used_in("a", latest=False)) == 160
    assert reg.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    reg.close()


def test_open_register_is_none_until_something_is_recorded(tmp_path):
    assert open_register(type("W", (), {"state_dir": tmp_path})()) is None


@pytest.mark.parametrize("blocks", [[("a", "1"), ("a", "1"), ("b", "2")]])
def test_a_block_used_twice_is_recorded_once(tmp_path, blocks):
    reg = Register(tmp_path / "r.sqlite")
    reg.record(command="draft", consultation="/c.yaml", template="t",
               outputs=[("/o.docx", "docx", "f" * 64)], blocks=blocks)
    [filing] = reg.recent()
    assert filing.blocks == [("a", "1"), ("b", "2")]
    reg.close()
