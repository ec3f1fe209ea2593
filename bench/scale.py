"""``python -m bench.scale``: what state costs the mock, black-box.

Three measurements, each against a fresh ``medusa-mock serve`` (over HTTP only):

* **latency by state size**: for each size (default 0, 10,000 and 100,000 carts), a mock holding
  that many carts (each with a line and a shipping address) answers a sequence of cart writes
  (``POST /store/carts``, then ``POST /store/carts/{id}/line-items``) and reads
  (``GET /store/carts/{id}`` of a random stored cart), one request at a time on one keep-alive
  connection: median and p99 of each request kind, and their ratio to the empty store. The
  servers of every size run side by side and take turns (``--rounds``), so that whatever else
  the machine does falls on every size alike. The carts
  are put there fast (``--fill state``, the default): one real cart is made and exported
  (``GET /_mock/state``), copied N times with new ids into a state file, and the mock started
  with ``--state FILE``. ``--fill http`` makes every cart with requests instead (slow; for
  servers without saved states, as before they existed).
* **memory per 1,000 carts and per 1,000 customers**: the server's RSS before and after making
  ``--memory-carts`` carts (a line and an address each) and ``--memory-customers`` registered
  customers with requests.
* **sandboxes**: ``--sandboxes`` new sandboxes, each made by its first request (``GET
  /store/regions`` with ``X-Medusa-Mock-Sandbox``): that request's time minus the same request's
  time in the sandbox right after, the build time the mock reports (``GET /_mock/sandboxes``),
  and the server's RSS growth per sandbox.

Results go to ``bench/results/scale-<timestamp>.{json,md}`` and ``scale-latest.*``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from . import report, servers
from .http import Connection, split_base_url
from .stats import median, percentile, ratio

RESULTS = Path(__file__).resolve().parent / "results"
ADDRESS = {"first_name": "Bench", "last_name": "Scale", "address_1": "Skalenweg 1",
           "city": "Kiel", "country_code": "de", "postal_code": "24103"}
UNCAPPED = ("--max-carts", "0", "--max-customers", "0", "--max-orders", "0",
            "--max-sessions", "0")


def progress(message: str) -> None:
    print(f"[bench.scale] {message}", file=sys.stderr, flush=True)


async def _json(conn: Connection, method: str, path: str, body: Any = None,
                headers: dict[str, str] | None = None) -> Any:
    response = await conn.request(method, path, body, headers)
    if not response.ok:
        raise RuntimeError(f"{method} {path}: {response.status} {response.body[:300]!r}")
    return response.json() if response.body else None


async def _setup(conn: Connection) -> dict[str, str]:
    regions = (await _json(conn, "GET", "/store/regions"))["regions"]
    region = next((r for r in regions if any(c["iso_2"] == "de" for c in r["countries"])),
                  regions[0])
    products = await _json(conn, "GET", f"/store/products?limit=100&region_id={region['id']}")
    variant = next(v["id"] for p in products["products"] if not p.get("is_giftcard")
                   for v in p["variants"]
                   if v.get("allow_backorder") or not v.get("manage_inventory"))
    return {"region_id": region["id"], "variant_id": variant}


async def _make_cart(conn: Connection, params: dict[str, str]) -> str:
    cart = await _json(conn, "POST", "/store/carts",
                       {"region_id": params["region_id"], "country_code": "de"})
    cart_id = cart["cart"]["id"]
    await _json(conn, "POST", f"/store/carts/{cart_id}/line-items",
                {"variant_id": params["variant_id"], "quantity": 1})
    return str(cart_id)


# -- filling a mock ---------------------------------------------------------------------------

def _renamed(row: dict[str, Any], n: int, ids: dict[str, str]) -> dict[str, Any]:
    text = json.dumps(row)
    for old, prefix in ids.items():
        text = text.replace(old, f"{prefix}_BENCH{n:021d}")
    return dict(json.loads(text))


def state_with_carts(template: dict[str, Any], cart_id: str, count: int) -> dict[str, Any]:
    """The exported state ``template`` with its cart ``cart_id`` (its lines and addresses)
    copied ``count`` times under new ids; the template cart itself left out."""
    tables = template["tables"]
    cart = next(c for c in tables["carts"] if c["id"] == cart_id)
    lines = [i for i in tables.get("line_items", []) if i.get("cart_id") == cart_id]
    address_ids = {cart.get("shipping_address_id"), cart.get("billing_address_id")} - {None}
    addresses = [a for a in tables.get("addresses", []) if a["id"] in address_ids]
    ids = {cart_id: "cart", **{i["id"]: "item" for i in lines},
           **{a["id"]: "addr" for a in addresses}}
    for line in lines:
        for adjustment in line.get("adjustments", []) + line.get("tax_lines", []):
            ids[adjustment["id"]] = "lia"
    out = dict(template, events=[])
    out_tables = {name: [r for r in rows if r["id"] not in ids and r.get("cart_id") != cart_id]
                  for name, rows in tables.items()}
    for n in range(count):
        out_tables["carts"].append(_renamed(cart, n, ids))
        out_tables.setdefault("line_items", []).extend(_renamed(i, n, ids) for i in lines)
        out_tables.setdefault("addresses", []).extend(_renamed(a, n, ids) for a in addresses)
    out["tables"] = out_tables
    return out


def cart_ids_of(state: dict[str, Any]) -> list[str]:
    return [c["id"] for c in state["tables"].get("carts", [])]


async def _export_template(base_url: str) -> tuple[dict[str, Any], str]:
    host, port = split_base_url(base_url)
    conn = Connection(host, port, timeout=120)
    try:
        params = await _setup(conn)
        cart_id = await _make_cart(conn, params)
        return await _json(conn, "GET", "/_mock/state"), cart_id
    finally:
        await conn.close()


async def _fill_http(base_url: str, count: int, connections: int = 8) -> list[str]:
    host, port = split_base_url(base_url)
    made: list[str] = []
    params = {}
    probe = Connection(host, port, timeout=120)
    try:
        params = await _setup(probe)
    finally:
        await probe.close()

    async def worker(share: int) -> None:
        conn = Connection(host, port, timeout=120)
        try:
            for _ in range(share):
                made.append(await _make_cart(conn, params))
        finally:
            await conn.close()

    shares = [count // connections + (1 if i < count % connections else 0)
              for i in range(connections)]
    await asyncio.gather(*(worker(s) for s in shares if s))
    return made


# -- latency by size --------------------------------------------------------------------------

class CartTarget:
    """One server under measurement: its connection, the carts it holds, the times so far."""

    def __init__(self, base_url: str, cart_ids: list[str], seed: int, pid: int) -> None:
        host, port = split_base_url(base_url)
        self.conn = Connection(host, port, timeout=120)
        self.pid = pid
        self.cpu_seconds = 0.0  # the server's, over the measured iterations
        self.iterations = 0
        self.pool = list(cart_ids)
        self.rng = random.Random(seed)
        self.params: dict[str, str] = {}
        self.times: dict[str, list[float]] = {"create": [], "add_line": [], "get": []}

    async def run(self, iterations: int, *, record: bool = True) -> None:
        """``iterations`` times: create a cart, add a line, read a random stored cart."""
        conn = self.conn
        # a new connection per turn: the server closes one left idle for 5 s (Node's keep-alive
        # timeout) while the other sizes take their turns
        await conn.close()
        if not self.params:
            self.params = await _setup(conn)
        params = self.params
        cpu = servers.cpu_seconds(servers.process_tree(self.pid))
        for _ in range(iterations):
            started = time.perf_counter()
            cart = await _json(conn, "POST", "/store/carts", {"region_id": params["region_id"]})
            created = time.perf_counter()
            cart_id = cart["cart"]["id"]
            await _json(conn, "POST", f"/store/carts/{cart_id}/line-items",
                        {"variant_id": params["variant_id"], "quantity": 1})
            added = time.perf_counter()
            self.pool.append(cart_id)
            target = self.pool[self.rng.randrange(len(self.pool))]
            await _json(conn, "GET", f"/store/carts/{target}")
            read = time.perf_counter()
            if record:
                self.times["create"].append((created - started) * 1000)
                self.times["add_line"].append((added - created) * 1000)
                self.times["get"].append((read - added) * 1000)
        if record:
            self.cpu_seconds += servers.cpu_seconds(servers.process_tree(self.pid)) - cpu
            self.iterations += iterations


async def _interleaved(targets: list[CartTarget], iterations: int, warmup: int,
                       rounds: int) -> None:
    """Every target gets ``iterations`` measured iterations, in ``rounds`` turns taken one
    after the other (the order rotating): what else the machine does meanwhile falls on every
    target alike."""
    try:
        for target in targets:
            await target.run(warmup, record=False)
        per_round = max(1, iterations // rounds)
        for turn in range(rounds):
            order = targets[turn % len(targets):] + targets[:turn % len(targets)]
            for target in order:
                await target.run(per_round)
    finally:
        for target in targets:
            await target.conn.close()


def _summary(values: list[float]) -> dict[str, float | None]:
    return {"median": median(values), "p99": percentile(values, 99), "count": len(values)}


def _state_file(template: tuple[dict[str, Any], str], size: int, work: Path
                ) -> tuple[Path, list[str], float]:
    started = time.perf_counter()
    state = state_with_carts(template[0], template[1], size)
    cart_ids = cart_ids_of(state)
    path = work / f"state-{size}.json"
    path.write_text(json.dumps(state, separators=(",", ":")))
    seconds = time.perf_counter() - started
    progress(f"{size} carts: state file of {path.stat().st_size / 1e6:.0f} MB written in "
             f"{seconds:.1f} s")
    return path, cart_ids, seconds


def latency_by_size(args: argparse.Namespace) -> list[dict[str, Any]]:
    """One server per size, all up at once, measured in interleaved rounds."""
    template: tuple[dict[str, Any], str] | None = None
    if args.fill == "state":
        progress("exporting a template cart")
        server = servers.start_mock(args.mock_command, extra=_uncapped(args))
        try:
            template = asyncio.run(_export_template(server.base_url))
        finally:
            server.stop()
    started_servers: list[servers.StartedServer] = []
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as work:
        try:
            targets = []
            for n, size in enumerate(args.sizes):
                extra, fill_seconds = _uncapped(args), 0.0
                cart_ids: list[str] = []
                if template is not None and size:
                    path, cart_ids, fill_seconds = _state_file(template, size, Path(work))
                    extra = (*extra, "--state", str(path))
                server = servers.start_mock(args.mock_command, extra=extra, timeout=900)
                started_servers.append(server)
                if args.fill == "http" and size:
                    progress(f"{size} carts: making them with requests")
                    started = time.perf_counter()
                    cart_ids = asyncio.run(_fill_http(server.base_url, size))
                    fill_seconds = time.perf_counter() - started
                    progress(f"{size} carts made with requests in {fill_seconds:.0f} s")
                rows.append({"carts": size, "fill": args.fill,
                             "fill_seconds": round(fill_seconds, 1),
                             "startup_ms": round(server.startup_ms)})
                targets.append(CartTarget(server.base_url, cart_ids, args.seed + n, server.pid))
            progress(f"measuring {args.iterations} cart writes and reads per size, in "
                     f"{args.rounds} interleaved rounds")
            asyncio.run(_interleaved(targets, args.iterations, args.warmup, args.rounds))
            for row, target, server in zip(rows, targets, started_servers, strict=True):
                row["rss_mb"] = round(servers.tree_rss_kb(server.pid) / 1024, 1)
                row["cpu_ms_per_iteration"] = round(
                    target.cpu_seconds * 1000 / max(1, target.iterations), 3)
                row.update({kind: _summary(values) for kind, values in target.times.items()})
        finally:
            for server in started_servers:
                server.stop()
    base = rows[0] if rows and rows[0]["carts"] == 0 else None
    for row in rows:
        row["cpu_ratio"] = ratio(row["cpu_ms_per_iteration"],
                                 base["cpu_ms_per_iteration"] if base else None)
        for kind in ("create", "add_line", "get"):
            row[kind]["ratio_median"] = ratio(row[kind]["median"],
                                              base[kind]["median"] if base else None)
            row[kind]["ratio_p99"] = ratio(row[kind]["p99"], base[kind]["p99"] if base else None)
    return rows


# -- memory -----------------------------------------------------------------------------------

def _settled_rss_kb(pid: int) -> int:
    time.sleep(0.5)
    return min(servers.tree_rss_kb(pid) for _ in range(3))


async def _register(base_url: str, count: int, run: str, connections: int = 4) -> None:
    host, port = split_base_url(base_url)

    async def worker(number: int) -> None:
        conn = Connection(host, port, timeout=120)
        try:
            for n in range(number, count, connections):
                await _json(conn, "POST", "/store/customers", {
                    "email": f"scale.{run}.{n}@example.com", "password": "bench-password-1",
                    "first_name": "Bench", "last_name": f"Customer {n}"})
        finally:
            await conn.close()

    await asyncio.gather(*(worker(i) for i in range(connections)))


def _uncapped(args: argparse.Namespace) -> tuple[str, ...]:
    return () if args.legacy else UNCAPPED


def memory(args: argparse.Namespace) -> dict[str, Any]:
    """RSS growth per 1,000 carts and customers: the slope over a second batch, after a first
    one of the same size has warmed every code path and the allocator (scrypt takes 2 MB per
    hash; the allocator keeps such blocks per thread once, not per customer)."""
    carts, customers = args.memory_carts, args.memory_customers
    server = servers.start_mock(args.mock_command, extra=_uncapped(args))
    rss: dict[str, int] = {}
    try:
        rss["start"] = _settled_rss_kb(server.pid)
        for batch in ("first", "second"):
            progress(f"memory: {carts} carts, {batch} batch")
            asyncio.run(_fill_http(server.base_url, carts))
            rss[f"carts_{batch}"] = _settled_rss_kb(server.pid)
            progress(f"memory: {customers} customers, {batch} batch")
            asyncio.run(_register(server.base_url, customers, batch))
            rss[f"customers_{batch}"] = _settled_rss_kb(server.pid)
    finally:
        server.stop()

    def per_1k(grown_kb: int, count: int) -> float:
        return round(grown_kb / 1024 / count * 1000, 2)

    return {
        "carts": carts, "customers": customers, "rss_mb_start": round(rss["start"] / 1024, 1),
        "mb_per_1k_carts": per_1k(rss["carts_second"] - rss["customers_first"], carts),
        "mb_per_1k_customers": per_1k(rss["customers_second"] - rss["carts_second"], customers),
        "first_batch_mb_per_1k_carts": per_1k(rss["carts_first"] - rss["start"], carts),
        "first_batch_mb_per_1k_customers": per_1k(rss["customers_first"] - rss["carts_first"],
                                                  customers),
    }


# -- sandboxes --------------------------------------------------------------------------------

async def _sandbox_costs(base_url: str, count: int) -> dict[str, Any]:
    host, port = split_base_url(base_url)
    conn = Connection(host, port, timeout=120)
    first, again = [], []
    try:
        for _ in range(5):  # warm the default sandbox's path
            await _json(conn, "GET", "/store/regions")
        for n in range(count):
            headers = {"X-Medusa-Mock-Sandbox": f"bench-{n}"}
            started = time.perf_counter()
            await _json(conn, "GET", "/store/regions", headers=headers)
            made = time.perf_counter()
            await _json(conn, "GET", "/store/regions", headers=headers)
            first.append((made - started) * 1000)
            again.append((time.perf_counter() - made) * 1000)
        listed = (await _json(conn, "GET", "/_mock/sandboxes"))["sandboxes"]
    finally:
        await conn.close()
    builds = [s["build_ms"] for s in listed if not s["default"]]
    extra = [f - a for f, a in zip(first, again, strict=True)]
    return {"first_request_ms": median(first), "next_request_ms": median(again),
            "creation_ms_median": median(extra), "creation_ms_p99": percentile(extra, 99),
            "build_ms_median": median(builds), "build_ms_max": max(builds) if builds else None}


def sandboxes(args: argparse.Namespace) -> dict[str, Any]:
    server = servers.start_mock(args.mock_command,
                                extra=("--max-sandboxes", str(args.sandboxes + 1)))
    try:
        before = _settled_rss_kb(server.pid)
        progress(f"sandboxes: {args.sandboxes} made")
        costs = asyncio.run(_sandbox_costs(server.base_url, args.sandboxes))
        after = _settled_rss_kb(server.pid)
    finally:
        server.stop()
    return {"sandboxes": args.sandboxes, **costs,
            "mb_per_sandbox": round((after - before) / 1024 / args.sandboxes, 2)}


# -- report -----------------------------------------------------------------------------------

def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def render(result: dict[str, Any]) -> str:
    lines = [f"# State scale: {result['started_at']}", "",
             f"`{result['command']}`" + (f" ({result['label']})" if result["label"] else ""), ""]
    rows = result.get("latency") or []
    if rows:
        lines += ["## Cart requests by state size (one connection, one request at a time)", "",
                  "| carts | request | median ms | p99 ms | median / empty | p99 / empty |",
                  "|---:|---|---:|---:|---:|---:|"]
        names = {"create": "POST /store/carts", "add_line": "POST .../line-items",
                 "get": "GET /store/carts/{id}"}
        for row in rows:
            for kind, name in names.items():
                cell = row[kind]
                lines.append(f"| {row['carts']:,} | {name} | {_ms(cell['median'])} | "
                             f"{_ms(cell['p99'])} | {_x(cell['ratio_median'])} | "
                             f"{_x(cell['ratio_p99'])} |")
        lines += ["", "Server CPU per iteration (the three requests), and the servers:", "",
                  "| carts | CPU ms / iteration | / empty | filled by | fill s | start ms | "
                  "RSS MB |", "|---:|---:|---:|---|---:|---:|---:|"]
        lines += [f"| {r['carts']:,} | {r['cpu_ms_per_iteration']} | {_x(r['cpu_ratio'])} | "
                  f"{r['fill']} | {r['fill_seconds']} | {r['startup_ms']} | {r['rss_mb']} |"
                  for r in rows]
        lines.append("")
    mem = result.get("memory")
    if mem:
        lines += ["## Memory (RSS growth over a second batch; the first batch in brackets)", "",
                  f"- {mem['mb_per_1k_carts']} MB per 1,000 carts, each with a line and an "
                  f"address ({mem['first_batch_mb_per_1k_carts']}; 2 x {mem['carts']:,} made)",
                  f"- {mem['mb_per_1k_customers']} MB per 1,000 registered customers "
                  f"({mem['first_batch_mb_per_1k_customers']}; 2 x {mem['customers']:,} made)",
                  ""]
    box = result.get("sandboxes")
    if box:
        lines += ["## Sandboxes", "",
                  f"- made by its first request: {_ms(box['creation_ms_median'])} ms more than "
                  f"the next request (median; p99 {_ms(box['creation_ms_p99'])} ms); the mock's "
                  f"own build time {_ms(box['build_ms_median'])} ms (median, max "
                  f"{_ms(box['build_ms_max'])})",
                  f"- {box['mb_per_sandbox']} MB of RSS per sandbox ({box['sandboxes']} made)",
                  ""]
    machine = result["machine"]
    lines += ["## Machine", "", f"{machine['cpu']}, {machine['cores']} cores, "
              f"{machine['ram_gb']} GB, {machine['python']}, {machine['os']}; load average "
              f"{result['load_before']} before, {result['load_after']} after", ""]
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="0,10000,100000", metavar="LIST",
                   help="cart counts to measure at (default: %(default)s)")
    p.add_argument("--fill", choices=["state", "http"], default="state",
                   help="put the carts there with a state file (fast) or with requests")
    counts = (("iterations", 500, "measured cart writes and reads per size"),
              ("warmup", 50, "unmeasured ones first, per size"),
              ("rounds", 10, "turns the sizes take, one after the other"),
              ("memory-carts", 2000, "carts made per memory batch"),
              ("memory-customers", 1000, "customers registered per memory batch"),
              ("sandboxes", 50, "sandboxes made"))
    for name, default, text in counts:
        p.add_argument(f"--{name}", type=int, default=default, metavar="N",
                       help=f"{text} (default: %(default)s)")
    p.add_argument("--only", default="latency,memory,sandboxes", metavar="LIST",
                   help="which measurements (default: %(default)s)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: sizes 0 and 1000, fewer iterations, carts and customers")
    p.add_argument("--mock-command", metavar="TEMPLATE",
                   help="serve the mock with this command ({port}, {python} replaced)")
    p.add_argument("--legacy", action="store_true",
                   help="the mock has no state options (one from before they existed): serve "
                        "it without caps options, fill it with requests, no sandboxes")
    p.add_argument("--seed", type=int, default=20240611)
    p.add_argument("--label", default="")
    p.add_argument("--results", type=Path, default=RESULTS, metavar="DIR")
    p.add_argument("--no-write", action="store_true")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.quick:
        args.sizes, args.iterations, args.warmup, args.rounds = [0, 1000], 100, 10, 4
        args.memory_carts, args.memory_customers, args.sandboxes = 300, 100, 10
    only = {s.strip() for s in args.only.split(",")}
    if args.legacy:
        args.fill = "http"
        only.discard("sandboxes")
    import datetime as _dt
    import os

    started = _dt.datetime.now(_dt.UTC)
    result: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": "python -m bench.scale " + " ".join(argv if argv is not None
                                                        else sys.argv[1:]),
        "label": args.label, "machine": report.machine_description(),
        "load_before": [round(x, 2) for x in os.getloadavg()]}
    if "latency" in only:
        result["latency"] = latency_by_size(args)
    if "memory" in only:
        result["memory"] = memory(args)
    if "sandboxes" in only:
        result["sandboxes"] = sandboxes(args)
    result["load_after"] = [round(x, 2) for x in os.getloadavg()]
    text = render(result)
    print(text)
    if not args.no_write:
        args.results.mkdir(parents=True, exist_ok=True)
        stamp = started.strftime("%Y%m%d-%H%M%S")
        for name in (f"scale-{stamp}", "scale-latest"):
            (args.results / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
            (args.results / f"{name}.md").write_text(text + "\n")
        progress(f"results: {args.results / f'scale-{stamp}.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
