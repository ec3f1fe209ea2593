"""The seed's ``order_edits`` extension (quirk order-edit-seed: the mock has no admin API): the
default seed's edits, and clear errors (file, JSON path, problem) for bad entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mock_server import Settings, create_app
from mock_server._seed import SeedError, default_seed_path


def load(tmp_path: Path, edits: Any) -> Any:
    data = json.loads(default_seed_path().read_text())
    data["order_edits"] = edits
    file = tmp_path / "seed.json"
    file.write_text(json.dumps(data))
    return create_app(Settings(seed=file)).services


def test_default_seed_edits() -> None:
    services = create_app(Settings()).services
    store = services.store
    orders = {o["id"]: o["display_id"] for o in store.orders.values()}
    edits = list(store.order_edits.values())
    assert sorted(orders[e["order_id"]] for e in edits) == [4, 5]
    for edit in edits:
        view = services.order_edits.retrieve(edit["id"])
        assert view["status"] == "requested" and view["difference_due"] > 0
        collection = store.payment_collections.get(edit["payment_collection_id"])
        assert collection["amount"] == view["difference_due"]
        assert collection["status"] == "not_paid" and collection["region_id"] == "reg_eu"
        for item in services.order_edits.items(edit["id"]):
            assert item["order_id"] is None and item["cart_id"] is None
    sessions = [store.payment_sessions.get(i) for e in edits for i in
                store.payment_collections.get(e["payment_collection_id"])["payment_session_ids"]]
    assert [(s["provider_id"], s["data"]["outcome"]) for s in sessions] == [
        ("mock-payment", "requires_more")]


def test_edit_ids_are_stable_between_loads() -> None:
    a = create_app(Settings()).services.store
    b = create_app(Settings()).services.store
    assert a.order_edits.dump() == b.order_edits.dump()
    assert a.payment_collections.dump() == b.payment_collections.dump()


def test_statuses_and_explicit_options(tmp_path: Path) -> None:
    services = load(tmp_path, [
        {"order": 1, "status": "declined", "declined_reason": "No thanks",
         "changes": [{"type": "item_update", "sku": "TSHIRT-M", "quantity": 3}]},
        {"order": 1, "status": "created"},
        {"order": 2, "id": "oe_fixed", "changes": [
            {"type": "item_add", "sku": "SHORTS-S", "quantity": 1, "metadata": {"gift": True}}],
         "payment_collection": {"id": "paycol_fixed", "description": "Shorts", "sessions": [
             {"provider_id": "manual", "amount": 1000},
             {"provider_id": "manual", "amount": 1900}]}},
        {"order": 3, "status": "canceled", "internal_note": "changed my mind"},
    ])
    statuses = {e["id"]: services.order_edits.retrieve(e["id"])["status"]
                for e in services.store.order_edits.values()}
    assert sorted(statuses.values()) == ["canceled", "created", "declined", "requested"]
    declined = next(e for e in services.store.order_edits.values() if e["declined_at"])
    assert declined["declined_reason"] == "No thanks" and declined["payment_collection_id"]
    fixed = services.order_edits.retrieve("oe_fixed")
    assert fixed["payment_collection_id"] == "paycol_fixed" and fixed["difference_due"] == 2900
    added = next(i for i in fixed["items"] if i["original_item_id"] is None)
    assert added["metadata"] == {"gift": True} and added["unit_price"] == 2900
    collection = services.store.payment_collections.get("paycol_fixed")
    assert collection["description"] == "Shorts" and len(collection["payment_session_ids"]) == 2


REQUESTED = {"order": 4, "changes": [{"type": "item_update", "sku": "MUG-ONE", "quantity": 4}]}


@pytest.mark.parametrize(("edits", "path", "message"), [
    ({"order": 4}, "$.order_edits", "must be a list"),
    ([5], "$.order_edits[0]", "must be an object"),
    ([{"changes": []}], "$.order_edits[0].order", "is required"),
    ([{"order": 99}], "$.order_edits[0].order", "no order with display_id 99"),
    ([{"order": "4"}], "$.order_edits[0].order", "must be the display_id"),
    ([dict(REQUESTED, status="confirmed")], "$.order_edits[0].status", "seed that order"),
    ([REQUESTED, REQUESTED], "$.order_edits[1].order", "already has an active edit"),
    ([{"order": 4}], "$.order_edits[0].changes", "needs at least one change"),
    ([{"order": 4, "changes": [{"type": "item_move", "sku": "MUG-ONE"}]}],
     "$.order_edits[0].changes[0].type", "item_add, item_update or item_remove"),
    ([{"order": 4, "changes": [{"type": "item_add", "sku": "NOPE", "quantity": 1}]}],
     "$.order_edits[0].changes[0].sku", "no variant with sku 'NOPE'"),
    ([{"order": 4, "changes": [{"type": "item_add", "sku": "MUG-ONE"}]}],
     "$.order_edits[0].changes[0].quantity", "is required"),
    ([{"order": 4, "changes": [{"type": "item_update", "sku": "TSHIRT-S", "quantity": 2}]}],
     "$.order_edits[0].changes[0].sku", "order 4 has no line with sku 'TSHIRT-S'"),
    ([{"order": 4, "changes": [{"type": "item_update", "sku": "MUG-ONE", "quantity": 0}]}],
     "$.order_edits[0].changes[0].quantity", "positive integer"),
    ([{"order": 4, "changes": [{"type": "item_update", "sku": "MUG-ONE", "quantity": 2},
                               {"type": "item_remove", "sku": "MUG-ONE"}]}],
     "$.order_edits[0].changes[1].sku", "already changed"),
    ([dict(REQUESTED, declined_reason="x")], "$.order_edits[0].declined_reason",
     "only a declined edit"),
    ([dict(REQUESTED, payment_collection="yes")], "$.order_edits[0].payment_collection",
     "must be true or an object"),
    ([{"order": 4, "changes": [{"type": "item_update", "sku": "MUG-ONE", "quantity": 1}],
       "payment_collection": True}], "$.order_edits[0].payment_collection",
     "its difference_due is -2000"),
    ([dict(REQUESTED, status="created", payment_collection=True)],
     "$.order_edits[0].payment_collection", "the edit was never requested"),
    ([dict(REQUESTED, payment_collection={"sessions": [{"provider_id": "stripe"}]})],
     "$.order_edits[0].payment_collection.sessions[0].provider_id",
     "provider 'stripe' is not offered in region EU (manual, mock-payment)"),
    ([dict(REQUESTED, payment_collection={"sessions": [
        {"provider_id": "manual", "amount": 500}, {"provider_id": "manual", "amount": 400}]})],
     "$.order_edits[0].payment_collection.sessions", "add up to 900, not to the collection's "
     "amount 1000"),
    ([dict(REQUESTED, payment_collection={"sessions": [
        {"provider_id": "manual"}, {"provider_id": "manual", "amount": 400}]})],
     "$.order_edits[0].payment_collection.sessions[0].amount", "is required"),
    ([dict(REQUESTED, payment_collection={"sessions": [
        {"provider_id": "manual", "outcome": "requires_more"}]})],
     "$.order_edits[0].payment_collection.sessions[0].outcome", "only a mock-payment session"),
    ([dict(REQUESTED, payment_collection={"sessions": [
        {"provider_id": "mock-payment", "outcome": "maybe"}]})],
     "$.order_edits[0].payment_collection.sessions[0].outcome",
     "must be one of authorized, requires_more, error"),
])
def test_bad_order_edits_name_the_path(tmp_path: Path, edits: Any, path: str,
                                       message: str) -> None:
    with pytest.raises(SeedError) as info:
        load(tmp_path, edits)
    assert info.value.source == str(tmp_path / "seed.json")
    assert info.value.path == path
    assert message in info.value.message, info.value.message
