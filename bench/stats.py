"""Pure statistics: percentiles and the median, nothing that touches a clock or a socket."""

from __future__ import annotations

import math
from collections.abc import Sequence


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank percentile (as HdrHistogram and wrk report it): the smallest value with
    at least ``p`` % of the values at or below it. ``None`` for no values."""
    if not 0 <= p <= 100:
        raise ValueError(f"percentile out of range: {p}")
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def percentiles(values: Sequence[float], ps: Sequence[float] = (50, 95, 99)
                ) -> dict[str, float | None]:
    """``{"p50": ..., "p95": ..., "p99": ..., "max": ...}`` (sorts once)."""
    ordered = sorted(values)
    out: dict[str, float | None] = {}
    for p in ps:
        out[f"p{p:g}"] = percentile(ordered, p)
    out["max"] = ordered[-1] if ordered else None
    return out


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator
