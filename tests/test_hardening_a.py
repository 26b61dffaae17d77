"""Issue 13, part A: security, resource limits, errors and determinism.

Each test is named after the item it covers (``test_itemNN_...``); each item's siblings are
tested with it.  Everything goes through the CLI as a user runs it, unless a unit is named.
"""

from __future__ import annotations

import os
import shutil
import stat
import time
from pathlib import Path

import jinja2
import pytest

from tests.conftest import EXAMPLES, ROOT, run_cli, run_process

_WS: Path | None = None   # this module's copy of the workspace: tests never write into ROOT


@pytest.fixture(scope="module", autouse=True)
def _module_workspace(tmp_path_factory):
    global _WS
    dest = tmp_path_factory.mktemp("hardening") / "ws"
    dest.mkdir()
    for name in ("positions", "templates", "seeds", "examples"):
        shutil.copytree(ROOT / name, dest / name)
    for name in ("org.yaml", "drafter.yaml", "glossary.yaml"):
        shutil.copy(ROOT / name, dest / name)
    _WS = dest
    yield dest


@pytest.fixture(autouse=True)
def _private_key_home(tmp_path, monkeypatch):
    """The compiled-template cache key of these tests lives in tmp_path, not in ~/.config."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def cli(*args, cwd=None):
    """The CLI in this process, in this module's workspace unless told otherwise."""
    return run_cli(*args, cwd=cwd or _WS)


def proc(*args, cwd=None, env=None):
    """The CLI as a new process, in this module's workspace unless told otherwise."""
    return run_process(*args, cwd=cwd or _WS,
                       env={"XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"], **(env or {})})

NTIA = EXAMPLES / "ntia-botnets-comments.yaml"


def one_error_line(result, *fragments):
    assert result.code == 2, (result.code, result.err)
    lines = result.err.strip().split("\n")
    assert len(lines) == 1, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def key_home(tmp_path, monkeypatch):
    """A private XDG_CONFIG_HOME, so no test touches the user's own cache key."""
    home = tmp_path / "config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


# -- item 1: a consultation names a template, never a file --------------------------------------

def _consultation(tmp_path: Path, **replace) -> Path:
    text = NTIA.read_text()
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("spec, message", [
    ("/etc/passwd", "not a path"),
    ("../templates/us-agency-comments", "not a path"),
    ("templates/us-agency-comments.jinja", "not a path"),
    ("/etc/hostname.jinja", "not a path"),
    ("_macros", "is a partial"),
    ("_filing", "is a partial"),
    ("'..'", "not a path"),
    ("'us-agency-comments/../../x'", "not a path"),
])
def test_item01_template_path_outside_workspace_refused(tmp_path, spec, message):
    path = _consultation(tmp_path, **{"template: us-agency-comments": f"template: {spec}"})
    out = tmp_path / "out.md"
    result = cli("draft", path, "-o", out)
    one_error_line(result, f"{path}:10: error: template", message)
    assert not out.exists()
    check = cli("check", path)
    assert check.code == 1 and f"{path}:10: error: template" in check.out


def test_item01_template_symlink_out_of_the_folder_refused(workspace, tmp_path):
    outside = tmp_path / "evil.jinja"
    outside.write_text("{{ org.name }} stolen\n")
    (workspace / "templates" / "evil.jinja").symlink_to(outside)
    path = _consultation(tmp_path, **{"template: us-agency-comments": "template: evil"})
    result = cli("draft", path, "-o", tmp_path / "out.md", cwd=workspace)
    one_error_line(result, f"{path}:10:", "template 'evil' leads outside templates/")


def test_item01_partial_link_out_of_the_folder_is_not_loaded(workspace, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("SECRET\n")
    (workspace / "templates" / "_evil.jinja").symlink_to(outside)
    template = workspace / "templates" / "probe.jinja"
    template.write_text('{% include "_evil.jinja" %}\n')
    result = cli("draft", workspace / "examples" / NTIA.name, "--template", "probe",
                 "-o", tmp_path / "o.md", cwd=workspace)
    one_error_line(result, "template '_evil.jinja' not found")


def test_item01_cli_template_path_stays_allowed(tmp_path):
    template = tmp_path / "mine.jinja"
    template.write_text("# Mine\n\n{{ consultation.title | md }}\n")
    out = tmp_path / "out.md"
    result = cli("draft", NTIA, "--template", template, "-o", out)
    assert result.code == 0, result.err
    assert out.read_text().startswith("# Mine\n")


def test_item01_consultation_reference_docx_outside_refused(tmp_path):
    (tmp_path / "sub").mkdir()
    path = _consultation(tmp_path / "sub", **{"template: us-agency-comments":
                                              "template: us-agency-comments\n"
                                              "reference_docx: ../house.docx"})
    shutil.copy(ROOT / "templates" / "house-style.docx", tmp_path / "house.docx")
    out = tmp_path / "out.docx"
    result = cli("draft", path, "-o", out)
    one_error_line(result, f"{path}:11:", "reference_docx must be a document in the "
                                          "consultation's folder or the workspace")
    assert not out.exists()
    for ref in ("/etc/passwd", "../../../../etc/passwd"):
        path.write_text(path.read_text().replace("reference_docx: ../house.docx",
                                                 f"reference_docx: {ref}"))
        one_error_line(cli("draft", path, "-o", out), f"{path}:11:", "reference_docx")
        path.write_text(path.read_text().replace(f"reference_docx: {ref}",
                                                 "reference_docx: ../house.docx"))
    # beside the consultation it is used, and the command line may name any file
    shutil.copy(tmp_path / "house.docx", tmp_path / "sub" / "house.docx")
    path.write_text(path.read_text().replace("../house.docx", "house.docx"))
    assert cli("draft", path, "-o", out).code == 0
    path.write_text(path.read_text().replace("reference_docx: house.docx\n", ""))
    assert cli("draft", path, "--reference-docx", tmp_path / "house.docx", "-o",
                   out).code == 0


# -- item 3: the compiled-template cache is authenticated --------------------------------------

def _env(cache):
    from drafter.compose.sandbox import HardenedEnvironment

    env = HardenedEnvironment(loader=jinja2.DictLoader({"t": "{{ x }}!"}))
    env.bytecode_cache = cache
    return env


def test_item03_tampered_cache_file_is_never_loaded(tmp_path, key_home, monkeypatch):
    from drafter.bccache import TemplateCache

    folder = tmp_path / "jinja"
    assert _env(TemplateCache(folder)).get_template("t").render(x="a") == "a!"
    (entry,) = folder.glob("*.cache")
    signed = entry.read_bytes()
    # an attacker's code object, with the source checksum kept: one byte changed anywhere
    loaded = []
    original = jinja2.bccache.Bucket.load_bytecode
    monkeypatch.setattr(jinja2.bccache.Bucket, "load_bytecode",
                        lambda self, f: (loaded.append(1), original(self, f)))
    for at in (len(signed) - 1, len(signed) // 2, 30):
        forged = bytearray(signed)
        forged[at] ^= 0x01
        entry.write_bytes(bytes(forged))
        assert _env(TemplateCache(folder)).get_template("t").render(x="b") == "b!"
        assert loaded == []
    # an unsigned file (the old format, or written by hand) is not loaded either
    entry.write_bytes(signed[len(b"drafter-jinja-hmac1\n") + 32:])
    _env(TemplateCache(folder)).get_template("t")
    assert loaded == []
    # the genuine file is
    entry.write_bytes(signed)
    _env(TemplateCache(folder)).get_template("t")
    assert loaded == [1]


def test_item03_cache_signed_with_another_key_is_not_loaded(tmp_path, key_home, monkeypatch):
    from drafter.bccache import TemplateCache

    folder = tmp_path / "jinja"
    _env(TemplateCache(folder, key=b"k" * 32)).get_template("t")
    loaded = []
    monkeypatch.setattr(jinja2.bccache.Bucket, "load_bytecode",
                        lambda self, f: loaded.append(1))
    _env(TemplateCache(folder)).get_template("t")   # the user's own key
    assert loaded == []


def test_item03_key_is_private_and_outside_the_workspace(tmp_path, key_home):
    from drafter.bccache import key_path, user_key

    key = user_key()
    assert key is not None and len(key) == 32
    path = key_path()
    assert path == key_home / "drafter" / "key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert user_key() == key
    path.chmod(0o644)   # readable by others: not a secret, so no disk cache
    assert user_key() is None


def test_item03_draft_through_the_cli_signs_the_cache(workspace, tmp_path, key_home):
    out = tmp_path / "o.md"
    env = {"XDG_CONFIG_HOME": str(key_home)}
    first = proc("draft", "examples/ntia-botnets-comments.yaml", "-o", out,
                        cwd=workspace, env=env)
    assert first.code == 0, first.err
    entries = list((workspace / ".drafter" / "jinja").glob("*.cache"))
    assert entries and all(e.read_bytes().startswith(b"drafter-jinja-hmac1\n") for e in entries)
    expected = out.read_bytes()
    for entry in entries:   # rewrite every entry with code that would fail loudly
        data = entry.read_bytes()
        entry.write_bytes(data[:-8] + b"\x00" * 8)
    second = proc("draft", "examples/ntia-botnets-comments.yaml", "-o", out,
                         cwd=workspace, env=env)
    assert second.code == 0, second.err
    assert out.read_bytes() == expected


# -- item 4: resource limits in templates and YAML -------------------------------------------

LIMIT_CASES = {
    "center-filter": '{{ "x" | center(10**9) }}',
    "center-method": '{{ "x".center(10**9) }}',
    "ljust-method": '{{ "x".ljust(10**9) }}',
    "zfill-method": '{{ "1".zfill(10**9) }}',
    "expandtabs": '{{ ("\\t" * 1000).expandtabs(10**6) }}',
    "mul-string": '{{ "x" * 10**7 }}',
    "printf-width": '{{ "%999999999d" % 1 }}',
    "format-filter": '{{ "%0999999999d" | format(1) }}',
    "join-filter": '{{ range(100000) | join("x" * 100000) }}',
    "join-method": '{{ ("y" * 100000).join(["a"] * 100) }}',
    "replace-filter": '{{ ("x" * 100000) | replace("x", "y" * 1000) }}',
    "replace-method": '{{ ("x" * 100000).replace("x", "y" * 1000) }}',
    "indent-filter": '{{ ("a\\n" * 100000) | indent(1000) }}',
    "concat-doubling": '{% set ns = namespace(s="x" * 1000) %}{% for i in range(30) %}'
                       '{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}',
    "plus-doubling": '{% set ns = namespace(s=["x"]) %}{% for i in range(30) %}'
                     '{% set ns.s = ns.s + ns.s %}{% endfor %}{{ ns.s | length }}',
    "int-squaring": '{% set ns = namespace(v=3) %}{% for i in range(40) %}'
                    '{% set ns.v = ns.v * ns.v %}{% endfor %}{{ ns.v }}',
    "nested-range": '{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}'
                    '{% endfor %}',
    "printed-output": '{% for i in range(100000) %}{{ "x" * 999999 }}{% endfor %}',
    "doubly-recursive-macro": '{% macro f(n) %}{% if n > 0 %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}'
                              '{% endmacro %}{{ f(40) }}',
    "endless-recursion": '{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(1) }}',
    "wordwrap-huge": '{{ ("x" * 1000000) | wordwrap(1) }}',
}


@pytest.fixture(scope="module")
def limits_ws(tmp_path_factory):
    dest = tmp_path_factory.mktemp("limits") / "ws"
    dest.mkdir()
    for name in ("positions", "templates", "examples"):
        shutil.copytree(ROOT / name, dest / name)
    for name in ("org.yaml", "drafter.yaml"):
        shutil.copy(ROOT / name, dest / name)
    return dest


@pytest.mark.parametrize("case", sorted(LIMIT_CASES))
def test_item04_template_resource_limits(limits_ws, tmp_path, case):
    template = limits_ws / "templates" / f"limit-{case}.jinja"
    template.write_text("# Title\n\n" + LIMIT_CASES[case] + "\n")
    out = tmp_path / "o.md"
    started = time.monotonic()
    result = cli("draft", "examples/ntia-botnets-comments.yaml", "--template",
                     f"limit-{case}", "-o", out, cwd=limits_ws)
    line = one_error_line(result, f"templates/limit-{case}.jinja:3: error: ")
    assert "over the sandbox's limits" in line or "refused by the sandbox" in line, line
    assert time.monotonic() - started < 15
    assert not out.exists()


def test_item04_limits_in_a_block_name_the_block(workspace, tmp_path):
    block = workspace / "positions" / "procedure" / "thanks-for-opportunity.md"
    lines = block.read_text().count("\n")
    block.write_text(block.read_text() + '{{ "x" | center(10**9) }}\n')
    result = cli("draft", "examples/ntia-botnets-comments.yaml", "-o", tmp_path / "o.md",
                     cwd=workspace)
    one_error_line(result, f"positions/procedure/thanks-for-opportunity.md:{lines + 1}:",
                   "the 'center' filter would build 1,000,000,000 characters")


def test_item04_render_time_limit(limits_ws, tmp_path, monkeypatch):
    from drafter.compose import sandbox

    monkeypatch.setattr(sandbox, "MAX_SECONDS", 0.2)
    (limits_ws / "templates" / "slow.jinja").write_text(
        "{% for i in range(100000) %}{% for j in range(9) %}{{ i | string }}{% endfor %}"
        "{% endfor %}\n")
    result = cli("draft", "examples/ntia-botnets-comments.yaml", "--template", "slow",
                     "-o", tmp_path / "o.md", cwd=limits_ws)
    one_error_line(result, "templates/slow.jinja:1:", "ran longer than 0.2 seconds")


def test_item04_ordinary_templates_stay_within_the_limits(tmp_path):
    for example in sorted(EXAMPLES.glob("*.yaml")):
        result = cli("draft", example, "-o", tmp_path / f"{example.stem}.md")
        assert result.code == 0, result.err


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def _laughs_under(key: str) -> str:
    return BILLION_LAUGHS.replace("i: &i", f"{key}: &i")


def _bomb_cases(ws: Path) -> dict:
    """(command, file) per YAML file drafter reads, each made a billion-laughs bomb."""
    block = ws / "positions" / "procedure" / "thanks-for-opportunity.md"
    body = block.read_text()
    return {
        "consultation": (["draft", "bomb.yaml", "-o", "out/o.md"], ws / "bomb.yaml",
                         BILLION_LAUGHS),
        "front-matter": (["draft", "examples/ntia-botnets-comments.yaml", "-o", "out/o.md"],
                         block, body.replace("---\n", "---\n" + BILLION_LAUGHS, 1)),
        "org": (["draft", "examples/ntia-botnets-comments.yaml", "-o", "out/o.md"],
                ws / "org.yaml", BILLION_LAUGHS),
        "topics": (["positions", "list"], ws / "positions" / "topics.yaml", BILLION_LAUGHS),
        "settings": (["draft", "examples/ntia-botnets-comments.yaml", "-o", "out/o.md"],
                     ws / "drafter.yaml", BILLION_LAUGHS),
        "glossary": (["draft", "examples/ntia-botnets-comments.yaml", "-o", "out/o.md"],
                     ws / "glossary.yaml",
                     BILLION_LAUGHS),
        "batch": (["batch", "b.yaml"], ws / "b.yaml", BILLION_LAUGHS),
        "suggest": (["suggest", "bomb.yaml"], ws / "bomb.yaml", BILLION_LAUGHS),
    }


@pytest.mark.parametrize("case", ["consultation", "front-matter", "org", "topics", "settings",
                                  "glossary", "batch", "suggest"])
def test_item04_yaml_billion_laughs_refused_everywhere(workspace, case):
    command, path, text = _bomb_cases(workspace)[case]
    path.write_text(text)
    started = time.monotonic()
    result = cli(*command, cwd=workspace)
    assert time.monotonic() - started < 10
    # the glossary only drives warnings: drafting goes on without it, saying why
    assert result.code in ((0,) if case == "glossary" else (1, 2)), result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    rel = path.relative_to(workspace)
    assert f"{rel}:" in result.err + result.out
    assert "aliases expand to more than 10,000 values" in result.err + result.out


def test_item04_yaml_small_aliases_still_work(tmp_path):
    from drafter.load.yamlsrc import parse_yaml

    data, _ = parse_yaml("base: &b {a: 1, b: [1, 2]}\none: *b\ntwo: *b\n")
    assert data == {"base": {"a": 1, "b": [1, 2]}, "one": {"a": 1, "b": [1, 2]},
                    "two": {"a": 1, "b": [1, 2]}}


def test_item04_yaml_nesting_too_deep(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("title: " + "[" * 5000 + "]" * 5000 + "\n")
    one_error_line(cli("draft", path, "-o", tmp_path / "o.md"), f"{path}:1")
    path.write_text("".join("  " * i + f"k{i}:\n" for i in range(300)) + "  " * 300 + "x\n")
    one_error_line(cli("draft", path, "-o", tmp_path / "o.md"), f"{path}:",
                   "nested more than 200 levels")


def test_item04_fast_yaml_path_leaves_aliases_to_the_budget():
    from drafter.load.yamlsrc import may_have_aliases

    assert may_have_aliases(BILLION_LAUGHS)
    assert may_have_aliases("topics: [*a]") and may_have_aliases("- *x")
    assert not may_have_aliases('title: "*Star* & R&D"\nsummary: a*b\n')
    # every place a node can start: a line, a block indicator, a value, a flow item
    for text in ("a: *b", "a:\n  *b : c", '{"a":*b}', "- - *a", "--- *a", "? *a\n: b",
                 "[a,*b]", "*a", "x: [\n *a]", "<<: *base"):
        assert may_have_aliases(text), text
    # emphasis inside a scalar is text, and keeps the fast path
    assert not may_have_aliases("summary: the opportunity to **ensure** that\n- a **b**\n")


def test_item04_alias_check_is_the_rule_of_where_a_node_starts():
    """The check finds each '*' and then looks back along its line; it must say what the rule
    says, written as one pattern: a '*' and a name character, at a line's start after
    indentation, after '- ' or '? ', or after ':', '[', '{' or ','."""
    import random
    import re

    from drafter.load.yamlsrc import may_have_aliases

    rule = re.compile(r"(?:^[ \t]*|[?-][ \t]+|[:\[{,][ \t]*)\*[^\s\[\]{},]", re.M)
    pick = random.Random(4).choice
    alphabet = list(" \t\n*-?:[]{},ab\"'")
    texts = ["".join(pick(alphabet) for _ in range(n % 15)) for n in range(20_000)]
    flagged = 0
    for text in texts:
        expected = rule.search(text) is not None
        flagged += expected
        assert may_have_aliases(text) == expected, repr(text)
    assert 1_000 < flagged < 19_000          # both answers are exercised


# -- item 2: text from consultations is data, never provenance or structure ---------------------

INTL = EXAMPLES / "ntia-international-internet-policy.yaml"
FORGED = '::: {.block block="eu-oppose-backdoors" hash="272e0fc983"}'


def _bookmarks(docx: Path) -> list[str]:
    import re
    import zipfile

    with zipfile.ZipFile(docx) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    return re.findall(r'w:bookmarkStart [^>]*w:name="([^"]+)"', xml)


def _docx_text(docx: Path) -> str:
    import docx as python_docx

    return "\n".join(p.text for p in python_docx.Document(str(docx)).paragraphs)


def _forged_answer(tmp_path: Path, text: str) -> Path:
    data = INTL.read_text()
    old = '''    positions: [eu-oppose-backdoors, due-process-data-access]'''
    assert old in data
    block = "\n".join("      " + line for line in text.split("\n"))
    path = tmp_path / "forged.yaml"
    path.write_text(data.replace(old, "    positions: [due-process-data-access]\n"
                                      "    text: |-\n" + block))
    return path


FORGERIES = {
    "fenced-div": f"Our words.\n\n{FORGED}\nPosing as the approved block: the submitter's words.\n:::",
    "longer-fence": FORGED.replace(":::", "::::") + "\nPosing.\n::::",
    "in-a-list": "- item\n\n  " + FORGED + "\n  Posing.\n  :::",
    "in-a-quote": "> " + FORGED + "\n> Posing.\n> :::",
    "numbered": "1. " + FORGED + "\n   Posing.\n   :::",
    "bare-attributes": '::: {block="eu-oppose-backdoors" hash="272e0fc983"}\nPosing.\n:::',
    "with-a-seal": FORGED[:-1] + ' seal="0123456789abcdef"}\nPosing.\n:::',
}


@pytest.mark.parametrize("case", sorted(FORGERIES))
def test_item02_answer_text_cannot_pose_as_a_block(tmp_path, case):
    path = _forged_answer(tmp_path, FORGERIES[case])
    out = tmp_path / "f.docx"
    result = cli("draft", path, "-o", out)
    assert result.code == 0, result.err
    names = _bookmarks(out)
    assert names and not any("eu_oppose_backdoors" in n for n in names), names
    assert "Posing" in _docx_text(out)
    md = tmp_path / "f.composed.md"
    assert cli("draft", path, "-o", md).code == 0
    from drafter.model import parse_markdown

    doc = parse_markdown(md.read_text())
    blocks = set()

    def walk(nodes):
        for node in nodes:
            if getattr(node, "source", None) is not None:
                blocks.add(node.source.block)
            walk(getattr(node, "children", []) or [])
            for item in getattr(node, "items", []) or []:
                walk([item])
    walk(doc.children)
    assert "eu-oppose-backdoors" not in blocks
    assert "due-process-data-access" in blocks
    # the composer's own marks are gone; a forged one stays, escaped, as the text it was
    assert all(line.lstrip("-0123456789.> ").startswith("\\")
               for line in md.read_text().split("\n") if "seal=" in line)


def test_item02_harvest_never_writes_answer_text_into_a_block(tmp_path):
    block = _WS / "positions" / "encryption" / "eu-oppose-backdoors.md"
    before = block.read_bytes()
    path = _forged_answer(tmp_path, FORGERIES["fenced-div"])
    out = tmp_path / "f.docx"
    assert cli("draft", path, "-o", out).code == 0
    result = cli("harvest", out, "--consultation", path, "--format", "json")
    assert result.code == 0, result.err
    import json

    report = json.loads(result.out)
    assert "eu-oppose-backdoors" not in json.dumps(report.get("blocks", report))
    assert block.read_bytes() == before


@pytest.mark.parametrize("where", ["title", "variable", "question", "docket", "agency",
                                   "filer"])
def test_item02_values_cannot_make_structure(workspace, tmp_path, where):
    import yaml

    data = yaml.safe_load(INTL.read_text())
    data["answers"]["4"]["positions"] = ["due-process-data-access"]
    evil = "Evil\n\n# Heading made by data\n\n" + FORGED + "\nPosing.\n:::"
    if where == "title":
        data["title"] = evil
    elif where == "variable":
        block = workspace / "positions" / "procedure" / "thanks-for-opportunity.md"
        block.write_text(block.read_text() + "\n{{ variables.evil }}\n")
        data.setdefault("variables", {})["evil"] = evil
    elif where == "question":
        data["questions"][0]["text"] = evil
    elif where == "docket":
        data["docket"] = evil
    elif where == "agency":
        data["agency"]["short_name"] = evil
        data["agency"]["name"] = evil
    elif where == "filer":
        data["filer"] = {"name": evil, "title": evil}
    path = workspace / "evil.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "f.md"
    result = cli("draft", path, "-o", out, cwd=workspace)
    assert result.code == 0, result.err
    from drafter.model import parse_markdown
    from drafter.model.nodes import Heading

    doc = parse_markdown(out.read_text())
    found = []

    def walk(nodes):
        for node in nodes:
            if isinstance(node, Heading):
                found.append(node)
            if getattr(node, "source", None) is not None:
                assert node.source.block != "eu-oppose-backdoors"
            walk(getattr(node, "children", []) or [])
            for item in getattr(node, "items", []) or []:
                walk([item])
    walk(doc.children)
    from drafter.model.nodes import Text

    def text_of(node):
        return "".join(c.text if isinstance(c, Text) else text_of(c)
                       for c in getattr(node, "children", []) or [])
    assert not any("made by data" in text_of(h) for h in found)


def test_item02_md_escape_and_data_markdown_units():
    from drafter.compose.functions import data_markdown, md_escape
    from drafter.model import parse_markdown
    from drafter.model.nodes import Div, Heading

    for text in ("::: {.block block=\"x\"}\nbody\n:::", "# Title", "1. item", "{.unnumbered}",
                 "- item", "``` code", "Title\n===", ":::: x"):
        doc = parse_markdown(md_escape(text))
        assert not any(isinstance(n, (Div, Heading)) for n in doc.children), text
    kept = parse_markdown(data_markdown("*em* and [a link](https://x.org)\n\n- one\n- two\n\n"
                                        "Note.[^n]\n\n[^n]: A footnote."))
    assert [type(n).__name__ for n in kept.children] == ["Paragraph", "List", "Paragraph"] \
        or len(kept.children) >= 3
    assert kept.footnotes
    for text in ("::: {.block block=\"x\"}\nbody\n:::", "# Title", "{.unnumbered}\n# T",
                 "```\ncode", "<div>raw</div>", "Title\n---", "[x]: https://evil.example"):
        doc = parse_markdown(str(data_markdown(text)))
        assert not any(isinstance(n, (Div, Heading)) for n in doc.children), text


# -- item 18: no "internal error" for any input ------------------------------------------------

@pytest.mark.parametrize("line, fragment", [
    ("date: 2024-02-30", "invalid value '2024-02-30': day is out of range for month"),
    ("date: 2023-02-29", "invalid value '2023-02-29'"),
    ("date: 2024-13-01", "month must be in 1..12"),
    ("date: 2024-01-01T25:00:00", "invalid value '2024-01-01T25:00:00'"),
    ("date: 0000-01-01", "invalid value '0000-01-01'"),
    ("date: !!float xyz", "invalid value 'xyz'"),
    ("date: !!binary xyz", "malformed YAML"),
    ("date: !!python/object:os.system x", "malformed YAML"),
])
def test_item18_impossible_dates_and_values_name_the_file(tmp_path, line, fragment):
    text = NTIA.read_text()
    assert "date: 2018-02-12" in text
    path = tmp_path / "c.yaml"
    path.write_text(text.replace("date: 2018-02-12", line))
    out = tmp_path / "o.md"
    one_error_line(cli("draft", path, "-o", out), f"{path}:9", fragment)
    assert not out.exists()


def test_item18_impossible_date_as_a_key(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(NTIA.read_text() + "2024-02-30: x\n")
    one_error_line(cli("draft", path, "-o", tmp_path / "o.md"), f"{path}:",
                   "invalid value '2024-02-30'")


@pytest.mark.parametrize("pattern", ["{consultation:d}", "{consultation!r}", "{template:>999}",
                                     "{consultation:{template}}", "{}", "{0}", "{consultation",
                                     "{consultation.upper}", "{consultation[0]}"])
def test_item18_batch_name_pattern(workspace, pattern):
    batch = workspace / "b.yaml"
    batch.write_text("output_dir: out/b\nmatrix:\n  consultations: "
                     "[examples/ntia-botnets-comments.yaml]\n"
                     f"  name: {pattern!r}\n".replace("'", '"'))
    one_error_line(cli("batch", "b.yaml", cwd=workspace), "b.yaml:4:", "name pattern")
    assert not (workspace / "out").exists()


def test_item18_source_date_epoch_out_of_range(tmp_path, monkeypatch):
    text = NTIA.read_text().replace("date: 2018-02-12\n", "")
    path = tmp_path / "c.yaml"
    path.write_text(text)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999999999")
    one_error_line(cli("draft", path, "-o", tmp_path / "o.docx"),
                   "SOURCE_DATE_EPOCH=99999999999999999 is not a time drafter can use")


def _index_db(workspace) -> Path:
    return workspace / ".drafter" / "index.sqlite"


@pytest.mark.parametrize("key", ["library", "listing", "schema", "topics", "topics_sha",
                                 "topics_signature"])
@pytest.mark.parametrize("bad", ["garbage{", "[]", "", "null", '{"a": 1}', '{"a": [1]}',
                                 '{"a": {"label": 1, "keywords": []}}'])
def test_item18_corrupt_suggestion_index_metadata_is_rebuilt(suggest_ws, key, bad):
    import sqlite3

    workspace, base, good = suggest_ws
    db = _index_db(workspace)
    db.write_bytes(base)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = ?", (bad, key))
    conn.close()
    result = cli("suggest", "examples/cisa-circia-rfi.yaml", cwd=workspace)
    assert result.code == 0, result.err
    assert result.out == good
    assert "internal error" not in result.err


@pytest.mark.parametrize("damage", ["DELETE FROM meta", "DROP TABLE meta", "DROP TABLE blocks",
                                    "UPDATE blocks SET size = 'x'",
                                    "UPDATE blocks SET mtime_ns = 'x'", "truncate"])
def test_item18_damaged_suggestion_index_is_rebuilt(suggest_ws, damage):
    import sqlite3

    workspace, base, good = suggest_ws
    db = _index_db(workspace)
    if damage == "truncate":
        db.write_bytes(base[: len(base) // 2])
    else:
        db.write_bytes(base)
        with sqlite3.connect(db) as conn:
            conn.execute(damage)
        conn.close()
    result = cli("suggest", "examples/cisa-circia-rfi.yaml", cwd=workspace)
    assert result.code == 0, result.err
    assert result.out == good


@pytest.fixture(scope="module")
def suggest_ws(tmp_path_factory):
    dest = tmp_path_factory.mktemp("index") / "ws"
    dest.mkdir()
    for name in ("positions", "templates", "seeds", "examples"):
        shutil.copytree(ROOT / name, dest / name)
    for name in ("org.yaml", "drafter.yaml", "glossary.yaml"):
        shutil.copy(ROOT / name, dest / name)
    first = cli("suggest", "examples/cisa-circia-rfi.yaml", cwd=dest)
    assert first.code == 0, first.err
    return dest, _index_db(dest).read_bytes(), first.out


# -- item 19: identical PDF bytes across runs ---------------------------------------------------

def test_item19_pdf_bytes_identical_across_processes(tmp_path):
    from tests.conftest import require_tool

    require_tool("soffice", "libreoffice")
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert proc("draft", NTIA, "-o", first).code == 0
    time.sleep(1.1)   # a different second on the clock
    assert proc("draft", NTIA, "-o", second, env={"TZ": "America/New_York"}).code == 0
    assert first.read_bytes() == second.read_bytes()
    data = first.read_bytes()
    assert b"/CreationDate(D:20180212000000" in data   # the consultation's date


def test_item19_pdf_date_from_source_date_epoch(tmp_path):
    from tests.conftest import require_tool

    require_tool("soffice", "libreoffice")
    path = tmp_path / "c.yaml"
    path.write_text(NTIA.read_text().replace("date: 2018-02-12\n", ""))
    out = tmp_path / "a.pdf"
    assert proc("draft", path, "-o", out, env={"SOURCE_DATE_EPOCH": "1700000000"}).code == 0
    assert b"/CreationDate(D:20231114000000" in out.read_bytes()


def test_item19_reproducible_pdf_unit():
    import datetime as dt

    from drafter.writers.pdf import reproducible_pdf

    when = dt.datetime(2018, 2, 12, tzinfo=dt.timezone.utc)
    a = (b"%PDF-1.4\n/ModDate(D:20261129182536+01'00')/CreationDate(D:20261129182536Z')>>\n"
         b"<xmp:CreateDate>2026-11-29T18:25:36+01:00</xmp:CreateDate>uuid:"
         b"0f8fad5b-d9cb-469f-a165-70867728950e\n"
         b"/ID [ <7F845C7FFE26895898B3DE54072AE7E3>\n<7F845C7FFE26895898B3DE54072AE7E3> ]\n"
         b"/DocChecksum /51F06C027635D17A829497F06EE99482\n")
    b = a.replace(b"20261129182536", b"20250101010101").replace(b"7F845C7F", b"00112233") \
        .replace(b"51F06C02", b"AAAAAAAA").replace(b"0f8fad5b", b"12345678")
    ra, rb = reproducible_pdf(a, when), reproducible_pdf(b, when)
    assert ra == rb and len(ra) == len(a)
    assert b"/ModDate(D:20180212000000+00'00')" in ra
    assert b"/CreationDate(D:20180212000000Z')" in ra
    assert b"<xmp:CreateDate>2018-02-12T00:00:00Z" in ra
    assert b"7F845C7F" not in ra and b"0f8fad5b" not in ra


# -- item 20: control characters never reach an output -----------------------------------------

CONTROLS = "\x1b[31m\x07\x7f\x00\x01\x08\x0e\x1f\x85\x9b2J\x1b]0;title\x07"


@pytest.mark.parametrize("fmt", ["md", "html", "txt", "docx"])
def test_item20_control_characters_cleaned_in_every_writer(tmp_path, fmt):
    import re

    import yaml

    data = yaml.safe_load(NTIA.read_text())
    data["title"] = f"Botnets{CONTROLS} RFC"
    data["variables"] = {"short_title": f"Short{CONTROLS}"}
    data["filer"] = {"name": f"Jane{CONTROLS} Doe", "title": "Director"}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    out = tmp_path / f"o.{fmt}"
    result = cli("draft", path, "-o", out)
    assert result.code == 0, result.err
    if fmt == "docx":
        import zipfile

        with zipfile.ZipFile(out) as z:
            text = "".join(z.read(n).decode("utf-8") for n in z.namelist()
                           if n.endswith(".xml"))
    else:
        text = out.read_text(encoding="utf-8")
    assert re.findall("[\x00-\x08\x0b-\x1f\x7f-\x9f]", text) == []
    assert "Botnets[31m2J]0;title RFC" in text.replace("\\", "") or "Botnets" in text


def test_item20_one_shared_cleaning():
    from drafter.model.parse import clean_text

    assert clean_text("a\x1bb\x07c\x7fd\x00e\x85f\x9bg\th\ni\r\nj\x0ck") == "abcdefg\th\ni\nj\nk"
    import drafter.writers.html as html
    import drafter.writers.markdown as md
    import drafter.writers.text as txt
    for module in (html, md, txt):
        assert module.clean_text is clean_text


def test_item20_terminal_messages_show_escapes(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(NTIA.read_text().replace("template: us-agency-comments",
                                             'template: "us\\e[31m-x\\a"'))
    line = one_error_line(cli("draft", path, "-o", tmp_path / "o.md"), f"{path}:10:")
    assert "\x1b" not in line and "\x07" not in line and "\\x1b" in line


# -- item 5: zip bombs --------------------------------------------------------------------------

def _bomb_docx(tmp_path: Path, name: str = "bomb.docx", megabytes: int = 20,
               members: int = 0) -> Path:
    import zipfile

    plain = tmp_path / "plain.docx"
    if not plain.exists():
        assert cli("draft", NTIA, "-o", plain).code == 0
    path = tmp_path / name
    shutil.copy(plain, path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        if megabytes:
            with z.open("word/media/bomb.bin", "w") as handle:
                for _ in range(megabytes):
                    handle.write(b"\0" * 2**20)
        for i in range(members):
            z.writestr(f"customXml/item{i}.xml", "")
    return path


def test_item05_zip_bomb_refused_by_harvest(tmp_path):
    bomb = _bomb_docx(tmp_path)
    assert bomb.stat().st_size < 200_000
    for args in (["harvest", bomb], ["harvest", bomb, "--consultation", NTIA],
                 ["harvest", bomb, "--consultation", NTIA, "--format", "json"]):
        one_error_line(cli(*args), f"{bomb}: error: Word document part "
                                       "'word/media/bomb.bin' expands")


def test_item05_zip_bomb_refused_as_reference_document(tmp_path):
    bomb = _bomb_docx(tmp_path)
    out = tmp_path / "o.docx"
    one_error_line(cli("draft", NTIA, "--reference-docx", bomb, "-o", out),
                   f"{bomb}: error: reference document part 'word/media/bomb.bin' expands")
    assert not out.exists()
    consultation = tmp_path / "c.yaml"
    consultation.write_text(NTIA.read_text() + "reference_docx: bomb.docx\n")
    one_error_line(cli("draft", consultation, "-o", out), "bomb.docx", "expands")


def test_item05_too_many_parts_and_too_large(tmp_path, monkeypatch):
    from drafter import ziplimits

    many = _bomb_docx(tmp_path, "many.docx", megabytes=0, members=60)
    monkeypatch.setattr(ziplimits, "MAX_MEMBERS", 50)
    one_error_line(cli("harvest", many), f"{many}:", "parts (at most 50)")
    monkeypatch.setattr(ziplimits, "MAX_MEMBERS", 5000)
    big = _bomb_docx(tmp_path, "big.docx", megabytes=3)
    monkeypatch.setattr(ziplimits, "MAX_RATIO", 10**9)
    monkeypatch.setattr(ziplimits, "MAX_MEMBER_BYTES", 2 * 2**20)
    one_error_line(cli("harvest", big), f"{big}:", "expands to 3 MiB (at most 2 MiB)")
    monkeypatch.setattr(ziplimits, "MAX_MEMBER_BYTES", 100 * 2**20)
    monkeypatch.setattr(ziplimits, "MAX_TOTAL_BYTES", 2 * 2**20)
    one_error_line(cli("harvest", big), f"{big}:", "in all (at most 2 MiB)")


def test_item05_ordinary_documents_pass(tmp_path):
    from drafter.ziplimits import check_package

    check_package(ROOT / "templates" / "house-style.docx")
    plain = tmp_path / "p.docx"
    assert cli("draft", NTIA, "-o", plain).code == 0
    check_package(plain)
    check_package(plain.read_bytes())


# -- item 6: linear importer patterns and bounded inputs ----------------------------------------

def _federal_register(tmp_path: Path, dates: str) -> Path:
    import json

    record = json.loads((ROOT / "tests" / "data" / "import" / FR_SAMPLE).read_text())
    record["dates"] = dates
    record.pop("comments_close_on", None)
    path = tmp_path / "fr.json"
    path.write_text(json.dumps(record))
    return path


FR_SAMPLE = next(p.name for p in sorted((ROOT / "tests" / "data" / "import").glob("*.json"))
                 if '"dates"' in p.read_text() and '"document_number"' in p.read_text())


@pytest.mark.parametrize("dates", [
    "Comments " * 22_000,
    "comment " * 25_000 + "due",
    "May " * 50_000,
    "1st " * 50_000,
    "." * 200_000,
    "The comment period for the notice published on June 5, 2019 is extended " * 2_700,
])
def test_item06_federal_register_dates_linear(tmp_path, dates):
    path = _federal_register(tmp_path, dates)
    started = time.monotonic()
    result = cli("new", "--from-federal-register", path, "-o", tmp_path / "c.yaml")
    assert time.monotonic() - started < 5, "quadratic pattern?"
    assert "Traceback" not in result.err and "internal error" not in result.err


def test_item06_deadline_cue_same_answers_as_the_old_pattern():
    import random
    import re

    from drafter.importers.common import _comment_cue

    old = re.compile(r"\b(?<!reply )comments?\b[^.]*\b(due|received|submitted|on or before|"
                     r"no later|by)\b", re.I)
    words = ["comment", "comments", "Reply", "reply", "due", "by", "received", "on or before",
             "no later", "p.m.", ".", "the", "Comments", "X", "submitted", "standby", "dues"]
    rng = random.Random(13)
    for _ in range(5000):
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12)))
        assert _comment_cue(sentence) == bool(old.search(sentence)), sentence


@pytest.mark.parametrize("text", [
    "1. What " + "!" * 100_000 + "x",
    "1. What\n" + "!" * 100_000 + "x\n\nmore",
    "1. " + "word " * 40_000,
    "\n".join(f"{i}. q?" for i in range(1, 20_000)),
    "1. What?\n" + " ." * 100_000 + "x",
])
def test_item06_question_lists_linear(tmp_path, text):
    path = tmp_path / "q.txt"
    path.write_text(text)
    started = time.monotonic()
    from drafter.importers.questions import read_questions

    read_questions(path)
    assert time.monotonic() - started < 5


def test_item06_oversized_and_deeply_nested_imports(tmp_path, monkeypatch):
    from drafter.importers import common

    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    one_error_line(cli("new", "--from-federal-register", deep, "-o", tmp_path / "c.yaml"),
                   f"{deep}: error: JSON nested too deep")
    monkeypatch.setattr(common, "MAX_IMPORT_BYTES", 1000)
    big = tmp_path / "big.json"
    big.write_text('{"x": "' + "a" * 5000 + '"}')
    one_error_line(cli("new", "--from-federal-register", big, "-o", tmp_path / "c.yaml"),
                   f"{big}:", "too large")
    q = tmp_path / "q.txt"
    q.write_text("1. " + "a" * 5000)
    from drafter.errors import LoadError
    from drafter.importers.questions import read_questions

    with pytest.raises(LoadError, match="5,003 bytes is too large for a question list"):
        read_questions(q)
    assert not (tmp_path / "c.yaml").exists()


FR_PATH = ROOT / "tests" / "data" / "import" / FR_SAMPLE


@pytest.mark.parametrize("text", ["[[" * 50_000, "[[TODO " * 20_000, "TODO " * 20_000])
def test_item06_check_rules_on_long_text(workspace, tmp_path, text):
    import yaml

    data = yaml.safe_load(INTL.read_text())
    data["answers"]["1"]["text"] = text
    path = workspace / "long.yaml"
    path.write_text(yaml.safe_dump(data))
    started = time.monotonic()
    result = cli("draft", path, "-o", tmp_path / "o.md", cwd=workspace)
    assert result.code == 0, result.err
    assert time.monotonic() - started < 20
    assert len(result.err.splitlines()) < 80


# -- item 18, siblings: every loader fuzzed with values of the wrong type -----------------------

FUZZ_VALUES = [None, True, 0, 10**30, 1.5, "", "x" * 5000, "2024-02-30", [], [1, [2]], {},
               {"a": {"b": None}}, "../../etc/passwd", "::: {.block}"]


def _paths(data, at=()):
    if isinstance(data, dict):
        for key, value in data.items():
            yield at + (key,)
            yield from _paths(value, at + (key,))
    elif isinstance(data, list) and data:
        yield at + (0,)
        yield from _paths(data[0], at + (0,))


@pytest.mark.parametrize("target", ["consultation", "org", "settings", "glossary", "block"])
def test_item18_loaders_fuzzed_with_bad_types(workspace, tmp_path, target):
    import yaml

    files = {
        "consultation": workspace / "examples" / "ntia-international-internet-policy.yaml",
        "org": workspace / "org.yaml",
        "settings": workspace / "drafter.yaml",
        "glossary": workspace / "glossary.yaml",
        "block": workspace / "positions" / "procedure" / "thanks-for-opportunity.md",
    }
    path = files[target]
    original = path.read_text()
    if target == "block":
        _, front, body = original.split("---\n", 2)
    else:
        front, body = original, None
    data = yaml.safe_load(front) or {}
    if target == "settings":
        data.setdefault("reference_docx", "house.docx")
        data.setdefault("check", {}).setdefault("glossary", "glossary.yaml")
    out = tmp_path / "o.md"
    tried = 0
    for key_path in _paths(data):
        for value in FUZZ_VALUES:
            changed = yaml.safe_load(yaml.safe_dump(data))
            here = changed
            for key in key_path[:-1]:
                here = here[key]
            here[key_path[-1]] = value
            text = yaml.safe_dump(changed, allow_unicode=True)
            path.write_text(text if body is None else f"---\n{text}---\n{body}")
            result = cli("draft", "examples/ntia-international-internet-policy.yaml", "-o",
                             out, cwd=workspace)
            tried += 1
            label = f"{'.'.join(map(str, key_path))} = {value!r:.40}"
            assert "internal error" not in result.err and "Traceback" not in result.err, \
                (label, result.err)
            assert result.code in (0, 2), (label, result.code, result.err)
            if result.code == 2:   # one line per error (a file's every validation error)
                lines = result.err.strip().split("\n")
                assert all(": error: " in line for line in lines), (label, result.err)
    path.write_text(original)
    assert tried >= 50
