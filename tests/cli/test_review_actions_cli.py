"""`sfqb review resolve` records who acted (--by, else the OS user) and offers the console's
other actions: --retry, --assign USER [--email], --set FIELD=VALUE."""

from __future__ import annotations

import getpass

from tests.cli.cli_helpers import fails, ok
from tests.cli.test_review_cli import Env, env

from sfqb.codes import load_catalog
from sfqb.domain.entities import SfObject, SfRef
from sfqb.domain.status import System
from sfqb.store import QueueStatus

__all__ = ["env"]


def test_actions_are_recorded_with_who(env: Env) -> None:
    (item,) = env.items()
    i = str(item["id"])
    assert "assigned to bob" in ok("review", "resolve", i, "--assign", "bob", "--by", "ada")
    assert "the next cycle tries" in ok("review", "resolve", i, "--retry")
    store = env.store()
    history = [(a.action, a.by) for a in store.review_actions.of_item(item["id"])]
    assert history == [("assign", "ada"), ("retry", getpass.getuser())]
    (listed,) = env.items()
    assert listed["assigned_to"] == "bob" and listed["status"] == "open"
    assert "assigned to: bob" in ok("review")
    ok("review", "resolve", i, "--ignore", "--by", "carol")
    (closed,) = env.items("--all")
    assert closed["closed_by"] == "carol"
    assert "by carol" in ok("review", "--all")


def test_the_new_options_refuse_mistakes_in_one_line(env: Env) -> None:
    (item,) = env.items()
    i = str(item["id"])
    cases = {
        (i, "--set", "Phone"): "--set takes FIELD=VALUE",
        (i, "--set", "Phone=1"): "did not fail on the record's data",
        (i, "--email", "a@b.example", "--ignore"): "--email goes with --assign",
        (i, "--retry", "--ignore"): "--ignore and --retry",
        (i, "--assign", "bob", "--email", "not an address"): "is not an e-mail address",
    }
    for args, text in cases.items():
        assert text in fails("review", "resolve", *args), args
    assert env.store().review_actions.of_item(item["id"]) == []


def test_correct_a_held_record_s_value_and_the_next_sync_sends_it(env: Env) -> None:
    other = env.sf.org.create("Account", {"Name": "Held Co", "Phone": "555 0101 #44"})
    ok("sync")
    store = env.store()
    sf = SfRef(SfObject.ACCOUNT, other)
    row = store.queue.get("demo", "account_to_customer", sf)
    assert row is not None
    fails_before = fails("review", "correct", other, "Phone=(512) 555-0199", "--company", "demo")
    assert "did not fail on its data" in fails_before
    # As the runner records QuickBooks refusing the value (3210): failed, waiting for a person.
    store.queue.requeue(row.id)
    store.queue.mark(row.id, QueueStatus.INFLIGHT)
    refused = load_catalog().decode(System.QBXML, "3210", "Invalid field value")
    store.queue.mark(row.id, QueueStatus.FAILED, decoded=refused)
    assert "--set takes FIELD=VALUE" in fails(
        "review", "correct", other, "Phone", "--company", "demo"
    )
    output = ok(
        "review", "correct", other, "Phone=(512) 555-0199", "--company", "demo", "--by", "ada"
    )
    assert 'Phone set to "(512) 555-0199" for this record' in output, output
    (action,) = store.review_actions.of_record("demo", "Account", other)
    assert (action.action, action.by) == ("correct", "ada")
    ok("sync")
    binding = store.bindings.by_sf("demo", sf)
    assert binding is not None
    customer = env.quickbooks().get(binding.qb.id)
    assert customer is not None and customer.fields["Phone"] == "(512) 555-0199"
    assert env.sf.org.get("Account", other)["Phone"] == "555 0101 #44"
