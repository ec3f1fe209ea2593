"""Order edits (the default seed's two requested edits, and a few seeded for the occasion): read,
decline, complete, as Medusa 1.20.11 answers them (observed on a real server with admin-made
edits)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mock_server._seed import default_seed_path

from .conftest import Mock, make_mock

EDIT_KEYS = ["id", "created_at", "order_id", "requested_by", "requested_at", "confirmed_at",
             "declined_by", "declined_reason", "declined_at", "canceled_at",
             "payment_collection_id", "changes", "items", "payment_collection", "status",
             "discount_total", "gift_card_total", "gift_card_tax_total", "shipping_total",
             "subtotal", "tax_total", "total", "difference_due"]
CHANGE_KEYS = ["id", "created_at", "updated_at", "deleted_at", "type", "order_edit_id",
               "original_line_item_id", "line_item_id", "line_item", "original_line_item"]
TOTALS = ["subtotal", "discount_total", "total", "original_total", "original_tax_total",
          "tax_total", "raw_discount_total", "refundable"]


def edit_of(mock: Mock, display_id: int) -> dict[str, Any]:
    order = mock.order(display_id)
    return next(e for e in mock.services.store.order_edits.values()
                if e["order_id"] == order["id"])


def url(mock: Mock, display_id: int, action: str = "") -> str:
    return f"/store/order-edits/{edit_of(mock, display_id)['id']}{action}"


def order_view(mock: Mock, display_id: int) -> dict[str, Any]:
    r = mock.client.get(f"/store/orders/{mock.order(display_id)['id']}")
    assert r.status_code == 200, r.text
    return r.json()["order"]


def seeded(tmp_path: Path, edits: list[dict[str, Any]]) -> Mock:
    """A mock whose seed holds these order edits instead of the default ones."""
    data = json.loads(default_seed_path().read_text())
    data["order_edits"] = edits
    file = tmp_path / "seed.json"
    file.write_text(json.dumps(data))
    return make_mock(seed=file)


def pay(mock: Mock, display_id: int) -> None:
    """Open a manual session for the whole difference and authorize it."""
    collection = f"/store/payment-collections/{edit_of(mock, display_id)['payment_collection_id']}"
    r = mock.client.post(f"{collection}/sessions", json={"provider_id": "manual"})
    session = r.json()["payment_collection"]["payment_sessions"][0]["id"]
    r = mock.client.post(f"{collection}/sessions/{session}/authorize")
    assert r.status_code == 200, r.text


# -- read --------------------------------------------------------------------------------------
def test_read_a_requested_edit(mock: Mock) -> None:
    r = mock.client.get(url(mock, 4))  # no login needed
    assert r.status_code == 200, r.text
    edit = r.json()["order_edit"]
    assert list(edit) == EDIT_KEYS  # no internal_note, created_by, confirmed_by, ... updated_at
    order = mock.order(4)
    assert edit["order_id"] == order["id"] and edit["status"] == "requested"
    assert edit["requested_at"] and edit["requested_by"].startswith("usr_")
    update, add = edit["changes"]
    assert list(update) == CHANGE_KEYS
    assert update["type"] == "item_update" and add["type"] == "item_add"
    assert update["original_line_item"]["order_id"] == order["id"]
    assert update["original_line_item"]["quantity"] == 3
    assert update["line_item"]["quantity"] == 4 and update["line_item"]["order_id"] is None
    assert update["line_item"]["variant"]["sku"] == "MUG-ONE"
    assert "tax_lines" not in update["line_item"]
    assert add["original_line_item"] is None and add["original_line_item_id"] is None
    assert add["line_item"]["variant"]["sku"] == "TSHIRT-L"
    mug, shirt = edit["items"]
    assert mug["id"] == update["line_item_id"] and shirt["id"] == add["line_item_id"]
    assert mug["original_item_id"] == update["original_line_item_id"]
    assert shirt["original_item_id"] is None and shirt["has_shipping"] is None
    for item in edit["items"]:
        assert item["order_edit_id"] == edit["id"] and item["cart_id"] is None
        assert list(item)[-11:] == ["adjustments", "tax_lines", "variant", *TOTALS]
    assert (mug["quantity"], mug["total"], shirt["total"]) == (4, 4000, 1950)
    assert (edit["subtotal"], edit["shipping_total"], edit["tax_total"], edit["total"]) == (
        5950, 1000, 0, 6950)
    assert edit["difference_due"] == edit["total"] - order_view(mock, 4)["total"] == 2950
    collection = edit["payment_collection"]
    assert collection["id"] == edit["payment_collection_id"]
    assert (collection["amount"], collection["status"], collection["created_by"]) == (
        2950, "not_paid", edit["requested_by"])


def test_unknown_edit_is_404(mock: Mock) -> None:
    message = {"type": "not_found", "message": "Order edit with id oe_nope was not found"}
    for r in (mock.client.get("/store/order-edits/oe_nope"),
              mock.client.post("/store/order-edits/oe_nope/complete"),
              mock.client.post("/store/order-edits/oe_nope/decline", json={})):
        assert r.status_code == 404 and r.json() == message


def test_read_with_tax(tmp_path: Path) -> None:
    """Order 3 (UK, 20 % tax, shipping 500): two mugs added."""
    mock = seeded(tmp_path, [{"order": 3, "changes": [
        {"type": "item_add", "sku": "MUG-ONE", "quantity": 2}]}])
    edit = mock.client.get(url(mock, 3)).json()["order_edit"]
    shirt, mugs = edit["items"]
    assert (mugs["subtotal"], mugs["tax_total"], mugs["total"]) == (1800, 360, 2160)
    assert mugs["tax_lines"][0]["rate"] == 20 and mugs["tax_lines"][0]["item_id"] == mugs["id"]
    assert shirt["tax_lines"][0]["item_id"] == shirt["id"]  # the clone's own tax line
    assert (edit["subtotal"], edit["shipping_total"], edit["tax_total"], edit["total"]) == (
        3500, 500, 800, 4800)
    assert order_view(mock, 3)["total"] == 2640 and edit["difference_due"] == 2160
    assert edit["payment_collection"]["amount"] == 2160  # the seed's collection, same figure


# -- decline -----------------------------------------------------------------------------------
def test_decline_with_a_reason(mock: Mock) -> None:
    items_before = [i["id"] for i in order_view(mock, 5)["items"]]
    r = mock.client.post(url(mock, 5, "/decline"), json={"declined_reason": "Too expensive"})
    assert r.status_code == 200, r.text
    edit = r.json()["order_edit"]
    assert (edit["status"], edit["declined_reason"], edit["declined_by"]) == (
        "declined", "Too expensive", None)
    assert edit["declined_at"] is not None
    assert mock.events("order-edit.declined") and \
        mock.events("order-edit.declined")[0]["data"] == {"id": edit["id"]}
    again = mock.client.post(url(mock, 5, "/decline"), json={"declined_reason": "Again"})
    assert again.status_code == 200 and again.json() == r.json()  # as it is, first reason kept
    assert len(mock.events("order-edit.declined")) == 1
    r = mock.client.post(url(mock, 5, "/complete"))
    assert r.status_code == 400 and r.json() == {
        "type": "not_allowed", "message": "Cannot complete an order edit with status declined"}
    assert [i["id"] for i in order_view(mock, 5)["items"]] == items_before


def test_decline_without_a_body_as_a_customer(mock: Mock) -> None:
    """Jane (order 5's customer) declines while logged in: she is ``declined_by``."""
    r = mock.client.post(url(mock, 5, "/decline"), headers=mock.bearer())
    assert r.status_code == 200, r.text
    edit = r.json()["order_edit"]
    assert edit["declined_reason"] is None
    assert edit["declined_by"] == mock.customer("jane@example.com")["id"]


@pytest.mark.parametrize(("body", "message"), [
    ({"declined_reason": 5}, "declined_reason must be a string"),
    ({"reason": "x"}, "property reason should not exist"),
])
def test_decline_body_is_validated(mock: Mock, body: dict[str, Any], message: str) -> None:
    r = mock.client.post(url(mock, 5, "/decline"), json=body)
    assert r.status_code == 400 and r.json() == {"type": "invalid_data", "message": message}


# -- complete ----------------------------------------------------------------------------------
def test_complete_needs_the_payment_authorized(mock: Mock) -> None:
    before = mock.services.store.snapshot()
    r = mock.client.post(url(mock, 4, "/complete"))
    assert r.status_code == 400
    assert r.json() == {"type": "not_allowed", "message":
                        "Unable to complete an order edit if the payment is not authorized"}
    assert mock.services.store.snapshot() == before


def test_complete_after_paying_the_difference(mock: Mock) -> None:
    order_before = order_view(mock, 4)
    pay(mock, 4)
    r = mock.client.post(url(mock, 4, "/complete"))
    assert r.status_code == 200, r.text
    edit = r.json()["order_edit"]
    assert edit["status"] == "confirmed" and edit["confirmed_at"] is not None
    assert edit["difference_due"] == 0 and edit["total"] == 6950
    assert all(i["order_id"] == edit["order_id"] for i in edit["items"])
    assert edit["payment_collection"]["status"] == "authorized"
    order = order_view(mock, 4)
    assert [(i["id"], i["quantity"]) for i in order["items"]] == [
        (i["id"], i["quantity"]) for i in edit["items"]]
    assert order["total"] == 6950 and order["paid_total"] == order_before["paid_total"] + 2950
    paid = [p for p in order["payments"] if p["amount"] == 2950]
    assert len(paid) == 1 and paid[0]["order_id"] == order["id"]
    original = mock.services.store.line_items.get(order_before["items"][0]["id"])
    assert original["order_id"] is None  # detached from the order, kept as the change's original
    changes = {c["type"]: c for c in edit["changes"]}
    assert changes["item_update"]["original_line_item"]["order_id"] is None
    assert [e["data"]["id"] for e in mock.events("payment.updated")] == [paid[0]["id"]]
    assert mock.events("order-edit.confirmed")[0]["data"] == {"id": edit["id"]}
    again = mock.client.post(url(mock, 4, "/complete"))
    assert again.status_code == 200 and again.json() == r.json()
    assert len(mock.events("order-edit.confirmed")) == 1
    r = mock.client.post(url(mock, 4, "/decline"), json={})
    assert r.status_code == 400 and r.json()["message"] == (
        "Cannot decline an order edit with status confirmed.")


def test_complete_after_the_seeded_payment_needed_more(mock: Mock) -> None:
    """Order 5's collection: its mock-payment session needs more action; after a refresh it
    authorizes and the edit completes."""
    edit = edit_of(mock, 5)
    base = f"/store/payment-collections/{edit['payment_collection_id']}"
    session = mock.services.store.payment_collections.get(
        edit["payment_collection_id"])["payment_session_ids"][0]
    assert mock.client.post(f"{base}/sessions/{session}/authorize").status_code == 422
    assert mock.client.post(url(mock, 5, "/complete")).status_code == 400
    fresh = mock.client.post(f"{base}/sessions/{session}").json()["payment_session"]["id"]
    assert mock.client.post(f"{base}/sessions/{fresh}/authorize").status_code == 200
    r = mock.client.post(url(mock, 5, "/complete"), headers=mock.bearer())
    assert r.status_code == 200 and r.json()["order_edit"]["status"] == "confirmed"
    assert edit["confirmed_by"] == mock.customer("jane@example.com")["id"]
    assert [i["quantity"] for i in order_view(mock, 5)["items"]] == [2]


def test_complete_without_a_payment_collection(tmp_path: Path) -> None:
    """An edit that costs less needs no payment: it is confirmed at once."""
    mock = seeded(tmp_path, [{"order": 2, "changes": [{"type": "item_remove", "sku": "MUG-ONE"}]}])
    edit = mock.client.get(url(mock, 2)).json()["order_edit"]
    assert edit["payment_collection"] is None and edit["difference_due"] == -1200
    [change] = edit["changes"]
    assert change["line_item"] is None and change["original_line_item"]["variant"]["sku"] == \
        "MUG-ONE"
    r = mock.client.post(url(mock, 2, "/complete"))
    assert r.status_code == 200 and r.json()["order_edit"]["status"] == "confirmed"
    assert [i["variant"]["sku"] for i in order_view(mock, 2)["items"]] == ["TSHIRT-S"]


@pytest.mark.parametrize(("status", "message"), [
    ("created", "status created"), ("canceled", "status canceled")])
def test_only_requested_edits_are_declined_or_completed(tmp_path: Path, status: str,
                                                        message: str) -> None:
    mock = seeded(tmp_path, [{"order": 4, "status": status, "changes": [
        {"type": "item_update", "sku": "MUG-ONE", "quantity": 5}]}])
    edit = mock.client.get(url(mock, 4)).json()["order_edit"]
    assert edit["status"] == status and edit["payment_collection"] is None
    r = mock.client.post(url(mock, 4, "/decline"), json={})
    assert r.status_code == 400 and r.json() == {
        "type": "not_allowed", "message": f"Cannot decline an order edit with {message}."}
    r = mock.client.post(url(mock, 4, "/complete"))
    assert r.status_code == 400 and r.json() == {
        "type": "not_allowed", "message": f"Cannot complete an order edit with {message}"}


def test_reset_brings_the_edits_back(mock: Mock) -> None:
    pay(mock, 4)
    assert mock.client.post(url(mock, 4, "/complete")).status_code == 200
    assert mock.client.post("/_mock/reset").status_code == 200
    edit = mock.client.get(url(mock, 4)).json()["order_edit"]
    assert edit["status"] == "requested" and edit["payment_collection"]["status"] == "not_paid"
    assert [i["quantity"] for i in order_view(mock, 4)["items"]] == [3]
