"""Console users and API tokens in the JSON API (admin): list and add users, list, create
(the token returned once) and revoke tokens. The same service functions as /users, /tokens and
`sfqb user ...`; a refused request is a 400 saying why.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from sfqb.domain.people import Person, Role
from sfqb.services.people import (
    MAX_PASSWORD,
    MIN_PASSWORD,
    PeopleError,
    UnknownCompany,
    UnknownToken,
    UnknownUser,
    UserExists,
    UserView,
    list_tokens,
    list_users,
    revoke_token,
)
from sfqb.services.people_admin import NotYours, add_user_by, create_token_by
from sfqb.store import TokenRecord
from sfqb.web.console import Console
from sfqb.web.console.auth import API_ERRORS, API_PREFIX, ErrorBody, api_admin

ApiAdmin = Annotated[Person, Depends(api_admin)]
REFUSED: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "The request cannot be done (why)"},
    409: {"model": ErrorBody, "description": "A user of that name exists already"},
}
# User names the API takes: letters, digits and . _ @ + - (spaces inside); `sfqb user add`
# takes any printable name.
NAME_PATTERN = r"^[A-Za-z0-9_.@+-](?:[A-Za-z0-9_.@+ -]{0,98}[A-Za-z0-9_.@+-])?$"
_STATUS: dict[type[PeopleError], int] = {
    UserExists: 409,
    UnknownCompany: 404,
    UnknownUser: 404,
    UnknownToken: 404,
    NotYours: 403,
}


class UserOut(BaseModel):
    """A console user (never a password hash); `companies` null means every company."""

    name: str
    role: Role
    companies: list[str] | None
    disabled: bool
    created_at: datetime


class NewUser(BaseModel):
    """A user to add: name, password, role, and the companies granted (or every company)."""

    name: str = Field(pattern=NAME_PATTERN, max_length=100)
    password: str = Field(min_length=MIN_PASSWORD, max_length=MAX_PASSWORD)
    role: Role
    companies: list[str] = Field(default_factory=list, max_length=1000)
    all_companies: bool = False


class TokenOut(BaseModel):
    """An API token without its secret."""

    id: int
    user: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenIn(BaseModel):
    """A token to create: for which user (default: the caller) and what it is for."""

    label: str = Field(min_length=1, max_length=200, pattern=r"\S")
    user: str | None = Field(default=None, max_length=100)


class NewTokenOut(BaseModel):
    """A token just made: `token` is returned this once, and sfqb keeps only its hash."""

    id: int
    user: str
    label: str
    token: str


def _user(user: UserView) -> UserOut:
    companies = sorted(user.companies) if user.companies is not None else None
    return UserOut(
        name=user.name,
        role=user.role,
        companies=companies,
        disabled=user.disabled,
        created_at=user.created_at,
    )


def _token(token: TokenRecord) -> TokenOut:
    return TokenOut(
        id=token.id,
        user=token.user,
        label=token.label,
        created_at=token.created_at,
        last_used_at=token.last_used_at,
        revoked_at=token.revoked_at,
    )


def _refused(exc: PeopleError) -> JSONResponse:
    status = next((code for kind, code in _STATUS.items() if isinstance(exc, kind)), 400)
    return JSONResponse({"detail": str(exc)}, status)


def routes(console: Console) -> APIRouter:
    """/api/v1/users and /api/v1/tokens."""
    router = APIRouter(tags=["people"], responses=API_ERRORS)

    @router.get(f"{API_PREFIX}/users", response_model=list[UserOut])
    def users(person: ApiAdmin) -> list[UserOut]:
        """Every console user, by name."""
        return [_user(u) for u in list_users(console.store)]

    @router.post(f"{API_PREFIX}/users", response_model=UserOut, status_code=201, responses=REFUSED)
    def add(person: ApiAdmin, new: NewUser) -> UserOut | JSONResponse:
        """Add a user; an admin granted some companies may grant only those."""
        try:
            made = add_user_by(
                console.store, person, new.name, new.password, role=new.role,
                companies=new.companies, all_companies=new.all_companies,
            )  # fmt: skip
        except PeopleError as exc:
            return _refused(exc)
        return _user(made)

    @router.get(f"{API_PREFIX}/tokens", response_model=list[TokenOut])
    def tokens(person: ApiAdmin) -> list[TokenOut]:
        """Every API token, newest first, without its secret."""
        return [_token(t) for t in list_tokens(console.store)]

    @router.post(
        f"{API_PREFIX}/tokens", response_model=NewTokenOut, status_code=201, responses=REFUSED
    )
    def create(person: ApiAdmin, new: NewTokenIn, response: Response) -> NewTokenOut | JSONResponse:
        """Create an API token: returned this once."""
        try:
            made = create_token_by(console.store, person, new.user or person.name, new.label)
        except PeopleError as exc:
            return _refused(exc)
        response.headers["Cache-Control"] = "no-store"
        return NewTokenOut(id=made.id, user=made.user, label=made.label, token=made.token)

    @router.delete(
        f"{API_PREFIX}/tokens/{{token_id}}",
        response_model=TokenOut,
        responses={404: {"model": ErrorBody, "description": "No token with that id"}},
    )
    def revoke(
        person: ApiAdmin, token_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
    ) -> TokenOut | JSONResponse:
        """Revoke an API token: it stops working at once."""
        try:
            return _token(revoke_token(console.store, token_id))
        except UnknownToken as exc:
            return _refused(exc)

    return router
