"""QuickBooks' business rules, each produced from a realistic request and decoded by the catalog."""

from __future__ import annotations

import pytest
from lxml.builder import E

from sfqb.codes import load_catalog
from sfqb.domain.status import System
from sfqb.sandbox.qbd import ConnectorDown, RequestRejected


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_catalog()


def decoded(catalog, rs, code):  # type: ignore[no-untyped-def]
    number, severity, message = (
        rs.get("statusCode"),
        rs.get("statusSeverity"),
        rs.get("statusMessage"),
    )
    assert number == str(code), message
    assert severity == "Error"
    result = catalog.decode(System.QBXML, number, message)
    assert result.known, f"{code} is not in the catalog"
    assert result.code == str(code)
    return result


def test_3100_name_shared_by_customers_vendors_employees_other_names(qb, catalog):
    qb.add_customer("Palm Court Rentals")
    rs = qb.one(E.VendorAddRq(E.VendorAdd(E.Name("palm court rentals")), requestID="v1"))
    result = decoded(catalog, rs, 3100)
    assert rs.get("requestID") == "v1"
    assert "palm court rentals" in result.details.values()
    assert (
        rs.get("statusMessage")
        == 'The name "palm court rentals" of the list element is already in use.'
    )
    for request in (
        E.EmployeeAddRq(E.EmployeeAdd(E.Name("Palm Court Rentals"))),
        E.OtherNameAddRq(E.OtherNameAdd(E.Name("PALM COURT RENTALS"))),
        E.CustomerAddRq(E.CustomerAdd(E.Name("Palm Court Rentals"))),
    ):
        assert qb.status(qb.one(request))[0] == 3100
    # A job under the customer may reuse a name: uniqueness is per FullName.
    job = qb.ok(
        E.CustomerAddRq(
            E.CustomerAdd(E.Name("Unit 4"), E.ParentRef(E.FullName("Palm Court Rentals")))
        )
    )
    assert job.findtext("FullName") == "Palm Court Rentals:Unit 4"
    assert job.findtext("Sublevel") == "1"


def test_item_names_are_unique_across_item_types_but_not_with_customers(qb):
    qb.add_service("Consulting")
    rs = qb.one(E.ItemNonInventoryAddRq(E.ItemNonInventoryAdd(E.Name("consulting"))))
    assert qb.status(rs)[0] == 3100
    qb.add_customer("Consulting")  # a different name space


def test_3120_unknown_id_and_3000_malformed_id(qb, catalog):
    rs = qb.one(
        E.CustomerModRq(
            E.CustomerMod(E.ListID("80000999-1700000000"), E.EditSequence("1"), E.Phone("1"))
        )
    )
    result = decoded(catalog, rs, 3120)
    assert "80000999-1700000000" in result.details.values()
    rs = qb.one(E.CustomerModRq(E.CustomerMod(E.ListID("SF-001Ax00000"), E.EditSequence("1"))))
    result = decoded(catalog, rs, 3000)
    assert (
        rs.get("statusMessage")
        == 'The given object ID "SF-001Ax00000" in the field "ListID" is invalid.'
    )
    assert {"SF-001Ax00000", "ListID"} <= set(result.details.values())


def test_3140_missing_customer_by_listid_or_fullname_and_missing_item(qb, catalog):
    by_name = qb.one(E.InvoiceAddRq(E.InvoiceAdd(E.CustomerRef(E.FullName("Ghost Co")))))
    result = decoded(catalog, by_name, 3140)
    assert (
        by_name.get("statusMessage")
        == 'There is an invalid reference to QuickBooks Customer "Ghost Co" in the Invoice.'
    )
    assert {"Customer", "Ghost Co", "Invoice"} <= set(result.details.values())
    by_id = qb.one(E.InvoiceAddRq(E.InvoiceAdd(E.CustomerRef(E.ListID("80000042-1700000000")))))
    assert "80000042-1700000000" in decoded(catalog, by_id, 3140).details.values()
    qb.add_customer("Acme")
    line = E.InvoiceLineAdd(E.ItemRef(E.FullName("Widget")), E.Quantity("1"), E.Rate("5"))
    rs = qb.one(E.InvoiceAddRq(E.InvoiceAdd(E.CustomerRef(E.FullName("Acme")), line)))
    result = decoded(catalog, rs, 3140)
    assert "Widget" in result.details.values()
    assert qb.company.invoices() == []  # nothing half-written


def _customer_mod(ret, **fields):  # type: ignore[no-untyped-def]
    children = [E.ListID(ret.findtext("ListID")), E.EditSequence(ret.findtext("EditSequence"))]
    children += [getattr(E, k)(v) for k, v in fields.items()]
    return E.CustomerModRq(E.CustomerMod(*children), requestID="mod")


def test_3170_record_held_open_by_a_user_then_released(qb, catalog):
    ret = qb.add_customer("Held Inc")
    qb.company.open_record_by_user(ret.findtext("ListID"))
    rs = qb.one(_customer_mod(ret, Phone="555"))
    result = decoded(catalog, rs, 3170)
    assert result.retryable
    assert "Customer" in result.details.values()
    qb.company.close_record_by_user(ret.findtext("ListID"))
    assert qb.ok(_customer_mod(ret, Phone="555")).findtext("Phone") == "555"


def test_3175_when_configured_and_lock_rate(make_company, catalog):
    qb = make_company(lock_code=3175)
    ret = qb.add_customer("Busy Ltd")
    qb.company.open_record_by_user(ret.findtext("ListID"))
    assert decoded(catalog, qb.one(_customer_mod(ret, Phone="1")), 3175).retryable
    always = make_company(lock_rate=1.0)
    rs = always.one(E.CustomerAddRq(E.CustomerAdd(E.Name("Never"))))
    assert decoded(catalog, rs, 3170)
    assert always.company.customers() == []


def test_3200_stale_edit_sequence_after_a_user_edit(qb, catalog):
    ret = qb.add_customer("Stale Corp")
    qb.clock.advance(seconds=1)
    qb.company.modify_as_user(ret.findtext("ListID"), Phone="111")
    rs = qb.one(_customer_mod(ret, Phone="222"))
    result = decoded(catalog, rs, 3200)
    assert ret.findtext("EditSequence") in result.details.values()
    assert qb.company.get(ret.findtext("ListID")).text("Phone") == "111"


def test_edit_sequence_changes_on_every_mod_even_within_one_second(qb):
    ret = qb.add_customer("Fast Edits")
    seen = {ret.findtext("EditSequence")}
    for phone in ("1", "2", "3"):
        ret = qb.ok(_customer_mod(ret, Phone=phone))
        assert ret.findtext("EditSequence") not in seen
        seen.add(ret.findtext("EditSequence"))


def test_3250_currency_and_inventory_preferences_off(make_company, catalog):
    qb = make_company(multi_currency=False, inventory=False)
    rs = qb.one(
        E.CustomerAddRq(E.CustomerAdd(E.Name("Euro GmbH"), E.CurrencyRef(E.FullName("Euro"))))
    )
    decoded(catalog, rs, 3250)
    rs = qb.one(E.ItemInventoryAddRq(E.ItemInventoryAdd(E.Name("Bolt"), E.QuantityOnHand("5"))))
    decoded(catalog, rs, 3250)
    on = make_company(multi_currency=True, inventory=True)
    ret = on.add_customer("Euro GmbH")
    assert ret is not None
    assert on.ok(E.ItemInventoryAddRq(E.ItemInventoryAdd(E.Name("Bolt")))).tag == "ItemInventoryRet"


def test_3260_integration_user_without_rights(make_company, catalog):
    qb = make_company(denied={"Invoice": ["Add"], "Item": ["Query"]})
    qb.add_customer("Rights Co")
    rs = qb.one(E.InvoiceAddRq(E.InvoiceAdd(E.CustomerRef(E.FullName("Rights Co")))))
    decoded(catalog, rs, 3260)
    assert qb.status(qb.one(E.ItemQueryRq()))[0] == 3260
    assert qb.status(qb.one(E.InvoiceQueryRq()))[0] == 1  # Query on invoices is allowed


def test_3070_name_longer_than_quickbooks_allows(qb, catalog):
    rs = qb.one(E.CustomerAddRq(E.CustomerAdd(E.Name("N" * 42))))
    assert qb.status(rs)[:2] == (3070, "Error")
    assert (
        catalog.decode(System.QBXML, "3070", rs.get("statusMessage")).category.value
        == "request_bug"
    )
    assert qb.status(qb.one(E.ItemServiceAddRq(E.ItemServiceAdd(E.Name("I" * 32)))))[0] == 3070
    assert qb.add_customer("N" * 41) is not None


def test_status_1_on_an_empty_query_is_info(qb, catalog):
    rs = qb.one(E.CustomerQueryRq(E.ActiveStatus("All"), requestID="q"))
    code, severity, message = qb.status(rs)
    assert (code, severity) == (1, "Info")
    assert rs.get("requestID") == "q"
    assert catalog.decode(System.QBXML, "1", message).known
    assert not catalog.decode(System.QBXML, "1", message).is_failure


def test_connector_down_raises_the_hresult_the_web_connector_reports(make_company, catalog):
    qb = make_company(connector_down=True)
    with pytest.raises(ConnectorDown) as caught:
        qb.company.process(qb.message_set(E.HostQueryRq()))
    assert caught.value.hresult == "0x80040408"
    assert caught.value.message == "Could not start QuickBooks."
    result = catalog.decode(System.HRESULT, caught.value.hresult, caught.value.message)
    assert result.known
    qb.company.configure(connector_down=False)
    assert qb.status(qb.one(E.HostQueryRq()))[0] == 0
    qb.company.faults.connector_down_next()
    with pytest.raises(ConnectorDown):
        qb.company.begin_session()
    qb.company.begin_session()


def test_unparseable_or_unsupported_version_is_an_hresult(qb, catalog):
    with pytest.raises(RequestRejected) as caught:
        qb.company.process("<QBXML><QBXMLMsgsRq onError='stopOnError'><Customer")
    assert caught.value.hresult == "0x80040400"
    with pytest.raises(RequestRejected) as caught:
        qb.company.process(qb.message_set(E.HostQueryRq(), version="16.0"))
    assert caught.value.hresult == "0x80040423"
    with pytest.raises(RequestRejected):  # CustomerAdd without its required Name
        qb.company.process(qb.message_set(E.CustomerAddRq(E.CustomerAdd(E.Phone("1")))))
    with pytest.raises(RequestRejected):
        qb.company.process('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><QBXML/>')
    assert catalog.decode(System.HRESULT, "0x80040400").known


def test_on_error_stop_and_continue(qb):
    bad = E.InvoiceAddRq(E.InvoiceAdd(E.CustomerRef(E.FullName("Nobody"))), requestID="2")
    first = E.CustomerAddRq(E.CustomerAdd(E.Name("First")), requestID="1")
    last = E.CustomerAddRq(E.CustomerAdd(E.Name("Last")), requestID="3")
    out = qb.send(first, bad, last, on_error="stopOnError")
    assert [rs.get("requestID") for rs in out] == ["1", "2"]
    assert qb.company.find("Customer", "Last") is None
    out = qb.send(
        E.CustomerAddRq(E.CustomerAdd(E.Name("A2")), requestID="1"),
        E.InvoiceAddRq(E.InvoiceAdd(E.CustomerRef(E.FullName("Nobody"))), requestID="2"),
        E.CustomerAddRq(E.CustomerAdd(E.Name("Last")), requestID="3"),
    )
    assert [(rs.get("requestID"), rs.get("statusCode")) for rs in out] == [
        ("1", "0"),
        ("2", "3140"),
        ("3", "0"),
    ]


def test_injected_one_shot_status(qb, catalog):
    ret = qb.add_customer("Injected")
    qb.company.faults.fail_next("CustomerMod", 3170)
    rs = qb.one(_customer_mod(ret, Phone="9"))
    assert decoded(catalog, rs, 3170)
    assert ret.findtext("ListID") in rs.get("statusMessage")
    assert qb.ok(_customer_mod(ret, Phone="9")).findtext("Phone") == "9"


def test_unsupported_request_is_answered_not_crashed(qb):
    rs = qb.one(E.JournalEntryQueryRq(requestID="a"))
    assert rs.tag == "JournalEntryQueryRs"
    assert qb.status(rs)[:2] == (1030, "Error")
