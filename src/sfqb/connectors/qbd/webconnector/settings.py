"""Defaults of the Web Connector service, read from `defaults.yaml` beside this module."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from typing import Any

import yaml

from sfqb.domain.login_throttle import ThrottleSettings


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    """How the service answers; see defaults.yaml for the reasons behind each value."""

    min_client_version: str
    old_client_warning: str
    session_timeout: timedelta
    lease: timedelta
    default_qbxml_version: str
    max_body_bytes: int
    login: ThrottleSettings = field(default_factory=ThrottleSettings)
    max_credential_bytes: int = 512
    max_error_text_chars: int = 4096
    max_small_body_bytes: int = 65536
    max_parallel_requests: int = 4
    queue_seconds: float = 10.0
    body_read_seconds: float = 60.0
    answer_within: float = 2.0
    max_cycle_threads: int = 8


def _seconds(raw: dict[str, Any], key: str) -> timedelta:
    return timedelta(seconds=float(raw[key]))


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
        "login": ThrottleSettings(
            max_failures=int(raw["login_max_failures"]),
            window=_seconds(raw, "login_window_seconds"),
            lockout=_seconds(raw, "login_lockout_seconds"),
            first_delay=_seconds(raw, "login_first_delay_seconds"),
            max_delay=_seconds(raw, "login_max_delay_seconds"),
            max_tracked=int(raw["login_max_tracked"]),
        ),
        "max_credential_bytes": int(raw["max_credential_bytes"]),
        "max_error_text_chars": int(raw["max_error_text_chars"]),
        "max_small_body_bytes": int(raw["max_small_body_bytes"]),
        "max_parallel_requests": int(raw["max_parallel_requests"]),
        "queue_seconds": float(raw["queue_seconds"]),
        "body_read_seconds": float(raw["body_read_seconds"]),
        "answer_within": float(raw["answer_within_seconds"]),
        "max_cycle_threads": int(raw["max_cycle_threads"]),
    }
    values.update(overrides)
    return ServiceSettings(**values)
