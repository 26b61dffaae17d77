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
