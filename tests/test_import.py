"""drafter new: Federal Register and regulations.gov JSON, pasted question lists, flags, prompts."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DATA, ROOT, run_cli
from drafter.errors import LoadError
from drafter.importers import (from_federal_register, from_regulations_gov, parse_questions,
                               read_questions)
from drafter.importers.common import (clean_docket, deadline_from_text, kind_from,
                                      short_name)
from drafter.load.consultation import load_consultation

IMPORT = DATA / "import"


# --- Federal Register ------------------------------------------------------------------------

def test_federal_register_notice_fields():
    imported = from_federal_register(IMPORT / "ntia-botnets-rfc.json")
    f = imported.fields
    assert f["title"] == ("Promoting Stakeholder Action Against Botnets and Other Automated "
                          "Threats")
    # The agency with a parent (NTIA), not its department.
    assert f["agency"] == {"name": "National Telecommunications and Information Administration",
                           "short_name": "NTIA"}
    assert f["kind"] == "rfc"                       # "Notice; request for public comment."
    assert f["jurisdiction"] == "US"
    assert f["docket"] == "170602536-7536-01"       # "Docket No." stripped
    assert f["citation"] == "82 FR 27042"
    assert f["published"] == dt.date(2017, 6, 13)
    assert f["deadline"] == dt.date(2017, 7, 28)    # comments_close_on
    assert f["url"].startswith("https://www.federalregister.gov/documents/2017/06/13/2017-12187/")
    assert f["abstract"].startswith("The National Telecommunications and Information")
    assert "rin" not in f                            # empty regulation_id_numbers
    assert imported.source == "Federal Register document 2017-12187 (82 FR 27042)"


def test_federal_register_deadline_from_free_text_dates():
    imported = from_federal_register(IMPORT / "cisa-circia-rfi.json")
    f = imported.fields
    assert f["deadline"] == dt.date(2022, 11, 14)   # comments_close_on is null
    assert any("deadline read from 'dates'" in n for n in imported.notes)
    assert f["kind"] == "rfi"                       # "Request for information."
    assert f["agency"]["short_name"] == "CISA"
    assert f["docket"] == "CISA-2022-0010"          # "Docket ID:" stripped
    assert f["rin"] == "1670-AA04"


def test_federal_register_search_result_with_one_document(tmp_path):
    doc = json.loads((IMPORT / "ntia-botnets-rfc.json").read_text())
    path = tmp_path / "search.json"
    path.write_text(json.dumps({"count": 1, "results": [doc]}))
    assert from_federal_register(path).fields["citation"] == "82 FR 27042"


def test_federal_register_no_deadline_anywhere_warns(tmp_path):
    doc = json.loads((IMPORT / "ntia-botnets-rfc.json").read_text())
    doc.update(comments_close_on=None, dates="Effective upon publication.")
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(doc))
    imported = from_federal_register(path)
    assert "deadline" not in imported.fields
    assert imported.warnings and "no comment deadline" in imported.warnings[0]


@pytest.mark.parametrize("text, expected", [
    ("Comments are due on or before 5 p.m. Eastern Time on July 28, 2017.", dt.date(2017, 7, 28)),
    ("Comments must be received by March 3, 2025. Reply comments are due April 2, 2025.",
     dt.date(2025, 3, 3)),
    ("Reply comments are due April 2, 2025. Comments must be received by March 3, 2025.",
     dt.date(2025, 3, 3)),
    ("Submit comments no later than Sept. 5, 2023.", dt.date(2023, 9, 5)),
    ("Written comments must be submitted on or before 12 March 2024.", dt.date(2024, 3, 12)),
    ("Comments due 2024-01-31.", dt.date(2024, 1, 31)),
    ("The meeting is on June 2, 2024.", dt.date(2024, 6, 2)),
    ("Effective upon publication.", None),
    (None, None),
])
def test_deadline_from_free_text(text, expected):
    assert deadline_from_text(text) == expected


@pytest.mark.parametrize("doc_type, action, kind", [
    ("Notice", "Request for information.", "rfi"),
    ("Notice", "Notice; request for public comment.", "rfc"),
    ("Notice", "Notice of inquiry.", "rfc"),
    ("Proposed Rule", "Notice of proposed rulemaking.", "nprm"),
    ("Proposed Rule", "Proposed rule; request for comments.", "nprm"),
    ("Rule", "Final rule.", "other"),
    ("Notice", "Notice of meeting.", "other"),
])
def test_kind_from_type_and_action(doc_type, action, kind):
    assert kind_from(doc_type, action) == kind


@pytest.mark.parametrize("raw, clean", [
    ("Docket No. 170602536-7536-01", "170602536-7536-01"),
    ("Docket # 240119-0021", "240119-0021"),
    ("Docket ID: CISA-2022-0010", "CISA-2022-0010"),
    ("NTIA-2023-0005", "NTIA-2023-0005"),
    ("WC Docket No. 17-108", "WC Docket No. 17-108"),
])
def test_docket_prefixes_stripped(raw, clean):
    assert clean_docket(raw) == clean


def test_short_names():
    assert short_name("Federal Communications Commission") == "FCC"
    assert short_name("Bureau of Consumer Protection") == "BCP"


# --- regulations.gov ---------------------------------------------------------------------------

def test_regulations_gov_document_record():
    imported = from_regulations_gov(IMPORT / "ntia-noi-regulations-gov.json")
    f = imported.fields
    assert f["title"] == "International Internet Policy Priorities"
    assert f["agency"] == {"name": "National Telecommunications and Information Administration",
                           "short_name": "NTIA"}
    assert f["docket"] == "NTIA-2018-0002"
    assert f["kind"] == "rfc"                         # a notice of inquiry
    # 2018-07-03T03:59:59Z is 11:59 p.m. on July 2 in Washington.
    assert f["deadline"] == dt.date(2018, 7, 2)
    assert f["published"] == dt.date(2018, 6, 5)
    assert f["citation"] == "83 FR 26036"
    assert f["url"] == "https://www.regulations.gov/document/NTIA-2018-0002-0001"
    assert "Federal Register document 2018-12075" in imported.notes


def test_regulations_gov_unknown_agency_keeps_acronym(tmp_path):
    data = json.loads((IMPORT / "ntia-noi-regulations-gov.json").read_text())
    data["data"]["attributes"]["agencyId"] = "XYZA"
    path = tmp_path / "doc.json"
    path.write_text(json.dumps(data))
    imported = from_regulations_gov(path)
    assert imported.fields["agency"] == {"name": "XYZA", "short_name": "XYZA"}
    assert "only its acronym" in imported.warnings[0]


# --- question lists ----------------------------------------------------------------------------

def test_question_list_numbering_wrapping_and_preamble():
    qs = read_questions(IMPORT / "cisa-circia-questions.txt")
    assert [q.id for q in qs] == ["1", "2", "3", "3a", "3b", "4", "5", "6"]
    assert qs[0].text == ('The meaning of "covered entity," consistent with the definition '
                          "provided in section 2240(5) of the Homeland Security Act, and the "
                          "factors CISA should consider when determining which entities fall "
                          "within it.")
    assert qs[1].text.endswith("so that reporting entities can apply it with certainty.")
    assert qs[3].text == "payments made by third parties on behalf of a covered entity;"
    assert qs[5].text.startswith("How covered entities")           # "(4)"
    assert qs[6].text.startswith("Whether third parties")          # "Q5:"
    assert qs[7].text.startswith("How CISA can harmonize")          # "Question 6:"
    assert not any("Page" in q.text or "CISA invites" in q.text for q in qs)
    assert qs[0].line == 9


@pytest.mark.parametrize("text, ids", [
    ("1. One?\n2. Two?\n", ["1", "2"]),
    ("1) One?\n2) Two?\n", ["1", "2"]),
    ("(1) One?\n(2) Two?\n", ["1", "2"]),
    ("Q1: One?\nQ2. Two?\n", ["1", "2"]),
    ("Question 1: One?\nQuestion 2 - Two?\n", ["1", "2"]),
    ("**1.** One?\n**2.** Two?\n", ["1", "2"]),
    ("1.1 One?\n1.2 Two?\n", ["1.1", "1.2"]),
    ("4. Parent:\n   (i) first;\n   (ii) second.\n", ["4", "4i", "4ii"]),
])
def test_question_list_styles(text, ids):
    assert [q.id for q in parse_questions(text, Path("q.txt"))] == ids


def test_blank_line_ends_a_finished_question_but_not_an_unfinished_one():
    text = ("1. What should the rule\n\ncover in practice?\n2. Who reports?\n\n"
            "Dated: March 1, 2024.\n")
    qs = parse_questions(text, Path("q.txt"))
    assert [q.text for q in qs] == ["What should the rule cover in practice?", "Who reports?"]


def test_question_list_errors():
    with pytest.raises(LoadError, match="no numbered questions found") as err:
        read_questions(IMPORT / "no-questions.txt")
    assert err.value.path == IMPORT / "no-questions.txt"
    with pytest.raises(LoadError, match=r"duplicate question number 1 \(also on line 3\)") as err:
        read_questions(IMPORT / "duplicate-questions.txt")
    assert err.value.line == 8
    with pytest.raises(LoadError, match="question 2 has no text"):
        parse_questions("1. One?\n2.\n", Path("q.txt"))


# --- drafter new -------------------------------------------------------------------------------

def test_new_from_federal_register_and_questions(tmp_path):
    out = tmp_path / "circia.yaml"
    result = run_cli("new", "--from-federal-register", IMPORT / "cisa-circia-rfi.json",
                     "--questions", IMPORT / "cisa-circia-questions.txt", "-o", out)
    assert result.code == 0, result.err
    assert f"wrote {out} (rfi, US, 8 questions)" in result.err
    cf = load_consultation(out)
    c = cf.model
    assert c.title.startswith("Request for Information on the Cyber Incident Reporting")
    assert (c.agency.short_name, c.kind.value, c.docket, c.deadline) == \
        ("CISA", "rfi", "CISA-2022-0010", dt.date(2022, 11, 14))
    assert [q.id for q in c.questions] == ["1", "2", "3", "3a", "3b", "4", "5", "6"]
    text = out.read_text()
    assert text.startswith("# Imported from the Federal Register document 2022-19551")
    assert "# agency also listed: Homeland Security Department" in text
    assert not any(line != line.rstrip() for line in text.splitlines())   # no trailing spaces


def test_new_is_reproducible(tmp_path):
    outputs = []
    for name in ("a.yaml", "b.yaml"):
        out = tmp_path / name
        assert run_cli("new", "--from-regulations-gov", IMPORT / "ntia-noi-regulations-gov.json",
                       "-o", out).code == 0
        outputs.append(out.read_text().replace(name, "X"))
    assert outputs[0] == outputs[1]


def test_new_never_overwrites_without_force(tmp_path):
    out = tmp_path / "c.yaml"
    out.write_text("keep me\n")
    result = run_cli("new", "--from-federal-register", IMPORT / "ntia-botnets-rfc.json", "-o", out)
    assert result.code == 2
    assert result.err.strip() == f"{out}: error: already exists (use --force to overwrite)"
    assert out.read_text() == "keep me\n"
    result = run_cli("new", "--from-federal-register", IMPORT / "ntia-botnets-rfc.json", "-o", out,
                     "--force")
    assert result.code == 0
    assert load_consultation(out).model.agency.short_name == "NTIA"


def test_new_from_flags_and_questions_drafts(tmp_path, workspace):
    out = workspace / "ftc.yaml"
    result = run_cli("new", "--title", "Commercial Surveillance and Data Security",
                     "--agency", "Federal Trade Commission", "--kind", "nprm",
                     "--jurisdiction", "US", "--docket", "FTC-2022-0053", "--deadline",
                     "2022-11-21", "--questions", IMPORT / "cisa-circia-questions.txt", "-o", out,
                     cwd=workspace)
    assert result.code == 0, result.err
    c = load_consultation(out).model
    assert (c.agency.name, c.agency.short_name, c.deadline) == \
        ("Federal Trade Commission", "FTC", dt.date(2022, 11, 21))
    result = run_cli("draft", out, "-o", workspace / "ftc.md", cwd=workspace)
    assert result.code == 0, result.err
    assert "template us-rfc-responses" in result.err


def test_new_flags_override_the_document(tmp_path):
    out = tmp_path / "c.yaml"
    assert run_cli("new", "--from-federal-register", IMPORT / "ntia-botnets-rfc.json", "-o", out,
                   "--title", "Botnets", "--deadline", "2017-08-01", "--agency-short",
                   "N.T.I.A.").code == 0
    c = load_consultation(out).model
    assert (c.title, c.deadline, c.agency.short_name) == ("Botnets", dt.date(2017, 8, 1),
                                                          "N.T.I.A.")
    assert c.agency.name == "National Telecommunications and Information Administration"


@pytest.mark.parametrize("option, name, message", [
    ("--from-federal-register", "not-json.json",
     "not-json.json:1:1: error: not JSON (Expecting value): expected a Federal Register API "
     "document"),
    ("--from-federal-register", "wrong-shape.json",
     "wrong-shape.json:1: error: JSON list at the top: expected a Federal Register API document"),
    ("--from-federal-register", "fr-search-two-results.json",
     "fr-search-two-results.json: error: holds 2 search results"),
    ("--from-federal-register", "ntia-noi-regulations-gov.json",
     "looks like a regulations.gov record"),
    ("--from-regulations-gov", "ntia-botnets-rfc.json",
     "looks like a Federal Register document"),
    ("--from-regulations-gov", "wrong-shape.json", "no 'data' object"),
    ("--from-federal-register", "missing.json", "missing.json: error: no such file"),
    ("--questions", "no-questions.txt", "no-questions.txt: error: no numbered questions found"),
    ("--questions", "duplicate-questions.txt",
     "duplicate-questions.txt:8: error: duplicate question number 1 (also on line 3)"),
])
def test_new_bad_input_is_one_line_exit_2_nothing_written(tmp_path, option, name, message):
    out = tmp_path / "c.yaml"
    extra = ["--title", "T", "--agency", "Federal Trade Commission", "--kind", "rfc",
             "--jurisdiction", "US"] if option == "--questions" else []
    result = run_cli("new", option, IMPORT / name, "-o", out, *extra)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert name in lines[0]
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_new_without_enough_to_go_on_asks_for_options(tmp_path):
    result = run_cli("new", "--title", "Something", "-o", tmp_path / "c.yaml")
    assert result.code == 2
    assert "missing --agency, --kind, --jurisdiction" in result.err
    assert not (tmp_path / "c.yaml").exists()


def test_new_both_sources_is_a_usage_error(tmp_path):
    result = run_cli("new", "--from-federal-register", IMPORT / "ntia-botnets-rfc.json",
                     "--from-regulations-gov", IMPORT / "ntia-noi-regulations-gov.json",
                     "-o", tmp_path / "c.yaml")
    assert result.code == 2
    assert "not both" in result.err


def test_new_interactive_prompts(tmp_path):
    out = tmp_path / "eu.yaml"
    answers = "\n".join([
        "Call for evidence on the Digital Networks Act",   # title
        "European Commission",                             # agency
        "Commission",                                      # short name
        "call-for-evidence",                               # kind
        "EU",                                              # jurisdiction
        "Ares(2025)123456",                                # docket
        "not a date",                                      # deadline, refused
        "2025-07-11",                                      # deadline
        "1. Should network operators be able to charge content providers?",
        "2. How can the EU reach its connectivity targets",
        "   for rural areas?",
        "",
    ]) + "\n"
    proc = subprocess.run([sys.executable, "-m", "drafter", "new", "-i", "-o", str(out)],
                          input=answers, capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ}, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "'not a date' is not a date" in proc.stderr
    c = load_consultation(out).model
    assert (c.title, c.agency.short_name, c.kind.value, c.jurisdiction, c.docket, c.deadline) == (
        "Call for evidence on the Digital Networks Act", "Commission", "call-for-evidence",
        "EU", "Ares(2025)123456", dt.date(2025, 7, 11))
    assert [(q.id, q.text) for q in c.questions] == [
        ("1", "Should network operators be able to charge content providers?"),
        ("2", "How can the EU reach its connectivity targets for rural areas?")]


def test_new_names_the_file_after_agency_and_title(tmp_path):
    result = run_cli("new", "--from-federal-register", IMPORT / "cisa-circia-rfi.json",
                     cwd=tmp_path)
    assert result.code == 0, result.err
    expected = tmp_path / "cisa-cyber-incident-reporting-critical-infrastructure.yaml"
    assert expected.is_file()
    assert "Next: drafter suggest cisa-cyber-incident-reporting-critical-infrastructure.yaml" \
        in expected.read_text()
    again = run_cli("new", "--from-federal-register", IMPORT / "cisa-circia-rfi.json",
                    cwd=tmp_path)
    assert again.code == 2 and "already exists" in again.err
