"""A company's QuickBooks Web Connector: its .qwc file, and rotating its login's password."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

from sfqb.connectors.qbd.webconnector import QwcError, QwcSpec, build_qwc
from sfqb.jobs.health import record_schedule
from sfqb.store import Store, StoreError

DEFAULT_MINUTES = 15
DEFAULT_URL = "http://localhost:8000/qbwc"  # a .qwc's address when no public URL is set


class QwcProblem(ValueError):
    """The .qwc cannot be made or the password not changed; one line."""


@dataclass(frozen=True, slots=True)
class Rotated:
    """A new Web Connector password (shown once) and how many open sessions it closed."""

    company: str
    password: str
    closed_sessions: int


def qwc_url(public_url: str | None, fallback: str = DEFAULT_URL) -> str:
    """The /qbwc address a .qwc names: under the public URL when there is one."""
    return f"{public_url.rstrip('/')}/qbwc" if public_url else fallback


def qwc_document(
    store: Store,
    company: str,
    url: str,
    *,
    minutes: int = DEFAULT_MINUTES,
    new_file_id: bool = False,
    remember_schedule: bool = True,
) -> bytes:
    """The .qwc file that connects the company's QuickBooks through the Web Connector.

    The schedule (RunEveryNMinutes) is remembered unless `remember_schedule` is False (a
    download from the console, a GET, changes nothing): the expected contact interval follows it.
    `new_file_id` gives the company a new FileID (QBWC1039), only once the file is known to
    build. QwcProblem when the company has no Web Connector login or the URL is unusable.
    """
    login = store.company(company)
    if login is None:
        raise QwcProblem(f"company {company!r} has no Web Connector login")
    spec = QwcSpec(
        app_name=f"sfqb ({company})",
        app_url=url,
        username=login.username,
        owner_id=login.owner_id,
        file_id=login.file_id,
        run_every_minutes=minutes,
    )
    try:
        document = build_qwc(spec)
        if new_file_id:  # nothing half-done: the first build proved the spec usable
            spec = replace(spec, file_id=store.new_file_id(company).file_id)
            document = build_qwc(spec)
    except QwcError as exc:
        raise QwcProblem(str(exc)) from None
    if remember_schedule:
        record_schedule(store, company, minutes)
    return document


def new_password() -> str:
    """A fresh random Web Connector password."""
    return secrets.token_urlsafe(18)


def rotate_password(store: Store, company: str, password: str | None = None) -> Rotated:
    """Replace the company's Web Connector password (a new random one when none is given):
    the old one stops working at once and its open sessions are closed."""
    chosen = password if password is not None else new_password()
    if not chosen:
        raise QwcProblem("the new Web Connector password is empty")
    try:
        closed = store.set_password(company, chosen)
    except StoreError as exc:
        raise QwcProblem(str(exc)) from None
    return Rotated(company, chosen, closed)
