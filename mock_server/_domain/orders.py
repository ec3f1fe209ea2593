"""Orders: look-ups, the store view with totals, and the claim -> confirm ownership transfer."""

from __future__ import annotations

from typing import Any

from .._claim_tokens import CLAIM_TOKEN_EVENT, CLAIM_TOKEN_TTL
from .._state.clock import Clock
from .._state.outbox import EventOutbox
from .._state.store import Record, Store
from . import cart_totals, views
from .customers import CustomerService
from .errors import ErrorType, MedusaError, UnexpectedError, not_found
from .listing import ListConfig, list_config, page
from .tokens import TokenError, TokenService

# The Store order routes' query configuration (``api/routes/store/orders/index.js``).
DEFAULT_ORDER_RELATIONS = (
    "shipping_address", "fulfillments", "fulfillments.tracking_links", "items", "items.variant",
    "shipping_methods", "shipping_methods.shipping_option", "discounts", "discounts.rule",
    "customer", "payments", "region",
)
ALLOWED_ORDER_RELATIONS = (*DEFAULT_ORDER_RELATIONS, "billing_address")
# ``getTotalsRelations``: what an order's totals need is loaded whatever ``expand`` names
TOTALS_RELATIONS = frozenset({"items", "items.variant", "discounts", "discounts.rule",
                              "shipping_methods", "region", "payments"})
ALLOWED_ORDER_FIELDS = (
    *views.STORE_ORDER_FIELDS, "object", "shipping_total", "discount_total", "tax_total",
    "refunded_total", "total", "subtotal", "paid_total", "refundable_amount", "gift_card_total",
    "gift_card_tax_total", "items.refundable",
)


def stored_totals(order: Record, items: list[Record], region: Record | None = None,
                  ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """An order's per-line and overall totals, computed as for the cart it came from but from
    its stored tax lines (Medusa's order decorateTotals), and its (first non free-shipping)
    discount."""
    region = region or {}
    region_in = {"id": region.get("id"), "tax_rate": region.get("tax_rate") or 0,
                 "gift_cards_taxable": region.get("gift_cards_taxable", True),
                 "automatic_taxes": False, "tax_code": region.get("tax_code")}
    lines = [dict(i, adjustments=list(i.get("adjustments", [])),
                  tax_lines=list(i.get("tax_lines", []))) for i in items]
    methods = [dict(m) for m in order.get("shipping_methods", [])]
    discounts = [{"id": d["id"], "code": d["code"],
                  "rule": {k: d["rule"][k] for k in ("type", "value", "allocation")}}
                 for d in order.get("discounts", [])]
    computed = cart_totals.compute(region_in, lines, methods, discounts, [])
    discount = next((d for d in discounts if d["rule"]["type"] != "free_shipping"), None)
    return computed, discount


def loaded_only(view: dict[str, Any], expand: str | None) -> dict[str, Any]:
    """An order view without the default relations ``expand`` did not load: a given
    ``expand`` (even an empty one, which names none) replaces the route's default relations,
    and only the totals' relations are added to it."""
    if expand is None:
        return view
    loaded = set(TOTALS_RELATIONS)
    for name in filter(None, expand.split(",")):
        parts = name.split(".")
        loaded.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    for relation in DEFAULT_ORDER_RELATIONS:
        if relation in loaded:
            continue
        head, _, tail = relation.partition(".")
        if not tail:
            view.pop(head, None)
            continue
        value = view.get(head)
        for entry in value if isinstance(value, list) else [value]:
            if isinstance(entry, dict):
                entry.pop(tail, None)
    return view


def placed_order_total(order: Record, items: list[Record]) -> int:
    """What a customer pays for an order with these items: the amount its payment holds."""
    return int(stored_totals(order, items)[0]["cart"]["total"])


class OrderService:
    def __init__(self, store: Store, clock: Clock, outbox: EventOutbox, tokens: TokenService,
                 customers: CustomerService) -> None:
        self.store = store
        self.clock = clock
        self.outbox = outbox
        self.tokens = tokens
        self.customers = customers

    # -- views ---------------------------------------------------------------------------------
    def store_view(self, order: Record, *, route: str = "retrieve") -> dict[str, Any]:
        """An order as the Store order routes return it: default fields, relations, totals.

        ``route`` is which route asks: ``retrieve`` (by id, look-up), ``cart`` (by cart id:
        Medusa loads the totals relations unfiltered) or ``list`` (a customer's orders).
        """
        store = self.store
        view = views.pick(order, ("object", *views.STORE_ORDER_FIELDS))
        assert view is not None
        computed, discount = self._computed(order)
        items = []
        for item in views.order_items(store, order["id"]):
            entry = views.pick(item, views.LINE_ITEM_COLUMNS)
            assert entry is not None
            entry["tax_lines"] = views.tax_lines(item.get("tax_lines", []))
            entry["adjustments"] = [dict(a) for a in item.get("adjustments", [])]
            entry["variant"] = views.variant(store, item.get("variant_id"))
            line = {k: v for k, v in computed["items"].get(item["id"], {}).items()
                    if k != "tax_lines"}
            entry.update(line)
            entry["refundable"] = cart_totals.line_item_refundable(
                item, item.get("tax_lines", []), discount)
            items.append(entry)
        methods = []
        for method in order.get("shipping_methods", []):
            entry = {k: v for k, v in method.items() if k != "tax_lines"}
            entry["tax_lines"] = views.tax_lines(method.get("tax_lines", []))
            option = store.shipping_options.get(method.get("shipping_option_id") or "")
            entry["shipping_option"] = views.pick(option, views.SHIPPING_OPTION_FIELDS)
            entry.update({k: v for k, v in computed["shipping_methods"].get(
                method["id"], {}).items() if k != "tax_lines"})
            methods.append(entry)
        customer = store.customers.get(order.get("customer_id") or "")
        view.update({
            "shipping_address": views.address(
                store.addresses.get(order.get("shipping_address_id") or "")),
            "fulfillments": [dict(f, tracking_links=list(f.get("tracking_links", [])))
                             for f in order.get("fulfillments", [])],
            "items": items,
            "shipping_methods": methods,
            "discounts": [dict(d) for d in order.get("discounts", [])],
            "customer": views.pick(customer, views.CUSTOMER_FIELDS),
            "payments": [dict(p) for p in order.get("payments", [])],
            "region": views.region(store, store.regions.get(order["region_id"])),
        })
        paid = sum(p.get("amount", 0) for p in order.get("payments", []))
        refunded = sum(r.get("amount", 0) for r in order.get("refunds", []))
        view.update(cart_totals.order_totals(computed["cart"],
                                             order.get("gift_card_transactions", []),
                                             paid, refunded))
        if route in ("cart", "list"):
            for relation in ("claims", "gift_card_transactions", "gift_cards", "refunds", "swaps"):
                view[relation] = [dict(r) for r in order.get(relation, [])]
        if route == "list":
            view["raw_discount_total"] = view["discount_total"]
        return view

    def _computed(self, order: Record) -> tuple[dict[str, Any], dict[str, Any] | None]:
        region = self.store.regions.get(order["region_id"]) or {}
        return stored_totals(order, views.order_items(self.store, order["id"]), region)

    def completed_view(self, cart_id: str) -> dict[str, Any]:
        """The order a completed cart answers with (``retrieveByCartIdWithTotals`` with the
        shipping address, items and payments, plus the relations its totals need)."""
        order = self.store.orders.one_by("cart_id", cart_id)
        if order is None:
            raise not_found("Order", cart_id=cart_id)
        view = self.store_view(order, route="cart")
        for relation in ("customer", "fulfillments"):
            view.pop(relation, None)
        for method in view["shipping_methods"]:
            method.pop("shipping_option", None)
        columns = views.pick(order, views.ORDER_COLUMNS)
        assert columns is not None
        return {**columns, **{k: v for k, v in view.items() if k not in columns}}

    # -- look-ups ------------------------------------------------------------------------------
    @staticmethod
    def query_config(query: dict[str, Any] | None, *, is_list: bool) -> list[str] | None:
        """``transformStoreQuery`` of the order routes: ``fields``/``expand`` outside Medusa's
        allowed lists are ``invalid_data``; when either is given, the answer keeps only what they
        allow (``cleanResponseData``). ``None`` when the answer is the default one."""
        query = query or {}
        if query.get("fields") is None and query.get("expand") is None:
            return None
        config = list_config(query, default_fields=views.STORE_ORDER_FIELDS,
                             allowed_fields=ALLOWED_ORDER_FIELDS,
                             default_relations=DEFAULT_ORDER_RELATIONS,
                             allowed_relations=ALLOWED_ORDER_RELATIONS, is_list=is_list)
        return config.allowed_properties

    def retrieve(self, order_id: str, query: dict[str, Any] | None = None) -> dict[str, Any]:
        allowed = self.query_config(query, is_list=False)
        with self.store.lock:
            order = self.store.orders.get(order_id)
            if order is None:
                raise not_found("Order", id=order_id)
            self.store.orders.touch(order_id)
            view = loaded_only(self.store_view(order), (query or {}).get("expand"))
        return views.clean_response(view, allowed) if allowed is not None else view

    def retrieve_by_cart(self, cart_id: str) -> dict[str, Any]:
        with self.store.lock:
            order = self.store.orders.one_by("cart_id", cart_id)
            if order is None:
                raise not_found("Order", cart_id=cart_id)
            return self.store_view(order, route="cart")

    def lookup(self, display_id: int, email: str,
               query: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The single order with this display id and email, or ``None``."""
        allowed = self.query_config(query, is_list=True)
        with self.store.lock:
            matches = [o for o in self.store.orders.by("display_id", display_id)
                       if o["email"] == email]
            if len(matches) != 1:
                return None
            self.store.orders.touch(matches[0]["id"])
            view = loaded_only(self.store_view(matches[0]), (query or {}).get("expand"))
        return views.clean_response(view, allowed) if allowed is not None else view

    def list_for_customer(self, customer_id: str, *, limit: float, offset: float,
                          filters: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
        """A customer's orders, newest first, paged as TypeORM and PostgreSQL page (``limit``
        0 is no limit, fractions are rounded)."""
        def keep(order: Record) -> bool:
            if order["customer_id"] != customer_id:
                return False
            for key, wanted in filters.items():
                value = order.get(key)
                if isinstance(wanted, list):
                    if value not in wanted:
                        return False
                elif key == "q":
                    needle = str(wanted).lower()
                    if needle not in str(order.get("email", "")).lower() and needle != str(
                            order.get("display_id")):
                        return False
                elif str(value) != str(wanted):
                    return False
            return True

        with self.store.lock:
            orders = [o for o in self.store.orders.by("customer_id", customer_id) if keep(o)]
            orders.sort(key=lambda o: o["created_at"], reverse=True)
            shown = page(orders, ListConfig(select=None, relations=[], skip=offset, take=limit))
            return [self.store_view(o, route="list") for o in shown], len(orders)

    # -- claim -> confirm ----------------------------------------------------------------------
    def request_claim(self, customer_id: str | None, order_ids: list[str]) -> None:
        """Emit one claim token per distinct email among the given orders."""
        with self.store.lock:
            customer = self.customers.get(customer_id)
            if not customer["has_account"]:
                raise MedusaError(ErrorType.UNAUTHORIZED, "Customer does not have an account")
            by_email: dict[str, list[str]] = {}
            for order_id in dict.fromkeys(order_ids):
                order = self.store.orders.get(order_id)
                if order is not None:
                    by_email.setdefault(order["email"], []).append(order["id"])
            for email, ids in by_email.items():
                token = self.tokens.sign({"claimingCustomerId": customer_id, "orders": ids},
                                         expires_in=CLAIM_TOKEN_TTL)
                self.outbox.emit(CLAIM_TOKEN_EVENT, {
                    "old_email": email, "new_customer_id": customer["id"], "orders": ids,
                    "token": token,
                })

    def confirm_claim(self, token: str) -> None:
        """Give the token's orders to the claiming customer (their id and email)."""
        try:
            claims = self.tokens.verify(token, max_age=CLAIM_TOKEN_TTL)
        except TokenError as exc:
            raise UnexpectedError(str(exc), quirk="claim-confirm-bad-token-500") from None
        with self.store.lock:
            customer = self.customers.get(claims.get("claimingCustomerId"))
            order_ids = claims.get("orders")
            if isinstance(order_ids, str):
                order_ids = [order_ids]
            if not isinstance(order_ids, list):
                order_ids = []
            now = self.clock.iso()
            for order_id in order_ids:
                order = self.store.orders.get(order_id) if isinstance(order_id, str) else None
                if order is not None:
                    order["customer_id"] = customer["id"]
                    order["email"] = customer["email"]
                    order["updated_at"] = now
                    self.store.orders.put(order)  # filed under its new customer
