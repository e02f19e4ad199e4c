"""Secrets at rest: Fernet encryption with a key from SFQB_SECRET_KEY.

The key is either a Fernet key (urlsafe base64 of 32 bytes, as `generate_key()` and
`sfqb secret-key` print) or any other passphrase, which is stretched to a Fernet key with scrypt
(n=2**14, r=8, p=1) and the fixed salt `SALT`. A passphrase is therefore as strong as the
passphrase itself; a generated key is preferred. The key is handed to `SecretBox`, never read
at import; `secret_box_from_env` does the environment lookup.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

ENV_VAR = "SFQB_SECRET_KEY"
SALT = b"sfqb.store.secrets/v1"


class SecretKeyError(Exception):
    """Base of secret-key errors; the message is one line."""


class SecretKeyMissing(SecretKeyError):
    """No secret key was configured."""

    def __init__(self) -> None:
        super().__init__(
            f"{ENV_VAR} is not set: generate one with `sfqb secret-key` and export it as "
            f"{ENV_VAR} (a passphrase also works); it encrypts the connection secrets at rest"
        )


class SecretKeyMismatch(SecretKeyError):
    """A stored secret was encrypted with another key (or was altered)."""

    def __init__(self, what: str = "a stored secret") -> None:
        super().__init__(
            f"cannot decrypt {what}: {ENV_VAR} is not the key it was encrypted with "
            f"(restore the old key, or enter the credentials again)"
        )


def generate_key() -> str:
    """A fresh random Fernet key, printable and suitable for SFQB_SECRET_KEY."""
    return Fernet.generate_key().decode("ascii")


def _fernet_key(key: str) -> bytes:
    raw = key.strip().encode("utf-8")
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32 and len(raw) == 44:
            return raw
    except (binascii.Error, ValueError):
        pass
    derived = Scrypt(salt=SALT, length=32, n=2**14, r=8, p=1).derive(key.encode("utf-8"))
    return base64.urlsafe_b64encode(derived)


class SecretBox:
    """Encrypts and decrypts small secrets with one key."""

    def __init__(self, key: str) -> None:
        if not key or not key.strip():
            raise SecretKeyMissing()
        self._fernet = Fernet(_fernet_key(key))

    def encrypt(self, plaintext: str) -> str:
        """The token for `plaintext` (ASCII, safe to store as text)."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str, what: str = "a stored secret") -> str:
        """The plaintext of `token`; SecretKeyMismatch when this key did not make it."""
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise SecretKeyMismatch(what) from None


def secret_box_from_env(env: Mapping[str, str]) -> SecretBox:
    """The SecretBox of SFQB_SECRET_KEY in `env`; SecretKeyMissing when it is unset or blank."""
    return SecretBox(env.get(ENV_VAR, ""))
