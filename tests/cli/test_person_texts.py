"""What a person who never read the code stumbled on in the store of `sfqb demo --scenario
seed-codes` (issue 12's usability test), each point checked through the CLI."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sfqb.cli.main import app
from sfqb.domain.entities import SfObject, SfRef
from sfqb.store import Direction, Store


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The store the tester was handed (made once; each test works on its own copy)."""
    work = tmp_path_factory.mktemp("seed-codes")
    result = CliRunner().invoke(
        app, ["demo", "--scenario", "seed-codes", "--workdir", str(work)], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    return work / "sfqb.sqlite"


@pytest.fixture
def url(seeded: Path, tmp_path: Path) -> str:
    copy = tmp_path / "sfqb.sqlite"
    shutil.copy(seeded, copy)
    return f"sqlite:///{copy}"


def cli(url: str, *args: str, columns: int = 200) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, list(args), env={"SFQB_DATABASE_URL": url, "COLUMNS": str(columns)}
    )
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def ok(url: str, *args: str, columns: int = 200) -> str:
    code, output = cli(url, *args, columns=columns)
    assert code == 0, output
    return output


def one_line_error(url: str, *args: str) -> str:
    code, output = cli(url, *args)
    lines = [line for line in output.splitlines() if line.strip()]
    assert code == 2 and len(lines) == 1 and lines[0].startswith("sfqb: "), output
    return lines[0]


# -- 4: status counts what `sfqb queue` lists ----------------------------------------------------


def test_status_queue_line_counts_what_the_queue_lists(url: str) -> None:
    status = ok(url, "status")
    assert "0 records not done yet" in ok(url, "queue")
    assert re.search(r"queue: nothing waiting \(\d+ synced\)", status), status
    assert "list: sfqb queue" not in status and "done " not in status


def test_status_queue_line_points_to_the_records_not_done(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    store = Store.from_url(url)
    store.migrate()
    store.create_company("acme", "acme-qb", "pw")
    store.queue.enqueue(
        "acme", "account_to_customer", Direction.SF_TO_QB, SfRef(SfObject.ACCOUNT, "001A"),
        payload={"Name": "A"}, fingerprint="f1",
    )  # fmt: skip
    store.engine.dispose()
    status = ok(url, "status")
    assert "queue: 1 not done yet (due 1; list: sfqb queue --company acme); none synced yet" in (
        status
    )


# -- 5 and 6: the log names records, finds them by name, and says which parent one waits for ---


def test_log_names_each_record_beside_its_id_and_finds_it_by_name(url: str) -> None:
    rows = json.loads(ok(url, "log", "--json", "--limit", "500"))
    named = next(r for r in rows if r["salesforce_name"] and r["quickbooks_name"])
    sf_id = named["salesforce"].split()[1]
    text = ok(url, "log", "--limit", "500", columns=100)
    assert f'SF {named["salesforce"]} "{named["salesforce_name"]}"' in text
    assert f'QB {named["quickbooks"]} "{named["quickbooks_name"]}"' in text
    found = json.loads(ok(url, "log", "--json", "--record", named["salesforce_name"].upper()))
    assert found and {r["salesforce"].split()[1] for r in found} == {sf_id}
    by_id = json.loads(ok(url, "log", "--json", "--record", sf_id[:15]))
    assert by_id == found
    assert "no log entry is about 'Nobody Ltd'" in one_line_error(
        url, "log", "--record", "Nobody Ltd"
    )


def test_the_text_log_names_the_parent_a_record_waits_for(url: str) -> None:
    rows = json.loads(ok(url, "log", "--json", "--code", "PARENT_NOT_SYNCED"))
    parent = re.search(r"parent (Product2|Account) (\w{18})", rows[0]["message"])
    assert parent is not None
    text = ok(url, "log", "--code", "PARENT_NOT_SYNCED", columns=100)
    name = json.loads(ok(url, "log", "--json", "--record", parent[2]))[0]["salesforce_name"]
    assert f'why: waits for parent {parent[1]} {parent[2]} "{name}"' in text
    assert "QuickBooks 3250" in text and "qbxml" not in text


# -- 7 and 21: the review list says who settled an item, and which side lacks a value ---------


def test_review_says_which_salesforce_user_cleared_the_binding(url: str) -> None:
    text = " ".join(ok(url, "review", "--all").split())
    assert re.search(
        r"\[resolved: by Salesforce user 005\w{15}, who cleared QuickBooks_ID__c in Salesforce",
        text,
    ), text
    entries = json.loads(ok(url, "review", "--all", "--json"))
    assert any((e["resolved_by"] or "").startswith("by Salesforce user 005") for e in entries)


def test_review_comparison_says_which_side_lacks_a_value(url: str) -> None:
    text = ok(url, "review", "--all")
    assert "not in Salesforce" in text
    assert not re.search(r"\bmissing\b", text)


# -- 13 and 14: what sfqb will do, and words instead of jargon ---------------------------------


def test_explain_binding_cleared_says_what_sfqb_does() -> None:
    result = CliRunner().invoke(app, ["explain", "BINDING_CLEARED"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "take no action" not in result.output
    assert "sfqb will add the record to QuickBooks again" in result.output


def test_bindings_say_what_a_binding_is_and_status_never_says_circuit(url: str) -> None:
    first = ok(url, "bindings").splitlines()[0]
    assert first.startswith("Bindings: the links between Salesforce and QuickBooks records")
    assert "circuit" not in ok(url, "status").lower()
    assert "circuit" in ok(url, "status", "--json")  # JSON keys stay
    assert "holds" not in ok(url, "review", "--help")
    assert "held" not in ok(url, "retry", "--help")


# -- 16: unbind refuses a cut-short Id ----------------------------------------------------------


def test_unbind_refuses_a_cut_short_salesforce_id(url: str) -> None:
    before = json.loads(ok(url, "bindings", "--json"))
    sf_id, qb_id = before[0]["salesforce_id"], before[0]["quickbooks_id"]
    line = one_line_error(url, "unbind", sf_id[:14], "--company", "demo")
    assert "is not a Salesforce Id" in line and "cut short" in line
    assert f"Did you mean {sf_id}?" in line
    line = one_line_error(url, "unbind", qb_id[:-3], "--company", "demo")
    assert "cut short" in line and qb_id in line
    assert json.loads(ok(url, "bindings", "--json")) == before  # nothing removed
    assert "unbound Salesforce" in ok(url, "unbind", sf_id[:15], "--company", "demo")


# -- 17 and 18: retry says why there is nothing, and --id needs no --company for one company ---


def test_retry_with_nothing_to_retry_says_so_and_why(url: str) -> None:
    text = ok(url, "retry")
    assert text.startswith("nothing to retry: no record is waiting or failed")
    assert "0 records are due again" not in text


def test_retry_by_row_number_infers_the_only_company(url: str) -> None:
    line = one_line_error(url, "retry", "--id", "99")
    assert "needs --company" not in line and "no open queue row is about '99'" in line
    assert "--company" in ok(url, "retry", "--help")


def test_retry_by_row_number_with_two_companies_asks_which(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    store = Store.from_url(url)
    store.migrate()
    store.create_company("acme", "acme-qb", "pw")
    store.create_company("beta", "beta-qb", "pw")
    store.engine.dispose()
    line = one_line_error(url, "retry", "--id", "1")
    assert "add --company NAME" in line and "acme, beta" in line


# -- 19: status wraps to the terminal, Ids whole ------------------------------------------------


def test_status_wraps_to_a_narrow_terminal_without_splitting_words(url: str) -> None:
    wide = ok(url, "status")
    narrow = ok(url, "status", columns=70)
    assert max(len(line) for line in narrow.splitlines()) <= 70, narrow
    assert narrow.split() == wide.split()  # every word, Id and time stamp whole


def test_bindings_say_a_name_sfqb_wrote_is_the_one_it_last_wrote(url: str) -> None:
    """The tester read a merged customer's old name as QuickBooks' name: a name sfqb wrote is
    shown as the one it last wrote, not as what QuickBooks holds now."""
    out = " ".join(ok(url, "bindings", "--company", "demo").split())
    assert "sfqb last wrote its name as" in out
