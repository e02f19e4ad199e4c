"""`sfqb demo` leaves a console user demo/demo in its store and ends with the one command that
serves that store; the command, run from the repository, serves the console."""

from __future__ import annotations

import re
import shlex
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from typer.testing import CliRunner

from sfqb.cli.main import app
from sfqb.services import people
from sfqb.store import Store

ROOT = Path(__file__).resolve().parents[2]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_for(url: str, process: subprocess.Popen[bytes]) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(url)
        except httpx.TransportError:
            assert process.poll() is None, process.stdout.read() if process.stdout else b""
            assert time.monotonic() < deadline, "sfqb serve did not start"
            time.sleep(0.3)


def test_the_printed_command_serves_the_demo_store_to_user_demo(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["demo", "--accounts", "small", "--workdir", str(tmp_path)], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "Open this store in the Integration Manager" in lines[-2]
    command = shlex.split(lines[-1])
    store_url = f"sqlite:///{tmp_path / 'sfqb.sqlite'}"
    assert command == ["sfqb", "serve", "--database-url", store_url, "--port", "8000"]
    store = Store.from_url(store_url)
    assert people.verify_sign_in(store, "demo", "demo") is not None
    store.engine.dispose()

    # Run it from the repository (on a free port: 8000 may be taken where the tests run).
    port = _free_port()
    program = str(Path(sys.executable).parent / "sfqb")
    argv = [program, *command[1:-1], str(port)]
    with subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as p:
        try:
            base = f"http://127.0.0.1:{port}"
            form = _wait_for(f"{base}/sign-in", p)
            assert form.status_code == 200 and "User name" in form.text
            found = _CSRF.search(form.text)
            assert found is not None
            with httpx.Client(base_url=base, cookies=form.cookies) as client:
                signed = client.post(
                    "/sign-in",
                    data={"user_name": "demo", "password": "demo", "csrf_token": found.group(1)},
                )
                assert signed.status_code == 303
                overview = client.get("/")
                assert overview.status_code == 200 and "<h1>Overview</h1>" in overview.text
        finally:
            p.terminate()
            p.wait(timeout=30)
