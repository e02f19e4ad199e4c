"""qbXML version negotiation: the highest version both sfqb and the QuickBooks host speak.

sfqb's requests are valid qbXML 12.0 and use nothing newer, and nothing older than 8.0
(multi-currency references); a 13.0 host validates them unchanged, so sfqb speaks 8.0-13.0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sfqb.connectors.qbd.qbxml.errors import QbxmlVersionError

SPOKEN_VERSIONS = ("13.0", "12.0", "11.0", "10.0", "8.0")
DEFAULT_VERSION = "13.0"
_VERSION = re.compile(r"\s*(\d{1,2})\.(\d)\s*\Z")


def _key(version: str) -> tuple[int, int] | None:
    match = _VERSION.match(version)
    return (int(match.group(1)), int(match.group(2))) if match else None


def qbwc_supported_versions(major: int, minor: int) -> tuple[str, ...]:
    """The versions sfqb speaks up to the one the Web Connector reports (qbXMLMajorVers/Minor).

    QuickBooks supports every earlier version too, so all spoken versions up to it qualify.
    """
    return tuple(v for v in SPOKEN_VERSIONS if (_key(v) or (0, 0)) <= (major, minor))


def negotiate_version(supported: Iterable[str], wanted: str = DEFAULT_VERSION) -> str:
    """The highest version sfqb speaks, the host lists as supported, and is not above `wanted`.

    `supported` is HostRet/SupportedQBXMLVersion (entries such as "CA3.0" are ignored) or
    `qbwc_supported_versions(...)`. Raises QbxmlVersionError when none fits.
    """
    limit = _key(wanted)
    if limit is None:
        raise QbxmlVersionError(f"wanted qbXML version {wanted!r} is not of the form X.Y")
    offered = {k for k in (_key(v) for v in supported) if k is not None}
    usable = [v for v in SPOKEN_VERSIONS if (_key(v) or (0, 0)) <= limit and _key(v) in offered]
    if usable:
        return usable[0]
    listed = ", ".join(f"{a}.{b}" for a, b in sorted(offered)) or "none"
    raise QbxmlVersionError(
        f"QuickBooks supports qbXML {listed}; sfqb needs one of "
        f"{', '.join(reversed(SPOKEN_VERSIONS))} (at most {wanted}): update QuickBooks Desktop"
    )
