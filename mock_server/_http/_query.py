"""Query strings read as Medusa reads them (Express ``qs``, ``normalizedQuery``, class-validator).

* Express's ``qs`` parser: ``a=1&a=2`` and ``a[]=1`` are lists, ``a[gt]=x`` is an object,
  ``a=1,2`` stays a string.
* Medusa's ``normalizedQuery``: a list of one element is split on commas (``tags[]=a,b``).
* The route's DTO class (class-validator with ``whitelist`` and ``forbidNonWhitelisted``):
  unknown properties fail first (``property foo should not exist``), then each declared property in
  declaration order, joined with ", " in one 400 ``invalid_data``.

Each operation with a query DTO declares it in the document (``x-medusa-query``: the properties in
class-validator's order with their kinds, and the defaults); :func:`validate` returns the validated
values (with the DTO's defaults) or raises Medusa's error. A DTO with ``stage: validation`` is
checked before the handler runs, with the other request checks (``MedusaParameterValidator``):
for routes whose handlers take Connexion's parameters and never read the DTO themselves (orders,
carts, order edits, payment collections), where Medusa's ``transformStoreQuery`` middleware
refuses unknown keys before the route's own code.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from .._domain.errors import ErrorType, MedusaError, UnexpectedError
from .._quirks import implements
from .._spec import operations, path_file_schema
from ._responses import json_response

_BRACKETS = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")
ARRAY_LIMIT = 20  # qs's arrayLimit: a bigger index makes an object
_UNDEFINED = object()
_BOOLEANS = {"undefined": _UNDEFINED, "null": None, "true": True, "false": False}

Spec = Sequence[tuple[str, str]]

# The kinds a DTO property can have (what class-transformer and class-validator do with it).
KINDS = frozenset({
    "string", "string_or_null", "number", "int", "array", "boolean", "boolean_lower",
    "boolean_string", "string_or_strings", "string_or_comparison", "number_or_comparison",
    "date_comparison", "date_comparison_type", "email", "object", "enum_each",
})
STAGES = ("handler", "validation")


@cache
def dto(operation_id: str) -> tuple[Spec, dict[str, Any]]:
    """The query DTO of an operation, from the document's ``x-medusa-query``: its properties in
    class-validator's order, with their kinds, and the DTO's defaults."""
    extension = operations()[operation_id]["x-medusa-query"]
    spec: list[tuple[str, str]] = []
    for entry in extension["properties"]:
        ((name, kind),) = entry.items()
        if kind not in KINDS:
            raise ValueError(f"{operation_id}: unknown x-medusa-query kind {kind!r}")
        spec.append((name, kind))
    return tuple(spec), dict(extension.get("defaults") or {})


@cache
def checked_on_validation(operation_id: str) -> bool:
    """Whether the operation's DTO is checked with the request, before its handler runs."""
    extension = operations().get(operation_id, {}).get("x-medusa-query")
    if not extension:
        return False
    stage = extension.get("stage", "handler")
    if stage not in STAGES:
        raise ValueError(f"{operation_id}: unknown x-medusa-query stage {stage!r}")
    return stage == "validation"


def check_request(operation_id: str, raw_query: str) -> None:
    """The DTO check of an operation whose DTO is checked on validation (raises Medusa's 400)."""
    validate(operation_id, normalize(parse_qs(raw_query)))


DATE_OPERATORS = ("lt", "gt", "gte", "lte")
STRING_OPERATORS = ("lt", "gt", "gte", "lte", "contains", "starts_with", "ends_with")
NUMBER_OPERATORS = ("lt", "gt", "gte", "lte")


# -- parsing ---------------------------------------------------------------------------------
def _assign(target: dict[str, Any], key: str, value: Any) -> None:
    if key in target:
        existing = target[key]
        if isinstance(existing, list):
            existing.append(value)
        elif isinstance(existing, dict) and isinstance(value, dict):
            existing.update(value)
        else:
            target[key] = [existing, value]
    else:
        target[key] = value


def parse_qs(raw: str) -> dict[str, Any]:
    """The object Express's ``qs`` builds from a query string (the subset a storefront sends)."""
    out: dict[str, Any] = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        if not key:
            continue  # qs skips a pair without a key (`?=x`)
        match = _BRACKETS.match(key)
        if match is None:
            _assign(out, key, value)
            continue
        name, rest = match.group(1), re.findall(r"\[([^\[\]]*)\]", match.group(2))
        sub = rest[0]
        if sub == "" or (sub.isdigit() and int(sub) <= ARRAY_LIMIT):
            current_value = out.get(name)
            if current_value is None:
                out[name] = [value]
            elif isinstance(current_value, list):
                current_value.append(value)
            elif isinstance(current_value, dict):
                current_value[str(len(current_value))] = value
            else:
                out[name] = [current_value, value]
        else:
            nested: Any = value
            for part in reversed(rest[1:]):
                nested = {part: nested} if part else [nested]
            container = out.get(name)
            if isinstance(container, dict):
                _assign(container, sub, nested)
            elif container is None:
                out[name] = {sub: nested}
            else:  # qs merges a list and an object into an object with index keys
                merged = {str(i): v for i, v in enumerate(
                    container if isinstance(container, list) else [container])}
                merged[sub] = nested
                out[name] = merged
    return out


def normalize(query: dict[str, Any]) -> dict[str, Any]:
    """Medusa's ``normalizedQuery``: a one-element list becomes its value split on commas."""
    out = {}
    for key, value in query.items():
        if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str):
            out[key] = value[0].split(",")
        else:
            out[key] = value
    return out


def request_query() -> dict[str, Any]:
    raw = current_scope_query()
    return normalize(parse_qs(raw))


def current_scope_query() -> str:
    from connexion.context import scope

    return scope.get("query_string", b"").decode("latin-1")


# -- validation --------------------------------------------------------------------------------
def _number(value: Any) -> float | None:
    """class-transformer's ``@Type(() => Number)``: ``Number(value)``, NaN as ``None``."""
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else ",".join(map(str, value))
    if isinstance(value, dict):
        return None
    text = str(value).strip()
    if text == "":
        return 0.0
    try:
        number = float(text)
    except ValueError:
        try:
            number = float(int(text, 0))
        except ValueError:
            return None
    return number if math.isfinite(number) else None


# ECMAScript's date-time string format, as V8 reads it: the day may run past the month's end
# (``2021-02-31`` is 3 March), ``T24:00`` is the next midnight, the offset may omit its colon.
_ISO_DATE = re.compile(
    r"([+-]\d{6}|\d{4})(?:-(\d{2})(?:-(\d{2}))?)?"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?)?")
# V8's fallback ("legacy") parser, for the forms a storefront plausibly sends.
_LEGACY_DATE = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_MAX_MS = 8.64e15  # the range of a JavaScript Date
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _from_ms(ms: float) -> datetime | None:
    if not math.isfinite(ms) or abs(ms) > _MAX_MS:
        return None
    try:
        return _EPOCH + timedelta(milliseconds=ms)
    except OverflowError:  # a valid JavaScript date outside Python's years 1..9999
        return datetime.min.replace(tzinfo=UTC) if ms < 0 else datetime.max.replace(tzinfo=UTC)


def _utc_ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0,
            millis: int = 0) -> float:
    """``Date.UTC``: days past the month's end roll over into the next month."""
    days = _days_from_civil(year, month, 1) + day - 1
    return float(((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + millis)


def _days_from_civil(year: int, month: int, day: int) -> int:
    year -= month <= 2
    era = (year if year >= 0 else year - 399) // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _js_date_parse(text: str) -> float | None:
    """``Date.parse`` for ISO strings, bare numbers and the common legacy forms (times without an
    offset are read as UTC: the mock, like Medusa in a container, runs in UTC)."""
    if match := _ISO_DATE.fullmatch(text):
        year, month, day, hour, minute, second, fraction, offset = match.groups()
        if year in ("-000000",):
            return None
        month_n, day_n = int(month or 1), int(day or 1)
        hour_n, minute_n, second_n = int(hour or 0), int(minute or 0), int(second or 0)
        millis = int((fraction or "0")[:3].ljust(3, "0"))
        if not (1 <= month_n <= 12 and 1 <= day_n <= 31 and minute_n <= 59 and second_n <= 59):
            return None
        if hour_n > 24 or (hour_n == 24 and (minute_n or second_n or millis)):
            return None
        ms = _utc_ms(int(year), month_n, day_n, hour_n, minute_n, second_n, millis)
        if offset and offset != "Z":
            sign = -1 if offset[0] == "-" else 1
            digits = offset[1:].replace(":", "")
            ms -= sign * (int(digits[:2]) * 60 + int(digits[2:])) * 60_000
        return ms
    if text.isdigit():  # V8 reads a bare number as a month (0-12), a 2-digit or a longer year
        number = int(text)
        if number <= 12:
            return _utc_ms(2000 if number == 0 else 2001, max(number, 1), 1)
        if number <= 31 or len(text) > 6:
            return None
        if number < 100:
            return _utc_ms(2000 + number if number < 50 else 1900 + number, 1, 1)
        return _utc_ms(number, 1, 1)
    if match := _LEGACY_DATE.fullmatch(text):
        year, month, day, hour, minute, second = (int(g or 0) for g in match.groups())
        if not (1 <= month <= 12 and 1 <= day <= 31 and hour <= 24 and minute <= 59
                and second <= 59):
            return None
        return _utc_ms(year, month, day, hour, minute, second)
    return None


@implements("date-filters-any-date")
def parse_date(value: Any) -> datetime | None:
    """Medusa's ``transformDate``: ``new Date(value)`` when JavaScript can read it, else
    ``new Date(Number(value) * 1000)`` (a number of seconds); ``None`` for an invalid date."""
    if isinstance(value, list | dict):
        return None
    text = str(value).strip()
    parsed = _from_ms(ms) if (ms := _js_date_parse(text)) is not None else None
    if parsed is not None:
        return parsed
    number = _number(text)
    return _from_ms(number * 1000) if number is not None else None


def _comparison(name: str, value: Any, operators: Sequence[str], kind: str,
                messages: list[str]) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        messages.append(f"nested property {name} must be either object or array")
        return None
    out: dict[str, Any] = {}
    for key in value:
        if key not in operators:
            messages.append(f"property {key} should not exist")
    for op in operators:
        if op not in value:
            continue
        raw = value[op]
        if kind == "date":
            parsed = parse_date(raw)
            if parsed is None:
                messages.append(f"{op} must be a Date instance")
            out[op] = parsed
        elif kind == "number":
            number = _number(raw)
            if number is None:
                messages.append(f"{op} must be a number conforming to the specified constraints")
            out[op] = _plain(number) if number is not None else None
        else:
            if not isinstance(raw, str):
                messages.append(f"{op} must be a string")
            out[op] = raw
    return out


@implements("boolean-query-lenient", "pagination-numbers-rounded")
def _check(name: str, kind: str, value: Any, messages: list[str],
           operation_id: str = "") -> Any:
    """One property's value after class-transformer, adding class-validator's messages."""
    if kind == "string":
        if not isinstance(value, str):
            messages.append(f"{name} must be a string")
        return value
    if kind == "string_or_null":
        value = None if value == "null" else value
        if value is not None and not isinstance(value, str):
            messages.append(f"{name} must be a string")
        return value
    if kind in ("number", "int"):
        number = _number(value)
        if number is None:
            messages.append(f"{name} must be a number conforming to the specified constraints"
                            if kind == "number" else f"{name} must be an integer number")
        elif kind == "int" and not number.is_integer():
            messages.append(f"{name} must be an integer number")
        return _plain(number) if number is not None else None
    if kind == "array":
        if not isinstance(value, list):
            messages.append(f"{name} must be an array")
        return value
    if kind in ("boolean", "boolean_lower"):
        key = value.lower() if kind == "boolean_lower" and isinstance(value, str) else value
        mapped = _BOOLEANS.get(key, _UNDEFINED) if isinstance(key, str) else _UNDEFINED
        return mapped
    if kind == "boolean_string":
        if value not in ("true", "false", "1", "0"):
            messages.append(f"{name} must be a boolean string")
        return value
    if kind == "string_or_strings":
        if not (isinstance(value, str) or (isinstance(value, list)
                                           and all(isinstance(v, str) for v in value))):
            messages.append(f"{name} must be one of String or Array<String>")
        return value
    if kind == "string_or_comparison":
        if isinstance(value, dict):
            return _comparison(name, value, STRING_OPERATORS, "string", messages)
        if not isinstance(value, str | list):
            messages.append(f"{name} must be one of String, Array<String> or "
                            "StringComparisonOperator")
        return value
    if kind == "number_or_comparison":
        if isinstance(value, dict):
            return _comparison(name, value, NUMBER_OPERATORS, "number", messages)
        number = _number(value)
        if number is None:
            messages.append(f"{name} must be one of Number or NumericalComparisonOperator")
        return _plain(number) if number is not None else None
    if kind in ("date_comparison", "date_comparison_type"):
        return _comparison(name, value, DATE_OPERATORS, "date", messages)
    if kind == "email":
        from ._validation import CHECKS

        if not CHECKS["IsEmail"](value, {}):
            messages.append(f"{name} must be an email")
        return value
    if kind == "object":
        if not isinstance(value, dict):
            messages.append(f"nested property {name} must be either object or array")
        return value
    if kind == "enum_each":
        # ``@IsEnum(E, {each: true})``: every element of a list, or the value itself
        allowed = enum_values(operation_id, name)
        if not all(isinstance(v, str) and v in allowed
                   for v in (value if isinstance(value, list) else [value])):
            messages.append(f"each value in {name} must be one of the following values: "
                            f"{', '.join(allowed)}")
        return value
    raise AssertionError(kind)  # pragma: no cover - a DTO table typo


@cache
def enum_values(operation_id: str, name: str) -> tuple[str, ...]:
    """The values the document allows for each element of a query parameter (its ``items``'
    ``enum``), in the document's order (class-validator lists the enum's)."""
    for parameter in operations()[operation_id].get("parameters", []):
        if isinstance(parameter, dict) and parameter.get("name") == name:
            items = parameter["schema"].get("items", {})
            if "$ref" in items:
                items = path_file_schema(items["$ref"])
            return tuple(items["enum"])
    raise KeyError(f"{operation_id}: no query parameter {name}")


def validate(operation_id: str, query: dict[str, Any] | None = None) -> dict[str, Any]:
    """The validated query for the operation's DTO (``x-medusa-query`` in the document), with
    the DTO's defaults, or Medusa's 400 with every message."""
    spec, defaults = dto(operation_id)
    query = request_query() if query is None else query
    kinds: dict[str, str] = {}
    for name, kind in spec:
        kinds[name] = kind  # a subclass redeclaring a property keeps the first position
    messages = [f"property {key} should not exist" for key in query if key not in kinds]
    out: dict[str, Any] = dict(defaults or {})
    seen = set()
    for name, _kind in spec:
        if name in seen or name not in query:
            continue
        seen.add(name)
        value = _check(name, kinds[name], query[name], messages, operation_id)
        if value is _UNDEFINED:
            continue
        out[name] = value
    if messages:
        raise MedusaError(ErrorType.INVALID_DATA, ", ".join(messages))
    for name in paged(operation_id):
        number = out.get(name)
        if isinstance(number, int | float) and abs(number) >= 2 ** 63:
            # TypeORM hands the number to PostgreSQL, which refuses it as a bigint
            raise UnexpectedError(f"{name} {number} is out of PostgreSQL's bigint range",
                                  quirk="pagination-bigint-500")
    for name, kind in spec:
        if kind == "date_comparison_type" and isinstance(query.get(name), dict):
            for bound in query[name].values():
                if not _postgres_reads_timestamp(bound):
                    # these routes pass the bound to SQL as sent (the DTO only checks it)
                    raise UnexpectedError(f"{name} bound {bound!r} is no PostgreSQL timestamp",
                                          quirk="tag-date-bounds-raw-500")
    return out


@cache
def paged(operation_id: str) -> tuple[str, ...]:
    """``offset``/``limit`` where the operation pages with them (declared in the document)."""
    declared = {p.get("name") for p in operations()[operation_id].get("parameters", [])
                if isinstance(p, dict) and p.get("in") == "query"}
    return tuple(n for n in ("offset", "limit") if n in declared)


def _postgres_reads_timestamp(value: Any) -> bool:
    """Whether PostgreSQL reads the string as a timestamp (ISO 8601 forms with a real calendar
    date: ``2021-02-31`` is refused, unlike JavaScript's Date)."""
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def multiple_errors(errors: list[str]) -> Any:
    """Medusa's ``req.errors`` answer (``await-middleware``): 400 with ``errors`` and a fixed
    message, used by the publishable-key checks."""
    return json_response({
        "errors": errors,
        "message": "Provided request body contains errors. Please check the data and retry the "
                   "request",
    }, 400)


def js_number(value: Any) -> int | float | None:
    """``@Type(() => Number)`` for a JSON body value (booleans and strings are converted)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return value if math.isfinite(value) else None
    number = _number(value)
    return _plain(number) if number is not None else None


def _plain(number: float) -> int | float:
    return int(number) if number.is_integer() else number


def header(name: str) -> str | None:
    wanted = name.lower().encode("latin-1")
    for key, value in current_scope_headers():
        if key == wanted:
            return value.decode("latin-1")
    return None


def current_scope_headers() -> list[tuple[bytes, bytes]]:
    from connexion.context import scope

    return list(scope.get("headers", []))


__all__ = ["check_request", "checked_on_validation", "multiple_errors", "header", "js_number",
           "parse_date", "request_query", "validate"]
