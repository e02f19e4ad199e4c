"""Web Connector passwords are scrypt-hashed with a per-company salt."""

from __future__ import annotations

from sfqb.connectors.qbd.webconnector import hash_password, verify_password


def test_hash_and_verify() -> None:
    first, second = hash_password("demo"), hash_password("demo")
    assert first != second  # a salt of its own each time
    assert first.startswith("scrypt$") and "demo" not in first
    assert verify_password("demo", first)
    assert not verify_password("Demo", first)
    assert not verify_password("demo", "plain-text")
    assert not verify_password("demo", "scrypt$x$8$1$00$00")
    assert not verify_password("demo", "scrypt$16384$8$1$zz$00")
