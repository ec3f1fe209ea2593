"""The mock's extensions of Medusa's seed format, in the same style (lists of plain objects)
under keys ``medusa seed`` does not read: ``payment_providers`` (the mock-only ``mock-payment``
added to regions), ``sales_channels`` (beyond the default one, with the ``products`` they sell, by
handle, and their own ``publishable_api_keys``), ``gift_cards``, ``discounts``,
``return_reasons`` (with ``children``), ``customers`` (with ``password`` and ``addresses``) and
``orders`` (guest or customer orders placed with the seeded catalog); ``product_tags`` and
``product_types`` (``{id, value, metadata}``, made in their list order before the products that
name them by value, as a capture lists them).

A seeded order is what checkout would have made of a cart: its lines are priced, shaped and taxed
by the domain's rules, their stock is taken, and its payment holds the order's total.
"""

from __future__ import annotations

from typing import Any

from .._domain import cart_totals, inventory
from .._domain.orders import placed_order_total
from .._domain.passwords import hash_password
from .._domain.payments import PaymentProviders
from .._state.store import Record
from .context import Seeding
from .medusa import publishable_key, upsert_value

DISCOUNT_RULE_TYPES = ("percentage", "fixed", "free_shipping")


def load_payment_providers(seed: Seeding) -> None:
    """Extension: ``payment_providers: [{"id": "mock-payment", "regions": [...]}]`` adds a
    provider that only the mock has to regions (``medusa seed`` ignores the key)."""
    for path, entry in seed.items("payment_providers"):
        provider = seed.req(entry, path, "id", str, "a payment provider id")
        if provider not in PaymentProviders.known:
            raise seed.fail(f"{path}.id", f"unknown payment provider {provider!r} "
                            f"(known: {', '.join(PaymentProviders.known)})")
        refs = seed.req(entry, path, "regions", list, "a list of region ids")
        for i, ref in enumerate(refs):
            region = seed.region_ref(f"{path}.regions[{i}]", ref)
            if provider not in region["payment_providers"]:
                region["payment_providers"].append(provider)


def load_tags_and_types(seed: Seeding) -> None:
    """Extension: tags and types declared ahead of the products, in their list order (a
    capture keeps the source's ids and list order; products name them by value)."""
    for path, entry in seed.items("product_tags"):
        upsert_value(seed, "product_tags", seed.tags_by_value, "ptag", path, entry)
    for path, entry in seed.items("product_types"):
        upsert_value(seed, "product_types", seed.types_by_value, "ptyp", path, entry)


def load_sales_channels(seed: Seeding) -> None:
    for path, entry in seed.items("sales_channels"):
        channel = seed.base("sc", seed.explicit_id(entry, path, "sales_channels"))
        channel.update({
            "name": seed.req(entry, path, "name", str, "a string"),
            "description": seed.opt(entry, path, "description", str, "a string"),
            "is_disabled": bool(entry.get("is_disabled", False)),
            "metadata": seed.metadata(entry, path),
        })
        seed.store.sales_channels.put(channel)
        for i, handle in enumerate(seed.opt(entry, path, "products", list,
                                            "a list of product handles", [])):
            product = seed.products_by_handle.get(handle) if isinstance(handle, str) else None
            if product is None:
                raise seed.fail(f"{path}.products[{i}]",
                                f"no product with handle {handle!r} in $.products")
            product["sales_channel_ids"].append(channel["id"])
        for kpath, key in seed.sub(entry.get("publishable_api_keys"),
                                   f"{path}.publishable_api_keys"):
            publishable_key(seed, kpath, key, channel["id"])


def load_gift_cards(seed: Seeding) -> None:
    for path, entry in seed.items("gift_cards"):
        code = seed.req(entry, path, "code", str, "a string")
        if seed.store.gift_cards.first_where(code=code):
            raise seed.fail(f"{path}.code", f"duplicate gift card code {code!r}")
        region = seed.region_ref(f"{path}.region_id", entry.get("region_id"))
        value = seed.req(entry, path, "value", int, "an integer amount")
        card = seed.base("gift", seed.explicit_id(entry, path, "gift_cards"))
        card.update({
            "code": code, "value": value,
            "balance": seed.opt(entry, path, "balance", int, "an integer amount", value),
            "region_id": region["id"], "order_id": None,
            "is_disabled": bool(entry.get("is_disabled", False)),
            "ends_at": seed.opt(entry, path, "ends_at", str, "an ISO 8601 date-time"),
            "tax_rate": region["tax_rate"] if region["gift_cards_taxable"] else None,
            "metadata": seed.metadata(entry, path),
        })
        seed.store.gift_cards.put(card)


def load_discounts(seed: Seeding) -> None:
    for path, entry in seed.items("discounts"):
        code = seed.req(entry, path, "code", str, "a string").upper()
        if seed.store.discounts.first_where(code=code):
            raise seed.fail(f"{path}.code", f"duplicate discount code {code!r}")
        rule_entry = seed.req(entry, path, "rule", dict, "an object")
        kind = seed.req(rule_entry, f"{path}.rule", "type", str, "a discount rule type")
        if kind not in DISCOUNT_RULE_TYPES:
            raise seed.fail(f"{path}.rule.type",
                            f"must be one of {', '.join(DISCOUNT_RULE_TYPES)}")
        value = seed.req(rule_entry, f"{path}.rule", "value", (int, float), "a number")
        if kind == "percentage" and not 0 <= value <= 100:
            raise seed.fail(f"{path}.rule.value", "a percentage must be between 0 and 100")
        allocation = rule_entry.get("allocation", "total")
        if allocation not in ("total", "item"):
            raise seed.fail(f"{path}.rule.allocation", "must be total or item")
        rule = seed.base("dru")
        rule.update({"description": rule_entry.get("description"), "type": kind,
                     "value": value, "allocation": allocation, "metadata": None})
        regions = [seed.region_ref(f"{path}.regions[{i}]", ref)["id"]
                   for i, ref in enumerate(seed.req(entry, path, "regions", list,
                                                    "a list of region ids"))]
        discount = seed.base("disc", seed.explicit_id(entry, path, "discounts"))
        discount.update({
            "code": code, "is_dynamic": bool(entry.get("is_dynamic", False)),
            "rule_id": rule["id"], "rule": rule,
            "is_disabled": bool(entry.get("is_disabled", False)),
            "parent_discount_id": None,
            "starts_at": seed.opt(entry, path, "starts_at", str, "an ISO 8601 date-time",
                                  seed.now),
            "ends_at": seed.opt(entry, path, "ends_at", str, "an ISO 8601 date-time"),
            "valid_duration": None,
            "usage_limit": seed.opt(entry, path, "usage_limit", int, "an integer"),
            "usage_count": 0, "metadata": seed.metadata(entry, path),
            "region_ids": regions,
        })
        seed.store.discounts.put(discount)


def load_return_reasons(seed: Seeding, entries: Any = None, parent: Record | None = None,
                        path: str = "$.return_reasons") -> None:
    if parent is None:
        entries = seed.data.get("return_reasons")
    for rpath, entry in seed.sub(entries, path):
        value = seed.req(entry, rpath, "value", str, "a string")
        if seed.store.return_reasons.first_where(value=value):
            raise seed.fail(f"{rpath}.value", f"duplicate return reason value {value!r}")
        reason = seed.base("rr", seed.explicit_id(entry, rpath, "return_reasons"))
        reason.update({
            "value": value, "label": seed.req(entry, rpath, "label", str, "a string"),
            "description": seed.opt(entry, rpath, "description", str, "a string"),
            "parent_return_reason_id": parent["id"] if parent else None,
            "metadata": seed.metadata(entry, rpath),
        })
        seed.store.return_reasons.put(reason)
        if entry.get("children") is not None:
            if parent is not None:
                raise seed.fail(f"{rpath}.children",
                                "a child return reason cannot have children")
            load_return_reasons(seed, entry["children"], reason, f"{rpath}.children")


def new_address(seed: Seeding, path: str, entry: Any, customer_id: str | None) -> Record:
    if not isinstance(entry, dict):
        raise seed.fail(path, "must be an object")
    address = seed.base("addr")
    address.update({
        "customer_id": customer_id, "company": entry.get("company"),
        "first_name": entry.get("first_name"), "last_name": entry.get("last_name"),
        "address_1": entry.get("address_1"), "address_2": entry.get("address_2"),
        "city": entry.get("city"),
        "country_code": (entry.get("country_code") or "").lower() or None,
        "province": entry.get("province"), "postal_code": entry.get("postal_code"),
        "phone": entry.get("phone"), "metadata": entry.get("metadata"),
    })
    if address["country_code"] and not seed.store.countries.get(address["country_code"]):
        raise seed.fail(f"{path}.country_code",
                        f"unknown country code {entry['country_code']!r}")
    seed.store.addresses.put(address)
    return address


def new_customer(seed: Seeding, email: str, *, has_account: bool, **fields: Any) -> Record:
    customer = seed.base("cus")
    customer.update({
        "email": email.lower(), "first_name": fields.get("first_name"),
        "last_name": fields.get("last_name"), "billing_address_id": None,
        "phone": fields.get("phone"), "has_account": has_account,
        "password_hash": fields.get("password_hash"), "metadata": fields.get("metadata"),
    })
    seed.store.customers.put(customer)
    seed.customers_by_email[customer["email"]] = customer
    return customer


def load_customers(seed: Seeding) -> None:
    for path, entry in seed.items("customers"):
        email = seed.req(entry, path, "email", str, "an email address")
        if "@" not in email:
            raise seed.fail(f"{path}.email", f"{email!r} is not an email address")
        if email.lower() in seed.customers_by_email:
            raise seed.fail(f"{path}.email", f"duplicate customer email {email!r}")
        password = seed.opt(entry, path, "password", str, "a string")
        customer = new_customer(
            seed, email, has_account=password is not None,
            password_hash=hash_password(password) if password else None,
            first_name=entry.get("first_name"), last_name=entry.get("last_name"),
            phone=entry.get("phone"), metadata=entry.get("metadata"))
        for j, addr in enumerate(seed.opt(entry, path, "addresses", list, "a list", [])):
            new_address(seed, f"{path}.addresses[{j}]", addr, customer["id"])


def load_orders(seed: Seeding) -> None:
    for path, entry in seed.items("orders"):
        email = seed.req(entry, path, "email", str, "an email address").lower()
        region = seed.region_ref(f"{path}.region", entry.get("region"))
        customer_ref = entry.get("customer")
        if customer_ref is not None:
            customer = seed.customers_by_email.get(str(customer_ref).lower())
            if customer is None:
                raise seed.fail(f"{path}.customer", f"no customer with email {customer_ref!r}")
        else:
            customer = seed.customers_by_email.get(email) or new_customer(
                seed, email, has_account=False)
        order = seed.base("order", entry.get("id"))
        if seed.store.orders.get(order["id"]):
            raise seed.fail(f"{path}.id", f"duplicate order id {order['id']!r}")
        shipping = entry.get("shipping_address")
        shipping_address = (new_address(seed, f"{path}.shipping_address", shipping, None)
                            if shipping is not None else None)
        display_id = seed.store.next_counter("order_display_id")
        order.update({
            "object": "order", "status": entry.get("status", "pending"),
            "fulfillment_status": entry.get("fulfillment_status", "not_fulfilled"),
            "payment_status": entry.get("payment_status", "awaiting"),
            "display_id": display_id, "cart_id": seed.ids.new("cart"),
            "customer_id": customer["id"], "email": email,
            "billing_address_id": None,
            "shipping_address_id": shipping_address["id"] if shipping_address else None,
            "region_id": region["id"], "currency_code": region["currency_code"],
            "tax_rate": None, "draft_order_id": None, "canceled_at": None,
            "no_notification": None, "idempotency_key": None, "external_id": None,
            "sales_channel_id": seed.default_channel_id,
            "metadata": entry.get("metadata") or {},  # checkout gives `cart.metadata || {}`
            "shipping_methods": [], "payments": [], "fulfillments": [],
            "discounts": [], "gift_cards": [],
        })
        items = seed.req(entry, path, "items", list, "a list of line items")
        if not items:
            raise seed.fail(f"{path}.items", "an order needs at least one item")
        lines: list[Record] = []
        for j, item in enumerate(items):
            ipath = f"{path}.items[{j}]"
            if not isinstance(item, dict):
                raise seed.fail(ipath, "must be an object")
            sku = seed.req(item, ipath, "sku", str, "a variant sku from $.products")
            variant = seed.variant(f"{ipath}.sku", sku)
            quantity = seed.quantity(item, ipath)
            price = seed.price(f"{ipath}.sku", variant, region, quantity,
                               customer_id=customer["id"])
            if not inventory.covered(variant, quantity):
                raise seed.fail(f"{ipath}.quantity", f"variant {sku!r} has only "
                                f"{variant['inventory_quantity']} in stock")
            inventory.reserve(variant, quantity)  # placing an order takes the stock
            fulfillment = order["fulfillment_status"]
            line = seed.line(variant, price, quantity, region, cart_id=order["cart_id"],
                             order_id=order["id"], has_shipping=True,
                             fulfilled_quantity=quantity if fulfillment in (
                                 "fulfilled", "shipped") else None,
                             shipped_quantity=quantity if fulfillment == "shipped" else None)
            seed.store.line_items.put(line)
            lines.append(line)
        option_name = entry.get("shipping_option")
        if option_name is not None:
            option = seed.option_by_name.get(option_name)
            if option is None or option["region_id"] != region["id"]:
                raise seed.fail(f"{path}.shipping_option",
                                f"no shipping option {option_name!r} in that region")
            method_id = seed.ids.new("sm")
            order["shipping_methods"].append({
                "id": method_id, "shipping_option_id": option["id"],
                "order_id": order["id"], "claim_order_id": None,
                "cart_id": order["cart_id"], "swap_id": None, "return_id": None,
                "price": option["amount"] or 0, "data": {},
                "tax_lines": seed.tax_lines("smtl", cart_totals.shipping_tax_lines(
                    {"id": method_id}, region), shipping_method_id=method_id),
            })
        if fulfillment in ("fulfilled", "shipped"):
            order["fulfillments"].append(fulfilment_of(seed, order, lines, region,
                                                       shipped=fulfillment == "shipped"))
        if not region["payment_providers"]:
            raise seed.fail(f"{path}.region", f"region {region['name']!r} offers no payment "
                            "provider: an order cannot be paid there")
        order["payments"].append({
            "id": seed.ids.new("pay"), "created_at": seed.now, "updated_at": seed.now,
            "swap_id": None, "cart_id": order["cart_id"], "order_id": order["id"],
            "amount": placed_order_total(order, lines), "currency_code": order["currency_code"],
            "amount_refunded": 0, "provider_id": region["payment_providers"][0],
            "data": {"status": "authorized"},
            "captured_at": seed.now if order["payment_status"] == "captured" else None,
            "canceled_at": None,
            "metadata": None, "idempotency_key": None,
        })
        seed.store.orders.put(order)


def fulfilment_of(seed: Seeding, order: Record, lines: list[Record], region: Record, *,
                  shipped: bool) -> Record:
    """The one fulfilment of every line that a merchant makes for a seeded order that is
    fulfilled (or shipped), as ``POST /admin/orders/{id}/fulfillment`` creates it, by the
    provider of the order's shipping method."""
    option = seed.store.shipping_options.get(
        next((m["shipping_option_id"] for m in order["shipping_methods"]), ""))
    provider = (option or {}).get("provider_id") or next(
        iter(region.get("fulfillment_providers") or []), "manual")
    fulfilment_id = seed.ids.new("ful")
    return {
        "id": fulfilment_id, "created_at": seed.now, "updated_at": seed.now,
        "claim_order_id": None, "swap_id": None, "order_id": order["id"],
        "no_notification": None, "provider_id": provider, "location_id": None,
        "tracking_numbers": [], "data": {}, "shipped_at": seed.now if shipped else None,
        "canceled_at": None, "metadata": {}, "idempotency_key": None, "tracking_links": [],
        "items": [{"fulfillment_id": fulfilment_id, "item_id": line["id"],
                   "quantity": line["quantity"]} for line in lines],
    }
