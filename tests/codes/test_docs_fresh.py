"""docs/codes.md is the catalog as generated; a stale copy fails the suite."""

from __future__ import annotations

from pathlib import Path

import pytest

from sfqb.codes import load_catalog
from sfqb.codes.docs import catalog_markdown

DOCS = Path(__file__).resolve().parents[2] / "docs" / "codes.md"


def test_docs_codes_md_is_fresh() -> None:
    expected = catalog_markdown(load_catalog())
    assert DOCS.is_file(), "docs/codes.md is missing: run `make docs`"
    actual = DOCS.read_text(encoding="utf-8")
    if actual != expected:
        pytest.fail("docs/codes.md is stale: run `make docs`", pytrace=False)
