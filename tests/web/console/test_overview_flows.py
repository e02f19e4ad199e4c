"""The overview and the flows pages and their API over the seed-codes store: review counts,
a flow's switch (stored, and honoured by the runner), Run now, and who may do what."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from markupsafe import escape
from tests.web.console.conftest import COMPANY, SECOND, ConsoleWorld, Scratch, SignIn

from sfqb.cli.context import Services
from sfqb.connectors.qbd.webconnector import NoWorkSource, SoapEndpoint, WebConnectorService
from sfqb.domain.status import System
from sfqb.jobs.gateway import SalesforceSource
from sfqb.jobs.runner import CycleReport, Driver
from sfqb.jobs.salesforce_org import SalesforceOrg
from sfqb.services.sync import RunDesk, SyncTarget
from sfqb.store import ReviewStatus
from sfqb.sync.records import SfWrite, SfWriteResult
from sfqb.web import WebServices, create_app

FLOWS = f"/companies/{COMPANY}/flows"
RUNS = f"/companies/{COMPANY}/runs"


class QuietSalesforce:
    """A Salesforce with no changes, recording which objects the runner reads."""

    def __init__(self) -> None:
        self.read_objects: list[str] = []

    def streams(self, sobject: str) -> tuple[str, ...]:
        return (sobject,)

    def read(
        self, sobject: str, since: Any, where: Any = None, *, settled: Any = ()
    ) -> tuple[list[dict[str, Any]], dict[str, datetime]]:
        self.read_objects.append(sobject)
        return [], {}

    def read_ids(self, sobject: str, ids: Sequence[str], where: Any = None) -> list[dict[str, Any]]:
        return []

    def write(self, writes: Sequence[SfWrite]) -> list[SfWriteResult]:
        return []


class QuietBackend:
    """`sfqb serve`'s Services with Salesforce replaced by `QuietSalesforce`."""

    def __init__(self, world: ConsoleWorld, *, hold_cycles: bool = False) -> None:
        self.world, self.salesforce = world, QuietSalesforce()
        self.hold_cycles = hold_cycles
        self.during: Callable[[], object] | None = None  # what happens while a cycle runs

    def target(self, company: str) -> SyncTarget:
        found = self.world.services.target(company)
        if self.hold_cycles:  # as if sfqb pushed to this company (QuickBooks Online)
            return replace(found, open_driver=lambda: None)  # type: ignore[arg-type,return-value]
        return found

    def runner(
        self, company: str, source: SalesforceSource | None = None,
        org: SalesforceOrg | None = None,
    ) -> Any:  # fmt: skip
        return self.world.services.runner(company, self.salesforce)

    def push_cycle(
        self, company: str, source: SalesforceSource | None = None,
        org: SalesforceOrg | None = None, *, flows: Sequence[str] | None = None,
        wrap: Callable[[Driver], Driver] | None = None,
    ) -> CycleReport:  # fmt: skip
        during, self.during = self.during, None
        if during is None:
            raise AssertionError("a held cycle runs only with something to do meanwhile")
        during()
        return CycleReport(company, 0)


def _now() -> datetime:
    return datetime.now(UTC)


def app_with(world: ConsoleWorld, runs: RunDesk) -> FastAPI:
    """The served app with `runs` answering Run now."""
    console = replace(world.console, runs=runs)
    service = WebConnectorService(world.store, NoWorkSource(), world.services.catalog, _now)
    return create_app(WebServices(SoapEndpoint(service), console=console))


def _reviews(world: ConsoleWorld, company: str) -> int:
    return len(world.store.review.items(company, status=ReviewStatus.OPEN, limit=100_000))


def test_the_overview_shows_each_company_with_its_review_count(
    console_world: ConsoleWorld, console_client: TestClient, sign_in: SignIn
) -> None:
    sign_in(console_client, "demo", "demo")
    page = console_client.get("/")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    count = _reviews(console_world, COMPANY)
    assert count > 0  # the seed-codes demo leaves records for a person
    plural = "s" if count != 1 else ""
    assert f'href="/companies/{COMPANY}/review">{count} record{plural} to review</a>' in page.text
    assert "Second Books" in page.text and f'href="/companies/{COMPANY}/flows"' in page.text
    listed = console_client.get("/api/v1/companies").json()
    assert {r["company"]: r["review_open"] for r in listed} == {
        COMPANY: count,
        SECOND: _reviews(console_world, SECOND),
    }
    one = console_client.get(f"/api/v1/companies/{COMPANY}").json()
    assert one["last_run"]["id"] == console_world.store.journal.runs(COMPANY, limit=1)[0].id


def test_a_flow_switched_off_is_stored_shown_and_left_out_by_the_runner(
    scratch: Scratch, sign_in: SignIn
) -> None:
    with TestClient(scratch.app, follow_redirects=False) as client:
        csrf = sign_in(client, "operator", "operator-pw")
        answer = client.post(
            f"{FLOWS}/product_to_item", data={"enabled": "false", "csrf_token": csrf}
        )
        assert (answer.status_code, answer.headers["location"]) == (303, FLOWS)
        page = client.get(FLOWS).text
        assert "Products → Items is now off" in page
        assert "Switch on<span" in page
        # The counts are the last run's: a quiet last run shows 0, not the flow's total.
        assert ">Synced in that run</th>" in page and ">Errors in that run</th>" in page
        assert scratch.store.flow_settings.disabled(COMPANY) == {"product_to_item"}
        assert "is now off" not in client.get(FLOWS).text  # said once, after the redirect
        services = Services()
        services.store = scratch.store
        quiet = QuietSalesforce()
        services.runner(COMPANY, quiet).gather(COMPANY)
        # Product2 is not read; Account twice: customers (not the vendor rule) and vendors.
        assert quiet.read_objects == ["Account", "Account", "Opportunity", "Order"]
        api = client.get(f"/api/v1/companies/{COMPANY}/flows").json()
        assert {f["flow"]: f["enabled"] for f in api}["product_to_item"] is False
        headers = {"X-CSRF-Token": csrf}
        back = client.put(
            f"/api/v1/companies/{COMPANY}/flows/product_to_item", json={"enabled": True},
            headers=headers,
        )  # fmt: skip
        assert back.status_code == 200 and back.json()["enabled"] is True
        assert back.json()["changed_by"] == "operator"
        assert scratch.store.flow_settings.disabled(COMPANY) == frozenset()
        unknown = client.put(
            f"/api/v1/companies/{COMPANY}/flows/no_such_flow", json={"enabled": True},
            headers=headers,
        )  # fmt: skip
        assert unknown.status_code == 404


def test_run_now_for_a_desktop_company_is_queued_for_the_web_connectors_next_session(
    console_world: ConsoleWorld, sign_in: SignIn
) -> None:
    backend = QuietBackend(console_world)
    runs = RunDesk(backend, console_world.store, _now)
    with TestClient(app_with(console_world, runs), follow_redirects=False) as client:
        csrf = sign_in(client, "operator", "operator-pw")
        assert "queues them: QuickBooks Desktop takes them" in client.get(FLOWS).text
        answer = client.post(RUNS, data={"csrf_token": csrf})
        assert (answer.status_code, answer.headers["location"]) == (303, FLOWS)
        page = client.get(FLOWS).text
        assert "Queued for the Web Connector&#39;s next session: read 0 changed records" in page
        assert backend.salesforce.read_objects  # it read Salesforce's changes
        api = client.post(f"/api/v1/companies/{COMPANY}/runs", headers={"X-CSRF-Token": csrf})
        assert api.status_code == 202
        assert api.json()["kind"] == "queued"
        assert "Web Connector's next session" in api.json()["message"]


def test_run_now_while_a_cycle_runs_queues_one_after_it(
    console_world: ConsoleWorld, sign_in: SignIn
) -> None:
    held: list[Callable[[], None]] = []
    backend = QuietBackend(console_world, hold_cycles=True)
    runs = RunDesk(backend, console_world.store, _now, start=held.append)
    answers: list[Any] = []
    with TestClient(app_with(console_world, runs), follow_redirects=False) as client:
        csrf = sign_in(client, "operator", "operator-pw")
        assert client.post(RUNS, data={"csrf_token": csrf}).status_code == 303
        page = client.get(FLOWS)
        assert "Started a cycle of demo" in page.text
        assert '<meta http-equiv="refresh"' in page.text  # it refreshes while the cycle runs
        assert '<meta http-equiv="refresh"' in client.get("/").text
        api_runs = f"/api/v1/companies/{COMPANY}/runs"

        def pressed_meanwhile() -> None:
            answers.append(client.post(RUNS, data={"csrf_token": csrf}))
            answers.append(client.get(FLOWS))
            answers.append(client.post(api_runs, headers={"X-CSRF-Token": csrf}))

        backend.during = pressed_meanwhile
        held.pop()()  # the cycle runs; Run now is pressed on the page and in the API
        again, page, api = answers
        assert again.status_code == 303
        assert "Queued: a cycle of demo runs after the current cycle." in page.text
        assert api.status_code == 202 and api.json()["kind"] == "after_current"
        assert "already waiting to run; it covers this request" in api.json()["message"]
        assert len(held) == 1  # one cycle waits, none runs beside the first
        backend.during = lambda: None
        held.pop()()
    assert not held and not runs.busy(COMPANY)


def test_a_run_that_cannot_start_says_why_on_the_page(
    console_client: TestClient, sign_in: SignIn
) -> None:
    csrf = sign_in(console_client, "operator", "operator-pw")
    answer = console_client.post(RUNS, data={"csrf_token": csrf})
    assert answer.status_code == 409  # the seed-codes store has no Salesforce connection
    assert "Not run: company &#39;demo&#39; has no Salesforce connection" in answer.text
    assert "Traceback" not in answer.text


def test_a_viewer_sees_the_flows_but_cannot_switch_or_run(
    console_world: ConsoleWorld, console_client: TestClient, sign_in: SignIn
) -> None:
    csrf = sign_in(console_client, "viewer", "viewer-pw")
    page = console_client.get(FLOWS)
    assert page.status_code == 200 and "Accounts → Customers" in page.text
    assert "Switch off" not in page.text and "Run now" not in page.text
    posted = console_client.post(
        f"{FLOWS}/account_to_customer", data={"enabled": "false", "csrf_token": csrf}
    )
    assert posted.status_code == 403
    assert console_client.post(RUNS, data={"csrf_token": csrf}).status_code == 403
    headers = {"X-CSRF-Token": csrf}
    put = console_client.put(
        f"/api/v1/companies/{COMPANY}/flows/account_to_customer", json={"enabled": False},
        headers=headers,
    )  # fmt: skip
    assert put.status_code == 403
    run = console_client.post(f"/api/v1/companies/{COMPANY}/runs", headers=headers)
    assert run.status_code == 403
    assert console_world.store.flow_settings.disabled(COMPANY) == frozenset()


def test_another_companys_operator_gets_404_everywhere(
    console_client: TestClient, sign_in: SignIn
) -> None:
    csrf = sign_in(console_client, "other", "other-pw")
    assert console_client.get(FLOWS).status_code == 404
    assert console_client.post(RUNS, data={"csrf_token": csrf}).status_code == 404
    switched = console_client.post(
        f"{FLOWS}/account_to_customer", data={"enabled": "false", "csrf_token": csrf}
    )
    assert switched.status_code == 404
    for path in ("", "/flows"):
        assert console_client.get(f"/api/v1/companies/{COMPANY}{path}").status_code == 404
    assert [r["company"] for r in console_client.get("/api/v1/companies").json()] == [SECOND]


def test_a_company_whose_connector_is_down_says_since_when_why_and_what_to_do(
    scratch: Scratch, sign_in: SignIn
) -> None:
    cause = scratch.console.catalog.decode(
        System.HRESULT, "0x80040408", "Could not start QuickBooks."
    )
    scratch.store.circuits.open(SECOND, cause, now=datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    with TestClient(scratch.app, follow_redirects=False) as client:
        sign_in(client, "other", "other-pw")
        page = client.get("/").text
        api = client.get("/api/v1/companies").json()[0]["connector"]
    assert "DOWN</span>" in page
    assert "down since 2026-03-02 09:30 UTC: QuickBooks" in page
    assert escape(cause.meaning) in page and all(escape(step) in page for step in cause.fix)
    assert 'href="/codes/0x80040408"' in page
    assert api["health"] == "down" and api["cause"]["code"] == "0x80040408"
