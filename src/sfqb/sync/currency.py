"""Currencies, checked before anything is sent: one clear message per record.

With multiple currencies on (the policy's `multicurrency`), an Account's CurrencyIsoCode is
its customer's currency and an Opportunity's CurrencyIsoCode must be its customer's. QuickBooks
fixes a customer's currency once transactions use it (QuickBooks Desktop's help, "Multicurrency
and files updated from earlier versions": "You can't change the currency of a name/account if
there are transactions recorded for them"; QuickBooks Online's "About multicurrency": one
currency to each customer), and refuses a sale in another currency than its customer's. sfqb
finds both before sending: the record goes to the review list with one decoded message, and
nothing of it is sent.

Currencies are compared as the account's field map sends them (`CurrencyRef`), so a company
whose currency list names a currency otherwise only changes its map.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.status import System
from sfqb.sync.fields import to_plain
from sfqb.sync.records import ItemState

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle

ACCOUNT_FLOW = "account_to_customer"
SALE_FLOW = "opportunity_to_invoice"
ISO_FIELD = "CurrencyIsoCode"
CURRENCY = "CurrencyRef"


class Currencies:
    """Holds the records of a cycle whose currency QuickBooks would refuse."""

    def __init__(self, cycle: Cycle) -> None:
        self._cycle = cycle

    def check(self) -> None:
        """Send to review each pending customer whose currency would change after use, and
        each sale in another currency than its customer's."""
        cycle = self._cycle
        if not cycle.policy.multicurrency:
            return
        for sf in list(cycle.canonical):
            if sf in cycle.outcomes:
                continue
            change = cycle.changes[sf]
            if change.flow == ACCOUNT_FLOW:
                problem = self._customer(sf)
            elif change.flow == SALE_FLOW:
                problem = self._sale(sf, change.payload)
            else:
                problem = None
            if problem is not None:
                self._hold(sf, *problem)

    def _customer(self, sf: SfRef) -> tuple[str, str] | None:
        cycle = self._cycle
        binding = cycle.bindings.by_sf(cycle.company, sf)
        new = to_plain(cycle.canonical[sf].fields.get(CURRENCY))
        old = (binding.sf_values or {}).get(CURRENCY) if binding is not None else None
        if binding is None or new is None or old is None or new == old:
            return None
        used = [
            b.sf
            for b in cycle.bindings.for_company(cycle.company)
            if b.sf.sobject is SfObject.OPPORTUNITY and _customer_of(b.sf_values) == sf.id
        ]
        if not used:
            return None  # no transaction uses it yet: QuickBooks takes the new currency
        return "CURRENCY_FIXED", (
            f"the Account's currency changed from {_shown(old)} to {_shown(new)}, but its "
            f"QuickBooks customer {binding.qb.id} already has {len(used)} transaction(s) in "
            f"{_shown(old)}, and QuickBooks fixes a customer's currency once it is used"
        )

    def _sale(self, sf: SfRef, payload: Mapping[str, Any]) -> tuple[str, str] | None:
        cycle = self._cycle
        iso, account_id = payload.get(ISO_FIELD), payload.get("AccountId")
        if not iso or not account_id:
            return None
        account = SfRef(SfObject.ACCOUNT, str(account_id))
        wanted = to_plain(cycle.mapper.field_value(ACCOUNT_FLOW, CURRENCY, {ISO_FIELD: iso}))
        mapped = cycle.canonical.get(account)
        binding = cycle.bindings.by_sf(cycle.company, account)
        if mapped is not None:
            have = to_plain(mapped.fields.get(CURRENCY))
        else:
            have = (binding.sf_values or {}).get(CURRENCY) if binding is not None else None
        if wanted is None or have is None or wanted == have:
            return None
        customer = f"QuickBooks customer {binding.qb.id}" if binding else "its customer"
        return "CURRENCY_MISMATCH", (
            f"the Opportunity is in {iso} but {customer} (Account {account_id}) is in "
            f"{_shown(have)}; a QuickBooks sale takes its customer's currency"
        )

    def _hold(self, sf: SfRef, code: str, detail: str) -> None:
        cycle = self._cycle
        status = cycle.catalog.decode(System.TRANSPORT, code, detail)
        cycle.outcome(sf, ItemState.REVIEW, status, detail)
        cycle.log(sf, "check", status, "held for review: nothing was sent")
        cycle.writeback.status(cycle.changes[sf], None, status, review=True)


def _customer_of(values: Mapping[str, Any] | None) -> str | None:
    ref = (values or {}).get("CustomerRef")
    return str(ref.get("sf_id")) if isinstance(ref, Mapping) and ref.get("sf_id") else None


def _shown(value: Any) -> str:
    """A mapped currency reference as a person reads it ({"value": "EUR"} -> EUR)."""
    if isinstance(value, Mapping):
        return str(next((v for v in value.values() if v), value))
    return str(value)
