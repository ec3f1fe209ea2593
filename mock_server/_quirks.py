"""The one registry of places where behaviour and the official Store OAS part ways.

Two kinds of entries:

* ``medusa``: real Medusa 1.20.11 does something the official document does not say (or says
  otherwise). The mock reproduces it on purpose and our document describes it.
* ``mock``: the mock deliberately differs from real Medusa (always to avoid an HTML page, a stack
  trace, a 500 or an unbounded resource, or to keep one customer out of another's data), with
  the reason.

``docs/deviations.md`` carries the same table; ``python -m mock_server._quirks`` prints it and a
test keeps the two in step. What implements an entry names it by ``key``: code with
:func:`implements` (or, for a deliberate 500, ``UnexpectedError(quirk=key)``, which the answer
carries in ``X-Medusa-Mock-Quirk``), the OpenAPI document with ``x-medusa-quirks: [key, ...]`` on
the operation, schema or document it shapes. ``tests/test_layering.py`` fails on a key named
nowhere, and on a name that is no key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])


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
        real="400 `text/html` page with the SyntaxError stack trace (Express body-parser, mounted "
             "before every route, so for any method and path, before authentication); `strict` "
             "JSON: a body that is not an object or array, `NaN`/`Infinity` or only whitespace "
             "is malformed too",
        mock="400 `{\"type\": \"invalid_data\", \"message\": ...}` as JSON: no HTML, no stack "
             "trace; same order and same bodies refused; the final handler's headers as Express "
             "sends them (Content-Security-Policy, X-Content-Type-Options; no CORS, no ETag)",
    ),
    Quirk(
        "unknown-route-json-404", "mock", ("*",),
        official="(not described)",
        real="an unknown path or method gets 404 `text/html` `Cannot <METHOD> <path>`",
        mock="404 `{\"type\": \"not_found\", \"message\": \"Cannot <METHOD> <path>\"}` as JSON, "
             "with the final handler's headers (Content-Security-Policy, X-Content-Type-Options; "
             "no ETag)",
    ),
    Quirk(
        "body-too-large-json-413", "mock", ("*",),
        official="(not described)",
        real="a JSON body over 100 kB gets 413 `text/html` (PayloadTooLargeError); a body of "
             "another Content-Type is never read",
        mock="413 `{\"type\": \"invalid_data\", \"message\": \"request entity too large\"}`, "
             "for a body of any Content-Type",
    ),
    Quirk(
        "body-nesting-limit", "mock", ("*",),
        official="(not described)",
        real="`JSON.parse` reads a body nested to any depth (10 000 nested arrays fit in 100 kB)",
        mock="a JSON body nested deeper than 64 arrays/objects gets 400 `{\"type\": "
             "\"invalid_data\", \"message\": \"request body nested deeper than 64 levels\"}`: "
             "deeper values overflow Python's stack when they are validated, stored or answered "
             "(a value 600 levels deep stored in `metadata` made every later read a 500)",
    ),
    Quirk(
        "connection-cap", "mock", ("*",),
        official="(not described)",
        real="Node's http server accepts connections until the process runs out of file "
             "descriptors (`server.maxConnections` is unset); past that, accepting fails and "
             "nobody is answered",
        mock="at most `--max-connections` open connections (1,000, or the open-file limit minus "
             "64 if lower); a new one takes the place of the connection idle longest (between "
             "requests or still sending its head), and is closed at once only when every one is "
             "busy, as Node does past `server.maxConnections`; one warning in the log "
             "(evidence: 1,100 idle sockets "
             "against a 1,024-descriptor limit left a server answering none of 60 requests)",
    ),
    Quirk(
        "state-caps", "mock", ("*",),
        official="(not described)",
        real="carts, customers, orders and sessions stay in the database until something deletes "
             "them (sessions: until they expire); nothing is ever dropped to make room",
        mock="each sandbox keeps at most `--max-carts` carts, `--max-customers` customers, "
             "`--max-orders` orders and `--max-sessions` sessions (20,000, 20,000, 20,000 and "
             "50,000; 0 for no cap); past a cap the least recently used row goes with what "
             "belongs only to it (a cart's lines, payment sessions and addresses; an order's "
             "lines, payments, returns, swaps and cart; a customer only once it has no cart and "
             "no order), seeded rows never, and the log says so once: afterwards a dropped cart "
             "or order is a 404 and a dropped session is logged out (evidence: about 3.9 MB per "
             "1,000 carts and 2.35 MB per 1,000 customers grew without a bound)",
    ),
    Quirk(
        "text-stored-as-sent", "mock", ("*",),
        official="(not described)",
        real="strings go to PostgreSQL: one holding U+0000 fails (`invalid byte sequence for "
             "encoding \"UTF8\": 0x00`, 500 `unknown_error`), a lone surrogate (`\"\\ud800\"`) is "
             "stored as U+FFFD; answers are written by `JSON.stringify` (a lone surrogate as an "
             "escape, `Infinity` as `null`) (evidence: code, error handler; not observed)",
        mock="strings are stored as sent (U+0000 included, no 500); answers are written as "
             "`JSON.stringify` writes them (a lone surrogate as a `\\udXXX` escape, a non-finite "
             "number as `null`), never an encoding error",
    ),
    Quirk(
        "billing-address-foreign-id", "mock", ("PostCustomersCustomer",),
        official="`billing_address`: an address or the id of an existing address",
        real="any address id is linked (`updateBillingAddress_` only checks that the row exists): "
             "another customer's address then shows as the caller's `billing_address`, and a later "
             "`billing_address` object is written into that row (evidence: code "
             "`services/customer.js`)",
        mock="only an id of the customer's own address book, its billing address or an address of "
             "its own orders or carts is linked; any other id gets the unknown-id answer, 404 "
             "`Address with id <id> was not found`",
    ),    Quirk(
        "demo-store-uploads", "mock", ("*",),
        official="(not described)",
        real="uploads are served by the file service (the local file plugin: `express.static` "
             "under `/uploads`, serve-static's defaults `Cache-Control: public, max-age=0` and a "
             "weak ETag from size and time); an unknown file falls through to Express's final "
             "handler; Medusa's demo data points its images at a remote bucket (evidence: "
             "serve-static's defaults; not observed)",
        mock="the bundled demo store's images are files of the package served under `/uploads/` "
             "(`image/png`, `Cache-Control: public, max-age=86400`, a strong ETag of the content, "
             "304 for a fresh conditional GET), their URLs absolute with `--public-url` (default "
             "`http://localhost:PORT`), so a storefront without internet shows them; an unknown "
             "file gets Medusa's JSON 404 `Cannot GET <path>` like any unknown route",
    ),
)
# The 45 catalog, cart and checkout operations (from the document's review against the official
# OAS, the compiled 1.20.11 routes and a real server; docs/deviations.md has the evidence).
QUIRKS = QUIRKS + (
    Quirk(
        'payment-collections-need-no-auth', 'medusa',
        ('the 6 Payment Collections operations',),
        official='`security: cookie_auth OR jwt_token`',
        real="no customer authentication: the routes have no `requireCustomerAuthentication` (the customer, if any, is only read to fill the provider's data)",
        mock='no `security` (evidence: code: `payment-collections/index.js`)',
    ),
    Quirk(
        'product-types-admin-route', 'medusa',
        ('GetProductTypes',),
        official='a store route',
        real='`/store/product-types` is mounted from `api/routes/admin/product-types` (store `index.js` imports the admin module), without the admin authentication; its query DTO and answer are the same as the store one',
        mock='same parameters and answer as official; the description says so (evidence: code: `api/routes/store/index.js`)',
    ),
    Quirk(
        'array-query-explode', 'medusa',
        ('GetCollections', 'GetProductTags', 'GetProductTypes', 'GetProducts', 'GetVariants'),
        official='`style: form, explode: false` (comma-separated)',
        real='Express parses the query with `qs`: repeated keys (`tags=a&tags=b`) or `tags[]=a` give an array; `tags=a,b` stays one string (`normalized-query` only splits a one-element array); a single plain `handle=x` is refused with 400 `handle must be an array`',
        mock='`style: form, explode: true` (evidence: observed (`GET /store/collections?handle=x` → 400; `?handle=x&handle=y` → 200))',
    ),
    Quirk(
        'variants-pagination-numbers', 'medusa',
        ('GetVariants',),
        official='`offset`, `limit`: `type: number`, `default: "0"` / `"100"` (strings)',
        real='`@IsInt` with defaults 0 and 100 (`limit=1.5` → 400 `limit must be an integer number`)',
        mock='`type: integer`, `default: 0` / `100`, `minimum: 0` (evidence: code `variants/list-variants.js`; observed)',
    ),
    Quirk(
        'string-or-array-query', 'mock',
        ('GetProducts', 'GetVariants'),
        official='`oneOf: [string, array of string]`',
        real='`@IsType([String, [String]])`',
        mock="`type: array` of strings (`explode: true`); one value is a one-element array (evidence: Connexion 3.3 cannot parse a query parameter whose schema has no top-level `type` (it raises `KeyError: 'type'` and answers 500))",
    ),
    Quirk(
        'inventory-quantity-range-only', 'mock',
        ('GetVariants',),
        official='`oneOf: [number, {lt, gt, lte, gte}]`',
        real='`@IsType([Number, NumericalComparisonOperator])`: `inventory_quantity=5` and `inventory_quantity[gt]=0` both work',
        mock='a deep object `{lt, gt, lte, gte}` of numbers only; the description mentions the plain-number form (evidence: same Connexion limitation; the range form is the useful one for a storefront ("in stock"))',
    ),
    Quirk(
        'date-range-deep-object', 'mock',
        ('GetCollections', 'GetProductTags', 'GetProductTypes', 'GetProducts', 'GetRegions'),
        official='objects with `format: date` bounds and no `style` (so `form`, exploded: `lt=...`)',
        real='`qs` reads `created_at[lt]=...`; each bound goes through `transformDate` + `@IsDate`, so a plain date (`2020-01-01`) passes too and `notadate` gets 400 `gt must be a Date instance`; unknown bounds get 400 `property foo should not exist`',
        mock="`style: deepObject, explode: true`, `additionalProperties: false`; what a bound accepts is `date-filters-any-date` (evidence: code `types/common.js` (`DateComparisonOperator`); observed)",
    ),
    Quirk(
        'pagination-minimum-zero', 'mock',
        ('every `limit`/`offset` of these operations',),
        official='integers with defaults, no minimum',
        real='no minimum is checked: PostgreSQL rounds the number and refuses a negative `LIMIT`/`OFFSET` (500 `unknown_error`); one it rounds to 0 (`-1e-9`) is 0',
        mock="`minimum: 0` where the parameter is an integer, else `minimum: -0.5` (exclusive): what PostgreSQL would refuse gets 400 `invalid_data` (evidence: observed `limit=-1` → 500, `limit=-1e-260` → 200 with no rows)",
    ),
    Quirk(
        'primitive-style-kept', 'medusa',
        ('`currency_code` (products, variants), `include_category_children`',),
        official='`style: form, explode: false` on a primitive',
        real='no effect',
        mock='kept as in the official document (evidence: listed only because a comparison script sees the attributes)',
    ),
    Quirk(
        'line-item-quantity-integer', 'medusa',
        ('PostCartsCartLineItems', 'PostCartsCartLineItemsItem'),
        official='`quantity: number`',
        real='`@IsInt()` (`1.5` → 400 `quantity must be an integer number`)',
        mock='`type: integer` (evidence: code `carts/create-line-item/index.js`, `carts/update-line-item.js`; observed)',
    ),
    Quirk(
        'return-quantity-number', 'medusa',
        ('PostReturns', 'PostSwaps'),
        official='`type: integer`',
        real='`@IsNumber() @Min(1)`: `1.5` passes validation',
        mock='`type: number, minimum: 1` (`x-medusa-validate: [Min, IsNumber]`) (evidence: code `returns/create-return.js`, `swaps/create-swap.js`; observed messages match)',
    ),
    Quirk(
        'search-body-open', 'medusa',
        ('PostProductsSearch',),
        official='properties `q`, `offset`, `limit`, `filter`',
        real='validated with `whitelist: false, forbidNonWhitelisted: false`: unknown properties are accepted and handed to the search plugin as options',
        mock='`additionalProperties: true` (the only request body of the document that is open) (evidence: code `products/search.js`)',
    ),
    Quirk(
        'validate-nested-each', 'medusa',
        ('PostCart', 'PostCartsCart', 'PostReturns', 'PostSwaps'),
        official='arrays of objects',
        real='`@ValidateNested({ each: true })`: a non-object element or a non-array value reports `each value in nested property <name> must be either object or array`',
        mock='`x-medusa-validate: ["ValidateNested:each", IsArray, (IsOptional)]` (evidence: **mock gap**: `mock_server/_http/_validation.py` ignores `:each` on `ValidateNested` and says `nested property <name> ...` without the `each value in` prefix (all other messages of these bodies were checked equal to the real server\'s))',
    ),
    Quirk(
        'country-ids-are-numbers', 'medusa',
        ('GetRegions', 'GetRegionsRegion'),
        official='`Country.id` and `num_code`: strings',
        real='numbers (`"id": 82, "num_code": 276`)',
        mock='`type: integer` (evidence: observed)',
    ),
    Quirk(
        'cart-payment-session-optional', 'medusa',
        ('PostSwaps', 'GetSwapsSwapCartId'),
        official='`Cart.payment_session` required',
        real="set by the entity's `afterLoad` only when `payment_sessions` is loaded and one is selected; absent otherwise (and always absent from a swap's plain cart)",
        mock='optional, nullable (evidence: code `models/cart.js`; observed (new cart, after a refresh))',
    ),
    Quirk(
        'cart-computed-tax-lines', 'medusa',
        ('every cart operation',),
        official='item and shipping-method tax lines with `id`, timestamps, `metadata` required',
        real='in regions with automatic taxes the lines are computed at read time: `{rate, name, code, item_id}` / `{..., shipping_method_id}` only',
        mock='`CartTaxLine`: only `rate`, `name`, `code` required (evidence: observed)',
    ),
    Quirk(
        'cart-extra-keys', 'medusa',
        ('every cart operation',),
        official='no `object`; `raw_discount_total` as an integer; `refunded_total`, `refundable_amount` listed',
        real='`object: "cart"` always; `raw_discount_total` removed by `cleanResponseData` (present only in the `cart` copy of `PostCartsCartPaymentSessions`, and on items); no `refunded_total`/`refundable_amount`',
        mock='`object` required; `raw_discount_total` optional `number`; the two order totals not declared (evidence: code `utils/clean-response-data.js`; observed)',
    ),
    Quirk(
        'cart-relations-per-route', 'medusa',
        ('PostCartsCartPaymentSessionsSession', 'PostCartsCartTaxes'),
        official='every cart answer has the same relations',
        real='refresh loads no billing address, payment or sales channel; taxes also no payment sessions, and its region has only `tax_rates`',
        mock='those relations optional in `StoreCart`; region `countries`/`payment_providers` optional (evidence: code `carts/refresh-payment-session.js`, `carts/calculate-taxes.js`; observed)',
    ),
    Quirk(
        'payment-sessions-data-copy', 'medusa',
        ('PostCartsCartPaymentSessions',),
        official='`{cart}`',
        real='`{cart, data}`: the handler stores the cart in the idempotency key and adds a cleaned copy under `data`',
        mock='`StoreCartsPaymentSessionsRes` with both required (evidence: code `carts/create-payment-sessions.js`; observed)',
    ),
    Quirk(
        'complete-cart-shape', 'medusa',
        ('PostCartsCartComplete',),
        official='`{type, data}` with `data` one of Order, Cart, Swap',
        real="`type: order` → the order with totals, shipping address, items, payments and the totals' relations (no fulfillments, customer); `type: cart` adds `payment_status`; `type: swap` → the swap with its shipping address",
        mock='`data` any of `CompletedOrder`, `CartColumns`, `SwapWithAddress`; optional `payment_status` (evidence: code `strategies/cart-completion.js`)',
    ),
    Quirk(
        'priced-variant-nullable', 'medusa',
        ('GetProducts', 'GetProductsProduct', 'GetVariants', 'GetVariantsVariant'),
        official='`original_price` ... `calculated_tax`: numbers; `tax_rates`: array',
        real='without a region or currency all are `null` (`tax_rates` too) and `calculated_price_type` is absent; with one, `calculated_price_type` is added; prices are filtered to the context',
        mock='all seven required and nullable (integers); `calculated_price_type` optional (evidence: code `services/pricing.js`; observed)',
    ),
    Quirk(
        'variant-product-no-profile-id', 'medusa',
        ('GetVariants', 'GetVariantsVariant'),
        official='`variant.product.profile_id` required',
        real="the variant's `product` relation has the product columns only",
        mock='`product` is `ProductColumns` (no `profile_id`) (evidence: observed)',
    ),
    Quirk(
        'product-categories-store-fields', 'medusa',
        ('GetProductCategories', 'GetProductCategoriesCategory'),
        official='`mpath`, `is_active`, `is_internal` required',
        real='the routes select only id, name, description, handle, parent id, rank, metadata and the timestamps (`defaultStoreProductCategoryFields`) and pick those on every tree node',
        mock='not declared on these answers (evidence: code `product-categories/index.js`, `utils/transformers/tree.js`)',
    ),
    Quirk(
        'category-children-not-loaded', 'medusa',
        ('GetProducts', 'GetProductsProduct'),
        official='`categories[].category_children` required',
        real='`expand=categories` is allowed only with the `product_categories` feature flag (off on the reference server: 400 `Requested fields [categories] are not valid`); with it, the category rows are loaded without children',
        mock='`ProductCategoryRow` without `category_children`, optional (evidence: code `products/index.js`; observed)',
    ),
    Quirk(
        'category-tree-depth', 'mock',
        ('GetProductCategories', 'GetProductCategoriesCategory'),
        official='`category_children` items are `ProductCategory` (recursive)',
        real='the whole subtree (retrieve, or list with `include_descendants_tree`)',
        mock='two levels typed, deeper levels `{type: object}` (evidence: Connexion inlines every `$ref` when loading the document and recurses forever on a recursive schema)',
    ),
    Quirk(
        'tags-types-selected-fields', 'medusa',
        ('GetProductTags', 'GetProductTypes'),
        official='`metadata`, `deleted_at` required',
        real='only `id`, `value`, `created_at`, `updated_at` are selected',
        mock='those four required, the others optional (evidence: code `product-tags/index.js`, `admin/product-types/index.js`)',
    ),
    Quirk(
        'gift-card-store-fields', 'medusa',
        ('GetGiftCardsCode',),
        official='every gift card column required',
        real='only `id`, `code`, `value`, `balance` and the `region` relation are selected',
        mock='`StoreGiftCard` with those five (evidence: code `gift-cards/index.js`)',
    ),
    Quirk(
        'order-edit-store-fields', 'medusa',
        ('GetOrderEditsOrderEdit', 'PostOrderEditsOrderEditComplete', 'PostOrderEditsOrderEditDecline'),
        official='`internal_note`, `created_by`, `confirmed_by`, `canceled_by`, `updated_at` required',
        real='the store field list drops the first four (`storeOrderEditNotAllowedFieldsAndRelations`) and never selects `updated_at`; `status` (from `afterLoad`) and the totals of `decorateTotals` are always there',
        mock='not declared; `status`, totals and `difference_due` required (evidence: code `types/order-edit.js`, `services/order-edit.js`)',
    ),
    Quirk(
        'payment-collection-read-fields', 'medusa',
        ('GetPaymentCollectionsPaymentCollection',),
        official='every column required',
        real='the read route selects `id, type, status, description, amount, currency_code, metadata` (+ region, sessions); the session routes return every column',
        mock='`PaymentCollection` (and the read answer `StorePaymentCollectionRead`) requires those seven only; an answer narrowed by `fields`/`expand` is `StorePaymentCollectionSelection` (evidence: code `payment-collections/index.js`; observed)',
    ),
    Quirk(
        'return-reason-children-array', 'medusa',
        ('GetReturnReasons', 'GetReturnReasonsReason'),
        official='`return_reason_children`: one `ReturnReason` object',
        real='an array of reasons',
        mock='`type: array` (evidence: code `models/return-reason.js` (one-to-many); official document error)',
    ),
    Quirk(
        'return-reason-no-metadata', 'medusa',
        ('GetReturnReasons', 'GetReturnReasonsReason'),
        official='`metadata` required',
        real='not in `defaultStoreReturnReasonFields`',
        mock='optional on the reason, required on its parent/children (loaded whole) (evidence: code `return-reasons/index.js`)',
    ),
    Quirk(
        'swap-create-fields', 'medusa',
        ('PostSwaps',),
        official='`canceled_at`, `no_notification`, `allow_backorder` required',
        real='the creation route selects `defaultStoreSwapFields`, without them (`GetSwapsSwapCartId` loads every column)',
        mock='optional (evidence: code `swaps/index.js`)',
    ),
    Quirk(
        'regions-list-pagination-required', 'medusa',
        ('GetRegions',),
        official='only `regions` required',
        real='`count`, `limit`, `offset` always sent',
        mock='all four required (evidence: code `regions/list-regions.js`; observed)',
    ),
    Quirk(
        'shipping-option-extras', 'medusa',
        ('GetShippingOptions', 'GetShippingOptionsCartId'),
        official='`PricedShippingOption` without `requirements`/`profile`',
        real='`requirements` always; the cart route adds `profile`',
        mock='both declared (required where always present) (evidence: observed)',
    ),
    Quirk(
        'tax-inclusive-flag-off', 'medusa',
        ('carts, products, shipping options, regions',),
        official='`includes_tax` on regions, line items, shipping methods and options, currencies',
        real='the tax-inclusive pricing feature is off by default: no such column is selected',
        mock='not declared (evidence: observed (as in the existing order schemas))',
    ),
    Quirk(
        'cart-unknown-id-500', 'medusa',
        ('PostCartsCart', 'PostCartsCartComplete', 'DeleteCartsCartDiscountsDiscount', 'DeleteCartsCartLineItemsItem', 'PostCartsCartLineItemsItem', 'PostCartsCartPaymentSession', 'PostCartsCartPaymentSessions', 'DeleteCartsCartPaymentSessionsSession', 'PostCartsCartPaymentSessionUpdate', 'PostCartsCartPaymentSessionsSession', 'PostCartsCartShippingMethod', 'PostCartsCartTaxes'),
        official='404 for an unknown cart',
        real='500 `unknown_error`: loading the cart with its relations builds `WHERE "cart"."id" IN ()` (a PostgreSQL syntax error) before any not-found check; only `GetCartsCart` and `PostCartsCartLineItems` answer 404',
        mock='500 listed (`ServerError`), descriptions say so; 404 kept for the other things these routes look up (region, discount, gift card, option) (evidence: observed)',
    ),
    Quirk(
        'cart-shipping-options-unknown-cart-500', 'medusa',
        ('GetShippingOptionsCartId',),
        official='404',
        real='500 `unknown_error` (same query bug)',
        mock='only 200 and 500 (evidence: observed)',
    ),
    Quirk(
        'products-unknown-cart-500', 'medusa',
        ('GetProducts',),
        official='404',
        real='`cart_id` of no cart → 500 `unknown_error` (same bug); `GetVariants` answers 404',
        mock='500 listed (evidence: observed)',
    ),
    Quirk(
        'payment-collection-batch-unknown-500', 'mock',
        ('PostPaymentCollectionsPaymentCollectionSessionsBatch',),
        official='404 for an unknown collection; no 500',
        real='a `sessions` list in which no entry is a valid session (`[]` included, or one entry with `amount: 1.5`) → 500 `unknown_error` (the `IsType` validator crashes on its own error object), for any collection id; an invalid entry beside a valid one passes validation; an unknown collection → 404; amounts (of the entries whose provider the region offers) that do not add up → 500 `unexpected_state` `The sum of sessions is not equal to <amount> on Payment Collection`',
        mock='the 404 and the 500 `unexpected_state` as real (the document lists the 500); an entry that is not a valid session → 400 `invalid_data` from the document\'s schema, and `[]` is checked like any list (404, or the sum: 500 `unexpected_state`) (evidence: observed; code `utils/validators/is-type.js`, `services/payment-collection.js`)',
    ),
    Quirk(
        'payment-session-duplicate-422', 'medusa',
        ('PostCartsCart', 'PostCartsCartLineItems', 'PostCartsCartLineItemsItem', 'DeleteCartsCartLineItemsItem', 'DeleteCartsCartDiscountsDiscount', 'PostCartsCartShippingMethod', 'PostCartsCartPaymentSessions'),
        official='generic 422',
        real='recreating the payment sessions can hit the unique index (cart, provider) after a session was refreshed: 422 `duplicate_error` `Payment_session with cart_id, provider_id ... already exists`',
        mock='422 `SessionAlreadyExists` (evidence: observed (`DELETE .../discounts/NOPE` after a refresh))',
    ),
    Quirk(
        'idempotent-routes-409', 'medusa',
        ('PostCartsCartComplete', 'PostCartsCartLineItems', 'PostCartsCartPaymentSessions', 'PostCartsCartTaxes', 'PostReturns', 'PostSwaps'),
        official='generic 409 with a JSON error',
        real='409 JSON `conflict` (code `invalid_state_error`) when the idempotency key is locked, or `text/plain` `Failed to create idempotency key`; completion also answers 409 for stock (`insufficient_inventory`) or `{errors: [...]}`',
        mock='`IdempotencyConflict` / `CompleteCartConflict` with both media types (evidence: code (handlers, `services/idempotency-key.js`, `strategies/cart-completion.js`))',
    ),
    Quirk(
        'payment-authorization-422', 'medusa',
        ('PostPaymentCollectionsSessionsSessionAuthorize',),
        official='generic 422',
        real='422 `payment_authorization_error` when the session is not authorized afterwards (the only Store route raising it; cart completion does not); the message names the collection, `Failed to authorize Payment Session id "<collection id>"`; an id that is not one of the collection\'s sessions gets it too, after the collection\'s status and authorized amount were saved (a `not_paid` collection with sessions becomes `awaiting`)',
        mock='422 `PaymentNotAuthorized`; no 422 on `PostCartsCartComplete`; same message and saved status (evidence: code `payment-collections/authorize-payment-session.js`; observed)',
    ),
)

# Order edits and payment collections (_domain/order_edits.py, _domain/payment_collections.py);
# evidence: the compiled 1.20.11 routes and services, and a real 1.20.11 (admin-created edits).
QUIRKS = QUIRKS + (
    Quirk(
        "payment-collection-refresh-drops-sessions", "medusa",
        ("PostPaymentCollectionsPaymentCollectionPaymentSessionsSession",),
        official="replaces the session",
        real="the collection is loaded through the session (`getPaymentCollectionIdBySessionId`), "
             "so its `payment_sessions` relation holds only that session; saving it with the "
             "new session unlinks every other session of the collection (they stay as orphan "
             "rows: refreshing or authorizing them later fails); refreshing an authorized "
             "session takes its amount off `authorized_amount` and leaves the status",
        mock="same as real; the operation's description says so (evidence: code "
             "`services/payment-collection.js`; observed: a two-session collection kept one)",
    ),
    Quirk(
        "payment-collection-query-names", "mock", ("GetPaymentCollectionsPaymentCollection",),
        official="`fields`, `expand`: any string",
        real="no allowed list: a name that is no column (`fields`) or relation (`expand`) of "
             "the collection reaches TypeORM, which fails: 500 `unknown_error`",
        mock="the parameters' `pattern` lists the columns and relations: any other name gets "
             "400 `invalid_data` from validation (evidence: observed `?fields=nope`, "
             "`?expand=nope` → 500)",
    ),
    Quirk(
        "order-edit-seed", "mock",
        ("GetOrderEditsOrderEdit", "PostOrderEditsOrderEditComplete",
         "PostOrderEditsOrderEditDecline", "GetPaymentCollectionsPaymentCollection"),
        official="(order edits and payment collections are made with the admin API)",
        real="a merchant creates, changes and requests an edit with the admin API; requesting "
             "one whose total exceeds the order's creates its payment collection",
        mock="the mock has no admin API: edits (and their collections, with optional sessions, "
             "such as a `mock-payment` session whose `outcome` is `requires_more`) come from the "
             "seed's `order_edits` extension, in the state the admin routes leave them; a "
             "`mock-payment` session of a collection authorizes to its `outcome` (the single "
             "route then answers 422), and refreshing it starts over with `authorized`",
    ),
)

# The read side as the catalog service implements it (products, variants, regions, categories,
# collections, tags, types, shipping options, return reasons, gift cards); evidence in
# docs/catalog.md and the compiled 1.20.11 routes and services.
QUIRKS = QUIRKS + (
    Quirk(
        "search-without-plugin", "mock", ("PostProductsSearch",),
        official="`{hits: [...]}` from the search service",
        real="without a search plugin (the default install) `DefaultSearchService.search` answers "
             "`{\"hits\": []}` for every query",
        mock="answers like a search plugin: `hits` are the published products whose title, "
             "subtitle, description, handle, variant titles or SKUs, collection title or tags "
             "contain `q` (case-insensitive), newest first, with `offset`/`limit`; each hit is a "
             "product with variants, options, images, tags, collection and type",
    ),
    Quirk(
        "shipping-options-product-filter", "medusa", ("GetShippingOptions",),
        official="`product_ids`: the options available for these products",
        real="any non-empty `product_ids` (`,` and unknown ids too) answers `[]`: without the "
             "MedusaV2 flag the route filters the options by the products' `profile_id`, which "
             "1.20's products no longer carry (profiles are a join table); an empty "
             "`region_id=` filters nothing (evidence: observed; code "
             "`store/shipping-options/list-options.js`)",
        mock="same as real",
    ),
    Quirk(
        "publishable-key-unknown-ignored", "medusa",
        ("GetProducts", "GetProductsProduct", "GetVariants", "GetVariantsVariant"),
        official="`x-publishable-api-key` scopes the answer to the key's sales channels",
        real="an unknown (or revoked) key scopes nothing and is not an error; a known key's "
             "channels replace the default sales channel and the products then carry "
             "`sales_channels`",
        mock="same as real",
    ),
    Quirk(
        "publishable-key-scope-errors", "medusa",
        ("GetProducts", "GetProductsProduct", "GetVariants", "GetVariantsVariant"),
        official="(not described)",
        real="a product or variant outside the key's channels, or a `sales_channel_id` the key "
             "does not cover, gets 400 `{\"errors\": [\"Product with id: ... is not associated "
             "with sales channels defined by the Publishable API Key ...\"], \"message\": "
             "\"Provided request body contains errors. Please check the data and retry the "
             "request\"}` (no `type`)",
        mock="same as real",
    ),
    Quirk(
        "products-count-without-relations", "medusa", ("GetProducts",),
        official="`count` is the number of matching products",
        real="with `expand=` (no relation at all) `count` is the length of the page",
        mock="same as real",
    ),
    Quirk(
        "pagination-limit-zero", "medusa",
        ("GetProducts", "GetVariants", "GetRegions", "GetCollections", "GetProductTags",
         "GetProductTypes", "GetProductCategories", "GetCustomersCustomerOrders"),
        official="`limit` is the page size",
        real="`limit=0` means no limit (TypeORM's `take: 0`); the answer echoes `limit: 0`",
        mock="same as real",
    ),
    Quirk(
        "pagination-numbers-rounded", "medusa",
        ("GetProducts", "GetRegions", "GetProductTags", "GetProductTypes",
         "GetProductCategories", "GetCustomersCustomerOrders"),
        official="`offset`, `limit`: integers",
        real="`@IsNumber()`: `offset=1.5` passes, PostgreSQL rounds it (to 2) and the answer "
             "echoes `1.5`",
        mock="same as real; the document declares `type: number` for these parameters and for "
             "`offset`/`limit` in the answers",
    ),
    Quirk(
        "boolean-query-lenient", "medusa",
        ("GetProducts", "GetProductCategories", "GetShippingOptions"),
        official="`is_giftcard`, `include_category_children`, `include_descendants_tree`, "
                 "`is_return`: booleans",
        real="the first three go through `optionalBooleanMapper`: `true`/`false` count "
             "(`TRUE` too, except for `include_descendants_tree`), any other value is ignored; "
             "`is_return` must be `true`, `false`, `1` or `0` (400 `is_return must be a "
             "boolean string`) and only `true` selects return options",
        mock="same as real; the document declares them as strings (an enum for `is_return`)",
    ),
    Quirk(
        "date-filters-any-date", "medusa",
        ("GetProducts", "GetRegions", "GetCollections", "GetProductTags", "GetProductTypes"),
        official="bounds with `format: date`",
        real="each bound goes through `transformDate`: `new Date(value)` when JavaScript can "
             "read it (an ISO date or date-time, whose day may run past the month's end, or "
             "V8's looser forms), else `new Date(Number(value) * 1000)` (seconds since the "
             "epoch; an empty bound is `Number(\"\")`, the epoch itself); a bound that is "
             "neither gets 400 `<bound> must be a Date instance`",
        mock="same as real for ISO strings, numbers, empty bounds and `YYYY/MM/DD`-style dates "
             "(times without an offset are UTC); the bounds' `pattern` lists the forms a client "
             "can rely on",
    ),
    Quirk(
        "fields-unknown-column-400", "mock",
        ("GetProducts", "GetProductsProduct", "GetVariants", "GetProductCategories",
         "GetProductCategoriesCategory", "GetProductTypes"),
        official="`expand`, `fields`, `order`: any string",
        real="names outside the allowed relations/fields get 400 `Requested fields [x] are not "
             "valid` or `Order field x is not valid`; a `fields` name that passes that check but "
             "is no column (products: any name starting like an allowed one, such as `titlex`; "
             "variants check nothing) reaches the database: 500 `unknown_error`; so does an "
             "`order` of product types (the admin route, which checks it against no list) that "
             "names no column (observed `?order=nope` → 500, `?order=metadata` → 200)",
        mock="the document gives these parameters (and the categories' `expand`/`fields`) a "
             "`pattern` listing what works, so other values get 400 `invalid_data` with "
             "Connexion's message, never a 500; without the document's check the mock answers "
             "like Medusa (400 messages, 500 for a non-column)",
    ),
    Quirk(
        "category-list-fields-500", "medusa", ("GetProductCategories",),
        official="`fields` selects the category fields",
        real="any `fields` on the category list makes the category repository's query fail: "
             "500 `unknown_error` (the single category route honours `fields`)",
        mock="same as real",
    ),
    Quirk(
        "query-type-messages", "mock", ("*",),
        official="(not described)",
        real="every query problem is reported by class-validator: `limit must be a number "
             "conforming to the specified constraints`, `property foo should not exist`, ...",
        mock="the read routes check their query like Medusa's DTOs (`x-medusa-query` in the "
             "document), with Medusa's messages "
             "(unknown parameters, strings, arrays, nested objects, booleans); but a value the "
             "document's schema already refuses (a number or integer type, an enum, a `pattern` "
             "for `expand`/`fields`/`order`/date bounds, `minItems: 2` for the arrays Medusa "
             "refuses as one plain value) gets Connexion's message first (same 400 "
             "`invalid_data`); a negative `limit`/`offset` gets 400 (`minimum: 0`) where Medusa "
             "answers 500",
    ),
    Quirk(
        "equal-timestamps-order", "mock",
        ("GetRegions", "GetProducts", "GetProductsProduct", "GetVariants", "PostProductsSearch"),
        official="(not described)",
        real="rows created in one transaction (all seeded rows) share `created_at`; the default "
             "`created_at DESC` order then follows the query plan: regions come as NA, EU, UK "
             "(and a region's countries in some plan-dependent order), `q` searches list "
             "products whose variants changed since seeding last, and a variant's option values "
             "come in id order (random within a millisecond)",
        mock="ties keep the order rows were created in (the seed's order): regions EU, NA, UK, "
             "countries as the region lists them, option values in product option order; the "
             "rows of a page are the same as Medusa's, only their order may differ",
    ),
)

BY_KEY = {q.key: q for q in QUIRKS}

# Carts and checkout (the write side), observed on the real server started by
# scripts/real-medusa and read in the compiled 1.20.11 services.
QUIRKS = QUIRKS + (
    Quirk(
        "completed-cart-line-items-404", "medusa", ("PostCartsCartLineItems",),
        official="a line added to the cart",
        real="a completed cart answers 404 `{\"type\": \"not_found\", \"message\": "
             "\"null\"}` and keeps its lines",
        mock="same as real",
    ),
    Quirk(
        "manual-session-update-nested-data", "medusa", ("PostCartsCartPaymentSessionUpdate",),
        official="`data` is handed to the provider's session",
        real="the manual provider merges `data.data` into the session's data, so "
             "`{\"data\": {\"note\": \"x\"}}` changes nothing; the update always goes to the "
             "selected session, whatever provider the path names",
        mock="same as real for `manual`; the mock-only `mock-payment` provider merges `data` "
             "itself",
    ),
    Quirk(
        "refresh-unselects-session", "medusa", ("PostCartsCartPaymentSessionsSession",),
        official="the session is refreshed",
        real="refreshing the selected session deletes it and creates a new one that is not "
             "selected: completing then fails with `You cannot complete a cart without a "
             "payment session.` until a session is selected again",
        mock="same as real",
    ),
    Quirk(
        "complete-retry-duplicate-payment", "medusa", ("PostCartsCartComplete",),
        official="completing is idempotent",
        real="a completion that fails after authorizing the payment (a cart without customer) "
             "keeps the payment; completing again with a new idempotency key authorizes again "
             "and gets 422 `duplicate_error` `Payment with cart_id <id> already exists.` (the "
             "same `Idempotency-Key` resumes at placing the order instead)",
        mock="same as real; the document lists the 422",
    ),
    Quirk(
        "swap-cart-completion-hangs", "mock", ("PostCartsCartComplete",),
        official="a swap's cart completes into the swap (`{type: \"swap\"}`)",
        real="on the real server started by scripts/real-medusa (1.20.11, local event bus), "
             "completing a swap's cart never answers: the request waits past 60 s and leaves "
             "transactions open that block later updates of the same variants until the "
             "server restarts (seen twice; the cause was not found)",
        mock="completes the swap as the code intends: `{type: \"swap\", data}` with "
             "`confirmed_at` and `difference_due` set; the diff scenarios stop before this step",
    ),
    Quirk(
        "line-item-quantity-db-500", "medusa",
        ("PostCart", "PostCartsCartLineItems", "PostCartsCartLineItemsItem"),
        official="`quantity`: an integer",
        real="adding a line with `quantity: 0` is 400 `invalid_data` `Unable to generate the "
             "line item because one or more required argument(s) are missing. Ensure "
             "quantity, regionId, and variantId are passed` (`validateGenerateArguments`), "
             "while a new cart's `items` take `quantity || 1`; a quantity that leaves a line at "
             "0 or below (a negative one, also one merged into the line of the same variant) or "
             "past PostgreSQL's `integer` is written, and the `line_item` table refuses it "
             "(`CHECK (quantity > 0)`): 500 `unknown_error`, nothing changed (evidence: "
             "observed; code `services/line-item.js`, `services/cart.js`, the initial schema "
             "migration)",
        mock="same as real; the three operations list the 500",
    ),
    Quirk(
        "null-optional-properties", "medusa",
        ("PostCart", "PostCartsCart", "PostCartsCartLineItems", "PostCartsCartLineItemsItem",
         "PostCartsCartShippingMethod", "PostCustomers", "PostCustomersCustomer",
         "PostCustomersCustomerAddresses", "PostCustomersCustomerAddressesAddress",
         "PostOrderEditsOrderEditDecline", "PostPaymentCollectionsPaymentCollectionSessionsBatch",
         "PostProductsSearch", "PostReturns", "PostSwaps"),
        official="optional body properties: strings, objects, arrays (no `null`)",
        real="class-validator's `IsOptional` lets `null` through like a missing property and "
             "the services read it field by field: a text field of a profile or an address is "
             "written as null (a customer address's `country_code` is not); `password`, "
             "`metadata`, `context`, `customer_id`, `country_code`, `items`, `q`, "
             "`return_shipping`, ... are ignored; `gift_cards: null` removes the cart's gift "
             "cards, `shipping_address: null` its shipping address, a customer's "
             "`billing_address: null` unlinks it; a cart's `email: null` is 400 `The email is "
             "not valid`, `region_id: null` 400 `A region_id must be provided when creating a "
             "cart` (new cart) or 404 `Region with null was not found` (update); a shipping "
             "method's `data: null` and a customer's `email: null` are 400 `Can't insert null "
             "value in field <data|email> on insert in table <shipping_method|customer>`; "
             "`sales_channel_id: null` (new cart, cart update) and a cart update's "
             "`billing_address: null` or `discounts: null` are 500 `unknown_error` (evidence: "
             "observed, one request per property; code `services/cart.js`, "
             "`services/customer.js`)",
        mock="same as real; the document declares these properties nullable; the 500s carry "
             "`X-Medusa-Mock-Quirk`",
    ),
    Quirk(
        "customer-email-update-as-sent", "medusa", ("PostCustomersCustomer",),
        official="`email`: the customer's new email",
        real="stored as sent, not lower-cased (registration and login lower-case it, so after "
             "a change to `Jane@Example.com` no spelling logs in); another customer's exact "
             "email with the same kind of account (registered or guest) fails the unique index "
             "on (email, has_account): 422 `duplicate_error` `Customer with email, has_account "
             "<email>, t already exists.` (evidence: observed; code `services/customer.js` "
             "`update`, `utils/exception-formatter.js`)",
        mock="same as real; the document lists the 422",
    ),
    Quirk(
        "pagination-bigint-500", "medusa",
        ("GetProducts", "GetVariants", "GetRegions", "GetCollections", "GetProductCategories",
         "GetProductTags", "GetProductTypes", "GetCustomersCustomerOrders"),
        official="`offset`/`limit`: numbers",
        real="a value of 2^63 or more (`offset=1e19`) reaches PostgreSQL, which refuses it as a "
             "bigint: 500 `unknown_error`",
        mock="same as real; these operations list the 500",
    ),
    Quirk(
        "display-id-int4-500", "medusa", ("GetOrders",),
        official="`display_id`: a number",
        real="a `display_id` PostgreSQL's `integer` column cannot take, a fraction (`1.5`) or "
             "a whole number outside its range (`-1e16`), reaches the database, which refuses "
             "it: 500 `unknown_error` (an unknown one in range is 404 `Not Found`)",
        mock="same as real; the document lists the 500",
    ),
    Quirk(
        "variant-inventory-int4-500", "medusa", ("GetVariants",),
        official="`inventory_quantity`: a number or a range of numbers",
        real="a value or bound that is not a whole number within PostgreSQL's `integer` "
             "(`inventory_quantity[gt]=1.5`, `2147483648`) reaches the database with the "
             "variants' query, which fails: 500 `unknown_error` (evidence: observed)",
        mock="same as real; the document lists the 500",
    ),
    Quirk(
        "discount-condition-empty-500", "medusa", ("GetProductTags", "GetProductTypes"),
        official="`discount_condition_id`: only the values a discount condition names",
        real="an empty `discount_condition_id=` makes the query fail: 500 `unknown_error` "
             "(evidence: observed)",
        mock="same as real; the parameter's description says so",
    ),
    Quirk(
        "tag-date-bounds-raw-500", "medusa", ("GetProductTags", "GetProductTypes"),
        official="`created_at`/`updated_at` bounds: dates",
        real="the DTO checks each bound as a JavaScript date but the route hands PostgreSQL the "
             "string as sent: a bound JavaScript reads and PostgreSQL does not (`02`, "
             "`2021-02-31`, `44151948`) is a 500 `unknown_error`",
        mock="same as real for the ISO forms PostgreSQL reads (checked with Python's ISO 8601 "
             "parser)",
    ),
    Quirk(
        "mock-payment-provider", "mock", ("PostCartsCartPaymentSessions",
                                          "PostCartsCartPaymentSessionUpdate",
                                          "PostCartsCartComplete"),
        official="the providers a deployment installs",
        real="`manual` (medusa-payment-manual) authorizes every session",
        mock="the seed's `payment_providers` extension adds `mock-payment` to regions (the "
             "default seed: EU); its session data `outcome` (`authorized`, `requires_more`, "
             "`error`) decides how completion goes, so a storefront can test a payment that "
             "needs more action (`{type: \"cart\"}`) or fails",
    ),
    Quirk(
        "customer-orders-filter-500", "mock", ("GetCustomersCustomerOrders",),
        official="(not described)",
        real="the DTO checks these filters as strings and the order service hands them on: an "
             "empty `q` stays in the filter as a column that does not exist, a `display_id` or "
             "`tax_rate` PostgreSQL cannot read as a number fails its cast, and `fields`/`expand` "
             "naming no column or relation fail in TypeORM: 500 `unknown_error` (evidence: "
             "observed; code `services/order.js` `listAndCount`)",
        mock="200: an empty `q` searches nothing, such a filter matches no order, and names "
             "`fields`/`expand` do not know are left out of the answer",
    ),
    Quirk(
        "customer-address-missing-400", "mock", ("PostCustomersCustomerAddresses",),
        official="`address` is required",
        real="a body without an `address` object passes validation (`@ValidateNested()` "
             "without `@IsDefined()`) and `addAddress` then reads `country_code` of nothing: "
             "500 `unknown_error` (evidence: observed `{}`; code "
             "`store/customers/create-address.js`, `services/customer.js`)",
        mock="400 `invalid_data` `nested property address must be either object or array`, "
             "as the document requires `address`",
    ),
    Quirk(
        "quirk-500-header", "mock", ("*",),
        official="(not described)",
        real="a 500 `unknown_error` says nothing about its cause",
        mock="a 500 the mock answers on purpose to reproduce a Medusa bug carries "
             "`X-Medusa-Mock-Quirk: <registry key>`, so tests and audits can tell it from a "
             "crash of the mock",
    ),
)

KEYS = frozenset(q.key for q in QUIRKS)


def implements(*keys: str) -> Callable[[F], F]:
    """Mark a function as implementing these registry entries. Nothing is wrapped (no cost per
    call); an unknown key fails at import."""
    unknown = [key for key in keys if key not in KEYS]
    if unknown:
        raise KeyError(f"not in the quirks registry: {', '.join(unknown)}")

    def mark(function: F) -> F:
        function.__medusa_quirks__ = keys  # type: ignore[attr-defined]
        return function

    return mark


def markdown_table() -> str:
    rows = ["| key | kind | operations | official OAS | real Medusa 1.20.11 | medusa-mock |",
            "|---|---|---|---|---|---|"]
    for q in QUIRKS:
        ops = ", ".join("all" if o == "*" else f"`{o}`" if re.fullmatch(r"[A-Z][A-Za-z]+", o)
                        else o for o in q.operations)
        kind = "reproduced" if q.kind == "medusa" else "mock differs"
        rows.append(f"| `{q.key}` | {kind} | {ops} | {q.official} | {q.real} | {q.mock} |")
    return "\n".join(rows) + "\n"


def write_doc(path: str = "docs/deviations.md") -> None:
    """Replace the registry table in ``docs/deviations.md`` with :func:`markdown_table`."""
    from pathlib import Path

    doc = Path(path)
    text = doc.read_text()
    start = text.index("| key | kind |")
    end = text.index("\n\n", start) + 1
    doc.write_text(text[:start] + markdown_table() + text[end:])


if __name__ == "__main__":  # pragma: no cover - a documentation helper
    import sys

    if sys.argv[1:] == ["--write"]:
        write_doc()
    else:
        print(markdown_table(), end="")
