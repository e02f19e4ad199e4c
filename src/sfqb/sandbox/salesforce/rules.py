"""Org behaviour beyond field types: references, stages, price books, line-item roll-ups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sfqb.sandbox.salesforce import orders
from sfqb.sandbox.salesforce.errors import OrgError

if TYPE_CHECKING:
    from sfqb.sandbox.salesforce.org import Org
    from sfqb.sandbox.salesforce.schema import ObjectDef

Record = dict[str, Any]


def check_and_derive(org: Org, obj: ObjectDef, record: Record, before: Record | None) -> None:
    """Validate references and fill derived fields of `record` before it is saved."""
    _check_references(org, obj, record, before)
    if obj.name in ("Contact", "User"):
        parts = (record.get("FirstName"), record.get("LastName"))
        record["Name"] = " ".join(p for p in parts if p)
    elif obj.name == "Opportunity":
        _opportunity(org, record, before)
    elif obj.name == "PricebookEntry":
        _pricebook_entry(org, record, before)
    elif obj.name == "OpportunityLineItem":
        _line_item(org, record)
    elif obj.name == "Account":
        _account_parent(org, record)
    elif obj.name == "Order":
        orders.check_order(org, record, before)
    elif obj.name == "OrderItem":
        orders.check_item(org, record, before)
        _order_item(org, record)


def _account_parent(org: Org, record: Record) -> None:
    """An account cannot be its own ancestor (the Account hierarchy of Salesforce's Object
    Reference, ParentId; the exact error of a loop is not documented: the sandbox refuses it)."""
    seen = {record.get("Id")}
    parent_id = record.get("ParentId")
    while parent_id:
        if parent_id in seen:
            raise OrgError(
                "FIELD_INTEGRITY_EXCEPTION",
                f"ParentId: an account cannot be its own parent or ancestor: {parent_id}",
                ["ParentId"],
            )
        seen.add(parent_id)
        parent = org.peek("Account", parent_id)
        parent_id = parent.get("ParentId") if parent is not None else None


def _one_primary_role(org: Org, record: Record) -> None:
    """ "Each account has only one primary contact role" (Salesforce Object Reference,
    AccountContactRole.IsPrimary): a role made primary clears the flag on the account's others,
    which are stamped as changed."""
    if not record.get("IsPrimary") or record.get("IsDeleted"):
        return
    for other in list(org._raw("AccountContactRole").values()):
        if (
            other["Id"] != record["Id"]
            and other["AccountId"] == record["AccountId"]
            and other["IsPrimary"]
            and not other["IsDeleted"]
        ):
            other["IsPrimary"] = False
            org.touch("AccountContactRole", other["Id"])


def check_delete(org: Org, obj: ObjectDef, record: Record) -> None:
    """Refuse what Salesforce does not delete: an activated order or its products."""
    if obj.name == "Order" and record["StatusCode"] == orders.ACTIVATED:
        raise OrgError("FIELD_INTEGRITY_EXCEPTION", "You can't delete an activated order.")
    if obj.name == "OrderItem":
        orders.check_item_delete(org, record)


def after_write(org: Org, obj: ObjectDef, record: Record) -> None:
    """Roll changes up to parents (a line item changes its Opportunity's Amount and stamps)."""
    if obj.name == "AccountContactRole":
        _one_primary_role(org, record)
    elif obj.name == "OrderItem":
        orders.after_item(org, record)
    elif obj.name == "Order":
        orders.after_order(org, record)
    if obj.name != "OpportunityLineItem":
        return
    opp = org.peek("Opportunity", record["OpportunityId"])
    if opp is None or opp["IsDeleted"]:
        return
    lines = [
        r
        for r in org._raw("OpportunityLineItem").values()
        if r["OpportunityId"] == opp["Id"] and not r["IsDeleted"]
    ]
    opp["Amount"] = round(sum(r["TotalPrice"] or 0.0 for r in lines), 2) if lines else None
    if opp["Pricebook2Id"] is None and lines:
        entry = org.peek("PricebookEntry", lines[0]["PricebookEntryId"])
        opp["Pricebook2Id"] = entry["Pricebook2Id"] if entry else None
    org.touch("Opportunity", opp["Id"])


def _check_references(org: Org, obj: ObjectDef, record: Record, before: Record | None) -> None:
    for fdef in obj.fields.values():
        value = record.get(fdef.name)
        if fdef.type != "reference" or fdef.readonly or value is None:
            continue
        if before is not None and before.get(fdef.name) == value:
            continue
        target = org.schema.object(fdef.reference_to or "")
        if target is None or value[:3] != target.prefix:
            raise OrgError(
                "FIELD_INTEGRITY_EXCEPTION",
                f"{fdef.name}: id value of incorrect type: {value}",
                [fdef.name],
            )
        found = org.peek(target.name, value)
        if found is None:
            raise OrgError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [fdef.name])
        if found["IsDeleted"]:
            raise OrgError("ENTITY_IS_DELETED", "entity is deleted", [fdef.name])


def _opportunity(org: Org, record: Record, before: Record | None) -> None:
    stage = org.schema.stages.get(record["StageName"] or "")
    if stage is None:
        raise OrgError(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"Stage: bad value for restricted picklist field: {record['StageName']}",
            ["StageName"],
        )
    record["IsClosed"] = stage.closed
    record["IsWon"] = stage.won
    stage_changed = before is None or before["StageName"] != record["StageName"]
    probability_given = before is not None and before["Probability"] != record["Probability"]
    if (
        stage_changed
        and not probability_given
        and (before is not None or not record["Probability"])
    ):
        record["Probability"] = float(stage.probability)


def _pricebook_entry(org: Org, record: Record, before: Record | None) -> None:
    product = org.peek("Product2", record["Product2Id"])
    book = org.peek("Pricebook2", record["Pricebook2Id"])
    if product is None or book is None:
        return
    record["Name"] = product["Name"]
    record["ProductCode"] = product["ProductCode"]
    if before is not None:
        return
    same = [
        e
        for e in org._raw("PricebookEntry").values()
        if e["Product2Id"] == product["Id"] and not e["IsDeleted"]
    ]
    if any(e["Pricebook2Id"] == book["Id"] for e in same):
        raise OrgError("DUPLICATE_VALUE", "This price definition already exists in this price book")
    if not book["IsStandard"] and not any(
        (org.peek("Pricebook2", e["Pricebook2Id"]) or {}).get("IsStandard") for e in same
    ):
        raise OrgError(
            "STANDARD_PRICE_NOT_DEFINED",
            "Before creating a custom price, create a standard price.",
        )


def _line_item(org: Org, record: Record) -> None:
    opp = org.peek("Opportunity", record["OpportunityId"]) or {}
    entry = org.peek("PricebookEntry", record["PricebookEntryId"] or "")
    if entry is None and record.get("Product2Id"):
        book = opp.get("Pricebook2Id") or _standard_book(org)
        entry = next(
            (
                e
                for e in org._raw("PricebookEntry").values()
                if e["Product2Id"] == record["Product2Id"]
                and e["Pricebook2Id"] == book
                and not e["IsDeleted"]
            ),
            None,
        )
    if entry is None:
        raise OrgError(
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [PricebookEntryId]",
            ["PricebookEntryId"],
        )
    if opp.get("Pricebook2Id") and opp["Pricebook2Id"] != entry["Pricebook2Id"]:
        raise OrgError(
            "FIELD_INTEGRITY_EXCEPTION",
            "field integrity exception: PricebookEntryId (pricebook entry is in a different "
            "pricebook than the one assigned to the opportunity)",
            ["PricebookEntryId"],
        )
    record["PricebookEntryId"] = entry["Id"]
    record["Product2Id"] = entry["Product2Id"]
    record["ProductCode"] = entry["ProductCode"]
    record["ListPrice"] = entry["UnitPrice"]
    if record.get("UnitPrice") is None:
        record["UnitPrice"] = entry["UnitPrice"]
    discount = (record.get("Discount") or 0.0) / 100.0
    record["TotalPrice"] = round(record["Quantity"] * record["UnitPrice"] * (1 - discount), 2)
    record["Name"] = f"{opp.get('Name') or ''} {entry['Name'] or ''}".strip()


def _standard_book(org: Org) -> str | None:
    return next(
        (
            b["Id"]
            for b in org._raw("Pricebook2").values()
            if b["IsStandard"] and not b["IsDeleted"]
        ),
        None,
    )


def _order_item(org: Org, record: Record) -> None:
    """An order product's price book entry, product, prices and total (as a line item's)."""
    order = org.peek("Order", record["OrderId"]) or {}
    entry = org.peek("PricebookEntry", record.get("PricebookEntryId") or "")
    if entry is None:
        raise OrgError(
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [PricebookEntryId]",
            ["PricebookEntryId"],
        )
    if order.get("Pricebook2Id") and order["Pricebook2Id"] != entry["Pricebook2Id"]:
        raise OrgError(
            "FIELD_INTEGRITY_EXCEPTION",
            "field integrity exception: PricebookEntryId (pricebook entry is in a different "
            "pricebook than the one assigned to the order)",
            ["PricebookEntryId"],
        )
    if order and not order.get("Pricebook2Id"):
        order["Pricebook2Id"] = entry["Pricebook2Id"]
    record["Product2Id"] = entry["Product2Id"]
    record["ListPrice"] = entry["UnitPrice"]
    if record.get("UnitPrice") is None:
        record["UnitPrice"] = entry["UnitPrice"]
    record["TotalPrice"] = round(record["Quantity"] * record["UnitPrice"], 2)
    if record.get("AvailableQuantity") is None:
        record["AvailableQuantity"] = 0.0 if order.get("IsReductionOrder") else record["Quantity"]
