"""The benchmark harness of medusa-mock (issue 6): ``python -m bench``; see bench/README.md.

Black-box like ``mock_server._tools``: it talks HTTP to the servers and reads ``/proc``, and
imports nothing of ``mock_server``.
"""
