"""Client-side tools (audit, diff): they talk HTTP to a Store API and never import the server.

Rule (ARCHITECTURE.md): ``_tools`` imports nothing from ``_http``, ``_domain`` or ``_state``.
"""
