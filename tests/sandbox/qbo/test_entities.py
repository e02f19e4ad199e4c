"""Names, items and sales forms through HTTP, one documented rule per test."""

from __future__ import annotations

from tests.sandbox.qbo.conftest import Qbo, invoice_body, service_item

from sfqb.sandbox.qbo import QboSandbox


def test_create_assigns_id_synctoken_and_metadata(qbo: Qbo) -> None:
    customer = qbo.create("Customer", {"DisplayName": "Acme Corp"})
    assert customer["Id"] and customer["SyncToken"] == "0" and customer["Active"] is True
    assert set(customer["MetaData"]) == {"CreateTime", "LastUpdatedTime"}


def test_6240_display_name_unique_across_customers_vendors_employees(qbo: Qbo) -> None:
    qbo.create("Vendor", {"DisplayName": "Acme Corp"})
    response = qbo.post("customer", {"DisplayName": "acme corp"})
    assert response.status_code == 400
    assert qbo.fault(response)["code"] == "6240"
    assert qbo.fault(response)["Message"] == "Duplicate Name Exists Error"


def test_2050_display_name_longer_than_500(qbo: Qbo) -> None:
    response = qbo.post("customer", {"DisplayName": "A" * 501})
    assert qbo.fault(response)["code"] == "2050"
    assert qbo.fault(response)["element"] == "DisplayName"


def test_display_name_with_colon_refused_workato_qbo_runtime_errors(qbo: Qbo) -> None:
    response = qbo.post("customer", {"DisplayName": "Parent:Child"})
    assert response.status_code == 400 and qbo.fault(response)["code"] == "6000"


def test_5010_stale_synctoken(qbo: Qbo) -> None:
    customer = qbo.create("Customer", {"DisplayName": "Acme"})
    ok = qbo.post(
        "customer",
        {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "CompanyName": "Acme Inc"},
    )
    assert ok.json()["Customer"]["SyncToken"] == "1"
    stale = qbo.post(
        "customer",
        {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "CompanyName": "Acme Ltd"},
    )
    assert qbo.fault(stale)["code"] == "5010"


def test_610_read_of_missing_id(qbo: Qbo) -> None:
    response = qbo.get("customer/999")
    assert response.status_code == 400 and qbo.fault(response)["code"] == "610"


def test_item_income_account_required_for_service(qbo: Qbo) -> None:
    response = qbo.post("item", {"Name": "Consulting", "Type": "Service"})
    assert qbo.fault(response)["code"] == "2020"


def test_item_name_unique_among_items(qbo: Qbo) -> None:
    service_item(qbo, "Consulting")
    response = qbo.post(
        "item", {"Name": "CONSULTING", "Type": "NonInventory", "IncomeAccountRef": {"value": "1"}}
    )
    assert qbo.fault(response)["code"] == "6240"


def test_2500_reference_to_missing_record(qbo: Qbo) -> None:
    item = service_item(qbo)
    response = qbo.post("invoice", invoice_body("77", item["Id"]))
    assert qbo.fault(response)["code"] == "2500"
    assert qbo.fault(response)["element"] == "CustomerRef"


def test_610_reference_to_inactive_customer_and_name_delete_is_deactivation(
    qbo: Qbo, sandbox: QboSandbox
) -> None:
    customer = qbo.create("Customer", {"DisplayName": "Gone Ltd"})
    assert (
        qbo.fault(
            qbo.post("customer", {"Id": customer["Id"], "SyncToken": "0"}, operation="delete")
        )["code"]
        == "500"
    )
    qbo.post("customer", {"Id": customer["Id"], "SyncToken": "0", "sparse": True, "Active": False})
    item = service_item(qbo)
    response = qbo.post("invoice", invoice_body(customer["Id"], item["Id"]))
    assert qbo.fault(response)["code"] == "610"
    assert sandbox.records("Customer")[0]["Active"] is False


def test_invoice_amount_must_equal_qty_times_unit_price(qbo: Qbo) -> None:
    customer = qbo.create("Customer", {"DisplayName": "Acme"})
    item = service_item(qbo)
    body = invoice_body(customer["Id"], item["Id"])
    body["Line"][0]["Amount"] = 99
    assert qbo.fault(qbo.post("invoice", body))["code"] == "6070"


def test_docnumber_longer_than_21(qbo: Qbo) -> None:
    customer = qbo.create("Customer", {"DisplayName": "Acme"})
    item = service_item(qbo)
    body = invoice_body(customer["Id"], item["Id"]) | {"DocNumber": "X" * 22}
    assert qbo.fault(qbo.post("invoice", body))["code"] == "2050"


def test_automated_sales_tax_computes_total(qbo: Qbo) -> None:
    customer = qbo.create("Customer", {"DisplayName": "Acme"})
    item = service_item(qbo, taxable=True)
    invoice = qbo.create("Invoice", invoice_body(customer["Id"], item["Id"]))
    assert invoice["TxnTaxDetail"]["TotalTax"] == 8.25
    assert invoice["TotalAmt"] == 108.25 and invoice["Balance"] == 108.25
    assert invoice["Line"][-1]["DetailType"] == "SubTotalLineDetail"


def test_sparse_update_with_line_replaces_all_lines(qbo: Qbo) -> None:
    customer = qbo.create("Customer", {"DisplayName": "Acme"})
    item = service_item(qbo)
    body = invoice_body(customer["Id"], item["Id"])
    body["Line"].append(dict(body["Line"][0]))
    invoice = qbo.create("Invoice", body)
    assert invoice["TotalAmt"] == 200
    one = invoice_body(customer["Id"], item["Id"], qty=1, price=10)["Line"]
    updated = qbo.post(
        "invoice",
        {"Id": invoice["Id"], "SyncToken": invoice["SyncToken"], "sparse": True, "Line": one},
    ).json()["Invoice"]
    assert [line["DetailType"] for line in updated["Line"]] == [
        "SalesItemLineDetail",
        "SubTotalLineDetail",
    ]
    assert updated["TotalAmt"] == 10


def test_payment_links_invoice_and_lowers_balance(qbo: Qbo, sandbox: QboSandbox) -> None:
    customer = qbo.create("Customer", {"DisplayName": "Acme"})
    item = service_item(qbo)
    invoice = qbo.create("Invoice", invoice_body(customer["Id"], item["Id"]))
    qbo.create(
        "Payment",
        {
            "CustomerRef": {"value": customer["Id"]},
            "TotalAmt": 40,
            "Line": [{"Amount": 40, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
    )
    assert sandbox.records("Invoice")[0]["Balance"] == 60
    too_much = qbo.post(
        "payment",
        {
            "CustomerRef": {"value": customer["Id"]},
            "TotalAmt": 70,
            "Line": [{"Amount": 70, "LinkedTxn": [{"TxnId": invoice["Id"], "TxnType": "Invoice"}]}],
        },
    )
    assert qbo.fault(too_much)["code"] == "6000"


def test_delete_and_void_of_transactions(qbo: Qbo, sandbox: QboSandbox) -> None:
    customer = qbo.create("Customer", {"DisplayName": "Acme"})
    item = service_item(qbo)
    first = qbo.create("Invoice", invoice_body(customer["Id"], item["Id"]))
    second = qbo.create("Invoice", invoice_body(customer["Id"], item["Id"]))
    gone = qbo.post("invoice", {"Id": first["Id"], "SyncToken": "0"}, operation="delete")
    assert gone.json()["Invoice"]["status"] == "Deleted"
    void = qbo.post("invoice", {"Id": second["Id"], "SyncToken": "0"}, operation="void")
    assert void.json()["Invoice"]["TotalAmt"] == 0
    assert [i["Id"] for i in sandbox.records("Invoice")] == [second["Id"]]


def test_preferences_and_companyinfo_seeded(qbo: Qbo) -> None:
    prefs = qbo.get("preferences").json()["Preferences"]
    assert prefs["TaxPrefs"]["PartnerTaxEnabled"] is True
    assert prefs["CurrencyPrefs"]["MultiCurrencyEnabled"] is False
    info = qbo.get("companyinfo/1").json()["CompanyInfo"]
    assert info["Country"] == "US"
    accounts = qbo.query("select * from Account").json()["QueryResponse"]["Account"]
    assert {"Sales of Product Income", "Services", "Undeposited Funds"} <= {
        a["Name"] for a in accounts
    }
