"""Stage 2, compose: templates, block functions, defaults, strictness and error positions."""

from __future__ import annotations

from pathlib import Path

import pytest

from drafter.compose import compose
from drafter.errors import DrafterError, LoadError, TemplateError
from drafter.load.consultation import load_consultation
from drafter.load.library import load_library
from drafter.load.org import load_org
from tests.conftest import EXAMPLES, ROOT

MINIMAL_US = """title: Request for Comments on Cloud Security
agency:
  name: Cybersecurity and Infrastructure Security Agency
  short_name: CISA
kind: rfc
jurisdiction: US
"""


def _compose(ws: Path, consultation: Path, template=None):
    library = load_library(ws / "positions")
    return compose(load_consultation(consultation), library, load_org(ws / "org.yaml"),
                   ws / "templates", template)


# Words a profile block carries from the proceeding or year it was written for: the 2018 botnet
# comments ("online threats", the members named then) and the 2024 manifesto's slip.
OTHER_PROCEEDINGS = ("online threats", "GoDaddy", "HandyNetworks", "Open Spectrum",
                     "counts as its members")


@pytest.mark.parametrize("jurisdiction,kind,template", [
    ("US", "rfc", None), ("US", "nprm", "us-agency-comments"), ("EU", "call-for-evidence", None),
    ("EU", "consultation", "eu-position-paper"), ("UK", "consultation", None),
    ("UK", "consultation", "uk-position-paper")])
def test_a_new_filings_default_profile_carries_no_other_proceeding(tmp_path, jurisdiction, kind,
                                                                    template):
    """Every template's default description of the coalition, for a consultation that picks
    none: current and neutral, one paragraph on who the coalition is and one on its work."""
    path = tmp_path / "new.yaml"
    path.write_text(MINIMAL_US.replace("jurisdiction: US", f"jurisdiction: {jurisdiction}")
                    .replace("kind: rfc", f"kind: {kind}"))
    comp = _compose(ROOT, path, template)
    profiles = [b.id for b in comp.used if b.meta.role.value == "profile"]
    assert profiles == ["coalition-voice-of-builders", "coalition-initiatives"]
    for words in OTHER_PROCEEDINGS:
        assert words not in comp.markdown


def test_positions_are_marked_with_id_and_hash():
    comp = _compose(ROOT, EXAMPLES / "ntia-botnets-comments.yaml")
    block = next(b for b in comp.used if b.id == "undefined-monolith-terms")
    assert f'::: {{.block block="undefined-monolith-terms" hash="{block.hash}"}}' in comp.markdown
    assert [b.id for b in comp.used][:3] == ["thanks-for-opportunity", "coalition-founding-advocate",
                                            "coalition-members"]


def test_variables_in_bodies_take_consultation_and_org_values():
    comp = _compose(ROOT, EXAMPLES / "ntia-botnets-comments.yaml")
    assert ("on the “Request for Comments on Promoting Stakeholder Action Against Botnets and "
            "Other Automated Threats,” issued by the National Telecommunications and Information "
            "Administration (NTIA).") in comp.markdown
    assert "founded in 2012" in comp.markdown and "Our 90-plus members" in comp.markdown


def test_minimal_consultation_drafts_a_complete_filing(tmp_path):
    path = tmp_path / "minimal.yaml"
    path.write_text(MINIMAL_US)
    comp = _compose(ROOT, path)
    md = comp.markdown
    assert comp.template.name == "us-agency-comments"
    assert "# INTRODUCTION" in md
    assert "the Cybersecurity and Infrastructure Security Agency (CISA)." in md  # thanks block
    assert "block=\"coalition-voice-of-builders\"" in md                     # about the org
    assert "[[TODO: the substance of the comments" in md                      # marked placeholder
    assert "block=\"closing-thanks-stand-ready\"" in md                      # closing
    assert "[[TODO: date of filing]]" in md                                   # no date given
    assert "Respectfully submitted," in md


def test_default_template_follows_jurisdiction(tmp_path):
    path = tmp_path / "eu.yaml"
    path.write_text("title: Call for evidence on data access\nagency: {name: European Commission,"
                    " short_name: Commission}\nkind: call-for-evidence\njurisdiction: EU\n")
    comp = _compose(ROOT, path)
    assert comp.template.name == "eu-position-paper"
    assert "# About the i2Coalition" in comp.markdown
    assert "Contribution of the Internet Infrastructure Coalition to the European Commission’s call for evidence" in comp.markdown


def test_template_option_by_path(tmp_path):
    tpl = tmp_path / "one-liner.jinja"
    tpl.write_text('{% extends "_filing.jinja" %}{% block body %}# {{ consultation.title }}\n\n'
                   '{{ position("eu-oppose-backdoors") }}{% endblock %}')
    path = tmp_path / "c.yaml"
    path.write_text(MINIMAL_US)
    comp = _compose(ROOT, path, template=str(tpl))
    assert comp.template.name == "one-liner"
    assert comp.markdown.startswith("\n# Request for Comments on Cloud Security") or \
        "# Request for Comments on Cloud Security" in comp.markdown
    assert [b.id for b in comp.used] == ["eu-oppose-backdoors"]


def test_unknown_template_suggests_the_closest(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(MINIMAL_US + "template: us-agency-coments\n")
    with pytest.raises(TemplateError) as err:
        _compose(ROOT, path)
    assert "unknown template 'us-agency-coments' (did you mean 'us-agency-comments'?)" in err.value.message
    assert err.value.line == 7


def test_unknown_position_in_consultation_names_line(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(MINIMAL_US + "positions:\n  - eu-oppose-backdoors\n  - eu-opose-backdoors\n")
    with pytest.raises(LoadError) as err:
        _compose(ROOT, path)
    assert err.value.line == 9
    assert "unknown position id 'eu-opose-backdoors' (did you mean 'eu-oppose-backdoors'?)" in err.value.message


def test_unknown_position_in_template_names_template_line(workspace, tmp_path):
    tpl = workspace / "templates" / "broken.jinja"
    tpl.write_text('{% extends "_filing.jinja" %}\n{% block body %}\n# X\n\n{{ position("no-such-block") }}\n{% endblock %}\n')
    path = tmp_path / "c.yaml"
    path.write_text(MINIMAL_US + "template: broken\n")
    with pytest.raises(DrafterError) as err:
        _compose(workspace, path)
    assert Path(err.value.path).name == "broken.jinja" and err.value.line == 5
    assert "unknown position id 'no-such-block'" in err.value.message


def test_undefined_variable_in_block_names_block_file_and_line(workspace, tmp_path):
    block = workspace / "positions" / "encryption" / "eu-oppose-backdoors.md"
    text = block.read_text()
    block.write_text(text.rstrip("\n") + "\n\nSee {{ org.nickname }}.\n")
    body_lines = text.rstrip("\n").count("\n") + 3
    path = tmp_path / "c.yaml"
    path.write_text(MINIMAL_US + "positions: [eu-oppose-backdoors]\nvariant: as-filed\n")
    with pytest.raises(TemplateError) as err:
        _compose(workspace, path)
    assert Path(err.value.path) == block
    assert err.value.line == body_lines
    assert "nickname" in err.value.message


def test_template_syntax_error_names_template_line(workspace, tmp_path):
    tpl = workspace / "templates" / "us-agency-comments.jinja"
    lines = tpl.read_text().split("\n")
    lines.insert(20, "{% if %}")
    tpl.write_text("\n".join(lines))
    path = tmp_path / "c.yaml"
    path.write_text(MINIMAL_US)
    with pytest.raises(TemplateError) as err:
        _compose(workspace, path)
    assert Path(err.value.path).name == "us-agency-comments.jinja" and err.value.line == 21
    assert "syntax error" in err.value.message


def test_sandbox_refuses_attribute_walks(workspace, tmp_path):
    tpl = workspace / "templates" / "evil.jinja"
    tpl.write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    path = tmp_path / "c.yaml"
    path.write_text(MINIMAL_US + "template: evil\n")
    with pytest.raises(TemplateError) as err:
        _compose(workspace, path)
    assert Path(err.value.path).name == "evil.jinja" and err.value.line == 1


def test_templates_cannot_include_files_outside_the_template_folders(workspace, tmp_path):
    secret = tmp_path / "secret.jinja"
    secret.write_text("SECRET")
    tpl = workspace / "templates" / "peek.jinja"
    tpl.write_text(f'{{% include "{secret}" %}}\n{{% include "../../secret.jinja" %}}\n')
    path = tmp_path / "c.yaml"
    path.write_text(MINIMAL_US + "template: peek\n")
    with pytest.raises(TemplateError, match="not found"):
        _compose(workspace, path)


def test_manifesto_sections_group_recommendations_into_numbered_lists():
    comp = _compose(ROOT, EXAMPLES / "eu-manifesto-2024.yaml")
    md = comp.markdown
    assert md.count("\n1. ::: {.block") == 4          # one list per policy area
    assert "4. ::: {.block block=\"proportionate-copyright-enforcement\"" in md
    assert "**Oppose backdoors**" in md


@pytest.mark.parametrize("kind,dated", [("call-for-evidence", True),
                                        ("public-consultation", True), ("other", False)])
def test_an_eu_contribution_without_a_date_shows_the_date_placeholder(tmp_path, kind, dated):
    """A US or UK filing without a date shows "[[TODO: date of filing]]"; an EU contribution to a
    call for evidence showed nothing, so the missing date went unnoticed."""
    path = tmp_path / "eu.yaml"
    path.write_text(MINIMAL_US.replace("jurisdiction: US", "jurisdiction: EU")
                    .replace("kind: rfc", f"kind: {kind}"))
    markdown = _compose(ROOT, path, "eu-position-paper").markdown
    assert ("[[TODO: date of filing]]" in markdown) == dated
