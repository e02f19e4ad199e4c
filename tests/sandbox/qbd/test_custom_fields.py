"""Public custom fields (OwnerID 0) in the sandbox, as Intuit documents them.

Pages: "Maximum number of QuickBooks Desktop list entries (list limits and custom fields)"
(community.intuit.com/articles/1768244); "Data extensions: custom fields and private data"
(developer.intuit.com ... /tutorials/data-extensions-custom-fields-and-private-data); the OSR
pages DataExtAdd, DataExtMod, DataExtDel and DataExtDefAdd.
"""

from __future__ import annotations

import pytest
from lxml.builder import E

from sfqb.sandbox.qbd import SandboxError


def _define(qb, name: str, *lists: str, data_type: str = "STR255TYPE"):
    return qb.one(
        E.DataExtDefAddRq(
            E.DataExtDefAdd(
                E.OwnerID("0"),
                E.DataExtName(name),
                E.DataExtType(data_type),
                *[E.AssignToObject(x) for x in lists],
            )
        )
    )


def _value(op: str, name: str, list_id: str, value: str | None = None, list_type="Customer"):
    children = [
        E.OwnerID("0"),
        E.DataExtName(name),
        E.ListDataExtType(list_type),
        E.ListObjRef(E.ListID(list_id)),
    ]
    if value is not None:
        children.append(E.DataExtValue(value))
    return getattr(E, f"{op}Rq")(getattr(E, op)(*children))


@pytest.mark.parametrize(("edition", "customer", "item"), [("Pro", 7, 5), ("Enterprise", 12, 15)])
def test_slot_limits_per_list_and_edition_intuit_list_limits_article(
    make_company, edition, customer, item
):
    """Intuit's list-limits article: items 5 (Pro/Premier) / 15 (Enterprise); names 7 / 12."""
    qb = make_company(edition=edition)
    for n in range(customer):
        assert qb.status(_define(qb, f"C{n}", "Customer"))[0] == 0
    code, _, message = qb.status(_define(qb, "OneTooMany", "Customer"))
    assert code == 3180
    assert "All custom fields of Customer are in use" in message
    for n in range(item):
        assert qb.status(_define(qb, f"I{n}", "Item"))[0] == 0
    assert qb.status(_define(qb, "ItemTooMany", "Item"))[0] == 3180
    # A field on customers and items needs a slot on both lists.
    assert qb.status(_define(qb, "Both", "Customer", "Item"))[0] == 3180


def test_name_lists_share_a_total_intuit_list_limits_article(make_company):
    """Pro/Premier: 15 custom fields for customers, vendors and employees together."""
    qb = make_company(edition="Premier")
    for n in range(7):
        assert qb.status(_define(qb, f"V{n}", "Vendor"))[0] == 0
    for n in range(7):
        assert qb.status(_define(qb, f"E{n}", "Employee"))[0] == 0
    assert qb.status(_define(qb, "C0", "Customer"))[0] == 0
    code, _, message = qb.status(_define(qb, "C1", "Customer"))
    assert code == 3180
    assert "Customer/Vendor/Employee" in message


def test_custom_fields_are_str255_on_lists_only_data_extensions_tutorial(qb):
    """Tutorial: custom fields only for customers, employees, items, vendors; STR255 type."""
    assert qb.status(_define(qb, "Amount", "Customer", data_type="AMTTYPE"))[0] == 3210
    assert qb.status(_define(qb, "OnInvoice", "Invoice"))[0] == 3210


def test_ui_definitions_take_slots_too(make_company):
    qb = make_company(edition="Pro")
    for n in range(5):
        qb.company.define_custom_field_as_user(f"I{n}", "Item")
    with pytest.raises(SandboxError, match="All custom fields of Item are in use"):
        qb.company.define_custom_field_as_user("Extra", "Item")
    assert qb.status(_define(qb, "SalesforceID", "Customer", "Item"))[0] == 3180


def test_customer_field_inherited_by_invoice_data_extensions_tutorial(qb):
    """Tutorial "Custom fields propagate from list items to transactions"; DataExtDefAdd OSR."""
    qb.company.define_custom_field_as_user("SalesforceID", "Customer", "Item")
    list_id = qb.add_customer("Inherit Co").findtext("ListID")
    qb.add_service("Consulting")
    qb.company.set_custom_field_as_user(list_id, "SalesforceID", "001000000000001AAA")
    invoice = qb.ok(
        E.InvoiceAddRq(
            E.InvoiceAdd(
                E.CustomerRef(E.ListID(list_id)),
                E.InvoiceLineAdd(E.ItemRef(E.FullName("Consulting")), E.Amount("5.00")),
            )
        )
    )
    txn_id = invoice.findtext("TxnID")
    shown = qb.one(E.InvoiceQueryRq(E.TxnID(txn_id), E.OwnerID("0")))[0]
    values = [
        (x.findtext("DataExtName"), x.findtext("DataExtValue")) for x in shown.iter("DataExtRet")
    ]
    assert values == [("SalesforceID", "001000000000001AAA")]
    private = qb.one(E.InvoiceQueryRq(E.TxnID(txn_id)))[0]
    assert private.find("DataExtRet") is None


def test_data_ext_add_and_mod_modify_the_parent_osr_dataextadd(qb):
    """OSR DataExtAdd/Mod: a Modify event on the parent; DataExtRet has no EditSequence."""
    qb.company.define_custom_field_as_user("SalesforceID", "Customer")
    added = qb.add_customer("Parent Co")
    list_id, before = added.findtext("ListID"), added.findtext("EditSequence")
    qb.clock.advance(seconds=5)
    ret = qb.ok(_value("DataExtAdd", "SalesforceID", list_id, "001A"))
    assert ret.find("EditSequence") is None
    after = qb.company.get(list_id)
    assert after.edit_sequence != before
    assert after.time_modified > qb.company.get(list_id).time_created
    stale = qb.one(
        E.CustomerModRq(E.CustomerMod(E.ListID(list_id), E.EditSequence(before), E.Phone("1")))
    )
    assert qb.status(stale)[0] == 3200
    qb.clock.advance(seconds=5)
    qb.ok(_value("DataExtMod", "SalesforceID", list_id, "001B"))
    assert qb.company.get(list_id).edit_sequence != after.edit_sequence


def _customer_with_value(qb, name: str) -> str:
    qb.company.define_custom_field_as_user("SalesforceID", "Customer")
    list_id = qb.add_customer(name).findtext("ListID")
    qb.ok(_value("DataExtAdd", "SalesforceID", list_id, "001A"))
    return list_id


def test_add_on_existing_value_errors_and_mod_replaces_osr_dataextmod(qb):
    list_id = _customer_with_value(qb, "Twice Co")
    again = qb.one(_value("DataExtAdd", "SalesforceID", list_id, "001B"))
    assert qb.status(again)[0] == 3180
    qb.ok(_value("DataExtMod", "SalesforceID", list_id, "001B"))
    assert qb.company.custom_field(list_id, "SalesforceID") == "001B"


def test_only_data_ext_del_clears_a_value_osr_dataextdel(qb):
    """OSR DataExtDel/DataExtMod: "The DataExtMod request cannot be used to clear the field"."""
    list_id = _customer_with_value(qb, "Clear Co")
    empty = qb.one(_value("DataExtMod", "SalesforceID", list_id, ""))
    assert qb.status(empty)[0] == 3210
    sequence = qb.company.get(list_id).edit_sequence
    qb.clock.advance(seconds=5)
    deleted = qb.ok(_value("DataExtDel", "SalesforceID", list_id))
    assert deleted.tag == "DataExtDelRet"
    assert qb.company.custom_field(list_id, "SalesforceID") is None
    assert qb.company.get(list_id).edit_sequence != sequence
    assert qb.status(qb.one(_value("DataExtDel", "SalesforceID", list_id)))[0] == 3120


def test_value_only_on_assigned_object_type_osr_dataextadd(qb):
    """OSR DataExtAdd: the definition must exist for the target object type."""
    qb.company.define_custom_field_as_user("AccountID", "Customer")
    item_id = qb.add_service("Svc").findtext("ListID")
    refused = qb.one(_value("DataExtAdd", "AccountID", item_id, "x", list_type="Item"))
    assert qb.status(refused)[0] == 3120


def test_user_sets_and_clears_a_custom_field(qb):
    qb.company.define_custom_field_as_user("SalesforceID", "Customer")
    list_id = qb.add_customer("User Co").findtext("ListID")
    sequence = qb.company.get(list_id).edit_sequence
    qb.clock.advance(seconds=5)
    qb.company.set_custom_field_as_user(list_id, "SalesforceID", "001A")
    assert qb.company.custom_field(list_id, "SalesforceID") == "001A"
    assert qb.company.get(list_id).edit_sequence != sequence
    qb.company.set_custom_field_as_user(list_id, "SalesforceID", "")
    assert qb.company.custom_field(list_id, "SalesforceID") is None
    with pytest.raises(SandboxError):
        qb.company.set_custom_field_as_user(list_id, "NoSuchField", "x")


def test_a_vendor_takes_a_public_value_qbxml120_xsd_listdataexttype_vendor(qb):
    """qbxml120.xsd: ListDataExtType and AssignToObject both list Vendor; the data extensions
    tutorial names vendors among the lists with public custom fields. The value is on the
    vendor (its VendorQuery with OwnerID 0 returns it), and a field not assigned to vendors
    takes none (OSR DataExtAdd: the definition must exist for the target object type)."""
    qb.company.define_custom_field_as_user("SalesforceID", "Customer", "Vendor")
    qb.company.define_custom_field_as_user("CustomerOnly", "Customer")
    vendor = qb.company.add_as_user("Vendor", "Harbor Supply")
    qb.ok(_value("DataExtAdd", "SalesforceID", vendor.id, "001A", list_type="Vendor"))
    assert qb.company.custom_field(vendor.id, "SalesforceID") == "001A"
    shown = qb.one(E.VendorQueryRq(E.ListID(vendor.id), E.OwnerID("0")))[0]
    ext = shown.find("DataExtRet")
    assert ext is not None and ext.findtext("DataExtValue") == "001A"
    refused = qb.one(_value("DataExtAdd", "CustomerOnly", vendor.id, "x", list_type="Vendor"))
    assert qb.status(refused)[0] == 3120
