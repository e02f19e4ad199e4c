"""Building qbXML: every request validates against Intuit's 12.0 schema; values and envelope."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from sfqb.connectors.qbd.qbxml import (
    DEFAULT_RULES,
    PUBLIC_OWNER_ID,
    SFQB_OWNER_ID,
    ActiveStatus,
    Address,
    AssignToObject,
    CompanyQuery,
    CreditMemoAdd,
    CreditMemoMod,
    CustomerAdd,
    CustomerMod,
    DataExtAdd,
    DataExtDefQuery,
    EstimateAdd,
    EstimateMod,
    HostQuery,
    InvoiceAdd,
    InvoiceMod,
    ItemInventoryAdd,
    ItemInventoryMod,
    ItemNonInventoryAdd,
    ItemNonInventoryMod,
    ItemServiceAdd,
    ItemServiceMod,
    Iterator,
    IteratorAction,
    LineAdd,
    LineMod,
    ListDataExtType,
    ListDeletedQuery,
    ListDelType,
    ListQuery,
    ListType,
    ModifiedDateRange,
    PaidStatus,
    PreferencesQuery,
    QbxmlFieldError,
    QbxmlRequestError,
    Ref,
    Request,
    SalesAndPurchase,
    SalesOrderAdd,
    SalesOrderMod,
    SalesOrPurchase,
    SalesReceiptAdd,
    SalesReceiptMod,
    TxnDataExtType,
    TxnDateRange,
    TxnDeletedQuery,
    TxnDelType,
    TxnQuery,
    TxnType,
    VendorAdd,
    VendorMod,
    build_message_set,
    build_request,
    clear_salesforce_id,
    compose_message_set,
    continue_query,
    format_datetime,
    format_decimal,
    message_set_of,
    public_field_definition,
    read_message_set,
    salesforce_id_definition,
    sanitize,
    set_salesforce_id,
    stop_query,
)
from sfqb.connectors.qbd.qbxml.model import Kind

SINCE = datetime(2024, 5, 1, 8, 30, tzinfo=timezone(timedelta(hours=-7)))
ADDRESS = Address(addr1="1 Main St", city="Springfield", state="IL", postal_code="62701")
LINE = LineAdd(
    item=Ref(full_name="Consulting"),
    desc="Hours",
    quantity=Decimal("2.5"),
    rate=Decimal("120"),
    amount=Decimal("300"),
)


def every_request() -> dict[str, Request]:
    """One (or more) of each request the codec can produce, with most fields filled."""
    sales = SalesAndPurchase(
        sales_desc="Sold",
        sales_price=Decimal("9.99"),
        income_account=Ref(full_name="Sales"),
        purchase_desc="Bought",
        purchase_cost=Decimal("4.12345"),
        expense_account=Ref(full_name="COGS"),
        pref_vendor=Ref(full_name="Supplier"),
    )
    one_side = SalesOrPurchase(desc="Hourly", price=Decimal("120"), account=Ref(list_id="8-1"))
    return {
        "host": HostQuery(),
        "company": CompanyQuery(owner_ids=(SFQB_OWNER_ID,)),
        "prefs": PreferencesQuery(),
        "cust-add": CustomerAdd(
            name="Acme Corp",
            is_active=True,
            parent=Ref(full_name="Holding"),
            company_name="Acme Corporation",
            salutation="Ms.",
            first_name="Ada",
            last_name="Lovelace",
            job_title="CEO",
            bill_address=ADDRESS,
            ship_address=ADDRESS,
            phone="555-0100",
            alt_phone="555-0101",
            fax="555-0102",
            email="ada@example.com",
            terms=Ref(full_name="Net 30"),
            account_number="001A000001",
            credit_limit=Decimal("5000"),
            notes="First line\nSecond line",
            currency=Ref(full_name="US Dollar"),
        ),
        "cust-mod": CustomerMod(
            list_id="80000001-1700000000",
            edit_sequence="1700000000",
            name="Acme Corp.",
            is_active=False,
            bill_address=ADDRESS,
            email="new@example.com",
        ),
        "cust-query": ListQuery(
            list_type=ListType.CUSTOMER,
            max_returned=100,
            active_status=ActiveStatus.ALL,
            from_modified_date=SINCE,
            owner_ids=(SFQB_OWNER_ID,),
            iterator=Iterator(IteratorAction.START),
        ),
        "cust-by-id": ListQuery(list_type=ListType.CUSTOMER, list_ids=("80000001-1", "80000002-1")),
        "vend-add": VendorAdd(
            name="Supplier",
            company_name="Supplier Ltd",
            first_name="Bo",
            last_name="Lee",
            address=ADDRESS,
            phone="555-0200",
            email="bo@example.com",
            name_on_check="Supplier Ltd",
            account_number="V-1",
            notes="n",
            terms=Ref(full_name="Net 15"),
            credit_limit=Decimal("100.5"),
            tax_ident="12-3456789",
            eligible_for_1099=True,
        ),
        "vend-mod": VendorMod(list_id="80000003-1", edit_sequence="1", phone="555-0201"),
        "vend-query": ListQuery(
            list_type=ListType.VENDOR, full_names=("Supplier",), owner_ids=(SFQB_OWNER_ID,)
        ),
        "svc-add": ItemServiceAdd(
            name="Consulting", class_ref=Ref(full_name="East"), sales_or_purchase=one_side
        ),
        "svc-add2": ItemServiceAdd(name="Resold service", sales_and_purchase=sales),
        "svc-mod": ItemServiceMod(
            list_id="8-2", edit_sequence="2", name="Consulting+", sales_or_purchase=one_side
        ),
        "noninv-add": ItemNonInventoryAdd(
            name="Widget",
            parent=Ref(full_name="Parts"),
            class_ref=Ref(full_name="East"),
            manufacturer_part_number="W-1",
            sales_tax_code=Ref(full_name="Tax"),
            sales_or_purchase=one_side,
        ),
        "noninv-mod": ItemNonInventoryMod(
            list_id="8-3",
            edit_sequence="3",
            class_ref=Ref(full_name="East"),
            parent=Ref(full_name="Parts"),
            sales_and_purchase=sales,
        ),
        "inv-add": ItemInventoryAdd(
            name="Gadget",
            sales_desc="A gadget",
            sales_price=Decimal("19.95"),
            income_account=Ref(full_name="Sales"),
            purchase_cost=Decimal("7"),
            cogs_account=Ref(full_name="Cost of Goods Sold"),
            pref_vendor=Ref(full_name="Supplier"),
            asset_account=Ref(full_name="Inventory Asset"),
            reorder_point=Decimal("5"),
            quantity_on_hand=Decimal("12.5"),
            total_value=Decimal("87.50"),
        ),
        "inv-mod": ItemInventoryMod(list_id="8-4", edit_sequence="4", sales_price=Decimal("21")),
        "item-query": ListQuery(
            list_type=ListType.ITEM,
            active_status=ActiveStatus.ALL,
            from_modified_date=SINCE,
            to_modified_date=SINCE + timedelta(days=1),
            include_ret_elements=("ListID", "EditSequence", "Name"),
            owner_ids=(SFQB_OWNER_ID,),
        ),
        "invoice-add": InvoiceAdd(
            customer=Ref(list_id="80000001-1"),
            class_ref=Ref(full_name="East"),
            ar_account=Ref(full_name="Accounts Receivable"),
            txn_date=date(2024, 5, 2),
            ref_number="INV-0001",
            bill_address=ADDRESS,
            ship_address=ADDRESS,
            po_number="PO-9",
            terms=Ref(full_name="Net 30"),
            due_date=date(2024, 6, 1),
            memo="Thank you",
            is_to_be_printed=False,
            lines=(LINE, LineAdd(desc="Free text only")),
        ),
        "invoice-mod": InvoiceMod(
            txn_id="1A-1700000000",
            edit_sequence="1700000001",
            memo="Changed",
            lines=(LineMod(txn_line_id="1B-1", amount=Decimal("10")), LineMod(txn_line_id="-1")),
        ),
        "invoice-query": TxnQuery(
            txn_type=TxnType.INVOICE,
            max_returned=50,
            modified_date_range=ModifiedDateRange(from_modified_date=SINCE),
            entity=Ref(full_name="Acme Corp"),
            paid_status=PaidStatus.ALL,
            include_line_items=True,
            include_linked_txns=True,
            owner_ids=(SFQB_OWNER_ID,),
            iterator=Iterator(IteratorAction.START),
        ),
        "sr-add": SalesReceiptAdd(
            customer=Ref(full_name="Acme Corp"),
            txn_date=date(2024, 5, 3),
            ref_number="SR-1",
            check_number="1001",
            payment_method=Ref(full_name="Check"),
            memo="Paid",
            deposit_to_account=Ref(full_name="Undeposited Funds"),
            lines=(LINE,),
        ),
        "sr-mod": SalesReceiptMod(
            txn_id="2A-1", edit_sequence="1", lines=(LineMod(txn_line_id="-1"),)
        ),
        "sr-query": TxnQuery(txn_type=TxnType.SALES_RECEIPT, ref_numbers=("SR-1",)),
        "est-add": EstimateAdd(
            customer=Ref(full_name="Acme Corp"),
            is_active=True,
            po_number="PO-1",
            memo="Quote",
            lines=(LINE,),
        ),
        "est-mod": EstimateMod(txn_id="3A-1", edit_sequence="1", is_active=False),
        "est-query": TxnQuery(
            txn_type=TxnType.ESTIMATE, txn_ids=("3A-1",), include_line_items=True
        ),
        "cm-add": CreditMemoAdd(
            customer=Ref(full_name="Acme Corp"),
            ar_account=Ref(full_name="Accounts Receivable"),
            memo="Returned goods",
            lines=(LINE,),
        ),
        "cm-mod": CreditMemoMod(
            txn_id="4A-1", edit_sequence="1", lines=(LineMod(txn_line_id="-1"),)
        ),
        "cm-query": TxnQuery(
            txn_type=TxnType.CREDIT_MEMO, txn_ids=("4A-1",), include_linked_txns=True
        ),
        "so-add": SalesOrderAdd(
            customer=Ref(full_name="Acme Corp"),
            txn_date=date(2024, 5, 3),
            ref_number="00000101",
            po_number="PO-7",
            is_manually_closed=False,
            memo="Order",
            lines=(LINE,),
        ),
        "so-mod": SalesOrderMod(
            txn_id="4A-1", edit_sequence="1", lines=(LineMod(txn_line_id="-1"),)
        ),
        "so-query": TxnQuery(
            txn_type=TxnType.SALES_ORDER,
            txn_ids=("4A-1",),
            include_line_items=True,
            include_linked_txns=True,
        ),
        "pay-query": TxnQuery(
            txn_type=TxnType.RECEIVE_PAYMENT,
            txn_date_range=TxnDateRange(
                from_txn_date=date(2024, 1, 1), to_txn_date=date(2024, 12, 31)
            ),
            include_line_items=True,
            owner_ids=(SFQB_OWNER_ID,),
        ),
        "def-add": salesforce_id_definition(),
        "def-query": DataExtDefQuery(owner_ids=(SFQB_OWNER_ID,)),
        "ext-add": set_salesforce_id(
            ListDataExtType.CUSTOMER, "80000001-1", "001Aa00000XyZ12AAB", exists=False
        ),
        "ext-mod": set_salesforce_id(
            TxnDataExtType.INVOICE, "1A-1700000000", "006Aa00000XyZ12AAB", exists=True
        ),
        "public-def-add": public_field_definition(
            "SalesforceID", (AssignToObject.CUSTOMER, AssignToObject.ITEM)
        ),
        "public-def-query": DataExtDefQuery(owner_ids=(PUBLIC_OWNER_ID,)),
        "public-ext-add": set_salesforce_id(
            ListDataExtType.ITEM,
            "80000002-1",
            "01tAa00000XyZ12AAB",
            exists=False,
            field="AccountID",
        ),
        "public-ext-mod": set_salesforce_id(
            ListDataExtType.CUSTOMER, "80000001-1", "001Aa00000XyZ12AAB", exists=True, field="X"
        ),
        "ext-del-list": clear_salesforce_id(
            ListDataExtType.CUSTOMER, "80000001-1", field="SalesforceID"
        ),
        "ext-del-txn": clear_salesforce_id(TxnDataExtType.INVOICE, "1A-1700000000"),
        "list-deleted": ListDeletedQuery(list_del_types=tuple(ListDelType)),
        "txn-deleted": TxnDeletedQuery(txn_del_types=tuple(TxnDelType)),
    }


@pytest.mark.parametrize("request_id", list(every_request()))
def test_every_request_validates_against_the_schema(
    request_id: str, schema_errors: Callable[[str], list[str]]
) -> None:
    xml = build_message_set({request_id: every_request()[request_id]}, "13.0")
    assert schema_errors(xml) == []


def test_one_message_set_with_every_request_validates(
    schema_errors: Callable[[str], list[str]],
) -> None:
    built = compose_message_set(every_request(), "12.0")
    assert schema_errors(built.xml) == []
    assert built.request_ids == tuple(every_request())
    assert built.request_types["cust-add"] == "CustomerAdd"
    assert built.request_types["cust-query"] == "CustomerQuery"
    assert built.all_changes == ()


def test_iterator_continue_and_stop_validate(schema_errors: Callable[[str], list[str]]) -> None:
    start = ListQuery(list_type=ListType.CUSTOMER, max_returned=10, active_status=ActiveStatus.ALL)
    iterator_id = "{e3a1c5b0-6f33-4b0a-9d2e-0c1f2a3b4c5d}"
    more = continue_query(start, iterator_id)
    stop = stop_query(TxnQuery(txn_type=TxnType.INVOICE, max_returned=10), iterator_id)
    xml = build_message_set([more, stop], "13.0")
    assert schema_errors(xml) == []
    root = etree.fromstring(xml.encode())
    rqs = root.find("QBXMLMsgsRq")
    assert rqs is not None
    first, second = list(rqs)
    assert (first.get("iterator"), first.get("iteratorID")) == ("Continue", iterator_id)
    assert (second.get("iterator"), second.get("iteratorID")) == ("Stop", iterator_id)
    assert first.findtext("MaxReturned") == "10"
    assert first.findtext("ActiveStatus") == "All"


def test_envelope_header_version_on_error_and_request_ids() -> None:
    xml = build_message_set([HostQuery(), PreferencesQuery()], "13.0")
    assert xml.startswith('<?xml version="1.0" encoding="utf-8"?>\n<?qbxml version="13.0"?>')
    root = etree.fromstring(xml.encode())
    assert root.tag == "QBXML"
    msgs = root.find("QBXMLMsgsRq")
    assert msgs is not None and msgs.get("onError") == "continueOnError"
    assert [(e.tag, e.get("requestID")) for e in msgs] == [
        ("HostQueryRq", "1"),
        ("PreferencesQueryRq", "2"),
    ]
    stop = build_message_set([HostQuery()], "12.0", on_error="stopOnError")
    assert 'onError="stopOnError"' in stop


def test_add_requests_wrap_fields_and_keep_schema_order() -> None:
    built = build_request(
        ItemNonInventoryAdd(
            name="W",
            class_ref=Ref(full_name="C"),
            parent=Ref(full_name="P"),
            sales_or_purchase=SalesOrPurchase(price=Decimal(1)),
        ),
        "r1",
    )
    inner = built.element.find("ItemNonInventoryAdd")
    assert inner is not None
    assert [e.tag for e in inner] == ["Name", "ParentRef", "ClassRef", "SalesOrPurchase"]
    mod = build_request(
        ItemNonInventoryMod(
            list_id="1", edit_sequence="2", class_ref=Ref(full_name="C"), parent=Ref(full_name="P")
        ),
        "r2",
    ).element.find("ItemNonInventoryMod")
    assert mod is not None
    assert [e.tag for e in mod] == ["ListID", "EditSequence", "ClassRef", "ParentRef"]


def test_markup_and_quotes_round_trip_escaped_by_lxml(
    schema_errors: Callable[[str], list[str]],
) -> None:
    name = """Tom & Jerry's <"Cheese"> Co"""
    memo = "a < b && c > d; 'single' \"double\""
    built = compose_message_set(
        {"c": CustomerAdd(name=name), "i": InvoiceAdd(customer=Ref(full_name=name), memo=memo)},
        "13.0",
    )
    assert "&amp;" in built.xml and "&lt;" in built.xml
    assert schema_errors(built.xml) == []
    root = etree.fromstring(built.xml.encode())
    assert root.findtext(".//CustomerAdd/Name") == name
    assert root.findtext(".//InvoiceAdd/CustomerRef/FullName") == name
    assert root.findtext(".//InvoiceAdd/Memo") == memo
    assert built.all_changes == ()


def test_accented_latin_round_trips_unchanged() -> None:
    name = "Société Générale Ærøskøbing Müller"
    built = compose_message_set({"c": CustomerAdd(name=name)}, "13.0")
    assert built.changes["c"] == ()
    assert etree.fromstring(built.xml.encode()).findtext(".//Name") == name


def test_unstorable_text_is_transliterated_and_reported(
    schema_errors: Callable[[str], list[str]],
) -> None:
    built = compose_message_set(
        {"c": CustomerAdd(name="“Smart” Café 😀 Őrség", notes="tab\there\nnext")}, "13.0"
    )
    assert schema_errors(built.xml) == []
    (change,) = built.changes["c"]
    assert change.field == "CustomerAdd/Name"
    assert change.original == "“Smart” Café 😀 Őrség"
    assert change.sent == '"Smart" Café ? Orség'
    assert "😀" in change.reason and "'?'" in change.reason
    root = etree.fromstring(built.xml.encode())
    assert root.findtext(".//Name") == change.sent
    assert root.findtext(".//Notes") == "tab\there\nnext"


def test_name_of_42_characters_is_refused_before_sending() -> None:
    with pytest.raises(QbxmlFieldError) as caught:
        build_message_set([CustomerAdd(name="A" * 42)], "13.0")
    error = caught.value
    assert (error.obj, error.field, error.limit) == ("CustomerAdd", "Name", 41)
    assert "CustomerAdd.Name" in str(error) and "41" in str(error) and "AAAA" in str(error)
    assert "\n" not in str(error)
    build_message_set([CustomerAdd(name="A" * 41)], "13.0")


@pytest.mark.parametrize(
    ("request_", "field", "limit"),
    [
        (ItemServiceAdd(name="S" * 32, sales_or_purchase=SalesOrPurchase()), "Name", 31),
        (InvoiceAdd(customer=Ref(full_name="A"), ref_number="R" * 12), "RefNumber", 11),
        (CustomerAdd(name="A", first_name="F" * 26), "FirstName", 25),
        (CustomerAdd(name="A", phone="5" * 22), "Phone", 21),
        (CustomerAdd(name="A", parent=Ref(full_name="P" * 210)), "ParentRef/FullName", 209),
        (CustomerAdd(name="A", bill_address=Address(city="C" * 32)), "BillAddress/City", 31),
        (CustomerMod(list_id="1", edit_sequence="9" * 17), "EditSequence", 16),
        (
            DataExtAdd(
                owner_id=SFQB_OWNER_ID,
                name="SalesforceID",
                list_type=ListDataExtType.CUSTOMER,
                list_obj=Ref(list_id="1"),
                value="x" * 256,
            ),
            "DataExtValue",
            255,
        ),
    ],
)
def test_field_limits_name_object_field_and_limit(
    request_: Request, field: str, limit: int
) -> None:
    with pytest.raises(QbxmlFieldError) as caught:
        build_request(request_, "1")
    assert (caught.value.field, caught.value.limit) == (field, limit)
    assert caught.value.obj == request_.request_type


@pytest.mark.parametrize("name", ["Parent:Child", "Full\uff1awidth colon"])
def test_colon_in_a_name_is_refused(name: str) -> None:
    with pytest.raises(QbxmlFieldError, match="colon") as caught:
        build_request(CustomerAdd(name=name), "1")
    assert caught.value.field == "Name"


def test_colon_is_fine_in_a_full_name_reference(schema_errors: Callable[[str], list[str]]) -> None:
    xml = build_message_set(
        [CustomerAdd(name="Unit 4", parent=Ref(full_name="Palm:Court"))], "13.0"
    )
    assert schema_errors(xml) == []


@pytest.mark.parametrize("name", ["", "   ", "\u200d\ufe0f"])
def test_blank_name_is_refused(name: str) -> None:
    with pytest.raises(QbxmlFieldError, match="empty"):
        build_request(CustomerAdd(name=name), "1")


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (Decimal("10"), Kind.AMOUNT, "10.00"),
        (Decimal("10.5"), Kind.AMOUNT, "10.50"),
        (Decimal("-3.10"), Kind.AMOUNT, "-3.10"),
        (Decimal("-0"), Kind.AMOUNT, "0.00"),
        (7, Kind.AMOUNT, "7.00"),
        (Decimal("12.50000"), Kind.PRICE, "12.5"),
        (Decimal("0.12345"), Kind.QUANTITY, "0.12345"),
        (Decimal("100"), Kind.QUANTITY, "100"),
        (Decimal("1E+2"), Kind.PRICE, "100"),
    ],
)
def test_numbers_are_formatted_per_qbxml_type(value: Decimal, kind: Kind, text: str) -> None:
    assert format_decimal(value, kind, "X/Y") == text


@pytest.mark.parametrize(
    ("value", "kind", "problem"),
    [
        (Decimal("10.005"), Kind.AMOUNT, "more than 2 decimals"),
        (Decimal("1.123456"), Kind.PRICE, "more than 5 decimals"),
        (Decimal("1e13"), Kind.AMOUNT, "integer digits"),
        (Decimal("NaN"), Kind.AMOUNT, "finite"),
        (Decimal("Infinity"), Kind.QUANTITY, "finite"),
    ],
)
def test_numbers_that_do_not_fit_are_refused(value: Decimal, kind: Kind, problem: str) -> None:
    with pytest.raises(QbxmlFieldError, match=problem):
        format_decimal(value, kind, "InvoiceAdd/Amount")


def test_float_amounts_are_refused() -> None:
    line = LineAdd(amount=0.1)  # type: ignore[arg-type]
    with pytest.raises(QbxmlFieldError):
        build_request(InvoiceAdd(customer=Ref(list_id="1"), lines=(line,)), "1")


def test_datetimes_carry_their_offset() -> None:
    assert format_datetime(SINCE) == "2024-05-01T08:30:00-07:00"
    assert format_datetime(datetime(2024, 1, 2, 3, 4, 5, 999, tzinfo=UTC)) == (
        "2024-01-02T03:04:05+00:00"
    )
    assert format_datetime(datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05"  # noqa: DTZ001


@pytest.mark.parametrize(
    "make",
    [
        lambda: ListQuery(list_type=ListType.CUSTOMER, list_ids=("1",), max_returned=5),
        lambda: ListQuery(list_type=ListType.CUSTOMER, list_ids=("1",), full_names=("A",)),
        lambda: ListQuery(list_type=ListType.VENDOR, max_returned=0),
        lambda: TxnQuery(txn_type=TxnType.SALES_RECEIPT, paid_status=PaidStatus.ALL),
        lambda: TxnQuery(txn_type=TxnType.RECEIVE_PAYMENT, include_linked_txns=True),
        lambda: TxnQuery(txn_type=TxnType.INVOICE, entity=Ref(list_id="1", full_name="A")),
        lambda: TxnQuery(
            txn_type=TxnType.INVOICE,
            modified_date_range=ModifiedDateRange(from_modified_date=SINCE),
            txn_date_range=TxnDateRange(from_txn_date=date(2024, 1, 1)),
        ),
        lambda: Iterator(IteratorAction.START, "{x}"),
        lambda: Iterator(IteratorAction.CONTINUE),
        Ref,
        lambda: ItemServiceAdd(name="S"),
        lambda: ItemServiceAdd(
            name="S", sales_or_purchase=SalesOrPurchase(), sales_and_purchase=SalesAndPurchase()
        ),
        lambda: SalesReceiptAdd(lines=()),
        lambda: EstimateAdd(customer=Ref(list_id="1")),
        lambda: DataExtAdd(owner_id=SFQB_OWNER_ID, name="X", value="v"),
        lambda: DataExtAdd(
            owner_id=SFQB_OWNER_ID,
            name="X",
            value="v",
            list_type=ListDataExtType.CUSTOMER,
            list_obj=Ref(list_id="1"),
            txn_type=TxnDataExtType.INVOICE,
            txn_id="1",
        ),
        lambda: DataExtDefQuery(owner_ids=(SFQB_OWNER_ID,), assign_to=(AssignToObject.CUSTOMER,)),
        lambda: ListDeletedQuery(list_del_types=()),
    ],
)
def test_impossible_requests_are_refused_when_made(make: Callable[[], object]) -> None:
    with pytest.raises(QbxmlRequestError):
        make()


@pytest.mark.parametrize(
    "requests",
    [
        {"x" * 51: HostQuery()},
        {"": HostQuery()},
        {"id with space": HostQuery()},
        {},
    ],
)
def test_bad_request_ids_and_empty_sets_are_refused(requests: dict[str, Request]) -> None:
    with pytest.raises(QbxmlRequestError):
        build_message_set(requests, "13.0")


def test_fifty_character_request_id_is_accepted() -> None:
    assert 'requestID="' + "x" * 50 + '"' in build_message_set({"x" * 50: HostQuery()}, "13.0")


@pytest.mark.parametrize(("version", "on_error"), [("13", "continueOnError"), ("13.0", "skip")])
def test_bad_version_or_on_error_is_refused(version: str, on_error: str) -> None:
    with pytest.raises(QbxmlRequestError):
        build_message_set([HostQuery()], version, on_error)


@pytest.mark.parametrize(
    "request_",
    [
        CompanyQuery(owner_ids=("sfqb",)),
        CustomerMod(list_id="80000001 1", edit_sequence="1"),
        CustomerMod(list_id="8-1", edit_sequence="é"),
    ],
)
def test_malformed_ids_and_guids_are_refused(request_: Request) -> None:
    with pytest.raises(QbxmlFieldError):
        build_request(request_, "1")


def test_a_bad_field_fails_the_whole_set_and_returns_nothing() -> None:
    with pytest.raises(QbxmlFieldError):
        compose_message_set([HostQuery(), CustomerAdd(name="A:B")], "13.0")


def test_read_message_set_gives_version_policy_and_requests() -> None:
    built = compose_message_set({"a": CustomerAdd(name="A & B"), "q": HostQuery()}, "12.0")
    incoming = read_message_set(built.xml)
    assert (incoming.version, incoming.on_error) == ("12.0", "continueOnError")
    assert [(r.request_type, r.request_id) for r in incoming.requests] == [
        ("CustomerAdd", "a"),
        ("HostQuery", "q"),
    ]
    assert incoming.requests[0].element.findtext("CustomerAdd/Name") == "A & B"


@pytest.mark.parametrize(
    "xml",
    ["", "<QBXML", "<Other/>", "<QBXML/>", "<QBXML><QBXMLMsgsRq><Foo/></QBXMLMsgsRq></QBXML>"],
)
def test_read_message_set_refuses_what_is_not_a_request_set(xml: str) -> None:
    with pytest.raises(QbxmlRequestError):
        read_message_set(xml)


@settings(max_examples=150, deadline=None)
@given(
    amount=st.decimals(
        min_value=Decimal("-9999999999999.99"),
        max_value=Decimal("9999999999999.99"),
        places=2,
        allow_nan=False,
        allow_infinity=False,
    ),
    quantity=st.decimals(
        min_value=Decimal("-9999999999.99999"),
        max_value=Decimal("9999999999.99999"),
        places=5,
        allow_nan=False,
        allow_infinity=False,
    ),
    text=st.text(max_size=60),
)
def test_any_fitting_amount_quantity_and_free_text_validate(
    amount: Decimal, quantity: Decimal, text: str, schema_errors: Callable[[str], list[str]]
) -> None:
    line = LineAdd(desc=text, quantity=quantity, rate=quantity, amount=amount)
    request = InvoiceAdd(customer=Ref(full_name="Acme"), memo=text, lines=(line,))
    built = compose_message_set([request], "13.0")
    assert schema_errors(built.xml) == []
    root = etree.fromstring(built.xml.encode())
    assert Decimal(root.findtext(".//Amount") or "") == amount
    assert Decimal(root.findtext(".//Quantity") or "") == quantity
    assert len(built.all_changes) == (
        0 if sanitize(text, "X/Memo", DEFAULT_RULES.text)[1] is None else 2
    )


def test_a_set_of_requests_built_already_is_the_set_composed_from_them() -> None:
    requests = {"a": CustomerAdd(name="Acme"), "b": CustomerAdd(name="“Smart” Café")}
    built = [build_request(request, rid) for rid, request in requests.items()]
    assembled = message_set_of(built, "13.0")
    composed = compose_message_set(requests, "13.0")
    assert assembled == composed
    with pytest.raises(QbxmlRequestError, match="appears twice"):
        message_set_of([build_request(CustomerAdd(name="A"), "a")] * 2, "13.0")
    with pytest.raises(QbxmlRequestError, match="at least one"):
        message_set_of([], "13.0")
    with pytest.raises(QbxmlRequestError, match="of the form"):
        message_set_of([build_request(CustomerAdd(name="A"), "a")], "13")
