"""Route tests (Starlette's test client): CSRF, paths, uploads, notices, sign-in, errors."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from conftest import run_cli
from web.webtools import client, csrf_of, make_app

CISA = "/c/examples/cisa-circia-rfi.yaml"


@pytest.fixture
def web(workspace):
    return client(make_app(workspace))


def _first_answer_form(html: str) -> dict:
    import re

    section = html.split('class="question', 1)[1]
    return {"qid": re.search(r'name="qid" value="([^"]+)"', section).group(1),
            "token": re.search(r'name="token" value="([^"]+)"', section).group(1)}


def test_every_page_has_the_navigation(web):
    for url in ("/", "/new", CISA, "/library", "/library/eu-oppose-backdoors", "/review",
                "/batch"):
        page = web.get(url)
        assert page.status_code == 200, url
        nav = page.text.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
        for label, href in (("Consultations", "/"), ("Library", "/library"),
                            ("Review edits", "/review"), ("Batch", "/batch")):
            assert f'<a href="{href}"' in nav and f">{label}</a>" in nav, (url, label)


def test_home_lists_every_consultation_with_coverage(web, workspace):
    page = web.get("/")
    for path in sorted((workspace / "examples").glob("*.yaml")):
        assert f"examples/{path.name}" in page.text
    assert "examples/batch/" not in page.text
    assert " answered" in page.text


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_post_without_the_csrf_token_is_refused(web, workspace, token):
    before = (workspace / "examples" / "cisa-circia-rfi.yaml").read_bytes()
    form = _first_answer_form(web.get(CISA).text)
    data = {**form, "action": "save", "text": "Injected."}
    if token is not None:
        data["csrf"] = token
    page = web.post(CISA + "/answer", data=data)
    assert page.status_code == 403
    assert "CSRF check failed" in page.text and "nothing was saved" in page.text
    assert (workspace / "examples" / "cisa-circia-rfi.yaml").read_bytes() == before


def test_csrf_token_of_another_session_is_refused(workspace):
    app = make_app(workspace)
    mine, theirs = client(app), client(app)
    theirs_token = csrf_of(theirs.get("/new").text)
    mine.get("/new")
    page = mine.post("/new", data={"csrf": theirs_token, "action": "create", "title": "X"})
    assert page.status_code == 403
    assert not (workspace / "consultations").exists()


def test_answer_with_the_token_is_saved_keeping_comments(web, workspace):
    path = workspace / "examples" / "cisa-circia-rfi.yaml"
    comments = [line for line in path.read_text().splitlines() if line.lstrip().startswith("#")]
    html = web.get(CISA).text
    form = _first_answer_form(html)
    page = web.post(CISA + "/answer", data={**form, "csrf": csrf_of(html), "action": "save",
                                            "text": "Line one.\nLine two."},
                    follow_redirects=False)
    assert page.status_code == 303
    text = path.read_text()
    assert "Line one.\n" in text and "Line two." in text
    assert [line for line in text.splitlines() if line.lstrip().startswith("#")] == comments
    from drafter.load.consultation import load_consultation
    assert load_consultation(path).model.answers[form["qid"]].text == "Line one.\nLine two."


@pytest.mark.parametrize("url", [
    "/c/..%2F..%2F..%2Fetc%2Fpasswd",
    "/c/examples/..%2F..%2F..%2Fetc%2Fpasswd",
    "/c/examples/%2e%2e/org.yaml",
    "/c/%2Fetc%2Fpasswd",
    "/c/examples/..%2Forg.yaml/download/docx",
    "/c/examples/cisa-circia-rfi.yaml/download/docx?house=..%2F..%2F..%2Fetc%2Fpasswd",
    "/c/examples/cisa-circia-rfi.yaml/download/md?template=%2Fetc%2Fpasswd",
    "/c/examples/cisa-circia-rfi.yaml/preview?template=..%2F..%2Forg.yaml",
    "/c/examples/cisa-circia-rfi.yaml?template=..%2Ftemplates%2F_filing.jinja",
    "/library/..%2F..%2Fetc%2Fpasswd",
    "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
])
def test_no_request_path_reaches_outside_the_workspace(web, url):
    page = web.get(url)
    assert page.status_code == 404, (url, page.status_code)
    assert "root:" not in page.text and "short_name" not in page.text
    assert "Traceback" not in page.text


def test_batch_file_outside_the_workspace_is_refused(web):
    token = csrf_of(web.get("/batch").text)
    page = web.post("/batch", data={"csrf": token, "file": "../../../etc/passwd"})
    assert page.status_code == 404
    assert "is not a path inside the workspace" in page.text


def test_oversized_upload_is_refused_before_it_is_read(workspace):
    web = client(make_app(workspace, upload_limit=10_000))
    token = csrf_of(web.get("/review").text)
    page = web.post("/review", data={"csrf": token},
                    files={"edited": ("big.docx", b"PK\x03\x04" + b"x" * 20_000,
                                      "application/octet-stream")})
    assert page.status_code == 413
    assert "larger than the limit" in page.text
    assert not (workspace / ".drafter" / "web" / "uploads").exists() or not any(
        (workspace / ".drafter" / "web" / "uploads").iterdir())


def test_oversized_body_without_a_length_is_cut_off(workspace):
    web = client(make_app(workspace, upload_limit=10_000))
    web.get("/review")

    def chunks():
        for _ in range(50):
            yield b"y" * 1000

    page = web.post("/review", content=chunks(),
                    headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert page.status_code == 413


def test_default_upload_limit_is_20_mb(workspace):
    from drafter.load.workspace import discover
    from drafter.web.state import WebSettings

    assert WebSettings(discover(start=workspace)).upload_limit == 20 * 1024 * 1024


def test_upload_that_is_not_a_docx_is_a_message(web, workspace):
    token = csrf_of(web.get("/review").text)
    page = web.post("/review", data={"csrf": token},
                    files={"edited": ("notes.docx", b"just text", "application/octet-stream")})
    assert page.status_code == 400
    assert "notes.docx: not a Word document (.docx): nothing compared." in page.text


def test_notice_file_that_is_not_json_is_a_message_on_the_page(web, workspace):
    token = csrf_of(web.get("/new").text)
    page = web.post("/new", data={"csrf": token, "action": "create", "title": "T",
                                  "agency": "Agency", "kind": "rfc", "jurisdiction": "US"},
                    files={"notice_file": ("notice.json", b"<html>not json</html>",
                                           "application/json")})
    assert page.status_code == 400
    assert "notice.json:1: not JSON (Expecting value): expected a Federal Register or " \
           "regulations.gov document record" in html.unescape(page.text)
    assert "Traceback" not in page.text
    assert not (workspace / "consultations").exists()


def test_new_consultation_missing_fields_are_named(web, workspace):
    token = csrf_of(web.get("/new").text)
    page = web.post("/new", data={"csrf": token, "action": "create", "title": "Only a title"})
    assert page.status_code == 400
    assert "Fill in Agency, Kind and Jurisdiction (a consultation needs them)" in page.text
    assert 'value="Only a title"' in page.text
    assert not (workspace / "consultations").exists()


def test_new_consultation_never_overwrites(web, workspace):
    token = csrf_of(web.get("/new").text)
    data = {"csrf": token, "action": "create", "title": "Same title", "agency": "Agency X",
            "agency_short": "AX", "kind": "rfc", "jurisdiction": "US"}
    assert web.post("/new", data=data, follow_redirects=False).status_code == 303
    first = (workspace / "consultations" / "ax-same-title.yaml").read_bytes()
    again = web.post("/new", data=data)
    assert again.status_code == 400 and "already exists" in again.text
    assert (workspace / "consultations" / "ax-same-title.yaml").read_bytes() == first


def test_broken_consultation_is_a_message_not_a_trace(web, workspace):
    (workspace / "examples" / "broken.yaml").write_text("title: T\nagency: {name: A}\n"
                                                        "kind: nonsense\njurisdiction: US\n")
    page = web.get("/c/examples/broken.yaml")
    assert page.status_code == 400
    assert "examples/broken.yaml:2: invalid consultation: agency: missing required key " \
           "'short_name'" in html.unescape(page.text)
    assert "Traceback" not in page.text
    home = web.get("/")
    assert home.status_code == 200 and "examples/broken.yaml:2: invalid consultation" \
        in html.unescape(home.text)


def test_internal_error_is_logged_not_shown(workspace, monkeypatch, caplog):
    app = make_app(workspace)
    web = client(app)

    def boom(*args, **kwargs):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("drafter.web.app.consultation_files", boom)
    page = web.get("/")
    assert page.status_code == 500
    assert "secret detail" not in page.text and "Traceback" not in page.text
    assert "server's log" in html.unescape(page.text)
    assert "secret detail" in caplog.text


# --- sign-in ----------------------------------------------------------------------------------

def _accounts(workspace):
    from drafter.web.auth import add_user

    add_user(workspace / "users.yaml", "rita", "reviewer", "correct horse battery")
    add_user(workspace / "users.yaml", "sam", "staff", "staff password 1")


def _sign_in(web, name, password):
    token = csrf_of(web.get("/signin").text)
    return web.post("/signin", data={"csrf": token, "name": name, "password": password,
                                     "next": "/"}, follow_redirects=False)


def test_non_local_host_needs_accounts(workspace):
    from drafter.errors import LoadError

    with pytest.raises(LoadError, match="no accounts"):
        make_app(workspace, sign_in=True)
    result = run_cli("serve", "--host", "0.0.0.0", "--port", "0", cwd=workspace)
    assert result.code == 2
    assert "users.yaml: error: no accounts: any address but 127.0.0.1 needs sign-in" \
        in result.err


def test_non_local_host_requires_sign_in(workspace):
    _accounts(workspace)
    web = client(make_app(workspace, sign_in=True))
    for url in ("/", CISA, "/library", "/review", "/batch", "/new"):
        page = web.get(url, follow_redirects=False)
        assert page.status_code == 303, url
        assert page.headers["location"].startswith("/signin?next=")
    wrong = _sign_in(web, "rita", "wrong password")
    assert wrong.status_code == 401 and "Wrong name or password." in wrong.text
    right = _sign_in(web, "rita", "correct horse battery")
    assert right.status_code == 303
    home = web.get("/")
    assert home.status_code == 200 and "rita (reviewer)" in home.text


def test_staff_cannot_change_positions(workspace):
    _accounts(workspace)
    web = client(make_app(workspace, sign_in=True))
    assert _sign_in(web, "sam", "staff password 1").status_code == 303
    html = web.get("/library/eu-oppose-backdoors").text
    import re
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    path = workspace / "positions" / "encryption" / "eu-oppose-backdoors.md"
    before = path.read_bytes()
    page = web.post("/library/eu-oppose-backdoors/approve",
                    data={"csrf": csrf_of(html), "token": token})
    assert page.status_code == 403 and "Only reviewers" in page.text
    assert path.read_bytes() == before


def test_sign_in_is_rate_limited(workspace):
    _accounts(workspace)
    web = client(make_app(workspace, sign_in=True))
    for _ in range(5):
        assert _sign_in(web, "rita", "guess").status_code == 401
    blocked = _sign_in(web, "rita", "correct horse battery")
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.text


def test_users_add_stores_an_argon2_hash_never_the_password(workspace):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "drafter", "users", "add", "jane", "--role",
                           "reviewer", "--password-stdin"], cwd=workspace,
                          input="a long passphrase\n", capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    text = (workspace / "users.yaml").read_text()
    assert "jane: {role: reviewer, password: '$argon2id$" in text
    assert "a long passphrase" not in text
    assert (workspace / "users.yaml").stat().st_mode & 0o077 == 0
    from drafter.web.auth import verify
    assert verify(workspace / "users.yaml", "jane", "a long passphrase").role == "reviewer"
    assert verify(workspace / "users.yaml", "jane", "wrong") is None
    short = subprocess.run([sys.executable, "-m", "drafter", "users", "add", "bob", "--role",
                            "staff", "--password-stdin"], cwd=workspace, input="short\n",
                           capture_output=True, text=True)
    assert short.returncode == 2
    assert "users.yaml: error: the password must have at least 8 characters" in short.stderr


# --- conflicts, approval ----------------------------------------------------------------------

def test_second_save_of_a_block_is_a_conflict_and_nothing_is_lost(web, workspace):
    import re

    path = workspace / "positions" / "encryption" / "eu-oppose-backdoors.md"
    html = web.get("/library/eu-oppose-backdoors").text
    editor = html[html.index('id="edit-as-filed"'):]     # the as-filed wording's editor
    token = re.search(r'name="token" value="([^"]+)"', editor).group(1)
    original = path.read_text()
    first = original.replace("inherently weaken", "always weaken")
    second = original.replace("inherently weaken", "never strengthen")
    ok = web.post("/library/eu-oppose-backdoors/save",
                  data={"csrf": csrf_of(html), "token": token, "text": first},
                  follow_redirects=False)
    assert ok.status_code == 303
    late = web.post("/library/eu-oppose-backdoors/save",
                    data={"csrf": csrf_of(html), "token": token, "text": second})
    assert late.status_code == 409
    assert "changed by someone else" in late.text
    assert "never strengthen" in late.text          # the late text is kept in the editor
    assert path.read_text() == first


def test_approve_sets_status_approver_and_date_keeping_comments(workspace):
    import datetime as dt
    import re

    web = client(make_app(workspace, today=dt.date(2026, 12, 1)))
    path = workspace / "positions" / "encryption" / "eu-oppose-backdoors.md"
    text = path.read_text().replace("status: approved", "status: draft  # needs a look")
    path.write_text(text)
    html = web.get("/library/eu-oppose-backdoors").text
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    page = web.post("/library/eu-oppose-backdoors/approve",
                    data={"csrf": csrf_of(html), "token": token}, follow_redirects=False)
    assert page.status_code == 303
    new = path.read_text()
    assert re.search(r"^status: approved +# needs a look$", new, re.M)
    assert "approved_on: 2026-12-01" in new
    assert re.search(r"^approved_by: \S", new, re.M)
    assert new.split("\n---\n", 1)[1] == text.split("\n---\n", 1)[1]
    from drafter.load.library import load_block
    assert load_block(path).meta.approved_on == dt.date(2026, 12, 1)


def test_batch_runs_in_the_background_with_a_summary(web, workspace):
    import time

    html = web.get("/batch").text
    assert "examples/batch/deadline.yaml" in html
    page = web.post("/batch", data={"csrf": csrf_of(html), "file":
                                    "examples/batch/deadline.yaml"}, follow_redirects=False)
    assert page.status_code == 303
    for _ in range(600):
        status = web.get("/batch/status").text
        if "finished" in status:
            break
        time.sleep(0.1)
    assert "finished" in status and "<progress" in status
    assert "<caption>Summary</caption>" in status
    assert "failed" in status and "built" in status


def test_markdown_download_uses_the_chosen_template(web):
    botnets = "/c/examples/ntia-botnets-comments.yaml"
    default = web.get(botnets + "/download/md")
    assert default.status_code == 200
    assert default.headers["content-disposition"] == \
        'attachment; filename="ntia-botnets-comments.md"'
    chosen = web.get(botnets + "/download/md?template=us-rfc-responses")
    assert chosen.status_code == 200 and chosen.text != default.text
    assert "Stakeholder Action Against Botnets" in default.text
    refused = web.get(botnets + "/download/md?template=eu-position-paper")
    assert refused.status_code == 400
    assert "eu-position-paper" in html.unescape(refused.text)
    assert "Traceback" not in refused.text


def test_text_download_is_the_filing_as_plain_text(web):
    """A staff member wanted text to paste into a consultation's web form: the Markdown's "#"
    headings, "\\" line ends and "**" placeholders were in the way."""
    page = web.get(CISA)
    assert "Download text" in page.text
    text = web.get(CISA + "/download/txt")
    assert text.status_code == 200
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    assert text.headers["content-disposition"] == 'attachment; filename="cisa-circia-rfi.txt"'
    body = text.text
    assert "Cybersecurity and Infrastructure Security Agency" in body
    assert "Question 1" in body
    assert not any(line.startswith("#") or line.endswith("\\") for line in body.splitlines())
    assert "**" not in body and ":::" not in body
    assert web.get(CISA + "/download/html").status_code == 404


@pytest.mark.real_clients
def test_pdf_download_through_libreoffice(web):
    from conftest import require_tool

    require_tool("soffice")
    page = web.get(CISA)
    assert "Download PDF" in page.text
    pdf = web.get(CISA + "/download/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"


def test_drafter_serve_prints_the_url_and_serves(workspace):
    import subprocess
    import sys
    import time
    import urllib.request

    from web.conftest import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "drafter", "serve", "--port", str(port)],
                            cwd=workspace, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        assert line.strip() == (f"drafter: serving {workspace.resolve()} at "
                                f"http://127.0.0.1:{port}/; Ctrl-C stops")
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/") as response:
                    body = response.read().decode()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert "<h1>Consultations</h1>" in body
    finally:
        proc.terminate()
        proc.wait(10)


def test_approve_a_variant_through_drafter_review(workspace):
    import datetime as dt
    import re

    web = client(make_app(workspace, today=dt.date(2026, 12, 2)))
    html_text = web.get("/library/eu-oppose-backdoors").text
    assert "Variant us" in html_text
    form = html_text.split('name="variant" value="us"', 1)[0].rsplit("<form", 1)[1]
    token = re.search(r'name="token" value="([^"]+)"', form).group(1)
    variant = workspace / "positions" / "encryption" / "eu-oppose-backdoors.us.md"
    as_filed = (workspace / "positions" / "encryption" / "eu-oppose-backdoors.md").read_bytes()
    assert "status: draft" in variant.read_text()
    page = web.post("/library/eu-oppose-backdoors/approve", data={
        "csrf": csrf_of(html_text), "token": token, "variant": "us"}, follow_redirects=False)
    assert page.status_code == 303
    text = variant.read_text()
    assert "status: approved" in text and "approved_on: 2026-12-02" in text
    assert (workspace / "positions" / "encryption" / "eu-oppose-backdoors.md").read_bytes() \
        == as_filed
    unknown = web.post("/library/eu-oppose-backdoors/approve", data={
        "csrf": csrf_of(html_text), "token": token, "variant": "mars"})
    assert unknown.status_code == 404 and "has no variant 'mars'" in html.unescape(unknown.text)


def test_coverage_counts_placeholders(web, workspace):
    (workspace / "examples" / "odd.yaml").write_text(
        "title: Odd questions\nagency: {name: Agency X, short_name: AX}\nkind: rfi\n"
        "jurisdiction: US\nquestions:\n  - {id: '1', text: 'Zebra quagga okapi?'}\n")
    page = web.get("/c/examples/odd.yaml")
    assert "0 of 1 answered, 1 with a placeholder" in page.text
    assert "0 of 1 answered, 1 with a placeholder" in web.get("/").text


def test_edit_a_variant_with_check_errors_then_save(web, workspace):
    import re

    variant = workspace / "positions" / "encryption" / "eu-oppose-backdoors.us.md"
    html_text = web.get("/library/eu-oppose-backdoors").text
    form = html_text.split('<label for="variant-text-us">', 1)[0].rsplit("<form", 1)[1]
    token = re.search(r'name="token" value="([^"]+)"', form).group(1)
    original = variant.read_text()
    bad = original.replace("audience: [US]", "audience: [Mars]")
    refused = web.post("/library/eu-oppose-backdoors/save", data={
        "csrf": csrf_of(html_text), "token": token, "variant": "us", "text": bad})
    assert refused.status_code == 400
    line = bad.splitlines().index("audience: [Mars]") + 1
    assert f"line {line}: error:" in refused.text and "audience" in refused.text
    assert "[Mars]" in refused.text                 # the reviewer's text stays in the editor
    assert variant.read_text() == original
    good = original.replace("inherently weakens", "always weakens")
    saved = web.post("/library/eu-oppose-backdoors/save", data={
        "csrf": csrf_of(html_text), "token": token, "variant": "us", "text": good},
        follow_redirects=False)
    assert saved.status_code == 303
    assert variant.read_text() == good


def test_two_servers_in_one_process_rebuild_the_index(tmp_path, serve):
    """yaml-rs once crashed the process (segmentation fault) when a second server thread
    rebuilt the index; the server refreshes the index with PyYAML since."""
    import drafter.suggest.index as index_module

    fast = index_module.yaml_rs

    import shutil
    import urllib.request

    root = Path(__file__).resolve().parents[2]
    for n in range(2):
        dest = tmp_path / f"ws{n}"
        for name in ("positions", "templates", "seeds", "examples"):
            shutil.copytree(root / name, dest / name)
        for name in ("org.yaml", "drafter.yaml", "glossary.yaml"):
            shutil.copy(root / name, dest / name)
        server = serve(make_app(dest))
        with urllib.request.urlopen(server.url + "/") as page:
            assert "examples/cisa-circia-rfi.yaml" in page.read().decode()
        with urllib.request.urlopen(server.url + "/library?q=encryption+backdoors") as page:
            assert "Oppose backdoors" in page.read().decode()
        assert index_module.yaml_rs is fast         # only set aside while refreshing


def test_consultation_without_questions_lists_its_positions(web):
    page = web.get("/c/examples/ntia-botnets-comments.yaml")
    assert page.status_code == 200
    assert "Positions in this filing" in page.text
    assert '<code>market-driven-botnet-mitigation</code>' in page.text
    assert "No questions: the filing is drafted from the chosen positions." in page.text
