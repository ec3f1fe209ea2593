"""Domain services: customers, auth, orders and claims, tokens, views of entities.

Imports from ``mock_server._state`` only; never from ``mock_server._http``.
"""
