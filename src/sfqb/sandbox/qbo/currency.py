"""Multicurrency in the QuickBooks Online sandbox: a customer's currency and its sales'.

Intuit's rules, as the sandbox applies them:

* a currency is named by its ISO code in CurrencyRef.value (Intuit's "Manage multiple
  currencies" page); a name without one is in the home currency
  (Preferences.CurrencyPrefs.HomeCurrency);
* another currency than the home one needs Preferences.CurrencyPrefs.MultiCurrencyEnabled;
* each customer has one currency, fixed once a transaction uses it ("About multicurrency",
  QuickBooks Online help: one currency to each contact name; Dummies' "Working with multiple
  currencies in QuickBooks Online": once a transaction is posted to a customer its currency
  cannot change);
* a sale is in its customer's currency: another one is refused (the help's one currency per
  customer, applied as the stricter reading since Intuit gives no code; 6000 as the
  business-rule fault).
"""

from __future__ import annotations

from sfqb.sandbox.qbo import errors
from sfqb.sandbox.qbo.company import TRANSACTIONS, Company, Record


def home(company: Company) -> str:
    """The company's home currency code."""
    prefs = company.preferences.get("CurrencyPrefs") or {}
    return str((prefs.get("HomeCurrency") or {}).get("value") or "USD")


def code_of(company: Company, record: Record | None) -> str:
    """The currency a name or transaction is in (the home currency when it names none)."""
    ref = (record or {}).get("CurrencyRef")
    value = ref.get("value") if isinstance(ref, dict) else None
    return str(value).upper() if value else home(company)


def party(company: Company, entity: str, record: Record, own_id: str | None) -> None:
    """A customer's (vendor's) currency: allowed, and unchanged once transactions use it."""
    wanted = code_of(company, record)
    prefs = company.preferences.get("CurrencyPrefs") or {}
    if wanted != home(company) and not prefs.get("MultiCurrencyEnabled"):
        raise errors.business(
            f"Multicurrency is off: {entity} currency {wanted} is not the home currency",
            element="CurrencyRef",
        )
    if own_id is not None:
        current = company.records[entity].get(own_id)
        if current is not None and code_of(company, current) != wanted and _used(company, own_id):
            raise errors.business(
                f"You can't change the currency of a {entity.lower()} with transactions "
                f"({code_of(company, current)} to {wanted})",
                element="CurrencyRef",
            )
    record["CurrencyRef"] = {"value": wanted}


def sale(company: Company, entity: str, record: Record) -> None:
    """A sale takes its customer's currency; another one is refused."""
    customer_id = str((record.get("CustomerRef") or {}).get("value") or "")
    customer = company.records["Customer"].get(customer_id)
    theirs = code_of(company, customer)
    if record.get("CurrencyRef") and code_of(company, record) != theirs:
        raise errors.business(
            f"The {entity} is in {code_of(company, record)} but its customer is in {theirs}",
            element="CurrencyRef",
        )
    record["CurrencyRef"] = {"value": theirs}


def _used(company: Company, customer_id: str) -> bool:
    return any(
        str((txn.get("CustomerRef") or {}).get("value")) == customer_id
        for entity in TRANSACTIONS
        for txn in company.records[entity].values()
    )
