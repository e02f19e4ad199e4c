"""Who settled a review item by an edit in Salesforce, read back from the integration log.

When a Salesforce user clears or sets QuickBooks_ID__c, the cycle that acts on it logs the act
(`BINDING_CLEARED`, or a bind "set to ... in Salesforce by USER"); the review item then closes
as "synced by sfqb". The review list names the person and what they did instead, by the user's
name when Salesforce gave it with the record (`LastModifiedBy.Name`), else by the user's Id.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sfqb.domain.entities import SfRef
from sfqb.store import ReviewItem, ReviewStatus, Store
from sfqb.sync.writeback import QB_ID

# The act as the rebinding step words it: "QuickBooks_ID__c cleared in Salesforce by 005...: ".
_ACT = re.compile(
    rf"^{re.escape(QB_ID)} (?P<what>cleared|set to (?P<to>\S+)) in Salesforce by (?P<by>[^:]+):"
)
# A resolution stamped a moment after the cycle that logged the act still counts as that cycle.
_SLACK = timedelta(minutes=5)


def user_name(payload: Mapping[str, Any], user_id: str) -> str | None:
    """The Salesforce user's name, when the record as read names its last editor and it is them."""
    editor = payload.get("LastModifiedBy")
    if payload.get("LastModifiedById") != user_id or not isinstance(editor, Mapping):
        return None
    name = editor.get("Name")
    return name if isinstance(name, str) and name.strip() else None


def person_act(store: Store, item: ReviewItem, sf: SfRef) -> str | None:
    """ "by Salesforce user NAME (Id): cleared QuickBooks_ID__c ..." for a resolved item whose
    record a person re-bound in Salesforce before it closed; None otherwise."""
    if item.status is not ReviewStatus.RESOLVED or item.resolved_at is None:
        return None
    attempts = store.journal.log(item.company, record=sf, limit=50)
    for attempt in attempts:  # newest first
        if not item.created_at <= attempt.created_at <= item.resolved_at + _SLACK:
            continue
        found = _ACT.match(attempt.action_taken)
        if found is None:
            continue
        by = found["by"].strip()
        row = store.queue.get(item.company, item.flow, sf)
        name = user_name(row.payload, by) if row is not None else None
        if by.startswith("an unknown"):
            who = "an unknown Salesforce user"
        else:
            who = f"Salesforce user {name} ({by})" if name else f"Salesforce user {by}"
        if found["to"]:
            did = f"set {QB_ID} to {found['to']} in Salesforce; sfqb then bound the record to it"
        else:
            did = (
                f"cleared {QB_ID} in Salesforce; sfqb then removed the link to the deleted "
                "QuickBooks record and added the record again"
            )
        return f"by {who}, who {did}"
    return None
