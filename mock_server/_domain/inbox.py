"""The inbox: the e-mails a real Medusa's notification subscribers would send, read from the
event outbox.

Medusa itself sends no e-mail: a notification plugin (SendGrid, SMTP, ...) subscribes to
events and mails the customer. The inbox renders the events such a plugin acts on as the
e-mail would read: the claim token (``order-update-token.created``), the password reset
(``customer.password_reset``), an order placed (``order.placed``) and a return requested
(``order.return_requested``). A message carries its token, a link into the storefront and, for
a claim or a reset, the action a customer would take with it (``confirm-claim``,
``reset-password``; the control plane names the Store API request that does it).

Links come from templates (``Settings.storefront_url``): ``KIND=TEMPLATE`` sets one kind of
e-mail (``claim``, ``password-reset``, ``order``), a value without ``KIND=`` is the storefront's
base URL in every default template. Templates name ``{token}``, ``{email}``, ``{order_id}``
and ``{display_id}`` (URL-encoded when filled in).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from .._claim_tokens import CLAIM_TOKEN_EVENT
from .._state.outbox import EventOutbox
from .customers import PASSWORD_RESET_EVENT
from .errors import MedusaError
from .orders import OrderService

DEFAULT_STOREFRONT = "http://localhost:8000"
DEFAULT_LINKS = {
    "claim": "{base}/account/claim?token={token}",
    "password-reset": "{base}/account/reset-password?token={token}&email={email}",
    "order": "{base}/order/confirmed/{order_id}",
}
KINDS = tuple(DEFAULT_LINKS)


def link_templates(values: tuple[str, ...]) -> dict[str, str]:
    """The link template of each kind of e-mail from ``--storefront-url`` values; a
    ``ValueError`` names a bad value."""
    base = DEFAULT_STOREFRONT
    own: dict[str, str] = {}
    for value in values:
        kind, sep, template = value.partition("=")
        if sep and kind in KINDS:
            own[kind] = template
        elif sep and "://" not in kind:
            raise ValueError(f"unknown kind of e-mail {kind!r} in {value!r} "
                             f"(one of {', '.join(KINDS)})")
        else:
            base = value.rstrip("/")
    templates = {kind: own.get(kind) or default.replace("{base}", base)
                 for kind, default in DEFAULT_LINKS.items()}
    for kind, template in templates.items():
        try:
            template.format(token="", email="", order_id="", display_id="")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"the {kind} link template {template!r} names an unknown "
                             f"placeholder or is malformed ({exc})") from None
    return templates


def _token_mail(to: Any, subject: str, text: str, token: Any, link: str, action: str
                ) -> dict[str, Any]:
    """A message that carries a token, and the action a customer takes with it."""
    return {"to": to, "subject": subject, "text": text, "token": token, "link": link,
            "action": action}


def _money(amount: Any, currency: str | None) -> str:
    if not isinstance(amount, int | float):
        return "-"
    return f"{amount / 100:.2f} {(currency or '').upper()}".strip()


class InboxService:
    def __init__(self, outbox: EventOutbox, orders: OrderService,
                 storefront_url: tuple[str, ...]) -> None:
        self.outbox = outbox
        self.orders = orders
        self.links = link_templates(storefront_url)

    def _link(self, kind: str, **values: Any) -> str:
        filled = {key: quote(str(values.get(key, "")), safe="")
                  for key in ("token", "email", "order_id", "display_id")}
        return self.links[kind].format(**filled)

    def _order(self, order_id: Any) -> dict[str, Any] | None:
        try:
            return self.orders.retrieve(str(order_id))
        except MedusaError:
            return None

    def messages(self) -> list[dict[str, Any]]:
        """Every e-mail since start (or the last reset), oldest first; ``id`` is the event's
        position in the outbox."""
        out = []
        for position, event in enumerate(self.outbox.list()):
            render = _RENDERERS.get(event["name"])
            message = render(self, event["data"]) if render else None
            if message is not None:
                out.append({"id": f"msg_{position + 1}", "event": event["name"],
                            "created_at": event["created_at"], **message})
        return out

    def _claim(self, data: dict[str, Any]) -> dict[str, Any] | None:
        token = data.get("token")
        orders = [self._order(i) for i in data.get("orders") or []]
        numbers = ", ".join(f"#{o['display_id']}" for o in orders if o)
        link = self._link("claim", token=token, email=data.get("old_email"))
        text = (f"Someone asked to add the orders {numbers or '(none found)'}, placed with this "
                f"e-mail address, to their account. If that was you, confirm it:\n\n{link}\n\n"
                f"The link holds this token, valid for 15 minutes:\n{token}\n\n"
                f"If it was not you, ignore this e-mail.")
        return _token_mail(data.get("old_email"), "Confirm that these orders are yours", text,
                           token, link, "confirm-claim")

    def _password_reset(self, data: dict[str, Any]) -> dict[str, Any] | None:
        token, email = data.get("token"), data.get("email")
        link = self._link("password-reset", token=token, email=email)
        name = " ".join(n for n in (data.get("first_name"), data.get("last_name")) if n)
        text = (f"Hello {name or email},\n\nsomeone asked to reset the password of your account. "
                f"Choose a new one here:\n\n{link}\n\nThe link holds this token:\n{token}\n\n"
                f"If it was not you, ignore this e-mail: your password stays as it is.")
        return _token_mail(email, "Reset your password", text, token, link, "reset-password")

    def _notified_order(self, data: dict[str, Any]) -> dict[str, Any] | None:
        """The order an order event is about, unless the event asks for no notification."""
        return None if data.get("no_notification") else self._order(data.get("id"))

    def _order_placed(self, data: dict[str, Any]) -> dict[str, Any] | None:
        order = self._notified_order(data)
        if order is None:
            return None
        currency = order.get("currency_code")
        lines = "\n".join(f"  {item.get('quantity')} x {item.get('title')}"
                          f"{' - ' + item['variant']['title'] if item.get('variant') else ''}"
                          f"  {_money(item.get('total'), currency)}"
                          for item in order.get("items") or [])
        link = self._link("order", order_id=order["id"], email=order.get("email"),
                          display_id=order.get("display_id"))
        return {
            "to": order.get("email"), "subject": f"Order #{order['display_id']} confirmed",
            "text": (f"Thank you for your order #{order['display_id']}.\n\n{lines}\n\n"
                     f"Shipping: {_money(order.get('shipping_total'), currency)}\n"
                     f"Tax: {_money(order.get('tax_total'), currency)}\n"
                     f"Total: {_money(order.get('total'), currency)}\n\n{link}"),
            "link": link,
        }

    def _return_requested(self, data: dict[str, Any]) -> dict[str, Any] | None:
        order = self._notified_order(data)
        if order is None:
            return None
        return {
            "to": order.get("email"),
            "subject": f"Return requested for order #{order['display_id']}",
            "text": (f"We received your return request for order #{order['display_id']} "
                     f"(return {data.get('return_id')}). We will tell you when it arrives."),
        }


_RENDERERS = {
    CLAIM_TOKEN_EVENT: InboxService._claim,
    PASSWORD_RESET_EVENT: InboxService._password_reset,
    "order.placed": InboxService._order_placed,
    "order.return_requested": InboxService._return_requested,
}
