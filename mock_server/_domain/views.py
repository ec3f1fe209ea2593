"""What Medusa returns for each entity: the selected columns and relations, copied.

Each view copies what it reads, so callers may serialize it after the store lock is released.
"""

from __future__ import annotations

import copy
import functools
from typing import Any, overload

from .._state.reference import CURRENCIES
from .._state.store import Record, Store

CUSTOMER_FIELDS = (
    "id", "email", "first_name", "last_name", "billing_address_id", "phone", "has_account",
    "created_at", "updated_at", "deleted_at", "metadata",
)
ADDRESS_FIELDS = (
    "id", "customer_id", "company", "first_name", "last_name", "address_1", "address_2", "city",
    "country_code", "province", "postal_code", "phone", "created_at", "updated_at", "deleted_at",
    "metadata",
)
ORDER_COLUMNS = (
    "object", "id", "status", "fulfillment_status", "payment_status", "display_id", "cart_id",
    "draft_order_id", "customer_id", "email", "billing_address_id", "shipping_address_id",
    "region_id", "currency_code", "tax_rate", "canceled_at", "metadata", "no_notification",
    "idempotency_key", "external_id", "sales_channel_id", "created_at", "updated_at",
)
LINE_ITEM_COLUMNS = (
    "id", "cart_id", "order_id", "swap_id", "claim_order_id", "original_item_id",
    "order_edit_id", "title", "description", "thumbnail", "is_return", "is_giftcard",
    "should_merge", "allow_discounts", "has_shipping", "unit_price", "variant_id", "quantity",
    "fulfilled_quantity", "returned_quantity", "shipped_quantity", "metadata", "created_at",
    "updated_at",
)
# ``includes_tax`` columns exist only with Medusa's tax-inclusive pricing feature flag, which is
# off by default in 1.20: they are not part of any answer.
TAX_LINE_FIELDS = ("id", "created_at", "updated_at", "rate", "name", "code", "metadata",
                   "item_id", "shipping_method_id")
# The columns the Store order routes select by default (Medusa's defaultStoreOrdersFields).
STORE_ORDER_FIELDS = (
    "id", "status", "fulfillment_status", "payment_status", "display_id", "cart_id",
    "customer_id", "email", "region_id", "currency_code", "tax_rate", "created_at",
)
REGION_FIELDS = (
    "id", "name", "currency_code", "tax_rate", "tax_code", "gift_cards_taxable",
    "automatic_taxes", "tax_provider_id", "metadata", "created_at", "updated_at", "deleted_at",
)
VARIANT_FIELDS = (
    "id", "title", "product_id", "sku", "barcode", "ean", "upc", "variant_rank",
    "inventory_quantity", "allow_backorder", "manage_inventory", "hs_code", "origin_country",
    "mid_code", "material", "weight", "length", "height", "width", "metadata", "created_at",
    "updated_at", "deleted_at",
)
CART_COLUMNS = (
    "object", "id", "created_at", "updated_at", "deleted_at", "email", "billing_address_id",
    "shipping_address_id", "region_id", "customer_id", "payment_id", "type", "completed_at",
    "payment_authorized_at", "idempotency_key", "context", "metadata", "sales_channel_id",
)
PAYMENT_SESSION_COLUMNS = ("id", "created_at", "updated_at", "cart_id", "provider_id",
                           "is_selected", "is_initiated", "status", "data", "idempotency_key",
                           "amount", "payment_authorized_at")
PAYMENT_COLUMNS = ("id", "created_at", "updated_at", "swap_id", "cart_id", "order_id", "amount",
                   "currency_code", "amount_refunded", "provider_id", "data", "captured_at",
                   "canceled_at", "metadata", "idempotency_key")
SHIPPING_OPTION_FIELDS = (
    "id", "name", "region_id", "profile_id", "provider_id", "price_type", "amount", "is_return",
    "admin_only", "data", "metadata", "created_at", "updated_at", "deleted_at",
)


_ATOMS = frozenset((str, int, float, bool, type(None)))


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-shaped data (``copy.deepcopy`` for anything else), without
    ``deepcopy``'s bookkeeping: views copy every column they read, on every request."""
    kind = type(value)
    if kind in _ATOMS:
        return value
    if kind is dict:
        return {k: copy_json(v) for k, v in value.items()}
    if kind is list:
        return [copy_json(v) for v in value]
    return copy.deepcopy(value)


@overload
def pick(record: Record, fields: tuple[str, ...]) -> dict[str, Any]: ...
@overload
def pick(record: Record | None, fields: tuple[str, ...]) -> dict[str, Any] | None: ...


def pick(record: Record | None, fields: tuple[str, ...]) -> dict[str, Any] | None:
    """The record's ``fields``, copied (``None`` for no record)."""
    if record is None:
        return None
    return {key: copy_json(record.get(key)) for key in fields}


def address(record: Record | None) -> dict[str, Any] | None:
    return pick(record, ADDRESS_FIELDS)


def customer_addresses(store: Store, customer_id: str) -> list[dict[str, Any]]:
    rows = [a for a in store.addresses.by("customer_id", customer_id)
            if a["deleted_at"] is None]
    rows.sort(key=lambda a: a["created_at"])
    return [pick(a, ADDRESS_FIELDS) for a in rows]


def tax_lines(lines: list[Record]) -> list[dict[str, Any]]:
    return [{k: copy.deepcopy(v) for k, v in line.items() if k in TAX_LINE_FIELDS}
            for line in lines]


def customer(store: Store, record: Record, *, with_orders: bool = False) -> dict[str, Any]:
    """A customer as the Store API returns it (never the password hash).

    The customer routes load the billing address and the address book; the auth routes
    (``with_orders``) load the address book and the orders with their items instead.
    """
    view = pick(record, CUSTOMER_FIELDS)
    assert view is not None
    if not with_orders:
        billing_id = record.get("billing_address_id")
        view["billing_address"] = address(store.addresses.get(billing_id)) if billing_id else None
    view["shipping_addresses"] = customer_addresses(store, record["id"])
    if with_orders:
        orders = store.orders.by("customer_id", record["id"])
        orders.sort(key=lambda o: o["created_at"])
        view["orders"] = [raw_order(store, o) for o in orders]
    return view


def order_items(store: Store, order_id: str) -> list[Record]:
    items = store.line_items.by("order_id", order_id)
    items.sort(key=lambda i: i["created_at"])
    return items


def raw_order(store: Store, record: Record) -> dict[str, Any]:
    """An order with only its own columns and its items (as in a customer's ``orders``)."""
    view = pick(record, ORDER_COLUMNS)
    assert view is not None
    view["items"] = [pick(i, LINE_ITEM_COLUMNS) for i in order_items(store, record["id"])]
    return view


def region(store: Store, record: Record | None) -> dict[str, Any] | None:
    if record is None:
        return None
    view = pick(record, REGION_FIELDS)
    assert view is not None
    return view


def variant(store: Store, variant_id: str | None) -> dict[str, Any] | None:
    if variant_id is None:
        return None
    record = store.product_variants.get(variant_id)
    return pick(record, VARIANT_FIELDS)


# -- the catalog (read side) -------------------------------------------------------------------
# Entity columns in the order TypeORM hydrates them (relations follow, in alphabetical order).
PRODUCT_COLUMNS = (
    "id", "created_at", "updated_at", "deleted_at", "title", "subtitle", "description", "handle",
    "is_giftcard", "status", "thumbnail", "weight", "length", "height", "width", "hs_code",
    "origin_country", "mid_code", "material", "collection_id", "type_id", "discountable",
    "external_id", "metadata",
)
COLLECTION_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "title", "handle",
                      "metadata")
IMAGE_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "url", "metadata")
TAG_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "value", "metadata")
TYPE_COLUMNS = TAG_COLUMNS
SHIPPING_PROFILE_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "name", "type",
                            "metadata")
SALES_CHANNEL_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "name", "description",
                         "is_disabled", "metadata")
OPTION_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "title", "product_id",
                  "metadata")
OPTION_VALUE_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "value", "option_id",
                        "variant_id", "metadata")
CATEGORY_COLUMNS = ("id", "created_at", "updated_at", "name", "description", "handle",
                    "parent_category_id", "rank", "metadata")
CATEGORY_TREE_COLUMNS = ("id", "created_at", "updated_at", "name", "description", "handle",
                         "is_active", "is_internal", "parent_category_id", "rank", "metadata")
REGION_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "name", "currency_code",
                  "tax_rate", "tax_code", "gift_cards_taxable", "automatic_taxes",
                  "tax_provider_id", "metadata")
COUNTRY_COLUMNS = ("id", "iso_2", "iso_3", "num_code", "name", "display_name", "region_id")
RETURN_REASON_COLUMNS = ("id", "created_at", "updated_at", "deleted_at", "value", "label",
                         "description", "parent_return_reason_id", "metadata")
# The Store route selects these (so ``metadata`` stays out of the reason itself).
RETURN_REASON_FIELDS = ("id", "created_at", "updated_at", "deleted_at", "value", "label",
                        "description", "parent_return_reason_id")
GIFT_CARD_STORE_FIELDS = ("id", "code", "value", "balance")
SHIPPING_OPTION_COLUMNS = (
    "id", "created_at", "updated_at", "deleted_at", "name", "region_id", "profile_id",
    "provider_id", "price_type", "amount", "is_return", "admin_only", "data", "metadata",
)


def product_columns(record: Record, select: list[str] | None, *,
                    with_collection: bool) -> dict[str, Any]:
    """A product's own columns (all, or the selected ones); with the ``collection`` relation
    loaded, TypeORM moves ``collection_id`` after it, which the caller does."""
    columns = PRODUCT_COLUMNS if not select else tuple(c for c in PRODUCT_COLUMNS if c in select)
    view = pick(record, columns)
    assert view is not None
    if with_collection and "collection_id" in view:
        view["collection_id"] = view.pop("collection_id")
    return view


def product_option(option: Record, variants: list[Record] | None) -> dict[str, Any]:
    """A product option; with ``options.values``, the values its variants carry, in variant
    order (Medusa keeps option values on the variants, not on the option)."""
    view = pick(option, OPTION_COLUMNS)
    assert view is not None
    if variants is not None:
        view["values"] = [pick(v, OPTION_VALUE_COLUMNS) for variant in variants
                          for v in variant.get("options", [])
                          if v["option_id"] == option["id"] and v.get("deleted_at") is None]
    return view


def countries_by_region(store: Store) -> dict[str, list[Record]]:
    """The countries table grouped by region, in table order (one pass for many regions)."""
    grouped: dict[str, list[Record]] = {}
    for country in store.countries.values():
        grouped.setdefault(country["region_id"], []).append(country)
    return grouped


def region_entity(store: Store, record: Record, select: list[str] | None,
                  relations: list[str], *,
                  by_region: dict[str, list[Record]] | None = None) -> dict[str, Any]:
    """A region with the Store routes' relations (countries, currency, providers);
    ``by_region`` is :func:`countries_by_region`, when the caller shows several regions."""
    columns = REGION_COLUMNS if not select else tuple(c for c in REGION_COLUMNS if c in select)
    view = pick(record, columns)
    assert view is not None
    if "countries" in relations:
        # in the order the region lists them (Medusa's order depends on the query plan)
        countries = (list(by_region.get(record["id"], [])) if by_region is not None else
                     store.countries.by("region_id", record["id"]))
        countries.sort(key=lambda c: c.get("region_rank", 0))
        view["countries"] = [dict(pick(c, COUNTRY_COLUMNS) or {}, id=c["country_id"])
                             for c in countries]
    if "currency" in relations:
        symbol, native, name = CURRENCIES.get(record["currency_code"], ["", "", ""])
        view["currency"] = {"code": record["currency_code"], "symbol": symbol,
                            "symbol_native": native, "name": name}
    if "fulfillment_providers" in relations:
        view["fulfillment_providers"] = [{"id": p, "is_installed": True}
                                         for p in record.get("fulfillment_providers", [])]
    if "payment_providers" in relations:
        view["payment_providers"] = [{"id": p, "is_installed": True}
                                     for p in record.get("payment_providers", [])]
    return view


def pick_deep(value: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """``pickDeep`` of @medusajs/utils on a response row. Only the row itself is a plain object:
    its relations are entity instances, which ``pickDeep`` never descends into, so a relation
    stays whole when its path (or a path under it, for lists) is listed; ``metadata`` is a plain
    object and stays when listed."""
    wanted, parents = _field_index(tuple(fields))
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in wanted:
            out[key] = item
        elif isinstance(item, list):
            partial = (key in parents if "." not in key
                       else any(f.startswith(f"{key}.") for f in fields))
            if partial:
                out[key] = item
    return out


@functools.lru_cache(maxsize=256)
def _field_index(fields: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """The listed paths, and the first segments of the dotted ones (``variants`` for
    ``variants.prices``): a key ``k`` has a path under it exactly when it is among those."""
    return frozenset(fields), frozenset(f.split(".", 1)[0] for f in fields if "." in f)


# Totals Medusa's ``cleanResponseData`` always lets through.
_ALWAYS_INCLUDED = (
    "shipping_total", "discount_total", "tax_total", "refunded_total", "total", "subtotal",
    "paid_total", "refundable_amount", "gift_card_total", "gift_card_tax_total",
    "item_tax_total", "shipping_tax_total", "refundable", "original_total", "original_tax_total",
)


def clean_response(value: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """Medusa's ``cleanResponseData``: ``pickDeep`` with the allowed properties (plus totals)."""
    if not fields:
        return value
    return pick_deep(value, list(dict.fromkeys([*fields, *_ALWAYS_INCLUDED])))
