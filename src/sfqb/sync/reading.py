"""The read step of a cycle: QuickBooks' preferences and changes, and unanswered adds found."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sfqb.domain.bindings import BindingError
from sfqb.domain.entities import QbKind, QbRef, SfRef
from sfqb.domain.status import System
from sfqb.sync import hierarchy
from sfqb.sync.credits import credit_feeds
from sfqb.sync.fields import found_binding, to_plain
from sfqb.sync.inbound import TRANSACTION_TYPES, WALL_CLOCK_SPREAD
from sfqb.sync.matching import matches, rule_for
from sfqb.sync.ops import Pair, QbAction, QbOp, QbRecord, QbResult, Then
from sfqb.sync.records import REFUND_FLOW, ItemState, flow_sources
from sfqb.sync.target import MarkerKind

if TYPE_CHECKING:
    from sfqb.sync.cycle import Cycle


class Reading:
    """Builds the first batch of a cycle and takes its answers.

    Reads of changes come in pages of `page_size` (QuickBooks' iterators): `more` holds the
    next pages to send, and the read step lasts until none is left. `complete` turns False
    when a read of changes failed or went unanswered (the checkpoint must not move then).
    With `skip_seen`, a bound record read again with the EditSequence its binding holds is
    passed over: sfqb has seen that version, and (the caller vouches) the cycle that saw it
    finished its read and its Salesforce writes, so the overlap costs no work and no write.
    """

    def __init__(
        self,
        cycle: Cycle,
        since: dict[str, datetime],
        page_size: int | None = None,
        *,
        skip_seen: bool = False,
    ) -> None:
        self._cycle = cycle
        self._since = since
        self._page_size = page_size
        self._skip_seen = skip_seen
        self._waiting: dict[tuple[QbAction, str], list[SfRef]] = {}
        self.more: list[Pair] = []
        self.complete = True

    def unanswered(self, op: QbOp) -> None:
        """A look-up's reply never arrived: its records stay in flight (not added again)."""
        if op.action is QbAction.READ_CHANGED:
            self.complete = False
        status = self._cycle.catalog.decode(
            System.TRANSPORT, "TIMEOUT", "QuickBooks' reply never arrived"
        )
        for sf in self._waiting.pop((op.action, op.qb_type), []):
            self._cycle.outcome(sf, ItemState.INFLIGHT, status, "look-up's reply never arrived")
            self._cycle.log(sf, "lookup", status, "will look the record up again next cycle")

    def ops(self) -> list[Pair]:
        """Marker definition, preferences, changes since the checkpoint, look-ups."""
        cycle = self._cycle
        profile = cycle.profile
        marked = profile.marker is not MarkerKind.NONE
        pairs: list[Pair] = [
            *(cycle.marking.ops() if marked else ()),
            (QbOp("", QbAction.READ_PREFERENCES, "Preferences"), self._preferences),
        ]
        if any(profile.kinds.get(m.kind) is QbKind.ITEM for m in cycle.canonical.values()):
            # The chart of accounts, so an item map's account QuickBooks lacks holds the
            # item adds for the company before any is sent (see preflight.missing_account).
            pairs.append((QbOp("", QbAction.READ_LIST, "Account"), self._accounts))
        refunds = REFUND_FLOW in flow_sources(cycle.mapper.flows)
        feeds = credit_feeds(cycle.policy, profile.change_feeds(cycle.transaction_type), refunds)
        for qb_type in feeds:
            # A feed the checkpoint does not name yet (credit memos turned on) starts with the
            # transactions' read.
            since = self._since.get(qb_type, self._since.get(cycle.transaction_type))
            if since is not None:
                op = QbOp("", QbAction.READ_CHANGED, qb_type, since=since)
                pairs.append(self._paged(op, self._changed, self._passed))
        pairs.extend(cycle.orders.reading_ops())  # the edition and kinds the orders need
        pairs.extend(cycle.inactive.ops())  # customers and items the transactions name
        pairs.extend(cycle.gone.ops(self._since.get(cycle.transaction_type)))
        waiting: dict[tuple[QbAction, str], list[SfRef]] = {}
        earliest: dict[str, datetime] = {}
        for change in cycle.changes.values():
            mapped = cycle.canonical.get(change.sf)
            if change.unknown_since is None or mapped is None:
                continue
            bound = cycle.bindings.by_sf(cycle.company, change.sf)
            if bound is not None:
                # Bound before the worker stopped: only the marker may be missing; set it again.
                cycle.mark(change.sf, mapped.kind, bound.qb.id, known=False)
                continue
            if mapped.kind in TRANSACTION_TYPES:
                waiting.setdefault((QbAction.READ_CHANGED, mapped.kind), []).append(change.sf)
                first = earliest.get(mapped.kind)
                if first is None or change.unknown_since < first:
                    earliest[mapped.kind] = change.unknown_since
            elif cycle.mapped_name(change.sf) is not None:
                read_type = profile.read_type(mapped.kind)
                waiting.setdefault((QbAction.READ, read_type), []).append(change.sf)
        replay = self._replay()
        # One look-up per type for every record whose add went unanswered: transactions by the
        # [sf:ID] marker among those changed since the earliest unanswered add, lists by name.
        for (action, qb_type), records in waiting.items():
            self._waiting[(action, qb_type)] = records
            if action is QbAction.READ_CHANGED:
                # In QuickBooks' wall clock, read without an offset: early enough anywhere.
                since = earliest[qb_type].replace(tzinfo=None) - WALL_CLOCK_SPREAD
                pairs.append(self._paged(QbOp("", action, qb_type, since=since), self._recover))
            else:
                pairs.append(self._by_name(action, qb_type, records))
        return replay + pairs + cycle.edits.ops()

    def _replay(self) -> list[Pair]:
        """On a target that replays a request id, the unanswered writes sent again first: its
        answer is the first one's, so an add is bound to the very record it created (QuickBooks
        Online keeps no marker a look-up could find a transaction by)."""
        cycle = self._cycle
        if not cycle.profile.replays_writes:
            return []
        unknown = [c for c in cycle.changes.values() if c.unknown_since is not None]
        unbound = [
            c.sf
            for c in unknown
            if c.sf in cycle.canonical and cycle.bindings.by_sf(cycle.company, c.sf) is None
        ]
        if not unbound:  # all bound: a lost Mod is guarded by the SyncToken check instead
            return []
        self._waiting[(QbAction.REPLAY_UNANSWERED, "")] = unbound
        ids = tuple(sorted(c.sf.id for c in unknown))
        return [(QbOp("", QbAction.REPLAY_UNANSWERED, "", ids=ids), self._recover)]

    def _by_name(self, action: QbAction, qb_type: str, records: list[SfRef]) -> Pair:
        """The look-up of list records by name. A job on a target that names it by its full
        name ("Parent:Job") is looked up once its parent's full name is known: the parents
        not seen yet are read first, by Id, and the look-up follows as a further read."""
        cycle = self._cycle

        def by_name() -> QbOp:
            names = {n for sf in records for n in self._query_names(sf)}
            return QbOp("", action, qb_type, names=tuple(sorted(names)))

        parents = {
            parent.id
            for sf in records
            if (parent := hierarchy.parent_of(cycle, sf)) is not None
            and hierarchy.prefix(cycle, sf) is None
        }
        if not parents:
            return by_name(), self._recover

        def named(op: QbOp, result: QbResult) -> None:
            if not result.ok:
                self._recover(op, result)  # not looked up: the records stay in flight
                return
            for record in result.records:
                cycle.inbound.note_name(record)
            self.more.append((by_name(), self._recover))

        parent_type = cycle.profile.read_type_of(QbKind.CUSTOMER)
        return QbOp("", action, parent_type, ids=tuple(sorted(parents))), named

    def _query_names(self, sf: SfRef) -> list[str]:
        """The names to read an unanswered add by: its full names where the target reads a
        job by its full name and the parent's is known, else the names themselves."""
        scope = hierarchy.prefix(self._cycle, sf) or ""
        return [scope + name for name in self._all_names(sf)]

    def _paged(
        self, first: QbOp, then: Then, passed: Callable[[QbRecord], bool] | None = None
    ) -> Pair:
        """A read of changes in pages; `then` gets every page's records at once, de-duplicated.

        The same record twice (a page boundary moved by an edit, or the overlap) keeps its
        newest version (id and EditSequence), so it is taken once. A record `passed` over
        (`_passed`) is let go as its page comes: only its version is kept, so a read of many
        records sfqb has seen does not hold them all.
        """
        found: dict[str, QbRecord] = {}
        versions: dict[str, QbRecord] = {}  # each record's newest version, without its fields

        def take(op: QbOp, result: QbResult) -> None:
            for record in result.records:
                seen = versions.get(record.id)
                if seen is not None and not _newer(record, seen):
                    continue
                versions[record.id] = QbRecord(
                    record.qb_type, record.id, record.version, record.time_modified
                )
                if passed is not None and passed(record):
                    found.pop(record.id, None)
                else:
                    found[record.id] = record
            if result.ok and result.cursor and result.remaining > 0:
                self.more.append((replace(op, op_id="", cursor=result.cursor), take))
                return
            then(first, replace(result, records=tuple(found.values()), cursor=None, remaining=0))

        return replace(first, limit=self._page_size), take

    def _preferences(self, op: QbOp, result: QbResult) -> None:
        if result.ok and result.records:
            self._cycle.holds.preferences(result.records[0].fields)

    def _accounts(self, op: QbOp, result: QbResult) -> None:
        if result.ok:
            self._cycle.holds.accounts([r.fields for r in result.records])
        else:
            self._cycle.log(None, "read", result.status, "accounts not checked this cycle")

    def _changed(self, op: QbOp, result: QbResult) -> None:
        cycle = self._cycle
        profile = cycle.profile
        payment = profile.payment_type
        records = []
        for r in result.records:
            if not (r.qb_type == payment or profile.binds(r.qb_type)):
                continue
            if self._seen(r):
                cycle.inbound.note_time(r)  # the read reached it: the checkpoint moves past it
            else:
                records.append(r)
        cycle.inbound.take(records)
        if not result.ok:
            self.complete = False
            cycle.log(None, "read", result.status, "QuickBooks' changes not read this cycle")
        for record in records:
            if profile.list_of(record.qb_type) is not None:
                cycle.pastes.seen(record, result.status)  # its binding field, checked later
            if record.qb_type == payment or (record.marker and not profile.list_of(record.qb_type)):
                continue
            binding = cycle.bindings.by_qb(
                cycle.company, QbRef(profile.kind_of(record.qb_type), record.id)
            )
            if binding is not None:  # bound: its binding field is set if it lacks the Id
                cycle.mark(binding.sf, record.qb_type, record.id, record)

    def _passed(self, record: QbRecord) -> bool:
        """True for a record `_changed` would pass over: of a kind sfqb neither binds nor
        reads payments of, or seen (`_seen`: its time is noted now, as `_changed` would)."""
        profile = self._cycle.profile
        if not (record.qb_type == profile.payment_type or profile.binds(record.qb_type)):
            return True
        if self._seen(record):
            self._cycle.inbound.note_time(record)
            return True
        return False

    def _seen(self, record: QbRecord) -> bool:
        """True for a bound record whose binding holds this very version and whose binding
        field shows its Id (skip_seen only): a binding changed in sfqb still needs its marker."""
        cycle = self._cycle
        if (
            not self._skip_seen
            or not record.version
            or record.qb_type == cycle.profile.payment_type
        ):
            return False
        kind = cycle.profile.kind_of(record.qb_type)
        binding = cycle.bindings.by_qb(cycle.company, QbRef(kind, record.id))
        return (
            binding is not None
            and binding.version == record.version
            and cycle.marking.shows(record, binding.sf.id)
        )

    def _recover(self, op: QbOp, result: QbResult) -> None:
        """Records whose add went unanswered: bind each to its record if QuickBooks has it.

        A record carrying the Salesforce Id is it. A list record without a marker is it only
        when its name and the company's match rule agree (its SalesforceID was not set yet).
        """
        cycle = self._cycle
        records = self._waiting.pop((op.action, op.qb_type), [])
        if not result.ok:
            # Not "not found": QuickBooks could not look. Adding now could duplicate them.
            for sf in records:
                cycle.outcome(sf, ItemState.INFLIGHT, result.status, "look-up failed")
                cycle.log(sf, "lookup", result.status, "will look the record up again next cycle")
            return
        taken: set[str] = set()
        for sf in records:
            if cycle.bindings.by_sf(cycle.company, sf) is not None:
                continue  # bound by the replay of its unanswered write, earlier in this step
            found = self._find(sf, op, result, taken)
            if found is None:
                continue
            taken.add(found.id)
            # Added under a unique variant of its name: that name stays (not sent again).
            binding = found_binding(
                cycle.company,
                sf,
                found,
                cycle.clock(),
                kind=cycle.profile.kind_of(found.qb_type),
                name_field=cycle.name_field(sf),
                mapped_name=cycle.mapped_name(sf),
            )
            try:
                cycle.bindings.bind(binding)
            except BindingError:
                continue
            cycle.log(
                sf, "bind", result.status, "bound the record an unanswered add created", binding.qb
            )
            cycle.mark(sf, found.qb_type, found.id, found)

    def _find(self, sf: SfRef, op: QbOp, result: QbResult, taken: set[str]) -> QbRecord | None:
        cycle = self._cycle
        # The values now, and those the unanswered add sent if Salesforce changed them since.
        versions = [cycle.canonical[sf], *([cycle.sent[sf]] if sf in cycle.sent else [])]
        name_field = cycle.name_field(sf)
        for record in result.records:
            if record.id in taken:
                continue
            if record.marker == sf.id or sf.id in record.custom.values():
                return record
            rule = rule_for(cycle.policy.match_rule, cycle.profile.kinds.get(record.qb_type))
            if (
                op.action is QbAction.READ
                and name_field is not None
                and not record.marker
                and not self._bound_elsewhere(sf, record)
                and any(
                    matches(
                        rule,
                        {**to_plain(mapped.fields), name_field: n},
                        record.fields,
                        name_field,
                        cycle.profile.match_fields,
                    )
                    for mapped in versions
                    for n in self._names(sf, mapped.fields)
                )
            ):
                return record
        return None

    def _bound_elsewhere(self, sf: SfRef, record: QbRecord) -> bool:
        """Whether another Salesforce record is bound to `record` (on a target without a
        marker, its name alone could otherwise pass for the record an add created)."""
        cycle = self._cycle
        if not cycle.profile.binds(record.qb_type):
            return False
        ref = QbRef(cycle.profile.kind_of(record.qb_type), record.id)
        bound = cycle.bindings.by_qb(cycle.company, ref)
        return bound is not None and bound.sf != sf

    def _names(self, sf: SfRef, fields: Mapping[str, Any] | None = None) -> list[str]:
        """The names an unanswered add may have used: the mapped one, or a unique variant."""
        name = self._cycle.mapped_name(sf, fields) or ""
        return [name, *self._cycle.remedies.names.variants(sf, name)]

    def _all_names(self, sf: SfRef) -> list[str]:
        """The names now and, if Salesforce changed the record since, those the add sent."""
        sent = self._cycle.sent.get(sf)
        return [*self._names(sf), *(self._names(sf, sent.fields) if sent is not None else ())]


def _newer(record: QbRecord, seen: QbRecord) -> bool:
    """True when `record` is a later version than `seen` (EditSequence, else TimeModified)."""
    if record.version and seen.version and record.version != seen.version:
        a, b = record.version, seen.version
        return (len(a), a) > (len(b), b)  # digits: longer is larger
    if record.time_modified and seen.time_modified:
        return record.time_modified.replace(tzinfo=None) > seen.time_modified.replace(tzinfo=None)
    return False
