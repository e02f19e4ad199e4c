"""A company's health as a person reads it: is the connector really up, what is still failing.

"Connector up" means only that the last contact succeeded; a Web Connector that has not called
for longer than the company's expected interval is a warning, whatever the circuit says. The
interval is the policy's `expected_contact_minutes` when the config file or the console sets
it, otherwise twice the .qwc's RunEveryNMinutes (one missed call is normal: QuickBooks was busy
or closed), otherwise the policy's default. Open failures are the journal's open errors less
the outages the connector has since recovered from: a closed outage is not a failure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

from sfqb.domain.policy import CompanyPolicy
from sfqb.domain.status import Remedy
from sfqb.jobs.circuit import Circuit
from sfqb.store import Attempt, ConnectionSystem, QueueStatus, RunKind, Store, to_jsonable

SCHEDULE_KEY = "run_every_minutes"
EXPECTED_KEY = "expected_contact_minutes"
_ALL = 100_000


@dataclass(frozen=True, slots=True)
class PolicyInForce:
    """A company's policy as sfqb applies it, and where the settings people ask about come from."""

    policy: CompanyPolicy
    from_config: frozenset[str]  # the settings the config file names
    schedule_minutes: int | None  # the .qwc's RunEveryNMinutes, when sfqb wrote one
    from_console: frozenset[str] = frozenset()  # the settings an admin saved (they win)

    @property
    def contact_source(self) -> str:
        """Where the expected contact interval comes from, in words."""
        if EXPECTED_KEY in self.from_console:
            return "the console"
        if EXPECTED_KEY in self.from_config:
            return "the config file"
        if self.schedule_minutes is not None:
            return f"the .qwc schedule (every {self.schedule_minutes} min, one call may be missed)"
        return "the default"

    def to_json(self) -> dict[str, Any]:
        """The policy, with what each policy-dependent remedy does and where settings come from."""
        source = "default"
        if self.from_console:
            source = "console"
        elif self.from_config:
            source = "config file"
        return {
            **to_jsonable(self.policy),
            "source": source,
            "set_in_config": sorted(self.from_config),
            "set_in_console": sorted(self.from_console),
            "effects": policy_effects(self.policy),
        }


def policy_in_force(
    policy: CompanyPolicy,
    from_config: Collection[str],
    schedule: int | None,
    from_console: Collection[str] = (),
) -> PolicyInForce:
    """The policy with the contact interval taken from the .qwc schedule unless the config file
    or the console sets it."""
    keys, console = frozenset(from_config), frozenset(from_console)
    if EXPECTED_KEY not in keys | console and schedule is not None:
        policy = dataclasses.replace(policy, expected_contact_minutes=2 * schedule)
    return PolicyInForce(policy, keys, schedule, console)


@cache
def _effects() -> dict[str, dict[str, str]]:
    text = resources.files("sfqb.jobs").joinpath("data/policy_effects.yaml").read_text("utf-8")
    loaded: dict[str, dict[str, str]] = yaml.safe_load(text)
    return loaded


def policy_effects(policy: CompanyPolicy) -> dict[str, str]:
    """What sfqb does for each policy-dependent remedy under `policy`, keyed by remedy."""
    found: dict[str, str] = {}
    for remedy, texts in _effects().items():
        value = str(getattr(policy, texts["setting"]))
        if value in texts:
            found[remedy] = texts[value]
    return found


def policy_effect(policy: CompanyPolicy, remedy: Remedy) -> str | None:
    """What sfqb does for `remedy` under `policy`, when the policy decides it."""
    return policy_effects(policy).get(remedy.value)


def record_schedule(store: Store, company: str, minutes: int) -> None:
    """Remember the RunEveryNMinutes of the .qwc sfqb wrote for the company."""
    info = store.connections.get(company, ConnectionSystem.QBD)
    settings = {**(info.settings if info else {}), SCHEDULE_KEY: minutes}
    store.connections.save(company, ConnectionSystem.QBD, settings, keep_secret=True)


def recorded_schedule(store: Store, company: str) -> int | None:
    """The RunEveryNMinutes of the company's .qwc, when sfqb wrote one."""
    info = store.connections.get(company, ConnectionSystem.QBD)
    value = info.settings.get(SCHEDULE_KEY) if info else None
    return value if isinstance(value, int) and value > 0 else None


_RUNS_SCANNED = 20  # runs looked through for the last one that ended


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


class HealthDesk:
    """Answers `status` and the lists behind its numbers; every collaborator is passed in."""

    def __init__(
        self,
        store: Store,
        circuit: Circuit,
        policy: Callable[[str], PolicyInForce],
        *,
        clock: Callable[[], datetime],
    ) -> None:
        self._store, self._circuit, self._policy, self._clock = store, circuit, policy, clock

    def open_failures(self, company: str | None, limit: int = _ALL) -> list[Attempt]:
        """Errors still open, newest first: no later success on the record, and not an outage
        the connector has recovered from since."""
        found = self._store.journal.log(company, failed_only=True, limit=_ALL)
        states = {c: self._circuit.state(c) for c in {a.company for a in found}}

        def recovered(a: Attempt) -> bool:
            state = states[a.company]
            return (
                a.sf is None
                and a.qb is None
                and a.remedy is Remedy.OPEN_CIRCUIT
                and not state.is_open
                and state.last_contact is not None
                and state.last_contact > a.created_at
            )

        return [a for a in found if not recovered(a)][:limit]

    def connector(self, company: str) -> dict[str, Any]:
        """The connector's state: down, late (a warning), waiting for a first call, or up."""
        state = self._circuit.state(company)
        in_force = self._policy(company)
        expected = in_force.policy.expected_contact_minutes
        heard = self._circuit.last_heard(company)
        silent = None if heard is None else int((self._clock() - heard).total_seconds() // 60)
        if state.is_open:
            health = "down"
        elif heard is None:
            health = "waiting"
        elif self._clock() - heard > timedelta(minutes=expected):
            health = "late"
        else:
            health = "up"
        return {
            "health": health,
            "silent_minutes": silent,
            "expected_minutes": expected,
            "expected_from": in_force.contact_source,
        }

    def status(self, company: str) -> dict[str, Any]:
        """One company's status as a JSON-ready mapping."""
        store = self._store
        state = self._circuit.state(company)
        runs = store.journal.runs(company, limit=1)
        last_run = None
        if runs:
            run = runs[0]
            last_run = {
                "id": run.id, "kind": run.kind.value, "status": run.status.value,
                "flows": list(run.flows), "started_at": _when(run.started_at),
                "finished_at": _when(run.finished_at), "counts": run.counts,
            }  # fmt: skip
        sweeps = store.journal.runs(company, limit=1, kind=RunKind.CDC_SWEEP)
        last_sweep = None
        if sweeps:
            sweep = sweeps[0]
            last_sweep = {
                "id": sweep.id, "status": sweep.status.value,
                "started_at": _when(sweep.started_at), "finished_at": _when(sweep.finished_at),
            }  # fmt: skip
        queue: Mapping[QueueStatus, int] = store.queue.count_by_status(company)
        return {
            "company": company,
            "circuit": {
                "state": "open" if state.is_open else "closed",
                "since": _when(state.since),
                "cause": state.cause.to_json() if state.cause else None,
            },
            "connector": self.connector(company),
            "last_contact": _when(self._circuit.last_heard(company)),
            "last_run": last_run,
            "last_cdc_sweep": last_sweep,
            "open_failures": len(self.open_failures(company)),
            "queue": {s.value: queue.get(s, 0) for s in QueueStatus if queue.get(s, 0)},
            "review_open": len(store.review.items(company, limit=_ALL)),
            "alerts_open": [
                {
                    "kind": a.kind,
                    "key": a.key,
                    "subject": a.subject,
                    "raised_at": _when(a.raised_at),
                }
                for a in store.alerts.items(company)
            ],
            "policy": self._policy(company).to_json(),
            "metrics": self.metrics(company),
        }

    def metrics(self, company: str) -> dict[str, Any]:
        """What to watch in a deployment: the queue's depth (records not done), the cycle's
        age (seconds since the last cycle ended; how long the one running has run) and the
        open alerts, review items and failures, as numbers."""
        store, now = self._store, self._clock()
        queue = store.queue.count_by_status(company)
        runs = store.journal.runs(company, limit=_RUNS_SCANNED)
        finished = next((r.finished_at for r in runs if r.finished_at is not None), None)
        running = runs[0].started_at if runs and runs[0].finished_at is None else None
        return {
            "queue_depth": sum(n for s, n in queue.items() if s is not QueueStatus.DONE),
            "queue_due": queue.get(QueueStatus.PENDING, 0),
            "cycle_age_seconds": _seconds(now, finished),
            "cycle_running_seconds": _seconds(now, running),
            "alerts_open": len(store.alerts.items(company, limit=_ALL)),
            "review_open": len(store.review.items(company, limit=_ALL)),
        }


def _seconds(now: datetime, then: datetime | None) -> int | None:
    return None if then is None else max(0, int((now - then).total_seconds()))
