"""A customer added to the sandbox reads back with its contact details and both addresses in
qbXML shape, the shape the QuickBooks -> Salesforce customer map reads."""

from __future__ import annotations

from sfqb.connectors.qbd.operations import DirectDriver
from sfqb.domain.entities import SfObject, SfRef
from sfqb.mapping import Mapper, load_flows
from sfqb.sync.ops import QbAction, QbOp, QbRecord, QbResult

ACCOUNT = SfRef(SfObject.ACCOUNT, "001000000000007AAA")
BILL = {
    "Addr1": "Königstraße 12",
    "Addr2": "Hinterhaus",
    "Addr3": "2. OG",
    "City": "München",
    "State": "BY",
    "PostalCode": "80331",
    "Country": "Germany",
}
SHIP = {"Addr1": "Lager & Versand", "City": "Augsburg", "PostalCode": "86150"}
FIELDS = {
    "Name": "Müller & Söhne",
    "CompanyName": "Müller & Söhne GmbH",
    "FirstName": "Anna",
    "LastName": "Müller",
    "BillAddress": BILL,
    "ShipAddress": SHIP,
    "Phone": "+49 89 123456",
    "Fax": "+49 89 123457",
    "Email": "info@mueller.example",
    "AccountNumber": "A-100",
}


def _only(results: list[QbResult]) -> QbRecord:
    (result,) = results
    assert result.ok, result.status.message
    (record,) = result.records
    return record


def _add_and_read(driver: DirectDriver) -> tuple[QbRecord, QbRecord]:
    added = _only(driver.execute([QbOp("a", QbAction.ADD, "Customer", sf=ACCOUNT, fields=FIELDS)]))
    read = _only(driver.execute([QbOp("r", QbAction.READ, "Customer", ids=(added.id,))]))
    return added, read


def test_add_then_read_carries_contact_details_and_both_addresses(driver: DirectDriver) -> None:
    added, read = _add_and_read(driver)
    assert read.id == added.id
    for record in (added, read):
        for key, value in FIELDS.items():
            assert record.fields[key] == value, key
    assert read.fields["BillAddress"] == BILL
    assert read.fields["ShipAddress"] == SHIP


def test_an_address_mod_reads_back(driver: DirectDriver) -> None:
    added, _ = _add_and_read(driver)
    mod = QbOp(
        "m",
        QbAction.MOD,
        "Customer",
        qb_id=added.id,
        version=added.version,
        fields={"BillAddress": {"City": "Berlin"}, "Fax": "030 1234"},
    )
    _only(driver.execute([mod]))
    read = _only(driver.execute([QbOp("r", QbAction.READ, "Customer", ids=(added.id,))]))
    assert read.fields["BillAddress"]["City"] == "Berlin"
    assert read.fields["Fax"] == "030 1234"


def test_a_customer_without_addresses_has_no_address_keys(driver: DirectDriver) -> None:
    op = QbOp("a", QbAction.ADD, "Customer", fields={"Name": "Plain"})
    added = _only(driver.execute([op]))
    assert "BillAddress" not in added.fields and "ShipAddress" not in added.fields
    assert "Fax" not in added.fields


def test_the_customer_to_account_map_reads_the_fields(driver: DirectDriver) -> None:
    _, read = _add_and_read(driver)
    mapped = Mapper(load_flows()).map("customer_to_account", read.fields)
    assert mapped.fields["Fax"] == FIELDS["Fax"]
    assert mapped.fields["AccountNumber"] == "A-100"
    assert mapped.fields["BillingStreet"] == "Königstraße 12\nHinterhaus\n2. OG"
    assert mapped.fields["BillingCity"] == "München"
    assert mapped.fields["BillingPostalCode"] == "80331"
    assert mapped.fields["BillingCountry"] == "Germany"
