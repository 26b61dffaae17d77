"""Issue 13, items 16 and 17: importers read deadlines and question numbers as a person would,
and harvest sees every edit Word can make to a block's text."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from drafter.importers import parse_questions
from drafter.importers.common import deadline_from_text
from drafter.importers.questions import in_sequence, sequence_warnings
from tests.conftest import DATA, run_cli

# -- item 16: importers ----------------------------------------------------------------------

EXTENSION = ("The comment period for the notice published on June 5, 2019 (84 FR 26032) is "
             "extended until July 8, 2019.")


@pytest.mark.parametrize("text, expected", [
    (EXTENSION, dt.date(2019, 7, 8)),
    ("The comment period for the proposed rule published March 1, 2020, is extended. "
     "Comments are now due on or before April 30, 2020.", dt.date(2020, 4, 30)),
    ("The comment period is reopened until 5 p.m. on 14 September 2021; the original period "
     "closed on August 2, 2021.", dt.date(2021, 9, 14)),
    ("NTIA extends the deadline for comments, first set for June 1, 2022, to June 15, 2022.",
     dt.date(2022, 6, 15)),
    ("Comments are due on or before 5 p.m. Eastern Time on July 28, 2017.", dt.date(2017, 7, 28)),
])
def test_item16_extension_notice_takes_the_extended_deadline(text, expected):
    assert deadline_from_text(text) == expected


def _fr(tmp_path: Path, **changes) -> Path:
    data = json.loads((DATA / "import" / "ntia-botnets-rfc.json").read_text())
    data.update(changes)
    path = tmp_path / "fr.json"
    path.write_text(json.dumps(data))
    return path


def test_item16_extension_notice_through_the_cli(workspace, tmp_path):
    path = _fr(tmp_path, comments_close_on=None, publication_date="2019-06-20", dates=EXTENSION,
               title="Extension of Comment Period")
    result = run_cli("new", "--from-federal-register", path, "-o", tmp_path / "c.yaml",
                     cwd=workspace)
    assert result.code == 0, result.err
    assert "deadline: 2019-07-08" in (tmp_path / "c.yaml").read_text()
    assert "before the publication date" not in result.err


@pytest.mark.parametrize("changes", [
    {"comments_close_on": "2019-06-01", "publication_date": "2019-06-20"},
    {"comments_close_on": None, "publication_date": "2019-06-20",
     "dates": "Comments are due on or before June 5, 2019."},
])
def test_item16_deadline_before_publication_warns(workspace, tmp_path, changes):
    path = _fr(tmp_path, **changes)
    result = run_cli("new", "--from-federal-register", path, "-o", tmp_path / "c.yaml",
                     cwd=workspace)
    assert result.code == 0, result.err
    assert "warning: the comment deadline 2019-06-0" in result.err
    assert "is before the publication date 2019-06-20" in result.err


def test_item16_deadline_flag_before_publication_warns(workspace, tmp_path):
    path = _fr(tmp_path)
    result = run_cli("new", "--from-federal-register", path, "--deadline", "2017-01-01",
                     "-o", tmp_path / "c.yaml", cwd=workspace)
    assert result.code == 0 and "is before the publication date 2017-06-13" in result.err


WRAPPED = """1. How many users are affected by botnets each year, in your estimate, with more than
2.5 million users affected by the largest ones?
2. Do you keep records of attacks that reach more than
100. If so, how long do you keep them?
3. What else should NTIA consider?
"""


def test_item16_wrapped_numbers_continue_the_question():
    questions = parse_questions(WRAPPED, Path("q.txt"))
    assert [q.id for q in questions] == ["1", "2", "3"]
    assert questions[0].text.endswith("with more than 2.5 million users affected by the "
                                      "largest ones?")
    assert questions[1].text == ("Do you keep records of attacks that reach more than 100. If "
                                 "so, how long do you keep them?")
    assert sequence_warnings(questions) == []


@pytest.mark.parametrize("text, ids", [
    ("1. First question about\n1.5 percent of traffic?\n2. Second?\n", ["1", "2"]),
    ("1. Is it true that\n12) of them fail?\n2. Next?\n", ["1", "2"]),
    ("1. Parent question?\n1.1 Child question?\n1.2 Another child?\n2. Next?\n",
     ["1", "1.1", "1.2", "2"]),
    ("3. Starts at three?\n4. Then four?\n", ["3", "4"]),
    ("1. Question one?\n\n2. Question two about\n3 of the rules?\n", ["1", "2"]),
])
def test_item16_siblings_prefer_the_reading_in_sequence(text, ids):
    assert [q.id for q in parse_questions(text, Path("q.txt"))] == ids


def test_item16_out_of_order_ids_warn(workspace, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text("1. What is a botnet?\n3. Who should act?\n2. What works?\n")
    parsed = parse_questions(questions.read_text(), questions)
    assert [q.id for q in parsed] == ["1", "3", "2"]
    assert [line for line, _ in sequence_warnings(parsed)] == [2, 3]
    result = run_cli("new", "--questions", questions, "--title", "T", "--agency", "An Agency",
                     "--kind", "rfc", "--jurisdiction", "US", "-o", tmp_path / "c.yaml",
                     cwd=workspace)
    assert result.code == 0, result.err
    assert "q.txt:2: warning: question 3 does not follow question 1" in result.err
    assert "q.txt:3: warning: question 2 does not follow question 3" in result.err


def test_item16_in_sequence_rules():
    assert in_sequence("2", "1") and in_sequence("1.1", "1") and in_sequence("2", "1.3")
    assert in_sequence("1.4", "1.3") and in_sequence("7", None)
    assert not in_sequence("2.5", "1") and not in_sequence("100", "2")
    assert not in_sequence("1", "1") and in_sequence("3a", "3")


# -- item 17: harvest sees every edit to a block's text -------------------------------------------

US = """title: Harvest Test Filing
agency: {name: Federal Communications Commission, short_name: FCC}
kind: rfc
jurisdiction: US
date: 2024-05-01
positions: [two-paras, table-block, noted-block]
"""

BLOCKS = {
    "two-paras": "First paragraph of the block.\n\nSecond paragraph of the block.",
    "table-block": ("Before the table.\n\n| Measure | Effect |\n| --- | --- |\n"
                    "| Filtering | Blocks **traffic** |\n| Takedown | Removes content |\n\n"
                    "After the table."),
    "noted-block": "A claim with a source.[^1]\n\n[^1]: The source, page 4.",
}


def _workspace(ws: Path) -> Path:
    for block_id, body in BLOCKS.items():
        (ws / "positions" / "security" / f"{block_id}.md").write_text(
            f"---\nid: {block_id}\ntitle: Title {block_id}\nsummary: One line.\n"
            "topics: [cybersecurity]\nstance: support\nrole: argument\njurisdictions: [any]\n"
            "source: {seed: eu-manifesto-2024, section: S, item: '1'}\nstatus: approved\n"
            "last_reviewed: 2026-11-20\n---\n" + body + "\n")
    (ws / "examples" / "harvest-test.yaml").write_text(US)
    assert run_cli("draft", "examples/harvest-test.yaml", "-o", ws / "filing.docx",
                   cwd=ws).code == 0
    return ws / "filing.docx"


def _para(d, start):
    for p in d.element.body.iter(qn("w:p")):
        if "".join(t.text or "" for t in p.iter(qn("w:t"))).startswith(start):
            return p
    raise AssertionError(start)


def _harvest(ws, path, *args):
    result = run_cli("harvest", path, "--format", "json", *args, cwd=ws)
    assert result.code == 0, result.err
    return json.loads(result.out), result.err


def _status(report):
    return {b["id"]: b["status"] for b in report["blocks"]}


def _mark_paragraph_mark(p, kind="del"):
    ppr = p.get_or_add_pPr()
    rpr = ppr.find(qn("w:rPr"))
    if rpr is None:
        rpr = parse_xml(f"<w:rPr {nsdecls('w')}/>")
        ppr.append(rpr)
    rpr.append(parse_xml(f'<w:{kind} {nsdecls("w")} w:id="90" w:author="Reviewer" '
                         'w:date="2024-05-02T00:00:00Z"/>'))


@pytest.mark.parametrize("kind", ["del", "moveFrom"])
def test_item17_joined_paragraphs_with_tracked_changes_are_an_edit(workspace, kind):
    filing = _workspace(workspace)
    d = docx.Document(str(filing))
    first = _para(d, "First paragraph of the block.")
    _mark_paragraph_mark(first, kind)
    first.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="91" w:author="Reviewer" '
                           'w:date="2024-05-02T00:00:00Z"><w:r><w:t xml:space="preserve"> '
                           '</w:t></w:r></w:ins>'))
    edited = workspace / "joined.docx"
    d.save(str(edited))
    report, _ = _harvest(workspace, edited)
    assert _status(report)["two-paras"] == "edited"
    patch = workspace / "joined.patch"
    assert run_cli("harvest", edited, "--patch", patch, cwd=workspace).code == 0
    text = patch.read_text()
    assert "+First paragraph of the block. Second paragraph of the block." in text
    assert run_cli("harvest", edited, "--apply", cwd=workspace).code == 0
    body = (workspace / "positions/security/two-paras.md").read_text().split("---\n")[-1]
    assert body == "First paragraph of the block. Second paragraph of the block.\n"
    again, _ = _harvest(workspace, edited)
    assert _status(again)["two-paras"] == "unchanged"


def test_item17_tracked_insertion_and_deletion_in_a_paragraph(workspace):
    filing = _workspace(workspace)
    d = docx.Document(str(filing))
    p = _para(d, "Second paragraph of the block.")
    for r in list(p.iter(qn("w:r"))):
        r.getparent().remove(r)
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve">Second </w:t></w:r>'))
    p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="92" w:author="R"><w:r><w:delText>'
                       'paragraph</w:delText></w:r></w:del>'))
    p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="93" w:author="R"><w:r><w:t>part'
                       '</w:t></w:r></w:ins>'))
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t xml:space="preserve"> of the block.</w:t>'
                       '</w:r>'))
    edited = workspace / "tracked.docx"
    d.save(str(edited))
    report, _ = _harvest(workspace, edited)
    block = next(b for b in report["blocks"] if b["id"] == "two-paras")
    assert block["status"] == "edited"
    assert "Second part of the block." in json.dumps(block)


def test_item17_edit_inside_a_table_cell_is_seen_and_patched(workspace):
    filing = _workspace(workspace)
    d = docx.Document(str(filing))
    cell = _para(d, "Blocks")
    for t in cell.iter(qn("w:t")):
        if t.text == "traffic":
            t.text = "most traffic | all"
    head = _para(d, "Measure")
    for t in head.iter(qn("w:t")):
        t.text = t.text.replace("Measure", "Measure taken")
    edited = workspace / "cell.docx"
    d.save(str(edited))
    report, _ = _harvest(workspace, edited)
    assert {k: v for k, v in _status(report).items() if k in BLOCKS} == {
        "two-paras": "unchanged", "table-block": "edited", "noted-block": "unchanged"}
    assert report["added"] == []
    patch = workspace / "cell.patch"
    assert run_cli("harvest", edited, "--patch", patch, cwd=workspace).code == 0
    text = patch.read_text()
    assert "-| Filtering | Blocks **traffic** |" in text
    assert "+| Filtering | Blocks **most traffic** \\| all |" in text
    assert "+| Measure taken | Effect |" in text
    assert run_cli("harvest", edited, "--apply", cwd=workspace).code == 0
    again, _ = _harvest(workspace, edited)
    assert _status(again)["table-block"] == "unchanged"


def test_item17_table_cells_are_bookmarked_with_their_block(workspace):
    from drafter.harvest.docxread import read_paragraphs

    filing = _workspace(workspace)
    cells = [p for p in read_paragraphs(filing) if p.text in (
        "Measure", "Effect", "Filtering", "Blocks traffic", "Takedown", "Removes content")]
    assert len(cells) == 6
    assert all(p.marks and p.marks[0].encoded == "table_block" for p in cells)


def test_item17_footnote_edit_is_reported_not_written(workspace):
    filing = _workspace(workspace)
    import io
    import zipfile

    data = filing.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "word/footnotes.xml":
                content = content.replace(b"page 4", b"page 5")
            dst.writestr(item, content)
    edited = workspace / "note.docx"
    edited.write_bytes(out.getvalue())
    report, err = _harvest(workspace, edited)
    assert set(_status(report).values()) == {"unchanged"}
    assert any("footnote" in n and "edited in the filing" in n for n in report["notes"])


def test_item17_moved_text_counts_where_it_was_moved_to():
    from lxml import etree

    from drafter.harvest.docxread import paragraph_text

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    p = etree.fromstring(
        f'<w:p xmlns:w="{w}"><w:r><w:t xml:space="preserve">Keep </w:t></w:r>'
        '<w:moveFrom w:id="1" w:author="R"><w:r><w:t>moved </w:t></w:r></w:moveFrom>'
        '<w:r><w:t xml:space="preserve">this </w:t></w:r>'
        '<w:moveTo w:id="2" w:author="R"><w:r><w:t>moved </w:t></w:r></w:moveTo>'
        '<w:r><w:t>text.</w:t></w:r></w:p>')
    assert paragraph_text(p) == "Keep this moved text."


def test_item17_a_fully_deleted_paragraph_with_its_mark_disappears(workspace):
    filing = _workspace(workspace)
    d = docx.Document(str(filing))
    first = _para(d, "First paragraph of the block.")
    for r in list(first.iter(qn("w:r"))):
        wrapper = parse_xml(f'<w:del {nsdecls("w")} w:id="95" w:author="R"/>')
        r.addprevious(wrapper)
        wrapper.append(r)
        for t in r.iter(qn("w:t")):
            t.tag = qn("w:delText")
    _mark_paragraph_mark(first, "del")
    edited = workspace / "deleted.docx"
    d.save(str(edited))
    report, _ = _harvest(workspace, edited)
    block = next(b for b in report["blocks"] if b["id"] == "two-paras")
    assert block["status"] == "edited"
    assert run_cli("harvest", edited, "--apply", cwd=workspace).code == 0
    body = (workspace / "positions/security/two-paras.md").read_text().split("---\n")[-1]
    assert body == "Second paragraph of the block.\n"
