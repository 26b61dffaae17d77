"""drafter coverage: answered / suggested / skipped / missing, the same plan the draft uses."""

from __future__ import annotations

import json

from conftest import run_cli
from drafter.coverage import ANSWERED, MISSING, SKIPPED, SUGGESTED, plan
from drafter.load.models import Consultation

PRIVACY = "examples/ntia-consumer-privacy-rfc.yaml"


def statuses(result) -> dict:
    return {q["id"]: q for q in json.loads(result.out)["questions"]}


def test_coverage_of_a_partly_answered_consultation(workspace):
    result = run_cli("coverage", PRIVACY, "--format", "json", cwd=workspace)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    by_id = statuses(result)
    assert list(by_id) == [str(i) for i in range(1, 9)]
    assert by_id["2"] == {"id": "2", "status": "answered",
                          "positions": ["address-internet-fragmentation"], "reason": None}
    assert by_id["6"]["status"] == "answered"
    assert by_id["7"] == {"id": "7", "status": "skipped", "positions": [],
                          "reason": "enforcement resources are outside the coalition's remit in "
                                    "this filing"}
    assert by_id["3"] == {"id": "3", "status": "missing", "positions": [], "reason": None}
    assert by_id["4"]["status"] == "suggested" and by_id["4"]["positions"]
    assert data["summary"] == {"answered": 2, "suggested": 4, "skipped": 1, "missing": 1}


def test_block_used_elsewhere_is_referred_to(workspace):
    by_id = statuses(run_cli("coverage", PRIVACY, "-f", "json", cwd=workspace))
    # privacy-security-standards answers question 6 by hand; question 1 refers to it.
    assert "privacy-security-standards" in by_id["1"]["positions"]
    assert by_id["1"]["see"] == {"privacy-security-standards": "6"}


def test_coverage_table_and_strict(workspace):
    result = run_cli("coverage", PRIVACY, cwd=workspace)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("Q1     suggested  privacy-security-standards (see Q6)")
    assert "Q7     skipped    (enforcement resources are outside" in result.out
    assert "Q3     missing    -" in result.out
    assert lines[-1] == "8 questions: 2 answered, 4 suggested, 1 skipped, 1 missing"
    assert run_cli("coverage", PRIVACY, "--strict", cwd=workspace).code == 1


def test_strict_passes_when_nothing_is_missing(workspace):
    path = workspace / "examples" / "ntia-consumer-privacy-rfc.yaml"
    path.write_text(path.read_text().replace(
        '  "7":\n    skip:', '  "3":\n    skip: covered by our answer to question 2\n  "7":\n    skip:'))
    result = run_cli("coverage", path, "--strict", "-f", "json", cwd=workspace)
    assert result.code == 0, result.out
    assert statuses(result)["3"]["status"] == "skipped"


def test_recorded_suggestions_count_as_suggested(workspace):
    path = workspace / "examples" / "cisa-circia-rfi.yaml"
    assert run_cli("suggest", path, "--write", cwd=workspace).code == 0
    result = run_cli("coverage", path, cwd=workspace)
    assert "[recorded]" in result.out and "[automatic]" not in result.out
    # questions 2, 4 and 7 have no confident suggestion to record
    assert result.out.splitlines()[-1] == ("8 questions: 0 answered, 5 suggested, 0 skipped, "
                                           "3 missing")


def test_unknown_or_retired_recorded_suggestions(workspace):
    path = workspace / "examples" / "ntia-consumer-privacy-rfc.yaml"
    text = path.read_text()
    path.write_text(text.replace('answers:\n', 'answers:\n  "8":\n    suggested: [goverment-'
                                 'facilitator-educator]\n'))
    result = run_cli("coverage", path, cwd=workspace)
    assert result.code == 2
    assert result.err.strip() == (
        "examples/ntia-consumer-privacy-rfc.yaml:54: error: unknown position id "
        "'goverment-facilitator-educator' (did you mean 'government-facilitator-educator'?)")
    path.write_text(text.replace('answers:\n', 'answers:\n  "8":\n    suggested: [coalition-'
                                 'charter-members]\n'))
    block = workspace / "positions" / "coalition" / "coalition-charter-members.md"
    block.write_text(block.read_text().replace("status: draft", "status: retired"))
    by_id = statuses(run_cli("coverage", path, "-f", "json", cwd=workspace))
    assert "coalition-charter-members" not in by_id["8"]["positions"]   # never a retired block


def test_consultation_without_questions(workspace):
    result = run_cli("coverage", "examples/ec-encryption-call-for-evidence.yaml", cwd=workspace)
    assert result.code == 0
    assert "no questions" in result.out
    result = run_cli("coverage", "examples/ec-encryption-call-for-evidence.yaml", "-f", "json",
                     "--strict", cwd=workspace)
    assert result.code == 0 and json.loads(result.out)["questions"] == []


def test_duplicate_question_ids_exit_2(workspace):
    path = workspace / "dup.yaml"
    path.write_text("title: T\nagency: {name: A, short_name: A}\nkind: rfc\njurisdiction: US\n"
                    "questions:\n  - {id: q1, text: a}\n  - {id: q1, text: b}\n")
    result = run_cli("coverage", path, cwd=workspace)
    assert result.code == 2 and "duplicate question id 'q1'" in result.err


def test_plan_places_each_block_where_it_scores_best():
    consultation = Consultation.model_validate({
        "title": "T", "agency": {"name": "A", "short_name": "A"}, "kind": "rfc",
        "jurisdiction": "US",
        "questions": [{"id": str(i), "text": f"q{i}"} for i in range(1, 6)],
        "answers": {"1": {"positions": ["chosen"]}, "2": {"skip": "not ours"},
                    "3": {"suggested": ["kept", "gone"]}},
    })
    live = {"4": [("chosen", 0.9), ("shared", 0.6)], "5": [("shared", 0.8), ("own", 0.7)]}

    def recorded(qid, ids):
        return [i for i in ids if i != "gone"]

    result = plan(consultation, recorded, lambda q: live.get(q.id, []))
    assert [(s.id, s.status) for s in result] == [
        ("1", ANSWERED), ("2", SKIPPED), ("3", SUGGESTED), ("4", SUGGESTED), ("5", SUGGESTED)]
    assert result[2].positions == ["kept"] and result[2].recorded
    assert result[3].positions == ["chosen", "shared"]
    assert result[3].references == {"chosen": "1", "shared": "5"}   # shown where it scores best
    assert result[4].references == {}
    assert plan(consultation.model_copy(update={"answers": {}}), recorded,
                lambda q: [])[0].status == MISSING
