"""Every catalog text a person reads, over the whole catalog: no template placeholder is left
(with a message, with one that does not fit, without one), and "sfqb will ..." is a sentence."""

from __future__ import annotations

import re

import pytest

from sfqb.codes import CodeEntry, load_catalog
from sfqb.codes.docs import catalog_markdown
from sfqb.codes.template import fill, placeholders
from sfqb.codes.words import (
    actor_text,
    category_text,
    confidence_text,
    flow_text,
    will_sentence,
)
from sfqb.domain.status import Actor, Category, Confidence, DecodedStatus, Remedy, System

CATALOG = load_catalog()
ENTRIES = sorted(CATALOG, key=lambda e: (e.system.value, e.code))
BRACE = re.compile(r"[{}]")


def messages(entry: CodeEntry) -> list[str | None]:
    """No message, an empty one, the template filled in, and a message it does not fit."""
    sample = {name: f"Sample {name}" for name in placeholders(entry.message)}
    return [None, "", fill(entry.message, sample), "Something else went wrong."]


def texts(status: DecodedStatus) -> list[str]:
    return [status.title, status.message, status.meaning, *status.fix, status.applies_when]


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.system.value}-{e.code}")
def test_no_placeholder_reaches_a_person(entry: CodeEntry) -> None:
    for message in messages(entry):
        for text in texts(entry.decode(message)):
            assert not BRACE.search(text), f"{entry.code} with {message!r}: {text!r}"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"{e.system.value}-{e.code}")
def test_a_filled_message_fills_the_texts(entry: CodeEntry) -> None:
    names = placeholders(entry.message)
    if not names:
        return
    status = entry.decode(fill(entry.message, {n: f"Sample {n}" for n in names}))
    used = " ".join(texts(status))
    shown = [n for n in names if any(f"{{{n}}}" in t for t in (entry.meaning, *entry.fix))]
    for name in shown:
        assert f"Sample {name}" in used, f"{entry.code}: {{{name}}} not filled"


def test_unknown_codes_read_without_placeholders() -> None:
    for system, code in [
        (System.QBXML, "3999"), (System.HRESULT, "0x80049999"), (System.QBWC, "QBWC9999"),
        (System.QBO, "9999"), (System.SALESFORCE, "NO_SUCH_CODE"), (System.TRANSPORT, "NOPE"),
    ]:  # fmt: skip
        for text in texts(CATALOG.decode(system, code)):
            assert not BRACE.search(text), text


def test_the_markdown_reference_has_no_placeholders_or_identifiers() -> None:
    document = catalog_markdown(CATALOG)
    body = document.split("|---|", 1)[1]
    assert not re.search(r"\{[a-z_]+\}", body)
    for remedy in Remedy:
        assert f"| {remedy.value} |" not in body
    assert "confidence:" not in body


# -- "sfqb will ...": a grammatical sentence for every remedy ----------------------------------

_NOT_A_VERB = {"nothing", "not", "no", "be"}


def _clause_verbs(sentence: str) -> list[str]:
    """The first word after "will" and after each ", " or " and " that starts a new clause."""
    phrase = sentence.removeprefix("sfqb will ").rstrip(".")
    heads = [phrase.split()[0]]
    for part in re.split(r"(?:,\s+(?:and\s+)?|\s+and\s+)(?:otherwise\s+)?", phrase)[1:]:
        word = part.split()[0] if part.split() else ""
        if word and word.islower() and word not in {"the", "a", "then", "if", "waiting", "once"}:
            heads.append(word)
    return heads


@pytest.mark.parametrize("remedy", list(Remedy), ids=str)
def test_what_sfqb_will_do_is_a_sentence(remedy: Remedy) -> None:
    sentence = will_sentence(remedy)
    assert sentence.startswith("sfqb will ") and sentence.endswith(".")
    assert "_" not in sentence, "an identifier, not words"
    first = sentence.split()[2]
    assert first not in _NOT_A_VERB, sentence
    for verb in _clause_verbs(sentence):
        # A base form after "will": not "retries", "holds", "clears", "checking", "cleared".
        assert not re.fullmatch(r"\w+(?:[^s]s|ies|ing|ed)", verb), f"{verb!r} in {sentence!r}"


def test_every_entry_says_what_sfqb_will_do_in_words() -> None:
    for entry in ENTRIES:
        sentence = will_sentence(entry.remedy)
        assert entry.remedy.value not in sentence


def test_identifiers_have_plain_words() -> None:
    for category in Category:
        assert "_" not in category_text(category)
    for actor in Actor:
        assert "_" not in actor_text(actor)
    assert confidence_text(Confidence.CONFIRMED) == ""
    for confidence in (Confidence.SECONDARY, Confidence.UNCONFIRMED):
        assert confidence.value not in confidence_text(confidence)
    assert flow_text("account_to_customer") == "Accounts → Customers"
    assert "_" not in flow_text("some_new_flow")


# -- the texts that needed sfqb's knowledge --------------------------------------------------


def test_3140_says_deleted_or_not_yet_and_takes_what_sfqb_knows() -> None:
    plain = CATALOG.decode(System.QBXML, "3140")
    assert "not been synced" in plain.meaning and "deleted" in plain.meaning
    known = CATALOG.decode(System.QBXML, "3140", None, {"cause": "which was deleted in QuickBooks"})
    assert "which was deleted in QuickBooks" in known.meaning
    assert "not been synced" not in known.meaning


def test_3250_names_the_preference_when_sfqb_knows_it() -> None:
    values = {"feature": "inventory, which is off", "preference": "Turn on Inventory there."}
    status = CATALOG.decode(System.QBXML, "3250", None, values)
    assert "inventory, which is off" in status.meaning
    assert status.fix[0] == "Turn on Inventory there."


def test_qbwc1039_advice_names_the_new_file_id_option() -> None:
    status = CATALOG.decode(System.QBWC, "QBWC1039")
    advice = status.fix_text()
    assert "--new-file-id" in advice and "OwnerID" in advice
    assert "new IDs" not in advice
