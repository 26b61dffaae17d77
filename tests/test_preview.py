"""``drafter preview``: the HTML preview, and the watch loop (bounded, with a fake clock)."""

from __future__ import annotations

from pathlib import Path

from drafter import preview as pv
from drafter.load.workspace import discover
from drafter.pipeline import Session
from tests.conftest import run_cli

NTIA = "examples/ntia-botnets-comments.yaml"
THANKS = "positions/procedure/thanks-for-opportunity.md"


def test_preview_writes_html(workspace):
    out = workspace / "p.html"
    result = run_cli("preview", NTIA, "-o", out, cwd=workspace)
    assert result.code == 0, result.err
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "Promoting Stakeholder Action" in html
    assert 'http-equiv="refresh"' not in html
    lines = result.err.strip().split("\n")
    assert lines[-2].startswith("wrote p.html (12 positions")
    assert lines[-1] == f"open {out.resolve().as_uri()}"


def test_item17_preview_default_output_is_out_preview_with_a_file_url(workspace):
    result = run_cli("preview", NTIA, cwd=workspace)
    assert result.code == 0, result.err
    page = workspace / "out" / "preview" / "ntia-botnets-comments.html"
    assert page.is_file()
    assert not (workspace / ".drafter" / "preview").exists()
    assert result.err.strip().split("\n")[-1] == f"open {page.resolve().as_uri()}"


def test_preview_error_is_one_line_and_writes_nothing(workspace):
    block = workspace / THANKS
    block.write_text(block.read_text() + "{{ org.nmae }}\n")
    line = block.read_text().split("\n").index("{{ org.nmae }}") + 1
    out = workspace / "p.html"
    result = run_cli("preview", NTIA, "-o", out, cwd=workspace)
    assert result.code == 2
    assert result.err.strip() == (f"{THANKS}:{line}: error: undefined name: 'dict object' has "
                                  "no attribute 'nmae'")
    assert not out.exists()


class Script:
    """A fake sleep that edits the workspace between polls, one step per cycle."""

    def __init__(self, steps):
        self.steps = list(steps)

    def __call__(self, seconds):
        if self.steps:
            self.steps.pop(0)()


def _edit(path: Path, old: str, new: str):
    def step():
        path.write_text(path.read_text().replace(old, new, 1))
    return step


def test_watch_rerenders_on_every_kind_of_change_and_survives_errors(workspace):
    ws = discover(start=workspace)
    consultation = workspace / NTIA
    out = workspace / "live.html"
    template = workspace / "templates" / "us-agency-comments.jinja"
    lines: list[str] = []
    seen: list[str] = []

    def record(line):
        lines.append(line)
        if line.startswith("wrote"):
            seen.append(out.read_text())

    steps = Script([
        _edit(workspace / THANKS, "Thank you for", "Many thanks for"),          # a block
        _edit(template, "# INTRODUCTION", "# INTRODUCTION {% if %}"),          # broken template
        lambda: None,                                                           # nothing new
        _edit(template, "# INTRODUCTION {% if %}", "# OPENING"),               # fixed template
        _edit(workspace / "org.yaml", "name: Internet Infrastructure Coalition",
              "name: Internet Infrastructure Alliance"),                        # org facts
        _edit(consultation, "date: 2018-02-12", "date: 2018-02-13"),           # consultation
    ])
    renders = pv.watch(lambda: Session(ws), ws, consultation, out, interval=0,
                       max_cycles=7, echo=record, sleep=steps)
    assert renders == 6  # the cycle with no change rendered nothing
    errors = [line for line in lines if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith(
        f"{template}:") and "template syntax error" in errors[0]
    assert len(seen) == 5
    assert "Many thanks for" in seen[1] and "Many thanks for" not in seen[0]
    assert "OPENING" in seen[2]
    assert "INTERNET INFRASTRUCTURE ALLIANCE" in seen[3]
    assert "February 13, 2018" in seen[4]
    assert all('http-equiv="refresh"' in html for html in seen)
    changed = [line for line in lines if "changed:" in line]
    assert "thanks-for-opportunity.md" in changed[0] and "org.yaml" in changed[3]


def test_watch_keeps_the_last_good_preview_on_error(workspace):
    ws = discover(start=workspace)
    out = workspace / "live.html"
    steps = Script([_edit(workspace / THANKS, "{{ agency.first_mention }}", "{{ agency.nme }}")])
    lines: list[str] = []
    pv.watch(lambda: Session(ws), ws, workspace / NTIA, out, interval=0, max_cycles=2,
             echo=lines.append, sleep=steps)
    assert "National Telecommunications" in out.read_text()
    assert any("has no attribute 'nme'" in line for line in lines)


def test_watch_through_the_cli(workspace):
    out = workspace / "w.html"
    result = run_cli("preview", NTIA, "-o", out, "--watch", "--max-cycles", "1",
                     "--interval", "0.05", cwd=workspace)
    assert result.code == 0, result.err
    assert result.err.startswith(f"watching {NTIA}")
    assert 'http-equiv="refresh"' in out.read_text()


def test_watched_files_cover_the_inputs(workspace):
    ws = discover(start=workspace)
    names = {p.name for p in pv.watched_files(ws, workspace / NTIA)}
    assert {"ntia-botnets-comments.yaml", "org.yaml", "drafter.yaml", "glossary.yaml",
            "topics.yaml", "thanks-for-opportunity.md", "_macros.jinja"} <= names
