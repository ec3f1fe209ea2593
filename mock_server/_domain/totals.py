"""Order and line-item totals, computed as Medusa's totals service does for the simple cases.

Amounts are integers in the currency's smallest unit. Tax is rounded per line
(``round(taxable * rate / 100)``), as Medusa rounds each line's tax amount.
"""

from __future__ import annotations

from typing import Any

from .._state.store import Record


def _rate(tax_lines: list[dict[str, Any]]) -> float:
    return sum(float(line.get("rate") or 0) for line in tax_lines or [])


def _round(value: float) -> int:
    # JavaScript's Math.round: halves round up, also for negatives.
    import math

    return int(math.floor(value + 0.5))


def line_item_totals(item: Record) -> dict[str, int]:
    subtotal = item["unit_price"] * item["quantity"]
    discount_total = sum(adj.get("amount", 0) for adj in item.get("adjustments") or [])
    rate = _rate(item.get("tax_lines", []))
    tax_total = _round((subtotal - discount_total) * rate / 100)
    original_tax_total = _round(subtotal * rate / 100)
    return {
        "subtotal": subtotal,
        "discount_total": discount_total,
        "raw_discount_total": discount_total,
        "total": subtotal - discount_total + tax_total,
        "original_total": subtotal + original_tax_total,
        "original_tax_total": original_tax_total,
        "tax_total": tax_total,
    }


def shipping_method_totals(method: Record) -> dict[str, int]:
    price = method.get("price") or 0
    tax_total = _round(price * _rate(method.get("tax_lines", [])) / 100)
    return {
        "subtotal": price,
        "original_total": price + tax_total,
        "total": price + tax_total,
        "original_tax_total": tax_total,
        "tax_total": tax_total,
    }


def order_totals(items: list[dict[str, Any]], shipping_methods: list[dict[str, Any]],
                 payments: list[dict[str, Any]], refunds: list[dict[str, Any]],
                 gift_card_transactions: list[dict[str, Any]] | None = None) -> dict[str, int]:
    """Totals of an order whose items and shipping methods already carry their own totals; the
    gift cards count what their transactions took (with tax where the card is taxable)."""
    gift_card_total = sum(t.get("amount", 0) for t in gift_card_transactions or [])
    gift_card_tax_total = _round(sum(
        t.get("amount", 0) * float(t.get("tax_rate") or 0) / 100
        for t in gift_card_transactions or [] if t.get("is_taxable")))
    subtotal = sum(i["subtotal"] for i in items)
    discount_total = sum(i["discount_total"] for i in items)
    item_tax_total = sum(i["tax_total"] for i in items)
    shipping_total = sum(m["subtotal"] for m in shipping_methods)
    shipping_tax_total = sum(m["tax_total"] for m in shipping_methods)
    tax_total = item_tax_total + shipping_tax_total
    paid_total = sum(p.get("amount", 0) for p in payments)
    refunded_total = sum(r.get("amount", 0) for r in refunds)
    return {
        "shipping_total": shipping_total,
        "discount_total": discount_total,
        "item_tax_total": item_tax_total,
        "shipping_tax_total": shipping_tax_total,
        "tax_total": tax_total,
        "refunded_total": refunded_total,
        "total": subtotal + shipping_total + tax_total - discount_total - gift_card_total
        - gift_card_tax_total,
        "subtotal": subtotal,
        "paid_total": paid_total,
        "refundable_amount": paid_total - refunded_total,
        "gift_card_total": gift_card_total,
        "gift_card_tax_total": gift_card_tax_total,
    }


def placed_order_total(order: Record, items: list[Record]) -> int:
    """What a customer pays for an order with these items: the amount its payment holds."""
    item_totals = [line_item_totals(i) for i in items]
    method_totals = [shipping_method_totals(m) for m in order.get("shipping_methods", [])]
    return order_totals(item_totals, method_totals, [], [])["total"]
