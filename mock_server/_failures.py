"""How a report states a failed check: one line per schemathesis failure, without the schema.

The contract suite's event stream (``audit``) and ``medusa-mock proxy`` describe failures the same
way, so that an audit baseline's messages and a proxy report's read alike. A leaf module: it
imports nothing of the mock.
"""

from __future__ import annotations


def describe_failure(exc: BaseException) -> str:
    """A schemathesis failure's title and message (every one, for a group of several), as the
    reports show it."""
    failures = getattr(exc, "exceptions", None) or [exc]
    parts = []
    for failure in failures:
        title = getattr(failure, "title", "") or type(failure).__name__
        message = getattr(failure, "message", "") or str(failure)
        # Keep what failed, not the schema dump that follows it: a report must not carry the
        # document's own prose (a vendor document's descriptions are not ours to copy).
        kept = []
        for line in message.splitlines():
            if line.strip().startswith(("Schema", "Value:", "{")):
                break
            kept.append(line.strip())
        parts.append(f"{title}: {' '.join(k for k in kept if k)}".strip()[:400])
    return " | ".join(parts)
