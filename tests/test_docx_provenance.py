"""Provenance: one bookmark per paragraph naming its block (or marking template text), and
``--annotate`` comments on each block.  The scheme is what ``drafter harvest`` reads back."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from lxml import etree

from drafter.load.workspace import discover
from drafter.pipeline import Session
from drafter.writers.docx import oxml
from tests.conftest import EXAMPLES, ROOT, run_cli
from tests.docxread import NS, q

NAME = re.compile(r"^(?:T(\d+)|B(\d+)_([0-9a-f]{6})(?:V[ueg])?_([A-Za-z0-9_]+))$")


@pytest.fixture(scope="module")
def session():
    return Session(discover(start=ROOT))


def xml_parts(data: bytes) -> dict:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: etree.fromstring(z.read(n)) for n in z.namelist() if n.endswith(".xml")}


def decode(name: str, ids: list[str]) -> str | None:
    """What harvest does: the block id a bookmark names (None for template text)."""
    match = NAME.match(name)
    assert match, name
    if match.group(1):
        return None
    encoded = match.group(4)
    found = [i for i in ids if i.replace("-", "_").startswith(encoded)]
    assert len(found) == 1, (name, found)
    return found[0]


@pytest.mark.parametrize("example", ["ntia-botnets-comments", "fcc-iot-labeling-comments",
                                     "eu-manifesto-2024"])
def test_every_paragraph_has_one_decodable_mark(session, example):
    draft = session.draft(EXAMPLES / f"{example}.yaml")
    data = session.render(draft, "docx")
    document = xml_parts(data)["word/document.xml"]
    ids = [b.id for b in session.library]
    # the hash of the wording each block's paragraphs carry (as filed, or its variant)
    hashes = {b: c.wording.hash for b, c in draft.composition.choices.items()}
    seqs = []
    for p in document.iter(q("p")):
        marks = p.findall("w:bookmarkStart", NS)
        text = "".join(p.itertext()).strip()
        in_toc = p.find("w:pPr/w:pStyle", NS) is not None and \
            p.find("w:pPr/w:pStyle", NS).get(q("val")).startswith("TOC") and \
            p.find("w:pPr/w:pStyle", NS).get(q("val")) != "TOCHeading"
        if not marks:
            # only layout: the caption's ")" column and blank lines, field results
            assert in_toc or text in ("", ")"), text
            continue
        assert len(marks) == 1
        start, end = marks[0], p.findall("w:bookmarkEnd", NS)
        assert len(end) == 1 and end[0].get(q("id")) == start.get(q("id"))
        assert list(p).index(end[0]) == len(p) - 1  # spans the whole paragraph
        name = start.get(q("name"))
        assert len(name) <= 40 and name[0].isalpha()
        block = decode(name, ids)
        seq = int(NAME.match(name).group(1) or NAME.match(name).group(2))
        assert seq == int(start.get(q("id")))
        seqs.append(seq)
        if block is not None:
            assert NAME.match(name).group(3) == hashes[block][:6]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    used = {decode(b.get(q("name")), ids) for b in document.iter(q("bookmarkStart"))}
    assert used - {None} == set(hashes)


def test_long_ids_are_cut_to_forty_characters():
    name = oxml.bookmark_name("B", 123, "regulation-must-respect-infrastructure-role", "bbd3c17bc5")
    assert name == "B123_bbd3c1_regulation_must_respect_infr"
    assert len(name) == 40
    assert oxml.bookmark_name("T", 7) == "T7"


def test_annotate_adds_a_comment_per_block(tmp_path):
    out = tmp_path / "annotated.docx"
    result = run_cli("draft", EXAMPLES / "ntia-botnets-comments.yaml", "-o", out, "--annotate")
    assert result.code == 0, result.err
    parts = xml_parts(out.read_bytes())
    comments = parts["word/comments.xml"].findall("w:comment", NS)
    assert len(comments) == 12
    texts = ["\n".join("".join(p.itertext()) for p in c.findall("w:p", NS)) for c in comments]
    monolith = next(t for t in texts if "undefined-monolith-terms" in t)
    assert monolith.splitlines()[1:] == [
        "Title: Monoliths",
        "Source: Comments on NTIA's Request for Comments on Promoting Stakeholder Action "
        "Against Botnets and Other Automated Threats (ntia-botnets-comments), "
        "III. IDENTIFICATION OF CONCERNS, item a",
        "Status: approved",
        "Last reviewed: " + monolith.split("Last reviewed: ")[1],
    ]
    assert re.match(r"Position block: undefined-monolith-terms \(hash [0-9a-f]{10}\)$",
                    monolith.splitlines()[0])
    # dates pinned to the filing's date, author drafter
    assert {c.get(q("date")) for c in comments} == {"2018-02-12T00:00:00Z"}
    assert {c.get(q("author")) for c in comments} == {"drafter"}
    # each comment spans its block: start in the block's first paragraph, end in its last
    document = parts["word/document.xml"]
    paragraphs = list(document.iter(q("p")))
    for comment in comments:
        cid = comment.get(q("id"))
        first = next(i for i, p in enumerate(paragraphs)
                     if p.find(f"w:commentRangeStart[@w:id='{cid}']", NS) is not None)
        last = next(i for i, p in enumerate(paragraphs)
                    if p.find(f"w:commentRangeEnd[@w:id='{cid}']", NS) is not None)
        assert first <= last
        marks = {b.get(q("name")).split("_", 2)[2] for p in paragraphs[first:last + 1]
                 for b in p.findall("w:bookmarkStart", NS) if b.get(q("name")).startswith("B")}
        text = "\n".join("".join(p.itertext()) for p in comment.findall("w:p", NS))
        block_id = text.split("Position block: ")[1].split(" ")[0]
        assert len(marks) == 1 and block_id.replace("-", "_").startswith(marks.pop())
        assert paragraphs[last].find(f".//w:commentReference[@w:id='{cid}']", NS) is not None


def test_without_annotate_there_are_no_comments(session):
    data = session.render(session.draft(EXAMPLES / "ntia-botnets-comments.yaml"), "docx")
    assert "word/comments.xml" not in zipfile.ZipFile(io.BytesIO(data)).namelist()
