"""Request hooks: a QuickBooks user acting between sfqb's read and its write."""

from __future__ import annotations

from lxml import etree
from lxml.builder import E

from sfqb.codes import load_catalog
from sfqb.domain.status import System

CATALOG = load_catalog()


def _mod(ret: etree._Element, **fields: str) -> etree._Element:
    children = [E.ListID(ret.findtext("ListID")), E.EditSequence(ret.findtext("EditSequence"))]
    children += [getattr(E, k)(v) for k, v in fields.items()]
    return E.CustomerModRq(E.CustomerMod(*children), requestID="mod")


def test_a_hook_that_edits_the_record_makes_the_mod_stale(qb):  # type: ignore[no-untyped-def]
    ret = qb.add_customer("Stale Inc")
    list_id = ret.findtext("ListID")
    seen: list[str] = []

    def user_edits(request: etree._Element) -> int | None:
        seen.append(request.findtext("CustomerMod/ListID") or "")
        qb.company.modify_as_user(list_id, Notes="called the customer")
        qb.company.faults.remove_hook("CustomerMod", user_edits)
        return None

    qb.company.faults.before("CustomerModRq", user_edits)
    rs = qb.one(_mod(ret, Phone="1"))
    assert seen == [list_id]
    assert rs.get("statusCode") == "3200"
    decoded = CATALOG.decode(System.QBXML, "3200", rs.get("statusMessage"))
    assert decoded.known
    assert qb.company.get(list_id).fields["Notes"] == "called the customer"
    fresh = qb.ok(E.CustomerQueryRq(E.ListID(list_id)))
    assert qb.ok(_mod(fresh, Phone="1")).findtext("Phone") == "1"  # the hook ran once
    assert seen == [list_id]


def test_a_hook_answers_with_a_status_until_removed(qb):  # type: ignore[no-untyped-def]
    def feature_off(_request: etree._Element) -> int | None:
        return 3250

    qb.company.faults.before("ItemServiceAdd", feature_off)
    for _ in range(2):
        rs = qb.one(E.ItemServiceAddRq(E.ItemServiceAdd(E.Name("Svc"))))
        assert rs.get("statusCode") == "3250"
        assert CATALOG.decode(System.QBXML, "3250", rs.get("statusMessage")).known
    qb.company.faults.remove_hook("ItemServiceAdd", feature_off)
    qb.company.faults.remove_hook("ItemServiceAdd", feature_off)  # a second removal is harmless
    assert qb.add_service("Svc").findtext("Name") == "Svc"


def test_clear_drops_hooks(qb):  # type: ignore[no-untyped-def]
    qb.company.faults.before("CustomerAdd", lambda _r: 3260)
    qb.company.faults.clear()
    assert qb.add_customer("Free").findtext("Name") == "Free"
