"""Benchmark: 100 concurrent unauthenticated 9.9 MB `authenticate` bodies against `sfqb serve`.

Run with `make bench` (or `.venv/bin/python benchmarks/hostile_bodies.py`). It starts
`sfqb serve --sandbox` in a subprocess on a free port, measures the server's resident memory
before, at its peak (VmHWM) and after the attack (from /proc), and prints one JSON line. The
target (issue 13): peak under 400 MB, and back near the baseline after. A measurement, never a
timed test: see BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?>'
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
    '<{operation} xmlns="http://developer.intuit.com/">{fields}</{operation}>'
    "</soap:Body></soap:Envelope>"
)
# The big field of each operation: authenticate's password, or receiveResponseXML's response
# (the one field that may be large; it is read whole, so only the request gate bounds memory).
FIELDS = {
    "authenticate": "<strUserName>demo</strUserName><strPassword>{big}</strPassword>",
    "receiveResponseXML": "<ticket>0f8fad5b-d9cb-469f-a165-70867728950e</ticket>"
    "<response>{big}</response><hresult/><message/>",
}
CHUNK = 64 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def _start_server(port: int, workdir: Path) -> subprocess.Popen[bytes]:
    code = "from sfqb.cli.main import main; main()"
    command = [sys.executable, "-c", code, "serve", "--sandbox", "--port", str(port)]
    log = (workdir / "serve.log").open("wb")
    server = subprocess.Popen(command, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603 - sfqb itself
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"sfqb serve exited; see {workdir / 'serve.log'}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("sfqb serve did not start within 60 s")


async def _post(port: int, body: bytes) -> str:
    """One attacker: POST the body in chunks; the HTTP status, or how the connection ended."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError as exc:
        return f"connect failed: {type(exc).__name__}"
    head = (
        f"POST /qbwc HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: text/xml\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    outcome = "no answer"
    try:
        writer.write(head)
        view = memoryview(body)
        for start in range(0, len(body), CHUNK):
            writer.write(view[start : start + CHUNK])
            await writer.drain()
        status = await asyncio.wait_for(reader.readline(), 120)
        outcome = status.decode("latin-1").split(" ")[1] if status else "closed"
    except (ConnectionError, TimeoutError) as exc:
        try:  # the server may have answered before it cut the upload off
            status = await asyncio.wait_for(reader.readline(), 5)
            outcome = status.decode("latin-1").split(" ")[1] if status else type(exc).__name__
        except (ConnectionError, TimeoutError, IndexError):
            outcome = type(exc).__name__
    finally:
        writer.close()
    return outcome


async def _attack(port: int, callers: int, body: bytes) -> Counter[str]:
    results = await asyncio.gather(*(_post(port, body) for _ in range(callers)))
    return Counter(results)


def main() -> None:
    """Run the attack once and print the measurements as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--callers", type=int, default=100)
    parser.add_argument("--megabytes", type=float, default=9.9)
    parser.add_argument("--settle-seconds", type=float, default=5.0)
    parser.add_argument("--operation", choices=sorted(FIELDS), default="authenticate")
    args = parser.parse_args()
    envelope = ENVELOPE.format(operation=args.operation, fields=FIELDS[args.operation])
    big = "x" * int(args.megabytes * 1_000_000 - len(envelope))
    body = envelope.replace("{big}", big).encode()
    with tempfile.TemporaryDirectory(prefix="sfqb-hostile-") as folder:
        port = _free_port()
        server = _start_server(port, Path(folder))
        try:
            time.sleep(1.0)
            baseline = _memory_kb(server.pid, "VmRSS")
            started = time.monotonic()
            outcomes = asyncio.run(_attack(port, args.callers, body))
            seconds = time.monotonic() - started
            peak = _memory_kb(server.pid, "VmHWM")
            time.sleep(args.settle_seconds)
            after = _memory_kb(server.pid, "VmRSS")
        finally:
            server.terminate()
            server.wait(timeout=30)
    result = {
        "benchmark": f"hostile {args.operation} bodies",
        "callers": args.callers,
        "body_mb": round(len(body) / 1e6, 2),
        "answers": dict(sorted(outcomes.items())),
        "seconds": round(seconds, 1),
        "baseline_rss_mb": round(baseline / 1024),
        "peak_rss_mb": round(peak / 1024),
        "after_rss_mb": round(after / 1024),
        "target": "peak < 400 MB, after near baseline",
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
