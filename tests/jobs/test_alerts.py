"""AlertCenter: de-duplication, the hourly limit, notifier failures, SMTP and webhook delivery."""

from __future__ import annotations

import json
import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import pytest

from sfqb.domain.policy import AlertSettings, CompanyPolicy
from sfqb.jobs.alerts import (
    AlertCenter,
    AlertChannels,
    AlertKind,
    AlertMessage,
    SmtpNotifier,
    WebhookNotifier,
)
from sfqb.store import AlertStatus, Delivery, RunStatus, Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
EMAIL = AlertSettings(email_to=("ops@acme.example",), max_per_hour=2)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class FakeNotifier:
    name: str = "fake"
    fail: bool = False
    sent: list[AlertMessage] = field(default_factory=list)

    def send(self, message: AlertMessage) -> None:
        if self.fail:
            raise ConnectionRefusedError("nobody listening\nsecond line")
        self.sent.append(message)


def _center(db: Store, *notifiers: FakeNotifier) -> tuple[AlertCenter, Clock]:
    clock = Clock()
    return AlertCenter(db, lambda settings: list(notifiers), clock), clock


def test_the_same_open_alert_is_sent_once(db: Store) -> None:
    fake = FakeNotifier()
    center, clock = _center(db, fake)
    first = center.raise_alert("acme", AlertKind.CONNECTOR_DOWN, "opening-1", "s", "b", EMAIL)
    assert first is not None and first.delivery is Delivery.SENT and first.sent_at == T0
    clock.now += timedelta(minutes=5)
    assert (
        center.raise_alert("acme", AlertKind.CONNECTOR_DOWN, "opening-1", "s", "b", EMAIL) is None
    )
    assert len(fake.sent) == 1
    message = fake.sent[0]
    assert message.recipients == ("ops@acme.example",)
    assert message.payload() == {
        "company": "acme", "kind": "connector_down", "key": "opening-1",
        "subject": "s", "body": "b", "raised_at": T0.isoformat(),
    }  # fmt: skip
    assert center.resolve("acme", AlertKind.CONNECTOR_DOWN, "opening-1") == 1
    assert center.raise_alert("acme", AlertKind.CONNECTOR_DOWN, "opening-1", "s", "b", EMAIL)
    assert len(fake.sent) == 2


def test_over_the_limit_alerts_are_held_and_summarised_in_the_next_sent_one(db: Store) -> None:
    fake = FakeNotifier()
    center, clock = _center(db, fake)
    for n in range(4):
        center.raise_alert(
            "acme", AlertKind.RECORD_NEEDS_PERSON, f"review:{n}", f"s{n}", "b", EMAIL
        )
    assert [m.subject for m in fake.sent] == ["s0", "s1"]
    held = db.alerts.items("acme", status=None)
    assert sorted(a.delivery for a in held).count(Delivery.SUPPRESSED) == 2
    other = center.raise_alert("beta", AlertKind.NO_SUCCESS, "cycles", "beta", "b", EMAIL)
    assert other is not None and other.delivery is Delivery.SENT  # the limit is per company
    clock.now += timedelta(hours=1, minutes=1)
    center.raise_alert("acme", AlertKind.RECORD_NEEDS_PERSON, "review:9", "s9", "body", EMAIL)
    last = fake.sent[-1]
    assert last.subject == "s9" and "2 earlier alert(s) were held back" in last.body
    assert "s2" in last.body and "s3" in last.body


def test_a_failing_notifier_is_logged_in_the_row_and_never_raises(db: Store) -> None:
    broken, working = FakeNotifier("webhook", fail=True), FakeNotifier("email")
    center, _ = _center(db, broken, working)
    alert = center.raise_alert("acme", AlertKind.NO_SUCCESS, "cycles", "s", "b", EMAIL)
    assert alert is not None and alert.delivery is Delivery.SENT
    assert alert.error == "webhook: ConnectionRefusedError: nobody listening"
    alone, _ = _center(db, broken)
    failed = alone.raise_alert("acme", AlertKind.NO_SUCCESS, "other", "s", "b", EMAIL)
    assert failed is not None and failed.delivery is Delivery.FAILED and failed.sent_at is None


def test_without_channels_an_alert_is_stored_unsent(db: Store) -> None:
    center = AlertCenter(db, AlertChannels(), Clock())
    alert = center.raise_alert("acme", AlertKind.NO_SUCCESS, "cycles", "s", "b", AlertSettings())
    assert alert is not None and alert.delivery is Delivery.UNSENT
    no_smtp = center.raise_alert("acme", AlertKind.NO_SUCCESS, "x", "s", "b", EMAIL)
    assert no_smtp is not None and no_smtp.delivery is Delivery.FAILED
    assert no_smtp.error is not None and "SFQB_SMTP_HOST" in no_smtp.error


def test_no_success_alert_after_the_threshold_and_resolved_by_a_success(db: Store) -> None:
    fake = FakeNotifier()
    center, clock = _center(db, fake)
    policy = CompanyPolicy(alerts=AlertSettings(no_success_hours=2))
    assert center.check_no_success("acme", policy, T0) is None  # never ran: nothing to say
    good = db.journal.start_run("acme", ["account_to_customer"], at=T0)
    db.journal.finish_run(good.id, RunStatus.SUCCEEDED, {}, at=T0)
    bad = db.journal.start_run("acme", ["account_to_customer"], at=T0 + timedelta(hours=1))
    db.journal.finish_run(bad.id, RunStatus.FAILED, {}, at=T0 + timedelta(hours=1))
    assert center.check_no_success("acme", policy, T0 + timedelta(hours=1, minutes=59)) is None
    alert = center.check_no_success("acme", policy, T0 + timedelta(hours=2, minutes=1))
    assert alert is not None and alert.kind == AlertKind.NO_SUCCESS
    assert f"#{bad.id}" in fake.sent[0].body and "ended failed" in fake.sent[0].body
    assert center.check_no_success("acme", policy, T0 + timedelta(hours=3)) is None  # de-duped
    clock.now = T0 + timedelta(hours=4)
    fixed = db.journal.start_run("acme", ["account_to_customer"], at=clock.now)
    db.journal.finish_run(fixed.id, RunStatus.SUCCEEDED, {}, at=clock.now)
    assert center.check_no_success("acme", policy, clock.now) is None
    assert db.alerts.get(alert.id).status is AlertStatus.RESOLVED  # type: ignore[union-attr]


def test_a_review_item_raises_one_alert(db: Store) -> None:
    fake = FakeNotifier()
    center, _ = _center(db, fake)
    item = db.review.hold(
        "acme", "account_to_customer", "Account", "001A", "two candidates", now=T0
    )
    assert center.needs_person("acme", item, EMAIL) is not None
    assert center.needs_person("acme", item, EMAIL) is None
    assert "001A" in fake.sent[0].subject and f"item {item.id}" in fake.sent[0].body


def test_each_login_lock_out_raises_one_alert(db: Store) -> None:
    from sfqb.domain.login_throttle import Refusal, ThrottleEvent

    fake = FakeNotifier()
    center, _ = _center(db, fake)
    event = ThrottleEvent("acme", "203.0.113.9", Refusal.LOCKED, T0, T0 + timedelta(minutes=10), 10)
    assert center.login_throttled("acme", event, EMAIL) is not None
    assert center.login_throttled("acme", event, EMAIL) is None  # the same lock-out: once
    later = ThrottleEvent("acme", "203.0.113.9", Refusal.LOCKED, T0 + timedelta(hours=1),
                          T0 + timedelta(hours=1, minutes=10), 10)  # fmt: skip
    assert center.login_throttled("acme", later, EMAIL) is not None
    assert len(fake.sent) == 2
    assert "203.0.113.9" in fake.sent[0].subject and "rotate" in fake.sent[0].body


# -- real delivery -------------------------------------------------------------------------


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO, MAIL, RCPT, DATA, QUIT."""

    def _reply(self, line: str) -> None:
        self.wfile.write(f"{line}\r\n".encode())

    def handle(self) -> None:
        mails: list[dict[str, Any]] = self.server.mails  # type: ignore[attr-defined]
        envelope: dict[str, Any] = {"to": []}
        self._reply("220 test ESMTP")
        while line := self.rfile.readline():
            command = line.decode().strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250 test")
            elif verb == "MAIL":
                envelope["from"] = command.split(":", 1)[1].strip(" <>")
                self._reply("250 OK")
            elif verb == "RCPT":
                envelope["to"].append(command.split(":", 1)[1].strip(" <>"))
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 go ahead")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                mails.append({**envelope, "message": message_from_bytes(data)})
                envelope = {"to": []}
                self._reply("250 queued")
            elif verb == "QUIT":
                self._reply("221 bye")
                return
            else:
                self._reply("250 OK")


@contextmanager
def _serve(server: socketserver.BaseServer) -> Iterator[None]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def _message() -> AlertMessage:
    return AlertMessage(
        "acme", "connector_down", "opening-1", "[sfqb] acme: down", "QuickBooks is closed.",
        T0, ("ops@acme.example", "boss@acme.example"),
    )  # fmt: skip


def test_smtp_notifier_mails_every_recipient() -> None:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
    server.mails = []  # type: ignore[attr-defined]
    with _serve(server):
        host, port = server.server_address[:2]
        SmtpNotifier(str(host), int(port), "sfqb@example.com", timeout=5).send(_message())
    (mail,) = server.mails  # type: ignore[attr-defined]
    assert mail["from"] == "sfqb@example.com"
    assert mail["to"] == ["ops@acme.example", "boss@acme.example"]
    assert mail["message"]["Subject"] == "[sfqb] acme: down"
    assert "QuickBooks is closed." in mail["message"].get_payload()


def test_smtp_notifier_without_a_server_raises_for_the_center_to_log() -> None:
    with pytest.raises(OSError):
        SmtpNotifier("127.0.0.1", 9, "sfqb@example.com", timeout=2).send(_message())


class _Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.server.posts.append(json.loads(self.rfile.read(length)))  # type: ignore[attr-defined]
        self.send_response(self.server.answer)  # type: ignore[attr-defined]
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        """Quiet."""


def test_webhook_notifier_posts_json_and_http_errors_raise() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    server.posts, server.answer = [], 204  # type: ignore[attr-defined]
    with _serve(server):
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        WebhookNotifier(url, timeout=5).send(_message())
        assert server.posts == [_message().payload()]  # type: ignore[attr-defined]
        server.answer = 500  # type: ignore[attr-defined]
        with pytest.raises(Exception, match="500"):
            WebhookNotifier(url, timeout=5).send(_message())


def test_channels_follow_the_company_settings() -> None:
    smtp = SmtpNotifier("127.0.0.1", 25, "sfqb@example.com")
    channels = AlertChannels(smtp)
    assert channels(AlertSettings()) == []
    assert channels(AlertSettings(email_to=("a@b.example",))) == [smtp]
    both = channels(AlertSettings(email_to=("a@b.example",), webhook_url="https://h.example/x"))
    assert [n.name for n in both] == ["email", "webhook"]
