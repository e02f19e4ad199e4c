"""QuickBooks Online as the engine sees it: its vocabulary and limits (a `TargetProfile`)."""

from __future__ import annotations

from datetime import timedelta
from types import MappingProxyType

from sfqb.domain.entities import QbKind
from sfqb.domain.qbo_ids import check_qbo_id
from sfqb.domain.status import System
from sfqb.mapping import ONLINE_MAPS
from sfqb.sync.matching import MatchFields
from sfqb.sync.target import IdForm, MarkerKind, TargetProfile

# Intuit's limits: a batch request carries at most 30 items (limits-and-throttles page), Change
# Data Capture reaches 30 days back (change-data-capture page). Names: Customer.DisplayName and
# Item.Name are capped at 100 here (Intuit's pages differ, 100 to 500: the stricter one).
QBO_PROFILE = TargetProfile(
    name="QuickBooks Online",
    system=System.QBO,
    # A digit string cut short is still a well-formed Id: the next cycle reads it before binding.
    ids=IdForm("a QuickBooks Online Id", check_qbo_id),
    kinds=MappingProxyType(
        {
            "Customer": QbKind.CUSTOMER,
            "Vendor": QbKind.VENDOR,
            "Item": QbKind.ITEM,
            "Invoice": QbKind.INVOICE,
            "SalesReceipt": QbKind.SALES_RECEIPT,
            "Estimate": QbKind.ESTIMATE,
            "CreditMemo": QbKind.CREDIT_MEMO,
        }
    ),
    item_read_type="Item",
    payment_type="Payment",
    stream="qbo:changes",
    lookback=timedelta(days=30),
    max_batch=30,
    marker=MarkerKind.NONE,
    name_limit=100,
    ref_key="value",
    # Intuit's requestid: a request sent again with the same requestid is answered as the first
    # one was ("Request ID update for QuickBooks Online integration", Intuit developer blog).
    replays_writes=True,
    reports_merges=True,  # the webhook Merge event names the survivor (Intuit's webhooks page)
    preflight="preflight_qbo.yaml",
    maps=ONLINE_MAPS,
    # Intuit's Customer entity: PrimaryPhone.FreeFormNumber, PrimaryEmailAddr.Address, BillAddr.
    active_field="Active",  # a name's "delete" in QuickBooks Online is Active false
    match_fields=MatchFields(
        phone="PrimaryPhone.FreeFormNumber",
        email="PrimaryEmailAddr.Address",
        street="BillAddr.Line1",
        postal_code="BillAddr.PostalCode",
    ),
)
