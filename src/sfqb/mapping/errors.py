"""Typed errors of the mapping layer: each carries a one-line message."""

from __future__ import annotations


class MappingConfigError(ValueError):
    """A field map (bundled or a company override) is invalid; names the file, line and key."""

    def __init__(self, source: str, key: str, problem: str, line: int | None = None) -> None:
        where = f"{source}:{line}" if line is not None else source
        super().__init__(f"{where}: {key}: {problem}")
        self.source = source
        self.key = key
        self.problem = problem
        self.line = line


class MappingInputError(ValueError):
    """A record's value cannot be mapped (e.g. "abc" where an amount is expected)."""

    def __init__(self, flow: str, field: str, problem: str) -> None:
        super().__init__(f"{flow}: {field}: {problem}")
        self.flow = flow
        self.field = field


class RecordNotEligible(ValueError):
    """The record does not meet the flow's `require` condition (e.g. not Closed Won)."""

    def __init__(self, flow: str, reason: str) -> None:
        super().__init__(f"{flow}: {reason}")
        self.flow = flow
        self.reason = reason
