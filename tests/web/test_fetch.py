"""``drafter new --federal-register NUMBER`` and the web's Fetch, against a local fake API."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from conftest import run_cli
from web.fakeapi import FakeFederalRegister
from web.webtools import client, csrf_of, make_app

IMPORT = Path(__file__).resolve().parents[1] / "data" / "import"
CIRCIA = (IMPORT / "cisa-circia-rfi.json").read_bytes()


@pytest.fixture
def api():
    with FakeFederalRegister({"2022-19551": CIRCIA, "2099-00001": b"<html>oops</html>"},
                             slow={"2022-00002"}, delay=3.0) as fake:
        yield fake


def test_new_federal_register_number_writes_the_same_file_as_the_json(api, tmp_path,
                                                                       monkeypatch):
    monkeypatch.setenv("DRAFTER_FEDERAL_REGISTER_URL", api.base)
    fetched = run_cli("new", "--federal-register", "2022-19551", "-o", tmp_path / "c.yaml")
    assert fetched.code == 0, fetched.err
    assert api.requests == ["/api/v1/documents/2022-19551.json"]
    saved = tmp_path / "2022-19551.json"
    saved.write_bytes(CIRCIA)
    local = run_cli("new", "--from-federal-register", saved, "-o", tmp_path / "d.yaml")
    assert local.code == 0, local.err
    fetched_text = (tmp_path / "c.yaml").read_text()
    assert fetched_text.replace("c.yaml", "d.yaml") == (tmp_path / "d.yaml").read_text()
    assert "title: Request for Information on the Cyber Incident Reporting" in fetched_text


def test_new_federal_register_unknown_number_is_one_line_exit_2(api, tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFTER_FEDERAL_REGISTER_URL", api.base)
    result = run_cli("new", "--federal-register", "2022-99999", "-o", tmp_path / "c.yaml")
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        f"{api.base}/documents/2022-99999.json: error: no Federal Register document numbered "
        "2022-99999 (HTTP 404)"]
    assert not (tmp_path / "c.yaml").exists()


def test_new_federal_register_answer_not_json_names_the_url(api, tmp_path, monkeypatch):
    monkeypatch.setenv("DRAFTER_FEDERAL_REGISTER_URL", api.base)
    result = run_cli("new", "--federal-register", "2099-00001", "-o", tmp_path / "c.yaml")
    assert result.code == 2
    assert result.err.startswith(f"{api.base}/documents/2099-00001.json:1:1: error: not JSON")


def test_new_federal_register_offline_says_what_to_do(tmp_path, monkeypatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]        # closed again: nothing listens there
    monkeypatch.setenv("DRAFTER_FEDERAL_REGISTER_URL", f"http://127.0.0.1:{port}/api/v1")
    result = run_cli("new", "--federal-register", "2022-19551", "-o", tmp_path / "c.yaml")
    assert result.code == 2
    assert "error: cannot reach the Federal Register API" in result.err
    assert "--from-federal-register FILE" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_fetch_times_out(api):
    from drafter.errors import LoadError
    from drafter.importers.fetch import fetch_federal_register

    with pytest.raises(LoadError) as info:
        fetch_federal_register("2022-00002", api.base, timeout=0.5)
    assert "no answer within 0.5 s" in info.value.message


@pytest.mark.parametrize("number", ["../../etc/passwd", "2022 19551", "", "a" * 60,
                                    "2022-19551.json?x=1"])
def test_fetch_refuses_what_is_not_a_document_number(number):
    from drafter.errors import LoadError
    from drafter.importers.fetch import document_url

    with pytest.raises(LoadError, match="is not a Federal Register document number"):
        document_url(number, "http://127.0.0.1:1/api/v1")


def test_base_url_must_be_http():
    from drafter.errors import LoadError
    from drafter.importers.fetch import base_url

    assert base_url("http://127.0.0.1:9/api/v1/") == "http://127.0.0.1:9/api/v1"
    with pytest.raises(LoadError, match="must start with http"):
        base_url("file:///etc/passwd")


def test_web_fetch_fills_the_form_and_create_keeps_the_notice(api, workspace):
    web = client(make_app(workspace, federal_register_url=api.base))
    token = csrf_of(web.get("/new").text)
    page = web.post("/new", data={"csrf": token, "action": "fetch", "fr_number": "2022-19551"})
    assert page.status_code == 200
    assert 'value="Request for Information on the Cyber Incident Reporting' in page.text
    assert 'value="CISA"' in page.text
    notice = page.text.split('name="notice_json" value="', 1)[1].split('"', 1)[0]
    import html
    created = web.post("/new", data={
        "csrf": token, "action": "create", "fr_number": "2022-19551",
        "notice_json": html.unescape(notice),
        "title": "Request for Information on the Cyber Incident Reporting for Critical "
                 "Infrastructure Act of 2022", "agency": "", "agency_short": "",
        "kind": "rfi", "jurisdiction": "US",
        "questions": "1. What should count as a covered entity?"}, follow_redirects=False)
    assert created.status_code == 303, created.text
    written = list((workspace / "consultations").glob("*.yaml"))
    assert len(written) == 1
    text = written[0].read_text()
    assert "docket: CISA-2022-0010" in text
    assert "text: What should count as a covered entity?" in text


def test_web_fetch_unknown_number_is_a_message_on_the_page(api, workspace):
    web = client(make_app(workspace, federal_register_url=api.base))
    token = csrf_of(web.get("/new").text)
    page = web.post("/new", data={"csrf": token, "action": "fetch", "fr_number": "2022-99999"})
    assert page.status_code == 400
    assert "no Federal Register document numbered 2022-99999 (HTTP 404)" in page.text
    assert "Traceback" not in page.text


def test_error_location_keeps_a_url_whole():
    from drafter.errors import LoadError

    error = LoadError("no such document", "http://127.0.0.1:8/api/v1/documents/x.json", 3)
    assert error.where() == "http://127.0.0.1:8/api/v1/documents/x.json:3"
