"""Rows of a custom object's records: a managed package's custom object name (namespace of 15
characters, "__", an Object Name of 40, "__c": 60 characters) is kept whole in the bindings
and the queue on both backends (migration 0025), and rebuilt as the same ref."""

from __future__ import annotations

from sfqb.domain.bindings import Binding
from sfqb.domain.entities import QbKind, QbRef, Role, SfRef, sobject_named
from sfqb.store import Store
from sfqb.sync.records import Direction

from .conftest import T0

LONG = "n" * 15 + "__" + "S" * 40 + "__c"


def test_a_long_custom_object_name_is_kept_whole(db: Store) -> None:
    assert len(LONG) == 60
    ref = SfRef(sobject_named(LONG), "a0X000000000001AAA", Role.VENDOR)
    binding = Binding("acme", ref, QbRef(QbKind.VENDOR, "80000001-1"), "fp", T0)
    db.bindings.bind(binding)
    assert db.bindings.by_sf("acme", ref) == binding
    found = db.bindings.by_qb("acme", binding.qb)
    assert found is not None and found.sf == ref and found.sf.sobject.custom
    db.queue.enqueue(
        "acme", "account_to_vendor", Direction.SF_TO_QB, ref,
        payload={"Id": ref.id, "Name": "Harbor"}, fingerprint="f", now=T0,
    )  # fmt: skip
    row = db.queue.get("acme", "account_to_vendor", ref)
    assert row is not None and row.source == ref
