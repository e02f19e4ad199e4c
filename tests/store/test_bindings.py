"""The bindings table behaves like the in-memory BindingSet, enforced by unique constraints."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from sfqb.domain.bindings import (
    Binding,
    BindingConflict,
    BindingError,
    BindingNotFound,
    BindingSet,
    InvalidBinding,
)
from sfqb.domain.entities import QbKind, QbRef, Role, SfObject, SfRef
from sfqb.store import Store, StoreError
from sfqb.store.models import BindingRow

from .conftest import T0


def acct(i: int) -> SfRef:
    return SfRef(SfObject.ACCOUNT, f"001{i}")


def cust(i: int) -> QbRef:
    return QbRef(QbKind.CUSTOMER, f"80000{i}-1")


def test_bind_lookup_both_ways_and_companies_apart(db: Store) -> None:
    b = Binding(
        "acme", acct(1), cust(1), "fp", T0,
        qb_fingerprint="qfp", version="123", sf_values={"Name": "Acme", "Lines": [1, 2]},
    )  # fmt: skip
    db.bindings.bind(b)
    assert db.bindings.by_sf("acme", acct(1)) == b
    assert db.bindings.by_qb("acme", cust(1)) == b
    assert db.bindings.by_sf("beta", acct(1)) is None
    plain = Binding("beta", acct(1), cust(1), "fp", T0)
    db.bindings.bind(plain)
    assert db.bindings.by_qb("beta", cust(1)) == plain  # sf_values None stays None
    assert len(db.bindings) == 2
    assert db.bindings.for_company("acme") == [b]
    assert list(db.bindings) == [b, plain]
    found = db.bindings.by_sf("acme", acct(1))
    assert found is not None and found.synced_at.tzinfo is not None


def test_each_side_is_unique_and_conflicts_name_the_records(db: Store) -> None:
    db.bindings.bind(Binding("acme", acct(1), cust(1), "fp", T0))
    with pytest.raises(BindingConflict) as err:
        db.bindings.bind(Binding("acme", acct(1), cust(2), "fp", T0))
    assert "Salesforce Account 0011 is already bound" in str(err.value)
    assert err.value.existing.qb == cust(1)
    with pytest.raises(BindingConflict, match="QuickBooks Customer 800001-1 is already bound"):
        db.bindings.bind(Binding("acme", acct(2), cust(1), "fp", T0))
    assert len(db.bindings) == 1


def test_the_database_itself_refuses_a_second_binding(db: Store) -> None:
    db.bindings.bind(Binding("acme", acct(1), cust(1), "fp", T0))
    row: dict[str, Any] = {
        "company": "acme", "sf_object": "Account", "sf_id": "0019", "qb_kind": "Customer",
        "qb_id": "800001-1", "fingerprint": "", "qb_fingerprint": "", "synced_at": T0,
    }  # fmt: skip
    with pytest.raises(IntegrityError), db.engine.begin() as conn:
        conn.execute(insert(BindingRow).values(**row))


def test_two_store_objects_share_the_constraint(db: Store, isolated_url: str) -> None:
    other = Store.from_url(isolated_url)
    try:
        other.bindings.bind(Binding("acme", acct(1), cust(1), "fp", T0))
        with pytest.raises(BindingConflict):
            db.bindings.bind(Binding("acme", acct(2), cust(1), "fp", T0))
    finally:
        other.engine.dispose()


def test_unbind_rebind_refresh_update(db: Store) -> None:
    bs = db.bindings
    bs.bind(Binding("acme", acct(1), cust(1), "fp", T0, qb_fingerprint="q1", version="5"))
    bs.bind(Binding("acme", acct(2), cust(2), "fp", T0))
    later = T0 + timedelta(hours=1)
    with pytest.raises(BindingConflict):
        bs.rebind("acme", acct(1), cust(2), "fp2", later)
    with pytest.raises(BindingNotFound):
        bs.rebind("acme", acct(9), cust(3), "fp2", later)
    with pytest.raises(InvalidBinding):
        bs.rebind("acme", acct(1), QbRef(QbKind.ITEM, "1"), "fp2", later)
    moved = bs.rebind("acme", acct(1), cust(3), "fp2", later)
    assert (moved.qb_fingerprint, moved.version) == ("", None)  # a new QuickBooks record
    assert bs.by_qb("acme", cust(3)) == moved
    assert bs.by_qb("acme", cust(1)) is None
    updated = bs.update(replace(moved, qb_fingerprint="q3", version="7", sf_values={"a": 1}))
    assert bs.by_sf("acme", acct(1)) == updated
    refreshed = bs.refresh("acme", acct(1), "fp3", later)
    assert (refreshed.fingerprint, refreshed.qb, refreshed.version) == ("fp3", cust(3), "7")
    assert refreshed.sf_values == {"a": 1}  # kept
    with pytest.raises(BindingNotFound, match="is not bound to"):
        bs.update(replace(moved, qb=cust(2)))
    with pytest.raises(BindingNotFound):
        bs.refresh("acme", acct(9), "x", later)
    assert bs.unbind("acme", cust(2)).sf == acct(2)
    assert bs.unbind("acme", acct(1)).qb == cust(3)
    with pytest.raises(BindingNotFound, match="not bound in company 'acme'"):
        bs.unbind("acme", acct(1))
    assert len(bs) == 0


def test_an_account_bound_as_customer_and_as_vendor(db: Store) -> None:
    vendor_ref = acct(1).as_role(Role.VENDOR)
    vendor = QbRef(QbKind.VENDOR, "900001-1")
    db.bindings.bind(Binding("acme", acct(1), cust(1), "fp", T0))
    db.bindings.bind(Binding("acme", vendor_ref, vendor, "fv", T0))
    assert db.bindings.by_sf("acme", vendor_ref) == Binding("acme", vendor_ref, vendor, "fv", T0)
    found = db.bindings.by_sf("acme", acct(1))
    assert found is not None and found.qb == cust(1)
    with pytest.raises(BindingConflict, match=r"\(as vendor\) is already bound"):
        db.bindings.bind(Binding("acme", vendor_ref, QbRef(QbKind.VENDOR, "900002-1"), "f", T0))
    assert db.bindings.unbind("acme", vendor_ref).qb == vendor
    assert db.bindings.by_sf("acme", acct(1)) is not None


def test_naive_synced_at_is_refused(db: Store) -> None:
    with pytest.raises(StoreError, match="aware"):
        db.bindings.bind(Binding("acme", acct(1), cust(1), "fp", T0.replace(tzinfo=None)))


# -- the store and BindingSet agree on random sequences ----------------------------------------

COMPANIES = st.sampled_from(["acme", "beta"])
IDS = st.integers(min_value=1, max_value=3)
# An Account in its main role (customer) or as a vendor; a QuickBooks customer (1..3) or a
# vendor (4..5): a role with the other role's kind is refused alike by both.
ROLES = st.sampled_from([Role.MAIN, Role.VENDOR])
QB_IDS = st.integers(min_value=1, max_value=5)
OPS = st.one_of(
    *(
        st.tuples(st.just(name), COMPANIES, IDS, QB_IDS, ROLES)
        for name in ("bind", "unbind_sf", "unbind_qb", "rebind", "refresh", "update")
    )
)


def _qb(q: int) -> QbRef:
    return cust(q) if q <= 3 else QbRef(QbKind.VENDOR, f"90000{q}-1")


def _apply(target: Any, op: tuple[str, str, int, int, Role], step: int) -> tuple[str, object]:
    name, company, s, q, role = op
    at = T0 + timedelta(minutes=step)
    sf, qb = acct(s).as_role(role), _qb(q)
    try:
        if name == "bind":
            result: object = target.bind(Binding(company, sf, qb, f"f{step}", at))
        elif name == "unbind_sf":
            result = target.unbind(company, sf)
        elif name == "unbind_qb":
            result = target.unbind(company, qb)
        elif name == "rebind":
            result = target.rebind(company, sf, qb, f"f{step}", at)
        elif name == "update":
            result = target.update(
                Binding(
                    company, sf, qb, f"f{step}", at, qb_fingerprint=f"q{step}",
                    version=str(step), sf_values={"Name": f"n{step}"},
                )
            )  # fmt: skip
        else:
            result = target.refresh(company, sf, f"f{step}", at)
    except BindingError as error:
        return (type(error).__name__, str(error))
    return ("ok", result)


def _key(binding: Binding) -> tuple[SfRef, QbRef]:
    return (binding.sf, binding.qb)


def _check_random_sequences(db: Store, examples: int) -> None:
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(st.lists(OPS, max_size=14))
    def run(ops: list[tuple[str, str, int, int, Role]]) -> None:
        for binding in list(db.bindings):
            db.bindings.unbind(binding.company, binding.sf)
        memory = BindingSet()
        for step, op in enumerate(ops):
            assert _apply(db.bindings, op, step) == _apply(memory, op, step), op
            for company in ("acme", "beta"):
                assert sorted(db.bindings.for_company(company), key=_key) == sorted(
                    memory.for_company(company), key=_key
                )

    run()


def test_random_sequences_agree_with_binding_set(db: Store, database_url: str) -> None:
    _check_random_sequences(db, 80 if database_url.startswith("sqlite") else 25)
