"""User-facing CLI errors: one line on stderr, exit status 2, never a traceback."""

from __future__ import annotations

import typer
from rich.console import Console


class UserError(Exception):
    """A mistake in what the user asked for; its text is the whole message."""


def fail(message: str) -> typer.Exit:
    """Print `message` as one line on stderr and return the exit to raise."""
    Console(stderr=True, highlight=False, soft_wrap=True).print(f"sfqb: {message}", markup=False)
    return typer.Exit(code=2)
