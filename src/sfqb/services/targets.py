"""Which QuickBooks a company syncs with, chosen by its connection: the one place that asks."""

from __future__ import annotations

from collections.abc import Callable

from sfqb.connectors.qbd.profile import QBD_PROFILE
from sfqb.connectors.qbo.profile import QBO_PROFILE
from sfqb.store import Store
from sfqb.store.connections import ConnectionSystem
from sfqb.sync.target import TargetProfile


def connected_to(store: Store, company: str) -> ConnectionSystem:
    """The QuickBooks the company is connected to (Desktop unless it has an Online one)."""
    if store.connections.get(company, ConnectionSystem.QBO) is not None:
        return ConnectionSystem.QBO
    return ConnectionSystem.QBD


def profile_of(store: Store) -> Callable[[str], TargetProfile]:
    """A company's target profile (its QuickBooks' vocabulary, limits and Id form), looked up
    in `store` when asked, without opening a connection."""

    def profile(company: str) -> TargetProfile:
        if connected_to(store, company) is ConnectionSystem.QBO:
            return QBO_PROFILE
        return QBD_PROFILE

    return profile
