"""Where a QuickBooks target's field maps live: one directory a target."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable


@dataclass(frozen=True)
class MapSet:
    """A directory of field maps for one QuickBooks target: targets.yaml and one file a flow.

    `DESKTOP_MAPS` (mapping/data/) is the default; `ONLINE_MAPS` (mapping/data/qbo/) holds
    QuickBooks Online's. `MapSet(Path(...))` reads another directory.
    """

    root: Traversable

    def read(self, name: str) -> str:
        """The text of one file of the set."""
        return self.root.joinpath(name).read_text(encoding="utf-8")


DESKTOP_MAPS = MapSet(resources.files("sfqb.mapping").joinpath("data"))
ONLINE_MAPS = MapSet(resources.files("sfqb.mapping").joinpath("data", "qbo"))
