"""Faults in both casings, JSON and XML, decoded through the catalog (tests/data/qbo/README.md)."""

from __future__ import annotations

import json

from sfqb.connectors.qbo.api import BatchItem, BatchOperation, Fault
from sfqb.connectors.qbo.batch import read_batch
from sfqb.connectors.qbo.faults import decode, parse_fault
from sfqb.domain.status import Category, Remedy, System

from .conftest import CATALOG, DATA


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def test_xml_validation_fault_6240_from_the_data_api() -> None:
    fault = parse_fault(read("duplicate-name-6240.xml"), 400)
    assert fault is not None and fault.type == "ValidationFault" and fault.http_status == 400
    (error,) = fault.errors
    assert (error.code, error.message) == ("6240", "Duplicate Name Exists Error")
    assert error.detail.startswith("The name supplied already exists.")
    status = decode(fault, CATALOG)
    assert (status.system, status.code, status.known) == (System.QBO, "6240", True)
    assert status.remedy is Remedy.BIND_EXISTING
    assert status.details["detail"].startswith("The name supplied")
    assert status.details["fault_type"] == "ValidationFault"


def test_xml_throttle_fault_3001_is_a_rate_limit() -> None:
    fault = parse_fault(read("throttle-3001.xml"), 429)
    assert fault is not None and fault.type == "SERVICE"
    status = decode(fault, CATALOG)
    assert status.code == "3001" and status.known
    assert status.category is Category.RATE_LIMIT and status.retryable


def test_gateway_lower_case_json_fault_3200() -> None:
    fault = parse_fault(read("auth-3200-gateway.json"), 401)
    assert fault is not None and fault.type == "AUTHENTICATION"
    (error,) = fault.errors
    assert error.code == "3200" and error.detail.startswith("Token expired")
    assert error.element == ""  # JSON null is no element
    status = decode(fault, CATALOG)
    assert status.remedy is Remedy.REFRESH_AUTH and status.category is Category.AUTH


def test_gateway_fault_without_code_takes_it_from_the_message() -> None:
    fault = parse_fault(read("app-authorization-3100-no-code.json"), 403)
    assert fault is not None
    assert fault.errors[0].code == "3100"
    status = decode(fault, CATALOG)
    assert status.code == "3100" and status.category is Category.AUTH


def test_upper_case_json_fault_5010() -> None:
    fault = parse_fault(read("stale-object-5010.json"), 400)
    assert fault is not None
    assert decode(fault, CATALOG).remedy is Remedy.REREAD_AND_REAPPLY


def test_lower_case_xml_and_a_single_error_object_read_the_same() -> None:
    xml = '<fault type="AUTHENTICATION"><error code="3200"><message>m</message></error></fault>'
    fault = parse_fault(xml, 401)
    assert fault is not None and fault.errors[0].code == "3200"
    one = parse_fault(json.dumps({"Fault": {"Error": {"Message": "x", "code": 610}}}))
    assert one is not None and one.errors[0].code == "610"


def test_fault_without_code_is_decoded_by_its_http_status() -> None:
    fault = Fault(type="", errors=(), http_status=404)
    status = decode(fault, CATALOG)
    assert status.code == "http-404" and status.known


def test_bodies_without_a_fault() -> None:
    assert parse_fault(b'{"Customer": {"Id": "1"}}') is None
    assert parse_fault(b"<html>Bad gateway</html>") is None
    assert parse_fault(b"not json") is None
    assert parse_fault(b"") is None


def test_batch_items_are_decoded_one_by_one() -> None:
    items = [
        BatchItem("c1", "Customer", BatchOperation.CREATE, {"DisplayName": "Acme Ltd"}),
        BatchItem("c2", "Customer", BatchOperation.CREATE, {"DisplayName": "Dup"}),
        BatchItem("i1", "Invoice", BatchOperation.CREATE, {"Line": []}),
        BatchItem("q1", query="select * from Item where Name = 'Consulting'"),
    ]
    created, duplicate, reference, queried = read_batch(
        items, json.loads(read("batch-item-faults.json"))
    )
    assert created.entity is not None and created.entity["Id"] == "58" and created.fault is None
    assert duplicate.fault is not None
    assert decode(duplicate.fault, CATALOG).code == "6240"
    assert reference.fault is not None
    status = decode(reference.fault, CATALOG)
    assert status.code == "2500" and status.remedy is Remedy.SYNC_PARENT_FIRST
    assert status.details["element"] == "Line.SalesItemLineDetail.ItemRef"
    assert [e["Id"] for e in queried.entities] == ["7"]
