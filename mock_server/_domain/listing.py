"""Lists and reads as Medusa's Store routes configure them (``prepareListQuery``): default and
allowed fields and relations per route, ``fields``/``expand`` with Medusa's error messages,
``order`` checked against the allowed fields, ``created_at DESC`` by default, and paging as
TypeORM and PostgreSQL apply it.

Rows created in the same instant (everything a seed creates) tie on ``created_at``; Medusa's
paging then breaks the tie by ``id``, and so does the mock.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .._quirks import implements
from .._state.store import Record
from .errors import ErrorType, MedusaError, UnexpectedError


@dataclass
class ListConfig:
    """What ``prepareListQuery`` makes of ``fields``, ``expand``, ``order`` and paging."""

    select: list[str] | None
    relations: list[str]
    skip: float = 0  # a number as the query gave it (PostgreSQL rounds a fraction)
    take: float | None = None
    order: dict[str, str] | None = None
    allowed_properties: list[str] = field(default_factory=list)


def _invalid(message: str) -> MedusaError:
    return MedusaError(ErrorType.INVALID_DATA, message)


def list_config(query: dict[str, Any], *, default_fields: Sequence[str] = (),
                allowed_fields: Sequence[str] = (), default_relations: Sequence[str] = (),
                allowed_relations: Sequence[str] = (), is_list: bool = True,
                default_limit: int | None = None) -> ListConfig:
    """Medusa's ``prepareListQuery`` (and ``transformQuery``'s ``allowedProperties``)."""
    fields, expand = query.get("fields"), query.get("expand")
    all_fields: list[str] = list(default_fields)
    if fields is not None:
        custom = [f for f in fields.split(",") if f]
        replace = not custom or any(not f.startswith(("-", "+", "*")) for f in custom)
        if replace:
            all_fields = list(dict.fromkeys(f[1:] if f[:1] in "+-" else f for f in custom))
        else:
            for f in custom:
                if f.startswith("+"):
                    all_fields.append(f[1:])
                elif f.startswith("-"):
                    all_fields = [x for x in all_fields if x != f[1:]]
                else:
                    all_fields.append(f)
        if is_list:
            all_fields.append("created_at")
        all_fields.append("id")
        all_fields = list(dict.fromkeys(all_fields))
    stars = [f[1:] for f in all_fields if f.startswith("*")]
    all_fields = [f for f in all_fields if not f.startswith("*")]
    if allowed_fields:
        bad = [f for f in [*all_fields, *stars] if f not in allowed_fields
               and (f in stars or not any(f.startswith(a) for a in allowed_fields))]
        if all_fields and bad:
            raise _invalid(f"Requested fields [{', '.join(bad)}] are not valid")
    select = [f for f in all_fields if "." not in f]
    field_relations = list(dict.fromkeys(f.rsplit(".", 1)[0] for f in all_fields if "." in f))
    relations = list(dict.fromkeys([*field_relations, *default_relations, *stars]))
    if expand is not None:
        relations = list(dict.fromkeys(r for r in expand.split(",") if r))
    if allowed_relations and expand:
        bad = [r for r in relations if r not in allowed_relations]
        if relations and bad:
            raise _invalid(f"Requested fields [{', '.join(bad)}] are not valid")
    order: dict[str, str] | None = None
    raw_order = query.get("order")
    if raw_order is not None:
        name = raw_order
        if raw_order.startswith("-"):
            name = raw_order.split("-")[1]
            order = {name: "DESC"}
        else:
            order = {raw_order: "ASC"}
        if allowed_fields and name not in allowed_fields:
            raise _invalid(f"Order field {name} is not valid")
    else:
        order = {"created_at": "DESC"}
    limit = query.get("limit")
    take = default_limit if limit is None else limit
    allowed_props = [*(select if fields else (allowed_fields or default_fields)),
                     *([r for r in expand.split(",") if r] if expand else
                       (allowed_relations or relations))]
    return ListConfig(select=[*select, *[f for f in all_fields if "." in f]] or None,
                      relations=relations, skip=query.get("offset", 0) or 0, take=take,
                      order=order, allowed_properties=[p for p in allowed_props if p])


def _pg_int(value: float | int | None) -> int | None:
    """A number as PostgreSQL takes it for LIMIT/OFFSET: the decimal JavaScript writes for it
    (the shortest one that reads back as the same double, as ``repr`` writes it) rounded half
    away from zero. Rounding the double itself is wrong near a half: ``0.49999999999999994 +
    0.5`` is ``1.0`` in binary, where PostgreSQL's numeric rounds the decimal to 0."""
    if value is None or isinstance(value, int):
        return value
    if not math.isfinite(value):
        raise UnexpectedError("LIMIT/OFFSET must be a finite number")
    if value.is_integer():
        return int(value)
    return int(Decimal(repr(value)).to_integral_value(rounding=ROUND_HALF_UP))


@implements("pagination-limit-zero", "pagination-numbers-rounded")
def page(rows: list[Record], config: ListConfig) -> list[Record]:
    """``skip``/``take`` as TypeORM applies them: ``take: 0`` means no limit (a fraction that
    PostgreSQL rounds to 0 is a limit of 0); PostgreSQL rounds fractions and refuses negative
    numbers (an unexpected error in Medusa)."""
    skip = _pg_int(config.skip) or 0
    take = _pg_int(config.take) if config.take else None
    if skip < 0 or (take is not None and take < 0):
        raise UnexpectedError("LIMIT/OFFSET must not be negative")
    return rows[skip:] if take is None else rows[skip:skip + take]


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (1, "")
    if isinstance(value, bool):
        return (0, int(value))
    if isinstance(value, int | float):
        return (0, value)
    return (0, str(value))


def _column_key(name: str) -> Callable[[Record], tuple[int, Any]]:
    return lambda row: _sort_key(row.get(name))


@implements("equal-timestamps-order")
def sort_rows(rows: list[Record], order: dict[str, str] | None,
              columns: Iterable[str]) -> list[Record]:
    """ORDER BY the requested column (NULLs last ascending, first descending). Ties keep the
    order rows were created in, which is what PostgreSQL shows for rows Medusa created in one
    transaction (generated ids grow with time, so this is also ``id`` order for them)."""
    rows = list(rows)
    if not order:
        return rows
    known = set(columns)
    for name, direction in reversed(list(order.items())):
        if name not in known:
            raise UnexpectedError(f"cannot order by {name}")
        rows.sort(key=_column_key(name), reverse=direction == "DESC")
    return rows


def compare_date(value: str | None, ops: dict[str, datetime] | None) -> bool:
    if not ops:
        return True
    if value is None:
        return False
    when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    checks: dict[str, Callable[[datetime, datetime], bool]] = {
        "lt": lambda a, b: a < b, "gt": lambda a, b: a > b,
        "lte": lambda a, b: a <= b, "gte": lambda a, b: a >= b,
    }
    return all(checks[op](when, bound) for op, bound in ops.items() if bound is not None)


def query_key(query: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """A validated query as a cache key: two queries with the same key are equal (the values
    are plain data and dates, whose ``repr`` tells their type and value)."""
    return tuple(sorted((name, repr(value)) for name, value in query.items()))


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]
