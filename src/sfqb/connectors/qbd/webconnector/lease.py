"""The heartbeat that keeps a process's Web Connector sessions leased while it lives.

Between two calls of a session QuickBooks may work for minutes, and one call may run long (a
cycle reading Salesforce); neither must let the lease lapse while the process is alive. A
killed process stops beating, so its sessions lapse within one lease.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

log = logging.getLogger(__name__)


class Renews(Protocol):
    """What the heartbeat drives: `WebConnectorService.renew_leases`."""

    def renew_leases(self) -> int:
        """Extend the leases of the sessions this process serves."""
        ...


class LeaseHeartbeat:
    """Calls `renew_leases` every `interval` seconds on a daemon thread until stopped."""

    def __init__(self, service: Renews, interval: float) -> None:
        self._service = service
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sfqb-lease", daemon=True)

    def start(self) -> None:
        """Begin beating."""
        self._thread.start()

    def stop(self) -> None:
        """Stop beating (the leases then lapse unless calls renew them)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self._interval + 5)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._service.renew_leases()
            except Exception:  # a database hiccup: the next beat tries again
                log.exception("renewing the Web Connector session leases failed")
