"""Salesforce line discounts as QuickBooks takes them: a net price, or a discount line.

A Salesforce OpportunityLineItem keeps its list UnitPrice, a Discount percent and the
TotalPrice Salesforce computes: Quantity x UnitPrice less the discount, to the cent. QuickBooks
has no line discount: a company either sends the net price (QuickBooks then computes
Quantity x Rate, and QuickBooks Online checks Amount = Qty x UnitPrice) or the list price
followed by a discount line taking the difference off. Either way the line total QuickBooks
computes is Salesforce's TotalPrice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sfqb.mapping.rules import AMOUNT_PLACES, PRICE_PLACES
from sfqb.mapping.transforms import to_decimal

_HUNDRED = Decimal(100)
# The key a discount line's fields read the amount taken off from (`source: DiscountAmount`).
DISCOUNT_AMOUNT = "DiscountAmount"


@dataclass(frozen=True)
class Priced:
    """One line as sent: its price (net or list) and the amount a discount line takes off."""

    price: Decimal | None
    net: bool
    discount: Decimal


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-AMOUNT_PLACES), ROUND_HALF_UP)


def price_line(child: Mapping[str, object], fields: tuple[str, str, str], *, net: bool) -> Priced:
    """The price a discounted line is sent with, and its discount amount (0 when none).

    Net: Salesforce's total / Quantity when that price has at most the five places a
    QuickBooks price keeps (Quantity x price is then the total exactly), else UnitPrice x
    (1 - Discount/100) rounded half-up to five places. Discount line: the list price, and the
    amount Quantity x UnitPrice less Salesforce's total to the cent, so the two lines add up
    to TotalPrice. Raises ValueError on a percent
    outside 0..100 or a value that is not a number. `fields` names the child's percent,
    quantity and price fields.
    """
    percent_field, quantity_field, price_field = fields
    price = to_decimal(child.get(price_field))
    percent = to_decimal(child.get(percent_field)) or Decimal(0)
    if not 0 <= percent <= _HUNDRED:
        raise ValueError(f"{percent_field} must be a percent from 0 to 100, got {percent}")
    if price is None or percent == 0:
        return Priced(price, False, Decimal(0))
    quantity = to_decimal(child.get(quantity_field))
    if quantity is None or quantity == 0:
        quantity = Decimal(1)
    gross = _cents(quantity * price)
    total = _cents(quantity * price * (_HUNDRED - percent) / _HUNDRED)
    if not net:
        return Priced(price, False, gross - total)
    step = Decimal(1).scaleb(-PRICE_PLACES)
    exact = (total / quantity).quantize(step, ROUND_HALF_UP)
    if exact * quantity == total:  # Quantity x price is the total itself, to the cent
        return Priced(_tidy(exact), True, Decimal(0))
    net_price = (price * (_HUNDRED - percent) / _HUNDRED).quantize(step, ROUND_HALF_UP)
    return Priced(_tidy(net_price), True, Decimal(0))


def _tidy(price: Decimal) -> Decimal:
    """A price to the cent when it has no more places than that (22.50000 -> 22.50)."""
    cents = _cents(price)
    return cents if cents == price else price
