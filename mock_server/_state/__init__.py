"""State layer: repositories, clock, ids, event outbox, Medusa's reference tables and the bundled
seed file (``seeds/``; loading a seed is ``mock_server._seed``'s job).

Nothing in this package imports from ``mock_server._domain``, ``mock_server._seed`` or
``mock_server._http``.
"""
