"""``drafter serve``: a web workspace for policy staff and reviewers.

Server-rendered pages (Starlette, Jinja2, htmx) over the same stages as the CLI and the same
workspace files: consultations (questions beside the live preview, suggestions to accept or
reject, answers, downloads), the position library (search, edit with ``drafter check``'s
findings, approve, history), reviewers' Word edits (harvest, apply per block) and batches.

:func:`drafter.web.app.create_app` builds the ASGI application from
:class:`drafter.web.state.WebSettings`.
"""
