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
# The name a credit memo's send is counted under in a cycle's report (and the demo's summary):
# it goes through opportunity_to_invoice, but a person counts credit memos apart from sales.
CREDIT_MEMO_FLOW = "opportunity_to_credit_memo"
# The names counted apart for a flow's records, per flow (the console adds them to the flow's).
COUNTED_APART: dict[str, tuple[str, ...]] = {"opportunity_to_invoice": (CREDIT_MEMO_FLOW,)}


def sale_kind(
    payload: Mapping[str, Any], policy: CompanyPolicy, transaction_type: str | None
) -> str | None:
    """The QuickBooks type an Opportunity becomes: a CreditMemo when it is of the credit type,
    else `transaction_type` (None: the flow's configured kind)."""
    wanted = policy.credit_memos.opportunity_type
    if wanted and payload.get(TYPE_FIELD) == wanted:
        return CREDIT_TYPE
    return transaction_type


def credit_feeds(
    policy: CompanyPolicy, feeds: tuple[str, ...], refunds: bool = False
) -> tuple[str, ...]:
    """The change feeds a cycle reads: the credit memos too when the company makes them (of
    credit Opportunities, or of its refund object: `refunds`)."""
    makes = bool(policy.credit_memos.opportunity_type) or refunds
    if makes and CREDIT_TYPE not in feeds:
        return (*feeds, CREDIT_TYPE)
    return feeds


def counted_flow(flow: str, kind: str | None) -> str:
    """The name a record of `flow` that became a QuickBooks `kind` is counted under: a credit
    memo's own, every other record's its flow's."""
    return (
        CREDIT_MEMO_FLOW
        if kind == CREDIT_TYPE and CREDIT_MEMO_FLOW in COUNTED_APART.get(flow, ())
        else flow
    )
