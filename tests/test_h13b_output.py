"""Issue 13, items 11-15: what the filing says is what the sources say.

Links in footnotes keep their targets (11), lists of any length keep their items (12), values
are never "None" nor Markdown (13), formatting inside link text survives in DOCX (14), and a
Jinja tag at the end of a line keeps the line break (15).
"""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from drafter.compose.environment import WorkspaceLoader, make_environment
from drafter.compose.linebreaks import keep_line_breaks
from drafter.load.workspace import discover
from drafter.model import parse_markdown
from drafter.model.nodes import Div, ListBlock, Paragraph
from drafter.model.text import inline_text
from drafter.pipeline import Session
from drafter.writers import WriteContext
from drafter.writers.docx.writer import DocxWriter
from tests.conftest import EXAMPLES, require_tool, run_cli
from tests.docxread import NS, DocxFile, q

R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HYPERLINK = R + "/hyperlink"

US = """title: {title}
agency: {{name: Federal Communications Commission, short_name: FCC}}
kind: rfc
jurisdiction: US
date: 2024-05-01
"""


def _block(ws: Path, block_id: str, body: str, role: str = "recommendation",
           title: str | None = None) -> None:
    (ws / "positions" / "security" / f"{block_id}.md").write_text(
        f"---\nid: {block_id}\ntitle: {title or 'Title ' + block_id}\n"
        f"summary: One line.\ntopics: [cybersecurity]\nstance: support\nrole: {role}\n"
        "jurisdictions: [any]\nsource: {seed: eu-manifesto-2024, section: S, item: '1'}\n"
        "status: approved\nlast_reviewed: 2026-11-20\n---\n" + body + "\n", encoding="utf-8")


def _consultation(ws: Path, name: str = "c.yaml", title: str = "Plain Title",
                  extra: str = "") -> Path:
    path = ws / name
    path.write_text(US.format(title=json.dumps(title)) + extra, encoding="utf-8")
    return path


def _draft(ws: Path, consultation: Path, fmt: str = "md", template: str | None = None):
    session = Session(discover(start=ws))
    result = session.draft(consultation, template=template)
    return result, session.render(result, fmt)


def _docx_parts(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _items(node) -> list[str]:
    return [inline_text(_paragraphs(item)[-1].children) for item in node.items]


def _paragraphs(node) -> list[Paragraph]:
    out = []
    for child in getattr(node, "children", []):
        if isinstance(child, Paragraph):
            out.append(child)
        elif isinstance(child, Div):
            out.extend(_paragraphs(child))
    return out


def _lists(nodes) -> list[ListBlock]:
    found = []
    for node in nodes:
        if isinstance(node, ListBlock):
            found.append(node)
        found.extend(_lists(getattr(node, "children", []) or []))
    return found


# -- item 11: hyperlinks are registered on the part that holds them ---------------------------

def _links_resolve(data: bytes) -> dict[str, list[str]]:
    """Each part's hyperlink targets, looked up in that part's own relationships; a dangling
    r:id fails the test."""
    files = _docx_parts(data)
    out = {}
    for name in ("word/document.xml", "word/footnotes.xml", "word/comments.xml",
                 *[n for n in files if n.startswith("word/header") or n.startswith("word/footer")]):
        if name not in files:
            continue
        rels_name = name.replace("word/", "word/_rels/") + ".rels"
        rels = {}
        if rels_name in files:
            for rel in etree.fromstring(files[rels_name]):
                rels[rel.get("Id")] = (rel.get("Type"), rel.get("Target"))
        targets = []
        for link in etree.fromstring(files[name]).iter(q("hyperlink")):
            rid = link.get(f"{{{R}}}id")
            if rid is None:
                continue
            assert rid in rels, f"{name}: hyperlink {rid} has no relationship in {rels_name}"
            assert rels[rid][0] == HYPERLINK
            targets.append(rels[rid][1])
        out[name] = targets
    return out


def test_item11_notice_footnote_link_is_registered_on_the_footnotes_part():
    session = Session(discover(start=EXAMPLES.parent))
    result = session.draft(EXAMPLES / "fcc-iot-labeling-comments.yaml")
    targets = _links_resolve(session.render(result, "docx"))
    assert targets["word/footnotes.xml"] == ["https://www.federalregister.gov/d/2023-18357"]


def test_item11_links_in_body_and_in_every_note_resolve_each_in_its_own_part():
    md = ("Body [site](https://example.org/body).[^1] Again.[^2]\n\n"
          "[^1]: See [the rule](https://example.org/rule) and [more](https://example.org/more).\n"
          "[^2]: A [*third*](https://example.org/third) link, and [anchor](#T1).\n")
    doc = parse_markdown(md)
    data = DocxWriter().write(doc, WriteContext(source_markdown=md))
    targets = _links_resolve(data)
    assert targets["word/document.xml"] == ["https://example.org/body"]
    assert targets["word/footnotes.xml"] == ["https://example.org/rule", "https://example.org/more",
                                             "https://example.org/third"]


def test_item11_pandoc_reads_the_footnote_link_target(workspace, tmp_path):
    pandoc = require_tool("pandoc")
    out = tmp_path / "fcc.docx"
    assert run_cli("draft", "examples/fcc-iot-labeling-comments.yaml", "-o", out,
                   cwd=workspace).code == 0
    tree = json.loads(subprocess.run([pandoc, str(out), "-t", "json"], capture_output=True,
                                     check=True, timeout=120).stdout)
    links = []

    def walk(node, in_note=False):
        if isinstance(node, dict):
            if node.get("t") == "Note":
                in_note = True
            if node.get("t") == "Link" and in_note:
                links.append(node["c"][2][0])
            for value in node.values():
                walk(value, in_note)
        elif isinstance(node, list):
            for value in node:
                walk(value, in_note)

    walk(tree["blocks"])
    assert links == ["https://www.federalregister.gov/d/2023-18357"]


def test_item11_libreoffice_keeps_the_footnote_link(workspace, tmp_path):
    soffice = require_tool("soffice", "libreoffice")
    source = tmp_path / "in" / "fcc.docx"
    source.parent.mkdir()
    assert run_cli("draft", "examples/fcc-iot-labeling-comments.yaml", "-o", source,
                   cwd=workspace).code == 0
    proc = subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
                           "--headless", "--norestore", "--convert-to", "docx", "--outdir",
                           str(tmp_path / "out"), str(source)], capture_output=True,
                          timeout=240, check=False)
    saved = tmp_path / "out" / "fcc.docx"
    assert proc.returncode == 0 and saved.is_file(), proc.stderr.decode()
    targets = _links_resolve(saved.read_bytes())
    assert "https://www.federalregister.gov/d/2023-18357" in targets["word/footnotes.xml"]


# -- item 12: lists of ten or more ----------------------------------------------------------

@pytest.mark.parametrize("count", [9, 10, 11, 12, 100])
def test_item12_numbered_recommendations_keep_every_item(workspace, count):
    ids = [f"rec-{n:03d}" for n in range(1, count + 1)]
    for n, block_id in enumerate(ids, start=1):
        _block(workspace, block_id, f"Recommendation text {n}.")
    path = _consultation(workspace, extra=f"positions: [{', '.join(ids)}]\n")
    result, md = _draft(workspace, path)
    lists = [node for node in _lists(result.document.children) if node.ordered]
    assert len(lists) == 1
    items = lists[0].items
    assert len(items) == count
    for n, item in enumerate(items, start=1):
        texts = [inline_text(p.children) for p in _paragraphs(item)]
        assert texts == [f"Title rec-{n:03d}", f"Recommendation text {n}."]
        assert item.children[0].attrs["block"] == f"rec-{n:03d}"
    assert ":::" not in "\n".join(inline_text(p.children) for p in _paragraphs(
        result.document))


def test_item12_docx_numbers_every_item_and_no_fence_leaks(workspace):
    ids = [f"rec-{n:03d}" for n in range(1, 13)]
    for n, block_id in enumerate(ids, start=1):
        _block(workspace, block_id, f"Recommendation text {n}.")
    path = _consultation(workspace, extra=f"positions: [{', '.join(ids)}]\n")
    _, data = _draft(workspace, path, "docx")
    paras = DocxFile(data).paragraphs()
    titles = [p for p in paras if p.text.startswith("Title rec-")]
    assert len(titles) == 12 and all(p.num is not None for p in titles)
    assert len({p.num for p in titles}) == 1            # one list, numbered by Word
    assert not any(":::" in p.text for p in paras)
    assert [p.text for p in paras if p.text.startswith("Recommendation text")] == [
        f"Recommendation text {n}." for n in range(1, 13)]


def test_item12_nested_lists_inside_the_tenth_and_later_items(workspace):
    ids = [f"rec-{n:03d}" for n in range(1, 12)]
    for n, block_id in enumerate(ids, start=1):
        _block(workspace, block_id, f"Intro {n}:\n\n- first {n}\n- second {n}\n\n"
                                    f"1. one {n}\n2. two {n}")
    path = _consultation(workspace, extra=f"positions: [{', '.join(ids)}]\n")
    result, _ = _draft(workspace, path)
    outer = [n for n in result.document.children if isinstance(n, ListBlock)]
    outer = [n for n in _lists(result.document.children) if n.ordered and len(n.items) == 11]
    assert len(outer) == 1
    for n, item in enumerate(outer[0].items, start=1):
        inner = _lists(item.children)
        assert [_items(lst) for lst in inner] == [[f"first {n}", f"second {n}"],
                                                 [f"one {n}", f"two {n}"]]


def test_item12_numbered_helper_indents_by_the_marker_width():
    from drafter.compose.functions import numbered

    class View:
        def __init__(self, n):
            self.n = n

        def render(self, title=None):
            return f'::: {{.block block="b{self.n}" hash="h"}}\nline {self.n}\n:::\n'

    md = str(numbered([View(n) for n in range(1, 102)]))
    doc = parse_markdown(md)
    assert len(doc.children) == 1 and len(doc.children[0].items) == 101
    assert [_items_of(i) for i in doc.children[0].items][99:] == [["line 100"], ["line 101"]]


def _items_of(item):
    return [inline_text(p.children) for p in _paragraphs(item)]


# -- item 13: no "None", values escaped wherever inserted ---------------------------------------

def test_item13_missing_value_is_an_error_naming_the_block(workspace):
    _block(workspace, "docket-ref", "We filed in docket {{ consultation.docket }}.",
           role="argument")
    path = _consultation(workspace, extra="positions: [docket-ref]\n")
    result = run_cli("draft", path, "-f", "md", "-o", workspace / "out.md", cwd=workspace)
    assert result.code == 2
    assert "docket-ref.md:13: error: a value inserted here is missing (None)" in result.err
    assert not (workspace / "out.md").exists()
    assert "None" not in result.out


@pytest.mark.parametrize("expr", ["consultation.rin", "consultation.citation", "agency.addressee",
                                  "consultation.published", "filer.title if false else none"])
def test_item13_siblings_every_missing_value_is_an_error(workspace, expr):
    _block(workspace, "docket-ref", "Value: {{ " + expr + " }}.", role="argument")
    path = _consultation(workspace, extra="positions: [docket-ref]\n")
    result = run_cli("draft", path, "-f", "md", "-o", workspace / "out.md", cwd=workspace)
    assert result.code == 2 and "missing (None)" in result.err, result.err


def test_item13_check_reports_the_missing_value(workspace):
    _block(workspace, "docket-ref", "We filed in docket {{ consultation.docket }}.",
           role="argument")
    _consultation(workspace, "examples/no-docket.yaml", extra="positions: [docket-ref]\n")
    result = run_cli("check", cwd=workspace)
    assert result.code == 1
    assert "docket-ref.md:13" in result.out and "missing (None)" in result.out


def test_item13_guarded_missing_value_drafts(workspace):
    _block(workspace, "docket-ref", "We filed{% if consultation.docket %} in docket "
                                    "{{ consultation.docket }}{% endif %}.", role="argument")
    path = _consultation(workspace, extra="positions: [docket-ref]\n")
    _, md = _draft(workspace, path)
    assert "We filed." in md.decode() and "None" not in md.decode()


@pytest.mark.parametrize("title, shown", [
    ("*Star* Rule", "*Star* Rule"),
    ("A_b_c and __init__", "A_b_c and __init__"),
    ("Fees & Charges &amp; more", "Fees & Charges &amp; more"),
    ("[Link](https://x.example) <b>bold</b>", "[Link](https://x.example) <b>bold</b>"),
    ("`code` ~~gone~~ #hash", "`code` ~~gone~~ #hash"),
    ("{{ org.name }} {% if x %}", "{{ org.name }} {% if x %}"),
])
def test_item13_title_stays_literal_in_introduction_and_caption(workspace, title, shown):
    path = _consultation(workspace, title=title,
                         extra="positions: [thanks-for-opportunity]\n")
    result, _ = _draft(workspace, path)
    texts = [inline_text(p.children) for p in _paragraphs(result.document)]
    intro = [t for t in texts if "the opportunity" in t or "comments" in t.lower()]
    assert any(shown in t for t in intro), intro
    _, txt = _draft(workspace, path, "txt")
    assert txt.decode().count(shown) >= 2    # caption and introduction


@pytest.mark.parametrize("value", ["1. Acme", "- Acme", "> Acme", "::: Acme", "# Acme", "= Acme"])
def test_item13_variables_at_a_line_start_make_no_structure(workspace, value):
    _block(workspace, "member-line", "{{ variables.member }}\nis a member.", role="argument")
    path = _consultation(workspace, extra="positions: [member-line]\nvariables: {member: "
                         + json.dumps(value) + "}\n")
    result, _ = _draft(workspace, path)
    texts = [inline_text(p.children) for p in _paragraphs(result.document)]
    assert f"{value} is a member." in texts
    assert not _lists(result.document.children)


def test_item13_org_values_are_escaped_in_blocks(workspace):
    org = workspace / "org.yaml"
    org.write_text(org.read_text().replace("short_name: i2Coalition", "short_name: i2_Coalition_"),
                   encoding="utf-8")
    # a block that prints {{ org.short_name }}
    path = _consultation(workspace, extra="positions: [coalition-founding-advocate]\n")
    result, _ = _draft(workspace, path)
    texts = " ".join(inline_text(p.children) for p in _paragraphs(result.document))
    assert "i2_Coalition_" in texts


# -- item 14: formatting inside link text -------------------------------------------------------

def _link_runs(data: bytes) -> list[tuple[str, bool, bool, str | None]]:
    document = etree.fromstring(_docx_parts(data)["word/document.xml"])
    out = []
    for link in document.iter(q("hyperlink")):
        for r in link.iter(q("r")):
            style = r.find("w:rPr/w:rStyle", NS)
            out.append(("".join(t.text or "" for t in r.iter(q("t"))),
                        r.find("w:rPr/w:b", NS) is not None, r.find("w:rPr/w:i", NS) is not None,
                        style.get(q("val")) if style is not None else None))
    return out


def test_item14_bold_and_italic_inside_link_text_are_kept():
    md = "See [**binding** rules of *Part 15*](https://www.ecfr.gov/part-15).\n"
    data = DocxWriter().write(parse_markdown(md), WriteContext(source_markdown=md))
    runs = _link_runs(data)
    assert [(t, b, i) for t, b, i, _ in runs] == [("binding", True, False),
                                                  (" rules of ", False, False),
                                                  ("Part 15", False, True)]
    assert len({s for *_, s in runs}) == 1 and runs[0][3]   # every run has the Hyperlink style


def test_item14_siblings_code_strike_nesting_and_links_in_notes():
    md = ("[***both*** `code` ~~old~~](https://a.example) and "
          "**bold [link *em*](https://b.example)**"
          "[^1]\n\n[^1]: [*note* link](https://c.example)\n")
    data = DocxWriter().write(parse_markdown(md), WriteContext(source_markdown=md))
    runs = [(t, b, i) for t, b, i, _ in _link_runs(data)]
    assert runs == [("both", True, True), (" ", False, False), ("code", False, False),
                    (" ", False, False), ("old", False, False),
                    ("link ", True, False), ("em", True, True)]
    notes = etree.fromstring(_docx_parts(data)["word/footnotes.xml"])
    note_runs = [("".join(t.text or "" for t in r.iter(q("t"))),
                  r.find("w:rPr/w:i", NS) is not None)
                 for link in notes.iter(q("hyperlink")) for r in link.iter(q("r"))]
    assert note_runs == [("note", True), (" link", False)]


def test_item14_pandoc_sees_the_formatting_inside_the_link(tmp_path):
    pandoc = require_tool("pandoc")
    md = "See [**binding** rules of *Part 15*](https://www.ecfr.gov/part-15).\n"
    out = tmp_path / "l.docx"
    out.write_bytes(DocxWriter().write(parse_markdown(md), WriteContext(source_markdown=md)))
    text = subprocess.run([pandoc, str(out), "-t", "markdown"], capture_output=True, text=True,
                          check=True, timeout=120).stdout
    assert "[**binding** rules of *Part 15*](https://www.ecfr.gov/part-15)" in text


# -- item 15: a tag at the end of a line keeps the line break -----------------------------------

def _render(source: str, **data) -> str:
    env = make_environment(WorkspaceLoader([]))
    return env.from_string(source).render(**data)


@pytest.mark.parametrize("flag", [True, False])
def test_item15_endif_at_line_end_keeps_paragraphs_and_items_apart(flag):
    source = ("We support the proposal{% if d %} in docket X{% endif %}\n\n"
              "- first{% if d %} (as filed){% endif %}\n- second\n")
    out = _render(source, d=flag)
    extra, filed = (" in docket X", " (as filed)") if flag else ("", "")
    assert out == f"We support the proposal{extra}\n\n- first{filed}\n- second\n"
    doc = parse_markdown(out)
    assert isinstance(doc.children[0], Paragraph) and len(doc.children[0].children) == 1
    assert _items(doc.children[1]) == [f"first{filed}", "second"]


@pytest.mark.parametrize("tail", [
    "{% for x in [1] %}!{% endfor %}",
    "{% set s = 1 %}",
    "{# a comment #}",
    "{% if true %}{% endif %}",
    "{% macro m() %}{% endmacro %}",
    "{% call m() %}{% endcall %}",
])
def test_item15_siblings_for_set_comment_macro_at_line_end(tail):
    prefix = "{% macro m() %}{{ caller() if caller else '' }}{% endmacro %}" \
        if "call" in tail else ""
    out = _render(prefix + "- one" + tail + "\n- two\n\nPara A" + tail + "\nPara B\n")
    assert out.replace("!", "") == "- one\n- two\n\nPara A\nPara B\n"


def test_item15_tags_alone_on_their_line_still_leave_no_line():
    source = ("{% for i in [1, 2] %}\n- item {{ i }}\n{% endfor %}\n"
              "  {% if true %}\ntext\n  {% endif %}\n{# note #}\nend\n")
    assert _render(source) == "- item 1\n- item 2\ntext\nend\n"


def test_item15_explicit_trim_markers_are_respected():
    assert keep_line_breaks("a{% if x -%}\nb") == "a{% if x -%}\nb"
    assert keep_line_breaks("a{% if x +%}\nb") == "a{% if x +%}\nb"
    assert keep_line_breaks("a{% endif %}\nb") == "a{% endif +%}\nb"
    assert keep_line_breaks("{% if x %}\nb") == "{% if x %}\nb"
    assert keep_line_breaks("{{ v }}{% endif %}\n") == "{{ v }}{% endif +%}\n"
    assert keep_line_breaks("{#\nmulti\n#}{% if x %}\n") == "{#\nmulti\n#}{% if x %}\n"


def test_item15_in_a_block_body_through_the_cli(workspace):
    _block(workspace, "line-end", "We support it{% if consultation.docket %} in docket "
                                  "{{ consultation.docket }}{% endif %}\n\n"
                                  "- first{% if consultation.docket %} item{% endif %}\n- second",
           role="argument")
    for extra, suffix in (("docket: FCC 23-65\n", " in docket FCC 23-65"), ("", "")):
        path = _consultation(workspace, extra=extra + "positions: [line-end]\n")
        result, _ = _draft(workspace, path)
        texts = [inline_text(p.children) for p in _paragraphs(result.document)]
        assert f"We support it{suffix}" in texts
        lists = _lists(result.document.children)
        assert [_items(lst) for lst in lists] == [["first" + (" item" if extra else ""), "second"]]


def test_item13_notice_url_is_not_escaped_inside_its_autolink(workspace):
    url = "https://www.federalregister.gov/d/2023_18357?a=1&b=*x*"
    path = _consultation(workspace, title="*Star* Notice", extra=(
        "citation: 88 FR 58501\npublished: 2023-08-25\nurl: " + json.dumps(url) + "\n"
        "positions: [thanks-for-opportunity]\n"))
    result, data = _draft(workspace, path, "docx")
    targets = _links_resolve(data)
    assert targets["word/footnotes.xml"] == [url]
    notes = etree.fromstring(_docx_parts(data)["word/footnotes.xml"])
    text = "".join(t.text or "" for t in notes.iter(q("t")))
    assert "*Star* Notice, 88 Fed. Reg. 58,501 (Aug. 25, 2023)" in text and url in text


@pytest.mark.parametrize("expr", ['"Docket " ~ consultation.docket', 'consultation.rin ~ ""',
                                  '"a" ~ agency.addressee ~ "b"'])
def test_item13_missing_value_joined_with_tilde_is_an_error(workspace, expr):
    _block(workspace, "joined-ref", "Filed: {{ " + expr + " }}.", role="argument")
    path = _consultation(workspace, extra="positions: [joined-ref]\n")
    result = run_cli("draft", path, "-f", "md", "-o", workspace / "out.md", cwd=workspace)
    assert result.code == 2 and "joined-ref.md:13: error: a value inserted here is missing" \
        in result.err, result.err


def test_item13_finalize_keeps_the_environment_own_finalize():
    from drafter.compose.values import Values
    import jinja2

    seen = []
    env = jinja2.Environment(finalize=lambda v: seen.append(v) or v, extensions=[Values])
    assert env.from_string("{{ x }}").render(x="*a*") == "*a*"
    from drafter.compose.values import Value
    assert env.from_string("{{ x }}").render(x=Value("*a*")) == "\\*a\\*"
    assert seen == ["*a*", "\\*a\\*"]


def test_item12_a_list_indented_too_little_is_an_error_not_a_stray_fence():
    from drafter.errors import RenderError

    items = [f"{n}. " + '::: {.block block="b%d" hash="h"}\n   body %d\n   :::' % (n, n)
             for n in range(1, 12)]
    with pytest.raises(RenderError, match="fence after block 'b10' was left as text"):
        parse_markdown("\n".join(items))


@pytest.mark.parametrize("text", ["Para\n:::", "Text\n   ::::", "- item\n  more\n:::"])
def test_item12_siblings_stray_fences_in_paragraphs_are_errors(text):
    from drafter.errors import RenderError

    with pytest.raises(RenderError, match="was left as text"):
        parse_markdown(text)


def test_item12_escaped_colons_are_text():
    doc = parse_markdown("\\::: typed by a reviewer\n")
    assert inline_text(doc.children[0].children) == "::: typed by a reviewer"


def test_item13_check_of_the_consultation_alone_reports_the_block(workspace):
    _block(workspace, "docket-ref", "We filed in docket {{ consultation.docket }}.",
           role="argument")
    path = _consultation(workspace, "mine.yaml", extra="positions: [docket-ref]\n")
    result = run_cli("check", path, cwd=workspace)
    assert result.code == 1, result.out
    assert "docket-ref.md:13" in result.out and "missing (None)" in result.out


def test_item15_raw_blocks_are_left_as_they_are():
    source = "{% raw %}a{% if x %}\nb {{ y }}{% endraw %}\nnext{% if true %}!{% endif %}\nend\n"
    assert keep_line_breaks(source) == source.replace("{% endif %}", "{% endif +%}").replace(
        "{% endraw %}", "{% endraw +%}")
    assert _render(source) == "a{% if x %}\nb {{ y }}\nnext!\nend\n"
