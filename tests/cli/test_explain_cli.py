"""`sfqb explain`: a code, --system, --json, --file and stdin, and clear errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sfqb.cli.context import Services
from sfqb.cli.main import app

SERVICES = Services()  # one catalog load for the module; the app keeps a given ctx.obj
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KEYS = {
    "system",
    "code",
    "severity",
    "message",
    "title",
    "meaning",
    "fix",
    "category",
    "retryable",
    "remedy",
    "actor",
    "known",
}
NAME_IN_USE = "The name &quot;Ridgeline Tool &amp; Die&quot; of the list element is already in use."
BAD_REFERENCE = (
    "There is an invalid reference to QuickBooks Customer &quot;Ridgeline Tool &amp; Die&quot;"
    " in the Invoice."
)
ACCEPTANCE = f"""<?xml version="1.0" ?>
<QBXML><QBXMLMsgsRs>
<CustomerAddRs requestID="1" statusCode="3100" statusMessage="{NAME_IN_USE}" />
<InvoiceAddRs requestID="2" statusCode="3140" statusMessage="{BAD_REFERENCE}" />
</QBXMLMsgsRs></QBXML>
"""


def run(*args: str, stdin: bytes | str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), input=stdin, obj=SERVICES)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.output


def test_explain_a_code_prints_a_panel() -> None:
    code, output = run("explain", "3140")
    assert code == 0
    assert "qbxml 3140" in output and "Fix" in output


def test_explain_json_has_the_documented_keys() -> None:
    code, output = run("explain", "3140", "--json")
    assert code == 0
    (reading,) = json.loads(output)
    assert set(reading) >= KEYS
    assert reading["category"] == "bad_reference"
    assert reading["remedy"] == "sync_parent_first"


def test_explain_3000_gives_two_readings() -> None:
    code, output = run("explain", "3000", "--json")
    assert code == 0
    assert [r["system"] for r in json.loads(output)] == ["qbxml", "transport"]


def test_explain_with_system() -> None:
    code, output = run("explain", "6240", "--system", "qbo", "--json")
    assert code == 0
    (reading,) = json.loads(output)
    assert (reading["system"], reading["code"]) == ("qbo", "6240")


def test_explain_file_acceptance(tmp_path: Path) -> None:
    path = tmp_path / "response.xml"
    path.write_text(ACCEPTANCE, encoding="utf-8")
    code, output = run("explain", "--file", str(path))
    assert code == 0
    assert "2 statuses found" in output
    assert "Ridgeline Tool & Die" in output
    assert "qbxml 3100" in output and "qbxml 3140" in output
    assert "CustomerAddRs" in output and "InvoiceAddRs" in output


def test_explain_file_json_adds_location(tmp_path: Path) -> None:
    path = tmp_path / "response.xml"
    path.write_text(ACCEPTANCE, encoding="utf-8")
    code, output = run("explain", "--file", str(path), "--json")
    assert code == 0
    added, invoiced = json.loads(output)
    for row in (added, invoiced):
        assert set(row) >= KEYS | {"location"}
    assert added["location"] == "CustomerAddRs requestID=1, line 3"
    assert added["details"]["name"] == "Ridgeline Tool & Die"
    assert invoiced["details"]["ref_name"] == "Ridgeline Tool & Die"
    assert invoiced["remedy"] == "sync_parent_first"


def test_explain_stdin() -> None:
    doc = json.dumps({"fault": {"error": [{"message": "m", "detail": "d", "code": "6240"}]}})
    code, output = run("explain", "--file", "-", "--json", stdin=doc)
    assert code == 0
    (row,) = json.loads(output)
    assert row["location"] == "$.fault.error[0]" and row["detail"] == "d"


@pytest.mark.parametrize(
    "name", ["qbxml-response.xml", "qbo-fault.json", "salesforce-collection-errors.json"]
)
def test_explain_every_example(name: str) -> None:
    code, output = run("explain", "--file", str(EXAMPLES / name))
    assert code == 0
    assert "Found at" in output


def test_a_document_without_statuses(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("all quiet\n", encoding="utf-8")
    assert run("explain", "--file", str(path)) == (0, f"No status codes found in {path}.\n")
    assert run("explain", "--file", str(path), "--json") == (0, "[]\n")


BAD_FILES = {
    "malformed.xml": b"<QBXML><QBXMLMsgsRs></QBXML>",
    "malformed.json": b'{"Fault": ',
    "empty.txt": b"",
    "undecodable.txt": b"statusCode=3100 \xfa\xfb\xfc",
    "bomb.xml": (
        b'<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
        b'<QBXML><X statusCode="0" statusMessage="&b;"/></QBXML>'
    ),
    "binary.bin": bytes(range(256)),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_files_exit_2_with_one_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(BAD_FILES[name])
    code, output = run("explain", "--file", str(path))
    assert code == 2
    assert output.startswith("sfqb: ") and output.count("\n") == 1
    assert str(path) in output


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (("explain", "abc"), None, "not a status code"),
        (("explain", "--file", "/nonexistent/sfqb/QWCLog.txt"), None, "no such file"),
        (("explain", "--file", "-"), b"", "stdin: empty document"),
        (("explain", "--file", "-"), b"{oops", "malformed JSON"),
        (("explain",), None, "either a CODE or --file"),
        (("explain", "3100", "--file", "x.xml"), None, "either a CODE or --file"),
        (("explain", "--file", "x.xml", "--system", "qbo"), None, "--system applies to a CODE"),
    ],
)
def test_bad_requests_exit_2(args: tuple[str, ...], stdin: bytes | None, expected: str) -> None:
    code, output = run(*args, stdin=stdin)
    assert code == 2
    assert output.startswith("sfqb: ") and expected in output
    assert output.count("\n") == 1


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    code, output = run("explain", "--file", str(tmp_path))
    assert code == 2 and "is a directory" in output


# -- issue 12: a pasted line, and the HTTP reading of a bare number ------------------------------


@pytest.mark.parametrize(
    ("pasted", "expected"),
    [
        (
            '<CustomerAddRs requestID="3" statusCode="3100" statusSeverity="Error" '
            'statusMessage="The name &quot;Oak&quot; of the list element is already in use." />',
            ("qbxml", "3100"),
        ),
        (
            "20240301.09:40:12 UTC\t: QBWebConnector.WebServiceManager.DoAddApplication() : "
            "QBWC1039: Unique OwnerID/FileID pair value required",
            ("qbwc", "QBWC1039"),
        ),
        ('[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]',
         ("salesforce", "INVALID_SESSION_ID")),
    ],
)  # fmt: skip
def test_a_pasted_line_is_decoded_as_a_file_would_be(
    pasted: str, expected: tuple[str, str]
) -> None:
    code, output = run("explain", pasted, "--json")
    assert code == 0, output
    (reading,) = json.loads(output)
    assert (reading["system"], reading["code"]) == expected
    assert reading["known"] and reading["location"]
    code, output = run("explain", pasted)
    assert code == 0 and "1 status found in the pasted text" in output


def test_pasted_text_without_a_status_is_still_not_a_status_code() -> None:
    code, output = run("explain", "all quiet today")
    assert code == 2 and "not a status code" in output


def test_a_bare_429_offers_the_http_reading() -> None:
    code, output = run("explain", "429", "--json")
    assert code == 0
    readings = {(r["system"], r["code"]) for r in json.loads(output)}
    assert ("qbo", "http-429") in readings
    code, output = run("explain", "500", "--json")
    readings = {(r["system"], r["code"]) for r in json.loads(output)}
    assert {("qbxml", "500"), ("qbo", "500"), ("qbo", "http-500")} <= readings
