"""Credit memos: which Opportunities become QuickBooks credit memos, and reading them back.

An Opportunity whose Type is the company's credit type (policy credit_memos.opportunity_type)
is sent as a Credit Memo against its customer (qbXML CreditMemoAdd; QuickBooks Online's
CreditMemo entity), parents first like an invoice. Each cycle then reads the credit memos
QuickBooks changed, so the credit's total and what remains of it once a person applies it to
an invoice go back to the Opportunity (the credit_to_opportunity map).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sfqb.domain.policy import CompanyPolicy

CREDIT_TYPE = "CreditMemo"
TYPE_FIELD = "Type"  # Opportunity.Type, a picklist each org names its values in


def sale_kind(
    payload: Mapping[str, Any], policy: CompanyPolicy, transaction_type: str | None
) -> str | None:
    """The QuickBooks type an Opportunity becomes: a CreditMemo when it is of the credit type,
    else `transaction_type` (None: the flow's configured kind)."""
    wanted = policy.credit_memos.opportunity_type
    if wanted and payload.get(TYPE_FIELD) == wanted:
        return CREDIT_TYPE
    return transaction_type


def credit_feeds(policy: CompanyPolicy, feeds: tuple[str, ...]) -> tuple[str, ...]:
    """The change feeds a cycle reads: the credit memos too when the company makes them."""
    if policy.credit_memos.opportunity_type and CREDIT_TYPE not in feeds:
        return (*feeds, CREDIT_TYPE)
    return feeds
