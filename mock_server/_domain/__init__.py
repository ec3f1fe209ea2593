"""Domain services: customers, auth, orders and claims, tokens, carts and checkout, the catalog,
views of entities.

Imports from ``mock_server._state`` only; never from ``mock_server._seed`` or
``mock_server._http``. Errors are Medusa's error types (``errors.MedusaError``); which status a
type gets is the HTTP layer's business.
"""
