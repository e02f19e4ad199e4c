"""Limits against hostile callers in the service: the login throttle, field caps, versions."""

from __future__ import annotations

import logging

import pytest

from sfqb.codes import Catalog
from sfqb.connectors.qbd.webconnector import SoapEndpoint, WebConnectorService, ticket_key
from sfqb.connectors.qbd.webconnector import service as module
from sfqb.domain.login_throttle import Refusal, ThrottleEvent
from sfqb.store import Store

ATTACKER = "203.0.113.9"
WC = "198.51.100.20"


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password the service hashes (checked or burnt), in order."""
    seen: list[str] = []
    real_verify, real_burn = module.verify_password, module.burn_time

    def verify(password: str, stored: str) -> bool:
        seen.append(password)
        return real_verify(password, stored)

    def burn(password: str) -> None:
        seen.append(password)
        real_burn(password)

    monkeypatch.setattr(module, "verify_password", verify)
    monkeypatch.setattr(module, "burn_time", burn)
    return seen


@pytest.fixture
def alarms() -> list[tuple[str, ThrottleEvent]]:
    return []


@pytest.fixture
def guarded(store: Store, work, catalog: Catalog, clock, alarms) -> WebConnectorService:  # type: ignore[no-untyped-def]
    return WebConnectorService(
        store, work, catalog, clock, login_alarm=lambda c, e: alarms.append((c, e))
    )


def test_200_wrong_passwords_lock_the_address_out_after_10_without_hashing(
    guarded: WebConnectorService, hashes: list[str], alarms, clock, caplog
) -> None:
    caplog.set_level(logging.WARNING)
    answers = [guarded.authenticate("acme", f"guess{n}", ATTACKER)[1] for n in range(200)]
    assert answers == ["nvu"] * 200
    assert len(hashes) == 10  # the other 190 were refused unchecked
    assert guarded.authenticate("acme", "s3cret", ATTACKER)[1] == "nvu"  # locked, even right
    assert len(hashes) == 10
    ((company, event),) = alarms  # one alert for the lock-out
    assert (company, event.kind, event.client) == ("Acme", Refusal.LOCKED, ATTACKER)
    assert any(
        "locked out" in r.getMessage() and ATTACKER in r.getMessage() for r in caplog.records
    )
    # The real Web Connector, from its own address, is not locked out.
    assert guarded.authenticate("acme", "s3cret", WC)[1] == "none"
    clock.advance(10 * 60)
    assert guarded.authenticate("acme", "s3cret", ATTACKER)[1] == "none"


def test_a_second_lock_out_raises_a_second_alert(
    guarded: WebConnectorService, alarms, clock
) -> None:
    for _ in range(2):
        for _ in range(12):
            guarded.authenticate("acme", "wrong", ATTACKER)
        clock.advance(10 * 60)
    assert len(alarms) == 2


def test_unknown_users_are_throttled_too_and_raise_no_alert(
    guarded: WebConnectorService, hashes: list[str], alarms
) -> None:
    for _ in range(30):
        assert guarded.authenticate("nobody", "x", ATTACKER)[1] == "nvu"
    assert len(hashes) == 10
    assert alarms == []


def test_behind_an_unknown_proxy_failures_are_slowed_not_locked(
    guarded: WebConnectorService, hashes: list[str], alarms, clock
) -> None:
    for _ in range(50):
        guarded.authenticate("acme", "wrong", None)
    assert len(hashes) == 10  # the rest came inside the delay
    ((_, event),) = alarms
    assert event.kind is Refusal.SLOWED
    assert guarded.authenticate("acme", "s3cret", None)[1] == "nvu"  # inside the delay
    clock.advance(1)
    assert guarded.authenticate("acme", "s3cret", None)[1] == "none"  # not locked out


def test_an_over_long_user_name_or_password_is_refused_unhashed(
    guarded: WebConnectorService, hashes: list[str]
) -> None:
    assert guarded.authenticate("acme", "x" * 1_000_000, ATTACKER)[1] == "nvu"
    assert guarded.authenticate("a" * 100_000, "s3cret", ATTACKER)[1] == "nvu"
    assert guarded.authenticate("acme", "é" * 300, ATTACKER)[1] == "nvu"  # 600 bytes in UTF-8
    assert hashes == []


def test_a_ticket_that_is_not_a_uuid_never_reaches_the_store(
    guarded: WebConnectorService, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(ticket: str) -> None:
        raise AssertionError(f"store asked about {ticket[:20]!r}")

    monkeypatch.setattr(store, "get_session", boom)
    huge = "t" * 1_000_000
    assert guarded.send_request_xml(huge, "", "", "US", 13, 0) == ""
    assert guarded.receive_response_xml(huge, "", "", "") == module.UNKNOWN_SESSION
    assert guarded.connection_error(huge, "0x80040408", "x") == "done"
    assert guarded.get_last_error(huge) == module.UNKNOWN_TICKET_TEXT
    assert guarded.close_connection(huge) == "OK"


def test_connection_error_texts_are_stored_cut(guarded: WebConnectorService, store: Store) -> None:
    store.enqueue_for("Acme", "<QBXML/>")
    ticket, answer = guarded.authenticate("acme", "s3cret")
    assert answer == ""
    message = "QuickBooks is not running. " * 40_000  # about 1 MB
    assert guarded.connection_error(ticket, "0x80040408" + "0" * 100_000, message) == "done"
    session = store.get_session(ticket_key(ticket))
    assert session is not None
    assert 0 < len(session.last_error) < 3 * guarded.settings.max_error_text_chars


@pytest.mark.parametrize(
    "version",
    ["2." + "9" * 5000, "9" * 5000, "2.3.0.x", "v2", "2..3", "²", "2.3.0.215 beta", "1" * 4301],
)
def test_an_unreadable_client_version_gets_a_warning_never_an_error(
    service: WebConnectorService, version: str
) -> None:
    answer = service.client_version(version)
    assert answer.startswith("W:")
    assert len(answer) < 400  # the version is not echoed whole into QBWC's dialog


def test_a_5000_digit_client_version_over_soap_is_answered_not_a_server_fault(
    service: WebConnectorService,
) -> None:
    body = (
        '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
        '<clientVersion xmlns="http://developer.intuit.com/"><strVersion>2.'
        + "9" * 5000
        + "</strVersion></clientVersion></s:Body></s:Envelope>"
    ).encode()
    reply = SoapEndpoint(service).handle(body)
    assert reply.status == 200
    assert b"<clientVersionResult>W:" in reply.body
