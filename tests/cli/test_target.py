"""`Services.target`: the one place that chooses a company's QuickBooks target by connection."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sfqb.cli.context import Services, TargetUnavailable
from sfqb.cli.errors import UserError
from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.connectors.qbo.profile import QBO_PROFILE
from sfqb.sandbox.qbd import CompanyFile, SandboxSettings
from sfqb.store import ConnectionSystem, Store


def _services(db: Store) -> Services:
    services = Services()
    services.__dict__["store"] = db  # the cached store, as the composition root would build it
    return services


def test_a_web_connector_company_gets_the_desktop_profile_and_no_push_driver(db: Store) -> None:
    target = _services(db).target("acme")
    assert (target.system, target.profile) == (ConnectionSystem.QBD, QBD_PROFILE)
    assert target.open_driver is None  # QuickBooks pulls: the Web Connector calls in


def test_a_sandbox_company_file_gets_a_driver_that_saves_the_file(
    db: Store, tmp_path: Path
) -> None:
    path = tmp_path / "company.json"
    services = _services(db)
    CompanyFile(SandboxSettings(), services.clock, random.Random(0)).save(path)
    db.connections.save("acme", ConnectionSystem.QBD, {"sandbox_file": str(path)})
    target = services.target("acme")
    assert target.profile is QBD_PROFILE and target.open_driver is not None
    before = path.stat().st_mtime_ns
    with target.open_driver() as driver:
        assert driver.execute([]) == []
    assert path.stat().st_mtime_ns >= before


def test_a_quickbooks_online_company_without_tokens_is_refused_with_a_clear_message(
    db: Store,
) -> None:
    db.connections.save("cloud", ConnectionSystem.QBO, {"realm_id": "1234567890"})
    services = _services(db)
    target = services.target("cloud")
    assert target.profile is QBO_PROFILE and target.open_driver is not None  # sfqb pushes
    with pytest.raises(TargetUnavailable) as raised, target.open_driver():
        pass
    assert isinstance(raised.value, UserError)  # one line from the CLI, no traceback
    assert raised.value.system is ConnectionSystem.QBO
    assert "'cloud' is connected to QuickBooks Online" in str(raised.value)
    assert "connect it with sfqb connect qbo --company cloud" in str(raised.value)


def test_push_cycle_refuses_a_web_connector_company(db: Store) -> None:
    with pytest.raises(UserError, match="syncs through the QuickBooks Web Connector"):
        _services(db).push_cycle("acme")
