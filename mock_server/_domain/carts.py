"""Carts and checkout, as Medusa 1.20.11's cart service, routes and completion strategy do them.

A cart row keeps its columns plus ``discount_ids``, ``gift_card_ids`` and its shipping methods;
its lines live in the ``line_items`` table (``cart_id``), its payment sessions in
``payment_sessions``. Totals, tax lines and line adjustments are computed by
:mod:`.cart_totals`; this module decides *when* (Medusa refreshes adjustments after every change
of lines or discounts, and computes tax lines at read time in regions with automatic taxes).

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
from . import cart_totals, inventory, line_items, views
from .customers import ADDRESS_KEYS, CustomerService
from .errors import ErrorType, MedusaError, UnexpectedError
from .payments import PaymentProviders
from .pricing import PricingService

ADDRESS_COLUMNS = (
    "id", "created_at", "updated_at", "deleted_at", "customer_id", "company", "first_name",
    "last_name", "address_1", "address_2", "city", "country_code", "province", "postal_code",
    "phone", "metadata",
)
METHOD_COLUMNS = ("id", "shipping_option_id", "order_id", "claim_order_id", "cart_id", "swap_id",
                  "return_id", "price", "data")
DISCOUNT_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "code", "is_dynamic",
                    "rule_id", "is_disabled", "parent_discount_id", "starts_at", "ends_at",
                    "valid_duration", "usage_limit", "usage_count", "metadata")
RULE_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "description", "type", "value",
                "allocation", "metadata")
GIFT_CARD_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "code", "value", "balance",
                     "region_id", "order_id", "is_disabled", "ends_at", "tax_rate", "metadata")

# The relations each cart route loads (Medusa's ``defaultStoreCartRelations`` plus what the
# route adds), on top of the ones ``retrieveWithTotals`` always adds.
DEFAULT_RELATIONS = frozenset({
    "billing_address", "discounts", "gift_cards", "items", "payment", "payment_sessions",
    "region", "region.countries", "region.payment_providers", "sales_channel",
    "shipping_address", "shipping_methods", "shipping_methods.shipping_option",
})
WITH_CUSTOMER = DEFAULT_RELATIONS | {"customer"}
REFRESH_RELATIONS = frozenset({"region", "region.countries", "region.payment_providers",
                               "shipping_methods", "payment_sessions",
                               "shipping_methods.shipping_option"})
INSUFFICIENT_INVENTORY = "insufficient_inventory"
TOTALS_RELATIONS = frozenset({"items", "gift_cards", "discounts", "shipping_methods",
                              "shipping_address", "region"})


class CartService:
    def __init__(self, store: Store, clock: Clock, ids: IdGenerator, outbox: EventOutbox,
                 pricing: PricingService, customers: CustomerService,
                 payments: PaymentProviders, default_channel: Any) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids
        self.outbox = outbox
        self.pricing = pricing
        self.customers = customers
        self.payments = payments
        self._default_channel = default_channel  # () -> the store's default sales channel id

    # -- look-ups -----------------------------------------------------------------------------
    def get(self, cart_id: Any) -> Record:
        cart = self.store.carts.get(cart_id) if isinstance(cart_id, str) else None
        if cart is None or cart.get("deleted_at") is not None:
            raise MedusaError(ErrorType.NOT_FOUND, f"Cart with {cart_id} was not found")
        return cart

    def get_or_500(self, cart_id: str, *, shipping_options: bool = False) -> Record:
        """The cart, where Medusa's route loads it with a query that fails for an unknown id
        (a 500 ``unknown_error``, see the quirks registry)."""
        cart = self.store.carts.get(cart_id)
        if cart is None:
            if shipping_options:
                raise UnexpectedError(f"cart {cart_id} not found",
                                      quirk="cart-shipping-options-unknown-cart-500")
            raise UnexpectedError(f"cart {cart_id} not found", quirk="cart-unknown-id-500")
        return cart

    def items(self, cart_id: str) -> list[Record]:
        rows = self.store.line_items.find(lambda i: i.get("cart_id") == cart_id)
        rows.sort(key=lambda i: (i["created_at"], i["id"]))
        return rows

    def sessions(self, cart_id: str) -> list[Record]:
        rows = self.store.payment_sessions.find(lambda s: s.get("cart_id") == cart_id)
        rows.sort(key=lambda s: (s["created_at"], s["id"]))
        return rows

    def region(self, cart: Record) -> Record:
        return self.pricing.region(cart["region_id"])

    def discounts(self, cart: Record) -> list[Record]:
        return [d for i in cart.get("discount_ids", []) if (d := self.store.discounts.get(i))]

    def gift_cards(self, cart: Record) -> list[Record]:
        return [g for i in cart.get("gift_card_ids", []) if (g := self.store.gift_cards.get(i))]

    def _touch(self, cart: Record) -> None:
        cart["updated_at"] = self.clock.iso()

    # -- totals -------------------------------------------------------------------------------
    def _totals_input(self, cart: Record) -> dict[str, Any]:
        region = self.region(cart)
        region_in = {"id": region["id"], "tax_rate": region["tax_rate"],
                     "gift_cards_taxable": region.get("gift_cards_taxable", True),
                     "automatic_taxes": bool(region.get("automatic_taxes", True)),
                     "tax_code": region.get("tax_code")}
        items = []
        for item in self.items(cart["id"]):
            entry = {k: item.get(k) for k in ("id", "unit_price", "quantity", "allow_discounts",
                                               "is_giftcard", "variant_id", "product_id",
                                               "is_return")}
            entry["adjustments"] = copy.deepcopy(item.get("adjustments", []))
            entry["tax_lines"] = copy.deepcopy(item.get("tax_lines", []))
            items.append(entry)
        methods = [{"id": m["id"], "price": m["price"],
                    "shipping_option_id": m["shipping_option_id"],
                    "tax_lines": copy.deepcopy(m.get("tax_lines", []))}
                   for m in cart.get("shipping_methods", [])]
        discounts = [self._discount_in(d) for d in self.discounts(cart)]
        cards = [{"id": g["id"], "code": g["code"], "balance": g["balance"], "value": g["value"],
                  "tax_rate": g.get("tax_rate"), "ends_at": g.get("ends_at")}
                 for g in self.gift_cards(cart)]
        return {"region": region_in, "items": items, "shipping_methods": methods,
                "discounts": discounts, "gift_cards": cards}

    @staticmethod
    def _discount_in(discount: Record) -> dict[str, Any]:
        return {"id": discount["id"], "code": discount["code"],
                "rule": {k: discount["rule"][k] for k in ("type", "value", "allocation")},
                "regions": list(discount.get("region_ids", []))}

    def compute(self, cart: Record, *, force_taxes: bool = False) -> dict[str, Any]:
        data = self._totals_input(cart)
        return cart_totals.compute(data["region"], data["items"], data["shipping_methods"],
                                   data["discounts"], data["gift_cards"],
                                   force_taxes=force_taxes)

    def total(self, cart: Record) -> int:
        return int(self.compute(cart, force_taxes=True)["cart"]["total"])

    def _refresh_adjustments(self, cart: Record) -> None:
        """``refreshAdjustments_``: drop the discount adjustments of the cart's lines and create
        them again for its (first non-free-shipping) discount."""
        items = self.items(cart["id"])
        for item in items:
            item["adjustments"] = [a for a in item.get("adjustments", [])
                                   if a.get("discount_id") is None]
        discount = next((d for d in self.discounts(cart)
                         if d["rule"]["type"] != "free_shipping"), None)
        if discount is None or not items:
            return
        region = self._totals_input(cart)["region"]
        lines = [{k: i.get(k) for k in ("id", "unit_price", "quantity", "allow_discounts",
                                         "is_giftcard", "variant_id", "product_id")}
                 for i in items if not i.get("is_return")]
        made = cart_totals.line_adjustments(lines, self._discount_in(discount), region)
        by_id = {i["id"]: i for i in items}
        for item_id, adjustments in made.items():
            for adjustment in adjustments:
                by_id[item_id]["adjustments"].append({
                    "id": self.ids.new("lia"), "item_id": item_id,
                    "description": adjustment.get("description", "discount"),
                    "discount_id": adjustment["discount_id"], "amount": adjustment["amount"],
                    "metadata": adjustment.get("metadata"),
                })

    # -- views --------------------------------------------------------------------------------
    def view(self, cart: Record, relations: frozenset[str] = DEFAULT_RELATIONS, *,
             force_taxes: bool = False, raw_discount: bool = False) -> dict[str, Any]:
        """A cart as the routes return it: columns, the loaded relations (in TypeORM's
        alphabetical order) and the totals of ``retrieveWithTotals``."""
        store = self.store
        relations = relations | TOTALS_RELATIONS
        computed = self.compute(cart, force_taxes=force_taxes)
        out = {k: copy.deepcopy(cart.get(k)) for k in views.CART_COLUMNS}
        rel: dict[str, Any] = {}
        if "billing_address" in relations:
            rel["billing_address"] = _address(store, cart.get("billing_address_id"))
        if "customer" in relations:
            customer = store.customers.get(cart.get("customer_id") or "")
            rel["customer"] = views.pick(customer, views.CUSTOMER_FIELDS) if customer else None
        rel["discounts"] = [self._discount_view(d) for d in self.discounts(cart)]
        rel["gift_cards"] = [views.pick(g, GIFT_CARD_COLUMNS) for g in self.gift_cards(cart)]
        rel["items"] = [self._item_view(i, computed) for i in self.items(cart["id"])]
        if "payment" in relations:
            payment = store.payments.get(cart.get("payment_id") or "")
            rel["payment"] = views.pick(payment, views.PAYMENT_COLUMNS) if payment else None
        sessions = self.sessions(cart["id"]) if "payment_sessions" in relations else None
        if sessions is not None:
            rel["payment_sessions"] = [views.pick(s, views.PAYMENT_SESSION_COLUMNS)
                                       for s in sessions]
        rel["region"] = self._region_view(cart, relations)
        if "sales_channel" in relations:
            channel = store.sales_channels.get(cart.get("sales_channel_id") or "")
            rel["sales_channel"] = (views.pick(channel, views.SALES_CHANNEL_COLUMNS)
                                    if channel else None)
        rel["shipping_address"] = _address(store, cart.get("shipping_address_id"))
        with_option = "shipping_methods.shipping_option" in relations
        rel["shipping_methods"] = [self._method_view(m, computed, with_option=with_option)
                                   for m in cart.get("shipping_methods", [])]
        out.update(rel)
        if sessions is not None:
            selected = next((s for s in sessions if s.get("is_selected")), None)
            if selected is not None:
                out["payment_session"] = views.pick(selected, views.PAYMENT_SESSION_COLUMNS)
        totals = computed["cart"]
        for key in ("subtotal", "discount_total", "item_tax_total", "shipping_total",
                    "shipping_tax_total", "tax_total", "gift_card_total", "gift_card_tax_total",
                    "total"):
            out[key] = totals[key]
            if key == "discount_total" and raw_discount:
                out["raw_discount_total"] = totals.get("raw_discount_total", totals[key])
        return out

    def _discount_view(self, discount: Record) -> dict[str, Any]:
        view = views.pick(discount, DISCOUNT_COLUMNS)
        assert view is not None
        view["rule"] = views.pick(discount["rule"], RULE_COLUMNS)
        return view

    def _item_view(self, item: Record, computed: dict[str, Any]) -> dict[str, Any]:
        view = views.pick(item, line_items.ITEM_COLUMNS)
        assert view is not None
        view["adjustments"] = [dict(a) for a in item.get("adjustments", [])]
        totals = dict(computed["items"].get(item["id"], {}))
        view["tax_lines"] = totals.pop("tax_lines", views.tax_lines(item.get("tax_lines", [])))
        view["variant"] = self._variant_view(item.get("variant_id"))
        view.update(totals)
        return view

    def _variant_view(self, variant_id: str | None) -> dict[str, Any] | None:
        variant = self.store.product_variants.get(variant_id or "")
        if variant is None:
            return None
        view = views.pick(variant, views.VARIANT_FIELDS)
        assert view is not None
        product = self.store.products.get(variant["product_id"])
        if product is not None:
            entry = views.product_columns(product, None, with_collection=False)
            profile = self.store.shipping_profiles.get(product.get("profile_id") or "")
            profile_view = views.pick(profile, views.SHIPPING_PROFILE_COLUMNS)
            entry["profiles"] = [profile_view] if profile_view else []
            entry["profile"] = copy.deepcopy(profile_view)
            entry["profile_id"] = product.get("profile_id")
            view["product"] = entry
        return view

    def _method_view(self, method: Record, computed: dict[str, Any], *,
                     with_option: bool = True) -> dict[str, Any]:
        view = {k: copy.deepcopy(method.get(k)) for k in METHOD_COLUMNS}
        if with_option:
            option = self.store.shipping_options.get(method["shipping_option_id"])
            view["shipping_option"] = views.pick(option, views.SHIPPING_OPTION_COLUMNS)
        totals = dict(computed["shipping_methods"].get(method["id"], {}))
        view["tax_lines"] = totals.pop("tax_lines",
                                       views.tax_lines(method.get("tax_lines", [])))
        view.update(totals)
        return view

    def _region_view(self, cart: Record, relations: frozenset[str]) -> dict[str, Any]:
        region = self.region(cart)
        view = views.pick(region, views.REGION_COLUMNS)
        assert view is not None
        if "region.countries" in relations:
            countries = self.store.countries.find(lambda c: c["region_id"] == region["id"])
            countries.sort(key=lambda c: c.get("region_rank", 0))
            view["countries"] = [dict(views.pick(c, views.COUNTRY_COLUMNS) or {},
                                      id=c["country_id"]) for c in countries]
        if "region.payment_providers" in relations:
            view["payment_providers"] = [{"id": p, "is_installed": True}
                                         for p in region.get("payment_providers", [])]
        view["tax_rates"] = []
        return view

    def read(self, cart_id: str, relations: frozenset[str] = DEFAULT_RELATIONS, *,
             force_taxes: bool = False, raw_discount: bool = False) -> dict[str, Any]:
        with self.store.lock:
            return self.view(self.get(cart_id), relations, force_taxes=force_taxes,
                             raw_discount=raw_discount)

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
            region_id = data.get("region_id")
            if region_id is None:
                regions = [r for r in self.store.regions.values() if r.get("deleted_at") is None]
                if not regions:
                    raise MedusaError(ErrorType.INVALID_DATA,
                                      "A region is required to create a cart")
                region_id = regions[0]["id"]
            region = self.pricing.region(region_id)
            channel_id = data.get("sales_channel_id")
            if channel_id is None and len(key_channels) == 1:
                channel_id = key_channels[0]
            channel = self._validated_channel(channel_id)
            customer = None
            if customer_id:
                customer = self.customers.get(customer_id)
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
            snapshot = self.snapshot(cart)
            try:
                if shipping is not None:
                    cart["shipping_address_id"] = self._new_address(shipping)["id"]
                self.store.carts.put(cart)
                for line in lines:
                    self._add_lines(cart, [line])
            except MedusaError:
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
        self.store.carts.put(cart)
        for item_id in swap.get("additional_item_ids", []):
            item = self.store.line_items.get(item_id)
            if item is not None:
                item["cart_id"] = cart["id"]
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
        return cart

    def _validated_channel(self, channel_id: str | None) -> Record | None:
        if channel_id is None:
            default = self._default_channel()
            return self.store.sales_channels.get(default) if default else None
        channel = self.store.sales_channels.get(channel_id)
        if channel is None or channel.get("deleted_at") is not None:
            raise MedusaError(ErrorType.NOT_FOUND,
                              f"Sales channel with id {channel_id} was not found")
        if channel.get("is_disabled"):
            raise MedusaError(ErrorType.INVALID_DATA, "Unable to assign the cart to a disabled "
                              f"Sales Channel \"{channel['name']}\"")
        return channel

    def _region_countries(self, region_id: str) -> list[str]:
        rows = self.store.countries.find(lambda c: c["region_id"] == region_id)
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
                      customer_id: str | None) -> Record:
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
        return line_items.line_fields(self.store, variant, price, quantity)

    def _check_line_channel(self, cart: Record, lines: list[Record]) -> None:
        channel = cart.get("sales_channel_id")
        if not channel:
            return
        bad = [line["title"] for line in lines
               if not self._product_in_channel(line["product_id"], channel)]
        if bad:
            raise MedusaError(ErrorType.INVALID_DATA, f"The products [{' - '.join(bad)}] must "
                              "belongs to the sales channel on which the cart has been created.")

    def _product_in_channel(self, product_id: str, channel_id: str) -> bool:
        product = self.store.products.get(product_id)
        return bool(product) and channel_id in (product.get("sales_channel_ids") or [])

    def covered(self, variant_id: str, quantity: int) -> bool:
        """``confirmInventory`` for a line of this variant."""
        return inventory.covered(self.store.product_variants.get(variant_id), quantity)

    def _add_lines(self, cart: Record, lines: list[Record]) -> None:
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

    def snapshot(self, cart: Record) -> dict[str, Any]:
        return {"cart": copy.deepcopy(cart),
                "items": {i["id"]: copy.deepcopy(i) for i in self.items(cart["id"])},
                "sessions": {s["id"]: copy.deepcopy(s) for s in self.sessions(cart["id"])}}

    def rollback(self, cart: Record, snapshot: dict[str, Any], *, created: bool = False) -> None:
        """Undo a step that failed half-way: the cart, its lines and sessions as they were."""
        for item in self.items(cart["id"]):
            if item["id"] not in snapshot["items"]:
                self.store.line_items.delete(item["id"])
        for row in snapshot["items"].values():
            self.store.line_items.put(row)
        for session in self.sessions(cart["id"]):
            if session["id"] not in snapshot["sessions"]:
                self.store.payment_sessions.delete(session["id"])
        for row in snapshot["sessions"].values():
            self.store.payment_sessions.put(row)
        if created:
            self.store.carts.delete(cart["id"])
            if cart.get("shipping_address_id"):
                self.store.addresses.delete(cart["shipping_address_id"])
        else:
            cart.clear()
            cart.update(snapshot["cart"])

    def _atomic(self, cart: Record, step: Any) -> Any:
        snapshot = self.snapshot(cart)
        try:
            return step()
        except (MedusaError, UnexpectedError):
            self.rollback(cart, snapshot)
            raise

    def add_line_item(self, cart_id: str, variant_id: str, quantity: int,
                      metadata: dict[str, Any] | None, *, customer_id: str | None) -> None:
        with self.store.lock:
            cart = self.get(cart_id)  # this route answers an unknown cart with 404
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
            cart = self.get_or_500(cart_id)

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
            cart = self.get_or_500(cart_id)

            def step() -> None:
                self._remove_line(cart, item_id)
                self._update_sessions_if_any(cart)
            self._atomic(cart, step)
            self.outbox.emit("cart.updated", {"id": cart["id"]})

    # -- update -------------------------------------------------------------------------------
    def update(self, cart_id: str, data: dict[str, Any], *, customer_id: str | None) -> None:
        with self.store.lock:
            cart = self.get_or_500(cart_id)
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
        elif data.get("email") is not None:
            customer = self._guest_customer(data["email"])
            cart["customer_id"], cart["email"] = customer["id"], customer["email"]
        if data.get("customer_id") or data.get("region_id"):
            self._reprice(cart, data.get("region_id") or cart["region_id"])
        if data.get("region_id") and data["region_id"] != cart["region_id"]:
            shipping = data.get("shipping_address")
            code = data.get("country_code") or (
                shipping.get("country_code") if isinstance(shipping, dict) else None)
            self._set_region(cart, data["region_id"], code)
        if data.get("billing_address") is not None:
            self._set_address(cart, "billing_address_id", data["billing_address"],
                              check_region=False)
        if "shipping_address" in data:
            self._set_address(cart, "shipping_address_id", data["shipping_address"],
                              check_region=True)
        if data.get("sales_channel_id") and data["sales_channel_id"] != cart.get(
                "sales_channel_id"):
            channel = self._validated_channel(data["sales_channel_id"])
            assert channel is not None
            for item in self.items(cart["id"]):
                if not self._product_in_channel(item.get("product_id") or "", channel["id"]):
                    self._remove_line(cart, item["id"])
            cart["sales_channel_id"] = channel["id"]
        if data.get("discounts"):
            self._apply_discounts(cart, [d["code"] for d in data["discounts"]])
        elif "discounts" in data and data["discounts"] is not None:
            cart["discount_ids"] = []
            self._refresh_adjustments(cart)
        if "gift_cards" in data:
            cart["gift_card_ids"] = []
            for entry in data.get("gift_cards") or []:
                self._apply_gift_card(cart, entry["code"])
        if data.get("metadata"):
            cart["metadata"] = _merge_metadata(cart.get("metadata"), data["metadata"])
        if "context" in data:
            cart["context"] = {**(cart.get("context") or {}), **(data.get("context") or {})}
        self._touch(cart)
        if cart.get("customer_id") != old_customer:
            self.outbox.emit("cart.customer_updated", {"id": cart["id"]})
        # the route: refresh the payment sessions of a cart that has some
        self._update_sessions_if_any(cart)

    def _guest_customer(self, email: str) -> Record:
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

    def _set_region(self, cart: Record, region_id: str, country_code: str | None) -> None:
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
                # Medusa reads ``undefined.country_code`` here: a TypeError, answered 500
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
        current = self.store.addresses.get(cart.get(column) or "")
        if current is not None:
            for key, item in fields.items():
                current[key] = str(item).lower() if key == "country_code" and item else item
            current["updated_at"] = self.clock.iso()
        else:
            cart[column] = self._new_address(fields)["id"]

    # -- discounts and gift cards -------------------------------------------------------------
    def _apply_discounts(self, cart: Record, codes: list[str]) -> None:
        """``update`` with ``discounts``: Medusa empties the cart's discounts, then
        ``applyDiscounts`` keeps every free-shipping discount given and the first other one.
        Line adjustments are recreated only when a non-free-shipping discount was given (so the
        adjustments of a replaced discount stay on the lines, counting for nothing)."""
        found: list[Record] = []
        for code in codes:
            discount = self.store.discounts.first(
                lambda d, c=code: d["code"] == str(c).upper() and d.get("deleted_at") is None)
            if discount is not None and discount not in found:
                found.append(discount)
        missing = [c for c in codes if not any(d["code"] == str(c).upper() for d in found)]
        if missing:
            raise MedusaError(ErrorType.NOT_FOUND,
                              f"Discounts with code [{', '.join(map(str, missing))}] was not "
                              "found")
        for discount in found:
            self._validate_discount(cart, discount)
        previous = self.discounts(cart)
        chosen: list[str] = []
        saw_not_shipping = False
        for discount in found:
            if discount["rule"]["type"] == "free_shipping":
                chosen.append(discount["id"])
            elif not saw_not_shipping:
                saw_not_shipping = True
                chosen.append(discount["id"])
        cart["discount_ids"] = chosen
        had_free = any(d["rule"]["type"] == "free_shipping" for d in previous)
        has_free = any(d["rule"]["type"] == "free_shipping" for d in self.discounts(cart))
        if had_free and not has_free:
            self._adjust_free_shipping(cart, False)
        if has_free:
            self._adjust_free_shipping(cart, True)
        if saw_not_shipping:
            self._refresh_adjustments(cart)

    def _validate_discount(self, cart: Record, discount: Record) -> None:
        """``validateDiscountForCartOrThrow`` for the rules a seed can express."""
        code = discount["code"]
        if discount.get("is_disabled"):
            raise MedusaError(ErrorType.NOT_ALLOWED,
                              f"The discount code {code} is disabled")
        now = self.clock.iso()
        if discount.get("starts_at") and discount["starts_at"] > now:
            raise MedusaError(ErrorType.NOT_ALLOWED, "Discount is not valid yet")
        if discount.get("ends_at") and discount["ends_at"] < now:
            raise MedusaError(ErrorType.NOT_ALLOWED, "Discount is expired")
        limit = discount.get("usage_limit")
        if limit is not None and discount.get("usage_count", 0) >= limit:
            raise MedusaError(ErrorType.NOT_ALLOWED,
                              "Discount has been used maximum allowed times")
        if cart["region_id"] not in discount.get("region_ids", []):
            raise MedusaError(ErrorType.INVALID_DATA,
                              "The discount is not available in current region")

    def _adjust_free_shipping(self, cart: Record, add: bool) -> None:
        for method in cart.get("shipping_methods", []):
            if add:
                method["price"] = 0
            else:
                option = self.store.shipping_options.get(method["shipping_option_id"]) or {}
                method["price"] = option.get("amount") or 0

    def _apply_gift_card(self, cart: Record, code: str) -> None:
        card = self.store.gift_cards.first(
            lambda g: g["code"] == code and g.get("deleted_at") is None)
        if card is None:
            raise MedusaError(ErrorType.NOT_FOUND, f"Gift card with code: {code} was not found")
        if card.get("is_disabled"):
            raise MedusaError(ErrorType.NOT_ALLOWED, "The gift card is disabled")
        if card["region_id"] != cart["region_id"]:
            raise MedusaError(ErrorType.INVALID_DATA,
                              "The gift card cannot be used in the current region")
        if card["id"] not in cart["gift_card_ids"]:
            cart["gift_card_ids"].append(card["id"])

    def remove_discount(self, cart_id: str, code: str) -> None:
        with self.store.lock:
            cart = self.get_or_500(cart_id)

            def step() -> None:
                discounts = self.discounts(cart)
                if any(d["rule"]["type"] == "free_shipping" for d in discounts):
                    self._adjust_free_shipping(cart, False)
                cart["discount_ids"] = [d["id"] for d in discounts if d["code"] != code]
                self._refresh_adjustments(cart)
                self._touch(cart)
                self._update_sessions_if_any(cart)
            self._atomic(cart, step)
            self.outbox.emit("cart.updated", {"id": cart["id"]})

    # -- shipping -----------------------------------------------------------------------------
    def shipping_options(self, cart_id: str) -> list[dict[str, Any]]:
        """``GET /store/shipping-options/{cart_id}``: the region's options whose requirements the
        cart meets, for the profiles of its lines, priced with the region's tax."""
        with self.store.lock:
            cart = self.get_or_500(cart_id, shipping_options=True)
            computed = self.compute(cart)
            subtotal = computed["cart"]["subtotal"]
            profiles = self._cart_profiles(cart)
            out = []
            for option in self.store.shipping_options.values():
                if (option.get("deleted_at") is not None or option.get("admin_only")
                        or option.get("is_return") or option["region_id"] != cart["region_id"]
                        or option["profile_id"] not in profiles
                        or not self._requirements_met(option, subtotal)):
                    continue
                view = views.pick(option, views.SHIPPING_OPTION_COLUMNS)
                assert view is not None
                profile = self.store.shipping_profiles.get(option["profile_id"])
                view["profile"] = views.pick(profile, views.SHIPPING_PROFILE_COLUMNS)
                view["requirements"] = [dict(r) for r in option.get("requirements", [])
                                        if r.get("deleted_at") is None]
                view.update(self.pricing.shipping_option_pricing(option))
                out.append(view)
            return out

    def _cart_profiles(self, cart: Record) -> set[str]:
        profiles = set()
        for item in self.items(cart["id"]):
            product = self.store.products.get(item.get("product_id") or "")
            if product is not None and product.get("profile_id"):
                profiles.add(product["profile_id"])
        return profiles

    @staticmethod
    def _requirements_met(option: Record, subtotal: int) -> bool:
        for requirement in option.get("requirements", []):
            if requirement.get("deleted_at") is not None:
                continue
            if requirement["type"] == "min_subtotal" and subtotal < requirement["amount"]:
                return False
            if requirement["type"] == "max_subtotal" and subtotal > requirement["amount"]:
                return False
        return True

    def add_shipping_method(self, cart_id: str, option_id: str,
                            data: dict[str, Any] | None) -> None:
        with self.store.lock:
            cart = self.get_or_500(cart_id)
            self._atomic(cart, lambda: self._add_shipping_method(cart, option_id, data or {}))
            self.outbox.emit("cart.updated", {"id": cart["id"]})

    def _add_shipping_method(self, cart: Record, option_id: str, data: dict[str, Any]) -> None:
        option = self.store.shipping_options.get(option_id)
        if option is None or option.get("deleted_at") is not None:
            raise MedusaError(ErrorType.NOT_FOUND,
                              f"Shipping Option with id: {option_id} was not found")
        if option["region_id"] != cart["region_id"]:
            raise MedusaError(ErrorType.NOT_ALLOWED,
                              "The shipping option is not available in the cart's region")
        subtotal = self.compute(cart)["cart"]["subtotal"]
        if not self._requirements_met(option, subtotal):
            raise MedusaError(ErrorType.NOT_ALLOWED,
                              "The Cart does not satisfy the shipping option's requirements")
        method = {"id": self.ids.new("sm"), "shipping_option_id": option["id"],
                  "order_id": None, "claim_order_id": None, "cart_id": cart["id"],
                  "swap_id": None, "return_id": None, "price": option.get("amount") or 0,
                  "data": copy.deepcopy(data), "tax_lines": []}
        kept = [m for m in cart.get("shipping_methods", [])
                if (self.store.shipping_options.get(m["shipping_option_id"]) or {}).get(
                    "profile_id") != option["profile_id"]]
        cart["shipping_methods"] = [method, *kept]
        profiles = {(self.store.shipping_options.get(m["shipping_option_id"]) or {}).get(
            "profile_id") for m in cart["shipping_methods"]}
        for item in self.items(cart["id"]):
            product = self.store.products.get(item.get("product_id") or "") or {}
            profile = product.get("profile_id")
            item["has_shipping"] = (not profile) or profile in profiles
        if any(d["rule"]["type"] == "free_shipping" for d in self.discounts(cart)):
            self._adjust_free_shipping(cart, True)
        self._touch(cart)
        self._update_sessions_if_any(cart)

    # -- payment sessions ---------------------------------------------------------------------
    def _new_session(self, cart: Record, provider_id: str, total: int, *,
                     initiated: bool) -> Record:
        now = self.clock.iso()
        session = {
            "id": self.ids.new("ps"), "created_at": now, "updated_at": now,
            "cart_id": cart["id"], "provider_id": provider_id, "is_selected": None,
            "is_initiated": initiated, "status": "pending",
            "data": self.payments.initiate(provider_id, {"amount": total}) if initiated else {},
            "idempotency_key": None, "amount": total, "payment_authorized_at": None,
        }
        self.store.payment_sessions.put(session)
        return session

    def _set_sessions(self, cart: Record) -> None:
        """``setPaymentSessions``: one session per provider of the region, amounts kept current;
        a region with one provider gets its session created and selected."""
        total = self.total(cart)
        region = self.region(cart)
        sessions = self.sessions(cart["id"])
        if total <= 0:
            for session in sessions:
                self.store.payment_sessions.delete(session["id"])
            return
        providers = list(region.get("payment_providers", []))
        consumed = set()
        now = self.clock.iso()
        for session in sessions:
            if session["provider_id"] not in providers:
                self.store.payment_sessions.delete(session["id"])
                continue
            consumed.add(session["provider_id"])
            if session.get("is_selected") and session.get("is_initiated"):
                session["amount"] = total
                session["updated_at"] = now
                continue
            if session.get("is_initiated"):
                session.update({"is_initiated": False, "data": {}, "status": "pending"})
            session["amount"] = total
            session["updated_at"] = now
        has_selected = any(s.get("is_selected") for s in self.sessions(cart["id"]))
        if len(providers) == 1 and not has_selected:
            current = next((s for s in self.sessions(cart["id"])
                            if s["provider_id"] == providers[0]), None)
            if current is not None:  # Medusa creates a second row here: a duplicate key (422)
                raise MedusaError(ErrorType.DUPLICATE_ERROR, "Payment session with "
                                  f"{providers[0]} already exists for cart {cart['id']}")
            session = self._new_session(cart, providers[0], total, initiated=True)
            session["is_selected"] = True
            return
        for provider in providers:
            if provider not in consumed:
                self._new_session(cart, provider, total, initiated=False)

    def _update_sessions_if_any(self, cart: Record) -> None:
        if self.sessions(cart["id"]):
            self._set_sessions(cart)

    def create_payment_sessions(self, cart_id: str) -> None:
        with self.store.lock:
            cart = self.get_or_500(cart_id)
            self._atomic(cart, lambda: self._set_sessions(cart))

    def select_payment_session(self, cart_id: str, provider_id: str) -> None:
        with self.store.lock:
            cart = self.get_or_500(cart_id)
            self._atomic(cart, lambda: self._select(cart, provider_id))
            self.outbox.emit("cart.updated", {"id": cart["id"]})

    def _select(self, cart: Record, provider_id: str) -> None:
        region = self.region(cart)
        if provider_id != "system" and provider_id not in region.get("payment_providers", []):
            raise MedusaError(ErrorType.NOT_ALLOWED,
                              "The payment method is not available in this region")
        sessions = self.sessions(cart["id"])
        for session in sessions:
            if session.get("is_selected") and session["provider_id"] != provider_id:
                session["data"] = {}
            session["is_selected"] = None
            session["is_initiated"] = False if session["provider_id"] != provider_id else \
                session.get("is_initiated")
        target = next((s for s in sessions if s["provider_id"] == provider_id), None)
        if target is None:
            raise MedusaError(ErrorType.UNEXPECTED_STATE, "Could not find payment session")
        total = self.total(cart)
        if not target.get("is_initiated"):
            target["data"] = self.payments.initiate(provider_id, {"amount": total})
        target.update({"is_selected": True, "is_initiated": True, "amount": total,
                       "updated_at": self.clock.iso()})

    def update_payment_session(self, cart_id: str, provider_id: str,
                               data: dict[str, Any]) -> None:
        """``POST /store/carts/{id}/payment-sessions/{provider_id}``: the selected session's
        data gets the update (Medusa ignores the provider id of the path)."""
        with self.store.lock:
            cart = self.get_or_500(cart_id)
            selected = next((s for s in self.sessions(cart["id"]) if s.get("is_selected")), None)
            if selected is not None:
                selected["data"] = self.payments.update_data(selected["provider_id"],
                                                             selected["data"], data)
                selected["updated_at"] = self.clock.iso()
            self.outbox.emit("cart.updated", {"id": cart["id"]})

    def refresh_payment_session(self, cart_id: str, provider_id: str) -> None:
        with self.store.lock:
            cart = self.get_or_500(cart_id)
            session = next((s for s in self.sessions(cart["id"])
                            if s["provider_id"] == provider_id), None)
            if session is not None:
                total = self.total(cart)
                if session.get("is_selected"):
                    # the provider's session is recreated; the new row is not selected
                    self.store.payment_sessions.delete(session["id"])
                    self._new_session(cart, provider_id, total, initiated=True)
                else:
                    session["amount"] = total
                    session["updated_at"] = self.clock.iso()
            self.outbox.emit("cart.updated", {"id": cart["id"]})

    def delete_payment_session(self, cart_id: str, provider_id: str) -> None:
        with self.store.lock:
            cart = self.get_or_500(cart_id)
            for session in self.sessions(cart["id"]):
                if session["provider_id"] == provider_id:
                    self.store.payment_sessions.delete(session["id"])
            self.outbox.emit("cart.updated", {"id": cart["id"]})

    # -- taxes --------------------------------------------------------------------------------
    def calculate_taxes(self, cart_id: str) -> dict[str, Any]:
        with self.store.lock:
            cart = self.get_or_500(cart_id)
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


def _address(store: Store, address_id: str | None) -> dict[str, Any] | None:
    record = store.addresses.get(address_id or "")
    return views.pick(record, ADDRESS_COLUMNS) if record else None


def _merge_metadata(current: dict[str, Any] | None, update: dict[str, Any]) -> dict[str, Any]:
    """Medusa's ``setMetadata``: keys are set, an empty string removes a key."""
    merged = dict(current or {})
    for key, value in update.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
