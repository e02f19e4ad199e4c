"""What an admin does to other console users: add them within the admin's own companies,
change their role and company grants, disable or enable them, and their API tokens. The
changes themselves are sfqb.services.people's, the ones `sfqb user ...` makes.

An admin granted some companies only may grant only those (and never "every company"); no
admin disables themself or takes their own admin role away (a console with no admin left
cannot be repaired from the browser).
"""

from __future__ import annotations

from collections.abc import Collection

from sfqb.domain.people import Person, Role
from sfqb.services import people
from sfqb.services.people import (
    NewToken,
    PeopleError,
    UnknownCompany,
    UnknownUser,
    UserView,
    add_user,
    create_token,
    list_users,
    visible_companies,
)
from sfqb.store import Store


class NotYours(PeopleError):
    """A change an admin may not make (a company not theirs, or to themself)."""


def _check_grants(store: Store, by: Person, companies: Collection[str], every: bool) -> None:
    if every and by.companies is not None:
        raise NotYours("only an admin who sees every company may grant every company")
    mine = visible_companies(store, by)
    for company in companies:
        if company not in mine:
            raise UnknownCompany(company, mine)


def _covers(by: Person, companies: frozenset[str] | None) -> bool:
    """Whether admin `by` sees every company of a user who sees `companies` (None: all)."""
    return by.companies is None or (companies is not None and companies <= by.companies)


def _view(store: Store, name: str) -> UserView:
    for user in list_users(store):
        if user.name == name:
            return user
    raise UnknownUser(name)


def add_user_by(
    store: Store,
    by: Person,
    name: str,
    password: str,
    *,
    role: Role,
    companies: Collection[str] = (),
    all_companies: bool = False,
) -> UserView:
    """A new user, made by admin `by` (who may grant only the companies they see)."""
    _check_grants(store, by, companies, all_companies)
    return add_user(store, name, password, role, tuple(companies), all_companies=all_companies)


def set_access(
    store: Store,
    by: Person,
    name: str,
    role: Role,
    companies: Collection[str],
    *,
    all_companies: bool = False,
) -> UserView:
    """Give the user `role` and exactly `companies` (or every company). Everything is checked
    before anything is written."""
    user = _view(store, name)
    _check_grants(store, by, companies, all_companies)
    if name == by.name and role is not Role.ADMIN:
        raise NotYours("you cannot take your own admin role away")
    if not _covers(by, user.companies):
        raise NotYours(f"{name} sees companies you do not: only an admin of them may change it")
    if role is not user.role:
        store.people.set_role(name, role.value)
    store.people.set_all_companies(name, all_companies)
    wanted = set(companies)
    # The grants kept under "every company" are dropped as well (the store's revoke, not the
    # person-facing one, which refuses a user who sees every company).
    for company in set(user.companies or ()) - wanted:
        store.people.revoke(name, company)
    for company in sorted(wanted - set(user.companies or ())):
        people.grant(store, name, company)
    return _view(store, name)


def set_disabled(store: Store, by: Person, name: str, disabled: bool) -> UserView:
    """Disable (or enable again) the user: a disabled user cannot sign in or use a token."""
    if not _covers(by, _view(store, name).companies):
        raise NotYours(f"{name} sees companies you do not: only an admin of them may do this")
    if name == by.name and disabled:
        raise NotYours("you cannot disable yourself")
    people.set_disabled(store, name, disabled)
    return _view(store, name)


def create_token_by(store: Store, by: Person, user: str, label: str) -> NewToken:
    """A new API token for `user`, made by admin `by`: shown once."""
    found = _view(store, user)
    if not _covers(by, found.companies):
        raise NotYours(f"{user} sees companies you do not: only an admin of them may do this")
    return create_token(store, user, label)
