"""The text rule (Windows-1252, transliteration, reporting) and the field limits vs the schema."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from sfqb.connectors.qbd.qbxml import (
    DEFAULT_RULES,
    SFQB_OWNER_ID,
    Address,
    CustomerAdd,
    DataExtAdd,
    InvoiceAdd,
    ItemServiceAdd,
    LineAdd,
    ListDataExtType,
    QbxmlFieldError,
    Ref,
    Request,
    SalesOrPurchase,
    VendorAdd,
    build_request,
    compose_message_set,
    load_field_rules,
    load_text_rules,
    sanitize,
)

RULES = load_text_rules()


@pytest.mark.parametrize(
    ("original", "sent"),
    [
        ("Crème brûlée Ærø ß €", "Crème brûlée Ærø ß €"),
        ("e\u0301te\u0301", "été"),
        ("\u201cquoted\u201d \u2018single\u2019", "\"quoted\" 'single'"),
        ("A\u2013B\u2014C\u2026", "A-B-C..."),
        ("Őrség Łódź", "Orség ?ódz"),
        ("\ufb01le \uff21\uff22", "file AB"),
        ("\u0391\u03b8\u03ae\u03bd\u03b1 \u6771\u4eac", "????? ??"),
        ("ok 😀 👍🏽 👨\u200d👩\u200d👧", "ok ? ? ???"),
        ("bell\x07 del\x7f c1\x85", "bell del c1"),
        ("lone \ud800 surrogate", "lone ? surrogate"),
        ("non\u00a0break", "non break"),
    ],
)
def test_text_rule(original: str, sent: str) -> None:
    result, change = sanitize(original, "CustomerAdd/Name", RULES)
    assert result == sent
    if original == sent:
        assert change is None
    else:
        assert change is not None
        assert (change.field, change.original, change.sent) == ("CustomerAdd/Name", original, sent)
        assert change.reason


def test_line_breaks_become_spaces_in_single_line_fields_only() -> None:
    assert sanitize("a\nb\tc", "CustomerAdd/Name", RULES)[0] == "a b c"
    assert sanitize("a\nb\tc", "CustomerAdd/Notes", RULES) == ("a\nb\tc", None)
    assert sanitize("a\nb", "InvoiceAdd/InvoiceLineAdd/Desc", RULES) == ("a\nb", None)


def test_reason_names_what_happened() -> None:
    _, change = sanitize("“x” 😀\x01", "VendorAdd/Name", RULES)
    assert change is not None
    assert "'“' became '\"'" in change.reason
    assert "'😀' is not storable, sent as '?'" in change.reason
    assert "control character U+0001 removed" in change.reason


_SPECIALS = st.sampled_from(
    list("&<>\"':;é€ßÆ“”‘’–—…😀👍🏽\u200d\ufe0f\u0301Ω東\x00\x01\x1f\x7f\x85\t\n\r\ud800\uffff")
)
NAMES = st.lists(st.one_of(st.characters(), _SPECIALS), max_size=45).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=NAMES)
def test_any_name_either_builds_valid_qbxml_with_changes_reported_or_is_refused(
    name: str, schema_errors: Callable[[str], list[str]]
) -> None:
    request = CustomerAdd(name=name, notes=name, bill_address=Address(addr1=name[:20]))
    try:
        built = compose_message_set({"c": request}, "13.0")
    except QbxmlFieldError as exc:
        sent, _ = sanitize(name, "CustomerAdd/Name", RULES)
        assert len(sent) > 41 or ":" in sent or not sent.strip() or "Addr1" in exc.field
        assert "\n" not in str(exc)
        return
    assert schema_errors(built.xml) == []
    root = etree.fromstring(built.xml.encode("utf-8"))
    sent_name = root.findtext(".//CustomerAdd/Name")
    assert sent_name is not None
    sent_name.encode("cp1252")
    changed = {c.field: c for c in built.changes["c"]}
    if sent_name == name:
        assert "CustomerAdd/Name" not in changed
    else:
        change = changed["CustomerAdd/Name"]
        assert (change.original, change.sent) == (name, sent_name)
    assert root.findtext(".//CustomerAdd/Notes") == sanitize(name, "CustomerAdd/Notes", RULES)[0]


# Fields whose schema type is a plain STRTYPE: the limit is QuickBooks' own (Customer FullName).
SCHEMA_UNLIMITED = {"CustomerAdd/ParentRef/FullName"}

# Each case: a request factory taking a text value, the field path, and the limit of limits.yaml.
LIMIT_CASES: list[tuple[Callable[[str], Request], str, int]] = [
    (lambda v: CustomerAdd(name=v), "CustomerAdd/Name", 41),
    (lambda v: CustomerAdd(name="A", company_name=v), "CustomerAdd/CompanyName", 41),
    (lambda v: CustomerAdd(name="A", first_name=v), "CustomerAdd/FirstName", 25),
    (lambda v: CustomerAdd(name="A", last_name=v), "CustomerAdd/LastName", 25),
    (lambda v: CustomerAdd(name="A", phone=v), "CustomerAdd/Phone", 21),
    (lambda v: CustomerAdd(name="A", email=v), "CustomerAdd/Email", 1023),
    (lambda v: CustomerAdd(name="A", notes=v), "CustomerAdd/Notes", 4095),
    (lambda v: CustomerAdd(name="A", account_number=v), "CustomerAdd/AccountNumber", 99),
    (
        lambda v: CustomerAdd(name="A", parent=Ref(full_name=v)),
        "CustomerAdd/ParentRef/FullName",
        209,
    ),
    (lambda v: CustomerAdd(name="A", terms=Ref(full_name=v)), "CustomerAdd/TermsRef/FullName", 31),
    (
        lambda v: CustomerAdd(name="A", currency=Ref(full_name=v)),
        "CustomerAdd/CurrencyRef/FullName",
        64,
    ),
    (
        lambda v: CustomerAdd(name="A", bill_address=Address(addr1=v)),
        "CustomerAdd/BillAddress/Addr1",
        41,
    ),
    (
        lambda v: CustomerAdd(name="A", bill_address=Address(city=v)),
        "CustomerAdd/BillAddress/City",
        31,
    ),
    (
        lambda v: CustomerAdd(name="A", bill_address=Address(state=v)),
        "CustomerAdd/BillAddress/State",
        21,
    ),
    (
        lambda v: CustomerAdd(name="A", bill_address=Address(postal_code=v)),
        "CustomerAdd/BillAddress/PostalCode",
        13,
    ),
    (lambda v: VendorAdd(name=v), "VendorAdd/Name", 41),
    (lambda v: VendorAdd(name="A", name_on_check=v), "VendorAdd/NameOnCheck", 41),
    (lambda v: VendorAdd(name="A", tax_ident=v), "VendorAdd/VendorTaxIdent", 15),
    (
        lambda v: ItemServiceAdd(name=v, sales_or_purchase=SalesOrPurchase()),
        "ItemServiceAdd/Name",
        31,
    ),
    (
        lambda v: ItemServiceAdd(
            name="S", sales_or_purchase=SalesOrPurchase(account=Ref(full_name=v))
        ),
        "ItemServiceAdd/SalesOrPurchase/AccountRef/FullName",
        159,
    ),
    (lambda v: InvoiceAdd(customer=Ref(full_name=v)), "InvoiceAdd/CustomerRef/FullName", 209),
    (lambda v: InvoiceAdd(customer=Ref(list_id="1"), ref_number=v), "InvoiceAdd/RefNumber", 11),
    (lambda v: InvoiceAdd(customer=Ref(list_id="1"), po_number=v), "InvoiceAdd/PONumber", 25),
    (lambda v: InvoiceAdd(customer=Ref(list_id="1"), memo=v), "InvoiceAdd/Memo", 4095),
    (
        lambda v: InvoiceAdd(customer=Ref(list_id="1"), lines=(LineAdd(desc=v),)),
        "InvoiceAdd/InvoiceLineAdd/Desc",
        4095,
    ),
    (
        lambda v: DataExtAdd(
            owner_id=SFQB_OWNER_ID,
            name=v,
            list_type=ListDataExtType.CUSTOMER,
            list_obj=Ref(list_id="1"),
            value="x",
        ),
        "DataExtAdd/DataExtName",
        31,
    ),
]


@pytest.mark.parametrize(("make", "path", "limit"), LIMIT_CASES, ids=[c[1] for c in LIMIT_CASES])
def test_limits_match_intuits_schema(
    make: Callable[[str], Request],
    path: str,
    limit: int,
    schema_errors: Callable[[str], list[str]],
) -> None:
    """At the limit the schema accepts; one more is refused by sfqb and by the schema."""
    assert DEFAULT_RULES.limit_for(path) == limit
    assert schema_errors(compose_message_set([make("W" * limit)], "13.0").xml) == []
    with pytest.raises(QbxmlFieldError) as caught:
        build_request(make("W" * (limit + 1)), "1")
    assert caught.value.limit == limit
    relaxed = dataclasses.replace(DEFAULT_RULES, limits={})
    too_long = compose_message_set([make("W" * (limit + 1))], "13.0", rules=relaxed)
    refused = any("length" in e for e in schema_errors(too_long.xml))
    assert refused is (path not in SCHEMA_UNLIMITED)


def test_rules_files_load_and_document_the_rule() -> None:
    rules = load_field_rules()
    assert rules.limit_for("CustomerAdd/Name") == 41
    assert rules.limit_for("ItemInventoryMod/Name") == 31
    assert rules.limit_for("InvoiceAdd/ClassRef/FullName") == 159
    assert rules.limit_for("CustomerQuery/FullName") == 209
    assert rules.limit_for("HostQuery/Unknown") is None
    assert RULES.encoding == "cp1252"
    assert "Notes" in RULES.multiline
    assert RULES.transliterate["\u2019"] == "'"


def test_amount_fields_use_decimal_kinds(schema_errors: Callable[[str], list[str]]) -> None:
    line = LineAdd(quantity=Decimal("1.12345"), rate=Decimal("99999.99999"), amount=Decimal("0.1"))
    xml = compose_message_set([InvoiceAdd(customer=Ref(list_id="1"), lines=(line,))], "13.0").xml
    assert schema_errors(xml) == []
    root = etree.fromstring(xml.encode())
    assert root.findtext(".//Quantity") == "1.12345"
    assert root.findtext(".//Rate") == "99999.99999"
    assert root.findtext(".//Amount") == "0.10"


def test_printable_ascii_passes_unchanged_unless_a_rule_transliterates_it() -> None:
    # The bundled rules keep printable ASCII (Windows-1252 has it, no rule maps it), so plain
    # text skips the pass per character; a rule mapping an ASCII character still applies.
    assert RULES.keeps_printable_ascii
    assert sanitize("Acme & Sons #4", "CustomerAdd/Name", RULES) == ("Acme & Sons #4", None)
    document = {"encoding": "cp1252", "replacement": "?", "multiline": [],
                "transliterate": {"&": "and"}}  # fmt: skip
    rules = load_text_rules(document)
    assert not rules.keeps_printable_ascii
    assert sanitize("Acme & Sons", "CustomerAdd/Name", rules)[0] == "Acme and Sons"
