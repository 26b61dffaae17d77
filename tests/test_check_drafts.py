"""The draft checks (placeholders, deadline, size limits, terminology, style), through
``drafter check`` and through ``drafter draft``, which prints them as warnings."""

from __future__ import annotations

import datetime as dt

from tests.conftest import run_cli
from tests.test_check import THANKS, check, consultation, edit, line_of, new_block, of


def with_address(workspace):
    """The organisation's mailing address filled in, so the signature has no placeholder."""
    org = workspace / "org.yaml"
    org.write_text(org.read_text().replace("\naddress:\n", "\naddress: 1 Example Street\n"))


def test_placeholders_in_a_block_point_at_the_block(workspace):
    with_address(workspace)  # only the placeholders under test
    new_block(workspace, "unfinished", "Our members TODO: numbers here. See [[source]] and "
              "{{ '{{' }} name }}.")
    path = consultation(workspace, "wip", ["thanks-for-opportunity", "unfinished"])
    code, diags = check(workspace, path)
    # the caption's placeholder for the address the test agency does not give is the template's
    found = [d for d in of(diags, "placeholder") if "address]]" not in d["message"]]
    assert code == 0 and {d["severity"] for d in found} == {"warning"}
    messages = [d["message"] for d in found]
    assert messages == ["leftover placeholder 'TODO'", "leftover placeholder '[[source]]'",
                        "unrendered Jinja '{{'", "unrendered Jinja '}}'"]
    assert {d["path"] for d in found} == {"positions/procedure/unfinished.md"}
    assert found[0]["line"] == 16 and found[0]["col"] == 13


def test_unanswered_question_placeholder_points_at_the_question(workspace):
    with_address(workspace)  # only the placeholders under test
    path = workspace / "examples" / "questions.yaml"
    path.write_text("title: T\nagency: {name: Test Agency, short_name: TA}\nkind: rfc\n"
                    "jurisdiction: US\ndate: 2018-02-12\ntemplate: us-agency-comments\n"
                    "questions:\n  - id: '1'\n    text: Zqxv wprt blorf?\n")  # matches no block
    code, diags = check(workspace, path)
    found = [d for d in of(diags, "placeholder", "examples/questions.yaml")
             if "question" in d["message"]]
    assert found and found[0]["line"] == 8
    assert "answer to question 1" in found[0]["message"]


def test_deadline_near_passed_and_after_filing(workspace):
    soon = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    path = consultation(workspace, "soon", ["thanks-for-opportunity"], deadline=soon)
    text = path.read_text().replace("date: 2018-02-12\n", "")
    path.write_text(text)
    code, diags = check(workspace, path)
    found = of(diags, "deadline")
    assert code == 0 and len(found) == 1 and found[0]["line"] == line_of(path, "deadline:")
    assert found[0]["message"] == f"the deadline {soon} is in 3 days"

    path.write_text(text.replace(soon, "2018-01-31"))
    assert "passed" in of(check(workspace, path)[1], "deadline")[0]["message"]

    late = consultation(workspace, "late", ["thanks-for-opportunity"], deadline="2018-02-01")
    found = of(check(workspace, late)[1], "deadline")
    assert found[0]["message"] == "the filing is dated 2018-02-12, after the deadline 2018-02-01"


def test_regulations_gov_limits(workspace):
    ntia = workspace / "examples" / "ntia-botnets-comments.yaml"
    edit(ntia, "date: 2018-02-12", "date: 2018-02-12\ntarget: regulations.gov")
    code, diags = check(workspace, ntia)
    found = of(diags, "length-limit")
    assert code == 1 and len(found) == 2  # characters and bytes
    assert found[0]["line"] == line_of(ntia, "target:")
    assert "characters; the regulations.gov comment box takes at most 5,000" in found[0]["message"]


def test_bytes_limit_hits_first_with_non_ascii_text_and_emoji_refused(workspace):
    new_block(workspace, "accents", "ééééééé " * 400)  # 3,200 characters, 6,000 bytes
    new_block(workspace, "smiley", "We are happy to help \U0001F600.")
    path = consultation(workspace, "box", ["accents", "smiley"], target="regulations.gov")
    code, diags = check(workspace, path)
    messages = [d["message"] for d in of(diags, "length-limit")]
    assert code == 1
    assert not any("characters;" in m for m in messages)
    assert any("bytes in UTF-8" in m for m in messages)
    emoji = [d for d in of(diags, "length-limit") if "emoji" in d["message"]]
    assert emoji[0]["path"] == "positions/procedure/smiley.md" and emoji[0]["col"] == 22
    assert "U+1F600" in emoji[0]["message"]


def test_glossary_terms(workspace):
    new_block(workspace, "sharing", "We support information sharing among providers, and "
              "“information sharing” as a phrase is discussed elsewhere.")
    path = consultation(workspace, "terms", ["sharing", "incident-reporting-not-information-sharing"])
    code, diags = check(workspace, path)
    found = of(diags, "glossary")
    # the quoted mention and the block listed in except_in are left alone
    assert len(found) == 1 and found[0]["path"] == "positions/procedure/sharing.md"
    assert found[0]["col"] == 12
    assert found[0]["message"].startswith("prefer 'incident reporting' to 'information sharing'")


def test_glossary_file_is_validated(workspace):
    glossary = workspace / "glossary.yaml"
    edit(glossary, "instead_of: [information sharing]", "instead: [information sharing]")
    edit(glossary, "except_in: [incident-reporting-not-information-sharing]", "except_in: []")
    code, diags = check(workspace)
    found = of(diags, "schema", "glossary.yaml")
    assert code == 1 and found[0]["line"] == line_of(glossary, "- use: incident reporting")
    assert "prefer[0]: missing required key 'instead_of'" in found[0]["message"]


def test_glossary_except_in_ids_must_exist(workspace):
    edit(workspace / "glossary.yaml", "[incident-reporting-not-information-sharing]",
         "[incident-reporting-not-info-sharing]")
    code, diags = check(workspace)
    found = of(diags, "glossary", "glossary.yaml")
    assert code == 1 and found[0]["severity"] == "error"
    assert "did you mean 'incident-reporting-not-information-sharing'" in found[0]["message"]


def test_missing_glossary_is_a_warning(workspace):
    (workspace / "glossary.yaml").unlink()
    code, diags = check(workspace)
    found = of(diags, "glossary")
    assert code == 0 and "glossary file not found" in found[0]["message"]


def test_should_overuse(workspace):
    body = " ".join(["Providers should act."] * 4 + ["The word “should” is quoted."])
    new_block(workspace, "shoulds", body)
    path = consultation(workspace, "shoulds", ["shoulds"])
    code, diags = check(workspace, path)
    found = of(diags, "should-overuse")
    assert code == 0 and len(found) == 1
    assert found[0]["message"].startswith("'should' is used 4 times")
    assert found[0]["path"] == "positions/procedure/shoulds.md" and found[0]["col"] == 11


def test_broad_terms(workspace):
    body = ("The government must act. Government agencies and the government again. "
            "The federal government is fine. Then government once more.")
    new_block(workspace, "broad", body)
    path = consultation(workspace, "broad", ["broad"])
    code, diags = check(workspace, path)
    found = of(diags, "broad-term")
    assert code == 0 and len(found) == 1
    assert found[0]["message"].startswith("'government' is used 4 times and never defined")
    assert found[0]["col"] == 5

    defined = body + " By “government” we mean the agency. “government” means NTIA."
    edit(workspace / "positions/procedure/broad.md", body, defined)
    assert of(check(workspace, path)[1], "broad-term") == []


def test_shipped_examples_have_no_errors_in_draft_checks():
    from tests.conftest import ROOT
    code, diags = check(ROOT, "examples")
    assert code == 0
    assert not [d for d in diags if d["severity"] == "error"]


def test_draft_prints_draft_checks_as_warnings(workspace, tmp_path):
    with_address(workspace)  # only the placeholders under test
    edit(workspace / THANKS, "Thank you for", "TODO Thank you for")
    out = tmp_path / "x.md"
    result = run_cli("draft", "examples/ntia-botnets-comments.yaml", "-o", out, cwd=workspace)
    assert result.code == 0, result.err
    line = next(n for n, text in enumerate((workspace / THANKS).read_text().split("\n"), 1)
                if "TODO Thank you for" in text)
    assert f"{THANKS}:{line}:1: warning: leftover placeholder 'TODO' [placeholder]" in result.err
    assert out.is_file()


def test_draft_with_a_target_over_the_limit_still_writes_and_warns(workspace, tmp_path):
    edit(workspace / "examples/ntia-botnets-comments.yaml", "date: 2018-02-12",
         "date: 2018-02-12\ntarget: regulations.gov")
    out = tmp_path / "x.txt"
    result = run_cli("draft", "examples/ntia-botnets-comments.yaml", "-o", out, cwd=workspace)
    assert result.code == 0 and out.is_file()
    assert "warning: the text is" in result.err and "[length-limit]" in result.err


def test_checking_one_block_reports_what_drafts_find_in_it(workspace):
    block = "positions/security/market-driven-botnet-mitigation.md"
    edit(workspace / block, "We are thankful", "We like information sharing. We are thankful")
    code, diags = check(workspace, block)
    found = of(diags, "glossary")
    assert [d["path"] for d in found] == [block] and found[0]["col"] == 9
    assert {d["path"] for d in diags} == {block}
