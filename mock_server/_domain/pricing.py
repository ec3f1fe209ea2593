"""Prices as Medusa 1.20 computes them for the Store API (``PricingService`` with the default
``PriceSelectionStrategy``; the tax-inclusive pricing feature flag is off, as it is by default).

* The context comes from ``cart_id`` (the cart's region), ``region_id`` (its currency, tax rate and
  ``automatic_taxes``) or ``currency_code``.
* A variant's ``prices`` are narrowed to the context: the region's own prices and those in its
  currency (all prices without a context). A variant with no price in the context keeps its stored
  prices and gets no pricing fields at all, as in Medusa.
* ``calculated_price`` is the lowest matching price, ``original_price`` the region price if there is
  one, else the currency price; ``calculated_price_type`` is ``default`` (no price lists here).
* With a region whose ``automatic_taxes`` is on, ``tax_rates`` is the region's default rate and the
  ``*_incl_tax`` / ``*_tax`` amounts are rounded like JavaScript's ``Math.round``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .._state.store import Record, Store
from .errors import ErrorType, MedusaError, UnexpectedError
from .views import copy_json

# The columns a price has when it comes with its variant (the product's relation) ...
PRICE_FIELDS = ("id", "created_at", "updated_at", "deleted_at", "currency_code", "amount",
                "min_quantity", "max_quantity", "price_list_id", "region_id")
# ... and the pricing service's own query adds these two.
PRICED_PRICE_EXTRA = ("price_list", "variant_id")
PRICING_KEYS = ("original_price", "calculated_price", "calculated_price_type",
                "original_price_incl_tax", "calculated_price_incl_tax", "original_tax",
                "calculated_tax", "tax_rates")


def js_round(value: float) -> int:
    """JavaScript's ``Math.round``: halves go up, also for negative numbers."""
    return int(math.floor(value + 0.5))


@dataclass
class PricingContext:
    region_id: str | None = None
    currency_code: str | None = None
    tax_rate: float | None = None
    automatic_taxes: bool = False
    customer_id: str | None = None
    cart_id: str | None = None
    tax_cache: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.region_id is None and self.currency_code is None

    @property
    def taxed(self) -> bool:
        return self.automatic_taxes and self.region_id is not None


class PricingService:
    def __init__(self, store: Store) -> None:
        self.store = store

    # -- context -------------------------------------------------------------------------------
    def region(self, region_id: Any) -> Record:
        region = self.store.regions.get(region_id) if isinstance(region_id, str) else None
        if region is None or region.get("deleted_at") is not None:
            shown = "null" if region_id is None else region_id  # as JavaScript writes it
            raise MedusaError(ErrorType.NOT_FOUND, f"Region with {shown} was not found")
        return region

    def cart_region_id(self, cart_id: str, *, unknown_cart_not_found: bool = False) -> str:
        """The region of a cart. An unknown cart is a ``not_found`` for the routes that look the
        cart up (``unknown_cart_not_found``); the product routes load it with a query PostgreSQL
        refuses, so Medusa fails with an unexpected error there."""
        carts = self.store.tables.get("carts")
        cart = carts.get(cart_id) if carts is not None else None
        if cart is None or not cart.get("region_id"):
            if unknown_cart_not_found:
                raise MedusaError(ErrorType.NOT_FOUND, f"Cart with {cart_id} was not found")
            raise UnexpectedError(f"cart {cart_id} not found", quirk="products-unknown-cart-500")
        region_id: str = cart["region_id"]
        return region_id

    def context(self, *, region_id: str | None = None, currency_code: str | None = None,
                cart_id: str | None = None, customer_id: str | None = None,
                unknown_cart_not_found: bool = False) -> PricingContext:
        """``collectPricingContext``: a cart's region wins over ``region_id``; a region's currency
        wins over ``currency_code``."""
        if cart_id:
            region_id = self.cart_region_id(cart_id,
                                            unknown_cart_not_found=unknown_cart_not_found)
        ctx = PricingContext(currency_code=currency_code or None, customer_id=customer_id,
                             cart_id=cart_id)
        if region_id:
            region = self.region(region_id)
            ctx.region_id = region["id"]
            ctx.currency_code = region["currency_code"]
            ctx.tax_rate = region["tax_rate"]
            ctx.automatic_taxes = bool(region.get("automatic_taxes", True))
        return ctx

    # -- taxes ---------------------------------------------------------------------------------
    def product_tax_rates(self, product_id: str, ctx: PricingContext) -> list[dict[str, Any]]:
        """The region's rates for a product: no tax-rate overrides here, so the region default."""
        rates = ctx.tax_cache.get(product_id)
        if rates is None:
            rates = [{"rate": ctx.tax_rate, "name": "default", "code": "default"}]
            ctx.tax_cache[product_id] = rates
        return copy_json(rates)

    @staticmethod
    def tax_amount(price: int, rates: list[dict[str, Any]], includes_tax: bool = False) -> int:
        rate = sum((r.get("rate") or 0) / 100 for r in rates)
        amount = price * rate / (1 + rate) if includes_tax else price * rate
        return js_round(amount)

    # -- variants ------------------------------------------------------------------------------
    @staticmethod
    def raw_prices(variant: Record) -> list[dict[str, Any]]:
        return [{k: copy_json(p.get(k)) for k in PRICE_FIELDS}
                for p in variant.get("prices", []) if p.get("deleted_at") is None]

    @staticmethod
    def _matching(variant: Record, ctx: PricingContext) -> list[Record]:
        """``findManyForVariantsInRegion``: the region's prices or the currency's prices."""
        out = []
        for price in variant.get("prices", []):
            if price.get("deleted_at") is not None:
                continue
            if ctx.empty or (ctx.region_id is not None and price.get("region_id") == ctx.region_id
                             ) or (ctx.currency_code is not None
                                   and price["currency_code"] == ctx.currency_code):
                out.append(price)
        return out

    def variant_pricing(self, variant: Record, ctx: PricingContext,
                        tax_rates: list[dict[str, Any]] | None = None,
                        quantity: int | None = None) -> dict[str, Any] | None:
        """The pricing fields Medusa assigns to a variant, ``prices`` included; ``None`` when the
        variant has no price in the context (Medusa then leaves the variant as it is)."""
        matching = self._matching(variant, ctx)
        if not matching:
            return None
        prices = []
        original = calculated = None
        for price in matching:
            entry = {k: copy_json(price.get(k)) for k in PRICE_FIELDS}
            entry["price_list"] = None
            entry["variant_id"] = variant["id"]
            prices.append(entry)
            plain = (price.get("price_list_id") is None and price.get("min_quantity") is None
                     and price.get("max_quantity") is None)
            if plain and ctx.region_id is not None and price.get("region_id") == ctx.region_id:
                original = price["amount"]
            if (plain and ctx.currency_code is not None
                    and price["currency_code"] == ctx.currency_code and original is None):
                original = price["amount"]
            in_context = (ctx.currency_code is not None
                          and price["currency_code"] == ctx.currency_code) or (
                ctx.region_id is not None and price.get("region_id") == ctx.region_id)
            if in_context and _valid_quantity(price, quantity) and (
                    calculated is None or price["amount"] < calculated):
                calculated = price["amount"]
        result: dict[str, Any] = {"prices": prices, "original_price": original,
                                  "calculated_price": calculated}
        if calculated is not None:
            result["calculated_price_type"] = "default"
        result.update({"original_price_incl_tax": None, "calculated_price_incl_tax": None,
                       "original_tax": None, "calculated_tax": None, "tax_rates": None})
        if ctx.taxed:
            rates = tax_rates if tax_rates is not None else self.product_tax_rates(
                variant["product_id"], ctx)
            if calculated is not None:
                result["calculated_tax"] = self.tax_amount(calculated, rates)
                result["calculated_price_incl_tax"] = calculated + result["calculated_tax"]
            if original is not None:
                result["original_tax"] = self.tax_amount(original, rates)
                result["original_price_incl_tax"] = original + result["original_tax"]
            result["tax_rates"] = rates
        return result

    def line_price(self, variant: Record, region_id: str, *, customer_id: str | None,
                   quantity: int) -> int | None:
        """The unit price of a line of ``quantity`` in a region: the ``calculated_price`` (the
        lowest price in the region or its currency that the quantity qualifies for), ``None``
        when the variant has none."""
        ctx = self.context(region_id=region_id, customer_id=customer_id)
        pricing = self.variant_pricing(variant, ctx, quantity=quantity)
        return pricing.get("calculated_price") if pricing else None

    def apply(self, view: dict[str, Any], variant: Record, ctx: PricingContext,
              tax_rates: list[dict[str, Any]] | None = None) -> None:
        """``Object.assign(variant, pricing)``: existing keys keep their place, new ones follow."""
        pricing = self.variant_pricing(variant, ctx, tax_rates)
        if pricing is not None:
            view.update(pricing)

    # -- shipping options ----------------------------------------------------------------------
    def shipping_option_pricing(self, option: Record) -> dict[str, Any]:
        """``price_incl_tax``, ``tax_rates`` and ``tax_amount`` in the option's own region."""
        region = self.store.regions.get(option["region_id"])
        rates: list[dict[str, Any]] = []
        if region is not None and region.get("automatic_taxes", True):
            rates = [{"rate": region["tax_rate"], "name": "default", "code": "default"}]
        price = option.get("amount") or 0
        tax = self.tax_amount(price, rates)
        return {"price_incl_tax": price + tax, "tax_rates": rates, "tax_amount": tax}


def _valid_quantity(price: Record, quantity: int | None) -> bool:
    """The strategy's ``isValidQuantity`` (``0`` and ``null`` bounds both mean "no bound")."""
    low, high = price.get("min_quantity"), price.get("max_quantity")
    if quantity is None:
        return (not high and not low) or (not low and bool(high))
    return (not low or low <= quantity) and (not high or high >= quantity)
