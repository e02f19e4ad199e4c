"""User-facing CLI errors: one line on stderr, exit status 2, never a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from sfqb.connectors.salesforce import SalesforceError
from sfqb.domain.bindings import BindingError
from sfqb.domain.entities import InvalidRef
from sfqb.jobs.gather import UnknownFlow
from sfqb.jobs.queue_desk import UnknownRecord
from sfqb.store import SecretKeyError, StoreError


class UserError(Exception):
    """A mistake in what the user asked for; its text is the whole message."""


def fail(message: str) -> typer.Exit:
    """Print `message` as one line on stderr and return the exit to raise."""
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"sfqb: {message}", markup=False)
    return typer.Exit(code=2)


@contextmanager
def plainly() -> Iterator[None]:
    """Turn expected errors into one line on stderr: exit 2 for mistakes, 1 for outages."""
    try:
        yield
    except (
        UserError, SecretKeyError, BindingError, UnknownFlow, UnknownRecord, InvalidRef, StoreError,
    ) as exc:  # fmt: skip
        raise fail(str(exc)) from None
    except SalesforceError as exc:
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"sfqb: Salesforce: {exc}", markup=False
        )
        raise typer.Exit(code=1) from None
