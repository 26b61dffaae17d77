"""Exports through ``drafter draft``: docx | md | html | txt | pdf | composed, by --format or
by the -o extension, and the LibreOffice driver's behaviour without LibreOffice (a fake soffice)."""

from __future__ import annotations

import os
import stat
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from drafter.errors import Diagnostics, RenderError
from drafter.model import parse_markdown
from drafter.writers import WriteContext, pdf
from tests.conftest import EXAMPLES, ROOT, run_cli

FCC = EXAMPLES / "fcc-iot-labeling-comments.yaml"


@pytest.mark.parametrize("suffix,fmt", [(".docx", "docx"), (".md", "md"), (".html", "html"),
                                        (".htm", "html"), (".txt", "txt"),
                                        (".markdown", "md"), (".composed.md", "composed")])
def test_the_extension_implies_the_format(tmp_path, suffix, fmt):
    out = tmp_path / f"filing{suffix}"
    result = run_cli("draft", FCC, "-o", out)
    assert result.code == 0, result.err
    assert f"({fmt}, template us-agency-comments, 7 positions)" in result.err
    data = out.read_bytes()
    if fmt == "docx":
        assert zipfile.is_zipfile(out)
    else:
        assert data.decode("utf-8")


def test_format_option_wins_and_default_name(tmp_path, workspace):
    out = tmp_path / "notes.out"
    result = run_cli("draft", FCC, "-o", out, "--format", "txt")
    assert result.code == 0 and out.read_text().startswith("Before the\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("draft", workspace / "examples" / FCC.name, "--format", "md", cwd=elsewhere)
    assert result.code == 0, result.err
    # the default output: out/ of the consultation's workspace, whatever the current folder
    assert (workspace / "out" / "fcc-iot-labeling-comments.md").is_file()
    assert list(elsewhere.iterdir()) == []


def test_unknown_extension_is_an_error_and_writes_nothing(tmp_path):
    out = tmp_path / "filing.rtf"
    result = run_cli("draft", FCC, "-o", out)
    assert result.code == 2 and "cannot tell the format" in result.err and not out.exists()


def test_composed_is_the_composed_source(tmp_path):
    out = tmp_path / "f.composed.md"
    assert run_cli("draft", FCC, "-o", out).code == 0
    text = out.read_text()
    assert text.startswith("::: {.caption .center}\nBefore the\\\n")
    assert '::: {.block block="thanks-for-opportunity" hash="' in text
    assert "[^mirai]: Manos Antonakakis et al." in text


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_a_standalone_readable_preview(tmp_path):
    out = tmp_path / "f.html"
    assert run_cli("draft", FCC, "-o", out).code == 0
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"en-US\">")
    assert "<title>Cybersecurity Labeling for Internet of Things</title>" in html
    assert "<style>" in html and "<script" not in html and "http-equiv" not in html
    parsed = _Collect()
    parsed.feed(html)
    text = "".join(parsed.text)
    assert "I. INTRODUCTION" in text and "a. Global, Diverse Scope" in text
    assert "IV. RESPONSES TO QUESTIONS" in text and "V. CONCLUSION" in text
    # the table of contents links to the headings
    links = [a["href"] for tag, a in parsed.tags if tag == "a" and a.get("href", "").startswith("#h")]
    ids = {a["id"] for tag, a in parsed.tags if tag.startswith("h") and "id" in a}
    assert len(links) == 10 and set(links) == {"#" + i for i in ids}
    # footnotes: references and the notes section
    assert '<a href="#fn1" id="fnref1">1</a>' in html
    assert '<section class="footnotes">' in html and "NIST IR 8425" in html
    blocks = [a["data-block"] for tag, a in parsed.tags if "data-block" in a]
    assert blocks[0] == "thanks-for-opportunity"


def test_html_escapes_markup(tmp_path):
    from drafter.writers.html import HtmlWriter

    doc = parse_markdown("Fees & <b>bold</b> \U0001F680\n", {"title": "A & B"})
    html = HtmlWriter().write(doc, WriteContext()).decode()
    assert "Fees &amp; &lt;b&gt;bold&lt;/b&gt; \U0001F680" in html
    assert "<title>A &amp; B</title>" in html


def test_txt_is_plain_text_for_web_forms(tmp_path):
    out = tmp_path / "f.txt"
    assert run_cli("draft", FCC, "-o", out).code == 0
    text = out.read_text()
    assert "::: " not in text and "**" not in text and "[^" not in text
    assert "\nI. INTRODUCTION\n" in text and "\na. Global, Diverse Scope\n" in text
    assert "Internet of Things,”[1] issued by the Federal Communications Commission" in text
    assert text.rstrip().endswith("NIST IR 8425 (September 2022).")
    assert ("\nNotes\n\n[1] Cybersecurity Labeling for Internet of Things, PS Docket No. 23-239, "
            "Notice of Proposed Rulemaking, FCC 23-65, 88 Fed. Reg. 58,211") in text


# -- PDF without (a working) LibreOffice --------------------------------------------------------

def test_pdf_without_libreoffice_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFTER_SOFFICE", str(tmp_path / "no-such-soffice"))
    out = tmp_path / "f.pdf"
    result = run_cli("draft", FCC, "-o", out)
    assert result.code == 2
    assert "PDF export needs LibreOffice, which was not found" in result.err
    assert "apt-get install libreoffice-writer-nogui" in result.err
    assert result.err.count("\n") == 1 and not out.exists()


def test_update_fields_without_libreoffice_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFTER_SOFFICE", str(tmp_path / "no-such-soffice"))
    out = tmp_path / "f.docx"
    result = run_cli("draft", FCC, "-o", out, "--update-fields")
    assert result.code == 2 and "--update-fields needs LibreOffice" in result.err
    assert not out.exists()


def test_update_fields_without_a_toc_needs_no_libreoffice(tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFTER_SOFFICE", str(tmp_path / "no-such-soffice"))
    out = tmp_path / "f.docx"
    result = run_cli("draft", EXAMPLES / "ntia-botnets-comments.yaml", "-o", out,
                     "--update-fields")
    assert result.code == 0, result.err


def _fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


FAKE_CONVERT = """\
out=""; prev=""
for arg in "$@"; do
  if [ "$prev" = "--outdir" ]; then out="$arg"; fi
  prev="$arg"
done
mkdir -p "$out"
for arg in "$@"; do
  case "$arg" in *.docx) name=$(basename "$arg" .docx); printf '%%PDF-fake' > "$out/$name.pdf";;
  esac
done
"""


def test_pdf_falls_back_to_a_plain_conversion_without_uno(tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFTER_SOFFICE", str(_fake_soffice(tmp_path, FAKE_CONVERT)))
    monkeypatch.setenv("DRAFTER_UNO_PYTHON", "/bin/false")
    diagnostics = Diagnostics()
    assert pdf.export_pdfs([b"docx-1", b"docx-2"], diagnostics, has_toc=True) == \
        [b"%PDF-fake", b"%PDF-fake"]
    assert [w.code for w in diagnostics.warnings] == ["toc-not-updated"]
    assert "python3-uno" in diagnostics.warnings[0].message
    quiet = Diagnostics()
    pdf.export_pdfs([b"docx"], quiet, has_toc=False)
    assert not quiet.warnings
    with pytest.raises(RenderError, match="--update-fields needs LibreOffice's Python bridge"):
        pdf.toc_lines(b"docx")


def test_a_failing_conversion_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFTER_SOFFICE", str(_fake_soffice(
        tmp_path, "echo 'Error: source file could not be loaded' >&2\nexit 1\n")))
    monkeypatch.setenv("DRAFTER_UNO_PYTHON", "/bin/false")
    with pytest.raises(RenderError, match="could not convert the document to pdf: Error: source "
                                          "file could not be loaded"):
        pdf.export_pdfs([b"docx"], Diagnostics())


def test_the_uno_script_reports_a_missing_uno(tmp_path):
    """lo_update.py run by a Python without uno says so (exit 3) instead of crashing."""
    import json
    import subprocess
    import sys

    job = tmp_path / "job.json"
    result = tmp_path / "result.json"
    job.write_text(json.dumps({"soffice": "x", "profile": "file:///x", "items": []}))
    script = Path(pdf.__file__).with_name("lo_update.py")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    code = subprocess.run([sys.executable, str(script), str(job), str(result)], env=env,
                          check=False).returncode
    assert code == 3
    assert json.loads(result.read_text())["error"] == "this Python cannot import uno"
