"""Cart (and placed order) totals exactly as Medusa 1.20.11 computes them.

Pure functions over JSON-shaped dicts: no store, no HTTP. Proven against a real Medusa 1.20.11 by
tests/data/totals_matrix.json (recorded by scripts/record-totals-matrix) in
tests/test_cart_totals.py.

Where each rule comes from (compiled package, dist/):

- line item adjustments: services/line-item-adjustment.js ``generateAdjustments`` and
  services/discount.js ``calculateDiscountForLineItem``. Only the cart's first discount that is not
  free shipping makes adjustments, only for items with ``allow_discounts`` (a gift-card product's
  items have it false). Per item, with ``full = unit_price * quantity``:

  * percentage (allocation total or item alike): ``Math.round(full / 100 * value)``;
  * fixed, allocation total: ``min(value, S) * (full / S)`` where S is the sum of ``full`` over
    the items with allow_discounts; NOT rounded, the amount column is ``numeric`` and keeps the
    fraction (e.g. 333.3333333333333);
  * fixed, allocation item: ``value * quantity``;

  then ``min(amount, full)``; an amount of 0 makes no adjustment. Adjustments are recomputed for
  the whole cart whenever items or discounts change (``refreshAdjustments_``).
- item totals: services/new-totals.js ``getLineItemTotals_`` with
  strategies/tax-calculation.js: ``raw_discount_total`` = the sum of the item's adjustments of that
  discount (0 when the item does not allow discounts) plus custom adjustments (discount_id null);
  ``discount_total = Math.round(raw)``; tax per tax line ``Math.round((full - raw) * rate / 100)``
  (raw, not the rounded discount); ``original_tax_total`` the same without the discount;
  ``total = full - discount_total + tax_total``; ``original_total = full + original_tax_total``.
- tax lines (services/tax-provider.js, system-tax.js): one line per item that has a product and
  per shipping method, ``{"rate": region.tax_rate or 0, "name": "default", "code": "default",
  "item_id" | "shipping_method_id"}`` (regions' product/shipping-option tax rate overrides are not
  modelled). Computed on every read when ``region.automatic_taxes``; otherwise Medusa uses the
  stored lines, and a cart's lines are stored only when it is completed, so its tax is 0 until
  then (``POST /store/carts/{id}/taxes`` answers with the taxes, ``force_taxes``, but stores
  nothing).
- shipping totals: ``getShippingMethodTotals_``: tax ``Math.round(price * rate / 100)`` (summed
  over lines, rounded once); when the cart has a free-shipping discount ``subtotal``, ``total``
  and ``tax_total`` are forced to 0 (``original_*`` are computed from the price, which the cart
  service has already set to 0 in the database: see ``free_shipping_price``).
- cart totals: services/cart.js ``decorateTotals``; gift cards: new-totals.js
  ``getGiftCardableAmount`` and ``getGiftCardTotals``.
- gift card debits when the order is placed: services/order.js ``createFromCart``
  (``gift_card_spend``), and the order's totals from them: order.js ``decorateTotals`` with
  new-totals.js ``getGiftCardTransactionsTotals`` (``order_totals``).

Numbers follow JavaScript: ``js_round`` is ``Math.round`` (halves up, also for negatives), and the
operations happen in Medusa's order so that fractional amounts are the same doubles.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Any

FREE_SHIPPING = "free_shipping"


def js_round(value: float) -> int:
    """JavaScript's ``Math.round``: the nearest integer, halves towards +infinity."""
    floor = math.floor(value)
    return int(floor + 1) if value - floor >= 0.5 else int(floor)


def _num(value: float) -> int | float:
    """A JS number as JSON would carry it: integral values as int, others as float."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _rate(value: Any) -> float | int:
    # tax lines carry `rate: r.rate || 0`
    return value or 0


def cart_discount(discounts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The discount that makes line adjustments: the first one that is not free shipping."""
    return next((d for d in discounts or [] if d["rule"]["type"] != FREE_SHIPPING), None)


def has_free_shipping(discounts: list[dict[str, Any]]) -> bool:
    return any(d["rule"]["type"] == FREE_SHIPPING for d in discounts or [])


def free_shipping_price(option_amount: int, discounts: list[dict[str, Any]]) -> int:
    """The price a cart's shipping method is stored with.

    cart.js ``adjustFreeShipping_``: with a free-shipping discount every shipping method's price
    is set to 0 in the database (when the discount is applied by ``POST /store/carts/{id}`` while
    methods exist, and after ``POST /store/carts/{id}/shipping-methods`` when the cart has one);
    removing the discount (``DELETE /store/carts/{id}/discounts/{code}`` or replacing the
    cart's discounts with others without free shipping) sets it back to the option's amount.
    Quirk: ``POST /store/carts/{id} {"discounts": []}`` removes the discount but leaves the price
    at 0 (that branch only refreshes adjustments); recorded in the matrix.
    """
    return 0 if has_free_shipping(discounts) else option_amount


# ---------------------------------------------------------------------------
# line item adjustments


def line_adjustments(items: list[dict[str, Any]], discount: dict[str, Any] | None,
                     region: dict[str, Any] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Medusa's line item adjustments for the cart's discount.

    Returns ``item_id -> [{"discount_id", "amount", "description": "discount"}]`` for every item
    (an empty list when the item gets none). ``discount`` is the cart's first discount that is not
    free shipping (``cart_discount``); a free-shipping discount or None gives no adjustments.
    ``amount`` is an int, except for fixed discounts with allocation "total", whose share is a
    fraction that Medusa stores as is. ``region`` is not needed (tax-inclusive prices, the only
    case where Medusa looks at it, are a feature flag that is off).
    """
    del region
    result: dict[str, list[dict[str, Any]]] = {item["id"]: [] for item in items}
    if not discount or discount["rule"]["type"] == FREE_SHIPPING:
        return result
    rule = discount["rule"]
    kind, value, allocation = rule["type"], rule["value"], rule.get("allocation", "total")
    discountable = [i for i in items if i.get("allow_discounts") and not i.get("is_return")]
    subtotal = sum(i["unit_price"] * i["quantity"] for i in items if i.get("allow_discounts"))
    for item in discountable:
        full = item["unit_price"] * item["quantity"]
        if kind == "percentage":
            amount: float = js_round(full / 100 * value)
        elif kind == "fixed" and allocation == "total":
            if not subtotal:
                continue
            amount = min(value, subtotal) * (full / subtotal)
        else:
            amount = value * item["quantity"]
        amount = min(amount, full)
        if amount == 0:
            continue
        result[item["id"]] = [{"discount_id": discount["id"], "amount": _num(amount),
                               "description": "discount"}]
    return result


# ---------------------------------------------------------------------------
# totals


def _allocation(item: dict[str, Any], discount: dict[str, Any] | None) -> float:
    """totals.js getLineDiscounts/getAllocationMap: the discount amount allocated to an item."""
    adjustments = item.get("adjustments") or []
    amount: float = 0
    if item.get("allow_discounts") and discount:
        for adjustment in adjustments:
            if adjustment.get("discount_id") == discount["id"]:
                amount += adjustment["amount"]
    custom: float = 0
    for adjustment in adjustments:
        if adjustment.get("discount_id") is None:
            custom += adjustment["amount"]
    return amount + custom


def item_tax_lines(item: dict[str, Any], region: dict[str, Any]) -> list[dict[str, Any]]:
    """The tax lines the system tax provider gives an item (none for a line without product)."""
    if not item.get("product_id") and not item.get("variant_id"):
        return []
    return [{"rate": _rate(region.get("tax_rate")), "name": "default", "code": "default",
             "item_id": item["id"]}]


def shipping_tax_lines(method: dict[str, Any], region: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"rate": _rate(region.get("tax_rate")), "name": "default", "code": "default",
             "shipping_method_id": method["id"]}]


def _item_tax(item: dict[str, Any], tax_lines: list[dict[str, Any]], discount: float) -> int:
    taxable = item["unit_price"] * item["quantity"] - discount
    tax = 0
    for line in tax_lines:  # strategies/tax-calculation.js: lines with this item_id only
        if "item_id" in line and line["item_id"] == item["id"]:
            tax += js_round(taxable * ((line["rate"] or 0) / 100))
    return js_round(tax)


def line_item_totals(item: dict[str, Any], tax_lines: list[dict[str, Any]],
                     discount: dict[str, Any] | None) -> dict[str, Any]:
    """One item's totals, in the order Medusa adds them to the item (after ``variant``)."""
    subtotal = item["unit_price"] * item["quantity"]
    raw = _allocation(item, discount)
    discount_total = js_round(raw)
    tax_total = original_tax_total = 0
    if tax_lines:
        tax_total = _item_tax(item, tax_lines, raw)
        original_tax_total = _item_tax(item, tax_lines, 0)
    return {
        "tax_lines": tax_lines,
        "subtotal": subtotal,
        "discount_total": discount_total,
        "total": subtotal - discount_total + tax_total,
        "original_total": subtotal + original_tax_total,
        "original_tax_total": original_tax_total,
        "tax_total": tax_total,
        "raw_discount_total": _num(raw),
    }


def shipping_method_totals(method: dict[str, Any], tax_lines: list[dict[str, Any]],
                           free_shipping: bool) -> dict[str, Any]:
    """One shipping method's totals, in the order Medusa adds them (after ``shipping_option``)."""
    price = method["price"]
    tax = 0
    if tax_lines:
        amount: float = 0
        for line in tax_lines:  # summed unrounded, rounded once
            if "shipping_method_id" in line and line["shipping_method_id"] == method["id"]:
                amount += price * ((line["rate"] or 0) / 100)
        tax = js_round(amount)
    totals = {
        "tax_lines": tax_lines,
        "original_total": price + tax,
        "total": price + tax,
        "subtotal": price,
        "original_tax_total": tax,
        "tax_total": tax,
    }
    if free_shipping:
        totals.update(total=0, subtotal=0, tax_total=0)
    return totals


def line_item_refundable(item: dict[str, Any], tax_lines: list[dict[str, Any]],
                         discount: dict[str, Any] | None) -> int:
    """An order item's ``refundable`` (new-totals.js getLineItemRefund): the discount is taken
    per unit, rounded (``Math.round(allocated / quantity) * quantity``), then each tax line's
    ``Math.round(rest * rate / 100)`` is added."""
    allocated = _allocation(item, discount)
    quantity = item["quantity"]
    unit_discount = js_round(allocated / quantity) if quantity else 0
    rest = item["unit_price"] * quantity - unit_discount * quantity
    return rest + sum(js_round(rest * ((line["rate"] or 0) / 100)) for line in tax_lines)


def _gift_card_tax_rate(card: dict[str, Any], region: dict[str, Any]) -> float | None:
    """A gift card's own tax_rate, fixed when it was created (gift-card.js resolveTaxRate)."""
    if "tax_rate" in card:
        return card["tax_rate"]
    if not region.get("gift_cards_taxable"):
        return None
    return region.get("tax_rate") or None


def gift_cardable_amount(region: dict[str, Any], subtotal: int, shipping_total: int,
                         discount_total: int, tax_total: int) -> int:
    if region.get("gift_cards_taxable"):
        return subtotal + shipping_total - discount_total or 0
    return subtotal + shipping_total + tax_total - discount_total or 0


def gift_card_totals(amount: int, gift_cards: list[dict[str, Any]],
                     region: dict[str, Any]) -> dict[str, int]:
    """new-totals.js getGiftCardTotals: ``{"total", "tax_total"}`` of the cart's gift cards.

    ``total = min(amount, sum of balances)``. Tax: the cards in the cart's order, each taxed
    ``Math.round(min(remaining, balance) * tax_rate / 100)`` on what is left of ``amount`` (a card
    without tax_rate neither is taxed nor uses up ``remaining``).
    """
    if not gift_cards:
        return {"total": 0, "tax_total": 0}
    balance_total = 0
    tax = 0
    remaining = amount
    for card in gift_cards:
        balance_total += card["balance"]
        taxable = min(remaining, card["balance"])
        rate = _gift_card_tax_rate(card, region)
        if taxable <= 0 or not rate:
            continue
        tax += js_round(taxable * (rate / 100))
        remaining -= taxable
    return {"total": min(amount, balance_total) or 0, "tax_total": js_round(tax) or 0}


def compute(region: dict[str, Any], items: list[dict[str, Any]],
            shipping_methods: list[dict[str, Any]], discounts: list[dict[str, Any]],
            gift_cards: list[dict[str, Any]], *, force_taxes: bool = False) -> dict[str, Any]:
    """services/cart.js decorateTotals.

    region: ``{"id", "tax_rate", "gift_cards_taxable", "automatic_taxes", "tax_code"}``.
    ``force_taxes`` computes the tax lines even when the region has ``automatic_taxes`` false, as
    Medusa does to authorize the payment and place the order (cart completion also stores those
    lines), so the order from such a cart has taxes that ``GET /store/carts/{id}`` did not show.
    items: ``{"id", "unit_price", "quantity", "allow_discounts", "is_giftcard", "variant_id",
    "product_id", "adjustments": [{"amount", "discount_id", ...}], "tax_lines" (stored; used only
    when ``automatic_taxes`` is false)}``, in the cart's order (creation order).
    shipping_methods: ``{"id", "price", "shipping_option_id", "tax_lines" (stored, as for
    items)}`` with the price as stored (0 under a free-shipping discount: free_shipping_price).
    discounts: ``{"id", "code", "rule": {"type", "value", "allocation"}}``.
    gift_cards: ``{"id", "code", "balance", "value", "tax_rate"}`` in the cart's order; without
    "tax_rate" it is derived from the region as Medusa does when it creates the card.

    Returns ``{"items": {id: totals}, "shipping_methods": {id: totals}, "cart": totals}``, each in
    Medusa's key order. The cart dict has ``raw_discount_total`` in the place Medusa computes it,
    but ``GET /store/carts/{id}`` does not serialize it (cleanResponseData drops it at the top
    level; items keep theirs): leave it out of the cart body.
    """
    include_tax = force_taxes or region.get("automatic_taxes", True)
    discount = cart_discount(discounts)
    free_shipping = has_free_shipping(discounts)

    item_results: dict[str, dict[str, Any]] = {}
    for item in items:
        if include_tax and not item.get("is_return"):
            lines = item_tax_lines(item, region)
        else:
            lines = list(item.get("tax_lines") or [])
        item_results[item["id"]] = line_item_totals(item, lines, discount)

    method_results: dict[str, dict[str, Any]] = {}
    for method in shipping_methods:
        lines = (shipping_tax_lines(method, region) if include_tax
                 else list(method.get("tax_lines") or []))
        method_results[method["id"]] = shipping_method_totals(method, lines, free_shipping)

    subtotal = 0
    raw_discount: float = 0
    item_tax_total = 0
    for totals in item_results.values():
        subtotal += totals["subtotal"]
        raw_discount += totals["raw_discount_total"]
        item_tax_total += totals["tax_total"]
    shipping_total = sum(m["subtotal"] for m in method_results.values())
    shipping_tax_total = sum(m["tax_total"] for m in method_results.values())
    tax_total = item_tax_total + shipping_tax_total
    discount_total = js_round(raw_discount)
    cardable = gift_cardable_amount(region, subtotal, shipping_total, discount_total, tax_total)
    cards = gift_card_totals(cardable, gift_cards, region)
    total = (subtotal + shipping_total + tax_total
             - (cards["total"] + discount_total + cards["tax_total"]))
    return {
        "items": item_results,
        "shipping_methods": method_results,
        "cart": {
            "subtotal": subtotal,
            "discount_total": discount_total,
            "item_tax_total": item_tax_total,
            "shipping_total": shipping_total,
            "shipping_tax_total": shipping_tax_total,
            "tax_total": tax_total,
            "raw_discount_total": _num(raw_discount),
            "gift_card_total": cards["total"],
            "gift_card_tax_total": cards["tax_total"],
            "total": total,
        },
    }


# ---------------------------------------------------------------------------
# placing the order

_NO_END = datetime(2100, 2, 1, tzinfo=UTC)  # order.js: `new Date(2100, 1, 1)` for no ends_at


def _ends_at(card: dict[str, Any]) -> datetime:
    value = card.get("ends_at")
    if not value:
        return _NO_END
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def gift_card_spend(gift_cards: list[dict[str, Any]], gift_card_total: int,
                    region: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """How each gift card is debited when the cart becomes an order (order.js createFromCart).

    ``gift_card_total`` is the cart's ``gift_card_total`` (compute()["cart"]). The cards are taken
    by ``ends_at`` (none = far future), then by smallest balance; each is debited
    ``min(balance, what is left)`` and gets a gift card transaction, until nothing is left (read
    from the code, not recorded: the first card always gets one, with amount 0 if the total is
    0). Returns, in that order,
    ``{"gift_card_id", "amount", "is_taxable", "tax_rate", "balance", "is_disabled"}``: the
    transaction to record and the card's new ``balance`` / ``is_disabled`` (balance 0).
    Cards that are not reached are not listed and keep their balance.
    """
    ordered = sorted(gift_cards, key=lambda c: (_ends_at(c), c["balance"]))
    remaining = gift_card_total or 0
    spent = []
    for card in ordered:
        new_balance = max(0, card["balance"] - remaining)
        used = card["balance"] - new_balance
        rate = _gift_card_tax_rate(card, region or {})
        spent.append({"gift_card_id": card["id"], "amount": used, "is_taxable": bool(rate),
                      "tax_rate": rate, "balance": new_balance,
                      "is_disabled": new_balance == 0})
        remaining -= used
        if remaining == 0:
            break
    return spent


def gift_card_transaction_totals(transactions: list[dict[str, Any]],
                                 region: dict[str, Any] | None = None) -> dict[str, int]:
    """new-totals.js getGiftCardTransactionsTotals: an order's gift card total and its tax."""
    total = 0
    tax: float = 0
    for tx in transactions:
        multiplier = (tx.get("tax_rate") or 0) / 100
        if tx.get("is_taxable", True) is None:  # pre-1.8 rows: region decides
            card_rate = (tx.get("gift_card") or {}).get("tax_rate")
            if (region or {}).get("gift_cards_taxable") or card_rate:
                multiplier = (card_rate if card_rate is not None
                              else (region or {}).get("tax_rate") or 0) / 100
        total += tx["amount"]
        tax = js_round(tax + tx["amount"] * multiplier)
    return {"total": total, "tax_total": int(tax)}


def order_totals(cart: dict[str, Any], transactions: list[dict[str, Any]],
                 paid_total: int = 0, refunded_total: int = 0) -> dict[str, Any]:
    """The placed order's totals (order.js decorateTotals), from ``compute(...)["cart"]`` of the
    cart it was placed from (its items and shipping methods keep the same per-line totals) and
    its gift card transactions (``gift_card_spend``). Differences from the cart: ``tax_total``
    has the gift card tax taken off, gift card figures come from the transactions, plus the
    payment figures. Key order as Medusa serializes an order (raw_discount_total is not
    serialized on the order either).
    """
    cards = gift_card_transaction_totals(transactions) if transactions else {
        "total": 0, "tax_total": 0}
    tax_total = cart["item_tax_total"] + cart["shipping_tax_total"] - cards["tax_total"]
    discount_total = cart["discount_total"]
    return {
        "subtotal": cart["subtotal"],
        "discount_total": discount_total,
        "shipping_total": cart["shipping_total"],
        "refunded_total": refunded_total,
        "paid_total": paid_total,
        "refundable_amount": paid_total - refunded_total,
        "item_tax_total": cart["item_tax_total"],
        "shipping_tax_total": cart["shipping_tax_total"],
        "tax_total": tax_total,
        "gift_card_total": cards["total"],
        "gift_card_tax_total": cards["tax_total"],
        "total": (cart["subtotal"] + cart["shipping_total"] + tax_total
                  - (cards["total"] + discount_total)),
    }
