"""The running header's title (drafter.compose.composer.running_title) for a long title: "the"
only where the agency's later mention takes it, and the filing named as its jurisdiction names
it (US Comments, EU Contribution, UK Response)."""

from __future__ import annotations

import io

import docx

from drafter.compose.composer import running_title
from drafter.load.models import Consultation
from drafter.load.org import load_org
from tests.conftest import ROOT, run_cli

LONG = ("Consultation on Proposals to Strengthen the Investigatory Powers Act 2016 and the "
        "Notices Regime")
ORG = load_org(ROOT / "org.yaml")


def _title(jurisdiction: str, name: str, short: str, ref: str | None = None,
           title: str = LONG) -> str:
    agency = {"name": name, "short_name": short} | ({"ref": ref} if ref else {})
    model = Consultation.model_validate({"title": title, "agency": agency, "kind": "other",
                                         "jurisdiction": jurisdiction})
    return running_title(model, ORG)


def test_running_title_acronym_takes_no_the():
    assert _title("UK", "Home Office", "HO") == "i2Coalition Response to HO"


def test_running_title_uk_is_a_response_eu_a_contribution_us_comments():
    assert _title("EU", "European Commission", "Commission") == \
        "i2Coalition Contribution to the Commission"
    assert _title("EU", "European Union Agency for Cybersecurity", "ENISA") == \
        "i2Coalition Contribution to ENISA"
    assert _title("US", "National Telecommunications and Information Administration",
                  "NTIA") == "i2Coalition Comments to NTIA"
    assert _title("other", "Department of Home Affairs", "Department") == \
        "i2Coalition Response to the Department"


def test_running_title_follows_agency_ref_and_short_name_equal_to_name():
    assert _title("UK", "Home Office", "Home Office") == "i2Coalition Response to the Home Office"
    assert _title("UK", "Office of Communications", "Ofcom", ref="Ofcom") == \
        "i2Coalition Response to Ofcom"


def test_running_title_keeps_a_short_title():
    assert _title("UK", "Home Office", "HO", title="Online Safety: Codes") == \
        "Online Safety: Codes"


HOME_OFFICE = f"""title: {LONG}
agency:
  name: Home Office
  short_name: HO
kind: public-consultation
jurisdiction: UK
date: 2026-11-02
questions:
  - id: "1"
    text: Should providers be required to remove encryption on request?
answers:
  "1":
    text: No. Encryption protects users, businesses and governments alike.
"""


def test_running_title_in_a_uk_response_docx_through_the_cli(workspace, tmp_path):
    consultation = workspace / "examples" / "ho-investigatory-powers.yaml"
    consultation.write_text(HOME_OFFICE)
    out = tmp_path / "ho.docx"
    run = run_cli("draft", consultation, "--template", "uk-consultation-response", "-o", out,
                  cwd=workspace)
    assert run.code == 0, run.err
    document = docx.Document(io.BytesIO(out.read_bytes()))
    headers = [p.text for s in document.sections for p in s.header.paragraphs if p.text]
    assert headers and all(h.startswith("i2Coalition Response to HO") for h in headers), headers
    assert not any("the HO" in h for h in headers)
