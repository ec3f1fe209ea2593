"""Payment collections (the seeded ones of the default seed's order edits): read, sessions single
and batch, refresh, authorization single and batch, as Medusa 1.20.11 answers them (observed on
a real server with admin-made edits)."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Mock

READ_KEYS = ["id", "type", "status", "description", "amount", "currency_code", "metadata",
             "payment_sessions", "region"]
ROW_KEYS = ["id", "created_at", "updated_at", "deleted_at", "type", "status", "description",
            "amount", "authorized_amount", "region_id", "currency_code", "metadata",
            "created_by"]
SESSION_KEYS = ["id", "created_at", "updated_at", "cart_id", "provider_id", "is_selected",
                "is_initiated", "status", "data", "idempotency_key", "amount",
                "payment_authorized_at"]


def collection(mock: Mock, display_id: int) -> dict[str, Any]:
    """The payment collection of the seeded edit of order ``display_id`` (4: no sessions yet;
    5: one mock-payment session whose outcome is requires_more)."""
    order = mock.order(display_id)
    edit = next(e for e in mock.services.store.order_edits.values()
                if e["order_id"] == order["id"])
    return mock.services.store.payment_collections.get(edit["payment_collection_id"])


def path(mock: Mock, display_id: int = 4) -> str:
    return f"/store/payment-collections/{collection(mock, display_id)['id']}"


def batch(mock: Mock, base: str, sessions: list[dict[str, Any]]) -> Any:
    return mock.client.post(f"{base}/sessions/batch", json={"sessions": sessions})


# -- read --------------------------------------------------------------------------------------
def test_read_default_answer(mock: Mock) -> None:
    seeded = collection(mock, 4)
    r = mock.client.get(path(mock))  # no login needed
    assert r.status_code == 200, r.text
    body = r.json()["payment_collection"]
    assert list(body) == READ_KEYS
    assert body["status"] == "not_paid" and body["type"] == "order_edit"
    assert body["amount"] == seeded["amount"] == 2950 and body["currency_code"] == "eur"
    assert body["payment_sessions"] == []
    assert body["region"]["id"] == "reg_eu" and "payment_providers" not in body["region"]


def test_read_seeded_session(mock: Mock) -> None:
    body = mock.client.get(path(mock, 5)).json()["payment_collection"]
    [session] = body["payment_sessions"]
    assert list(session) == SESSION_KEYS
    assert session["provider_id"] == "mock-payment" and session["cart_id"] is None
    assert session["data"] == {"status": "pending", "outcome": "requires_more"}
    assert session["amount"] == body["amount"] and session["status"] == "pending"


@pytest.mark.parametrize(("query", "keys"), [
    ("fields=id,amount", ["id", "amount", "payment_sessions", "region"]),
    ("fields=amount,created_by&expand=", ["id", "amount", "created_by"]),
    ("expand=payments", ["id", "type", "status", "description", "amount", "currency_code",
                         "metadata", "payments"]),
    ("fields=currency&expand=currency", ["id", "currency"]),
])
def test_read_fields_and_expand(mock: Mock, query: str, keys: list[str]) -> None:
    r = mock.client.get(f"{path(mock)}?{query}")
    assert r.status_code == 200, r.text
    assert list(r.json()["payment_collection"]) == keys


def test_read_region_relations(mock: Mock) -> None:
    r = mock.client.get(f"{path(mock)}?expand=region.payment_providers,region.countries")
    region = r.json()["payment_collection"]["region"]
    assert [p["id"] for p in region["payment_providers"]] == ["manual", "mock-payment"]
    assert "de" in [c["iso_2"] for c in region["countries"]]


@pytest.mark.parametrize("query", ["fields=nope", "expand=nope", "expand=region,items"])
def test_read_unknown_names_are_refused(mock: Mock, query: str) -> None:
    """Medusa answers 500 (TypeORM); the mock's document refuses them (quirk
    payment-collection-query-names)."""
    r = mock.client.get(f"{path(mock)}?{query}")
    assert r.status_code == 400 and r.json()["type"] == "invalid_data"


def test_unknown_collection_is_404_everywhere(mock: Mock) -> None:
    base = "/store/payment-collections/paycol_nope"
    message = "Payment collection with id paycol_nope was not found"
    for method, url, body in [
        ("get", base, None),
        ("post", f"{base}/sessions", {"provider_id": "manual"}),
        ("post", f"{base}/sessions/batch", {"sessions": [{"provider_id": "manual",
                                                          "amount": 5}]}),
        ("post", f"{base}/sessions/batch", {"sessions": []}),
        ("post", f"{base}/sessions/batch/authorize", {"session_ids": ["ps_x"]}),
        ("post", f"{base}/sessions/ps_x/authorize", None),
    ]:
        r = getattr(mock.client, method)(url, json=body) if body is not None else \
            getattr(mock.client, method)(url)
        assert r.status_code == 404, (url, r.text)
        assert r.json() == {"type": "not_found", "message": message}
    r = mock.client.post(f"{base}/sessions/ps_x")
    assert r.status_code == 404
    assert r.json()["message"] == (
        "Payment collection related to Payment Session id ps_x was not found")


# -- sessions ----------------------------------------------------------------------------------
def test_single_session_is_the_only_one(mock: Mock) -> None:
    base = path(mock)
    r = mock.client.post(f"{base}/sessions", json={"provider_id": "manual"})
    assert r.status_code == 200, r.text
    body = r.json()["payment_collection"]
    assert list(body)[:13] == ROW_KEYS and list(body)[13:] == ["payment_sessions", "region"]
    assert [p["id"] for p in body["region"]["payment_providers"]] == ["manual", "mock-payment"]
    [session] = body["payment_sessions"]
    assert (session["provider_id"], session["amount"], session["data"], session["cart_id"],
            session["is_initiated"], session["is_selected"]) == (
        "manual", 2950, {"status": "pending"}, None, True, None)
    again = mock.client.post(f"{base}/sessions", json={"provider_id": "manual"}).json()
    assert [s["id"] for s in again["payment_collection"]["payment_sessions"]] == [session["id"]]
    other = mock.client.post(f"{base}/sessions", json={"provider_id": "mock-payment"}).json()
    [replacement] = other["payment_collection"]["payment_sessions"]
    assert replacement["provider_id"] == "mock-payment"
    assert replacement["data"] == {"status": "pending", "outcome": "authorized"}
    assert mock.services.store.payment_sessions.get(session["id"]) is None


def test_single_session_provider_must_be_in_the_region(mock: Mock) -> None:
    mock.services.store.regions.get("reg_eu")["payment_providers"] = ["manual"]
    for provider in ("mock-payment", "stripe"):
        r = mock.client.post(f"{path(mock)}/sessions", json={"provider_id": provider})
        assert r.status_code == 400
        assert r.json() == {"type": "invalid_data", "message": "Payment provider not found"}


def test_batch_splits_updates_and_deletes(mock: Mock) -> None:
    base = path(mock)
    r = batch(mock, base, [{"provider_id": "manual", "amount": 1000},
                           {"provider_id": "mock-payment", "amount": 1950}])
    assert r.status_code == 200, r.text
    first, second = r.json()["payment_collection"]["payment_sessions"]
    assert (first["provider_id"], first["amount"]) == ("manual", 1000)
    assert (second["provider_id"], second["amount"]) == ("mock-payment", 1950)
    r = batch(mock, base, [{"provider_id": "manual", "amount": 2000, "session_id": first["id"]},
                           {"provider_id": "manual", "amount": 950}])
    assert r.status_code == 200, r.text
    updated, new = r.json()["payment_collection"]["payment_sessions"]
    assert updated["id"] == first["id"] and updated["amount"] == 2000
    assert new["id"] not in (first["id"], second["id"]) and new["amount"] == 950
    assert mock.services.store.payment_sessions.get(second["id"]) is None


def test_batch_with_a_foreign_session_id_opens_a_new_session(mock: Mock) -> None:
    seeded = collection(mock, 5)["payment_session_ids"][0]
    r = batch(mock, path(mock), [{"provider_id": "manual", "amount": 2950,
                                  "session_id": seeded}])
    [session] = r.json()["payment_collection"]["payment_sessions"]
    assert session["id"] != seeded
    assert mock.services.store.payment_sessions.get(seeded) is not None  # still collection 5's


@pytest.mark.parametrize("sessions", [
    [{"provider_id": "manual", "amount": 5}],
    [{"provider_id": "manual", "amount": 1000}, {"provider_id": "manual", "amount": 1000}],
    [{"provider_id": "manual", "amount": 950}, {"provider_id": "stripe", "amount": 2000}],
    [],
])
def test_batch_amounts_must_add_up(mock: Mock, sessions: list[dict[str, Any]]) -> None:
    base = path(mock)
    before = mock.services.store.snapshot()
    r = batch(mock, base, sessions)
    assert r.status_code == 500
    assert r.json() == {"type": "unexpected_state", "message":
                        "The sum of sessions is not equal to 2950 on Payment Collection"}
    assert mock.services.store.snapshot() == before


def test_batch_drops_providers_the_region_does_not_offer(mock: Mock) -> None:
    r = batch(mock, path(mock), [{"provider_id": "manual", "amount": 2950},
                                 {"provider_id": "stripe", "amount": 0}])
    assert [s["provider_id"] for s in r.json()["payment_collection"]["payment_sessions"]] == [
        "manual"]


@pytest.mark.parametrize("sessions", [[{}], [{"provider_id": "manual", "amount": 1.5}],
                                      "x", [{"provider_id": "manual", "amount": 2950, "x": 1}]])
def test_batch_entries_are_validated(mock: Mock, sessions: Any) -> None:
    """Medusa answers 500 when no entry is a valid session; the mock says why (quirk
    payment-collection-batch-unknown-500)."""
    r = mock.client.post(f"{path(mock)}/sessions/batch", json={"sessions": sessions})
    assert r.status_code == 400 and r.json()["type"] == "invalid_data"


# -- authorization -----------------------------------------------------------------------------
def test_authorize_batch_partially_then_fully(mock: Mock) -> None:
    base = path(mock)
    sessions = batch(mock, base, [{"provider_id": "manual", "amount": 1200},
                                  {"provider_id": "manual", "amount": 1750}]).json()
    first, second = (s["id"] for s in sessions["payment_collection"]["payment_sessions"])
    r = mock.client.post(f"{base}/sessions/batch/authorize", json={"session_ids": [first]})
    assert r.status_code == 200, r.text
    body = r.json()["payment_collection"]
    assert list(body) == [*ROW_KEYS, "payment_sessions", "payments"]
    assert (body["status"], body["authorized_amount"]) == ("partially_authorized", 1200)
    [payment] = body["payments"]
    assert (payment["amount"], payment["provider_id"], payment["order_id"], payment["cart_id"],
            payment["data"]) == (1200, "manual", None, None, {"status": "authorized"})
    authorized = next(s for s in body["payment_sessions"] if s["id"] == first)
    assert authorized["status"] == "authorized" and authorized["payment_authorized_at"]
    r = mock.client.post(f"{base}/sessions/batch", json={"sessions": [
        {"provider_id": "manual", "amount": 2950}]})
    assert r.status_code == 400 and r.json()["message"] == (
        "Cannot set payment sessions for a payment collection with status partially_authorized")
    r = mock.client.post(f"{base}/sessions/batch/authorize",
                         json={"session_ids": [second, "ps_other"]})
    body = r.json()["payment_collection"]
    assert (body["status"], body["authorized_amount"], len(body["payments"])) == (
        "authorized", 2950, 2)
    events = mock.events("payment-collection.payment_authorized")
    assert [e["data"]["status"] for e in events] == ["partially_authorized", "authorized"]
    again = mock.client.post(f"{base}/sessions/batch/authorize", json={"session_ids": []})
    assert again.status_code == 200 and again.json() == r.json()
    assert len(mock.events("payment-collection.payment_authorized")) == 2


def test_authorize_without_sessions_is_refused(mock: Mock) -> None:
    base = path(mock)
    message = "You cannot complete a Payment Collection without a payment session."
    for url, body in [(f"{base}/sessions/batch/authorize", {"session_ids": []}),
                      (f"{base}/sessions/ps_x/authorize", None)]:
        r = mock.client.post(url, json=body)
        assert r.status_code == 400
        assert r.json() == {"type": "not_allowed", "message": message}


def test_authorize_single_session(mock: Mock) -> None:
    base = path(mock)
    body = mock.client.post(f"{base}/sessions", json={"provider_id": "manual"}).json()
    session_id = body["payment_collection"]["payment_sessions"][0]["id"]
    r = mock.client.post(f"{base}/sessions/{session_id}/authorize")
    assert r.status_code == 200, r.text
    session = r.json()["payment_session"]
    assert list(session) == SESSION_KEYS
    assert (session["id"], session["status"], session["data"]) == (
        session_id, "authorized", {"status": "authorized"})
    assert session["payment_authorized_at"] is not None
    read = mock.client.get(base).json()["payment_collection"]
    assert read["status"] == "authorized"
    again = mock.client.post(f"{base}/sessions/{session_id}/authorize")
    assert again.status_code == 200 and again.json() == r.json()


def test_session_that_requires_more_gets_422_then_refresh_and_retry(mock: Mock) -> None:
    """The default seed's second collection: its mock-payment session needs more action."""
    seeded = collection(mock, 5)
    base = path(mock, 5)
    session_id = seeded["payment_session_ids"][0]
    r = mock.client.post(f"{base}/sessions/{session_id}/authorize")
    assert r.status_code == 422
    assert r.json() == {"type": "payment_authorization_error",
                        "message": f'Failed to authorize Payment Session id "{seeded["id"]}"'}
    read = mock.client.get(base).json()["payment_collection"]
    assert read["status"] == "awaiting"  # saved before the 422, as in Medusa
    assert read["payment_sessions"][0]["status"] == "requires_more"
    r = mock.client.post(f"{base}/sessions", json={"provider_id": "manual"})
    assert r.status_code == 400 and "status awaiting" in r.json()["message"]
    refreshed = mock.client.post(f"{base}/sessions/{session_id}")
    assert refreshed.status_code == 200, refreshed.text
    fresh = refreshed.json()["payment_session"]
    assert fresh["id"] != session_id and fresh["provider_id"] == "mock-payment"
    assert fresh["data"] == {"status": "pending", "outcome": "authorized"}
    assert fresh["amount"] == seeded["amount"]
    r = mock.client.post(f"{base}/sessions/{fresh['id']}/authorize")
    assert r.status_code == 200 and r.json()["payment_session"]["status"] == "authorized"
    assert mock.client.get(base).json()["payment_collection"]["status"] == "authorized"


def test_authorize_a_session_of_no_collection_is_422_and_saves_the_status(mock: Mock) -> None:
    seeded = collection(mock, 5)
    r = mock.client.post(f"{path(mock, 5)}/sessions/ps_nope/authorize")
    assert r.status_code == 422 and seeded["id"] in r.json()["message"]
    assert seeded["status"] == "awaiting" and seeded["authorized_amount"] == 0


def test_authorize_a_failing_session(mock: Mock) -> None:
    seeded = collection(mock, 5)
    session = mock.services.store.payment_sessions.get(seeded["payment_session_ids"][0])
    session["data"]["outcome"] = "error"
    r = mock.client.post(f"{path(mock, 5)}/sessions/batch/authorize",
                         json={"session_ids": [session["id"]]})
    body = r.json()["payment_collection"]
    assert (body["status"], body["authorized_amount"], body["payments"]) == ("awaiting", 0, [])
    assert body["payment_sessions"][0]["status"] == "error"


# -- refresh -----------------------------------------------------------------------------------
def test_refresh_keeps_only_the_new_session(mock: Mock) -> None:
    """Medusa's refresh saves the collection with the new session as its only one (quirk
    payment-collection-refresh-drops-sessions)."""
    base = path(mock)
    sessions = batch(mock, base, [{"provider_id": "manual", "amount": 1000},
                                  {"provider_id": "manual", "amount": 1950}]).json()
    first, second = sessions["payment_collection"]["payment_sessions"]
    r = mock.client.post(f"{base}/sessions/{second['id']}")
    assert r.status_code == 200, r.text
    fresh = r.json()["payment_session"]
    assert list(fresh) == SESSION_KEYS
    assert (fresh["provider_id"], fresh["amount"], fresh["status"]) == ("manual", 1950, "pending")
    assert mock.services.store.payment_sessions.get(second["id"]) is None
    read = mock.client.get(base).json()["payment_collection"]
    assert [s["id"] for s in read["payment_sessions"]] == [fresh["id"]]
    orphan = mock.client.post(f"{base}/sessions/{first['id']}")
    assert orphan.status_code == 404
    assert orphan.json()["message"] == (
        f"Payment collection related to Payment Session id {first['id']} was not found")


def test_refresh_through_another_collection_is_refused(mock: Mock) -> None:
    other = collection(mock, 5)
    session_id = other["payment_session_ids"][0]
    r = mock.client.post(f"{path(mock, 4)}/sessions/{session_id}")
    assert r.status_code == 400
    assert r.json() == {"type": "not_allowed", "message": f"Payment Session {session_id} does "
                        f"not belong to Payment Collection {collection(mock, 4)['id']}"}


def test_refresh_an_authorized_session(mock: Mock) -> None:
    base = path(mock)
    sessions = batch(mock, base, [{"provider_id": "manual", "amount": 1000},
                                  {"provider_id": "manual", "amount": 1950}]).json()
    first = sessions["payment_collection"]["payment_sessions"][0]["id"]
    mock.client.post(f"{base}/sessions/batch/authorize", json={"session_ids": [first]})
    r = mock.client.post(f"{base}/sessions/{first}")
    assert r.status_code == 200
    seeded = collection(mock, 4)
    assert (seeded["status"], seeded["authorized_amount"]) == ("partially_authorized", 0)
