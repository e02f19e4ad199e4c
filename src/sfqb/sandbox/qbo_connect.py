"""Pointing sfqb at the QuickBooks Online sandbox and connecting a company to it the way a person
on a machine without a browser would: `sfqb connect qbo` run, the printed URL opened, the
redirect pasted back. Shared by the CLI tests, the multi-process test and the fleet benchmark."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
from pathlib import Path

import httpx

from sfqb.sandbox.qbo import AUTHORIZE_PATH, TOKEN_PATH, QboSandbox


def qbo_settings(qbo: QboSandbox, public_url: str, secret_key: str) -> dict[str, str]:
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
        "SFQB_SECRET_KEY": secret_key,
    }


def connect_qbo(company: str, ca_file: Path) -> str:
    """`sfqb connect qbo` in its own process (this process's environment), the redirect pasted
    back; its output. RuntimeError when it does not connect."""
    process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
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
        raise RuntimeError("no authorization URL printed:\n" + "".join(seen))
    with httpx.Client(verify=ssl.create_default_context(cafile=str(ca_file))) as http:
        answer = http.get(line.strip(), follow_redirects=False)
    if answer.status_code != 302:
        process.kill()
        raise RuntimeError(f"the authorization page answered {answer.status_code}: {answer.text}")
    rest, _ = process.communicate(answer.headers["location"] + "\n", timeout=60)
    output = "".join(seen) + rest
    if process.returncode != 0 or "Traceback" in output:
        raise RuntimeError(f"sfqb connect qbo failed:\n{output}")
    return output
