"""``-f md``: the filing as clean Markdown, read back through real pandoc.

Each test writes Markdown from a document model, has pandoc (``pandoc -f markdown -t json``)
read it, and compares what pandoc sees with what the model holds: headings (levels, numbers,
texts), paragraphs, lists (kind, start, numbering style), quotes, code, tables and footnotes.
Text that looks like Markdown must come back as the same text, never as structure.
"""

from __future__ import annotations

import collections
import json
import re
import shutil
import subprocess

import pytest

from drafter.errors import RenderError
from drafter.load.workspace import discover
from drafter.model import parse_markdown
from drafter.model.nodes import (BlockQuote, Code, CodeBlock, Div, Document, Emph, Footnote,
                                 FootnoteRef, Heading, LineBreak, Link, ListBlock, ListItem,
                                 Paragraph, SoftBreak, Strike, Strong, Table, TableCell, Text,
                                 ThematicBreak)
from drafter.model.text import walk
from drafter.pipeline import Session
from drafter.writers import WriteContext, format_for_path, get_writer
from drafter.writers.markdown import document_markdown
from tests.conftest import EXAMPLES, ROOT, require_tool, run_cli

PANDOC = shutil.which("pandoc")


@pytest.fixture
def pandoc() -> str:
    return require_tool("pandoc")


def needs_pandoc(test):
    """The test reads Markdown back through pandoc: skipped without it (failed in CI)."""
    return pytest.mark.real_clients(pytest.mark.usefixtures("pandoc")(test))

FCC = EXAMPLES / "fcc-iot-labeling-comments.yaml"

# Text from a consultation or a variable that Markdown would otherwise take for structure.
HOSTILE = [
    "# not a heading", "## nor this #", "1. not a list", "2) nor this", "> not a quote",
    "| a | b |", "* not a bullet", "- nor this", "+ nor this", "[^1] not a footnote",
    "[^1]: not a definition", "a <b>tag</b> and <https://example.org>", "*not emphasis*",
    "_not emphasis_ either", "**not strong**", "[not a link](https://example.org)",
    "I. not a roman list", "a. not a letter list", "(a) not a list", "---", "===", "* * *",
    "::: {.block block=\"x\"}", "% not a title", ": not a definition", "$x^2$ is not math",
    "costs $5 and $6", "@doe2020 is not a citation", "H~2~O and x^2^", "~~not struck~~",
    "`not code`", "back\\slash\\", "{.unnumbered}", "&amp; &#38; stay", "see -- and ... here",
    "\"straight\" 'quotes'", "    four spaces", "<!-- not a comment -->", "    1. indented",
    "![not an image](x.png)", "Term", "~~~", "```", "[ ] not a task", "[x] nor this",
    "a > b", "[X] done", "[[TODO: x]](https://example.org)", "[[TODO: x]]: y",
    "[[TODO: x]][^1]", "[[TODO: x]]{.class}", "[[TODO: a [b] c]]", "[[TODO: *x* <y>]] end",
    "![[TODO: x]] image", "[a][[TODO: x]] reference",
]

_STYLES = ("Decimal", "LowerAlpha", "LowerRoman")


def _abbreviations():
    """pandoc joins an abbreviation of its list ("No.", "Sept.") to the next word with a
    no-break space, on purpose: read back, that space is the space the model has."""
    if PANDOC is None:
        return re.compile("(?!)")
    words = subprocess.run([PANDOC, "--print-default-data-file", "abbreviations"],
                           capture_output=True, text=True, check=True).stdout.split()
    return re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, words)) + ")\u00a0")


_ABBREVIATED = _abbreviations()


def pandoc_blocks(markdown: str) -> list:
    """What pandoc reads from ``markdown``: its blocks, in pandoc's JSON form."""
    proc = subprocess.run([PANDOC, "-f", "markdown", "-t", "json"], input=markdown.encode(),
                          capture_output=True, check=True, timeout=60)
    return json.loads(proc.stdout)["blocks"]


class _Pandoc:
    """Pandoc's JSON reduced to the shapes of :func:`expected` (notes collected in order)."""

    def __init__(self):
        self.notes: list = []

    def inlines(self, items) -> str:
        out = []
        for item in items:
            t, c = item["t"], item.get("c")
            if t == "Str":
                # "]" + no-break space: an item's "[ ] text", kept from being a check box
                out.append(_ABBREVIATED.sub(r"\1 ", c).replace("]\u00a0", "] "))
            elif t in ("Space", "SoftBreak"):
                out.append(" ")
            elif t == "LineBreak":
                out.append("\n")
            elif t in ("Strong", "Emph", "Strikeout"):
                tag = {"Strong": "b", "Emph": "i", "Strikeout": "s"}[t]
                out.append(f"<{tag}>{self.inlines(c)}</{tag}>")
            elif t == "Code":
                out.append(f"<code>{c[1]}</code>")
            elif t == "Link":
                out.append(f"<a {c[2][0]}>{self.inlines(c[1])}</a>")
            elif t == "Quoted":  # pandoc's reading of the curly quotes the model holds
                left, right = ("\u201c", "\u201d") if c[0]["t"] == "DoubleQuote" \
                    else ("\u2018", "\u2019")
                out.append(f"{left}{self.inlines(c[1])}{right}")
            elif t == "Note":
                self.notes.append(self.blocks(c))
                out.append(f"<fn {len(self.notes)}>")
            else:  # Quoted, Math, Cite, RawInline, Superscript, Subscript...: not ours
                out.append(f"<{t}>")
        return _squash("".join(out))

    def blocks(self, items) -> list:
        out = []
        for item in items:
            t, c = item["t"], item.get("c")
            if t == "Header":
                out.append(("h", c[0], self.inlines(c[2])))
            elif t in ("Para", "Plain"):
                out.append(("p", self.inlines(c)))
            elif t == "BulletList":
                out.append(("ul", 1, None, [self.blocks(i) for i in c]))
            elif t == "OrderedList":
                (start, style, _), items_ = c
                out.append(("ol", start, style["t"], [self.blocks(i) for i in items_]))
            elif t == "BlockQuote":
                out.append(("q", self.blocks(c)))
            elif t == "CodeBlock":
                out.append(("code", c[1]))
            elif t == "HorizontalRule":
                out.append(("hr",))
            elif t == "Table":
                out.append(("table", self.table(c)))
            else:  # Div, RawBlock, LineBlock, DefinitionList...: not ours
                out.append((t,))
        return out

    def table(self, c) -> list:
        def cells(row):
            return [self.inlines(_plain(cell[4])) for cell in row[1]]

        rows = [cells(r) for r in c[3][1]]
        for body in c[4]:
            rows.extend(cells(r) for r in body[3])
        return rows


def _plain(blocks) -> list:
    out = []
    for b in blocks:
        if out:
            out.append({"t": "LineBreak"})
        out.extend(b["c"])
    return out


def _squash(text: str) -> str:
    return "\n".join(re.sub(r" +", " ", line).strip() for line in text.split("\n")).strip()


class _Model:
    """The model reduced to what a reader of the filing sees, as the DOCX shows it."""

    def __init__(self, doc: Document):
        from drafter.writers.markdown import MarkdownRenderer

        self.doc = doc
        self.numbers = MarkdownRenderer(doc).numbers

    def inlines(self, nodes) -> str:
        out = []
        for node in nodes:
            if isinstance(node, Text):
                out.append(node.text)
            elif isinstance(node, Code):
                out.append(f"<code>{node.text}</code>")
            elif isinstance(node, SoftBreak):
                out.append(" ")
            elif isinstance(node, LineBreak):
                out.append("\n")
            elif isinstance(node, (Strong, Emph, Strike)):
                tag = {Strong: "b", Emph: "i", Strike: "s"}[type(node)]
                out.append(f"<{tag}>{self.inlines(node.children)}</{tag}>")
            elif isinstance(node, Link):
                out.append(f"<a {node.href}>{self.inlines(node.children)}</a>")
            elif isinstance(node, FootnoteRef):
                out.append(f"<fn {node.number}>")
        return _squash("".join(out))

    def blocks(self, nodes, depth: int = 0) -> list:
        out = []
        for node in nodes:
            if isinstance(node, Heading):
                number = self.numbers[id(node)]
                text = self.inlines(node.children).replace("\n", " ")
                out.append(("h", min(node.level, 6), f"{number} {text}" if number else text))
            elif isinstance(node, Paragraph):
                out.append(("p", self.inlines(node.children)))
            elif isinstance(node, ListBlock):
                items = [self.blocks(i.children, depth + 1) for i in node.items]
                if node.ordered:
                    out.append(("ol", node.start, _STYLES[depth % 3], items))
                else:
                    out.append(("ul", 1, None, items))
            elif isinstance(node, BlockQuote):
                out.append(("q", self.blocks(node.children, depth)))
            elif isinstance(node, CodeBlock):
                out.append(("code", node.text.rstrip("\n")))
            elif isinstance(node, ThematicBreak):
                out.append(("hr",))
            elif isinstance(node, Table):
                rows = [node.header] + node.rows
                out.append(("table", [[self.inlines(c.children) for c in r] for r in rows]))
            elif isinstance(node, Div) and "toc" in node.classes:
                out.append(("p", "<b>Table of Contents</b>"))
                out.extend(self.toc())
            elif isinstance(node, Div) and "title" in node.classes:
                out.extend(("p", f"<b>{b[1]}</b>") if b[0] == "p" else b
                           for b in self.blocks(node.children, depth))
            elif isinstance(node, Div):
                out.extend(self.blocks(node.children, depth))
        return out

    def toc(self) -> list:
        entries = []
        for h in walk(self.doc.children):
            if isinstance(h, Heading) and h.level <= 3:
                number = self.numbers[id(h)]
                text = self.inlines(h.children)
                entries.append((h.level, f"{number} {text}" if number else text))
        if not entries:
            return []

        def nest(items, level):
            out = []
            while items and items[0][0] >= level:
                if items[0][0] > level and out:
                    out[-1].append(("ul", 1, None, nest(items, level + 1)))
                    continue
                out.append([("p", items.pop(0)[1])])
            return out

        return [("ul", 1, None, nest(list(entries), entries[0][0]))]

    def notes(self) -> list:
        return [self.blocks(n.children) for n in self.doc.footnotes]


def _assert_round_trip(doc: Document) -> str:
    markdown = document_markdown(doc)
    reader = _Pandoc()
    seen = reader.blocks(pandoc_blocks(markdown))
    model = _Model(doc)
    assert seen == model.blocks(doc.children), markdown
    assert reader.notes == model.notes(), markdown
    return markdown


@pytest.fixture(scope="module")
def session():
    return Session(discover(start=ROOT))


# -- the examples, as pandoc reads them -------------------------------------------------------

@needs_pandoc
@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_each_example_reads_back_as_its_document_model(session, example):
    draft = session.draft(EXAMPLES / example)
    markdown = _assert_round_trip(draft.document)
    # no provenance, no classes or attributes, no review notes' comments
    for leftover in (":::", "{.", "block=", "hash=", "unnumbered", "Candidates", "{#"):
        assert leftover not in markdown


@needs_pandoc
def test_the_fcc_filing_shows_the_docx_outline_numbers_and_footnotes(session):
    draft = session.draft(FCC)
    markdown = document_markdown(draft.document)
    blocks = pandoc_blocks(markdown)
    headings = [(b["c"][0], _Pandoc().inlines(b["c"][2])) for b in blocks if b["t"] == "Header"]
    assert headings[:5] == [(1, "I. INTRODUCTION"), (1, "II. GENERAL FEEDBACK"),
                            (1, "III. IDENTIFICATION OF CONCERNS"),
                            (2, "a. Global, Diverse Scope"), (2, "b. Planned Obsolescence")]
    # the questions are unnumbered headings, as in the DOCX
    assert (2, "Question 1") in headings and (1, "V. CONCLUSION") in headings
    reader = _Pandoc()
    reader.blocks(blocks)
    assert len(reader.notes) == len(draft.document.footnotes) == 3
    assert reader.notes[1][0][1].startswith("Manos Antonakakis et al., <i>Understanding the Mirai")
    # caption, title and the placeholder in the signature, as text
    assert markdown.startswith("Before the\\\n**Federal Communications Commission**\\\n")
    assert "\n**COMMENTS OF THE INTERNET INFRASTRUCTURE COALITION**\n" in markdown
    # a placeholder keeps its brackets, for a reader who searches for "[[TODO"
    assert "\n**[[TODO: mailing address (org.yaml: address)]]**\n" in markdown


def _words(text: str) -> collections.Counter:
    """The words of ``text`` (footnote marks and other bare numbers left out: pandoc's plain
    text writes a mark as "[1]", the DOCX as a field)."""
    return collections.Counter(re.findall(r"[A-Za-z\u2019'][0-9A-Za-z\u2019']*", text))


@needs_pandoc
@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.yaml")))
def test_the_markdown_says_every_word_the_docx_says(session, example):
    """Body, tables, footnotes: the same words as the DOCX, plus the heading numbers that the
    DOCX shows through Word numbering rather than as text."""
    import io
    import zipfile

    import docx

    draft = session.draft(EXAMPLES / example)
    data = session.render(draft, "docx")
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts.extend(p.text for t in document.tables for row in t.rows for c in row.cells
                 for p in c.paragraphs)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        if "word/footnotes.xml" in z.namelist():
            parts.append(re.sub(r"<[^>]+>", " ", z.read("word/footnotes.xml").decode()))
    markdown = session.render(draft, "md").decode()
    plain = subprocess.run([PANDOC, "-f", "markdown", "-t", "plain", "--wrap=none"],
                           input=markdown, capture_output=True, text=True, check=True).stdout
    from drafter.writers.markdown import MarkdownRenderer

    numbers = _words(" ".join(MarkdownRenderer(draft.document).numbers.values()))
    assert _words(plain) == _words(" ".join(parts)) + numbers


# -- structure of every kind --------------------------------------------------------------------

SAMPLE = """\
# Scope

Intro with *emphasis*, **strong**, ~~struck~~, `code`, a [link](https://example.org/a_b) and
<https://example.org>.[^a]

## Detail

1. first
2. second
   1. nested one
   2. nested two
      1. deep
3. third

- bullet
- bullet two

7. seven
8. eight

> A quoted question
> over two lines.

| Left | Centre | Right |
|:-----|:------:|------:|
| a    | *b*    | 1     |
| c\\|d | `e`    | 2     |

```
code block
  keeps its # and 1.
```

---

{.unnumbered}
## Annex

Text[^b] with a line\\
break.

[^a]: A note with *emphasis*.

[^b]: First paragraph of a note.

    Second paragraph of a note.
"""


@needs_pandoc
@pytest.mark.parametrize("outline", ["roman", "decimal", "none"])
def test_every_kind_of_block_reads_back(outline):
    doc = parse_markdown(SAMPLE, options={"outline": outline})
    markdown = _assert_round_trip(doc)
    expected = {"roman": ("# I. Scope", "## a. Detail"), "decimal": ("# 1. Scope",
                                                                      "## 1.1. Detail"),
                "none": ("# Scope", "## Detail")}[outline]
    assert all(line in markdown.split("\n") for line in expected)
    assert "\n## Annex\n" in markdown


@needs_pandoc
def test_list_numbers_are_the_docx_markers():
    markdown = _assert_round_trip(parse_markdown(SAMPLE))
    lines = markdown.split("\n")
    assert ["1. first", "2. second", "   a. nested one", "   b. nested two", "      i. deep",
            "3. third"] == lines[lines.index("1. first"):lines.index("3. third") + 1]
    assert "7. seven" in lines and "8. eight" in lines


@needs_pandoc
def test_a_table_whose_cell_breaks_a_line_is_a_grid_table():
    doc = Document(children=[Table(
        header=[TableCell([Text("Question")]), TableCell([Text("Answer")], align="right")],
        rows=[[TableCell([Text("one"), LineBreak(), Text("two | three")]),
               TableCell([Code("a|b")])],
              [TableCell([Text("# x")]), TableCell([Text("1. y")])]])])
    markdown = _assert_round_trip(doc)
    assert markdown.startswith("+-")


@needs_pandoc
def test_the_table_of_contents_lists_the_numbered_headings():
    doc = parse_markdown("::: {.toc}\n:::\n\n# A\n\n## B\n\n### C\n\n#### D\n\n# E\n",
                         options={"outline": "roman"})
    markdown = _assert_round_trip(doc)
    assert "**Table of Contents**\n\n- I\\. A\n    - a\\. B\n        - 1\\. C\n- II\\. E\n" \
        in markdown


NESTED = [
    "> 1. quoted list\n> 2. two\n>\n> > nested quote\n",
    "- a\n\n  ```\n  code in item\n  ```\n- b\n",
    "Text[^n]\n\n[^n]: Note with a list:\n\n    1. one\n    2. two\n",
    "A [link (with parens)](https://example.org/a_(b)) and [x](<https://e.org/a b>).\n",
    "***strong emph*** and **bold *inner* bold** and *a **b** c*\n",
    "**a *b***, *x **y***, word**bold**word and snake_case_word\n",
    "1. one\n\n   para two\n\n2. two\n",
    "Line one\\\n# hash after break\\\n1. number after break\n",
    "| a | b |\n|---|---|\n| `x|y` | **b** |\n",
    "10. ten\n11. eleven\n",
    "- a\n    - b\n        - c\n            - d\n",
    "1. a\n   1. b\n      1. c\n         1. d\n",
    "`` a ` b `` and ` `` `\n",
    "<https://example.org>, <mailto:a@b.org> and <a@b.org>.\n",
    "## Heading with `code` and *emph* #\n",
    "Para\n\n    indented code\n",
    "1) paren list\n2) two\n",
]


@needs_pandoc
@pytest.mark.parametrize("source", NESTED)
def test_nested_and_adjacent_markup_reads_back(source):
    _assert_round_trip(parse_markdown(source))


@needs_pandoc
def test_every_position_block_of_the_library_reads_back():
    """The library's own wording (variables and tags taken out): one document of them all."""
    texts = []
    for path in sorted((ROOT / "positions").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        body = text.split("\n---\n", 1)[1] if text.startswith("---") else text
        texts.append(re.sub(r"\{%.*?%\}", "", re.sub(r"\{\{.*?\}\}", "X", body)))
    assert len(texts) > 50
    _assert_round_trip(parse_markdown("\n\n".join(texts), options={"outline": "roman"}))


# -- text that must stay text -------------------------------------------------------------------

def _hostile_document(text: str) -> Document:
    return Document(
        children=[
            Paragraph([Text(text)]),
            Paragraph([Text("before"), LineBreak(), Text(text)]),
            Paragraph([Strong([Text(text)]), Text(" then "), Emph([Text(text)])]),
            Heading(level=2, children=[Text(text)]),
            ListBlock(ordered=True, items=[ListItem([Paragraph([Text(text)])])]),
            ListBlock(ordered=False, items=[ListItem([Paragraph([Text(text)])])]),
            BlockQuote([Paragraph([Text(text)])]),
            Table(header=[TableCell([Text("h")])], rows=[[TableCell([Text(text)])]]),
            Paragraph([Text(text), FootnoteRef(1, "1")]),
        ],
        footnotes=[Footnote(1, "1", [Paragraph([Text(text)])])])


@needs_pandoc
@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_stays_text(text):
    doc = _hostile_document(text)
    markdown = _assert_round_trip(doc)
    assert markdown.count("[^1]") == 2 and not re.search(r"(?<!\\)<", markdown)


_PIECES = list("#>|*_[]^<>&;$@~`\\{}:%()-+=.!\"' 1aIixX9") + [
    "[[TODO: x]]", "]]", "[[", "  ", "...", "--", "&amp;", "[^1]", "http://x.y", "<b>", "1. ",
    "a. ", "I. ", "[ ] "]


@needs_pandoc
@pytest.mark.parametrize("seed", range(3))
def test_random_hostile_text_stays_text(seed):
    """Texts made of Markdown's own characters, at random (a fixed seed), in every place."""
    import random

    rng = random.Random(seed)
    texts = ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 12))).strip() or "x"
             for _ in range(40)]
    _assert_round_trip(Document(children=[b for t in texts
                                          for b in _hostile_document(t).children[:8]]))


@needs_pandoc
def test_hostile_text_stays_text_all_at_once():
    doc = Document(children=[Paragraph([Text(t) if i % 2 == 0 else SoftBreak()
                                        for i, t in enumerate(x for h in HOSTILE
                                                              for x in (h, ""))])])
    doc.children[0].children = [n for n in doc.children[0].children
                                if not (isinstance(n, Text) and not n.text)]
    _assert_round_trip(doc)


def test_a_consultations_text_stays_text_through_the_cli(tmp_path, workspace):
    """The consultation's title and a question that look like Markdown: the filing's Markdown
    shows them as text (pandoc finds no heading, list, quote or link of theirs)."""
    source = (workspace / "examples" / "fcc-iot-labeling-comments.yaml").read_text()
    title = "Cybersecurity Labeling for Internet of Things"
    assert title in source
    hostile = "# Labels | 1. *bold* <b>x</b> [^1] [link](http://x) _u_"
    path = workspace / "examples" / "hostile.yaml"
    path.write_text(source.replace(title, "'" + hostile + "'", 1))
    out = tmp_path / "hostile.md"
    result = run_cli("draft", path, "-o", out, cwd=workspace)
    assert result.code == 0, result.err
    markdown = out.read_text()
    require_tool("pandoc")
    reader = _Pandoc()
    blocks = reader.blocks(pandoc_blocks(markdown))
    texts = [b[1] for b in blocks if b[0] == "p"]
    assert any(hostile in t for t in texts), texts
    assert all("<Raw" not in repr(b) and b[0] not in ("RawBlock", "Div") for b in blocks)
    assert [b for b in blocks if b[0] == "h"][0] == ("h", 1, "I. INTRODUCTION")


# -- as users run it ----------------------------------------------------------------------------

def test_md_through_the_cli_is_clean_and_reproducible(tmp_path):
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    result = run_cli("draft", FCC, "-f", "md", "-o", first)
    assert result.code == 0, result.err
    assert "(md, template us-agency-comments, 7 positions)" in result.err
    assert run_cli("draft", FCC, "-o", second).code == 0
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text()
    assert "# I. INTRODUCTION\n" in text and "::: " not in text and "{.unnumbered}" not in text


def test_composed_is_the_source_under_its_own_name(tmp_path, workspace):
    out = tmp_path / "f.composed.md"
    result = run_cli("draft", FCC, "-o", out)
    assert result.code == 0 and "(composed, template us-agency-comments" in result.err
    text = out.read_text()
    assert text.startswith("::: {.caption .center}\nBefore the\\\n")
    assert text.count('::: {.block block="') == 7
    # by name, the default output gets the .composed.md extension
    result = run_cli("draft", workspace / "examples" / FCC.name, "-f", "composed")
    assert result.code == 0, result.err
    assert (workspace / "out" / "fcc-iot-labeling-comments.composed.md").read_text() == text


def test_an_unknown_format_lists_the_formats(tmp_path):
    result = run_cli("draft", FCC, "-f", "markdown", "-o", tmp_path / "x.md")
    assert result.code == 2 and not (tmp_path / "x.md").exists()
    assert "'docx', 'md', 'html', 'txt', 'pdf', 'composed'" in result.err
    result = run_cli("draft", FCC, "-o", tmp_path / "x.rtf")
    assert result.code == 2 and not (tmp_path / "x.rtf").exists()
    assert result.err.strip().endswith(
        "cannot tell the format from the extension '.rtf': use --format (docx, md, html, txt, "
        "pdf, composed)")
    assert len(result.err.strip().splitlines()) == 1
    with pytest.raises(RenderError) as err:
        get_writer("rtf")
    assert "choose from docx, md, html, txt, pdf, composed" in str(err.value)


@pytest.mark.parametrize("name,fmt", [("a.composed.md", "composed"), ("a.md", "md"),
                                      ("a.markdown", "md"), ("a.COMPOSED.MD", "composed"),
                                      ("composed.md", "md")])
def test_the_file_name_implies_md_or_composed(name, fmt, tmp_path):
    assert format_for_path(tmp_path / name) == fmt


def test_the_writer_gives_identical_bytes_for_identical_documents():
    one = get_writer("md").write(parse_markdown(SAMPLE), WriteContext())
    two = get_writer("md").write(parse_markdown(SAMPLE), WriteContext())
    assert one == two and one.endswith(b"\n") and not one.endswith(b"\n\n")


def test_a_batch_writes_md_and_composed_under_their_own_names(workspace):
    (workspace / "batch.yaml").write_text(
        "output_dir: out\njobs:\n  - consultation: examples/fcc-iot-labeling-comments.yaml\n"
        "    name: fcc\n    formats: [md, composed]\n")
    result = run_cli("batch", "batch.yaml", cwd=workspace)
    assert result.code == 0, result.err
    assert re.search(r"^built +fcc \(md, composed; [0-9.]+ s\)$", result.err, re.M)
    clean = (workspace / "out" / "fcc.md").read_text()
    composed = (workspace / "out" / "fcc.composed.md").read_text()
    assert clean.count("::: ") == 0 and "# I. INTRODUCTION\n" in clean
    assert composed.count('::: {.block block="') == 7
    manifest = json.loads((workspace / "out" / "manifest.json").read_text())
    assert [o["path"] for o in manifest["jobs"][0]["outputs"]] == ["fcc.md", "fcc.composed.md"]
