"""Custom fields, deletions, persistence, lost replies, latency and settings."""

from __future__ import annotations

import json
import random

import pytest
from lxml.builder import E

from sfqb.sandbox.qbd import (
    CompanyFile,
    LostReply,
    SandboxError,
    SandboxSettings,
    SandboxStateError,
    SettingsError,
)

OWNER = "{6B063959-81B0-4622-85D6-F548C8CCB517}"


def _define(qb):  # type: ignore[no-untyped-def]
    return qb.ok(
        E.DataExtDefAddRq(
            E.DataExtDefAdd(
                E.OwnerID(OWNER),
                E.DataExtName("SalesforceID"),
                E.DataExtType("STR255TYPE"),
                E.AssignToObject("Customer"),
                E.AssignToObject("Invoice"),
            )
        )
    )


def test_data_ext_round_trip(qb):
    definition = _define(qb)
    assert definition.findtext("DataExtName") == "SalesforceID"
    again = qb.one(
        E.DataExtDefAddRq(
            E.DataExtDefAdd(
                E.OwnerID(OWNER), E.DataExtName("salesforceid"), E.DataExtType("STR255TYPE")
            )
        )
    )
    assert qb.status(again)[0] == 3100
    defs = qb.one(E.DataExtDefQueryRq(E.OwnerID(OWNER)))
    assert [d.findtext("DataExtName") for d in defs] == ["SalesforceID"]
    customer = qb.add_customer("Bound Co")
    list_id = customer.findtext("ListID")
    target = [E.ListDataExtType("Customer"), E.ListObjRef(E.ListID(list_id))]
    added = qb.ok(
        E.DataExtAddRq(
            E.DataExtAdd(
                E.OwnerID(OWNER),
                E.DataExtName("SalesforceID"),
                *target,
                E.DataExtValue("001Ax000001"),
            )
        )
    )
    assert added.tag == "DataExtRet"
    modded = qb.ok(
        E.DataExtModRq(
            E.DataExtMod(
                E.OwnerID(OWNER),
                E.DataExtName("SalesforceID"),
                *target,
                E.DataExtValue("001Ax000002"),
            )
        )
    )
    assert modded.findtext("DataExtValue") == "001Ax000002"
    with_ext = qb.one(E.CustomerQueryRq(E.ListID(list_id), E.OwnerID(OWNER)))[0]
    values = [
        (x.findtext("DataExtName"), x.findtext("DataExtValue"))
        for x in with_ext.findall("DataExtRet")
    ]
    assert values == [("SalesforceID", "001Ax000002")]
    without = qb.one(E.CustomerQueryRq(E.ListID(list_id)))[0]
    assert without.find("DataExtRet") is None
    other_owner = qb.one(E.CustomerQueryRq(E.ListID(list_id), E.OwnerID("0")))[0]
    assert other_owner.find("DataExtRet") is None


def test_data_ext_errors(qb):
    _define(qb)
    rs = qb.one(
        E.DataExtAddRq(
            E.DataExtAdd(
                E.OwnerID(OWNER),
                E.DataExtName("Nope"),
                E.ListDataExtType("Customer"),
                E.ListObjRef(E.FullName("X")),
                E.DataExtValue("v"),
            )
        )
    )
    assert qb.status(rs)[0] == 3120
    rs = qb.one(
        E.DataExtAddRq(
            E.DataExtAdd(
                E.OwnerID(OWNER),
                E.DataExtName("SalesforceID"),
                E.ListDataExtType("Customer"),
                E.ListObjRef(E.FullName("Ghost")),
                E.DataExtValue("v"),
            )
        )
    )
    assert qb.status(rs)[0] == 3140
    qb.add_customer("Real")
    rs = qb.one(
        E.DataExtModRq(
            E.DataExtMod(
                E.OwnerID(OWNER),
                E.DataExtName("SalesforceID"),
                E.ListDataExtType("Customer"),
                E.ListObjRef(E.FullName("Real")),
                E.DataExtValue("v"),
            )
        )
    )
    assert qb.status(rs)[0] == 3120  # no value to modify yet
    rs = qb.one(
        E.DataExtDefAddRq(
            E.DataExtDefAdd(
                E.OwnerID("not-a-guid"), E.DataExtName("X"), E.DataExtType("STR255TYPE")
            )
        )
    )
    assert qb.status(rs)[0] == 3000


def test_deletions_are_reported_by_the_deleted_queries(qb):
    gone = qb.add_customer("Gone Ltd")
    qb.add_customer("Stays")
    qb.add_service("Svc")
    invoice = qb.ok(
        E.InvoiceAddRq(E.InvoiceAdd(E.CustomerRef(E.FullName("Stays")), E.RefNumber("INV-7")))
    )
    qb.clock.advance(minutes=5)
    qb.company.delete_as_user(gone.findtext("ListID"))
    qb.company.delete_as_user(invoice.findtext("TxnID"))
    listed = qb.one(E.ListDeletedQueryRq(E.ListDelType("Customer"), E.ListDelType("Vendor")))
    assert [(r.findtext("ListID"), r.findtext("FullName")) for r in listed] == [
        (gone.findtext("ListID"), "Gone Ltd")
    ]
    assert listed[0].findtext("TimeDeleted") == qb.clock.now.isoformat()
    txns = qb.one(E.TxnDeletedQueryRq(E.TxnDelType("Invoice")))
    assert [(r.findtext("TxnID"), r.findtext("RefNumber")) for r in txns] == [
        (invoice.findtext("TxnID"), "INV-7")
    ]
    assert qb.status(qb.one(E.TxnDeletedQueryRq(E.TxnDelType("Estimate"))))[0] == 1
    later = qb.one(
        E.ListDeletedQueryRq(
            E.ListDelType("Customer"), E.DeletedDateRangeFilter(E.FromDeletedDate("2024-03-02"))
        )
    )
    assert qb.status(later)[0] == 1
    # The name is free again; a deleted record is no longer found.
    assert qb.add_customer("Gone Ltd") is not None
    rs = qb.one(
        E.CustomerModRq(E.CustomerMod(E.ListID(gone.findtext("ListID")), E.EditSequence("1")))
    )
    assert qb.status(rs)[0] == 3120


def test_a_used_customer_cannot_be_deleted(qb):
    acme = qb.add_customer("Acme")
    qb.ok(E.InvoiceAddRq(E.InvoiceAdd(E.CustomerRef(E.FullName("Acme")))))
    with pytest.raises(SandboxError):
        qb.company.delete_as_user(acme.findtext("ListID"))


def test_persistence_round_trip(qb, tmp_path, clock):
    _define(qb)
    acme = qb.add_customer("Acme", Phone="555-0100")
    qb.add_service("Svc")
    qb.ok(
        E.InvoiceAddRq(
            E.InvoiceAdd(
                E.CustomerRef(E.FullName("Acme")),
                E.InvoiceLineAdd(E.ItemRef(E.FullName("Svc")), E.Amount("12.00")),
            )
        )
    )
    qb.company.delete_as_user(qb.add_customer("Temp").findtext("ListID"))
    path = tmp_path / "company.json"
    qb.company.save(path)
    restored = CompanyFile.load(path, SandboxSettings(), clock, random.Random(1))
    assert restored.snapshot() == qb.company.snapshot()
    again = restored.process(
        qb.message_set(E.CustomerQueryRq(E.FullName("Acme"), E.OwnerID(OWNER)))
    )
    assert acme.findtext("EditSequence") in again
    # New IDs continue after the saved ones (no reuse).
    new = qb.responses(
        restored.process(qb.message_set(E.CustomerAddRq(E.CustomerAdd(E.Name("Next")))))
    )[0][0]
    assert new.findtext("ListID") not in {r.id for r in qb.company.customers()}
    assert [d.name for d in restored.deletions()] == ["Temp"]


def test_load_refuses_a_broken_file(tmp_path, clock):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"format": "other"}))
    with pytest.raises(SandboxStateError):
        CompanyFile.load(path, SandboxSettings(), clock, random.Random(1))
    path.write_text("{not json")
    with pytest.raises(SandboxStateError):
        CompanyFile.load(path, SandboxSettings(), clock, random.Random(1))


def test_lost_reply_leaves_the_record_created(qb):
    qb.company.faults.lose_next_reply()
    with pytest.raises(LostReply):
        qb.company.process(qb.message_set(E.CustomerAddRq(E.CustomerAdd(E.Name("Lost Reply Co")))))
    assert qb.company.find("Customer", "Lost Reply Co") is not None
    # Resending the same add now meets the record it created.
    assert qb.status(qb.one(E.CustomerAddRq(E.CustomerAdd(E.Name("Lost Reply Co")))))[0] == 3100


def test_lost_reply_rate_and_latency_are_applied(clock):
    slept: list[float] = []
    settings = SandboxSettings(lost_reply_rate=1.0, latency_ms=250)
    company = CompanyFile(settings, clock, random.Random(3), sleep=slept.append)
    with pytest.raises(LostReply):
        company.process(
            '<?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="stopOnError">'
            "<HostQueryRq/></QBXMLMsgsRq></QBXML>"
        )
    assert slept == [0.25]


def test_random_locks_are_deterministic_for_a_seed(clock):
    def run(seed: int) -> list[str]:
        company = CompanyFile(SandboxSettings(lock_rate=0.5), clock, random.Random(seed))
        codes = []
        for n in range(12):
            xml = company.process(
                '<?qbxml version="13.0"?><QBXML><QBXMLMsgsRq onError="continueOnError">'
                f"<CustomerAddRq><CustomerAdd><Name>C{n}</Name></CustomerAdd></CustomerAddRq>"
                "</QBXMLMsgsRq></QBXML>"
            )
            codes.append(xml.split('statusCode="')[1].split('"')[0])
        return codes

    assert run(5) == run(5)
    assert {"0", "3170"} == set(run(5))


def test_settings_from_dict_refuses_nonsense():
    assert SandboxSettings.from_dict({"denied": {"Invoice": ["Add"]}}).is_denied(
        ("Invoice",), "Add"
    )
    for bad in (
        {"lock_rate": 2},
        {"nope": 1},
        {"denied": {"Invoice": ["Delete"]}},
        {"lock_code": 3100},
        {"max_qbxml_version": "99.0"},
    ):
        with pytest.raises(SettingsError):
            SandboxSettings.from_dict(bad)


def test_host_info_and_company_queries(make_company):
    qb = make_company(max_qbxml_version="12.0", multi_currency=True)
    info = qb.company.host_info()
    assert info.supported_versions[-1] == "12.0"
    xml = qb.message_set(
        E.HostQueryRq(requestID="1"),
        E.CompanyQueryRq(requestID="2"),
        E.PreferencesQueryRq(requestID="3"),
        version="12.0",
    )
    host, company, prefs = qb.responses(qb.company.process(xml))
    assert [v.text for v in host.iter("SupportedQBXMLVersion")][-1] == "12.0"
    assert company.findtext("CompanyRet/CompanyName") == "sfqb Sandbox Company"
    assert prefs.findtext("PreferencesRet/MultiCurrencyPreferences/IsMultiCurrencyOn") == "true"
    assert (
        prefs.findtext("PreferencesRet/PurchasesAndVendorsPreferences/IsUsingInventory") == "true"
    )


def test_text_outside_windows_1252_is_stored_as_question_marks(qb):
    ret = qb.add_customer("Café 🚀 Ωmega")
    assert ret.findtext("Name") == "Café ? ?mega"
