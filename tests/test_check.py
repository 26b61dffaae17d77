"""``drafter check`` on the shipped workspace and on broken copies of it: every fault the issue
lists is found, at the right file and line, with the right code and exit status."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path


from tests.conftest import ROOT, run_cli

NTIA = "examples/ntia-botnets-comments.yaml"
THANKS = "positions/procedure/thanks-for-opportunity.md"
MARKET = "positions/security/market-driven-botnet-mitigation.md"
US_TEMPLATE = "templates/us-agency-comments.jinja"


def check(ws: Path, *args):
    result = run_cli("check", "--format", "json", *args, cwd=ws)
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)["diagnostics"]


def of(diags, code, path=None):
    return [d for d in diags if d["code"] == code and (path is None or d["path"] == path)]


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count))


def set_reviewed(path: Path, date: str) -> None:
    text = path.read_text()
    assert re.search(r"^last_reviewed: .*$", text, re.M)
    path.write_text(re.sub(r"^last_reviewed: .*$", f"last_reviewed: {date}", text, count=1,
                           flags=re.M))


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text().split("\n"), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def new_block(ws: Path, block_id: str, body: str, **front) -> Path:
    meta = {"title": "A test block", "summary": "A test block.", "topics": "[procedure]",
            "stance": "neutral", "role": "argument", "jurisdictions": "[any]",
            "status": "approved", "last_reviewed": dt.date.today().isoformat()}
    meta.update(front)
    lines = ["---", f"id: {block_id}"] + [f"{k}: {v}" for k, v in meta.items() if k != "source"]
    lines += ["source:", "  seed: ntia-botnets-comments", "  section: test", "  paragraph: 1",
              "---", body]
    path = ws / "positions" / "procedure" / f"{block_id}.md"
    path.write_text("\n".join(lines) + "\n")
    return path


def consultation(ws: Path, name: str, positions, **extra) -> Path:
    lines = ["title: A test request for comments", "agency:", "  name: Test Agency",
             "  short_name: TA", "kind: rfc", "jurisdiction: US", "date: 2018-02-12",
             "template: us-agency-comments"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    lines += ["positions:"] + [f"  - {p}" for p in positions]
    path = ws / "examples" / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


# -- the shipped workspace --------------------------------------------------------------------

def test_shipped_workspace_passes():
    result = run_cli("check", cwd=ROOT)
    assert result.code == 0, result.out + result.err
    assert " 0 errors" not in result.out  # the summary starts the line
    summary = result.out.strip().split("\n")[-1]
    assert summary.startswith("0 errors, ") and summary.endswith(" files checked"), summary


def test_text_format_is_compiler_style(workspace):
    edit(workspace / THANKS, "topics: [procedure]", "topics: [procedur]")
    result = run_cli("check", THANKS, cwd=workspace)
    assert result.code == 1
    lines = result.out.strip().split("\n")
    assert lines[0] == (f"{THANKS}:5:10: error: unknown topic 'procedur' "
                        "(did you mean 'procedure'?) [unknown-topic]")
    assert lines[-1] == "1 error, 0 warnings in 1 file checked"


def test_usage_errors_exit_2(workspace):
    missing = run_cli("check", "no/such/file.md", cwd=workspace)
    assert missing.code == 2 and "does not exist" in missing.err
    bad_rule = run_cli("check", "--ignore", "stal", cwd=workspace)
    assert bad_rule.code == 2 and "unknown rule 'stal' (did you mean 'stale'?)" in bad_rule.err
    assert "Traceback" not in missing.err + bad_rule.err


def test_list_rules():
    result = run_cli("check", "--list-rules")
    codes = [line.split()[0] for line in result.out.strip().split("\n")]
    assert len(codes) == len(set(codes)) >= 20
    for code in ("schema", "duplicate-id", "unknown-topic", "unknown-position", "jinja-syntax",
                 "undefined", "stale", "stance-conflict", "placeholder", "deadline",
                 "length-limit", "glossary", "should-overuse", "broad-term", "sandbox",
                 "retired-in-use"):
        assert code in codes


# -- schema, ids, topics ---------------------------------------------------------------------

def test_schema_error_in_a_block_names_the_key_line(workspace):
    edit(workspace / THANKS, "stance: neutral", "stance: maybe")
    code, diags = check(workspace)
    found = of(diags, "schema", THANKS)
    assert code == 1 and len(found) == 1
    assert found[0]["line"] == 6 and "stance" in found[0]["message"]


def test_schema_error_in_a_consultation_names_the_key_line(workspace):
    edit(workspace / NTIA, "kind: rfc", "kind: rfx")
    code, diags = check(workspace)
    found = of(diags, "schema", NTIA)
    assert code == 1 and len(found) == 1
    assert found[0]["line"] == line_of(workspace / NTIA, "kind: rfx")
    assert "kind" in found[0]["message"]


def test_every_broken_file_is_reported_not_only_the_first(workspace):
    edit(workspace / THANKS, "stance: neutral", "stance: maybe")
    edit(workspace / MARKET, "role: argument", "role: arguing")
    code, diags = check(workspace)
    assert {d["path"] for d in of(diags, "schema")} == {THANKS, MARKET}


def test_duplicate_ids(workspace):
    copy = workspace / "positions" / "procedure" / "zz-copy.md"
    copy.write_text((workspace / THANKS).read_text())
    code, diags = check(workspace)
    found = of(diags, "duplicate-id")
    assert code == 1 and len(found) == 1
    assert found[0]["path"] == "positions/procedure/zz-copy.md" and found[0]["line"] == 2
    assert f"also in {THANKS}" in found[0]["message"]


def test_unknown_topic_with_suggestion(workspace):
    edit(workspace / MARKET, "topics: [", "topics: [botnet, ")
    code, diags = check(workspace)
    found = of(diags, "unknown-topic", MARKET)
    assert code == 1 and found[0]["line"] == 5
    assert "unknown topic 'botnet' (did you mean 'botnets'?)" == found[0]["message"]


def test_unknown_seed(workspace):
    edit(workspace / THANKS, "seed: ntia-botnets-comments", "seed: ntia-botnet-comments")
    code, diags = check(workspace)
    found = of(diags, "unknown-seed", THANKS)
    assert code == 1 and found[0]["line"] == 10
    assert "did you mean 'ntia-botnets-comments'" in found[0]["message"]


def test_unknown_position_in_consultation_and_template(workspace):
    edit(workspace / NTIA, "  - centralization-threat", "  - centralisation-threat")
    edit(workspace / US_TEMPLATE, '["thanks-for-opportunity"]', '["thanks-for-oportunity"]')
    code, diags = check(workspace)
    in_consultation = of(diags, "unknown-position", NTIA)
    in_template = of(diags, "unknown-position", US_TEMPLATE)
    assert code == 1
    assert in_consultation[0]["line"] == line_of(workspace / NTIA, "centralisation-threat")
    assert "(did you mean 'centralization-threat'?)" in in_consultation[0]["message"]
    assert in_template[0]["line"] == line_of(workspace / US_TEMPLATE, "thanks-for-oportunity")
    assert "(did you mean 'thanks-for-opportunity'?)" in in_template[0]["message"]


def test_unknown_template_and_role(workspace):
    edit(workspace / NTIA, "template: us-agency-comments", "template: us-agency-coments")
    edit(workspace / US_TEMPLATE, 'selected(role="concern")', 'selected(role="concerns")')
    code, diags = check(workspace)
    assert "did you mean 'us-agency-comments'" in of(diags, "unknown-template", NTIA)[0]["message"]
    role = of(diags, "unknown-role", US_TEMPLATE)[0]
    assert role["line"] == line_of(workspace / US_TEMPLATE, 'role="concerns"')
    assert "unknown role 'concerns' (did you mean 'concern'?)" in role["message"]


def test_template_metadata(workspace):
    edit(workspace / US_TEMPLATE, "priority: 10", "priority: high")
    code, diags = check(workspace)
    found = of(diags, "template-metadata", US_TEMPLATE)
    assert code == 1 and found[0]["line"] == line_of(workspace / US_TEMPLATE, "priority: high")


def test_retired_block_in_use(workspace):
    edit(workspace / MARKET, "status: approved", "status: retired")
    code, diags = check(workspace)
    found = of(diags, "retired-in-use", NTIA)
    assert code == 1 and len(found) == 1
    assert found[0]["line"] == line_of(workspace / NTIA, "- market-driven-botnet-mitigation")


# -- templates and block bodies --------------------------------------------------------------

def test_jinja_syntax_error_in_a_template_at_its_line(workspace):
    edit(workspace / US_TEMPLATE, "{% if arguments %}", "{% if arguments %%}")
    code, diags = check(workspace)
    found = of(diags, "jinja-syntax", US_TEMPLATE)
    assert code == 1 and found
    assert found[0]["line"] == line_of(workspace / US_TEMPLATE, "{% if arguments %%}")


def test_jinja_syntax_error_in_a_block_at_the_file_line(workspace):
    edit(workspace / THANKS, "{{ agency.first_mention }}", "{{ agency.first_mention }")
    code, diags = check(workspace)
    found = of(diags, "jinja-syntax", THANKS)
    assert code == 1 and len(found) == 1
    assert found[0]["line"] == line_of(workspace / THANKS, "{{ agency.first_mention }")


def test_unknown_filter_is_a_syntax_error_with_suggestion(workspace):
    edit(workspace / THANKS, "{{ agency.first_mention }}", "{{ agency.first_mention | upperr }}")
    code, diags = check(workspace)
    found = of(diags, "jinja-syntax", THANKS)
    assert found and found[0]["line"] == line_of(workspace / THANKS, "| upperr }}")
    assert "did you mean 'upper'" in found[0]["message"]


def test_undefined_names_static(workspace):
    edit(workspace / THANKS, "{{ agency.first_mention }}", "{{ org.shortname }} {{ agencyy.name }}")
    code, diags = check(workspace)
    found = of(diags, "undefined", THANKS)
    messages = {d["message"] for d in found}
    assert code == 1
    assert "undefined name: 'org' has no attribute 'shortname' (did you mean 'short_name'?)" \
        in messages
    assert "undefined name 'agencyy' (did you mean 'agency'?)" in messages
    assert {d["line"] for d in found} == {line_of(workspace / THANKS, "{{ agencyy.name }}")}


def test_undefined_nested_attribute(workspace):
    block = workspace / "positions/coalition/coalition-history.md"
    edit(block, "{{ org.first_convened.year }}", "{{ org.first_convened.yeer }}")
    code, diags = check(workspace)
    found = of(diags, "undefined", "positions/coalition/coalition-history.md")
    assert code == 1 and len(found) == 1
    assert "'org.first_convened' has no attribute 'yeer'" in found[0]["message"]


def test_undefined_found_only_by_the_trial_render(workspace):
    # `variables` is free-form: only rendering against the examples shows the missing key.
    edit(workspace / US_TEMPLATE, "# INTRODUCTION", "# INTRODUCTION {{ variables.sponsor }}")
    code, diags = check(workspace)
    found = of(diags, "undefined", US_TEMPLATE)
    assert code == 1 and found
    assert found[0]["line"] == line_of(workspace / US_TEMPLATE, "variables.sponsor")
    assert "sponsor" in found[0]["message"] and "rendering template us-agency-comments" \
        in found[0]["message"]


def test_sandbox_payload_in_template(workspace):
    edit(workspace / US_TEMPLATE, "# INTRODUCTION", "# INTRODUCTION\n{% set x = ''.__class__ %}")
    code, diags = check(workspace)
    found = of(diags, "sandbox", US_TEMPLATE)
    assert code == 1 and found[0]["line"] == line_of(workspace / US_TEMPLATE, "__class__")


# -- the library -----------------------------------------------------------------------------

def test_stale_block_is_a_warning(workspace):
    set_reviewed(workspace / THANKS, "2001-01-01")
    code, diags = check(workspace, THANKS)
    found = of(diags, "stale", THANKS)
    assert code == 0 and len(found) == 1 and found[0]["severity"] == "warning"
    assert found[0]["line"] == 14
    strict = run_cli("check", "--strict", THANKS, cwd=workspace)
    assert strict.code == 1
    assert strict.out.splitlines()[-2:] == [
        "0 errors, 1 warning in 1 file checked",
        "--strict: warnings fail the check (exit 1); each line above is one to resolve before "
        "filing"]


def test_stale_age_comes_from_drafter_yaml(workspace):
    edit(workspace / "drafter.yaml", "stale_after_days: 730", "stale_after_days: 1")
    reviewed = (dt.date.today() - dt.timedelta(days=3)).isoformat()
    set_reviewed(workspace / THANKS, reviewed)
    code, diags = check(workspace, THANKS)
    assert "3 days ago" in of(diags, "stale", THANKS)[0]["message"]


def test_stance_conflict_in_one_filing(workspace):
    new_block(workspace, "backdoors-welcome", "We welcome exceptional access.",
              topics="[backdoors]", stance="support")
    new_block(workspace, "backdoors-no", "We oppose exceptional access.",
              topics="[backdoors, encryption]", stance="oppose")
    path = consultation(workspace, "conflict", ["thanks-for-opportunity", "backdoors-welcome",
                                                "backdoors-no"])
    code, diags = check(workspace, path)
    found = of(diags, "stance-conflict")
    assert code == 1 and len(found) == 1
    assert found[0]["path"] == "examples/conflict.yaml"
    assert found[0]["line"] == line_of(path, "- backdoors-no")
    assert "'backdoors-welcome' supports it, 'backdoors-no' opposes it" in found[0]["message"]


def test_same_topic_second_is_no_conflict(workspace):
    # stance is toward the FIRST topic only
    new_block(workspace, "backdoors-no", "We oppose exceptional access.",
              topics="[backdoors]", stance="oppose")
    new_block(workspace, "encryption-yes", "We support strong encryption.",
              topics="[encryption, backdoors]", stance="support")
    path = consultation(workspace, "fine", ["backdoors-no", "encryption-yes"])
    code, diags = check(workspace, path)
    assert of(diags, "stance-conflict") == []


# -- path selection --------------------------------------------------------------------------

def test_paths_limit_the_report(workspace):
    edit(workspace / THANKS, "stance: neutral", "stance: maybe")
    edit(workspace / MARKET, "role: argument", "role: arguing")
    code, diags = check(workspace, MARKET)
    assert {d["path"] for d in diags} == {MARKET}
    code, diags = check(workspace, "positions/procedure")
    assert {d["path"] for d in diags} == {THANKS}


def test_a_consultation_outside_the_workspace(workspace, tmp_path):
    path = tmp_path / "elsewhere.yaml"
    path.write_text((workspace / NTIA).read_text().replace("- centralization-threat",
                                                           "- centralization-threats"))
    code, diags = check(workspace, path)
    assert code == 1
    assert [d["code"] for d in diags] == ["unknown-position"]
    assert diags[0]["path"] == str(path)


def test_block_variables_are_checked_against_the_consultations_that_use_them(workspace):
    new_block(workspace, "member-note", "Filed with {{ variables.member }}.")
    new_block(workspace, "nobody-defines", "Filed with {{ variables.nope }}.")
    path = consultation(workspace, "member", ["member-note"])
    path.write_text(path.read_text() + "variables:\n  member: Acme Hosting\n")
    code, diags = check(workspace)
    found = of(diags, "undefined")
    # no consultation can render the second block; the first renders where it is used
    assert [d["path"] for d in found] == ["positions/procedure/nobody-defines.md"]
    assert found[0]["line"] == 16 and "'nope'" in found[0]["message"]


def test_names_set_inside_a_branch_are_not_undefined(workspace):
    template = workspace / US_TEMPLATE
    edit(template, "# INTRODUCTION", "{% if consultation.docket %}{% else %}{% set picks = 1 %}"
         "{{ picks }}{% endif %}\n# INTRODUCTION {{ pickz }}")
    code, diags = check(workspace, US_TEMPLATE)
    names = [d["message"] for d in of(diags, "undefined", US_TEMPLATE)]
    assert names[0] == "undefined name 'pickz' (did you mean 'picks'?)" and len(names) == 1


def test_files_drafter_does_not_check_are_usage_errors(workspace):
    (workspace / "notes.md").write_text("# notes\n")
    (workspace / "x.txt").write_text("x\n")
    for name, message in (("notes.md", "not a position block"),
                          ("x.txt", "not a file drafter checks")):
        result = run_cli("check", name, cwd=workspace)
        assert result.code == 2 and result.err.startswith(f"{name}: error: {message}")


def test_broken_settings_are_reported(workspace):
    (workspace / "drafter.yaml").write_text("check:\n  stale_after_days: soon\n")
    code, diags = check(workspace, "drafter.yaml")
    assert code == 1 and of(diags, "schema", "drafter.yaml")[0]["line"] == 2
