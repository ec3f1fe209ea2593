"""The service container: one per app instance and one per sandbox, built from :class:`Settings`.

The container starts on an empty store; whoever builds it fills the store through the services
(the seed package does: ``mock_server._seed.build_services``), and ``reset`` returns to what the
store held right after that. :meth:`Services.spawn` makes another container holding the same
seed (a sandbox): everything a container holds (store, clock, outbox, ids, caches) is its own.
"""

from __future__ import annotations

import marshal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._settings import Settings
from .._state import snapshot
from .._state.clock import Clock
from .._state.faults import Faults
from .._state.ids import IdGenerator
from .._state.journal import RequestJournal
from .._state.outbox import EventOutbox
from .._state.store import Store
from .bounds import Bounds
from .carts import CartService
from .catalog import CatalogService
from .checkout import CheckoutService
from .customers import CustomerService
from .errors import ErrorType, MedusaError
from .inbox import InboxService
from .order_edits import OrderEditService
from .orders import OrderService
from .payment_collections import PaymentCollectionService
from .payments import PaymentProviders
from .pricing import PricingService
from .read_cache import ReadCache
from .returns import ReturnService
from .sessions import SessionService
from .tokens import TokenService


@dataclass
class Services:
    settings: Settings
    store: Store
    clock: Clock
    ids: IdGenerator
    outbox: EventOutbox
    tokens: TokenService
    customers: CustomerService
    orders: OrderService
    sessions: SessionService
    pricing: PricingService
    catalog: CatalogService
    payments: PaymentProviders
    carts: CartService
    checkout: CheckoutService
    returns: ReturnService
    payment_collections: PaymentCollectionService
    order_edits: OrderEditService
    bounds: Bounds
    inbox: InboxService
    faults: Faults
    """Fault rules and the randomness and waiting of faults and latency (HTTP applies them)."""
    journal: RequestJournal
    """What this instance received (HTTP records it)."""
    seed_state: bytes = b""
    """The store right after seeding (:meth:`Store.freeze`): what ``reset`` and sandboxes
    start from."""

    @classmethod
    def build(cls, settings: Settings, *, seed: Callable[[Services], None] | None,
              seed_state: bytes | None = None) -> Services:
        """The services on a new store, filled by ``seed`` (``None``: left empty), or restored
        from ``seed_state`` (another container's, see :meth:`spawn`)."""
        clock = Clock(frozen_at=settings.frozen_time)
        ids = IdGenerator(clock, seed=settings.id_seed)
        store = Store()
        outbox = EventOutbox(clock)
        bounds = Bounds(store, settings)
        tokens = TokenService(settings.jwt_secret, clock)
        customers = CustomerService(store, clock, ids, outbox, tokens, bounds)
        orders = OrderService(store, clock, outbox, tokens, customers)
        sessions = SessionService(store, clock, ids, bounds)
        pricing = PricingService(store)
        catalog = CatalogService(store, pricing, ReadCache(store, settings.read_cache))
        payments = PaymentProviders()
        carts = CartService(store, clock, ids, outbox, pricing, customers, payments,
                            catalog.default_sales_channel_id, bounds)
        checkout = CheckoutService(store, clock, ids, outbox, carts, orders, payments, bounds)
        returns = ReturnService(store, clock, ids, outbox, carts)
        payment_collections = PaymentCollectionService(store, clock, ids, outbox, payments)
        order_edits = OrderEditService(store, clock, outbox, payment_collections)
        services = cls(settings=settings, store=store, clock=clock, ids=ids, outbox=outbox,
                       tokens=tokens, customers=customers, orders=orders, sessions=sessions,
                       pricing=pricing, catalog=catalog, payments=payments, carts=carts,
                       checkout=checkout, returns=returns,
                       payment_collections=payment_collections, order_edits=order_edits,
                       bounds=bounds,
                       inbox=InboxService(outbox, orders, settings.storefront_url),
                       faults=Faults(clock, seed=settings.id_seed),
                       journal=RequestJournal(clock, settings.journal_size))
        if seed_state is not None:
            store.thaw(seed_state)
        elif seed is not None:
            seed(services)
        store.pin()  # seeded rows are never evicted
        services.seed_state = seed_state if seed_state is not None else store.freeze()
        return services

    def spawn(self, settings: Settings | None = None) -> Services:
        """A new container with the same seed, in the seeded state (a sandbox), on these
        settings (default: the same)."""
        return type(self).build(settings or self.settings, seed=None,
                                seed_state=self.seed_state)

    @property
    def seed_snapshot(self) -> dict[str, Any]:
        """The seeded store (a copy): ``{"tables": {name: {id: row}}, "counters": {...}}``."""
        state: dict[str, Any] = marshal.loads(self.seed_state)
        return state

    def reset(self) -> None:
        """Back to the seed: data, events, clock offset and id sequence; no fault rules, an empty
        request journal."""
        with self.store.lock:
            self.store.thaw(self.seed_state)
            self.outbox.clear()
            self.clock.reset()
            self.ids.reset()
            self.faults.reset()
            self.journal.clear()

    # -- saved states -------------------------------------------------------------------------
    def export_state(self, *, sandbox: str | None = None) -> dict[str, Any]:
        """The whole state as one JSON document (``_state/snapshot.py``)."""
        return snapshot.export(self.store, self.clock, self.outbox, self.ids, sandbox=sandbox)

    def record_counts(self) -> dict[str, int]:
        """Rows per non-empty table."""
        with self.store.lock:
            return {name: len(table) for name, table in self.store.tables.items() if len(table)}

    def save_state(self) -> Path:
        """Write the state to ``Settings.state_file`` (atomically); ``not_allowed`` without
        one."""
        path = self.settings.state_file
        if path is None:
            raise MedusaError(ErrorType.NOT_ALLOWED, "This sandbox has no state file: only the "
                              "default sandbox of `medusa-mock serve --state FILE` is saved "
                              "(GET /_mock/state exports any sandbox)")
        snapshot.write_file(path, self.export_state())
        return path

    def load_state_file(self) -> bool:
        """Load ``Settings.state_file`` when it exists (``SnapshotError``, one line, when it
        cannot be loaded); whether it was loaded."""
        path = self.settings.state_file
        parsed = snapshot.read_file(path) if path is not None else None
        if parsed is None:
            return False
        snapshot.apply(parsed, self.store, self.clock, self.outbox, self.ids)
        return True

    def import_state(self, document: Any) -> None:
        """Replace the whole state with a document :meth:`export_state` gave; a document that
        is not one is ``invalid_data`` naming the problem, and nothing changes."""
        try:
            parsed = snapshot.parse(document)
        except snapshot.SnapshotError as exc:
            raise MedusaError(ErrorType.INVALID_DATA, f"Invalid state document: {exc}") from None
        snapshot.apply(parsed, self.store, self.clock, self.outbox, self.ids)
