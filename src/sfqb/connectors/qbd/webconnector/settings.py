"""Defaults of the Web Connector service, read from `defaults.yaml` beside this module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from typing import Any

import yaml


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    """How the service answers; see defaults.yaml for the reasons behind each value."""

    min_client_version: str
    old_client_warning: str
    session_timeout: timedelta
    lease: timedelta
    default_qbxml_version: str
    max_body_bytes: int


def load_settings(**overrides: Any) -> ServiceSettings:
    """The bundled defaults, with keyword overrides (e.g. `session_timeout=timedelta(...)`)."""
    text = resources.files(__package__).joinpath("defaults.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    values: dict[str, Any] = {
        "min_client_version": str(raw["min_client_version"]),
        "old_client_warning": " ".join(str(raw["old_client_warning"]).split()),
        "session_timeout": timedelta(seconds=int(raw["session_timeout_seconds"])),
        "lease": timedelta(seconds=int(raw["lease_seconds"])),
        "default_qbxml_version": str(raw["default_qbxml_version"]),
        "max_body_bytes": int(raw["max_body_bytes"]),
    }
    values.update(overrides)
    return ServiceSettings(**values)
