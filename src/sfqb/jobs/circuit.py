"""The connector circuit of each company: QuickBooks unreachable means pause, alert, resume.

A circuit opens (trips) when the Web Connector reports connectionError, when a direct run finds
QuickBooks unavailable, or when the Web Connector has not called in for longer than the
company's policy expects. While it is open the company's flows pause; the Web Connector's next
call is the probe, and any successful round trip (`contact`) closes it again by itself.

Each opening is numbered; its `connector_down` alert (key `opening-N`) is raised by `escalate`
once the circuit has been open for `alerts.connector_down_minutes`, so a short blip that heals
by itself pages nobody, and the alert is resolved when the circuit closes. The state is in the
store, so every process sees the same circuit and two processes tripping at once open it once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sfqb.codes import Catalog
from sfqb.domain.policy import CompanyPolicy
from sfqb.domain.status import DecodedStatus, System
from sfqb.jobs.alerts import AlertCenter, AlertKind
from sfqb.store import AlertRecord, CircuitState, Store

NO_CONTACT = "QBWC_NO_CONTACT"


def describe_cause(cause: DecodedStatus) -> str:
    """A decoded cause in a few lines: code and message, meaning, fix."""
    return (
        f"{cause.system} {cause.code} - {cause.title}: {cause.message}\n"
        f"{cause.meaning}\nWhat to do: {cause.fix_text()}"
    )


class Circuit:
    """Opens, closes and reports the connector circuit of each company."""

    def __init__(
        self,
        store: Store,
        alerts: AlertCenter,
        clock: Callable[[], datetime],
        *,
        catalog: Catalog,
    ) -> None:
        self._store = store
        self._alerts = alerts
        self._clock = clock
        self._catalog = catalog

    def trip(
        self, company: str, status: DecodedStatus, policy: CompanyPolicy | None = None
    ) -> bool:
        """Open the circuit with the decoded cause; True when this call opened it.

        With `policy`, the opening's alert is raised at once if its threshold is already met
        (`connector_down_minutes: 0`); otherwise `escalate` raises it later.
        """
        change = self._store.circuits.open(company, status, now=self._clock())
        if policy is not None:
            self.escalate(company, policy, self._clock())
        return change.changed

    def contact(self, company: str) -> bool:
        """A successful round trip: record it, close the circuit; True when this closed it."""
        change = self._store.circuits.contact(company, now=self._clock())
        if change.changed:
            self._alerts.resolve(company, AlertKind.CONNECTOR_DOWN)
        return change.changed

    def is_open(self, company: str) -> bool:
        """True while the company's flows are paused."""
        return self._store.circuits.get(company).is_open

    def state(self, company: str) -> CircuitState:
        """Open or closed, since when, the decoded cause and the last contact."""
        return self._store.circuits.get(company)

    def last_heard(self, company: str) -> datetime | None:
        """The later of the last successful round trip and the last Web Connector session."""
        times = [self._store.circuits.get(company).last_contact, self._store.last_contact(company)]
        return max((t for t in times if t is not None), default=None)

    def check_silence(self, company: str, policy: CompanyPolicy, now: datetime) -> bool:
        """Trip with QBWC_NO_CONTACT when the Web Connector is overdue; True when it tripped.

        Only companies with a Web Connector login are watched, and only after their first
        contact (a company still being set up is not an outage).
        """
        if self._store.company(company) is None or self.is_open(company):
            return False
        heard = self.last_heard(company)
        if heard is None:
            return False
        silent = now - heard
        if silent <= timedelta(minutes=policy.expected_contact_minutes):
            return False
        minutes = int(silent.total_seconds() // 60)
        status = self._catalog.decode(
            System.TRANSPORT,
            NO_CONTACT,
            f"The Web Connector has not called in for {minutes} minutes",
        )
        return self.trip(company, status, policy)

    def escalate(self, company: str, policy: CompanyPolicy, now: datetime) -> AlertRecord | None:
        """Raise the opening's connector_down alert once it has been open long enough."""
        state = self._store.circuits.get(company)
        if not state.is_open or state.since is None:
            return None
        down = now - state.since
        if down < timedelta(minutes=policy.alerts.connector_down_minutes):
            return None
        minutes = int(down.total_seconds() // 60)
        cause = describe_cause(state.cause) if state.cause else "cause unknown"
        contact = f"{state.last_contact:%Y-%m-%d %H:%M} UTC" if state.last_contact else "never"
        body = (
            f"sfqb cannot reach QuickBooks for {company}: the connector has been down for "
            f"{minutes} minute(s), since {state.since:%Y-%m-%d %H:%M} UTC. Its flows are paused "
            f"and resume by themselves at the next successful contact.\n\n{cause}\n\n"
            f"Last contact: {contact}."
        )
        return self._alerts.raise_alert(
            company, AlertKind.CONNECTOR_DOWN, f"opening-{state.openings}",
            f"[sfqb] {company}: QuickBooks connector down", body, policy.alerts,
        )  # fmt: skip

    def watch(self, company: str, policy: CompanyPolicy, now: datetime) -> None:
        """The periodic checks: silence, connector-down escalation, no successful cycle."""
        self.check_silence(company, policy, now)
        self.escalate(company, policy, now)
        self._alerts.check_no_success(company, policy, now)
