"""The web workspace: Starlette routes over the same stages as the CLI.

Pages are rendered on the server (Jinja2, autoescaped); htmx (vendored in ``static/``) turns
links and forms into partial page updates and polls a running batch.  Every form carries a
CSRF token; every change goes through :mod:`drafter.web.edits` (version tokens, atomic writes)
and, in a git work tree, becomes a commit authored by the signed-in person.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import os
import secrets
import shutil
import threading
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urlencode

import jinja2
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from drafter.errors import DrafterError, LoadError
from drafter.web import edits, history
from drafter.web.auth import RateLimit, User, load_users, verify
from drafter.web.checks import for_browser, placeholder_facts
from drafter.web.state import (MB, NEW_FOLDER, BatchRun, Resident, WebSettings, batch_files,
                               consultation_files, consultation_path, inside, relative)

log = logging.getLogger("drafter.web")
HERE = Path(__file__).resolve().parent
HTMX = "htmx-2.0.4.min.js"
NAV = (("Consultations", "/"), ("Library", "/library"), ("Review edits", "/review"),
       ("Batch", "/batch"))
KIND_LABELS = {
    "rfc": "Request for comment (RFC)", "rfi": "Request for information (RFI)",
    "nprm": "Notice of proposed rulemaking (NPRM)", "noi": "Notice of inquiry (NOI)",
    "anprm": "Advance notice of proposed rulemaking (ANPRM)",
    "fnprm": "Further notice of proposed rulemaking (FNPRM)",
    "public-notice": "Public notice", "call-for-evidence": "Call for evidence",
    "public-consultation": "Public consultation", "other": "Other"}


def kind_label(kind) -> str:
    """A consultation's kind (a :class:`drafter.load.models.Kind` or its value, e.g.
    ``"call-for-evidence"``) as the field calls it ("Call for evidence"), as every page shows
    kinds; a kind without a label here shows its value."""
    value = getattr(kind, "value", kind)
    return KIND_LABELS.get(str(value), str(value))


def wording_name(variant: str | None) -> str:
    """How pages name a position's wording: ``"as-filed"`` for its own text (``variant`` None
    or ``"as-filed"``), a jurisdiction's variant in capitals (``"eu"`` -> ``"EU"``), any other
    variant by its name (``"general"``); used as "the EU wording"."""
    if variant in (None, "as-filed"):
        return "as-filed"
    return variant.upper() if variant.lower() in ("us", "eu", "uk") else variant


def kind_choices() -> list[tuple[str, str]]:
    """The New consultation page's kinds as (value, label), one per member of
    :class:`drafter.load.models.Kind` in its order, labelled by :func:`kind_label`."""
    from drafter.load.models import Kind

    return [(k.value, kind_label(k)) for k in Kind]


JURISDICTIONS = ("US", "EU", "UK", "other")
STANCES = ("support", "oppose", "conditional", "neutral")
STATUSES = ("draft", "approved", "retired")
MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "pdf": "application/pdf", "md": "text/markdown; charset=utf-8",
         "html": "text/html; charset=utf-8", "txt": "text/plain; charset=utf-8"}
# What a consultation's page offers to download (the text, for pasting into a web form).
DOWNLOADS = ("docx", "pdf", "md", "txt")


# --- upload limit (pure ASGI, before anything reads the body) ---------------------------------

class _TooLarge(Exception):
    pass


class UploadLimit:
    """Refuses request bodies over ``limit`` bytes with 413 and a message page."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    async def _refuse(self, send) -> None:
        body = _error_html("Too large", f"The upload is larger than the limit of "
                           f"{self.limit / MB:g} MB: nothing was read.").encode("utf-8")
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await self._refuse(send)
        seen = 0
        started = False

        async def counted():
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge()
            return message

        async def watched(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if not started:
                await self._refuse(send)


def _error_html(title: str, message: str) -> str:
    from html import escape

    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}"
            f"</title><link rel=icon href='/static/favicon.svg' type='image/svg+xml'></head><body><main><h1>{escape(title)}</h1><p role=alert>"
            f"{escape(message)}</p><p><a href='/'>Consultations</a></p></main></body></html>")


# --- the application --------------------------------------------------------------------------

class WebApp:
    """Routes and the state they share (one per served workspace)."""

    def __init__(self, settings: WebSettings):
        self.settings = settings
        self.ws = settings.workspace
        self.resident = Resident(self.ws)
        self.limiter = RateLimit()
        self.git = history.is_repository(Path(self.ws.root))
        self.batch: BatchRun | None = None
        self._batch_lock = threading.Lock()
        self.env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "pages"),
                                      autoescape=True,
                                      trim_blocks=True, lstrip_blocks=True)
        self.env.filters["urlq"] = lambda s: quote(str(s))
        self.env.filters["kind"] = kind_label

    # -- helpers --------------------------------------------------------------------------

    def today(self) -> dt.date:
        return self.settings.today or dt.date.today()

    def user(self, request: Request) -> User | None:
        data = request.session.get("user")
        if not data:
            return None
        return User(data["name"], data["role"])

    def person(self, request: Request) -> str | None:
        """The name saves are authored by: the signed-in person; None when serving locally
        without accounts (git's own identity is used then)."""
        user = self.user(request)
        return user.name if user else None

    def need(self, request: Request, reviewer: bool = False) -> None:
        """Refuse (sign-in page, or 403) when this request may not do what it asks."""
        if not self.settings.sign_in:
            return
        user = self.user(request)
        if user is None:
            raise HTTPException(303, headers={
                "Location": "/signin?" + urlencode({"next": request.url.path})})
        if reviewer and not user.reviewer:
            raise HTTPException(403, "Only reviewers may change or approve positions "
                                     "(ask an administrator for the reviewer role).")

    def csrf(self, request: Request) -> str:
        token = request.session.get("csrf")
        if not token:
            token = secrets.token_urlsafe(32)
            request.session["csrf"] = token
        return token

    async def form(self, request: Request):
        """The posted form, after the CSRF check (403 when the token is missing or wrong)."""
        try:
            form = await request.form(max_files=2, max_fields=200,
                                      max_part_size=self.settings.upload_limit)
        except _TooLarge:
            raise                            # the upload limit's 413 page
        except Exception as exc:  # noqa: BLE001 - malformed multipart bodies
            raise HTTPException(400, f"The form could not be read: {exc}") from None
        expected = request.session.get("csrf")
        given = form.get("csrf")
        if not expected or not isinstance(given, str) or \
                not hmac.compare_digest(expected.encode(), given.encode()):
            raise HTTPException(403, "This form has expired or did not come from this site "
                                     "(CSRF check failed): nothing was saved. Reload the page "
                                     "and try again.")
        return form

    def flash(self, request: Request, message: str, kind: str = "info",
              question: str | None = None, at: str | None = None) -> None:
        """Say ``message`` on the next page; at ``question``'s section when it shows one (what
        an action on that question did), or at the place ``at`` names (a position page's
        ``"save:NAME"`` or ``"approve:NAME"``, NAME a wording: ``as-filed`` or a variant),
        else at the top."""
        request.session.setdefault("flash", []).append([kind, message])
        if question is not None or at is not None:
            request.session["flash_at"] = question if question is not None else at

    def page(self, request: Request, template_name: str, status: int = 200,
             **context) -> HTMLResponse:
        flashes = request.session.pop("flash", []) if "session" in request.scope else []
        flash_at = request.session.pop("flash_at", None) if "session" in request.scope else None
        template = self.env.get_template(template_name)
        html = template.render(
            nav=NAV, user=self.user(request) if "session" in request.scope else None,
            sign_in=self.settings.sign_in, csrf=self.csrf(request)
            if "session" in request.scope else "", flashes=flashes, flash_at=flash_at,
            path=request.url.path, htmx=HTMX, **context)
        return HTMLResponse(html, status_code=status)

    def where(self, exc: DrafterError) -> str:
        """An error as one line, its file relative to the workspace."""
        path = exc.path
        if path is not None:
            try:
                path = relative(self.ws, Path(path))
            except (ValueError, OSError):
                path = str(path)
            loc = path + (f":{exc.line}" if exc.line else "")
            return f"{loc}: {exc.message}"
        return exc.message

    def commit(self, request: Request, paths: list[Path], message: str) -> None:
        if not self.git:
            return
        problem = history.commit(Path(self.ws.root), paths, message, self.person(request))
        if problem:
            self.flash(request, f"Saved, but not committed: {problem}", "warning")

    def template_name(self, request: Request) -> str | None:
        """The ``template`` query parameter: one of the workspace's template names (never a
        path: ``drafter draft --template`` also takes paths, a request may not)."""
        from drafter.compose.templates import list_templates

        name = request.query_params.get("template") or None
        if name is not None and name not in {t.name for t in
                                             list_templates(Path(self.ws.templates))}:
            raise LoadError(f"no template named '{name}' in the workspace", code="not-found")
        return name

    # -- consultations --------------------------------------------------------------------

    def statuses(self, cf):
        """Each question's status as ``drafter coverage`` reports it (and the draft has it),
        and the ranked suggestions per question (id -> Ranked)."""
        from drafter.compose.composer import choose_template
        from drafter.coverage import plan
        from drafter.suggest.drafting import candidates

        model = cf.model
        if not model.questions:
            return [], {}
        library = self.resident.session().library
        for qid, answer in model.answers.items():
            for key in ("positions", "suggested"):
                for i, pid in enumerate(getattr(answer, key)):
                    library.get(pid, cf.path, cf.line_of("answers", qid, key, i))
        variant = choose_template(cf, Path(self.ws.templates), force=True).options.get(
            "variant")
        suggester = self.resident.suggester()
        ranked = {r.id: r for r in suggester.questions(model, limit=5, explain=5)}

        def recorded(qid, ids):
            return [pid for pid in ids if library.blocks[pid].meta.status.value != "retired"]

        def live(question):
            return candidates(ranked[question.id], library, model, variant)

        return plan(model, recorded, live), ranked

    async def home(self, request: Request):
        self.need(request)
        from drafter.coverage import summary
        from drafter.load.consultation import load_consultation

        last = {}
        try:
            from drafter.register import open_register
            register = open_register(self.ws)
            if register is not None:
                try:
                    for filing in register.recent(limit=None):
                        last.setdefault(filing.consultation, filing.created)
                finally:
                    register.close()
        except Exception:  # noqa: BLE001 - the register is informative only
            log.warning("register not readable", exc_info=True)
        rows = []
        today = self.today()
        for path in consultation_files(self.ws):
            row = {"rel": relative(self.ws, path), "error": None}
            try:
                cf = load_consultation(path)
                m = cf.model
                row.update(title=m.title, agency=m.agency.short_name or m.agency.name,
                           deadline=m.deadline, days=(m.deadline - today).days
                           if m.deadline else None)
                statuses, _ = self.statuses(cf)
                counts = summary(statuses) if statuses else None
                row["coverage"] = (f"{counts['answered']} of {len(statuses)} answered"
                                   + (f", {counts['suggested']} suggested"
                                      if counts["suggested"] else "")
                                   + (f", {counts['skipped']} skipped"
                                      if counts["skipped"] else "")
                                   + (f", {counts['placeholder']} with a placeholder"
                                      if counts["placeholder"] else "")) if counts else \
                    "no questions"
                row["last"] = (last.get(str(path.resolve())) or "")[:16].replace("T", " ")
            except DrafterError as exc:
                row["error"] = self.where(exc)
            rows.append(row)
        return self.page(request, "home.html", rows=rows)

    def _new_context(self, values=None, errors=None, notice_json=""):
        return {"values": values or {}, "errors": errors or [], "kinds": kind_choices(),
                "jurisdictions": JURISDICTIONS, "notice_json": notice_json}

    async def new_form(self, request: Request):
        self.need(request)
        return self.page(request, "new.html", **self._new_context())

    async def new_submit(self, request: Request):
        self.need(request)
        from drafter.cli.new import (default_output, merge_fields, missing_fields,
                                     questions_from_text)
        from drafter.importers.fetch import fetch_notice, import_notice
        from drafter.output import atomic_write

        form = await self.form(request)
        names = ("title", "agency", "agency_short", "agency_ref", "kind", "jurisdiction",
                 "docket", "deadline", "questions", "fr_number")
        values = {k: str(form.get(k) or "").strip() for k in names}
        notice_json = str(form.get("notice_json") or "")
        upload = form.get("notice_file")
        action = form.get("action") or "create"
        try:
            if action == "read" and (upload is None or not getattr(upload, "filename", "")):
                raise LoadError("Notice JSON: choose the notice's file first")
            if action in ("fetch", "read"):
                if action == "fetch":
                    imported, data = fetch_notice(values["fr_number"],
                                                  self.settings.federal_register_url,
                                                  self.settings.fetch_timeout)
                    said = f"Fetched Federal Register document {values['fr_number']}"
                else:
                    data = await upload.read()
                    imported = import_notice(data, Path(upload.filename).name)
                    said = f"Read {Path(upload.filename).name}"
                fields = imported.fields
                agency = fields.get("agency") or {}
                for key, value in (("title", fields.get("title")), ("agency", agency.get("name")),
                                   ("agency_short", agency.get("short_name")),
                                   ("kind", fields.get("kind")),
                                   ("jurisdiction", fields.get("jurisdiction")),
                                   ("docket", fields.get("docket")),
                                   ("deadline", fields.get("deadline"))):
                    if value:
                        values[key] = str(value)
                self.flash(request, f"{said}: check the fields, add the questions, then "
                           "Create.")
                return self.page(request, "new.html", **self._new_context(
                    values, notice_json=data.decode("utf-8", "replace")))
            imported = None
            header = []
            if upload is not None and getattr(upload, "filename", ""):
                data = await upload.read()
                imported = import_notice(data, Path(upload.filename).name)
                notice_json = ""
            elif notice_json.strip():
                imported = import_notice(notice_json.encode("utf-8"),
                                         f"{values['fr_number'] or 'notice'}.json")
            if imported is not None:
                header.append(f"Imported from the {imported.source} in the browser.")
            deadline = None
            if values["deadline"]:
                try:
                    deadline = dt.date.fromisoformat(values["deadline"])
                except ValueError:
                    raise LoadError(f"Deadline: '{values['deadline']}' is not a date "
                                    "(write YYYY-MM-DD)") from None
            kinds = [value for value, _ in kind_choices()]
            if values["kind"] and values["kind"] not in kinds:
                raise LoadError(f"Kind: '{values['kind']}' is not one of {', '.join(kinds)}")
            if values["jurisdiction"] and values["jurisdiction"] not in JURISDICTIONS:
                raise LoadError(f"Jurisdiction: '{values['jurisdiction']}' is not one of "
                                f"{', '.join(JURISDICTIONS)}")
            questions = questions_from_text(values["questions"], "Questions")
            if questions:
                header.append("Questions pasted in the browser: check them against the "
                              "notice.")
            fields = merge_fields(imported, questions, title=values["title"] or None,
                                  agency=values["agency"] or None,
                                  agency_short=values["agency_short"] or None,
                                  agency_ref=values["agency_ref"] or None,
                                  kind=values["kind"] or None,
                                  jurisdiction=values["jurisdiction"] or None,
                                  docket=values["docket"] or None, deadline=deadline)
            labels = {"title": "Title", "agency": "Agency", "kind": "Kind",
                      "jurisdiction": "Jurisdiction"}
            missing = [labels[m] for m in missing_fields(fields)]
            if missing:
                them = "them" if len(missing) > 1 else "it"
                names = (", ".join(missing[:-1]) + " and " + missing[-1]
                         if len(missing) > 1 else missing[0])
                raise LoadError(f"Fill in {names} (a consultation needs {them}), or read the "
                                f"notice's file to fill {them} in")
            folder = Path(self.ws.root) / NEW_FOLDER
            output = folder / default_output(fields).name
            with edits._LOCK:
                if output.exists():
                    raise LoadError(f"{relative(self.ws, output) if output.exists() else ''} "
                                    "already exists: open it from Consultations, or change "
                                    "the title")
                text = new_file_text(fields, header, imported.notes if imported else [],
                                     Path(NEW_FOLDER) / output.name)
                atomic_write(output, text.encode("utf-8"))
        except DrafterError as exc:
            return self.page(request, "new.html", status=400, **self._new_context(
                values, [self.where(exc)], notice_json))
        rel = relative(self.ws, output)
        self.commit(request, [output], f"New consultation {rel}: {fields['title']}")
        self.flash(request, f"Created {rel}.")
        return RedirectResponse("/c/" + quote(rel), status_code=303)

    def _consultation_context(self, request, path: Path, template: str | None,
                              house: str | None, kept: dict | None = None,
                              at: str | None = None):
        """The consultation page's data; ``kept`` (question id -> text) is typed text to show
        again, ``at`` the question an action was on: the preview opens at its answer."""
        from drafter.check import draft_diagnostics
        from drafter.compose.templates import list_templates
        from drafter.coverage import summary
        from drafter.load.consultation import load_consultation
        from drafter.load.library import changed_since_approval
        from drafter.load.yamlsrc import parse_yaml, read_text
        from drafter.suggest.rank import MAX_CONFIDENT   # the first ones get a chance of fitting

        cf = load_consultation(path)
        model = cf.model
        session = self.resident.session()
        library = session.library
        statuses, ranked = self.statuses(cf)
        confident_at = self._confident_at() if statuses else None
        data, _ = parse_yaml(read_text(path), path)
        tokens = edits.answer_tokens(data, [q.id for q in model.questions])
        questions = []
        for status in statuses:
            answer = model.answers.get(status.id)
            accepted = list(answer.positions) if answer else []
            recorded = list(answer.suggested) if answer else []
            rejected = list(answer.rejected) if answer else []
            offered, seen = [], set(accepted) | set(rejected)
            scores = {s.position: s for s in ranked[status.id].suggestions}
            for pid in recorded:
                if pid in seen or pid not in library:
                    continue
                seen.add(pid)
                s = scores.get(pid)
                offered.append({"id": pid, "title": library.blocks[pid].meta.title,
                                "why": _reason(s, confident_at) if s
                                else "recorded as a pick to review",
                                "chance": _chance(s), "used": True})
            # the first suggestion, and later ones as likely as the CLI lists them
            # (Ranked.shown); the others, with those past OFFERED,
            # behind a disclosure: still there to accept
            more = []
            suggestions = ranked[status.id].suggestions
            likely = {s.position for s in ranked[status.id].shown()}
            for s in suggestions:
                if s.position in seen:
                    continue
                seen.add(s.position)
                used = status.status == "suggested" and not status.recorded \
                    and s.position in status.positions
                item = {"id": s.position, "title": s.title,
                        "why": _reason(s, confident_at), "chance": _chance(s), "used": used}
                if used or (len(offered) < OFFERED and s.position in likely):
                    offered.append(item)
                else:
                    more.append(item)
            questions.append({
                "id": status.id, "text": status.text, "status": status.status,
                "reason": status.reason, "token": tokens[status.id],
                "accepted": [{"id": pid, "title": library.blocks[pid].meta.title
                              if pid in library else pid} for pid in accepted],
                "offered": offered if status.status != "skipped" else [],
                "more": more if status.status != "skipped" else [],
                # no suggestion good enough to fill the answer in by itself
                "unfit": status.status == "placeholder" and bool(suggestions)
                and not ranked[status.id].confident,
                "rejected": [{"id": pid, "title": library.blocks[pid].meta.title
                              if pid in library else pid} for pid in rejected],
                "text_value": (kept or {}).get(status.id, answer.text if answer and answer.text
                                               else ""),
                "skip_value": answer.skip if answer and answer.skip else ""})
        counts = summary(statuses) if statuses else None
        draft = error = None
        anchor = ""
        checks = []
        try:
            draft = session.draft(path, template=template or None)
            checks = list(draft.diagnostics) + draft_diagnostics(draft, self.ws, self.today())
            if at is not None and at in [q.id for q in model.questions]:
                anchor = preview_anchor(session.render(draft, "html").decode("utf-8"),
                                        [(q.id, q.text) for q in model.questions], at)
        except DrafterError as exc:
            error = self.where(exc)
        filed = filed_wordings(draft.document) if draft else {}
        choices = (getattr(draft.composition, "choices", {}) or {}) if draft else {}
        rel = relative(self.ws, path)
        for q in questions:
            for p in q["accepted"]:
                p.update(wording_excerpt(filed.get(p["id"]) or (
                    library.blocks[p["id"]].body.strip() if p["id"] in library else "")))
                p["href"] = position_href(p["id"], rel, q["id"])
                choice = choices.get(p["id"])
                wording = choice.wording if choice is not None else \
                    library.blocks[p["id"]] if p["id"] in library else None
                p["edited"] = wording is not None and changed_since_approval(wording)
                p["draft"] = wording is not None and wording.meta.status.value == "draft"
                p["wording"] = choice.variant if choice is not None else "as-filed"
        placeholders = counts["placeholder"] if counts else 0
        facts = placeholder_facts(checks)
        query = urlencode({k: v for k, v in (("template", template), ("house", house)) if v})
        houses = sorted({relative(self.ws, p) for folder in (Path(self.ws.templates),
                                                             path.parent)
                         for p in folder.glob("*.docx") if p.is_file()
                         and Path(self.ws.root).resolve() in p.resolve().parents})
        return {
            "rel": rel, "model": model, "questions": questions, "counts": counts,
            "chosen": [{"id": pid, "title": library.blocks[pid].meta.title
                        if pid in library else pid} for pid in model.positions],
            "total": len(statuses), "error": error,
            "preview": f"/c/{quote(rel)}/preview"
                       + (("?" + urlencode({"template": template})) if template else "")
                       + (f"#{quote(anchor)}" if anchor else "") if draft else "",
            "checks": for_browser(checks, library),
            "templates": [t.name for t in list_templates(Path(self.ws.templates))],
            "template": template or "", "house": house or "", "houses": houses,
            "query": ("?" + query) if query else "",
            "used_template": draft.composition.template.name if draft else "",
            "pdf": bool(shutil.which("soffice") or os.environ.get("DRAFTER_SOFFICE")),
            "days": (model.deadline - self.today()).days if model.deadline else None,
            "confident_at": confident_at, "estimated": MAX_CONFIDENT,
            "question_ids": [q["id"] for q in questions],
            "date_token": edits.date_token(model.date), "placeholders": placeholders,
            "facts": facts,
            "suggesting": any(q["offered"] for q in questions)}

    def _confident_at(self) -> int | None:
        """The percentage from which the ranker in use is confident (a draft fills an answer
        in automatically), or None when it never is (no confidence model)."""
        from drafter.suggest.rank import percent

        weights = self.resident.weights()
        return percent(weights.confident_at) if weights.confidence else None

    async def consultation(self, request: Request):
        self.need(request)
        path = consultation_path(self.ws, request.path_params["rel"])
        template = self.template_name(request)
        house = request.query_params.get("house") or None
        return self.page(request, "consultation.html",
                         **self._consultation_context(request, path, template, house,
                                                      at=request.session.get("flash_at")))

    async def answer(self, request: Request):
        self.need(request)
        path = consultation_path(self.ws, request.path_params["rel"])
        form = await self.form(request)
        qid = str(form.get("qid") or "")
        pid = str(form.get("pid") or "")
        token = str(form.get("token") or "")
        action = str(form.get("action") or "")
        typed = form.get("text")
        typed = str(typed) if isinstance(typed, str) else None
        rel = relative(self.ws, path)
        name = None
        try:
            library = self.resident.session().library
            name = f"“{library.blocks[pid].meta.title}”" if pid in library else None
            if action in ("accept", "reject") and pid not in library:
                raise LoadError(f"unknown position id '{pid}'", path)
            if action == "accept":
                change = edits.accept(pid, name)
            elif action == "reject":
                change = edits.reject(pid, name)
            elif action == "unreject":
                change = edits.unreject(pid, name)
            elif action == "save":
                change = edits.set_text(str(form.get("text") or ""))
            elif action == "skip":
                change = edits.set_skip(str(form.get("reason") or ""))
            elif action == "unskip":
                change = edits.set_skip("")
            else:
                raise HTTPException(400, f"Unknown action '{action}'.")
            if action != "save":
                change = edits.with_text(change, typed)
            said = edits.edit_answer(path, qid, token, change)
        except edits.Conflict as exc:
            context = self._consultation_context(request, path, None, None,
                                                 kept={qid: typed}
                                                 if typed is not None else None, at=qid)
            return self.page(request, "consultation.html", status=409,
                             conflict=exc.message, conflict_qid=qid,
                             conflict_text=typed or str(form.get("reason") or ""),
                             **context)
        except DrafterError as exc:
            if typed is not None and typed.strip():
                context = self._consultation_context(request, path, None, None,
                                                     kept={qid: typed}, at=qid)
                return self.page(request, "consultation.html", status=400,
                                 conflict=self.where(exc), conflict_qid=qid,
                                 conflict_text=typed, **context)
            self.flash(request, self.where(exc), "error", question=qid)
            return RedirectResponse(f"/c/{quote(rel)}#q-{quote(qid)}", status_code=303)
        if said.changed:
            self.commit(request, [path], f"{rel}: question {qid}: {said}"
                        + (f" ({pid})" if name and action in ("accept", "reject", "unreject")
                           else ""))
        said = str(said)
        self.flash(request, f"Question {qid}: {said}" + ("" if said.endswith((".", ".)"))
                                                         else "."), question=qid)
        return RedirectResponse(f"/c/{quote(rel)}#q-{quote(qid)}", status_code=303)

    async def filing_date(self, request: Request):
        """Set the consultation's date of filing (the caption's date) from the page."""
        self.need(request)
        path = consultation_path(self.ws, request.path_params["rel"])
        form = await self.form(request)
        rel = relative(self.ws, path)
        try:
            said = edits.set_filing_date(path, str(form.get("token") or ""),
                                         str(form.get("date") or ""))
        except DrafterError as exc:
            self.flash(request, self.where(exc), "error")
            return RedirectResponse(f"/c/{quote(rel)}#output-h", status_code=303)
        if said.changed:
            self.commit(request, [path], f"{rel}: {said}")
        self.flash(request, str(said)[:1].upper() + str(said)[1:] + ".")
        return RedirectResponse(f"/c/{quote(rel)}#output-h", status_code=303)

    async def preview(self, request: Request):
        self.need(request)
        path = consultation_path(self.ws, request.path_params["rel"])
        session = self.resident.session()
        draft = session.draft(path, template=self.template_name(request))
        return HTMLResponse(session.render(draft, "html"), headers={"Cache-Control": "no-store"})

    async def download(self, request: Request):
        self.need(request)
        path = consultation_path(self.ws, request.path_params["rel"])
        fmt = request.path_params["fmt"]
        if fmt not in DOWNLOADS:
            raise HTTPException(404, f"No download as '{fmt}': DOCX, PDF, Markdown or text.")
        session = self.resident.session()
        draft = session.draft(path, template=self.template_name(request))
        house = request.query_params.get("house")
        reference = inside(self.ws.root, house) if house else None
        if reference is not None and (reference.suffix != ".docx" or not reference.is_file()):
            raise LoadError(f"no house-style document '{house}' in the workspace",
                            code="not-found")
        data = session.render(draft, fmt, reference_docx=reference)
        name = path.stem + "." + fmt
        return Response(data, media_type=MEDIA[fmt], headers={
            "Content-Disposition": f'attachment; filename="{name}"'})

    # -- library --------------------------------------------------------------------------

    async def library(self, request: Request):
        self.need(request)
        from drafter.suggest.rank import FIELD_WEIGHTS
        from drafter.suggest.text import fts_phrases, query_terms

        library = self.resident.session().library
        q = request.query_params
        filters = {k: q.get(k, "") for k in ("topic", "stance", "jurisdiction", "status")}
        text = q.get("q", "").strip()
        blocks = list(library)
        if text:
            index = self.resident.suggester().index
            phrases = fts_phrases(query_terms(text))
            order = []
            if phrases:
                found = index.search(phrases, FIELD_WEIGHTS, 200)
                rows = index.rows([r for r, _ in found])
                ids = [rows[r].id for r, _ in found if r in rows]
                order = [library.blocks[i] for i in ids if i in library]
            blocks = order
        out = []
        for b in blocks:
            m = b.meta
            if filters["topic"] and filters["topic"] not in m.topics:
                continue
            if filters["stance"] and m.stance.value != filters["stance"]:
                continue
            if filters["jurisdiction"] and not m.applies_to(filters["jurisdiction"]):
                continue
            if filters["status"] and m.status.value != filters["status"]:
                continue
            out.append(b)
        return self.page(request, "library.html", blocks=out, q=text, filters=filters,
                         topics=sorted(library.topics), stances=STANCES,
                         jurisdictions=JURISDICTIONS, statuses=STATUSES)

    def _block(self, block_id: str):
        library = self.resident.session().library
        if block_id not in library:
            raise LoadError(f"no position '{block_id}' in the library", code="not-found")
        return library.blocks[block_id]

    def back_to(self, rel: str, qid: str) -> dict | None:
        """The way back from a position page to question ``qid`` of the consultation at
        ``rel`` (the page it was opened from): ``href`` (``/c/REL#q-QID``), ``label`` ("Back to
        question QID") and ``query`` (``?from=REL&q=QID``, which carries it on through the
        page's Save and Approve); None unless ``rel`` is a consultation file of the workspace
        that asks question ``qid``."""
        from drafter.load.consultation import load_consultation

        if not rel or not qid:
            return None
        try:
            cf = load_consultation(consultation_path(self.ws, rel))
        except DrafterError:
            return None
        if qid not in [q.id for q in cf.model.questions]:
            return None
        rel = relative(self.ws, cf.path)
        return {"href": f"/c/{quote(rel)}#q-{quote(qid)}", "label": f"Back to question {qid}",
                "title": cf.model.title, "rel": rel, "qid": qid,
                "query": "?" + urlencode({"from": rel, "q": qid})}

    def _position_context(self, block, text=None, findings=None, conflict=None,
                          editing: str | None = None, at: str | None = None,
                          back: dict | None = None):
        """The position page; ``text`` and ``findings`` belong to the editor of ``editing``
        (a variant name, None for the as-filed file); ``conflict`` is said at ``at`` (a place
        as :meth:`flash` names them); ``back`` is :meth:`back_to`'s way back to a question."""
        from drafter.load.yamlsrc import read_text
        from drafter.register import open_register

        session = self.resident.session()
        used = []
        register = open_register(self.ws)
        if register is not None:
            try:
                used = register.used_in(block.id)
            finally:
                register.close()
        source = block.meta.source
        seeds = session.seed_titles()
        from drafter.load.library import changed_since_approval

        variants = [{"name": name, "label": wording_name(name), "meta": v.meta,
                     "body": v.body, "token":
                     edits.file_token(v.path), "rel": relative(self.ws, v.path),
                     "edited": changed_since_approval(v), "current": _approved_as_is(v),
                     "editing": editing == name,
                     "file_text": text if editing == name and text is not None
                     else read_text(v.path),
                     "findings": (findings or []) if editing == name else []}
                    for name, v in block.variants.items()]
        if editing is not None:
            text, findings = None, None
        current = read_text(block.path)
        return {"block": block, "meta": block.meta, "rel": relative(self.ws, block.path),
                "edited": changed_since_approval(block),
                "as_filed": {"meta": block.meta, "current": _approved_as_is(block)},
                "uses": self._filing_uses(block, back),
                "seed": seeds.get(source.seed, source.seed) if source else None,
                "source": source, "used": used, "variants": variants,
                "file_text": text if text is not None else current,
                "token": edits.file_token(block.path), "findings": findings or [],
                "conflict": conflict, "at": at, "back": back,
                "places": ["save:as-filed", "approve:as-filed"]
                + [f"{act}:{name}" for name in block.variants for act in ("save", "approve")],
                "history": history.history(Path(self.ws.root), block.path) if self.git else [],
                "git": self.git}

    def _filing_uses(self, block, back: dict | None) -> dict | None:
        """The wording of ``block`` that the filing of ``back``'s consultation uses (as the
        composer chooses it: pinned, the consultation's or template's variant, else the one
        for its jurisdiction): ``name`` (``as-filed`` or a variant) and ``label`` (e.g.
        "US"); None without ``back`` or when the choice fails (the consultation page says
        why)."""
        from drafter.compose.composer import choose_template
        from drafter.compose.wording import choose
        from drafter.load.consultation import load_consultation

        if back is None:
            return None
        try:
            cf = load_consultation(consultation_path(self.ws, back["rel"]))
            variant = choose_template(cf, Path(self.ws.templates), force=True).options.get(
                "variant")
            choice = choose(self.resident.session().library, block, cf.model, variant, cf)
        except DrafterError:
            return None
        name = choice.variant if choice.variant in block.variants else "as-filed"
        return {"name": name, "label": wording_name(name)}

    async def position(self, request: Request):
        self.need(request)
        block = self._block(request.path_params["id"])
        q = request.query_params
        return self.page(request, "position.html", **self._position_context(
            block, back=self.back_to(q.get("from", ""), q.get("q", ""))))

    def _position_back(self, form) -> dict | None:
        """The way back to a question that a position page's form carries (``from``, ``q``)."""
        return self.back_to(str(form.get("from") or ""), str(form.get("q") or ""))

    @staticmethod
    def _position_url(block, back: dict | None, place: str) -> str:
        """The position page again, with its way back, at ``place``: the wording's section
        (``#wording-NAME``) for ``approve:NAME``, its editor (``#edit-NAME``) for
        ``save:NAME``; the page opens there without JavaScript as well."""
        act, name = place.split(":", 1)
        return (f"/library/{quote(block.id)}" + (back["query"] if back else "")
                + ("#edit-" if act == "save" else "#wording-") + quote(name))

    async def position_save(self, request: Request):
        self.need(request, reviewer=True)
        block = self._block(request.path_params["id"])
        form = await self.form(request)
        text = str(form.get("text") or "")
        variant = str(form.get("variant") or "") or None
        if variant is not None and variant not in block.variants:
            raise LoadError(f"position '{block.id}' has no variant '{variant}'",
                            code="not-found")
        path = block.wording(variant).path
        back = self._position_back(form)
        place = f"save:{variant or 'as-filed'}"
        try:
            warnings = edits.save_block(self.ws, path, text, str(form.get("token") or ""),
                                        block.id)
        except edits.Conflict as exc:
            return self.page(request, "position.html", status=409, **self._position_context(
                block, text=text, conflict=exc.message, editing=variant, at=place,
                back=back))
        except edits.BlockRefused as exc:
            return self.page(request, "position.html", status=400, **self._position_context(
                block, text=text, findings=exc.findings, editing=variant, at=place,
                back=back))
        what = f"{block.id} ({variant} variant)" if variant else block.id
        self.commit(request, [path], f"Edit position {what}")
        said = f"Saved the {wording_name(variant)} wording of “{block.meta.title}”"
        self.flash(request, said + (f" ({len(warnings)} warning"
                                    f"{'' if len(warnings) == 1 else 's'})"
                                    if warnings else "") + ".", at=place)
        for w in warnings:
            if w.code == "edited-since-approval":     # about the whole text, not a line of it
                self.flash(request, "The wording changed since it was approved: it counts as "
                           "not approved until a reviewer approves it again (“Approve the "
                           f"{wording_name(variant)} wording”, under its text).", "warning")
                continue
            self.flash(request, f"line {w.line}: {w.message}" if w.line else w.message,
                       "warning")
        return RedirectResponse(self._position_url(block, back, place), status_code=303)

    def _approver(self, request: Request) -> str:
        person = self.person(request)
        if person:
            return person
        if self.git:
            done = history._git(Path(self.ws.root), "config", "user.name")
            if done.stdout.strip():
                return done.stdout.strip()
        import getpass
        return getpass.getuser()

    async def position_approve(self, request: Request):
        self.need(request, reviewer=True)
        block = self._block(request.path_params["id"])
        form = await self.form(request)
        variant = str(form.get("variant") or "") or None
        if variant is not None and variant not in block.variants:
            raise LoadError(f"position '{block.id}' has no variant '{variant}'",
                            code="not-found")
        person = self._approver(request)
        back = self._position_back(form)
        place = f"approve:{variant or 'as-filed'}"
        try:
            path = approve(self.resident.session().library, block, variant,
                           str(form.get("token") or ""), person, self.today())
        except edits.Conflict as exc:
            return self.page(request, "position.html", status=409, **self._position_context(
                block, conflict=exc.message, at=place, back=back))
        what = f"{block.id} ({variant} variant)" if variant else block.id
        self.commit(request, [path], f"Approve position {what}")
        self.flash(request, f"Approved the {wording_name(variant)} wording of "
                   f"“{block.meta.title}” ({person}, {self.today().isoformat()}).", at=place)
        return RedirectResponse(self._position_url(block, back, place), status_code=303)

    # -- review edits ---------------------------------------------------------------------

    UPLOAD_DAYS = 2

    def _uploads(self) -> Path:
        """Where uploaded DOCX files wait to be applied (``.drafter/web/uploads``); files older
        than two days are removed."""
        import time

        folder = Path(self.ws.state_dir) / "web" / "uploads"
        folder.mkdir(parents=True, exist_ok=True)
        old = time.time() - self.UPLOAD_DAYS * 86400
        for path in folder.glob("*.docx"):
            try:
                if path.stat().st_mtime < old:
                    path.unlink()
            except OSError:
                pass
        return folder

    def _upload(self, token: str) -> Path:
        if not token or not token.replace("-", "").replace("_", "").isalnum() or len(token) > 64:
            raise LoadError("that upload is gone: upload the edited DOCX again",
                            code="not-found")
        path = self._uploads() / f"{token}.docx"
        if not path.is_file():
            raise LoadError("that upload is gone: upload the edited DOCX again",
                            code="not-found")
        return path

    def _compare(self, path: Path):
        from drafter import harvest as hv

        session = self.resident.session()
        result = hv.harvest(session, path)
        return session, result

    async def review(self, request: Request):
        self.need(request)
        return self.page(request, "review.html", result=None, upload="", errors=[])

    async def review_compare(self, request: Request):
        self.need(request)
        form = await self.form(request)
        upload = form.get("edited")
        if upload is None or not getattr(upload, "filename", ""):
            return self.page(request, "review.html", status=400, result=None, upload="",
                             errors=["Choose the edited DOCX file first."])
        data = await upload.read()
        name = Path(upload.filename).name
        if not _is_docx(data):
            return self.page(request, "review.html", status=400, result=None, upload="",
                             errors=[f"{name}: not a Word document (.docx): nothing "
                                     "compared."])
        token = secrets.token_urlsafe(16)
        path = self._uploads() / f"{token}.docx"
        path.write_bytes(data)
        try:
            _, result = self._compare(path)
        except DrafterError as exc:
            path.unlink(missing_ok=True)
            message = self.where(exc).replace(str(path), name).replace(path.name, name)
            return self.page(request, "review.html", status=400, result=None, upload="",
                             errors=[message])
        return self._review_page(request, result, token, name)

    def _review_page(self, request: Request, result, token: str, name: str,
                     applied: str | None = None):
        """The Review edits page for ``result`` (the upload ``token``, named ``name``); its
        header names the consultation by its path in the workspace (its file name when it is
        outside); ``applied`` is the block an Apply just wrote."""
        from drafter.web.reviewpage import review_rows

        where = Path(result.consultation)
        return self.page(request, "review.html", result=review_rows(
            result, self.ws, self.resident.session().library, applied=applied),
            upload=token, name=name, errors=[],
            consultation=relative(self.ws, where)
            if Path(self.ws.root).resolve() in where.resolve().parents else where.name)

    async def review_apply(self, request: Request):
        self.need(request, reviewer=True)
        from drafter import harvest as hv
        from drafter.harvest.docxread import wording_of
        from drafter.output import atomic_write
        from drafter.web.reviewpage import applied_said

        form = await self.form(request)
        token = str(form.get("upload") or "")
        block_id = str(form.get("block") or "")
        path = self._upload(token)
        session, result = self._compare(path)
        chosen = [b for b in result.blocks if b.id == block_id and b.status == "edited"]
        if not chosen:
            raise LoadError(f"block '{block_id}' has no edit to apply in this document")
        result.blocks = chosen
        before = wording_of(session.library, block_id, chosen[0].variant)
        changes = [c for c in hv.rewrites(session, result, self.today())]
        written = []
        for change in changes:
            if change.new != change.old:
                atomic_write(change.path, change.new.encode("utf-8"))
                written.append(change.path)
        notes = [n for c in changes for n in c.notes]
        library = self.resident.session().library
        name = f"“{library.blocks[block_id].meta.title}”" if block_id in library else block_id
        if written:
            self.commit(request, written, f"Apply a reviewer's edit to position {block_id}")
            for kind, said in applied_said(before, library.blocks[block_id].meta.title
                                           if block_id in library else block_id,
                                           chosen[0].variant, relative(self.ws, before.path)):
                self.flash(request, said, kind)
        else:
            self.flash(request, f"Nothing applied to {name}.", "warning")
        for note in notes:
            self.flash(request, f"{name}: {note}", "warning")
        _, again = self._compare(path)
        return self._review_page(request, again, token,
                                 str(form.get("name") or "the edited document"),
                                 applied=block_id if written else None)

    # -- batch ----------------------------------------------------------------------------

    async def batch_page(self, request: Request):
        self.need(request)
        files = [relative(self.ws, p) for p in batch_files(self.ws)]
        return self.page(request, "batch.html", files=files, run=self.batch)

    async def batch_start(self, request: Request):
        self.need(request)
        form = await self.form(request)
        rel = str(form.get("file") or "")
        path = inside(self.ws.root, rel)
        if path not in [p.resolve() for p in batch_files(self.ws)]:
            raise LoadError(f"no batch file '{rel}' in the workspace", code="not-found")
        with self._batch_lock:
            if self.batch is not None and self.batch.running:
                self.flash(request, f"A batch is running ({self.batch.file}): wait for it.",
                           "warning")
                return RedirectResponse("/batch", status_code=303)
            run = BatchRun(rel)
            self.batch = run
        threading.Thread(target=self._run_batch, args=(run, path), daemon=True).start()
        return RedirectResponse("/batch", status_code=303)

    def _run_batch(self, run: BatchRun, path: Path) -> None:
        from drafter.batch.plan import load_plan
        from drafter.batch.runner import Runner

        try:
            plan = load_plan(path, cache_dir=Path(self.ws.state_dir) / "batch" / "plans")
            runner = Runner(plan, self.ws, workers=self.settings.batch_workers, reporter=run)
            run.summary = runner.run()
        except DrafterError as exc:
            run.error = self.where(exc)
        except Exception:  # noqa: BLE001 - shown as a message; the traceback goes to the log
            log.exception("batch %s failed", run.file)
            run.error = "the batch stopped on an internal error (see the server's log)"
        finally:
            run.running = False

    async def batch_status(self, request: Request):
        self.need(request)
        return self.page(request, "batch_status.html", run=self.batch)

    # -- signing in -----------------------------------------------------------------------

    async def signin_form(self, request: Request):
        return self.page(request, "signin.html", error=None,
                         next=request.query_params.get("next", "/"))

    async def signin(self, request: Request):
        form = await self.form(request)
        name = str(form.get("name") or "").strip()
        password = str(form.get("password") or "")
        target = str(form.get("next") or "/")
        if not target.startswith("/") or target.startswith("//"):
            target = "/"
        client = request.client.host if request.client else "?"
        keys = (f"ip:{client}", f"name:{name.lower()}")
        if self.limiter.blocked(*keys):
            return self.page(request, "signin.html", status=429, next=target,
                             error="Too many failed sign-ins: wait a few minutes, then try "
                                   "again.")
        user = verify(self.settings.users_file, name, password) if name else None
        if user is None:
            self.limiter.failed(*keys)
            return self.page(request, "signin.html", status=401, next=target,
                             error="Wrong name or password.")
        self.limiter.succeeded(*keys)
        request.session.clear()
        request.session["user"] = {"name": user.name, "role": user.role}
        return RedirectResponse(target, status_code=303)

    async def signout(self, request: Request):
        await self.form(request)
        request.session.clear()
        return RedirectResponse("/signin" if self.settings.sign_in else "/", status_code=303)

    # -- errors ---------------------------------------------------------------------------

    async def favicon(self, request: Request):
        """``/favicon.ico``: the workspace's icon (SVG), for browsers that ask for it by that
        name; pages link ``/static/favicon.svg``."""
        return Response((HERE / "static" / "favicon.svg").read_bytes(),
                        media_type="image/svg+xml",
                        headers={"Cache-Control": "public, max-age=86400"})

    async def on_drafter_error(self, request: Request, exc: DrafterError):
        status = 404 if exc.code == "not-found" else 409 if exc.code == "conflict" else 400
        return self.page(request, "error.html", status=status, title="Not found"
                         if status == 404 else "Cannot do that", message=self.where(exc))

    async def on_http(self, request: Request, exc: HTTPException):
        if exc.status_code in (301, 302, 303, 307) and exc.headers:
            return RedirectResponse(exc.headers["Location"], status_code=exc.status_code)
        titles = {403: "Not allowed", 404: "Not found", 405: "Not allowed"}
        message = exc.detail if exc.detail and exc.status_code != 404 else \
            "There is no page at this address."
        if "session" not in request.scope:
            return HTMLResponse(_error_html(titles.get(exc.status_code, "Error"), message),
                                status_code=exc.status_code)
        return self.page(request, "error.html", status=exc.status_code,
                         title=titles.get(exc.status_code, "Error"), message=message)

    async def on_error(self, request: Request, exc: Exception):
        log.exception("internal error on %s %s", request.method, request.url.path)
        return HTMLResponse(_error_html("Something went wrong",
                                        "drafter could not finish this request; the details "
                                        "are in the server's log. Nothing was half-written."),
                            status_code=500)


def new_file_text(fields: dict, header: list[str], notes: list[str], output: Path) -> str:
    """The text of a consultation file made on the New consultation page: ``fields``
    (consultation keys) under the comment lines ``header`` ("Made in the browser." when
    empty), ``notes`` as comments before the questions; validated like any consultation file
    (LoadError naming ``output`` otherwise).  Unlike ``drafter new``'s files, it tells of no
    command to run next: the consultation's page is where it is worked on."""
    from drafter.importers import consultation_yaml, validate_text

    text = consultation_yaml(fields, list(header) or ["Made in the browser."], notes)
    hint = text.find("\n# No questions yet:")      # ends with how to add them in a terminal
    if hint >= 0:
        text = text[:hint + 1] + ('# No questions yet: add them here, as '
                                  'questions: [{id: "1", text: ...}].\n')
    validate_text(text, output)
    return text


def position_href(pid: str, rel: str, qid: str) -> str:
    """The address of position ``pid``'s page opened from question ``qid`` of the
    consultation at ``rel``: ``/library/PID?from=REL&q=QID``, so that the page leads back to
    the question (see :meth:`WebApp.back_to`)."""
    return f"/library/{quote(pid)}?" + urlencode({"from": rel, "q": qid})


OFFERED = 3          # ranked suggestions shown per question (besides the recorded picks)
EXCERPT = 400        # characters of an accepted position's wording shown before "Show all"


def _words(text: str) -> str:
    """``text`` compared loosely: lower case, curly quotes and dashes as plain ones, one
    space between words."""
    table = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"',
                           "–": "-", "—": "-", " ": " "})
    return " ".join(text.translate(table).lower().split())


class _Outline(HTMLParser):
    """The headings of an HTML filing, each as [id, text, text of the blockquote right after
    it]."""

    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.headings: list[list[str]] = []
        self._tag: str | None = None      # the heading or blockquote being read
        self._field = 0                   # where its text goes: 1 heading, 2 quote
        self._depth = 0
        self._after = False               # nothing but white space since the last heading

    def handle_starttag(self, tag, attrs):
        if self._tag is not None:
            self._depth += tag == self._tag
        elif tag in self.HEADINGS:
            self.headings.append([dict(attrs).get("id") or "", "", ""])
            self._tag, self._field, self._depth = tag, 1, 1
        elif tag == "blockquote" and self._after:
            self._tag, self._field, self._depth = tag, 2, 1
        else:
            self._after = False

    def handle_endtag(self, tag):
        if self._tag is not None and tag == self._tag:
            self._depth -= 1
            if self._depth == 0:
                self._after = self._field == 1
                self._tag = None

    def handle_data(self, data):
        if self._tag is not None:
            self.headings[-1][self._field] += data
        elif data.strip():
            self._after = False


def preview_anchor(html: str, questions: list[tuple[str, str]], qid: str) -> str:
    """The id of the heading in ``html`` (a filing as :mod:`drafter.writers.html` writes it)
    where question ``qid``'s answer starts: the heading followed by the question's text
    quoted, else the heading "Question ``qid``".  ``questions`` are the consultation's
    (id, text) in order; a question the filing leaves out (skipped) gives the next one it
    has, else the one before.  "" when none is found (the preview then opens at the top)."""
    outline = _Outline()
    outline.feed(html)
    outline.close()

    def find(qid: str, text: str) -> str:
        quoted, named = _words(text)[:80], _words(f"Question {qid}")
        scored = [((_words(heading) == named) * 2 + bool(quoted and _words(quote)
                                                           .startswith(quoted)), hid)
                  for hid, heading, quote in outline.headings if hid]
        best = max(scored, key=lambda s: s[0], default=(0, ""))
        return best[1] if best[0] else ""

    ids = [q for q, _ in questions]
    if qid not in ids:
        return ""
    at = ids.index(qid)
    for i in [at, *range(at + 1, len(ids)), *range(at - 1, -1, -1)]:
        found = find(*questions[i])
        if found:
            return found
    return ""


def filed_wordings(document) -> dict[str, str]:
    """Each position block's text as the draft files it (plain text, paragraphs separated by
    a blank line), by block id, from a draft's :class:`drafter.model.nodes.Document`; a block
    used more than once gives its first use."""
    from drafter.model.nodes import Document
    from drafter.model.text import has_class, walk
    from drafter.writers.text import document_text

    out: dict[str, str] = {}
    for node in walk(document.children):
        if has_class(node, "block") and node.attrs.get("block") not in out:
            out[node.attrs.get("block", "")] = document_text(
                Document(children=node.children, options=document.options)).strip()
    return out


def wording_excerpt(text: str, limit: int = EXCERPT) -> dict:
    """A wording for the page: ``paragraphs`` (the whole text, split at blank lines) and
    ``excerpt``, its first ``limit`` characters or fewer, cut at a word and ending in "…"
    when the text is longer (then ``more`` is True)."""
    text = text.strip()
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    flat = " ".join(paragraphs)
    if len(flat) <= limit:
        return {"excerpt": flat, "paragraphs": paragraphs, "more": False}
    cut = flat[:limit + 1].rsplit(" ", 1)[0] if " " in flat[:limit + 1] else flat[:limit]
    return {"excerpt": cut.rstrip(" ,;:.") + "…", "paragraphs": paragraphs, "more": True}


def _chance(s) -> int | None:
    """How likely suggestion ``s`` fits, in percent (None where the ranker does not say)."""
    from drafter.suggest.rank import percent

    return None if s is None or s.chance is None else percent(s.chance)


def _reason(s, confident_at: int | None) -> str:
    """The suggestion's reason without the ranker's "fits: NN% likely (confident from NN%)",
    which the page shows once per suggestion as its chance and explains once per page."""
    from drafter.suggest.rank import fits_reason

    why = s.why
    if s.chance is not None and confident_at is not None:
        tail = fits_reason(s.chance, confident_at / 100)
        if tail in why:
            why = why.replace(tail, "", 1)
    return why


def approve(library, block, variant: str | None, token: str, person: str,
            today: dt.date) -> Path:
    """Approve one wording of a position with :func:`drafter.review.approve` (the function
    ``drafter positions approve`` calls), after checking the file's version token; returns
    the file written."""
    from drafter.review import approve as approve_wording

    path = block.wording(variant).path
    with edits._LOCK:
        if edits.file_token(path) != token:
            raise edits.Conflict("this wording was changed by someone else since this page "
                                 "was opened: nothing was approved. Read the current "
                                 "wording, then approve again.", path)
        return approve_wording(library, block.id, variant, by=person, on=today)


def _approved_as_is(wording) -> bool:
    """Whether a wording (a block as filed or a variant) is approved and its text is the one
    approved (recorded by its ``approved_hash``): then pages show its approval and offer no
    Approve. Wordings approved before the hash was recorded may have changed since: False."""
    from drafter.load.library import changed_since_approval

    meta = wording.meta
    return (meta.status.value == "approved" and meta.approved_hash is not None
            and not changed_since_approval(wording))


def _is_docx(data: bytes) -> bool:
    import io

    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return "word/document.xml" in z.namelist()
    except zipfile.BadZipFile:
        return False


def _secret(settings: WebSettings) -> str:
    if settings.secret_key:
        return settings.secret_key
    env = os.environ.get("DRAFTER_SECRET_KEY")
    if env:
        return env
    path = Path(settings.workspace.state_dir) / "web" / "secret"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def create_app(settings: WebSettings) -> Starlette:
    """The ASGI application serving ``settings.workspace``."""
    if settings.sign_in:
        users = load_users(settings.users_file)
        if not users:
            raise LoadError("no accounts: any address but 127.0.0.1 needs sign-in; add "
                            "people with drafter users add NAME --role staff|reviewer",
                            settings.users_file)
    web = WebApp(settings)
    routes = [
        Route("/", web.home),
        Route("/new", web.new_form, methods=["GET"]),
        Route("/new", web.new_submit, methods=["POST"]),
        Route("/c/{rel:path}/answer", web.answer, methods=["POST"]),
        Route("/c/{rel:path}/date", web.filing_date, methods=["POST"]),
        Route("/c/{rel:path}/preview", web.preview),
        Route("/c/{rel:path}/download/{fmt}", web.download),
        Route("/c/{rel:path}", web.consultation),
        Route("/library", web.library),
        Route("/library/{id}", web.position),
        Route("/library/{id}/save", web.position_save, methods=["POST"]),
        Route("/library/{id}/approve", web.position_approve, methods=["POST"]),
        Route("/review", web.review, methods=["GET"]),
        Route("/review", web.review_compare, methods=["POST"]),
        Route("/review/apply", web.review_apply, methods=["POST"]),
        Route("/batch", web.batch_page, methods=["GET"]),
        Route("/batch", web.batch_start, methods=["POST"]),
        Route("/batch/status", web.batch_status),
        Route("/signin", web.signin_form, methods=["GET"]),
        Route("/signin", web.signin, methods=["POST"]),
        Route("/signout", web.signout, methods=["POST"]),
        Route("/favicon.ico", web.favicon, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    middleware = [
        Middleware(UploadLimit, limit=settings.upload_limit),
        Middleware(SessionMiddleware, secret_key=_secret(settings),
                   session_cookie="drafter_session", same_site="strict",
                   https_only=False, max_age=12 * 3600),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={
        DrafterError: web.on_drafter_error, HTTPException: web.on_http,
        Exception: web.on_error})
    app.state.web = web
    return app
