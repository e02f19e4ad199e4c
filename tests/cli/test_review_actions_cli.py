"""`sfqb review resolve` records who acted (--by, else the OS user) and offers the console's
other actions: --retry, --assign USER [--email], --set FIELD=VALUE."""

from __future__ import annotations

import getpass

from tests.cli.cli_helpers import fails, ok
from tests.cli.test_review_cli import Env, env

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
