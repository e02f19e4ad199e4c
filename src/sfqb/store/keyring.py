"""Every secret the store encrypts, checked against a key and re-encrypted under a new one.

The encrypted columns are listed once here (`ENCRYPTED`): connection secrets and QuickBooks
Online's client secret, tokens and webhook verifier. `undecryptable` says, per company, what a
key cannot decrypt (so `serve` refuses to start and `status` says "cannot decrypt");
`rotate` re-encrypts everything in one transaction, so a rotation that stops half-way leaves
the store as it was, under the old key.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Engine, inspect, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import InstrumentedAttribute

from sfqb.store.models import Connection as ConnectionRow
from sfqb.store.qbo_models import QboTokenRow
from sfqb.store.secrets import SecretBox, SecretKeyMismatch

# (model, its key columns, the encrypted columns and what to call them)
ENCRYPTED: tuple[tuple[type, tuple[str, ...], dict[str, str]], ...] = (
    (ConnectionRow, ("id",), {"secret": "connection secret"}),
    (
        QboTokenRow,
        ("company",),
        {
            "client_secret": "QuickBooks Online client secret",
            "access_token": "QuickBooks Online access token",
            "refresh_token": "QuickBooks Online refresh token",
            "webhook_verifier": "QuickBooks Online webhook verifier",
        },
    ),
)


@dataclass(frozen=True, slots=True)
class Sealed:
    """One encrypted value: where it is and whose it is."""

    model: type
    key: dict[str, object]
    column: str
    company: str
    what: str
    token: str


def _sealed(db: Connection) -> Iterator[Sealed]:
    tables = set(inspect(db).get_table_names())
    for model, keys, columns in ENCRYPTED:
        if model.__tablename__ not in tables:  # type: ignore[attr-defined]
            continue
        company: InstrumentedAttribute[str] = model.company  # type: ignore[attr-defined]
        picked = [getattr(model, k) for k in keys] + [company]
        picked += [getattr(model, c) for c in columns]
        for row in db.execute(select(*picked)):
            values = row._mapping
            for column, what in columns.items():
                token = values[column]
                if token:
                    key = {k: values[k] for k in keys}
                    yield Sealed(model, key, column, values["company"], what, token)


def _opens(box: SecretBox | None, token: str) -> bool:
    if box is None:
        return False
    try:
        box.decrypt(token)
    except SecretKeyMismatch:
        return False
    return True


def undecryptable(engine: Engine, box: SecretBox | None) -> dict[str, list[str]]:
    """Per company, the stored secrets `box` cannot decrypt (all of them when it is None)."""
    found: dict[str, list[str]] = {}
    with engine.connect() as db:
        for sealed in _sealed(db):
            if not _opens(box, sealed.token):
                found.setdefault(sealed.company, []).append(sealed.what)
    return found


def rotate(engine: Engine, old: SecretBox, new: SecretBox) -> int:
    """Re-encrypt every stored secret from `old` to `new` in one transaction; how many.

    A value `new` already opens is left alone (a rotation run again after it finished); a
    value neither key opens raises SecretKeyMismatch and nothing is changed.
    """
    count = 0
    with engine.begin() as db:
        for sealed in list(_sealed(db)):
            if _opens(new, sealed.token):
                continue
            plain = old.decrypt(sealed.token, f"the {sealed.what} of {sealed.company!r}")
            where = [getattr(sealed.model, k) == v for k, v in sealed.key.items()]
            db.execute(
                update(sealed.model).where(*where).values({sealed.column: new.encrypt(plain)})
            )
            count += 1
    return count
