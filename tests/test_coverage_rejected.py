"""answers.ID.rejected: a position rejected as the answer to a question (the browser's Reject)
is never suggested or drafted for that question again; drafter coverage, suggest --write and
the draft agree."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import run_cli
from drafter.coverage import PLACEHOLDER, SUGGESTED, Candidate, plan
from drafter.load.models import Consultation

FTC = Path(__file__).resolve().parent / "data" / "unseen" / "ftc-data-security-anpr.yaml"


def c(pid, score, confident=True, fits=True):
    return Candidate(pid, score, "why", confident, fits)


def test_plan_leaves_rejected_candidates_out_of_that_question_only():
    consultation = Consultation.model_validate({
        "title": "T", "agency": {"name": "A", "short_name": "A"}, "kind": "rfc",
        "jurisdiction": "US",
        "questions": [{"id": "4", "text": "q4"}, {"id": "5", "text": "q5"}],
        "answers": {"5": {"rejected": ["shared"]}}})
    live = {"4": [c("shared", 0.6), c("own", 0.5)], "5": [c("shared", 0.8), c("weak", 0.2, False)]}
    result = plan(consultation, lambda qid, ids: ids, lambda q: live[q.id])
    assert [(s.id, s.status, s.positions) for s in result] == [
        ("4", SUGGESTED, ["shared", "own"]), ("5", PLACEHOLDER, [])]
    assert [x.position for x in result[1].candidates] == ["weak"]


def _ftc(workspace) -> Path:
    path = workspace / "examples" / "ftc.yaml"
    shutil.copy(FTC, path)
    return path


def _covered(path, workspace) -> dict:
    result = run_cli("coverage", path, "--format", "json", cwd=workspace)
    assert result.code == 0, result.err
    return {q["id"]: q for q in json.loads(result.out)["questions"]}


def test_rejected_auto_pick_is_left_out_by_coverage_suggest_write_and_draft(workspace, tmp_path):
    path = _ftc(workspace)
    picks = _covered(path, workspace)["1"]["positions"]
    assert picks
    with path.open("a") as f:
        f.write("answers:\n  '1':\n    rejected: [" + ", ".join(picks) + "]\n")
    q1 = _covered(path, workspace)["1"]
    assert not set(picks) & set(q1["positions"])
    assert not set(picks) & {x["position"] for x in q1["candidates"]}
    md = tmp_path / "ftc.composed.md"
    assert run_cli("draft", path, "-o", md, cwd=workspace).code == 0
    drafted = md.read_text()
    assert not any(f'block="{pid}"' in drafted for pid in picks)
    assert run_cli("suggest", path, "--write", cwd=workspace).code == 0
    from drafter.load.consultation import load_consultation
    answer = load_consultation(path).model.answers["1"]
    assert answer.rejected == picks and not set(picks) & set(answer.suggested)


def test_rejected_that_is_not_a_list_of_ids_is_one_line_error_exit_2(workspace):
    path = _ftc(workspace)
    with path.open("a") as f:
        f.write("answers:\n  '1':\n    rejected: {a: 1}\n")
    result = run_cli("coverage", path, cwd=workspace)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert lines == ["examples/ftc.yaml:38:5: error: invalid consultation: answers.1.rejected: "
                     "Input should be a valid list"]


def test_check_reports_a_rejected_id_not_in_the_library_at_its_line(workspace):
    path = _ftc(workspace)
    with path.open("a") as f:
        f.write("answers:\n  '1':\n    rejected: [eu-opose-backdoors]\n")
    line = path.read_text().splitlines().index("    rejected: [eu-opose-backdoors]") + 1
    result = run_cli("check", path, cwd=workspace)
    assert result.code != 0
    assert (f"{path.relative_to(workspace)}:{line}:" in result.out + result.err
            and "unknown position id 'eu-opose-backdoors' (did you mean "
                "'eu-oppose-backdoors'?)" in result.out + result.err)
