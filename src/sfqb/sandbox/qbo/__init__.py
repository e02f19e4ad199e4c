"""A QuickBooks Online company on loopback: the Accounting API v3 subset sfqb uses.

Usage in-process (no server)::

    sandbox = QboSandbox(QboConfig(clock=ManualClock()))
    client = httpx.Client(transport=httpx.ASGITransport(app=sandbox.app)) # or AsyncClient
    client.get(f"http://qbo/v3/company/{sandbox.realm}/query",
               params={"query": "select * from Customer", "minorversion": "75"},
               headers={"Authorization": "Bearer demo", "Accept": "application/json"})

or over HTTPS: `with QboSandbox(QboConfig(tls_dir=DIR)) as sb:` then `sb.base_url`,
verify with `sb.ca_path`. A reply lost by fault injection raises `ReplyLost` through
ASGITransport and drops the connection over HTTPS.

`sb.records(entity)`, `sb.counts()`, `sb.calls`, `sb.call_count(429)` inspect;
`sb.faults` (lost replies, 5xx, throttles), `sb.tokens` (expiry, revocation),
`sb.limits.share_with_other_app(n)`, `sb.webhooks` (flush, enabled, lose_next) and
`sb.merge_customers(a, b)` inject; `sb.admin({...})` does the same by JSON (POST /admin).
"""

from sfqb.sandbox.qbo.api import Answer, Call
from sfqb.sandbox.qbo.config import DEFAULT_REALM, MIN_MINOR_VERSION, QboConfig
from sfqb.sandbox.qbo.errors import QboError
from sfqb.sandbox.qbo.oauth import OAuthError
from sfqb.sandbox.qbo.server import AUTHORIZE_PATH, TOKEN_PATH, QboSandbox, ReplyLost
from sfqb.sandbox.qbo.webhooks import Delivery, sign

__all__ = [
    "AUTHORIZE_PATH",
    "DEFAULT_REALM",
    "MIN_MINOR_VERSION",
    "TOKEN_PATH",
    "Answer",
    "Call",
    "Delivery",
    "OAuthError",
    "QboConfig",
    "QboError",
    "QboSandbox",
    "ReplyLost",
    "sign",
]
