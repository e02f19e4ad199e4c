"""What every answer of `sfqb serve` carries, and the one address it gives out about itself.

`SecurityHeaders` is a plain ASGI middleware (it never buffers a body): every response gets
nosniff, no framing, no referrer, no caching, a restrictive Content-Security-Policy (no script;
styles, images and form posts from sfqb itself only), and
Strict-Transport-Security when the public URL is https. `public_base_url` checks the
`SFQB_PUBLIC_URL` / `--public-url` setting; the WSDL and the `.qwc` files use it, never a
request's Host header.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HSTS = "max-age=31536000"
_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # The console's pages load their one stylesheet and images from sfqb itself and post forms
    # only to it; no script runs anywhere.
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        b"base-uri 'none'; frame-ancestors 'none'",
    ),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
)


class PublicUrlError(ValueError):
    """The public URL setting is not an http(s) base address; one line."""


def public_base_url(text: str) -> str:
    """`text` checked as a base address (scheme, host, optional port and path), no trailing /."""
    try:
        parts = urlsplit(text.strip())
        _ = parts.port  # raises on a port that is not a number
    except ValueError:
        raise PublicUrlError(f"the public URL {text!r} is not a URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublicUrlError(
            f"the public URL {text!r} must start with https:// (or http://) and name a host, "
            "e.g. https://sfqb.example.com"
        )
    if parts.query or parts.fragment or parts.username or parts.password:
        raise PublicUrlError(
            f"the public URL {text!r} must not carry a query, a fragment or a login"
        )
    return text.strip().rstrip("/")


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.headers = _HEADERS + (
            ((b"strict-transport-security", HSTS.encode()),) if https else ()
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers the response does not set itself."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in self.headers if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
