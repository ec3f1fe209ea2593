"""Gift cards: look one up by its code (value, balance, region)."""

from __future__ import annotations

from typing import Any

from .._context import current
from .._responses import json_response


def get_gift_cards_code(code: str) -> Any:
    return json_response({"gift_card": current().services.catalog.retrieve_gift_card(code)})
