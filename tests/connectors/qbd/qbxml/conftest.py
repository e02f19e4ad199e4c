"""Fixtures of the qbXML codec tests: Intuit's schema (compiled once) and the catalog."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from sfqb.codes import Catalog, load_catalog


@pytest.fixture(scope="session")
def qbxml_schema(specs: Path) -> etree.XMLSchema:
    """qbxmlops120.xsd (it includes the other three files), compiled once per session."""
    return etree.XMLSchema(etree.parse(str(specs / "qbxmlops120.xsd")))


@pytest.fixture(scope="session")
def schema_errors(qbxml_schema: etree.XMLSchema) -> Callable[[str], list[str]]:
    """A function returning the schema errors of a qbXML document ([] when valid).

    The <?qbxml version?> instruction sits outside <QBXML>; the <QBXML> element is validated.
    """

    def errors(xml: str) -> list[str]:
        root = etree.fromstring(xml.encode("utf-8"))
        if qbxml_schema.validate(root):
            return []
        return [f"line {e.line}: {e.message}" for e in qbxml_schema.error_log]  # type: ignore[attr-defined]

    return errors


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The bundled status-code catalog."""
    return load_catalog()
