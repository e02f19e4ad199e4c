"""Web Connector passwords: scrypt with a per-company salt, compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# RFC 7914's interactive parameters: about 16 MiB and tens of milliseconds per check.
_N, _R, _P = 2**14, 8, 1
_SCHEME = "scrypt"


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    """A storable hash: `scrypt$N$r$p$salt_hex$digest_hex`."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"{_SCHEME}${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches `stored`; a malformed hash never matches."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return False
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, expected = bytes.fromhex(parts[4]), bytes.fromhex(parts[5])
        digest = hashlib.scrypt(
            password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(expected)
        )
    except (ValueError, OverflowError, MemoryError):
        return False
    return hmac.compare_digest(digest, expected)


def burn_time(password: str) -> None:
    """Spend what a real check costs, so an unknown user answers as slowly as a known one."""
    hashlib.scrypt(password.encode("utf-8"), salt=b"sfqb-unknown-user", n=_N, r=_R, p=_P)
