"""Every claim/confirm case recorded against a real Medusa 1.20.11, replayed against the mock.

The cases are our own encoding of the observations (request, status, Content-Type, body, number
of ``order-update-token.created`` events). Two rows differ on purpose (``docs/deviations.md``):
Express's HTML pages for a malformed JSON body and for a wrong method become Medusa-shaped JSON.
``test_table_covers_reference`` checks this table against the recorded reference where the
reference folder is present.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from .conftest import JANE, Mock, make_mock

JSON = "application/json; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
CLAIM = "/store/orders/batch/customer/token"
CONFIRM = "/store/orders/customer/confirm"
BOTH_CLAIM = ("each value in order_ids must be a string, "
              "each value in order_ids should not be empty")
BOTH_CONFIRM = "token must be a jwt string, token should not be empty"
UNKNOWN = {"code": "unknown_error", "type": "unknown_error",
           "message": "An unknown error occurred."}


@dataclass
class Case:
    name: str
    method: str
    path: str
    auth: str = "none"  # none | garbage | wrong-secret | unknown | guest | bearer | session
    body: Any = "-"  # "-" no body; bytes raw; callable(ctx) -> json-able; other -> json
    content_type: str | None = "application/json"
    status: int = 200
    ctype: str | None = TEXT
    expect: Any = "OK"  # str exact text, dict exact JSON
    events: int | None = None
    deviation: str | None = None
    setup: list[str] = field(default_factory=list)


def _claimer_token(ctx: dict, **overrides: Any) -> str:
    payload = {"claimingCustomerId": ctx["jane_id"], "orders": [ctx["order1"]]}
    payload.update(overrides)
    return ctx["mock"].mint(payload)


CASES = [
    Case("claim: unauthenticated, valid body", "POST", CLAIM,
         body=lambda c: {"order_ids": [c["order1"]]}, status=401, ctype=None,
         expect="Unauthorized"),
    Case("claim: unauthenticated, no body", "POST", CLAIM, status=401, ctype=None,
         expect="Unauthorized"),
    Case("claim: garbage bearer", "POST", CLAIM, auth="garbage",
         body=lambda c: {"order_ids": [c["order1"]]}, status=401, ctype=None,
         expect="Unauthorized"),
    Case("claim: bearer w/ wrong secret", "POST", CLAIM, auth="wrong-secret",
         body=lambda c: {"order_ids": [c["order1"]]}, status=401, ctype=None,
         expect="Unauthorized"),
    Case("claim: bearer of unknown customer (valid sig)", "POST", CLAIM, auth="unknown",
         body=lambda c: {"order_ids": [c["order1"]]}, status=404, ctype=JSON,
         expect={"type": "not_found",
                 "message": "Customer with id: cus_doesnotexist was not found"}),
    Case("claim: bearer of guest customer (has_account=false, valid sig)", "POST", CLAIM,
         auth="guest", body=lambda c: {"order_ids": [c["order1"]]}, status=401, ctype=JSON,
         expect={"type": "unauthorized", "message": "Customer does not have an account"}),
    Case("claim: GET (wrong method), auth", "GET", CLAIM, auth="bearer", status=404, ctype=JSON,
         expect={"type": "not_found", "message": f"Cannot GET {CLAIM}"},
         deviation="unknown-route-json-404"),
    Case("claim: auth, Content-Type text/plain body", "POST", CLAIM, auth="bearer",
         body=b'{"order_ids":["x"]}', content_type="text/plain", status=400, ctype=JSON,
         expect={"type": "invalid_data", "message": BOTH_CLAIM}, events=0),
    Case("claim: auth, missing body", "POST", CLAIM, auth="bearer", status=400, ctype=JSON,
         expect={"type": "invalid_data", "message": BOTH_CLAIM}, events=0),
    Case("claim: auth, {}", "POST", CLAIM, auth="bearer", body={}, status=400, ctype=JSON,
         expect={"type": "invalid_data", "message": BOTH_CLAIM}, events=0),
    Case("claim: auth, order_ids=[]", "POST", CLAIM, auth="bearer", body={"order_ids": []},
         events=0),
    Case("claim: auth, order_ids=null", "POST", CLAIM, auth="bearer", body={"order_ids": None},
         status=400, ctype=JSON, expect={"type": "invalid_data", "message": BOTH_CLAIM},
         events=0),
    Case("claim: auth, order_ids=\"string\"", "POST", CLAIM, auth="bearer",
         body=lambda c: {"order_ids": c["order1"]}, events=1),
    Case("claim: auth, order_ids=[123]", "POST", CLAIM, auth="bearer", body={"order_ids": [123]},
         status=400, ctype=JSON,
         expect={"type": "invalid_data", "message": "each value in order_ids must be a string"},
         events=0),
    Case("claim: auth, order_ids=[\"\"]", "POST", CLAIM, auth="bearer", body={"order_ids": [""]},
         status=400, ctype=JSON,
         expect={"type": "invalid_data",
                 "message": "each value in order_ids should not be empty"}, events=0),
    Case("claim: auth, extra property", "POST", CLAIM, auth="bearer",
         body=lambda c: {"order_ids": [c["order1"]], "foo": 1}, status=400, ctype=JSON,
         expect={"type": "invalid_data", "message": "property foo should not exist"}, events=0),
    Case("claim: auth, malformed JSON", "POST", CLAIM, auth="bearer", body=b'{"order_ids":',
         status=400, ctype=JSON, expect="invalid_data", events=0,
         deviation="malformed-json-body"),
    Case("claim: auth, unknown order ids", "POST", CLAIM, auth="bearer",
         body={"order_ids": ["order_doesnotexist"]}, events=0),
    Case("claim: SUCCESS bearer, real order", "POST", CLAIM, auth="bearer",
         body=lambda c: {"order_ids": [c["order1"]]}, events=1),
    Case("claim: SUCCESS session cookie, both orders + unknown", "POST", CLAIM, auth="session",
         body=lambda c: {"order_ids": [c["order1"], c["order4"], "order_doesnotexist"]},
         events=1),
    Case("confirm: missing body", "POST", CONFIRM, status=400, ctype=JSON,
         expect={"type": "invalid_data", "message": BOTH_CONFIRM}),
    Case("confirm: GET (wrong method)", "GET", CONFIRM, status=404, ctype=JSON,
         expect={"type": "not_found", "message": f"Cannot GET {CONFIRM}"},
         deviation="unknown-route-json-404"),
    Case("confirm: {}", "POST", CONFIRM, body={}, status=400, ctype=JSON,
         expect={"type": "invalid_data", "message": BOTH_CONFIRM}),
    Case("confirm: token=\"\"", "POST", CONFIRM, body={"token": ""}, status=400, ctype=JSON,
         expect={"type": "invalid_data", "message": BOTH_CONFIRM}),
    Case("confirm: token=123", "POST", CONFIRM, body={"token": 123}, status=400, ctype=JSON,
         expect={"type": "invalid_data", "message": "token must be a jwt string"}),
    Case("confirm: token not a JWT", "POST", CONFIRM, body={"token": "not-a-jwt"}, status=400,
         ctype=JSON, expect={"type": "invalid_data", "message": "token must be a jwt string"}),
    Case("confirm: malformed JSON", "POST", CONFIRM, body=b'{"token":', status=400, ctype=JSON,
         expect="invalid_data", deviation="malformed-json-body"),
    Case("confirm: extra property", "POST", CONFIRM,
         body=lambda c: {"token": _claimer_token(c), "foo": 1}, status=400, ctype=JSON,
         expect={"type": "invalid_data", "message": "property foo should not exist"}),
    Case("confirm: JWT wrong signature", "POST", CONFIRM,
         body=lambda c: {"token": c["mock"].mint(
             {"claimingCustomerId": c["jane_id"], "orders": [c["order1"]]}, secret="nope")},
         status=500, ctype=JSON, expect=UNKNOWN),
    Case("confirm: JWT expired (exp in past)", "POST", CONFIRM,
         body=lambda c: {"token": c["mock"].mint(
             {"claimingCustomerId": c["jane_id"], "orders": [c["order1"]]}, iat_offset=-1000)},
         status=500, ctype=JSON, expect=UNKNOWN),
    Case("confirm: JWT older than maxAge 15m (iat-20m, no exp)", "POST", CONFIRM,
         body=lambda c: {"token": c["mock"].mint(
             {"claimingCustomerId": c["jane_id"], "orders": [c["order1"]]}, expires_in=None,
             iat_offset=-1200)},
         status=500, ctype=JSON, expect=UNKNOWN),
    Case("confirm: JWT alg=none", "POST", CONFIRM,
         body=lambda c: {"token": _unsigned({"claimingCustomerId": c["jane_id"],
                                             "orders": [c["order1"]]})},
         status=500, ctype=JSON, expect=UNKNOWN),
    Case("confirm: valid JWT, unknown customer", "POST", CONFIRM,
         body=lambda c: {"token": _claimer_token(c, claimingCustomerId="cus_doesnotexist")},
         status=404, ctype=JSON,
         expect={"type": "not_found",
                 "message": "Customer with id: cus_doesnotexist was not found"}),
    Case("confirm: valid JWT, no claimingCustomerId", "POST", CONFIRM,
         body=lambda c: {"token": c["mock"].mint({"orders": [c["order1"]]})}, status=404,
         ctype=JSON, expect={"type": "not_found", "message": '"customerId" must be defined'}),
    Case("confirm: valid JWT, unknown orders", "POST", CONFIRM,
         body=lambda c: {"token": _claimer_token(c, orders=["order_doesnotexist"])}),
    Case("confirm: valid JWT, orders=[]", "POST", CONFIRM,
         body=lambda c: {"token": _claimer_token(c, orders=[])}),
    Case("confirm: SUCCESS real token from event (unauthenticated)", "POST", CONFIRM,
         setup=["claim-order1"], body=lambda c: {"token": c["event_token"]}),
    Case("confirm: replay same token", "POST", CONFIRM, setup=["claim-order1", "confirm-once"],
         body=lambda c: {"token": c["event_token"]}),
    Case("confirm: SUCCESS 2nd token (2 orders, sent with bearer)", "POST", CONFIRM,
         auth="bearer", setup=["claim-order1-and-4"], body=lambda c: {"token": c["event_token"]}),
    Case("confirm: self-signed token {claimingCustomerId,orders}", "POST", CONFIRM,
         body=lambda c: {"token": _claimer_token(c)}),
]


def _unsigned(payload: dict) -> str:
    import base64

    def part(obj: dict) -> str:
        raw = json.dumps(obj, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(payload)}."


def _context(mock: Mock) -> dict:
    guest = mock.customer("guest.one@example.com")
    return {"mock": mock, "jane_id": mock.customer(JANE["email"])["id"],
            "guest_id": guest["id"], "order1": mock.order(1)["id"], "order4": mock.order(4)["id"]}


def _auth_headers(mock: Mock, ctx: dict, auth: str) -> dict:
    if auth == "none" or auth == "session":
        return {}
    if auth == "garbage":
        return {"Authorization": "Bearer garbage"}
    if auth == "bearer":
        return mock.bearer()
    customer_id = {"wrong-secret": ctx["jane_id"], "unknown": "cus_doesnotexist",
                   "guest": ctx["guest_id"]}[auth]
    secret = "not-the-secret" if auth == "wrong-secret" else "supersecret"
    token = mock.mint({"customer_id": customer_id, "domain": "store"}, secret=secret,
                      expires_in=30 * 86400)
    return {"Authorization": f"Bearer {token}"}


def _run_setup(mock: Mock, ctx: dict, steps: list[str]) -> None:
    for step in steps:
        if step.startswith("claim-"):
            ids = [ctx["order1"]] + ([ctx["order4"]] if step.endswith("and-4") else [])
            r = mock.client.post(CLAIM, json={"order_ids": ids}, headers=mock.bearer())
            assert r.status_code == 200
            ctx["event_token"] = mock.events()[-1]["data"]["token"]
        elif step == "confirm-once":
            r = mock.client.post(CONFIRM, json={"token": ctx["event_token"]})
            assert r.status_code == 200


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_observed_case(case: Case) -> None:
    mock = make_mock()
    ctx = _context(mock)
    _run_setup(mock, ctx, case.setup)
    client = mock.client
    if case.auth == "session":
        r = client.post("/store/auth", json=JANE)
        assert r.status_code == 200
        assert "connect.sid=s%3A" in r.headers["set-cookie"]
    headers = _auth_headers(mock, ctx, case.auth)
    body = case.body(ctx) if callable(case.body) else case.body
    kwargs: dict[str, Any] = {"headers": dict(headers)}
    if isinstance(body, bytes):
        kwargs["content"] = body
        kwargs["headers"]["Content-Type"] = case.content_type
    elif body != "-":
        kwargs["content"] = json.dumps(body).encode()
        kwargs["headers"]["Content-Type"] = case.content_type
    before = len(mock.events())

    r = client.request(case.method, case.path, **kwargs)

    assert r.status_code == case.status, r.text
    assert r.headers.get("content-type") == case.ctype
    if isinstance(case.expect, dict):
        assert r.content == json.dumps(case.expect, separators=(",", ":")).encode()
    elif case.deviation == "malformed-json-body":
        assert r.json()["type"] == case.expect and r.json()["message"]
    else:
        assert r.text == case.expect
    assert r.headers["x-powered-by"] == "Express"
    if case.deviation == "malformed-json-body":
        # The record's note says every answer carries the CORS headers; asked again (real Medusa
        # 1.20.11, 2026-11-29), these do not: the JSON parser fails before the store router, and
        # Express's final handler answers with its own two headers instead.
        assert "vary" not in r.headers and "access-control-allow-credentials" not in r.headers
        assert r.headers["x-content-type-options"] == "nosniff"
    elif case.path.startswith("/store"):
        assert r.headers["access-control-allow-credentials"] == "true"
        assert r.headers["vary"] == "Origin"
    if case.events is not None:
        assert len(mock.events()) - before == case.events


def test_claim_then_confirm_transfers_ownership(mock: Mock) -> None:
    ctx = _context(mock)
    headers = mock.bearer()
    r = mock.client.post(CLAIM, json={"order_ids": [ctx["order1"], ctx["order4"],
                                                    mock.order(2)["id"]]}, headers=headers)
    assert r.status_code == 200
    events = mock.events()
    assert sorted(e["data"]["old_email"] for e in events) == [
        "guest.one@example.com", "guest.two@example.com"]
    one = next(e for e in events if e["data"]["old_email"] == "guest.one@example.com")
    assert one["data"]["orders"] == [ctx["order1"], ctx["order4"]]
    assert one["data"]["new_customer_id"] == ctx["jane_id"]
    claims = mock.services.tokens.verify(one["data"]["token"])
    assert set(claims) == {"claimingCustomerId", "orders", "iat", "exp"}
    assert claims["exp"] - claims["iat"] == 900
    # Claiming alone moves nothing.
    assert mock.order(1)["email"] == "guest.one@example.com"

    assert mock.client.post(CONFIRM, json={"token": one["data"]["token"]}).status_code == 200
    for display_id in (1, 4):
        order = mock.order(display_id)
        assert (order["customer_id"], order["email"]) == (ctx["jane_id"], JANE["email"])
    assert mock.order(2)["email"] == "guest.two@example.com"
    mine = mock.client.get("/store/customers/me/orders", headers=headers).json()
    assert {o["display_id"] for o in mine["orders"]} == {1, 4, 5}


def test_token_expires_when_clock_advances() -> None:
    # A frozen clock: with real time running on, the whole second ``iat`` is cut to could pass
    # between the claim and the first confirm.
    mock = make_mock(frozen_time=1_800_000_000.5)
    ctx = _context(mock)
    mock.client.post(CLAIM, json={"order_ids": [ctx["order1"]]}, headers=mock.bearer())
    token = mock.events()[-1]["data"]["token"]
    assert mock.client.post("/_mock/clock", json={"advance_seconds": 899}).status_code == 200
    assert mock.client.post(CONFIRM, json={"token": token}).status_code == 200
    assert mock.client.post("/_mock/clock", json={"advance_seconds": 1}).status_code == 200
    r = mock.client.post(CONFIRM, json={"token": token})
    assert (r.status_code, r.json()) == (500, UNKNOWN)


OBSERVED = json.loads((Path(__file__).parent / "data" / "claim_confirm_observed.json")
                      .read_text("utf-8"))["cases"]


def test_table_is_the_observed_record() -> None:
    """Each case expects what the real server answered (tests/data/claim_confirm_observed.json):
    status, Content-Type, body and events; the deliberate differences replace an HTML page."""
    assert [row["case"] for row in OBSERVED] == [c.name for c in CASES]
    for row, case in zip(OBSERVED, CASES, strict=True):
        if case.deviation:
            assert row.get("html_page"), case.name
            continue
        assert case.status == row["status"], case.name
        assert case.ctype == row["content_type"], case.name
        assert case.expect == (row["json"] if "json" in row else row["text"]), case.name
        if "order_update_token_events" in row:
            assert case.events == row["order_update_token_events"], case.name


def _reference_rows() -> list[dict[str, Any]] | None:
    path = (Path(__file__).resolve().parents[2] / "shared" / "reference"
            / "medusa-1.20.11-claim-confirm-observed.md")
    if not path.is_file():
        return None
    rows = []
    for line in path.read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 6 and re.fullmatch(r"\d{3}", cells[2]):
            rows.append({"case": cells[0], "status": int(cells[2]), "content_type": cells[3],
                         "body": cells[4].strip("`"), "events": cells[5]})
    return rows


def test_observed_record_matches_the_reference() -> None:
    """Where the reference record is at hand, our copy of its facts has not drifted from it."""
    rows = _reference_rows()
    if rows is None:
        pytest.skip("the reference record (../shared/reference) is not present here; "
                    "tests/data/claim_confirm_observed.json stands in for it")
    assert len(rows) == len(OBSERVED)
    for row, ours in zip(rows, OBSERVED, strict=True):
        assert row["case"] == ours["case"]
        assert row["status"] == ours["status"], row["case"]
        assert row["content_type"] == (ours["content_type"] or "<none>"), row["case"]
        if "json" in ours:
            assert json.loads(row["body"]) == ours["json"], row["case"]
        elif "text" in ours:
            assert row["body"] == ours["text"], row["case"]
        else:
            assert row["content_type"].startswith("text/html"), row["case"]
        events = int(row["events"]) if row["events"] else None
        assert events == ours.get("order_update_token_events"), row["case"]
