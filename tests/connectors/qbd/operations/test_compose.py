"""compose() and results() without a company: requests built, refusals, missing answers."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from lxml import etree

from sfqb.codes import Catalog
from sfqb.connectors.qbd.operations import (
    DirectDriver,
    OperationsError,
    compose,
    results,
    split_marker,
    with_marker,
)
from sfqb.connectors.qbd.qbxml import SFQB_OWNER_ID, QbxmlParseError
from sfqb.connectors.qbd.webconnector.responses import summarize_response
from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.status import System
from sfqb.sandbox.qbd import CompanyFile, LostReply
from sfqb.sync.ops import QbAction, QbOp

# the module, not the function the package exports under the same name
compose_module = importlib.import_module("sfqb.connectors.qbd.operations.compose")
build_module = importlib.import_module("sfqb.connectors.qbd.qbxml.build")
OPP = SfRef(SfObject.OPPORTUNITY, "006000000000009AAA")
LINE = {"ItemRef": {"ListID": "80000001-1"}, "Quantity": "1", "Rate": "2"}


def rq(xml: str | None, request_id: str) -> etree._Element:
    assert xml is not None
    root = etree.fromstring(xml.encode())
    found = [e for e in root.iter() if e.get("requestID") == request_id]
    assert len(found) == 1
    return found[0]


def test_refused_op_is_set_aside_and_the_rest_is_sent(
    catalog: Catalog, schema_errors: Callable[[str], list[str]]
) -> None:
    ops = [
        QbOp("a", QbAction.ADD, "Customer", fields={"Name": "Fine & Dandy"}),
        QbOp("b", QbAction.ADD, "Customer", fields={"Name": "N" * 42}),
        QbOp("c", QbAction.READ, "Customer", names=("Fine & Dandy",)),
    ]
    composed = compose(ops, "13.0", catalog=catalog)
    assert composed.op_ids == ("a", "b", "c")
    assert composed.sent_ids == ("a", "c")
    refusal = composed.refused["b"]
    assert (refusal.system, refusal.code) == (System.QBXML, "3070")
    assert "at most 41" in refusal.message
    assert composed.xml is not None and "N" * 42 not in composed.xml
    assert rq(composed.xml, "c").findtext("OwnerID") == SFQB_OWNER_ID
    assert schema_errors(composed.xml) == []


@pytest.mark.parametrize(
    ("fields", "system", "code", "words"),
    [
        ({"TxnDate": "01/03/2024"}, System.QBXML, "3020", "not a date"),
        ({"Lines": [{**LINE, "Rate": "1.1234567"}]}, System.QBXML, "3040", "decimals"),
        ({"Lines": [{**LINE, "Quantity": "many"}]}, System.QBXML, "3040", "not a number"),
        ({"IsToBePrinted": "maybe"}, System.QBXML, "3010", "true or false"),
        ({"Zip": "1"}, System.HRESULT, "0x80040400", "Zip is not a field"),
        ({"Memo": 5}, System.HRESULT, "0x80040400", "must be text"),
        ({"CustomerRef": "Acme"}, System.HRESULT, "0x80040400", "must be a dict"),
    ],
)
def test_refusal_codes(
    catalog: Catalog, fields: dict[str, object], system: System, code: str, words: str
) -> None:
    base = {"CustomerRef": {"ListID": "80000002-1"}, "Lines": [LINE]}
    op = QbOp("x", QbAction.ADD, "Invoice", sf=OPP, fields={**base, **fields})
    composed = compose([op], "13.0", catalog=catalog)
    assert composed.xml is None
    status = composed.refused["x"]
    assert (status.system, status.code) == (system, code)
    assert words in status.message
    assert status.is_failure


def test_structural_refusals(catalog: Catalog) -> None:
    ops = [
        QbOp("no-seq", QbAction.MOD, "Customer", qb_id="80000001-1", fields={"Phone": "1"}),
        QbOp("no-name", QbAction.ADD, "Customer", fields={"Phone": "1"}),
        QbOp("bad-id", QbAction.MOD, "Customer", qb_id="80000001 1", version="1"),
        QbOp("read-all", QbAction.READ, "Customer"),
        QbOp("no-marker", QbAction.SET_MARKER, "Invoice", qb_id="1-1"),
        QbOp("employee", QbAction.ADD, "Employee", fields={"Name": "V"}),
        QbOp("no-lines", QbAction.ADD, "SalesReceipt", fields={"Memo": "m"}),
    ]
    composed = compose(ops, "13.0", catalog=catalog)
    assert composed.xml is None
    codes = {k: v.code for k, v in composed.refused.items()}
    assert codes == {
        "no-seq": "0x80040400",
        "no-name": "0x80040400",
        "bad-id": "3000",
        "read-all": "0x80040400",
        "no-marker": "0x80040400",
        "employee": "0x80040400",
        "no-lines": "0x80040400",
    }
    assert "needs Name" in composed.refused["no-name"].message
    assert "80000001 1" in composed.refused["bad-id"].message
    out = results(None, composed, catalog)
    assert [r.op_id for r in out] == [op.op_id for op in ops]
    assert not any(r.ok for r in out)


def test_repeated_op_id_is_an_error(catalog: Catalog) -> None:
    op = QbOp("same", QbAction.READ, "Customer", ids=("1-1",))
    with pytest.raises(OperationsError, match="more than once"):
        compose([op, op], "13.0", catalog=catalog)


def test_values_are_converted(catalog: Catalog) -> None:
    fields = {
        "CustomerRef": {"FullName": "Acme"},
        "TxnDate": date(2024, 3, 1),
        "DueDate": "2024-04-01T00:00:00",
        "Lines": ({"ItemRef": {"ListID": "80000001-1"}, "Quantity": 3, "Rate": 2.5},),
    }
    xml = compose([QbOp("x", QbAction.ADD, "Estimate", fields=fields)], "13.0", catalog=catalog).xml
    add = rq(xml, "x").find("EstimateAdd")
    assert add is not None
    assert add.findtext("CustomerRef/FullName") == "Acme"
    assert add.findtext("TxnDate") == "2024-03-01"
    assert add.findtext("DueDate") == "2024-04-01"
    assert add.findtext("EstimateLineAdd/Quantity") == "3"
    assert add.findtext("EstimateLineAdd/Rate") == "2.5"
    assert add.find("Memo") is None  # no Salesforce record: no marker


def test_mod_sends_every_line_as_new_and_keeps_memo_when_absent(catalog: Catalog) -> None:
    lines = [{**LINE, "TxnLineID": "9-9"}, LINE]
    op = QbOp(
        "m",
        QbAction.MOD,
        "SalesReceipt",
        sf=OPP,
        qb_id="1-1",
        version="7",
        fields={"Lines": lines},
    )
    mod = rq(compose([op], "13.0", catalog=catalog).xml, "m").find("SalesReceiptMod")
    assert mod is not None
    assert [e.text for e in mod.iter("TxnLineID")] == ["-1", "-1"]
    assert mod.findtext("TxnID") == "1-1" and mod.findtext("EditSequence") == "7"
    assert mod.find("Memo") is None


def test_queries(catalog: Catalog) -> None:
    since = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)
    ops = [
        QbOp("c", QbAction.READ_CHANGED, "Customer", since=since),
        QbOp("i", QbAction.READ_CHANGED, "ItemService", since=since),
        QbOp("p", QbAction.READ_CHANGED, "ReceivePayment", since=since),
        QbOp("e", QbAction.READ, "Estimate", names=("1001",)),
        QbOp("m", QbAction.SET_MARKER, "Invoice", qb_id="1-1", marker=OPP.id),
        QbOp("d", QbAction.DEFINE_MARKER, "Customer"),
    ]
    xml = compose(ops, "13.0", catalog=catalog).xml
    customer = rq(xml, "c")
    assert customer.tag == "CustomerQueryRq"
    assert customer.findtext("ActiveStatus") == "All"
    assert customer.findtext("FromModifiedDate") == "2024-03-01T08:30:00+00:00"
    assert rq(xml, "i").tag == "ItemQueryRq"
    payment = rq(xml, "p")
    assert payment.findtext("ModifiedDateRangeFilter/FromModifiedDate") is not None
    assert payment.find("IncludeLineItems") is None
    assert rq(xml, "e").findtext("RefNumber") == "1001"
    assert rq(xml, "e").findtext("IncludeLineItems") == "true"
    marker = rq(xml, "m")
    assert marker.findtext("DataExtAdd/TxnDataExtType") == "Invoice"
    assert marker.findtext("DataExtAdd/DataExtValue") == OPP.id
    assert rq(xml, "d").findtext("DataExtDefAdd/DataExtName") == "SalesforceID"


def test_missing_answer_and_unreadable_response(catalog: Catalog, company: CompanyFile) -> None:
    ops = [
        QbOp("bad", QbAction.ADD, "Customer", fields={"Name": "A", "ParentRef": {"ListID": "9-9"}}),
        QbOp("after", QbAction.READ, "Customer", names=("A",)),
    ]
    composed = compose(ops, "13.0", "stopOnError", catalog=catalog)
    assert composed.xml is not None
    out = results(company.process(composed.xml), composed, catalog)
    assert out[0].status.code == "3140"
    assert out[1].status.system is System.TRANSPORT
    assert out[1].status.code == "MALFORMED_RESPONSE"
    assert out[1].status.message == "QuickBooks sent no answer for request after"
    with pytest.raises(QbxmlParseError):
        results("<html>proxy error</html>", composed, catalog)


def test_results_take_a_response_already_decoded(catalog: Catalog, company: CompanyFile) -> None:
    ops = [QbOp("q", QbAction.READ, "Customer", names=("A",))]
    composed = compose(ops, "13.0", catalog=catalog)
    assert composed.xml is not None
    response = company.process(composed.xml)
    decoded = summarize_response(response, catalog).results
    # Given the decoded answer, the text is not parsed again (here it could not be).
    again = results("<html>not parsed</html>", composed, catalog, decoded)
    assert again == results(response, composed, catalog)


def test_driver_lets_sandbox_faults_through(company: CompanyFile, catalog: Catalog) -> None:
    calls: list[str] = []

    def process(xml: str) -> str:
        calls.append(xml)
        return company.process(xml)

    driver = DirectDriver(process, catalog)
    company.faults.lose_next_reply()
    with pytest.raises(LostReply):
        driver.execute([QbOp("a", QbAction.ADD, "Customer", fields={"Name": "Lost"})])
    refused = driver.execute([QbOp("r", QbAction.READ, "Customer")])
    assert len(calls) == 1  # nothing to send: the sandbox was not called
    assert refused[0].status.code == "0x80040400"
    assert driver.execute([]) == []


def test_memo_marker() -> None:
    assert with_marker(None, "006X", "InvoiceAdd/Memo") == ("[sf:006X]", None)
    assert with_marker("Deal [sf:006OLD]", "006X", "InvoiceAdd/Memo")[0] == "Deal [sf:006X]"
    text, change = with_marker("a – b", "006X", "InvoiceAdd/Memo")
    assert text == "a - b [sf:006X]"
    assert change is not None and change.sent == "a - b"
    long_text, cut = with_marker("x" * 5000, "006X", "InvoiceAdd/Memo")
    assert len(long_text) == 4095 and long_text.endswith(" [sf:006X]")
    assert cut is not None and "leave room" in cut.reason
    assert split_marker("Deal [sf:006X]") == ("Deal", "006X")
    assert split_marker("[sf:006X]") == ("", "006X")
    assert split_marker("no marker") == ("no marker", None)
    assert split_marker(None) == (None, None)


def test_memo_marker_changes_are_reported(catalog: Catalog) -> None:
    fields = {"CustomerRef": {"ListID": "1-1"}, "Memo": "Q1 … deal", "Lines": [LINE]}
    composed = compose(
        [QbOp("x", QbAction.ADD, "Invoice", sf=OPP, fields=fields)], "13.0", catalog=catalog
    )
    assert rq(composed.xml, "x").findtext("InvoiceAdd/Memo") == f"Q1 ... deal [sf:{OPP.id}]"
    (change,) = composed.changes["x"]
    assert change.original == "Q1 … deal" and change.sent == "Q1 ... deal"
    assert composed.all_changes == (change,)


def test_amounts_in_records_are_decimals(company: CompanyFile, catalog: Catalog) -> None:
    driver = DirectDriver(company.process, catalog)
    (item,) = driver.execute(
        [
            QbOp(
                "i",
                QbAction.ADD,
                "ItemService",
                fields={"Name": "Hour", "SalesOrPurchase": {"Price": Decimal("99.95")}},
            )
        ]
    )
    assert item.records[0].fields["SalesOrPurchase"] == {"Price": Decimal("99.95")}
    (every,) = driver.execute([QbOp("r", QbAction.READ_CHANGED, "Item")])
    assert [r.name for r in every.records] == ["Hour"]


def test_merge_and_reactivation_requests_validate(
    catalog: Catalog, schema_errors: Callable[[str], list[str]]
) -> None:
    ops = [  # following a merge (transactions, then the survivor) and reactivating a record
        QbOp("t", QbAction.READ, "Invoice", ids=("1A-1700000000", "1B-1700000000")),
        QbOp("s", QbAction.READ, "Customer", ids=("80000002-1700000000",)),
        QbOp("n", QbAction.READ, "Item", names=("Widget",)),
        *(
            QbOp(
                op_id,
                QbAction.MOD,
                qb_type,
                qb_id=qb_id,
                version="7",
                fields={"IsActive": True},
            )
            for op_id, qb_type, qb_id in (
                ("c", "Customer", "80000001-1"),
                ("i", "ItemService", "80000003-1"),
            )
        ),
    ]
    xml = compose(ops, "13.0", catalog=catalog).xml
    assert schema_errors(xml) == []
    assert rq(xml, "t").findtext("IncludeLineItems") == "true"  # lines name the items
    assert rq(xml, "s").find("ActiveStatus") is None  # by ListID: inactive ones come back too
    assert rq(xml, "c").findtext("CustomerMod/IsActive") == "true"
    assert rq(xml, "i").findtext("ItemServiceMod/IsActive") == "true"


def test_each_request_is_built_once(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """The set is assembled from the requests built while checking them, not built again."""
    built: list[str] = []
    real = compose_module.build_request

    def counting(request: Any, request_id: str, *rules: Any) -> Any:
        built.append(request_id)
        return real(request, request_id, *rules)

    monkeypatch.setattr(compose_module, "build_request", counting)
    monkeypatch.setattr(build_module, "build_request", counting)  # compose_message_set's
    ops = [QbOp(f"o{i}", QbAction.ADD, "Customer", fields={"Name": f"C {i}"}) for i in range(3)]
    composed = compose(ops, "13.0", catalog=catalog)
    assert built == ["o0", "o1", "o2"]
    assert [rq(composed.xml, f"o{i}").findtext("CustomerAdd/Name") for i in range(3)] == [
        "C 0",
        "C 1",
        "C 2",
    ]
