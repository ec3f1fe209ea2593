"""Whether one exchange (a request and the answer to it) conforms to the document.

Answers are judged by schemathesis' own response checks, the functions ``medusa-mock audit``
runs, so a violation's kind is the check name an audit baseline lists (``not_a_server_error``,
``status_code_conformance``, ``content_type_conformance``, ``response_headers_conformance``,
``response_schema_conformance``). Requests are judged here, with the schemas schemathesis
prepares for each parameter and body (OpenAPI 3.0 ``nullable`` and friends already turned into
JSON Schema), under three kinds of their own:

* ``undocumented_operation``: no operation of the document has this method and path;
* ``request_parameters_conformance``: a path, query, header or cookie parameter is missing
  (when required) or does not match its schema, read the way OpenAPI 3.0 serializes it (query
  ``form`` exploded or comma-separated, ``deepObject`` as ``name[key]=value``; wire strings are
  read as the number, integer or boolean the schema asks for);
* ``request_body_conformance``: a required body is missing, its media type is not documented, or
  it is not valid JSON or does not match the schema.

Two kinds of exchange are HTTP's own machinery, not operations, and are not judged: CORS
preflights (``OPTIONS`` with ``Access-Control-Request-Method``) and ``304 Not Modified`` answers
to conditional requests. Parameters that OpenAPI 3.0 cannot describe (``qs``' bracket arrays,
``id[]=a`` or ``id[0]=a``) and parameters the document does not list are not judged either, as
no OpenAPI tool judges them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from functools import cached_property
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote

import requests
import schemathesis
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core import media_types
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.core.transport import Response

from ..._failures import describe_failure

UNDOCUMENTED = "undocumented_operation"
REQUEST_PARAMETERS = "request_parameters_conformance"
REQUEST_BODY = "request_body_conformance"
REQUEST_KINDS = (UNDOCUMENTED, REQUEST_PARAMETERS, REQUEST_BODY)
RESPONSE_CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
                   "response_headers_conformance", "response_schema_conformance")
BODY_CHECKS = ("response_schema_conformance",)
"""The response checks that need the answer's body (the others read its head only)."""
UNDOCUMENTED_OPERATION_ID = "(undocumented)"
"""The operation every request outside the document is reported under."""
_PARAMETER = re.compile(r"\{([^}/]+)\}")
VERDICTS_KEPT = 2048
"""Verdicts kept per side (requests, answers), for exchanges seen again byte for byte."""


@dataclass(frozen=True)
class Violation:
    check: str
    message: str

    @property
    def on_request(self) -> bool:
        return self.check in REQUEST_KINDS


@dataclass(frozen=True)
class Request:
    """A request as the proxy received it (the path still percent-encoded, as on the wire)."""

    method: str
    raw_path: str
    query: str
    headers: Mapping[str, str]
    """Lower-case names; repeated headers joined with ``, `` (cookies with ``; ``)."""
    body: bytes | None
    """``None`` when the body was too large to keep and so went unchecked."""
    url: str = ""
    """Where it was sent (upstream URL, for reproductions)."""

    @property
    def label(self) -> str:
        return f"{self.method} {self.raw_path}"


@dataclass(frozen=True)
class Answer:
    status: int
    reason: str
    headers: Mapping[str, list[str]]
    """Lower-case names, every value."""
    body: bytes | None
    """The body as the client reads it (content-decoded); ``None`` when it went unchecked."""


class Operation:
    """One operation of the document, with its path template compiled for Express-like
    matching on the raw path."""

    def __init__(self, api: Any, security_parameters: frozenset[tuple[str, str]]) -> None:
        self.api = api
        self.operation_id: str = api.definition.raw.get("operationId") or api.label
        self.label: str = api.label
        pattern = "".join(
            f"(?P<p{i}>[^/]+)" if i % 2 else re.escape(part)
            for i, part in enumerate(_PARAMETER.split(api.path)))
        self._names = _PARAMETER.findall(api.path)
        self._regex = re.compile(pattern + r"\Z")
        self._security = security_parameters
        self._answer_headers: dict[int, tuple[str, ...]] = {}

    def path_values(self, raw_path: str) -> dict[str, str]:
        found = self._regex.match(raw_path)
        if found is None:
            return {}
        return {name: unquote(found.group(f"p{2 * i + 1}")) for i, name in enumerate(self._names)}

    @cached_property
    def parameters(self) -> list[_Parameter]:
        """The documented parameters (security schemes' headers and cookies left out: they are
        credentials, judged by the answer)."""
        out = []
        for container in (self.api.path_parameters, self.api.query, self.api.headers,
                          self.api.cookies):
            for parameter in container:
                location = parameter.location.value
                if (parameter.name.lower(), location) not in self._security:
                    out.append(_Parameter(parameter))
        return out

    @cached_property
    def read_headers(self) -> tuple[str, ...]:
        """The request headers the judgement reads (for the verdict cache's key)."""
        names = {p.name.lower() for p in self.parameters if p.location == "header"}
        if any(p.location == "cookie" for p in self.parameters):
            names.add("cookie")
        return ("content-type", *sorted(names))

    def answer_headers(self, status: int) -> tuple[str, ...]:
        """The answer headers schemathesis' checks read for this status."""
        found = self._answer_headers.get(status)
        if found is None:
            response = self.api.responses.find_by_status_code(status)
            names = sorted(n.lower() for n, _ in response.headers.items()) if response else []
            found = self._answer_headers[status] = ("content-type", *names)
        return found


class _Parameter:
    """One parameter and how it is read off the wire (computed once)."""

    def __init__(self, parameter: Any) -> None:
        self.name: str = parameter.name
        self.location: str = parameter.location.value
        self.required: bool = parameter.is_required
        self.schema: dict[str, Any] = parameter.validation_schema
        self.validator = parameter.get_validator()
        self.style: str = parameter.definition.get("style", "form")
        self.explode: bool = parameter.definition.get("explode", self.style == "form")
        self.types = _types(self.schema, self.schema)


class _Verdicts:
    """The last verdicts, by a key holding every input of the judgement (so a hit is exact)."""

    def __init__(self, size: int = VERDICTS_KEPT) -> None:
        self.size = size
        self._kept: OrderedDict[Hashable, list[Violation]] = OrderedDict()

    def get(self, key: Hashable, judge: Callable[[], list[Violation]]) -> list[Violation]:
        found = self._kept.get(key)
        if found is not None:
            self._kept.move_to_end(key)
            return found
        verdict = judge()
        self._kept[key] = verdict
        if len(self._kept) > self.size:
            self._kept.popitem(last=False)
        return verdict


def _digest(body: bytes | None) -> bytes | None:
    return None if body is None else hashlib.blake2b(body, digest_size=20).digest()


class Document:
    """The documents traffic is judged against: the Store document, and the mock's control
    plane document for ``/_mock/...`` (the project's e2e journey reads its event outbox)."""

    def __init__(self, store: Path, control: Path | None = None) -> None:
        load_all_checks()
        self.path = store
        config = schemathesis.Config.from_dict({"generation": {"database": "none"}})
        self._schemas = [schemathesis.openapi.from_path(store, config=config)]
        if control is not None:
            self._schemas.append(schemathesis.openapi.from_path(control, config=config))
        self._operations: dict[int, Operation] = {}
        self._requests = _Verdicts()
        self._answers = _Verdicts()
        self._checks = {check.__name__: check for check in CHECKS.get_all()
                        if check.__name__ in RESPONSE_CHECKS}
        missing = set(RESPONSE_CHECKS) - set(self._checks)
        if missing:  # pragma: no cover - a schemathesis without these checks is not supported
            raise RuntimeError(f"schemathesis lacks the checks {sorted(missing)}")

    def operation_ids(self) -> dict[str, tuple[str, str]]:
        """operationId -> (METHOD, path) for every operation of the Store document."""
        out = {}
        for result in self._schemas[0].get_all_operations():
            if not isinstance(result, Ok):
                continue  # an operation schemathesis cannot read is audit's to report
            api = result.ok()
            out[api.definition.raw.get("operationId") or api.label] = (api.method.upper(),
                                                                      api.path)
        return out

    # -- matching ------------------------------------------------------------------------------
    def match(self, method: str, raw_path: str) -> Operation | None:
        """The operation for ``method`` and the (percent-encoded) path, as Express routes it:
        on the path as sent, so an encoded ``/`` stays inside its segment."""
        for schema in self._schemas:
            api = schema.find_operation_by_path(method, raw_path)
            # the router answers HEAD with the GET operation; the document is what counts
            if api is not None and api.method.upper() == method.upper():
                key = id(api)
                if key not in self._operations:
                    self._operations[key] = Operation(api, _security_parameters(schema))
                return self._operations[key]
        return None

    def documented_methods(self, raw_path: str) -> list[str]:
        methods = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
        return [m for m in methods for schema in self._schemas
                if (api := schema.find_operation_by_path(m, raw_path)) is not None
                and api.method.upper() == m]

    # -- requests ------------------------------------------------------------------------------
    def check_request(self, operation: Operation | None, request: Request) -> list[Violation]:
        if operation is None:
            methods = self.documented_methods(request.raw_path)
            why = (f"the document has {', '.join(methods)} for this path" if methods
                   else "no path of the document matches")
            return [Violation(UNDOCUMENTED, f"{request.method} {request.raw_path} is not an "
                                            f"operation of the document ({why})")]
        key = (operation.operation_id, request.raw_path, request.query,
               *(request.headers.get(n) for n in operation.read_headers), _digest(request.body))
        return list(self._requests.get(key, lambda: self._judge_request(operation, request)))

    def _judge_request(self, operation: Operation, request: Request) -> list[Violation]:
        out = []
        problems = self._parameter_problems(operation, request)
        if problems:
            out.append(Violation(REQUEST_PARAMETERS, _joined(problems)))
        problem = self._body_problem(operation, request)
        if problem:
            out.append(Violation(REQUEST_BODY, problem))
        return out

    def _parameter_problems(self, operation: Operation, request: Request) -> list[str]:
        path = operation.path_values(request.raw_path)
        query = _parse_query(request.query)
        cookies = _cookies(request.headers.get("cookie", ""))
        problems = []
        for parameter in operation.parameters:
            location = parameter.location
            name = parameter.name
            if location == "path":
                raw: Any = path.get(name)
            elif location == "query":
                raw = _query_value(parameter, query)
            elif location == "header":
                raw = request.headers.get(name.lower())
            else:
                raw = cookies.get(name)
            if raw is None:
                if parameter.required:
                    problems.append(f"{location} parameter `{name}` is required and missing")
                continue
            value = _coerce(raw, parameter.schema, parameter.schema)
            error = _first_error(parameter.validator, value)
            if error:
                problems.append(f"{location} parameter `{name}`: {error}")
        return problems

    def _body_problem(self, operation: Operation, request: Request) -> str | None:
        alternatives = list(operation.api.body)
        if not alternatives or request.body is None:
            return None
        documented = ", ".join(a.media_type for a in alternatives)
        if not request.body:
            if any(a.is_required for a in alternatives):
                return f"the request has no body; the document requires one ({documented})"
            return None
        content_type = request.headers.get("content-type")
        if not content_type:
            return f"a body without Content-Type (documented: {documented})"
        try:
            sent = media_types.parse(content_type)
        except Exception:  # schemathesis' MalformedMediaType and ValueError
            return f"malformed Content-Type {content_type!r} (documented: {documented})"
        chosen = next((a for a in alternatives
                       if media_types.matches_parts(media_types.parse(a.media_type), sent)), None)
        if chosen is None:
            return f"Content-Type {content_type} is not documented (documented: {documented})"
        if not media_types.is_json(chosen.media_type):
            return None  # nothing but JSON bodies is read here
        try:
            value = json.loads(request.body)
        except (ValueError, UnicodeDecodeError) as exc:
            return f"the body is not valid JSON: {exc}"
        error = _first_error(chosen.get_validator(), value)
        return f"body: {error}" if error else None

    # -- answers -------------------------------------------------------------------------------
    def check_answer(self, operation: Operation, request: Request,
                     answer: Answer) -> list[Violation]:
        """schemathesis' response checks; those needing the body are left out without one."""
        key = (operation.operation_id, answer.status,
               *(tuple(answer.headers.get(n, ())) for n in operation.answer_headers(
                   answer.status)), _digest(answer.body))
        return list(self._answers.get(key, lambda: self._judge_answer(operation, request,
                                                                      answer)))

    def _judge_answer(self, operation: Operation, request: Request,
                      answer: Answer) -> list[Violation]:
        names = [n for n in RESPONSE_CHECKS if answer.body is not None or n not in BODY_CHECKS]
        case = operation.api.Case(path_parameters=operation.path_values(request.raw_path))
        response = _response(request, answer)
        try:
            case.validate_response(response, checks=[self._checks[n] for n in names])
            return []
        except (AssertionError, FailureGroup):
            pass
        out = []
        for name in names:  # which checks failed, each on its own
            try:
                case.validate_response(response, checks=[self._checks[name]])
            except (AssertionError, FailureGroup) as exc:
                out.append(Violation(name, describe_failure(exc)))
        return out


def judged(request: Request, status: int) -> bool:
    """Whether an exchange is an API call the document describes, rather than HTTP machinery
    (a CORS preflight, or a 304 answering a conditional request)."""
    if request.method == "OPTIONS" and "access-control-request-method" in request.headers:
        return False
    conditional = "if-none-match" in request.headers or "if-modified-since" in request.headers
    return not (status == 304 and conditional)


# -- reading parameters as OpenAPI 3.0 serializes them ------------------------------------------
def _security_parameters(schema: Any) -> frozenset[tuple[str, str]]:
    schemes = ((schema.raw_schema.get("components") or {}).get("securitySchemes") or {})
    found = set()
    for scheme in schemes.values():
        if not isinstance(scheme, dict):
            continue
        if scheme.get("type") == "apiKey" and scheme.get("name"):
            found.add((str(scheme["name"]).lower(), scheme.get("in", "header")))
        elif scheme.get("type") in ("http", "oauth2", "openIdConnect"):
            found.add(("authorization", "header"))
    return frozenset(found)


def _parse_query(query: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        out.setdefault(key, []).append(value)
    return out


def _query_value(parameter: _Parameter, query: dict[str, list[str]]) -> Any:
    name, style, explode, types = parameter.name, parameter.style, parameter.explode, \
        parameter.types
    if style == "deepObject":
        prefix = f"{name}["
        found = {key[len(prefix):-1]: values[-1] for key, values in query.items()
                 if key.startswith(prefix) and key.endswith("]")}
        if found:
            return found
        return query[name][-1] if name in query else None
    values = query.get(name)
    if values is None:
        return None
    if "array" in types:
        if not explode:
            return values[-1].split(",") if len(values) == 1 else values
        return values
    if not explode and "object" in types and len(values) == 1:
        items = values[0].split(",")
        return dict(zip(items[::2], items[1::2], strict=False))
    return values[0] if len(values) == 1 else values


def _cookies(header: str) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # an unparsable Cookie header carries no parameter
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def _deref(schema: Any, root: dict[str, Any]) -> Any:
    seen = 0
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and seen < 16:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(
                target, dict) else None
        if target is None:
            return schema
        schema, seen = target, seen + 1
    return schema


def _types(schema: Any, root: dict[str, Any]) -> set[str]:
    schema = _deref(schema, root)
    if not isinstance(schema, dict):
        return set()
    kind = schema.get("type")
    found = {kind} if isinstance(kind, str) else set(kind or ())
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key) or ():
            found |= _types(sub, root)
    return found


_INTEGER = re.compile(r"-?\d+\Z")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\Z")


def _coerce(value: Any, schema: Any, root: dict[str, Any]) -> Any:
    """A wire value read as the type its schema asks for (strings stay strings otherwise)."""
    resolved = _deref(schema, root)
    types = _types(resolved, root)
    if isinstance(value, list):
        items = resolved.get("items", {}) if isinstance(resolved, dict) else {}
        return [_coerce(v, items, root) for v in value]
    if isinstance(value, dict):
        properties = resolved.get("properties", {}) if isinstance(resolved, dict) else {}
        return {k: _coerce(v, properties.get(k, {}), root) for k, v in value.items()}
    if not isinstance(value, str) or "string" in types:
        return value
    if "integer" in types and _INTEGER.match(value):
        return int(value)
    if "number" in types and _NUMBER.match(value):
        number = float(value)
        return int(number) if number.is_integer() and "." not in value and "e" not in (
            value.lower()) else number
    if "boolean" in types and value in ("true", "false"):
        return value == "true"
    if "null" in types and value == "null":
        return None
    return value


def _first_error(validator: Any, value: Any) -> str | None:
    errors = list(validator.iter_errors(value))
    if not errors:
        return None
    first = errors[0]
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first.instance_path)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{'at $' + where + ': ' if where else ''}{first.message}{more}"


def _joined(problems: list[str]) -> str:
    return "; ".join(problems)


def _response(request: Request, answer: Answer) -> Response:
    prepared = requests.PreparedRequest()
    prepared.method = request.method
    prepared.url = request.url
    prepared.headers = requests.structures.CaseInsensitiveDict(dict(request.headers))
    prepared.body = request.body
    headers = {k: v for k, v in answer.headers.items() if k != "content-encoding"}
    body = answer.body or b""
    return Response(status_code=answer.status, headers=headers, content=body,
                    request=prepared, elapsed=0.0, verify=True, message=answer.reason,
                    content_size=len(body))
