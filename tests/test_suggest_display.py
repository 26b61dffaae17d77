"""What suggestions show a policy lead: reasons that name only distinctive words, later
candidates only when likely enough to fit, and a position written for another jurisdiction
that would have been the best candidate.

The ranking itself (scores, order, confidence) is not what these tests are about:
tests/test_suggest_quality.py holds it to the tuned weights. The consultations are ones drafter
had never seen (tests/data/suggest/ec-electronic-communications.yaml, EU, and
dsit-data-centres.yaml, UK), run as users run them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import DATA, EXAMPLES, ROOT, run_cli
from drafter.load.library import load_library
from drafter.suggest import Suggester
from tests.docxread import DocxFile

EC = DATA / "suggest" / "ec-electronic-communications.yaml"
DSIT = DATA / "suggest" / "dsit-data-centres.yaml"
LABELS = DATA / "suggest" / "labels.yaml"
EC_Q = {q["id"]: " ".join(q["text"].split()) for q in
        __import__("yaml").safe_load(EC.read_text())["questions"]}
DSIT_Q = {q["id"]: " ".join(q["text"].split()) for q in
          __import__("yaml").safe_load(DSIT.read_text())["questions"]}
INFORMATION_SHARING = ("The library has a position written for US filings that may fit: "
                       "\u201cInformation Sharing\u201d (incident-reporting-not-information-"
                       "sharing); a reviewer can write a UK wording.")


@pytest.fixture(scope="module")
def shipped():
    return Suggester.for_library(load_library(ROOT / "positions"))


def named_words(why: str) -> list[str]:
    """The words a reason names ("words: a, b; ..."), or []."""
    found = re.search(r"(?:^|; )words: ([^;]*)", why)
    return found.group(1).split(", ") if found else []


def table_entries(out: str) -> dict[str, list[str]]:
    """Question id -> the lines of its entry in drafter suggest's table."""
    entries: dict[str, list[str]] = {}
    current = None
    for line in out.splitlines():
        head = re.match(r"Q(\S+)  ", line)
        if head:
            current = head.group(1)
            entries[current] = []
        if current is not None:
            entries[current].append(line)
    return entries


def listed(lines: list[str]) -> list[tuple[str, int]]:
    """(position, fits %) of the suggestions an entry of the table lists."""
    return [(m.group(1), int(m.group(2))) for m in
            (re.match(r"  [ *]\d+\. (\S+)  fits (\d+)%", line) for line in lines) if m]


# --- 1. reasons name only words that carry meaning ---------------------------------------------

def test_reasons_never_name_plain_words_such_as_work_call_or_closing(shipped):
    """EC Q5 ("... work well ... disputes that call for ...") gave "words: content, work,
    call"; EC Q2 ("... will not close on its own") gave "words: closing"; EC Q3 ("be required
    to contribute") gave the encryption backdoors block "words: requirement, require,
    requires"."""
    for qid in ("2", "3", "5"):
        ranked = shipped.question(EC_Q[qid], "EU", qid, limit=10)
        for s in ranked.suggestions:
            assert not {"work", "call", "closing", "close", "requirement", "require",
                        "requires"} & set(named_words(s.why)), s.why
    ranked = shipped.question(EC_Q["3"], "EU", "3")
    backdoors = next(s for s in ranked.suggestions if s.position == "eu-oppose-backdoors")
    assert "no distinctive words in common" in backdoors.why


def test_reasons_never_name_a_word_half_the_library_uses(shipped):
    """"internet" is in most blocks (BM25 gives it no weight): it tells no block apart."""
    index = shipped.index
    df = index.document_frequencies(["internet", "innovation"])
    assert 2 * df["internet"] >= len(index) > 2 * df["innovation"]
    ranked = shipped.question(EC_Q["4"], "EU", "4")
    first = ranked.suggestions[0]
    assert first.position == "open-access-neutrality"
    assert "innovation" in named_words(first.why)
    assert "internet" not in [w.lower() for w in named_words(first.why)]


def test_a_reason_names_one_form_of_a_word(shipped):
    """EC Q7's "cross-border" matched "cross-border" and "borders", both named."""
    ranked = shipped.question(EC_Q["7"], "EU", "7")
    assert ranked.suggestions[0].position == "eu-free-flow-of-data"
    assert named_words(ranked.suggestions[0].why) == ["cross-border"]


def test_a_reason_without_a_distinctive_word_says_so(shipped):
    ranked = shipped.question(EC_Q["1"], "EU", "1")
    first = ranked.suggestions[0]
    assert first.position == "digital-inclusion-accessibility"
    assert "no distinctive words in common" in first.why and "words: " not in first.why


def test_acronyms_match_only_the_same_acronym_in_the_same_sense():
    from drafter.suggest.rank import same_sense

    block = "Enforcement of intellectual property (IP) rights must be proportionate."
    assert same_sense("ip", block, "Do the markets for IP interconnection work well?") == "IP"
    assert same_sense("ip", block, "Should Internet Protocol (IP) interconnection be "
                                   "regulated?") is None       # spelt out otherwise
    assert same_sense("ip", block, "What is your ip address policy?") is None
    assert same_sense("ip", block, "How should intellectual property and ip be enforced?") \
        == "IP"                                                # the lower-case word, expanded
    assert same_sense("dns", "The DNS must stay whole.",
                      "How should the domain name system (dns) be run?") == "DNS"
    assert same_sense("isps", "ISPs should not monitor.", "Should ISPs monitor?") == "ISPs"
    assert same_sense("ai", "ai", "Should AI be regulated?") is None
    assert same_sense("content", "Content moderation", "content delivery") == "content"


@pytest.fixture
def workspace_with_ip_block(workspace):
    path = workspace / "positions" / "copyright" / "proportionate-copyright-enforcement.md"
    text = path.read_text(encoding="utf-8")
    body = "Support a principle of proportionality in copyright enforcement"
    assert body in text
    path.write_text(text.replace(body, "Enforcement of intellectual property (IP) rights must "
                                       "be proportionate. " + body, 1), encoding="utf-8")
    return workspace


def why_of(workspace: Path, question: str, position: str) -> str:
    consultation = workspace / "consultations" / "ip.yaml"
    consultation.parent.mkdir(exist_ok=True)
    consultation.write_text(
        "title: IP interconnection\nagency:\n  name: European Commission\n"
        "  short_name: Commission\nkind: public-consultation\njurisdiction: EU\n"
        f"questions:\n  - id: '1'\n    text: {json.dumps(question)}\n", encoding="utf-8")
    result = run_cli("suggest", consultation, "-f", "json", "-n", "50", cwd=workspace)
    assert result.code == 0, result.err
    suggestions = json.loads(result.out)["questions"][0]["suggestions"]
    return next(s["why"] for s in suggestions if s["position"] == position)


def test_an_acronym_spelt_out_otherwise_is_not_a_shared_word(workspace_with_ip_block):
    """Through the CLI: a question on Internet Protocol (IP) interconnection shares no word
    with a block on intellectual property (IP); the same block and a question on IP rights
    share "IP"."""
    ws = workspace_with_ip_block
    protocol = why_of(ws, "Should Internet Protocol (IP) interconnection be regulated?",
                      "proportionate-copyright-enforcement")
    assert "IP" not in named_words(protocol) and "ip" not in named_words(protocol)
    lower = why_of(ws, "Should ip interconnection be regulated?",
                   "proportionate-copyright-enforcement")
    assert "IP" not in named_words(lower) and "ip" not in named_words(lower)
    rights = why_of(ws, "How should IP rights be enforced online?",
                    "proportionate-copyright-enforcement")
    assert "IP" in named_words(rights)


# --- 2. later candidates only when likely enough to fit ----------------------------------------

def test_the_display_floor_is_chosen_on_the_dev_half_only(shipped):
    """SHOW_FROM is what show_from() picks from the dev questions' second and third
    candidates: the lowest whole percentage from which a third of them are right."""
    from drafter.suggest.evaluate import load_labels
    from drafter.suggest.rank import SHOW_FROM, SHOWN_PRECISION, show_from

    observations = []
    for item in load_labels(LABELS, EXAMPLES):
        if item.split != "dev":
            continue
        ranked = shipped.question(item.text, item.jurisdiction, item.id, limit=3, explain=0)
        observations += [(s.chance, s.position in item.relevant)
                         for s in ranked.suggestions[1:]]
    assert len(observations) >= 400
    assert show_from(observations) == SHOW_FROM == 0.14
    shown = [right for chance, right in observations if chance >= SHOW_FROM]
    assert sum(shown) / len(shown) >= SHOWN_PRECISION
    assert (sum(shown), len(shown), len(observations)) == (45, 132, 492)
    lower = [right for chance, right in observations if chance >= SHOW_FROM - 0.01]
    assert sum(lower) / len(lower) < SHOWN_PRECISION            # 13% would show too many


def test_show_from_rule():
    from drafter.suggest.rank import show_from

    assert show_from([(0.5, True), (0.3, False), (0.2, False), (0.1, False)]) == 0.11
    assert show_from([(0.5, True), (0.3, False), (0.2, False), (0.15, False)]) == 0.16
    assert show_from([(0.05, True), (0.5, False)]) == 0.0
    assert show_from([(0.5, False)]) == 1.0
    assert show_from([]) == 1.0


def test_suggest_table_lists_later_candidates_only_when_likely_enough(tmp_path):
    """EC Q2 listed a 9% and a 5% candidate after a 14% one; JSON keeps all three."""
    from drafter.suggest.rank import SHOW_FROM

    table = run_cli("suggest", EC)
    assert table.code == 0, table.err
    entries = table_entries(table.out)
    data = json.loads(run_cli("suggest", EC, "-f", "json").out)
    by_id = {q["id"]: q for q in data["questions"]}
    assert set(entries) == set(by_id) == set(EC_Q)
    hidden = 0
    for qid, lines in entries.items():
        shown = listed(lines)
        assert shown and shown[0][0] == by_id[qid]["suggestions"][0]["position"]
        assert all(pct >= round(100 * SHOW_FROM) for _, pct in shown[1:]), lines
        assert len(by_id[qid]["suggestions"]) == 3                # JSON: the full list
        assert [p for p, _ in shown] == [s["position"] for s in by_id[qid]["suggestions"]
                                         if s["position"] in dict(shown)]
        if len(shown) == 1:
            assert "     No other position comes close." in lines
        hidden += 3 - len(shown)
    assert hidden >= 8
    assert listed(entries["2"]) == [("eu-free-flow-of-data", 14)]
    assert "     No other position comes close." in entries["2"]
    every = table_entries(run_cli("suggest", EC, "--all").out)
    assert all(len(listed(lines)) == 3 for lines in every.values())
    five = table_entries(run_cli("suggest", EC, "-n", "5").out)        # no chance past three
    assert all(len(listed(lines)) <= 3 for lines in five.values())
    five = table_entries(run_cli("suggest", EC, "-n", "5", "--all").out)
    assert all(len([ln for ln in lines if re.match(r"  [ *]\d+\. ", ln)]) == 5
               for lines in five.values())


def test_json_keeps_its_shape(tmp_path):
    data = json.loads(run_cli("suggest", DSIT, "-f", "json").out)
    assert set(data) == {"questions"}
    for question in data["questions"]:
        assert set(question) == {"id", "text", "suggestions"}
        assert len(question["suggestions"]) == 3
        for s in question["suggestions"]:
            assert set(s) == {"position", "title", "score", "why", "confident"}


def docx_comments(path: Path) -> dict[str, str]:
    """Question id -> the text of the Word comment on its placeholder."""
    xml = DocxFile(path.read_bytes()).xml("word/comments.xml").decode()
    out = {}
    for comment in re.findall(r"<w:comment\b.*?</w:comment>", xml, re.S):
        paragraphs = [re.sub(r"<[^>]+>", "", p) for p in
                      re.findall(r"<w:p\b.*?</w:p>", comment, re.S)]
        text = "\n".join(p for p in paragraphs if p)
        found = re.search(r"automatically for question (\S+)\.", text)
        if found:
            out[found.group(1)] = text.replace("&amp;", "&").replace("&#x27;", "'")
    return out


@pytest.fixture(scope="module")
def dsit_draft(tmp_path_factory):
    out = tmp_path_factory.mktemp("dsit") / "dsit.docx"
    result = run_cli("draft", DSIT, "-o", out)
    assert result.code == 0, result.err
    return docx_comments(out)


def test_a_placeholder_comment_lists_later_candidates_only_when_likely_enough(dsit_draft):
    """Every question of the DSIT call for views drafts a placeholder; the comment listed three
    candidates each, down to 5%."""
    assert sorted(dsit_draft) == sorted(DSIT_Q)
    for qid, text in dsit_draft.items():
        lines = text.splitlines()
        candidates = [line for line in lines if re.match(r"[a-z0-9-]+ \(score ", line)]
        assert len(candidates) == 1, text
        assert "No other position comes close." in lines, text
    four = dsit_draft["4"].splitlines()
    assert four[:3] == ["No answer was filled in automatically for question 4.",
                        "Candidates (add one to answers.4.positions to use it):",
                        four[2]]
    assert four[2].startswith("due-process-data-access (score ")
    assert four[3:] == ["No other position comes close.", INFORMATION_SHARING]


# --- 3. a position written for another jurisdiction is named -----------------------------------

def test_a_block_for_another_jurisdiction_that_would_be_first_is_named(shipped):
    ranked = shipped.question(DSIT_Q["4"], "UK", "4")
    assert "incident-reporting-not-information-sharing" not in [
        s.position for s in ranked.suggestions[:3]]
    assert ranked.elsewhere is not None
    assert ranked.elsewhere.note() == INFORMATION_SHARING
    assert "elsewhere" not in json.dumps(ranked.as_json())
    us = shipped.question(DSIT_Q["4"], "US", "4")
    assert us.elsewhere is None                   # written for US filings: ranked as such
    assert us.suggestions[0].position == "incident-reporting-not-information-sharing"


def test_the_note_is_computed_from_the_ranker_s_own_scores(shipped):
    """The named block's score without the jurisdiction factor beats the first's."""
    from drafter.suggest.rank import OTHER_JURISDICTION

    scored, *_ = shipped.ranker.candidates(DSIT_Q["4"], "UK")
    score = next(s for s, row, *_ in scored
                 if row.id == "incident-reporting-not-information-sharing")
    assert score < scored[0][0] < score / OTHER_JURISDICTION


def test_elsewhere_rules():
    from drafter.suggest.index import BlockRow
    from drafter.suggest.rank import HYBRID, Weights, elsewhere

    def row(bid, jurisdictions):
        return BlockRow(1, bid, "", bid.title(), "", ("security",), jurisdictions, "approved",
                        "argument", "neutral")

    here, there = row("here", ("UK",)), row("there", ("US",))
    plain = Weights(words=0.4, meaning=0.4, topic=0.2)
    assert elsewhere([(0.5, here, 0, 0.5, 0.5), (0.2, there, 0, 0.5, 0.5)], "UK",
                     plain).position == "there"
    assert elsewhere([(0.5, here, 0, 0.5, 0.5), (0.15, there, 0, 0.5, 0.5)], "UK",
                     plain) is None                                  # 0.5 is not above 0.5
    assert elsewhere([(0.2, there, 0, 0.5, 0.5), (0.1, here, 0, 0.5, 0.5)], "UK",
                     plain) is None                                  # shown first already
    assert elsewhere([(0.5, here, 0, 0.5, 0.5), (0.2, there, 0, 0.5, 0.5)], "US", plain) is None
    weak = [(0.05, here, 0.0, 0.1, 0.1), (0.02, there, 0.0, 0.1, 0.1)]   # a tiny chance
    assert elsewhere(weak, "UK", plain).position == "there"
    assert elsewhere(weak, "UK", HYBRID) is None
    eu, anywhere = row("eu", ("EU",)), row("anywhere", ("any",))
    note = elsewhere([(0.5, anywhere, 0, 0.5, 0.5), (0.2, eu, 0, 0.5, 0.5)], "US",
                     plain).note()
    assert note == ("The library has a position written for EU filings that may fit: Eu (eu); "
                    "a reviewer can write a US wording.")
    note = elsewhere([(0.5, anywhere, 0, 0.5, 0.5), (0.2, there, 0, 0.5, 0.5)], "EU",
                     plain).note()
    assert note.endswith("a reviewer can write an EU wording.")


def test_suggest_table_names_the_block_for_another_jurisdiction():
    result = run_cli("suggest", DSIT)
    assert result.code == 0, result.err
    four = " ".join(line.strip() for line in table_entries(result.out)["4"])
    assert INFORMATION_SHARING in four
    assert "The library has a position" not in " ".join(table_entries(result.out)["2"])
    data = run_cli("suggest", DSIT, "-f", "json").out
    assert "The library has a position" not in data and '"elsewhere"' not in data


# --- 4. coverage -------------------------------------------------------------------------------

def test_coverage_says_when_the_library_has_no_position(tmp_path):
    path = tmp_path / "odd.yaml"
    path.write_text(
        "title: Odd questions\nagency:\n  name: Test Agency\n  short_name: TA\nkind: rfc\n"
        "jurisdiction: US\nquestions:\n  - id: '1'\n    text: Zqxv wlorp?\n"
        "  - id: '2'\n    text: Should data centre operators have to report significant "
        "incidents to a regulator?\n", encoding="utf-8")
    result = run_cli("coverage", path)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "Q1     placeholder no position in the library"
    data = json.loads(run_cli("coverage", path, "-f", "json").out)
    assert "candidates" not in data["questions"][0]


def test_coverage_lists_later_candidates_only_when_likely_enough():
    result = run_cli("coverage", DSIT)
    assert result.code == 0, result.err
    text = result.out.replace("\n                   ", " ")
    assert ("Q4     placeholder candidates: due-process-data-access (not confident); no other "
            "position comes close") in text
    data = json.loads(run_cli("coverage", DSIT, "-f", "json").out)
    four = next(q for q in data["questions"] if q["id"] == "4")
    assert len(four["candidates"]) == 5


def test_a_word_joined_to_the_question_only_by_the_stemmer_is_not_named():
    # A new user's question on "Route Origin Authorizations" was given the reason "words:
    # authorities": the Porter stemmer gives both "author".
    from drafter.suggest.rank import close_form

    asked = ["Route", "Origin", "Authorizations", "encrypted", "required", "cross", "border"]
    assert not close_form("authorities", asked)
    assert not close_form("accessibility", ["access"])
    assert not close_form("community", ["communications"])
    assert close_form("encryption", asked) and close_form("requirement", asked)
    assert close_form("cross-border", ["borders"]) and close_form("authorizations", asked)


def test_reason_for_an_authorizations_question_does_not_name_authorities(workspace):
    path = workspace / "examples" / "bgp.yaml"
    path.write_text("""title: BGP security
agency: {name: Federal Communications Commission, short_name: FCC}
kind: nprm
jurisdiction: US
questions:
  - id: '3'
    text: Should providers be required to sign Route Origin Authorizations for their address
      space, and should authorities check them?
  - id: '4'
    text: Should providers be required to sign Route Origin Authorizations for their address
      space?
""")
    out = run_cli("suggest", path, "-f", "json", "-n", "5", cwd=workspace).out
    whys = {q["id"]: " ".join(s["why"] for s in q["suggestions"]) for q in json.loads(out)["questions"]}
    assert not re.search(r"words: [^;]*\bauthorities\b", whys["4"])
