"""HTTP layer: the Connexion app, request validation, sessions, error mapping and handlers.

Imports from ``mock_server._domain`` and ``mock_server._state``; nothing imports from here except
the public API (``mock_server.create_app``) and the CLI.
"""
