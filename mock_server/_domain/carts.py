"""Carts as Medusa 1.20.11's cart service and routes keep them: creating a cart, its lines,
updates (customer, region, addresses, sales channel, discounts, gift cards, metadata) and its tax
lines.

The service is made of parts, one module each: :mod:`.cart_core` (a cart's rows, totals and
atomic steps), :mod:`.cart_views` (what the routes return), :mod:`.payment_sessions`,
:mod:`.cart_discounts` (discounts and gift cards) and :mod:`.cart_shipping`. Completion is
:mod:`.checkout`'s.

Every public method holds the store lock for its whole read-check-write step, so concurrent
requests never see a half-updated cart; a method that raises has written nothing (checks come
before writes, or the step works on copies).
"""

from __future__ import annotations

import copy
from typing import Any

from .._state.clock import Clock
from .._state.ids import IdGenerator
from .._state.outbox import EventOutbox
from .._state.store import Record, Store
from . import inventory, line_items
from .bounds import Bounds
from .cart_shipping import CartShipping
from .cart_views import DEFAULT_RELATIONS, REFRESH_RELATIONS, WITH_CUSTOMER, CartViews
from .customers import ADDRESS_KEYS, CustomerService, check_country
from .errors import ErrorType, MedusaError, UnexpectedError
from .payments import PaymentProviders
from .pricing import PricingService

__all__ = ["DEFAULT_RELATIONS", "INSUFFICIENT_INVENTORY", "REFRESH_RELATIONS", "WITH_CUSTOMER",
           "CartService"]

INSUFFICIENT_INVENTORY = "insufficient_inventory"
INT4_MAX = 2 ** 31 - 1
"""The largest value of PostgreSQL's ``integer``, the type of ``line_item.quantity``."""
MISSING_GENERATE_ARGUMENT = (
    "Unable to generate the line item because one or more required argument(s) are missing. "
    "Ensure quantity, regionId, and variantId are passed")


def null_property_fails(name: str) -> None:
    """A ``null`` that class-validator lets through (``IsOptional``) and the cart service then
    reads as a value: a property of ``null`` (``TypeError``) or a look-up TypeORM cannot
    build, an unexpected error (500)."""
    raise UnexpectedError(f"{name} is null", quirk="null-optional-properties")


def storable_quantity(quantity: int) -> None:
    """A line's quantity as the ``line_item`` table takes it: ``CHECK (quantity > 0)`` on an
    ``integer`` column. Medusa writes what it computed (a negative quantity, or a merge that
    takes a line to 0 or below) and PostgreSQL refuses it: an unexpected error (500)."""
    if not 0 < quantity <= INT4_MAX:
        raise UnexpectedError(f"line_item.quantity {quantity} violates the table's check",
                              quirk="line-item-quantity-db-500")


class CartService(CartViews, CartShipping):
    def __init__(self, store: Store, clock: Clock, ids: IdGenerator, outbox: EventOutbox,
                 pricing: PricingService, customers: CustomerService,
                 payments: PaymentProviders, default_channel: Any, bounds: Bounds) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids
        self.outbox = outbox
        self.pricing = pricing
        self.customers = customers
        self.payments = payments
        self._default_channel = default_channel  # () -> the store's default sales channel id
        self.bounds = bounds

    def claim_for(self, cart_id: str, customer_id: str) -> None:
        """``GET /store/carts/{id}`` by a logged-in customer makes the cart theirs."""
        with self.store.lock:
            cart = self.get(cart_id)
            if (not cart.get("customer_id") or not cart.get("email")
                    or cart["customer_id"] != customer_id):
                self._atomic(cart, lambda: self._update(cart, {"customer_id": customer_id},
                                                        None))
                self.store.changed()  # a write on a GET: the read cache must know

    # -- create -------------------------------------------------------------------------------
    def create(self, data: dict[str, Any], *, customer_id: str | None,
               context: dict[str, Any], key_channels: list[str]) -> Record:
        with self.store.lock:
            # the route: a region_id that is sent (``isDefined``: null and "" too) is used as
            # sent, else the first region
            if "region_id" in data:
                region_id = data["region_id"]
            else:
                regions = [r for r in self.store.regions.values() if r.get("deleted_at") is None]
                if not regions:
                    raise MedusaError(ErrorType.INVALID_DATA,
                                      "A region is required to create a cart")
                region_id = regions[0]["id"]
            customer = None
            if customer_id:
                customer = self.customers.get(customer_id)
            channel_id = data.get("sales_channel_id")
            if not channel_id and len(key_channels) == 1:
                channel_id = key_channels[0]
            elif channel_id is None and "sales_channel_id" in data:
                null_property_fails("sales_channel_id")
            # the service: the sales channel, then the region
            channel = self._validated_channel(channel_id)
            if not region_id:
                raise MedusaError(ErrorType.INVALID_DATA,
                                  "A region_id must be provided when creating a cart")
            region = self.pricing.region(region_id)
            countries = self._region_countries(region["id"])
            shipping: dict[str, Any] | None = None
            if data.get("country_code"):
                code = data["country_code"].lower()
                if code not in countries:
                    raise MedusaError(ErrorType.NOT_ALLOWED, "Shipping country not in region")
                shipping = {"country_code": code}
            elif len(countries) == 1:
                shipping = {"country_code": countries[0]}
            # the lines are generated (and so checked) before anything is stored
            lines = [self.generate_line(i["variant_id"], i["quantity"], region, customer_id)
                     for i in data.get("items") or []]
            now = self.clock.iso()
            cart: Record = {
                "object": "cart", "id": self.ids.new("cart"), "created_at": now,
                "updated_at": now, "deleted_at": None,
                "email": customer["email"] if customer else None,
                "billing_address_id": None, "shipping_address_id": None,
                "region_id": region["id"],
                "customer_id": customer["id"] if customer else None, "payment_id": None,
                "type": "default", "completed_at": None, "payment_authorized_at": None,
                "idempotency_key": None, "context": {**context, **(data.get("context") or {})},
                "metadata": None, "sales_channel_id": channel["id"] if channel else None,
                "discount_ids": [], "gift_card_ids": [], "shipping_methods": [],
            }
            for line in lines:  # Medusa checks each line against the channel and inventory
                self._check_line_channel(cart, [line])
            self.bounds.make_room("carts")
            snapshot = self.snapshot(cart)
            try:
                if shipping is not None:
                    cart["shipping_address_id"] = self._new_address(shipping)["id"]
                self.store.carts.put(cart)
                for line in lines:
                    self._add_lines(cart, [line])
            except Exception:
                self.rollback(cart, snapshot, created=True)
                raise
            self.outbox.emit("cart.created", {"id": cart["id"]})
            return cart

    def create_swap_cart(self, swap: Record, order: Record, ret: Record) -> Record:
        """The cart a swap is paid through: its new lines, and the returned lines at a negative
        price with the order's tax lines (``swapService.createCart``)."""
        now = self.clock.iso()
        cart: Record = {
            "object": "cart", "id": self.ids.new("cart"), "created_at": now, "updated_at": now,
            "deleted_at": None, "email": order["email"], "billing_address_id": None,
            "shipping_address_id": order.get("shipping_address_id"),
            "region_id": order["region_id"], "customer_id": order.get("customer_id"),
            "payment_id": None, "type": "swap", "completed_at": None,
            "payment_authorized_at": None, "idempotency_key": None, "context": {},
            "metadata": {"swap_id": swap["id"], "parent_order_id": order["id"]},
            "sales_channel_id": order.get("sales_channel_id"), "discount_ids": [],
            "gift_card_ids": [], "shipping_methods": [],
        }
        self.bounds.make_room("carts")
        self.store.carts.put(cart)
        for item_id in swap.get("additional_item_ids", []):
            item = self.store.line_items.get(item_id)
            if item is not None:
                item["cart_id"] = cart["id"]
                self.store.line_items.put(item)  # filed under its new cart
        for entry in ret["items"]:
            original = self.store.line_items.get(entry["item_id"])
            if original is None:
                continue
            line_id = self.ids.new("item")
            self.store.line_items.put({
                **{k: copy.deepcopy(original.get(k)) for k in line_items.ITEM_COLUMNS},
                "id": line_id, "created_at": now, "updated_at": now, "cart_id": cart["id"],
                "order_id": None, "swap_id": None, "description": None, "is_return": True,
                "has_shipping": None, "unit_price": -original["unit_price"],
                "quantity": entry["quantity"], "fulfilled_quantity": None,
                "returned_quantity": None, "shipped_quantity": None, "metadata": {},
                "product_id": original.get("product_id"), "adjustments": [],
                "tax_lines": [dict(t, id=self.ids.new("litl"), item_id=line_id,
                                   created_at=now, updated_at=now)
                              for t in original.get("tax_lines", [])],
            })
        swap["cart_id"] = cart["id"]
        self.store.swaps.put(swap)
        return cart

    def _validated_channel(self, channel_id: str | None) -> Record | None:
        if channel_id is None:
            default = self._default_channel()
            return self.store.sales_channels.get(default) if default else None
        channel = self.store.sales_channels.get(channel_id)
        if channel is None or channel.get("deleted_at") is not None:
            raise MedusaError(ErrorType.NOT_FOUND,
                              f"Sales channel with id: {channel_id} was not found")
        if channel.get("is_disabled"):
            raise MedusaError(ErrorType.INVALID_DATA, "Unable to assign the cart to a disabled "
                              f"Sales Channel \"{channel['name']}\"")
        return channel

    def _region_countries(self, region_id: str) -> list[str]:
        rows = self.store.countries.by("region_id", region_id)
        rows.sort(key=lambda c: c.get("region_rank", 0))
        return [c["iso_2"] for c in rows]

    def _new_address(self, fields: dict[str, Any], customer_id: str | None = None) -> Record:
        now = self.clock.iso()
        record: Record = {"id": self.ids.new("addr"), "customer_id": customer_id}
        for key in ADDRESS_KEYS:
            record[key] = copy.deepcopy(fields.get(key))
        if record.get("country_code"):
            record["country_code"] = str(record["country_code"]).lower()
        record.update({"created_at": now, "updated_at": now, "deleted_at": None})
        self.store.addresses.put(record)
        return record

    # -- line items ---------------------------------------------------------------------------
    def generate_line(self, variant_id: str, quantity: int, region: Record,
                      customer_id: str | None) -> line_items.LineFields:
        """``lineItemService.generate``: the line a variant makes in a region."""
        variant = self.store.product_variants.get(variant_id) if isinstance(
            variant_id, str) else None
        if variant is None or variant.get("deleted_at") is not None:
            raise MedusaError(ErrorType.INVALID_DATA, "Unable to generate the line items, some "
                              f"variant has not been found: {variant_id}")
        price = self.pricing.line_price(variant, region["id"], customer_id=customer_id,
                                        quantity=quantity)
        if price is None:
            raise MedusaError(ErrorType.INVALID_DATA,
                              f"Cannot generate line item for variant \"{variant['title']}\" "
                              "without a price")
        # ``generateLineItem`` writes ``quantity || 1``
        return line_items.line_fields(self.store, variant, price, quantity or 1)

    def _check_line_channel(self, cart: Record, lines: list[line_items.LineFields]) -> None:
        channel = cart.get("sales_channel_id")
        if not channel:
            return
        # JavaScript's join writes a missing title as ""
        bad = [line["title"] or "" for line in lines
               if not self._product_in_channel(line["product_id"], channel)]
        if bad:
            raise MedusaError(ErrorType.INVALID_DATA, f"The products [{' - '.join(bad)}] must "
                              "belongs to the sales channel on which the cart has been created.")

    def _product_in_channel(self, product_id: str, channel_id: str) -> bool:
        product = self.store.products.get(product_id)
        return product is not None and channel_id in (product.get("sales_channel_ids") or [])

    def covered(self, variant_id: str, quantity: int) -> bool:
        """``confirmInventory`` for a line of this variant."""
        return inventory.covered(self.store.product_variants.get(variant_id), quantity)

    def _add_lines(self, cart: Record, lines: list[line_items.LineFields]) -> None:
        """``addOrUpdateLineItems``: merge into a line of the same variant (same metadata) or
        create one; every line loses ``has_shipping`` and the shipping methods go."""
        existing = {i["variant_id"]: i for i in self.items(cart["id"]) if i.get("should_merge")}
        now = self.clock.iso()
        for line in lines:
            current = existing.get(line["variant_id"])
            merge = current is not None and line["should_merge"] and (
                current.get("metadata") or {}) == (line.get("metadata") or {})
            quantity = current["quantity"] + line["quantity"] if merge and current else line[
                "quantity"]
            if not self.covered(line["variant_id"], quantity):
                raise MedusaError(ErrorType.NOT_ALLOWED, f"Variant with id: {line['variant_id']}"
                                  " does not have the required inventory",
                                  code=INSUFFICIENT_INVENTORY)
            storable_quantity(quantity)
            if merge and current is not None:
                current["quantity"] = quantity
                current["unit_price"] = line["unit_price"]
                current["updated_at"] = now
            else:
                record = line_items.new_line(line, line_id=self.ids.new("item"), now=now,
                                             cart_id=cart["id"])
                self.store.line_items.put(record)
                existing[record["variant_id"]] = record
        for item in self.items(cart["id"]):
            item["has_shipping"] = False
        cart["shipping_methods"] = []
        self._refresh_adjustments(cart)
        self._touch(cart)

    def add_line_item(self, cart_id: str, variant_id: str, quantity: int,
                      metadata: dict[str, Any] | None, *, customer_id: str | None) -> None:
        with self.store.lock:
            cart = self.get(cart_id)  # this route answers an unknown cart with not_found
            if not quantity:  # ``validateGenerateArguments`` of a single variant
                raise MedusaError(ErrorType.INVALID_DATA, MISSING_GENERATE_ARGUMENT)
            if cart.get("completed_at"):
                # real Medusa fails here with a not_found error whose message is "null"
                # (quirk `completed-cart-line-items-404`)
                raise MedusaError(ErrorType.NOT_FOUND, "null")
            region = self.region(cart)

            def step() -> None:
                line = self.generate_line(variant_id, quantity, region,
                                           customer_id or cart.get("customer_id"))
                if metadata is not None:
                    line["metadata"] = copy.deepcopy(metadata)
                self._check_line_channel(cart, [line])
                self._add_lines(cart, [line])
                self._update_sessions_if_any(cart)
            self._atomic(cart, step)
            self.outbox.emit("cart.updated", {"id": cart["id"]})

    def update_line_item(self, cart_id: str, item_id: str, quantity: int,
                         metadata: dict[str, Any] | None) -> None:
        with self.store.lock:
            cart = self.get_or_fail(cart_id)

            def step() -> None:
                if quantity == 0:
                    self._remove_line(cart, item_id)
                else:
                    item = next((i for i in self.items(cart["id"]) if i["id"] == item_id), None)
                    if item is None:
                        raise MedusaError(ErrorType.INVALID_DATA, "Could not find the line item")
                    if item.get("variant_id") and not self.covered(item["variant_id"],
                                                                    quantity):
                        raise MedusaError(ErrorType.NOT_ALLOWED,
                                          "Inventory doesn't cover the desired quantity",
                                          code=INSUFFICIENT_INVENTORY)
                    storable_quantity(quantity)
                    region = self.region(cart)
                    line = self.generate_line(item["variant_id"], quantity, region,
                                               cart.get("customer_id"))
                    cart["shipping_methods"] = []
                    item["quantity"] = quantity
                    item["unit_price"] = line["unit_price"]
                    if metadata is not None:
                        item["metadata"] = copy.deepcopy(metadata)
                    item["updated_at"] = self.clock.iso()
                    self._refresh_adjustments(cart)
                    self._touch(cart)
                self._update_sessions_if_any(cart)
            self._atomic(cart, step)
            self.outbox.emit("cart.updated", {"id": cart["id"]})

    def _remove_line(self, cart: Record, item_id: str) -> None:
        """``removeLineItem``: an unknown line changes nothing."""
        item = next((i for i in self.items(cart["id"]) if i["id"] == item_id), None)
        if item is None:
            return
        cart["shipping_methods"] = []
        for other in self.items(cart["id"]):
            other["has_shipping"] = False
        self.store.line_items.delete(item_id)
        self._refresh_adjustments(cart)
        self._touch(cart)

    def delete_line_item(self, cart_id: str, item_id: str) -> None:
        with self.store.lock:
            cart = self.get_or_fail(cart_id)

            def step() -> None:
                self._remove_line(cart, item_id)
                self._update_sessions_if_any(cart)
            self._atomic(cart, step)
            self.outbox.emit("cart.updated", {"id": cart["id"]})

    # -- update -------------------------------------------------------------------------------
    def update(self, cart_id: str, data: dict[str, Any], *, customer_id: str | None) -> None:
        with self.store.lock:
            cart = self.get_or_fail(cart_id)
            self._atomic(cart, lambda: self._update(cart, data, customer_id))
            self.outbox.emit("cart.updated", {"id": cart["id"]})

    def _update(self, cart: Record, data: dict[str, Any], customer_id: str | None) -> None:
        data = dict(data)
        if customer_id:  # the route sets the logged-in customer
            data["customer_id"] = customer_id
        old_customer = cart.get("customer_id")
        if data.get("customer_id"):
            customer = self.customers.get(data["customer_id"])
            cart["customer_id"], cart["email"] = customer["id"], customer["email"]
        elif "email" in data:  # ``isDefined``: a null email is checked (and refused) too
            customer = self._guest_customer(data["email"])
            cart["customer_id"], cart["email"] = customer["id"], customer["email"]
        if "customer_id" in data or "region_id" in data:
            self._reprice(cart, data.get("region_id") or cart["region_id"])
        if "region_id" in data and data["region_id"] != cart["region_id"]:
            shipping = data.get("shipping_address")
            code = data.get("country_code") or (
                shipping.get("country_code") if isinstance(shipping, dict) else None)
            self._set_region(cart, data["region_id"], code)
        if "billing_address" in data:
            if data["billing_address"] is None:  # ``updateBillingAddress_`` reads null.id
                null_property_fails("billing_address")
            self._set_address(cart, "billing_address_id", data["billing_address"],
                              check_region=False)
        if "shipping_address" in data:
            self._set_address(cart, "shipping_address_id", data["shipping_address"],
                              check_region=True)
        # ``isDefined``: an empty id is looked up too (and not found)
        if "sales_channel_id" in data and data["sales_channel_id"] != cart.get(
                "sales_channel_id"):
            if data["sales_channel_id"] is None:
                null_property_fails("sales_channel_id")
            channel = self._validated_channel(data["sales_channel_id"])
            assert channel is not None
            for item in self.items(cart["id"]):
                if not self._product_in_channel(item.get("product_id") or "", channel["id"]):
                    self._remove_line(cart, item["id"])
            cart["sales_channel_id"] = channel["id"]
        if data.get("discounts"):
            self._apply_discounts(cart, [d["code"] for d in data["discounts"]])
        elif "discounts" in data:
            if data["discounts"] is None:  # ``isDefined(null) && null.length``
                null_property_fails("discounts")
            cart["discount_ids"] = []
            self._refresh_adjustments(cart)
        if "gift_cards" in data:
            cart["gift_card_ids"] = []
            for entry in data.get("gift_cards") or []:
                self._apply_gift_card(cart, entry["code"])
        if isinstance(data.get("metadata"), dict):  # any object is truthy, {} too
            cart["metadata"] = _merge_metadata(cart.get("metadata"), data["metadata"])
        if "context" in data:
            cart["context"] = {**(cart.get("context") or {}), **(data.get("context") or {})}
        self._touch(cart)
        if cart.get("customer_id") != old_customer:
            self.outbox.emit("cart.customer_updated", {"id": cart["id"]})
        # the route: refresh the payment sessions of a cart that has some
        self._update_sessions_if_any(cart)

    def _guest_customer(self, email: Any) -> Record:
        if not isinstance(email, str) or not email.strip():  # ``validateEmail``
            raise MedusaError(ErrorType.INVALID_DATA, "The email is not valid")
        email = email.strip().lower()
        existing = self.customers.find_by_email(email, registered=False)
        if existing is not None:
            return existing
        return self.customers.create({"email": email})

    def _reprice(self, cart: Record, region_id: str) -> None:
        """``updateUnitPrices_``: each line takes its price in the (new) region; a line whose
        variant has none is removed."""
        region = self.pricing.region(region_id)
        for item in self.items(cart["id"]):
            if not item.get("variant_id"):
                continue
            variant = self.store.product_variants.get(item["variant_id"])
            price = self.pricing.line_price(
                variant, region["id"], customer_id=cart.get("customer_id"),
                quantity=item["quantity"]) if variant else None
            if price is None:
                self.store.line_items.delete(item["id"])
            else:
                item["unit_price"] = price
                item["has_shipping"] = False

    def _set_region(self, cart: Record, region_id: Any, country_code: str | None) -> None:
        if cart.get("completed_at") or cart.get("payment_authorized_at"):
            raise MedusaError(ErrorType.NOT_ALLOWED,
                              "Cannot change the region of a completed cart")
        region = self.pricing.region(region_id)
        cart["region_id"] = region["id"]
        countries = self._region_countries(region["id"])
        current = self.store.addresses.get(cart.get("shipping_address_id") or "")
        fields = {k: current.get(k) for k in ADDRESS_KEYS} if current else {}
        if country_code is not None:
            if country_code.lower() not in countries:
                raise MedusaError(ErrorType.NOT_ALLOWED, "Country not available in region")
            fields["country_code"] = country_code.lower()
        else:
            if fields.get("country_code"):
                fields["country_code"] = None
            if len(countries) == 1:
                fields["country_code"] = countries[0]
        if fields or current is not None:
            self._set_address(cart, "shipping_address_id", fields, check_region=True)
        cart["shipping_methods"] = []
        cart["discount_ids"] = [d["id"] for d in self.discounts(cart)
                                if region["id"] in d.get("region_ids", [])]
        self._refresh_adjustments(cart)
        cart["gift_card_ids"] = []
        for session in self.sessions(cart["id"]):
            self.store.payment_sessions.delete(session["id"])

    def _set_address(self, cart: Record, column: str, value: Any, *, check_region: bool) -> None:
        if value is None:
            if column == "shipping_address_id":
                cart[column] = None
            return
        if isinstance(value, str):
            address = self.store.addresses.get(value)
            if address is None:
                # Medusa reads ``undefined.country_code`` here: a TypeError, unexpected
                raise UnexpectedError(f"address {value} not found", quirk="cart-unknown-id-500")
            fields = {k: address.get(k) for k in ADDRESS_KEYS}
        else:
            address = None
            fields = {k: v for k, v in value.items() if k in ADDRESS_KEYS}
        code = fields.get("country_code")
        if check_region and code and str(code).lower() not in self._region_countries(
                cart["region_id"]):
            raise MedusaError(ErrorType.INVALID_DATA,
                              "Shipping country must be in the cart region")
        if address is not None:
            cart[column] = address["id"]
            return
        # the row is written with the code as sent (not lower-cased): the country table's
        # foreign key decides
        check_country(self.store, code)
        current = self.store.addresses.get(cart.get(column) or "")
        if current is not None:
            for key, item in fields.items():
                current[key] = str(item).lower() if key == "country_code" and item else item
            current["updated_at"] = self.clock.iso()
        else:
            cart[column] = self._new_address(fields)["id"]

    # -- taxes --------------------------------------------------------------------------------
    def calculate_taxes(self, cart_id: str) -> dict[str, Any]:
        with self.store.lock:
            cart = self.get_or_fail(cart_id)
            return self.view(cart, frozenset(), force_taxes=True)

    def persist_tax_lines(self, cart: Record) -> None:
        """``createTaxLines``: store the computed lines, with ids, on the lines and methods."""
        computed = self.compute(cart, force_taxes=True)
        now = self.clock.iso()
        for item in self.items(cart["id"]):
            if item.get("is_return"):
                continue  # a returned line keeps the tax lines it was sold with
            lines = computed["items"].get(item["id"], {}).get("tax_lines", [])
            item["tax_lines"] = [line_items.tax_line(t, line_id=self.ids.new("litl"), now=now,
                                                     item_id=item["id"]) for t in lines]
        for method in cart.get("shipping_methods", []):
            lines = computed["shipping_methods"].get(method["id"], {}).get("tax_lines", [])
            method["tax_lines"] = [line_items.tax_line(t, line_id=self.ids.new("smtl"),
                                                       now=now, shipping_method_id=method["id"])
                                   for t in lines]


def _merge_metadata(current: dict[str, Any] | None, update: dict[str, Any]) -> dict[str, Any]:
    """Medusa's ``setMetadata``: keys are set, an empty string removes a key."""
    merged = dict(current or {})
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
