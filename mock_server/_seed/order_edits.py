"""The mock's ``order_edits`` extension: edits a merchant prepared on seeded orders, left as
Medusa's admin routes leave them (``medusa seed`` ignores the key), with the payment collection
of a positive difference."""

from __future__ import annotations

import json
from typing import Any

from .._domain.order_edits import CANCELED, CREATED, DECLINED, REQUESTED
from .._domain.order_edits import status as edit_status
from .._domain.orders import placed_order_total
from .._domain.payment_collections import new_session
from .._domain.payments import MOCK_PAYMENT, OUTCOMES
from .._quirks import implements
from .._state.store import Record
from .context import Seeding


@implements("order-edit-seed")
def load_order_edits(seed: Seeding) -> None:
    """Extension: ``order_edits``, edits a merchant prepared on seeded orders, as Medusa's
    admin routes leave them (``medusa seed`` ignores the key)::

        {"order": 4, "status": "requested", "internal_note": "...",
         "changes": [{"type": "item_add", "sku": "TSHIRT-L", "quantity": 1},
                     {"type": "item_update", "sku": "MUG-ONE", "quantity": 4},
                     {"type": "item_remove", "sku": "TSHIRT-S"}],
         "payment_collection": {"description": "...",
                                "sessions": [{"provider_id": "mock-payment",
                                              "outcome": "requires_more"}]}}

    ``order`` is a seeded order's display id. ``status``: ``requested`` (default),
    ``created`` (not yet sent to the customer), ``declined`` (with ``declined_reason``) or
    ``canceled`` (before it was requested); one created or requested edit per order, as
    Medusa allows; ``id`` (and ``payment_collection.id``) fix the ids. The edit gets a copy
    of the order's lines (``original_item_id`` names the order's line) and each change acts
    on the copy whose variant has that ``sku`` (an added line is priced in the order's
    region). A requested (or declined) edit whose total
    exceeds the order's gets a payment collection for the difference, as Medusa's request
    route creates one; ``payment_collection`` (``true`` or an object) asks for it
    explicitly, gives its ``description`` and opens ``sessions`` on it (``provider_id``
    among the region's, ``amount`` (the whole amount for a single session), and for
    ``mock-payment`` the ``outcome`` authorizing it ends in).
    """
    entries = seed.items("order_edits")
    if not entries:
        return
    orders = {o["display_id"]: o for o in seed.store.orders.values()}
    admin = seed.ids.new("usr")  # the admin user who prepared the edits
    for path, entry in entries:
        ref = seed.req(entry, path, "order", int, "the display_id of an order in $.orders")
        order = orders.get(ref)
        if order is None:
            raise seed.fail(f"{path}.order", f"no order with display_id {ref} in $.orders")
        status = seed.opt(entry, path, "status", str, "an order edit status", "requested")
        if status not in (CREATED, REQUESTED, DECLINED, CANCELED):
            raise seed.fail(f"{path}.status", "must be one of created, requested, declined "
                            "or canceled (a confirmed edit is the order as it is after the "
                            "edit: seed that order instead)")
        if status in (CREATED, REQUESTED):
            active = next((e for e in seed.store.order_edits.find_where(order_id=order["id"])
                           if edit_status(e) in (CREATED, REQUESTED)), None)
            if active is not None:
                raise seed.fail(f"{path}.order", f"order {ref} already has an active edit "
                                f"({active['id']}): Medusa allows one created or requested "
                                "edit per order")
        edit = seed.base("oe", seed.explicit_id(entry, path, "order_edits"))
        del edit["deleted_at"]
        requested = status in (REQUESTED, DECLINED)
        edit.update({
            "order_id": order["id"],
            "internal_note": seed.opt(entry, path, "internal_note", str, "a string"),
            "created_by": admin, "requested_by": admin if requested else None,
            "requested_at": seed.now if requested else None,
            "confirmed_by": None, "confirmed_at": None,
            "declined_by": None,
            "declined_reason": seed.opt(entry, path, "declined_reason", str, "a string"),
            "declined_at": seed.now if status == DECLINED else None,
            "canceled_by": admin if status == CANCELED else None,
            "canceled_at": seed.now if status == CANCELED else None,
            "payment_collection_id": None, "changes": [],
        })
        if edit["declined_reason"] is not None and status != DECLINED:
            raise seed.fail(f"{path}.declined_reason", "only a declined edit has one")
        order_lines = seed.store.line_items.find_where(order_id=order["id"])
        clones = [clone_line(seed, line, edit["id"]) for line in order_lines]
        load_edit_changes(seed, path, entry, order, edit, clones)
        if requested and not edit["changes"]:
            raise seed.fail(f"{path}.changes", "a requested edit needs at least one change "
                            "(Medusa refuses to request an edit without)")
        lines = seed.store.line_items.find_where(order_edit_id=edit["id"])
        difference = placed_order_total(order, lines) - placed_order_total(order, order_lines)
        load_edit_collection(seed, path, entry, order, edit, difference, requested, admin)
        seed.store.order_edits.put(edit)


def clone_line(seed: Seeding, line: Record, edit_id: str) -> Record:
    """``LineItemService.cloneTo``: a copy on the edit (timestamps kept, as Medusa's spread
    keeps them), with copies of its tax lines and adjustments."""
    clone = json.loads(json.dumps(line))
    clone.update({"id": seed.ids.new("item"), "cart_id": None, "order_id": None,
                  "swap_id": None, "claim_order_id": None, "order_edit_id": edit_id,
                  "original_item_id": line["id"]})
    clone["tax_lines"] = [dict(t, id=seed.ids.new("litl"), item_id=clone["id"])
                          for t in line.get("tax_lines", [])]
    clone["adjustments"] = [dict(a, id=seed.ids.new("lia"), item_id=clone["id"])
                            for a in line.get("adjustments", [])]
    seed.store.line_items.put(clone)
    return clone


def load_edit_changes(seed: Seeding, path: str, entry: dict[str, Any], order: Record,
                      edit: Record, clones: list[Record]) -> None:
    region = seed.store.regions.get(order["region_id"])
    assert region is not None  # an order is seeded in a seeded region
    changed: set[str] = set()
    for cpath, change in seed.sub(entry.get("changes"), f"{path}.changes"):
        kind = seed.req(change, cpath, "type", str, "item_add, item_update or item_remove")
        if kind not in ("item_add", "item_update", "item_remove"):
            raise seed.fail(f"{cpath}.type", "must be item_add, item_update or item_remove")
        sku = seed.req(change, cpath, "sku", str, "a variant sku")
        row = seed.base("oic")
        row.update({"type": kind, "order_edit_id": edit["id"],
                    "original_line_item_id": None, "line_item_id": None})
        if kind == "item_add":
            row["line_item_id"] = added_line(seed, cpath, change, order, edit, sku,
                                             region)["id"]
        else:
            matches = [c for c in clones if (seed.store.product_variants.get(
                c.get("variant_id") or "") or {}).get("sku") == sku]
            if not matches:
                raise seed.fail(f"{cpath}.sku", f"order {order['display_id']} has no line "
                                f"with sku {sku!r}")
            if len(matches) > 1:
                raise seed.fail(f"{cpath}.sku", f"order {order['display_id']} has several "
                                f"lines with sku {sku!r}")
            clone = matches[0]
            if clone["id"] in changed:
                raise seed.fail(f"{cpath}.sku", f"the line with sku {sku!r} is already "
                                "changed by this edit")
            changed.add(clone["id"])
            row["original_line_item_id"] = clone["original_item_id"]
            if kind == "item_update":
                clone["quantity"] = seed.quantity(change, cpath)
                clone["updated_at"] = seed.now
                row["line_item_id"] = clone["id"]
            else:
                seed.store.line_items.delete(clone["id"])
        edit["changes"].append(row)


def added_line(seed: Seeding, path: str, change: dict[str, Any], order: Record, edit: Record,
               sku: str, region: Record) -> Record:
    """``OrderEditService.addLineItem``: a new line on the edit, priced in the order's region
    for its customer, with the region's tax."""
    variant = seed.variant(f"{path}.sku", sku)
    quantity = seed.quantity(change, path)
    price = seed.price(f"{path}.sku", variant, region, quantity,
                       customer_id=order["customer_id"])
    metadata = seed.metadata(change, path) or {}
    line = seed.line(variant, price, quantity, region, order_edit_id=edit["id"],
                     has_shipping=None, metadata=metadata)
    seed.store.line_items.put(line)
    return line


def load_edit_collection(seed: Seeding, path: str, entry: dict[str, Any], order: Record,
                         edit: Record, difference: int, requested: bool,
                         admin: str) -> None:
    """The payment collection Medusa's request route creates for a positive difference."""
    given = entry.get("payment_collection")
    cpath = f"{path}.payment_collection"
    if given is not None and given is not True and not isinstance(given, dict):
        raise seed.fail(cpath, "must be true or an object")
    if not requested or difference <= 0:
        if given is not None:
            why = ("the edit was never requested" if not requested else
                   f"its difference_due is {difference}")
            raise seed.fail(cpath, "Medusa creates a payment collection only when a "
                            f"requested edit costs more than the order; {why}")
        return
    options = given if isinstance(given, dict) else {}
    region = seed.store.regions.get(order["region_id"])
    assert region is not None  # an order is seeded in a seeded region
    payments = seed.services.payments
    collection = seed.base("paycol", seed.explicit_id(options, cpath, "payment_collections"))
    collection.update({
        "type": "order_edit", "status": "not_paid",
        "description": seed.opt(options, cpath, "description", str, "a string"),
        "amount": difference, "authorized_amount": None, "region_id": region["id"],
        "currency_code": region["currency_code"], "metadata": seed.metadata(options, cpath),
        "created_by": admin, "payment_session_ids": [], "payment_ids": [],
    })
    sessions = seed.sub(options.get("sessions"), f"{cpath}.sessions")
    total = 0
    for spath, spec in sessions:
        provider = seed.req(spec, spath, "provider_id", str, "a payment provider id")
        offered = region["payment_providers"]
        if provider not in offered:
            raise seed.fail(f"{spath}.provider_id", f"provider {provider!r} is not offered "
                            f"in region {region['name']} ({', '.join(offered)})")
        if len(sessions) == 1 and spec.get("amount") is None:
            amount = difference
        else:
            amount = seed.req(spec, spath, "amount", int, "a positive integer amount")
            if amount < 1:
                raise seed.fail(f"{spath}.amount", "must be a positive integer amount")
        if not payments.is_known(provider):
            raise seed.fail(f"{spath}.provider_id", f"unknown payment provider {provider!r} "
                            f"(known: {', '.join(payments.known)})")
        data = payments.initiate(provider, {"amount": amount,
                                            "currency_code": collection["currency_code"],
                                            "resource_id": collection["id"]})
        if provider == MOCK_PAYMENT:
            outcome = seed.opt(spec, spath, "outcome", str, "an outcome", "authorized")
            if outcome not in OUTCOMES:
                raise seed.fail(f"{spath}.outcome", f"must be one of {', '.join(OUTCOMES)}")
            data["outcome"] = outcome
        elif spec.get("outcome") is not None:
            raise seed.fail(f"{spath}.outcome", "only a mock-payment session has an outcome")
        session = new_session(seed.ids.new("ps"), seed.now, provider, data, amount)
        seed.store.payment_sessions.put(session)
        collection["payment_session_ids"].append(session["id"])
        total += amount
    if sessions and total != difference:
        raise seed.fail(f"{cpath}.sessions", f"the amounts add up to {total}, not to the "
                        f"collection's amount {difference} (the edit's difference_due)")
    seed.store.payment_collections.put(collection)
    edit["payment_collection_id"] = collection["id"]
