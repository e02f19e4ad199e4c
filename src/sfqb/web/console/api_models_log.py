"""Response models of the log, codes and record endpoints (`/api/v1`)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class LogRowOut(_Out):
    """One attempt of the log in the catalog's words."""

    id: int
    time: datetime
    company: str
    flow: str
    flow_words: str
    salesforce: str | None
    salesforce_id: str | None
    salesforce_name: str | None
    quickbooks: str | None
    quickbooks_id: str | None
    quickbooks_name: str | None
    operation: str
    system: str
    system_words: str
    code: str
    label: str
    severity: str
    known: bool
    title: str
    message: str
    meaning: str
    fix: list[str]
    action: str = Field(description="What sfqb did")
    will: str = Field(description="What sfqb does by itself for this status")
    detail: str | None
    summary: str


class LogPageOut(_Out):
    """A page of the log, newest first; pass `older`/`newer` back as `cursor`."""

    rows: list[LogRowOut]
    newer: str | None
    older: str | None
    limit: int


class StatusOut(_Out):
    """One reading of a status code, as `sfqb explain` shows it."""

    system: str
    system_words: str
    code: str
    label: str
    title: str
    severity: str
    known: bool
    message: str
    meaning: str
    fix: list[str]
    will: str
    who_acts: str
    kind: str
    category: str
    how_sure: str
    applies_when: str
    location: str
    policy: str


class CodesOut(_Out):
    """Catalog entries matching a search."""

    codes: list[StatusOut]


class DecodeIn(BaseModel):
    """A pasted log line, error body or whole file (at most 1,000,000 bytes as UTF-8)."""

    text: str = Field(max_length=1_000_000)


class DecodedOut(_Out):
    """Every status found in the text, in document order; `problem` says why none could be
    read when the text is empty, too large or not text sfqb can read."""

    statuses: list[StatusOut]
    problem: str | None = None


class BindingOut(_Out):
    """A record's binding and how it was made."""

    salesforce: str
    quickbooks: str
    made_by: str = Field(description="sfqb, person or review")
    how: str
    made_at: datetime
    synced_at: datetime | None


class SideValuesOut(_Out):
    """One side's values as far as sfqb knows them."""

    source: str
    seen_at: datetime | None
    values: dict[str, str]


class ReviewEntryOut(_Out):
    """A review item of the record."""

    id: int
    status: str
    flow: str
    reason: str
    system: str | None
    code: str | None
    meaning: str | None
    created_at: datetime
    resolution: str | None
    resolved_at: datetime | None
    candidates: list[dict[str, str]]


class RecordOut(_Out):
    """Everything sfqb knows of one record."""

    company: str
    record_id: str
    name: str
    salesforce: str | None
    salesforce_id: str | None
    salesforce_name: str | None
    quickbooks: str | None
    quickbooks_id: str | None
    quickbooks_name: str | None
    binding: BindingOut | None
    salesforce_values: SideValuesOut | None
    quickbooks_values: SideValuesOut | None
    attempts: list[LogRowOut]
    review: list[ReviewEntryOut]


class FoundRecordOut(BaseModel):
    """A record a search found."""

    salesforce: str | None
    salesforce_id: str | None
    salesforce_name: str | None
    quickbooks: str | None
    quickbooks_id: str | None
    quickbooks_name: str | None


class FoundOut(BaseModel):
    """The records a search found (at most 50)."""

    records: list[FoundRecordOut]
