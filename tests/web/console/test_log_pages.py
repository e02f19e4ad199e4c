"""The log, record and codes pages and their JSON API over the seed-codes store."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sfqb.codes import load_catalog
from sfqb.domain.status import System
from sfqb.store import Direction, Store

from .conftest import COMPANY, SECOND, Scratch, SignIn

REALWORLD = Path(__file__).parents[2] / "data" / "realworld"
LOG = f"/companies/{COMPANY}/log"
API_LOG = f"/api/v1/companies/{COMPANY}/log"
CATALOG = load_catalog()


@pytest.fixture
def viewer(console_client: TestClient, sign_in: SignIn) -> Iterator[TestClient]:
    """A client signed in as the viewer of the demo company."""
    sign_in(console_client, "viewer", "viewer-pw")
    yield console_client


def _words(text: str) -> str:
    return " ".join(text.split())


def test_filter_by_code_3170_shows_only_3170_rows(viewer: TestClient) -> None:
    page = viewer.get(LOG, params={"code": "3170"})
    assert page.status_code == 200, page.text
    codes = re.findall(r'href="/codes/([^"?]+)\?system=', page.text.split("<tbody>", 1)[1])
    assert codes and set(codes) == {"3170"}
    api = viewer.get(API_LOG, params={"code": "3170"}).json()
    assert api["rows"] and {r["code"] for r in api["rows"]} == {"3170"}
    assert all(r["meaning"] and r["fix"] for r in api["rows"])
    everything = viewer.get(API_LOG, params={"limit": 200}).json()["rows"]
    assert {r["code"] for r in everything} - {"3170"}  # the filter left others out


def test_each_row_links_its_code_and_record(viewer: TestClient) -> None:
    rows = viewer.get(API_LOG, params={"code": "3170"}).json()["rows"]
    page = viewer.get(LOG, params={"code": "3170"}).text
    first = rows[0]
    assert f'href="/codes/3170?system={first["system"]}"' in page
    record = first["salesforce_id"] or first["quickbooks_id"]
    assert f'href="/companies/{COMPANY}/records/{record}"' in page
    shown = viewer.get(f"/companies/{COMPANY}/records/{record}")
    assert shown.status_code == 200 and "3170" in shown.text
    assert shown.text.count("<h1") == 1


def test_cursor_paging_is_stable_when_attempts_arrive(scratch: Scratch, sign_in: SignIn) -> None:
    with TestClient(scratch.app, follow_redirects=False) as viewer:
        sign_in(viewer, "viewer", "viewer-pw")
        _pages_stay_put(viewer, scratch.store)


def _pages_stay_put(viewer: TestClient, store: Store) -> None:
    rows = viewer.get(API_LOG, params={"limit": 200}).json()["rows"]
    every = [r["id"] for r in rows]
    assert len(every) > 4, "the seed-codes store has more attempts than a page of 2"
    seen: list[int] = []
    first = viewer.get(API_LOG, params={"limit": 2}).json()
    seen += [r["id"] for r in first["rows"]]
    store.journal.record_attempt(
        company=COMPANY, flow="account_to_customer", direction=Direction.SF_TO_QB,
        operation="add", status=CATALOG.decode(System.QBXML, "0"),
        at=datetime.fromisoformat(rows[0]["time"]) + timedelta(seconds=1),
    )  # fmt: skip
    cursor = first["older"]
    while cursor:
        page = viewer.get(API_LOG, params={"limit": 2, "cursor": cursor}).json()
        seen += [r["id"] for r in page["rows"]]
        cursor = page["older"]
    assert seen == every  # nothing shifted, repeated or lost
    html = viewer.get(LOG, params={"limit": 2, "cursor": first["older"]}).text
    assert "Newer" in html and "Older" in html and "cursor=" in html


def test_bad_filters_are_shown_on_the_page(viewer: TestClient) -> None:
    for params in ({"cursor": "garbage"}, {"since": "yesterday"}, {"flow": "nope"}):
        page = viewer.get(LOG, params=params)
        assert page.status_code == 400 and 'role="alert"' in page.text
        api = viewer.get(API_LOG, params=params)  # the schema refuses them (422)
        expected = 404 if "cursor" in params else 422  # a cursor sfqb did not make: no such page
        assert api.status_code == expected and api.json()["detail"]
    unmade = viewer.get(API_LOG, params={"cursor": "c29tZXRoaW5nIGVsc2U"})  # base64, not sfqb's
    assert unmade.status_code == 404 and "cursor" in unmade.json()["detail"]
    empty = viewer.get(API_LOG, params={"since": "2026-03-02", "until": "2026-03-01"})
    assert empty.status_code == 200 and empty.json()["rows"] == []
    page = viewer.get(LOG, params={"since": "2026-03-02", "until": "2026-03-01"})
    assert page.status_code == 400 and "date range is empty" in page.text


def test_code_3140_page_shows_the_catalogs_meaning_and_fix(viewer: TestClient) -> None:
    status = CATALOG.decode(System.QBXML, "3140")
    page = viewer.get("/codes/3140")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    text = _plain(page.text)
    assert _words(status.meaning) in text and all(_words(step) in text for step in status.fix)
    api = viewer.get("/api/v1/codes/3140").json()["codes"]
    assert [(c["system"], c["meaning"]) for c in api] == [("qbxml", status.meaning)]


def test_unknown_code_is_a_404_page(viewer: TestClient) -> None:
    page = viewer.get("/codes/99999")
    assert page.status_code == 404 and page.text.count("<h1") == 1
    assert viewer.get("/api/v1/codes/99999").status_code == 404


def test_codes_list_and_search(viewer: TestClient) -> None:
    every = viewer.get("/codes")
    assert every.status_code == 200 and 'href="/codes/3140?system=qbxml"' in every.text
    found = viewer.get("/codes", params={"q": "invalid reference"})
    assert 'href="/codes/3140?system=qbxml"' in found.text
    assert found.text.count("<tr") < every.text.count("<tr")
    api = viewer.get("/api/v1/codes", params={"q": "3140"}).json()["codes"]
    assert ("qbxml", "3140") in {(c["system"], c["code"]) for c in api}


def _real_line() -> str:
    # consolibyte/quickbooks-php#256: a qbXML 3140 status as a person pasted it.
    return (REALWORLD / "qbphp-256-3140-message.txt").read_text(encoding="utf-8")


def test_decoder_decodes_a_real_qbxml_line(viewer: TestClient) -> None:
    form = viewer.get("/codes/decode")
    assert form.status_code == 200 and 'for="d-text">Log line or file' in form.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    answer = viewer.post("/codes/decode", data={"text": _real_line(), "csrf_token": token[1]})
    assert answer.status_code == 200, answer.text
    meaning = CATALOG.decode(System.QBXML, "3140").meaning
    assert "QuickBooks 3140" in answer.text and _words(meaning) in _plain(answer.text)
    log = (REALWORLD / "qbphp-92-qwclog-customerquery.txt").read_text(encoding="utf-8")
    element = next(line for line in log.splitlines() if line.startswith("<CustomerQueryRs"))
    answer = viewer.post("/codes/decode", data={"text": element, "csrf_token": token[1]})
    assert "QuickBooks 0" in answer.text and "CustomerQueryRs requestID=241" in answer.text
    uploaded = viewer.post(
        "/codes/decode",
        data={"csrf_token": token[1]},
        files={"file": ("qbwc.log", _real_line().encode(), "text/plain")},
    )
    assert uploaded.status_code == 200, uploaded.text
    assert "the file qbwc.log" in uploaded.text
    api = viewer.post("/api/v1/codes/decode", json={"text": _real_line()},
                      headers={"X-CSRF-Token": token[1]})  # fmt: skip
    assert [(s["code"], s["meaning"]) for s in api.json()["statuses"]] == [("3140", meaning)]
    assert api.json()["problem"] is None
    nothing = viewer.post("/api/v1/codes/decode", json={"text": "  "},
                          headers={"X-CSRF-Token": token[1]}).json()  # fmt: skip
    assert nothing["statuses"] == [] and "empty" in nothing["problem"]


def test_decoder_refuses_without_csrf_and_too_large_input(viewer: TestClient) -> None:
    assert viewer.post("/codes/decode", data={"text": _real_line()}).status_code == 403
    token = re.search(r'name="csrf_token" value="([^"]+)"', viewer.get("/codes/decode").text)
    assert token is not None
    big = viewer.post("/codes/decode", data={"csrf_token": token[1]},
                      files={"file": ("big.log", b"x" * 1_000_001, "text/plain")})  # fmt: skip
    assert big.status_code == 400 and "at most 1,000,000 bytes" in big.text
    empty = viewer.post("/codes/decode", data={"text": " ", "csrf_token": token[1]})
    assert empty.status_code == 400 and "empty" in empty.text


def test_other_companys_records_and_log_are_404(
    console_client: TestClient, sign_in: SignIn, console_store: Store
) -> None:
    sign_in(console_client, "viewer", "viewer-pw")
    record = next(
        r for r in console_client.get(API_LOG, params={"limit": 200}).json()["rows"]
        if r["salesforce_id"]
    )["salesforce_id"]  # fmt: skip
    console_client.post("/sign-out", data={"csrf_token": _token(console_client)})
    sign_in(console_client, "other", "other-pw")
    assert console_client.get(LOG).status_code == 404
    assert console_client.get(f"/companies/{COMPANY}/records/{record}").status_code == 404
    assert console_client.get(f"/api/v1/companies/{COMPANY}/records/{record}").status_code == 404
    second = f"/companies/{SECOND}/records/{record}"
    assert console_client.get(second).status_code == 404  # an Id of another company
    assert console_client.get(f"/api/v1{second}").status_code == 404
    assert console_client.get(f"/companies/{SECOND}/log").status_code == 200


def test_record_search_and_api(viewer: TestClient) -> None:
    rows = viewer.get(API_LOG, params={"limit": 200}).json()["rows"]
    named = next(r for r in rows if r["salesforce_name"])
    found = viewer.get(f"/api/v1/companies/{COMPANY}/records",
                       params={"q": named["salesforce_name"][:4]}).json()  # fmt: skip
    assert named["salesforce_id"] in {r["salesforce_id"] for r in found["records"]}
    page = viewer.get(f"/companies/{COMPANY}/records", params={"q": named["salesforce_name"]})
    assert f'/records/{named["salesforce_id"]}"' in page.text
    record = viewer.get(f"/api/v1/companies/{COMPANY}/records/{named['salesforce_id']}").json()
    assert record["salesforce_name"] == named["salesforce_name"]
    assert named["id"] in {a["id"] for a in record["attempts"]}
    by_name = viewer.get(API_LOG, params={"q": named["salesforce_name"]}).json()["rows"]
    assert by_name and all(r["salesforce_id"] == named["salesforce_id"] or
                           r["quickbooks_id"] for r in by_name)  # fmt: skip


def test_signed_out_is_sent_to_sign_in_or_401(console_client: TestClient) -> None:
    for url in (LOG, "/codes", "/codes/3140", "/codes/decode", f"/companies/{COMPANY}/records/x"):
        assert console_client.get(url).status_code == 303
    for url in (API_LOG, "/api/v1/codes", "/api/v1/codes/3140"):
        assert console_client.get(url).status_code == 401
    assert console_client.post("/api/v1/codes/decode", json={"text": "3100"}).status_code == 401


def _token(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text)
    assert found is not None
    return found[1]


def _plain(html: str) -> str:
    """The page's text with tags dropped and entities of quotes undone (to find catalog text)."""
    text = re.sub(r"<[^>]+>", " ", html)
    text = text.replace("&#34;", '"').replace("&#39;", "'").replace("&quot;", '"')
    text = text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    return " ".join(text.split())
