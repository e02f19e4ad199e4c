"""Flows are on until switched off; a switch is stored per company with who and when."""

from __future__ import annotations

import pytest

from sfqb.store import Store, StoreError


def test_a_flow_is_on_until_switched_off_per_company(db: Store) -> None:
    switches = db.flow_settings
    assert switches.for_company("acme") == {}
    assert switches.disabled("acme") == frozenset()
    stored = switches.set("acme", "product_to_item", False, by="ops")
    assert (stored.enabled, stored.changed_by) == (False, "ops")
    assert switches.disabled("acme") == {"product_to_item"}
    assert switches.disabled("beta") == frozenset()
    switches.set("acme", "product_to_item", True, by="admin")
    assert switches.disabled("acme") == frozenset()
    again = switches.for_company("acme")["product_to_item"]
    assert again.enabled and again.changed_by == "admin"
    assert again.changed_at.utcoffset() is not None


def test_a_switch_needs_a_company_and_a_flow(db: Store) -> None:
    with pytest.raises(StoreError, match="needs a company"):
        db.flow_settings.set("", "product_to_item", False)


def test_a_config_default_off_yields_to_a_stored_switch(db: Store) -> None:
    """The config file's `enabled: false` keeps a flow off until a person switches it on."""
    switches = db.flow_settings
    assert switches.disabled("acme", ["product_to_item"]) == {"product_to_item"}
    switches.set("acme", "product_to_item", True, by="ops")
    assert switches.disabled("acme", ["product_to_item"]) == frozenset()
    switches.set("acme", "account_to_customer", False, by="ops")
    assert switches.disabled("acme", ["product_to_item"]) == {"account_to_customer"}
