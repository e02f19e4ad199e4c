"""services.qwc: the .qwc file is the one `sfqb qwc` writes; a rotated password is the one the
Web Connector's login accepts, and the old one's sessions end."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from sfqb.cli.main import app
from sfqb.codes import load_catalog
from sfqb.connectors.qbd.webconnector import NoWorkSource, WebConnectorService
from sfqb.jobs.health import recorded_schedule
from sfqb.services.qwc import QwcProblem, qwc_document, qwc_url, rotate_password
from sfqb.store import Store


def _service(store: Store) -> WebConnectorService:
    return WebConnectorService(store, NoWorkSource(), load_catalog(), lambda: datetime.now(UTC))


def test_the_document_is_the_one_the_cli_writes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    result = CliRunner().invoke(
        app, ["qwc", "--company", "Acme", "--password", "pw", "--every", "20", "--database-url",
              url], env={"SFQB_PUBLIC_URL": "https://sfqb.example.com"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    store = Store.from_url(url)
    try:
        address = qwc_url("https://sfqb.example.com/", "http://localhost:8000/qbwc")
        document = qwc_document(store, "Acme", address, minutes=20)
        assert document.decode("utf-8") == result.stdout
        assert etree.fromstring(document).findtext("Scheduler/RunEveryNMinutes") == "20"
        assert recorded_schedule(store, "Acme") == 20
    finally:
        store.engine.dispose()


def test_a_new_file_id_changes_only_the_file_id(db: Store) -> None:
    db.create_company("Acme", "acme", "pw")
    before = etree.fromstring(qwc_document(db, "Acme", "https://s.example/qbwc"))
    after = etree.fromstring(qwc_document(db, "Acme", "https://s.example/qbwc", new_file_id=True))
    assert before.findtext("FileID") != after.findtext("FileID")
    assert before.findtext("OwnerID") == after.findtext("OwnerID")


def test_no_document_for_a_company_without_a_login_or_with_a_bad_url(db: Store) -> None:
    with pytest.raises(QwcProblem, match="no Web Connector login"):
        qwc_document(db, "Nobody", "https://s.example/qbwc")
    db.create_company("Acme", "acme", "pw")
    file_id = db.company("Acme").file_id  # type: ignore[union-attr]
    with pytest.raises(QwcProblem):
        qwc_document(db, "Acme", "http://sfqb.example.com/qbwc", new_file_id=True)
    assert db.company("Acme").file_id == file_id  # type: ignore[union-attr]
    assert recorded_schedule(db, "Acme") is None


def test_a_rotated_password_is_the_one_the_login_accepts(db: Store) -> None:
    db.create_company("Acme", "acme", "old-pw")
    db.enqueue_for("Acme", "<QBXML/>")
    service = _service(db)
    _, verdict = service.authenticate("acme", "old-pw")
    assert verdict == ""
    rotated = rotate_password(db, "Acme")
    assert rotated.closed_sessions == 1
    assert len(rotated.password) >= 20 and rotated.password != "old-pw"
    assert service.authenticate("acme", "old-pw")[1] == "nvu"
    assert service.authenticate("acme", rotated.password)[1] == ""
    assert rotate_password(db, "Acme").password != rotated.password


def test_rotating_an_unknown_company_is_a_problem(db: Store) -> None:
    with pytest.raises(QwcProblem, match="no company"):
        rotate_password(db, "Nobody")


def test_a_download_may_leave_the_schedule_alone(db: Store) -> None:
    db.create_company("Acme", "acme", "pw")
    qwc_document(db, "Acme", "https://s.example/qbwc", minutes=5, remember_schedule=False)
    assert recorded_schedule(db, "Acme") is None
