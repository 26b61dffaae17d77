"""drafter new --agency-ref (and the browser's New consultation field): agency.ref, how a
filing names the agency after its first mention, written into the new consultation file."""

from __future__ import annotations

from drafter.load.consultation import load_consultation
from tests.conftest import run_cli

FLAGS = ("new", "--title", "Investigatory Powers: Notices Regime", "--agency",
         "Department for Science, Innovation and Technology", "--agency-short", "DSIT",
         "--kind", "public-consultation", "--jurisdiction", "UK")


def test_new_agency_ref_is_written_as_agency_ref(tmp_path):
    out = tmp_path / "dsit.yaml"
    result = run_cli(*FLAGS, "--agency-ref", "the  Department", "-o", out)
    assert result.code == 0, result.err
    agency = load_consultation(out).model.agency
    assert (agency.short_name, agency.ref, agency.reference()) == \
        ("DSIT", "the Department", "the Department")
    assert "  ref: the Department\n" in out.read_text()


def test_new_without_agency_ref_writes_no_ref(tmp_path):
    out = tmp_path / "dsit.yaml"
    assert run_cli(*FLAGS, "-o", out).code == 0
    agency = load_consultation(out).model.agency
    assert agency.ref is None and agency.reference() == "DSIT"
    assert "ref:" not in out.read_text()


def test_new_agency_ref_overrides_a_notice(tmp_path):
    from conftest import DATA

    out = tmp_path / "ntia.yaml"
    result = run_cli("new", "--from-federal-register", DATA / "import" / "ntia-botnets-rfc.json",
                     "--agency-ref", "the Administration", "-o", out)
    assert result.code == 0, result.err
    agency = load_consultation(out).model.agency
    assert (agency.short_name, agency.ref) == ("NTIA", "the Administration")


def test_new_agency_ref_is_used_by_the_draft(tmp_path, workspace):
    out = workspace / "consultations" / "dsit.yaml"
    out.parent.mkdir()
    assert run_cli(*FLAGS, "--agency-ref", "the Department", "-o", out, cwd=workspace).code == 0
    md = tmp_path / "dsit.md"
    result = run_cli("draft", out, "-o", md, cwd=workspace)
    assert result.code == 0, result.err
    text = md.read_text()
    assert "Department for Science, Innovation and Technology (the Department)" in text


def test_new_help_documents_agency_ref():
    result = run_cli("new", "--help")
    assert result.code == 0
    text = " ".join(result.out.split())
    assert "--agency-ref TEXT" in text and "after its first mention" in text


def test_new_consultation_form_writes_agency_ref(workspace):
    from web.webtools import client, csrf_of, make_app

    web = client(make_app(workspace))
    page = web.get("/new").text
    assert '<label for="agency_ref">Agency after first mention</label>' in page
    data = {"csrf": csrf_of(page), "action": "create", "title": "Notices Regime Review",
            "agency": "Home Office", "agency_short": "HO", "agency_ref": "the Home Office",
            "kind": "public-consultation", "jurisdiction": "UK",
            "questions": "1. Should notices be reviewed by a judge?"}
    response = web.post("/new", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text
    written = workspace / "consultations" / "ho-notices-regime-review.yaml"
    agency = load_consultation(written).model.agency
    assert (agency.short_name, agency.ref) == ("HO", "the Home Office")

