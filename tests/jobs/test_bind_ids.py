"""`sfqb bind` and `sfqb unbind` check an Id in the form of the company's own QuickBooks (its
target profile): QuickBooks Online Ids are digits, QuickBooks Desktop's ListID/TxnID are not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sfqb.codes import load_catalog
from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.connectors.qbo.profile import QBO_PROFILE
from sfqb.domain.bindings import Binding
from sfqb.domain.entities import InvalidRef, QbKind, QbRef, SfObject, SfRef
from sfqb.domain.qbd_ids import InvalidQbId
from sfqb.jobs.bindings import BindingDesk
from sfqb.store import Store
from sfqb.sync.target import TargetProfile

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BOUND = SfRef(SfObject.ACCOUNT, "001000000000000001AAA")
OTHER = SfRef(SfObject.ACCOUNT, "001000000000000002AAA")
PROFILES = {"desktop": QBD_PROFILE, "online": QBO_PROFILE}


class Alerts:
    def resolve(self, company: str, kind: str, key: str | None = None) -> int:
        return 0


def desk(db: Store, profile: TargetProfile) -> BindingDesk:
    return BindingDesk(
        db, load_catalog(), Alerts(), clock=lambda: T0, profile_of=lambda _c: profile
    )


def test_unbind_on_an_online_company_speaks_of_online_ids(db: Store) -> None:
    db.bindings.bind(Binding("acme", BOUND, QbRef(QbKind.CUSTOMER, "123"), "", T0))
    online = desk(db, QBO_PROFILE)
    with pytest.raises(InvalidRef, match=r"not a whole QuickBooks Id.*Did you mean 123"):
        online.unbind("acme", "12")
    with pytest.raises(InvalidQbId, match="not a QuickBooks Online Id") as refused:
        online.unbind("acme", "80000001-1700000000")
    assert "ListID" not in str(refused.value) and "TxnID" not in str(refused.value)
    assert online.unbind("acme", " 123 ").qb.id == "123"


@pytest.mark.parametrize("target", ["desktop", "online"])
def test_bind_refuses_the_other_target_s_id_and_writes_nothing(db: Store, target: str) -> None:
    other_form = {"desktop": "42", "online": "80000001-1700000000"}[target]
    words = {"desktop": "ListID or TxnID", "online": "QuickBooks Online Id"}[target]
    bind = desk(db, PROFILES[target])
    with pytest.raises(InvalidQbId, match=words):
        bind.bind("acme", OTHER, QbRef(QbKind.CUSTOMER, other_form))
    assert db.bindings.for_company("acme") == []
    own = {"desktop": "80000001-1700000000", "online": "42"}[target]
    made = bind.bind("acme", OTHER, QbRef(QbKind.CUSTOMER, f" {own} "))
    assert made.binding.qb.id == own
