"""``drafter new``: the name of the file it writes by default."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("title,short,expected", [
    ("Consultation on the future of the electronic communications sector and its "
     "infrastructure", "Commission",
     "commission-consultation-future-electronic-communications-sector.yaml"),
    ("Request for Comments on Promoting Stakeholder Action Against Botnets", "NTIA",
     "ntia-promoting-stakeholder-action-against-botnets.yaml"),
    ("What the Commission asks about AI", "Commission", "commission-what-commission-asks-ai.yaml"),
])
def test_new_file_name_is_made_of_the_titles_words_that_say_something(title, short, expected):
    """A title's function words ("its", "with", "by") were kept in the file name:
    ``commission-future-electronic-communications-sector-its.yaml``."""
    from drafter.cli.new import default_output

    fields = {"title": title, "agency": {"name": "x", "short_name": short}}
    assert default_output(fields).name == expected
