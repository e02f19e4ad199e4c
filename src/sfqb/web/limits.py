"""Limits of the web app against hostile callers: turns, body reading, the client's address.

* `RequestGate`: at most N requests are read and answered at once; the others wait for a turn
  up to a few seconds, then are refused (503) - a flood queues briefly instead of growing memory.
* `read_body`: a body is read chunk by chunk into a `BodyReader` that cuts it off as soon as it
  is over its limit; a declared Content-Length over the limit is refused before any read.
* `client_address`: the caller's address for the login throttle, from `X-Forwarded-For` only
  when the request comes from a trusted proxy; None when it cannot be known.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import ipaddress
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import Request

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
FORWARDING_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


BIG_BODY_BYTES = 1024 * 1024


def _malloc_trim() -> ctypes._NamedFuncPointer | None:
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim", None) if name else None
    except OSError:
        return None


_TRIM = _malloc_trim()


def give_back_memory(body_bytes: int) -> None:
    """After a big body, hand freed heap back to the system (glibc keeps it otherwise, so a
    burst of large requests would leave the process at its peak size for good)."""
    if _TRIM is not None and body_bytes >= BIG_BODY_BYTES:
        _TRIM(0)


class Busy(Exception):
    """No turn became free in time."""


class TooSlow(Exception):
    """The request body did not arrive in time."""


class ChunkSink(Protocol):
    """Where body chunks go; raises when the body is over its limit."""

    limit: int

    def feed(self, chunk: bytes) -> None:
        """Take one chunk."""
        ...


class RequestGate:
    """At most `turns` requests inside at once; a caller waits up to `wait_seconds` for one."""

    def __init__(self, turns: int, wait_seconds: float) -> None:
        self.turns = max(1, turns)
        self.wait_seconds = wait_seconds
        self._semaphore: asyncio.Semaphore | None = None

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Hold a turn for the block; raises Busy when none was free in time."""
        if self._semaphore is None:  # made inside the server's event loop
            self._semaphore = asyncio.Semaphore(self.turns)
        semaphore = self._semaphore
        try:
            await asyncio.wait_for(semaphore.acquire(), self.wait_seconds)
        except TimeoutError:
            raise Busy from None
        try:
            yield
        finally:
            semaphore.release()


def declared_too_large(request: Request, limit: int) -> bool:
    """True when the request announces a Content-Length over `limit`."""
    declared = request.headers.get("content-length", "").strip()
    return declared.isdigit() and (len(declared) > 19 or int(declared) > limit)


async def read_body(request: Request, sink: ChunkSink, seconds: float) -> None:
    """Stream the body into `sink` (which raises when it is too big); TooSlow after `seconds`."""
    try:
        async with asyncio.timeout(seconds):
            async for chunk in request.stream():
                if chunk:
                    sink.feed(chunk)
    except TimeoutError:
        raise TooSlow from None


def parse_trusted(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """Addresses or CIDR networks (comma- or space-separated); ValueError names a bad one."""
    networks: list[IPNetwork] = []
    for value in values:
        for item in value.replace(",", " ").split():
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or network (CIDR)") from None
    return tuple(networks)


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":", 1)[0]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: str, trusted: Sequence[IPNetwork]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in network for network in trusted)


def client_address(request: Request, trusted: Sequence[IPNetwork]) -> str | None:
    """The caller's address, or None when it cannot be known.

    From a trusted proxy: the right-most `X-Forwarded-For` entry that is not itself a trusted
    proxy (entries further left are whatever the caller wrote); a trusted proxy that names no
    client leaves it unknown. From any other peer: the peer,
    unless the request carries forwarding headers - then an untrusted proxy (or a caller
    posing as one) stands in between, and the address is not known.
    """
    peer = request.client.host if request.client else ""
    if not peer:
        return None
    if not _trusted(peer, trusted):
        if any(name in request.headers for name in FORWARDING_HEADERS):
            return None
        return peer
    hops = [h.strip() for h in ",".join(request.headers.getlist("x-forwarded-for")).split(",")]
    hops = [h for h in hops if h]
    for hop in reversed(hops):
        if not _trusted(hop, trusted):
            ip = _ip(hop)
            return str(ip) if ip is not None else None
    return hops[0] if hops else None  # every hop trusted: the first is where it came from
