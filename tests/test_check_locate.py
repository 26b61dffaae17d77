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
