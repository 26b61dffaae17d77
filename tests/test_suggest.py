"""drafter suggest: the cached FTS5 index, ranking with reasons, the CLI, and --write."""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

import yaml


import pytest

from conftest import EXAMPLES, ROOT, run_cli
from drafter.errors import LoadError
from drafter.load.consultation import load_consultation
from drafter.load.library import block_files, load_library
from drafter.suggest import Index, Suggester

UNSEEN_FTC = Path(__file__).resolve().parent / "data" / "unseen" / "ftc-data-security-anpr.yaml"

BACKDOOR_QUESTION = ("Should providers be required to give law enforcement exceptional access "
                     "to encrypted communications?")


def open_index(ws: Path) -> Index:
    return Index.open(ws / ".drafter", ws / "positions", ws / "positions" / "topics.yaml")


def block_file(ws: Path, block_id: str) -> Path:
    return next((ws / "positions").rglob(f"{block_id}.md"))


def rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_planned_obsolescence(ws: Path) -> None:
    """Change a few words of one answering block (its meaning changes, nothing else)."""
    rewrite(block_file(ws, "planned-obsolescence"), "the need for solutions for aging hardware",
            "the need for solutions for aging hardware, such as routers without updates")


def age(path: Path, seconds: int = 10) -> None:
    """Date a file back, as if edited a while ago (the index re-checks files that changed
    within the last two seconds of a scan)."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - seconds * 1_000_000_000))


def age_library(ws: Path) -> None:
    for path in (ws / "positions").rglob("*"):
        if path.is_file():
            age(path, 60)


# --- the index cache ----------------------------------------------------------------------------

def test_index_built_once_then_reused(workspace):
    age_library(workspace)
    count = len(block_files(workspace / "positions"))
    first = open_index(workspace)
    assert (first.stats.mode, first.stats.reason) == ("rebuilt", "no index yet")
    assert first.stats.reparsed == count == len(first)
    assert (workspace / ".drafter" / "index.sqlite").is_file()
    first.close()
    second = open_index(workspace)
    assert (second.stats.mode, second.stats.reparsed, second.stats.removed) == ("cached", 0, 0)
    assert len(second) == count


def test_index_refreshes_only_what_changed(workspace):
    age_library(workspace)
    open_index(workspace).close()
    path = block_file(workspace, "planned-obsolescence")
    rewrite(path, "Issues like Spectre", "Issues like Spectre and zebrafish-class flaws")
    age(path)
    index = open_index(workspace)
    assert (index.stats.mode, index.stats.reparsed) == ("cached", 1)
    ranked = Suggester(index).question("What about zebrafish hardware flaws?", "US")
    assert ranked.suggestions[0].position == "planned-obsolescence"
    index.close()

    # Same bytes, new modification time: hashed again, not parsed again.
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns - 5_000_000_000))
    index = open_index(workspace)
    assert index.stats.reparsed == 0
    index.close()

    path.unlink()
    index = open_index(workspace)
    assert (index.stats.removed, index.stats.reparsed) == (1, 0)
    assert "planned-obsolescence" not in index.ids()
    index.close()

    new = workspace / "positions" / "security" / "new-block.md"
    new.write_text(block_file(workspace, "should-imperatives").read_text().replace(
        "id: should-imperatives", "id: new-block"), encoding="utf-8")
    age(new)
    index = open_index(workspace)
    assert index.stats.reparsed == 1 and "new-block" in index.ids()


def test_block_moved_to_another_file_is_not_a_duplicate(workspace):
    age_library(workspace)
    open_index(workspace).close()
    path = block_file(workspace, "should-imperatives")
    target = path.with_name("renamed.md")
    path.rename(target)
    index = open_index(workspace)
    assert (index.stats.removed, index.stats.reparsed) == (1, 1)
    assert "should-imperatives" in index.ids()


@pytest.mark.parametrize("damage, reason", [
    (b"this is not a database at all" * 100, "unreadable index"),
    (b"", "unreadable index"),
    (b"SQLite format 3\x00" + b"\x00" * 200, "unreadable index"),
])
def test_corrupt_index_is_rebuilt_transparently(workspace, damage, reason):
    open_index(workspace).close()
    (workspace / ".drafter" / "index.sqlite").write_bytes(damage)
    index = open_index(workspace)
    assert index.stats.mode == "rebuilt"
    assert index.stats.reason.startswith(reason)
    assert len(index) == len(block_files(workspace / "positions"))
    result = run_cli("suggest", "examples/cisa-circia-rfi.yaml", "-f", "json", cwd=workspace)
    assert result.code == 0 and json.loads(result.out)["questions"]


def test_missing_index_is_rebuilt_and_commands_work_without_it(workspace):
    result = run_cli("suggest", "examples/cisa-circia-rfi.yaml", cwd=workspace)
    assert result.code == 0, result.err
    shutil.rmtree(workspace / ".drafter")
    assert run_cli("coverage", "examples/cisa-circia-rfi.yaml", cwd=workspace).code == 0
    assert (workspace / ".drafter" / "index.sqlite").is_file()


def test_changed_topic_vocabulary_rebuilds(workspace):
    open_index(workspace).close()
    topics = workspace / "positions" / "topics.yaml"
    os.utime(topics)                                   # touched, same content: reused
    assert open_index(workspace).stats.mode == "cached"
    rewrite(topics, '"hardware", ', '"hardware", "zebrafish", ')
    index = open_index(workspace)
    assert (index.stats.mode, index.stats.reason) == ("rebuilt", "topic vocabulary changed")
    hits = Suggester(index).question("What about zebrafish?", "US").topics
    assert [h.topic for h in hits] == ["hardware-lifecycle"]


def test_index_of_another_library_is_rebuilt(workspace, tmp_path):
    open_index(workspace).close()
    other = tmp_path / "other"
    shutil.copytree(workspace / "positions", other)
    index = Index.open(workspace / ".drafter", other, other / "topics.yaml")
    assert (index.stats.mode, index.stats.reason) == ("rebuilt", "index of another library folder")


def test_unwritable_state_folder_means_an_index_in_memory(workspace):
    (workspace / ".drafter").write_text("not a folder")
    index = open_index(workspace)
    assert index.stats.mode == "memory"
    assert Suggester(index).question(BACKDOOR_QUESTION, "US").suggestions


def test_bad_block_is_reported_like_the_library_does(workspace):
    path = block_file(workspace, "should-imperatives")
    rewrite(path, "stance: support", "stance: maybe")
    with pytest.raises(LoadError) as from_index:
        open_index(workspace)
    with pytest.raises(LoadError) as from_library:
        load_library(workspace / "positions")
    assert str(from_index.value) == str(from_library.value)
    assert from_index.value.path == path and from_index.value.line == 6
    result = run_cli("suggest", "examples/cisa-circia-rfi.yaml", cwd=workspace)
    assert result.code == 2
    assert result.err.strip().startswith("positions/security/should-imperatives.md:6:1: error: "
                                         "invalid position block: stance:")


def test_duplicate_id_and_unknown_topic_are_positioned_errors(workspace):
    copy = workspace / "positions" / "security" / "copy.md"
    copy.write_text(block_file(workspace, "should-imperatives").read_text())
    with pytest.raises(LoadError, match="duplicate position id 'should-imperatives'") as err:
        open_index(workspace)
    assert err.value.line == 2
    copy.unlink()
    rewrite(block_file(workspace, "should-imperatives"), "topics: [definitions]",
            "topics: [definitons]")
    with pytest.raises(LoadError, match="unknown topic 'definitons' \\(did you mean 'definitions'") as err:
        open_index(workspace)
    assert err.value.line == 5


# --- ranking -----------------------------------------------------------------------------------

@pytest.fixture
def shipped():
    from conftest import ROOT
    return Suggester.for_library(load_library(ROOT / "positions"))


def test_ranking_explains_itself(shipped):
    ranked = shipped.question(BACKDOOR_QUESTION, "US")
    top = ranked.suggestions[0]
    assert top.position in ("eu-oppose-backdoors", "combat-abuse-keep-encryption")
    assert top.confident
    assert "topics: " in top.why and "Encryption backdoors" in top.why
    assert "words: " in top.why and "encrypted" in top.why
    assert {"lawful-access", "backdoors", "encryption"} <= {h.topic for h in ranked.topics}


def test_retired_blocks_are_never_suggested(workspace):
    rewrite(block_file(workspace, "eu-oppose-backdoors"), "status: approved", "status: retired")
    ranked = Suggester(open_index(workspace)).question(BACKDOOR_QUESTION, "US", limit=60)
    assert "eu-oppose-backdoors" not in [s.position for s in ranked.suggestions]


def test_draft_and_foreign_blocks_are_flagged_and_never_confident(workspace):
    rewrite(block_file(workspace, "eu-oppose-backdoors"), "status: approved", "status: draft")
    suggester = Suggester(open_index(workspace))
    ranked = suggester.question(BACKDOOR_QUESTION, "US", limit=10)
    draft = next(s for s in ranked.suggestions if s.position == "eu-oppose-backdoors")
    assert "draft block, not yet approved" in draft.why and not draft.confident
    question = ("Should covered entities be required to report cyber incidents to CISA, and what "
                "should a report contain?")
    ranked = suggester.question(question, "EU", limit=10)
    us_only = next(s for s in ranked.suggestions
                   if s.position == "incident-reporting-not-information-sharing")
    assert "written for US filings" in us_only.why and not us_only.confident
    ranked = suggester.question(question, "US", limit=10)
    assert ranked.suggestions[0].position == "incident-reporting-not-information-sharing"
    assert ranked.suggestions[0].confident


def test_chance_just_under_the_threshold_never_shows_as_the_threshold():
    """0.7996 showed as "fits: 80% likely (confident from 80%)" on a question left as a
    placeholder: the percentage is rounded down."""
    from drafter.suggest.rank import fits_reason, percent

    assert [percent(x) for x in (0.7996, 0.8, 0.29, 0.57, 0.999, 0.0)] == [79, 80, 29, 57, 99, 0]
    assert fits_reason(0.7996, 0.8) == "; fits: 79% likely (confident from 80%)"


def test_likely_but_unapproved_block_says_why_it_is_not_used_automatically(workspace):
    question = ("How should spectrum policy help bring affordable high-speed Internet service "
                "to rural and underserved communities?")
    top = Suggester(open_index(workspace)).question(question, "US").suggestions[0]
    assert top.confident and top.chance >= 0.9
    rewrite(block_file(workspace, top.position), "status: approved", "status: draft")
    ranked = Suggester(open_index(workspace)).question(question, "US", limit=3)
    draft = next(s for s in ranked.suggestions if s.position == top.position)
    assert draft.chance is not None and draft.chance >= 0.8 and not draft.confident
    assert draft.why.endswith("; not used automatically: the position is draft, not approved")
    assert not any("not used automatically" in s.why for s in ranked.suggestions if s.confident)


NOT_ANSWERS = ("introduction", "profile", "framing", "section-intro", "closing")


def test_framing_profile_and_closing_blocks_are_never_suggested_as_answers(shipped):
    library = load_library(ROOT / "positions")
    placed = {b.id for b in library if b.meta.role.value in NOT_ANSWERS}
    assert {"eu-building-tomorrow", "coalition-members", "thanks-for-opportunity",
            "regulation-must-respect-infrastructure-role", "eu-strong-encryption"} <= placed
    seen: set[str] = set()
    for question in ("Please describe your organisation and the members you represent.",
                     "Which providers should be in scope of the Internet infrastructure rules?",
                     "Thank you for the opportunity to comment; what else should we consider?",
                     "How should the EU protect strong encryption while combating child sexual "
                     "abuse material?"):
        for jurisdiction in ("US", "EU"):
            ranked = shipped.question(question, jurisdiction, limit=50)
            suggested = {s.position for s in ranked.suggestions}
            assert not suggested & placed, question
            seen |= suggested
    assert "eu-oppose-backdoors" in seen           # answers are still suggested


def test_profile_blocks_stay_available_to_templates(shipped):
    library = load_library(ROOT / "positions")
    assert library.get("coalition-members").meta.role.value == "profile"
    assert shipped.index.ids() == sorted(b.id for b in library)


# The faults reported in issue 10, one test each.

def test_agency_budget_question_gets_no_confident_pick(shipped):
    ranked = shipped.question("Which federal agencies' cybersecurity budgets should Congress "
                              "increase, and by how much?", "US", limit=10)
    assert ranked.suggestions and ranked.confident == []


def test_court_review_question_finds_due_process_block(shipped):
    ranked = shipped.question("What safeguards, such as prior review by a court, should apply "
                              "before authorities access data held by providers?", "US", limit=3)
    assert ranked.suggestions[0].position == "due-process-data-access"
    ranked = shipped.question("Which safeguards, such as prior authorisation by a judge, should "
                              "apply before authorities obtain a customer's data from a "
                              "provider?", "EU", limit=3)
    assert "due-process-data-access" in [s.position for s in ranked.suggestions]


def test_cross_border_data_question_not_confidently_answered_by_botnets(shipped):
    ranked = shipped.question("How should the government address barriers to data flows "
                              "across borders?", "US", limit=10)
    assert [s.position for s in ranked.confident] == ["eu-free-flow-of-data"]
    assert "global-diverse-scope" not in [s.position for s in ranked.suggestions[:3]]


def test_providers_in_scope_question_never_gets_framing_paragraphs(shipped):
    ranked = shipped.question("Which providers should be in scope of the new obligations?", "EU",
                              limit=50)
    ids = [s.position for s in ranked.suggestions]
    assert "eu-building-tomorrow" not in ids and "eu-policy-cornerstones" not in ids
    assert ranked.confident == []


def test_multistakeholder_dns_body_question_gets_no_confident_encryption_pick(shipped):
    ranked = shipped.question("What criteria should a multi-stakeholder body overseeing the "
                              "DNS meet?", "US", limit=10)
    assert "encryption-multistakeholder-engagement" not in [s.position for s in ranked.confident]
    assert "governance-transparency-accountability" in [s.position for s in
                                                        ranked.suggestions[:3]]


def test_reasons_say_how_close_the_meaning_is(shipped):
    ranked = shipped.question(BACKDOOR_QUESTION, "US", explain=1)
    why = ranked.suggestions[0].why
    assert why.startswith("meaning: very close to the question, like a question it answers, “")
    assert "” (similarity 0." in why
    assert ranked.suggestions[0].similarity >= 0.6
    assert ranked.suggestions[1].why == ""


def test_reasons_never_list_a_function_word_matched_through_its_stem(shipped):
    """"ones" stems to "on": it matched every block saying "on" and showed as "words: on"."""
    ranked = shipped.question("What costs would retention obligations impose on service "
                              "providers, in particular small and medium-sized ones?", "EU")
    for s in ranked.suggestions:
        listed = s.why.split("words: ")[1].split(";")[0].split(", ") if "words: " in s.why else []
        assert not {"on", "one", "ones"} & set(listed), s.why


def test_question_with_nothing_in_common_gets_nothing(shipped):
    assert shipped.question("Qwertyuiop zxcvbnm asdfghjkl?", "US").suggestions == []


# --- the command line --------------------------------------------------------------------------

def test_suggest_json_lists_every_question(workspace):
    path = workspace / "odd.yaml"
    path.write_text('title: Odd questions\nagency: {name: Federal Trade Commission, short_name: '
                    'FTC}\nkind: rfc\njurisdiction: US\nquestions:\n'
                    '  - {id: "1", text: "Qwertyuiop zxcvbnm?"}\n'
                    f'  - {{id: "2", text: "{BACKDOOR_QUESTION}"}}\n')
    result = run_cli("suggest", path, "--format", "json", cwd=workspace)
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert [q["id"] for q in data["questions"]] == ["1", "2"]
    assert data["questions"][0]["suggestions"] == []
    assert data["questions"][0]["text"] == "Qwertyuiop zxcvbnm?"
    top = data["questions"][1]["suggestions"]
    assert len(top) == 3
    assert set(top[0]) == {"position", "title", "score", "why", "confident"}
    assert all(0 < s["score"] <= 1 for s in top)
    assert [s["score"] for s in top] == sorted((s["score"] for s in top), reverse=True)


def test_suggest_is_deterministic(workspace):
    first = run_cli("suggest", "examples/ntia-consumer-privacy-rfc.yaml", "-f", "json", "-n", "5",
                    cwd=workspace)
    shutil.rmtree(workspace / ".drafter")
    second = run_cli("suggest", "examples/ntia-consumer-privacy-rfc.yaml", "-f", "json", "-n",
                     "5", cwd=workspace)
    assert first.out == second.out


def test_suggest_table(workspace):
    result = run_cli("suggest", "examples/cisa-circia-rfi.yaml", "-n", "2", cwd=workspace)
    assert result.code == 0
    assert result.out.startswith("Q1  How should CISA define")
    # the number shown is how likely it fits, the same as the reason says (not the score)
    shown = re.search(r"  \*1\. incident-reporting-not-information-sharing  fits (\d+)%  ",
                      result.out)
    assert shown, result.out
    why = re.split(r"\n  [ *]\d+\. ", result.out[shown.end():])[0]
    assert f"fits: {shown.group(1)}% likely" in " ".join(why.split())
    assert "why: meaning: " in result.out and "; topics: " in result.out
    assert result.out.rstrip().endswith("drafter suggest --write records them")


def test_suggest_says_when_no_position_fits(workspace):
    path = workspace / "budget.yaml"
    path.write_text('title: Budgets\nagency: {name: Office of Management and Budget, short_name: '
                    'OMB}\nkind: rfc\njurisdiction: US\nquestions:\n'
                    '  - {id: "1", text: "Which federal agencies\' cybersecurity budgets should '
                    'Congress increase?"}\n'
                    f'  - {{id: "2", text: "{BACKDOOR_QUESTION}"}}\n')
    result = run_cli("suggest", path, cwd=workspace)
    assert result.code == 0, result.err
    first, second = result.out.split("\nQ2  ")
    assert "    (no fitting position: none of these is confident)\n" in first
    assert "  *" not in first
    assert "no fitting position" not in second and "  *1. " in second
    data = json.loads(run_cli("suggest", path, "-f", "json", cwd=workspace).out)
    assert [s["confident"] for s in data["questions"][0]["suggestions"]] == [False] * 3
    assert data["questions"][1]["suggestions"][0]["confident"] is True


def test_suggest_for_a_consultation_without_questions(workspace):
    result = run_cli("suggest", "examples/ec-encryption-call-for-evidence.yaml", "-f", "json",
                     "-n", "5", cwd=workspace)
    data = json.loads(result.out)
    assert data["questions"] == []
    ids = [s["position"] for s in data["consultation"]["suggestions"]]
    assert len(ids) == 5 and {"eu-oppose-backdoors", "combat-abuse-keep-encryption"} <= set(ids)
    table = run_cli("suggest", "examples/ec-encryption-call-for-evidence.yaml", cwd=workspace)
    assert table.out.startswith("Consultation  Technology roadmap on encryption")


def test_suggest_rejects_duplicate_question_ids(workspace):
    path = workspace / "dup.yaml"
    path.write_text("title: T\nagency: {name: A, short_name: A}\nkind: rfc\njurisdiction: US\n"
                    "questions:\n  - {id: 1, text: a}\n  - {id: 1, text: b}\n")
    result = run_cli("suggest", path, cwd=workspace)
    assert result.code == 2
    assert result.err.strip() == "dup.yaml:7: error: duplicate question id '1' (also question 1)"


# --- --write -----------------------------------------------------------------------------------

def _partly_answered(workspace):
    """The consumer-privacy example with questions 1, 3, 4, 5, 6 and 8 left open again."""
    path = workspace / "examples" / "ntia-consumer-privacy-rfc.yaml"
    head, rest = path.read_text().split("answers:\n", 1)
    tail = rest.split("positions:\n", 1)[1]
    path.write_text(head + "answers:\n"
                    '  "2":\n    positions: [address-internet-fragmentation]\n'
                    '  "7":\n    skip: enforcement resources are outside our remit\n'
                    "positions:\n" + tail)
    return path


def test_write_keeps_comments_and_formatting(workspace):
    path = _partly_answered(workspace)
    original = path.read_text() + "\n# Filing furniture, chosen by hand.\nvariables: {short_title: 'Privacy'}\n"
    path.write_text(original)
    result = run_cli("suggest", path, "--write", cwd=workspace)
    assert result.code == 0, result.err
    assert "recorded suggestions for" in result.err
    written = path.read_text()
    diff = [line for line in difflib.ndiff(original.splitlines(), written.splitlines())
            if line.startswith(("- ", "+ "))]
    assert diff and all(line.startswith("+ ") for line in diff)      # lines added, none lost
    added = "\n".join(line[2:] for line in diff)
    recorded = re.findall(r'^  "(\d+)":\n    suggested: \[', added, re.M)
    assert recorded                              # the questions with a confident fitting pick
    assert "# Filing furniture, chosen by hand." in written
    model = load_consultation(path).model
    assert model.answers["2"].positions == ["address-internet-fragmentation"]   # untouched
    assert model.answers["7"].skip and not model.answers["7"].suggested
    assert all(model.answers[q].suggested and not model.answers[q].positions for q in recorded)
    assert list(model.answers) == sorted(model.answers, key=int)        # in question order
    again = run_cli("suggest", path, "--write", cwd=workspace)
    assert again.code == 0 and path.read_text() == written               # nothing new


def test_write_adds_answers_after_the_questions(workspace):
    path = workspace / "examples" / "ftc.yaml"
    shutil.copy(UNSEEN_FTC, path)
    path.write_text(path.read_text() + "positions:\n  - thanks-for-opportunity\n")
    result = run_cli("suggest", path, "--write", cwd=workspace)
    assert result.code == 0, result.err
    text = path.read_text()
    assert text.index("\nanswers:\n") < text.index("\npositions:\n")
    assert text.index("\nquestions:\n") < text.index("\nanswers:\n")
    model = load_consultation(path).model
    assert set(model.answers) == {"1", "2", "3", "4"}   # the questions with a fitting pick
    assert all(a.suggested for a in model.answers.values())


def test_write_for_a_consultation_without_questions(workspace):
    path = workspace / "examples" / "ec-encryption-call-for-evidence.yaml"
    before = load_consultation(path).model.positions
    result = run_cli("suggest", path, "--write", cwd=workspace)
    assert result.code == 0
    model = load_consultation(path).model
    assert model.positions == before          # picks are suggestions, never accepted positions
    assert not set(model.suggested) & set(before)


def test_parallel_build_gives_the_same_index(workspace, monkeypatch):
    import drafter.suggest.index as index_module

    sequential = Index.open(workspace / "seq", workspace / "positions",
                            workspace / "positions" / "topics.yaml")
    monkeypatch.setattr(index_module, "_PARALLEL_FROM", 8)       # a worker process parses
    parallel = Index.open(workspace / "par", workspace / "positions",
                          workspace / "positions" / "topics.yaml")
    query = "SELECT b.rowid, b.id, b.path, b.topics, f.topics, f.body FROM blocks b JOIN fts f " \
            "ON f.rowid = b.rowid ORDER BY b.rowid"
    assert parallel.conn.execute(query).fetchall() == sequential.conn.execute(query).fetchall()
    vectors = "SELECT rowid, vec FROM vectors ORDER BY rowid"        # embedded in the worker
    assert len(parallel.conn.execute(vectors).fetchall()) == 23
    assert parallel.conn.execute(vectors).fetchall() == sequential.conn.execute(vectors).fetchall()
    rewrite(block_file(workspace, "undefined-monolith-terms"), "role: concern", "role: worry")
    with pytest.raises(LoadError, match="invalid position block: role") as err:
        Index.open(workspace / "par2", workspace / "positions",
                   workspace / "positions" / "topics.yaml")
    assert err.value.path.name == "undefined-monolith-terms.md" and err.value.line == 7


def test_block_that_is_not_utf8(workspace):
    path = block_file(workspace, "should-imperatives")
    path.write_bytes(path.read_bytes().replace(b"Broad stakeholders", b"Broad \xff stakeholders"))
    with pytest.raises(LoadError, match="not UTF-8 text") as err:
        open_index(workspace)
    assert err.value.path == path


def test_two_threads_rank_like_one(workspace, monkeypatch):
    import drafter.suggest as suggest_module

    model = load_consultation(workspace / "examples" / "cisa-circia-rfi.yaml").model
    one = [r.as_json() for r in Suggester(open_index(workspace)).questions(model)]
    monkeypatch.setattr(suggest_module, "PARALLEL_FROM", 0)
    index = open_index(workspace)
    with index.conn:
        index.conn.execute("DELETE FROM meant")       # measured again, not recalled
    suggester = Suggester(index)
    two = [r.as_json() for r in suggester.questions(model)]
    assert suggester._second is not None                # the second thread did rank
    assert two == one


def test_write_keeps_windows_line_endings(workspace):
    path = workspace / "examples" / "cisa-circia-rfi.yaml"
    original = path.read_bytes().replace(b"\n", b"\r\n")
    path.write_bytes(original)
    assert run_cli("suggest", path, "--write", cwd=workspace).code == 0
    written = path.read_bytes()
    assert written.startswith(original.split(b"\r\nanswers:")[0].split(b"\r\npositions:")[0])
    assert b"\r\nanswers:\r\n" in written and b"\n" not in written.replace(b"\r\n", b"")


def test_write_around_comments(workspace):
    from conftest import DATA

    original = (DATA / "suggest" / "commented.yaml").read_text()
    with_answers = workspace / "commented.yaml"
    with_answers.write_text(original)
    assert run_cli("suggest", with_answers, "--write", cwd=workspace).code == 0
    lines = with_answers.read_text().splitlines()
    assert [line for line in lines if line not in original.splitlines()] == [
        '  "1":', "    suggested: [eu-oppose-backdoors]"]
    assert lines.index('  "1":') < lines.index('  "2":')            # in question order
    assert "  # chosen by hand" in lines and "# Filing furniture" in lines

    without = workspace / "bare.yaml"
    bare = original.split("answers:")[0] + "\n# Filing furniture" + original.split(
        "# Filing furniture")[1]
    without.write_text(bare)
    assert run_cli("suggest", without, "--write", cwd=workspace).code == 0
    text = without.read_text()
    assert "\nanswers:\n" in text
    assert text.index("answers:") < text.index("# Filing furniture") < text.index("positions:")
    assert text.rstrip().endswith("# trailing comment")


def test_document_frequencies_are_remembered_until_the_library_changes(workspace):
    age_library(workspace)
    index = open_index(workspace)
    counts = index.document_frequencies(["spectre", "encryption", "zebrafish"])
    assert counts["spectre"] >= 1 and counts["encryption"] > counts["spectre"]
    assert counts["zebrafish"] == 0
    index.keep_searches()                 # what a ranking learnt is kept in one transaction
    remembered = dict(index.conn.execute("SELECT term, docs FROM terms"))
    assert remembered[index.stems(["spectre"])["spectre"]] == counts["spectre"]
    assert index.document_frequencies(["spectre", "zebrafish"]) == {
        "spectre": counts["spectre"], "zebrafish": 0}
    index.close()
    path = block_file(workspace, "planned-obsolescence")
    rewrite(path, "Issues like Spectre", "Issues like Spectre and zebrafish-class flaws")
    age(path)
    again = open_index(workspace)
    assert again.stats.reparsed == 1
    assert again.document_frequencies(["zebrafish", "spectre"]) == {
        "zebrafish": 1, "spectre": counts["spectre"]}
    again.close()
    # an index that cannot be written to still answers, it just does not remember
    index_file = workspace / ".drafter" / "index.sqlite"
    reader = open_index(workspace)
    reader.conn.close()
    reader.conn = sqlite3.connect(f"file:{index_file}?mode=ro", uri=True)
    assert reader.document_frequencies(["zebrafish", "encryption", "quokka"]) == {
        "zebrafish": 1, "encryption": counts["encryption"], "quokka": 0}
    reader.keep_searches()
    reader.close()


# --- reusable wordings (variants) are indexed with their block --------------------------------

def test_variant_wording_is_searched_with_its_block(workspace):
    age_library(workspace)
    variant = workspace / "positions" / "copyright" / "avoid-overblocking.us.md"
    rewrite(variant, "excessive blocking", "excessive blocking (quokka filtering)")
    age(variant)
    index = open_index(workspace)
    ranked = Suggester(index).question("Should quokka filtering be limited?", "US")
    assert ranked.suggestions[0].position == "avoid-overblocking"
    assert "quokka" in ranked.suggestions[0].why


def test_index_refreshes_when_a_variant_changes(workspace):
    age_library(workspace)
    open_index(workspace).close()
    variant = workspace / "positions" / "copyright" / "avoid-overblocking.us.md"
    rewrite(variant, "excessive blocking", "excessive blocking (quokka filtering)")
    age(variant)
    index = open_index(workspace)
    assert (index.stats.mode, index.stats.reparsed) == ("cached", 1)
    assert Suggester(index).question("quokka filtering?", "US").suggestions[0].position == \
        "avoid-overblocking"
    index.close()

    again = open_index(workspace)                 # nothing changed since: nothing read
    assert again.stats.reparsed == 0
    again.close()

    st = variant.stat()                           # same bytes, new time: hashed, not parsed
    os.utime(variant, ns=(st.st_atime_ns, st.st_mtime_ns - 5_000_000_000))
    assert open_index(workspace).stats.reparsed == 0

    variant.unlink()                              # a variant gone: its block indexed again
    index = open_index(workspace)
    assert (index.stats.reparsed, index.stats.removed) == (1, 0)
    assert all(s.position != "avoid-overblocking" or "quokka" not in s.why
               for s in Suggester(index).question("quokka filtering?", "US").suggestions)
    index.close()

    added = workspace / "positions" / "copyright" / "eu-copyright-challenges.general.md"
    added.write_text("---\nid: eu-copyright-challenges\nvariant: general\naudience: [UK]\n"
                     "status: draft\n---\n"
                     "Wombat licensing deserves a word.\n", encoding="utf-8")
    age(added)
    index = open_index(workspace)                 # a variant added: its block indexed again
    assert index.stats.reparsed == 1
    assert "wombat" in index.conn.execute(
        "SELECT f.body FROM fts f JOIN blocks b ON b.rowid = f.rowid "
        "WHERE b.id = 'eu-copyright-challenges'").fetchone()[0].lower()


def test_index_on_disk_holds_what_the_loaded_library_does(workspace):
    on_disk = open_index(workspace)
    loaded = Index.from_library(load_library(workspace / "positions"))
    query = "SELECT b.id, f.title, f.summary, f.topics, f.body, v.vec FROM blocks b " \
            "JOIN fts f ON f.rowid = b.rowid LEFT JOIN vectors v ON v.rowid = b.rowid ORDER BY b.id"
    assert on_disk.conn.execute(query).fetchall() == loaded.conn.execute(query).fetchall()
    bodies = dict(on_disk.conn.execute(
        "SELECT b.id, f.body FROM blocks b JOIN fts f ON f.rowid = b.rowid"))
    assert "we urge   to ensure that Internet users" in bodies["avoid-overblocking"]


def test_bad_variant_file_is_a_positioned_error(workspace):
    variant = workspace / "positions" / "copyright" / "avoid-overblocking.us.md"
    rewrite(variant, "variant: us", "variant: eu")
    with pytest.raises(LoadError, match="says variant 'eu'") as err:
        open_index(workspace)
    assert err.value.path == variant and err.value.line == 3
    result = run_cli("suggest", "examples/cisa-circia-rfi.yaml", cwd=workspace)
    assert result.code == 2
    assert result.err.strip().startswith("positions/copyright/avoid-overblocking.us.md:3:")
    assert not (workspace / ".drafter" / "index.sqlite").exists()


def test_block_file_vanishing_while_indexing_is_a_one_line_error(workspace, monkeypatch):
    """A file listed by the scan but gone when read was a crash (a row too short to unpack)."""
    import errno

    import drafter.suggest.index as index_module

    real_read = index_module._read

    def flaky(path):
        if path.endswith("should-imperatives.md"):
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", path)
        return real_read(path)

    monkeypatch.setattr(index_module, "_read", flaky)
    with pytest.raises(LoadError, match="cannot read: No such file or directory") as err:
        open_index(workspace)
    assert Path(err.value.path).name == "should-imperatives.md"
    assert not (workspace / ".drafter" / "index.sqlite").exists()


@pytest.mark.parametrize("question", [
    "What effects would a mechanism of direct payments from large traffic generators to network "
    "operators have on competition, innovation and consumers?",
    "Should content and application providers that generate large volumes of traffic be "
    "required to contribute financially to the cost of network deployment?"])
def test_network_fee_questions_get_no_automatic_answer(shipped, question):
    """The open-Internet block listed two "fair share" questions among those it answers, though
    its text takes no position on network fees: a new user's network-fee question got it as
    an automatic answer at 94%. No block of the library answers such a question."""
    ranked = shipped.question(question, "EU")
    assert ranked.confident == []
    assert all((s.chance or 0) < 0.5 for s in ranked.suggestions[:3])


def test_write_quotes_new_answer_keys_as_the_file_quotes_its_question_ids(workspace):
    # `drafter new` writes ids as '4'; suggest --write added "4" beside them.
    path = workspace / "examples" / "single.yaml"
    path.write_text("""title: Encryption
agency: {name: Home Office, short_name: Home Office}
kind: public-consultation
jurisdiction: UK
questions:
  - id: '1'
    text: Should providers be required to build encryption backdoors so that authorities can
      read their customers' messages?
""")
    result = run_cli("suggest", path, "--write", cwd=workspace)
    assert result.code == 0, result.err
    text = path.read_text()
    assert "\n  '1':\n" in text and '"1"' not in text
    assert load_consultation(path).model.answers["1"].suggested
