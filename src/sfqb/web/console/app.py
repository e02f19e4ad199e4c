"""`add_console`: the console's pages, its JSON API under /api/v1 and their OpenAPI document,
the session cookie, and the answers to refused requests, added to sfqb's web app.

Each area of the console is a module with `routes(console) -> APIRouter`; every router is
included with the CSRF check, so no POST of any area goes unchecked.
"""

from __future__ import annotations

import logging
from importlib.resources import files
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import (
    http_exception_handler,
    request_validation_exception_handler,
)
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.routing import RouteContext, iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from sfqb import __version__
from sfqb.web.console import (
    Console,
    api_codes,
    api_companies,
    api_log,
    api_me,
    api_people,
    api_review,
    api_settings,
    api_status,
    codes,
    flows,
    overview,
    review,
    settings,
    sign_in,
    users,
)
from sfqb.web.console import log as log_pages
from sfqb.web.console.auth import API_PREFIX, Refused, SignInRequired, csrf_checked, set_current
from sfqb.web.console.pages import render

log = logging.getLogger(__name__)

SESSION_COOKIE = "sfqb_session"
OPENAPI_PATH = f"{API_PREFIX}/openapi.json"
STYLESHEET = "/static/console.css"
# Paths that are not the console's: their errors keep the app's own answers.
_NOT_CONSOLE = ("/qbwc", "/qbo/", API_PREFIX + "/")
_HEADINGS = {
    400: "The request was not understood",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed",
    500: "Something went wrong",
}


class _CurrentConsole:
    """ASGI middleware making the console current for each request (see `company_or_404`)."""

    def __init__(self, app: ASGIApp, console: Console) -> None:
        self.app = app
        self.console = console

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        set_current(self.console)
        await self.app(scope, receive, send)


def _is_console_page(request: Request) -> bool:
    return not request.url.path.startswith(_NOT_CONSOLE)


def _error_page(request: Request, status: int, message: str) -> Response:
    heading = _HEADINGS.get(status, "Something is not right")
    return render(request, "error.html", {"heading": heading, "message": message}, status)


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    if isinstance(exc, SignInRequired):
        from urllib.parse import quote

        return RedirectResponse(f"{sign_in.SIGN_IN}?next={quote(exc.message)}", status_code=303)
    if not _is_console_page(request):
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return JSONResponse({"detail": exc.message}, exc.status, headers=headers)
    return _error_page(request, exc.status, exc.message)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if not _is_console_page(request) or exc.status_code not in _HEADINGS:
        return await http_exception_handler(request, exc)
    message = {404: "There is no page at this address.",
               405: "This address does not take that kind of request."}  # fmt: skip
    return _error_page(request, exc.status_code, message.get(exc.status_code, str(exc.detail)))


async def _invalid(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not _is_console_page(request):
        return await request_validation_exception_handler(request, exc)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'the request'}: {e.get('msg', '')}"
        for e in exc.errors()
    )
    return _error_page(request, 400, f"Please check what was sent ({problems}).")


def served_routes(app: FastAPI) -> list[RouteContext]:
    """Every route of `app` with its full path and methods (routers included)."""
    return list(iter_route_contexts(app.routes))


async def _crashed(request: Request, exc: Exception) -> Response:
    """A fault of sfqb's (never a user's mistake): a page saying so; the error is logged."""
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    if request.url.path.startswith(API_PREFIX + "/"):
        return JSONResponse({"detail": "sfqb failed to answer; the error is logged"}, 500)
    if not _is_console_page(request):
        return PlainTextResponse("Internal Server Error", 500)  # what Starlette answers
    return _error_page(request, 500, "sfqb failed to answer this; the error is logged.")


def _api_schema(app: FastAPI) -> dict[str, Any]:
    routes = [r for r in served_routes(app) if (r.path or "").startswith(API_PREFIX + "/")]
    return get_openapi(
        title="sfqb Integration Manager API",
        version=__version__,
        description="The console's JSON API: the same roles and company grants as its pages. "
        "Authenticate with `Authorization: Bearer <token>` (`sfqb user token`).",
        routes=routes,
    )


def add_console(app: FastAPI, console: Console) -> None:
    """Serve the console and its API on `app` (its /qbwc and /qbo routes stay as they are)."""
    app.state.console = console
    app.add_middleware(_CurrentConsole, console=console)
    app.add_middleware(
        SessionMiddleware,
        secret_key=console.session_secret,
        session_cookie=SESSION_COOKIE,
        max_age=int(console.session_lifetime.total_seconds()),
        same_site="lax",
        https_only=console.https,
    )
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(Exception, _crashed)
    checked = [Depends(csrf_checked)]
    for area in (
        sign_in.routes,
        overview.routes,
        flows.routes,
        api_me.routes,
        log_pages.routes,
        codes.routes,
        api_log.routes,
        api_codes.routes,
        settings.routes,
        users.routes,
        api_settings.routes,
        api_people.routes,
        api_companies.routes,
        api_status.routes,
        review.routes,
        api_review.routes,
    ):
        app.include_router(area(console), dependencies=checked)

    stylesheet = files("sfqb.web.console").joinpath("static/console.css").read_bytes()

    @app.get(STYLESHEET, include_in_schema=False)
    def console_css() -> Response:
        return Response(
            stylesheet,
            media_type="text/css; charset=utf-8",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    schema: list[dict[str, Any]] = []  # made at the first request, when every route is in

    @app.get(OPENAPI_PATH, include_in_schema=False)
    def openapi_document() -> JSONResponse:
        if not schema:
            schema.append(_api_schema(app))
        return JSONResponse(schema[0])
