"""Rendering the console's pages: one Jinja2 environment over `templates/`, and `render`.

Every template extends `base.html` (blocks `title` and `content`); `csrf_field()` renders the
hidden CSRF field a POST form must carry.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, pass_context, select_autoescape
from jinja2.runtime import Context
from markupsafe import Markup, escape

from sfqb.domain.people import Person, Role
from sfqb.services.people import visible_companies
from sfqb.web.console.auth import CSRF_FIELD, console_of, csrf_token


@pass_context
def csrf_field(context: Context) -> Markup:
    """The hidden field carrying the session's CSRF token (in every POST form)."""
    request: Request = context["request"]
    token = escape(csrf_token(request))
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{token}">')  # noqa: S704


@cache
def environment() -> Environment:
    """The console's Jinja2 environment (autoescaping HTML)."""
    env = Environment(
        loader=PackageLoader("sfqb.web.console", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["csrf_field"] = csrf_field
    env.globals["Role"] = Role
    return env


def signed_in(request: Request) -> Person | None:
    """The person the auth dependency found for this request, if any."""
    found = getattr(request.state, "person", None)
    return found if isinstance(found, Person) else None


def render(
    request: Request, template_name: str, context: dict[str, Any], status: int = 200
) -> HTMLResponse:
    """The page `template_name` rendered with `context` (plus the request, the signed-in person
    and the companies they see, for the navigation)."""
    person = signed_in(request)
    companies = visible_companies(console_of(request).store, person) if person else []
    values = {"person": person, "nav_companies": companies, **context, "request": request}
    html = environment().get_template(template_name).render(values)
    return HTMLResponse(html, status_code=status)


__all__ = ["csrf_field", "environment", "render", "signed_in"]
