"""Both sandboxes for QuickBooks Online CLI tests: the SFQB_* settings, `sfqb connect qbo` run
as a person on a machine without a browser would (the printed URL opened, the redirect pasted)."""

from __future__ import annotations

import os
import random
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.cli.cli_helpers import ok
from tests.conftest import KEY

from sfqb.sandbox.qbo import AUTHORIZE_PATH, TOKEN_PATH, QboConfig, QboSandbox
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
    """The SFQB_* variables that point sfqb at the QuickBooks Online sandbox."""
    config = qbo.config
    return {
        "SFQB_QBO_CLIENT_ID": config.client_id,
        "SFQB_QBO_CLIENT_SECRET": config.client_secret,
        "SFQB_QBO_AUTHORIZE_URL": qbo.base_url + AUTHORIZE_PATH,
        "SFQB_QBO_TOKEN_URL": qbo.base_url + TOKEN_PATH,
        "SFQB_QBO_API_URL": qbo.base_url,
        "SFQB_QBO_CA_FILE": str(qbo.ca_path),
        "SFQB_PUBLIC_URL": public_url,
        "SFQB_SECRET_KEY": KEY,
    }


def connect_qbo(company: str, ca_file: Path) -> str:
    """`sfqb connect qbo` in its own process, the redirect pasted back; its output."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from sfqb.cli.main import main; main()",
         "connect", "qbo", "--company", company, "--environment", "sandbox"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert process.stdout is not None and process.stdin is not None
    seen: list[str] = []
    for line in process.stdout:
        seen.append(line)
        if line.startswith("https://"):
            break
    else:
        process.wait(timeout=30)
        raise AssertionError("no authorization URL printed:\n" + "".join(seen))
    with httpx.Client(verify=ssl.create_default_context(cafile=str(ca_file))) as http:
        answer = http.get(line.strip(), follow_redirects=False)
    assert answer.status_code == 302, answer.text
    rest, _ = process.communicate(answer.headers["location"] + "\n", timeout=60)
    output = "".join(seen) + rest
    assert process.returncode == 0, output
    assert "Traceback" not in output
    return output


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
