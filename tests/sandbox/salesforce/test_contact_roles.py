"""Account hierarchy and contact roles in the Salesforce sandbox, each rule with its source."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce

from sfqb.sandbox.salesforce import ManualClock, SalesforceSandbox
from sfqb.sandbox.salesforce.errors import OrgError


def test_one_primary_contact_role_per_account_object_reference_accountcontactrole(
    sandbox: SalesforceSandbox, sf: Salesforce, clock: ManualClock
) -> None:
    """Salesforce Object Reference, AccountContactRole.IsPrimary: "each account has only one
    primary contact role". A role made primary clears the others, which count as changed."""
    org = sandbox.org
    account = org.create("Account", {"Name": "Harbor Group"})
    ann = org.create("Contact", {"LastName": "Lee", "FirstName": "Ann", "AccountId": account})
    bob = org.create("Contact", {"LastName": "Ray", "FirstName": "Bob", "AccountId": account})
    first = org.create(
        "AccountContactRole", {"AccountId": account, "ContactId": ann, "IsPrimary": True}
    )
    stamp = org.get("AccountContactRole", first)["SystemModstamp"]
    clock.advance(5)
    sf.AccountContactRole.create(
        {"AccountId": account, "ContactId": bob, "Role": "Buyer", "IsPrimary": True}
    )
    rows = sf.query(
        f"SELECT ContactId, IsPrimary, SystemModstamp FROM AccountContactRole "
        f"WHERE AccountId = '{account}'"
    )["records"]
    assert {r["ContactId"]: r["IsPrimary"] for r in rows} == {ann: False, bob: True}
    assert org.get("AccountContactRole", first)["SystemModstamp"] > stamp


def test_contact_roles_and_contacts_need_their_account(sandbox: SalesforceSandbox) -> None:
    with pytest.raises(OrgError) as missing:
        sandbox.org.create("AccountContactRole", {"Role": "Buyer"})
    assert missing.value.error_code == "REQUIRED_FIELD_MISSING"


def test_child_accounts_name_their_parent_and_no_loop(
    sandbox: SalesforceSandbox, sf: Salesforce
) -> None:
    """Account.ParentId (Object Reference: "ID of the parent object, if any"); a loop's error
    is undocumented: the sandbox refuses it (FIELD_INTEGRITY_EXCEPTION)."""
    org = sandbox.org
    parent = org.create("Account", {"Name": "Harbor Group"})
    child = org.create("Account", {"Name": "North Yard", "ParentId": parent})
    rows = sf.query(f"SELECT Id, Name FROM Account WHERE ParentId = '{parent}'")["records"]
    assert [r["Id"] for r in rows] == [child]
    with pytest.raises(OrgError) as loop:
        org.update("Account", parent, {"ParentId": child})
    assert loop.value.error_code == "FIELD_INTEGRITY_EXCEPTION"
    with pytest.raises(OrgError):
        org.create("Account", {"Name": "Odd", "ParentId": org.create("Contact", {"LastName": "X"})})
