"""Line items: the line a variant makes (``LineItemService.generate``), the row it is stored as,
and the tax lines stored with it.

A line is one row of ``line_items`` whatever it belongs to: a cart (``cart_id``; completion adds
``order_id`` to the same row), a swap (``swap_id``) or an order edit (``order_edit_id``).
"""

from __future__ import annotations

from typing import Any, TypedDict

from .._state.store import Record, Store

# A line's columns in the order TypeORM hydrates them.
ITEM_COLUMNS = (
    "id", "created_at", "updated_at", "cart_id", "order_id", "swap_id", "claim_order_id",
    "original_item_id", "order_edit_id", "title", "description", "thumbnail", "is_return",
    "is_giftcard", "should_merge", "allow_discounts", "has_shipping", "unit_price", "variant_id",
    "quantity", "fulfilled_quantity", "returned_quantity", "shipped_quantity", "metadata",
)


class LineFields(TypedDict):
    """The columns a generated line takes from its variant, its product and its price."""

    title: str | None
    description: str
    thumbnail: str | None
    variant_id: str
    product_id: str
    unit_price: int
    quantity: int
    allow_discounts: bool
    is_giftcard: bool
    should_merge: bool
    metadata: dict[str, Any]


def line_fields(store: Store, variant: Record, unit_price: int, quantity: int) -> LineFields:
    """What ``generate`` makes of a variant at a price: the product's title, thumbnail and
    discountability, the variant's title as the description."""
    product = store.products.get(variant["product_id"]) or {}
    return {
        "title": product.get("title"), "description": variant["title"],
        "thumbnail": product.get("thumbnail"), "variant_id": variant["id"],
        "product_id": variant["product_id"], "unit_price": unit_price, "quantity": quantity,
        "allow_discounts": bool(product.get("discountable", True)),
        "is_giftcard": bool(product.get("is_giftcard")), "should_merge": True,
        "metadata": {},
    }


def new_line(fields: LineFields, *, line_id: str, now: str, **columns: Any) -> Record:
    """The stored row of a generated line: owned by nothing, not shipped, no adjustments or tax
    lines yet; ``columns`` set what owns it (``cart_id``, ``swap_id``, ...) and other columns."""
    return {
        "id": line_id, "created_at": now, "updated_at": now, "cart_id": None, "order_id": None,
        "swap_id": None, "claim_order_id": None, "original_item_id": None,
        "order_edit_id": None, **fields, "is_return": False, "has_shipping": False,
        "fulfilled_quantity": None, "returned_quantity": None, "shipped_quantity": None,
        "adjustments": [], "tax_lines": [], **columns,
    }


def tax_line(line: dict[str, Any], *, line_id: str, now: str, **owner: str) -> Record:
    """A stored tax line (``createTaxLines``): a computed line (``rate``, ``name``, ``code``) with
    its id, timestamps and owner (``item_id`` or ``shipping_method_id``)."""
    return {"id": line_id, "created_at": now, "updated_at": now, "rate": line["rate"],
            "name": line["name"], "code": line.get("code"), "metadata": None, **owner}
