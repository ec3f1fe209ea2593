"""Payment sessions of a cart as Medusa 1.20.11 handles them (quirks ``refresh-unselects-session``,
``payment-session-duplicate-422``, ``manual-session-update-nested-data``)."""

from __future__ import annotations

from .conftest import Mock
from .test_carts import new_cart, post, variant


def _cart_with_manual_session(mock: Mock) -> str:
    cid = new_cart(mock, "reg_uk")  # a region with one provider, `manual`
    post(mock, f"/store/carts/{cid}/line-items",
         {"variant_id": variant(mock, "t-shirt", "reg_uk")["id"], "quantity": 1})
    post(mock, f"/store/carts/{cid}", {"email": "sessions@example.com"})
    post(mock, f"/store/carts/{cid}/payment-sessions")
    post(mock, f"/store/carts/{cid}/payment-session", {"provider_id": "manual"})
    return cid


def test_manual_merges_only_nested_data(mock: Mock) -> None:
    """quirk manual-session-update-nested-data: ``data`` itself changes nothing for `manual`."""
    cid = _cart_with_manual_session(mock)
    flat = post(mock, f"/store/carts/{cid}/payment-sessions/manual", {"data": {"note": "x"}})
    assert flat["cart"]["payment_session"]["data"] == {"status": "pending"}
    nested = post(mock, f"/store/carts/{cid}/payment-sessions/manual",
                  {"data": {"data": {"note": "x"}}})
    assert nested["cart"]["payment_session"]["data"] == {"status": "pending", "note": "x"}


def test_refreshing_the_selected_session_unselects_it(mock: Mock) -> None:
    """quirk refresh-unselects-session, then payment-session-duplicate-422 when the sessions are
    recreated (as observed after a refresh, with ``DELETE .../discounts/NOPE``)."""
    cid = _cart_with_manual_session(mock)
    refreshed = post(mock, f"/store/carts/{cid}/payment-sessions/manual/refresh")
    assert "payment_session" not in refreshed["cart"]  # none selected: absent
    assert [s["is_selected"] for s in refreshed["cart"]["payment_sessions"]] == [None]
    r = mock.client.post(f"/store/carts/{cid}/complete")
    assert (r.status_code, r.json()) == (400, {
        "type": "not_allowed", "message": "You cannot complete a cart without a payment session."})
    r = mock.client.delete(f"/store/carts/{cid}/discounts/NOPE")
    assert r.status_code == 422
    assert r.json() == {"code": "invalid_request_error", "type": "duplicate_error",
                        "message": f"Payment session with manual already exists for cart {cid}"}
