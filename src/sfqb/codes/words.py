"""Plain words for sfqb's identifiers (remedies, categories, flows, ...): `words.yaml`."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml

from sfqb.domain.status import Actor, Category, Confidence, DecodedStatus, Remedy, System


@cache
def _words() -> dict[str, dict[str, str]]:
    text = resources.files("sfqb.codes").joinpath("words.yaml").read_text(encoding="utf-8")
    loaded: dict[str, dict[str, str]] = yaml.safe_load(text)
    return loaded


def _word(group: str, key: str) -> str:
    return _words()[group].get(key, key.replace("_", " "))


def remedy_phrase(remedy: Remedy | str) -> str:
    """What sfqb will do, as the verb phrase that follows "sfqb will" ("try again ...")."""
    return _word("remedies", str(remedy))


def will_sentence(remedy: Remedy | str) -> str:
    """What sfqb will do, as a whole sentence: "sfqb will try again on the next cycle, ..."."""
    return f"sfqb will {remedy_phrase(remedy)}."


def category_text(category: Category | str) -> str:
    """What kind of problem a category is, in plain words."""
    return _word("categories", str(category))


def actor_text(actor: Actor | str) -> str:
    """Who has to act, in plain words."""
    return _word("actors", str(actor))


def confidence_text(confidence: Confidence | str) -> str:
    """How sure the catalog is, in plain words ("" when the entry is confirmed)."""
    return _words()["confidence"].get(str(confidence), "")


def system_text(system: System | str) -> str:
    """The name of the system a code comes from ("QuickBooks", "Salesforce", ...)."""
    return _word("systems", str(system))


def flow_text(flow: str) -> str:
    """A flow id as a person reads it: account_to_customer -> "Accounts → Customers"."""
    return _word("flows", flow)


def status_label(system: System | str, code: str, title: str = "") -> str:
    """A code as a person reads it: "QuickBooks 3140 Invalid reference"; sfqb's own codes
    (the transport system) are named by their title only."""
    if str(system) == System.TRANSPORT.value and title:
        return title
    label = f"{system_text(system)} {code}"
    return f"{label} {title}" if title else label


def kind_text(status: DecodedStatus) -> str:
    """The kind of problem and whether trying again can help, in one line."""
    again = "trying again can help" if status.retryable else "trying again does not help"
    return f"{category_text(status.category)} · {again}"


def flow_choices() -> dict[str, str]:
    """Every flow id with its words, in the data file's order (for a filter's choices)."""
    return dict(_words()["flows"])
