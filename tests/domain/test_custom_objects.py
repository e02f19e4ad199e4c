"""Custom objects as Salesforce objects sfqb reads: a custom object's API name is its Object
Name (a letter first, letters, digits and single underscores, at most 40 characters) and
"__c", a managed package's with its namespace and "__" before it (Salesforce Help, "Custom
Object Definition" and "Register a Namespace Prefix")."""

from __future__ import annotations

import pytest

from sfqb.domain.entities import (
    InvalidRef,
    QbKind,
    Role,
    SfObject,
    SfRef,
    custom_object_problem,
    default_qb_kind,
    sobject_named,
)


@pytest.mark.parametrize(
    "name", ["Supplier__c", "Refund_Request__c", "acme__Supplier__c", "S" * 40 + "__c"]
)
def test_a_custom_objects_name_is_accepted(name: str) -> None:
    assert custom_object_problem(name) is None
    assert sobject_named(name).value == name


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("Supplier", "is its name"),
        ("Supplier__C", "is its name"),  # the suffix is lower case
        ("_Supplier__c", "is its name"),
        ("Supplier___c", "is its name"),  # no name ends in an underscore
        ("Sup__plier__x__c", "is its name"),
        ("1Supplier__c", "is its name"),
        ("S" * 41 + "__c", "has 41 characters; a custom object's has at most 40"),
        ("n" * 16 + "__Supplier__c", "namespace"),
    ],
)
def test_a_name_that_is_no_custom_objects_is_refused_saying_why(name: str, words: str) -> None:
    problem = custom_object_problem(name)
    assert problem is not None and words in problem
    with pytest.raises(InvalidRef, match="not one of Account, Product2, Opportunity, Order"):
        sobject_named(name)


def test_a_custom_object_is_one_member_a_name_apart_from_the_standard_ones() -> None:
    supplier = sobject_named("Supplier__c")
    assert supplier is SfObject("Supplier__c") and supplier.custom
    assert not SfObject.ACCOUNT.custom and sobject_named("Account") is SfObject.ACCOUNT
    assert supplier not in list(SfObject)  # the standard objects alone are listed
    assert str(supplier) == "Supplier__c" and supplier == "Supplier__c"
    with pytest.raises(ValueError):
        SfObject("Contact")  # a standard object sfqb does not read


def test_a_custom_objects_record_is_bound_as_a_vendor_or_a_credit_memo() -> None:
    ref = SfRef(sobject_named("Supplier__c"), "a0X000000000001AAA", Role.VENDOR)
    assert default_qb_kind(ref.sobject, Role.VENDOR) is QbKind.VENDOR
    assert str(ref) == "Supplier__c a0X000000000001AAA (as vendor)"
    assert SfRef(SfObject("Supplier__c"), ref.id, Role.VENDOR) == ref  # rebuilt from a row
    # In the main role a custom object's record is the refund flow's: a credit memo.
    main = SfRef(sobject_named("Refund__c"), "a0R000000000001AAA")
    assert default_qb_kind(main.sobject) is QbKind.CREDIT_MEMO
