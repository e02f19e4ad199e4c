"""Parsing qbXML responses: typed records, decoded statuses, requestID matching, bad input."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sfqb.codes import Catalog
from sfqb.connectors.qbd.qbxml import (
    SFQB_OWNER_ID,
    AddressRecord,
    CompanyRecord,
    CustomerRecord,
    DataExtDefRecord,
    DataExtValue,
    HostRecord,
    ItemRecord,
    ListDeletedRecord,
    MessageSetResponse,
    PaymentRecord,
    PreferencesRecord,
    QbxmlParseError,
    Ref,
    RequestResult,
    SalesTxnRecord,
    TxnDeletedRecord,
    VendorRecord,
    match_responses,
    negotiate_version,
    parse_response,
)
from sfqb.domain.status import Category, Severity, System

OWNER = SFQB_OWNER_ID
PST = timezone(timedelta(hours=-8))
MSG_3140 = (
    "There is an invalid reference to QuickBooks Customer &quot;Ghost Inc&quot; in the Invoice."
)

RESPONSE = f"""<?xml version="1.0" ?>
<QBXML>
<QBXMLMsgsRs>
<HostQueryRs requestID="host" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
  <HostRet>
    <ProductName>QuickBooks Enterprise Solutions 23.0</ProductName>
    <MajorVersion>33</MajorVersion>
    <MinorVersion>0</MinorVersion>
    <Country>US</Country>
    <SupportedQBXMLVersion>1.0</SupportedQBXMLVersion>
    <SupportedQBXMLVersion>12.0</SupportedQBXMLVersion>
    <SupportedQBXMLVersion>13.0</SupportedQBXMLVersion>
    <SupportedQBXMLVersion>16.0</SupportedQBXMLVersion>
    <IsAutomaticLogin>true</IsAutomaticLogin>
    <QBFileMode>MultiUser</QBFileMode>
  </HostRet>
</HostQueryRs>
<CompanyQueryRs requestID="company" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
  <CompanyRet>
    <IsSampleCompany>false</IsSampleCompany>
    <CompanyName>Palm Court Rentals</CompanyName>
    <LegalCompanyName>Palm Court Rentals LLC</LegalCompanyName>
    <Phone>555-0199</Phone>
    <Email>office@palmcourt.example</Email>
  </CompanyRet>
</CompanyQueryRs>
<PreferencesQueryRs requestID="prefs" statusCode="0" statusSeverity="Info"
  statusMessage="Status OK">
  <PreferencesRet>
    <AccountingPreferences>
      <IsUsingAccountNumbers>false</IsUsingAccountNumbers>
      <IsRequiringAccounts>true</IsRequiringAccounts>
      <IsUsingClassTracking>true</IsUsingClassTracking>
      <IsUsingAuditTrail>true</IsUsingAuditTrail>
      <IsAssigningJournalEntryNumbers>true</IsAssigningJournalEntryNumbers>
      <ClosingDate>2023-12-31</ClosingDate>
    </AccountingPreferences>
    <JobsAndEstimatesPreferences>
      <IsUsingEstimates>true</IsUsingEstimates>
      <IsUsingProgressInvoicing>false</IsUsingProgressInvoicing>
      <IsPrintingItemsWithZeroAmounts>false</IsPrintingItemsWithZeroAmounts>
    </JobsAndEstimatesPreferences>
    <MultiCurrencyPreferences>
      <IsMultiCurrencyOn>false</IsMultiCurrencyOn>
    </MultiCurrencyPreferences>
    <PurchasesAndVendorsPreferences>
      <IsUsingInventory>true</IsUsingInventory>
      <DaysBillsAreDue>10</DaysBillsAreDue>
      <IsAutomaticallyUsingDiscounts>false</IsAutomaticallyUsingDiscounts>
    </PurchasesAndVendorsPreferences>
  </PreferencesRet>
</PreferencesQueryRs>
<CustomerAddRs requestID="add-acme" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
  <CustomerRet>
    <ListID>80000001-1714550000</ListID>
    <TimeCreated>2024-05-01T08:30:00-08:00</TimeCreated>
    <TimeModified>2024-05-01T08:30:00-08:00</TimeModified>
    <EditSequence>1714550000</EditSequence>
    <Name>Acme &amp; Sons &lt;West&gt;</Name>
    <FullName>Acme &amp; Sons &lt;West&gt;</FullName>
    <IsActive>true</IsActive>
    <Sublevel>0</Sublevel>
    <CompanyName>Société Acme</CompanyName>
    <FirstName>Ada</FirstName>
    <LastName>Lovelace</LastName>
    <BillAddress>
      <Addr1>Société Acme</Addr1>
      <Addr2>Attn: Ada Lovelace</Addr2>
      <Addr3>12 Rue de la Paix</Addr3>
      <Addr4>Bâtiment B</Addr4>
      <Addr5>3e étage</Addr5>
      <City>Paris</City>
      <State>IDF</State>
      <PostalCode>75002</PostalCode>
      <Country>France</Country>
    </BillAddress>
    <ShipAddress>
      <Addr1>Dock 4 &amp; 5</Addr1>
      <City>Le Havre</City>
      <PostalCode>76600</PostalCode>
    </ShipAddress>
    <Phone>555-0100</Phone>
    <Fax>555-0199</Fax>
    <Email>ada@example.com</Email>
    <Balance>0.00</Balance>
    <TotalBalance>1250.50</TotalBalance>
    <AccountNumber>001A000001</AccountNumber>
    <DataExtRet>
      <OwnerID>{OWNER}</OwnerID>
      <DataExtName>SalesforceID</DataExtName>
      <DataExtType>STR255TYPE</DataExtType>
      <DataExtValue>001Aa00000XyZ12AAB</DataExtValue>
    </DataExtRet>
  </CustomerRet>
</CustomerAddRs>
<VendorAddRs requestID="add-dup" statusCode="3100" statusSeverity="Error"
  statusMessage="The name &quot;Acme Corp&quot; of the list element is already in use." />
<InvoiceAddRs requestID="inv-ghost" statusCode="3140" statusSeverity="Error"
  statusMessage="{MSG_3140}" />
<CustomerModRs requestID="mod-stale" statusCode="3200" statusSeverity="Error"
  statusMessage="The provided edit sequence &quot;1714550000&quot; is out-of-date." />
<CustomerQueryRs requestID="q-empty" statusCode="1" statusSeverity="Info"
  statusMessage="A query request did not find a matching object in QuickBooks" retCount="0" />
<CustomerQueryRs requestID="q-page" statusCode="0" statusSeverity="Info" statusMessage="Status OK"
  retCount="2" iteratorRemainingCount="18" iteratorID="{{eb05f701-e727-472f-8ade-6753c4f67a46}}">
  <CustomerRet>
    <ListID>80000002-1714550001</ListID>
    <TimeCreated>2024-05-01T08:31:00-08:00</TimeCreated>
    <TimeModified>2024-05-02T09:00:00-08:00</TimeModified>
    <EditSequence>1714665600</EditSequence>
    <Name>Unit 4</Name>
    <FullName>Palm Court:Unit 4</FullName>
    <IsActive>false</IsActive>
    <ParentRef><ListID>80000003-1</ListID><FullName>Palm Court</FullName></ParentRef>
    <Sublevel>1</Sublevel>
    <Balance>-10.00</Balance>
  </CustomerRet>
  <CustomerRet>
    <ListID>80000004-1714550002</ListID>
    <EditSequence>1714550002</EditSequence>
    <Name>Baker, Chris</Name>
    <FullName>Baker, Chris</FullName>
    <BillAddress />
  </CustomerRet>
</CustomerQueryRs>
<VendorQueryRs requestID="vendors" statusCode="0" statusSeverity="Info"
  statusMessage="Status OK" retCount="1">
  <VendorRet>
    <ListID>80000010-1</ListID>
    <EditSequence>1</EditSequence>
    <Name>Supplier</Name>
    <IsActive>true</IsActive>
    <CompanyName>Supplier Ltd</CompanyName>
    <Balance>99.95</Balance>
  </VendorRet>
</VendorQueryRs>
<ItemQueryRs requestID="items" statusCode="0" statusSeverity="Info"
  statusMessage="Status OK" retCount="2">
  <ItemServiceRet>
    <ListID>80000020-1</ListID>
    <EditSequence>5</EditSequence>
    <Name>Consulting</Name>
    <FullName>Consulting</FullName>
    <IsActive>true</IsActive>
    <SalesOrPurchase>
      <Desc>Hourly consulting</Desc>
      <Price>120.00</Price>
      <AccountRef><FullName>Services</FullName></AccountRef>
    </SalesOrPurchase>
  </ItemServiceRet>
  <ItemInventoryRet>
    <ListID>80000021-1</ListID>
    <EditSequence>6</EditSequence>
    <Name>Gadget</Name>
    <FullName>Parts:Gadget</FullName>
    <SalesDesc>A gadget</SalesDesc>
    <SalesPrice>19.95</SalesPrice>
    <PurchaseCost>7.12345</PurchaseCost>
    <QuantityOnHand>12.5</QuantityOnHand>
  </ItemInventoryRet>
</ItemQueryRs>
<InvoiceQueryRs requestID="invoices" statusCode="0" statusSeverity="Info"
  statusMessage="Status OK" retCount="1">
  <InvoiceRet>
    <TxnID>1A-1714550000</TxnID>
    <TimeCreated>2024-05-01T10:00:00-08:00</TimeCreated>
    <TimeModified>2024-05-01T10:05:00-08:00</TimeModified>
    <EditSequence>1714550300</EditSequence>
    <TxnNumber>42</TxnNumber>
    <CustomerRef><ListID>80000001-1714550000</ListID><FullName>Acme Corp</FullName></CustomerRef>
    <TxnDate>2024-05-01</TxnDate>
    <RefNumber>INV-0001</RefNumber>
    <DueDate>2024-05-31</DueDate>
    <Subtotal>300.00</Subtotal>
    <SalesTaxTotal>24.75</SalesTaxTotal>
    <BalanceRemaining>324.75</BalanceRemaining>
    <Memo>Thanks</Memo>
    <IsPaid>false</IsPaid>
    <InvoiceLineRet>
      <TxnLineID>1B-1</TxnLineID>
      <ItemRef><ListID>80000020-1</ListID><FullName>Consulting</FullName></ItemRef>
      <Desc>Hours</Desc>
      <Quantity>2.5</Quantity>
      <Rate>120.00</Rate>
      <Amount>300.00</Amount>
    </InvoiceLineRet>
    <DataExtRet>
      <OwnerID>{OWNER}</OwnerID>
      <DataExtName>SalesforceID</DataExtName>
      <DataExtType>STR255TYPE</DataExtType>
      <DataExtValue>006Aa00000XyZ12AAB</DataExtValue>
    </DataExtRet>
  </InvoiceRet>
</InvoiceQueryRs>
<SalesReceiptAddRs requestID="sr" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
  <SalesReceiptRet>
    <TxnID>2A-1</TxnID>
    <EditSequence>1</EditSequence>
    <TxnDate>2024-05-03</TxnDate>
    <RefNumber>SR-1</RefNumber>
    <TotalAmount>300.00</TotalAmount>
    <SalesReceiptLineRet>
      <TxnLineID>2B-1</TxnLineID>
      <Amount>300.00</Amount>
    </SalesReceiptLineRet>
  </SalesReceiptRet>
</SalesReceiptAddRs>
<EstimateQueryRs requestID="est" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
  <EstimateRet>
    <TxnID>3A-1</TxnID>
    <EditSequence>2</EditSequence>
    <CustomerRef><FullName>Acme Corp</FullName></CustomerRef>
    <TotalAmount>99.00</TotalAmount>
  </EstimateRet>
</EstimateQueryRs>
<ReceivePaymentQueryRs requestID="pay" statusCode="0" statusSeverity="Info"
  statusMessage="Status OK">
  <ReceivePaymentRet>
    <TxnID>4A-1</TxnID>
    <EditSequence>3</EditSequence>
    <CustomerRef><FullName>Acme Corp</FullName></CustomerRef>
    <TxnDate>2024-05-10</TxnDate>
    <RefNumber>CHK 1001</RefNumber>
    <TotalAmount>324.75</TotalAmount>
    <UnusedPayment>0.00</UnusedPayment>
    <AppliedToTxnRet>
      <TxnID>1A-1714550000</TxnID>
      <TxnType>Invoice</TxnType>
      <RefNumber>INV-0001</RefNumber>
      <Amount>324.75</Amount>
    </AppliedToTxnRet>
  </ReceivePaymentRet>
</ReceivePaymentQueryRs>
<DataExtDefQueryRs requestID="defs" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
  <DataExtDefRet>
    <OwnerID>{OWNER}</OwnerID>
    <DataExtID>7</DataExtID>
    <DataExtName>SalesforceID</DataExtName>
    <DataExtType>STR255TYPE</DataExtType>
    <AssignToObject>Customer</AssignToObject>
    <AssignToObject>Invoice</AssignToObject>
    <DataExtListRequire>false</DataExtListRequire>
    <DataExtTxnRequire>false</DataExtTxnRequire>
    <DataExtFormatString></DataExtFormatString>
  </DataExtDefRet>
</DataExtDefQueryRs>
<DataExtAddRs requestID="ext" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
  <DataExtRet>
    <OwnerID>{OWNER}</OwnerID>
    <DataExtName>SalesforceID</DataExtName>
    <DataExtType>STR255TYPE</DataExtType>
    <DataExtValue>001Aa00000XyZ12AAB</DataExtValue>
  </DataExtRet>
</DataExtAddRs>
<ListDeletedQueryRs requestID="ldel" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
  <ListDeletedRet>
    <ListDelType>Customer</ListDelType>
    <ListID>80000009-1</ListID>
    <TimeCreated>2024-01-01T00:00:00-08:00</TimeCreated>
    <TimeDeleted>2024-05-05T12:00:00-08:00</TimeDeleted>
    <FullName>Gone Co</FullName>
  </ListDeletedRet>
</ListDeletedQueryRs>
<TxnDeletedQueryRs requestID="tdel" statusCode="0" statusSeverity="Info" statusMessage="Status OK">
  <TxnDeletedRet>
    <TxnDelType>Invoice</TxnDelType>
    <TxnID>9A-1</TxnID>
    <TimeCreated>2024-01-01T00:00:00-08:00</TimeCreated>
    <TimeDeleted>2024-05-06T12:00:00-08:00</TimeDeleted>
    <RefNumber>INV-0009</RefNumber>
  </TxnDeletedRet>
</TxnDeletedQueryRs>
</QBXMLMsgsRs>
</QBXML>
"""


@pytest.fixture(scope="module")
def response(catalog: Catalog) -> MessageSetResponse:
    return parse_response(RESPONSE, catalog)


def _get(response: MessageSetResponse, request_id: str) -> RequestResult:
    found = response.get(request_id)
    assert found is not None, request_id
    return found


def test_sample_response_is_valid_qbxml(schema_errors: Callable[[str], list[str]]) -> None:
    assert schema_errors(RESPONSE) == []


def test_every_result_has_type_id_and_decoded_status(response: MessageSetResponse) -> None:
    assert len(response) == 19
    add = _get(response, "add-acme")
    assert (add.request_type, add.status_code, add.ok) == ("CustomerAdd", 0, True)
    assert add.status.system is System.QBXML and add.status.severity is Severity.INFO
    assert response.get("nope") is None


def test_host_company_and_preferences(response: MessageSetResponse) -> None:
    (host,) = _get(response, "host").records
    assert isinstance(host, HostRecord)
    assert host.supported_versions == ("1.0", "12.0", "13.0", "16.0")
    assert host.file_mode == "MultiUser" and host.is_automatic_login is True
    assert negotiate_version(host.supported_versions) == "13.0"
    (company,) = _get(response, "company").records
    assert isinstance(company, CompanyRecord)
    assert company.company_name == "Palm Court Rentals"
    (prefs,) = _get(response, "prefs").records
    assert prefs == PreferencesRecord(
        is_multi_currency_on=False,
        home_currency=None,
        is_using_inventory=True,
        is_using_estimates=True,
        is_using_class_tracking=True,
        closing_date=date(2023, 12, 31),
    )


def test_customer_record_with_data_ext(response: MessageSetResponse) -> None:
    (customer,) = _get(response, "add-acme").records
    assert isinstance(customer, CustomerRecord)
    assert customer.core.list_id == "80000001-1714550000"
    assert customer.core.edit_sequence == "1714550000"
    assert customer.core.time_created == datetime(2024, 5, 1, 8, 30, tzinfo=PST)
    assert customer.name == "Acme & Sons <West>"
    assert customer.company_name == "Société Acme"
    assert customer.total_balance == Decimal("1250.50")
    assert customer.data_ext == (
        DataExtValue(OWNER, "SalesforceID", "STR255TYPE", "001Aa00000XyZ12AAB"),
    )


def test_customer_contact_details_and_both_addresses(response: MessageSetResponse) -> None:
    (customer,) = _get(response, "add-acme").records_of(CustomerRecord)
    assert (customer.first_name, customer.last_name) == ("Ada", "Lovelace")
    assert (customer.phone, customer.fax, customer.email) == (
        "555-0100",
        "555-0199",
        "ada@example.com",
    )
    assert customer.account_number == "001A000001"
    assert customer.bill_address == AddressRecord(
        addr1="Société Acme",
        addr2="Attn: Ada Lovelace",
        addr3="12 Rue de la Paix",
        addr4="Bâtiment B",
        addr5="3e étage",
        city="Paris",
        state="IDF",
        postal_code="75002",
        country="France",
    )
    assert customer.ship_address == AddressRecord(
        addr1="Dock 4 & 5", city="Le Havre", postal_code="76600"
    )


def test_absent_or_empty_addresses_are_none(response: MessageSetResponse) -> None:
    unit, baker = _get(response, "q-page").records_of(CustomerRecord)
    assert unit.bill_address is None and unit.ship_address is None  # absent
    assert baker.bill_address is None  # <BillAddress />
    assert baker.fax is None and baker.email is None


@pytest.mark.parametrize(
    ("request_id", "code", "details", "category"),
    [
        ("add-dup", "3100", {"name": "Acme Corp"}, Category.DUPLICATE),
        (
            "inv-ghost",
            "3140",
            {"ref_type": "Customer", "ref_name": "Ghost Inc", "txn_type": "Invoice"},
            Category.BAD_REFERENCE,
        ),
        ("mod-stale", "3200", {"edit_sequence": "1714550000"}, Category.CONFLICT),
    ],
)
def test_error_statuses_are_decoded_with_placeholders_filled(
    response: MessageSetResponse,
    request_id: str,
    code: str,
    details: dict[str, str],
    category: Category,
) -> None:
    result = _get(response, request_id)
    assert result.ok is False and result.records == ()
    assert result.status.code == code and result.status.known
    assert result.status.details == details
    assert result.status.category is category
    assert result.status.is_failure
    assert all(value in result.status.message for value in details.values())
    if code != "3200":  # the catalog's 3200 text does not repeat the edit sequence
        assert all(value in result.status.meaning for value in details.values())


def test_status_1_on_a_query_is_an_empty_result_not_a_failure(response: MessageSetResponse) -> None:
    empty = _get(response, "q-empty")
    assert empty.status_code == 1
    assert empty.ok is True and empty.no_match is True
    assert empty.records == () and empty.ret_count == 0
    assert empty.status.is_failure is False


def test_iterator_fields_and_page_records(response: MessageSetResponse) -> None:
    page = _get(response, "q-page")
    assert page.iterator_id == "{eb05f701-e727-472f-8ade-6753c4f67a46}"
    assert page.iterator_remaining_count == 18
    assert page.ret_count == 2 and page.more_to_read
    first, second = page.records_of(CustomerRecord)
    assert first.full_name == "Palm Court:Unit 4" and first.sublevel == 1
    assert first.parent == Ref(list_id="80000003-1", full_name="Palm Court")
    assert first.is_active is False and first.balance == Decimal("-10.00")
    assert second.name == "Baker, Chris" and second.core.time_created is None
    assert not _get(response, "vendors").more_to_read


def test_vendor_and_items(response: MessageSetResponse) -> None:
    (vendor,) = _get(response, "vendors").records
    assert isinstance(vendor, VendorRecord) and vendor.balance == Decimal("99.95")
    assert _get(response, "items").records_of(CustomerRecord) == ()
    service, inventory = _get(response, "items").records
    assert isinstance(service, ItemRecord) and isinstance(inventory, ItemRecord)
    assert (service.item_type, service.price, service.description) == (
        "ItemService",
        Decimal("120.00"),
        "Hourly consulting",
    )
    assert (inventory.item_type, inventory.full_name) == ("ItemInventory", "Parts:Gadget")
    assert inventory.price == Decimal("19.95") and inventory.quantity_on_hand == Decimal("12.5")
    assert inventory.purchase_cost == Decimal("7.12345")


def test_transactions_with_lines_and_payments(response: MessageSetResponse) -> None:
    (invoice,) = _get(response, "invoices").records
    assert isinstance(invoice, SalesTxnRecord)
    assert (invoice.txn_type, invoice.core.txn_id, invoice.core.txn_number) == (
        "Invoice",
        "1A-1714550000",
        42,
    )
    assert invoice.total == Decimal("324.75") and invoice.balance_remaining == Decimal("324.75")
    assert invoice.is_paid is False and invoice.due_date == date(2024, 5, 31)
    (line,) = invoice.lines
    assert (line.txn_line_id, line.quantity, line.rate, line.amount) == (
        "1B-1",
        Decimal("2.5"),
        Decimal("120.00"),
        Decimal("300.00"),
    )
    assert invoice.data_ext[0].value == "006Aa00000XyZ12AAB"
    (receipt,) = _get(response, "sr").records_of(SalesTxnRecord)
    assert receipt.txn_type == "SalesReceipt" and receipt.total == Decimal("300.00")
    assert receipt.lines[0].txn_line_id == "2B-1"
    (estimate,) = _get(response, "est").records_of(SalesTxnRecord)
    assert estimate.txn_type == "Estimate" and estimate.lines == ()
    (payment,) = _get(response, "pay").records
    assert isinstance(payment, PaymentRecord)
    assert payment.applied[0].txn_id == "1A-1714550000"
    assert payment.applied[0].amount == Decimal("324.75")


def test_custom_fields_and_deletions(response: MessageSetResponse) -> None:
    (definition,) = _get(response, "defs").records
    assert definition == DataExtDefRecord(
        OWNER, 7, "SalesforceID", "STR255TYPE", ("Customer", "Invoice")
    )
    (value,) = _get(response, "ext").records
    assert value == DataExtValue(OWNER, "SalesforceID", "STR255TYPE", "001Aa00000XyZ12AAB")
    (listdel,) = _get(response, "ldel").records
    assert isinstance(listdel, ListDeletedRecord)
    assert (listdel.list_del_type, listdel.list_id, listdel.full_name) == (
        "Customer",
        "80000009-1",
        "Gone Co",
    )
    (txndel,) = _get(response, "tdel").records
    assert isinstance(txndel, TxnDeletedRecord)
    assert txndel.time_deleted == datetime(2024, 5, 6, 12, tzinfo=PST)


def test_match_responses_by_request_id(catalog: Catalog) -> None:
    xml = """<QBXML><QBXMLMsgsRs>
      <CustomerQueryRs requestID="3" statusCode="1" statusSeverity="Info"/>
      <CustomerAddRs requestID="1" statusCode="0" statusSeverity="Info"/>
      <VendorAddRs requestID="9" statusCode="0" statusSeverity="Info"/>
      <CustomerAddRs requestID="1" statusCode="0" statusSeverity="Info"/>
    </QBXMLMsgsRs></QBXML>"""
    matched = match_responses(["1", "2", "3"], parse_response(xml, catalog))
    assert [r.request_id for r in matched.answered] == ["1", "3"]
    assert matched.missing == ("2",)
    assert [r.request_id for r in matched.unexpected] == ["9", "1"]
    assert not matched.complete
    full = match_responses(["1", "3"], parse_response(xml, catalog))
    assert full.missing == ()


def test_all_answered_is_complete(response: MessageSetResponse) -> None:
    ids = [r.request_id for r in response]
    assert match_responses(ids, response).complete


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        ("", "malformed XML"),
        ("not xml at all", "malformed XML"),
        ("<QBXML><QBXMLMsgsRs><CustomerAddRs", "malformed XML"),
        ('<!DOCTYPE x [<!ENTITY a "b">]><QBXML/>', "DTD"),
        ("<html><body>502 Bad Gateway</body></html>", "<html>"),
        ("<QBXML><QBXMLMsgsRq onError='stopOnError'/></QBXML>", "QBXMLMsgsRs"),
        ("<QBXML><QBXMLMsgsRs><CustomerAddRs/></QBXMLMsgsRs></QBXML>", "statusCode"),
        (
            "<QBXML><QBXMLMsgsRs><CustomerAddRs statusCode='x'/></QBXMLMsgsRs></QBXML>",
            "not an integer",
        ),
        ("<QBXML><QBXMLMsgsRs><Oops statusCode='0'/></QBXMLMsgsRs></QBXML>", "not a response"),
        (
            "<QBXML><QBXMLMsgsRs><CustomerQueryRs statusCode='0'><CustomerRet><ListID>1</ListID>"
            "<Name>A</Name><Balance>lots</Balance></CustomerRet></CustomerQueryRs>"
            "</QBXMLMsgsRs></QBXML>",
            "CustomerRet/Balance",
        ),
        (
            "<QBXML><QBXMLMsgsRs><CustomerQueryRs statusCode='0'><CustomerRet><Name>A</Name>"
            "</CustomerRet></CustomerQueryRs></QBXMLMsgsRs></QBXML>",
            "ListID is missing",
        ),
    ],
)
def test_malformed_responses_raise_a_decoded_parse_error(
    catalog: Catalog, xml: str, reason: str
) -> None:
    with pytest.raises(QbxmlParseError) as caught:
        parse_response(xml, catalog)
    status = caught.value.status
    assert (status.system, status.code) == (System.TRANSPORT, "MALFORMED_RESPONSE")
    assert reason in caught.value.reason
    assert status.details["endpoint"] == "QuickBooks Desktop"
    assert reason in status.meaning
    assert "\n" not in str(caught.value)


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(min_value=0, max_value=len(RESPONSE)), junk=st.text(max_size=5))
def test_truncated_or_corrupted_responses_never_escape_as_other_errors(
    catalog: Catalog, cut: int, junk: str
) -> None:
    try:
        parse_response(RESPONSE[:cut] + junk + RESPONSE[cut + len(junk) :], catalog)
    except QbxmlParseError as exc:
        assert exc.status.code == "MALFORMED_RESPONSE"


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_arbitrary_bytes_give_a_parse_error_or_a_result(catalog: Catalog, data: bytes) -> None:
    try:
        parse_response(data, catalog)
    except QbxmlParseError as exc:
        assert exc.status.system is System.TRANSPORT
