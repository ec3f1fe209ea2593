"""The one registry of places where behaviour and the official Store OAS part ways.

Two kinds of entries:

* ``medusa``: real Medusa 1.20.11 does something the official document does not say (or says
  otherwise). The mock reproduces it on purpose and our document describes it.
* ``mock``: the mock deliberately differs from real Medusa (always to avoid an HTML page, a stack
  trace or an unbounded resource), with the reason.

``docs/deviations.md`` carries the same table; ``python -m mock_server._quirks`` prints it and a
test keeps the two in step. Code that implements an entry names it by ``key``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quirk:
    key: str
    kind: str  # "medusa" (reproduced) or "mock" (deliberate difference)
    operations: tuple[str, ...]
    official: str
    real: str
    mock: str


QUIRKS: tuple[Quirk, ...] = (
    Quirk(
        "claim-confirm-text-ok", "medusa",
        ("PostOrdersCustomerOrderClaim", "PostOrdersCustomerOrderClaimsCustomerOrderClaimAccept"),
        official="200 with no body",
        real="200 `text/plain; charset=utf-8` with body `OK` (Express `sendStatus(200)`)",
        mock="same as real; the document declares `text/plain` `OK`",
    ),
    Quirk(
        "confirm-needs-no-auth", "medusa",
        ("PostOrdersCustomerOrderClaimsCustomerOrderClaimAccept",),
        official="security: api_token, cookie_auth or jwt_token",
        real="no authentication: the signed token is the proof",
        mock="same as real; the document declares no security",
    ),
    Quirk(
        "claim-confirm-bad-token-500", "medusa",
        ("PostOrdersCustomerOrderClaimsCustomerOrderClaimAccept",),
        official="400/401 for a bad token",
        real="a JWT-shaped token with a bad signature, `alg: none`, past `exp` or older than 15 "
             "minutes gets 500 `{code, type: unknown_error, message: An unknown error occurred.}`",
        mock="same as real; the document lists the 500",
    ),
    Quirk(
        "password-reset-bad-token-500", "medusa", ("PostCustomersResetPassword",),
        official="401 for an invalid token",
        real="a token that fails `jsonwebtoken.verify` (wrong, expired, not a JWT) for a "
             "registered email gets 500 `unknown_error`; an unknown email gets 401 `unauthorized`",
        mock="same as real; the document lists the 500",
    ),
    Quirk(
        "claim-order-ids-string", "medusa", ("PostOrdersCustomerOrderClaim",),
        official="`order_ids` is an array of strings",
        real="a single string is accepted too (class-validator `each` checks the value itself); "
             "`[]` and unknown ids answer 200 and emit nothing",
        mock="same as real; the document allows string or array",
    ),
    Quirk(
        "passport-401", "medusa", ("*",),
        official="401 with a JSON error body",
        real="a missing or invalid session/bearer credential on a route that needs a customer gets "
             "401 with body `Unauthorized` and no Content-Type (passport's failure response)",
        mock="same as real; the document's 401 declares no content",
    ),
    Quirk(
        "login-401-text", "medusa", ("PostAuth", "PostToken"),
        official="401 with a JSON error body",
        real="wrong email or password: 401 `text/plain` `Unauthorized` (`sendStatus(401)`)",
        mock="same as real",
    ),
    Quirk(
        "logout-needs-no-auth", "medusa", ("DeleteAuth",),
        official="security: cookie_auth or jwt_token; 200 with no body",
        real="no authentication required; 200 `text/plain` `OK`",
        mock="same as real",
    ),
    Quirk(
        "order-lookup-404-text", "medusa", ("GetOrders",),
        official="404 with a JSON error body",
        real="no single match for display_id + email: 404 `text/plain` `Not Found`",
        mock="same as real",
    ),
    Quirk(
        "auth-email-any-string", "medusa", ("GetAuthEmail",),
        official="path parameter `email` has `format: email`",
        real="any string is accepted; `{\"exists\": false}` for non-emails",
        mock="same as real; the document declares a plain string",
    ),
    Quirk(
        "undefined-api-token-scheme", "medusa", ("*",),
        official="five operations list an `api_token` scheme that is never defined",
        real="the Store API has no API-token authentication",
        mock="the document drops `api_token`",
    ),
    Quirk(
        "malformed-json-body", "mock", ("*",),
        official="400",
        real="400 `text/html` page with the SyntaxError stack trace (Express body-parser)",
        mock="400 `{\"type\": \"invalid_data\", \"message\": ...}` as JSON: no HTML, no stack "
             "trace",
    ),
    Quirk(
        "unknown-route-json-404", "mock", ("*",),
        official="(not described)",
        real="an unknown path or method gets 404 `text/html` `Cannot <METHOD> <path>`",
        mock="404 `{\"type\": \"not_found\", \"message\": \"Cannot <METHOD> <path>\"}` as JSON",
    ),
    Quirk(
        "body-too-large-json-413", "mock", ("*",),
        official="(not described)",
        real="a JSON body over 100 kB gets 413 `text/html` (PayloadTooLargeError)",
        mock="413 `{\"type\": \"invalid_data\", \"message\": \"request entity too large\"}`",
    ),
)

BY_KEY = {q.key: q for q in QUIRKS}


def markdown_table() -> str:
    rows = ["| key | kind | operations | official OAS | real Medusa 1.20.11 | medusa-mock |",
            "|---|---|---|---|---|---|"]
    for q in QUIRKS:
        ops = ", ".join(f"`{o}`" if o != "*" else "all" for o in q.operations)
        kind = "reproduced" if q.kind == "medusa" else "mock differs"
        rows.append(f"| `{q.key}` | {kind} | {ops} | {q.official} | {q.real} | {q.mock} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":  # pragma: no cover - a documentation helper
    print(markdown_table(), end="")
