"""The review site's routes: each page is one or two FactStore calls rendered by a Jinja2
template; each form is one write by the signed-in person.

Corrections and retractions land on a new proposal branch (a second person approves it:
approve = merge); reverting one row is written to the store's branch directly, as the CLI's
`facts revert` is (it restores a version that branch already carried, and is itself a commit
with an author and a reason). Every POST carries a CSRF token; every store text on a page is
escaped by Jinja2's autoescape after `page_text` removed what shows as nothing.
"""

from __future__ import annotations

import re
import secrets
import threading
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from factstore.errors import Conflict, FactstoreError, InvalidInput, NotFound, Refused
from factstore.schema import BOOKKEEPING, TABLES
from factstore.store import FactStore
from factstore.store.review import same_person
from factstore.store.timeline import changed_fields
from factstore.text import clean_for_pack
from factstore.web.auth import CSRF_COOKIE, SESSION_COOKIE, Auth

HERE = Path(__file__).resolve().parent
STATUS = {InvalidInput: 400, NotFound: 404, Refused: 403, Conflict: 409}
LOG_LIMIT = 200
# No script runs on these pages; styles and images come from this site only.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
Handler = Callable[[Request], Awaitable[Response]]


def page_text(value: Any) -> Any:
    """What a page shows of a value: store text as one line with control, bidi and invisible
    characters removed (factstore.text.clean_for_pack); markup made by a template is kept."""
    if isinstance(value, Markup) or not isinstance(value, str):
        return "" if value is None else value
    return clean_for_pack(value)


def link(item_id: Any) -> str:
    return quote(clean_for_pack(str(item_id)), safe=":@")


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(HERE / "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      finalize=page_text, trim_blocks=True, lstrip_blocks=True)
    env.filters["link"] = link
    env.filters["short"] = lambda c: str(c)[:12]
    env.filters["singular"] = lambda table: TABLES[table].singular if table in TABLES else table
    env.filters["firstline"] = lambda t: str(t or "").splitlines()[0] if t else ""
    env.globals["knowledge"] = lambda row: {k: v for k, v in (row or {}).items()
                                            if k not in BOOKKEEPING}
    return env


class Site:
    """The app's state: the store (one connection, used by one request at a time), who may
    do what, and the templates."""

    def __init__(self, store: FactStore, auth: Auth) -> None:
        self.store = store
        self.auth = auth
        self.lock = threading.Lock()
        self.env = _environment()

    # -- plumbing -------------------------------------------------------------------------

    def page(self, build: Callable[[Request, dict[str, str]], Response]) -> Handler:
        """A route: the form read (POSTs checked for their CSRF token), then build run in a
        worker thread holding the store's lock; library errors become an error page."""
        async def handler(request: Request) -> Response:
            form: dict[str, str] = {}
            if request.method == "POST":
                body = (await request.body()).decode("utf-8", "replace")
                form = {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}
                if not self.auth.csrf_ok(request.cookies.get(CSRF_COOKIE, ""),
                                         form.get("csrf", "")):
                    return self.finish(request, PlainTextResponse(
                        "This form has expired or did not come from this site: reload the "
                        "page and send it again.", status_code=403))

            def run() -> Response:
                with self.lock:
                    try:
                        return build(request, form)
                    except FactstoreError as exc:
                        return self.error(request, exc)
                    except ValidationError as exc:
                        from factstore.importers import describe_error

                        return self.error(request, InvalidInput(describe_error(exc)))

            return self.finish(request, await run_in_threadpool(run))
        return handler

    def finish(self, request: Request, response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        if not request.cookies.get(CSRF_COOKIE):
            nonce = getattr(request.state, "nonce", None) or secrets.token_urlsafe(24)
            response.set_cookie(CSRF_COOKIE, nonce, httponly=True, samesite="strict",
                                secure=request.url.scheme == "https")
        return response

    def render(self, request: Request, name: str, status: int = 200, **values: Any
               ) -> HTMLResponse:
        nonce = request.cookies.get(CSRF_COOKIE) or getattr(request.state, "nonce", None)
        if not nonce:
            nonce = request.state.nonce = secrets.token_urlsafe(24)
        text = self.env.get_template(name).render(
            request=request, who=self.who(request), csrf=self.auth.csrf_token(nonce),
            signs_in=bool(self.auth.users) and not self.auth.trust_header, **values)
        return HTMLResponse(text, status_code=status)

    def error(self, request: Request, exc: FactstoreError) -> Response:
        status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 500)
        return self.render(request, "error.html", status=status, message=str(exc),
                           candidates=getattr(exc, "candidates", []))

    def who(self, request: Request) -> str | None:
        return self.auth.who(dict(request.headers), request.cookies)

    def need_who(self, request: Request) -> str:
        who = self.who(request)
        if who is None:
            raise Refused("sign in first: every change is authored by the person making it")
        return who

    # -- reading pages --------------------------------------------------------------------

    def home(self, request: Request, form: dict[str, str]) -> Response:
        store = self.store
        terms = sorted({str(d["term"]) for d in store.listing("definitions", status="active")
                        .rows}, key=lambda t: (len(t), t))  # the store's own, shortest first
        return self.render(request, "home.html", log=store.log(10),
                           proposals=[p for p in store.proposals() if p.open],
                           tags=store.tags(), term=terms[0] if terms else None)

    def search(self, request: Request, form: dict[str, str]) -> Response:
        query = request.query_params.get("q", "")
        found = self.store.search(query) if query.strip() else None
        return self.render(request, "search.html", query=query, found=found)

    def item(self, request: Request, form: dict[str, str]) -> Response:
        return self._item(request, request.path_params["id"])

    def _item(self, request: Request, item_id: str, status: int = 200, **extra: Any
              ) -> Response:
        view = self.store.item(item_id)
        entity, group = None, None
        if view.table in ("facts", "aliases"):
            subject = view.row.get("subject_id") or view.row.get("entity_id")
            about = self.store.item(subject) if subject else None
            entity = about.row if about else None
            group = next((g for g in (about.groups if about else [])
                          if any(f.row["id"] == view.id for f in g.facts)), None)
        return self.render(request, "item.html", status=status, view=view, entity=entity,
                           group=group, **extra)

    def history(self, request: Request, form: dict[str, str]) -> Response:
        found = self.store.history(request.path_params["id"])
        versions = found.versions
        steps = [changed_fields(versions[i + 1].row if i + 1 < len(versions) else None, v.row)
                 for i, v in enumerate(versions)]
        blame = self.store.blame(found.id) if versions[0].row is not None else []
        return self.render(request, "history.html", found=found,
                           versions=list(zip(versions, steps, strict=True)),
                           blame=blame[0] if blame else None)

    def diff(self, request: Request, form: dict[str, str]) -> Response:
        start = request.query_params.get("from", "")
        end = request.query_params.get("to", "") or "HEAD"
        found = self.store.diff(start, end) if start else None
        tables: dict[str, list[Any]] = {}
        for change in found.changes if found else []:
            tables.setdefault(change.table, []).append(change)
        refs = [t.name for t in self.store.tags()] + [b.name for b in self.store.branches()]
        return self.render(request, "diff.html", start=start, end=end, found=found,
                           tables=tables, refs=refs)

    def log(self, request: Request, form: dict[str, str]) -> Response:
        author = request.query_params.get("author") or None
        return self.render(request, "log.html", commits=self.store.log(LOG_LIMIT, author=author),
                           author=author or "", limit=LOG_LIMIT)

    def proposals(self, request: Request, form: dict[str, str]) -> Response:
        return self.render(request, "proposals.html", proposals=self.store.proposals())

    def proposal(self, request: Request, form: dict[str, str], status: int = 200,
                 message: str | None = None) -> Response:
        name = request.path_params["name"]
        found = self.store.proposal(name)
        review = self.store.review(name) if found.open else None
        who = self.who(request)
        return self.render(request, "proposal.html", status=status, proposal=found,
                           review=review, message=message,
                           may_approve=bool(who) and self.auth.may_approve(who or ""))

    def health(self, request: Request, form: dict[str, str]) -> Response:
        report = self.store.health()
        checks: dict[str, list[Any]] = {}
        for finding in report.findings:
            checks.setdefault(finding.check, []).append(finding)
        return self.render(request, "health.html", report=report, checks=checks)

    # -- forms ----------------------------------------------------------------------------

    def correct(self, request: Request, form: dict[str, str]) -> Response:
        """A correction of a fact's value or a definition's text, on a new proposal branch;
        compare-and-set on the rev the form was rendered with."""
        who = self.need_who(request)
        item_id = request.path_params["id"]
        row = self.store.get(item_id)
        source = form.get("source", "").strip() or None
        expect = form.get("rev", "").strip() or None
        reason = _reason(form, "a correction")

        def write(on: FactStore) -> Any:
            if item_id.startswith("def:"):
                return on.correct_definition(item_id, form.get("text", ""), author=who,
                                             reason=reason, source=source, expect=expect)
            if not item_id.startswith("fact:"):
                raise InvalidInput("only facts and definitions are corrected here")
            return on.correct_fact(item_id, form.get("value", ""), author=who, reason=reason,
                                   source=source, quote=form.get("quote", "").strip() or None,
                                   expect=expect)

        branch = proposal_name(who, item_id)
        try:
            self.store.propose_write(branch, write)
        except Conflict as exc:
            newer = self.store.get(item_id)
            return self._item(request, item_id, status=409, conflict=str(exc), tried=form,
                              newer=newer, older_rev=row.get("rev"))
        return RedirectResponse(f"/proposals/{branch}", status_code=303)

    def retract(self, request: Request, form: dict[str, str]) -> Response:
        who = self.need_who(request)
        item_id = request.path_params["id"]
        reason = _reason(form, "a retraction")
        self.store.get(item_id)
        branch = proposal_name(who, item_id)
        self.store.propose_write(branch, lambda on: on.retract(item_id, author=who,
                                                              reason=reason))
        return RedirectResponse(f"/proposals/{branch}", status_code=303)

    def revert(self, request: Request, form: dict[str, str]) -> Response:
        who = self.need_who(request)
        item_id = request.path_params["id"]
        reason = _reason(form, "a revert")
        self.store.revert(item_id, author=who, reason=reason,
                          commit=form.get("commit", "").strip() or None)
        return RedirectResponse(f"/history/{link(item_id)}", status_code=303)

    def approve(self, request: Request, form: dict[str, str]) -> Response:
        who = self.need_who(request)
        name = request.path_params["name"]
        if not self.auth.may_approve(who):
            raise Refused(f"{who} may not approve proposals here (ask an approver)")
        try:
            self.store.approve(name, author=who)
        except Conflict as exc:
            return self.proposal(request, form, status=409, message=str(exc))
        return RedirectResponse(f"/proposals/{name}", status_code=303)

    def reject(self, request: Request, form: dict[str, str]) -> Response:
        who = self.need_who(request)
        name = request.path_params["name"]
        found = self.store.proposal(name)
        if not (self.auth.may_approve(who) or same_person(found.author, who)):
            raise Refused(f"{who} may not reject {name!r}: its author or an approver may")
        self.store.reject(name)
        return RedirectResponse("/proposals", status_code=303)

    # -- signing in -----------------------------------------------------------------------

    def login(self, request: Request, form: dict[str, str]) -> Response:
        if request.method == "GET":
            return self.render(request, "login.html", failed=False)
        signed = self.auth.sign_in(form.get("email", ""), form.get("password", ""))
        if signed is None:
            return self.render(request, "login.html", status=403, failed=True)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(SESSION_COOKIE, signed, httponly=True, samesite="lax",
                            secure=request.url.scheme == "https")
        return response

    def logout(self, request: Request, form: dict[str, str]) -> Response:
        response = RedirectResponse("/", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    def routes(self) -> list[Route | Mount]:
        p = self.page
        return [
            Route("/", p(self.home)),
            Route("/search", p(self.search)),
            Route("/item/{id:path}", p(self.item)),
            Route("/history/{id:path}", p(self.history)),
            Route("/diff", p(self.diff)),
            Route("/log", p(self.log)),
            Route("/proposals", p(self.proposals)),
            Route("/proposals/{name}", p(self.proposal)),
            Route("/proposals/{name}/approve", p(self.approve), methods=["POST"]),
            Route("/proposals/{name}/reject", p(self.reject), methods=["POST"]),
            Route("/health", p(self.health)),
            Route("/correct/{id:path}", p(self.correct), methods=["POST"]),
            Route("/retract/{id:path}", p(self.retract), methods=["POST"]),
            Route("/revert/{id:path}", p(self.revert), methods=["POST"]),
            Route("/login", p(self.login), methods=["GET", "POST"]),
            Route("/logout", p(self.logout), methods=["POST"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
        ]


def _reason(form: dict[str, str], what: str) -> str:
    """The form's reason: every write from the site says why (one line naming the field)."""
    reason = form.get("reason", "").strip()
    if not reason:
        raise InvalidInput(f"reason: {what} says why")
    return reason


def proposal_name(who: str, item_id: str) -> str:
    """A new branch for one change: who, what, when (ASCII letters, digits, '.', '_', '-')."""
    # accents folded first: Patrícia -> patricia (not patr-cia)
    name = unicodedata.normalize("NFKD", who.split("<")[0]).encode("ascii", "ignore").decode()
    person = re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")[:20]
    what = re.sub(r"[^a-z0-9]+", "-", item_id.casefold()).strip("-")[:40]
    when = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    return f"{person or 'someone'}-{what or 'row'}-{when}-{secrets.token_hex(2)}"


def build_app(store: FactStore, auth: Auth) -> Starlette:
    """The ASGI app of the review site on an open store."""
    site = Site(store, auth)
    app = Starlette(routes=site.routes())
    app.state.site = site
    return app


__all__ = [
    "HERE", "LOG_LIMIT", "SECURITY_HEADERS", "STATUS", "Handler", "Site", "build_app", "link",
    "page_text", "proposal_name"
]
