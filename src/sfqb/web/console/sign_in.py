"""Signing in and out: GET/POST /sign-in (throttled like the Web Connector's login), POST
/sign-out. After signing in the browser goes to `next`, but only when it is a path of sfqb."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from sfqb.connectors.qbd.webconnector.guard import shown
from sfqb.domain.login_throttle import Verdict
from sfqb.services import people
from sfqb.web.console import Console
from sfqb.web.console.auth import session_person, sign_in_session
from sfqb.web.console.pages import render
from sfqb.web.limits import client_address

log = logging.getLogger(__name__)

SIGN_IN = "/sign-in"
SIGN_OUT = "/sign-out"
WRONG = "The user name or password is not right."


def local_path(target: str | None) -> str:
    """`target` when it is a path on this site (never another host); else `/`."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path in (SIGN_IN, SIGN_OUT):
        return "/"
    return target


def _when(until: datetime, now: datetime) -> str:
    minutes = max(1, round((until - now).total_seconds() / 60))
    return f"{until:%H:%M} UTC (in about {minutes} minute{'s' if minutes != 1 else ''})"


def _throttled(request: Request, console: Console, name: str, verdict: Verdict) -> Response:
    until = verdict.until or console.clock()
    now = console.clock()
    message = (
        f"Too many failed sign-ins for {name!r} from here. Try again after {_when(until, now)}."
    )
    answer = render(request, "sign_in.html", {"message": message, "user_name": name,
                                              "next": "/"}, status=429)  # fmt: skip
    answer.headers["Retry-After"] = str(max(1, int((until - now).total_seconds())))
    return answer


def _count_failure(console: Console, name: str, client: str | None) -> None:
    event = console.throttle.failed(name, client)
    if event is not None:
        log.warning(
            "console sign-in of %r from %s refused until %s after %d failures",
            name[:100], shown(client), f"{event.until:%Y-%m-%d %H:%M:%S}", event.failures,
        )  # fmt: skip


def routes(console: Console) -> APIRouter:
    """GET and POST /sign-in, POST /sign-out."""
    router = APIRouter(include_in_schema=False)

    @router.get(SIGN_IN)
    def sign_in_page(request: Request, next: str = "/") -> Response:
        target = local_path(next)
        if session_person(request) is not None:
            return RedirectResponse(target, status_code=303)
        return render(request, "sign_in.html", {"next": target, "user_name": ""})

    @router.post(SIGN_IN)
    def sign_in(
        request: Request,
        user_name: Annotated[str, Form(max_length=1000)] = "",
        password: Annotated[str, Form(max_length=4000)] = "",
        next: Annotated[str, Form(max_length=2000)] = "/",
    ) -> Response:
        target = local_path(next)
        name = user_name.strip()
        client = client_address(request, console.trusted_proxies)
        verdict = console.throttle.check(name, client)
        if not verdict.allowed:
            return _throttled(request, console, name, verdict)
        found = people.verify_sign_in(console.store, name, password) if name else None
        if found is None:
            if name:
                _count_failure(console, name, client)
            context = {"message": WRONG, "user_name": name[:100], "next": target}
            return render(request, "sign_in.html", context, status=400)
        console.throttle.succeeded(name, client)
        sign_in_session(request, found, console.clock())
        return RedirectResponse(target, status_code=303)

    @router.post(SIGN_OUT)
    def sign_out(request: Request) -> Response:
        request.session.clear()
        return RedirectResponse(SIGN_IN, status_code=303)

    return router
