"""Stock as Medusa 1.20.11 keeps it without the inventory module: a variant's
``inventory_quantity``, checked when a line is added or a cart completes, taken when an order is
placed."""

from __future__ import annotations

from .._state.store import Record


def covered(variant: Record | None, quantity: int) -> bool:
    """``confirmInventory``: stock covers the quantity, or the variant does not need it (its
    inventory is not managed, or it allows backorders; an unknown variant needs nothing)."""
    if variant is None:
        return True
    if not variant.get("manage_inventory") or variant.get("allow_backorder"):
        return True
    return int(variant.get("inventory_quantity") or 0) >= quantity


def reserve(variant: Record | None, quantity: int) -> None:
    """Placing an order takes its lines off the shelf (variants whose inventory is managed)."""
    if variant is not None and variant.get("manage_inventory"):
        variant["inventory_quantity"] = int(variant.get("inventory_quantity") or 0) - quantity
