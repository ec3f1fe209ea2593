"""bench/proxy.py: the table it prints (the measurement itself is a run, never a test)."""

from __future__ import annotations

from bench.proxy import build_parser, render


def test_the_table_shows_what_the_proxy_adds() -> None:
    row = {"scenario": "catalog-list", "connections": 1, "added_p50_ms": 0.77,
           "direct": {"p50_ms": 0.14, "p99_ms": 5.25, "req_per_s": 2353.0},
           "proxied": {"p50_ms": 0.91, "p99_ms": 12.6, "req_per_s": 433.0,
                       "proxy_cpu_ms_per_request": 0.582}}
    table = render({"rows": [row]}).splitlines()
    assert table[0].startswith("| scenario | connections | direct p50 ms | proxied p50 ms | "
                               "added p50 ms |")
    assert table[2] == ("| catalog-list | 1 | 0.14 | 0.91 | **0.77** | 5.25 | 12.60 | 2353 | "
                        "433 | 0.582 |")


def test_defaults_measure_one_and_sixteen_connections() -> None:
    args = build_parser().parse_args([])
    assert (args.connections, args.duration) == ("1,16", 10.0)
    assert args.scenarios == "catalog-list,catalog-detail,regions"
