"""Both sandboxes for QuickBooks Online CLI tests: the SFQB_* settings, `sfqb connect qbo` run
as a person on a machine without a browser would (the printed URL opened, the redirect pasted)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.cli.cli_helpers import ok
from tests.conftest import KEY

from sfqb.sandbox.qbo import QboConfig, QboSandbox
from sfqb.sandbox.qbo_connect import qbo_settings as sandbox_qbo_settings
from sfqb.sandbox.salesforce import SalesforceSandbox, SandboxConfig, SeedSummary, seed
from sfqb.store import SecretBox, Store

COMPANY = "acme"


@dataclass
class QboEnv:
    """Both sandboxes running, the SFQB_* settings exported, Salesforce connected."""

    sf: SalesforceSandbox
    qbo: QboSandbox
    seeded: SeedSummary
    url: str
    tmp: Path

    def store(self) -> Store:
        return Store.from_url(self.url, secrets=SecretBox(KEY))


def qbo_settings(qbo: QboSandbox, public_url: str) -> dict[str, str]:
    """The SFQB_* variables that point sfqb at the QuickBooks Online sandbox (the tests' key)."""
    return sandbox_qbo_settings(qbo, public_url, KEY)


@contextmanager
def qbo_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **qbo_config: Any) -> Iterator[QboEnv]:
    """Both sandboxes (the QuickBooks Online one with `qbo_config`), Salesforce connected."""
    url = f"sqlite:///{tmp_path / 'sfqb.sqlite'}"
    monkeypatch.setenv("SFQB_DATABASE_URL", url)
    monkeypatch.delenv("SFQB_CONFIG", raising=False)
    with (
        QboSandbox(QboConfig(tls_dir=tmp_path / "qbo-tls", **qbo_config)) as qbo,
        SalesforceSandbox(SandboxConfig(tls_dir=tmp_path / "tls")) as sf,
    ):
        for name, value in qbo_settings(qbo, "https://sfqb.example").items():
            monkeypatch.setenv(name, value)
        seeded = seed(sf.org, 4, random.Random(1))
        ca = str(tmp_path / "tls" / "ca.pem")
        ok("connect", "salesforce", "--company", COMPANY, "--instance", sf.instance,
           "--session-id", sf.session_id, "--ca-file", ca)  # fmt: skip
        yield QboEnv(sf, qbo, seeded, url, tmp_path)
