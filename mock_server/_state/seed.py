"""Load a seed file in Medusa's ``medusa seed`` format (plus mock extensions) into the store.

Medusa's own keys: ``store``, ``users``, ``regions``, ``shipping_options``, ``products``.
Mock extensions, in the same style (lists of plain objects): ``customers`` (with ``password`` and
``addresses``) and ``orders`` (guest or customer orders placed with the seeded catalog).
Ids in Medusa's seed are only references between entries; stored ids are generated, and are the same
on every load of the same file (the loader uses its own seeded id generator and a fixed timestamp).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from .clock import Clock, to_iso
from .ids import IdGenerator
from .store import Record, Store

DEFAULT_SEED = "default.json"
SEED_EPOCH = 1_700_000_000.0  # 2023-11-14T22:13:20Z: stable ids and timestamps for seeded rows


class SeedError(Exception):
    """A seed file that cannot be loaded; the message names the file and the path inside it."""

    def __init__(self, source: str, path: str, message: str) -> None:
        super().__init__(f"{source}: {path}: {message}")
        self.source = source
        self.path = path
        self.message = message


def default_seed_path() -> Path:
    return Path(str(resources.files(__package__).joinpath("seeds", DEFAULT_SEED)))


def _data(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath("data", name).read_text("utf-8"))


COUNTRIES: list[list[Any]] = _data("countries.json")
CURRENCIES: dict[str, list[str]] = _data("currencies.json")


def read_seed(path: str | Path | None) -> tuple[str, dict[str, Any]]:
    source = str(path) if path is not None else str(default_seed_path())
    try:
        text = Path(source).read_text("utf-8")
    except FileNotFoundError:
        raise SeedError(source, "$", "file not found") from None
    except OSError as exc:
        raise SeedError(source, "$", f"cannot read file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise SeedError(source, "$", "file is not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SeedError(source, "$", f"invalid JSON at line {exc.lineno} column {exc.colno}: "
                        f"{exc.msg}") from None
    if not isinstance(data, dict):
        raise SeedError(source, "$", "the top level must be a JSON object")
    return source, data


class _Loader:
    def __init__(self, source: str, data: dict[str, Any], store: Store,
                 hash_password: Callable[[str], str],
                 order_total: Callable[[Record, list[Record]], int]) -> None:
        self.source = source
        self.data = data
        self.store = store
        self.hash_password = hash_password
        self.order_total = order_total
        self.profile_id = ""
        self.clock = Clock(frozen_at=SEED_EPOCH)
        self.ids = IdGenerator(self.clock, seed=20_11)
        self.now = to_iso(SEED_EPOCH)
        self.region_refs: dict[str, Record] = {}
        self.variants_by_sku: dict[str, Record] = {}
        self.option_by_name: dict[str, Record] = {}
        self.customers_by_email: dict[str, Record] = {}

    # -- helpers -------------------------------------------------------------------------------
    def fail(self, path: str, message: str) -> SeedError:
        return SeedError(self.source, path, message)

    def items(self, key: str) -> list[tuple[str, dict[str, Any]]]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(f"$.{key}", "must be a list")
        out = []
        for i, entry in enumerate(value):
            if not isinstance(entry, dict):
                raise self.fail(f"$.{key}[{i}]", "must be an object")
            out.append((f"$.{key}[{i}]", entry))
        return out

    def req(self, entry: dict[str, Any], path: str, key: str, kind: type | tuple[type, ...],
            what: str) -> Any:
        if key not in entry:
            raise self.fail(f"{path}.{key}", f"is required ({what})")
        value = entry[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise self.fail(f"{path}.{key}", f"must be {what}")
        return value

    def opt(self, entry: dict[str, Any], path: str, key: str, kind: type | tuple[type, ...],
            what: str, default: Any = None) -> Any:
        if entry.get(key) is None:
            return default
        return self.req(entry, path, key, kind, what)

    def base(self, prefix: str, given: Any = None) -> Record:
        return {
            "id": given if isinstance(given, str) and given else self.ids.new(prefix),
            "created_at": self.now,
            "updated_at": self.now,
            "deleted_at": None,
        }

    # -- sections ------------------------------------------------------------------------------
    def load(self) -> None:
        store = self.store
        for n, (iso2, iso3, num, name) in enumerate(COUNTRIES, start=1):
            store.countries.put({"id": iso2, "country_id": n, "iso_2": iso2, "iso_3": iso3,
                                 "num_code": num, "name": name.upper(), "display_name": name,
                                 "region_id": None})
        self.profile_id = self.ids.new("sp")  # the store's default shipping profile
        self.load_regions()
        self.load_shipping_options()
        self.load_products()
        self.load_customers()
        self.load_orders()

    def load_regions(self) -> None:
        for path, entry in self.items("regions"):
            name = self.req(entry, path, "name", str, "a string")
            currency = self.req(entry, path, "currency_code", str, "a currency code").lower()
            if currency not in CURRENCIES:
                raise self.fail(f"{path}.currency_code", f"unknown currency {currency!r}")
            tax_rate = self.req(entry, path, "tax_rate", (int, float), "a number")
            countries = self.req(entry, path, "countries", list,
                                 "a list of ISO 3166-1 alpha-2 codes")
            region = self.base("reg")
            region.update({
                "name": name, "currency_code": currency, "tax_rate": tax_rate, "tax_code": None,
                "gift_cards_taxable": True, "automatic_taxes": True, "tax_provider_id": None,
                "includes_tax": bool(entry.get("includes_tax", False)),
                "metadata": entry.get("metadata"),
                "payment_providers": list(entry.get("payment_providers") or ["manual"]),
                "fulfillment_providers": list(entry.get("fulfillment_providers") or ["manual"]),
            })
            for j, code in enumerate(countries):
                country = self.store.countries.get(str(code).lower())
                if country is None:
                    raise self.fail(f"{path}.countries[{j}]", f"unknown country code {code!r}")
                if country["region_id"] is not None:
                    raise self.fail(f"{path}.countries[{j}]",
                                    f"country {code!r} already belongs to another region")
                country["region_id"] = region["id"]
            ref = entry.get("id", name)
            if ref in self.region_refs:
                raise self.fail(f"{path}.id", f"duplicate region id {ref!r}")
            self.region_refs[ref] = region
            self.store.regions.put(region)

    def region_ref(self, path: str, ref: Any) -> Record:
        region = self.region_refs.get(ref)
        if region is None:
            raise self.fail(path, f"no region with id {ref!r} in $.regions")
        return region

    def load_shipping_options(self) -> None:
        for path, entry in self.items("shipping_options"):
            name = self.req(entry, path, "name", str, "a string")
            region = self.region_ref(f"{path}.region_id", entry.get("region_id"))
            amount = self.opt(entry, path, "amount", int, "an integer amount", None)
            option = self.base("so")
            option.update({
                "name": name, "region_id": region["id"],
                "profile_id": self.profile_id, "provider_id": entry.get("provider_id", "manual"),
                "price_type": entry.get("price_type", "flat_rate"), "amount": amount,
                "is_return": bool(entry.get("is_return", False)), "admin_only": False,
                "data": entry.get("data", {}), "metadata": entry.get("metadata"),
                "requirements": [],
            })
            self.option_by_name[name] = option
            self.store.shipping_options.put(option)

    def load_products(self) -> None:
        for path, entry in self.items("products"):
            title = self.req(entry, path, "title", str, "a string")
            product = self.base("prod")
            handle = entry.get("handle") or title.lower().replace(" ", "-")
            product.update({
                "title": title, "subtitle": entry.get("subtitle"),
                "description": entry.get("description"), "handle": handle,
                "is_giftcard": bool(entry.get("is_giftcard", False)), "status": "published",
                "thumbnail": entry.get("thumbnail"), "weight": entry.get("weight"),
                "metadata": entry.get("metadata"),
            })
            variants = self.req(entry, path, "variants", list, "a list of variants")
            for j, ventry in enumerate(variants):
                vpath = f"{path}.variants[{j}]"
                if not isinstance(ventry, dict):
                    raise self.fail(vpath, "must be an object")
                vtitle = self.req(ventry, vpath, "title", str, "a string")
                variant = self.base("variant")
                prices = []
                for k, price in enumerate(self.req(ventry, vpath, "prices", list, "a list")):
                    ppath = f"{vpath}.prices[{k}]"
                    if not isinstance(price, dict):
                        raise self.fail(ppath, "must be an object")
                    prices.append({
                        "currency_code": self.req(price, ppath, "currency_code", str,
                                                  "a currency code").lower(),
                        "amount": self.req(price, ppath, "amount", int, "an integer amount"),
                    })
                sku = ventry.get("sku")
                variant.update({
                    "title": vtitle, "product_id": product["id"], "sku": sku,
                    "barcode": None, "ean": None, "upc": None,
                    "inventory_quantity": int(ventry.get("inventory_quantity", 0)),
                    "allow_backorder": bool(ventry.get("allow_backorder", False)),
                    "manage_inventory": bool(ventry.get("manage_inventory", True)),
                    "hs_code": None, "origin_country": None, "mid_code": None, "material": None,
                    "weight": ventry.get("weight"), "length": None, "height": None,
                    "width": None, "metadata": ventry.get("metadata"),
                    "variant_rank": j, "prices": prices,
                })
                if sku:
                    if sku in self.variants_by_sku:
                        raise self.fail(f"{vpath}.sku", f"duplicate sku {sku!r}")
                    self.variants_by_sku[sku] = variant
                self.store.product_variants.put(variant)
            self.store.products.put(product)

    def address(self, path: str, entry: Any, customer_id: str | None) -> Record:
        if not isinstance(entry, dict):
            raise self.fail(path, "must be an object")
        address = self.base("addr")
        address.update({
            "customer_id": customer_id, "company": entry.get("company"),
            "first_name": entry.get("first_name"), "last_name": entry.get("last_name"),
            "address_1": entry.get("address_1"), "address_2": entry.get("address_2"),
            "city": entry.get("city"),
            "country_code": (entry.get("country_code") or "").lower() or None,
            "province": entry.get("province"), "postal_code": entry.get("postal_code"),
            "phone": entry.get("phone"), "metadata": entry.get("metadata"),
        })
        if address["country_code"] and not self.store.countries.get(address["country_code"]):
            raise self.fail(f"{path}.country_code",
                            f"unknown country code {entry['country_code']!r}")
        self.store.addresses.put(address)
        return address

    def tax_line(self, prefix: str, region: Record, **owner: str) -> Record:
        line = self.base(prefix)
        del line["deleted_at"]
        line.update({"rate": region["tax_rate"], "name": "default", "code": "default",
                     "metadata": None, **owner})
        return line

    def customer(self, email: str, *, has_account: bool, **fields: Any) -> Record:
        customer = self.base("cus")
        customer.update({
            "email": email.lower(), "first_name": fields.get("first_name"),
            "last_name": fields.get("last_name"), "billing_address_id": None,
            "phone": fields.get("phone"), "has_account": has_account,
            "password_hash": fields.get("password_hash"), "metadata": fields.get("metadata"),
        })
        self.store.customers.put(customer)
        self.customers_by_email[customer["email"]] = customer
        return customer

    def load_customers(self) -> None:
        for path, entry in self.items("customers"):
            email = self.req(entry, path, "email", str, "an email address")
            if "@" not in email:
                raise self.fail(f"{path}.email", f"{email!r} is not an email address")
            if email.lower() in self.customers_by_email:
                raise self.fail(f"{path}.email", f"duplicate customer email {email!r}")
            password = self.opt(entry, path, "password", str, "a string")
            customer = self.customer(
                email, has_account=password is not None,
                password_hash=self.hash_password(password) if password else None,
                first_name=entry.get("first_name"), last_name=entry.get("last_name"),
                phone=entry.get("phone"), metadata=entry.get("metadata"))
            for j, addr in enumerate(self.opt(entry, path, "addresses", list, "a list", [])):
                self.address(f"{path}.addresses[{j}]", addr, customer["id"])

    def load_orders(self) -> None:
        for path, entry in self.items("orders"):
            email = self.req(entry, path, "email", str, "an email address").lower()
            region = self.region_ref(f"{path}.region", entry.get("region"))
            customer_ref = entry.get("customer")
            if customer_ref is not None:
                customer = self.customers_by_email.get(str(customer_ref).lower())
                if customer is None:
                    raise self.fail(f"{path}.customer", f"no customer with email {customer_ref!r}")
            else:
                customer = self.customers_by_email.get(email) or self.customer(
                    email, has_account=False)
            order = self.base("order", entry.get("id"))
            if self.store.orders.get(order["id"]):
                raise self.fail(f"{path}.id", f"duplicate order id {order['id']!r}")
            shipping = entry.get("shipping_address")
            shipping_address = (self.address(f"{path}.shipping_address", shipping, None)
                                if shipping is not None else None)
            display_id = self.store.next_counter("order_display_id")
            order.update({
                "object": "order", "status": entry.get("status", "pending"),
                "fulfillment_status": entry.get("fulfillment_status", "not_fulfilled"),
                "payment_status": entry.get("payment_status", "awaiting"),
                "display_id": display_id, "cart_id": self.ids.new("cart"),
                "customer_id": customer["id"], "email": email,
                "billing_address_id": None,
                "shipping_address_id": shipping_address["id"] if shipping_address else None,
                "region_id": region["id"], "currency_code": region["currency_code"],
                "tax_rate": None, "draft_order_id": None, "canceled_at": None,
                "no_notification": None, "idempotency_key": None, "external_id": None,
                "sales_channel_id": None, "metadata": entry.get("metadata"),
                "shipping_methods": [], "payments": [], "fulfillments": [],
                "discounts": [], "gift_cards": [],
            })
            items = self.req(entry, path, "items", list, "a list of line items")
            if not items:
                raise self.fail(f"{path}.items", "an order needs at least one item")
            lines: list[Record] = []
            for j, item in enumerate(items):
                ipath = f"{path}.items[{j}]"
                if not isinstance(item, dict):
                    raise self.fail(ipath, "must be an object")
                sku = self.req(item, ipath, "sku", str, "a variant sku from $.products")
                variant = self.variants_by_sku.get(sku)
                if variant is None:
                    raise self.fail(f"{ipath}.sku", f"no variant with sku {sku!r} in $.products")
                price = next((p["amount"] for p in variant["prices"]
                              if p["currency_code"] == region["currency_code"]), None)
                if price is None:
                    raise self.fail(f"{ipath}.sku", f"variant {sku!r} has no "
                                    f"{region['currency_code']} price")
                quantity = self.req(item, ipath, "quantity", int, "a positive integer")
                if quantity < 1:
                    raise self.fail(f"{ipath}.quantity", "must be a positive integer")
                if variant["manage_inventory"]:
                    if variant["inventory_quantity"] < quantity and not variant["allow_backorder"]:
                        raise self.fail(f"{ipath}.quantity",
                                        f"variant {sku!r} has only "
                                        f"{variant['inventory_quantity']} in stock")
                    variant["inventory_quantity"] -= quantity  # placing an order reserves stock
                product = self.store.products.get(variant["product_id"])
                line = self.base("item")
                line.update({
                    "cart_id": order["cart_id"], "order_id": order["id"], "swap_id": None,
                    "claim_order_id": None, "title": product["title"] if product else sku,
                    "description": variant["title"], "thumbnail": product.get("thumbnail")
                    if product else None, "is_return": False, "is_giftcard": False,
                    "should_merge": True, "allow_discounts": True, "has_shipping": True,
                    "unit_price": price, "variant_id": variant["id"],
                    "product_id": variant["product_id"], "quantity": quantity,
                    "fulfilled_quantity": None, "returned_quantity": None,
                    "shipped_quantity": None, "metadata": {}, "original_item_id": None,
                    "order_edit_id": None,
                    "adjustments": [],
                })
                line["tax_lines"] = [self.tax_line("litl", region, item_id=line["id"])]
                self.store.line_items.put(line)
                lines.append(line)
            option_name = entry.get("shipping_option")
            if option_name is not None:
                option = self.option_by_name.get(option_name)
                if option is None or option["region_id"] != region["id"]:
                    raise self.fail(f"{path}.shipping_option",
                                    f"no shipping option {option_name!r} in that region")
                method_id = self.ids.new("sm")
                order["shipping_methods"].append({
                    "id": method_id, "shipping_option_id": option["id"],
                    "order_id": order["id"], "claim_order_id": None,
                    "cart_id": order["cart_id"], "swap_id": None, "return_id": None,
                    "price": option["amount"] or 0, "data": {},
                    "tax_lines": [self.tax_line("smtl", region, shipping_method_id=method_id)],
                })
            order["payments"].append({
                "id": self.ids.new("pay"), "created_at": self.now, "updated_at": self.now,
                "swap_id": None, "cart_id": order["cart_id"], "order_id": order["id"],
                "amount": self.order_total(order, lines), "currency_code": order["currency_code"],
                "amount_refunded": 0, "provider_id": region["payment_providers"][0],
                "data": {"status": "authorized"}, "captured_at": None, "canceled_at": None,
                "metadata": None, "idempotency_key": None,
            })
            self.store.orders.put(order)


def load_seed(store: Store, data: dict[str, Any], *, source: str,
              hash_password: Callable[[str], str],
              order_total: Callable[[Record, list[Record]], int]) -> None:
    """Fill an empty ``store`` from parsed seed ``data``; raise :class:`SeedError` if invalid.

    ``hash_password`` and ``order_total`` come from the domain layer (injected, so that this
    layer does not import it): seeded orders carry an authorized payment of their total, as an
    order placed through checkout does.
    """
    with store.lock:
        _Loader(source, data, store, hash_password, order_total).load()
