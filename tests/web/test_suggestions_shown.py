"""The consultation page shows suggestions as the command line does: a question nothing fits
says so, and a suggestion after the first is listed only when likely enough
(:func:`drafter.suggest.rank.worth_showing`), the others behind a disclosure, still there to
accept. A new user's page listed three suggestions for every question of an FCC routing
notice, some at 1 to 6%, with no word that none fitted."""

from __future__ import annotations

import re

import pytest
from conftest import run_cli

from web.webtools import BGP_NOTICE, BGP_REL, client, make_app

REL = BGP_REL
BGP = BGP_NOTICE + """  - id: '2'
    text: Should providers be required to build encryption backdoors so that authorities can
      read their customers' messages?
"""


@pytest.fixture
def page(workspace):
    path = workspace / REL
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(BGP, encoding="utf-8")
    response = client(make_app(workspace)).get(f"/c/{REL}")
    assert response.status_code == 200
    return response.text


def _section(html: str, qid: str) -> str:
    return html.split(f'id="q-{qid}"', 1)[1].split("</section>", 1)[0]


def _listed(section: str) -> tuple[list[str], list[str]]:
    """(ids in the main list, ids behind the disclosure)."""
    main, _, more = section.partition('<details class="more-suggestions">')
    ids = lambda part: re.findall(r'<li class="suggestion" data-position="([^"]+)"', part)
    return ids(main), ids(more)


def test_a_question_nothing_fits_says_so_and_lists_only_likely_suggestions(page, workspace):
    q1 = _section(page, "1")
    assert "No fitting position: none of these is likely enough to answer by itself." in q1
    cli = run_cli("suggest", REL, "-n", "5", cwd=workspace).out
    block = cli.split("Q1 ", 1)[1].split("\nQ2 ", 1)[0]
    # the table lists the same suggestions as the page's main list, in order
    table = re.findall(r"^\s+\*?\d\. (\S+)", block, re.M)
    main, more = _listed(q1)
    assert main == table and main
    assert more, "the less likely suggestions are behind a disclosure, still to accept"
    assert not set(main) & set(more)
    # the CLI's "No other position comes close." would contradict the disclosure below it
    assert "No other position comes close." not in q1
    assert re.search(r"<summary>\d less likely suggestions?</summary>", q1)


def test_a_question_with_a_confident_answer_has_no_such_note(page):
    q2 = _section(page, "2")
    assert "No fitting position" not in q2
    main, _ = _listed(q2)
    assert main[0] == "eu-oppose-backdoors"
    assert "in the draft, marked for review" in q2.split('data-position="eu-oppose-backdoors"')[1]


def test_an_accepted_draft_wording_says_so_at_its_question(workspace):
    # A reviewer edited a never-approved wording the filing uses; back at the question,
    # nothing said it was a draft (only the draft checks did).
    from drafter.load.consultation import load_consultation
    from drafter.pipeline import Session
    from drafter.load.workspace import discover

    path = workspace / REL
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(BGP + "answers:\n  '1':\n    positions: [global-diverse-scope]\n",
                    encoding="utf-8")
    draft = Session(discover(start=workspace)).draft(path)
    wording = draft.composition.choices["global-diverse-scope"].wording
    assert wording.meta.status.value == "draft"      # the 'us' wording, as shipped
    html = client(make_app(workspace)).get(f"/c/{REL}").text
    q1 = _section(html, "1")
    assert "This wording is a draft, not approved yet: a reviewer approves it before filing." \
        in q1
    assert "#wording-us" in q1.split("This wording is a draft", 1)[1].split("</p>", 1)[0]
    assert load_consultation(path).model.answers["1"].positions == ["global-diverse-scope"]
