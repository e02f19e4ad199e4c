"""`sfqb explain --file` refuses a document with a DTD whatever its encoding, in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.hostile_xml import DTD, IDS, PARAMS, encoded
from typer.testing import CliRunner

from sfqb.cli.context import Services
from sfqb.cli.main import app

SERVICES = Services()
QBXML_STATUS = (
    '<QBXML><QBXMLMsgsRs><CustomerQueryRs requestID="1" statusCode="3100" '
    'statusSeverity="Error" statusMessage="The name is in use."/></QBXMLMsgsRs></QBXML>'
)


@pytest.mark.parametrize(("codec", "bom"), PARAMS, ids=IDS)
def test_explain_file_refuses_a_dtd_in_any_encoding(codec: str, bom: bytes, tmp_path: Path) -> None:
    path = tmp_path / "hostile.xml"
    path.write_bytes(encoded(DTD + QBXML_STATUS, codec, bom))
    result = CliRunner().invoke(app, ["explain", "--file", str(path)], obj=SERVICES)
    assert result.exit_code != 0
    assert "DTD" in result.output
    assert "Traceback" not in result.output
