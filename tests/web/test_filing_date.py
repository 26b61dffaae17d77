"""The date of filing, set from the consultation page: a new staff member found the draft check
"date of filing" could only be fixed in the consultation's file."""

from __future__ import annotations

import re

import pytest

from web.webtools import RESILIENCE_REL, client, csrf_of, make_app, resilience_consultation

URL = f"/c/{RESILIENCE_REL}"


@pytest.fixture
def opened(workspace):
    path = workspace / RESILIENCE_REL
    path.parent.mkdir(exist_ok=True)
    path.write_text(resilience_consultation(3).replace("jurisdiction: US\n",
                                                       "jurisdiction: US  # the filer's\n"))
    return client(make_app(workspace)), path


def _form(html: str) -> dict:
    form = re.search(r'<form method="post" action="[^"]*/date".*?</form>', html, re.S).group(0)
    return {"csrf": csrf_of(html), "token": re.search(r'name="token" value="([^"]+)"',
                                                      form).group(1)}


def test_the_date_is_set_from_the_page_and_only_its_line_is_written(opened):
    web, path = opened
    before = path.read_text()
    page = web.get(URL).text
    assert 'label for="filing-date">Date of filing</label>' in page
    assert "The filing has no date yet: set it under Filing, “Date of filing”." in page
    done = web.post(URL + "/date", data={**_form(page), "date": "2026-12-01"})
    assert done.status_code == 200
    assert "The date of filing is 2026-12-01." in done.text
    after = path.read_text()
    assert after == before.replace("jurisdiction: US  # the filer's\n",
                                   "jurisdiction: US  # the filer's\ndate: 2026-12-01\n")
    assert 'value="2026-12-01"' in done.text
    assert "The filing has no date yet" not in done.text
    preview = web.get(URL + "/download/txt").text
    assert "1 December 2026" in preview or "December 1, 2026" in preview

    again = web.post(URL + "/date", data={**_form(done.text), "date": "2026-12-01"})
    assert "The date of filing is 2026-12-01: nothing changed." in again.text
    assert path.read_text() == after
    changed = web.post(URL + "/date", data={**_form(again.text), "date": "2026-12-03"})
    assert "2026-12-03" in changed.text
    assert path.read_text() == before.replace("jurisdiction: US  # the filer's\n",
                                              "jurisdiction: US  # the filer's\n"
                                              "date: 2026-12-03\n")


def test_a_bad_or_stale_date_writes_nothing_and_says_why(opened):
    web, path = opened
    before = path.read_text()
    page = web.get(URL).text
    bad = web.post(URL + "/date", data={**_form(page), "date": "next Tuesday"})
    assert "&#39;next Tuesday&#39; is not a date" in bad.text or "'next Tuesday' is not a date" \
        in bad.text
    assert "Traceback" not in bad.text
    assert path.read_text() == before
    web.post(URL + "/date", data={**_form(page), "date": "2026-12-01"})
    stale = web.post(URL + "/date", data={**_form(page), "date": "2026-12-09"})
    assert "the date of filing was changed since this page was opened" in stale.text
    assert "date: 2026-12-01" in path.read_text()
