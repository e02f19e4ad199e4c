"""The .qwc file: QBWC's fields, same element set as Intuit's samples, URL rules."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from sfqb.connectors.qbd.webconnector import QwcError, QwcSpec, build_qwc

SPEC = QwcSpec(
    app_name="sfqb (Acme)",
    app_url="https://sfqb.example.com/qbwc",
    username="acme",
    owner_id="{57F3B9B1-86F1-4FCC-B1EE-566DE1813D20}",
    file_id="{90A44FB5-33D9-4815-AC85-BC87A7E7D1EB}",
)


def fields(document: bytes) -> dict[str, str]:
    root = etree.fromstring(document)
    assert root.tag == "QBWCXML"
    return {child.tag: (child.text or "") for child in root}


def test_fields() -> None:
    found = fields(build_qwc(SPEC))
    assert found["AppURL"] == "https://sfqb.example.com/qbwc"
    assert found["AppSupport"] == "https://sfqb.example.com/qbwc?wsdl"
    assert found["QBType"] == "QBFS"
    assert found["Style"] == "Document"
    assert found["OwnerID"] == SPEC.owner_id
    root = etree.fromstring(build_qwc(SPEC))
    assert root.findtext("Scheduler/RunEveryNMinutes") == "15"


def test_same_elements_as_intuits_samples(specs: Path) -> None:
    ours = set(fields(build_qwc(SPEC)))
    for sample in sorted(specs.glob("*.qwc")):
        theirs = set(fields(sample.read_bytes()))
        # CertURL is optional (Intuit's eCommerce sample only); Scheduler is sfqb's auto-run.
        assert theirs - {"CertURL"} <= ours, sample.name
        assert ours - theirs <= {"Scheduler"}, sample.name


def test_url_rules() -> None:
    local = build_qwc(replace(SPEC, app_url="http://localhost:8000/qbwc"))
    assert fields(local)["AppURL"] == "http://localhost:8000/qbwc"
    for bad in ("http://sfqb.example.com/qbwc", "ftp://x/qbwc", "qbwc"):
        with pytest.raises(QwcError):
            build_qwc(replace(SPEC, app_url=bad))
