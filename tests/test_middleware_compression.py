"""The compression middleware: the ``compression`` package's rules (``--http-compression``)."""

from __future__ import annotations

import gzip

import pytest

from mock_server import Settings
from mock_server._http._answer_cache import AnswerCache
from mock_server._http._middleware import middlewares
from mock_server._http._middleware.compression import (
    COMPRESSION_THRESHOLD,
    CompressionMiddleware,
)
from mock_server._seed import build_services

from ._asgi import Endpoint, call, lifespan_passes_through

BIG = b'{"pad":"' + b"x" * COMPRESSION_THRESHOLD + b'"}'
JSON = (b"content-type", b"application/json; charset=utf-8")


def test_a_large_answer_is_gzipped_for_a_client_that_accepts_it() -> None:
    inner = Endpoint(body=BIG, parts=2, headers=[JSON, (b"content-length", str(len(BIG)).encode())])
    answer = call(CompressionMiddleware(inner), headers={"Accept-Encoding": "br, gzip;q=0.8"})
    assert gzip.decompress(answer.body) == BIG
    assert answer.headers == [JSON, (b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding"),
                              (b"content-length", str(len(answer.body)).encode())]


@pytest.mark.parametrize(("headers", "body"), [
    ({"Accept-Encoding": "gzip"}, b'{"small":true}'),
    ({"Accept-Encoding": "gzip", "X-No-Compression": "1"}, BIG),
    ({"Accept-Encoding": "br, deflate"}, BIG),
    ({}, BIG),
], ids=["under-threshold", "x-no-compression", "not-accepted", "no-accept-encoding"])
def test_otherwise_the_answer_is_left_alone(headers: dict[str, str], body: bytes) -> None:
    inner = Endpoint(body=body, headers=[JSON])
    answer = call(CompressionMiddleware(inner), headers=headers)
    assert (answer.headers, answer.body) == ([JSON], body)


def test_any_encoding_accepts_gzip_and_encoded_answers_stay_as_they_are() -> None:
    answer = call(CompressionMiddleware(Endpoint(body=BIG)), headers={"Accept-Encoding": "*"})
    assert answer.header("content-encoding") == "gzip"
    encoded = Endpoint(body=BIG, headers=[(b"content-encoding", b"identity")])
    answer = call(CompressionMiddleware(encoded), headers={"Accept-Encoding": "gzip"})
    assert answer.body == BIG and answer.header("content-encoding") == "identity"


def test_it_is_in_the_stack_only_when_http_compression_is_on() -> None:
    for enabled in (False, True):
        services = build_services(Settings(http_compression=enabled))
        stack = middlewares(services, AnswerCache(services.store))
        # inside the control guard, outside the journal (which records the answer unzipped)
        assert (stack[1].cls is CompressionMiddleware) is enabled
        assert sum(layer.cls is CompressionMiddleware for layer in stack) == int(enabled)


def test_other_scopes_pass_through() -> None:
    assert lifespan_passes_through(CompressionMiddleware)
