"""Shared state under threads: storefront journeys and claim/confirm in parallel, bounded.

``test_storefront_journeys_under_16_threads`` runs 16 threads against one in-process app, each for
a fixed number of iterations (no wall-clock loop, no sleeping); every iteration is one journey,
picked by a seeded random generator. A journey is a plain function of (client, worker); it checks
what it can see itself and writes down what must hold at the end in the shared :class:`World`.
The invariants are checked afterwards, through the API where they are visible to a storefront:

* no answer is a 5xx, and every answer a journey did not expect is reported;
* every claimed order ends with exactly one owner: it is listed by exactly one customer's
  ``/store/customers/me/orders``, that customer is the order's ``customer_id``, the order's email is
  the owner's, and the owner is one of the customers who confirmed a token for it;
* no address is lost or duplicated: each customer's address book is exactly what its journeys
  left there (added minus deleted);
* counters are consistent: one customer row per successful registration, one
  ``customer.created`` event each, ``display_id``s unique and gapless (``1..counter``), every
  claim event names only orders that were asked for, no session left behind after the logouts.

Cart and checkout journeys run through :data:`CART_JOURNEYS`
(with their invariants: no lost line item, one order per completed cart).
"""

from __future__ import annotations

import random
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import pytest

from .conftest import Mock, make_mock

THREADS = 16
ITERATIONS = 6  # per thread: 96 journeys, about a thousand requests
SEED = 20231114
GUEST_ORDERS = (1, 2, 3, 4)  # the seed's guest orders, claimed over and over


# -- shared bookkeeping ----------------------------------------------------------------------------
@dataclass
class World:
    mock: Mock
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    accounts: dict[str, str] = field(default_factory=dict)  # email -> password
    addresses: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    confirmed_by: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    claimed_ids: set[str] = field(default_factory=set)
    confirmed_tokens: set[str] = field(default_factory=set)
    carts: dict[str, dict[str, int]] = field(default_factory=dict)  # completed: variant -> qty
    checked: Counter = field(default_factory=Counter)

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)


class Worker:
    """One thread's client; every request is counted and checked for a 5xx."""

    def __init__(self, world: World, index: int) -> None:
        self.world = world
        self.index = index
        self.client = world.mock.app.test_client()
        self.rng = random.Random(SEED + index)
        self.serial = 0

    def call(self, method: str, path: str, expect: int | tuple[int, ...] = 200,
             **kwargs: Any) -> Any:
        r = self.client.request(method, path, **kwargs)
        world = self.world
        with world.lock:
            world.requests += 1
            world.statuses[r.status_code] += 1
        expected = (expect,) if isinstance(expect, int) else expect
        if r.status_code >= 500 or r.status_code not in expected:
            world.problem(f"{method} {path}: {r.status_code} {r.text[:200]}")
        return r

    def new_email(self) -> str:
        self.serial += 1
        return f"t{self.index}-{self.serial}@example.com"


Journey = Callable[[Worker], None]


# -- journeys --------------------------------------------------------------------------------------
def _address(worker: Worker, label: str) -> dict[str, str]:
    return {"first_name": "T", "last_name": str(worker.index), "address_1": label,
            "city": "Kiel", "country_code": "DE", "postal_code": "24103"}


def account_journey(worker: Worker) -> None:
    """Register, log in with the session cookie, read and update the profile, add three
    addresses, delete one, check the book, log out."""
    email, password = worker.new_email(), "pw-" + worker.new_email()
    worker.call("POST", "/store/customers", json={"email": email, "password": password})
    # Registering logged the session in; logging in again keeps the same session id.
    worker.call("POST", "/store/auth", json={"email": email, "password": password})
    me = worker.call("GET", "/store/customers/me").json()["customer"]
    if me["email"] != email:
        worker.world.problem(f"session of {email} reads {me['email']}")
    worker.call("POST", "/store/customers/me", json={"first_name": f"T{worker.index}"})
    labels = [f"{email} street {n}" for n in range(3)]
    for label in labels:
        worker.call("POST", "/store/customers/me/addresses",
                    json={"address": _address(worker, label)})
    book = worker.call("GET", "/store/customers/me").json()["customer"]["shipping_addresses"]
    gone = next((a for a in book if a["address_1"] == labels[1]), None)
    if gone is None:
        worker.world.problem(f"{email}: an address just added is missing")
    else:
        worker.call("DELETE", f"/store/customers/me/addresses/{gone['id']}")
    book = worker.call("GET", "/store/customers/me").json()["customer"]["shipping_addresses"]
    if sorted(a["address_1"] for a in book) != [labels[0], labels[2]]:
        worker.world.problem(f"{email}: address book {[a['address_1'] for a in book]}")
    worker.call("DELETE", "/store/auth")
    worker.client.cookies.clear()
    worker.call("GET", "/store/customers/me", expect=401)
    with worker.world.lock:
        worker.world.accounts[email] = password
        worker.world.addresses[email] = {labels[0], labels[2]}


def _any_account(worker: Worker) -> tuple[str, str] | None:
    with worker.world.lock:
        accounts = sorted(worker.world.accounts.items())
    return worker.rng.choice(accounts) if accounts else None


def bearer_profile_journey(worker: Worker) -> None:
    """A bearer token for some registered customer (maybe another thread's): profile, metadata,
    orders; an address added and taken away again."""
    account = _any_account(worker)
    if account is None:
        return account_journey(worker)
    email, password = account
    token = worker.call("POST", "/store/auth/token",
                        json={"email": email, "password": password}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    worker.call("POST", "/store/customers/me", headers=headers,
                json={"metadata": {f"w{worker.index}": str(worker.serial)}})
    worker.call("GET", "/store/customers/me/orders", headers=headers)
    label = f"{email} temporary {worker.index}-{worker.serial}"
    book = worker.call("POST", "/store/customers/me/addresses", headers=headers,
                       json={"address": _address(worker, label)}
                       ).json()["customer"]["shipping_addresses"]
    added = next((a for a in book if a["address_1"] == label), None)
    if added is None:
        worker.world.problem(f"{email}: temporary address missing")
        return
    worker.call("DELETE", f"/store/customers/me/addresses/{added['id']}", headers=headers)


def catalog_journey(worker: Worker) -> None:
    """Browse: regions, a product page, a variant, a category list, a search."""
    world = worker.world
    products = world.mock.services.store.products
    product_id = worker.rng.choice(sorted(products.keys()))
    worker.call("GET", "/store/regions")
    worker.call("GET", "/store/products", params={"limit": 4, "region_id": "reg_eu"})
    product = worker.call("GET", f"/store/products/{product_id}",
                          params={"region_id": "reg_eu"}).json()["product"]
    if product["variants"]:
        worker.call("GET", f"/store/variants/{product['variants'][0]['id']}")
    worker.call("GET", "/store/product-categories", params={"limit": 5})
    worker.call("POST", "/store/products/search", json={"q": "shirt", "limit": 3})


def claim_journey(worker: Worker) -> None:
    """A registered customer claims some guest orders and confirms every token it was sent."""
    account = _any_account(worker)
    if account is None:
        return account_journey(worker)
    email, password = account
    world = worker.world
    token = worker.call("POST", "/store/auth/token",
                        json={"email": email, "password": password}).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    customer_id = worker.call("GET", "/store/customers/me",
                              headers=headers).json()["customer"]["id"]
    wanted = worker.rng.sample(GUEST_ORDERS, worker.rng.randint(1, len(GUEST_ORDERS)))
    order_ids = [world.mock.order(n)["id"] for n in wanted]
    r = worker.call("POST", "/store/orders/batch/customer/token", headers=headers,
                    json={"order_ids": order_ids})
    if r.text != "OK":
        world.problem(f"claim answered {r.text!r}")
    # The tokens this customer was sent and nobody confirmed yet (another thread acting for the
    # same customer may have taken some; confirming one twice is allowed, as in Medusa).
    with world.lock:
        events = [e for e in world.mock.services.outbox.list("order-update-token.created")
                  if e["data"]["new_customer_id"] == customer_id
                  and e["data"]["token"] not in world.confirmed_tokens]
        world.confirmed_tokens.update(e["data"]["token"] for e in events)
    for event in events:
        worker.call("POST", "/store/orders/customer/confirm",
                    json={"token": event["data"]["token"]})
        with world.lock:
            for order_id in event["data"]["orders"]:
                world.confirmed_by[order_id].add(customer_id)
                world.claimed_ids.add(order_id)


STOREFRONT_JOURNEYS: list[Journey] = [account_journey, bearer_profile_journey, catalog_journey,
                                      claim_journey]
UK_ADDRESS = {"first_name": "T", "last_name": "Q", "address_1": "1 Lane", "city": "London",
              "country_code": "gb", "postal_code": "N1"}


def _variants(worker: Worker) -> list[str]:
    """Variants priced in the UK region with plenty of stock (the seed's t-shirts and mugs)."""
    store = worker.world.mock.services.store
    return sorted(v["id"] for v in store.product_variants.values()
                  if v.get("sku", "").startswith(("TSHIRT-", "MUG-")))


def checkout_journey(worker: Worker) -> None:
    """A guest fills a cart (adding, changing and removing lines), checks out, and completes the
    cart twice at the same moment (a double click): one order, with exactly the lines."""
    world = worker.world
    cart_id = worker.call("POST", "/store/carts", json={"region_id": "reg_uk"}).json()["cart"]["id"]
    lines: dict[str, int] = {}
    for variant in worker.rng.sample(_variants(worker), 3):
        quantity = worker.rng.randint(1, 2)
        worker.call("POST", f"/store/carts/{cart_id}/line-items",
                    json={"variant_id": variant, "quantity": quantity})
        lines[variant] = quantity
    items = worker.call("GET", f"/store/carts/{cart_id}").json()["cart"]["items"]
    dropped = items[0]
    worker.call("DELETE", f"/store/carts/{cart_id}/line-items/{dropped['id']}")
    del lines[dropped["variant_id"]]
    changed = items[1]
    worker.call("POST", f"/store/carts/{cart_id}/line-items/{changed['id']}", json={"quantity": 3})
    lines[changed["variant_id"]] = 3
    worker.call("POST", f"/store/carts/{cart_id}",
                json={"email": "buyer-" + worker.new_email(), "shipping_address": UK_ADDRESS})
    options = worker.call("GET", f"/store/shipping-options/{cart_id}").json()["shipping_options"]
    worker.call("POST", f"/store/carts/{cart_id}/shipping-methods",
                json={"option_id": options[0]["id"]})
    worker.call("POST", f"/store/carts/{cart_id}/payment-sessions")
    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(
            lambda _: worker.call("POST", f"/store/carts/{cart_id}/complete").json(), range(2)))
    ids = {a["data"]["id"] for a in answers if a.get("type") == "order"}
    if len(ids) != 1:
        world.problem(f"cart {cart_id} completed into {ids}")
    with world.lock:
        world.carts[cart_id] = dict(lines)


CART_JOURNEYS: list[Journey] = [checkout_journey]


# -- the run ---------------------------------------------------------------------------------------
def _run(world: World) -> None:
    journeys = STOREFRONT_JOURNEYS + CART_JOURNEYS
    start = threading.Barrier(THREADS)

    def thread(index: int) -> None:
        worker = Worker(world, index)
        start.wait()
        account_journey(worker)  # every thread has an account of its own first
        for _ in range(ITERATIONS - 1):
            try:
                worker.rng.choice(journeys)(worker)
            except Exception as exc:  # a journey that cannot go on is a finding, not a crash
                world.problem(f"thread {index}: {type(exc).__name__}: {exc}")

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(thread, range(THREADS)))


def check_invariants(world: World) -> None:
    mock = world.mock
    store = mock.services.store
    client = mock.app.test_client()
    assert world.problems == [], world.problems[:20]
    assert not [s for s in world.statuses if s >= 500], world.statuses

    # Every registration made exactly one customer row and one customer.created event.
    registered = [c for c in store.customers.values() if c["email"].startswith("t")]
    emails = Counter(c["email"] for c in registered)
    assert set(emails) == set(world.accounts) and set(emails.values()) == {1}
    created = [e for e in mock.services.outbox.list("customer.created")
               if e["data"]["email"].startswith("t")]
    assert len(created) == len(world.accounts)
    world.checked["accounts"] = len(world.accounts)

    # Address books: exactly what the journeys left there, seen through the API.
    owners: dict[str, list[str]] = defaultdict(list)
    for email, password in sorted(world.accounts.items()):
        token = client.post("/store/auth/token",
                            json={"email": email, "password": password}).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        me = client.get("/store/customers/me", headers=headers).json()["customer"]
        book = [a["address_1"] for a in me["shipping_addresses"]]
        assert sorted(book) == sorted(world.addresses[email]), (email, book)
        orders = client.get("/store/customers/me/orders", headers=headers,
                            params={"limit": 100}).json()["orders"]
        for order in orders:
            owners[order["id"]].append(me["id"])
            assert order["customer_id"] == me["id"] and order["email"] == email
        world.checked["address books"] += 1

    # Every claimed order has exactly one owner, who confirmed a token for it.
    assert world.claimed_ids, "no claim was confirmed: the run did not exercise claims"
    for order_id in sorted(world.claimed_ids):
        order = store.orders.get(order_id)
        assert len(owners[order_id]) == 1, (order_id, owners[order_id])
        assert owners[order_id] == [order["customer_id"]]
        assert order["customer_id"] in world.confirmed_by[order_id]
        assert store.customers.get(order["customer_id"])["email"] == order["email"]
        world.checked["claimed orders"] += 1
    requested = {mock.order(n)["id"] for n in GUEST_ORDERS}
    for event in mock.services.outbox.list("order-update-token.created"):
        assert set(event["data"]["orders"]) <= requested
        world.checked["claim events"] += 1

    # Checkout: each completed cart made exactly one order holding exactly its lines, and the
    # stock went down by what was ordered.
    assert world.carts, "no checkout ran: the run did not exercise carts"
    ordered: Counter = Counter()
    for cart_id, lines in sorted(world.carts.items()):
        orders = [o for o in store.orders.values() if o["cart_id"] == cart_id]
        assert len(orders) == 1, (cart_id, len(orders))
        items = store.line_items.find(lambda i, oid=orders[0]["id"]: i.get("order_id") == oid)
        assert {i["variant_id"]: i["quantity"] for i in items} == lines, cart_id
        ordered.update(lines)
        world.checked["checkout orders"] += 1
    seed = mock.services.seed_snapshot["tables"]["product_variants"]
    for variant_id, quantity in ordered.items():
        before = seed[variant_id]["inventory_quantity"]
        assert store.product_variants.get(variant_id)["inventory_quantity"] == before - quantity
    # Counters: display ids unique and gapless, nothing else created orders.
    display_ids = sorted(o["display_id"] for o in store.orders.values())
    assert display_ids == list(range(1, store.counters["order_display_id"] + 1))
    world.checked["display ids"] = len(display_ids)
    # Every account journey logged out, and anonymous requests keep no session.
    assert len(store.sessions) == 0, len(store.sessions)


@pytest.mark.slow
def test_storefront_journeys_under_16_threads() -> None:
    world = World(mock=make_mock())
    _run(world)
    check_invariants(world)
    assert world.requests >= THREADS * ITERATIONS * 5
    print(f"\nconcurrency: {THREADS} threads x {ITERATIONS} journeys, {world.requests} requests "
          f"{dict(sorted(world.statuses.items()))}; invariants checked: {dict(world.checked)}")


def test_parallel_registrations_and_claims_keep_state_consistent(mock: Mock) -> None:
    orders = [mock.order(n)["id"] for n in (1, 2, 3, 4)]
    errors: list[str] = []
    lock = threading.Lock()

    def journey(n: int) -> None:
        client = mock.app.test_client()
        email = f"thread{n}@example.com"
        client.post("/store/customers", json={"email": email, "password": "pw"})
        token = client.post("/store/auth/token", json={"email": email, "password": "pw"}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        r = client.post("/store/orders/batch/customer/token", headers=headers,
                        json={"order_ids": orders})
        if r.status_code != 200:
            with lock:
                errors.append(f"claim {r.status_code}")
        mine = [e for e in mock.services.outbox.list("order-update-token.created")
                if e["data"]["new_customer_id"] == client.get(
                    "/store/customers/me", headers=headers).json()["customer"]["id"]]
        for event in mine:
            r = client.post("/store/orders/customer/confirm",
                            json={"token": event["data"]["token"]})
            if r.status_code != 200:
                with lock:
                    errors.append(f"confirm {r.status_code}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(journey, range(16)))

    assert errors == []
    customers = mock.services.store.customers
    registered = [c for c in customers.values() if c["email"].startswith("thread")]
    assert len(registered) == 16 and len({c["id"] for c in registered}) == 16
    # Every claimed order ends with exactly one owner, and owner and email agree.
    for order_id in orders:
        order = mock.services.store.orders.get(order_id)
        owner = customers.get(order["customer_id"])
        assert owner["email"] == order["email"]
        assert owner["email"].startswith("thread")
    # Each claim emitted one event per distinct email its orders had at that moment (emails
    # change as other threads confirm), so at least one per claim, and never an unknown order.
    events = mock.services.outbox.list("order-update-token.created")
    assert len(events) >= 16
    assert all(set(e["data"]["orders"]) <= set(orders) for e in events)


def test_concurrent_duplicate_registration_creates_one_account(mock: Mock) -> None:
    def register(_: int) -> int:
        return mock.app.test_client().post(
            "/store/customers", json={"email": "race@example.com", "password": "pw"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(register, range(8)))
    assert sorted(statuses) == [200] + [422] * 7
