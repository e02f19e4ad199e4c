"""Per-company remedy policies, with the safe defaults sfqb uses when a company sets none."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class MatchRule(StrEnum):
    """When an existing QuickBooks record may be bound to a Salesforce record automatically.

    Names are compared normalised (case, spacing and punctuation ignored).
    """

    NAME = "name"
    NAME_AND_PHONE = "name+phone"
    NAME_AND_EMAIL_OR_PHONE = "name+email_or_phone"
    NAME_AND_ADDRESS = "name+address"
    NEVER = "never"


class OnDeleted(StrEnum):
    """What to do when the bound QuickBooks record was deleted (3120 / QBO 610)."""

    RECREATE = "recreate"
    HOLD = "hold"


class OnInactive(StrEnum):
    """What to do with a transaction whose customer or item is inactive in QuickBooks."""

    REACTIVATE = "reactivate"
    REVIEW = "review"


class OrderTarget(StrEnum):
    """The QuickBooks document a Salesforce Order becomes (sales orders: QuickBooks Desktop
    Premier and Enterprise with the preference on; the preflight refuses it elsewhere)."""

    INVOICE = "Invoice"
    SALES_ORDER = "SalesOrder"
    ESTIMATE = "Estimate"


class OnConflict(StrEnum):
    """What to do when both sides changed a field owned by whichever is newest."""

    REVIEW = "review"
    NEWEST_WINS = "newest_wins"


@dataclass(frozen=True, slots=True)
class AlertSettings:
    """Where a company's alerts go and how often."""

    email_to: tuple[str, ...] = ()
    webhook_url: str = ""
    max_per_hour: int = 6
    connector_down_minutes: int = 30
    no_success_hours: int = 6


@dataclass(frozen=True, slots=True)
class AccountSettings:
    """The QuickBooks accounts the company's maps name (its chart of accounts decides)."""

    income_account: str = "Sales"
    # An inventory item's accounts (QuickBooks Online's Item of Type Inventory needs both).
    inventory_asset_account: str = "Inventory Asset"
    cogs_account: str = "Cost of Goods Sold"


@dataclass(frozen=True, slots=True)
class SalesTaxSettings:
    """Which sales tax code lines and items carry, and the tax item invoices carry.

    An empty code sends none (QuickBooks then uses the item's); an empty `tax_item` leaves
    the invoice's tax item to QuickBooks (the customer's, else the company's default).
    """

    taxable_code: str = "Tax"
    non_taxable_code: str = "Non"
    tax_item: str = ""
    taxable_by_default: bool = False

    def code(self, taxable: bool | None) -> str:
        """The code for a taxable (True), non-taxable (False) or unspecified (None) sale."""
        chosen = self.taxable_by_default if taxable is None else taxable
        return self.taxable_code if chosen else self.non_taxable_code


class DiscountMode(StrEnum):
    """How a Salesforce line discount reaches QuickBooks."""

    NET_PRICE = "net_price"  # the line's price less its discount
    DISCOUNT_LINE = "discount_line"  # the list price, and a discount line taking it off


@dataclass(frozen=True, slots=True)
class DiscountSettings:
    """How line discounts are sent, and the QuickBooks Desktop discount item they name.

    `item` is the full name of an ItemDiscount in the company file (discount lines only);
    QuickBooks Online needs no item: its discount line is a DiscountLineDetail.
    """

    mode: DiscountMode = DiscountMode.NET_PRICE
    item: str = "Discount"


@dataclass(frozen=True, slots=True)
class CreditMemoSettings:
    """Which Salesforce records become QuickBooks credit memos.

    An Opportunity whose Type is `opportunity_type` (e.g. "Credit") goes to QuickBooks as a
    Credit Memo against its customer, not as an invoice; "" (the default) makes none.
    """

    opportunity_type: str = ""


@dataclass(frozen=True, slots=True)
class VendorSettings:
    """Whether the Accounts the vendor flow's filter picks are customers too, and the name of
    a party's second record (which Accounts are vendors is the account_to_vendor flow's
    filter, mapping/data/account_to_vendor.yaml, or the company's in its config file).

    None keeps the vendor flow's map default (`name_rule.second_suffix: " (V)"`).
    """

    second_name_suffix: str | None = None
    # False: an Account the rule picks is a vendor only, unless it is already bound as a
    # customer (a customer that became a supplier stays one, its vendor takes the second
    # name). True: every Account is a customer too, so every vendor takes the second name.
    also_customers: bool = False


@dataclass(frozen=True, slots=True)
class CompanyPolicy:
    """Every remedy knob of one company; the defaults are the safe ones."""

    match_rule: MatchRule = MatchRule.NAME_AND_EMAIL_OR_PHONE
    on_deleted: OnDeleted = OnDeleted.HOLD
    on_conflict: OnConflict = OnConflict.REVIEW
    on_inactive: OnInactive = OnInactive.REVIEW
    max_attempts: int = 6
    backoff_base_seconds: int = 60
    backoff_cap_seconds: int = 3600
    expected_contact_minutes: int = 60
    # How often sfqb runs a cycle for a company it pushes to (QuickBooks Online) when no
    # webhook asks for one sooner; each cycle's read of QuickBooks' changes is a CDC sweep.
    sync_every_minutes: int = 15
    # QuickBooks Online: when ("HH:MM", UTC) the nightly sweep reads Change Data Capture's
    # whole 30-day window; "" takes `cdc_sweep_at` of sfqb/jobs/data/schedule.yaml.
    cdc_sweep_at: str = ""
    # Records per Salesforce sObject Collections write (1..200); orgs with heavy triggers
    # need smaller batches.
    sf_batch_size: int = 200
    # The custom field people see the Salesforce Id in (an existing one, or one sfqb defines
    # where a slot is free); "" keeps it in sfqb's private field only.
    binding_field: str = "SalesforceID"
    # QuickBooks Online: the DefinitionId (the Custom Fields API's legacyIDV2) of a custom
    # field on customers that holds the Salesforce Id; "" (the default) sends none. Intuit's
    # Custom Fields API is a premium API: companies without it keep the binding in sfqb only.
    binding_definition_id: str = ""
    # Multiple currencies (Salesforce's and QuickBooks'): the account's CurrencyIsoCode is the
    # customer's currency, and a transaction must be in its customer's currency.
    multicurrency: bool = False
    # Which contact fills an account's customer contact fields (sfqb.domain.contacts): role,
    # role:<Role>, checkbox:<Field__c> or latest; each falls back to the newest contact.
    primary_contact: str = "role"
    order_target: OrderTarget = OrderTarget.INVOICE
    alerts: AlertSettings = field(default_factory=AlertSettings)
    accounts: AccountSettings = field(default_factory=AccountSettings)
    sales_tax: SalesTaxSettings = field(default_factory=SalesTaxSettings)
    discounts: DiscountSettings = field(default_factory=DiscountSettings)
    credit_memos: CreditMemoSettings = field(default_factory=CreditMemoSettings)
    vendors: VendorSettings = field(default_factory=VendorSettings)

    def flag(self, name: str) -> bool:
        """A switch a field map names (`enabled_by:`): the field is sent only when it is on."""
        if name == "multicurrency":
            return self.multicurrency
        if name == "credit_memos":
            return bool(self.credit_memos.opportunity_type)
        raise KeyError(f"unknown company switch {name!r}")

    def setting(self, name: str, flag: object = None) -> str:
        """A setting a field map names (`setting:` in mapping/data/*.yaml); "" when unset.

        `flag` is the mapped source value, e.g. a product's taxable checkbox for the code.
        """
        if name in ("income_account", "inventory_asset_account", "cogs_account"):
            return str(getattr(self.accounts, name))
        if name == "tax_item":
            return self.sales_tax.tax_item
        if name == "discount_item":
            return self.discounts.item
        if name == "sales_tax_code":
            return self.sales_tax.code(flag if isinstance(flag, bool) else None)
        raise KeyError(f"unknown company setting {name!r}")
