"""Issue 12, items 12-17: a newcomer's first hour, through the CLI as users run it."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli, run_process

README = ROOT / "README.md"
NTIA = "examples/ntia-botnets-comments.yaml"


def tour_commands() -> list[list[str]]:
    """The commands of the README's "A tour of the CLI", comments stripped."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## A tour of the CLI", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.splitlines():
        line = line.split("  #", 1)[0].strip()
        if line and not line.startswith("#"):
            commands.append(shlex.split(line))
    return commands


# -- 12. the README tour ------------------------------------------------------------------------

def test_item12_readme_tour_runs_as_written(workspace):
    from tests.test_real_clients import require_uno

    commands = tour_commands()
    assert len(commands) >= 15 and all(c[0] == "drafter" for c in commands)
    needs_office = any("--update-fields" in c or any(a.endswith(".pdf") for a in c)
                       for c in commands)
    if needs_office:
        require_uno()
    for args in commands:
        result = run_cli(*args[1:], cwd=workspace)
        # the pre-filing gate fails a draft nobody reviewed yet, as the README says
        expected = 1 if args[1:3] == ["check", "--strict"] else 0
        assert result.code == expected, (" ".join(args), result.out[-600:], result.err[-600:])
    for made in ("consultations/circia.yaml", "out/circia.docx",
                 "out/ntia-botnets-comments.docx", "out/fcc.pdf", "out/cisa-circia-rfi.txt",
                 "out/preview/ntia-botnets-comments.html"):
        assert (workspace / made).is_file(), made
    # every file a tour command names exists in the repository (a fresh clone has it)
    for args in commands:
        for arg in args:
            if re.match(r"^(examples|templates)/", arg):
                assert (ROOT / arg).exists(), arg


# -- 13. the workspace from the consultation's folder ------------------------------------------

def test_item13_workspace_found_from_the_consultation_file(workspace, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    example = workspace / "examples" / "ntia-botnets-comments.yaml"
    result = run_cli("draft", example, "-f", "md", cwd=elsewhere)
    assert result.code == 0, result.err
    assert (workspace / "out" / "ntia-botnets-comments.md").is_file()
    assert list(elsewhere.iterdir()) == []
    for command in (["suggest", example], ["coverage", example],
                    ["preview", example, "-o", tmp_path / "p.html"]):
        assert run_cli(*command, cwd=elsewhere).code == 0, command
    # drafter new writes to the workspace's consultations/ by default
    result = run_cli("new", "--from-regulations-gov",
                     ROOT / "examples" / "import" / "NTIA-2018-0002-0001.json", cwd=workspace)
    assert result.code == 0, result.err
    made = workspace / "consultations" / "ntia-international-internet-policy-priorities.yaml"
    assert made.is_file()
    assert "wrote consultations/ntia-international-internet-policy-priorities.yaml" in result.err
    # outside any workspace, the current folder still wins for new
    result = run_cli("new", "--title", "T", "--agency", "Test Agency", "--kind", "rfc",
                     "--jurisdiction", "US", cwd=elsewhere)
    assert result.code == 0, result.err
    assert (elsewhere / "ta-t.yaml").is_file() or any(elsewhere.glob("*.yaml"))


# -- 14. every error at once, did you mean, aliases, new kinds ---------------------------------

FOUR_MISTAKES = """\
title: Request for comments on botnets
agency: {name: National Telecommunications and Information Administration, short_name: NTIA}
kind: rcf
jurisdiction: USA
dockett: NTIA-2018-0001
deadline: not a date
"""


def test_item14_every_validation_error_at_once_with_did_you_mean(workspace):
    path = workspace / "examples" / "broken.yaml"
    path.write_text(FOUR_MISTAKES)
    result = run_cli("draft", path, "-o", workspace / "x.docx", cwd=workspace)
    assert result.code == 2
    lines = result.err.strip().split("\n")
    assert lines == [
        "examples/broken.yaml:3:1: error: invalid consultation: kind: 'rcf' is not one of 'rfc', "
        "'rfi', 'nprm', 'noi', 'anprm', 'fnprm', 'public-notice', 'call-for-evidence', "
        "'public-consultation', 'other' (did you mean 'rfc'?)",
        "examples/broken.yaml:5:1: error: invalid consultation: unknown key 'dockett' "
        "(did you mean 'docket'?)",
        "examples/broken.yaml:6:1: error: invalid consultation: deadline: 'not a date' is not "
        "a date: write YYYY-MM-DD (e.g. 2024-02-29)",
    ]
    assert not (workspace / "x.docx").exists()
    check = run_cli("check", path, cwd=workspace)
    assert check.code == 1
    found = [line for line in check.out.split("\n") if "broken.yaml" in line]
    assert len(found) == 3 and "did you mean 'docket'" in check.out


@pytest.mark.parametrize("kind, jurisdiction, expected", [
    ("NPRM", "us", "nprm"), ("Notice of Inquiry", "United States", "noi"),
    ("ANPRM", "US", "anprm"), ("fnprm", "US", "fnprm"), ("Public Notice", "US", "public-notice"),
    ("Call for Evidence", "eu", "call-for-evidence")])
def test_item14_kind_and_jurisdiction_any_case_with_aliases(workspace, tmp_path, kind,
                                                             jurisdiction, expected):
    path = workspace / "examples" / "aliases.yaml"
    path.write_text(f"title: T\nagency: {{name: Test Agency, short_name: TA}}\nkind: {kind}\n"
                    f"jurisdiction: {jurisdiction}\ndate: 2024-01-02\n")
    from drafter.load.consultation import load_consultation
    model = load_consultation(path).model
    assert model.kind.value == expected and model.jurisdiction in ("US", "EU")
    out = tmp_path / "a.md"
    result = run_cli("draft", path, "-o", out, cwd=workspace)
    assert result.code == 0, result.err
    template = "us-agency-comments" if model.jurisdiction == "US" else "eu-position-paper"
    assert f"template {template}" in result.err


# -- 15. the YAML colon trap -------------------------------------------------------------------

def test_item15_colon_in_a_title_explains_the_quoting(workspace):
    path = workspace / "examples" / "colon.yaml"
    path.write_text("title: Request for Comments: Botnets\nagency: {name: A, short_name: A}\n"
                    "kind: rfc\njurisdiction: US\n")
    result = run_cli("draft", path, cwd=workspace)
    assert result.code == 2
    line = result.err.strip()
    assert "\n" not in line and line.startswith("examples/colon.yaml:1:")
    assert "a value that contains ': ' must be quoted" in line
    assert line.endswith('write title: "Request for Comments: Botnets"')
    fixed = path.read_text().replace("title: Request for Comments: Botnets",
                                     'title: "Request for Comments: Botnets"')
    path.write_text(fixed)
    assert run_cli("draft", path, "-f", "md", cwd=workspace).code == 0


# -- 16. tests never touch the workspace's .drafter/ -------------------------------------------

def _state_files() -> dict[str, tuple[int, int]]:
    folder = ROOT / ".drafter"
    if not folder.is_dir():
        return {}
    return {str(p): (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*")
            if p.is_file()}


def test_item16_tests_keep_state_out_of_the_repository(tmp_path):
    from drafter.load.workspace import discover

    before = _state_files()
    assert not str(discover(start=ROOT).state_dir).startswith(str(ROOT))
    assert run_cli("draft", NTIA, "-o", tmp_path / "a.docx").code == 0
    assert run_cli("suggest", "examples/cisa-circia-rfi.yaml").code == 0
    assert run_process("draft", NTIA, "-o", tmp_path / "b.md").code == 0
    assert _state_files() == before


def test_item16_state_dir_env_var_moves_the_register(tmp_path, workspace):
    state = tmp_path / "state"
    result = run_process("draft", "examples/ntia-botnets-comments.yaml", "-o", tmp_path / "x.md",
                         cwd=workspace, env={"DRAFTER_STATE_DIR": str(state)})
    assert result.code == 0, result.err
    assert (state / "register.sqlite").is_file()
    assert not (workspace / ".drafter" / "register.sqlite").exists()


# -- 17. the small things -------------------------------------------------------------------------

def test_item17_new_with_only_questions_blames_no_file(tmp_path):
    questions = ROOT / "examples" / "import" / "circia-questions.txt"
    result = run_cli("new", "--questions", questions, "-o", tmp_path / "c.yaml", cwd=tmp_path)
    assert result.code == 2
    assert result.err.strip() == ("drafter: error: missing --title, --agency, --kind, "
                                  "--jurisdiction (give them as options, or run drafter new -i "
                                  "to be asked)")
    assert not (tmp_path / "c.yaml").exists()


def test_item17_positions_list_unknown_topic_lists_the_topics():
    result = run_cli("positions", "list", "--topic", "bgp")
    assert result.code == 2
    assert result.err.startswith("positions/topics.yaml: error: unknown topic 'bgp'; the "
                                 "topics are: backdoors, blocking, botnets,")
    assert "encryption" in result.err and result.err.count("\n") == 1


def test_item17_draft_without_o_writes_into_out(workspace):
    result = run_cli("draft", NTIA, "-f", "txt", cwd=workspace)
    assert result.code == 0, result.err
    assert (workspace / "out" / "ntia-botnets-comments.txt").is_file()
    assert not (workspace / "ntia-botnets-comments.txt").exists()
    assert "wrote out/ntia-botnets-comments.txt" in result.err


def test_item17_library_warnings_are_counted_in_draft_and_listed_in_check(workspace, tmp_path):
    result = run_cli("draft", NTIA, "-o", tmp_path / "n.md", cwd=workspace)
    assert result.code == 0
    assert "[broad-term]" not in result.err
    assert ("drafter: warning: 1 warning(s) about wording in the position library: run drafter "
            "check to see them [library-warnings]") in result.err
    check = run_cli("check", cwd=workspace)
    assert "'industry' is used" in check.out and "[broad-term]" in check.out
    # preview prints what draft prints (it listed the library's warning itself)
    preview = run_cli("preview", NTIA, "-o", tmp_path / "n.html", cwd=workspace)
    assert preview.code == 0, preview.err
    assert "[broad-term]" not in preview.err
    assert ("warning: 1 warning(s) about wording in the position library: run drafter "
            "check to see them [library-warnings]") in preview.err


def test_item17_should_count_says_per_1000_words(workspace, tmp_path):
    block = workspace / "positions" / "procedure" / "should-heavy.md"
    block.write_text(
        "---\nid: should-heavy\ntitle: Should\nsummary: Many shoulds.\ntopics: [procedure]\n"
        "stance: neutral\nrole: argument\njurisdictions: [any]\n"
        "source: {seed: ntia-botnets-comments, section: I. INTRODUCTION, paragraph: 1}\n"
        "status: approved\nlast_reviewed: 2026-11-20\n---\n"
        + " ".join(["Agencies should act now."] * 6) + "\n")
    path = workspace / "examples" / "should.yaml"
    path.write_text("title: T\nagency: {name: Test Agency, short_name: TA}\nkind: rfc\n"
                    "jurisdiction: US\ndate: 2024-01-02\npositions: [should-heavy]\n")
    result = run_cli("check", path, cwd=workspace)
    line = next(line for line in result.out.split("\n") if "[should-overuse]" in line)
    assert re.search(r"'should' is used 6 times in [\d,]+ words: [\d.]+ per 1,000 words, above "
                     r"the limit of 5 per 1,000 words", line), line


def test_item13_harvest_finds_the_workspace_from_the_filing(workspace, tmp_path):
    assert run_cli("draft", NTIA, cwd=workspace).code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("harvest", workspace / "out" / "ntia-botnets-comments.docx",
                     cwd=elsewhere)
    assert result.code == 0, result.err
    assert "12 blocks: 12 unchanged" in result.out + result.err


def test_item13_check_finds_the_workspace_from_the_path(workspace, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("check", workspace / "examples" / "cisa-circia-rfi.yaml", cwd=elsewhere)
    assert result.code == 0, result.out + result.err
    assert "1 file checked" in result.out


def test_item14_kind_abbreviations_agencies_use(workspace, tmp_path):
    """The FTC writes "ANPR", others "NPR" or "FNPR": each is read as its kind."""
    from drafter.load.models import normal_kind

    assert [normal_kind(k) for k in ("ANPR", "anpr", "FNPR", "NPR", "Proposed Rule")] == \
        ["anprm", "anprm", "fnprm", "nprm", "nprm"]


def test_item14_a_date_written_another_way_says_how_to_write_it(workspace):
    path = workspace / "examples" / "us-date.yaml"
    path.write_text("title: T\nagency: {name: Federal Trade Commission, short_name: FTC}\n"
                    "kind: ANPR\njurisdiction: US\ndeadline: 11/21/2022\n")
    result = run_cli("check", path, cwd=workspace)
    assert result.code == 1
    assert ("examples/us-date.yaml:5:1: error: invalid consultation: deadline: '11/21/2022' is "
            "not a date: write YYYY-MM-DD (e.g. 2024-02-29) [schema]") in result.out


def test_default_template_serves_the_consultations_jurisdiction(workspace):
    """A UK call for evidence gets the UK response: no EU Transparency Register line, no US
    caption or "/s/" signature."""
    path = workspace / "examples" / "uk-cfe.yaml"
    path.write_text('title: Call for evidence on the cyber security of data centres\n'
                    'agency: {name: "Department for Science, Innovation and Technology", '
                    'short_name: DSIT}\nkind: call for evidence\njurisdiction: UK\n'
                    'questions:\n  - {id: "1", text: What standards should operators follow?}\n')
    out = workspace / "out" / "uk.composed.md"
    result = run_cli("draft", path, "-f", "composed", "-o", out, cwd=workspace)
    assert result.code == 0, result.err
    assert "template uk-consultation-response" in result.err
    text = out.read_text()
    assert "Transparency Register" not in text
    assert "Before the" not in text and "/s/" not in text and "In the Matter of" not in text
    assert ("Department for Science, Innovation and Technology call for evidence: response from "
            "the ") in text
    assert "# Responses to the consultation questions" in text and "**Contact**" in text
    # no date given: a placeholder under the title, not nothing; the thanks come before the
    # heading over the organisation's profile
    assert "[[TODO: date of filing]]" in text
    assert text.index('block="thanks-for-opportunity"') < text.index("# About the i2Coalition") \
        < text.index('block="coalition-voice-of-builders"')


def test_no_template_for_the_jurisdiction_is_an_error_not_another_jurisdictions(workspace):
    for name in ("uk-consultation-response", "uk-position-paper"):
        (workspace / "templates" / f"{name}.jinja").unlink()
    path = workspace / "examples" / "uk-only.yaml"
    path.write_text("title: T\nagency: {name: Home Office, short_name: Home Office}\n"
                    "kind: rfi\njurisdiction: UK\n")
    result = run_cli("draft", path, "-o", workspace / "out" / "x.md", cwd=workspace)
    assert result.code == 2
    assert "no template in" in result.err and "serves UK consultations" in result.err
    assert not (workspace / "out" / "x.md").exists()


def test_a_uk_consultation_without_questions_gets_the_uk_position_paper(workspace):
    path = workspace / "examples" / "uk-positions.yaml"
    path.write_text('title: Call for evidence on the cyber security of data centres\n'
                    'agency: {name: "Department for Science, Innovation and Technology", '
                    'short_name: DSIT}\nkind: call for evidence\njurisdiction: UK\n'
                    'positions: [address-internet-fragmentation, due-process-data-access]\n')
    out = workspace / "out" / "uk.composed.md"
    result = run_cli("draft", path, "-f", "composed", "-o", out, cwd=workspace)
    assert result.code == 0, result.err
    assert "template uk-position-paper" in result.err
    text = out.read_text()
    headings = [line for line in text.splitlines() if line.startswith("# ")]
    assert headings == ["# About the i2Coalition", "# Our position"]
    assert text.index("# Our position") < text.index('block="address-internet-fragmentation"')
    assert "/s/" not in text and "Before the" not in text and "**Contact**" in text
