"""An empty company with what sfqb's flows need: income accounts, Undeposited Funds, tax
codes, Preferences (sales forms, products and services, sales tax, currency) and CompanyInfo."""

from __future__ import annotations

from sfqb.sandbox.qbo.company import Company, iso

# A new QuickBooks Online company's income accounts include "Sales" beside "Sales of Product
# Income" and "Services" (the default chart of accounts of a US company).
_ACCOUNTS = (
    ("Sales", "Income", "SalesOfProductIncome"),
    ("Sales of Product Income", "Income", "SalesOfProductIncome"),
    ("Services", "Income", "ServiceFeeIncome"),
    ("Undeposited Funds", "Other Current Asset", "UndepositedFunds"),
    ("Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable"),
    ("Cost of Goods Sold", "Cost of Goods Sold", "SuppliesMaterialsCogs"),
    ("Inventory Asset", "Other Current Asset", "Inventory"),
)


def seed(company: Company) -> None:
    """Fill a new company (call once, before any request)."""
    config = company.config
    for name, kind, detail in _ACCOUNTS:
        company.add(
            "Account",
            {
                "Name": name,
                "FullyQualifiedName": name,
                "AccountType": kind,
                "AccountSubType": detail,
                "Classification": "Revenue" if kind == "Income" else "Asset",
                "Active": True,
                "CurrentBalance": 0,
                "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
            },
        )
    # US companies have the pseudo tax codes TAX and NON (Intuit's TaxCode reference).
    for ident, desc in (("TAX", "Taxable"), ("NON", "Non")):
        body = {"Name": ident, "Description": desc, "Taxable": ident == "TAX", "Active": True}
        company.add("TaxCode", body, ident=ident)
    now = iso(company.clock())
    company.preferences = {
        "Id": "1",
        "SyncToken": "0",
        "domain": "QBO",
        "SalesFormsPrefs": {
            "CustomTxnNumbers": True,
            "AllowDeposit": False,
            "AllowDiscount": True,
            "AllowShipping": False,
            "DefaultTerms": {"value": "3"},
        },
        # QuantityOnHand is "Track inventory quantity on hand" (Intuit's Preferences entity).
        "ProductAndServicesPrefs": {
            "ForSales": True,
            "ForPurchase": True,
            "QuantityWithPriceAndRate": True,
            "QuantityOnHand": config.track_inventory,
        },
        "TaxPrefs": {
            "UsingSalesTax": True,
            "PartnerTaxEnabled": config.automated_sales_tax,
        },
        "CurrencyPrefs": {
            "MultiCurrencyEnabled": config.multicurrency,
            "HomeCurrency": {"value": "USD"},
        },
        "AccountingInfoPrefs": {"TrackDepartments": False, "ClassTrackingPerTxn": False},
        "MetaData": {"CreateTime": now, "LastUpdatedTime": now},
    }
    company.company_info = {
        "Id": "1",
        "SyncToken": "0",
        "domain": "QBO",
        "CompanyName": config.company_name,
        "LegalName": config.company_name,
        "Country": config.country,
        "CompanyAddr": {
            "Line1": "1 Loopback Way",
            "City": "Mountain View",
            "CountrySubDivisionCode": "CA",
            "PostalCode": "94043",
            "Country": config.country,
        },
        "SupportedLanguages": "en",
        "NameValue": [{"Name": "OfferingSku", "Value": "QuickBooks Online Plus"}],
        "MetaData": {"CreateTime": now, "LastUpdatedTime": now},
    }
