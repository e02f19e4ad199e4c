"""`sfqb explain --file` on real artifacts from public sources (tests/data/realworld/README.md).

Each file gives exactly the expected codes, every one known to the catalog; a file with a code
never exits 2, and no code is reported that the file does not contain.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sfqb.cli.context import Services
from sfqb.cli.main import app

SERVICES = Services()
REALWORLD = Path(__file__).resolve().parents[1] / "data" / "realworld"
QBO, SF, QBXML, QBWC, HRESULT = "qbo", "salesforce", "qbxml", "qbwc", "hresult"

EXPECTED: dict[str, set[tuple[str, str]]] = {
    "beanworks-6-backticked-429.md": {(QBO, "3001")},
    "cerb-836-guzzle-401.txt": {(SF, "INVALID_SESSION_ID")},
    "conductor-errors-0x80040420.txt": {(HRESULT, "0x80040420")},
    "datacite-1461-prose.txt": {(SF, "UNABLE_TO_LOCK_ROW")},
    "dlrs-1299-dmlexception.txt": {(SF, "UNABLE_TO_LOCK_ROW")},
    "dlrs-501-lock-parens.txt": {(SF, "UNABLE_TO_LOCK_ROW")},
    "dlrs-847-nested-dmlexception.txt": {
        (SF, "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY"),
        (SF, "UNABLE_TO_LOCK_ROW"),
    },
    "eloquentsf-59-json-fragment.txt": {(SF, "UNABLE_TO_LOCK_ROW")},
    "forcetk-68-console-dump.txt": {(SF, "UNABLE_TO_LOCK_ROW")},
    "helloworldphp-8-no-code.txt": set(),  # "statusCode: 401" in a QBO text is not qbXML 401
    "jsforce-1018-lock-title.txt": {(SF, "UNABLE_TO_LOCK_ROW")},
    "jsforce-1067-allornone-shell.txt": {
        (SF, "ALL_OR_NONE_OPERATION_ROLLED_BACK"),
        (SF, "INVALID_CROSS_REFERENCE_KEY"),
    },
    "massedit-4-log-invalid-grant.txt": {(SF, "INVALID_GRANT")},
    "nodeqb-154-fault-fragment.txt": {(QBO, "3100")},
    "nodeqb-48-js-object-6000.txt": {(QBO, "6000")},
    "oauthjs-188-json-fragment-10100.txt": {(QBO, "10100")},
    "oltu-11-could-not-access.txt": {(SF, "INVALID_SESSION_ID")},
    "pyqb-106-exception-json-3100.txt": {(QBO, "3100")},
    "pyqb-120-auth-exception-100.txt": {(QBO, "100")},
    "pyqb-127-python-list-5010.txt": {(QBO, "5010")},
    "pyqb-24-python-dict-2010.txt": {(QBO, "2010")},
    "pyqb-250-authorization-exception-3200.txt": {(QBO, "3200")},
    "pyqb-43-exception-xml-body.txt": {(QBO, "3001")},
    "pyqb-83-fenced-throttle.md": {(QBO, "3001")},
    "qboapi-96-ruby-statuscode-500.txt": {(QBO, "120")},  # not qbXML 500
    "qbophp-102-fatal-2500-itemref.txt": {(QBO, "2500")},
    "qbophp-110-fatal-2500.txt": {(QBO, "2500")},
    "qbophp-241-fatal-6240-cut.txt": {(QBO, "6240")},
    "qbophp-445-fault-missing-close.xml": {(QBO, "6070")},
    "qbophp-445-fault-nested-errors.xml": {(QBO, "6070")},
    "qbophp-54-throttle.xml": {(QBO, "3001")},
    "qbphp-240-qbwc1012-two-lines.txt": {(QBWC, "QBWC1012")},
    "qbphp-248-qbwc1042-dialog.txt": {(QBWC, "QBWC1042")},
    "qbphp-256-3140-message.txt": {(QBXML, "3140")},
    "qbphp-92-qwclog-customerquery.txt": {(QBXML, "0")},
    "qbruby-338-ruby-hash.rb": {(QBO, "3001")},
    "qbruby-338-throttle-403.xml": {(QBO, "3001")},
    "qbruby-348-fixture-cut.xml": {(QBO, "3001")},
    "qbwc-api-3-soap-unescaped.xml": {(QBXML, "0")},
    "qbws-9-connectionerror-log.txt": {(HRESULT, "0x80040408")},
    "restforce-624-flow-trigger.txt": {(SF, "CANNOT_EXECUTE_FLOW_TRIGGER")},
    "restforce-81-invalid-grant.txt": {(SF, "INVALID_GRANT")},
    "sfdmu-814-lock-line.txt": {(SF, "UNABLE_TO_LOCK_ROW")},
    "sfmobile-1250-nserror-invalid-grant.txt": {(SF, "INVALID_GRANT")},
    "zao-12-php-sdk-helper-6000.txt": {(QBO, "6000")},
}


def explain(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["explain", "--file", str(path), "--json"], obj=SERVICES)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_every_collected_file_has_an_expected_reading() -> None:
    collected = {p.name for p in REALWORLD.iterdir() if p.name != "README.md"}
    assert collected == set(EXPECTED)
    assert len(collected) >= 40
    readme = (REALWORLD / "README.md").read_text(encoding="utf-8")
    assert all(f"| {name} |" in readme for name in collected)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_realworld_file_gives_the_expected_codes(name: str) -> None:
    path = REALWORLD / name
    exit_code, output = explain(path)
    assert exit_code == 0, output
    readings = json.loads(output)
    assert {(r["system"], r["code"]) for r in readings} == EXPECTED[name]
    assert all(r["known"] for r in readings)
    text = path.read_text(encoding="utf-8").lower()
    for reading in readings:
        # Never a code the file does not contain (QuickBooks Online gateway codes are 0-padded).
        assert re.search(rf"(?<![0-9a-z]){re.escape(reading['code'].lower())}", text) or re.search(
            rf"0+{re.escape(reading['code'])}\b", text
        ), reading["code"]
