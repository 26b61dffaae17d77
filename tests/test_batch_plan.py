"""Batch planning and change detection, unit by unit: jobs from a batch file, input hashes,
the compiled-template cache."""

from __future__ import annotations

import os
import time
from pathlib import Path

import jinja2
import pytest

from drafter.batch.inputs import FileHasher, inputs_digest, library_index, workspace_inputs
from drafter.batch.plan import load_plan
from drafter.bccache import TemplateCache
from drafter.errors import LoadError


def plan_of(tmp_path, text):
    path = tmp_path / "batches" / "b.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return load_plan(path)


def test_defaults_apply_and_paths_are_relative_to_the_batch_file(tmp_path):
    plan = plan_of(tmp_path, """\
output_dir: ../build
defaults:
  template: us-agency-comments
  formats: [docx, pdf, docx]
  variables: {a: 1, b: 2}
  reference_docx: house.docx
jobs:
  - consultation: ../c/one.yaml
    variables: {b: 3}
  - consultation: two.yml
    name: second
    template: ../tpl/custom.jinja
    formats: [md]
    reference_docx: ../other.docx
""")
    base = (tmp_path / "batches").resolve()
    assert plan.output_dir == (tmp_path / "build").resolve()
    one, two = plan.jobs
    assert (one.name, one.consultation) == ("one", (tmp_path / "c" / "one.yaml").resolve())
    assert one.consultation_label == "../c/one.yaml"
    assert one.template == "us-agency-comments"
    assert one.formats == ("docx", "pdf")
    assert one.variables == {"a": 1, "b": 3}
    assert one.reference_docx == base / "house.docx"
    assert one.outputs() == ["one.docx", "one.pdf"]
    assert (one.line, one.template_line) == (8, 3)
    assert two.name == "second" and two.formats == ("md",)
    assert two.template == str((tmp_path / "tpl" / "custom.jinja").resolve())
    assert two.reference_docx == (tmp_path / "other.docx").resolve()
    assert two.template_line == 12


@pytest.mark.parametrize("matrix,names", [
    ("consultations: [a.yaml, b.yaml]", ["a", "b"]),
    ("consultations: [a.yaml]\n  templates: [x]", ["a"]),
    ("consultations: [a.yaml, d/b.yaml]\n  templates: [x, y.jinja]",
     ["a-x", "a-y", "b-x", "b-y"]),
    ("consultations: [a.yaml]\n  templates: [x, y]\n  name: 'out/{template}/{consultation}'",
     ["out/x/a", "out/y/a"]),
])
def test_matrix_names(tmp_path, matrix, names):
    plan = plan_of(tmp_path, f"matrix:\n  {matrix}\n")
    assert [j.name for j in plan.jobs] == names
    assert all(j.error is None for j in plan.jobs)


def test_jobs_come_before_matrix_jobs_and_several_matrices_are_allowed(tmp_path):
    plan = plan_of(tmp_path, """\
jobs:
  - consultation: z.yaml
matrix:
  - consultations: [a.yaml]
    formats: [txt]
  - consultations: [b.yaml]
""")
    assert [(j.index, j.name, j.formats) for j in plan.jobs] == [
        (0, "z", ("docx",)), (1, "a", ("txt",)), (2, "b", ("docx",))]


def test_duplicate_names_fail_the_later_jobs_only(tmp_path):
    plan = plan_of(tmp_path, """\
jobs:
  - consultation: a.yaml
  - consultation: other/A.yaml
matrix:
  consultations: [a.yaml]
""")
    first, second, third = plan.jobs
    assert first.error is None
    assert second.error == "duplicate job name 'A' (also job 1 at line 2)"
    assert third.error == "duplicate job name 'a' (also job 1 at line 2)"


def test_a_matrix_name_that_makes_a_bad_path_fails_that_job(tmp_path):
    plan = plan_of(tmp_path, "matrix:\n  consultations: [a.yaml]\n  name: '../{consultation}'\n")
    assert "name '../a'" in plan.jobs[0].error


def test_settings_cover_what_decides_the_outputs(tmp_path, monkeypatch):
    job = plan_of(tmp_path, "jobs:\n  - consultation: a.yaml\n").jobs[0]
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    without = job.settings()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert job.settings() != without
    assert set(without) == {"name", "template", "formats", "variables", "reference_docx",
                            "source_date_epoch"}


def test_load_plan_reports_a_missing_file(tmp_path):
    with pytest.raises(LoadError, match="no such file"):
        load_plan(tmp_path / "nope.yaml")


# -- inputs -----------------------------------------------------------------------------------

def old_file(path: Path, text: str) -> Path:
    path.write_text(text)
    past = time.time() - 60
    os.utime(path, (past, past))
    return path


def test_file_hasher_remembers_settled_files_only(tmp_path):
    settled = old_file(tmp_path / "a.txt", "one")
    fresh = tmp_path / "b.txt"
    fresh.write_text("two")
    hasher = FileHasher()
    a, b = hasher.sha(settled), hasher.sha(fresh)
    assert hasher.sha(tmp_path / "missing") is None
    assert set(hasher.remembered()) == {str(settled)}
    again = FileHasher(hasher.remembered())
    assert again.sha(settled) == a and again.sha(fresh) == b
    # a remembered entry is used as long as size and mtime match (no read)
    st = settled.stat()
    old_file(settled, "ONE")
    os.utime(settled, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert FileHasher(hasher.remembered()).sha(settled) == a
    settled.write_text("changed")
    assert FileHasher(hasher.remembered()).sha(settled) != a


def test_library_index_follows_query_fields_not_wording(workspace):
    before = library_index(workspace / "positions")
    block = next(workspace.glob("positions/**/should-imperatives.md"))
    block.write_text(block.read_text() + "\nMore wording.\n")
    assert library_index(workspace / "positions") == before
    block.write_text(block.read_text().replace("status: approved", "status: retired"))
    assert library_index(workspace / "positions") != before


def test_inputs_digest_changes_with_each_part(workspace):
    from drafter.load.workspace import discover

    ws = discover(start=workspace)
    shared = workspace_inputs(ws, FileHasher())
    base = inputs_digest({"formats": ["docx"]}, shared, {"/c.yaml": "1"})
    assert base == inputs_digest({"formats": ["docx"]}, dict(shared), {"/c.yaml": "1"})
    assert base != inputs_digest({"formats": ["md"]}, shared, {"/c.yaml": "1"})
    assert base != inputs_digest({"formats": ["docx"]}, shared, {"/c.yaml": "2"})
    assert base != inputs_digest({"formats": ["docx"]}, {**shared, "org": "x"}, {"/c.yaml": "1"})
    (workspace / "templates" / "house-style.docx").write_bytes(b"PK")
    assert workspace_inputs(ws, FileHasher())["templates"] != shared["templates"]


# -- compiled-template cache ------------------------------------------------------------------

def env_with(cache, **options):
    env = jinja2.Environment(loader=jinja2.DictLoader({"t": "{{ x }}-{{ x | upper }}"}),
                             **options)
    env.bytecode_cache = cache
    return env


def test_template_cache_keeps_compiled_code_in_memory_and_on_disk(tmp_path, monkeypatch):
    cache = TemplateCache(tmp_path / "jinja")
    assert env_with(cache).get_template("t").render(x="a") == "a-A"
    assert len(list((tmp_path / "jinja").glob("*.cache"))) == 1

    compiled = []
    original = jinja2.Environment.compile

    def counting(self, *args, **kwargs):
        compiled.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    assert env_with(cache).get_template("t").render(x="b") == "b-B"
    assert env_with(TemplateCache(tmp_path / "jinja")).get_template("t").render(x="c") == "c-C"
    assert compiled == []
    env_with(TemplateCache(tmp_path / "jinja"), trim_blocks=True).get_template("t")
    assert len(compiled) == 1  # other settings, other code


def test_template_cache_ignores_damaged_and_unwritable_entries(tmp_path):
    folder = tmp_path / "jinja"
    env_with(TemplateCache(folder)).get_template("t")
    for entry in folder.glob("*.cache"):
        entry.write_bytes(b"garbage")
    assert env_with(TemplateCache(folder)).get_template("t").render(x="d") == "d-D"
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert env_with(TemplateCache(blocked / "jinja")).get_template("t").render(x="e") == "e-E"


def test_drafts_with_and_without_the_cache_are_identical(workspace):
    from drafter.load.workspace import discover
    from drafter.pipeline import Session

    ws = discover(start=workspace)
    plain = Session(ws).draft(workspace / "examples" / "eu-manifesto-2024.yaml")
    cache = TemplateCache(workspace / ".drafter" / "jinja")
    for _ in range(2):
        cached = Session(ws, bytecode_cache=cache).draft(
            workspace / "examples" / "eu-manifesto-2024.yaml")
        assert cached.composition.markdown == plain.composition.markdown


# -- validated batch files, remembered ----------------------------------------------------------

def test_a_validated_batch_file_is_remembered_until_it_changes(tmp_path, monkeypatch):
    import drafter.batch.models as models

    path = tmp_path / "b.yaml"
    path.write_text("jobs:\n  - consultation: a.yaml\n    variables: {due: 2024-03-01}\n")
    cache = tmp_path / "plans"
    first = load_plan(path, cache)
    assert len(list(cache.glob("*.json"))) == 1

    def refuse(*args):
        raise AssertionError("validated again")

    monkeypatch.setattr(models, "validate_batch", refuse)
    again = load_plan(path, cache)
    assert again.jobs == first.jobs
    import datetime as dt
    assert again.jobs[0].variables == {"due": dt.date(2024, 3, 1)}
    path.write_text(path.read_text().replace("a.yaml", "b.yaml"))
    with pytest.raises(AssertionError, match="validated again"):
        load_plan(path, cache)


def test_an_unusable_plan_cache_means_validating_again(tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text("jobs:\n  - consultation: a.yaml\n")
    cache = tmp_path / "plans"
    load_plan(path, cache)
    for entry in cache.glob("*.json"):
        entry.write_text("{broken")
    assert load_plan(path, cache).jobs[0].name == "a"
    path.write_text("jobs:\n  - consultation: a.yaml\n    formats: [doc]\n")
    with pytest.raises(LoadError, match="formats"):
        load_plan(path, cache)
