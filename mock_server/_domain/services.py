"""The service container: one per app instance, built from :class:`Settings`.

The container starts on an empty store; whoever builds it fills the store through the services
(the seed package does: ``mock_server._seed.build_services``), and ``reset`` returns to what the
store held right after that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._settings import Settings
from .._state.clock import Clock
from .._state.faults import Faults
from .._state.ids import IdGenerator
from .._state.journal import RequestJournal
from .._state.outbox import EventOutbox
from .._state.store import Store
from .carts import CartService
from .catalog import CatalogService
from .checkout import CheckoutService
from .customers import CustomerService
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
    inbox: InboxService
    faults: Faults
    """Fault rules and the randomness and waiting of faults and latency (HTTP applies them)."""
    journal: RequestJournal
    """What this instance received (HTTP records it)."""
    seed_snapshot: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Settings, *, seed: Callable[[Services], None] | None) -> Services:
        """The services on a new store, filled by ``seed`` (``None``: left empty)."""
        clock = Clock(frozen_at=settings.frozen_time)
        ids = IdGenerator(clock, seed=settings.id_seed)
        store = Store()
        outbox = EventOutbox(clock)
        tokens = TokenService(settings.jwt_secret, clock)
        customers = CustomerService(store, clock, ids, outbox, tokens)
        orders = OrderService(store, clock, outbox, tokens, customers)
        sessions = SessionService(store, clock, ids)
        pricing = PricingService(store)
        catalog = CatalogService(store, pricing, ReadCache(store, settings.read_cache))
        payments = PaymentProviders()
        carts = CartService(store, clock, ids, outbox, pricing, customers, payments,
                            catalog.default_sales_channel_id)
        checkout = CheckoutService(store, clock, ids, outbox, carts, orders, payments)
        returns = ReturnService(store, clock, ids, outbox, carts)
        payment_collections = PaymentCollectionService(store, clock, ids, outbox, payments)
        order_edits = OrderEditService(store, clock, outbox, payment_collections)
        services = cls(settings=settings, store=store, clock=clock, ids=ids, outbox=outbox,
                       tokens=tokens, customers=customers, orders=orders, sessions=sessions,
                       pricing=pricing, catalog=catalog, payments=payments, carts=carts,
                       checkout=checkout, returns=returns,
                       payment_collections=payment_collections, order_edits=order_edits,
                       inbox=InboxService(outbox, orders, settings.storefront_url),
                       faults=Faults(clock, seed=settings.id_seed),
                       journal=RequestJournal(clock, settings.journal_size))
        if seed is not None:
            seed(services)
        services.seed_snapshot = store.snapshot()
        return services

    def reset(self) -> None:
        """Back to the seed: data, events, clock offset and id sequence; no fault rules, an empty
        request journal."""
        with self.store.lock:
            self.store.restore(self.seed_snapshot)
            self.outbox.clear()
            self.clock.reset()
            self.ids.reset()
            self.faults.reset()
            self.journal.clear()
