"""Message templates: match QuickBooks' message text and fill the catalog's placeholders."""

from __future__ import annotations

import re
from functools import lru_cache

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def placeholders(template: str) -> list[str]:
    """The placeholder names a template uses, in order."""
    return _PLACEHOLDER.findall(template)


@lru_cache(maxsize=512)
def _pattern(template: str) -> re.Pattern[str] | None:
    if not _PLACEHOLDER.search(template):
        return None
    parts: list[str] = []
    pos = 0
    seen: set[str] = set()
    for match in _PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[pos : match.start()]))
        name = match.group(1)
        # A placeholder used twice can only be captured once.
        parts.append(f"(?P<{name}>.+?)" if name not in seen else ".+?")
        seen.add(name)
        pos = match.end()
    parts.append(re.escape(template[pos:]))
    body = "".join(parts)
    # A template that ends in literal text matches a message that only starts with it:
    # QuickBooks often appends "QuickBooks error message: ..." after its own sentence, and that
    # tail must not be swallowed by the last placeholder.
    tail = r"\s*\Z" if template.rstrip().endswith("}") else ""
    return re.compile(r"\s*" + body + tail, re.DOTALL | re.IGNORECASE)


def extract(template: str, message: str) -> dict[str, str]:
    """Values of the template's placeholders found in an actual message ({} if it doesn't fit)."""
    pattern = _pattern(template)
    if pattern is None or not message:
        return {}
    found = pattern.match(message)
    if found is None:
        return {}
    return {k: v.strip() for k, v in found.groupdict().items() if v is not None}


def fill(text: str, values: dict[str, str]) -> str:
    """Replace `{name}` placeholders with values; unknown names are left as they are."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


_GAPS = re.compile(r"…(?:\s+…)+")


def blank(template: str) -> str:
    """A template as a person may read it without a message: each placeholder becomes "…"
    (neighbouring ones merge), and a template that is only placeholders becomes ""."""
    text = _GAPS.sub("…", _PLACEHOLDER.sub("…", template)).strip()
    return "" if text.strip("…\"' .:[]()") == "" else text
