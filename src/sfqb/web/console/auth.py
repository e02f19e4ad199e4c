"""Who is asking: the signed-in person of a page or API call, their role, their companies, and
the CSRF check of every form.

Pages: not signed in → 303 to `/sign-in?next=...`; a role too low → a 403 page. The API: a
Bearer token or the session; neither → 401 JSON. `company_or_404` answers 404 for a company the
person may not see, exactly as for one that does not exist, so nothing tells them apart.
"""

from __future__ import annotations

import hmac
import secrets
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from sfqb.domain.people import Person, Role
from sfqb.services import people
from sfqb.web.console import Console

API_PREFIX = "/api/v1"
SESSION_USER = "user"
SESSION_CSRF = "csrf"
SESSION_SINCE = "since"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_console: ContextVar[Console] = ContextVar("sfqb_console")


class Refused(Exception):
    """A request the console refuses; the handler answers with `status` and `message`."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SignInRequired(Refused):
    """A page asked for without a session: the answer is a redirect to the sign-in page."""

    status = 303


class Unauthenticated(Refused):
    """An API call without a valid token or session."""

    status = 401


class Forbidden(Refused):
    """The person's role does not allow this, or the CSRF token is missing or wrong."""

    status = 403


class NotFound(Refused):
    """Nothing here the person may see."""

    status = 404


class ErrorBody(BaseModel):
    """The body of every refused API call."""

    detail: str


# Declared on API routes so the OpenAPI document names the refusals: `responses=API_ERRORS`.
API_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (401, "No valid token or session"),
        (403, "The role does not allow this, or the CSRF token is missing"),
        (404, "No such company or record the caller may see"),
    )
}


def console_of(request: Request) -> Console:
    """The Console serving this request."""
    console: Console = request.app.state.console
    return console


def set_current(console: Console) -> None:
    """Make `console` the one `company_or_404` consults in this request's context."""
    _console.set(console)


def new_csrf_token() -> str:
    """A fresh per-session CSRF token."""
    return secrets.token_urlsafe(32)


def csrf_token(request: Request) -> str:
    """The session's CSRF token, made when the session has none yet."""
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str) or not token:
        token = request.session[SESSION_CSRF] = new_csrf_token()
    return token


def session_person(request: Request) -> Person | None:
    """The person of the session; a session of a removed or disabled user, or one past its
    lifetime, is ended."""
    name = request.session.get(SESSION_USER)
    if not isinstance(name, str):
        return None
    console = console_of(request)
    since = request.session.get(SESSION_SINCE)
    found = None
    if isinstance(since, int | float):
        started = datetime.fromtimestamp(since, UTC)
        if console.clock() - started < console.session_lifetime:
            found = people.person(console.store, name, started)
    if found is None:
        request.session.clear()
        return None
    request.state.person = found
    return found


def _next(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def _page(request: Request, role: Role) -> Person:
    found = session_person(request)
    if found is None:
        raise SignInRequired(_next(request))
    if not found.may(role):
        raise Forbidden(f"This page is for the {role.value} role; you are signed in as "
                        f"{found.role.value}.")  # fmt: skip
    return found


def viewer(request: Request) -> Person:
    """The signed-in person (any role); else a redirect to the sign-in page."""
    return _page(request, Role.VIEWER)


def operator(request: Request) -> Person:
    """The signed-in person with the operator (or admin) role; 403 for a viewer."""
    return _page(request, Role.OPERATOR)


def admin(request: Request) -> Person:
    """The signed-in person with the admin role; 403 otherwise."""
    return _page(request, Role.ADMIN)


_bearer = HTTPBearer(auto_error=False, description="An API token made by `sfqb user token`")
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def _api(request: Request, credentials: HTTPAuthorizationCredentials | None, role: Role) -> Person:
    if credentials is not None:
        found = people.person_for_token(console_of(request).store, credentials.credentials)
        if found is not None:
            request.state.person = found
    else:
        found = session_person(request)
    if found is None:
        raise Unauthenticated("a valid API token (Authorization: Bearer ...) is required")
    if not found.may(role):
        raise Forbidden(f"this needs the {role.value} role; the caller is {found.role.value}")
    return found


def api_viewer(request: Request, credentials: Bearer) -> Person:
    """The caller of an API route (any role); 401 without a valid token or session."""
    return _api(request, credentials, Role.VIEWER)


def api_operator(request: Request, credentials: Bearer) -> Person:
    """The caller of an API route with the operator (or admin) role; 403 for a viewer."""
    return _api(request, credentials, Role.OPERATOR)


def api_admin(request: Request, credentials: Bearer) -> Person:
    """The caller of an API route with the admin role; 403 otherwise."""
    return _api(request, credentials, Role.ADMIN)


def company_or_404(person: Person, company: str) -> str:
    """`company` when it exists and the person may see it; 404 otherwise (the same answer)."""
    if person.sees(company) and company in _console.get().store.people.companies():
        return company
    raise NotFound(f"There is no company {company!r} you may see.")


async def csrf_checked(request: Request) -> None:
    """Refuse (403) an unsafe request whose CSRF token is missing or wrong.

    A page form carries the token in the field `csrf_token`; an API call made with the session
    carries it in the X-CSRF-Token header; an API call with a Bearer token needs none (no
    browser sends it by itself), nor does one with no credentials (it gets its 401).
    """
    if request.method not in UNSAFE:
        return
    if request.url.path.startswith(API_PREFIX + "/"):
        if request.headers.get("authorization", "").lower().startswith("bearer "):
            return
        if SESSION_USER not in request.session:
            return
        given = request.headers.get(CSRF_HEADER, "")
    else:
        given = request.headers.get(CSRF_HEADER, "")
        if not given:
            form = await request.form()
            value = form.get(CSRF_FIELD)
            given = value if isinstance(value, str) else ""
    expected = request.session.get(SESSION_CSRF)
    if not isinstance(expected, str) or not hmac.compare_digest(given, expected):
        raise Forbidden(
            "The form's security token is missing or out of date (the session may have "
            "ended): reload the page and try again."
        )


def sign_in_session(request: Request, person: Person, now: datetime) -> None:
    """Start a fresh session for `person` (a new CSRF token; nothing of the old one kept)."""
    request.session.clear()
    request.session[SESSION_USER] = person.name
    request.session[SESSION_CSRF] = new_csrf_token()
    request.session[SESSION_SINCE] = now.timestamp()


__all__ = [
    "API_ERRORS",
    "ErrorBody",
    "Forbidden",
    "NotFound",
    "Refused",
    "SignInRequired",
    "Unauthenticated",
    "admin",
    "api_admin",
    "api_operator",
    "api_viewer",
    "company_or_404",
    "console_of",
    "csrf_checked",
    "csrf_token",
    "operator",
    "session_person",
    "sign_in_session",
    "viewer",
]
