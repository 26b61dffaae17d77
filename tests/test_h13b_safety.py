"""Issue 13, items 7-9: drafter never destroys what it did not write.

Outputs never replace an input of the same run, nor a file drafter did not write or one edited
since (without --force) (7); harvest --apply respects read-only files, keeps modes and refuses
a file changed since it was read (8); a killed batch leaves no output that is later taken for a
person's edit (9).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from tests.test_suggest import UNSEEN_FTC
from tests.conftest import group_gone, run_cli

NTIA = "examples/ntia-botnets-comments.yaml"
MARKET = "positions/security/market-driven-botnet-mitigation.md"


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _snapshot(ws: Path) -> dict[str, str]:
    return {str(p.relative_to(ws)): _sha(p) for p in sorted(ws.rglob("*"))
            if p.is_file() and ".drafter" not in p.parts}


# -- item 7: outputs never replace inputs, nor files drafter did not write -------------------

@pytest.mark.parametrize("target", [
    NTIA,                                            # the consultation itself
    "positions/coalition/coalition-members.md",     # a block the filing uses
    "glossary.yaml",                                 # a workspace file
])
@pytest.mark.parametrize("force", [False, True])
def test_item07_draft_never_overwrites_its_input(workspace, target, force):
    before = _snapshot(workspace)
    fmt = "md"
    result = run_cli("draft", NTIA, "-f", fmt, "-o", target, *(["--force"] if force else []),
                     cwd=workspace)
    assert result.code == 2, result.err
    assert result.err.count("\n") == 1 and "error: this output would overwrite" in result.err
    assert target in result.err
    assert _snapshot(workspace) == before


def test_item07_draft_never_overwrites_the_template_or_reference_docx(workspace):
    ref = workspace / "house.docx"
    assert run_cli("draft", NTIA, "-o", ref, cwd=workspace).code == 0
    before = _snapshot(workspace)
    result = run_cli("draft", NTIA, "--reference-docx", ref, "-o", ref, "--force", cwd=workspace)
    assert result.code == 2 and "the reference document" in result.err
    result = run_cli("draft", NTIA, "-f", "txt", "-o", "templates/us-agency-comments.jinja",
                     "--force", cwd=workspace)
    assert result.code == 2 and "the template" in result.err
    assert _snapshot(workspace) == before


@pytest.mark.parametrize("link", ["symlink", "hardlink"])
def test_item07_links_to_an_input_are_the_input(workspace, link):
    alias = workspace / "alias.md"
    (os.symlink if link == "symlink" else os.link)(workspace / NTIA, alias)
    before = _sha(workspace / NTIA)
    result = run_cli("draft", NTIA, "-o", alias, "--force", cwd=workspace)
    assert result.code == 2 and "the consultation" in result.err
    assert _sha(workspace / NTIA) == before


def test_item07_draft_refuses_a_file_it_did_not_write(workspace):
    out = workspace / "mine.docx"
    out.write_bytes(b"a reviewer's own document")
    result = run_cli("draft", NTIA, "-o", out, cwd=workspace)
    assert result.code == 2
    assert "mine.docx: error: the file exists and drafter did not write it: use --force" \
        in result.err
    assert out.read_bytes() == b"a reviewer's own document"
    assert run_cli("draft", NTIA, "-o", out, "--force", cwd=workspace).code == 0
    assert out.read_bytes().startswith(b"PK")


def test_item07_draft_keeps_a_docx_edited_since_it_was_written(workspace):
    out = workspace / "filing.docx"
    assert run_cli("draft", NTIA, "-o", out, cwd=workspace).code == 0
    assert run_cli("draft", NTIA, "-o", out, cwd=workspace).code == 0   # drafter's own bytes
    d = docx.Document(str(out))
    d.add_paragraph("A reviewer's addition.")
    d.save(str(out))
    edited = _sha(out)
    result = run_cli("draft", NTIA, "-o", out, cwd=workspace)
    assert result.code == 2
    assert "filing.docx: error: the file was changed since drafter wrote it" in result.err
    assert _sha(out) == edited
    assert run_cli("draft", NTIA, "-o", out, "--force", cwd=workspace).code == 0
    assert _sha(out) != edited
    assert run_cli("draft", NTIA, "-o", out, cwd=workspace).code == 0   # recorded again


def test_item07_preview_never_overwrites_inputs_or_foreign_files(workspace):
    before = _snapshot(workspace)
    result = run_cli("preview", NTIA, "-o", NTIA, cwd=workspace)
    assert result.code == 2 and "the consultation" in result.err
    (workspace / "notes.html").write_text("mine")
    result = run_cli("preview", NTIA, "-o", "notes.html", cwd=workspace)
    assert result.code == 2 and "drafter did not write it" in result.err
    assert (workspace / "notes.html").read_text() == "mine"
    assert _snapshot(workspace) == {**before, "notes.html": _sha(workspace / "notes.html")}
    for _ in range(2):   # the default preview is rewritten freely: drafter wrote it
        assert run_cli("preview", NTIA, cwd=workspace).code == 0
    assert run_cli("preview", NTIA, "-o", "notes.html", "--force", cwd=workspace).code == 0


def test_item07_new_never_overwrites_its_question_list(workspace):
    questions = workspace / "q.txt"
    questions.write_text("1. What is the question?\n2. And another?\n")
    result = run_cli("new", "--questions", questions, "--title", "T", "--agency", "NTIA Agency",
                     "--kind", "rfc", "--jurisdiction", "US", "-o", questions, "--force",
                     cwd=workspace)
    assert result.code == 2 and "the question list" in result.err
    assert questions.read_text() == "1. What is the question?\n2. And another?\n"


def _edited_filing(ws: Path, dest: Path) -> Path:
    assert run_cli("draft", NTIA, "-o", dest, cwd=ws).code == 0
    d = docx.Document(str(dest))
    for p in d.element.body.iter(qn("w:p")):
        for t in p.iter(qn("w:t")):
            if "We are thankful that" in (t.text or ""):
                t.text = t.text.replace("thankful", "grateful")
    d.save(str(dest))
    return dest


@pytest.mark.parametrize("target", [NTIA, MARKET, "edited.docx"])
def test_item07_harvest_patch_never_overwrites_inputs(workspace, target):
    edited = _edited_filing(workspace, workspace / "edited.docx")
    before = _snapshot(workspace)
    result = run_cli("harvest", edited, "--patch", target, "--force", cwd=workspace)
    assert result.code == 2 and "this output would overwrite" in result.err, result.err
    assert _snapshot(workspace) == before


def test_item07_harvest_patch_refuses_a_foreign_file(workspace):
    edited = _edited_filing(workspace, workspace / "edited.docx")
    patch = workspace / "changes.patch"
    patch.write_text("my notes\n")
    result = run_cli("harvest", edited, "--patch", patch, cwd=workspace)
    assert result.code == 2 and "drafter did not write it" in result.err
    assert patch.read_text() == "my notes\n"
    assert run_cli("harvest", edited, "--patch", patch, "--force", cwd=workspace).code == 0
    assert "+We are grateful that" in patch.read_text()
    assert run_cli("harvest", edited, "--patch", patch, cwd=workspace).code == 0  # drafter's


def test_item07_batch_output_never_replaces_an_input(workspace):
    block = workspace / "positions/coalition/coalition-members.md"
    before = block.read_bytes()
    (workspace / "b.yaml").write_text(
        "output_dir: positions/coalition\njobs:\n"
        f"  - consultation: {NTIA}\n    name: coalition-members\n    formats: [md]\n")
    for force in ([], ["--force"]):
        result = run_cli("batch", "b.yaml", "-j", "1", *force, cwd=workspace)
        assert result.code == 1, result.err
        assert "this output would overwrite" in result.err + result.out
        assert block.read_bytes() == before


def _unanswered(workspace):
    """A consultation whose questions have confident suggestions for --write to record."""
    path = workspace / "examples" / "ftc.yaml"
    shutil.copy(UNSEEN_FTC, path)
    return path


def test_item07_suggest_write_refuses_a_consultation_changed_meanwhile(workspace, monkeypatch):
    from drafter.suggest import write as sw

    path = _unanswered(workspace)
    original = sw.read_text

    def read_then_colleague_edits(p):
        text = original(p)
        Path(p).write_text(Path(p).read_text() + "# a colleague's note\n")
        return text

    monkeypatch.setattr(sw, "read_text", read_then_colleague_edits)
    result = run_cli("suggest", path, "--write", cwd=workspace)
    assert result.code == 2 and "changed by someone else" in result.err, result.err
    assert path.read_text().endswith("# a colleague's note\n")


def test_item07_suggest_write_keeps_the_mode_and_refuses_read_only(workspace):
    path = _unanswered(workspace)
    before = path.read_bytes()
    path.chmod(0o444)
    result = run_cli("suggest", path, "--write", cwd=workspace)
    assert result.code == 2 and "read-only" in result.err
    assert path.read_bytes() == before and stat.S_IMODE(path.stat().st_mode) == 0o444
    path.chmod(0o640)
    result = run_cli("suggest", path, "--write", cwd=workspace)
    assert result.code == 0, result.err
    assert path.read_bytes() != before and stat.S_IMODE(path.stat().st_mode) == 0o640


# -- item 8: harvest --apply respects modes and concurrent edits --------------------------------

def test_item08_apply_refuses_a_read_only_block_and_keeps_its_mode(workspace):
    edited = _edited_filing(workspace, workspace / "edited.docx")
    block = workspace / MARKET
    before = block.read_bytes()
    block.chmod(0o444)
    result = run_cli("harvest", edited, "--apply", cwd=workspace)
    assert result.code == 2
    assert f"{MARKET}: error: the block file is read-only: nothing applied" in result.err
    assert block.read_bytes() == before and stat.S_IMODE(block.stat().st_mode) == 0o444


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o755])
def test_item08_apply_keeps_the_file_mode(workspace, mode):
    edited = _edited_filing(workspace, workspace / "edited.docx")
    block = workspace / MARKET
    block.chmod(mode)
    result = run_cli("harvest", edited, "--apply", cwd=workspace)
    assert result.code == 0, result.err
    assert "We are grateful that" in block.read_text()
    assert stat.S_IMODE(block.stat().st_mode) == mode


def test_item08_a_colleague_edit_before_the_rewrite_is_kept(workspace, monkeypatch):
    import drafter.harvest as hv

    edited = _edited_filing(workspace, workspace / "edited.docx")
    block = workspace / MARKET
    original = hv.rewrites

    def colleague_then_rewrites(session, result, today=None):
        session.library  # noqa: B018 - loaded before the colleague saves
        block.write_text(block.read_text().replace("thoughtful approach", "careful approach"))
        return original(session, result, today)

    monkeypatch.setattr(hv, "rewrites", colleague_then_rewrites)
    result = run_cli("harvest", edited, "--apply", cwd=workspace)
    assert result.code == 2 and "changed since drafter read it" in result.err, result.err
    text = block.read_text()
    assert "careful approach" in text and "We are thankful that" in text


def test_item08_a_colleague_edit_during_the_write_is_kept(workspace, monkeypatch):
    from drafter.harvest import writeback

    edited = _edited_filing(workspace, workspace / "edited.docx")
    block = workspace / MARKET
    original = writeback.rewrite_block

    def rewrite_then_colleague(path, *args, **kwargs):
        rewrite = original(path, *args, **kwargs)
        Path(path).write_text(Path(path).read_text() + "\nA colleague's paragraph.\n")
        return rewrite

    monkeypatch.setattr(writeback, "rewrite_block", rewrite_then_colleague)
    result = run_cli("harvest", edited, "--apply", cwd=workspace)
    assert result.code == 2
    assert f"{MARKET}: error: the file was changed by someone else" in result.err
    text = block.read_text()
    assert text.endswith("A colleague's paragraph.\n") and "We are thankful that" in text
    assert not [p for p in block.parent.iterdir() if p.name.endswith(".tmp")]


# -- item 9: a killed batch leaves nothing that looks like a person's edit ------------------------

JOBS = 40


def _batch_of_many(ws: Path) -> None:
    folder = ws / "cons"
    folder.mkdir()
    lines = ["output_dir: out", "jobs:"]
    for i in range(JOBS):
        shutil.copy(ws / NTIA, folder / f"c{i:02d}.yaml")
        lines += [f"  - consultation: cons/c{i:02d}.yaml", f"    name: filing-{i:02d}",
                  "    formats: [md]"]
    (ws / "batch.yaml").write_text("\n".join(lines) + "\n")


def test_item09_killed_batch_then_changed_input_is_rebuilt_not_kept_edited(workspace):
    _batch_of_many(workspace)
    out = workspace / "out"
    proc = subprocess.Popen([sys.executable, "-m", "drafter", "batch", "batch.yaml", "-j", "2"],
                            cwd=workspace, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while len(list(out.glob("*.md"))) < 3:
            assert proc.poll() is None, "the batch finished before it could be killed"
            assert time.monotonic() < deadline, "no output appeared"
            time.sleep(0.002)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert group_gone(proc.pid)      # the batch's workers hold its lock until they exit
    written = sorted(p.stem for p in out.glob("*.md"))
    assert 0 < len(written) < JOBS
    manifest = out / "manifest.json"
    recorded = {e["name"] for e in json.loads(manifest.read_text())["jobs"]} \
        if manifest.exists() else set()
    # a job whose output the killed run wrote after its last manifest save, if any
    unrecorded = [name for name in written if name not in recorded]
    victim = (unrecorded or written)[-1]
    number = victim.split("-")[1]
    cons = workspace / "cons" / f"c{number}.yaml"
    cons.write_text(cons.read_text().replace("title: ", "title: Revised ", 1))

    result = run_cli("batch", "batch.yaml", "-j", "1", cwd=workspace)
    assert result.code == 0, result.err
    entries = {e["name"]: e for e in json.loads(manifest.read_text())["jobs"]}
    assert len(entries) == JOBS
    assert [n for n, e in entries.items() if e["status"] == "kept-edited"] == []
    assert entries[victim]["status"] == "built"
    assert "Revised " in (out / f"{victim}.md").read_text()
    for name, entry in entries.items():   # every output is what the manifest says
        for item in entry["outputs"]:
            assert _sha(out / item["path"]) == item["sha256"], name
    # a third run has nothing to do, and the journal has been settled
    again = run_cli("batch", "batch.yaml", "-j", "1", cwd=workspace)
    assert again.code == 0
    statuses = {e["status"] for e in json.loads(manifest.read_text())["jobs"]}
    assert statuses == {"skipped"}
    assert not list((workspace / ".drafter" / "batch").glob("*.journal"))


def test_item09_journal_written_before_the_output_and_a_real_edit_is_still_kept(workspace):
    from drafter.batch.manifest import journal_read, state_key

    _batch_of_many(workspace)
    batch = workspace / "batch.yaml"
    batch.write_text("\n".join(batch.read_text().splitlines()[:11]) + "\n")   # three jobs
    assert run_cli("batch", "batch.yaml", "-j", "1", cwd=workspace).code == 0
    out = workspace / "out"
    journal = workspace / ".drafter" / "batch" / f"{state_key(out)}.journal"
    assert not journal.exists()
    # a run killed after writing filing-01 but before saving the manifest: simulated by
    # journaling and writing new bytes, the manifest left as it was
    from drafter.batch.manifest import journal_write
    stale = b"bytes drafter wrote in a killed run\n"
    journal_write(journal, "filing-01.md", hashlib.sha256(stale).hexdigest())
    (out / "filing-01.md").write_bytes(stale)
    (out / "filing-02.md").write_text("a person's edit\n")
    assert journal_read(journal) == {"filing-01.md": [hashlib.sha256(stale).hexdigest()]}
    result = run_cli("batch", "batch.yaml", "-j", "1", cwd=workspace)
    assert result.code == 0, result.err
    manifest = json.loads((out / "manifest.json").read_text())
    entries = {e["name"]: e["status"] for e in manifest["jobs"]}
    assert entries == {"filing-00": "skipped", "filing-01": "built", "filing-02": "kept-edited"}
    assert (out / "filing-01.md").read_bytes() != stale
    assert (out / "filing-02.md").read_text() == "a person's edit\n"
    assert not journal.exists()


# -- item 10: reviewer text written back stays text ---------------------------------------------

TYPED = ["# Note", "## Two", "Fees &amp; charges &copy; 2024", "*not emphasis* and _not_ either",
         "[not a link](https://x.example) <b>raw</b>", "{{ org.name }} and {% if x %} and {# c #}",
         "1. not a list", "100. If so, explain", "2) neither", "- not a bullet", "+ nor this",
         "> not a quote", "::: {.block block=\"eu-oppose-backdoors\"}", "~~not struck~~",
         "{.unnumbered}", "| a | b |", "---", "===", "`code` stays literal", "back\\slash",
         "2.5 million users", "snake_case and __dunder__"]


@pytest.mark.parametrize("typed", TYPED)
def test_item10_escaped_reviewer_text_renders_as_typed(typed):
    from drafter.compose.environment import WorkspaceLoader, make_environment
    from drafter.harvest.writeback import escape_text
    from drafter.model import parse_markdown
    from drafter.model.nodes import Paragraph
    from drafter.model.text import inline_text

    def smart_quotes(text):
        return re.sub(r'"([^"]*)"', "\u201c\\1\u201d", text)

    source = "Before.\n\n" + escape_text(typed) + "\n\nAfter.\n"
    rendered = make_environment(WorkspaceLoader([])).from_string(source).render()
    doc = parse_markdown(rendered)
    assert [type(n) for n in doc.children] == [Paragraph] * 3, rendered
    # The typographer curls straight quotes in every text; the marks themselves stay literal.
    assert inline_text(doc.children[1].children) == smart_quotes(typed)


@pytest.mark.parametrize("typed", ["# Note", "1. Item", "Fees &amp; charges", "{{ org.name }}"])
def test_item10_merged_edit_at_a_paragraph_start_stays_text(typed):
    from drafter.harvest.writeback import merge

    merged = merge("We are thankful.", "We are thankful.", typed + " We are thankful.",
                   lambda expr: "X")
    from drafter.compose.environment import WorkspaceLoader, make_environment
    from drafter.model import parse_markdown
    from drafter.model.text import inline_text

    rendered = make_environment(WorkspaceLoader([])).from_string(merged).render()
    doc = parse_markdown(rendered)
    assert len(doc.children) == 1 and type(doc.children[0]).__name__ == "Paragraph"
    assert inline_text(doc.children[0].children) == typed + " We are thankful."


def test_item10_harvested_heading_and_entity_stay_text_in_later_filings(workspace):
    filing = workspace / "filing.docx"
    assert run_cli("draft", NTIA, "-o", filing, cwd=workspace).code == 0
    d = docx.Document(str(filing))
    target = None
    for p in d.element.body.iter(qn("w:p")):
        if "".join(t.text or "" for t in p.iter(qn("w:t"))).startswith("We are thankful that"):
            target = p
    end = target.find(qn("w:bookmarkEnd"))
    added = d.add_paragraph("# Note &amp; *this*")._p      # typed by the reviewer
    target.addnext(added)
    target.remove(end)
    added.append(end)
    for t in target.iter(qn("w:t")):
        if "We are thankful that" in (t.text or ""):
            t.text = t.text.replace("We are thankful that", "1. We are thankful that")
            break
    d.save(str(filing))
    result = run_cli("harvest", filing, "--apply", cwd=workspace)
    assert result.code == 0, result.err
    source = (workspace / MARKET).read_text()
    assert "\\# Note \\&amp; \\*this\\*" in source and "1\\. We are thankful" in source

    from drafter.load.workspace import discover
    from drafter.model.nodes import Heading, ListBlock
    from drafter.model.text import inline_text, walk
    from drafter.pipeline import Session

    draft = Session(discover(start=workspace)).draft(workspace / NTIA)
    nodes = list(walk(draft.document.children))
    block_nodes = [n for n in nodes if getattr(n, "source", None) is not None
                   and n.source.block == "market-driven-botnet-mitigation"]
    texts = [inline_text(n.children) for n in block_nodes if hasattr(n, "children")
             and type(n).__name__ == "Paragraph"]
    assert "# Note &amp; *this*" in texts
    assert any(t.startswith("1. We are thankful that") for t in texts)
    assert not any(isinstance(n, Heading) and "Note" in inline_text(n.children) for n in nodes)
    assert not any(isinstance(n, ListBlock) for n in block_nodes)


def test_item07_default_preview_in_the_preview_folder_is_replaced_freely(workspace):
    default = workspace / "out" / "preview" / "ntia-botnets-comments.html"
    default.parent.mkdir(parents=True, exist_ok=True)
    default.write_text("a preview an older drafter wrote, never recorded")
    consultation = workspace / "examples" / "ntia-botnets-comments.yaml"
    assert run_cli("preview", consultation, cwd=workspace).code == 0
    assert default.read_text().startswith("<!DOCTYPE html>") or "<html" in default.read_text()


def test_item07_schema_output_replaces_only_a_schema(workspace):
    before = (workspace / NTIA).read_bytes()
    result = run_cli("schema", "consultation", "-o", NTIA, cwd=workspace)
    assert result.code == 2 and "drafter did not write it" in result.err
    assert (workspace / NTIA).read_bytes() == before
    out = workspace / ".drafter" / "schema" / "consultation.json"
    for _ in range(2):
        assert run_cli("schema", "consultation", "-o", out, cwd=workspace).code == 0
    out.write_text("{}\n")
    assert run_cli("schema", "consultation", "-o", out, cwd=workspace).code == 2
    assert run_cli("schema", "consultation", "-o", out, "--force", cwd=workspace).code == 0
