"""The sandbox's own certificate authority and a server certificate for 127.0.0.1/localhost."""

from __future__ import annotations

import os
import ssl
from pathlib import Path

import trustme

CA_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"


def server_context(directory: Path) -> tuple[ssl.SSLContext, Path]:
    """An SSL server context and the path of the CA certificate clients should trust.

    Reuses DIR/ca.pem + DIR/ca-key.pem when both exist (clients keep trusting the sandbox across
    restarts); otherwise creates a new CA and writes both files (the key readable only by you).
    """
    directory.mkdir(parents=True, exist_ok=True)
    ca_path, key_path = directory / CA_FILE, directory / CA_KEY_FILE
    ca: trustme.CA | None = None
    if ca_path.is_file() and key_path.is_file():
        try:
            ca = trustme.CA.from_pem(ca_path.read_bytes(), key_path.read_bytes())
        except ValueError:
            ca = None
    if ca is None:
        ca = trustme.CA(organization_name="sfqb sandbox")
        _write_private(key_path, ca.private_key_pem.bytes())
        ca.cert_pem.write_to_path(str(ca_path))
    cert = ca.issue_cert("127.0.0.1", "localhost", "::1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    cert.configure_cert(context)
    return context, ca_path


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
