"""Settings of an emulated QuickBooks Desktop company: preferences, user rights and faults."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

QBXML_VERSIONS = (
    "1.0", "1.1", "2.0", "2.1", "3.0", "4.0", "4.1", "5.0", "6.0", "7.0",
    "8.0", "9.0", "10.0", "11.0", "12.0", "13.0",
)  # fmt: skip
OPERATIONS = ("Add", "Mod", "Query", "Del")
EDITIONS = ("Pro", "Premier", "Enterprise")
_PRODUCTS = {
    "Pro": "QuickBooks Pro 2023",
    "Premier": "QuickBooks Premier Edition 2023",
    "Enterprise": "QuickBooks Enterprise Solutions 23.0",
}


class SettingsError(ValueError):
    """A sandbox setting is unknown or has a wrong value."""


def version_key(version: str) -> tuple[int, int]:
    """A qbXML version such as "13.0" as a comparable pair; raises ValueError."""
    major, _, minor = version.strip().partition(".")
    return int(major), int(minor or "0")


@dataclass(frozen=True, slots=True)
class SandboxSettings:
    """How the sandbox company behaves.

    denied maps an object type (Customer, Invoice, Item, ...) to the operations the
    integration user may not perform on it (Add, Mod, Query, Del) -> status 3260.
    lock_rate and lost_reply_rate are probabilities per request / per message set;
    latency_ms is handed to the injected sleep function once per round trip.
    time_zone is the QuickBooks computer's zone (an IANA name such as America/New_York): its
    clock, TimeModified and the reading of FromModifiedDate are local; "" keeps the zone of
    the injected clock (UTC when the clock is naive).
    edition (Pro, Premier, Enterprise) sets the custom-field slots (data/custom_fields.yaml).
    """

    company_name: str = "sfqb Sandbox Company"
    edition: str = "Enterprise"
    product_name: str = ""
    major_version: str = "33"
    minor_version: str = "0"
    country: str = "US"
    max_qbxml_version: str = "13.0"
    multi_currency: bool = False
    inventory: bool = True
    # Edit > Preferences > Sales & Customers > "Enable Sales Orders" (Premier and Enterprise
    # only: on Pro sales orders answer 3250 whatever this says).
    sales_orders: bool = True
    denied: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    lock_rate: float = 0.0
    lock_code: int = 3170
    lost_reply_rate: float = 0.0
    connector_down: bool = False
    latency_ms: int = 0
    time_zone: str = ""

    def __post_init__(self) -> None:
        for name in ("lock_rate", "lost_reply_rate"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0.0 <= float(value) <= 1.0:
                raise SettingsError(f"{name} must be a probability between 0 and 1, not {value!r}")
        if self.edition not in EDITIONS:
            raise SettingsError(
                f"edition must be one of {', '.join(EDITIONS)}, not {self.edition!r}"
            )
        if self.lock_code not in (3170, 3175):
            raise SettingsError(f"lock_code must be 3170 or 3175, not {self.lock_code!r}")
        if not isinstance(self.latency_ms, int) or self.latency_ms < 0:
            raise SettingsError(f"latency_ms must be a whole number >= 0, not {self.latency_ms!r}")
        if self.time_zone:
            try:
                ZoneInfo(self.time_zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise SettingsError(f"time_zone {self.time_zone!r} is not a known zone") from None
        if self.max_qbxml_version not in QBXML_VERSIONS:
            raise SettingsError(f"max_qbxml_version must be one of {', '.join(QBXML_VERSIONS)}")
        denied: dict[str, tuple[str, ...]] = {}
        for kind, ops in dict(self.denied).items():
            ops_tuple = (ops,) if isinstance(ops, str) else tuple(ops)
            bad = [op for op in ops_tuple if op not in OPERATIONS]
            if bad:
                raise SettingsError(f"denied[{kind!r}]: unknown operation {bad[0]!r}")
            denied[str(kind)] = ops_tuple
        object.__setattr__(self, "denied", denied)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SandboxSettings:
        """Settings from a mapping (a parsed config file); unknown keys are refused."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SettingsError(f"unknown sandbox setting: {unknown[0]}")
        try:
            return cls(**dict(data))
        except TypeError as exc:
            raise SettingsError(str(exc)) from None

    def with_changes(self, **changes: Any) -> SandboxSettings:
        """A copy with some settings changed (validated like the original)."""
        merged = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        merged.update(changes)
        return SandboxSettings.from_dict(merged)

    def product(self) -> str:
        """The ProductName HostQuery reports: product_name, else the edition's usual name."""
        return self.product_name or _PRODUCTS[self.edition]

    def supported_versions(self) -> list[str]:
        """The qbXML versions HostQuery reports, up to max_qbxml_version."""
        top = version_key(self.max_qbxml_version)
        return [v for v in QBXML_VERSIONS if version_key(v) <= top]

    def is_denied(self, object_types: tuple[str, ...], operation: str) -> bool:
        """True when the integration user may not do `operation` on any of `object_types`."""
        return any(operation in self.denied.get(kind, ()) for kind in object_types)
