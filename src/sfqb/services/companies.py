"""The companies sfqb knows: those with a stored connection or a Web Connector login."""

from __future__ import annotations

from sqlalchemy import select

from sfqb.store import ConnectionSystem, Store
from sfqb.store.models import Company, Connection


class UnknownCompany(LookupError):
    """A company name sfqb does not know; the message names the ones it does."""

    def __init__(self, company: str, known: list[str]) -> None:
        names = ", ".join(known) or "none yet"
        super().__init__(f"unknown company {company!r} (companies: {names})")
        self.company = company


def known_companies(store: Store) -> list[str]:
    """Companies with a connection or a Web Connector login, by name."""
    with store.engine.connect() as db:
        names = set(db.scalars(select(Connection.company).distinct()))
        names |= set(db.scalars(select(Company.name)))
    return sorted(names)


def companies(store: Store, company: str | None, *, salesforce: bool = False) -> list[str]:
    """The company asked for (UnknownCompany when sfqb does not know it), or every company
    (only those with a Salesforce connection, if asked)."""
    known = known_companies(store)
    if company is not None:
        if company not in known:
            raise UnknownCompany(company, known)
        return [company]
    if salesforce:
        return [c for c in known if store.connections.get(c, ConnectionSystem.SALESFORCE)]
    return known
