"""`sfqb status` and the config file's `policy:` section, through a Typer app of our own."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from sfqb.cli import qbd, status
from sfqb.cli.context import Services
from sfqb.codes import load_catalog
from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.status import System
from sfqb.store import Direction, RunStatus, Store

CATALOG = load_catalog()
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_app() -> typer.Typer:
    app = typer.Typer(pretty_exceptions_enable=False, add_completion=False)

    @app.callback()
    def _root(ctx: typer.Context) -> None:
        if ctx.obj is None:
            ctx.obj = Services(clock=lambda: T0 + timedelta(hours=1))

    status.register(app)
    qbd.register(app, typer.Typer())
    return app


def invoke(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(make_app(), list(args), env={"COLUMNS": "200", **env})
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    store = Store.from_url(url)
    store.migrate()
    store.create_company("acme", "acme-qb", "pw")
    store.create_company("beta", "beta-qb", "pw")
    cause = CATALOG.decode(System.HRESULT, "0x80040408", "Could not start QuickBooks.")
    store.circuits.contact("acme", now=T0 - timedelta(minutes=5))
    store.circuits.open("acme", cause, now=T0)
    run = store.journal.start_run("acme", ["account_to_customer"], at=T0)
    store.journal.finish_run(run.id, RunStatus.FAILED, {"synced": 0}, at=T0)
    store.queue.enqueue(
        "acme", "account_to_customer", Direction.SF_TO_QB, SfRef(SfObject.ACCOUNT, "001A"),
        payload={"Name": "A"}, fingerprint="f1", now=T0,
    )  # fmt: skip
    store.review.hold("acme", "account_to_customer", "Account", "001B", "two candidates", now=T0)
    store.engine.dispose()
    config = tmp_path / "sfqb.yaml"
    config.write_text(
        "companies:\n  acme:\n    policy:\n      expected_contact_minutes: 15\n"
        "      on_inactive: reactivate\n"
    )
    return {"SFQB_DATABASE_URL": url, "SFQB_CONFIG": str(config)}


def test_status_shows_the_circuit_decoded_and_what_waits(env: dict[str, str]) -> None:
    code, output = invoke(env, "status")
    assert code == 0, output
    assert "acme\n  connector: DOWN since 2026-03-02T09:00:00+00:00 (flows paused)" in output
    assert "hresult 0x80040408" in output.lower() and "fix: " in output
    assert "last contact: 2026-03-02T08:55:00+00:00" in output
    assert "last run: #1 failed" in output and "review items open: 1" in output
    assert "queue: 1 not done yet (due 1; list: sfqb queue --company acme)" in output
    assert "beta\n  connector: not heard from yet" in output
    assert "last contact: never\n  last run: none yet" in output


def test_status_json_for_one_company(env: dict[str, str]) -> None:
    code, output = invoke(env, "status", "--company", "acme", "--json")
    assert code == 0, output
    (acme,) = json.loads(output)
    assert acme["circuit"]["state"] == "open"
    assert acme["circuit"]["cause"]["code"].lower() == "0x80040408"
    assert acme["circuit"]["cause"]["meaning"]
    assert acme["last_run"]["status"] == "failed" and acme["review_open"] == 1
    assert acme["queue"] == {"pending": 1}
    assert acme["policy"]["expected_contact_minutes"] == 15
    assert acme["policy"]["on_inactive"] == "reactivate"
    assert acme["policy"]["alerts"]["max_per_hour"] == 6  # the default


def test_status_of_an_unknown_company_exits_2(env: dict[str, str]) -> None:
    code, output = invoke(env, "status", "--company", "nope")
    assert code == 2 and output.startswith("sfqb: unknown company 'nope'")


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        ("on_deleted: burn", "companies.acme.policy.on_deleted must be one of recreate, hold"),
        (
            "on_inactive: wake",
            "companies.acme.policy.on_inactive must be one of reactivate, review",
        ),
        ("max_attempts: 0", "companies.acme.policy.max_attempts must be at least 1, not 0"),
        ("max_atempts: 3", "companies.acme.policy: unknown setting 'max_atempts'"),
        ("sf_batch_size: 201", "companies.acme.policy.sf_batch_size must be at most 200, not 201"),
        ("sf_batch_size: 0", "companies.acme.policy.sf_batch_size must be at least 1, not 0"),
        ("alerts: {max_per_hour: many}", "policy.alerts.max_per_hour must be a whole number"),
        ("alerts: {email_to: [nobody]}", "policy.alerts.email_to: 'nobody' is not an email"),
        ("alerts: {webhook_url: ftp://x}", "policy.alerts.webhook_url must be an http:// or"),
        ("backoff_base_seconds: 600\n      backoff_cap_seconds: 60", "must not be below"),
        ("[1, 2]", "companies.acme.policy must be a mapping"),
    ],
)
def test_a_bad_policy_exits_2_with_one_line(
    env: dict[str, str], tmp_path: Path, policy: str, message: str
) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text(f"companies:\n  acme:\n    policy:\n      {policy}\n")
    for args in (("status",), ("serve", "--port", "0")):
        code, output = invoke({**env, "SFQB_CONFIG": str(config)}, *args)
        assert code == 2, output
        lines = output.strip().splitlines()
        assert len(lines) == 1 and message in lines[0], output


def test_a_bad_smtp_port_exits_2(env: dict[str, str]) -> None:
    code, output = invoke({**env, "SFQB_SMTP_PORT": "mail"}, "status")
    assert code == 2 and output.startswith("sfqb: SFQB_SMTP_PORT:"), output


def test_version_works_alone() -> None:
    from sfqb import __version__
    from sfqb.cli.main import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"sfqb {__version__}\n", result.output


@pytest.fixture
def quiet(tmp_path: Path) -> dict[str, str]:
    """gamma: a closed outage long ago, a .qwc run every 15 minutes, last heard 90 minutes ago."""
    url = f"sqlite:///{tmp_path / 'q.sqlite'}"
    store = Store.from_url(url)
    store.migrate()
    store.create_company("gamma", "gamma-qb", "pw")
    cause = CATALOG.decode(System.HRESULT, "0x80040408", "Could not start QuickBooks.")
    store.circuits.open("gamma", cause, now=T0 - timedelta(hours=3))
    store.journal.record_attempt(
        company="gamma", flow="connector", direction=Direction.SF_TO_QB, operation="connect",
        status=cause, at=T0 - timedelta(hours=3),
    )  # fmt: skip
    store.circuits.contact("gamma", now=T0 - timedelta(minutes=30))  # closes the outage
    store.engine.dispose()
    return {"SFQB_DATABASE_URL": url, "SFQB_CONFIG": ""}


def test_a_silent_web_connector_is_a_warning_not_health(quiet: dict[str, str]) -> None:
    code, output = invoke(quiet, "qwc", "--company", "gamma", "--every", "15")
    assert code == 0, output
    code, output = invoke(quiet, "status", "--company", "gamma")
    assert code == 0, output
    assert "connector: WARNING - no contact for 90 min" in output, output
    assert "expected at least every 30 min, from the .qwc schedule (every 15 min" in output
    (data,) = json.loads(invoke(quiet, "status", "--json")[1])
    assert data["connector"]["health"] == "late"
    assert data["policy"]["expected_contact_minutes"] == 30


def test_a_closed_outage_is_not_an_open_failure(quiet: dict[str, str]) -> None:
    (data,) = json.loads(invoke(quiet, "status", "--json")[1])
    assert data["circuit"]["state"] == "closed" and data["open_failures"] == 0


def test_open_failures_name_the_list_behind_them(env: dict[str, str]) -> None:
    _code, output = invoke(env, "status", "--company", "acme")
    assert "open failures: 0" in output  # nothing logged yet
    assert "review items open: 1 (list: sfqb review --company acme)" in output
    assert "queue: 1 not done yet (due 1; list: sfqb queue --company acme)" in output


def test_explain_and_status_json_agree_on_the_policy(env: dict[str, str]) -> None:
    from sfqb.cli import explain

    app = make_app()
    explain.register(app)
    config = Path(env["SFQB_CONFIG"])
    config.write_text("companies:\n  acme:\n    policy:\n      on_deleted: recreate\n")
    for company, effect in (("acme", "adds the record to QuickBooks again"),
                            ("beta", "holds the record on the review list")):  # fmt: skip
        result = CliRunner().invoke(
            app, ["status", "--company", company, "--json"], env={"COLUMNS": "200", **env}
        )
        (data,) = json.loads(result.output)
        said = data["policy"]["effects"]["recreate_unbound"]
        assert said.startswith(effect), said
        result = CliRunner().invoke(
            app, ["explain", "3120", "--company", company], env={"COLUMNS": "200", **env}
        )
        assert result.exit_code == 0, result.output
        assert f"Under {company}'s policy" in result.output and said in result.output


def test_status_json_has_the_numbers_to_watch(env: dict[str, str]) -> None:
    store = Store.from_url(env["SFQB_DATABASE_URL"])
    store.alerts.admit("acme", "outage", "circuit", "QuickBooks is down", "...", max_per_hour=6,
                       now=T0)  # fmt: skip
    store.journal.start_run("beta", [], at=T0 + timedelta(minutes=30))  # still running
    store.engine.dispose()
    code, output = invoke(env, "status", "--json")
    assert code == 0, output
    metrics = {data["company"]: data["metrics"] for data in json.loads(output)}
    # the clock reads T0 + 1 hour; acme's one run ended at T0, beta's has run 30 minutes
    assert metrics == {
        "acme": {
            "queue_depth": 1, "queue_due": 1, "cycle_age_seconds": 3600,
            "cycle_running_seconds": None, "alerts_open": 1, "review_open": 1,
        },
        "beta": {
            "queue_depth": 0, "queue_due": 0, "cycle_age_seconds": None,
            "cycle_running_seconds": 1800, "alerts_open": 0, "review_open": 0,
        },
    }  # fmt: skip
