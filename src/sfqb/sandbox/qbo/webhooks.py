"""Webhook notifications to a configured URL (Intuit's "Webhooks" page).

Changes are collected and sent batched, one POST per `flush()`, in the legacy format
`{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [{"name", "id",
"operation", "lastUpdated"[, "deletedId"]}]}}]}` or, when configured, the CloudEvents format
Intuit moved to in 2025 (Intuit's blog "Upcoming change to webhooks payload structure": a JSON
array of events with specversion, id, source, type "qbo.<entity>.<verb>.v1", time,
intuitentityid, intuitaccountid, data). Each POST carries `intuit-signature`, the base64
HMAC-SHA256 of the raw body keyed with the verifier token. A failed delivery is tried again
on the next two flushes, then lost (Intuit retries a few times, then gives up).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from sfqb.sandbox.qbo.company import Change, iso
from sfqb.sandbox.qbo.config import QboConfig

Sender = Callable[[str, bytes, dict[str, str]], int]
_VERBS = {
    "Create": "created",
    "Update": "updated",
    "Delete": "deleted",
    "Void": "voided",
    "Merge": "merged",
}
_ATTEMPTS = 3


@dataclass
class Delivery:
    """One POST made (or tried): its body, headers and HTTP status (0: no answer)."""

    body: bytes
    headers: dict[str, str]
    status: int


def sign(verifier_token: str, body: bytes) -> str:
    """The intuit-signature value for `body`."""
    digest = hmac.new(verifier_token.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class Webhooks:
    """Collects changes and delivers them; switch off or lose deliveries by fault injection."""

    def __init__(self, config: QboConfig, sender: Sender | None = None) -> None:
        self.config = config
        self.url = config.webhook_url
        self.verifier_token = config.verifier_token or ""
        self.cloudevents = config.webhook_cloudevents
        self.enabled = True
        self.lose_next = 0
        self.deliveries: list[Delivery] = []
        self.lost: list[Change] = []
        self._pending: list[tuple[Change, int]] = []
        self._lock = threading.Lock()
        self._sending = threading.Lock()  # one flush at a time (the ticker's or a test's)
        self._send = sender or self._http

    def on_change(self, change: Change) -> None:
        """Listener for Company: queue the change for the next flush."""
        if self.url is None:
            return
        with self._lock:
            if not self.enabled:
                self.lost.append(change)
            else:
                self._pending.append((change, 0))

    def flush(self) -> int:
        """Send what is queued as one notification; returns how many changes it carried.

        Flushes take turns: one returns once a flush under way has been answered too, so
        everything queued before it has been delivered (or failed).
        """
        with self._sending:
            return self._flush()

    def _flush(self) -> int:
        with self._lock:
            batch, self._pending = self._pending, []
            lose = self.lose_next > 0 and bool(batch)
            if lose:
                self.lose_next -= 1
        if not batch or self.url is None:
            return 0
        changes = [c for c, _ in batch]
        if lose:
            self.lost.extend(changes)
            return 0
        body = self.payload(changes)
        headers = {
            "content-type": "application/json",
            "intuit-signature": sign(self.verifier_token, body),
        }
        try:
            status = self._send(self.url, body, headers)
        except httpx.HTTPError:
            status = 0
        self.deliveries.append(Delivery(body, headers, status))
        if not 200 <= status < 300:
            with self._lock:
                for change, tries in batch:
                    if tries + 1 < _ATTEMPTS:
                        self._pending.append((change, tries + 1))
                    else:
                        self.lost.append(change)
        return len(changes)

    def payload(self, changes: list[Change]) -> bytes:
        """The raw body for `changes` in the configured format."""
        realm = self.config.realm
        if self.cloudevents:
            events: list[dict[str, Any]] = []
            for change in changes:
                data = {"deletedId": change.deleted_id} if change.deleted_id else {}
                events.append(
                    {
                        "specversion": "1.0",
                        "id": str(uuid.uuid4()),
                        "source": f"intuit.sandbox.{realm}",
                        "type": f"qbo.{change.entity.lower()}.{_VERBS[change.operation]}.v1",
                        "datacontenttype": "application/json",
                        "time": iso(change.when),
                        "intuitentityid": change.id,
                        "intuitaccountid": realm,
                        "data": data,
                    }
                )
            return json.dumps(events).encode()
        entities = []
        for change in changes:
            entity = {
                "name": change.entity,
                "id": change.id,
                "operation": change.operation,
                "lastUpdated": iso(change.when),
            }
            if change.deleted_id:
                entity["deletedId"] = change.deleted_id
            entities.append(entity)
        notification = {"realmId": realm, "dataChangeEvent": {"entities": entities}}
        return json.dumps({"eventNotifications": [notification]}).encode()

    @property
    def pending(self) -> int:
        """Changes waiting for the next flush."""
        with self._lock:
            return len(self._pending)

    def _http(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        response = httpx.post(
            url, content=body, headers=headers, verify=self.config.webhook_verify, timeout=3.0
        )
        return response.status_code
