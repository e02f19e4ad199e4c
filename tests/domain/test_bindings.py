from datetime import UTC, datetime

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from tests.sync.applying import Applied, Failed, Waiting, apply_results

from sfqb.domain.bindings import (
    Binding,
    BindingConflict,
    BindingError,
    BindingNotFound,
    BindingSet,
    InvalidBinding,
)
from sfqb.domain.entities import InvalidRef, QbKind, QbRef, Role, SfObject, SfRef
from sfqb.domain.status import Actor, Category, DecodedStatus, Remedy, Severity, System
from sfqb.sync.plan import Action, Change, Operation

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def make_status() -> DecodedStatus:
    return DecodedStatus(
        system=System.QBXML,
        code="3100",
        severity=Severity.ERROR,
        message="name already in use",
        title="Name already in use",
        meaning="m",
        fix=("f",),
        category=Category.DUPLICATE,
        retryable=False,
        remedy=Remedy.BIND_EXISTING,
        actor=Actor.SFQB,
        known=True,
    )


def acct(i: int | str) -> SfRef:
    return SfRef(SfObject.ACCOUNT, f"001{i}")


def cust(i: int | str) -> QbRef:
    return QbRef(QbKind.CUSTOMER, f"80000{i}-1")


def test_bind_and_lookup_both_ways() -> None:
    bs = BindingSet()
    b = Binding("acme", acct(1), cust(1), "fp", T0)
    bs.bind(b)
    assert bs.by_sf("acme", acct(1)) == b
    assert bs.by_qb("acme", cust(1)) == b
    assert bs.by_sf("other", acct(1)) is None
    assert len(bs) == 1
    assert bs.for_company("acme") == [b]


def test_second_binding_of_either_side_names_both_records() -> None:
    bs = BindingSet()
    bs.bind(Binding("acme", acct(1), cust(1), "fp", T0))
    with pytest.raises(BindingConflict) as err:
        bs.bind(Binding("acme", acct(1), cust(2), "fp", T0))
    assert "Account 0011" in str(err.value)
    assert "Customer 800002-1" in str(err.value)
    assert "Customer 800001-1" in str(err.value)
    with pytest.raises(BindingConflict, match="QuickBooks Customer 800001-1 is already bound"):
        bs.bind(Binding("acme", acct(2), cust(1), "fp", T0))
    # another company is a separate name space
    bs.bind(Binding("beta", acct(1), cust(1), "fp", T0))
    assert len(bs) == 2


def test_binding_kinds_must_match() -> None:
    with pytest.raises(InvalidBinding, match="Account cannot be bound to QuickBooks Item"):
        Binding("acme", acct(1), QbRef(QbKind.ITEM, "1"), "fp", T0)


def test_unbind_rebind_refresh() -> None:
    bs = BindingSet()
    bs.bind(Binding("acme", acct(1), cust(1), "fp", T0))
    bs.bind(Binding("acme", acct(2), cust(2), "fp", T0))
    with pytest.raises(BindingConflict):
        bs.rebind("acme", acct(1), cust(2), "fp2", T0)
    moved = bs.rebind("acme", acct(1), cust(3), "fp2", T0)
    assert bs.by_qb("acme", cust(1)) is None
    assert bs.by_qb("acme", cust(3)) == moved
    assert bs.refresh("acme", acct(1), "fp3", T0).fingerprint == "fp3"
    assert bs.unbind("acme", cust(2)).sf == acct(2)
    with pytest.raises(BindingNotFound):
        bs.unbind("acme", acct(2))
    with pytest.raises(BindingNotFound):
        bs.rebind("acme", acct(2), cust(9), "x", T0)
    with pytest.raises(BindingNotFound):
        bs.refresh("acme", acct(2), "x", T0)


COMPANIES = st.sampled_from(["acme", "beta"])
SF_IDS = st.integers(0, 6).map(acct)
QB_IDS = st.integers(0, 6).map(cust)
FPS = st.sampled_from(["a", "b", "c"])


class BindingMachine(RuleBasedStateMachine):
    """Random bind/unbind/rebind/apply-results keep every company's bindings a bijection."""

    def __init__(self) -> None:
        super().__init__()
        self.bs = BindingSet()
        self.model: dict[tuple[str, SfRef], QbRef] = {}

    @rule(company=COMPANIES, sf=SF_IDS, qb=QB_IDS, fp=FPS)
    def bind(self, company: str, sf: SfRef, qb: QbRef, fp: str) -> None:
        taken = (company, sf) in self.model or (company, qb) in {
            (c, q) for (c, _), q in self.model.items()
        }
        try:
            self.bs.bind(Binding(company, sf, qb, fp, T0))
        except BindingConflict:
            assert taken
        else:
            assert not taken
            self.model[(company, sf)] = qb

    @rule(company=COMPANIES, ref=st.one_of(SF_IDS, QB_IDS))
    def unbind(self, company: str, ref: SfRef | QbRef) -> None:
        try:
            gone = self.bs.unbind(company, ref)
        except BindingNotFound:
            return
        assert self.model.pop((company, gone.sf)) == gone.qb

    @rule(company=COMPANIES, sf=SF_IDS, qb=QB_IDS, fp=FPS)
    def rebind(self, company: str, sf: SfRef, qb: QbRef, fp: str) -> None:
        try:
            self.bs.rebind(company, sf, qb, fp, T0)
        except BindingError:
            return
        self.model[(company, sf)] = qb

    @rule(
        company=COMPANIES,
        items=st.lists(
            st.tuples(SF_IDS, st.sampled_from([Action.ADD, Action.MOD]), QB_IDS, st.booleans()),
            max_size=5,
        ),
        fp=FPS,
    )
    def apply(self, company: str, items: list[tuple[SfRef, Action, QbRef, bool]], fp: str) -> None:
        results = []
        for sf, action, qb, ok in items:
            op = Operation(Change(sf, fp), action, "test")
            result = Applied(qb) if ok else Waiting("w")
            results.append((op, result))
        expected = dict(self.model)
        for sf, action, qb, ok in items:
            if not ok:
                continue
            bound = (company, sf) in expected
            owner = next((s for (c, s), q in expected.items() if c == company and q == qb), None)
            add_ok = action is Action.ADD and not bound and owner is None
            mod_ok = action is Action.MOD and bound and owner in (None, sf)
            if add_ok or mod_ok:
                expected[(company, sf)] = qb
        report = apply_results(self.bs, company, results, T0)
        self.model = expected
        assert len(report.bound) + len(report.refreshed) + len(report.errors) == sum(
            1 for *_, ok in items if ok
        )

    @invariant()
    def is_a_bijection(self) -> None:
        everything = list(self.bs)
        sf_keys = [(b.company, b.sf) for b in everything]
        qb_keys = [(b.company, b.qb) for b in everything]
        assert len(set(sf_keys)) == len(sf_keys)
        assert len(set(qb_keys)) == len(qb_keys)
        for b in everything:
            assert self.bs.by_sf(b.company, b.sf) == b
            assert self.bs.by_qb(b.company, b.qb) == b
        assert {(b.company, b.sf): b.qb for b in everything} == self.model


TestBindingMachine = BindingMachine.TestCase
TestBindingMachine.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


def vend(i: int | str) -> QbRef:
    return QbRef(QbKind.VENDOR, f"90000{i}-1")


def test_an_account_is_bound_once_as_customer_and_once_as_vendor() -> None:
    bs = BindingSet()
    as_vendor = acct(1).as_role(Role.VENDOR)
    customer = Binding("acme", acct(1), cust(1), "fp", T0)
    vendor = Binding("acme", as_vendor, vend(1), "fv", T0)
    bs.bind(customer)
    bs.bind(vendor)
    assert bs.by_sf("acme", acct(1)) == customer
    assert bs.by_sf("acme", as_vendor) == vendor
    assert bs.by_qb("acme", vend(1)) == vendor
    with pytest.raises(BindingConflict, match=r"Account 0011 \(as vendor\) is already bound"):
        bs.bind(Binding("acme", as_vendor, vend(2), "fv", T0))
    assert bs.unbind("acme", acct(1)) == customer
    assert bs.by_sf("acme", as_vendor) == vendor  # the other role is untouched


def test_a_role_takes_only_its_own_kinds() -> None:
    with pytest.raises(
        InvalidBinding, match="Account as vendor cannot be bound to QuickBooks Customer"
    ):
        Binding("acme", acct(1).as_role(Role.VENDOR), cust(1), "fp", T0)
    with pytest.raises(InvalidBinding, match="Account cannot be bound to QuickBooks Vendor"):
        Binding("acme", acct(1), vend(1), "fp", T0)
    with pytest.raises(InvalidRef, match="Product2 cannot be bound as vendor"):
        SfRef(SfObject.PRODUCT2, "01t1", Role.VENDOR)
    assert str(acct(1).as_role(Role.VENDOR)) == "Account 0011 (as vendor)"
    assert acct(1).as_role(Role.VENDOR) != acct(1)


ROLES = st.sampled_from([Role.MAIN, Role.VENDOR])
ROLE_SF = st.tuples(st.integers(0, 4), ROLES).map(lambda t: acct(t[0]).as_role(t[1]))
ROLE_QB = st.one_of(st.integers(0, 4).map(cust), st.integers(0, 4).map(vend))
_KIND_OF_ROLE = {Role.MAIN: QbKind.CUSTOMER, Role.VENDOR: QbKind.VENDOR}


class RoleBindingMachine(RuleBasedStateMachine):
    """With roles: one binding per record and role, each QuickBooks record bound once."""

    def __init__(self) -> None:
        super().__init__()
        self.bs = BindingSet()
        self.model: dict[tuple[str, SfRef], QbRef] = {}

    @rule(company=COMPANIES, sf=ROLE_SF, qb=ROLE_QB)
    def bind(self, company: str, sf: SfRef, qb: QbRef) -> None:
        taken = (company, sf) in self.model or qb in {
            q for (c, _), q in self.model.items() if c == company
        }
        try:
            self.bs.bind(Binding(company, sf, qb, "fp", T0))
        except InvalidBinding:
            assert qb.kind is not _KIND_OF_ROLE[sf.role]
        except BindingConflict:
            assert taken
        else:
            assert not taken and qb.kind is _KIND_OF_ROLE[sf.role]
            self.model[(company, sf)] = qb

    @rule(company=COMPANIES, ref=st.one_of(ROLE_SF, ROLE_QB))
    def unbind(self, company: str, ref: SfRef | QbRef) -> None:
        try:
            gone = self.bs.unbind(company, ref)
        except BindingNotFound:
            assert all(
                k != (company, ref) and q != ref for k, q in self.model.items() if k[0] == company
            )
            return
        assert self.model.pop((company, gone.sf)) == gone.qb

    @invariant()
    def one_binding_per_record_and_role(self) -> None:
        everything = list(self.bs)
        keys = [(b.company, b.sf.sobject, b.sf.id, b.sf.role) for b in everything]
        assert len(set(keys)) == len(keys)
        assert len({(b.company, b.qb) for b in everything}) == len(everything)
        for b in everything:
            assert b.qb.kind is _KIND_OF_ROLE[b.sf.role]
            assert self.bs.by_sf(b.company, b.sf) == b
        assert {(b.company, b.sf): b.qb for b in everything} == self.model


TestRoleBindingMachine = RoleBindingMachine.TestCase
TestRoleBindingMachine.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)


def test_failed_and_waiting_results_change_nothing() -> None:
    bs = BindingSet()
    op = Operation(Change(acct(1), "fp"), Action.ADD, "x")
    failed = Failed(make_status())
    report = apply_results(bs, "acme", [(op, failed), (op, Waiting("w"))], T0)
    assert len(bs) == 0
    assert report.bound == []
