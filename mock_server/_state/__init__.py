"""State layer: repositories, clock, ids, event outbox and seed loading.

Nothing in this package imports from ``mock_server._domain`` or ``mock_server._http``.
"""
