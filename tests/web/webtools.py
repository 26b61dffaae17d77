"""Helpers for the web tests: the app over a workspace, a test client, the CSRF token."""

from __future__ import annotations

import re
from pathlib import Path


def make_app(root: Path, **settings):
    from drafter.load.workspace import discover
    from drafter.web.app import create_app
    from drafter.web.state import WebSettings

    return create_app(WebSettings(discover(start=root), secret_key="test-secret", **settings))


def client(app):
    from starlette.testclient import TestClient

    return TestClient(app, raise_server_exceptions=False)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


RESILIENCE_QUESTIONS = (
    "Should providers be required to build encryption backdoors?",
    "How can the government support domain name registries?",
    "What is the role of industry self-regulation in fighting botnets?",
    "Should network operators filter traffic to protect consumers?",
    "How should the root server system be governed?",
    "What obligations should apply to DNS resolvers?",
    "Should registrars verify the identity of domain holders?",
    "How can routing security (RPKI) adoption be encouraged?",
)
RESILIENCE_REL = "consultations/ntia-internet-resilience.yaml"


def resilience_consultation(questions: int) -> str:
    """An NTIA notice of inquiry on Internet resilience with its first ``questions`` questions
    (1 to 8), as a consultation file's text."""
    lines = ["title: Request for Comment on Internet Resilience", "agency:",
             "  name: National Telecommunications and Information Administration",
             "  short_name: NTIA", "kind: noi", "jurisdiction: US", "questions:"]
    for n, text in enumerate(RESILIENCE_QUESTIONS[:questions], start=1):
        lines += [f"  - id: '{n}'", f"    text: {text}"]
    return "\n".join(lines) + "\n"


def open_resilience(page, serve, workspace: Path, app=None):
    """Serve ``workspace`` (or ``app``) and open the Internet resilience consultation's page
    (at ``RESILIENCE_REL``) in ``page``, waiting for its title; the server."""
    from playwright.sync_api import expect

    server = serve(app or make_app(workspace))
    page.goto(f"{server.url}/c/{RESILIENCE_REL}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Request for Comment on Internet Resilience")
    return server


def box_of(locator) -> dict:
    """The locator's bounding box (x, y, width, height in CSS pixels); fails when hidden."""
    box = locator.bounding_box()
    assert box is not None, locator
    return box


ACCEPTED = "eu-oppose-backdoors"          # accepted as the answer to question 1 (backdoors)


def approved_then_edited(workspace, block_id: str = ACCEPTED):
    """Approve every wording of ``block_id``, then edit each one's text (as a reviewer's
    later change would): the path of each file."""
    import datetime as dt

    from drafter.load.library import load_library
    from drafter.review import approve

    library = load_library(workspace / "positions")
    block = library.blocks[block_id]
    paths = []
    for variant in [None, *block.variants]:
        approve(library, block_id, variant, by="Jane Doe", on=dt.date(2026, 11, 20))
        path = block.wording(variant).path
        text = path.read_text(encoding="utf-8")
        front, body = text.rsplit("\n---\n", 1)
        path.write_text(front + "\n---\n" + body.replace("encrypt", "ENCRYPT", 1),
                        encoding="utf-8")
        assert path.read_text(encoding="utf-8") != text
        paths.append(path)
    return paths


def accepted_consultation(workspace, questions: int = 8):
    """The resilience consultation (its first ``questions`` questions) with ``ACCEPTED``
    accepted at question 1 and no answer recorded for the others: its path."""
    path = workspace / RESILIENCE_REL
    path.parent.mkdir(exist_ok=True)
    path.write_text(resilience_consultation(questions)
                    + f"answers:\n  '1':\n    positions: [{ACCEPTED}]\n", encoding="utf-8")
    return path


# An FCC notice on routing security (BGP): nothing in the library answers its first question.
BGP_REL = "consultations/fcc-bgp.yaml"
BGP_NOTICE = """title: Reporting on Border Gateway Protocol Risk Mitigation Progress
agency: {name: Federal Communications Commission, short_name: FCC}
kind: nprm
jurisdiction: US
docket: PS Docket No. 24-146
questions:
  - id: '1'
    text: Should broadband internet access providers be required to file confidential BGP
      security risk management plans with the Commission?
"""
