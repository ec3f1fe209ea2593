"""What two deployments hold, found through their Store APIs and matched across them.

Each side is read through its own Store API (regions, products and variants, collections,
categories, tags, types, return reasons, shipping options). Entities are matched across sides by
what a merchant names them (region name, product handle, variant SKU or title, collection and
category handle, tag and type value, reason value, shipping option name), never by id: ids belong
to a deployment. What the data lacks (a customer, a cart at some step of checkout, a guest order)
is made on both sides through the Store API with the same inputs, and handed out as a
:class:`Pair` of each side's own version.

Gift cards, discounts and publishable API keys cannot be listed through the Store API; they are
used only when given (``--gift-card``, ``--discount``, ``--publishable-key``).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, NamedTuple, TypeVar

from .sides import FixtureError, Page, Side, walk_pages

T = TypeVar("T")
PASSWORD = "diff-secret-1"


class Pair(NamedTuple, Generic[T]):
    """One thing on both sides: the reference's and the candidate's."""

    reference: T
    candidate: T


class Skip(Exception):
    """A scenario or step cannot run on the given data (the reason is reported)."""


# -- one side's catalog ----------------------------------------------------------------------
def _pages(side: Side, path: str, key: str, params: dict[str, Any] | None = None,
           limit: int = 100) -> list[dict[str, Any]]:
    """Every row of a paged Store list."""
    def fetch(query: dict[str, Any]) -> Page:
        body = side.api("GET", path, what=f"GET {path}", params=query)
        if not isinstance(body, dict):
            return [], None
        count = body.get("count")
        return body.get(key) or [], count if isinstance(count, int) else None

    return list(walk_pages(fetch, params, limit=limit))


def variant_key(variant: dict[str, Any]) -> str:
    return variant.get("sku") or variant.get("title") or ""


@dataclass
class Catalog:
    """One side's data, keyed by the names that match across deployments."""

    regions: dict[str, dict[str, Any]] = field(default_factory=dict)
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    variants: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    collections: dict[str, dict[str, Any]] = field(default_factory=dict)
    categories: dict[str, dict[str, Any]] = field(default_factory=dict)
    tags: dict[str, dict[str, Any]] = field(default_factory=dict)
    types: dict[str, dict[str, Any]] = field(default_factory=dict)
    reasons: dict[str, dict[str, Any]] = field(default_factory=dict)
    shipping: dict[tuple[str, str, bool], dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, side: Side) -> Catalog:
        cat = cls()
        for region in _pages(side, "/store/regions", "regions"):
            cat.regions.setdefault(region["name"], region)
        by_region_id = {r["id"]: name for name, r in cat.regions.items()}
        for product in _pages(side, "/store/products", "products"):
            if not product.get("handle"):
                continue
            cat.products.setdefault(product["handle"], product)
            for variant in product.get("variants") or []:
                cat.variants.setdefault((product["handle"], variant_key(variant)), variant)
        for row in _pages(side, "/store/collections", "collections"):
            cat.collections.setdefault(str(row.get("handle") or row.get("title")), row)
        for row in _pages(side, "/store/product-categories", "product_categories"):
            cat.categories.setdefault(str(row.get("handle") or row.get("name")), row)
        for row in _pages(side, "/store/product-tags", "product_tags"):
            cat.tags.setdefault(row["value"], row)
        for row in _pages(side, "/store/product-types", "product_types"):
            cat.types.setdefault(row["value"], row)
        reasons = side.api("GET", "/store/return-reasons", what="GET /store/return-reasons")
        for row in reasons.get("return_reasons") or []:
            for reason in (row, *(row.get("return_reason_children") or [])):
                cat.reasons.setdefault(reason["value"], reason)
        for is_return in (False, True):
            options = side.api("GET", "/store/shipping-options", what="GET /store/shipping-options",
                               params={"is_return": str(is_return).lower()})
            for option in options.get("shipping_options") or []:
                region_name = by_region_id.get(option.get("region_id"))
                if region_name is not None:
                    cat.shipping.setdefault((region_name, option["name"], is_return), option)
        return cat

    def table(self, kind: str) -> dict[Any, dict[str, Any]]:
        return getattr(self, kind)


KINDS = ("regions", "products", "variants", "collections", "categories", "tags", "types",
         "reasons", "shipping")


# -- fixtures on one side --------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    """How to check out on both sides: the same region, country, variant, option, provider.

    ``variants`` are every variant priced and in stock there on both sides, the ones that use no
    stock first (not managed, or back-ordered): carts take them in turn, so that a long run does
    not empty one variant's stock on the side that is not reset between runs."""

    region: str
    country: str
    variant: tuple[str, str]
    option: str
    provider: str
    extra_variant: tuple[str, str] | None = None
    variants: tuple[tuple[str, str], ...] = ()


@dataclass
class Customer:
    email: str
    password: str
    id: str
    token: str
    address_id: str | None = None


@dataclass
class Cart:
    id: str
    item_id: str | None = None


@dataclass
class Order:
    id: str
    display_id: int
    email: str
    cart_id: str
    item_id: str


def fixture_address(country: str) -> dict[str, Any]:
    """A complete address in ``country`` for the carts and customers the tools make."""
    return {"first_name": "Dee", "last_name": "Eff", "address_1": "1 Test Road",
            "city": "Testville", "country_code": country, "postal_code": "12345"}


# levels a cart can be brought to, each including the ones before
CART_LEVELS = ("empty", "item", "address", "shipping", "sessions", "selected")


class SideFixtures:
    """Makes what scenarios need on one side, through its Store API."""

    def __init__(self, side: Side, catalog: Catalog) -> None:
        self.side = side
        self.catalog = catalog
        self._counter = itertools.count(1)

    def region_id(self, plan: Plan) -> str:
        return self.catalog.regions[plan.region]["id"]

    def variant_id(self, key: tuple[str, str]) -> str:
        return self.catalog.variants[key]["id"]

    def customer(self, email: str, *, address: str | None = None) -> Customer:
        s = self.side
        made = s.api("POST", "/store/customers", {
            "email": email, "password": PASSWORD, "first_name": "Dee", "last_name": "Eff"},
            what=f"registering {email}")
        token = s.api("POST", "/store/auth/token", {"email": email, "password": PASSWORD},
                      what=f"logging in {email}")["access_token"]
        customer = Customer(email, PASSWORD, made["customer"]["id"], token)
        if address:
            body = s.api("POST", "/store/customers/me/addresses",
                         {"address": fixture_address(address)}, what="adding an address",
                         bearer=token)
            customer.address_id = body["customer"]["shipping_addresses"][0]["id"]
        return customer

    def cart(self, plan: Plan, level: str, *, email: str, quantity: int = 1,
             bearer: str | None = None, variant: tuple[str, str] | None = None) -> Cart:
        s = self.side
        wanted = CART_LEVELS.index(level)
        body = s.api("POST", "/store/carts", {"region_id": self.region_id(plan)},
                     what=f"creating a cart in {plan.region}", bearer=bearer)["cart"]
        cart = Cart(body["id"])
        path = f"/store/carts/{cart.id}"
        if wanted >= 1:
            variant = variant or plan.variant
            body = s.api("POST", f"{path}/line-items", {
                "variant_id": self.variant_id(variant), "quantity": quantity},
                what=f"adding {variant[1]} to a cart", bearer=bearer)["cart"]
            cart.item_id = body["items"][0]["id"]
        if wanted >= 2:
            s.api("POST", path, {"email": email, "shipping_address": fixture_address(plan.country)},
                  what="setting a cart's email and address", bearer=bearer)
        if wanted >= 3:
            options = s.api("GET", f"/store/shipping-options/{cart.id}",
                            what="listing a cart's shipping options")["shipping_options"]
            chosen = next((o for o in options if o["name"] == plan.option), None)
            if chosen is None:
                raise FixtureError(s.name, f"shipping option {plan.option!r} for a cart")
            s.api("POST", f"{path}/shipping-methods", {"option_id": chosen["id"]},
                  what="choosing a shipping method", bearer=bearer)
        if wanted >= 4:
            s.api("POST", f"{path}/payment-sessions", what="creating payment sessions",
                  bearer=bearer)
        if wanted >= 5:
            s.api("POST", f"{path}/payment-session", {"provider_id": plan.provider},
                  what=f"selecting the {plan.provider} payment session", bearer=bearer)
        return cart

    def order(self, plan: Plan, *, email: str, quantity: int = 2,
              bearer: str | None = None, variant: tuple[str, str] | None = None) -> Order:
        cart = self.cart(plan, "selected", email=email, quantity=quantity, bearer=bearer,
                         variant=variant)
        done = self.side.api("POST", f"/store/carts/{cart.id}/complete",
                             what="completing a cart", bearer=bearer)
        if not isinstance(done, dict) or done.get("type") != "order":
            raise FixtureError(self.side.name, f"completing a cart gave {done.get('type')!r}, "
                               "not an order")
        data = done["data"]
        return Order(data["id"], data["display_id"], data["email"], cart.id,
                     data["items"][0]["id"])


# -- both sides ------------------------------------------------------------------------------
@dataclass
class Options:
    """What the Store API cannot tell and the user may give (each a Pair when per side)."""

    gift_card: Pair[str] | None = None
    discount: str | None = None
    publishable_key: Pair[str] | None = None
    order: tuple[int, str] | None = None  # a captured, fulfilled order (swaps), on both sides


class World:
    """Both sides' catalogs, matched, and the fixtures made on both."""

    def __init__(self, reference: Side, candidate: Side, *, suffix: str,
                 options: Options | None = None) -> None:
        self.sides = Pair(reference, candidate)
        self.suffix = suffix
        self.options = options or Options()
        self.catalogs = Pair(Catalog.load(reference), Catalog.load(candidate))
        self.fixtures = Pair(SideFixtures(reference, self.catalogs.reference),
                             SideFixtures(candidate, self.catalogs.candidate))
        self._plan: Plan | None = None
        self._plan_problem: str | None = None
        self._kept: dict[str, Any] = {}
        self._emails = itertools.count(1)
        self._turn = itertools.count(0)
        self.notes: list[str] = []

    # matching ----------------------------------------------------------------------------
    def common(self, kind: str, where: Callable[[Pair[dict[str, Any]]], bool] | None = None,
               ) -> list[Any]:
        """Keys of ``kind`` both sides hold (in the reference's order), optionally filtered."""
        ref, cand = (c.table(kind) for c in self.catalogs)
        keys = [k for k in ref if k in cand]
        if where is not None:
            keys = [k for k in keys if where(Pair(ref[k], cand[k]))]
        return keys

    def pair(self, kind: str, key: Any) -> Pair[dict[str, Any]]:
        return Pair(*(c.table(kind)[key] for c in self.catalogs))

    def ids(self, kind: str, key: Any) -> Pair[str]:
        return Pair(*(row["id"] for row in self.pair(kind, key)))

    def first(self, kind: str, why: str,
              where: Callable[[Pair[dict[str, Any]]], bool] | None = None) -> Any:
        keys = self.common(kind, where)
        if not keys:
            raise Skip(f"no {why} on both sides")
        return keys[0]

    def summary(self) -> dict[str, dict[str, int]]:
        out = {}
        for kind in KINDS:
            ref, cand = (set(c.table(kind)) for c in self.catalogs)
            out[kind] = {"both": len(ref & cand), "only_reference": len(ref - cand),
                         "only_candidate": len(cand - ref)}
        return out

    # fixtures ----------------------------------------------------------------------------
    def email(self, label: str) -> str:
        return f"diff.{self.suffix}.{label}.{next(self._emails)}@example.com"

    def both(self, make: Callable[[SideFixtures], T]) -> Pair[T]:
        return Pair(*(make(f) for f in self.fixtures))

    def customer(self, label: str = "customer", *, address: bool = False,
                 fresh: bool = True) -> Pair[Customer]:
        key = f"customer:{label}:{address}"
        if not fresh and key in self._kept:
            return self._kept[key]
        email = self.email(label)
        country = self.plan().country if address and self._plan is not None else (
            self._any_country())
        made = self.both(lambda f: f.customer(email, address=country if address else None))
        self._kept[key] = made
        return made

    def _any_country(self) -> str:
        def has_countries(p: Pair[dict[str, Any]]) -> bool:
            return bool(self._countries(p))

        region = self.first("regions", "region with countries", has_countries)
        return self._countries(self.pair("regions", region))[0]

    @staticmethod
    def _countries(p: Pair[dict[str, Any]]) -> list[str]:
        ref = [c["iso_2"] for c in p.reference.get("countries") or []]
        cand = {c["iso_2"] for c in p.candidate.get("countries") or []}
        return [c for c in ref if c in cand]

    def _rotating(self, make: Callable[[tuple[str, str]], Pair[T]]) -> Pair[T]:
        """``make(variant)`` with the plan's variants in turn; the next one when a side has run
        out of the one tried."""
        plan = self.plan()
        variants = plan.variants or (plan.variant,)
        start = next(self._turn)
        last: FixtureError | None = None
        for i in range(len(variants)):
            variant = variants[(start + i) % len(variants)]
            try:
                return make(variant)
            except FixtureError as exc:
                if "inventory" not in str(exc):
                    raise
                last = exc
        assert last is not None
        raise last

    def cart(self, level: str, *, bearer: Pair[str] | None = None,
             quantity: int = 1) -> Pair[Cart]:
        plan = self.plan()
        email = self.email("cart")
        return self._rotating(lambda variant: Pair(*(
            f.cart(plan, level, email=email, quantity=quantity,
                   bearer=bearer[i] if bearer else None, variant=variant)
            for i, f in enumerate(self.fixtures))))

    def order(self, label: str = "order", *, fresh: bool = False,
              bearer: Pair[str] | None = None) -> Pair[Order]:
        """A guest order (or the bearer's) placed by a checkout on both sides."""
        key = f"order:{label}"
        if not fresh and key in self._kept:
            return self._kept[key]
        plan = self.plan()
        email = self.email(label)
        made = self._rotating(lambda variant: Pair(*(
            f.order(plan, email=email, bearer=bearer[i] if bearer else None, variant=variant)
            for i, f in enumerate(self.fixtures))))
        self._kept[key] = made
        return made

    # the checkout plan -------------------------------------------------------------------
    def plan(self) -> Plan:
        """A region where a checkout completes on both sides, found by trying; or :class:`Skip`
        with what went wrong in each region tried."""
        if self._plan is not None:
            return self._plan
        if self._plan_problem is not None:
            raise Skip(self._plan_problem)
        problems: list[str] = []
        for plan in self._plan_candidates(problems):
            email = self.email("checkout")
            made = None
            for variant in plan.variants[:3]:
                try:
                    made = self.both(functools.partial(SideFixtures.order, plan=plan,
                                                       email=email, variant=variant))
                    break
                except FixtureError as exc:
                    problems.append(f"{plan.region}: {exc}")
            if made is None:
                continue
            self._plan = plan
            self._kept["order:order"] = made
            return plan
        self._plan_problem = ("no region where a checkout completes on both sides"
                              + (f" ({'; '.join(problems)})" if problems else ""))
        raise Skip(self._plan_problem)

    def plan_problem(self) -> str | None:
        try:
            self.plan()
        except Skip as exc:
            return str(exc)
        return None

    def _plan_candidates(self, problems: list[str]) -> Iterator[Plan]:
        def providers(p: Pair[dict[str, Any]]) -> list[str]:
            ref = [x["id"] for x in p.reference.get("payment_providers") or []]
            cand = {x["id"] for x in p.candidate.get("payment_providers") or []}
            return [x for x in ref if x in cand]

        regions = self.common("regions")
        # regions offering `manual` first (it authorizes every session), taxed ones first
        regions.sort(key=lambda name: (
            "manual" not in providers(self.pair("regions", name)),
            not self.pair("regions", name).reference.get("tax_rate")))
        for name in regions:
            region = self.pair("regions", name)
            countries = self._countries(region)
            usable = providers(region)
            if not countries:
                problems.append(f"{name}: no country on both sides")
                continue
            if not usable:
                problems.append(f"{name}: no payment provider on both sides")
                continue
            variants = self._priced_variants(region)
            options = [o for (r, o, ret) in self.common("shipping")
                       if r == name and not ret and not self._requirements(r, o)]
            if not variants:
                problems.append(f"{name}: no variant priced and in stock on both sides")
                continue
            if not options:
                problems.append(f"{name}: no shipping option without requirements on both "
                                "sides")
                continue
            provider = "manual" if "manual" in usable else usable[0]
            yield Plan(name, countries[0], variants[0], options[0], provider,
                       variants[1] if len(variants) > 1 else None, tuple(variants))

    def _requirements(self, region: str, option: str) -> bool:
        return any(row.get("requirements") for row in self.pair(
            "shipping", (region, option, False)))

    def _priced_variants(self, region: Pair[dict[str, Any]]) -> list[tuple[str, str]]:
        """Variants (not gift cards) with a price in the region and stock on both sides: those
        that use no stock first, then the best stocked."""
        stock: list[dict[tuple[str, str], float]] = []
        for i, side in enumerate(self.sides):
            seen: dict[tuple[str, str], float] = {}
            for product in _pages(side, "/store/products", "products",
                                  {"region_id": region[i]["id"]}):
                if product.get("is_giftcard") or not product.get("handle"):
                    continue
                for v in product.get("variants") or []:
                    endless = not v.get("manage_inventory") or v.get("allow_backorder")
                    left = float("inf") if endless else (v.get("inventory_quantity") or 0)
                    if v.get("calculated_price") is not None and left >= 10:
                        seen[(product["handle"], variant_key(v))] = left
            stock.append(seen)
        keys = [k for k in self.common("variants") if k in stock[0] and k in stock[1]]
        return sorted(keys, key=lambda k: -min(stock[0][k], stock[1][k]))
