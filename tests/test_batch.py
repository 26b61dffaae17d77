"""``drafter batch`` through the CLI: outputs, manifest, incremental re-runs, edited outputs,
bad jobs that fail alone, the register."""

from __future__ import annotations

import json
import os
import re
import zipfile

import pytest

from tests.conftest import run_cli, run_process
from tests.docxread import DocxFile

TWO_JOBS = """\
output_dir: out
jobs:
  - consultation: examples/ntia-botnets-comments.yaml
    name: ntia
    formats: [docx, composed]
  - consultation: examples/eu-manifesto-2024.yaml
    name: eu
"""

ENTRY_KEYS = {"name", "status", "consultation", "template", "inputs_sha256", "outputs",
              "positions", "warnings", "seconds"}


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def batch(ws, *args, name="batch.yaml"):
    return run_cli("batch", name, "-j", "1", *args, cwd=ws)


def manifest(ws, out="out") -> dict:
    return json.loads((ws / out / "manifest.json").read_text())


def statuses(ws, out="out") -> dict:
    return {e["name"]: e["status"] for e in manifest(ws, out)["jobs"]}


def sha(path) -> str:
    import hashlib
    return hashlib.sha256(path.read_bytes()).hexdigest()


def summary_counts(out: str) -> dict:
    lines = [line.split() for line in out.splitlines() if line.strip()]
    head = next(i for i, cells in enumerate(lines) if cells[:2] == ["built", "skipped"])
    return dict(zip(lines[head], lines[head + 1]))


@pytest.fixture
def two(workspace):
    write(workspace / "batch.yaml", TWO_JOBS)
    return workspace


def edit_block(ws, block_id, old, new):
    path = next(ws.glob(f"positions/**/{block_id}.md"))
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


# -- building ---------------------------------------------------------------------------------

def test_batch_builds_every_output_and_the_manifest(two):
    result = batch(two)
    assert result.code == 0, result.err
    assert sorted(p.name for p in (two / "out").iterdir()) == [
        "eu.docx", "manifest.json", "ntia.composed.md", "ntia.docx"]
    ntia = DocxFile((two / "out" / "ntia.docx").read_bytes())
    assert any(p.text == "INTRODUCTION" and p.style.startswith("heading 1")
               for p in ntia.paragraphs())
    assert (two / "out" / "ntia.composed.md").read_text().count("::: {.block block=") == 12

    jobs = manifest(two)["jobs"]
    assert list(manifest(two)) == ["jobs"]
    assert [j["name"] for j in jobs] == ["ntia", "eu"]
    for job in jobs:
        assert set(job) == ENTRY_KEYS
        assert job["status"] == "built"
        assert re.fullmatch(r"[0-9a-f]{64}", job["inputs_sha256"])
        assert isinstance(job["seconds"], float) and job["seconds"] > 0
        for out in job["outputs"]:
            assert set(out) == {"path", "sha256"}
            assert sha(two / "out" / out["path"]) == out["sha256"]
    ntia_job = jobs[0]
    assert ntia_job["consultation"] == "examples/ntia-botnets-comments.yaml"
    assert ntia_job["template"] == "us-agency-comments"
    assert [o["path"] for o in ntia_job["outputs"]] == ["ntia.docx", "ntia.composed.md"]
    md = (two / "out" / "ntia.composed.md").read_text()
    fenced = re.findall(r'block="([^"]+)" hash="([^"]+)"', md)
    assert [(p["id"], p["hash"]) for p in ntia_job["positions"]] == fenced
    assert jobs[1]["template"] == "eu-position-paper"
    counts = summary_counts(result.out)
    assert float(counts.pop("seconds")) > 0
    assert counts == {"built": "2", "skipped": "0", "kept-edited": "0", "failed": "0"}
    assert "manifest: out/manifest.json" in result.out


def test_batch_outputs_are_the_bytes_drafter_draft_writes(two, tmp_path):
    assert batch(two).code == 0
    single = tmp_path / "single.docx"
    assert run_cli("draft", "examples/ntia-botnets-comments.yaml", "-o", single,
                   cwd=two).code == 0
    assert single.read_bytes() == (two / "out" / "ntia.docx").read_bytes()


def test_parallel_workers_write_the_same_bytes_as_one(two):
    result = run_process("batch", "batch.yaml", "-j", "2", cwd=two)
    assert result.code == 0, result.err
    parallel = {p.name: p.read_bytes() for p in (two / "out").glob("*.*")
                if p.name != "manifest.json"}
    assert "with 2 worker(s)" in result.err
    assert re.search(r"^built +ntia \(docx, composed; [0-9.]+ s\)$", result.err, re.M)
    assert batch(two, "--force").code == 0
    assert {p.name: p.read_bytes() for p in (two / "out").glob("*.*")
            if p.name != "manifest.json"} == parallel


def test_matrix_is_consultations_times_templates_in_every_format(workspace):
    write(workspace / "batches" / "deadline.yaml", """\
output_dir: ../build
matrix:
  consultations: [../examples/ntia-botnets-comments.yaml,
                  ../examples/ntia-international-internet-policy.yaml]
  templates: [us-agency-comments, us-rfc-responses]
  formats: [docx, txt]
""")
    result = run_cli("batch", "batches/deadline.yaml", cwd=workspace)
    assert result.code == 0, result.err
    names = [j["name"] for j in manifest(workspace, "build")["jobs"]]
    assert names == ["ntia-botnets-comments-us-agency-comments",
                     "ntia-botnets-comments-us-rfc-responses",
                     "ntia-international-internet-policy-us-agency-comments",
                     "ntia-international-internet-policy-us-rfc-responses"]
    assert len(list((workspace / "build").glob("*.docx"))) == 4
    assert len(list((workspace / "build").glob("*.txt"))) == 4
    templates = [j["template"] for j in manifest(workspace, "build")["jobs"]]
    assert templates == ["us-agency-comments", "us-rfc-responses"] * 2


def test_matrix_job_with_a_template_of_another_jurisdiction_fails_alone(workspace):
    write(workspace / "batches" / "deadline.yaml", """\
output_dir: ../build
matrix:
  consultations: [../examples/eu-manifesto-2024.yaml]
  templates: [eu-position-paper, us-agency-comments]
""")
    result = run_cli("batch", "batches/deadline.yaml", cwd=workspace)
    assert result.code == 1
    assert ("eu-manifesto-2024-us-agency-comments: examples/eu-manifesto-2024.yaml:7: error: "
            "template 'us-agency-comments' serves US, other, not EU") in result.err
    jobs = manifest(workspace, "build")["jobs"]
    assert [j["status"] for j in jobs] == ["built", "failed"]


def test_job_variables_merge_over_defaults_and_the_consultation(workspace):
    write(workspace / "templates" / "vars-probe.jinja",
          "greeting={{ variables.greeting }} member={{ variables.member }} "
          "own={{ variables.own }}\n")
    consultation = (workspace / "examples" / "ntia-botnets-comments.yaml").read_text()
    write(workspace / "examples" / "with-vars.yaml",
          consultation + "variables:\n  own: from-consultation\n  member: consultation\n")
    write(workspace / "batch.yaml", """\
output_dir: out
defaults:
  template: vars-probe
  formats: [md]
  variables: {greeting: hello, member: default}
jobs:
  - consultation: examples/with-vars.yaml
    name: acme
    variables: {member: Acme Hosting}
  - consultation: examples/with-vars.yaml
    name: plain
""")
    assert batch(workspace).code == 0
    assert (workspace / "out" / "acme.md").read_text() == \
        "greeting=hello member=Acme Hosting own=from-consultation\n"
    assert (workspace / "out" / "plain.md").read_text() == \
        "greeting=hello member=default own=from-consultation\n"


def test_names_with_folders_put_outputs_in_subfolders(workspace):
    write(workspace / "batch.yaml", """\
output_dir: out
jobs:
  - consultation: examples/ntia-botnets-comments.yaml
    name: members/acme/ntia
    formats: [txt]
""")
    assert batch(workspace).code == 0
    assert (workspace / "out" / "members" / "acme" / "ntia.txt").read_text().startswith(
        "Before the")
    assert manifest(workspace)["jobs"][0]["outputs"][0]["path"] == "members/acme/ntia.txt"


# -- incremental ------------------------------------------------------------------------------

def test_a_second_run_skips_every_unchanged_job(two):
    assert batch(two).code == 0
    stamps = {p.name: p.stat().st_mtime_ns for p in (two / "out").glob("*.*")}
    result = batch(two)
    assert result.code == 0, result.err
    assert statuses(two) == {"ntia": "skipped", "eu": "skipped"}
    assert summary_counts(result.out)["skipped"] == "2"
    assert "0 to build" in result.err
    for p in (two / "out").glob("*.docx"):
        assert p.stat().st_mtime_ns == stamps[p.name]
    first = manifest(two)["jobs"][0]
    assert set(first) == ENTRY_KEYS and first["positions"]


def test_a_changed_block_rebuilds_only_the_jobs_that_used_it(two):
    assert batch(two).code == 0
    before = manifest(two)["jobs"][0]
    edit_block(two, "should-imperatives", "\n---\n", "\n---\nA new first sentence.\n\n")
    assert batch(two).code == 0
    assert statuses(two) == {"ntia": "built", "eu": "skipped"}
    after = manifest(two)["jobs"][0]
    changed = {p["id"] for p in after["positions"]} & {p["id"] for p in before["positions"]}
    assert changed == {p["id"] for p in before["positions"]}
    old = {p["id"]: p["hash"] for p in before["positions"]}
    new = {p["id"]: p["hash"] for p in after["positions"]}
    assert [k for k in old if old[k] != new[k]] == ["should-imperatives"]
    assert after["inputs_sha256"] != before["inputs_sha256"]
    assert "A new first sentence." in (two / "out" / "ntia.composed.md").read_text()


@pytest.mark.parametrize("change", ["template", "org", "consultation", "job-settings",
                                    "new-block"])
def test_shared_inputs_and_job_settings_trigger_rebuilds(two, change):
    assert batch(two).code == 0
    expected = {"ntia": "built", "eu": "built"}
    if change == "template":
        path = two / "templates" / "_macros.jinja"
        path.write_text(path.read_text() + "\n")
    elif change == "org":
        path = two / "org.yaml"
        path.write_text(path.read_text() + "\n# reviewed\n")
    elif change == "consultation":
        path = two / "examples" / "eu-manifesto-2024.yaml"
        path.write_text(path.read_text() + "\n# touched\n")
        expected = {"ntia": "skipped", "eu": "built"}
    elif change == "job-settings":
        write(two / "batch.yaml",
              TWO_JOBS.replace("formats: [docx, composed]", "formats: [docx]"))
        expected = {"ntia": "built", "eu": "skipped"}
    elif change == "new-block":  # a template query could pick it up
        source = next(two.glob("positions/**/should-imperatives.md"))
        text = source.read_text().replace("id: should-imperatives", "id: should-imperatives-2")
        write(source.with_name("should-imperatives-2.md"), text)
    assert batch(two).code == 0
    assert statuses(two) == expected


def test_a_deleted_output_is_built_again(two):
    assert batch(two).code == 0
    (two / "out" / "eu.docx").unlink()
    assert batch(two).code == 0
    assert statuses(two) == {"ntia": "skipped", "eu": "built"}
    assert DocxFile((two / "out" / "eu.docx").read_bytes()).paragraphs()


def test_force_rebuilds_everything(two):
    assert batch(two).code == 0
    assert batch(two, "--force").code == 0
    assert statuses(two) == {"ntia": "built", "eu": "built"}


def test_dry_run_lists_what_would_be_built_and_writes_nothing(two):
    result = batch(two, "--dry-run")
    assert result.code == 0, result.err
    assert re.search(r"^build +ntia$", result.out, re.M)
    assert not (two / "out").exists()
    assert batch(two).code == 0
    (two / "out" / "eu.docx").unlink()
    result = batch(two, "-n")
    assert re.search(r"^build +eu$", result.out, re.M)
    assert "ntia" not in result.out.split("built")[0]
    assert not (two / "out" / "eu.docx").exists()


# -- edited outputs -------------------------------------------------------------------------

def test_an_edited_output_is_never_overwritten_without_force(two):
    assert batch(two).code == 0
    written = manifest(two)["jobs"][0]["outputs"][0]["sha256"]
    edited = two / "out" / "ntia.docx"
    edited.write_bytes(edited.read_bytes() + b"reviewer's edit")
    edited_bytes = edited.read_bytes()

    # inputs unchanged: nothing to build, but the job is not "skipped" either
    result = batch(two)
    assert result.code == 0, result.err
    assert statuses(two) == {"ntia": "kept-edited", "eu": "skipped"}
    assert re.search(r"^kept-edited +ntia: edited since drafter wrote it", result.err, re.M)

    # inputs changed: the job rebuilds, the edited file stays, the other output is updated
    edit_block(two, "should-imperatives", "\n---\n", "\n---\nNew wording.\n\n")
    result = batch(two)
    assert result.code == 0, result.err
    assert summary_counts(result.out)["kept-edited"] == "1"
    assert edited.read_bytes() == edited_bytes
    assert "New wording." in (two / "out" / "ntia.composed.md").read_text()
    entry = manifest(two)["jobs"][0]
    assert entry["status"] == "kept-edited"
    assert entry["outputs"][0]["sha256"] != sha(edited)
    assert not list((two / "out").glob(".*"))

    # still kept on the next run; --force overwrites
    assert batch(two).code == 0
    assert statuses(two)["ntia"] == "kept-edited" and edited.read_bytes() == edited_bytes
    assert batch(two, "--force").code == 0
    assert statuses(two)["ntia"] == "built"
    assert edited.read_bytes() != edited_bytes
    assert sha(edited) == manifest(two)["jobs"][0]["outputs"][0]["sha256"] != written


def test_a_file_drafter_did_not_write_is_kept(two):
    write(two / "out" / "eu.docx", "someone else's document")
    result = batch(two)
    assert result.code == 0, result.err
    assert statuses(two) == {"ntia": "built", "eu": "kept-edited"}
    assert (two / "out" / "eu.docx").read_text() == "someone else's document"


# -- bad input --------------------------------------------------------------------------------

BAD_JOBS = """\
output_dir: out
jobs:
  - consultation: examples/ntia-botnets-comments.yaml
    name: good
  - consultation: examples/nowhere.yaml
    name: missing
  - consultation: examples/eu-manifesto-2024.yaml
    name: typo
    template: eu-positon-paper
  - consultation: examples/eu-manifesto-2024.yaml
    name: good
  - consultation: examples/eu-manifesto-2024.yaml
    name: blocked/eu
  - consultation: examples/broken.yaml
"""


def test_bad_jobs_fail_alone_with_one_line_each(workspace):
    write(workspace / "batch.yaml", BAD_JOBS)
    write(workspace / "out" / "blocked", "a file where a folder should be")
    write(workspace / "examples" / "broken.yaml",
          (workspace / "examples" / "ntia-botnets-comments.yaml").read_text()
          .replace("  - should-imperatives", "  - should-imperative"))
    result = batch(workspace)
    assert result.code == 1
    err = result.err
    assert re.search(r"^failed +missing: batch.yaml:5: error: consultation file not found: "
                     r"examples/nowhere.yaml$", err, re.M), err
    assert re.search(r"^failed +typo: batch.yaml:9: error: unknown template "
                     r"'eu-positon-paper' \(did you mean 'eu-position-paper'\?\)$", err, re.M)
    assert re.search(r"^failed +good: batch.yaml:10: error: duplicate job name 'good' "
                     r"\(also job 1 at line 3\)$", err, re.M)
    assert re.search(r"^failed +blocked/eu: out/blocked/eu.docx: error: cannot write here",
                     err, re.M)
    assert re.search(r"^failed +broken: examples/broken.yaml:\d+: error: unknown position id "
                     r"'should-imperative'", err, re.M)
    assert summary_counts(result.out)["built"] == "1"
    assert summary_counts(result.out)["failed"] == "5"
    assert (workspace / "out" / "good.docx").is_file()
    assert sorted(p.name for p in (workspace / "out").iterdir()) == [
        "blocked", "good.docx", "manifest.json"]
    jobs = manifest(workspace)["jobs"]
    assert [j["status"] for j in jobs] == ["built"] + ["failed"] * 5
    assert all(j["error"].startswith(("batch.yaml", "out/", "examples/"))
               for j in jobs[1:])


def test_fail_fast_stops_after_the_first_failure(workspace):
    write(workspace / "batch.yaml", """\
output_dir: out
jobs:
  - consultation: examples/nowhere.yaml
  - consultation: examples/ntia-botnets-comments.yaml
  - consultation: examples/eu-manifesto-2024.yaml
""")
    result = batch(workspace, "--fail-fast")
    assert result.code == 1
    counts = summary_counts(result.out)
    assert counts["failed"] == "1" and counts["built"] == "0" and counts["not-run"] == "2"
    assert not list((workspace / "out").glob("*.docx"))


def test_an_output_folder_that_cannot_be_written_fails_every_job(workspace):
    write(workspace / "blocker", "a file")
    write(workspace / "batch.yaml", TWO_JOBS.replace("output_dir: out", "output_dir: blocker/out"))
    result = batch(workspace)
    assert result.code == 1
    assert len(re.findall(r"^failed +\w+: blocker/out/\w+\.docx: error: cannot write here",
                          result.err, re.M)) == 2
    assert re.search(r"^blocker/out/manifest.json: error: cannot write here", result.err, re.M)


@pytest.mark.parametrize("text,message", [
    ("jobs:\n  - consultation: a.yaml\n  - consultation: b.yaml\n    formats: [doc]\n",
     r"batch.yaml:4:\d+: error: invalid batch file: job 2 \(b.yaml\): formats\[0\]: Input "
     r"should be 'docx', 'md', 'html', 'txt', 'pdf' or 'composed'"),
    ("jobs:\n  - name: x\n",
     r"batch.yaml:2:\d+: error: invalid batch file: job 1 \(x\): missing required key "
     r"'consultation'"),
    ("jobs:\n  - consultation: a.yaml\n    nmae: x\n",
     r"batch.yaml:3:\d+: error: invalid batch file: job 1 \(a.yaml\): unknown key 'nmae'"),
    ("jobs:\n  - consultation: a.yaml\n    name: ../escape\n",
     r"batch.yaml:3:\d+: error: invalid batch file: job 1 \(../escape\): name: name "
     r"'../escape'"),
    ("matrix:\n  consultations: [a.yaml]\n  name: '{consultation}-{member}'\n",
     r"batch.yaml:3:\d+: error: invalid batch file: matrix 1: name: name pattern "
     r"'\{consultation\}-\{member\}': unknown field \{member\}"),
    ("output_dir: out\n", r"batch.yaml:1:1: error: invalid batch file: a batch file needs "
                          r"'jobs' or 'matrix'"),
    ("- a\n", r"batch.yaml:1: error: a batch file must be a YAML mapping"),
    ("jobs: [\n", r"batch.yaml:2:1: error: malformed YAML"),
])
def test_a_malformed_batch_file_is_one_error_naming_the_job(workspace, text, message):
    write(workspace / "batch.yaml", text)
    result = batch(workspace)
    assert result.code == 2
    assert re.fullmatch(message + r".*\n", result.err), result.err
    assert not (workspace / "out").exists()


def test_a_missing_batch_file_is_an_error(workspace):
    result = batch(workspace, name="nope.yaml")
    assert result.code == 2
    assert result.err == "nope.yaml: error: no such file\n"


def test_a_broken_library_stops_the_batch_before_any_job(two):
    assert batch(two).code == 0
    edit_block(two, "should-imperatives", "stance:", "stance: maybe\nx:")
    result = batch(two)
    assert result.code == 2
    assert "should-imperatives.md:" in result.err and "error:" in result.err


def test_two_batches_cannot_write_to_one_folder_at_once(two):
    from drafter.batch.manifest import State

    state = State(two / ".drafter", two / "out")
    state.lock()
    try:
        result = batch(two)
    finally:
        state.unlock()
    assert result.code == 2
    assert "another 'drafter batch' is writing to this output folder" in result.err
    assert batch(two).code == 0


def test_leftover_temporary_files_are_cleaned_up(two):
    out = two / "out"
    for name in (".ntia.docx.k3j2h1.tmp", ".manifest.json.a1b2.tmp", ".notes.txt.x.tmp"):
        write(out / name, "partial")
    assert batch(two).code == 0
    assert sorted(p.name for p in out.glob(".*")) == [".notes.txt.x.tmp"]


def test_an_unreadable_manifest_is_a_warning_and_existing_outputs_are_checked(two):
    assert batch(two).code == 0
    (two / "out" / "manifest.json").write_text("{not json")
    result = batch(two)
    assert result.code == 0, result.err
    assert "warning: ignoring an unreadable manifest" in result.err
    # the outputs on disk are exactly what drafter builds: rebuilt, not kept
    assert statuses(two) == {"ntia": "built", "eu": "built"}


# -- register ---------------------------------------------------------------------------------

def test_batch_records_each_output_in_the_register(two):
    assert batch(two).code == 0
    result = run_cli("register", "list", "--format", "json", cwd=two)
    assert result.code == 0, result.err
    filings = json.loads(result.out)
    assert sorted((f["job"], f["format"]) for f in filings) == [
        ("eu", "docx"), ("ntia", "composed"), ("ntia", "docx")]
    ntia = next(f for f in filings if f["job"] == "ntia" and f["format"] == "docx")
    assert ntia["command"] == "batch"
    assert ntia["output"] == str((two / "out" / "ntia.docx").resolve())
    assert ntia["sha256"] == sha(two / "out" / "ntia.docx")
    assert ntia["template"] == "us-agency-comments"
    assert ntia["title"].startswith("Request for Comments on Promoting Stakeholder Action")
    entry = manifest(two)["jobs"][0]
    assert ntia["blocks"] == entry["positions"]
    # a skipped job produced nothing new
    assert batch(two).code == 0
    assert len(json.loads(run_cli("register", "list", "--format", "json", cwd=two).out)) == 3


def test_a_broken_register_is_a_warning_not_a_failure(two):
    (two / ".drafter").mkdir()
    (two / ".drafter" / "register.sqlite").mkdir()
    result = batch(two)
    assert result.code == 0, result.err
    assert "could not record filings in the register" in result.err
    assert statuses(two) == {"ntia": "built", "eu": "built"}


def test_example_batch_file_runs(tmp_path):
    from tests.conftest import ROOT
    import shutil

    ws = tmp_path / "ws"
    for name in ("positions", "templates", "seeds", "examples"):
        shutil.copytree(ROOT / name, ws / name)
    shutil.copy(ROOT / "org.yaml", ws / "org.yaml")
    result = run_cli("batch", "examples/batch/deadline.yaml", cwd=ws)
    assert result.code == 0, result.err
    jobs = manifest(ws, "out/deadline")["jobs"]
    assert len(jobs) == 6 and {j["status"] for j in jobs} == {"built"}
    for docx in (ws / "out" / "deadline").glob("*.docx"):
        assert zipfile.ZipFile(docx).testzip() is None
    assert os.path.isfile(ws / "out" / "deadline" / "ntia-botnets.html")


def test_an_up_to_date_batch_is_checked_without_drafting_machinery(two):
    import subprocess
    import sys

    assert batch(two).code == 0
    probe = ("import sys\nfrom drafter.cli import main\ntry:\n    main(['batch', 'batch.yaml'])\n"
             "except SystemExit as exc:\n    code = exc.code\n"
             "heavy = sorted(m for m in ('pydantic', 'jinja2', 'docx', 'markdown_it', "
             "'multiprocessing') if m in sys.modules)\nprint(code, heavy)\n")
    run = lambda: subprocess.run([sys.executable, "-c", probe], cwd=two, capture_output=True,
                                 text=True)
    run()  # the first check validates the batch file (pydantic) and remembers it
    result = run()
    assert result.stdout.strip().splitlines()[-1] == "0 []", result.stdout + result.stderr
    assert statuses(two) == {"ntia": "skipped", "eu": "skipped"}


def test_fail_fast_with_workers_records_every_job_that_finished(workspace):
    lines = ["output_dir: out", "jobs:", "  - consultation: examples/nowhere.yaml"]
    lines += [f"  - {{consultation: examples/ntia-botnets-comments.yaml, name: n{i}}}"
              for i in range(12)]
    write(workspace / "batch.yaml", "\n".join(lines) + "\n")
    result = run_cli("batch", "batch.yaml", "-j", "2", "--fail-fast", cwd=workspace)
    assert result.code == 1
    counts = summary_counts(result.out)
    assert counts["failed"] == "1"
    assert int(counts["built"]) + int(counts.get("not-run", 0)) == 12
    recorded = {o["path"] for j in manifest(workspace)["jobs"] for o in j["outputs"]}
    assert {p.name for p in (workspace / "out").glob("*.docx")} == recorded


def test_a_reference_document_is_used_and_a_change_to_it_rebuilds(two):
    import shutil

    import docx

    shutil.copy(two / "templates" / "house-style.docx", two / "house.docx")
    write(two / "batch.yaml", TWO_JOBS + "defaults:\n  reference_docx: house.docx\n")
    assert batch(two).code == 0
    first = (two / "out" / "ntia.docx").read_bytes()
    assert batch(two).code == 0 and statuses(two) == {"ntia": "skipped", "eu": "skipped"}
    plain = docx.Document()
    plain.save(str(two / "house.docx"))
    assert batch(two).code == 0
    assert statuses(two) == {"ntia": "built", "eu": "built"}
    assert (two / "out" / "ntia.docx").read_bytes() != first
    (two / "house.docx").unlink()
    result = batch(two)
    assert result.code == 1
    assert re.search(r"^failed +ntia: .*house.docx: error: ", result.err, re.M), result.err


@pytest.mark.real_clients
def test_pdf_outputs_through_libreoffice(workspace):
    from tests.conftest import require_tool

    require_tool("soffice", "libreoffice")
    write(workspace / "batch.yaml", """\
output_dir: out
jobs:
  - consultation: examples/ntia-botnets-comments.yaml
    formats: [docx, pdf]
""")
    result = batch(workspace)
    assert result.code == 0, result.err
    assert (workspace / "out" / "ntia-botnets-comments.pdf").read_bytes().startswith(b"%PDF")
    assert [o["path"] for o in manifest(workspace)["jobs"][0]["outputs"]] == [
        "ntia-botnets-comments.docx", "ntia-botnets-comments.pdf"]


MATRIX = """\
output_dir: out
matrix:
  consultations: [examples/fcc-iot-labeling-comments.yaml]
  templates: [us-agency-comments, us-rfc-responses]
  formats: [md]
  name: "{consultation}--{template}"
"""


def test_a_warning_two_jobs_give_is_printed_once_then_counted(workspace):
    """A matrix of one consultation in two templates printed every warning of the
    consultation twice."""
    write(workspace / "batch.yaml", MATRIX)
    result = batch(workspace)
    assert result.code == 0, result.err
    warnings = [line.split(": ", 1)[1] for line in result.err.splitlines()
                if line.startswith("warning ")]
    assert warnings and len(warnings) == len(set(warnings))
    repeated = sum(len(e["warnings"]) for e in manifest(workspace)["jobs"]) - len(warnings)
    assert repeated > 0
    assert (f"{repeated} warning(s) that earlier jobs gave too, not repeated (-v lists each "
            "job's)") in result.err
    every = batch(workspace, "--force", "-v")
    listed = [line for line in every.err.splitlines() if line.startswith("warning ")]
    assert len(listed) == len(warnings) + repeated and "not repeated" not in every.err
