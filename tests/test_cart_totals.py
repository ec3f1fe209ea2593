"""mock_server._domain.cart_totals replays every case recorded from a real Medusa 1.20.11.

tests/data/totals_matrix.json is written by scripts/record-totals-matrix (see its docstring): each
case holds the inputs as the real server reported them and its outputs (cart totals, per item
and per shipping method, and for completed carts the order, its gift card transactions and the
gift cards' balances afterwards). Every case must match exactly, key order included.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from mock_server._domain import cart_totals
from mock_server._domain.cart_totals import (
    cart_discount,
    compute,
    free_shipping_price,
    gift_card_spend,
    js_round,
    line_adjustments,
    line_item_refundable,
    order_totals,
)

MATRIX = json.loads((Path(__file__).parent / "data" / "totals_matrix.json").read_text())
CASES = MATRIX["cases"]
KEYS = MATRIX["serialization"]
CART_TOTAL_KEYS = [k for k in KEYS["cart_keys"] if k.endswith("total")]
ITEM_TOTAL_KEYS = KEYS["cart_item_keys"][KEYS["cart_item_keys"].index("variant") + 1:]
SM_TOTAL_KEYS = KEYS["cart_shipping_method_keys"][
    KEYS["cart_shipping_method_keys"].index("tax_lines"):]


def _ids(cases: list[dict[str, Any]]) -> list[str]:
    return [c["name"] for c in cases]


def _bare(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in ("adjustments", "tax_lines")}


def test_matrix_is_complete() -> None:
    """The whole matrix is there (6 discount kinds x 4 regions x 3 gift card
    situations x with/without shipping), plus extras, and some cases were completed."""
    assert len(CASES) >= 144
    kinds = {c["name"].split("|")[0] for c in CASES if "|" in c["name"]}
    assert kinds == {"none", "pct_total", "pct_item", "fixed_total", "fixed_item",
                     "free_shipping"}
    rates = {c["inputs"]["region"]["tax_rate"] for c in CASES}
    assert {0, 20, 12.5, 7.7} <= rates
    assert any(not c["inputs"]["region"]["gift_cards_taxable"] for c in CASES)
    assert sum("order" in c for c in CASES) >= 20
    assert len({c["name"] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_line_adjustments(case: dict[str, Any]) -> None:
    inputs = case["inputs"]
    items = [_bare(i) for i in inputs["items"]]
    got = line_adjustments(items, cart_discount(inputs["discounts"]), inputs["region"])
    assert got == {i["id"]: i["adjustments"] for i in inputs["items"]}


def _check_cart(case: dict[str, Any], expected: dict[str, Any], force_taxes: bool) -> None:
    inputs = case["inputs"]
    region = inputs["region"]
    adjustments = line_adjustments([_bare(i) for i in inputs["items"]],
                                   cart_discount(inputs["discounts"]), region)
    items = [dict(i, adjustments=adjustments[i["id"]]) for i in inputs["items"]]
    got = compute(region, items, inputs["shipping_methods"], inputs["discounts"],
                  inputs["gift_cards"], force_taxes=force_taxes)

    cart = dict(got["cart"])
    cart.pop("raw_discount_total")  # computed by Medusa, not serialized on the cart
    assert cart == expected["cart"]
    assert list(cart) == CART_TOTAL_KEYS
    assert got["cart"]["raw_discount_total"] == sum(
        e["raw_discount_total"] for e in expected["items"].values())

    assert set(got["items"]) == set(expected["items"])
    for item_id, want in expected["items"].items():
        want = {k: v for k, v in want.items() if k != "adjustments"}
        assert got["items"][item_id] == want, item_id
        assert list(got["items"][item_id])[1:] == ITEM_TOTAL_KEYS

    assert set(got["shipping_methods"]) == set(expected["shipping_methods"])
    for method in inputs["shipping_methods"]:
        want = dict(expected["shipping_methods"][method["id"]])
        # the stored price: 0 under a free-shipping discount, else the option's amount; but
        # clearing the discounts with `discounts: []` leaves it at 0 (only DELETE restores it)
        stored = 0 if case["steps"] == "clear_discounts" else free_shipping_price(
            method["option_amount"], inputs["discounts"])
        assert want.pop("price") == method["price"] == stored
        assert got["shipping_methods"][method["id"]] == want
        assert list(got["shipping_methods"][method["id"]]) == SM_TOTAL_KEYS


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_cart_totals(case: dict[str, Any]) -> None:
    _check_cart(case, case["expected"], force_taxes=False)


FORCED = [c for c in CASES if "expected_from_calculate_taxes" in c]


@pytest.mark.parametrize("case", FORCED, ids=_ids(FORCED))
def test_calculate_taxes_response(case: dict[str, Any]) -> None:
    """POST /store/carts/{id}/taxes answers with force_taxes totals (and stores no tax lines:
    the GET after it, in test_cart_totals, still has none)."""
    assert not case["inputs"]["region"]["automatic_taxes"]
    _check_cart(case, case["expected_from_calculate_taxes"], force_taxes=True)


ORDER_CASES = [c for c in CASES if "order" in c]


@pytest.mark.parametrize("case", ORDER_CASES, ids=_ids(ORDER_CASES))
def test_order_placed_from_cart(case: dict[str, Any]) -> None:
    inputs, order = case["inputs"], case["order"]
    region = inputs["region"]
    discount = cart_discount(inputs["discounts"])
    items = [dict(i, adjustments=line_adjustments([_bare(i) for i in inputs["items"]], discount,
                                                  region)[i["id"]])
             for i in inputs["items"]]
    # completing the cart computes (and stores) tax lines even without automatic taxes
    got = compute(region, items, inputs["shipping_methods"], inputs["discounts"],
                  inputs["gift_cards"], force_taxes=True)
    paid = sum(p["amount"] for p in order["payments"])
    assert paid == got["cart"]["total"]
    if order["payment_session_amount"] is not None:
        assert order["payment_session_amount"] == got["cart"]["total"]

    spend = gift_card_spend(inputs["gift_cards"], got["cart"]["gift_card_total"], region)
    transactions = [{k: s[k] for k in ("gift_card_id", "amount", "is_taxable", "tax_rate")}
                    for s in spend]

    def by_card(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(rows, key=lambda r: r["gift_card_id"])

    assert by_card(transactions) == by_card(order["gift_card_transactions"])
    balances = {s["gift_card_id"]: (s["balance"], s["is_disabled"]) for s in spend}
    before = {g["id"]: g["balance"] for g in inputs["gift_cards"]}
    for card in order["gift_cards_after"]:
        assert (card["balance"], card["is_disabled"]) == balances.get(
            card["id"], (before[card["id"]], False)), card["id"]

    want_keys = [k for k in KEYS["order_from_complete_keys"]
                 if k.endswith("total") or k in ("paid_total", "refundable_amount")]
    for source in ("from_complete", "from_get"):
        recorded = order[source]
        totals = order_totals(got["cart"], transactions, paid_total=paid)
        assert totals == recorded["order"], source
        assert list(totals) == want_keys
        for item in items:
            want = dict(recorded["items"][item["id"]])
            refundable = want.pop("refundable")
            mine = got["items"][item["id"]]
            assert {k: v for k, v in mine.items() if k != "tax_lines"} == want, item["id"]
            assert line_item_refundable(item, mine["tax_lines"], discount) == refundable
        for method in inputs["shipping_methods"]:
            want = dict(recorded["shipping_methods"][method["id"]])
            assert want.pop("price") == method["price"]
            mine = got["shipping_methods"][method["id"]]
            assert {k: v for k, v in mine.items() if k != "tax_lines"} == want


@pytest.mark.parametrize(("value", "rounded"), [
    (0.5, 1), (1.5, 2), (2.5, 3), (-0.5, 0), (-1.5, -1), (-2.5, -2), (0.49999999999999994, 0),
    (124.875, 125), (1370.4, 1370), (-0.4, 0), (7, 7)])
def test_js_round_is_math_round(value: float, rounded: int) -> None:
    assert js_round(value) == rounded


def test_gift_card_spend_order_and_zero_total() -> None:
    cards = [{"id": "big", "balance": 1000, "tax_rate": None},
             {"id": "small", "balance": 300, "tax_rate": 20},
             {"id": "ends", "balance": 5000, "tax_rate": None, "ends_at": "2030-01-01T00:00:00Z"}]
    spend = gift_card_spend(cards, 5400)
    assert [(s["gift_card_id"], s["amount"], s["balance"]) for s in spend] == [
        ("ends", 5000, 0), ("small", 300, 0), ("big", 100, 900)]
    # nothing to pay with gift cards: the first card still gets a 0 transaction
    assert [(s["gift_card_id"], s["amount"]) for s in gift_card_spend(cards, 0)] == [("ends", 0)]


def test_module_is_pure() -> None:
    """No store, no HTTP: the module imports the standard library only."""
    tree = ast.parse(Path(cart_totals.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module or "." for node in ast.walk(tree)
                 if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "math", "datetime", "typing"}
