"""QuickBooks Online webhooks in, changes out: verified, de-duplicated, stored, taken later.

`receive` does only store work, so the endpoint answers within Intuit's 3 seconds; a worker
calls `take` to read a company's pending changes (a scheduled CDC sweep still runs, since
notifications can be missed or arrive out of order). With a job queue (`sfqb serve --workers`)
the company's cycle is deferred in the transaction that stores its new changes: both are in the
store or neither is.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from sfqb.connectors.qbo.webhooks import (
    BadPayload,
    WebhookChange,
    parse_notification,
    signature_ok,
)
from sfqb.jobs.job_queue import JobQueue
from sfqb.store import Store, StoredChange


class BadSignature(Exception):
    """The notification's signature does not match: it did not come from Intuit."""


class WebhookInbox:
    """Receives notifications for every company and hands out each company's changes."""

    def __init__(
        self,
        store: Store,
        app_verifier: str | None,
        on_new: Callable[[], None] | None = None,
        *,
        queue: JobQueue | None = None,
    ) -> None:
        self._store = store
        self._app_verifier = app_verifier or None
        self._on_new = on_new  # e.g. the scheduler's notify: new changes wait
        self._queue = queue  # the workers' queue: a cycle deferred with the changes

    def _verifier(self, realm_id: str) -> str | None:
        company = self._store.qbo_tokens.company_of_realm(realm_id)
        own = self._store.qbo_tokens.webhook_verifier(company) if company else None
        return own or self._app_verifier

    def receive(self, body: bytes, signature: str | None) -> int:
        """Verify and store a notification; returns how many changes were new.

        BadSignature unless the signature matches under the verifier token of every realm the
        notification names (a company's own, else the app's); BadPayload when a correctly
        signed body cannot be read. Changes of realms not connected to sfqb are dropped.
        """
        try:
            changes = parse_notification(body)
        except BadPayload:
            if self._app_verifier and signature_ok(body, signature, self._app_verifier):
                raise
            raise BadSignature() from None
        realms = {c.realm_id for c in changes}
        keys = {self._verifier(r) for r in realms} or {self._app_verifier}
        if None in keys or not all(signature_ok(body, signature, k or "") for k in keys):
            raise BadSignature()
        by_company: dict[str, list[WebhookChange]] = defaultdict(list)
        for change in changes:
            company = self._store.qbo_tokens.company_of_realm(change.realm_id)
            if company is not None:
                by_company[company].append(change)
        added = self._keep(by_company)
        if added and self._on_new is not None:
            self._on_new()
        return added

    def _keep(self, by_company: dict[str, list[WebhookChange]]) -> int:
        added = 0
        with self._store.work() as work:
            for company, found in by_company.items():
                new = work.qbo_events.add(company, found)
                if new and self._queue is not None:
                    self._queue.defer_cycle(company, work=work)  # False: one waits already
                added += new
        return added

    def take(self, company: str, limit: int = 1000) -> list[StoredChange]:
        """The company's pending changes, oldest first; each is handed out once."""
        return self._store.qbo_events.take(company, limit)
