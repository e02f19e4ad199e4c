"""The settings page of a company (admin): the policy form (errors by the field, nothing saved;
a saved policy is what the next cycle reads), the .qwc download (the CLI's file), rotating the
Web Connector password (the one the login then accepts), the Salesforce form (secrets never
echoed), QuickBooks Online's Connect link; operators and viewers refused."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import time

import pytest
from fastapi.testclient import TestClient
from tests.web.console.admin_world import ORG_ID, AdminWorld, admin_world, client
from tests.web.console.conftest import COMPANY, ConsoleWorld, SignIn
from typer.testing import CliRunner

from sfqb.cli.main import app as cli_app
from sfqb.codes import load_catalog
from sfqb.connectors.qbd.webconnector import NoWorkSource, WebConnectorService, verify_password
from sfqb.domain.policy import MatchRule, OnDeleted
from sfqb.jobs.health import recorded_schedule
from sfqb.jobs.qb_checkpoint import sweep_at_of
from sfqb.jobs.schedule import default_sweep_at
from sfqb.services.policy import PolicyError, parse_policy
from sfqb.store import ConnectionSystem

SETTINGS = f"/companies/{COMPANY}/settings"
GOOD_POLICY = {
    "match_rule": "never",
    "on_deleted": "hold",
    "on_conflict": "newest_wins",
    "on_inactive": "review",
    "accounts.income_account": "Services Income",
    "alerts.email_to": "books@acme.example, ops@acme.example",
    "alerts.webhook_url": "",
}


@pytest.fixture(scope="module")
def world(
    console_world: ConsoleWorld, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AdminWorld]:
    with admin_world(console_world, tmp_path_factory.mktemp("settings")) as found:
        yield found


@pytest.fixture
def admin(world: AdminWorld, sign_in: SignIn) -> Iterator[tuple[TestClient, str]]:
    with client(world) as signed:
        yield signed, sign_in(signed, "demo", "demo")


def _problem(page: str, control: str) -> str:
    found = re.search(rf'id="{control}-problem">([^<]*)<', page)
    assert found is not None, f"no problem shown beside {control}"
    return html.unescape(found.group(1))


def test_a_refused_policy_is_shown_by_the_field_and_nothing_is_saved(
    world: AdminWorld, admin: tuple[TestClient, str]
) -> None:
    browser, csrf = admin
    before = world.services.policy(COMPANY)
    posted = {**GOOD_POLICY, "accounts.income_account": "", "csrf_token": csrf}
    answer = browser.post(f"{SETTINGS}/policy", data=posted)
    assert answer.status_code == 400
    assert "is not a QuickBooks full name" in _problem(
        answer.text, "policy-accounts-income-account"
    )
    assert re.search(r'id="policy-accounts-income-account"[^>]*aria-invalid="true"', answer.text)
    assert 'value="books@acme.example, ops@acme.example"' in answer.text  # values kept
    assert world.store.policies.get(COMPANY) is None
    assert world.services.policy(COMPANY) == before

    posted = {**GOOD_POLICY, "alerts.email_to": "books at acme", "csrf_token": csrf}
    answer = browser.post(f"{SETTINGS}/policy", data=posted)
    assert answer.status_code == 400
    assert "is not an email address" in _problem(answer.text, "policy-alerts-email-to")
    posted = {**GOOD_POLICY, "match_rule": "by gut feeling", "csrf_token": csrf}
    answer = browser.post(f"{SETTINGS}/policy", data=posted)
    assert answer.status_code == 400
    assert "must be one of" in _problem(answer.text, "policy-match-rule")
    assert world.store.policies.get(COMPANY) is None


def test_the_nightly_sweeps_time_is_checked_as_the_config_files_and_saved(
    world: AdminWorld, admin: tuple[TestClient, str]
) -> None:
    browser, csrf = admin
    page = browser.get(SETTINGS).text
    assert '<label for="policy-cdc-sweep-at">QuickBooks Online nightly sweep (UTC)</label>' in page
    default = default_sweep_at().strftime("%H:%M")
    assert f"empty: the default, {default} UTC." in page
    before = world.services.policy(COMPANY)
    answer = browser.post(
        f"{SETTINGS}/policy", data={**GOOD_POLICY, "cdc_sweep_at": "2:30", "csrf_token": csrf}
    )
    assert answer.status_code == 400
    told = _problem(answer.text, "policy-cdc-sweep-at")
    with pytest.raises(PolicyError) as checked:  # the config file's check, word for word
        parse_policy({"cdc_sweep_at": "2:30"}, "sfqb.yaml")
    assert told == checked.value.problem
    assert 'value="2:30"' in answer.text  # the value kept to correct
    assert world.store.policies.get(COMPANY) is None
    assert world.services.policy(COMPANY) == before

    posted = {**GOOD_POLICY, "cdc_sweep_at": " 23:05 ", "csrf_token": csrf}
    assert browser.post(f"{SETTINGS}/policy", data=posted).status_code == 303
    assert sweep_at_of(world.services.policy(COMPANY)) == time(23, 5)
    assert 'id="policy-cdc-sweep-at" name="cdc_sweep_at" type="text" value="23:05"' in (
        browser.get(SETTINGS).text
    )
    assert browser.post(f"{SETTINGS}/policy/reset", data={"csrf_token": csrf}).status_code == 303


def test_a_saved_policy_is_what_the_next_cycle_reads(
    world: AdminWorld, admin: tuple[TestClient, str]
) -> None:
    browser, csrf = admin
    answer = browser.post(f"{SETTINGS}/policy", data={**GOOD_POLICY, "csrf_token": csrf})
    assert answer.status_code == 303, answer.text
    page = browser.get(answer.headers["location"])
    assert "Saved the policy" in page.text and "Saved here by demo" in page.text
    runner = world.services.runner(COMPANY, source=object())  # type: ignore[arg-type]
    assert runner.policy.match_rule is MatchRule.NEVER
    assert runner.policy.on_deleted is OnDeleted.HOLD  # the scenario's file said recreate
    assert runner.policy.accounts.income_account == "Services Income"
    assert runner.policy.alerts.email_to == ("books@acme.example", "ops@acme.example")
    reset = browser.post(f"{SETTINGS}/policy/reset", data={"csrf_token": csrf})
    assert reset.status_code == 303
    assert world.store.policies.get(COMPANY) is None
    assert world.services.policy(COMPANY).match_rule is not MatchRule.NEVER


def test_the_qwc_download_is_the_file_sfqb_qwc_writes(
    world: AdminWorld, admin: tuple[TestClient, str]
) -> None:
    browser, _ = admin
    schedule = recorded_schedule(world.store, COMPANY)
    answer = browser.get(f"{SETTINGS}/qwc")
    assert answer.status_code == 200
    assert recorded_schedule(world.store, COMPANY) == schedule  # a GET changes nothing
    assert answer.headers["content-disposition"] == 'attachment; filename="sfqb-demo.qwc"'
    every = str(recorded_schedule(world.store, COMPANY) or 15)
    cli = CliRunner().invoke(
        cli_app,
        ["qwc", "--company", COMPANY, "--every", every, "--database-url", world.url],
        env={"SFQB_PUBLIC_URL": ""},
    )
    assert cli.exit_code == 0, cli.output
    assert answer.text == cli.stdout


def test_rotating_changes_the_password_the_web_connector_login_accepts(
    world: AdminWorld, admin: tuple[TestClient, str]
) -> None:
    browser, csrf = admin
    login = world.store.company(COMPANY)
    assert login is not None
    unconfirmed = browser.post(f"{SETTINGS}/qwc-password", data={"csrf_token": csrf})
    assert unconfirmed.status_code == 400
    assert "Tick the box" in _problem(unconfirmed.text, "rotate-confirm")
    assert world.store.company(COMPANY).password_hash == login.password_hash  # type: ignore[union-attr]

    answer = browser.post(f"{SETTINGS}/qwc-password", data={"csrf_token": csrf, "confirm": "yes"})
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    found = re.search(r'id="new-password" type="text" readonly value="([^"]+)"', answer.text)
    assert found is not None
    password = html.unescape(found.group(1))
    service = WebConnectorService(world.store, NoWorkSource(), load_catalog(), world.services.clock)
    assert service.authenticate(login.username, password)[1] != "nvu"
    after = world.store.company(COMPANY)
    assert after is not None and verify_password(password, after.password_hash)
    assert password not in browser.get(SETTINGS).text  # shown once


def test_the_salesforce_form_stores_the_connection_and_never_echoes_a_secret(
    world: AdminWorld, admin: tuple[TestClient, str]
) -> None:
    browser, csrf = admin
    form = {
        "csrf_token": csrf, "instance": "acme.my.salesforce.com", "username": "ops@acme.example",
        "password": "pw-never-shown-1", "security_token": "tok-never-shown-2",
        "client_id": "", "client_secret": "cs-never-shown-3",
    }  # fmt: skip
    refused = browser.post(f"{SETTINGS}/salesforce", data=form)
    assert refused.status_code == 400
    assert "consumer key" in _problem(refused.text, "sf-client_id")
    assert 'value="ops@acme.example"' in refused.text
    assert "never-shown" not in refused.text
    stored = world.store.connections.get(COMPANY, ConnectionSystem.SALESFORCE)
    before = stored.updated_at if stored else None

    answer = browser.post(f"{SETTINGS}/salesforce", data={**form, "client_id": "key-1"})
    assert answer.status_code == 200
    assert f"reaches org {ORG_ID}" in answer.text
    assert "never-shown" not in answer.text
    info = world.store.connections.get(COMPANY, ConnectionSystem.SALESFORCE)
    assert info is not None and info.updated_at != before
    assert (info.settings["instance"], info.settings["org_id"]) == (
        "acme.my.salesforce.com",
        ORG_ID,
    )
    secret = world.store.connections.secret(COMPANY, ConnectionSystem.SALESFORCE)
    assert secret is not None and secret["password"] == "pw-never-shown-1"


def test_the_quickbooks_online_link_starts_an_authorization(
    world: AdminWorld, admin: tuple[TestClient, str]
) -> None:
    browser, _ = admin
    page = browser.get(SETTINGS)
    assert f'href="{SETTINGS}/qbo-connect?environment=sandbox"' in page.text
    answer = browser.get(f"{SETTINGS}/qbo-connect?environment=sandbox")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("https://appcenter.intuit.example/")
    assert world.qbo_started[-1] == (COMPANY, "sandbox")
    assert browser.get(f"{SETTINGS}/qbo-connect?environment=moon").status_code == 400


def test_the_page_has_one_heading_and_a_label_for_every_control(
    admin: tuple[TestClient, str],
) -> None:
    browser, _ = admin
    page = browser.get(SETTINGS).text
    assert page.count("<h1") == 1
    controls = re.findall(r'<(?:input|select)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', page)
    assert len(controls) > 15
    for control in controls:
        assert f'<label for="{control}">' in page, control


@pytest.mark.parametrize("name", ["viewer", "operator", "other"])
def test_operators_and_viewers_are_refused(
    console_client: TestClient, sign_in: SignIn, name: str
) -> None:
    csrf = sign_in(console_client, name, f"{name}-pw")
    assert console_client.get(SETTINGS).status_code == 403
    assert console_client.get(f"{SETTINGS}/qwc").status_code == 403
    for action in ("policy", "qwc-password", "salesforce", "policy/reset"):
        answer = console_client.post(
            f"{SETTINGS}/{action}", data={**GOOD_POLICY, "confirm": "yes", "csrf_token": csrf}
        )
        assert answer.status_code == 403, action


def test_an_unknown_company_is_404_and_a_stranger_is_sent_to_sign_in(
    console_client: TestClient, sign_in: SignIn
) -> None:
    assert console_client.get(SETTINGS).status_code == 303
    sign_in(console_client, "demo", "demo")
    assert console_client.get("/companies/No%20Such/settings").status_code == 404
    assert console_client.get("/companies/No%20Such/settings/qwc").status_code == 404


def test_a_post_without_the_csrf_token_is_refused(admin: tuple[TestClient, str]) -> None:
    browser, _ = admin
    answer = browser.post(f"{SETTINGS}/qwc-password", data={"confirm": "yes"})
    assert answer.status_code == 403
