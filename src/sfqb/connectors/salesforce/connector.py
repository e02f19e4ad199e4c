"""The Salesforce connector: incremental reads, deletions, write-back, all errors decoded."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar, overload

import requests
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import SalesforceError as LibraryError

from sfqb.codes import Catalog
from sfqb.connectors.salesforce import payloads
from sfqb.connectors.salesforce.auth import Authenticator, SessionInfo
from sfqb.connectors.salesforce.collections import Sent, write_in_collections
from sfqb.connectors.salesforce.custom import SfCustomRecord, custom_record_type
from sfqb.connectors.salesforce.errors import (
    SalesforceWindowError,
    http_error,
    request_failure,
    transport_error,
)
from sfqb.connectors.salesforce.models import (
    ApiUsage,
    ChangeBatch,
    DeletionBatch,
    FieldValue,
    RecordUpdate,
    SObjectDescription,
    WriteResult,
    check_name,
    parse_limit_info,
)
from sfqb.connectors.salesforce.orders import SfOrder
from sfqb.connectors.salesforce.records import (
    R,
    RecordShapeError,
    SfAccount,
    SfAccountContactRole,
    SfContact,
    SfOpportunity,
    SfPricebookEntry,
    SfProduct,
    SfRecord,
)
from sfqb.connectors.salesforce.settings import ApiSettings, load_settings
from sfqb.domain.status import System
from sfqb.mapping.soql import Condition

T = TypeVar("T")
_JSON_SCALARS = frozenset({str, int, float, bool, type(None), list})  # never a subquery result
Clock = Callable[[], datetime]

READABLE: tuple[type[SfRecord], ...] = (
    SfAccount,
    SfContact,
    SfAccountContactRole,
    SfProduct,
    SfPricebookEntry,
    SfOpportunity,
    SfOrder,
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class SalesforceConnector:
    """Talks to one Salesforce org through simple-salesforce over the given requests session.

    Logs in lazily on first use. When Salesforce answers 401 and the authenticator can renew
    the session, the call is repeated once with a new session; otherwise the error is raised
    decoded. Every failure is a `SalesforceError` subclass carrying decoded statuses.
    """

    def __init__(
        self,
        auth: Authenticator,
        http: requests.Session,
        catalog: Catalog,
        *,
        settings: ApiSettings | None = None,
        clock: Clock = _utc_now,
        extra_fields: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self._auth = auth
        self._http = http
        self._catalog = catalog
        self._settings = settings or load_settings()
        self._clock = clock
        self._extra = {k: tuple(v) for k, v in (extra_fields or {}).items()}
        self._session: SessionInfo | None = None
        self._client: Salesforce | None = None
        self._usage: ApiUsage | None = None
        self.calls = 0

    @property
    def api_usage(self) -> ApiUsage | None:
        """API usage from the last Sforce-Limit-Info header Salesforce sent (None before any)."""
        return self._usage

    @property
    def settings(self) -> ApiSettings:
        """The limits and defaults in force."""
        return self._settings

    @property
    def instance(self) -> str:
        """The instance host of the current session (logs in if needed)."""
        return self._sf().sf_instance

    # -- reading --------------------------------------------------------------------------

    @overload
    def read_changes(
        self, sobject: type[R], since: datetime, overlap: timedelta | None = None,
        where: Condition | None = None,
    ) -> ChangeBatch[R]: ...  # fmt: skip

    @overload
    def read_changes(
        self, sobject: str, since: datetime, overlap: timedelta | None = None,
        where: Condition | None = None,
    ) -> ChangeBatch[SfRecord]: ...  # fmt: skip

    def read_changes(
        self, sobject: type[SfRecord] | str, since: datetime, overlap: timedelta | None = None,
        where: Condition | None = None,
    ) -> ChangeBatch[Any]:  # fmt: skip
        """Records changed after `since - overlap`, de-duplicated, with the new high-water mark.

        `sobject` is a record class (SfAccount ...) or its sObject name ("Account" ...);
        `where` a company's flow filter, AND-ed to the query.
        """
        latest: dict[str, SfRecord] = {}
        last: ChangeBatch[SfRecord] | None = None
        for last in self.read_change_pages(_record_type(sobject), since, overlap, where):
            for record in last.records:
                seen = latest.get(record.id)
                if seen is None or record.system_modstamp >= seen.system_modstamp:
                    latest[record.id] = record
        assert last is not None  # a query has a first page
        records = tuple(sorted(latest.values(), key=lambda r: (r.system_modstamp, r.id)))
        return replace(last, records=records)

    def read_change_pages(
        self, sobject: type[R], since: datetime, overlap: timedelta | None = None,
        where: Condition | None = None,
    ) -> Iterator[ChangeBatch[R]]:  # fmt: skip
        """`read_changes` a query page at a time: the next page (queryMore) is asked for only
        when the caller takes it. Each batch holds one page's records (in the query's order,
        SystemModstamp then Id; a record saved again while the pages are read may come twice)
        and the high-water mark so far; the last batch's is the read's."""
        if since.tzinfo is None:
            raise ValueError("since must be timezone-aware")
        lower = since - (self._settings.default_overlap if overlap is None else overlap)
        extra = self._extra.get(sobject.SOBJECT, ())
        soql = payloads.changes_query(sobject, lower, extra, where)
        high = since
        for number, page in enumerate(self._pages(sobject, soql), 1):
            latest: dict[str, Any] = {}
            for record in page:
                if record.system_modstamp <= lower:
                    continue  # the SOQL literal is rounded down (an org may read it to the second)
                seen = latest.get(record.id)
                if seen is None or record.system_modstamp >= seen.system_modstamp:
                    latest[record.id] = record
            records = tuple(sorted(latest.values(), key=lambda r: (r.system_modstamp, r.id)))
            high = max([high, *(r.system_modstamp for r in records)])
            yield ChangeBatch(sobject.SOBJECT, since, lower, high, records, number)

    def read_records(
        self, sobject: type[SfRecord] | str, ids: Sequence[str], *, by: str = "Id",
        where: Condition | None = None,
    ) -> list[Any]:  # fmt: skip
        """The records whose `by` field (Id by default) is one of `ids` (200 a query).

        Children are included; Ids that match nothing (or not `where`) are omitted.
        """
        record_type = _record_type(sobject)
        found: list[SfRecord] = []
        for start in range(0, len(ids), 200):
            extra = self._extra.get(record_type.SOBJECT, ())
            soql = payloads.records_query(record_type, ids[start : start + 200], extra, by, where)
            for page in self._pages(record_type, soql):
                found.extend(page)
        return found

    def _pages(self, record_type: type[SfRecord], soql: str) -> Iterator[list[SfRecord]]:
        """Each page of a query's records, following nextRecordsUrl."""
        headers = {"Sforce-Query-Options": f"batchSize={self._settings.query_batch_size}"}
        content = self._call("the query", lambda sf: sf.query(soql, headers=headers, **self._kw()))
        while True:
            rows, done, next_url = self._shape(partial(payloads.query_page, content))
            page = [self._shape(partial(self._record, record_type, row)) for row in rows]
            # The page's JSON goes before the caller works on its records (not two copies).
            content, rows = None, []
            yield page
            if done or next_url is None:
                return
            content = self._query_more(next_url, headers)

    def _record(self, record_type: type[SfRecord], row: Any) -> SfRecord:
        return record_type.from_json(self._children(row))

    def _children(self, row: Any) -> Any:
        """Replace each subquery result in `row` by the full list of its child records."""
        if not isinstance(row, Mapping):
            return row
        out = dict(row)
        for key, value in row.items():
            if type(value) is not dict and (
                type(value) in _JSON_SCALARS or not isinstance(value, Mapping)
            ):
                continue  # by type first: an ABC's isinstance for every field of every record
            if not ("records" in value and "done" in value):
                continue
            children: list[Any] = []
            page: Any = value
            while True:
                rows, done, next_url = payloads.query_page(page)
                children.extend(rows)
                if done or next_url is None:
                    break
                page = self._query_more(next_url, {})
            out[key] = children
        return out

    def _query_more(self, next_url: str, headers: Mapping[str, str]) -> Any:
        return self._call(
            "the next query page",
            lambda sf: sf.query_more(
                next_url, identifier_is_url=True, headers=dict(headers), **self._kw()
            ),
        )

    def read_deletions(
        self,
        sobject: str,
        start: datetime,
        end: datetime | None = None,
        *,
        clamp: bool = False,
    ) -> DeletionBatch:
        """Records deleted between `start` and `end` (default now) through getDeleted.

        getDeleted reaches back only `deleted_window_days` (15): an older `start` raises
        SalesforceWindowError, or with `clamp=True` is moved to the window's edge and reported
        in `clamped_from`.
        """
        check_name("sObject", sobject)
        if start.tzinfo is None or (end is not None and end.tzinfo is None):
            raise ValueError("start and end must be timezone-aware")
        now = self._clock()
        end = min(end or now, now)
        earliest = now - self._settings.deleted_window
        clamped_from = None
        if start < earliest:
            if not clamp:
                raise self._window_error(
                    f"getDeleted reaches back only {self._settings.deleted_window_days} days "
                    f"(to {earliest:%Y-%m-%d %H:%M} UTC); deletions of {sobject} since "
                    f"{start:%Y-%m-%d %H:%M} cannot all be read - reconcile the Ids instead"
                )
            clamped_from, start = start, earliest
        if start >= end:
            raise self._window_error(f"the getDeleted window is empty: {start} is not before {end}")
        params = {"start": payloads.iso_param(start), "end": payloads.iso_param(end)}
        content = self._call(
            "getDeleted",
            lambda sf: sf.restful(f"sobjects/{sobject}/deleted/", params=params, **self._kw()),
        )
        deleted, earliest_seen, latest = self._shape(lambda: payloads.deleted_result(content))
        return DeletionBatch(
            sobject=sobject,
            start=start,
            end=end,
            deleted=deleted,
            earliest_available=earliest_seen,
            latest_covered=latest,
            clamped_from=clamped_from,
        )

    def _window_error(self, message: str) -> SalesforceWindowError:
        status = self._catalog.decode(System.SALESFORCE, "INVALID_REPLICATION_DATE", message)
        return SalesforceWindowError(message, [status])

    def describe(self, sobject: str) -> SObjectDescription:
        """The fields `sobject` has in the connected org."""
        check_name("sObject", sobject)
        content = self._call(
            "describe", lambda sf: sf.restful(f"sobjects/{sobject}/describe", **self._kw())
        )
        return self._shape(lambda: payloads.description(sobject, content))

    # -- writing --------------------------------------------------------------------------

    def write_back(self, updates: Sequence[RecordUpdate]) -> list[WriteResult]:
        """Update existing records in sObject Collections (`collection_size` a call, sorted by
        object, halved on row locks and CPU limits); one result per update, in input order."""
        sent: list[Sent] = [(i, u.sobject, u.record_id, None) for i, u in enumerate(updates)]
        bodies = [payloads.update_record(u.sobject, u.record_id, u.fields) for u in updates]
        return self._collections("composite/sobjects", sent, bodies)

    def upsert(
        self, sobject: str, external_id_field: str, records: Sequence[Mapping[str, FieldValue]]
    ) -> list[WriteResult]:
        """Create or update records matched by an external ID field (collection upsert)."""
        check_name("sObject", sobject)
        check_name("field", external_id_field)
        sent: list[Sent] = []
        bodies = []
        for i, record in enumerate(records):
            key = record.get(external_id_field)
            if key is None or key == "":
                raise ValueError(f"record {i} has no value for {external_id_field}")
            if any(name.lower() == "id" for name in record):
                raise ValueError(f"record {i}: an upsert by {external_id_field} cannot carry an Id")
            for name in record:
                check_name("field", name)
            body = {"attributes": {"type": sobject}}
            body.update({n: payloads.json_value(v) for n, v in record.items()})
            bodies.append(body)
            sent.append((i, sobject, None, str(key)))
        return self._collections(f"composite/sobjects/{sobject}/{external_id_field}", sent, bodies)

    def _collections(
        self, path: str, sent: Sequence[Sent], bodies: Sequence[Mapping[str, Any]]
    ) -> list[WriteResult]:
        def send(
            chunk: Sequence[Sent], chunk_bodies: Sequence[Mapping[str, Any]]
        ) -> list[WriteResult]:
            data = json.dumps(payloads.collection_body(chunk_bodies))
            content = self._call("an sObject Collections write", partial(self._patch, path, data))
            return self._shape(partial(payloads.read_results, self._catalog, content, chunk))

        return write_in_collections(
            send,
            sent,
            bodies,
            size=self._settings.collection_size,
            max_retry_calls=self._settings.shrink_max_calls,
        )

    def org_id(self) -> str:
        """The 18-character Id of the org the session reaches (SELECT Id FROM Organization)."""
        content = self._call(
            "the org's Id", lambda sf: sf.query("SELECT Id FROM Organization", **self._kw())
        )
        rows, _, _ = self._shape(partial(payloads.query_page, content))
        found = rows[0].get("Id") if rows and isinstance(rows[0], Mapping) else None
        if not isinstance(found, str) or not found:
            message = f"{self._endpoint} sent no Organization record"
            raise transport_error(self._catalog, "MALFORMED_RESPONSE", message)
        return found

    def _patch(self, path: str, data: str, sf: Salesforce) -> Any:
        headers = {"Sforce-Call-Options": self._settings.call_options}
        return sf.restful(path, method="PATCH", data=data, headers=headers, **self._kw())

    # -- plumbing -------------------------------------------------------------------------

    def _kw(self) -> dict[str, Any]:
        # Per-request hooks replace the session's own in requests, so carry those along.
        hooks = [*self._http.hooks.get("response", []), self._observe]
        return {"timeout": self._settings.request_timeout_seconds, "hooks": {"response": hooks}}

    def _observe(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.calls += 1
        header = response.headers.get("Sforce-Limit-Info")
        if header:
            self._usage = parse_limit_info(header) or self._usage

    @property
    def _endpoint(self) -> str:
        host = self._session.instance if self._session else "its instance"
        return f"Salesforce at {host}"

    def _sf(self) -> Salesforce:
        if self._client is None:
            self._session = self._auth.login(self._http, self._catalog)
            self._client = self._make_client(self._session)
        return self._client

    def _make_client(self, session: SessionInfo) -> Salesforce:
        return Salesforce(
            instance=session.instance,
            session_id=session.session_id,
            session=self._http,
            version=self._settings.api_version,
            parse_float=Decimal,
            object_pairs_hook=None,  # plain dicts, decoded without a hook per object
        )

    def _call(self, what: str, action: Callable[[Salesforce], T]) -> T:
        """Run one REST call; renew an expired session once; turn every failure into ours."""
        renewed = False
        while True:
            client = self._sf()
            try:
                return action(client)
            except LibraryError as exc:
                if exc.status == 401 and not renewed and self._auth.can_refresh:
                    renewed = True
                    self._session = self._auth.refresh(self._http, self._catalog)
                    self._client = self._make_client(self._session)
                    continue
                raise http_error(
                    self._catalog, exc.status, exc.content, what, self._endpoint
                ) from None
            except requests.exceptions.JSONDecodeError as exc:
                reason = f"not valid JSON ({exc.msg} at position {exc.pos})"
                message = f"{self._endpoint} sent a response sfqb cannot read: {reason}"
                raise transport_error(self._catalog, "MALFORMED_RESPONSE", message) from None
            except requests.RequestException as exc:
                timeout = self._settings.request_timeout_seconds
                raise request_failure(self._catalog, exc, self._endpoint, timeout) from None

    def _shape(self, parse: Callable[[], T]) -> T:
        """Run a parser of response JSON; a shape mismatch is a decoded MALFORMED_RESPONSE."""
        try:
            return parse()
        except RecordShapeError as exc:
            message = f"{self._endpoint} sent a response sfqb cannot read: {exc}"
            raise transport_error(self._catalog, "MALFORMED_RESPONSE", message) from None


def _record_type(sobject: type[SfRecord] | str) -> type[SfRecord]:
    if isinstance(sobject, str) and sobject.endswith("__c"):
        check_name("sObject", sobject)  # a company's custom object, a checked API name
        return custom_record_type(sobject)
    if isinstance(sobject, type):
        if issubclass(sobject, SfCustomRecord):
            return sobject
        if sobject not in READABLE:
            raise ValueError(f"cannot read changes of {sobject.__name__}")
        return sobject
    found = next((t for t in READABLE if t.SOBJECT.lower() == sobject.lower()), None)
    if found is None:
        names = ", ".join(t.SOBJECT for t in READABLE)
        raise ValueError(f"cannot read changes of {sobject!r}; sfqb reads {names}")
    return found
