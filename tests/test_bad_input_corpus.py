"""The bad-input corpus (tests/bad_input/) through the CLI, as a user runs it.

Every case must fail cleanly: exit code 2, exactly one line on stderr naming the culprit
file, no traceback and no "internal error", and no file of the workspace written or changed
(the workspace is hashed before and after; drafter's own caches under ``.drafter/`` aside).

Kinds, one folder each (the file's name says what is wrong with it):

- ``consultations/*.yaml``: ``drafter draft FILE``;
- ``blocks/*.md``: put in place of a block the consultation uses, then ``draft``;
- ``templates/*.jinja``: put in templates/ and drafted with ``--template``;
- ``federal_register/*.json``, ``regulations_gov/*.json``: ``drafter new --from-...``;
- ``questions/*.txt``: ``drafter new --from-federal-register GOOD --questions FILE``;
- ``docx/*.docx``: ``drafter harvest FILE`` and ``drafter draft --reference-docx FILE``;
- ``batch/*.yaml``: ``drafter batch FILE``;
- ``cli.txt``: command lines naming paths that are missing or of the wrong kind.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli

CORPUS = Path(__file__).resolve().parent / "bad_input"
BLOCK = Path("positions/procedure/thanks-for-opportunity.md")
EXAMPLE = "examples/ntia-botnets-comments.yaml"
GOOD_FR = ROOT / "tests" / "data" / "import" / "ntia-botnets-rfc.json"


def _files(kind: str) -> list[str]:
    return sorted(p.name for p in (CORPUS / kind).iterdir() if p.is_file())


def _cli_lines() -> list[tuple[str, list[str]]]:
    out = []
    for line in (CORPUS / "cli.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            fragment, *args = line.split("\t")
            out.append((fragment, args))
    return out


CASES = ([("consultation", n) for n in _files("consultations")]
         + [("block", n) for n in _files("blocks")]
         + [("template", n) for n in _files("templates")]
         + [("federal-register", n) for n in _files("federal_register")]
         + [("regulations-gov", n) for n in _files("regulations_gov")]
         + [("questions", n) for n in _files("questions")]
         + [("harvest", n) for n in _files("docx")]
         + [("reference", n) for n in _files("docx")]
         + [("batch", n) for n in _files("batch")]
         + [("cli", str(i)) for i in range(len(_cli_lines()))])


def test_corpus_has_at_least_80_cases():
    assert len(CASES) >= 80
    kinds = {kind for kind, _ in CASES}
    assert kinds == {"consultation", "block", "template", "federal-register", "regulations-gov",
                     "questions", "harvest", "reference", "batch", "cli"}


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    dest = tmp_path_factory.mktemp("bad-input") / "ws"
    dest.mkdir()
    for name in ("positions", "templates", "seeds", "examples"):
        shutil.copytree(ROOT / name, dest / name)
    for name in ("org.yaml", "drafter.yaml", "glossary.yaml"):
        shutil.copy(ROOT / name, dest / name)
    (dest / "cases" / "batch").mkdir(parents=True)
    shutil.copy(GOOD_FR, dest / "fr.json")
    return dest


@pytest.fixture(autouse=True)
def _private_key_home(tmp_path, monkeypatch):
    """The compiled-template cache key lives in tmp_path, not in ~/.config."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (but drafter's caches in .drafter/) and its sha256."""
    out = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if rel.parts[0] == ".drafter" or not path.is_file():
            continue
        out[rel.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _place(ws: Path, kind: str, name: str):
    """Put the case where its command reads it; returns (args, fragment, restore)."""
    if kind == "consultation":
        target = ws / "cases" / name
        shutil.copy(CORPUS / "consultations" / name, target)
        return ["draft", f"cases/{name}", "-o", "cases/out.docx"], name, None
    if kind == "block":
        original = (ws / BLOCK).read_bytes()
        (ws / BLOCK).write_bytes((CORPUS / "blocks" / name).read_bytes())
        return (["draft", EXAMPLE, "-o", "cases/out.docx"], BLOCK.name,
                lambda: (ws / BLOCK).write_bytes(original))
    if kind == "template":
        target = ws / "templates" / ("bad-" + name)
        shutil.copy(CORPUS / "templates" / name, target)
        return (["draft", EXAMPLE, "--template", target.stem, "-o", "cases/out.md"],
                target.name, target.unlink)
    if kind in ("federal-register", "regulations-gov"):
        folder = kind.replace("-", "_")
        shutil.copy(CORPUS / folder / name, ws / "cases" / name)
        return (["new", f"--from-{kind}", f"cases/{name}", "-o", "cases/new.yaml"], name, None)
    if kind == "questions":
        shutil.copy(CORPUS / "questions" / name, ws / "cases" / name)
        return (["new", "--from-federal-register", "fr.json", "--questions", f"cases/{name}",
                 "-o", "cases/new.yaml"], name, None)
    if kind in ("harvest", "reference"):
        shutil.copy(CORPUS / "docx" / name, ws / "cases" / name)
        if kind == "harvest":
            return ["harvest", f"cases/{name}"], name, None
        return (["draft", EXAMPLE, "--reference-docx", f"cases/{name}", "-o",
                 "cases/out.docx"], name, None)
    if kind == "batch":
        shutil.copy(CORPUS / "batch" / name, ws / "cases" / "batch" / name)
        return ["batch", f"cases/batch/{name}"], name, None
    fragment, args = _cli_lines()[int(name)]
    return args, fragment, None


@pytest.mark.parametrize("kind, name", CASES, ids=[f"{k}:{n}" for k, n in CASES])
def test_bad_input_fails_cleanly(ws, kind, name):
    args, fragment, restore = _place(ws, kind, name)
    before = snapshot(ws)
    try:
        result = run_cli(*args, cwd=ws)
        after = snapshot(ws)
    finally:
        if restore is not None:
            restore()
    assert "Traceback" not in result.err + result.out
    assert "internal error" not in result.err
    assert result.code == 2, (result.code, result.err, result.out)
    lines = result.err.strip().split("\n")
    assert len(lines) == 1, result.err
    assert fragment in lines[0] and "error" in lines[0], lines[0]
    assert after == before, sorted(set(after.items()) ^ set(before.items()))
