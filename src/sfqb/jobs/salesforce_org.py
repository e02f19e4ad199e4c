"""Before a cycle: is Salesforce still the org the company connected, does it allow the API,
and may the integration user read and write every field the company's maps use?

Each problem is one company message on the review list (and one alert), not a failure per
record; it closes by itself at the start of the first cycle that passes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sfqb.codes import Catalog
from sfqb.connectors.salesforce import SalesforceError, SObjectDescription
from sfqb.domain.policy import CompanyPolicy
from sfqb.domain.status import DecodedStatus, System
from sfqb.jobs.persist import BLOCK_SOURCE, ReviewAlerts
from sfqb.mapping import Mapper
from sfqb.store import ConnectionSystem, Store
from sfqb.sync.sf_fields import describe_problems, needed_fields

KEY_PREFIX = "salesforce:"
_API_DISABLED = "API_DISABLED_FOR_ORG"


class SalesforceOrg(Protocol):
    """What the checks ask of Salesforce (sfqb.jobs.gateway.SalesforceGateway)."""

    def org_id(self) -> str:
        """The Id of the org the connection reaches."""
        ...

    def describe(self, sobject: str) -> SObjectDescription:
        """The fields of `sobject` the integration user can see, with its edit rights."""
        ...


@dataclass(frozen=True, slots=True)
class OrgProblem:
    """Why the company's cycle does not run: the company message's key, status and text."""

    key: str
    status: DecodedStatus
    message: str


class OrgCheck:
    """The Salesforce checks of one company's cycles; every collaborator is passed in."""

    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        org: SalesforceOrg,
        mapper: Mapper,
        *,
        clock: Callable[[], datetime],
        policy: CompanyPolicy | None = None,
        alerts: ReviewAlerts | None = None,
    ) -> None:
        self._store, self._catalog, self._org, self._mapper = store, catalog, org, mapper
        self._clock, self._policy, self._alerts = clock, policy or CompanyPolicy(), alerts

    def check(self, company: str) -> OrgProblem | None:
        """Run the checks (one org query, one describe per object); record the outcome."""
        problem = self._problem(company)
        open_items = [
            item
            for item in self._store.review.items(company)
            if item.source_type == BLOCK_SOURCE and item.source_id.startswith(KEY_PREFIX)
        ]
        for item in open_items:
            if problem is None or item.source_id != problem.key:
                self._store.review.close(item.id, "Salesforce passed the checks", now=self._clock())
        if problem is not None:
            review = self._store.review.hold(
                company, "company", BLOCK_SOURCE, problem.key, problem.message,
                status=problem.status, now=self._clock(),
            )  # fmt: skip
            if self._alerts is not None:
                self._alerts.needs_person(company, review, self._policy.alerts)
        return problem

    def _problem(self, company: str) -> OrgProblem | None:
        try:
            reached = self._org.org_id()
            return self._other_org(company, reached) or self._fields()
        except SalesforceError as exc:
            if exc.status.code != _API_DISABLED:
                raise
            return OrgProblem(
                f"{KEY_PREFIX}api",
                exc.status,
                "Salesforce refuses API calls for this org or its integration user "
                f"({_API_DISABLED}): {exc.status.fix_text()}",
            )

    def _other_org(self, company: str, reached: str) -> OrgProblem | None:
        info = self._store.connections.get(company, ConnectionSystem.SALESFORCE)
        if info is None:
            return None
        recorded = info.settings.get("org_id")
        if not isinstance(recorded, str) or not recorded:
            # Connected before sfqb recorded org Ids: this org is the company's from now on.
            settings = {**info.settings, "org_id": reached}
            self._store.connections.save(
                company, ConnectionSystem.SALESFORCE, settings, keep_secret=True
            )
            return None
        if recorded == reached:
            return None
        detail = (
            f"connected to org {recorded}, the connection now reaches org {reached}; "
            "nothing is synced until it is connected again"
        )
        status = self._catalog.decode(System.TRANSPORT, "SF_ORG_CHANGED", detail)
        return OrgProblem(f"{KEY_PREFIX}org", status, f"Salesforce org changed: {detail}")

    def _fields(self) -> OrgProblem | None:
        needed = needed_fields(self._mapper.flows, self._mapper.policy.flag)
        described = {}
        missing: list[str] = []
        for sobject in needed:  # one describe per object and cycle
            try:
                fields = self._org.describe(sobject).fields
            except SalesforceError as exc:
                # A custom object the config file names (`source:`) that the org lacks, or
                # the integration user cannot see: describe answers NOT_FOUND.
                if not sobject.endswith("__c") or exc.status.code != "NOT_FOUND":
                    raise
                missing.append(
                    f"cannot see the object {sobject} (a flow's source: in the config file)"
                )
                continue
            described[sobject] = {n: (f.createable, f.updateable) for n, f in fields.items()}
        problems = missing + describe_problems(
            {o: f for o, f in needed.items() if o in described}, described
        )
        if not problems:
            return None
        detail = "the integration user " + "; ".join(problems)
        status = self._catalog.decode(System.TRANSPORT, "SF_FIELD_ACCESS", detail)
        message = f"{detail} (field-level security): nothing is synced until it can"
        return OrgProblem(f"{KEY_PREFIX}fields", status, message)


def described_prefix(org: SalesforceOrg) -> Callable[[str], str | None]:
    """The key prefix of an object's Ids (describe's keyPrefix: a custom object's is the org's
    own), described once per object; None while Salesforce cannot describe it (the preflight
    says why)."""
    known: dict[str, str | None] = {}

    def prefix(sobject: str) -> str | None:
        if sobject not in known:
            try:
                known[sobject] = org.describe(sobject).key_prefix
            except SalesforceError:
                return None
        return known[sobject]

    return prefix
