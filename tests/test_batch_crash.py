"""A batch killed with SIGKILL mid-run leaves no truncated output, and the next run finishes."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from tests.conftest import group_gone, run_process
from tests.docxread import DocxFile

JOBS = 60

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")


def many_jobs(ws) -> None:
    consultations = ["ntia-botnets-comments", "eu-manifesto-2024"]
    lines = ["output_dir: out", "jobs:"]
    for i in range(JOBS):
        lines += [f"  - consultation: examples/{consultations[i % 2]}.yaml",
                  f"    name: filing-{i:03d}",
                  f"    variables: {{short_title: 'Variant {i}'}}"]
    (ws / "batch.yaml").write_text("\n".join(lines) + "\n")


def test_sigkill_mid_batch_leaves_only_whole_files_and_a_rerun_completes(workspace):
    many_jobs(workspace)
    out = workspace / "out"
    proc = subprocess.Popen([sys.executable, "-m", "drafter", "batch", "batch.yaml", "-j", "2"],
                            cwd=workspace, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not list(out.glob("*.docx")):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "no output appeared"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    gone = group_gone(proc.pid)
    if not gone:
        os.killpg(proc.pid, signal.SIGKILL)
    assert gone, "worker processes outlived the killed batch"

    outputs = sorted(out.glob("*.docx"))
    assert 0 < len(outputs) < JOBS, "the batch was not killed mid-run"
    for path in outputs:  # every file under an output name is complete
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
        assert DocxFile(path.read_bytes()).paragraphs()
    for path in out.iterdir():
        assert path.name.startswith(".") or path.suffix == ".docx" \
            or path.name == "manifest.json", path.name
    if (out / "manifest.json").exists():
        json.loads((out / "manifest.json").read_text())

    result = run_process("batch", "batch.yaml", "-j", "2", cwd=workspace)
    assert result.code == 0, result.err
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    jobs = json.loads((out / "manifest.json").read_text())["jobs"]
    assert len(jobs) == JOBS
    assert {j["status"] for j in jobs} <= {"built", "skipped"}
    for job in jobs:
        [output] = job["outputs"]
        data = (out / output["path"]).read_bytes()
        assert zipfile.ZipFile(out / output["path"]).testzip() is None
        assert hashlib.sha256(data).hexdigest() == output["sha256"]
    assert "kept-edited" not in result.err

    again = run_process("batch", "batch.yaml", cwd=workspace)
    assert again.code == 0
    statuses = {j["status"] for j in json.loads((out / "manifest.json").read_text())["jobs"]}
    assert statuses == {"skipped"}
