"""drafter coverage: answered / suggested / skipped / placeholder, the same plan the draft uses."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_cli
from drafter.coverage import ANSWERED, PLACEHOLDER, SKIPPED, SUGGESTED, Candidate, plan
from drafter.load.models import Consultation

PRIVACY = "examples/ntia-consumer-privacy-rfc.yaml"
FTC = Path(__file__).resolve().parent / "data" / "unseen" / "ftc-data-security-anpr.yaml"


def statuses(result) -> dict:
    return {q["id"]: q for q in json.loads(result.out)["questions"]}


def test_coverage_of_an_answered_consultation(workspace):
    result = run_cli("coverage", PRIVACY, "--format", "json", cwd=workspace)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    by_id = statuses(result)
    assert list(by_id) == [str(i) for i in range(1, 9)]
    assert by_id["2"] == {"id": "2", "status": "answered", "automatic": False,
                          "positions": ["address-internet-fragmentation"], "reason": None}
    assert by_id["5"]["status"] == "answered" and by_id["5"]["positions"] == []   # own text
    assert by_id["7"] == {"id": "7", "status": "skipped", "positions": [], "automatic": False,
                          "reason": "enforcement resources are outside the coalition's remit in "
                                    "this filing"}
    assert data["summary"] == {"answered": 7, "suggested": 0, "skipped": 1, "placeholder": 0}


def test_coverage_reports_automatic_answers_and_placeholders_with_candidates():
    result = run_cli("coverage", FTC, "-f", "json")
    by_id = statuses(result)
    q1 = by_id["1"]
    assert q1["status"] == "suggested" and q1["automatic"] and not q1["recorded"]
    assert q1["positions"] and all(
        c["confident"] and c["fits"] for c in q1["candidates"] if c["position"] in q1["positions"])
    q6 = by_id["6"]
    assert q6["status"] == "placeholder" and q6["positions"] == [] and not q6["automatic"]
    assert q6["candidates"] and all(set(c) == {"position", "score", "why", "confident", "fits"}
                                    for c in q6["candidates"])
    assert json.loads(result.out)["summary"] == {"answered": 0, "suggested": 4, "skipped": 0,
                                                 "placeholder": 2}


def test_coverage_table_and_strict(workspace):
    result = run_cli("coverage", FTC, cwd=workspace)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("Q1     suggested   ") and "[automatic]" in " ".join(lines[:2])
    assert any(line.startswith("Q6     placeholder candidates: ") for line in lines)
    assert lines[-1] == "6 questions: 0 answered, 4 suggested, 0 skipped, 2 placeholder"
    assert run_cli("coverage", FTC, "--strict", cwd=workspace).code == 1
    # own text lines say so
    privacy = run_cli("coverage", PRIVACY, cwd=workspace)
    assert "Q5     answered    (own text)" in privacy.out


def test_strict_passes_when_everything_is_answered_or_skipped(workspace):
    result = run_cli("coverage", PRIVACY, "--strict", cwd=workspace)
    assert result.code == 0, result.out


def test_recorded_suggestions_count_as_suggested(workspace):
    path = workspace / "examples" / "ftc.yaml"
    path.write_text((workspace / "examples" / "cisa-circia-rfi.yaml")
                    .read_text().split("questions:")[0]
                    + "questions:\n  - {id: '1', text: Should providers keep strong encryption "
                      "and oppose backdoors for law enforcement access to encrypted data?}\n")
    assert run_cli("suggest", path, "--write", cwd=workspace).code == 0
    text = path.read_text()
    assert "suggested: [" in text and "\npositions:" not in text.split("questions:")[1]
    result = run_cli("coverage", path, cwd=workspace)
    assert "[recorded]" in result.out and "[automatic]" not in result.out
    assert result.out.splitlines()[-1] == ("1 question: 0 answered, 1 suggested, 0 skipped, "
                                           "0 placeholder")


def test_suggest_write_without_questions_never_touches_positions(workspace):
    path = workspace / "examples" / "paper.yaml"
    before = ("title: Consultation on the security of online services and data protection\n"
              "agency: {name: European Commission, short_name: Commission}\n"
              "kind: public-consultation\njurisdiction: EU\n"
              "abstract: Encryption, lawful access to data, due process and transparency about "
              "government requests for data.\npositions: [eu-members-in-europe]\n")
    path.write_text(before)
    result = run_cli("suggest", path, "--write", cwd=workspace)
    assert result.code == 0, result.err
    after = path.read_text()
    assert after.startswith(before)            # appended, the positions list left as it was
    added = after[len(before):].splitlines()
    assert added[0] == "suggested:" and len(added) >= 2
    assert all(line.endswith("# suggested by drafter suggest: review") for line in added[1:])
    assert "combat-abuse-keep-encryption" in added[1]

def test_unknown_or_retired_recorded_suggestions(workspace):
    path = workspace / "examples" / "ntia-consumer-privacy-rfc.yaml"
    text = path.read_text()
    path.write_text(text.replace('  "8":\n    positions: [encryption-multistakeholder-engagement]',
                                 '  "8":\n    suggested: [goverment-facilitator-educator]'))
    result = run_cli("coverage", path, cwd=workspace)
    assert result.code == 2
    assert "error: unknown position id 'goverment-facilitator-educator' (did you mean " \
           "'government-facilitator-educator'?)" in result.err
    assert result.err.startswith("examples/ntia-consumer-privacy-rfc.yaml:")
    path.write_text(text.replace('  "8":\n    positions: [encryption-multistakeholder-engagement]',
                                 '  "8":\n    suggested: [coalition-charter-members]'))
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


def c(pid, score, confident=True, fits=True):
    return Candidate(pid, score, "why", confident, fits)


def test_plan_places_each_block_where_it_scores_best_and_never_only_refers():
    consultation = Consultation.model_validate({
        "title": "T", "agency": {"name": "A", "short_name": "A"}, "kind": "rfc",
        "jurisdiction": "US", "positions": ["general"],
        "questions": [{"id": str(i), "text": f"q{i}"} for i in range(1, 8)],
        "answers": {"1": {"positions": ["chosen"]}, "2": {"skip": "not ours"},
                    "3": {"suggested": ["kept", "gone"]}},
    })
    live = {"4": [c("chosen", 0.9), c("shared", 0.6), c("own", 0.5)],
            "5": [c("shared", 0.8), c("general", 0.7)],
            "6": [c("weak", 0.9, confident=False), c("misfit", 0.8, fits=False)],
            "7": [c("shared", 0.3)]}

    def recorded(qid, ids):
        return [i for i in ids if i != "gone"]

    result = plan(consultation, recorded, lambda q: live.get(q.id, []))
    assert [(s.id, s.status) for s in result] == [
        ("1", ANSWERED), ("2", SKIPPED), ("3", SUGGESTED), ("4", SUGGESTED), ("5", SUGGESTED),
        ("6", PLACEHOLDER), ("7", PLACEHOLDER)]
    assert result[2].positions == ["kept"] and result[2].recorded
    assert result[3].positions == ["own"]          # 'chosen' is shown at 1, 'shared' scores best at 5
    assert result[4].positions == ["shared"]       # 'general' is already in the filing
    assert result[5].positions == [] and [x.position for x in result[5].candidates] == [
        "weak", "misfit"]                           # not confident / does not fit: placeholder
    assert result[6].positions == []               # its only pick is written at 5: no reference
    assert not any(hasattr(s, "references") for s in result)


def test_coverage_and_suggest_tables_keep_position_ids_whole(workspace):
    """Ids such as ``should-imperatives`` were wrapped at their hyphens, so they could not be
    copied from the table."""
    import json
    import re

    ids = {b["id"] for b in json.loads(run_cli("positions", "list", "--format", "json",
                                               cwd=workspace).out)}
    for command in ("coverage", "suggest"):
        for name in (FTC, PRIVACY):
            out = run_cli(command, name, cwd=workspace).out
            for line in out.splitlines():
                assert not re.search(r"[a-z]-$", line.rstrip()), (command, line)
            assert any(i in out for i in ids)


def test_a_confident_candidate_used_at_another_question_says_where():
    # A new user's question 7 listed `due-process-data-access` as a confident, fitting
    # candidate yet left a placeholder, and neither the table nor the JSON said why: the
    # block answers question 8, where it scored higher.
    model = Consultation.model_validate({
        "title": "T", "agency": {"name": "A", "short_name": "A"}, "kind": "nprm",
        "jurisdiction": "US", "positions": ["framing-block"],
        "questions": [{"id": "7", "text": "safeguards"}, {"id": "8", "text": "subpoenas"}]})
    scores = {"7": [("due", 0.85), ("framing-block", 0.8), ("other", 0.3)],
              "8": [("due", 0.89)]}
    out = plan(model, lambda qid, ids: ids, lambda q: [
        Candidate(pid, score, "", score > 0.5, True) for pid, score in scores[q.id]])
    q7, q8 = out
    assert q8.status == SUGGESTED and q8.positions == ["due"]
    assert q7.status == PLACEHOLDER
    assert [(c.position, c.used_at, c.note()) for c in q7.candidates] == [
        ("due", "8", "confident; used at question 8"),
        ("framing-block", "", "confident; already in the filing"),
        ("other", None, "not confident")]
    assert q7.candidates[0].as_json()["used_at"] == "8"
    assert "used_at" not in q7.candidates[2].as_json()


def test_coverage_table_says_where_a_confident_candidate_is_used(workspace):
    path = workspace / "examples" / "circia-nprm.yaml"
    path.write_text("""title: CIRCIA Reporting Requirements
agency: {name: Cybersecurity and Infrastructure Security Agency, short_name: CISA}
kind: nprm
jurisdiction: US
questions:
  - id: "7"
    text: What safeguards should apply to the information submitted, including protection of
      personal information, limits on its use by law enforcement and regulators, and protection
      from disclosure?
  - id: "8"
    text: Should law enforcement need a warrant or court order before it obtains customer
      data from a provider, and what due process should apply?
""")
    table = run_cli("coverage", path, cwd=workspace)
    lines = " ".join(table.out.split())
    assert "Q8 suggested due-process-data-access [automatic]" in lines
    assert "due-process-data-access (confident; used at question 8)" in lines
