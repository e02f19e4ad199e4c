"""Console users: adding them, passwords, company grants, sign-in, and API tokens.

Passwords are hashed with argon2id (argon2-cffi's current defaults) and rehashed at sign-in
when those defaults change. An API token is shown once, when it is made; the store keeps only
its SHA-256.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sfqb.domain.people import Person, Role
from sfqb.store import Store, StoreError, TokenRecord, UserRecord, UserTaken

MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # longer is refused before hashing (no hashing of megabytes)
MAX_NAME = 100
TOKEN_PREFIX = "sfqb_"  # noqa: S105 - the marker every token starts with

_HASHER = PasswordHasher()
# Verified against when the user does not exist, so an unknown name costs as long as a known one.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


class PeopleError(ValueError):
    """A request about console users that cannot be done; the text says why, in one line."""


class UnknownUser(PeopleError):
    """No user of that name."""

    def __init__(self, name: str) -> None:
        super().__init__(f"no user named {name!r} (sfqb user list shows them)")


class UserExists(PeopleError):
    """A user of that name exists already."""


class WeakPassword(PeopleError):
    """A password too short (or too long)."""


class BadName(PeopleError):
    """A user name that is empty, too long or has characters a name may not have."""


class UnknownCompany(PeopleError):
    """A company the store does not know."""

    def __init__(self, company: str, known: list[str]) -> None:
        names = ", ".join(known) if known else "none yet"
        super().__init__(f"no company named {company!r} (companies: {names})")


class UnknownToken(PeopleError):
    """No API token with that id."""


@dataclass(frozen=True, slots=True)
class UserView:
    """A user as the lists show them (no password hash)."""

    name: str
    role: Role
    companies: frozenset[str] | None
    disabled: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just made: `token` is shown this once and never again."""

    id: int
    user: str
    label: str
    token: str


def _person(user: UserRecord) -> Person:
    return Person(name=user.name, role=Role(user.role), companies=user.companies)


def _view(user: UserRecord) -> UserView:
    return UserView(user.name, Role(user.role), user.companies, user.disabled, user.created_at)


def _check_name(name: str) -> str:
    if not name or name != name.strip() or len(name) > MAX_NAME or not name.isprintable():
        raise BadName(
            f"a user name must be 1 to {MAX_NAME} printable characters without spaces at "
            f"either end, not {name[:MAX_NAME]!r}"
        )
    return name


def _check_password(password: str, min_length: int) -> str:
    if len(password) < min_length:
        raise WeakPassword(f"the password must be at least {min_length} characters long")
    if len(password) > MAX_PASSWORD:
        raise WeakPassword(f"the password must be at most {MAX_PASSWORD} characters long")
    return password


def _user(store: Store, name: str) -> UserRecord:
    found = store.people.get(name)
    if found is None:
        raise UnknownUser(name)
    return found


def known_company(store: Store, company: str) -> str:
    """`company` when the store knows it; else UnknownCompany naming the known ones."""
    known = store.people.companies()
    if company not in known:
        raise UnknownCompany(company, known)
    return company


def visible_companies(store: Store, person: Person) -> list[str]:
    """The companies the store knows that `person` may see, sorted."""
    return [c for c in store.people.companies() if person.sees(c)]


def add_user(
    store: Store,
    name: str,
    password: str,
    role: Role,
    companies: tuple[str, ...] = (),
    *,
    all_companies: bool = False,
    min_length: int = MIN_PASSWORD,
) -> UserView:
    """A new user granted `companies` (or every company); UserExists, WeakPassword,
    UnknownCompany or BadName when it cannot be. Nothing is written on an error."""
    _check_name(name)
    _check_password(password, min_length)
    granted = None if all_companies else frozenset(known_company(store, c) for c in companies)
    try:
        user = store.people.add(name, _HASHER.hash(password), role.value, granted)
    except UserTaken:
        raise UserExists(f"a user named {name!r} exists already") from None
    return _view(user)


def change_password(store: Store, name: str, password: str) -> None:
    """Give the user a new password; the sessions they had are over."""
    _user(store, name)
    _check_password(password, MIN_PASSWORD)
    store.people.set_password_hash(name, _HASHER.hash(password), end_sessions=True)


def grant(store: Store, name: str, company: str) -> bool:
    """Let the user see `company`; False when they already did."""
    _user(store, name)
    return store.people.grant(name, known_company(store, company))


def revoke(store: Store, name: str, company: str) -> bool:
    """Take `company` from the user; False when it was not granted to them alone.

    A user who sees every company has no grant to take: PeopleError says so."""
    if _user(store, name).companies is None:
        raise PeopleError(
            f"{name} sees every company: nothing to revoke one by one (an admin granted all)"
        )
    return store.people.revoke(name, company)


def set_disabled(store: Store, name: str, disabled: bool) -> None:
    """Disable a user (their sessions and tokens stop working at once) or enable them again."""
    _user(store, name)
    store.people.set_disabled(name, disabled)


def remove_user(store: Store, name: str) -> None:
    """Delete a user with their grants and API tokens."""
    _user(store, name)
    store.people.remove(name)


def list_users(store: Store) -> list[UserView]:
    """Every user, by name."""
    return [_view(u) for u in store.people.all()]


def person(store: Store, name: str, signed_in_at: datetime | None = None) -> Person | None:
    """The user `name` as a signed-in Person; None when unknown or disabled, or when
    `signed_in_at` (a session's start) is before their password last changed."""
    found = store.people.get(name)
    if found is None or found.disabled:
        return None
    ended = found.sessions_since
    if signed_in_at is not None and ended is not None and signed_in_at < ended:
        return None
    return _person(found)


def verify_sign_in(store: Store, name: str, password: str) -> Person | None:
    """The Person when `password` is the user's; None otherwise (unknown, disabled, wrong).

    An unknown name is checked against a dummy hash, so it takes as long as a wrong password.
    A hash made with older parameters is replaced by one made with the current ones.
    """
    found = store.people.get(name) if len(name) <= MAX_NAME else None
    if len(password) > MAX_PASSWORD:
        return None
    try:
        _HASHER.verify(found.password_hash if found else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if found is None or found.disabled:
        return None
    if _HASHER.check_needs_rehash(found.password_hash):
        try:
            store.people.set_password_hash(name, _HASHER.hash(password), end_sessions=False)
        except StoreError:
            return None  # removed in the meantime
    return _person(found)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(store: Store, name: str, label: str) -> NewToken:
    """A new API token for the user; its text is in the result only."""
    _user(store, name)
    label = label.strip()
    if not label or len(label) > 200:
        raise PeopleError("a token needs a label of 1 to 200 characters (what it is for)")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = store.people.add_token(name, label, _token_hash(token))
    return NewToken(record.id, record.user, record.label, token)


def revoke_token(store: Store, token_id: int) -> TokenRecord:
    """Revoke the token with this id; UnknownToken when there is none."""
    found = store.people.revoke_token(token_id)
    if found is None:
        raise UnknownToken(f"no API token with id {token_id}")
    return found


def list_tokens(store: Store, name: str | None = None) -> list[TokenRecord]:
    """Every API token (of user `name` when given), newest first; never the token text."""
    return store.people.tokens(name)


def person_for_token(store: Store, token: str) -> Person | None:
    """The Person a live token belongs to; None for an unknown, revoked or disabled one."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    found = store.people.token_user(_token_hash(token))
    if found is None or found.disabled:
        return None
    return _person(found)
