"""The composition root: builds every collaborator the commands use, once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sfqb.codes import Catalog, load_catalog


@dataclass
class Services:
    """What commands need, built lazily so `sfqb --help` stays fast."""

    @cached_property
    def catalog(self) -> Catalog:
        """The status-code catalog, validated at load."""
        return load_catalog()
