"""Seeding: a seed file in Medusa's ``medusa seed`` format (plus the mock's extensions) loaded
into the store through the domain services.

This package sits above the domain: the loader checks the file and decides ids (its own seeded
generator, one millisecond per id, so rows sort by id in the order they were created, as
Medusa's do, and the same file gives the same ids on every load), and it asks the domain for
everything the domain decides: prices, the shape and tax lines of a line item, stock, password
hashes, an order's total, a payment session's data. ``medusa.py`` holds Medusa's own keys,
``extensions.py`` the mock's extensions, ``order_edits.py`` the seeded order edits.
"""

from __future__ import annotations

from typing import Any

from .._domain.services import Services
from .._settings import Settings
from . import extensions, medusa, order_edits
from .context import Seeding
from .files import SeedError, default_seed_path, read_seed
from .images import absolute_image_urls
from .medusa import kebab_case

__all__ = ["SeedError", "build_services", "default_seed_path", "kebab_case", "load_seed",
           "read_seed"]


def build_services(settings: Settings) -> Services:
    """The services of an app, their store filled from ``settings.seed`` (the bundled demo
    store without one). Raises :class:`SeedError` for a seed that cannot be loaded."""
    source, data = read_seed(settings.seed)
    data = absolute_image_urls(data, settings.base_url)
    return Services.build(settings,
                          seed=lambda services: load_seed(services, data, source=source))


def load_seed(services: Services, data: dict[str, Any], *, source: str) -> None:
    """Fill the services' empty store from parsed seed ``data``; raise :class:`SeedError` if
    invalid (``source`` names the file in its messages)."""
    seed = Seeding(source, data, services)
    with services.store.lock:
        medusa.load_countries(seed)
        medusa.load_defaults(seed)
        medusa.load_store(seed)
        medusa.load_regions(seed)
        extensions.load_payment_providers(seed)
        medusa.load_shipping_options(seed)
        medusa.load_categories(seed)
        medusa.load_collections(seed)
        extensions.load_tags_and_types(seed)
        medusa.load_products(seed)
        medusa.load_publishable_api_keys(seed)
        extensions.load_sales_channels(seed)
        extensions.load_gift_cards(seed)
        extensions.load_discounts(seed)
        extensions.load_return_reasons(seed)
        extensions.load_customers(seed)
        extensions.load_orders(seed)
        order_edits.load_order_edits(seed)
