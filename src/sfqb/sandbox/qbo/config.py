"""Settings of a QuickBooks Online sandbox: the company, the app's keys, limits and webhooks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

Clock = Callable[[], datetime]
"""Returns the current time as an aware UTC datetime; injected so tests never sleep."""

DEFAULT_REALM = "1234567890"
MIN_MINOR_VERSION = 75


@dataclass(frozen=True)
class QboConfig:
    """Everything a `QboSandbox` needs; every field has a demo-friendly default.

    `access_token` is always accepted (until fault injection expires it) and belongs to the
    app `client_id`; `refresh_token` is the first refresh token the token endpoint accepts.
    `automated_sales_tax` models a US company with Intuit's automated sales tax (the sandbox
    computes the tax at `tax_rate`); off, every sales line needs a TaxCodeRef.
    `retry_after` None: a 429 carries no Retry-After header, as Intuit answers it (its
    "Limits and throttles" page only says to wait and retry); a number of seconds adds the
    header, so a chaos test's throttled client waits seconds instead of a minute.
    `track_inventory` is the company preference "Track inventory quantity on hand"
    (Preferences.ProductAndServicesPrefs.QuantityOnHand): off, as in a new company (Intuit's
    "Create products, services, and inventory items" page: inventory features are not enabled
    by default), an Item of Type Inventory is refused.
    `custom_fields_api` is Intuit's premium Custom Fields API for this company and app: off,
    as in Intuit's sandbox companies; on, customers and vendors take values of the String
    definitions in `custom_field_definitions` ((DefinitionId, label) pairs; custom_fields.py).
    `webhook_url` None: no webhooks are sent. `webhook_verify` is what httpx verifies the
    receiver's certificate with (a CA file path, or False for plain loopback tests).
    """

    realm: str = DEFAULT_REALM
    tls_dir: Path | None = None
    host: str = "127.0.0.1"
    port: int = 0
    access_token: str = "demo"  # noqa: S105 - the published demo token
    refresh_token: str = "demo-refresh"  # noqa: S105
    client_id: str = "sfqb-demo-client"
    client_secret: str = "sfqb-demo-secret"  # noqa: S105 - the sandbox's published demo key
    redirect_uris: tuple[str, ...] = ()
    automated_sales_tax: bool = True
    tax_rate: Decimal = Decimal("0.0825")
    track_inventory: bool = False
    # Preferences.CurrencyPrefs.MultiCurrencyEnabled: off, as in a new company (Intuit's
    # "About multicurrency": a company turns it on, and cannot turn it off).
    multicurrency: bool = False
    country: str = "US"
    company_name: str = "sfqb Sandbox Company"
    per_minute_realm: int = 500
    per_second_app: int = 10
    concurrent_app: int = 10
    batch_per_minute_app: int = 40
    batch_max_items: int = 30
    retry_after: int | None = None
    query_max_results: int = 1000
    cdc_max_objects: int = 1000
    cdc_max_days: int = 30
    custom_fields_api: bool = False
    custom_field_definitions: tuple[tuple[str, str], ...] = ()
    webhook_url: str | None = None
    verifier_token: str | None = None
    webhook_cloudevents: bool = False
    webhook_verify: str | bool = True
    clock: Clock | None = None
