"""``medusa-mock diff --generated N``: requests nobody wrote, for every operation.

schemathesis draws N requests per operation of the document (by default half of them valid by
the document, half not), with a fixed seed. Before each one, what the operation needs (a cart at
the right step of checkout, a line item, a customer and its bearer token, an address, an order)
is made on both sides through the Store API (:mod:`.world`), and the ids the request names (in
its path, query and body) are replaced, on each side, by that side's id of the same entity
(matched by name). One request in five keeps the ids as generated, so unknown ids are compared
too. Both answers are compared like the scripted ones.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .._claim_tokens import mint_claim_token
from .sides import FixtureError, Unreachable
from .world import Pair, Skip, World

MODES = ("positive", "negative")
KEEP_EVERY = 5
"""One request in this many keeps the generated ids (unknown ids are compared too)."""


@dataclass
class Drawn:
    """One generated request, before ids are substituted."""

    operation: Any  # schemathesis APIOperation
    operation_id: str
    mode: str
    index: int
    path_parameters: dict[str, Any]
    query: dict[str, Any]
    body: Any
    has_body: bool
    media_type: str | None

    @property
    def method(self) -> str:
        return self.operation.method.upper()

    @property
    def secured(self) -> bool:
        return bool(self.operation.definition.raw.get("security"))


def load_operations(document: Path, only: list[str] | None = None) -> list[Any]:
    import schemathesis
    from schemathesis.core.result import Ok

    schema = schemathesis.openapi.from_path(document)
    operations = []
    for result in schema.get_all_operations():
        if not isinstance(result, Ok):
            continue  # an operation the loader could not read is reported by audit, not here
        operation = result.ok()
        op_id = operation.definition.raw.get("operationId", operation.label)
        if only and op_id not in only:
            continue
        operations.append(operation)
    return operations


def draw_operation(operation: Any, per_operation: int, seed: int,
                   modes: tuple[str, ...] = MODES) -> list[Drawn]:
    """Up to ``per_operation`` distinct requests, shared between the modes; a mode that cannot
    make enough (a negative request for an operation whose only input is a string path
    parameter) leaves its share to the others. Fewer when the operation has fewer distinct
    requests (one without any input has one)."""
    from schemathesis import GenerationMode
    from schemathesis.core import NOT_SET

    op_id = operation.definition.raw.get("operationId", operation.label)
    pools: dict[str, list[Any]] = {}
    for mode in modes:
        try:
            pools[mode] = _draw(operation.as_strategy(GenerationMode(mode)),
                                max(2 * per_operation // len(modes), per_operation // 2 + 2),
                                seed)
        except Exception:
            pools[mode] = []
    out: list[Drawn] = []
    seen: set[str] = set()
    # take the modes in turn, so that each gets its share while it has distinct requests
    iterators = {mode: iter(pool) for mode, pool in pools.items()}
    while len(out) < per_operation and iterators:
        for mode in list(iterators):
            case = next(iterators[mode], None)
            if case is None:
                del iterators[mode]
                continue
            key = repr((case.path_parameters, case.query, case.body))
            if key in seen:
                continue
            seen.add(key)
            out.append(Drawn(operation, op_id, mode, len(out), dict(case.path_parameters or {}),
                             dict(case.query or {}), None if case.body is NOT_SET else case.body,
                             case.body is not NOT_SET, case.media_type))
            if len(out) >= per_operation:
                break
    return out


def _draw(strategy: Any, count: int, seed: int) -> list[Any]:
    import hypothesis

    drawn: list[Any] = []

    @hypothesis.settings(max_examples=count, database=None, deadline=None,
                         phases=[hypothesis.Phase.generate], derandomize=False,
                         suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(case=strategy)
    def collect(case: Any) -> None:
        drawn.append(case)

    hypothesis.seed(seed)(collect)()
    return drawn


# -- what each operation needs -------------------------------------------------------------
CART_FIXTURES = {
    "GetCartsCart": "item", "PostCartsCart": "item", "PostCartsCartLineItems": "item",
    "PostCartsCartLineItemsItem": "item", "DeleteCartsCartLineItemsItem": "item",
    "DeleteCartsCartDiscountsDiscount": "item", "PostCartsCartTaxes": "item",
    "GetShippingOptionsCartId": "address", "PostCartsCartShippingMethod": "address",
    "PostCartsCartPaymentSessions": "shipping", "PostCartsCartPaymentSession": "sessions",
    "PostCartsCartPaymentSessionsSession": "sessions",
    "DeleteCartsCartPaymentSessionsSession": "sessions",
    "PostCartsCartPaymentSessionUpdate": "selected", "PostCartsCartComplete": "selected",
    "GetProducts": "item", "GetProductsProduct": "item", "GetVariants": "item",
    "GetVariantsVariant": "item",
}
SHARED_CARTS = {"GetCartsCart", "GetShippingOptionsCartId", "GetProducts", "GetProductsProduct",
                "GetVariants", "GetVariantsVariant"}
FRESH_CUSTOMER = {"PostCustomersCustomer", "PostCustomersCustomerAddresses",
                  "PostCustomersCustomerAddressesAddress",
                  "DeleteCustomersCustomerAddressesAddress"}
ADDRESS_CUSTOMER = {"PostCustomersCustomerAddressesAddress",
                    "DeleteCustomersCustomerAddressesAddress"}
CUSTOMER_OPS = {"GetAuth", "PostAuth", "PostToken", "GetAuthEmail", "GetCustomersCustomer",
                "GetCustomersCustomerOrders", "GetCustomersCustomerPaymentMethods",
                "PostCustomersCustomerPasswordToken", "PostCustomersResetPassword",
                "PostOrdersCustomerOrderClaim"}
SHARED_ORDER = {"GetOrders", "GetOrdersOrder", "GetOrdersOrderCartId",
                "PostOrdersCustomerOrderClaim"}
FRESH_ORDER = {"PostReturns", "PostSwaps", "PostOrdersCustomerOrderClaimsCustomerOrderClaimAccept"}


class Context(dict):
    """What one side made for one request: ids and a bearer token."""


def prepare(world: World, drawn: Drawn, kept: dict[str, Pair[Context]]) -> Pair[Context]:
    """Make (or reuse) on both sides what ``drawn``'s operation needs."""
    op = drawn.operation_id
    ctx = Pair(Context(), Context())
    needs_plan = op in CART_FIXTURES or op in SHARED_ORDER or op in FRESH_ORDER
    if needs_plan:
        world.plan()  # Skip when no checkout completes on both sides
    if op in CUSTOMER_OPS or op in FRESH_CUSTOMER or drawn.secured or op in FRESH_ORDER:
        fresh = op in FRESH_CUSTOMER or op in FRESH_ORDER
        customer = world.customer("generated", address=op in ADDRESS_CUSTOMER, fresh=fresh)
        for c, made in zip(ctx, customer, strict=True):
            c.update(customer=made, bearer=made.token, email=made.email,
                     password=made.password, customer_id=made.id, address_id=made.address_id)
    if op in CART_FIXTURES:
        level = CART_FIXTURES[op]
        key = f"cart:{level}"
        if op in SHARED_CARTS and key in kept:
            carts = kept[key]
        else:
            made_carts = world.cart(level)
            carts = Pair(*(Context(cart_id=c.id, line_id=c.item_id) for c in made_carts))
            if op in SHARED_CARTS:
                kept[key] = carts
        for c, cart in zip(ctx, carts, strict=True):
            c.update(cart)
    if op in SHARED_ORDER or op in FRESH_ORDER:
        order = world.order("generated", fresh=op in FRESH_ORDER)
        for c, placed in zip(ctx, order, strict=True):
            c.update(order_id=placed.id, order_cart_id=placed.cart_id, item_id=placed.item_id,
                     display_id=placed.display_id, order_email=placed.email)
    return ctx


# -- ids substituted per side --------------------------------------------------------------
class Substitution:
    """Walks a generated request and puts each side's ids where the request names entities.

    Choices (which variant, which region, ...) are made once, with a generator seeded per
    request, and each side gets its own id of the same entity."""

    def __init__(self, world: World, drawn: Drawn, ctx: Pair[Context], seed: int) -> None:
        self.world = world
        self.drawn = drawn
        self.ctx = ctx
        self.rng = random.Random(f"{seed}:{drawn.operation_id}:{drawn.index}")
        self.keep = drawn.index % KEEP_EVERY == KEEP_EVERY - 1

    # values --------------------------------------------------------------------------------
    def _entity(self, kind: str, where: Callable[[Any], bool] | None = None) -> Pair[str] | None:
        keys = [k for k in self.world.common(kind) if where is None or where(k)]
        if not keys:
            return None
        return self.world.ids(kind, self.rng.choice(keys))

    def _ctx(self, name: str) -> Pair[Any] | None:
        values = Pair(self.ctx.reference.get(name), self.ctx.candidate.get(name))
        return None if values.reference is None or values.candidate is None else values

    def _plan(self) -> Any:
        try:
            return self.world.plan()
        except Skip:
            return None

    def value(self, name: str, where: str) -> Pair[Any] | None:
        """Each side's value for a field called ``name`` (``where``: path, query or body)."""
        op = self.drawn.operation_id
        plan = self._plan()
        if name in ("variant_id",):
            if plan is not None and op not in ("GetVariants",):
                keys = [plan.variant] + ([plan.extra_variant] if plan.extra_variant else [])
                return self.world.ids("variants", self.rng.choice(keys))
            return self._entity("variants")
        if name == "region_id":
            if plan is not None and self.rng.random() < 0.5:
                return self.world.ids("regions", plan.region)
            return self._entity("regions")
        if name == "option_id":
            if plan is None:
                return None
            returns = op in ("PostReturns", "PostSwaps")
            return self._entity("shipping", lambda k: k[0] == plan.region and k[2] == returns)
        if name in ("order_id",):
            return self._ctx("order_id")
        if name == "item_id":
            return self._ctx("item_id")
        if name == "reason_id":
            return self._entity("reasons")
        if name == "provider_id":
            return Pair(plan.provider, plan.provider) if plan is not None else None
        if name == "country_code":
            return Pair(plan.country, plan.country) if plan is not None else None
        if name == "cart_id":
            if op == "GetOrdersOrderCartId":
                return self._ctx("order_cart_id")
            return self._ctx("cart_id")
        if name == "line_id":
            return self._ctx("line_id")
        if name == "address_id":
            return self._ctx("address_id")
        if name == "collection_id":
            return self._entity("collections")
        if name == "tags":
            return self._entity("tags")
        if name == "type_id":
            return self._entity("types")
        if name in ("category_id", "parent_category_id"):
            return self._entity("categories")
        if name in ("product_ids",):
            return self._entity("products")
        if name in ("ids",) or (name == "id" and where == "query" and op == "GetVariants"):
            return self._entity("variants")
        if name == "id" and where == "query" and op == "GetProducts":
            return self._entity("products")
        if name == "handle" and where == "query":
            kind = {"GetProducts": "products", "GetCollections": "collections",
                    "GetProductCategories": "categories"}.get(op)
            if kind:
                keys = self.world.common(kind)
                if keys:
                    key = self.rng.choice(keys)
                    return Pair(key, key)
            return None
        if name == "email":
            if op == "GetOrders":
                return self._ctx("order_email")
            if op in ("PostAuth", "PostToken", "GetAuthEmail",
                      "PostCustomersCustomerPasswordToken", "PostCustomersResetPassword"):
                return self._ctx("email")
            return None
        if name == "display_id" and op == "GetOrders":
            return self._ctx("display_id")
        if name == "order_ids":
            return self._ctx("order_id")
        if name == "token" and op == "PostOrdersCustomerOrderClaimsCustomerOrderClaimAccept":
            ids = self._ctx("customer_id"), self._ctx("order_id")
            if ids[0] is None or ids[1] is None:
                return None
            return Pair(*(mint_claim_token(side.jwt_secret, customer, [order]) for
                          side, customer, order in zip(self.world.sides, ids[0], ids[1],
                                                       strict=True)))
        if name == "code":
            if op == "GetGiftCardsCode" and self.world.options.gift_card is not None:
                return self.world.options.gift_card
            if self.world.options.discount and op in ("DeleteCartsCartDiscountsDiscount",
                                                      "PostCartsCart"):
                return Pair(self.world.options.discount, self.world.options.discount)
            return None
        return None

    # the walk ------------------------------------------------------------------------------
    def _salted(self, body: Any) -> Any:
        """A registration's email made unique to this run (the ids generated are kept)."""
        if (self.drawn.operation_id == "PostCustomers" and isinstance(body, dict)
                and isinstance(body.get("email"), str) and "@" in body["email"]):
            return {**body, "email": f"{self.world.suffix}.{body['email']}"}
        return body

    def path_id(self) -> Pair[Any] | None:
        op = self.drawn.operation_id
        if op.startswith(("GetCartsCart", "PostCartsCart", "DeleteCartsCart")):
            return self._ctx("cart_id")
        if op in ("GetOrdersOrder",):
            return self._ctx("order_id")
        kinds = {"GetCollectionsCollection": "collections",
                 "GetProductCategoriesCategory": "categories",
                 "GetProductsProduct": "products", "GetRegionsRegion": "regions",
                 "GetReturnReasonsReason": "reasons", "GetVariantsVariant": "variants"}
        if op in kinds:
            return self._entity(kinds[op])
        return None

    def walk(self, value: Any, name: str, where: str) -> Any:
        """``value`` with substitutions (Pairs where the sides differ)."""
        if name == "password" and where == "body" and self.drawn.operation_id in (
                "PostAuth", "PostToken") and isinstance(value, str) and self.rng.random() < 0.5:
            return self.ctx.reference.get("password", value)
        if isinstance(value, dict):
            return {k: self.walk(v, k, where) for k, v in value.items()}
        if isinstance(value, list):
            if name in ("order_ids", "product_ids", "ids", "collection_id", "tags",
                        "type_id", "category_id", "handle", "id"):
                return [self.walk(v, name, where) for v in value]
            return [self.walk(v, "", where) for v in value]
        if isinstance(value, str) or (name == "display_id" and isinstance(value, int | float)):
            if (name == "email" and self.drawn.operation_id == "PostCustomers"
                    and isinstance(value, str) and "@" in value):
                return f"{self.world.suffix}.{value}"  # a fresh address on every run
            found = self.value(name, where)
            if found is not None:
                return found
        return value

    def request(self) -> tuple[dict[str, Any], dict[str, Any], Any]:
        d = self.drawn
        if self.keep:
            return d.path_parameters, d.query, self._salted(d.body) if d.has_body else d.body
        path = {}
        for name, value in d.path_parameters.items():
            found = self.path_id() if name == "id" else self.value(name, "path")
            path[name] = found if found is not None else value
        query = {k: self.walk(v, k, "query") for k, v in d.query.items()}
        body = self.walk(d.body, "", "body") if d.has_body else d.body
        return path, query, body


def per_side(value: Any, index: int) -> Any:
    if isinstance(value, Pair):
        return value[index]
    if isinstance(value, dict):
        return {k: per_side(v, index) for k, v in value.items()}
    if isinstance(value, list):
        return [per_side(v, index) for v in value]
    return value


_DROPPED = {"user-agent", "accept-encoding", "accept", "connection", "x-schemathesis-testcaseid",
            "content-length"}


def send(world: World, drawn: Drawn, ctx: Pair[Context], parts: tuple[Any, Any, Any],
         ) -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    answers, sent = [], []
    for index, side in enumerate(world.sides):
        path, query, body = (per_side(p, index) for p in parts)
        case = drawn.operation.Case(path_parameters=path, query=query,
                                    **({"body": body, "media_type": drawn.media_type or
                                        "application/json"} if drawn.has_body else {}))
        kwargs = case.as_transport_kwargs(base_url=side.base_url)
        headers = {k: v for k, v in (kwargs.get("headers") or {}).items()
                   if k.lower() not in _DROPPED}
        if drawn.secured and ctx[index].get("bearer"):
            headers["Authorization"] = f"Bearer {ctx[index]['bearer']}"
        url = urlsplit(kwargs["url"])
        options: dict[str, Any] = {"params": kwargs.get("params") or None, "headers": headers}
        if "json" in kwargs:
            options["body"] = kwargs["json"]
        elif kwargs.get("data") is not None:
            data = kwargs["data"]
            options["content"] = data.encode() if isinstance(data, str) else data
        answer, request = side.send(drawn.method, url.path, **options)
        answers.append(answer)
        sent.append(request)
    return (answers[0], answers[1]), (sent[0], sent[1])


# -- the run -------------------------------------------------------------------------------
class Meter:
    """Requests compared per second, and the time left."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.t0 = time.monotonic()

    def tick(self) -> None:
        self.done += 1

    def left(self) -> str:
        if not self.done:
            return "?"
        seconds = (time.monotonic() - self.t0) / self.done * (self.total - self.done)
        return f"{int(seconds // 60)}m{int(seconds % 60):02d}s"


def run(world: World, result: Any, settings: Any, *, progress: Any = None,
        status: Callable[[str], None] | None = None) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from .._spec import store_spec_path
    from .diff import judged

    document = Path(settings.spec) if settings.spec else store_spec_path()
    if settings.spec:
        from . import audit

        # the vendor's document loads too: its known defects repaired (as audit does)
        document, warnings = audit.prepare_document(document.resolve(), audit.tempdir())
        result.notes.extend(f"document defect repaired: {w}" for w in warnings)
    operations = load_operations(document, settings.operations)
    result.generated = {"document": str(document), "per_operation": settings.generated,
                        "seed": settings.seed, "modes": list(settings.modes),
                        "operations": len(operations), "drawn": 0, "skipped": {}}
    total = len(operations) * settings.generated
    meter = Meter(total)
    if status:
        status(f"generated: up to {settings.generated} requests for each of {len(operations)} "
               f"operations (seed {settings.seed}), plus what each needs made on both sides")
    kept: dict[str, Pair[Context]] = {}
    lost: str | None = None
    # schemathesis draws the next operation's requests while this one's are sent
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = [pool.submit(draw_operation, op, settings.generated, settings.seed,
                               settings.modes) for op in operations]
        for number, future in enumerate(pending, start=1):
            cases = future.result()
            meter.total -= settings.generated - len(cases)
            result.generated["drawn"] += len(cases)
            agree = 0
            op_id = cases[0].operation_id if cases else "?"
            for d in cases:
                try:
                    ctx = prepare(world, d, kept)
                    parts = Substitution(world, d, ctx, settings.seed).request()
                    answers, sent = send(world, d, ctx, parts)
                except Skip as exc:
                    result.generated["skipped"].setdefault(op_id, str(exc))
                    meter.tick()
                    continue
                except FixtureError as exc:
                    result.generated["skipped"].setdefault(op_id, f"could not prepare: {exc}")
                    meter.tick()
                    continue
                except Unreachable as exc:
                    lost = str(exc)
                    break
                comparison = judged("generated", d.mode, op_id, d.method, answers, sent)
                result.comparisons.append(comparison)
                agree += comparison.agree
                meter.tick()
                if progress:
                    progress(comparison)
            if lost:
                for rest in pending:
                    rest.cancel()
                result.scenarios.append(_lost(lost))
                break
            if status and cases:
                status(f"generated: {op_id}: {agree}/{len(cases)} agree "
                       f"({number}/{len(operations)} operations, about {meter.left()} left)")


def _lost(why: str) -> Any:
    from .diff import ScenarioResult

    return ScenarioResult("generated", "failed", f"a side stopped answering: {why}")
