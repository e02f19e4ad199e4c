from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.sync.applying import Applied, apply_results

from sfqb.domain.bindings import Binding, BindingSet
from sfqb.domain.entities import QbRef, SfObject, SfRef, default_qb_kind
from sfqb.domain.status import Actor, Category, DecodedStatus, Remedy, Severity, System
from sfqb.sync.plan import Action, Change, Operation, PlanError, batches, plan

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def acct(i: int) -> SfRef:
    return SfRef(SfObject.ACCOUNT, f"001{i}")


def prod(i: int) -> SfRef:
    return SfRef(SfObject.PRODUCT2, f"01t{i}")


def opp(i: int) -> SfRef:
    return SfRef(SfObject.OPPORTUNITY, f"006{i}")


def failure() -> DecodedStatus:
    return DecodedStatus(
        system=System.QBXML,
        code="3100",
        severity=Severity.ERROR,
        message="The name is already in use.",
        title="Name already in use",
        meaning="m",
        fix=("f",),
        category=Category.DUPLICATE,
        retryable=False,
        remedy=Remedy.BIND_EXISTING,
        actor=Actor.SFQB,
        known=True,
    )


def qb_for(sf: SfRef, n: int | str) -> QbRef:
    return QbRef(default_qb_kind(sf.sobject), f"QB-{sf.id}-{n}")


def test_parents_come_before_children_whatever_the_input_order() -> None:
    changes = [
        Change(opp(1), "o1", (acct(1), prod(1))),
        Change(prod(1), "p1"),
        Change(acct(1), "a1"),
    ]
    p = plan("acme", changes, BindingSet())
    assert [op.sf for op in p.operations] == [prod(1), acct(1), opp(1)]
    assert all(op.action is Action.ADD for op in p.operations)


def test_add_mod_skip_by_binding_and_fingerprint() -> None:
    bs = BindingSet()
    bs.bind(Binding("acme", acct(1), qb_for(acct(1), 1), "same", T0))
    bs.bind(Binding("acme", acct(2), qb_for(acct(2), 1), "old", T0))
    p = plan(
        "acme",
        [Change(acct(1), "same"), Change(acct(2), "new"), Change(acct(3), "x")],
        bs,
    )
    got = {op.sf: (op.action, op.qb) for op in p.operations}
    assert got[acct(1)] == (Action.SKIP, qb_for(acct(1), 1))
    assert got[acct(2)] == (Action.MOD, qb_for(acct(2), 1))
    assert got[acct(3)] == (Action.ADD, None)
    assert [op.sf for op in p.ready] == [acct(2), acct(3)]


def test_child_of_unbound_unplanned_parent_waits_naming_it() -> None:
    bs = BindingSet()
    bs.bind(Binding("acme", prod(1), qb_for(prod(1), 1), "p", T0))
    p = plan("acme", [Change(opp(1), "o", (acct(7), prod(1)))], bs)
    (op,) = p.operations
    assert op.action is Action.WAIT
    assert "Account 0017" in op.reason
    assert "neither bound nor in this cycle" in op.reason


def test_waiting_propagates_to_grandchildren() -> None:
    # a deeper graph than the QuickBooks one, to check transitivity of waiting
    a, b = acct(1), acct(2)
    p = plan("acme", [Change(a, "a", (acct(9),)), Change(b, "b", (a,))], BindingSet())
    assert [op.action for op in p.operations] == [Action.WAIT, Action.WAIT]
    assert "Account 0011" in p.operations[1].reason
    assert "Account 0019" in p.operations[1].reason


def test_failed_parent_makes_children_wait_with_its_failure() -> None:
    changes = [
        Change(acct(1), "a1"),
        Change(acct(2), "a2"),
        Change(prod(1), "p1"),
        Change(opp(1), "o1", (acct(1), prod(1))),
        Change(opp(2), "o2", (acct(2), prod(1))),
    ]
    p = plan("acme", changes, BindingSet()).after_failure(acct(1), failure())
    o1, o2 = p.get(opp(1)), p.get(opp(2))
    assert o1 is not None and o2 is not None
    assert o1.action is Action.WAIT
    assert "Account 0011 failed" in o1.reason
    assert "qbxml 3100" in o1.reason
    assert o2.action is Action.ADD  # a failed record never blocks the others
    assert p.get(acct(1)) == plan("acme", changes, BindingSet()).get(acct(1))


def test_duplicate_change_last_wins_and_cycles_are_refused() -> None:
    p = plan("acme", [Change(acct(1), "v1"), Change(acct(1), "v2")], BindingSet())
    assert [op.change.fingerprint for op in p.operations] == ["v2"]
    with pytest.raises(PlanError, match="dependency cycle"):
        plan(
            "acme",
            [Change(acct(1), "a", (acct(2),)), Change(acct(2), "b", (acct(1),))],
            BindingSet(),
        )


def test_batches_keep_added_parents_in_earlier_batches() -> None:
    changes = [Change(acct(i), "a") for i in range(3)] + [
        Change(opp(i), "o", (acct(i % 3),)) for i in range(4)
    ]
    out = batches(plan("acme", changes, BindingSet()).operations, 2)
    assert [[op.sf for op in b] for b in out] == [
        [acct(0), acct(1)],
        [acct(2), opp(0)],
        [opp(1), opp(2)],
        [opp(3)],
    ]


def test_initial_load_of_a_thousand_records_fits_twenty_batches() -> None:
    changes = [Change(acct(i), "a") for i in range(300)]
    changes += [Change(prod(i), "p") for i in range(100)]
    changes += [Change(opp(i), "o", (acct(i % 300), prod(i % 100))) for i in range(600)]
    out = batches(plan("acme", changes, BindingSet()).operations, 50)
    assert sum(len(b) for b in out) == 1000
    assert len(out) <= 20
    assert all(len(b) <= 50 for b in out)


def test_batches_refuse_bad_input() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        batches([], 0)
    child = Operation(Change(opp(1), "o", (acct(1),)), Action.ADD, "x")
    parent = Operation(Change(acct(1), "a"), Action.ADD, "x")
    with pytest.raises(ValueError, match="dependency order"):
        batches([child, parent], 5)


@st.composite
def change_sets(draw: st.DrawFn) -> list[Change]:
    """Accounts and products, then opportunities referencing some of them (all in the set)."""
    n_acct = draw(st.integers(1, 8))
    n_prod = draw(st.integers(0, 5))
    parents = [acct(i) for i in range(n_acct)] + [prod(i) for i in range(n_prod)]
    changes = [Change(p, draw(st.sampled_from("abc"))) for p in parents]
    for i in range(draw(st.integers(0, 12))):
        deps = draw(st.lists(st.sampled_from(parents), max_size=3, unique=True))
        changes.append(Change(opp(i), draw(st.sampled_from("abc")), tuple(deps)))
    return draw(st.permutations(changes))


@settings(max_examples=150, deadline=None)
@given(changes=change_sets(), preexisting=st.data())
def test_replaying_applied_changes_plans_only_skips(
    changes: list[Change], preexisting: st.DataObject
) -> None:
    bs = BindingSet()
    # some records are already bound with an older fingerprint
    for c in changes:
        if preexisting.draw(st.booleans()):
            bs.bind(Binding("acme", c.sf, qb_for(c.sf, 0), "older", T0))
    first = plan("acme", changes, bs)
    results = [
        (op, Applied(op.qb if op.qb is not None else qb_for(op.sf, 1))) for op in first.ready
    ]
    report = apply_results(bs, "acme", results, T0)
    assert report.errors == []
    replay = plan("acme", changes, bs)
    assert {op.action for op in replay.operations} <= {Action.SKIP}
    assert batches(replay.operations, 10) == []


@st.composite
def random_dags(draw: st.DrawFn) -> list[Change]:
    """Random DAGs of any depth: each record may depend on any earlier one (or unbound ones)."""
    n = draw(st.integers(1, 40))
    refs = [acct(i) for i in range(n)]
    changes = []
    for i, ref in enumerate(refs):
        deps = draw(st.lists(st.sampled_from(refs[:i]), max_size=3, unique=True)) if i else []
        changes.append(Change(ref, "x", tuple(deps)))
    return draw(st.permutations(changes))


@settings(max_examples=200, deadline=None)
@given(changes=random_dags(), cap=st.integers(1, 7), bound=st.sets(st.integers(0, 39)))
def test_batches_respect_parents_first_and_the_cap(
    changes: list[Change], cap: int, bound: set[int]
) -> None:
    bs = BindingSet()
    for i in bound:
        if i < len(changes):
            bs.bind(Binding("acme", acct(i), qb_for(acct(i), 0), "old", T0))
    p = plan("acme", changes, bs)
    position = {op.sf: i for i, op in enumerate(p.operations)}
    for op in p.operations:
        for parent in op.change.parents:
            assert position[parent] < position[op.sf]
    out = batches(p.operations, cap)
    assert all(0 < len(b) <= cap for b in out)
    assert sorted(op.sf for b in out for op in b) == sorted(op.sf for op in p.ready)
    where = {op.sf: (n, k) for n, b in enumerate(out) for k, op in enumerate(b)}
    for op in p.ready:
        for parent in op.change.parents:
            if parent not in where:
                continue
            parent_op = p.get(parent)
            assert parent_op is not None
            if parent_op.action is Action.ADD:
                assert where[parent][0] < where[op.sf][0]
            else:
                assert where[parent] < where[op.sf]
