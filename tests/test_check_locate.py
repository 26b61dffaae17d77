"""Draft findings point at the place the words were written, not an earlier look-alike."""

from __future__ import annotations

from tests.conftest import run_cli

CONSULTATION = """title: Notice of Inquiry on Internet Governance
agency: {name: National Telecommunications and Information Administration, short_name: NTIA}
kind: rfc
jurisdiction: US
date: 2026-01-05
questions:
  - id: "1"
    text: Does the multistakeholder approach still work?
answers:
  "1":
    text: >-
      We think the
      multistakeholder model works.
"""


def test_glossary_finding_names_the_answer_line_not_the_question(workspace):
    path = workspace / "examples" / "noi.yaml"
    path.write_text(CONSULTATION)
    result = run_cli("check", "examples/noi.yaml", cwd=workspace)
    lines = [line for line in result.err.splitlines() + result.out.splitlines() if "[glossary]" in line]
    assert lines == [
        "examples/noi.yaml:13:7: warning: prefer 'multi-stakeholder' to 'multistakeholder' "
        "(house style, as in the coalition's own filings) [glossary]"]


def test_placeholder_for_an_organisation_fact_names_org_yaml_at_its_key(workspace):
    # The mailing-address placeholder under the signature was reported at the consultation's
    # line 3, where nothing can fill it in; it is set in org.yaml.
    path = workspace / "examples" / "noi.yaml"
    path.write_text(CONSULTATION)
    org = (workspace / "org.yaml").read_text(encoding="utf-8").splitlines()
    key_line = next(n for n, line in enumerate(org, start=1) if line.startswith("address:"))
    for command in (("check", "examples/noi.yaml"),
                    ("draft", "examples/noi.yaml", "-o", "out/noi.docx")):
        result = run_cli(*command, cwd=workspace)
        lines = [line for line in (result.err + result.out).splitlines() if "mailing address" in line]
        assert lines == [f"org.yaml:{key_line}: warning: leftover placeholder "
                         "'[[TODO: mailing address (org.yaml: address)]]' [placeholder]"], command
