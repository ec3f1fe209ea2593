"""One load of a seed: the parsed file, the services the store is filled through, the loader's
own clock and ids, the look-ups later sections need, and the checks every section uses."""

from __future__ import annotations

from typing import Any

from .._domain import cart_totals, line_items
from .._domain.services import Services
from .._state.clock import Clock, to_iso
from .._state.ids import IdGenerator
from .._state.store import Record
from .files import SeedError

SEED_EPOCH = 1_700_000_000.0  # 2023-11-14T22:13:20Z: stable ids and timestamps for seeded rows
Entries = list[tuple[str, dict[str, Any]]]


class TickingClock(Clock):
    """The loader's clock: one millisecond later on every read, so generated ids increase."""

    def __init__(self, epoch: float) -> None:
        super().__init__(frozen_at=epoch)
        self._ticks = 0

    def time(self) -> float:
        self._ticks += 1
        return super().time() + self._ticks / 1000


class SeedIds(IdGenerator):
    """The loader's ids: seeded, and never one the file gives itself (a capture of a mock holds
    ids this generator also makes: without the check, a copy's gift-card profile took the id of
    the captured default profile)."""

    def __init__(self, clock: Clock, seed: int, given: set[str]) -> None:
        super().__init__(clock, seed=seed)
        self._given = given

    def new(self, prefix: str) -> str:
        while True:
            candidate = super().new(prefix)
            if candidate not in self._given:
                return candidate


def given_ids(value: Any) -> set[str]:
    """Every string ``id`` the seed file gives, at any depth."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("id"), str):
                found.add(item["id"])
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


class Seeding:
    """The state of one load. Generated ids come from the loader's own seeded generator (one
    millisecond per id), so the same file gives the same ids on every load."""

    def __init__(self, source: str, data: dict[str, Any], services: Services) -> None:
        self.source = source
        self.data = data
        self.services = services
        self.store = services.store
        self.clock = TickingClock(SEED_EPOCH)
        self.ids = SeedIds(self.clock, 20_11, given_ids(data))
        self.now = to_iso(SEED_EPOCH)
        self.profile_id = ""
        self.giftcard_profile_id = ""
        self.default_channel_id = ""
        self.region_refs: dict[str, Record] = {}
        self.variants_by_sku: dict[str, Record] = {}
        self.products_by_handle: dict[str, Record] = {}
        self.option_by_name: dict[str, Record] = {}
        self.customers_by_email: dict[str, Record] = {}
        self.tags_by_value: dict[str, Record] = {}
        self.types_by_value: dict[str, Record] = {}

    # -- reading entries -------------------------------------------------------------------------
    def fail(self, path: str, message: str) -> SeedError:
        return SeedError(self.source, path, message)

    def items(self, key: str) -> Entries:
        return self.sub(self.data.get(key), f"$.{key}")

    def sub(self, value: Any, where: str) -> Entries:
        """The objects of a list at ``where`` (``None`` is an empty list)."""
        if value is None:
            value = []
        if not isinstance(value, list):
            raise self.fail(where, "must be a list")
        out = []
        for i, entry in enumerate(value):
            if not isinstance(entry, dict):
                raise self.fail(f"{where}[{i}]", "must be an object")
            out.append((f"{where}[{i}]", entry))
        return out

    def req(self, entry: dict[str, Any], path: str, key: str, kind: type | tuple[type, ...],
            what: str) -> Any:
        if key not in entry:
            raise self.fail(f"{path}.{key}", f"is required ({what})")
        value = entry[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            raise self.fail(f"{path}.{key}", f"must be {what}")
        return value

    def opt(self, entry: dict[str, Any], path: str, key: str, kind: type | tuple[type, ...],
            what: str, default: Any = None) -> Any:
        if entry.get(key) is None:
            return default
        return self.req(entry, path, key, kind, what)

    def metadata(self, entry: dict[str, Any], path: str) -> Any:
        return self.opt(entry, path, "metadata", dict, "an object")

    def quantity(self, entry: dict[str, Any], path: str) -> int:
        quantity: int = self.req(entry, path, "quantity", int, "a positive integer")
        if quantity < 1:
            raise self.fail(f"{path}.quantity", "must be a positive integer")
        return quantity

    def region_ref(self, path: str, ref: Any) -> Record:
        region = self.region_refs.get(ref) if isinstance(ref, str) else None
        if region is None:
            raise self.fail(path, f"no region with id {ref!r} in $.regions")
        return region

    def variant(self, path: str, sku: str) -> Record:
        variant = self.variants_by_sku.get(sku)
        if variant is None:
            raise self.fail(path, f"no variant with sku {sku!r} in $.products")
        return variant

    # -- making rows -----------------------------------------------------------------------------
    def base(self, prefix: str, given: Any = None) -> Record:
        return {
            "id": given if isinstance(given, str) and given else self.ids.new(prefix),
            "created_at": self.now,
            "updated_at": self.now,
            "deleted_at": None,
        }

    def explicit_id(self, entry: dict[str, Any], path: str, table: str) -> str | None:
        """An ``id`` the seed gives an entity whose id Medusa keeps; unique in its table."""
        given = self.opt(entry, path, "id", str, "a string")
        if given is not None and self.store.tables[table].get(given) is not None:
            raise self.fail(f"{path}.id", f"duplicate id {given!r}")
        return given or None

    def tax_lines(self, prefix: str, computed: list[dict[str, Any]], **owner: str) -> list[Record]:
        """Stored tax lines, with the loader's ids, of lines the domain computed."""
        return [line_items.tax_line(t, line_id=self.ids.new(prefix), now=self.now, **owner)
                for t in computed]

    def price(self, path: str, variant: Record, region: Record, quantity: int, *,
              customer_id: str | None) -> int:
        """The unit price a line of ``quantity`` of the variant gets in ``region``, as a cart
        there would price it."""
        price = self.services.pricing.line_price(variant, region["id"], customer_id=customer_id,
                                                 quantity=quantity)
        if price is None:
            raise self.fail(path, f"variant {variant['sku']!r} has no "
                            f"{region['currency_code']} price")
        return price

    def line(self, variant: Record, price: int, quantity: int, region: Record,
             **columns: Any) -> Record:
        """The stored line (not stored yet) of ``quantity`` of the variant at ``price``, with
        ``columns`` (its owner, ...) and the region's tax lines."""
        fields = line_items.line_fields(self.store, variant, price, quantity)
        line = line_items.new_line(fields, line_id=self.ids.new("item"), now=self.now, **columns)
        line["tax_lines"] = self.tax_lines("litl", cart_totals.item_tax_lines(line, region),
                                           item_id=line["id"])
        return line
