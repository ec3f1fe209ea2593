"""The benchmark harness of medusa-mock: ``python -m bench``; see bench/README.md.

Black-box like ``mock_server._tools``: the harness talks HTTP to the servers and reads ``/proc``.
Of ``mock_server`` it imports only the claim-token module (``flows.py`` mints tokens as Medusa
signs them) and, in ``setups.py`` (a server, run in the server's own process), the public
``create_app`` and ``Settings``; ``tests/test_layering.py`` holds it to that.
"""
