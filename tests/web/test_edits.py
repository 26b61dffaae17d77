"""Unit tests of the browser's file changes (drafter.web.edits): round trip, tokens, approval."""

from __future__ import annotations

import pytest

from drafter.web import edits

CONSULTATION = """\
# Kept comment at the top.
title: T   # title comment
agency: {name: Agency, short_name: AG}
kind: rfc
jurisdiction: US
questions:
  - {id: "1", text: First?}
  - {id: "2", text: Second?}
answers:
  "1": {suggested: [eu-oppose-backdoors, combat-abuse-keep-encryption]}  # picks
# Trailing comment.
"""


@pytest.fixture
def consultation(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(CONSULTATION)
    return path


def test_accept_moves_a_pick_from_suggested_to_positions(consultation):
    token = edits.answer_token(consultation, "1")
    said = edits.edit_answer(consultation, "1", token, edits.accept("eu-oppose-backdoors"))
    assert said == "accepted eu-oppose-backdoors"
    text = consultation.read_text()
    assert '"1": {suggested: [combat-abuse-keep-encryption], positions: [eu-oppose-backdoors]}' \
        in text
    for comment in ("# Kept comment at the top.", "# title comment", "# picks",
                    "# Trailing comment."):
        assert comment in text


def test_reject_of_an_automatic_pick_records_it_as_rejected(consultation):
    token = edits.answer_token(consultation, "2")
    said = edits.edit_answer(consultation, "2", token, edits.reject("a"))
    assert said == "rejected a"
    from drafter.load.yamlsrc import load_yaml_file
    data, _ = load_yaml_file(consultation)
    assert data["answers"]["2"] == {"rejected": ["a"]}
    assert list(data["answers"]) == ["1", "2"]


def test_reject_of_a_candidate_the_answer_does_not_use_records_it_as_rejected(consultation):
    token = edits.answer_token(consultation, "2")
    said = edits.edit_answer(consultation, "2", token, edits.reject("eu-oppose-backdoors"))
    assert said == "rejected eu-oppose-backdoors"
    from drafter.load.yamlsrc import load_yaml_file
    data, _ = load_yaml_file(consultation)
    assert data["answers"]["2"] == {"rejected": ["eu-oppose-backdoors"]}
    token = edits.answer_token(consultation, "2")
    said = edits.edit_answer(consultation, "2", token, edits.reject("eu-oppose-backdoors"))
    assert said == "eu-oppose-backdoors was already rejected: nothing changed"


def test_reject_of_a_recorded_pick_moves_it_to_rejected(consultation):
    token = edits.answer_token(consultation, "1")
    edits.edit_answer(consultation, "1", token, edits.reject("eu-oppose-backdoors"))
    assert '"1": {suggested: [combat-abuse-keep-encryption], rejected: [eu-oppose-backdoors]}' \
        in consultation.read_text()


def test_undo_and_accept_take_back_a_rejection(consultation):
    edits.edit_answer(consultation, "1", edits.answer_token(consultation, "1"),
                      edits.reject("eu-oppose-backdoors"))
    said = edits.edit_answer(consultation, "1", edits.answer_token(consultation, "1"),
                             edits.unreject("eu-oppose-backdoors"))
    assert said == "took back the rejection of eu-oppose-backdoors"
    assert '"1": {suggested: [combat-abuse-keep-encryption]}' in consultation.read_text()
    edits.edit_answer(consultation, "1", edits.answer_token(consultation, "1"),
                      edits.reject("combat-abuse-keep-encryption"))
    edits.edit_answer(consultation, "1", edits.answer_token(consultation, "1"),
                      edits.accept("combat-abuse-keep-encryption"))
    assert '"1": {positions: [combat-abuse-keep-encryption]}' in consultation.read_text()


def test_removing_an_accepted_position_says_removed(consultation):
    token = edits.answer_token(consultation, "1")
    edits.edit_answer(consultation, "1", token, edits.accept("eu-oppose-backdoors"))
    token = edits.answer_token(consultation, "1")
    said = edits.edit_answer(consultation, "1", token, edits.reject("eu-oppose-backdoors"))
    assert said == "removed eu-oppose-backdoors"
    from drafter.load.yamlsrc import load_yaml_file
    data, _ = load_yaml_file(consultation)
    assert "positions" not in data["answers"]["1"]


def test_saving_an_empty_answer_removes_it(consultation):
    edits.edit_answer(consultation, "2", edits.answer_token(consultation, "2"),
                      edits.set_text("Some text."))
    edits.edit_answer(consultation, "2", edits.answer_token(consultation, "2"),
                      edits.set_text("  \r\n "))
    from drafter.load.yamlsrc import load_yaml_file
    data, _ = load_yaml_file(consultation)
    assert "2" not in data["answers"]


def test_stale_token_is_a_conflict_and_nothing_is_written(consultation):
    token = edits.answer_token(consultation, "1")
    edits.edit_answer(consultation, "1", token, edits.set_skip("not ours"))
    after = consultation.read_bytes()
    with pytest.raises(edits.Conflict, match="changed since this page was opened"):
        edits.edit_answer(consultation, "1", token, edits.set_text("Late."))
    assert consultation.read_bytes() == after


def test_other_question_answers_do_not_conflict(consultation):
    token_2 = edits.answer_token(consultation, "2")
    edits.edit_answer(consultation, "1", edits.answer_token(consultation, "1"),
                      edits.set_text("One."))
    edits.edit_answer(consultation, "2", token_2, edits.set_text("Two."))
    text = consultation.read_text()
    assert "text: One." in text and "text: Two." in text


def test_crlf_file_keeps_its_line_endings(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_bytes(CONSULTATION.replace("\n", "\r\n").encode())
    edits.edit_answer(path, "2", edits.answer_token(path, "2"), edits.set_text("A\nB"))
    data = path.read_bytes()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_unknown_question_is_refused(consultation):
    from drafter.errors import LoadError

    with pytest.raises(LoadError, match="no question '9'"):
        edits.edit_answer(consultation, "9", "x", edits.set_text("x"))


def test_check_block_text_reports_at_the_edited_line(workspace):
    from drafter.load.workspace import discover

    ws = discover(start=workspace)
    path = workspace / "positions" / "encryption" / "eu-oppose-backdoors.md"
    text = path.read_text().replace("stance: oppose", "stance: against")
    findings = edits.check_block_text(ws, path, text)
    line = text.splitlines().index("stance: against") + 1
    assert [(f.severity, f.line) for f in findings if f.severity == "error"] == [("error", line)]
    assert "stance" in findings[0].message
    assert path.read_text() != text
    assert not list(workspace.glob(".drafter/**/*.md"))
