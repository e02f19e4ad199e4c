"""Reading HostQuery's versions and rewriting a message set's <?qbxml version?>."""

from __future__ import annotations

import pytest

from sfqb.connectors.qbd.webconnector.versions import (
    VersionError,
    declared_version,
    parse_host_response,
    with_version,
)


def test_parse_host_response() -> None:
    info = parse_host_response(
        "<QBXML><QBXMLMsgsRs><HostQueryRs statusCode='0'><HostRet><ProductName>QB</ProductName>"
        "<Country>CA</Country><SupportedQBXMLVersion>CA3.0</SupportedQBXMLVersion>"
        "<SupportedQBXMLVersion> 12.0 </SupportedQBXMLVersion></HostRet></HostQueryRs>"
        "</QBXMLMsgsRs></QBXML>"
    )
    assert info.supported == ("CA3.0", "12.0")
    assert (info.product, info.country) == ("QB", "CA")
    assert parse_host_response("<QBXML/>").supported == ()
    with pytest.raises(VersionError):
        parse_host_response("<!DOCTYPE x><QBXML/>")


def test_with_version_rewrites_or_adds_the_processing_instruction() -> None:
    body = "<QBXML><QBXMLMsgsRq onError='stopOnError'><A>&amp; é</A></QBXMLMsgsRq></QBXML>"
    rewritten = with_version(f'<?xml version="1.0"?><?qbxml version="16.0"?>{body}', "12.0")
    assert declared_version(rewritten) == "12.0"
    assert rewritten.count("<?qbxml") == 1
    assert "<A>&amp; é</A>" in rewritten
    added = with_version(body, "13.0")
    assert added.index('<?qbxml version="13.0"?>') < added.index("<QBXML>")
    assert declared_version(body) is None
    with pytest.raises(VersionError):
        with_version("<QBXML", "13.0")
    with pytest.raises(VersionError):
        with_version(body, '13.0"?><evil')
