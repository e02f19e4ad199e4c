"""Salesforce-shaped errors: request-level `[{message, errorCode, fields}]` and per-record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class OrgError(Exception):
    """A Salesforce error: `error_code` (e.g. DUPLICATE_VALUE), message, fields, HTTP status."""

    def __init__(
        self, error_code: str, message: str, fields: Sequence[str] = (), status: int = 400
    ) -> None:
        super().__init__(f"{error_code}: {message}")
        self.error_code = error_code
        self.message = message
        self.fields = list(fields)
        self.status = status
        self.record_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The element of a REST error array."""
        return {"message": self.message, "errorCode": self.error_code, "fields": self.fields}

    def to_record_error(self) -> dict[str, Any]:
        """The element of a collection result's `errors` list."""
        return {"statusCode": self.error_code, "message": self.message, "fields": self.fields}


def not_found(message: str = "The requested resource does not exist") -> OrgError:
    """404 NOT_FOUND."""
    return OrgError("NOT_FOUND", message, status=404)


def malformed_id(sobject: str, value: str) -> OrgError:
    """MALFORMED_ID for a string that is not an Id of the expected kind."""
    return OrgError("MALFORMED_ID", f"{sobject} ID: id value of incorrect type: {value}")


def entity_deleted() -> OrgError:
    """ENTITY_IS_DELETED, as for a record in the recycle bin."""
    return OrgError("ENTITY_IS_DELETED", "entity is deleted", status=404)


def unable_to_lock(record_id: str | None) -> OrgError:
    """UNABLE_TO_LOCK_ROW, worded as Salesforce does."""
    what = f"this record or 1 records: {record_id}" if record_id else "this record"
    return OrgError("UNABLE_TO_LOCK_ROW", f"unable to obtain exclusive access to {what}")
