"""Running the app under uvicorn in a background thread (tests, the sandbox harness)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from fastapi import FastAPI

# An idle connection is kept well past the Web Connector's 5 s NoOp pause: with uvicorn's
# default (5 s) the server closed it just as the client sent its next call on it
# (RemoteDisconnected / connection reset in the benchmark on a loaded machine).
KEEP_ALIVE_SECONDS = 75


@contextmanager
def running_server(app: FastAPI, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve `app` on a real socket until the block ends; yields the base URL."""
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", lifespan="off",
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="sfqb-uvicorn", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        bound = server.servers[0].sockets[0].getsockname()
        yield f"http://{host}:{bound[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
