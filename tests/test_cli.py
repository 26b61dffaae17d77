"""The CLI as users run it: draft, positions, templates, workspace discovery, help."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import EXAMPLES, ROOT, run_cli, run_process
from tests.docxread import DocxFile

ALL_EXAMPLES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_every_example_drafts(name, tmp_path):
    out = tmp_path / f"{name}.docx"
    result = run_cli("draft", EXAMPLES / f"{name}.yaml", "-o", out)
    assert result.code == 0, result.err
    docx = DocxFile(out.read_bytes())
    assert any(p.style.startswith("heading 1") for p in docx.paragraphs())
    assert f"wrote {out}" in result.err


def test_output_defaults_to_the_consultation_name_in_the_workspace_out(workspace):
    shutil.copy(EXAMPLES / "ntia-botnets-comments.yaml", workspace / "my-filing.yaml")
    result = run_cli("draft", "my-filing.yaml", cwd=workspace)
    assert result.code == 0, result.err
    assert (workspace / "out" / "my-filing.docx").is_file()
    assert not (workspace / "my-filing.docx").exists()


@pytest.mark.parametrize("ext,fmt,marker", [
    ("md", "md", b"# I. INTRODUCTION\n\nThank you for the opportunity"),
    ("composed.md", "composed", b'::: {.block block="thanks-for-opportunity"'),
    ("txt", "txt", b"I. INTRODUCTION\n\nThank you for the opportunity"),
    ("html", "html", b"<!DOCTYPE html>"),
])
def test_format_follows_the_output_extension(tmp_path, ext, fmt, marker):
    out = tmp_path / f"filing.{ext}"
    result = run_cli("draft", EXAMPLES / "ntia-botnets-comments.yaml", "-o", out)
    assert result.code == 0, result.err
    assert f"({fmt}," in result.err
    assert marker in out.read_bytes()


def test_format_option_overrides_and_unknown_extension_is_refused(tmp_path):
    out = tmp_path / "filing.out"
    assert run_cli("draft", EXAMPLES / "ntia-botnets-comments.yaml", "-o", out, "--format", "txt").code == 0
    assert out.read_text().startswith("Before the")
    bad = run_cli("draft", EXAMPLES / "ntia-botnets-comments.yaml", "-o", tmp_path / "filing.xyz")
    assert bad.code == 2 and "cannot tell the format" in bad.err
    assert not (tmp_path / "filing.xyz").exists()


def test_template_option_by_name_overrides_the_consultation(tmp_path):
    out = tmp_path / "as-eu.txt"
    result = run_cli("draft", EXAMPLES / "ntia-botnets-comments.yaml", "--template", "eu-position-paper", "--force", "-o", out)
    assert result.code == 0, result.err
    assert "template eu-position-paper" in result.err
    assert out.read_text().startswith("Request for Comments on Promoting")


def test_positions_list_table_and_filters():
    result = run_cli("positions", "list")
    assert result.code == 0
    lines = result.out.strip().split("\n")
    assert len(lines) >= 30
    assert any(line.startswith("eu-oppose-backdoors ") for line in lines)
    enc = run_cli("positions", "list", "--topic", "encryption", "--format", "json")
    ids = {b["id"] for b in json.loads(enc.out)}
    assert "eu-oppose-backdoors" in ids and "undefined-monolith-terms" not in ids
    drafts = run_cli("positions", "list", "--status", "draft", "--format", "json")
    assert {b["status"] for b in json.loads(drafts.out)} == {"draft"}


def test_positions_show_json_and_text():
    result = run_cli("positions", "show", "eu-oppose-backdoors", "--format", "json")
    data = json.loads(result.out)
    assert {"id", "title", "summary", "topics", "stance", "source", "body"} <= set(data)
    assert data["stance"] == "oppose" and data["source"]["seed"] == "eu-manifesto-2024"
    assert data["body"].startswith("Oppose initiatives that require backdoor access")
    text = run_cli("positions", "show", "eu-oppose-backdoors")
    assert text.out.startswith("eu-oppose-backdoors: Oppose backdoors")
    assert "source:        eu-manifesto-2024, Balancing safety" in text.out


def test_templates_list():
    result = run_cli("templates", "list")
    assert result.code == 0
    names = [line.split()[0] for line in result.out.strip().split("\n")]
    assert {"us-agency-comments", "eu-position-paper"} <= set(names)
    assert not any(n.startswith("_") for n in names)


def test_help_everywhere():
    top = run_cli("--help")
    assert top.code == 0 and "draft" in top.out and "positions" in top.out
    for args in (["draft", "--help"], ["positions", "--help"], ["positions", "list", "--help"],
                 ["positions", "show", "--help"], ["templates", "list", "--help"]):
        result = run_cli(*args)
        assert result.code == 0 and "Usage:" in result.out, args


def test_workspace_is_found_from_a_subfolder(tmp_path):
    out = tmp_path / "x.txt"
    result = run_cli("draft", "ntia-botnets-comments.yaml", "-o", out, cwd=EXAMPLES)
    assert result.code == 0, result.err
    assert out.read_text().startswith("Before the")


def test_outside_a_workspace_is_a_clear_error(tmp_path):
    shutil.copy(EXAMPLES / "ntia-botnets-comments.yaml", tmp_path / "c.yaml")
    result = run_cli("draft", "c.yaml", cwd=tmp_path)
    assert result.code == 2
    assert "no drafter workspace here" in result.err
    assert not (tmp_path / "c.docx").exists()


def test_console_entry_point_runs_in_a_fresh_process(tmp_path):
    result = run_process("positions", "show", "eu-oppose-backdoors", "--format", "json")
    assert result.code == 0
    assert json.loads(result.out)["id"] == "eu-oppose-backdoors"
