"""Fault injection for the QuickBooks Desktop sandbox: outages, lost replies, locks."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

CONNECTOR_DOWN_HRESULT = "0x80040408"
CONNECTOR_DOWN_MESSAGE = "Could not start QuickBooks."
PARSE_ERROR_HRESULT = "0x80040400"
PARSE_ERROR_MESSAGE = "QuickBooks found an error when parsing the provided XML text stream."
BAD_VERSION_HRESULT = "0x80040423"
BAD_VERSION_MESSAGE = "The version of qbXML that was requested is not supported or is unknown."


class SandboxFault(Exception):
    """QuickBooks' request processor failed with an HRESULT instead of answering."""

    def __init__(self, hresult: str, message: str) -> None:
        super().__init__(f"{hresult}: {message}")
        self.hresult = hresult
        self.message = message


class ConnectorDown(SandboxFault):
    """The connection to QuickBooks could not be opened (the Web Connector's connectionError)."""

    def __init__(
        self, hresult: str = CONNECTOR_DOWN_HRESULT, message: str = CONNECTOR_DOWN_MESSAGE
    ) -> None:
        super().__init__(hresult, message)


class RequestRejected(SandboxFault):
    """ProcessRequest threw: the message set could not be parsed or its version is unsupported."""


class LostReply(Exception):
    """The message set was processed, but its response never reached the caller."""

    def __init__(self) -> None:
        super().__init__("the request was processed but the reply was lost")


@dataclass(frozen=True, slots=True)
class InjectedStatus:
    """A status a one-shot injection makes the next matching request answer with."""

    request: str
    code: int
    message: str | None


RequestHook = Callable[[etree._Element], int | None]
"""Called with a request (e.g. a CustomerModRq element) before QuickBooks processes it; it may
act as a QuickBooks user would in the meantime, and returns a status code to answer with
instead of running the request, or None to let it run."""


class Faults:
    """Deterministic one-shot injections for tests, and the random faults of the settings."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._statuses: deque[InjectedStatus] = deque()
        self._lost: int = 0
        self._down: deque[ConnectorDown] = deque()
        self._hooks: dict[str, list[RequestHook]] = {}

    def fail_next(self, request: str, code: int, message: str | None = None) -> None:
        """Make the next `request` (e.g. "CustomerMod") fail with `code` instead of running."""
        self._statuses.append(InjectedStatus(request.removesuffix("Rq"), code, message))

    def lose_next_reply(self, count: int = 1) -> None:
        """Process the next `count` message sets but raise LostReply instead of answering."""
        self._lost += count

    def connector_down_next(
        self,
        count: int = 1,
        hresult: str = CONNECTOR_DOWN_HRESULT,
        message: str = CONNECTOR_DOWN_MESSAGE,
    ) -> None:
        """Make the next `count` connection attempts fail with ConnectorDown."""
        for _ in range(count):
            self._down.append(ConnectorDown(hresult, message))

    def before(self, request: str, hook: RequestHook) -> None:
        """Run `hook` before every `request` (e.g. "CustomerMod") until `remove_hook`."""
        self._hooks.setdefault(request.removesuffix("Rq"), []).append(hook)

    def remove_hook(self, request: str, hook: RequestHook) -> None:
        """Stop running `hook` before `request` (no error when it is not registered)."""
        hooks = self._hooks.get(request.removesuffix("Rq"), [])
        if hook in hooks:
            hooks.remove(hook)

    def hooks(self, request: str) -> list[RequestHook]:
        """The hooks registered for this request name, in registration order (a copy)."""
        return list(self._hooks.get(request, ()))

    def clear(self) -> None:
        """Drop every pending one-shot injection and every hook."""
        self._statuses.clear()
        self._down.clear()
        self._hooks.clear()
        self._lost = 0

    def take_status(self, request: str) -> InjectedStatus | None:
        """The injected status for this request name, consumed; None when there is none."""
        for injected in self._statuses:
            if injected.request == request:
                self._statuses.remove(injected)
                return injected
        return None

    def take_connector_down(self, always_down: bool) -> ConnectorDown | None:
        """The outage to raise for this connection attempt, if any."""
        if self._down:
            return self._down.popleft()
        return ConnectorDown() if always_down else None

    def take_lost_reply(self, rate: float) -> bool:
        """True when this message set's reply is to be lost."""
        if self._lost > 0:
            self._lost -= 1
            return True
        return rate > 0 and self._rng.random() < rate

    def lock_hit(self, rate: float) -> bool:
        """True when a random QuickBooks user holds the record or list this Add/Mod touches."""
        return rate > 0 and self._rng.random() < rate
