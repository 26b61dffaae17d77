"""Beside the downloads, the page names every kind of placeholder the files show: a new user's
text download had [[TODO: the agency's address]], the signature's mailing address and the date
of filing besides the unanswered questions the note counted."""

from __future__ import annotations

import re

from web.webtools import BGP_NOTICE as BGP
from web.webtools import BGP_REL as REL
from web.webtools import client, make_app



def _note(workspace, text: str) -> str:
    path = workspace / REL
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    page = client(make_app(workspace)).get(f"/c/{REL}")
    assert page.status_code == 200
    found = re.search(r'<p class="downloads-note" id="downloads-note">(.*?)</p>', page.text, re.S)
    assert found, "no note beside the downloads"
    assert page.text.count('aria-describedby="downloads-note"') >= 3
    return " ".join(re.sub(r"<[^>]+>", "", found.group(1)).split())


def test_downloads_note_names_the_placeholders_for_facts_too(workspace):
    note = _note(workspace, BGP)
    assert note.startswith("1 question still has no answer: each download is the whole filing")
    assert note.endswith("It also shows placeholders for: date of filing, the agency’s address, "
                         "mailing address (see Draft checks).")
    assert "org.yaml" not in note


def test_downloads_note_when_every_question_is_answered(workspace):
    answered = BGP + "answers:\n  '1': {skip: Not our members' concern.}\n"
    assert _note(workspace, answered) == (
        "Each download is the whole filing, with placeholders ([[TODO: …]]) for: date of "
        "filing, the agency’s address, mailing address (see Draft checks).")
