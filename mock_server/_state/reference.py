"""Medusa's reference tables, as its migrations fill them: countries and currencies.

``data/countries.json`` lists ``[iso_2, iso_3, num_code, display_name]`` per country, in Medusa's
order; ``data/currencies.json`` maps a currency code to ``[symbol, symbol_native, name]``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def _data(name: str) -> Any:
    return json.loads(resources.files(__package__).joinpath("data", name).read_text("utf-8"))


COUNTRIES: list[list[Any]] = _data("countries.json")
CURRENCIES: dict[str, list[str]] = _data("currencies.json")
