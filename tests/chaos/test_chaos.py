"""Issue 6, chaos acceptance: 1,000 records with 10% locks, 5% lost replies, one connector
outage and the `sfqb serve` worker killed with SIGKILL at random points, then resumed.

QuickBooks must hold every record exactly once, Salesforce must show every QuickBooks ID and
nothing may be left in the retry queue. The run itself is `sfqb.sandbox.chaos.run_chaos`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from sfqb.connectors.qbd.operations.marker import split_marker
from sfqb.domain.entities import SfObject
from sfqb.sandbox.chaos import COMPANY, ChaosOptions, ChaosResult, run_chaos, sandbox_config
from sfqb.sandbox.demo import quickbooks_markers
from sfqb.sandbox.qbd import CompanyFile
from sfqb.sandbox.salesforce import SalesforceSandbox
from sfqb.store import QueueStatus, SecretBox, Store

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(420)]

OPTIONS = ChaosOptions()
KINDS = {
    SfObject.ACCOUNT: ("Customer",),
    SfObject.PRODUCT2: ("ItemService", "ItemNonInventory", "ItemInventory"),
    SfObject.OPPORTUNITY: ("Invoice",),
}


def describe(result: ChaosResult) -> str:
    """The run's story, printed with any failed assertion."""
    logs = "\n".join(str(p) for p in result.worker_logs)
    sessions = "\n".join(result.sessions)
    return (
        f"quiet={result.quiet} restarts={result.restarts} elapsed={result.elapsed:.0f}s\n"
        f"kills planned={result.kills_planned}\nkills done={result.kills_done}\n"
        f"{sessions}\nworker logs:\n{logs}"
    )


def memo_markers(quickbooks: CompanyFile) -> Counter[str]:
    """How many invoices carry each `[sf:ID]` memo marker."""
    found: Counter[str] = Counter()
    for invoice in quickbooks.invoices():
        memo = invoice.fields.get("Memo")
        _, sf_id = split_marker(memo if isinstance(memo, str) else None)
        if sf_id is not None:
            found[sf_id] += 1
    return found


def test_chaos_run_leaves_every_record_once_and_the_queue_empty(tmp_path: Path) -> None:
    with SalesforceSandbox(sandbox_config(tmp_path)) as salesforce:
        world, result = run_chaos(OPTIONS, tmp_path, salesforce, progress=print)
        story = describe(result)
        org = salesforce.org
        accounts = [r["Id"] for r in org.records("Account")]
        products = [r["Id"] for r in org.records("Product2")]
        won = [r["Id"] for r in org.records("Opportunity") if r["StageName"] == "Closed Won"]
        assert len(accounts) + len(products) + len(won) == 1000
        sf_qb_ids = {
            r["Id"]: r.get("QuickBooks_ID__c")
            for sobject in ("Account", "Product2", "Opportunity")
            for r in org.records(sobject)
        }

    # The chaos really happened: every planned kill landed, the worker came back, one outage.
    assert result.quiet, story
    assert len(result.kills_done) == len(result.kills_planned) == OPTIONS.kills, story
    assert result.restarts >= len(result.kills_done), story
    assert result.outages == 1, story

    quickbooks = world.quickbooks
    # QuickBooks holds every record exactly once: as many records as Salesforce has ...
    assert len(quickbooks.customers()) == len(accounts), story
    assert len(quickbooks.items()) == len(products), story
    assert len(quickbooks.invoices()) == len(won), story
    # ... no Salesforce Id on two QuickBooks records, by custom field or by memo marker ...
    data_ext = quickbooks_markers(quickbooks)
    memos = memo_markers(quickbooks)
    assert [i for i, n in data_ext.items() if n > 1] == [], story
    assert [i for i, n in memos.items() if n > 1] == [], story
    assert set(memos) == set(won), story

    store = Store.from_url(world.store_url, secrets=SecretBox(world.secret_key))
    try:
        bindings = {b.sf.id: b for b in store.bindings.for_company(COMPANY)}
        counts = store.queue.count_by_status(COMPANY)
        open_items = store.queue.open_items(COMPANY)
        review = store.review.items(COMPANY)
    finally:
        store.engine.dispose()

    # ... and each one bound to its own QuickBooks record of the right kind.
    for sobject, ids in ((SfObject.ACCOUNT, accounts), (SfObject.PRODUCT2, products),
                         (SfObject.OPPORTUNITY, won)):  # fmt: skip
        unbound = [i for i in ids if i not in bindings]
        assert unbound == [], f"{sobject.value} without a binding: {unbound[:5]}\n{story}"
        for sf_id in ids:
            record = quickbooks.get(bindings[sf_id].qb.id)
            assert record is not None and record.kind in KINDS[sobject], (sf_id, story)
    assert len({b.qb.id for b in bindings.values()}) == len(bindings), story

    # Salesforce shows every QuickBooks ID: the one sfqb bound.
    wrong = {
        sf_id: (shown, bindings[sf_id].qb.id)
        for sf_id in [*accounts, *products, *won]
        if (shown := sf_qb_ids.get(sf_id)) != bindings[sf_id].qb.id
    }
    assert wrong == {}, f"{len(wrong)} records show a wrong QuickBooks ID\n{story}"

    # Nothing is left in the retry queue, and no record waits for a person.
    assert set(counts) == {QueueStatus.DONE}, f"{counts} {open_items[:5]}\n{story}"
    assert review == [], story
