"""A Salesforce org on loopback: HTTPS REST subset that simple-salesforce speaks.

Usage::

    with SalesforceSandbox(SandboxConfig(tls_dir=tmp)) as sb:
        session = sb.requests_session()  # verify=ca.pem, trust_env=False
        sf = Salesforce(instance=sb.instance, session_id=sb.session_id,
                        session=session, version="59.0")   # or simply sb.client()

Set `trust_env = False` on your own sessions: REQUESTS_CA_BUNDLE in the environment would
otherwise override `session.verify`.

`sb.org` is the in-memory `Org` (seed or inspect records directly), `sb.faults` the `Faults`
injection control, `sb.calls` / `sb.writes` / `sb.last_write_headers` the request log,
`sb.auth` the token store (OAuth endpoint at `sb.token_url`).
"""

from sfqb.sandbox.salesforce.clock import ManualClock, system_clock
from sfqb.sandbox.salesforce.config import Clock, SandboxConfig
from sfqb.sandbox.salesforce.errors import OrgError
from sfqb.sandbox.salesforce.faults import Faults
from sfqb.sandbox.salesforce.ids import IdError, normalize, repair_case, to15, to18
from sfqb.sandbox.salesforce.messages import Call
from sfqb.sandbox.salesforce.org import Org
from sfqb.sandbox.salesforce.schema import Schema
from sfqb.sandbox.salesforce.seed import SeedError, SeedSummary, seed
from sfqb.sandbox.salesforce.server import API_VERSION, SalesforceSandbox

__all__ = [
    "API_VERSION",
    "Call",
    "Clock",
    "Faults",
    "IdError",
    "ManualClock",
    "Org",
    "OrgError",
    "SalesforceSandbox",
    "SandboxConfig",
    "Schema",
    "SeedError",
    "SeedSummary",
    "normalize",
    "repair_case",
    "seed",
    "system_clock",
    "to15",
    "to18",
]
