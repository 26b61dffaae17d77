"""The sandbox refuses every payload of the corpus (tests/data/sandbox/payloads.txt), in a
position block's body and in a template: exit 2, one line on stderr naming the file and line,
nothing on stdout, no output file.  ``drafter check`` reports each one as an error."""

from __future__ import annotations

import re
import shutil

import pytest

from tests.conftest import DATA, ROOT, run_cli

PAYLOADS = [line for line in (DATA / "sandbox" / "payloads.txt").read_text().split("\n")
            if line.strip() and not line.startswith("#")]
BLOCK = "positions/procedure/thanks-for-opportunity.md"
TEMPLATE = "templates/us-agency-comments.jinja"
ANCHOR = "# INTRODUCTION\n"


def test_corpus_is_large_enough():
    assert len(PAYLOADS) >= 40
    assert len(set(PAYLOADS)) == len(PAYLOADS)


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    dest = tmp_path_factory.mktemp("sandbox") / "ws"
    dest.mkdir()
    for name in ("positions", "templates", "seeds", "examples"):
        shutil.copytree(ROOT / name, dest / name)
    for name in ("org.yaml", "drafter.yaml", "glossary.yaml"):
        shutil.copy(ROOT / name, dest / name)
    return dest


@pytest.mark.parametrize("where", ["block", "template"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_payload_is_refused(ws, payload, where):
    block, template = ws / BLOCK, ws / TEMPLATE
    block_text, template_text = block.read_text(), template.read_text()
    assert ANCHOR in template_text
    out = ws / "out.md"
    try:
        if where == "block":
            block.write_text(block_text + payload + "\n")
            expected = f"{BLOCK}:{block_text.count(chr(10)) + 1}: error: "
        else:
            template.write_text(template_text.replace(ANCHOR, ANCHOR + payload + "\n", 1))
            line = template_text[:template_text.index(ANCHOR)].count("\n") + 2
            expected = f"{TEMPLATE}:{line}: error: "
        result = run_cli("draft", "examples/ntia-botnets-comments.yaml", "-o", out, cwd=ws)
    finally:
        block.write_text(block_text)
        template.write_text(template_text)
    assert result.code == 2, result.err
    assert result.out == ""
    lines = result.err.strip().split("\n")
    assert len(lines) == 1 and lines[0].startswith(expected), result.err
    assert "Traceback" not in result.err
    assert not out.exists()


def test_drafter_check_reports_every_payload(workspace):
    folder = workspace / "positions" / "payloads"
    folder.mkdir()
    head = (workspace / BLOCK).read_text().split("\n---\n")[0]
    for i, payload in enumerate(PAYLOADS):
        front = head.replace("id: thanks-for-opportunity", f"id: payload-{i}")
        (folder / f"payload-{i}.md").write_text(f"{front}\n---\nText.\n{payload}\n")
    result = run_cli("check", "positions/payloads", cwd=workspace)
    assert result.code == 1
    line = front.count("\n") + 4           # the payload's line: after "---", "---", "Text."
    flagged = set(re.findall(rf"^positions/payloads/payload-(\d+)\.md:{line}: error: ",
                             result.out, re.M))
    missing = [PAYLOADS[i] for i in range(len(PAYLOADS)) if str(i) not in flagged]
    assert missing == []


def test_harmless_templates_pass():
    from drafter.compose.environment import WorkspaceLoader, make_environment

    env = make_environment(WorkspaceLoader([]))
    env.globals["items"] = [{"title": "b"}, {"title": "a"}]
    text = ("{{ items|map(attribute='title')|sort|join(',') }} {{ ('abc'|attr('upper'))() }} "
            "{{ 'ab' * 3 }} {{ 2 ** 10 }} {{ '%s!'|format('hi') }} "
            "{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}"
            "{% endfor %}{{ ns.n }}")
    assert env.from_string(text).render() == "a,b ABC ababab 1024 hi! 3"


def test_ordinary_names_and_keys_are_not_refused():
    from drafter.compose.environment import WorkspaceLoader, make_environment

    env = make_environment(WorkspaceLoader([]))
    text = ("{% for g in ['a'] %}{% set session = g %}{{ session }}{% endfor %} "
            "{{ opts['format'] }} {{ opts.mro_note }}")
    assert env.from_string(text).render(opts={"format": "letter", "mro_note": "n"}) == \
        "a letter n"
