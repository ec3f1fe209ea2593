"""Customers: registration, profile, addresses, login and password reset, as Medusa does them."""

from __future__ import annotations

import re
from typing import Any

from .._quirks import implements
from .._state.clock import Clock
from .._state.ids import IdGenerator
from .._state.outbox import EventOutbox
from .._state.store import Record, Store
from . import views
from .bounds import Bounds
from .errors import ErrorType, MedusaError, UnexpectedError, not_found
from .passwords import hash_password, verify_password
from .tokens import TokenError, TokenService

PASSWORD_RESET_EVENT = "customer.password_reset"
PASSWORD_RESET_TTL = 15 * 60
ADDRESS_KEYS = (
    "company", "first_name", "last_name", "address_1", "address_2", "city", "country_code",
    "province", "postal_code", "phone", "metadata",
)
UPDATABLE_CUSTOMER_KEYS = ("first_name", "last_name", "phone", "email")
# what ``addAddress`` compares (with ``===``) to find the same address in the address book
SAME_ADDRESS_KEYS = ("address_1", "address_2", "city", "phone", "postal_code", "province",
                     "first_name", "last_name")
# the value part of PostgreSQL's foreign-key detail as Medusa's exception formatter reads it
_KEY_VALUE = re.compile(r"[\w-]+", re.ASCII)


def check_country(store: Store, code: Any) -> None:
    """An address names its country by ``country_code``, a foreign key to the country table
    (lower-case ISO codes): PostgreSQL refuses any other value when the row is written, which
    Medusa's exception formatter answers as ``not_found`` ``Country with country_code <code>
    does not exist.`` (``null`` when the value is not one word, as ``""``). ``None`` is no
    country and passes."""
    if code is None or (isinstance(code, str) and store.countries.get(code) is not None):
        return
    value = str(code)
    message = (f"Country with country_code {value} does not exist."
               if _KEY_VALUE.fullmatch(value) else "null")
    raise MedusaError(ErrorType.NOT_FOUND, message)


class CustomerService:
    def __init__(self, store: Store, clock: Clock, ids: IdGenerator, outbox: EventOutbox,
                 tokens: TokenService, bounds: Bounds) -> None:
        self.store = store
        self.clock = clock
        self.ids = ids
        self.outbox = outbox
        self.tokens = tokens
        self.bounds = bounds

    # -- lookups -------------------------------------------------------------------------------
    def get(self, customer_id: Any) -> Record:
        if customer_id is None:
            raise MedusaError(ErrorType.NOT_FOUND, '"customerId" must be defined')
        record = self.store.customers.get(customer_id) if isinstance(customer_id, str) else None
        if record is None or record["deleted_at"] is not None:
            raise not_found("Customer", id=customer_id)
        self.store.customers.touch(customer_id)
        return record

    def find_by_email(self, email: str, *, registered: bool | None = None) -> Record | None:
        email = email.lower()
        return next((c for c in self.store.customers.by("email", email)
                     if c["deleted_at"] is None
                     and (registered is None or c["has_account"] == registered)), None)

    def view(self, customer_id: str, *, with_orders: bool = False) -> dict[str, Any]:
        with self.store.lock:
            return views.customer(self.store, self.get(customer_id), with_orders=with_orders)

    def exists(self, email: str) -> bool:
        with self.store.lock:
            record = self.find_by_email(email)
            return bool(record and record["has_account"])

    # -- registration and profile --------------------------------------------------------------
    def _touch(self, record: Record) -> None:
        record["updated_at"] = self.clock.iso()
        self.store.customers.put(record)  # stored again: its email may be another now

    def create(self, data: dict[str, Any]) -> Record:
        email = data["email"].lower()
        password = data.get("password")
        with self.store.lock:
            existing = [c for c in self.store.customers.by("email", email)
                        if c["deleted_at"] is None][:2]
            if existing:
                if any(c["has_account"] for c in existing) and password:
                    raise MedusaError(ErrorType.DUPLICATE_ERROR, "A customer with the given email "
                                      "already has an account. Log in instead")
                if any(not c["has_account"] for c in existing) and not password:
                    raise MedusaError(ErrorType.DUPLICATE_ERROR,
                                      "Guest customer with email already exists")
            self.bounds.make_room("customers")
            now = self.clock.iso()
            record = {
                "id": self.ids.new("cus"), "email": email,
                "first_name": data.get("first_name"), "last_name": data.get("last_name"),
                "billing_address_id": None, "phone": data.get("phone"),
                "has_account": bool(password),
                "password_hash": hash_password(password) if password else None,
                "metadata": data.get("metadata"), "created_at": now, "updated_at": now,
                "deleted_at": None,
            }
            self.store.customers.put(record)
            self.outbox.emit("customer.created", views.customer(self.store, record))
            return record

    @implements("customer-email-update-as-sent", "null-optional-properties")
    def update(self, customer_id: str, data: dict[str, Any]) -> Record:
        with self.store.lock:
            record = self.get(customer_id)
            # Medusa writes the billing address, then the customer row, in one transaction:
            # the address's refusals come first, then the row's (a null email), then the writes
            billing = (self._billing_address(record, data["billing_address"])
                       if "billing_address" in data else None)
            if "email" in data and data["email"] is None:
                raise MedusaError(ErrorType.INVALID_DATA, "Can't insert null value in field "
                                  "email on insert in table customer")
            if data.get("email"):
                self._check_email_free(record, data["email"])
            if billing is not None:
                self._set_billing_address(record, data["billing_address"], *billing)
            for key in UPDATABLE_CUSTOMER_KEYS:
                if key in data:  # as sent: ``update`` does not lower-case an email
                    record[key] = data[key]
            if isinstance(data.get("metadata"), dict):  # any object is truthy, {} too
                merged = dict(record.get("metadata") or {})
                for key, value in data["metadata"].items():
                    if value == "":
                        merged.pop(key, None)
                    else:
                        merged[key] = value
                record["metadata"] = merged
            if data.get("password"):
                record["password_hash"] = hash_password(data["password"])
            self._touch(record)
            self.outbox.emit("customer.updated", {"id": record["id"]})
            return record

    def _check_email_free(self, customer: Record, email: str) -> None:
        """The customer table's unique index on (email, has_account): another customer with
        this email and the same kind of account makes the row fail, answered as Medusa's
        exception formatter words PostgreSQL's detail."""
        taken = next((c for c in self.store.customers.by("email", email)
                      if c["deleted_at"] is None and c["has_account"] == customer["has_account"]
                      and c["id"] != customer["id"]), None)
        if taken is not None:
            flag = "t" if customer["has_account"] else "f"
            raise MedusaError(ErrorType.DUPLICATE_ERROR, f"Customer with email, has_account "
                              f"{email}, {flag} already exists.")

    def _linkable(self, customer: Record, address: Record) -> bool:
        """Whether ``customer`` may make ``address`` its billing address: a row of its own address
        book, its billing address, or an address of one of its own orders or carts (quirk
        ``billing-address-foreign-id``: Medusa links any address id)."""
        owner = customer["id"]
        if address["customer_id"] == owner or address["id"] == customer["billing_address_id"]:
            return True
        return any(row.get("customer_id") == owner
                   for table in (self.store.orders, self.store.carts)
                   for column in ("shipping_address_id", "billing_address_id")
                   for row in table.by(column, address["id"]))

    def _billing_address(self, customer: Record, value: Any) -> tuple[Record | None,
                                                                       dict[str, Any]]:
        """What ``updateBillingAddress_`` would link (an address of the book) or write (the
        fields of a new or changed address), after its checks; nothing for ``null``, which
        unlinks the billing address."""
        if value is None:
            return None, {}
        if isinstance(value, str):
            address = self.store.addresses.get(value)
            if (address is None or address["deleted_at"] is not None
                    or not self._linkable(customer, address)):
                # Another customer's address answers like an unknown id: no existence oracle.
                raise MedusaError(ErrorType.NOT_FOUND, f"Address with id {value} was not found")
            return address, {}
        fields = {k: value.get(k) for k in ADDRESS_KEYS if k in value}
        if fields.get("country_code"):
            fields["country_code"] = fields["country_code"].lower()
        check_country(self.store, fields.get("country_code"))
        return None, fields

    def _set_billing_address(self, customer: Record, value: Any, linked: Record | None,
                             fields: dict[str, Any]) -> None:
        """Write what :meth:`_billing_address` resolved ``value`` to."""
        if value is None:
            customer["billing_address_id"] = None
            return
        if linked is not None:
            customer["billing_address_id"] = linked["id"]
            return
        current = self.store.addresses.get(customer.get("billing_address_id") or "")
        if current is not None:
            current.update(fields)
            current["updated_at"] = self.clock.iso()
            return
        address = self._new_address(None, fields)
        customer["billing_address_id"] = address["id"]

    # -- addresses -----------------------------------------------------------------------------
    def _new_address(self, customer_id: str | None, fields: dict[str, Any]) -> Record:
        now = self.clock.iso()
        record: Record = {"id": self.ids.new("addr"), "customer_id": customer_id}
        for key in ADDRESS_KEYS:
            record[key] = fields.get(key)
        record.update({"created_at": now, "updated_at": now, "deleted_at": None})
        self.store.addresses.put(record)
        return record

    def add_address(self, customer_id: str, fields: dict[str, Any]) -> None:
        """``addAddress``: nothing is added when the address book holds the same address, as
        Medusa compares it: field by field with ``===``, so a field the request leaves out
        (``undefined``) never equals a stored ``null``."""
        fields = dict(fields)
        fields["country_code"] = str(fields.get("country_code") or "").lower()
        with self.store.lock:
            self.get(customer_id)
            for existing in views.customer_addresses(self.store, customer_id):
                if (str(existing.get("country_code") or "").lower() == fields["country_code"]
                        and all(k in fields and existing.get(k) == fields[k]
                                for k in SAME_ADDRESS_KEYS)):
                    return
            check_country(self.store, fields["country_code"])
            self._new_address(customer_id, fields)

    def _own_address(self, customer_id: str, address_id: str) -> Record | None:
        address = self.store.addresses.get(address_id)
        if address is None or address["customer_id"] != customer_id or address["deleted_at"]:
            return None
        return address

    def update_address(self, customer_id: str, address_id: str, fields: dict[str, Any]) -> None:
        with self.store.lock:
            address = self._own_address(customer_id, address_id)
            if address is None:
                raise MedusaError(ErrorType.INVALID_DATA, "Could not find address for customer")
            code = fields.get("country_code")
            check_country(self.store, code.lower() if isinstance(code, str) else code)
            for key in ADDRESS_KEYS:
                # a null country_code is ``undefined`` after ``?.toLowerCase()``: not written
                if key in fields and not (key == "country_code" and fields[key] is None):
                    value = fields[key]
                    address[key] = value.lower() if key == "country_code" and value else value
            address["updated_at"] = self.clock.iso()

    def remove_address(self, customer_id: str, address_id: str) -> None:
        with self.store.lock:
            address = self._own_address(customer_id, address_id)
            if address is not None:
                address["deleted_at"] = self.clock.iso()

    # -- authentication ------------------------------------------------------------------------
    def authenticate(self, email: str, password: str) -> Record | None:
        """The registered customer with these credentials, or ``None``."""
        with self.store.lock:
            record = self.find_by_email(email, registered=True)
            password_hash = record["password_hash"] if record else None
            if record is not None:
                self.store.customers.touch(record["id"])
        if record is None or not verify_password(password, password_hash):
            return None
        return record

    def request_password_reset(self, email: str) -> None:
        """Emit a reset token for a registered customer; say nothing about unknown emails."""
        with self.store.lock:
            record = self.find_by_email(email, registered=True)
            if record is None:
                return
            token = self.tokens.sign(
                {"customer_id": record["id"],
                 "exp": int(self.clock.time()) + PASSWORD_RESET_TTL},
                secret=record["password_hash"])
            self.outbox.emit(PASSWORD_RESET_EVENT, {
                "id": record["id"], "email": record["email"],
                "first_name": record["first_name"], "last_name": record["last_name"],
                "token": token,
            })

    def reset_password(self, email: str, token: str, password: str) -> Record:
        with self.store.lock:
            record = self.find_by_email(email, registered=True)
            claims = None
            if record is not None:
                try:
                    claims = self.tokens.verify(token, secret=record["password_hash"])
                except TokenError as exc:
                    # Medusa lets jsonwebtoken's error escape: unexpected (quirk registry).
                    raise UnexpectedError(str(exc), quirk="password-reset-bad-token-500") from None
            if record is None or claims is None or claims.get("customer_id") != record["id"]:
                raise MedusaError(ErrorType.UNAUTHORIZED, "Invalid or expired password reset token")
            record["password_hash"] = hash_password(password)
            self._touch(record)
            return record
