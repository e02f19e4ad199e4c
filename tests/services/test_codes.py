"""The codes service: the catalog browsed and searched, one code's page, pasted text decoded."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfqb.codes import Catalog
from sfqb.codes.docs import catalog_rows
from sfqb.codes.findings import MAX_INPUT_BYTES
from sfqb.domain.status import System
from sfqb.services.codes import CodeNotFound, DecodeError, browse, code_page, decode_text

REALWORLD = Path(__file__).parents[1] / "data" / "realworld"


def test_browse_lists_the_whole_catalog_in_order(catalog: Catalog) -> None:
    every = browse(catalog)
    assert [(v.system, v.code) for v in every] == [
        (s.system.value, s.code) for s in catalog_rows(catalog)
    ]
    assert {v.system for v in browse(catalog, system="salesforce")} == {"salesforce"}
    with pytest.raises(DecodeError, match="unknown system"):
        browse(catalog, system="nope")


def test_search_by_code_words_and_system(catalog: Catalog) -> None:
    assert ("qbxml", "3140") in {(v.system, v.code) for v in browse(catalog, q="3140")}
    found = browse(catalog, q="invalid reference")
    assert found and all(
        "invalid" in f"{v.title} {v.meaning} {' '.join(v.fix)}".lower() for v in found
    )
    assert len(browse(catalog, q="invalid reference")) < len(browse(catalog, q="invalid"))
    assert {v.system for v in browse(catalog, q="qbwc")} >= {"qbwc"}
    assert browse(catalog, q="zzzz-no-such-words") == []


def test_one_codes_page_is_what_explain_shows(catalog: Catalog) -> None:
    (view,) = code_page(catalog, "3140")
    status = catalog.decode(System.QBXML, "3140")
    assert (view.meaning, view.fix, view.title) == (status.meaning, status.fix, status.title)
    labels = [label for label, _ in view.rows()]
    order = [labels.index(x) for x in ("Meaning", "Fix", "sfqb will", "Who acts", "Kind")]
    assert order == sorted(order) and "Found at" not in labels


def test_unknown_codes_have_no_page(catalog: Catalog) -> None:
    for text in ("99999", "not a code", "", "x" * 500):
        with pytest.raises(CodeNotFound):
            code_page(catalog, text)


def test_decode_a_real_qbxml_line(catalog: Catalog) -> None:
    # consolibyte/quickbooks-php#256: a pasted qbXML 3140 status line.
    text = (REALWORLD / "qbphp-256-3140-message.txt").read_text(encoding="utf-8")
    (view,) = decode_text(catalog, text)
    assert (view.system, view.code, view.location) == ("qbxml", "3140", "line 1")
    assert view.meaning == catalog.decode(System.QBXML, "3140").meaning
    assert "invalid reference to QuickBooks Item" in view.message


def test_decode_refuses_too_large_or_empty_input(catalog: Catalog) -> None:
    with pytest.raises(DecodeError, match=f"at most {MAX_INPUT_BYTES:,} bytes"):
        decode_text(catalog, b"x" * (MAX_INPUT_BYTES + 1), source="big.log")
    with pytest.raises(DecodeError, match="at most 10 bytes"):
        decode_text(catalog, "statusCode 3100", limit=10)
    with pytest.raises(DecodeError, match="empty"):
        decode_text(catalog, "  \n")
    with pytest.raises(DecodeError, match="NUL"):
        decode_text(catalog, b"3100\x00\x00")
