"""QuickBooks Online webhook notifications: the signature check and both payload formats.

Intuit signs each notification: the `intuit-signature` header is the base64 HMAC-SHA256 of the
raw body, keyed with the app's verifier token (developer.intuit.com, "Webhooks"). Two payloads
exist: the legacy `{"eventNotifications": [{"realmId", "dataChangeEvent": {"entities": [...]}}]}`
and, since Intuit's 2025 migration, a JSON array of CloudEvents (`type` like
`qbo.customer.updated.v1`, `intuitaccountid` the realm, `intuitentityid` the record, `time`;
developer.intuit.com, "Understanding the data object").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

SIGNATURE_HEADER = "intuit-signature"

# CloudEvents name the operation in the past tense; the legacy payload in Intuit's words.
_OPERATIONS = {
    "created": "Create",
    "updated": "Update",
    "deleted": "Delete",
    "merged": "Merge",
    "voided": "Void",
    "emailed": "Emailed",
}


# The entities webhooks report (developer.intuit.com, "Webhooks", supported API entities), to
# spell a CloudEvent's lower-case name (qbo.salesreceipt...) as the API does (SalesReceipt).
ENTITIES = (
    "Account", "Bill", "BillPayment", "Budget", "Class", "CreditMemo", "Currency", "Customer",
    "Department", "Deposit", "Employee", "Estimate", "Invoice", "Item", "JournalCode",
    "JournalEntry", "Payment", "PaymentMethod", "Preferences", "Purchase", "PurchaseOrder",
    "RefundReceipt", "SalesReceipt", "TaxAgency", "Term", "TimeActivity", "Transfer", "Vendor",
    "VendorCredit",
)  # fmt: skip
_ENTITY = {name.lower(): name for name in ENTITIES}


class BadPayload(ValueError):
    """The body is not a notification sfqb can read."""


@dataclass(frozen=True, slots=True)
class WebhookChange:
    """One change a webhook reported (`deleted_id`: the record merged away, for a Merge)."""

    realm_id: str
    entity: str
    entity_id: str
    operation: str
    last_updated: str
    deleted_id: str | None = None


def signature_of(body: bytes, verifier: str) -> str:
    """The `intuit-signature` Intuit sends for `body` under `verifier`."""
    digest = hmac.new(verifier.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def signature_ok(body: bytes, signature: str | None, verifier: str) -> bool:
    """True when `signature` is Intuit's for `body` (compared in constant time)."""
    if not signature or not verifier:
        return False
    return hmac.compare_digest(signature_of(body, verifier), signature.strip())


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _legacy(doc: dict[str, Any]) -> list[WebhookChange]:
    found: list[WebhookChange] = []
    for note in doc.get("eventNotifications") or []:
        if not isinstance(note, dict):
            raise BadPayload("an eventNotification is not an object")
        realm = _text(note.get("realmId"))
        event = note.get("dataChangeEvent") or {}
        for item in event.get("entities") or [] if isinstance(event, dict) else []:
            if not isinstance(item, dict):
                raise BadPayload("an entity of a dataChangeEvent is not an object")
            deleted = _text(item.get("deletedId") or item.get("deletedID")) or None
            found.append(WebhookChange(
                realm, _text(item.get("name")), _text(item.get("id")),
                _text(item.get("operation")), _text(item.get("lastUpdated")), deleted,
            ))  # fmt: skip
    return found


def _cloud_event(event: Any) -> WebhookChange:
    if not isinstance(event, dict):
        raise BadPayload("a CloudEvent is not an object")
    parts = _text(event.get("type")).split(".")
    if len(parts) < 3 or parts[0] != "qbo":
        raise BadPayload(f"unknown CloudEvent type {event.get('type')!r}")
    entity, verb = parts[1], parts[2]
    given = event.get("data")
    data: dict[str, Any] = given if isinstance(given, dict) else {}
    deleted = _text(data.get("deletedid") or data.get("deletedId")) or None
    return WebhookChange(
        realm_id=_text(event.get("intuitaccountid")),
        entity=_ENTITY.get(entity.lower(), entity[:1].upper() + entity[1:]),
        entity_id=_text(event.get("intuitentityid")),
        operation=_OPERATIONS.get(verb.lower(), verb.capitalize()),
        last_updated=_text(event.get("time")),
        deleted_id=deleted,
    )


def parse_notification(body: bytes) -> list[WebhookChange]:
    """The changes a notification reports, in either format; BadPayload when unreadable."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise BadPayload("the body is not JSON") from None
    if isinstance(doc, list):
        changes = [_cloud_event(e) for e in doc]
    elif isinstance(doc, dict) and "eventNotifications" in doc:
        changes = _legacy(doc)
    elif isinstance(doc, dict) and "specversion" in doc:
        changes = [_cloud_event(doc)]
    else:
        raise BadPayload("neither an eventNotifications object nor a CloudEvents array")
    for change in changes:
        if not (change.realm_id and change.entity and change.entity_id and change.operation):
            raise BadPayload("a change lacks its realm, entity, id or operation")
    return changes
