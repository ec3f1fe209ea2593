"""The benchmark scenarios and the set-up each needs on a target (ids read over HTTP)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .flows import StepFailed, checkout
from .http import Connection, split_base_url
from .loadgen import timed_call


@dataclass(frozen=True)
class Scenario:
    name: str
    flow: str              # a key of bench.flows.FLOWS, or "startup"
    description: str
    requests_per_op: int = 1
    concurrency_divisor: int = 1   # connections // this (checkout: a few concurrent journeys)
    uncached_too: bool = False     # also measure the mock with --read-cache off


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("startup", "startup", "process start to the first 200 of GET /store/regions"),
    Scenario("catalog-list", "get", "GET /store/products?limit=12&region_id=<first region>",
             uncached_too=True),
    Scenario("catalog-detail", "get", "GET /store/products/{id}, rotating over the first 12",
             uncached_too=True),
    Scenario("regions", "get", "GET /store/regions", uncached_too=True),
    Scenario("cart-write", "cart", "POST /store/carts, POST /store/carts/{id}/line-items",
             requests_per_op=2),
    # N/4 concurrent claims: real Medusa 1.20.11's confirm holds a transaction (one pooled
    # database connection) while it asks the pool for another; with 10 or more confirms at once
    # every connection of its pool of 10 waits for an 11th, and the server hangs for good.
    Scenario("claim-confirm", "claim",
             "register, bearer token, claim a guest order, confirm with the claim token",
             requests_per_op=4, concurrency_divisor=4),
    Scenario("checkout", "checkout",
             "cart, item, email + address, shipping options, shipping method, payment "
             "sessions, payment session, complete (concurrent journeys)",
             requests_per_op=8, concurrency_divisor=4),
)
BY_NAME = {s.name: s for s in SCENARIOS}


class SetupError(RuntimeError):
    """What a scenario needs could not be found on the target."""


async def _get_json(conn: Connection, path: str) -> Any:
    response = await conn.request("GET", path)
    if not response.ok:
        raise SetupError(f"GET {path}: {response.status} {response.body[:200]!r}")
    return response.json()


async def discover(base_url: str) -> dict[str, Any]:
    """Region, products and a variant safe to buy over and over: one whose inventory is not
    managed (or that allows backorders), so that checkouts never deplete stock on a shared
    real Medusa."""
    host, port = split_base_url(base_url)
    conn = Connection(host, port, timeout=60)
    try:
        regions = (await _get_json(conn, "/store/regions"))["regions"]
        if not regions:
            raise SetupError("no region")
        region = regions[0]
        countries = region.get("countries") or []
        country = (countries[0].get("iso_2") if countries else None) or "de"
        listed = await _get_json(conn, f"/store/products?limit=12&region_id={region['id']}")
        product_ids = [p["id"] for p in listed["products"]]
        everything = await _get_json(conn, f"/store/products?limit=100&region_id={region['id']}")
    finally:
        await conn.close()
    if not product_ids:
        raise SetupError("no product")
    variant_id, note = None, ""
    candidates = [v for p in everything["products"] if not p.get("is_giftcard")
                  for v in p.get("variants", []) if v.get("calculated_price") is not None]
    for rule in (lambda v: v.get("manage_inventory") is False,
                 lambda v: v.get("allow_backorder") is True):
        variant_id = next((v["id"] for v in candidates if rule(v)), None)
        if variant_id:
            break
    if variant_id is None and candidates:
        variant_id = candidates[0]["id"]
        note = "no unmanaged variant: checkouts reserve stock"
    return {"region_id": region["id"], "country_code": country, "product_ids": product_ids,
            "variant_id": variant_id, "variant_note": note}


async def make_guest_orders(base_url: str, params: dict[str, Any], count: int) -> list[str]:
    """``count`` guest orders placed by this run (to claim without touching seeded orders)."""
    host, port = split_base_url(base_url)
    conn = Connection(host, port, timeout=60)
    call = timed_call(conn, None)
    orders = []
    try:
        for i in range(count):
            state = {"worker": 90_000 + i, "n": 0}
            orders.append(await checkout(call, dict(params, email=_guest_email(params, i)),
                                         state))
    finally:
        await conn.close()
    return orders


def _guest_email(params: dict[str, Any], i: int) -> str:
    return f"bench.guest.{params['run_id']}.{i}@example.com"


async def seeded_guest_orders(base_url: str) -> list[str]:
    """The seeded guest orders of the default seed (display ids 1-3), found the way a guest
    finds them: ``GET /store/orders?display_id=N&email=E``."""
    host, port = split_base_url(base_url)
    conn = Connection(host, port, timeout=60)
    found = []
    try:
        for display_id, who in ((1, "one"), (2, "two"), (3, "three")):
            email = quote(f"guest.{who}@example.com")
            response = await conn.request("GET", f"/store/orders?display_id={display_id}"
                                                 f"&email={email}")
            if response.ok:
                found.append(response.json()["order"]["id"])
    finally:
        await conn.close()
    return found


def prepare(scenario: Scenario, base_url: str, target: str, common: dict[str, Any],
            options: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The flow's parameters on this target, and a note for the report. Raises SetupError."""
    params = dict(common, run_id=options["run_id"], jwt_secret=options["jwt_secret"],
                  claim_token=options["claim_token"])
    region = common["region_id"]
    if scenario.name == "catalog-list":
        return dict(params, paths=[f"/store/products?limit=12&region_id={region}"]), ""
    if scenario.name == "catalog-detail":
        return dict(params, paths=[f"/store/products/{p}" for p in common["product_ids"]]), ""
    if scenario.name == "regions":
        return dict(params, paths=["/store/regions"]), ""
    if common["variant_id"] is None:
        raise SetupError("no purchasable variant in the catalog")
    note = common.get("variant_note", "")
    if scenario.name == "checkout" and note and target == "real":
        raise SetupError(f"{note}; not run against a shared real Medusa")
    if scenario.name == "claim-confirm":
        try:
            orders = asyncio.run(make_guest_orders(base_url, params, options["claim_orders"]))
            note = (f"claims {len(orders)} guest orders this run placed (seeded orders stay "
                    f"untouched); claim token: {options['claim_token']}")
        except (StepFailed, OSError, KeyError, ValueError) as exc:
            if target != "mock":
                raise SetupError(f"could not place guest orders to claim ({exc}); the seeded "
                                 "orders of a shared real Medusa are not claimed") from None
            orders = asyncio.run(seeded_guest_orders(base_url))
            note = (f"checkout failed in set-up ({exc}); claims the seeded guest orders "
                    f"(display ids 1-3); claim token: {options['claim_token']}")
        if not orders:
            raise SetupError("no guest order to claim")
        params["order_ids"] = orders
    return params, note
