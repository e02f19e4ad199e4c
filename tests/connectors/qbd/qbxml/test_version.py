"""qbXML version negotiation: highest common version, never above the host's or the wanted one."""

from __future__ import annotations

import pytest

from sfqb.connectors.qbd.qbxml import (
    SPOKEN_VERSIONS,
    QbxmlVersionError,
    negotiate_version,
    qbwc_supported_versions,
)

ALL_HOST_VERSIONS = ["1.0", "1.1", "2.0", "2.1", "3.0", "4.0", "4.1", "5.0", "6.0", "7.0", "8.0"]


@pytest.mark.parametrize(
    ("supported", "wanted", "chosen"),
    [
        ([*ALL_HOST_VERSIONS, "10.0", "11.0", "12.0", "13.0", "14.0", "16.0"], "13.0", "13.0"),
        ([*ALL_HOST_VERSIONS, "10.0", "11.0", "12.0"], "13.0", "12.0"),
        ([*ALL_HOST_VERSIONS, "10.0", "11.0", "12.0", "13.0"], "12.0", "12.0"),
        ([*ALL_HOST_VERSIONS, "10.0"], "13.0", "10.0"),
        (ALL_HOST_VERSIONS, "13.0", "8.0"),
        (["CA3.0", "UK3.0", "12.0", " 13.0 "], "13.0", "13.0"),
        (["13.0", "12.0"], "16.0", "13.0"),
    ],
)
def test_highest_common_version(supported: list[str], wanted: str, chosen: str) -> None:
    assert negotiate_version(supported, wanted) == chosen


def test_default_wants_13() -> None:
    assert negotiate_version(["12.0", "13.0", "14.0"]) == "13.0"


@pytest.mark.parametrize(
    ("supported", "wanted"),
    [
        (["1.0", "2.0", "6.0", "7.0"], "13.0"),
        ([], "13.0"),
        (["garbage"], "13.0"),
        (["13.0"], "7.0"),
    ],
)
def test_no_usable_version_is_a_clear_error(supported: list[str], wanted: str) -> None:
    with pytest.raises(QbxmlVersionError, match="sfqb needs one of") as caught:
        negotiate_version(supported, wanted)
    assert "\n" not in str(caught.value)


def test_bad_wanted_version_is_refused() -> None:
    with pytest.raises(QbxmlVersionError, match=r"X\.Y"):
        negotiate_version(["13.0"], "thirteen")


def test_web_connector_major_minor_means_that_version_and_all_below() -> None:
    assert negotiate_version(qbwc_supported_versions(13, 0)) == "13.0"
    assert negotiate_version(qbwc_supported_versions(16, 0)) == "13.0"
    assert negotiate_version(qbwc_supported_versions(11, 0)) == "11.0"
    assert qbwc_supported_versions(8, 0) == ("8.0",)
    with pytest.raises(QbxmlVersionError):
        negotiate_version(qbwc_supported_versions(7, 0))
    assert set(qbwc_supported_versions(99, 0)) == set(SPOKEN_VERSIONS)
