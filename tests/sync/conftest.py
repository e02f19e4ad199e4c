"""The `h` fixture: one engine harness per target (QuickBooks Desktop and Online)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .harness import TARGETS, Harness


@pytest.fixture(params=list(TARGETS))
def h(request: pytest.FixtureRequest) -> Iterator[Harness]:
    """A fresh harness on each target; tests written against `h.books` and `h.target` run on
    both. A Desktop-only test builds `Harness()` itself and says why in its docstring."""
    target = TARGETS[request.param]
    gap = target.gaps.get(request.node.originalname)
    if gap is not None:  # a known engine gap on this target: must fail until it is fixed
        request.node.add_marker(pytest.mark.xfail(strict=True, reason=gap))
    harness = Harness(target=target)
    yield harness
    harness.close()
