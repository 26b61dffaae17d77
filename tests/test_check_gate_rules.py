"""The content rules of the pre-filing gate, one module each: doubled words, dangling lead-ins,
program values in the text, phrases bound to another proceeding."""

from __future__ import annotations

from tests.test_check import check, consultation, new_block, of

BLOCK = "positions/procedure/words.md"


def test_doubled_word_points_at_the_block(workspace):
    new_block(workspace, "words", "The term needs to be be better defined, and the the rest "
              "is fine; 10 10 is a number.")
    path = consultation(workspace, "doubled", ["words"])
    code, diags = check(workspace, path)
    found = of(diags, "doubled-word")
    assert [d["message"] for d in found] == ["doubled word 'be be'", "doubled word 'the the'"]
    assert {d["path"] for d in found} == {BLOCK} and found[0]["line"] == 16
    assert found[0]["col"] == 19 and found[0]["severity"] == "warning"


def test_doubled_word_is_left_alone_in_its_own_proceeding(workspace):
    new_block(workspace, "words", "The term needs to be be better defined.")
    path = consultation(workspace, "home", ["words"], proceeding="ntia-botnets-comments")
    code, diags = check(workspace, path)
    assert of(diags, "doubled-word") == [] and of(diags, "as-filed-elsewhere") == []
    elsewhere = consultation(workspace, "away", ["words"])
    code, diags = check(workspace, elsewhere)
    assert len(of(diags, "doubled-word")) == 1 and len(of(diags, "as-filed-elsewhere")) == 1


def test_paragraph_ending_in_a_colon_needs_what_it_introduces(workspace):
    new_block(workspace, "words", "Our recommendations for policymakers:\n\nA new paragraph.")
    new_block(workspace, "listed", "The following principles:\n\n1. one\n2. two",
              title="Listed")
    path = consultation(workspace, "colon", ["words", "listed"])
    code, diags = check(workspace, path)
    found = of(diags, "dangling-colon")
    assert [d["message"] for d in found] == [
        "the paragraph ending 'Our recommendations for policymakers:' introduces nothing: the "
        "list or text it leads into is missing"]
    assert found[0]["path"] == BLOCK and found[0]["line"] == 16


def test_none_and_python_lists_in_the_text(workspace):
    new_block(workspace, "words", "Members: None. Topics: ['a', 'b']. Nonetheless fine.")
    path = consultation(workspace, "none", ["words"])
    code, diags = check(workspace, path)
    assert sorted(d["message"] for d in of(diags, "python-literal")) == [
        "program value 'None' in the text (a template printed a value, not words)",
        # as the filing prints it, quotes curled by the typographer
        "program value '[‘a’, ‘b’]' in the text (a template printed a value, not words)"]


def test_bound_phrases_from_the_settings_and_their_jurisdictions(workspace):
    new_block(workspace, "words", "As this draft says, EU policymakers should act; see "
              "Section III of the document.")
    path = consultation(workspace, "bound", ["words"])
    code, diags = check(workspace, path)
    assert [d["message"] for d in of(diags, "bound-phrase")] == [
        "'this draft' refers to another proceeding (check.bound_phrases)",
        "'EU policymakers' refers to another proceeding (check.bound_phrases)",
        "'Section III' refers to another proceeding (check.bound_phrases)"]
    eu = consultation(workspace, "bound-eu", ["words"])
    eu.write_text(eu.read_text().replace("jurisdiction: US", "jurisdiction: EU").replace(
        "template: us-agency-comments", "template: eu-position-paper"))
    code, diags = check(workspace, eu)
    assert "'EU policymakers' refers" not in str(of(diags, "bound-phrase"))
    # the list is the workspace's: drafter.yaml check.bound_phrases
    settings = workspace / "drafter.yaml"
    settings.write_text("check:\n  bound_phrases: [the document]\n")
    code, diags = check(workspace, path)
    assert [d["message"] for d in of(diags, "bound-phrase")] == [
        "'the document' refers to another proceeding (check.bound_phrases)"]


def test_rules_are_listed():
    from tests.conftest import run_cli
    out = run_cli("check", "--list-rules").out
    for code in ("unreviewed-answer", "outside-fit", "as-filed-elsewhere", "doubled-word",
                 "dangling-colon", "python-literal", "bound-phrase", "unapproved-in-use"):
        assert code in out


def test_one_position_answering_two_questions_is_reported_at_the_second(workspace):
    """A staff member accepted the same position on questions 2 and 5: the PDF printed the
    paragraph twice and no check said so."""
    path = workspace / "consultations" / "twice.yaml"
    path.parent.mkdir(exist_ok=True)
    text = ("title: Request for Comment on Data Security\n"
            "agency: {name: Federal Trade Commission, short_name: FTC}\n"
            "kind: rfc\njurisdiction: US\n"
            "questions:\n"
            "  - {id: '1', text: How should firms protect consumer data?}\n"
            "  - {id: '2', text: Which security standards should apply?}\n"
            "answers:\n"
            "  '1':\n    positions: [privacy-security-standards]\n"
            "  '2':\n    positions:\n      - privacy-security-standards\n")
    path.write_text(text)
    code, diags = check(workspace, path)
    [found] = of(diags, "repeated-answer")
    assert found["message"].startswith("position 'privacy-security-standards' answers question 2"
                                       " and question 1: the filing prints the same text twice")
    assert found["path"] == "consultations/twice.yaml"
    assert found["line"] == text.splitlines().index("      - privacy-security-standards") + 1
    path.write_text(text.replace("      - privacy-security-standards\n",
                                 "      - due-process-data-access\n"))
    assert of(check(workspace, path)[1], "repeated-answer") == []
