"""Reusable wordings of positions (``<id>.<variant>.md``): loading, the choice of wording for a
filing, where a block fits, ``agency.ref``, ``drafter positions approve`` and harvest's round
trip to the variant's file."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from drafter.compose.wording import AS_FILED_ELSEWHERE, OUTSIDE_FIT, choose
from drafter.errors import LoadError
from drafter.load.library import load_library
from drafter.load.models import Agency, Consultation
from drafter.review import approve
from tests.conftest import ROOT, run_cli

BACKDOORS = "positions/encryption/eu-oppose-backdoors.md"
BACKDOORS_US = "positions/encryption/eu-oppose-backdoors.us.md"


def library(ws: Path = ROOT):
    return load_library(ws / "positions", ws / "positions" / "topics.yaml",
                        ws / "seeds" / "index.yaml")


def consultation(jurisdiction="US", **extra) -> Consultation:
    data = {"title": "A request", "agency": {"name": "Test Agency", "short_name": "TA"},
            "kind": "rfc", "jurisdiction": jurisdiction}
    data.update(extra)
    return Consultation.model_validate(data)


def write_consultation(ws: Path, name: str, text: str) -> Path:
    path = ws / "examples" / name
    path.write_text("title: A request for comments\nagency:\n  name: Test Agency\n"
                    "  short_name: TA\n  address: Washington, D.C. 20230\nkind: rfc\n"
                    "date: 2026-11-20\n" + text)
    return path


# -- loading ---------------------------------------------------------------------------------

def test_variant_files_are_variants_not_blocks():
    lib = library()
    files = sorted((ROOT / "positions").rglob("*.md"))
    variants = [p for p in files if "." in p.name[:-3]]
    assert len(variants) >= 40
    assert len(lib) == len(files) - len(variants)
    block = lib.get("eu-oppose-backdoors")
    assert set(block.variants) == {"us", "eu", "general"}
    assert block.variants["us"].path == ROOT / BACKDOORS_US
    assert block.variants["us"].meta.audience == ["US"]


def test_every_argument_position_has_variants_covering_its_jurisdictions():
    for block in library():
        if block.meta.role.value in ("profile", "introduction"):
            assert not block.variants, block.id
            continue
        if block.meta.role.value == "closing" and not block.variants:
            continue   # a closing is general unless its as-filed words name its proceeding
        wanted = {"US", "EU", "UK", "other"} if "any" in block.meta.jurisdictions \
            else set(block.meta.jurisdictions)
        covered = {j for j in wanted if any(v.meta.speaks_to(j) for v in block.variants.values())}
        assert covered == wanted, block.id


def test_orphan_variant_is_a_positioned_error(workspace):
    (workspace / "positions" / "encryption" / "no-such-block.us.md").write_text(
        "---\nid: no-such-block\nvariant: us\naudience: [US]\nstatus: draft\n---\nText.\n")
    result = run_cli("positions", "list", cwd=workspace)
    assert result.code == 2
    assert result.err.strip() == (
        "positions/encryption/no-such-block.us.md:1: error: variant of an unknown position "
        "'no-such-block': no no-such-block.md beside it")


def test_variant_with_another_id_is_a_positioned_error(workspace):
    path = workspace / BACKDOORS_US
    path.write_text(path.read_text().replace("id: eu-oppose-backdoors", "id: eu-strong-encryption"))
    result = run_cli("positions", "list", cwd=workspace)
    assert result.code == 2
    assert result.err.strip() == (
        f"{BACKDOORS_US}:2: error: variant file of 'eu-oppose-backdoors' says id "
        "'eu-strong-encryption' (the file is named <id>.<variant>.md)")


def test_variant_with_an_unknown_key_is_a_positioned_error(workspace):
    path = workspace / BACKDOORS_US
    path.write_text(path.read_text().replace("status: draft", "status: draft\ncolour: blue"))
    result = run_cli("positions", "list", cwd=workspace)
    assert result.code == 2
    assert result.err.strip() == (f"{BACKDOORS_US}:6:1: error: invalid position variant: "
                                  "unknown key 'colour'")


def test_drafter_check_reports_a_broken_variant_and_goes_on(workspace):
    path = workspace / BACKDOORS_US
    path.write_text(path.read_text().replace("variant: us", "variant: fr"))
    result = run_cli("check", cwd=workspace)
    assert result.code == 1
    assert re.search(rf"^{re.escape(BACKDOORS_US)}:\d+:\d+: error: invalid position variant",
                     result.out, re.M), result.out


# -- agency.ref ------------------------------------------------------------------------------

@pytest.mark.parametrize("name,short,ref", [
    ("Federal Communications Commission", "FCC", "the Commission"),
    ("European Commission", "Commission", "the Commission"),
    ("National Telecommunications and Information Administration", "NTIA", "NTIA"),
    ("Cybersecurity and Infrastructure Security Agency", "CISA", "CISA"),
    ("Office of the United States Trade Representative", "Trade Representative",
     "the Trade Representative"),
])
def test_agency_ref_is_derived_from_the_names(name, short, ref):
    assert Agency(name=name, short_name=short).reference() == ref


def test_agency_ref_set_in_the_consultation_wins(workspace):
    path = write_consultation(workspace, "ref.yaml", "jurisdiction: US\nvariables: {}\n"
                              "positions: [eu-oppose-backdoors]\n")
    path.write_text(path.read_text().replace("  short_name: TA\n",
                                             "  short_name: TA\n  ref: the Agency\n"))
    out = workspace / "ref.txt"
    assert run_cli("draft", path, "-o", out, cwd=workspace).code == 0
    assert "We urge the Agency to oppose" in out.read_text()


# -- the choice of wording -------------------------------------------------------------------

def test_wording_follows_the_jurisdiction():
    lib = library()
    block = lib.get("eu-oppose-backdoors")
    assert choose(lib, block, consultation("US")).variant == "us"
    assert choose(lib, block, consultation("EU")).variant == "eu"
    assert choose(lib, block, consultation("UK")).variant == "general"
    assert choose(lib, block, consultation("other")).variant == "general"


def test_own_proceeding_uses_the_as_filed_wording():
    lib = library()
    block = lib.get("market-driven-botnet-mitigation")
    home = choose(lib, block, consultation("US", proceeding="ntia-botnets-comments"))
    assert (home.variant, home.problems, home.home) == ("as-filed", [], True)
    elsewhere = choose(lib, block, consultation("US"))
    assert elsewhere.variant == "us" and elsewhere.fits
    # the seed's proceeding is also recognised by agency and title (seeds/index.yaml)
    ntia = consultation("US", title="Request for Comments on Promoting Stakeholder Action "
                        "Against Botnets and Other Automated Threats",
                        agency={"name": "NTIA", "short_name": "NTIA"})
    assert choose(lib, block, ntia).variant == "as-filed"


def test_pins_consultation_mapping_then_default_then_template():
    lib = library()
    block = lib.get("eu-oppose-backdoors")
    c = consultation("US", variant="general", variants={"eu-oppose-backdoors": "eu"})
    pinned = choose(lib, block, c)
    assert pinned.variant == "eu"
    assert [p.kind for p in pinned.problems] == [OUTSIDE_FIT]
    assert "speaks to EU, not US" in pinned.problems[0].message
    assert choose(lib, block, consultation("US", variant="general")).variant == "general"
    assert choose(lib, block, consultation("US"), template_variant="general").variant == "general"
    # a default pin a block does not have leaves that block's choice alone
    intro = lib.get("eu-strong-encryption")
    assert choose(lib, intro, consultation("EU", variant="us")).variant == "eu"


def test_as_filed_pinned_outside_its_proceeding_is_flagged():
    lib = library()
    block = lib.get("market-driven-botnet-mitigation")
    choice = choose(lib, block, consultation("US", variants={block.id: "as-filed"}))
    assert choice.variant == "as-filed"
    assert [p.kind for p in choice.problems] == [AS_FILED_ELSEWHERE]


def test_unknown_pinned_variant_is_an_error_at_its_line(workspace):
    path = write_consultation(workspace, "pin.yaml", "jurisdiction: US\n"
                              "positions: [eu-oppose-backdoors]\n"
                              "variants:\n  eu-oppose-backdoors: uk\n")
    result = run_cli("draft", path, "-o", workspace / "x.txt", cwd=workspace)
    assert result.code == 2
    assert result.err.startswith("examples/pin.yaml:11:3: error: invalid consultation: "
                                 "variants.eu-oppose-backdoors: 'uk' is not one of 'us', 'eu', 'general', "
                                 "'as-filed'")
    path.write_text(path.read_text().replace("eu-oppose-backdoors: uk", "thanks-for-opportunity: us"))
    result = run_cli("draft", path, "-o", workspace / "x.txt", cwd=workspace)
    assert result.code == 2
    assert result.err.strip().endswith(
        "error: position 'thanks-for-opportunity' has no variant 'us' (it has: as-filed)")
    assert not (workspace / "x.txt").exists()


def test_explicit_choice_outside_fit_drafts_with_a_warning(workspace):
    path = write_consultation(workspace, "fit.yaml", "jurisdiction: US\n"
                              "positions: [eu-global-standards]\n")
    out = workspace / "fit.txt"
    result = run_cli("draft", path, "-o", out, cwd=workspace)
    assert result.code == 0, result.err
    assert "examples/fit.yaml:9:13: warning: position 'eu-global-standards' is for EU, not US " \
           "[outside-fit]" in result.err
    # its only variant speaks to the EU: the as-filed text is used, and named as such
    assert "examples/fit.yaml:9:13: warning: 'eu-global-standards' uses its as-filed wording " \
           "from eu-manifesto-2024 outside that proceeding (no variant of it speaks to US) " \
           "[as-filed-elsewhere]" in result.err
    assert "Actively participate in the development of global Internet governance" in out.read_text()


def test_block_that_does_not_answer_questions_as_an_answer_is_flagged(workspace):
    path = write_consultation(workspace, "role.yaml", "jurisdiction: US\nquestions:\n"
                              "  - {id: '1', text: Who are you?}\n"
                              "answers:\n  '1': {positions: [coalition-members]}\n")
    result = run_cli("check", path, cwd=workspace)
    assert "position 'coalition-members' (profile) answers question 1, but a profile block " \
           "does not answer questions [outside-fit]" in result.out


def test_variant_bodies_may_use_only_the_listed_names(workspace):
    path = workspace / BACKDOORS_US
    path.write_text(path.read_text().rstrip("\n") + " {{ org.founded }}\n")
    c = write_consultation(workspace, "names.yaml", "jurisdiction: US\n"
                           "positions: [eu-oppose-backdoors]\n")
    result = run_cli("draft", c, "-o", workspace / "n.txt", cwd=workspace)
    assert result.code == 2
    assert result.err.startswith(f"{BACKDOORS_US}:8:") and "founded" in result.err


# -- approve ---------------------------------------------------------------------------------

def test_approve_records_who_and_when_and_keeps_the_rest_byte_for_byte(workspace):
    path = workspace / BACKDOORS_US
    original = path.read_bytes()
    result = run_cli("positions", "approve", "eu-oppose-backdoors", "--variant", "us",
                     "--by", "Jane Doe", "--on", "2026-11-29", cwd=workspace)
    assert result.code == 0, result.err
    new = path.read_bytes()
    lib = library(workspace)
    wording = lib.get("eu-oppose-backdoors").variants["us"]
    expected = original.replace(b"status: draft\n", b"status: approved\napproved_by: Jane Doe\n"
                                b"approved_on: 2026-11-29\napproved_hash: "
                                + wording.hash.encode() + b"\n")
    assert new == expected
    meta = wording.meta
    assert (meta.status.value, meta.approved_by, meta.approved_on, meta.approved_hash) == (
        "approved", "Jane Doe", dt.date(2026, 11, 29), wording.hash)


def test_approve_keeps_comments_crlf_and_replaces_earlier_approval(workspace):
    path = workspace / BACKDOORS_US
    text = path.read_text().replace("status: draft\n",
                                    "status: draft   # written by the policy team\n"
                                    "approved_by: Someone Else\n")
    path.write_bytes(text.replace("\n", "\r\n").encode())
    lib = library(workspace)
    approve(lib, "eu-oppose-backdoors", "us", by="O'Brien: policy", on=dt.date(2026, 1, 2))
    new = path.read_bytes().decode()
    wording = library(workspace).get("eu-oppose-backdoors").variants["us"]
    assert new == text.replace("status: draft   #", "status: approved   #").replace(
        "approved_by: Someone Else\n", "approved_by: \"O'Brien: policy\"\n"
        f"approved_on: 2026-01-02\napproved_hash: {wording.hash}\n").replace("\n", "\r\n")
    assert library(workspace).get("eu-oppose-backdoors").variants["us"].meta.approved_by == \
        "O'Brien: policy"


def test_approve_the_as_filed_block_and_refusals(workspace):
    block = workspace / "positions" / "coalition" / "coalition-charter-members.md"
    before = block.read_text()
    assert "status: draft" in before
    assert run_cli("positions", "approve", "coalition-charter-members", "--by", "J. Doe",
                   cwd=workspace).code == 0
    after = block.read_text()
    assert "status: approved\napproved_by: J. Doe\napproved_on: " in after
    assert after.split("---", 2)[2] == before.split("---", 2)[2]       # the body untouched
    result = run_cli("positions", "approve", "thanks-for-opportunity", "--variant", "eu",
                     "--by", "J", cwd=workspace)
    assert result.code == 2 and "has no variant 'eu' (it has: as-filed)" in result.err
    result = run_cli("positions", "approve", "eu-oppose-backdoors", "--variant", "us",
                     "--on", "yesterday", "--by", "J", cwd=workspace)
    assert result.code == 2 and "--on: not a date" in result.err
    with pytest.raises(LoadError, match="say who approves"):
        approve(library(workspace), "eu-oppose-backdoors", "us", by=" ")


# -- harvest round trip ----------------------------------------------------------------------

def _text(p) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def test_harvest_writes_an_edit_back_to_the_variant_file(workspace, tmp_path):
    example = workspace / "examples" / "cisa-circia-rfi.yaml"
    drafted = tmp_path / "cisa.docx"
    assert run_cli("draft", example, "-o", drafted, cwd=workspace).code == 0
    d = docx.Document(str(drafted))
    marks = []
    for p in d.element.body.iter(qn("w:p")):
        if _text(p).startswith("More can certainly be done among trusted parties"):
            marks = [b.get(qn("w:name")) for b in p.iter(qn("w:bookmarkStart"))]
            for t in p.iter(qn("w:t")):
                if "trusted parties" in (t.text or ""):
                    t.text = t.text.replace("trusted parties", "trusted partners")
    assert marks and re.match(r"B\d+_[0-9a-f]{6}Vu_incident_reporting", marks[0]), marks
    edited = tmp_path / "cisa-edited.docx"
    d.save(str(edited))
    variant = workspace / "positions/security/incident-reporting-not-information-sharing.us.md"
    as_filed = workspace / "positions/security/incident-reporting-not-information-sharing.md"
    before = hashlib.sha256(as_filed.read_bytes()).hexdigest()
    result = run_cli("harvest", edited, "--apply", cwd=workspace)
    assert result.code == 0, result.err
    assert "among trusted partners through targeted programs" in variant.read_text()
    assert hashlib.sha256(as_filed.read_bytes()).hexdigest() == before


def test_recorded_suggestion_that_does_not_answer_questions_is_flagged(workspace):
    path = write_consultation(workspace, "rec.yaml", "jurisdiction: US\nquestions:\n"
                              "  - {id: '1', text: Who are you?}\n"
                              "answers:\n  '1': {suggested: [coalition-members]}\n")
    result = run_cli("check", path, cwd=workspace)
    assert "position 'coalition-members' (profile) answers question 1" in result.out
    assert "question 1 is answered with coalition-members, recorded by drafter suggest " \
           "--write and not reviewed" in result.out


def test_possessive_never_writes_s_apostrophe_s():
    from drafter.compose.functions import possessive
    assert possessive("NTIA") == "NTIA’s"
    assert possessive("European Union policymakers") == "European Union policymakers’"
    assert possessive("European Commission") == "European Commission’s"


# -- approval and later edits -----------------------------------------------------------------

def test_an_approved_wording_edited_since_reads_as_not_approved_until_approved_again(workspace):
    """A reviewer changed a word in an approved block; `drafter check` said nothing and drafts
    used the new text as approved."""
    path = workspace / "positions" / "security" / "incident-reporting-not-information-sharing.md"
    variant = path.with_name(path.stem + ".us.md")
    assert run_cli("check", cwd=workspace).code == 0
    assert "edited-since-approval" not in run_cli("check", cwd=workspace).out
    for edited, option in ((path, []), (variant, ["--variant", "us"])):
        if edited is variant:
            assert run_cli("positions", "approve", "incident-reporting-not-information-sharing",
                           "--variant", "us", "--by", "J. Doe", cwd=workspace).code == 0
        front, body = edited.read_text(encoding="utf-8").rsplit("\n---\n", 1)
        assert " sharing " in body
        edited.write_text(front + "\n---\n" + body.replace(" sharing ", " exchange ", 1),
                          encoding="utf-8")
        result = run_cli("check", cwd=workspace)
        line = edited.read_text(encoding="utf-8").splitlines().index(
            next(l for l in edited.read_text(encoding="utf-8").splitlines()
                 if l.startswith("approved_hash:"))) + 1
        found = [l for l in result.out.splitlines() if "[edited-since-approval]" in l]
        assert len(found) == 1, result.out
        assert found[0].startswith(f"{edited.relative_to(workspace)}:{line}:")
        assert "changed since it was approved" in found[0]
        assert "drafter positions approve incident-reporting-not-information-sharing" \
            + "".join(" " + o for o in option) in found[0]
        if edited is variant:             # the US filing uses this wording
            drafted = run_cli("draft", "examples/cisa-circia-rfi.yaml", "-o", "out/c.docx",
                              "--force", cwd=workspace)
            assert any("[unapproved-in-use]" in l and "changed since it was approved" in l
                       for l in drafted.err.splitlines()), drafted.err
        assert run_cli("positions", "approve", "incident-reporting-not-information-sharing",
                       *option, "--by", "J. Doe", cwd=workspace).code == 0
        assert "edited-since-approval" not in run_cli("check", cwd=workspace).out


def test_an_edited_approved_block_is_no_automatic_answer(workspace):
    from drafter.suggest import Index, Suggester

    def ranked():
        index = Index.open(workspace / ".drafter", workspace / "positions",
                           workspace / "positions" / "topics.yaml")
        try:
            return Suggester(index).question(
                "Should providers be required to give law enforcement exceptional access to "
                "encrypted communications?", "EU").suggestions
        finally:
            index.close()

    top = ranked()[0]
    assert top.position == "eu-oppose-backdoors" and top.confident
    path = next((workspace / "positions").rglob("eu-oppose-backdoors.md"))
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + " Edited.\n",
                    encoding="utf-8")
    edited = next(s for s in ranked() if s.position == "eu-oppose-backdoors")
    assert not edited.confident and "draft block, not yet approved" in edited.why
