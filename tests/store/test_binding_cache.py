"""The cycle's binding cache holds the records the cycle works on, never a whole company: the
company's bindings are listed in pages, with the cycle's own changes in front, and not kept."""

from __future__ import annotations

import pytest

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbKind, QbRef, Role, SfObject, SfRef
from sfqb.store import Store, binding_cache
from sfqb.store.binding_cache import BindingCache

from .conftest import T0


def acct(i: int) -> SfRef:
    return SfRef(SfObject.ACCOUNT, f"001{i:05d}")


def cust(i: int) -> QbRef:
    return QbRef(QbKind.CUSTOMER, f"{i}")


def test_listing_a_companys_bindings_pages_them_and_keeps_none(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(binding_cache, "PAGE", 4)
    for i in range(10):
        db.bindings.bind(Binding("acme", acct(i), cust(i), f"fp{i}", T0))
    db.bindings.bind(Binding("other", acct(99), cust(99), "fp", T0))
    cache = db.binding_cache("acme")
    cache.unbind("acme", acct(3))  # the cycle's own changes, not written yet
    cache.bind(Binding("acme", acct(20), cust(20), "new", T0))
    cache.update(Binding("acme", acct(5), cust(5), "changed", T0))
    held = cache.held  # what the cycle looked at: accounts 3, 5 and 20
    queries = cache.queries

    listed = cache.for_company("acme")
    first = next(iter(listed))
    assert first.sf == acct(0) and cache.queries == queries + 1  # one page read, not all
    every = [first, *listed]

    assert [b.sf for b in every] == [acct(i) for i in (0, 1, 2, 4, 5, 6, 7, 8, 9, 20)]
    assert next(b for b in every if b.sf == acct(5)).fingerprint == "changed"
    assert cache.queries == queries + 3  # 10 rows in pages of 4
    assert cache.held == held  # nothing of the listing kept


def test_a_prefetch_answers_for_every_role_of_the_records_it_read(db: Store) -> None:
    vendor = QbRef(QbKind.VENDOR, "v1")
    db.bindings.bind(Binding("acme", acct(1), cust(1), "fp", T0))
    db.bindings.bind(Binding("acme", SfRef(SfObject.ACCOUNT, acct(2).id, Role.VENDOR), vendor,
                             "fp", T0))  # fmt: skip
    cache = db.binding_cache("acme")
    cache.prefetch(sf=[acct(1), acct(2), acct(3)])
    queries = cache.queries
    # An account's vendor role (asked for its own names) is known from the same read.
    assert cache.by_sf("acme", SfRef(SfObject.ACCOUNT, acct(1).id, Role.VENDOR)) is None
    found = cache.by_sf("acme", SfRef(SfObject.ACCOUNT, acct(2).id, Role.VENDOR))
    assert found is not None and found.qb == vendor
    assert cache.by_sf("acme", SfRef(SfObject.ACCOUNT, acct(3).id, Role.VENDOR)) is None
    assert cache.queries == queries


def ten_bound(db: Store, monkeypatch: pytest.MonkeyPatch, *, held: int) -> BindingCache:
    """A cache of company acme, with ten accounts bound and a limit of `held` (`trim`)."""
    monkeypatch.setattr(binding_cache, "HELD", held)
    for i in range(10):
        db.bindings.bind(Binding("acme", acct(i), cust(i), f"fp{i}", T0))
    return db.binding_cache("acme")


def test_a_written_down_cache_beyond_its_limit_forgets_all_but_the_cycles_records(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cycle reading a whole company's QuickBooks records page by page (the read of its own
    # writes after a first load) prefetched every page's bindings and kept them all: at 8x the
    # settle cycle's peak memory was mostly this cache.
    cache = ten_bound(db, monkeypatch, held=6)
    cache.prefetch(qb=[cust(i) for i in range(2)])
    assert cache.trim(keep=[acct(0)]) == 0  # within the limit: kept
    cache.prefetch(qb=[cust(i) for i in range(10)])
    cache.update(Binding("acme", acct(4), cust(4), "changed", T0))
    assert cache.trim(keep=[acct(0)]) == 0  # a change not written down yet: kept
    with db.work() as work:
        work.bindings(cache)
    assert cache.trim(keep=[acct(0)]) == 9
    assert cache.held == 1
    queries = cache.queries
    assert cache.by_qb("acme", cust(0)) is not None and cache.queries == queries  # kept
    again = cache.by_qb("acme", cust(4))  # forgotten: read again, as written down
    assert again is not None and again.fingerprint == "changed"
    assert cache.queries == queries + 1


def test_a_trim_keeps_the_bindings_a_prefetch_pinned_for_every_role(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cycle pins its records and the parents they reference: every batch's Adds ask for the
    # parents' bindings, and once a 16x load's cache passed its limit each was read again, one
    # query a record (a fifth of sfqb's CPU in the Adds).
    cache = ten_bound(db, monkeypatch, held=4)
    cache.prefetch(sf=[acct(1), acct(2), acct(11)], pin=True)  # 11: not bound
    cache.prefetch(sf=[acct(i) for i in range(3, 10)])
    assert cache.trim(keep=[acct(3)]) > 0  # entries of each role an account can play
    queries = cache.queries
    assert cache.by_sf("acme", acct(1)) is not None and cache.by_qb("acme", cust(2)) is not None
    assert cache.by_sf("acme", acct(11)) is None
    vendor = SfRef(SfObject.ACCOUNT, acct(2).id, Role.VENDOR)
    assert cache.by_sf("acme", vendor) is None  # its other role: known from the same read
    assert cache.by_sf("acme", acct(3)) is not None
    assert cache.queries == queries
    assert cache.by_sf("acme", acct(4)) is not None and cache.queries == queries + 1


def test_a_cycle_whose_own_records_pass_the_limit_is_not_trimmed_after_every_batch(
    db: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each batch's trim rebuilt the whole cache to forget the few bindings read since the last
    # one: a 16x load's cycles keep more than the limit (their records and parents), so every
    # batch paid for a trim that freed almost nothing.
    cache = ten_bound(db, monkeypatch, held=4)
    # An account read is 3 entries: its customer and vendor roles, and its customer.
    cache.prefetch(sf=[acct(i) for i in range(6)], pin=True)  # 18 entries kept: over the limit
    assert cache.trim() == 0  # nothing beyond the pinned to forget
    cache.prefetch(sf=[acct(6)])
    assert cache.trim() == 0  # 21 entries: within the limit (4) beyond the 18 kept
    cache.prefetch(sf=[acct(7), acct(8)])
    assert cache.trim() == 6  # 27: past it; both roles of the three not pinned are forgotten
    assert cache.held == 12
