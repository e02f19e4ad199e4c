"""Alerts: email (SMTP) and webhook (JSON POST) notices, de-duplicated and rate-limited.

`AlertCenter.raise_alert` stores the alert first (the store refuses a second open alert of the
same company, kind and key, and marks alerts over the company's hourly limit as suppressed),
then hands it to the company's notifiers outside any transaction. A notifier that fails is
written into the alert's row; it never propagates into a sync cycle.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from enum import StrEnum
from typing import Any, Protocol

import httpx

from sfqb.domain.login_throttle import ThrottleEvent
from sfqb.domain.policy import AlertSettings, CompanyPolicy
from sfqb.store import AlertRecord, Delivery, ReviewItem, RunStatus, Store

log = logging.getLogger(__name__)


class AlertKind(StrEnum):
    """What an alert is about."""

    RECORD_NEEDS_PERSON = "record_needs_person"
    CONNECTOR_DOWN = "connector_down"
    NO_SUCCESS = "no_success"
    QBO_RECONNECT_SOON = "qbo_reconnect_soon"
    LOGIN_THROTTLED = "login_throttled"
    REVIEW_ASSIGNED = "review_assigned"


@dataclass(frozen=True, slots=True)
class AlertMessage:
    """One alert as the notifiers send it."""

    company: str
    kind: str
    key: str
    subject: str
    body: str
    raised_at: datetime
    recipients: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        """The webhook's JSON body."""
        return {
            "company": self.company,
            "kind": self.kind,
            "key": self.key,
            "subject": self.subject,
            "body": self.body,
            "raised_at": self.raised_at.isoformat(),
        }


class Notifier(Protocol):
    """Somewhere an alert can be sent; `send` raises when it could not be delivered."""

    @property
    def name(self) -> str:
        """A short name for the alert's delivery log, e.g. "email" or "webhook"."""
        ...

    def send(self, message: AlertMessage) -> None:
        """Deliver the message or raise."""
        ...


class SmtpNotifier:
    """Sends alerts as plain-text email through an SMTP server."""

    name = "email"

    def __init__(  # noqa: PLR0917 - the SMTP settings
        self,
        host: str,
        port: int,
        sender: str,
        use_starttls: bool = False,
        username: str | None = None,
        password: str | None = None,
        *,
        timeout: float = 20.0,
    ) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.use_starttls, self.username, self.password = use_starttls, username, password
        self.timeout = timeout

    def send(self, message: AlertMessage) -> None:
        """Mail the alert to its recipients (none: nothing to do)."""
        if not message.recipients:
            return
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = ", ".join(message.recipients)
        mail["Subject"] = message.subject
        mail.set_content(message.body)
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.use_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail)


class WebhookNotifier:
    """POSTs each alert as JSON to a URL."""

    name = "webhook"

    def __init__(self, url: str, *, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    def send(self, message: AlertMessage) -> None:
        """POST the alert; any HTTP error status raises."""
        with httpx.Client(timeout=self.timeout) as client:
            client.post(self.url, json=message.payload()).raise_for_status()


class _Unconfigured:
    """A channel the company asked for that sfqb cannot use; each send says why."""

    def __init__(self, name: str, why: str) -> None:
        self.name = name
        self._why = why

    def send(self, message: AlertMessage) -> None:
        raise RuntimeError(self._why)


NotifierSource = Callable[[AlertSettings], Sequence[Notifier]]


class AlertChannels:
    """The notifiers of a company's AlertSettings: email (with the global SMTP) and webhook."""

    def __init__(self, smtp: SmtpNotifier | None = None, *, webhook_timeout: float = 10.0) -> None:
        self._smtp = smtp
        self._webhook_timeout = webhook_timeout

    def __call__(self, settings: AlertSettings) -> list[Notifier]:
        """The notifiers `settings` asks for."""
        found: list[Notifier] = []
        if settings.email_to:
            found.append(
                self._smtp
                if self._smtp is not None
                else _Unconfigured("email", "email_to is set but SFQB_SMTP_HOST is not")
            )
        if settings.webhook_url:
            found.append(WebhookNotifier(settings.webhook_url, timeout=self._webhook_timeout))
        return found


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


class AlertCenter:
    """Raises, sends and resolves alerts."""

    def __init__(
        self, store: Store, notifiers: NotifierSource, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._notifiers = notifiers
        self._clock = clock

    def raise_alert(  # noqa: PLR0917 - the alert's fields
        self,
        company: str,
        kind: str,
        key: str,
        subject: str,
        body: str,
        settings: AlertSettings,
    ) -> AlertRecord | None:
        """Store and send an alert; None when the same one is still open (not sent again)."""
        notifiers = list(self._notifiers(settings))
        admitted = self._store.alerts.admit(
            company, str(kind), key, subject, body,
            max_per_hour=settings.max_per_hour, can_send=bool(notifiers), now=self._clock(),
        )  # fmt: skip
        if admitted is None:
            return None
        alert = admitted.alert
        if alert.delivery is not Delivery.PENDING:
            return alert
        if admitted.summarised:
            lines = [f"- {a.raised_at:%Y-%m-%d %H:%M} UTC {a.kind}: {a.subject}"
                     for a in admitted.summarised]  # fmt: skip
            body += (
                f"\n\n{len(lines)} earlier alert(s) were held back by the limit of "
                f"{settings.max_per_hour} an hour:\n" + "\n".join(lines)
            )
        message = AlertMessage(
            company, str(kind), key, subject, body, alert.raised_at, settings.email_to
        )
        errors: list[str] = []
        for notifier in notifiers:
            try:
                notifier.send(message)
            except Exception as exc:  # any notifier failure is logged, never raised
                errors.append(f"{notifier.name}: {_one_line(exc)}")
                log.warning("alert %s of %s not sent by %s: %s", kind, company, notifier.name, exc)
        delivery = Delivery.FAILED if len(errors) == len(notifiers) else Delivery.SENT
        return self._store.alerts.delivered(
            alert.id, delivery, "; ".join(errors) or None, now=self._clock()
        )

    def resolve(self, company: str, kind: str, key: str | None = None) -> int:
        """Resolve the open alerts of this kind (and key); the next one will be sent again."""
        return self._store.alerts.resolve(company, str(kind), key, now=self._clock())

    def needs_person(
        self, company: str, item: ReviewItem, settings: AlertSettings
    ) -> AlertRecord | None:
        """Alert that a record is on the review list (one alert per review item)."""
        what = f"{item.source_type} {item.source_id}"
        code = f" ({item.system} {item.code})" if item.code else ""
        body = f"{what} in flow {item.flow} needs a decision{code}: {item.reason}"
        if item.meaning:
            body += f"\n\n{item.meaning}"
        body += f"\n\nSee `sfqb review --company {company}` (item {item.id})."
        return self.raise_alert(
            company, AlertKind.RECORD_NEEDS_PERSON, f"review:{item.id}",
            f"[sfqb] {company}: {what} needs a person", body, settings,
        )  # fmt: skip

    def review_assigned(  # noqa: PLR0917 - the notice's fields
        self,
        company: str,
        item_id: int,
        person: str,
        subject: str,
        body: str,
        settings: AlertSettings,
        previous: str | None = None,
    ) -> AlertRecord | None:
        """Tell `person` (at `settings.email_to`) that a review item was assigned to them; one
        notice per item and person (the `previous` assignee's is resolved)."""
        if previous is not None:
            self.resolve(company, AlertKind.REVIEW_ASSIGNED, f"review:{item_id}:{previous}")
        return self.raise_alert(
            company,
            AlertKind.REVIEW_ASSIGNED,
            f"review:{item_id}:{person}",
            subject,
            body,
            settings,
        )

    def login_throttled(
        self, company: str, event: ThrottleEvent, settings: AlertSettings
    ) -> AlertRecord | None:
        """Alert that the company's Web Connector login is locked out (or slowed down) after
        failed logins: one alert per lock-out."""
        since = f"{event.since:%Y-%m-%d %H:%M:%S} UTC"
        until = f"{event.until:%Y-%m-%d %H:%M:%S} UTC"
        if event.client is not None:
            what = f"locked out from {event.client}"
            body = (
                f"{event.failures} failed Web Connector logins for user {event.user!r} of "
                f"{company} came from {event.client}; sfqb refuses that user from that address "
                f"until {until} without checking passwords."
            )
        else:
            what = "slowed down"
            body = (
                f"{event.failures} failed Web Connector logins for user {event.user!r} of "
                f"{company} came through a proxy sfqb does not trust, so the caller's address "
                "is not known; further attempts are slowed down (not locked out). Set the "
                "proxy as trusted (sfqb serve --trusted-proxy) to lock out by address."
            )
        body += (
            "\n\nIf these were not your Web Connector, someone is guessing its password: "
            f"rotate it (see docs/security.md). Started {since}."
        )
        return self.raise_alert(
            company, AlertKind.LOGIN_THROTTLED, f"login:{event.user}:{event.client}:{since}",
            f"[sfqb] {company}: Web Connector login {what}", body, settings,
        )  # fmt: skip

    def check_no_success(
        self, company: str, policy: CompanyPolicy, now: datetime
    ) -> AlertRecord | None:
        """Alert when no cycle of the company succeeded for `no_success_hours`; else resolve.

        A company that has never run is not alerted on. Returns the alert raised, if any.
        """
        hours = policy.alerts.no_success_hours
        runs = self._store.journal.runs(company, limit=500)
        finished = [r for r in runs if r.status is not RunStatus.RUNNING]
        if not finished:
            return None
        good = [r for r in finished if r.status is RunStatus.SUCCEEDED]
        last_good = max((r.finished_at or r.started_at for r in good), default=None)
        since = last_good or min(r.started_at for r in finished)
        if now - since < timedelta(hours=hours):
            if last_good is not None:
                self.resolve(company, AlertKind.NO_SUCCESS)
            return None
        latest = max(finished, key=lambda r: r.id)
        when = f"since {last_good:%Y-%m-%d %H:%M} UTC" if last_good else "ever"
        body = (
            f"No sync cycle of {company} has succeeded {when} (the limit is {hours} hour(s)). "
            f"The latest run, #{latest.id} at {latest.started_at:%Y-%m-%d %H:%M} UTC, "
            f"ended {latest.status.value}.\n\nSee `sfqb status --company {company}` and "
            f"`sfqb log --company {company} --status failed`."
        )
        return self.raise_alert(
            company, AlertKind.NO_SUCCESS, "cycles",
            f"[sfqb] {company}: no successful sync for {hours} hour(s)", body, policy.alerts,
        )  # fmt: skip
