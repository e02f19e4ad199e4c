"""The catalog loads, validates its data files and decodes codes with their placeholders."""

from __future__ import annotations

import copy

import pytest
import yaml

from sfqb.codes import CatalogError, load_catalog
from sfqb.codes.catalog import parse_file
from sfqb.domain.status import Category, Remedy, Severity, System

CATALOG = load_catalog()

SEED = {
    "3100": (Category.DUPLICATE, Remedy.BIND_EXISTING, "bind"),
    "3120": (Category.MISSING, Remedy.RECREATE_UNBOUND, "deleted"),
    "3140": (Category.BAD_REFERENCE, Remedy.SYNC_PARENT_FIRST, "parent"),
    "3170": (Category.IN_USE, Remedy.RETRY_NEXT_CYCLE, "close"),
    "3250": (Category.FEATURE_OFF, Remedy.PREFLIGHT_BLOCK, "preferences"),
    "3260": (Category.PERMISSION, Remedy.PREFLIGHT_BLOCK, "admin"),
}


@pytest.mark.parametrize("code", sorted(SEED))
def test_seed_codes_carry_the_articles_meaning_and_fix(code: str) -> None:
    category, remedy, word = SEED[code]
    status = CATALOG.decode(System.QBXML, code)
    assert status.known
    assert status.category is category
    assert status.remedy is remedy
    assert word in " ".join(status.fix).lower()


def test_3000_has_two_readings_and_says_which_applies() -> None:
    readings = CATALOG.interpret("3000")
    assert [r.system for r in readings] == [System.QBXML, System.TRANSPORT]
    qbxml, transport = readings
    assert qbxml.category is Category.REQUEST_BUG
    assert transport.category is Category.CONNECTIVITY
    assert transport.remedy is Remedy.OPEN_CIRCUIT
    assert "Web Connector" in transport.fix_text()
    assert qbxml.applies_when and transport.applies_when


def test_placeholders_are_filled_from_the_actual_message() -> None:
    message = 'There is an invalid reference to QuickBooks Customer "Acme & Co" in the Invoice.'
    status = CATALOG.decode(System.QBXML, 3140, message)
    assert status.details == {
        "ref_type": "Customer",
        "ref_name": "Acme & Co",
        "txn_type": "Invoice",
    }
    assert 'Customer "Acme & Co"' in status.meaning
    assert "Invoice" in status.meaning
    assert status.message == message


def test_unknown_qbxml_codes_get_their_range_meaning() -> None:
    assert CATALOG.decode(System.QBXML, "42").severity is Severity.INFO
    assert CATALOG.decode(System.QBXML, "777").severity is Severity.WARNING
    unknown = CATALOG.decode(System.QBXML, "3999")
    assert not unknown.known
    assert unknown.severity is Severity.ERROR


def test_status_1_is_no_match_not_a_failure() -> None:
    status = CATALOG.decode(System.QBXML, "1")
    assert status.severity is Severity.INFO
    assert not status.is_failure


def test_hresult_spellings_agree() -> None:
    hexed = CATALOG.interpret("0x80040408")[0]
    decimal = CATALOG.decode(System.HRESULT, "-2147220472")
    assert hexed.code == decimal.code == "0x80040408"
    assert hexed.known


def _document() -> dict[str, object]:
    with open("src/sfqb/codes/data/qbxml.yaml", encoding="utf-8") as handle:
        loaded: dict[str, object] = yaml.safe_load(handle)
    return loaded


@pytest.mark.parametrize("field", ["meaning", "fix", "category", "remedy", "actor"])
def test_schema_rejects_an_entry_without_a_required_field(field: str) -> None:
    document = copy.deepcopy(_document())
    del document["entries"][0][field]  # type: ignore[index]
    with pytest.raises(CatalogError, match=field):
        parse_file(document, "qbxml.yaml")


def test_schema_rejects_an_empty_fix_and_an_unknown_remedy() -> None:
    document = copy.deepcopy(_document())
    document["entries"][0]["fix"] = []  # type: ignore[index]
    with pytest.raises(CatalogError):
        parse_file(document, "qbxml.yaml")
    document = copy.deepcopy(_document())
    document["entries"][0]["remedy"] = "pray"  # type: ignore[index]
    with pytest.raises(CatalogError, match="pray"):
        parse_file(document, "qbxml.yaml")


def test_a_placeholder_without_a_source_is_refused() -> None:
    document = copy.deepcopy(_document())
    document["entries"][0]["meaning"] = "Refers to {nothing}."  # type: ignore[index]
    with pytest.raises(CatalogError, match="nothing"):
        parse_file(document, "qbxml.yaml")
