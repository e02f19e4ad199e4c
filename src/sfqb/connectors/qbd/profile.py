"""QuickBooks Desktop as a target of the sync engine: its vocabulary and limits."""

from __future__ import annotations

from datetime import timedelta
from types import MappingProxyType

from sfqb.domain.entities import QbKind
from sfqb.domain.status import System
from sfqb.sync.target import MarkerKind, TargetProfile

QBD_PROFILE = TargetProfile(
    name="qbd",
    system=System.QBXML,
    kinds=MappingProxyType(
        {
            "Customer": QbKind.CUSTOMER,
            "Item": QbKind.ITEM,
            "ItemService": QbKind.ITEM,
            "ItemNonInventory": QbKind.ITEM,
            "ItemInventory": QbKind.ITEM,
            "Invoice": QbKind.INVOICE,
            "SalesReceipt": QbKind.SALES_RECEIPT,
            "Estimate": QbKind.ESTIMATE,
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
)
