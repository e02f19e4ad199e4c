"""The admin pages of console users (`/users`: add, change role and grants, disable) and API
tokens (`/tokens`: create, shown once; list without the secret; revoke).

The actions are sfqb.services.people's and people_admin's, the same as `sfqb user ...`.
A refused action re-renders the page with the message and the form's values (never a
password), status 400.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from sfqb.domain.people import Person, Role
from sfqb.services.people import (
    PeopleError,
    list_tokens,
    list_users,
    revoke_token,
    visible_companies,
)
from sfqb.services.people_admin import add_user_by, create_token_by, set_access, set_disabled
from sfqb.web.console import Console
from sfqb.web.console.auth import admin
from sfqb.web.console.pages import render

Admin = Annotated[Person, Depends(admin)]
DONE = {
    "added": "Added the user.",
    "access": "Changed the user's role and companies.",
    "disabled": "Disabled the user: they can no longer sign in or use a token.",
    "enabled": "Enabled the user again.",
    "revoked": "Revoked the token: it no longer works.",
}
NO_STORE = {"Cache-Control": "no-store"}


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise PeopleError(f"choose a role: {', '.join(r.value for r in Role)}") from None


def _users_page(
    console: Console, request: Request, person: Person, status: int = 200, **extra: Any
) -> Response:
    context = {
        "users": list_users(console.store),
        "companies": visible_companies(console.store, person),
        "roles": [r.value for r in Role],
        "notice": DONE.get(request.query_params.get("done", ""), ""),
        "problem": "",
        "problem_of": "",
        "new_user": {"name": "", "role": "viewer", "companies": [], "all": False},
        **extra,
    }
    return render(request, "users.html", context, status)


def _tokens_page(console: Console, request: Request, status: int = 200, **extra: Any) -> Response:
    context = {
        "tokens": list_tokens(console.store),
        "users": [u.name for u in list_users(console.store) if not u.disabled],
        "notice": DONE.get(request.query_params.get("done", ""), ""),
        "problem": "",
        "new_token": None,
        "label": "",
        **extra,
    }
    answer = render(request, "tokens.html", context, status)
    answer.headers.update(NO_STORE)
    return answer


def routes(console: Console) -> APIRouter:
    """/users and /tokens with their forms."""
    router = APIRouter(include_in_schema=False)

    @router.get("/users")
    def users(request: Request, person: Admin) -> Response:
        return _users_page(console, request, person)

    @router.post("/users")
    async def add(request: Request, person: Admin) -> Response:
        form = await request.form()
        chosen = [c for c in form.getlist("companies") if isinstance(c, str)]
        every = _text(form, "all_companies") == "yes"
        name, role = _text(form, "name"), _text(form, "role")
        try:
            add_user_by(
                console.store, person, name, _text(form, "password"), role=_role(role),
                companies=chosen, all_companies=every,
            )  # fmt: skip
        except PeopleError as exc:
            given = {"name": name, "role": role, "companies": chosen, "all": every}
            return _users_page(
                console, request, person, 400, problem=str(exc), problem_of="new", new_user=given
            )
        return RedirectResponse("/users?done=added", status_code=303)

    @router.post("/users/{name}/access")
    async def access(request: Request, name: str, person: Admin) -> Response:
        form = await request.form()
        try:
            set_access(
                console.store, person, name, _role(_text(form, "role")),
                [c for c in form.getlist("companies") if isinstance(c, str)],
                all_companies=_text(form, "all_companies") == "yes",
            )  # fmt: skip
        except PeopleError as exc:
            return _users_page(console, request, person, 400, problem=str(exc), problem_of=name)
        return RedirectResponse("/users?done=access", status_code=303)

    @router.post("/users/{name}/disabled")
    async def disable(request: Request, name: str, person: Admin) -> Response:
        disabled = _text(await request.form(), "disabled") == "yes"
        try:
            set_disabled(console.store, person, name, disabled)
        except PeopleError as exc:
            return _users_page(console, request, person, 400, problem=str(exc), problem_of=name)
        done = "disabled" if disabled else "enabled"
        return RedirectResponse(f"/users?done={done}", status_code=303)

    @router.get("/tokens")
    def tokens(request: Request, person: Admin) -> Response:
        return _tokens_page(console, request)

    @router.post("/tokens")
    async def create(request: Request, person: Admin) -> Response:
        form = await request.form()
        label = _text(form, "label")
        try:
            made = create_token_by(console.store, person, _text(form, "user"), label)
        except PeopleError as exc:
            return _tokens_page(console, request, 400, problem=str(exc), label=label)
        return _tokens_page(console, request, new_token=made)

    @router.post("/tokens/{token_id}/revoke")
    def revoke(request: Request, token_id: int, person: Admin) -> Response:
        try:
            revoke_token(console.store, token_id)
        except PeopleError as exc:
            return _tokens_page(console, request, 404, problem=str(exc))
        return RedirectResponse("/tokens?done=revoked", status_code=303)

    return router
