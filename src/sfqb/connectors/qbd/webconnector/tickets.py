"""Session tickets: the Web Connector holds the ticket, the store only its SHA-256.

A ticket is a random UUID (122 bits), so an unsalted hash is enough: it cannot be guessed back,
and a copy of the store cannot be used to take over a live session.
"""

from __future__ import annotations

import hashlib


def ticket_key(ticket: str) -> str:
    """What the store keeps for `ticket` (64 hex characters)."""
    return hashlib.sha256(ticket.encode("utf-8", "surrogatepass")).hexdigest()
