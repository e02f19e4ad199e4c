from datetime import UTC, datetime

from sfqb.domain.bindings import Binding, BindingConflict, BindingSet
from sfqb.domain.entities import QbKind, QbRef, SfObject, SfRef
from sfqb.sync.outcome import Applied, Result, Waiting, apply_results
from sfqb.sync.plan import Action, Change, Operation, plan

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = datetime(2026, 1, 2, tzinfo=UTC)


def acct(i: int) -> SfRef:
    return SfRef(SfObject.ACCOUNT, f"001{i}")


def cust(i: int) -> QbRef:
    return QbRef(QbKind.CUSTOMER, f"8000{i}")


def test_add_binds_and_mod_refreshes() -> None:
    bs = BindingSet()
    bs.bind(Binding("acme", acct(1), cust(1), "old", T0))
    p = plan("acme", [Change(acct(1), "new"), Change(acct(2), "fp2")], bs)
    assert [op.action for op in p.operations] == [Action.MOD, Action.ADD]
    report = apply_results(
        bs, "acme", [(op, Applied(cust(i + 1))) for i, op in enumerate(p.ready)], T1
    )
    assert [b.sf for b in report.bound] == [acct(2)]
    assert [b.sf for b in report.refreshed] == [acct(1)]
    b1 = bs.by_sf("acme", acct(1))
    assert b1 is not None and (b1.fingerprint, b1.synced_at) == ("new", T1)
    assert bs.by_qb("acme", cust(2)) == Binding("acme", acct(2), cust(2), "fp2", T1)


def test_mod_answered_by_another_record_rebinds() -> None:
    bs = BindingSet()
    bs.bind(Binding("acme", acct(1), cust(1), "old", T0))
    (op,) = plan("acme", [Change(acct(1), "new")], bs).ready
    apply_results(bs, "acme", [(op, Applied(cust(5)))], T1)
    assert bs.by_qb("acme", cust(1)) is None
    assert bs.by_qb("acme", cust(5)) is not None


def test_conflict_on_one_record_does_not_stop_the_others() -> None:
    bs = BindingSet()
    bs.bind(Binding("acme", acct(9), cust(1), "x", T0))
    p = plan("acme", [Change(acct(1), "a"), Change(acct(2), "b"), Change(acct(3), "c")], bs)
    results: list[tuple[Operation, Result]] = [
        (p.ready[0], Applied(cust(1))),  # QuickBooks id already bound elsewhere
        (p.ready[1], Waiting("later")),
        (p.ready[2], Applied(cust(3))),
    ]
    report = apply_results(bs, "acme", results, T1)
    assert [sf for sf, _ in report.errors] == [acct(1)]
    assert isinstance(report.errors[0][1], BindingConflict)
    assert [b.sf for b in report.bound] == [acct(3)]
    assert bs.by_sf("acme", acct(1)) is None
    assert bs.by_sf("acme", acct(2)) is None
