"""Hostile input against every operation of the documents: a clear answer, never a crash.

The operations come from the documents themselves (``mock_server._spec`` says where they are;
Connexion's loader resolves their ``$ref``s), so a new operation joins the matrix by itself. For
each operation and each hostile input that applies to it (malformed JSON, wrong Content-Type,
empty, huge and deeply nested bodies, huge arrays, control characters and lone surrogates, numbers
at and past their bounds, unknown and hostile query keys, path segments with encoded slashes and
dots), the answer must be

* a 4xx in Medusa's error shape (JSON ``{"type", "message"}``), or one of the plain-text answers
  the quirks registry lists for the operation (passport's ``Unauthorized``, the order look-up's
  ``Not Found``, the idempotency key's 409), or the publishable-key ``{"errors"}`` shape, or
* a success the operation documents (the app validates every answer against the document), or
* 501 for an operation without a handler yet, or a 500 the operation documents that is either a
  Medusa bug the mock reproduces on purpose (it names its quirk in ``X-Medusa-Mock-Quirk`` and the
  quirk lists the operation) or one of the error types Medusa's error handler answers with 500 by
  design (``unexpected_state``, ``invalid_argument``, ``database_error``),

never another 5xx, HTML, a stack trace or JSON a browser cannot parse (``NaN``, bad UTF-8), and
nothing is logged as an unhandled error. A refused request (any answer that is not a 2xx) leaves
the state exactly as it was: every table and counter of the store (compared with a
``Store.snapshot()`` taken before), the event outbox and the clock. Requests carry a bearer token,
so no login session is ever created, and a refused request must not create one either; the only
exemption is the idempotency key Medusa's idempotent routes store before they try the work (a new
row of ``idempotency_keys``, nothing else). After a success the state is put back.

One app serves the whole module (the state is restored after every case), so the matrix runs in
seconds. ``test_matrix_size`` prints how many cases there are.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from connexion.spec import Specification

from mock_server._quirks import QUIRKS
from mock_server._spec import control_spec_path, store_spec_path
from mock_server._spec import operations as spec_operations

from .conftest import Mock, make_mock

METHODS = ("get", "post", "put", "patch", "delete")
JSON_TYPE = "application/json"
# Thousands of cases: CI runs them all; scripts/check (the quick loop before a commit) skips them.
pytestmark = pytest.mark.slow
BODY_LIMIT = 100 * 1024
QUIRK_HEADER = "x-medusa-mock-quirk"
QUIRK_KEYS = {q.key: q for q in QUIRKS}
# The plain-text answers Medusa gives on purpose, by status: the text and the quirk that lists
# the operations allowed to give it (passport, res.sendStatus, the idempotency key).
TEXT_ANSWERS = {401: ("Unauthorized", "passport-401"),
                404: ("Not Found", "order-lookup-404-text"),
                409: ("Failed to create idempotency key", "idempotent-routes-409")}
# Control characters, bidi marks, a BOM, an emoji, lone surrogates (json.dumps writes them as
# escapes such as "\ud800", as a hostile client would; low before high, so never a pair), markup
# and a backslash.
HOSTILE_TEXT = "\x00\x01\x1f\x7f\u202e\u200f\ufeff\U0001F4A9\udfff\ud800<script>'\"\\%00"
# A number literal as it appears in the body, and the name of the case.
NUMBERS = {
    "max_double": "1e308",
    "negative_zero": "-0",
    "negative_zero_float": "-0.0",
    "two_pow_53_plus_1": str(2**53 + 1),
    "overflow_1e400": "1e400",
    "negative_overflow": "-1e400",
    "underflow_1e-400": "1e-400",
    "five_thousand_digits": "9" * 5000,
    "nan_literal": "NaN",
    "infinity_literal": "Infinity",
    "negative": "-1",
    "fraction": "0.5",
}
QUERY_NUMBERS = ("1e308", "-0", str(2**53 + 1), "1e400", "NaN", "Infinity", "-1", "0.5",
                 "9" * 400, "0x10", "")
PATH_VALUES = {
    "encoded_slash": "a%2Fb",
    "encoded_dots": "%2e%2e",
    "encoded_traversal": "%2e%2e%2F%2e%2e%2Fcustomers%2Fme",
    "backslash_traversal": "..%5C..%5Cetc",
    "nul": "%00",
    "rtl_mark": "%E2%80%AEdi_",
    "invalid_utf8": "%ff%fe",
    "overlong_dot": "%c0%ae%c0%ae",
    "long_id": "x" * 4000,
    "quotes": "%27%22%3Cscript%3E",
}


# -- the operations, from the documents ------------------------------------------------------------
@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    operation_id: str
    parameters: tuple[dict, ...]
    body_schema: dict | None
    responses: tuple[str, ...]
    html: tuple[str, ...] = ()
    """The statuses whose answer the document declares as an HTML page (the web console)."""

    @property
    def path_params(self) -> list[str]:
        return re.findall(r"\{([^}]+)\}", self.path)

    @property
    def query_params(self) -> list[dict]:
        return [p for p in self.parameters if p["in"] == "query"]


def load_operations() -> list[Operation]:
    out = []
    for location in (store_spec_path(), control_spec_path()):
        spec = Specification.load(location)
        for path, item in spec["paths"].items():
            shared = item.get("parameters", [])
            for method in METHODS:
                op = item.get(method)
                if op is None:
                    continue
                content = (op.get("requestBody") or {}).get("content", {})
                schema = content.get(JSON_TYPE, {}).get("schema")
                responses = op.get("responses", {})
                out.append(Operation(method.upper(), path, op["operationId"],
                                     tuple(shared) + tuple(op.get("parameters", [])), schema,
                                     tuple(responses),
                                     tuple(status for status, answer in responses.items()
                                           if "text/html" in answer.get("content", {}))))
    return out


OPERATIONS = load_operations()


# -- plausible values ------------------------------------------------------------------------------
@dataclass
class Seeded:
    """Ids of seeded (and set-up) rows, to fill paths and bodies plausibly."""

    values: dict[str, str] = field(default_factory=dict)

    def path_value(self, path: str, name: str) -> str:
        resource = path.split("/")[2]
        for key in (f"{resource}.{name}", name):
            if key in self.values:
                return self.values[key]
        return f"{name}_unknown"


def _plausible(schema: dict | None, seeded: Seeded, name: str = "") -> Any:
    """A small value the schema accepts, with seeded ids where a property names one."""
    if not schema:
        return {}
    if name in seeded.values:
        return seeded.values[name]
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return _plausible(schema[key][0], seeded, name)
    if "allOf" in schema:
        merged: dict = {}
        for part in schema["allOf"]:
            value = _plausible(part, seeded, name)
            if isinstance(value, dict):
                merged.update(value)
        return merged
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {key: _plausible(props[key], seeded, key)
                for key in schema.get("required", []) if key in props}
    if kind == "array":
        return [_plausible(schema.get("items", {}), seeded, name)]
    if kind in ("integer", "number"):
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    if schema.get("format") == "email" or "email" in name:
        return "hostile@example.com"
    return "x"


def _props(schema: dict | None) -> dict[str, dict]:
    if not schema:
        return {}
    props = dict(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        props.update(part.get("properties", {}))
    return props


def _is_kind(schema: dict, kinds: tuple[str, ...]) -> bool:
    alternatives = schema.get("oneOf") or schema.get("anyOf") or [schema]
    return any(alt.get("type") in kinds for alt in alternatives)


# -- the cases -------------------------------------------------------------------------------------
@dataclass
class Request:
    method: str
    url: str
    body: bytes | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class Case:
    op: Operation
    name: str
    build: Callable[[Operation, Seeded], Request]
    expect_status: int | None = None  # when the answer is fixed whatever the operation

    @property
    def id(self) -> str:
        return f"{self.op.operation_id}-{self.name}"


def _url(op: Operation, seeded: Seeded, query: str = "", **override: str) -> str:
    url = op.path
    for name in op.path_params:
        value = override.get(name, quote(seeded.path_value(op.path, name), safe=""))
        url = url.replace("{" + name + "}", value)
    return url + (f"?{query}" if query else "")


def _json_request(op: Operation, seeded: Seeded, text: str | bytes,
                  content_type: str = JSON_TYPE) -> Request:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return Request(op.method, _url(op, seeded), raw, content_type)


FIRST = ("first",)  # only the body's first property: the big values fit the limit once


def _body_with(op: Operation, seeded: Seeded, placeholder_value: str,
               kinds: tuple[str, ...] | None = None) -> str:
    """The plausible body with ``placeholder_value`` (raw JSON) in every property of ``kinds``
    (all properties when None), or in the first property (or a new one) when none fits."""
    body = _plausible(op.body_schema, seeded)
    if not isinstance(body, dict):
        body = {}
    props = _props(op.body_schema)
    targets = [k for k, s in props.items()
               if kinds is None or (kinds != FIRST and _is_kind(s, kinds))]
    if not targets:
        targets = [next(iter(props), "hostile")]
    for key in targets:
        body[key] = "\x00PLACEHOLDER\x00"
    return json.dumps(body).replace(json.dumps("\x00PLACEHOLDER\x00"), placeholder_value)


def _nested(depth: int, kind: str) -> str:
    return ("[" * depth + "]" * depth) if kind == "array" else (
        '{"a":' * depth + "1" + "}" * depth)


def _body_cases(op: Operation) -> Iterator[Case]:
    def raw(name: str, text: str | bytes, content_type: str = JSON_TYPE,
            status: int | None = None) -> Case:
        if op.path.startswith("/_mock") and not content_type.startswith(JSON_TYPE):
            status = 415  # the control plane's guard takes JSON only, before any body is read
        return Case(op, name, lambda o, s: _json_request(o, s, text, content_type), status)

    def plausible(name: str, content_type: str,
                  encode: Callable[[dict], bytes] | None = None) -> Case:
        def build(o: Operation, s: Seeded) -> Request:
            body = _plausible(o.body_schema, s)
            data = encode(body) if encode else json.dumps(body).encode()
            return Request(o.method, _url(o, s), data, content_type)
        return Case(op, name, build)

    def placed(name: str, value: str, kinds: tuple[str, ...] | None,
               status: int | None = None) -> Case:
        return Case(op, name, lambda o, s: _json_request(o, s, _body_with(o, s, value, kinds)),
                    status)

    yield raw("malformed_json_truncated", '{"a":', status=400)
    yield raw("malformed_json_trailing_brace", '{"a":1}}', status=400)
    yield raw("malformed_json_single_quotes", "{'a': 1}", status=400)
    yield raw("json_scalar_string", '"just a string"', status=400)
    yield raw("json_scalar_number", "12", status=400)
    yield raw("json_null", "null", status=400)
    yield raw("whitespace_body", " \n\t ", status=400)
    yield raw("empty_body", "")
    yield raw("empty_object", "{}")
    yield raw("top_level_array", "[1,2,3]")
    yield raw("invalid_utf8_bytes", b'{"a": "\xff\xfe\xc0\xae"}')
    yield raw("utf8_bom", b'\xef\xbb\xbf{}')
    yield plausible("content_type_text_plain", "text/plain")
    yield plausible("content_type_multipart", "multipart/form-data; boundary=X",
                    lambda b: b"".join(
                        b'--X\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
                        % (k.encode(), str(v).encode()) for k, v in b.items()) + b"--X--\r\n")
    yield plausible("content_type_form", "application/x-www-form-urlencoded",
                    lambda b: "&".join(f"{k}={quote(str(v))}" for k, v in b.items()).encode())
    yield plausible("content_type_json_latin1", "application/json; charset=latin1")
    yield plausible("content_type_missing", "")
    yield raw("huge_body_json", json.dumps({"pad": "x" * (BODY_LIMIT + 10)}), status=413)
    yield raw("huge_body_text_plain", "x" * (2 * BODY_LIMIT), "text/plain", status=413)
    yield placed("deep_arrays_10000", _nested(10_000, "array"), FIRST, status=400)
    yield placed("deep_objects_10000", _nested(10_000, "object"), FIRST, status=400)
    yield raw("deep_top_level_arrays_10000", _nested(10_000, "array"), status=400)
    yield placed("nested_arrays_60", _nested(60, "array"), FIRST)
    yield placed("nested_objects_60", _nested(60, "object"), FIRST)
    # 50_000 elements ("0," each) fill half the 100 kB limit; 100_000 would not fit.
    yield placed("huge_array_50000_numbers", "[" + ",".join(["0"] * 50_000) + "]", FIRST)
    yield placed("huge_array_20000_strings", json.dumps(["x"] * 20_000), FIRST)
    yield placed("huge_object_10000_keys", json.dumps({f"k{i}": i for i in range(10_000)}), FIRST)
    yield placed("hostile_strings", json.dumps(HOSTILE_TEXT), ("string",))
    yield placed("hostile_strings_everywhere", json.dumps(HOSTILE_TEXT), None)
    yield Case(op, "hostile_key", lambda o, s: _json_request(
        o, s, json.dumps({**_plausible(o.body_schema, s), HOSTILE_TEXT: 1})))
    yield Case(op, "proto_keys", lambda o, s: _json_request(
        o, s, json.dumps({**_plausible(o.body_schema, s), "__proto__": {"admin": True},
                          "constructor": {"prototype": {"admin": True}}})))
    for name, literal in NUMBERS.items():
        status = 400 if name in ("nan_literal", "infinity_literal") else None
        yield placed(f"number_{name}", literal, ("integer", "number"), status)


def _query_cases(op: Operation) -> Iterator[Case]:
    def query(name: str, make: Callable[[Operation], str]) -> Case:
        return Case(op, name, lambda o, s: Request(o.method, _url(o, s, make(o))))

    hostile = quote(HOSTILE_TEXT.encode("utf-8", "surrogatepass"), safe="")
    yield query("query_unknown_key", lambda o: "hostile_unknown_key=1")
    yield query("query_hostile_key", lambda o: f"{hostile}=1")
    yield query("query_deep_brackets", lambda o: "a" + "[b]" * 30 + "=1")
    yield query("query_many_values", lambda o: "&".join(["id=x"] * 1000))
    yield query("query_array_index_overflow", lambda o: "id[999999999]=x")
    names = [p["name"] for p in op.query_params]
    if not names:
        return
    yield query("query_hostile_strings", lambda o: "&".join(f"{n}={hostile}" for n in names))
    yield query("query_brackets_on_every_param",
                lambda o: "&".join(f"{n}[gt][lt]=1&{n}[]=a" for n in names))
    yield query("query_empty_values", lambda o: "&".join(f"{n}=" for n in names))
    numeric = [p["name"] for p in op.query_params if _is_kind(p.get("schema", {}),
                                                              ("integer", "number"))]
    for value in QUERY_NUMBERS if numeric else ():
        yield query(f"query_number_{value[:12] or 'empty'}",
                    lambda o, v=value: "&".join(f"{n}={quote(v)}" for n in numeric))


def _path_cases(op: Operation) -> Iterator[Case]:
    for name, value in PATH_VALUES.items():
        if op.path_params:
            for param in op.path_params:
                yield Case(op, f"path_{param}_{name}",
                           lambda o, s, p=param, v=value: Request(o.method,
                                                                  _url(o, s, **{p: v})))
    # Dots and encoded slashes between the segments of a route.
    yield Case(op, "path_dot_segment", lambda o, s: Request(
        o.method, _url(o, s).replace("/", "/%2e%2e/", 2).replace("/%2e%2e/", "/", 1)))
    yield Case(op, "path_encoded_slash_suffix", lambda o, s: Request(
        o.method, _url(o, s) + "%2F..%2F..%2Fadmin"))
    yield Case(op, "path_trailing_slash", lambda o, s: Request(o.method, _url(o, s) + "/"))
    yield Case(op, "path_double_slash", lambda o, s: Request(
        o.method, _url(o, s).replace("/", "//", 2).replace("//", "/", 1)))


def _bodies_on_other_methods(op: Operation) -> Iterator[Case]:
    """express.json() is mounted before every route: a GET or DELETE body is read too."""
    def body(name: str, text: str, status: int | None) -> Case:
        return Case(op, name, lambda o, s: _json_request(o, s, text), status)

    yield body("malformed_json_on_" + op.method.lower(), '{"a":', 400)
    yield body("huge_json_on_" + op.method.lower(), json.dumps(["x" * (BODY_LIMIT + 1)]), 413)
    yield body("deep_json_on_" + op.method.lower(), _nested(10_000, "array"), 400)
    yield body("json_object_on_" + op.method.lower(), '{"a": 1}', None)


def build_cases() -> list[Case]:
    cases: list[Case] = []
    for op in OPERATIONS:
        if op.method in ("POST", "PUT", "PATCH"):
            cases.extend(_body_cases(op))
        else:
            cases.extend(_bodies_on_other_methods(op))
        cases.extend(_query_cases(op))
        cases.extend(_path_cases(op))
    return cases


CASES = build_cases()


# -- one app for the module, state restored after each case ---------------------------------------
@dataclass
class Bench:
    mock: Mock
    seeded: Seeded
    headers: dict[str, str]
    baseline: dict[str, Any]
    events: list[dict]
    not_implemented: set[str]
    logged: list[str] = field(default_factory=list)

    def live_state(self) -> dict[str, Any]:
        """The store in ``Store.snapshot()``'s structure, without its deep copy: comparing it with
        a snapshot compares every row and value."""
        store = self.mock.services.store
        with store.lock:
            return {"tables": {name: dict(zip(table.keys(), table.values(), strict=True))
                               for name, table in store.tables.items()},
                    "counters": dict(store.counters)}

    def outbox(self) -> list[dict]:
        return self.mock.services.outbox._events  # the live list (compared, then put back)

    def restore(self) -> None:
        services = self.mock.services
        services.store.restore(self.baseline)
        self.outbox()[:] = copy.deepcopy(self.events)
        services.clock.reset()


def _set_up(mock: Mock) -> Bench:
    store = mock.services.store
    jane = mock.customer("jane@example.com")
    order = mock.order(5)
    seeded = Seeded({
        "auth.email": jane["email"],
        "address_id": next(a["id"] for a in store.addresses.values()
                           if a["customer_id"] == jane["id"]),
        "orders.id": order["id"], "orders.cart_id": order["cart_id"],
        "order_ids": mock.order(1)["id"], "order_id": mock.order(1)["id"],
        "collections.id": next(iter(store.product_collections.keys())),
        "gift-cards.code": next(iter(store.gift_cards.values()))["code"],
        "product-categories.id": next(iter(store.product_categories.keys())),
        "products.id": next(iter(store.products.keys())),
        "variants.id": next(iter(store.product_variants.keys())),
        "variant_id": next(iter(store.product_variants.keys())),
        "regions.id": "reg_eu", "region_id": "reg_eu",
        "return-reasons.id": next(iter(store.return_reasons.keys())),
        "code": next(iter(store.discounts.values()))["code"],
        "provider_id": "manual", "email": "hostile@example.com",
    })
    headers = mock.bearer()
    # A cart with a line, when the cart routes answer (they are being built).
    r = mock.client.post("/store/carts", json={"region_id": "reg_eu"})
    if r.status_code == 200:
        cart = r.json()["cart"]
        seeded.values.update({"carts.id": cart["id"], "cart_id": cart["id"],
                              "shipping-options.cart_id": cart["id"],
                              "swaps.cart_id": cart["id"]})
        r = mock.client.post(f"/store/carts/{cart['id']}/line-items",
                             json={"variant_id": seeded.values["variant_id"], "quantity": 1})
        if r.status_code == 200 and r.json()["cart"]["items"]:
            seeded.values["line_id"] = r.json()["cart"]["items"][0]["id"]
    services = mock.services
    return Bench(mock=mock, seeded=seeded, headers=headers, baseline=services.store.snapshot(),
                 events=services.outbox.list(), not_implemented=set(mock.app.not_implemented))


class _Errors(logging.Handler):
    """What the mock logs as an unhandled error (``medusa_mock`` logger) during one case."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def bench() -> Iterator[Bench]:
    logger = logging.getLogger("medusa_mock")
    handler = _Errors()
    logger.addHandler(handler)
    mock = make_mock()
    try:
        with mock.client:  # one event-loop portal for all requests, not one per request
            bench = _set_up(mock)
            bench.logged = handler.messages
            yield bench
    finally:
        logger.removeHandler(handler)


# -- the checks ------------------------------------------------------------------------------------
_TRACE_MARKERS = ("Traceback (most recent call last)", 'File "/', "\n    at ", "<html", "<!DOCTYPE",
                  "<pre>", "<body", "Werkzeug", "starlette", "connexion.", "site-packages")


def _quirk_allows_500(op: Operation, key: str | None) -> bool:
    quirk = QUIRK_KEYS.get(key or "")
    return (quirk is not None and "500" in op.responses
            and (op.operation_id in quirk.operations or "*" in quirk.operations))


# Error types Medusa's error handler answers with 500 on purpose, keeping type and message
# (``api/middlewares/error-handler.js``): a raised MedusaError, not a crash.
MEDUSA_500_TYPES = {"unexpected_state", "invalid_argument", "database_error"}


def _medusa_500(op: Operation, response: Any) -> bool:
    if response.status_code != 500 or "500" not in op.responses:
        return False
    body = response.json()
    return body.get("type") in MEDUSA_500_TYPES and isinstance(body.get("message"), str)


def check_answer(case: Case, bench: Bench, response: Any) -> str | None:
    """What is wrong with the answer, or None."""
    op, status = case.op, response.status_code
    ctype = response.headers.get("content-type", "")
    text = response.content.decode("utf-8", "replace")
    if "text/html" in ctype:
        if str(status) in op.html:  # a page the document declares (the console)
            return None
        return f"HTML answer ({status})"
    if any(marker in text for marker in _TRACE_MARKERS):
        return f"stack trace or internals in the answer: {text[:300]!r}"
    if case.expect_status is not None and status != case.expect_status:
        return f"expected {case.expect_status}, got {status}: {text[:300]!r}"
    if ctype.startswith(JSON_TYPE):
        try:
            _strict_json(response.content)
        except ValueError as exc:
            return f"answer is not strict JSON in UTF-8 ({exc}): {text[:200]!r}"
    if status == 501:
        if op.operation_id not in bench.not_implemented:
            return "501 from an implemented operation"
        return None if response.json().get("type") == "not_implemented" else "501 shape"
    if status >= 500:
        key = response.headers.get(QUIRK_HEADER)
        if _quirk_allows_500(op, key) or _medusa_500(op, response):
            return None
        return f"{status} not documented as a quirk (header {key!r}): {text[:300]!r}"
    if 200 <= status < 300:
        if str(status) not in op.responses:
            return f"undocumented success {status}"
        return None
    if 400 <= status < 500:
        if ctype.startswith(JSON_TYPE):
            body = _strict_json(response.content)
            if (isinstance(body, dict) and isinstance(body.get("type"), str)
                    and isinstance(body.get("message"), str)):
                return None
            if (isinstance(body, dict) and isinstance(body.get("errors"), list)
                    and _listed(op, "publishable-key-scope-errors")):
                return None
            return f"4xx JSON without Medusa's shape: {text[:300]!r}"
        expected, quirk = TEXT_ANSWERS.get(status, (None, ""))
        if text == expected and (_listed(op, quirk) or "*" in QUIRK_KEYS[quirk].operations):
            return None
        return f"4xx neither JSON nor a documented text answer: {ctype!r} {text[:300]!r}"
    return f"unexpected status {status}"


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _strict_json(raw: bytes) -> Any:
    """The answer as a JSON.parse in a browser reads it: UTF-8, no NaN/Infinity."""
    return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)


def _listed(op: Operation, key: str) -> bool:
    return op.operation_id in QUIRK_KEYS[key].operations


def _legitimate(op: Operation, before: dict[str, Any], changed: list[str]) -> list[str]:
    """The changes a refused request may still make: Medusa's idempotent routes store a new
    idempotency key before they try the work (``initializeRequest``), and keep it when the work
    fails (quirk ``idempotent-routes-409``)."""
    if op.operation_id not in QUIRK_KEYS["idempotent-routes-409"].operations:
        return changed
    keys = before["tables"]["idempotency_keys"]
    return [c for c in changed if not (c.startswith("idempotency_keys[")
                                       and c[len("idempotency_keys["):-1] not in keys)]


def _state_diff(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    out = []
    if before["counters"] != after["counters"]:
        out.append(f"counters {before['counters']} -> {after['counters']}")
    for name, rows in after["tables"].items():
        old = before["tables"].get(name, {})
        for key in sorted(set(rows) | set(old)):
            if rows.get(key) != old.get(key):
                out.append(f"{name}[{key}]")
    return out


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input(case: Case, bench: Bench) -> None:
    request = case.build(case.op, bench.seeded)
    headers = dict(bench.headers)
    if request.content_type is not None:
        headers["Content-Type"] = request.content_type
    clock_before = bench.mock.services.clock.offset
    events_before = len(bench.outbox())
    bench.logged.clear()
    response = bench.mock.client.request(request.method, request.url, content=request.body,
                                         headers=headers)
    try:
        problem = check_answer(case, bench, response)
        assert problem is None, f"{request.method} {request.url[:200]}: {problem}"
        assert not bench.logged, f"logged as unhandled: {bench.logged}"
        if not 200 <= response.status_code < 300:
            changed = _legitimate(case.op, bench.baseline,
                                  _state_diff(bench.baseline, bench.live_state()))
            assert not changed, f"refused ({response.status_code}) but state changed: {changed}"
            assert len(bench.outbox()) == events_before, "refused but an event was emitted"
            assert bench.mock.services.clock.offset == clock_before, "refused but clock moved"
    finally:
        if (bench.live_state() != bench.baseline or len(bench.outbox()) != len(bench.events)
                or bench.mock.services.clock.offset != 0):
            bench.restore()


def test_hostile_text_and_numbers_are_stored_and_answered_as_json(bench: Bench) -> None:
    """What the matrix stores and then throws away, read back: control characters, a lone
    surrogate and numbers past the double range (quirk ``text-stored-as-sent``)."""
    client, headers = bench.mock.client, bench.headers
    big = "9" * 400
    text = json.dumps(HOSTILE_TEXT)
    body = (f'{{"first_name": {text}, "metadata": {{"inf": 1e400, "big": {big}, '
            f'"ninf": -1e400, "text": {text}, "zero": -0}}}}')
    try:
        r = client.post("/store/customers/me", content=body.encode(),
                        headers={**headers, "Content-Type": JSON_TYPE})
        assert r.status_code == 200, r.text
        for path in ("/store/customers/me", "/store/auth", "/_mock/events"):
            answer = client.get(path, headers=headers)
            assert answer.status_code == 200, (path, answer.text[:200])
            parsed = _strict_json(answer.content)
            if path != "/_mock/events":
                customer = parsed["customer"]
                assert customer["first_name"] == HOSTILE_TEXT
                # JSON.stringify writes non-finite numbers as null.
                assert customer["metadata"] == {"inf": None, "big": None, "ninf": None,
                                                "text": HOSTILE_TEXT, "zero": 0}
                assert b"\\ud800" in answer.content  # the lone surrogate as an escape
    finally:
        bench.restore()


def test_live_state_reads_like_a_snapshot(bench: Bench) -> None:
    """The cheap comparison the matrix uses sees exactly what ``Store.snapshot()`` sees."""
    assert bench.live_state() == bench.mock.services.store.snapshot() == bench.baseline
    first = next(iter(bench.mock.services.store.customers.values()))
    first["first_name"] = "changed"
    try:
        assert _state_diff(bench.baseline, bench.live_state()) == [f"customers[{first['id']}]"]
    finally:
        bench.restore()
    assert bench.live_state() == bench.baseline


def test_matrix_size(bench: Bench) -> None:
    """Every operation of both documents is in the matrix, with every family of input."""
    operations = {op.operation_id for op in OPERATIONS}
    covered = {case.op.operation_id for case in CASES}
    assert covered == operations
    assert set(spec_operations()) <= operations  # the same Store operations as the project reads
    assert len(OPERATIONS) >= 65 + 4
    body_ops = [op for op in OPERATIONS if op.method == "POST"]
    per_body_op = sum(1 for _ in _body_cases(body_ops[0]))
    print(f"\nhostile-input matrix: {len(CASES)} cases over {len(OPERATIONS)} operations "
          f"({len(body_ops)} POST operations, {per_body_op} body cases each)")
    assert len(CASES) > 1500
