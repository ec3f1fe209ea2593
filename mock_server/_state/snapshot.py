"""A whole state as one JSON document, and state files.

The document (``format: medusa-mock-state``, ``version: 1``) holds every non-empty table as a
list of its rows in table order, the counters (display ids), the clock's offset, the event
outbox and, for a generator with ``Settings.id_seed``, where its id sequence is. :func:`parse`
checks a document's shape and names the first problem (:class:`SnapshotError`); :func:`apply`
replaces a state with a checked document as one step under the store's lock. Rows are taken as
they are: a document written by the mock (``GET /_mock/state``, a state file) is what to load.

State files are written whole to a temporary file beside the target, synced, then renamed over
it (:func:`write_file`): a reader, or a crash, sees the old file or the new one, never half.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from .clock import Clock
from .ids import IdGenerator, state_tuple
from .outbox import EventOutbox
from .store import TABLES, Record, Store

FORMAT = "medusa-mock-state"
VERSION = 1
_KEYS = frozenset({"format", "version", "exported_at", "sandbox", "clock", "counters", "ids",
                   "events", "tables"})


class SnapshotError(ValueError):
    """A state document (or file) that cannot be loaded; the message names the problem."""


@dataclass(frozen=True)
class Parsed:
    tables: dict[str, dict[str, Record]]
    counters: dict[str, int]
    offset: float
    events: list[dict[str, Any]]
    ids: list[Any] | None


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """A state is millions of objects made at once that all live on: the cyclic collector's
    passes over them while they are made cost more than the load itself (for 100,000 carts,
    parsing took 4.4 s with them, 1.9 s without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def export(store: Store, clock: Clock, outbox: EventOutbox, ids: IdGenerator, *,
           sandbox: str | None = None) -> dict[str, Any]:
    """The whole state as one JSON-shaped document (copied: the caller may keep it)."""
    import marshal

    with store.lock:
        frozen = marshal.loads(store.freeze())
        document = {
            "format": FORMAT, "version": VERSION, "exported_at": clock.iso(),
            "sandbox": sandbox,
            "clock": {"offset_seconds": clock.offset},
            "counters": frozen["counters"],
            "ids": ids.state(),
            "events": outbox.list(),
            "tables": {name: list(rows.values())
                       for name, rows in frozen["tables"].items() if rows},
        }
    return document


def _number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def parse(document: Any) -> Parsed:
    """The checked content of a state document, or :class:`SnapshotError` naming the first
    problem."""
    if not isinstance(document, dict):
        raise SnapshotError("a state document must be a JSON object")
    if document.get("format") != FORMAT:
        raise SnapshotError(f"not a medusa-mock state document: \"format\" must be "
                            f"\"{FORMAT}\" (GET /_mock/state exports one)")
    version = document.get("version")
    if version != VERSION or isinstance(version, bool):
        raise SnapshotError(f"state format version {version!r} is not supported (this mock "
                            f"reads version {VERSION})")
    unknown = sorted(set(document) - _KEYS)
    if unknown:
        raise SnapshotError(f"unknown key {unknown[0]!r} in the state document")
    tables = _tables(document.get("tables"))
    counters = document.get("counters", {})
    if not isinstance(counters, dict) or not all(
            isinstance(v, int) and not isinstance(v, bool) and v >= 0
            for v in counters.values()):
        raise SnapshotError("\"counters\" must map names to non-negative integers")
    clock = document.get("clock", {})
    offset: Any = clock.get("offset_seconds", 0) if isinstance(clock, dict) else None
    if not _number(offset) or offset < 0:
        raise SnapshotError("\"clock.offset_seconds\" must be a non-negative number")
    events = document.get("events", [])
    if not isinstance(events, list):
        raise SnapshotError("\"events\" must be a list")
    for i, event in enumerate(events):
        if not (isinstance(event, dict) and isinstance(event.get("name"), str)
                and isinstance(event.get("data"), dict)
                and isinstance(event.get("created_at"), str)):
            raise SnapshotError(f"events[{i}] must be an object with a string \"name\", an "
                                "object \"data\" and a string \"created_at\"")
    id_state = document.get("ids")
    if id_state is not None:
        try:
            state_tuple(id_state)
        except ValueError as exc:
            raise SnapshotError(f"\"ids\" {exc}") from None
    return Parsed(tables, dict(counters), float(offset), events, id_state)


def _tables(value: Any) -> dict[str, dict[str, Record]]:
    if not isinstance(value, dict):
        raise SnapshotError("\"tables\" must be an object of table name -> list of rows")
    tables: dict[str, dict[str, Record]] = {}
    for name, rows in value.items():
        if name not in TABLES:
            raise SnapshotError(f"unknown table {name!r} (known: {', '.join(sorted(TABLES))})")
        if not isinstance(rows, list):
            raise SnapshotError(f"table {name!r} must be a list of rows")
        by_id: dict[str, Record] = {}
        for i, row in enumerate(rows):
            if not isinstance(row, dict):
                raise SnapshotError(f"{name}[{i}] must be an object")
            key = row.get("id")
            if not isinstance(key, str) or not key:
                raise SnapshotError(f"{name}[{i}] has no string \"id\"")
            if key in by_id:
                raise SnapshotError(f"{name}[{i}]: duplicate id {key!r}")
            by_id[key] = row
        tables[name] = by_id
    return tables


def apply(parsed: Parsed, store: Store, clock: Clock, outbox: EventOutbox,
          ids: IdGenerator) -> None:
    """Replace the state with a parsed document's (tables it does not list become empty). The
    rows become the store's own: do not use ``parsed`` afterwards."""
    with store.lock, _collector_paused():
        for name, table in store.tables.items():
            table.load(parsed.tables.get(name, {}), copied=True)
        store.counters = dict(parsed.counters)
        clock.set_offset(parsed.offset)
        outbox.replace(parsed.events)
        ids.set_state(parsed.ids)


# -- files -------------------------------------------------------------------------------------

def read_file(path: Path) -> Parsed | None:
    """The state in a state file, checked (:func:`parse`); ``None`` when there is no file,
    :class:`SnapshotError` (one line) when it cannot be read or is no state document."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SnapshotError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        with _collector_paused():
            document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise SnapshotError(f"{path} is not valid JSON: {str(exc).splitlines()[0]}") from None
    try:
        return parse(document)
    except SnapshotError as exc:
        raise SnapshotError(f"{path}: {exc}") from None


def write_file(path: Path, document: dict[str, Any]) -> None:
    """Write ``document`` to ``path`` atomically (a temporary file renamed over it)."""
    data = orjson.dumps(document)
    directory = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
