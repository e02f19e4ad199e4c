"""services.policy: the checks name the field; a saved policy overrides the config file's and is
what the runner of the next cycle is given; nothing is saved when the policy is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

import pytest

from sfqb.cli.context import Services
from sfqb.cli.settings import CompanyConfig, ConfigFile, SettingsError
from sfqb.domain.policy import DiscountMode, MatchRule, OnConflict, OnDeleted, OrderTarget
from sfqb.services.policy import (
    PolicyError,
    clear_policy,
    effective_policy,
    save_policy,
    validate_policy,
)
from sfqb.store import Store

T0 = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
FILE_SECTION = {"on_deleted": "recreate", "alerts": {"email_to": ["file@acme.example"]}}


@pytest.mark.parametrize(
    ("mapping", "field"),
    [
        ({"match_rule": "name+shoe size"}, "match_rule"),
        ({"on_deleted": "shred"}, "on_deleted"),
        ({"on_conflict": "coin toss"}, "on_conflict"),
        ({"accounts": {"income_account": ""}}, "accounts.income_account"),
        ({"accounts": {"income_account": " Sales"}}, "accounts.income_account"),
        ({"alerts": {"email_to": ["not an address"]}}, "alerts.email_to"),
        ({"alerts": {"webhook_url": "ftp://hooks.example"}}, "alerts.webhook_url"),
        ({"alerts": {"max_per_hour": 0}}, "alerts.max_per_hour"),
        ({"sf_batch_size": 201}, "sf_batch_size"),
        ({"order_target": "PurchaseOrder"}, "order_target"),
        ({"backoff_base_seconds": 90, "backoff_cap_seconds": 60}, "backoff_cap_seconds"),
        ({"alerts": {"pager": "x"}}, "alerts"),
        ({"colour": "blue"}, ""),
        ({"binding_definition_id": "Salesforce Id"}, "binding_definition_id"),
        ({"binding_definition_id": True}, "binding_definition_id"),
        ({"binding_definition_id": 0}, "binding_definition_id"),
        ({"discounts": {"mode": "haggle"}}, "discounts.mode"),
        ({"discounts": {"item": ""}}, "discounts.item"),
        ({"discounts": {"rate": 5}}, "discounts"),
        ({"cdc_sweep_at": "25:00"}, "cdc_sweep_at"),
        ({"cdc_sweep_at": "2:30"}, "cdc_sweep_at"),
        ({"cdc_sweep_at": 230}, "cdc_sweep_at"),
    ],
)
def test_a_refused_setting_is_named(mapping: dict[str, Any], field: str) -> None:
    with pytest.raises(PolicyError) as caught:
        validate_policy(mapping)
    assert caught.value.field == field
    assert caught.value.problem in str(caught.value)
    assert str(caught.value).startswith(f"policy.{field}" if field else "policy")


def test_the_quickbooks_online_custom_field_is_off_by_default_and_takes_a_definition_id() -> None:
    assert validate_policy({}).binding_definition_id == ""
    assert validate_policy({"binding_definition_id": "5"}).binding_definition_id == "5"
    # A YAML number is the same Id (binding_definition_id: 5 in the config file).
    assert validate_policy({"binding_definition_id": 5}).binding_definition_id == "5"


def test_the_nightly_sweep_time_is_the_bundled_one_unless_the_company_sets_its_own() -> None:
    from datetime import time

    from sfqb.jobs.qb_checkpoint import sweep_at_of

    assert validate_policy({}).cdc_sweep_at == ""
    assert sweep_at_of(validate_policy({})) == time(2, 30)  # jobs/data/schedule.yaml
    assert sweep_at_of(validate_policy({"cdc_sweep_at": "23:05"})) == time(23, 5)


def test_order_target_is_a_setting_invoice_unless_chosen() -> None:
    assert validate_policy({}).order_target is OrderTarget.INVOICE
    assert validate_policy({"order_target": "SalesOrder"}).order_target is OrderTarget.SALES_ORDER
    with pytest.raises(PolicyError, match="must be one of Invoice, SalesOrder, Estimate"):
        validate_policy({"order_target": "sales order"})


def test_the_config_file_message_is_unchanged() -> None:
    with pytest.raises(PolicyError, match=r"^sfqb.yaml: companies.acme.policy.alerts.email_to: "):
        validate_policy({"alerts": {"email_to": "a b@c"}}, "sfqb.yaml: companies.acme.policy")


def test_a_valid_mapping_is_the_policy() -> None:
    policy = validate_policy(
        {"match_rule": "name", "on_conflict": "newest_wins", "accounts": {"income_account": "X"}}
    )
    assert policy.match_rule is MatchRule.NAME
    assert policy.on_conflict is OnConflict.NEWEST_WINS
    assert policy.accounts.income_account == "X"


def test_saved_settings_override_the_file_setting_by_setting(db: Store) -> None:
    saved = {"match_rule": "never", "alerts": {"webhook_url": "https://hooks.example/s"}}
    view = save_policy(db, "acme", saved, FILE_SECTION, by="demo", clock=lambda: T0)
    assert view.policy.match_rule is MatchRule.NEVER  # the console's
    assert view.policy.on_deleted is OnDeleted.RECREATE  # the file's, kept
    assert view.policy.alerts.email_to == ("file@acme.example",)  # the file's, same section
    assert view.policy.alerts.webhook_url == "https://hooks.example/s"
    assert view.from_store == {"match_rule", "alerts", "alerts.webhook_url"}
    assert (view.saved_by, view.saved_at) == ("demo", T0)
    assert effective_policy(db, "other", FILE_SECTION).from_store == frozenset()


def test_a_refused_policy_saves_nothing(db: Store) -> None:
    save_policy(db, "acme", {"match_rule": "name"}, None, by="demo", clock=lambda: T0)
    with pytest.raises(PolicyError) as caught:
        save_policy(
            db, "acme", {"match_rule": "never", "on_deleted": "shred"}, None,
            by="demo", clock=lambda: T0,
        )  # fmt: skip
    assert caught.value.field == "on_deleted"
    assert effective_policy(db, "acme", None).policy.match_rule is MatchRule.NAME


def test_a_policy_that_breaks_with_the_file_is_refused(db: Store) -> None:
    section = {"backoff_base_seconds": 600}
    with pytest.raises(PolicyError) as caught:
        save_policy(db, "acme", {"backoff_cap_seconds": 60}, section, by="d", clock=lambda: T0)
    assert caught.value.field == "backoff_cap_seconds"
    assert db.policies.get("acme") is None


def _services(db: Store, section: dict[str, Any]) -> Services:
    services = Services(clock=lambda: T0)
    services.store = db
    config = CompanyConfig(policy_keys=frozenset(section), policy_section=MappingProxyType(section))
    services.config = ConfigFile(MappingProxyType({"acme": config}))
    return services


def test_the_next_cycle_reads_the_saved_policy(db: Store) -> None:
    services = _services(db, FILE_SECTION)
    assert services.policy("acme").match_rule is MatchRule.NAME_AND_EMAIL_OR_PHONE
    save_policy(db, "acme", {"match_rule": "never"}, FILE_SECTION, by="d", clock=lambda: T0)
    runner = services.runner("acme", source=object())  # type: ignore[arg-type]
    assert runner.policy.match_rule is MatchRule.NEVER
    assert runner.policy.on_deleted is OnDeleted.RECREATE
    in_force = services.policy_in_force("acme").to_json()
    assert (in_force["source"], in_force["set_in_console"]) == ("console", ["match_rule"])
    assert clear_policy(db, "acme")
    assert services.policy("acme").match_rule is MatchRule.NAME_AND_EMAIL_OR_PHONE


def test_the_schedule_sets_the_contact_interval_unless_the_console_does(db: Store) -> None:
    from sfqb.jobs.health import record_schedule

    services = _services(db, {})
    record_schedule(db, "acme", 20)
    assert services.policy("acme").expected_contact_minutes == 40
    save_policy(db, "acme", {"expected_contact_minutes": 90}, {}, by="d", clock=lambda: T0)
    assert services.policy("acme").expected_contact_minutes == 90
    assert services.policy_in_force("acme").contact_source == "the console"


def test_a_stored_policy_the_file_now_contradicts_is_one_line(db: Store) -> None:
    save_policy(db, "acme", {"backoff_cap_seconds": 60}, {}, by="d", clock=lambda: T0)
    services = _services(db, {"backoff_base_seconds": 600})
    with pytest.raises(SettingsError, match="backoff_cap_seconds"):
        services.policy("acme")


def test_the_discount_section_is_parsed() -> None:
    policy = validate_policy({"discounts": {"mode": "discount_line", "item": "Trade Discount"}})
    assert policy.discounts.mode is DiscountMode.DISCOUNT_LINE
    assert policy.setting("discount_item") == "Trade Discount"
    assert validate_policy({}).discounts.mode is DiscountMode.NET_PRICE


def test_the_vendor_suffix_is_a_company_setting() -> None:
    policy = validate_policy({"vendors": {"second_name_suffix": " [V]", "also_customers": True}})
    assert policy.vendors.second_name_suffix == " [V]"
    assert policy.vendors.also_customers


def test_a_saved_policy_has_no_vendor_rule_it_is_the_flow_filter() -> None:
    # The config file's older `vendors: rule:` is read as the flow's filter (cli.settings); a
    # policy from the console or the API is told where the rule lives now.
    with pytest.raises(PolicyError, match=r"vendors\.rule is the account_to_vendor flow's filter"):
        validate_policy({"vendors": {"rule": {"field": "Type", "value": "Vendor"}}})


@pytest.mark.parametrize(
    ("vendors", "message"),
    [
        ({"second_name_suffix": "::"}, "vendors.second_name_suffix must be text of 1 to 10"),
        ({"second_name_suffix": " (a vendor record)"}, "vendors.second_name_suffix"),
        ({"suffix": " (V)"}, "vendors: unknown setting 'suffix'"),
    ],
)
def test_a_bad_vendor_setting_names_itself(vendors: dict[str, Any], message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        validate_policy({"vendors": vendors})
