"""Normalizing JSON answers so two deployments can be compared on what matters.

Ids, timestamps and other per-deployment values differ between any two servers; the *shape* of an
answer (its keys, their types, the nesting, and, for two deployments holding the same data, the
length of its lists) and the error ``type`` must not.
"""

from __future__ import annotations

import re
from typing import Any

_ID = re.compile(r"^[a-z]+(?:_[a-z]+)*_[0-9A-HJKMNP-TV-Z]{26}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


def scalar_kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        if _ID.match(value):
            return "id"
        if _TIMESTAMP.match(value):
            return "datetime"
        if _JWT.match(value):
            return "jwt"
        return "string"
    return type(value).__name__


def shape(value: Any, *, lengths: bool = False) -> Any:
    """Keys and kinds, recursively; a list is described by the union of its items' shapes (and,
    with ``lengths``, by how many items it holds)."""
    if isinstance(value, dict):
        return {key: shape(item, lengths=lengths) for key, item in sorted(value.items())}
    if isinstance(value, list):
        items = _merge([shape(item, lengths=lengths) for item in value])
        return ["list", items, len(value)] if lengths else ["list", items]
    return scalar_kind(value)


def _merge(shapes: list[Any]) -> Any:
    if not shapes:
        return "empty"
    dicts = [s for s in shapes if isinstance(s, dict)]
    if len(dicts) == len(shapes):
        keys = sorted({k for s in dicts for k in s})
        return {k: _merge([s[k] for s in dicts if k in s]) for k in keys}
    lists = [s for s in shapes if isinstance(s, list) and s[:1] == ["list"]]
    if len(lists) == len(shapes):
        # lists inside list items: one list shape whose length is the sorted multiset of the
        # items' lengths (so the order of the outer list does not matter)
        items = _merge([s[1] for s in lists if s[1] != "empty"])
        if all(len(s) > 2 for s in lists):
            counts = sorted(n for s in lists for n in (s[2] if isinstance(s[2], tuple)
                                                        else (s[2],)))
            return ["list", items, tuple(counts)]
        return ["list", items]
    kinds = sorted({repr(s) for s in shapes})
    return shapes[0] if len(kinds) == 1 else "|".join(kinds)


def differences(reference: Any, candidate: Any, path: str = "$") -> list[str]:
    """Human-readable differences between two shapes ("" paths are the root)."""
    out: list[str] = []
    if isinstance(reference, dict) and isinstance(candidate, dict):
        for key in sorted(set(reference) | set(candidate)):
            where = f"{path}.{key}"
            if key not in candidate:
                out.append(f"{where}: missing in candidate")
            elif key not in reference:
                out.append(f"{where}: only in candidate")
            else:
                out.extend(differences(reference[key], candidate[key], where))
        return out
    if (isinstance(reference, list) and isinstance(candidate, list)
            and reference[:1] == candidate[:1] == ["list"]):
        ref_items, cand_items = reference[1], candidate[1]
        if len(reference) > 2 and len(candidate) > 2 and reference[2] != candidate[2]:
            out.append(f"{path}: {reference[2]} items vs {candidate[2]}")
        if "empty" in (ref_items, cand_items):
            return out  # an empty list says nothing about its items
        return out + differences(ref_items, cand_items, f"{path}[]")
    if reference != candidate:
        out.append(f"{path}: {_brief(reference)} vs {_brief(candidate)}")
    return out


def _brief(value: Any) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "list"
    return str(value)
