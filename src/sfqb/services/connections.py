"""A company's connections: storing its Salesforce connection (checked, the org recorded), and
what is connected, without any secret.

The CLI (`sfqb connect salesforce`) and the console's settings page both store a Salesforce
connection with `connect_salesforce`; the console builds the secret from its form with
`login_secret`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sfqb.connectors.salesforce import SalesforceError
from sfqb.store import ConnectionSystem, SecretBox, SecretKeyError, Store, StoreError
from sfqb.store.keyring import undecryptable

OrgIdOf = Callable[[str], str]  # the Id of the org a company's stored connection reaches


class ConnectionProblem(ValueError):
    """A connection that cannot be stored; `field` names the form field ("" for none)."""

    def __init__(self, problem: str, field: str = "") -> None:
        super().__init__(problem)
        self.field = field
        self.problem = problem


@dataclass(frozen=True, slots=True)
class SalesforceLogin:
    """How to sign in to Salesforce, as a person fills it in: exactly one of a session id, a
    user name with password, or a refresh token; the last two with the connected app's key."""

    instance: str
    login_url: str = ""
    session_id: str = ""
    username: str = ""
    password: str = ""
    security_token: str = ""
    refresh_token: str = ""
    client_id: str = ""
    client_secret: str = ""
    api_version: str = ""


def _url(value: str, name: str) -> None:
    if value and (not value.startswith(("https://", "http://")) or any(c.isspace() for c in value)):
        raise ConnectionProblem("must be an https:// address", name)


def login_secret(login: SalesforceLogin) -> tuple[dict[str, str], dict[str, str]]:
    """The plain settings and the secret to store for `login`; ConnectionProblem naming the
    field that is missing or wrong."""
    instance = login.instance.strip()
    if not instance or any(c.isspace() for c in instance):
        raise ConnectionProblem("give the instance host (e.g. acme.my.salesforce.com)", "instance")
    _url(login.login_url.strip(), "login_url")
    ways = [login.session_id, login.username, login.refresh_token]
    if sum(1 for w in ways if w) != 1:
        raise ConnectionProblem(
            "give exactly one of a session id, a user name (with password) or a refresh token",
            "session_id" if login.session_id else "username",
        )
    plain = {"instance": instance}
    if login.api_version.strip():
        version = login.api_version.strip()
        if not version.replace(".", "", 1).isdigit():
            raise ConnectionProblem("must look like 59.0", "api_version")
        plain["api_version"] = version
    if login.session_id:
        return plain, {"session_id": login.session_id}
    if not login.client_id:
        raise ConnectionProblem("give the connected app's consumer key", "client_id")
    optional = {
        "client_id": login.client_id,
        "client_secret": login.client_secret,
        "security_token": login.security_token,
        "login_url": login.login_url.strip(),
    }
    extra = {k: v for k, v in optional.items() if v}
    if login.refresh_token:
        return plain, {"refresh_token": login.refresh_token, **extra}
    if not login.password:
        raise ConnectionProblem("give the user's password", "password")
    return plain, {"username": login.username, "password": login.password, **extra}


@dataclass(frozen=True, slots=True)
class SalesforceConnected:
    """A stored Salesforce connection: the org it reaches, or why that could not be read yet."""

    company: str
    org_id: str | None
    problem: str | None = None


def record_org(store: Store, company: str, org_id_of: OrgIdOf) -> SalesforceConnected:
    """Read the Id of the org the company's stored connection reaches and store it with the
    connection, so a later sync refuses another org (not readable now: recorded at the first
    sync, and `problem` says why)."""
    try:
        org_id = org_id_of(company)
    except (SalesforceError, ConnectionProblem) as exc:
        return SalesforceConnected(company, None, str(exc))
    info = store.connections.get(company, ConnectionSystem.SALESFORCE)
    settings = {**(info.settings if info else {}), "org_id": org_id}
    store.connections.save(company, ConnectionSystem.SALESFORCE, settings, keep_secret=True)
    return SalesforceConnected(company, org_id)


def connect_salesforce(
    store: Store,
    box: SecretBox | None,
    company: str,
    plain: Mapping[str, str],
    secret: Mapping[str, str],
    *,
    org_id_of: OrgIdOf,
) -> SalesforceConnected:
    """Store the company's Salesforce connection (the secret encrypted with `box`), check it
    by reading the org's Id, and record the org.

    ConnectionProblem (nothing stored) when the store holds secrets `box` cannot open (a store
    with mixed keys could never be opened whole), there is no key, or the store refuses.
    """
    locked = undecryptable(store.engine, box)
    if locked:
        raise ConnectionProblem(
            "the server's secret key (SFQB_SECRET_KEY) does not open the stored secrets of "
            f"{', '.join(sorted(locked))}; nothing was stored"
        )
    try:
        store.connections.save(company, ConnectionSystem.SALESFORCE, dict(plain), dict(secret))
    except (SecretKeyError, StoreError) as exc:
        raise ConnectionProblem(str(exc)) from None
    return record_org(store, company, org_id_of)


@dataclass(frozen=True, slots=True)
class ConnectionSummary:
    """One connection of a company as an admin sees it: plain settings only, never a secret."""

    system: ConnectionSystem
    settings: dict[str, Any] = field(default_factory=dict)
    has_secret: bool = False
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class CompanyConnections:
    """Everything a company is connected to, and its Web Connector login (user name only)."""

    company: str
    connections: list[ConnectionSummary]
    qbwc_username: str | None
    qbo_lost_reason: str | None = None


def company_connections(store: Store, company: str) -> CompanyConnections:
    """The company's connections (Salesforce, QuickBooks Desktop/Online), secrets left out."""
    found = []
    for system in ConnectionSystem:
        info = store.connections.get(company, system)
        if info is not None:
            found.append(
                ConnectionSummary(system, dict(info.settings), info.has_secret, info.updated_at)
            )
    login = store.company(company)
    tokens = store.qbo_tokens.get(company)
    lost = tokens.lost_reason if tokens is not None and tokens.lost_at is not None else None
    return CompanyConnections(company, found, login.username if login else None, lost)
