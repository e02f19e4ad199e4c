"""Where a new customer's name must be unique: among its siblings on QuickBooks Desktop."""

from __future__ import annotations

from sfqb.sync.hierarchy import sibling_names

TAKEN = {"alder homes", "alder homes:main office", "birch homes:main office", "main office",
         "alder homes:main office:annex"}  # fmt: skip


def test_top_level_names_are_the_names_without_a_parent() -> None:
    assert sibling_names(TAKEN, "") == {"alder homes", "main office"}


def test_a_parents_children_are_its_own_only() -> None:
    assert sibling_names(TAKEN, "Alder Homes:") == {"main office"}
    assert sibling_names(TAKEN, "Alder Homes:Main Office:") == {"annex"}
    assert sibling_names(TAKEN, "Cedar:") == set()


def test_an_unknown_parent_leaves_the_check_to_quickbooks() -> None:
    assert sibling_names(TAKEN, None) == set()
