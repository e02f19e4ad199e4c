"""Issue 11, chaos acceptance for QuickBooks Online: a few hundred records pushed by `sfqb sync`
subprocesses against a QuickBooks Online sandbox that loses replies, answers 429 and 5xx and
expires access tokens, with the subprocess killed by SIGKILL at random points, then run again.

QuickBooks Online must hold every record exactly once, Salesforce must show every QuickBooks
Id, and nothing may be left due. The run itself is `sfqb.sandbox.chaos_qbo.run_qbo_chaos`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sfqb.codes import load_catalog
from sfqb.domain.entities import SfObject
from sfqb.sandbox.chaos import COMPANY
from sfqb.sandbox.chaos_qbo import QboChaosOptions, QboChaosResult, run_qbo_chaos
from sfqb.sandbox.qbo import QboConfig, QboSandbox
from sfqb.sandbox.salesforce import SalesforceSandbox, SandboxConfig
from sfqb.store import QueueStatus, SecretBox, Store

pytestmark = [pytest.mark.chaos, pytest.mark.timeout(420)]

OPTIONS = QboChaosOptions()
KINDS = {
    SfObject.ACCOUNT: ("Customer",),
    SfObject.PRODUCT2: ("Item",),
    SfObject.OPPORTUNITY: ("Invoice", "SalesReceipt", "Estimate"),
}


def describe(result: QboChaosResult) -> str:
    """The run's story, printed with any failed assertion."""
    runs = "\n".join(result.runs)
    logs = "\n".join(str(p) for p in result.logs)
    return (
        f"quiet={result.quiet} elapsed={result.elapsed:.0f}s faults={dict(result.faults)}\n"
        f"kills planned={result.kills_planned}\nkills done={result.kills_done}\n"
        f"{runs}\nlogs:\n{logs}"
    )


def test_qbo_chaos_leaves_every_record_once_and_nothing_due(tmp_path: Path) -> None:
    # Intuit's 429 carries no Retry-After; the sandbox adds one so a throttled run waits 1 s.
    qbo_config = QboConfig(tls_dir=tmp_path / "qbo-tls", retry_after=1)
    with (
        SalesforceSandbox(SandboxConfig(tls_dir=tmp_path / "tls")) as salesforce,
        QboSandbox(qbo_config) as quickbooks,
    ):
        world, result = run_qbo_chaos(
            OPTIONS, tmp_path, salesforce, quickbooks, load_catalog(), progress=print
        )
        story = describe(result)
        org = salesforce.org
        ids = {
            SfObject.ACCOUNT: [r["Id"] for r in org.records("Account")],
            SfObject.PRODUCT2: [r["Id"] for r in org.records("Product2")],
            SfObject.OPPORTUNITY: [
                r["Id"] for r in org.records("Opportunity") if r["StageName"] == "Closed Won"
            ],
        }
        shown = {
            r["Id"]: r.get("QuickBooks_ID__c")
            for sobject in ("Account", "Product2", "Opportunity")
            for r in org.records(sobject)
        }
        records = {
            kind: {str(r["Id"]) for r in quickbooks.records(kind)}
            for kinds in KINDS.values()
            for kind in kinds
        }

    # The chaos really happened: every planned kill landed and every kind of fault was met.
    assert result.quiet, story
    assert len(result.kills_done) == len(result.kills_planned) == OPTIONS.kills, story
    for fault in ("reply lost", "HTTP 429", "token expired"):
        assert result.faults[fault] > 0, story
    assert result.faults["HTTP 500"] + result.faults["HTTP 503"] > 0, story

    store = Store.from_url(world.store_url, secrets=SecretBox(world.secret_key))
    try:
        bindings = {b.sf.id: b for b in store.bindings.for_company(COMPANY)}
        counts = store.queue.count_by_status(COMPANY)
        open_items = store.queue.open_items(COMPANY)
        review = store.review.items(COMPANY)
    finally:
        store.engine.dispose()

    for sobject, sf_ids in ids.items():
        # Every Salesforce record bound, each to its own QuickBooks Online record ...
        unbound = [i for i in sf_ids if i not in bindings]
        assert unbound == [], f"{sobject.value} without a binding: {unbound[:5]}\n{story}"
        bound = {bindings[i].qb.id for i in sf_ids}
        assert len(bound) == len(sf_ids), story
        # ... and QuickBooks Online holds exactly those: no record twice, none unbound.
        held = set().union(*(records[kind] for kind in KINDS[sobject]))
        assert held == bound, f"{sobject.value}: {len(held)} in QBO, {len(bound)} bound\n{story}"
        # Salesforce shows every QuickBooks Id: the one sfqb bound.
        wrong = {i: (shown.get(i), bindings[i].qb.id) for i in sf_ids}
        wrong = {i: pair for i, pair in wrong.items() if pair[0] != pair[1]}
        assert wrong == {}, f"{len(wrong)} {sobject.value} show a wrong Id\n{story}"

    # Nothing is left due, and no record waits for a person.
    assert set(counts) == {QueueStatus.DONE}, f"{counts} {open_items[:5]}\n{story}"
    assert review == [], story
