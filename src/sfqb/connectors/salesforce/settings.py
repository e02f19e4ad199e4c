"""The connector's tunables, read from data/api.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """Limits and defaults of the Salesforce REST API as sfqb uses it."""

    api_version: str = "59.0"
    call_options_client: str = "sfqb"
    collection_size: int = 200
    deleted_window_days: int = 15
    default_overlap_seconds: float = 5.0
    query_batch_size: int = 500
    request_timeout_seconds: float = 60.0
    error_text_max: int = 32768
    shrink_max_calls: int = 40

    def __post_init__(self) -> None:
        if not 1 <= self.collection_size <= 200:
            raise ValueError("collection_size must be between 1 and 200 (Salesforce's maximum)")
        if self.shrink_max_calls < 0:
            raise ValueError("shrink_max_calls must be >= 0")
        if not 200 <= self.query_batch_size <= 2000:
            raise ValueError("query_batch_size must be between 200 and 2000")
        if self.deleted_window_days < 1 or self.default_overlap_seconds < 0:
            raise ValueError("deleted_window_days must be >= 1 and the overlap >= 0 seconds")

    @property
    def default_overlap(self) -> timedelta:
        """The re-read window below a checkpoint."""
        return timedelta(seconds=self.default_overlap_seconds)

    @property
    def deleted_window(self) -> timedelta:
        """How far back getDeleted reaches."""
        return timedelta(days=self.deleted_window_days)

    @property
    def call_options(self) -> str:
        """The value of the Sforce-Call-Options header."""
        return f"client={self.call_options_client}"


def load_settings() -> ApiSettings:
    """The bundled settings (data/api.yaml)."""
    text = (
        resources.files("sfqb.connectors.salesforce")
        .joinpath("data/api.yaml")
        .read_text(encoding="utf-8")
    )
    raw: Any = yaml.safe_load(text)
    if not isinstance(raw, dict):
        raise ValueError("data/api.yaml must be a mapping")
    known = set(ApiSettings.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"data/api.yaml: unknown settings: {', '.join(sorted(unknown))}")
    return ApiSettings(**raw)
