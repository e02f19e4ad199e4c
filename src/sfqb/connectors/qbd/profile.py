"""QuickBooks Desktop as a target of the sync engine: its vocabulary and limits."""

from __future__ import annotations

from datetime import timedelta
from types import MappingProxyType

from sfqb.domain.entities import QbKind
from sfqb.domain.qbd_ids import check_qbd_id, qbd_id_cut_short
from sfqb.domain.status import System
from sfqb.sync.target import IdForm, MarkerKind, TargetProfile

QBD_PROFILE = TargetProfile(
    name="qbd",
    system=System.QBXML,
    ids=IdForm("a QuickBooks Desktop ListID or TxnID", check_qbd_id, qbd_id_cut_short),
    kinds=MappingProxyType(
        {
            "Customer": QbKind.CUSTOMER,
            "Vendor": QbKind.VENDOR,
            "Item": QbKind.ITEM,
            "ItemService": QbKind.ITEM,
            "ItemNonInventory": QbKind.ITEM,
            "ItemInventory": QbKind.ITEM,
            "Invoice": QbKind.INVOICE,
            "SalesReceipt": QbKind.SALES_RECEIPT,
            "Estimate": QbKind.ESTIMATE,
            "CreditMemo": QbKind.CREDIT_MEMO,
            "SalesOrder": QbKind.SALES_ORDER,
        }
    ),
    item_read_type="Item",  # ItemQuery covers every item type
    payment_type="ReceivePayment",
    # QuickBooks' wall-clock time of the newest change read (see sync.inbound.wall_clock).
    stream="qbd:changes:wall-clock",
    # The stream before it held UTC instants: read once, from as far back as a wall clock can be.
    legacy_stream="qbd:changes",
    legacy_spread=timedelta(hours=12),
    lookback=None,
    max_batch=200,
    marker=MarkerKind.DATA_EXT,
    name_limit=41,
    ref_key="ListID",
    next_contact="the next Web Connector session",
    # Intuit's CustomerAdd reference (Name): "List objects in different hierarchies can have
    # duplicate names because their FullNames will still be unique" (Job12:kitchen and
    # Baker:kitchen), so a job's name is unique only among its siblings.
    sibling_names=True,
)
