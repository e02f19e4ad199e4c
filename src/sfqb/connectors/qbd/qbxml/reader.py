"""Typed access to the children of a `...Ret` element; a value that cannot be read raises
`BadValue`. The per-record readers (readers.py, customers.py) are built on `Reader`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from lxml import etree

from sfqb.connectors.qbd.qbxml.model import Ref
from sfqb.connectors.qbd.qbxml.records import AddressRecord, DataExtValue, ListCore, TxnCore


class BadValue(ValueError):
    """A field in a response has a value of the wrong form; the message names the path."""


_NO_ADDRESS = AddressRecord()


class Reader:
    """Typed access to the children of one element (first match by path)."""

    def __init__(self, element: etree._Element) -> None:
        self.element = element
        self._first: dict[object, etree._Element] | None = None

    def _where(self, path: str) -> str:
        return f"{self.element.tag}/{path}"

    def _find(self, path: str) -> etree._Element | None:
        """element.find(path); a bare child name is looked up in a map of the first child of
        each name, built once (a record's readers ask for dozens of children)."""
        if not path.isalnum():  # a path ("Ref/ListID"), not one child's plain name
            return self.element.find(path)
        if self._first is None:
            self._first = {}
            for child in self.element:
                self._first.setdefault(child.tag, child)
        return self._first.get(path)

    def text(self, path: str) -> str | None:
        found = self._find(path)
        return None if found is None else (found.text or "")

    def need(self, path: str) -> str:
        value = self.text(path)
        if value is None:
            raise BadValue(f"{self._where(path)} is missing")
        return value

    def all(self, path: str) -> tuple[str, ...]:
        return tuple((e.text or "") for e in self.element.findall(path))

    def decimal(self, path: str) -> Decimal | None:
        value = self.text(path)
        if value is None or value.strip() == "":
            return None
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise BadValue(f"{self._where(path)} is not a number: {value!r}") from None
        if not number.is_finite():
            raise BadValue(f"{self._where(path)} is not a finite number: {value!r}")
        return number

    def integer(self, path: str) -> int | None:
        value = self.text(path)
        if value is None or value.strip() == "":
            return None
        try:
            return int(value.strip())
        except ValueError:
            raise BadValue(f"{self._where(path)} is not an integer: {value!r}") from None

    def boolean(self, path: str) -> bool | None:
        value = self.text(path)
        if value is None or value.strip() == "":
            return None
        lowered = value.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        raise BadValue(f"{self._where(path)} is not a boolean: {value!r}")

    def day(self, path: str) -> date | None:
        value = self.text(path)
        if value is None or value.strip() == "":
            return None
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise BadValue(f"{self._where(path)} is not a date: {value!r}") from None

    def moment(self, path: str) -> datetime | None:
        value = self.text(path)
        if value is None or value.strip() == "":
            return None
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            raise BadValue(f"{self._where(path)} is not a date-time: {value!r}") from None

    def ref(self, path: str) -> Ref | None:
        found = self._find(path)
        if found is None:
            return None
        inner = Reader(found)
        list_id, full_name = inner.text("ListID"), inner.text("FullName")
        if list_id is None and full_name is None:
            return None
        return Ref(list_id=list_id, full_name=full_name)

    def address(self, path: str) -> AddressRecord | None:
        """An address aggregate (BillAddress, ShipAddress...); None when absent or empty."""
        found = self._find(path)
        if found is None:
            return None
        a = Reader(found)
        address = AddressRecord(
            addr1=a.text("Addr1"),
            addr2=a.text("Addr2"),
            addr3=a.text("Addr3"),
            addr4=a.text("Addr4"),
            addr5=a.text("Addr5"),
            city=a.text("City"),
            state=a.text("State"),
            postal_code=a.text("PostalCode"),
            country=a.text("Country"),
        )
        return None if address == _NO_ADDRESS else address

    def data_ext(self) -> tuple[DataExtValue, ...]:
        return tuple(read_data_ext(e) for e in self.element.findall("DataExtRet"))


def read_data_ext(element: etree._Element) -> DataExtValue:
    """DataExtRet."""
    r = Reader(element)
    return DataExtValue(
        owner_id=r.text("OwnerID"),
        name=r.need("DataExtName"),
        ext_type=r.text("DataExtType") or "",
        value=r.text("DataExtValue") or "",
    )


def list_core(r: Reader) -> ListCore:
    return ListCore(
        list_id=r.need("ListID"),
        edit_sequence=r.text("EditSequence"),
        time_created=r.moment("TimeCreated"),
        time_modified=r.moment("TimeModified"),
    )


def txn_core(r: Reader) -> TxnCore:
    return TxnCore(
        txn_id=r.need("TxnID"),
        edit_sequence=r.text("EditSequence"),
        time_created=r.moment("TimeCreated"),
        time_modified=r.moment("TimeModified"),
        txn_number=r.integer("TxnNumber"),
    )
