"""YAML read with the line of every key, so a config error names the line a person must fix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import yaml

Path = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Marks:
    """Key path -> 1-based line ("companies", "acme", "flows") of a YAML document."""

    lines: Mapping[Path, int] = field(default_factory=lambda: MappingProxyType({}))

    def line(self, path: Path) -> int | None:
        """The line of `path`, or of the nearest enclosing key that has one."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = str(key.value)
            lines.setdefault((*path, name), key.start_mark.line + 1)
            _walk(value, (*path, name), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.setdefault((*path, str(i)), item.start_mark.line + 1)
            _walk(item, (*path, str(i)), lines)


def load_marked(text: str) -> tuple[Any, Marks]:
    """The document and the line of each key; yaml.YAMLError when it is not YAML."""
    doc = yaml.safe_load(text)
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    lines: dict[Path, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return doc, Marks(MappingProxyType(lines))


def yaml_problem(exc: yaml.YAMLError) -> tuple[int | None, str]:
    """The line and first words of a YAML syntax error."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "syntax error"
    return (mark.line + 1 if mark is not None else None), str(problem)
