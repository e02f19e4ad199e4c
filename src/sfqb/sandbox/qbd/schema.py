"""What the sandbox knows about qbXML objects and statuses, loaded from its data files."""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

FIELD_TYPES = ("text", "bool", "amount", "price", "quan", "percent", "int", "date", "ref", "agg")


class QBStatusError(Exception):
    """A request fails with a qbXML status; the handler's response carries code and message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Status:
    """A non-error status a handler answers with (1 no match, 500 partly done)."""

    code: int
    message: str


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One element of an object's Ret aggregate the sandbox keeps."""

    name: str
    type: str
    max: int | None = None
    computed: bool = False
    mod_name: str | None = None
    needs: str | None = None
    required: bool = False
    children: tuple[FieldSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class KindSpec:
    """An object kind: its family (name space), deletion type, fields and line fields."""

    name: str
    family: str
    del_type: str
    needs: str | None
    fields: tuple[FieldSpec, ...]
    line_name: str | None
    line_fields: tuple[FieldSpec, ...]

    @property
    def is_txn(self) -> bool:
        """True for transactions (keyed by TxnID), False for list objects (ListID)."""
        return self.family == "txn"

    @property
    def id_field(self) -> str:
        """TxnID for transactions, ListID for list objects."""
        return "TxnID" if self.is_txn else "ListID"

    def request_field(self, element: str, mod: bool) -> FieldSpec | None:
        """The field an element of an Add (or, with `mod`, a Mod) aggregate sets."""
        for spec in self.fields:
            if spec.computed:
                continue
            if element == spec.name or (mod and element == spec.mod_name):
                return spec
        return None


@dataclass(frozen=True, slots=True)
class MessageSpec:
    """A status code and its message template."""

    code: int
    text: str


@dataclass(frozen=True, slots=True)
class RefSpec:
    """What a reference field points to: the list kinds, and the type 3140 names."""

    ref_type: str
    kinds: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Schema:
    """Every kind, reference and status message the sandbox uses."""

    kinds: dict[str, KindSpec]
    messages: dict[str, MessageSpec]
    refs: dict[str, RefSpec] = field(default_factory=dict)

    def status(self, key: str, **values: object) -> QBStatusError:
        """The error for message `key` with its placeholders filled."""
        spec = self.messages[key]
        return QBStatusError(spec.code, spec.text.format(**{k: str(v) for k, v in values.items()}))

    def info(self, key: str, **values: object) -> Status:
        """The non-error status for message `key` with its placeholders filled."""
        spec = self.messages[key]
        return Status(spec.code, spec.text.format(**{k: str(v) for k, v in values.items()}))

    def message_for_code(self, code: int) -> MessageSpec | None:
        """The first message listed for a status code (for injected statuses)."""
        return next((m for m in self.messages.values() if m.code == code), None)


def _field(raw: dict[str, Any], aggregates: dict[str, list[str]]) -> FieldSpec:
    name = str(raw["name"])
    kind = str(raw.get("type") or ("ref" if name.endswith("Ref") else "text"))
    children: tuple[FieldSpec, ...] = ()
    if kind.startswith("agg:"):
        children = tuple(_field({"name": c}, aggregates) for c in aggregates[kind[4:]])
        kind = "agg"
    if kind not in FIELD_TYPES:
        raise ValueError(f"objects.yaml: field {name} has unknown type {kind}")
    return FieldSpec(
        name=name,
        type=kind,
        max=raw.get("max"),
        computed=bool(raw.get("computed", False)),
        mod_name=raw.get("mod_name"),
        needs=raw.get("needs"),
        required=bool(raw.get("required", False)),
        children=children,
    )


def _read(name: str) -> Any:
    text = resources.files("sfqb.sandbox.qbd").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


def load_schema() -> Schema:
    """Load objects.yaml and messages.yaml from the package."""
    objects = _read("objects.yaml")
    aggregates: dict[str, list[str]] = objects["aggregates"]
    kinds: dict[str, KindSpec] = {}
    for name, raw in objects["kinds"].items():
        lines = raw.get("lines") or {}
        kinds[name] = KindSpec(
            name=name,
            family=raw["family"],
            del_type=raw["del_type"],
            needs=raw.get("needs"),
            fields=tuple(_field(f, aggregates) for f in raw["fields"]),
            line_name=lines.get("name"),
            line_fields=tuple(_field(f, aggregates) for f in lines.get("fields", ())),
        )
    messages = {
        key: MessageSpec(int(raw["code"]), " ".join(str(raw["text"]).split()))
        for key, raw in _read("messages.yaml").items()
    }
    refs = {
        name: RefSpec(str(raw["type"]), tuple(raw["kinds"]))
        for name, raw in (objects.get("refs") or {}).items()
    }
    return Schema(kinds=kinds, messages=messages, refs=refs)
