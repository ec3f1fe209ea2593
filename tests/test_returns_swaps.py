"""Returns and swaps on seeded and checkout orders (messages as real Medusa 1.20.11 answers)."""

from __future__ import annotations

from .conftest import Mock
from .test_carts import post, ready_cart, variant


def leaf_reason(mock: Mock) -> dict:
    reasons = mock.client.get("/store/return-reasons").json()["return_reasons"]
    return next(r for r in reasons if not r["return_reason_children"])


def category_reason(mock: Mock) -> dict:
    reasons = mock.client.get("/store/return-reasons").json()["return_reasons"]
    return next(r for r in reasons if r["return_reason_children"])


def test_return_of_a_checkout_order(mock: Mock) -> None:
    cid = ready_cart(mock, quantity=2)
    post(mock, f"/store/carts/{cid}/payment-sessions")
    order = post(mock, f"/store/carts/{cid}/complete")["data"]
    item = order["items"][0]
    option = mock.client.get("/store/shipping-options?is_return=true&region_id=reg_uk").json()[
        "shipping_options"][0]
    reason = leaf_reason(mock)
    r = mock.client.post("/store/returns", json={
        "order_id": order["id"], "return_shipping": {"option_id": option["id"]},
        "items": [{"item_id": item["id"], "quantity": 1, "reason_id": reason["id"],
                   "note": "too big"}]})
    assert r.status_code == 200, r.text
    assert r.headers["Idempotency-Key"]
    ret = r.json()["return"]
    assert ret["status"] == "requested" and ret["order_id"] == order["id"]
    assert ret["idempotency_key"] == r.headers["Idempotency-Key"]
    # one unit with its 20 % tax, minus the return shipping with its tax
    per_unit = item["total"] // item["quantity"]
    assert ret["refund_amount"] == per_unit - round(option["amount"] * 1.2)
    [line] = ret["items"]
    assert (line["item_id"], line["quantity"], line["note"]) == (item["id"], 1, "too big")
    assert line["reason"]["id"] == reason["id"]
    assert mock.events("order.return_requested")[-1]["data"]["return_id"] == ret["id"]


def test_return_refusals(mock: Mock) -> None:
    order = mock.order(1)
    item = mock.services.store.line_items.find(lambda i: i.get("order_id") == order["id"])[0]
    before = mock.services.store.snapshot()
    cases = [
        ({"order_id": "order_nope", "items": [{"item_id": item["id"], "quantity": 1}]},
         404, "Order with id: order_nope was not found"),
        ({"order_id": order["id"], "items": [{"item_id": "item_nope", "quantity": 1}]},
         404, "Line item with item_nope was not found"),
        ({"order_id": order["id"], "items": [{"item_id": item["id"], "quantity": 99}]},
         400, "Cannot return more items than have been purchased"),
        ({"order_id": order["id"], "items": [{"item_id": item["id"], "quantity": 1,
                                              "reason_id": category_reason(mock)["id"]}]},
         400, "Cannot apply return reason category"),
    ]
    for body, status, message in cases:
        r = mock.client.post("/store/returns", json=body)
        assert (r.status_code, r.json()["message"]) == (status, message)
    assert mock.services.store.snapshot() == before


def test_swap_through_its_cart(mock: Mock) -> None:
    order = mock.order(6)  # captured and fulfilled in the seed
    item = mock.services.store.line_items.find(lambda i: i.get("order_id") == order["id"])[0]
    wanted = variant(mock, "t-shirt", "reg_uk")
    r = mock.client.post("/store/swaps", json={
        "order_id": order["id"], "return_items": [{"item_id": item["id"], "quantity": 1}],
        "additional_items": [{"variant_id": wanted["id"], "quantity": 1}]})
    assert r.status_code == 200, r.text
    swap = r.json()["swap"]
    assert swap["payment_status"] == "not_paid" and swap["return_order"]["status"] == "requested"
    assert [i["variant_id"] for i in swap["additional_items"]] == [wanted["id"]]
    cart_id = swap["cart"]["id"]
    assert swap["cart"]["type"] == "swap"
    assert mock.client.get(f"/store/swaps/{cart_id}").json()["swap"]["id"] == swap["id"]

    cart = mock.client.get(f"/store/carts/{cart_id}").json()["cart"]
    returned = [i for i in cart["items"] if i["is_return"]]
    assert [(i["unit_price"], i["quantity"]) for i in returned] == [(-item["unit_price"], 1)]
    options = mock.client.get(f"/store/shipping-options/{cart_id}").json()["shipping_options"]
    post(mock, f"/store/carts/{cart_id}/shipping-methods", {"option_id": options[0]["id"]})
    cart = post(mock, f"/store/carts/{cart_id}/payment-sessions")["cart"]
    done = post(mock, f"/store/carts/{cart_id}/complete")
    assert done["type"] == "swap" and done["data"]["id"] == swap["id"]
    assert done["data"]["confirmed_at"] is not None
    assert done["data"]["difference_due"] == cart["total"]
    assert done["data"]["shipping_address"]["country_code"] == "gb"


def test_swap_refusals(mock: Mock) -> None:
    order = mock.order(1)  # not captured
    item = mock.services.store.line_items.find(lambda i: i.get("order_id") == order["id"])[0]
    r = mock.client.post("/store/swaps", json={
        "order_id": order["id"], "return_items": [{"item_id": item["id"], "quantity": 1}],
        "additional_items": []})
    assert r.status_code == 400
    assert r.json()["message"] == "Cannot swap an order that has not been captured"
    r = mock.client.get("/store/swaps/cart_nope")
    assert r.status_code == 404 and r.json() == {"type": "not_found",
                                                 "message": "Swap was not found"}
