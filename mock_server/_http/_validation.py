"""Request-body validation that answers with Medusa's messages, driven by the document.

Medusa validates bodies with class-validator (``whitelist`` + ``forbidNonWhitelisted``) and joins
every failed constraint's message with ", ". This module reproduces that from the request schema:

* each property's rules come from ``x-medusa-validate`` (a list such as
  ``["IsOptional", "IsString:each"]``, in the order Medusa reports them), or, when absent, are
  derived from the schema (optional unless ``required``; ``string``/``email``/``integer``/...);
* ``x-medusa-type: Number`` is class-transformer's ``@Type(() => Number)``: the value is
  converted with JavaScript's ``Number()`` before the rules check it (``"5"`` passes ``IsNumber``,
  ``"abc"`` does not);
* unknown properties fail with ``property <name> should not exist``, before the others;
* nested objects (``ValidateNested``) are checked with their own schema, their messages after the
  parent's.

The JSON Schema is checked afterwards as a second gate, so the document stays the source of truth
for shape even where no Medusa rule says anything.
"""

from __future__ import annotations

import json
import math
import re
import typing as t
from typing import Any

import jsonschema
from connexion.exceptions import NonConformingResponseBody
from connexion.json_schema import Draft4RequestValidator
from starlette.types import Scope

from .._domain.errors import ErrorType, MedusaError
from . import _connexion_compat as _compat
from . import _query
from ._connexion_compat import RequestBodyValidator, ResponseBodyValidator
from ._per_schema import PerSchema
from ._query import js_number

__all__ = ["MedusaJSONBodyValidator", "MedusaJSONResponseValidator", "MedusaParameterValidator",
           "MedusaURIParser", "validate_object", "to_json_schema"]

_UNDEFINED = object()
_EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_B64URL = re.compile(r"^[A-Za-z0-9_-]*$")

MESSAGES = {
    "IsString": "{p} must be a string",
    "IsEmail": "{p} must be an email",
    "IsNotEmpty": "{p} should not be empty",
    "IsJWT": "{p} must be a jwt string",
    "IsNumber": "{p} must be a number conforming to the specified constraints",
    "IsInt": "{p} must be an integer number",
    "IsBoolean": "{p} must be a boolean value",
    "IsObject": "{p} must be an object",
    "IsArray": "{p} must be an array",
    "IsEnum": "{p} must be one of the following values: {values}",
    "IsPositive": "{p} must be a positive number",
    "Min": "{p} must not be less than {min}",
    "IsType": "{p} must be one of {types}",
    "ValidateNested": "nested property {p} must be either object or array",
}


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _is_jwt(v: Any) -> bool:
    if not isinstance(v, str):
        return False
    parts = v.split(".")
    return len(parts) == 3 and all(_B64URL.match(p) for p in parts)


CHECKS: dict[str, t.Callable[[Any, dict[str, Any]], bool]] = {
    "IsString": lambda v, s: isinstance(v, str),
    "IsEmail": lambda v, s: isinstance(v, str) and bool(_EMAIL.match(v)),
    "IsNotEmpty": lambda v, s: v not in ("", None, _UNDEFINED),
    "IsJWT": lambda v, s: _is_jwt(v),
    "IsNumber": lambda v, s: _is_number(v),
    "IsInt": lambda v, s: _is_number(v) and float(v).is_integer(),
    "IsBoolean": lambda v, s: isinstance(v, bool),
    "IsObject": lambda v, s: isinstance(v, dict),
    "IsArray": lambda v, s: isinstance(v, list),
    "IsEnum": lambda v, s: v in (s.get("enum") or s.get("items", {}).get("enum") or []),
    "IsPositive": lambda v, s: _is_number(v) and v > 0,
    "Min": lambda v, s: _is_number(v) and v >= s.get("minimum", 0),
}


def derive_rules(schema: dict[str, Any], required: bool) -> list[str]:
    """Rules for a property without ``x-medusa-validate``, read off its schema."""
    rules = [] if required else ["IsOptional"]
    kind = schema.get("type")
    if "enum" in schema:
        rules.append("IsEnum")
    elif kind == "string":
        rules.append("IsEmail" if schema.get("format") == "email" else "IsString")
    elif kind == "integer":
        rules.append("IsInt")
    elif kind == "number":
        rules.append("IsNumber")
    elif kind == "boolean":
        rules.append("IsBoolean")
    elif kind == "array":
        rules.append("IsArray")
        if schema.get("items", {}).get("type") == "object":
            rules.append("ValidateNested")
    elif kind == "object" or "properties" in schema:
        rules.append("ValidateNested" if "properties" in schema else "IsObject")
    elif "oneOf" in schema or "anyOf" in schema:
        rules.append("IsType")
    return rules


def _type_names(schema: dict[str, Any]) -> list[str]:
    names = schema.get("x-medusa-types")
    if names:
        return list(names)
    out = []
    for alt in schema.get("oneOf") or schema.get("anyOf") or []:
        out.append(alt.get("title") or str(alt.get("type", "Object")).capitalize())
    return out


def _format(rule: str, prop: str, schema: dict[str, Any], each: bool) -> str:
    values = schema.get("enum") or schema.get("items", {}).get("enum") or []
    types = ", ".join(_type_names(schema))
    types = re.sub(r", ([^,]*)$", r" or \1", types)
    text = MESSAGES[rule].format(p=prop, values=", ".join(map(str, values)),
                                 min=schema.get("minimum", 0), types=types)
    return f"each value in {text}" if each else text


def _alternative_ok(value: Any, alt: dict[str, Any]) -> bool:
    if "properties" in alt or alt.get("type") == "object":
        return isinstance(value, dict) and not validate_object(alt, value)
    kind = str(alt.get("type"))
    return {
        "string": isinstance(value, str), "integer": _is_number(value),
        "number": _is_number(value), "boolean": isinstance(value, bool),
        "array": isinstance(value, list),
    }.get(kind, True)


def validate_property(name: str, schema: dict[str, Any], value: Any, required: bool) -> list[str]:
    rules = schema.get("x-medusa-validate")
    if rules is None:
        rules = derive_rules(schema, required)
    if "IsOptional" in rules and (value is _UNDEFINED or value is None):
        return []
    if schema.get("x-medusa-type") == "Number" and value is not _UNDEFINED and value is not None:
        value = js_number(value)  # NaN (None here) fails every number rule
    messages: list[str] = []
    nested: list[str] = []
    for spec in rules:
        rule, _, option = spec.partition(":")
        each = option == "each"
        if rule == "IsOptional":
            continue
        if rule == "ValidateNested":
            nested.extend(_validate_nested(name, schema, value, each))
            continue
        if rule == "IsType":
            alts = schema.get("oneOf") or schema.get("anyOf") or []
            if not any(_alternative_ok(value, alt) for alt in alts):
                messages.append(_format("IsType", name, schema, False))
            continue
        check = CHECKS[rule]
        target_schema = schema.get("items", schema) if each else schema
        if each and isinstance(value, list):
            ok = all(check(v, target_schema) for v in value)
        else:
            ok = check(value, target_schema)
        if not ok:
            messages.append(_format(rule, name, target_schema, each))
    return messages + nested


def _validate_nested(name: str, schema: dict[str, Any], value: Any,
                     each: bool = False) -> list[str]:
    """class-validator's ``ValidateNested`` (``each``: the message says "each value in")."""
    if isinstance(value, list):
        item_schema = schema.get("items", {})
        out: list[str] = []
        for item in value:
            if isinstance(item, dict):
                out.extend(validate_object(item_schema, item))
            else:
                out.append(_format("ValidateNested", name, schema, each))
        return out
    if isinstance(value, dict) and not each:
        return validate_object(schema, value)
    return [_format("ValidateNested", name, schema, each)]


def validate_object(schema: dict[str, Any], body: Any) -> list[str]:
    """Every message Medusa's validator would give for ``body`` against this object schema."""
    if not isinstance(body, dict):
        return ["an unknown value was passed to the validate function"]
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    messages: list[str] = []
    if schema.get("additionalProperties") is False:
        messages.extend(f"property {key} should not exist" for key in body if key not in properties)
    for name, prop_schema in properties.items():
        value = body.get(name, _UNDEFINED)
        messages.extend(validate_property(name, prop_schema, value, name in required))
    return messages


def invalid(message: str) -> MedusaError:
    return MedusaError(ErrorType.INVALID_DATA, message)


def js_numbers(value: Any) -> tuple[Any, bool]:
    """``value`` with numbers as JavaScript holds them: JSON has one number type, so ``1.0`` is
    the integer 1 to class-validator's ``IsInt`` and to Medusa; whole floats within JavaScript's
    safe integers become ``int``. Also whether anything changed."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2 ** 53:
        return int(value), True
    if isinstance(value, dict):
        changed = False
        out = {}
        for key, item in value.items():
            out[key], moved = js_numbers(item)
            changed |= moved
        return (out, True) if changed else (value, False)
    if isinstance(value, list):
        items = [js_numbers(item) for item in value]
        if any(moved for _, moved in items):
            return [item for item, _ in items], True
    return value, False


class MedusaJSONBodyValidator(RequestBodyValidator):
    """Connexion body validator for JSON: Medusa's messages, Medusa's error shape.

    The body handed on has JavaScript's numbers (:func:`js_numbers`): when that changes it, the
    handler gets the changed body."""

    def __init__(self, *, schema: dict, encoding: str, **kwargs: Any) -> None:
        super().__init__(schema=schema, encoding=encoding,
                         required=kwargs.get("required", False),
                         nullable=kwargs.get("nullable", False),
                         strict_validation=kwargs.get("strict_validation", False))
        self._schema_validator = _request_validator(schema)
        self._changed = False

    @property
    def MUTABLE_VALIDATION(self) -> bool:
        return self._changed

    async def parse_body(self, raw: bytes, scope: Scope) -> Any:
        try:
            text = raw.decode(self.encoding)
        except (UnicodeDecodeError, LookupError):
            raise invalid("Request body is not valid UTF-8 JSON") from None
        if not text.strip():
            return {}
        try:
            body, self._changed = js_numbers(json.loads(text))
            return body
        except json.JSONDecodeError as exc:
            raise invalid(f"Unexpected token in JSON at position {exc.pos}: {exc.msg}") from None
        except RecursionError:
            raise invalid("Request body is nested too deeply") from None

    def check_body(self, body: Any) -> None:
        messages = validate_object(self.schema, body)
        if messages:
            raise invalid(", ".join(messages))
        error = jsonschema.exceptions.best_match(self._schema_validator.iter_errors(body))
        if error is not None:
            where = ".".join(str(p) for p in error.absolute_path)
            raise invalid(f"{where} {error.message}" if where else error.message)


_request_validator: PerSchema[Any] = PerSchema(
    lambda schema: Draft4RequestValidator(to_json_schema(schema)))
"""The JSON Schema gate of a request body, built once per schema."""


def to_json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema as plain JSON Schema: ``nullable: true`` becomes ``anyOf`` null.

    OpenAPI's ``nullable`` also applies to ``allOf``/``$ref`` compositions, which JSON Schema
    validators ignore; this rewrite makes ``null`` acceptable wherever the document says so.
    """
    if isinstance(schema, list):
        return [to_json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: to_json_schema(v) for k, v in schema.items()
           if k not in ("nullable", "example", "x-medusa-validate", "x-medusa-types",
                        "x-medusa-type")}
    if schema.get("nullable") is True:
        return {"anyOf": [out, {"type": "null"}]}
    return out


class MedusaJSONResponseValidator(ResponseBodyValidator):
    """Checks JSON responses against the document (with OpenAPI ``nullable`` understood)."""

    _validators: PerSchema[jsonschema.Draft4Validator] = PerSchema(
        lambda schema: jsonschema.Draft4Validator(
            to_json_schema(schema), format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER))

    @property
    def validator(self) -> jsonschema.Draft4Validator:
        return self._validators(self.schema)

    def parse_body(self, raw: bytes) -> Any:
        body = raw.decode(self.encoding)
        if not body:
            return None
        try:
            return json.loads(body)
        except json.JSONDecodeError as exc:
            raise NonConformingResponseBody(str(exc)) from None

    def check_body(self, body: Any) -> None:
        error = jsonschema.exceptions.best_match(self.validator.iter_errors(body))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path)
            raise NonConformingResponseBody(
                detail=f"Response body does not conform to the document: {error.message} "
                       f"(at /{where})")


class MedusaURIParser(_compat.HardenedURIParser):
    """Query numbers read as class-transformer's ``@Type(() => Number)`` reads them:
    ``Number(value)``, so "", " 2 ", "0x10" and "1e1" are numbers; what JavaScript cannot read
    stays as sent (and the parameter's schema refuses it)."""

    @staticmethod
    def read_query_number(value: str) -> int | float | None:
        return js_number(value)

    @staticmethod
    def absent_query_value(definition: dict[str, Any], values: list[str]) -> bool:
        """A parameter marked ``x-medusa-empty-is-absent`` sent once, empty: a middleware that
        runs before Medusa's validation replaces it (``withDefaultSalesChannel`` puts the
        default sales channel in place of a value of length 0)."""
        return bool(definition.get("x-medusa-empty-is-absent")) and list(values) == [""]


class MedusaParameterValidator(_compat.CachedParameterValidator):
    """Connexion's parameter validation after the operation's query DTO where the document has
    it checked here (``x-medusa-query`` with ``stage: validation``: unknown keys and
    class-validator's messages first, as Medusa's ``transformStoreQuery`` middleware does before
    the route)."""

    def validate(self, scope: Scope) -> None:
        operation_id = _compat.routed_operation_id(scope)
        if operation_id and _query.checked_on_validation(operation_id):
            _query.check_request(operation_id, scope.get("query_string", b"").decode("latin-1"))
        super().validate(scope)
