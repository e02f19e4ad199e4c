"""An emulated QuickBooks Desktop company file that answers qbXML message sets."""

from __future__ import annotations

import copy
import json
import os
import random
import tempfile
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from sfqb.sandbox.qbd.books import LINKED, Books, SandboxError
from sfqb.sandbox.qbd.dataext import CUSTOM_FIELDS, PUBLIC, DataExtHandlers
from sfqb.sandbox.qbd.faults import Faults, LostReply
from sfqb.sandbox.qbd.fields import parse_fields
from sfqb.sandbox.qbd.lists import ListHandlers
from sfqb.sandbox.qbd.merge import delete, merge
from sfqb.sandbox.qbd.messageset import MessageSetProcessor
from sfqb.sandbox.qbd.meta import HostInfo, MetaHandlers
from sfqb.sandbox.qbd.payments import PaymentHandlers
from sfqb.sandbox.qbd.queries import QueryEngine
from sfqb.sandbox.qbd.records import (
    CompanyState,
    DataExtDef,
    Deletion,
    Record,
    Value,
    data_ext_key,
)
from sfqb.sandbox.qbd.schema import QBStatusError, Schema, load_schema
from sfqb.sandbox.qbd.settings import SandboxSettings
from sfqb.sandbox.qbd.txns import TxnHandlers

Clock = Callable[[], datetime]
Sleep = Callable[[float], None]


class SandboxStateError(SandboxError):
    """A saved company file cannot be read."""


class CompanyFile:
    """One emulated company: process() takes a qbXML request set and returns the response.

    `clock` supplies every TimeCreated/TimeModified; `rng` drives random faults and iterator
    IDs; `sleep`, when given, is called with the round-trip latency (settings.latency_ms).
    """

    def __init__(
        self,
        settings: SandboxSettings,
        clock: Clock,
        rng: random.Random,
        *,
        sleep: Sleep | None = None,
        state: CompanyState | None = None,
        schema: Schema | None = None,
    ) -> None:
        self._settings = settings
        self._clock = clock
        self._rng = rng
        self._sleep = sleep
        self.schema = schema or load_schema()
        self.faults = Faults(rng)
        self.books = Books(
            self.schema, lambda: self._settings, clock, self.faults, state or CompanyState()
        )
        self._queries = QueryEngine(self.books, rng)
        self._lists = ListHandlers(self.books, self._queries)
        self._txns = TxnHandlers(self.books, self._queries)
        self._payments = PaymentHandlers(self.books)
        self._meta = MetaHandlers(self.books)
        dataext = self._dataext = DataExtHandlers(self.books)
        parts = (self._lists, self._txns, self._payments, self._meta, dataext)
        handlers = {k: v for part in parts for k, v in part.table().items()}
        shapes = {
            k: v
            for part in (self._lists, self._txns, self._payments, dataext)
            for k, v in part.shapes().items()
        }
        self._processor = MessageSetProcessor(
            self.schema, lambda: self._settings, self.faults, handlers, shapes
        )
        if not self.books.records(("Account",)):
            self._seed_lists()

    def _seed_lists(self) -> None:
        """A new company's chart of accounts, terms and sales tax codes (data/company_lists)."""
        text = resources.files("sfqb.sandbox.qbd").joinpath("data", "company_lists.yaml")
        for entry in yaml.safe_load(text.read_text(encoding="utf-8")):
            fields = {str(k): str(v) for k, v in entry.items() if k != "kind"}
            spec = self.schema.kinds[str(entry["kind"])]
            self.books.create(spec, self._user_values(spec.name, fields))

    # --- the QuickBooks side ---------------------------------------------------------------

    @property
    def settings(self) -> SandboxSettings:
        """The current settings."""
        return self._settings

    def configure(self, **changes: Any) -> None:
        """Change settings (e.g. connector_down=True); raises SettingsError on bad values."""
        self._settings = self._settings.with_changes(**changes)

    def begin_session(self) -> None:
        """Open a connection as the Web Connector does; raises ConnectorDown during an outage."""
        down = self.faults.take_connector_down(self._settings.connector_down)
        if down is not None:
            raise down

    def end_session(self) -> None:
        """Close the connection: open iterators die with the session."""
        self._queries.iterators.clear()

    def process(self, request_xml: str) -> str:
        """Process a qbXML request message set and return the response message set.

        Raises ConnectorDown during an outage, RequestRejected (an HRESULT) when QuickBooks'
        parser would refuse the document, and LostReply when the set was processed but the
        reply is to be lost.
        """
        self.begin_session()
        if self._settings.latency_ms and self._sleep is not None:
            self._sleep(self._settings.latency_ms / 1000)
        response = self._processor.process(request_xml)
        if self.faults.take_lost_reply(self._settings.lost_reply_rate):
            raise LostReply()
        return response

    def host_info(self) -> HostInfo:
        """Product, version and supported qbXML versions, as HostQuery reports them."""
        return self._meta.host_info()

    # --- inspection -------------------------------------------------------------------------

    def records(self, *kinds: str) -> list[Record]:
        """Copies of the stored records of the given kinds, in creation order."""
        return [copy.deepcopy(r) for r in self.books.records(kinds)]

    def customers(self) -> list[Record]:
        """Every customer (and job)."""
        return self.records("Customer")

    def vendors(self) -> list[Record]:
        """Every vendor."""
        return self.records("Vendor")

    def items(self) -> list[Record]:
        """Every item of every kind."""
        return self.records(*self.books.family_kinds("item"))

    def invoices(self) -> list[Record]:
        """Every invoice."""
        return self.records("Invoice")

    def payments(self) -> list[Record]:
        """Every received payment."""
        return self.records("ReceivePayment")

    def get(self, record_id: str) -> Record | None:
        """A copy of the record with this ListID or TxnID, or None."""
        record = self.books.state.records.get(record_id.upper())
        return copy.deepcopy(record) if record is not None else None

    def find(self, kind: str, full_name: str) -> Record | None:
        """A copy of the record of `kind` (or family "entity"/"item") with this FullName."""
        kinds = self.books.family_kinds(kind) or (kind,)
        record = self.books.by_full_name(kinds, full_name)
        return copy.deepcopy(record) if record is not None else None

    def full_name(self, record_id: str) -> str:
        """The current FullName of a list object."""
        return self.books.full_name(self._stored(record_id))

    def balance(self, txn_id: str) -> Decimal:
        """An invoice's open balance."""
        return self.books.balance(self._stored(txn_id))

    def deletions(self) -> list[Deletion]:
        """Every deletion logged so far."""
        return list(self.books.state.deletions)

    def _stored(self, record_id: str) -> Record:
        record = self.books.state.records.get(record_id.upper())
        if record is None:
            raise SandboxError(f"no record {record_id!r} in the sandbox company")
        return record

    # --- a QuickBooks user at work ----------------------------------------------------------

    def add_as_user(self, kind: str, name: str, **fields: str) -> Record:
        """Create a list object from the QuickBooks UI (no rights or lock checks)."""
        spec = self.schema.kinds.get(kind)
        if spec is None or spec.is_txn:
            raise SandboxError(f"cannot add a {kind!r} as a user")
        values = self._user_values(spec.name, {"Name": name, **fields})
        try:
            self._lists.prepare(spec, values, None)
        except QBStatusError as error:
            raise SandboxError(error.message) from None
        return copy.deepcopy(self.books.create(spec, values))

    def modify_as_user(self, record_id: str, **fields: str) -> Record:
        """Edit a record in the QuickBooks UI: its EditSequence and TimeModified change."""
        record = self._stored(record_id)
        spec = self.books.kind(record)
        values = self._user_values(spec.name, fields)
        try:
            if not spec.is_txn:
                self._lists.prepare(spec, values, record)
        except QBStatusError as error:
            raise SandboxError(error.message) from None
        record.fields.update(values)
        self.books.touch(record)
        return copy.deepcopy(record)

    def make_top_level_as_user(self, record_id: str) -> Record:
        """Move a job (or sub-item) to the top of its list, as a person does in QuickBooks'
        list window; its name must be free there (3100 otherwise)."""
        record = self._stored(record_id)
        if not record.ref_id("ParentRef"):
            raise SandboxError(f"{record_id} is already at the top of its list")
        spec = self.books.kind(record)
        try:
            self.books.check_name_free(spec.family, record.name(), record.id)
        except QBStatusError as error:
            raise SandboxError(error.message) from None
        record.fields.pop("ParentRef")
        self.books.touch(record)
        return copy.deepcopy(record)

    def _user_values(self, kind: str, fields: dict[str, str]) -> dict[str, Any]:
        body = etree.Element(kind)
        for key, value in fields.items():
            if key.endswith("Ref"):  # a reference picked by its full name (e.g. a job's parent)
                etree.SubElement(etree.SubElement(body, key), "FullName").text = value
            else:
                etree.SubElement(body, key).text = value
        spec = self.schema.kinds[kind]
        try:
            values = parse_fields(self.schema, spec.fields, body, mod=True)
        except QBStatusError as error:
            raise SandboxError(error.message) from None
        unknown = set(fields) - set(values)
        if unknown:
            raise SandboxError(f"{kind} has no field {sorted(unknown)[0]!r} in the sandbox")
        return dict(values)

    def define_custom_field_as_user(self, name: str, *lists: str) -> None:
        """Define a custom field (OwnerID 0) in QuickBooks' Define Fields window.

        The UI has the slots of the edition as DataExtDefAdd does (data/custom_fields.yaml).
        """
        try:
            if self._dataext.find_def(PUBLIC, name) is not None:
                raise self.schema.status("name_in_use", value=name)
            self._dataext.check_public(name, CUSTOM_FIELDS["type"], list(lists))
        except QBStatusError as error:
            raise SandboxError(error.message) from None
        state = self.books.state
        state.data_ext_defs.append(
            DataExtDef(PUBLIC, state.next("data_ext_id"), name, CUSTOM_FIELDS["type"], list(lists))
        )

    def set_custom_field_as_user(self, record_id: str, name: str, value: str) -> Record:
        """Type (or, with "", clear) a custom field on a customer, vendor or item in the UI.

        The record is modified: new TimeModified and EditSequence (as DataExtAdd/Mod/Del do).
        """
        record = self._stored(record_id)
        definition = self._dataext.find_def(PUBLIC, name)
        list_type = "Item" if self.books.kind(record).family == "item" else record.kind
        if definition is None or list_type not in definition.assign_to:
            raise SandboxError(f"{record.kind} has no custom field {name!r}")
        key = data_ext_key(PUBLIC, definition.name)
        if value:
            record.data_ext[key] = {
                "OwnerID": PUBLIC,
                "DataExtName": definition.name,
                "DataExtType": definition.type,
                "DataExtValue": value[:255],
            }
        else:
            record.data_ext.pop(key, None)
        self.books.touch(record)
        return copy.deepcopy(record)

    def custom_field(self, record_id: str, name: str, owner_id: str = PUBLIC) -> str | None:
        """The value of a custom field (public by default) on a record, or None."""
        value = self._stored(record_id).data_ext.get(data_ext_key(owner_id, name))
        return None if value is None else value["DataExtValue"]

    def delete_as_user(self, record_id: str) -> Deletion:
        """Delete a record in the QuickBooks UI; ListDeleted/TxnDeletedQuery then report it."""
        return delete(self.books, self._stored(record_id))

    def merge_as_user(self, record_id: str, into_id: str) -> Deletion:
        """Rename a list entry to another entry's name and confirm the merge (see merge.py):
        the first record is deleted (ListDeletedQuery reports it), its transactions now name
        the second."""
        return merge(self.books, self._stored(record_id), self._stored(into_id))

    def open_record_by_user(self, record_id: str) -> None:
        """A QuickBooks user opens the record for editing: Mods get 3170 (or 3175)."""
        self.books.holds.add(self._stored(record_id).id)

    def close_record_by_user(self, record_id: str) -> None:
        """The user closes the record's window again."""
        self.books.holds.discard(record_id.upper())

    def invoice_sales_order(self, order_id: str) -> Record:
        """Create Invoice in the QuickBooks UI from a whole sales order: the invoice copies
        its lines, both are linked (LinkedTxn), and the order is fully invoiced."""
        order = self._stored(order_id)
        books = self.books
        values: dict[str, Value] = {
            k: order.fields[k] for k in ("CustomerRef", "TxnDate") if k in order.fields
        }
        values["RefNumber"] = str(books.state.next("ref:Invoice"))
        lines = [
            {k: v for k, v in line.items() if k not in ("Invoiced", "IsManuallyClosed")}
            for line in order.lines
        ]
        invoice = books.create(books.schema.kinds["Invoice"], values, lines)
        for line in order.lines:
            line["Invoiced"] = line.get("Quantity") or "0"
        invoice.fields[LINKED] = order.id
        order.fields[LINKED] = " ".join(
            x for x in (str(order.fields.get(LINKED) or ""), invoice.id) if x
        )
        books.touch(order)
        return copy.deepcopy(invoice)

    def receive_payment(
        self, customer_id: str, amount: Decimal | str, invoice_id: str | None = None
    ) -> Record:
        """A payment entered in QuickBooks: applied to one invoice, or auto-applied."""
        customer = self._stored(customer_id)
        total = Decimal(str(amount))
        applications: list[tuple[Record, Decimal | None]] | None = None
        if invoice_id is not None:
            applications = [(self._stored(invoice_id), total)]
        try:
            payment = self._payments.receive(customer, total, applications)
        except QBStatusError as error:
            raise SandboxError(error.message) from None
        return copy.deepcopy(payment)

    def apply_credit_as_user(
        self, credit_id: str, invoice_id: str, amount: Decimal | str
    ) -> Record:
        """A person applies part of a credit memo to an invoice (Apply Credits)."""
        credit, invoice = self._stored(credit_id), self._stored(invoice_id)
        try:
            payment = self._payments.apply_credit(credit, invoice, Decimal(str(amount)))
        except QBStatusError as error:
            raise SandboxError(error.message) from None
        return copy.deepcopy(payment)

    # --- persistence ------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The company's data as a JSON-ready document (settings and sessions excluded)."""
        return self.books.state.to_json()

    def save(self, path: Path) -> None:
        """Write the snapshot atomically (a crash never leaves half a file)."""
        path = Path(path)
        text = json.dumps(self.snapshot(), indent=1, sort_keys=True)
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            Path(temp).replace(path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(
        cls,
        path: Path,
        settings: SandboxSettings,
        clock: Clock,
        rng: random.Random,
        *,
        sleep: Sleep | None = None,
    ) -> CompanyFile:
        """A company restored from save(); raises SandboxStateError when unreadable."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            state = CompanyState.from_json(data)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise SandboxStateError(f"cannot load sandbox company {path}: {exc}") from None
        return cls(settings, clock, rng, sleep=sleep, state=state)
