"""Sub-customers in the QuickBooks Online sandbox. Intuit's Customer reference: "set Job to
true and set ParentRef to reference parent customer object"; FullyQualifiedName is
"Parent:Child"; Level counts from 0 at the top."""

from __future__ import annotations

from tests.sandbox.qbo.conftest import Qbo


def _sub(qbo: Qbo, name: str, parent: str, job: bool = True):  # type: ignore[no-untyped-def]
    return qbo.post("customer", {"DisplayName": name, "Job": job, "ParentRef": {"value": parent}})


def test_a_sub_customer_has_its_parent_full_name_and_level(qbo: Qbo) -> None:
    parent = qbo.create("Customer", {"DisplayName": "Harbor Group"})
    child = _sub(qbo, "North Yard", parent["Id"]).json()["Customer"]
    assert child["ParentRef"] == {"value": parent["Id"]} and child["Job"] is True
    assert child["FullyQualifiedName"] == "Harbor Group:North Yard"
    assert child["Level"] == 1 and parent["Level"] == 0 and parent["Job"] is False
    found = qbo.query("select * from Customer where FullyQualifiedName = 'Harbor Group:North Yard'")
    assert [c["Id"] for c in found.json()["QueryResponse"]["Customer"]] == [child["Id"]]


def test_display_name_unique_across_sub_customers_too_stricter_reading(qbo: Qbo) -> None:
    """Intuit: DisplayName "must be unique across all Customer, Vendor, and Employee objects",
    with no exception for sub-customers: two parents' sub-customers of one name clash (6240)."""
    first = qbo.create("Customer", {"DisplayName": "Alder Homes"})
    second = qbo.create("Customer", {"DisplayName": "Birch Homes"})
    assert _sub(qbo, "Main Office", first["Id"]).status_code == 200
    clash = _sub(qbo, "main office", second["Id"])
    assert clash.status_code == 400 and qbo.fault(clash)["code"] == "6240"


def test_a_parent_ref_needs_job_true_and_an_active_parent(qbo: Qbo) -> None:
    parent = qbo.create("Customer", {"DisplayName": "Harbor Group"})
    no_job = _sub(qbo, "North Yard", parent["Id"], job=False)
    assert qbo.fault(no_job)["code"] == "6000" and qbo.fault(no_job)["element"] == "Job"
    missing = _sub(qbo, "North Yard", "999")
    assert qbo.fault(missing)["code"] == "2500"
    qbo.post(
        "customer", {"Id": parent["Id"], "SyncToken": parent["SyncToken"], "sparse": True,
                     "Active": False},
    )  # fmt: skip
    inactive = _sub(qbo, "North Yard", parent["Id"])
    assert qbo.fault(inactive)["code"] == "2500"


def test_four_levels_below_a_parent_at_most_intuit_community_answer(qbo: Qbo) -> None:
    """Intuit's answer in its community (learn-support 1451358): "parent accounts can only have
    sub-customers up to four levels"; the error is not documented: 6000 here."""
    above = qbo.create("Customer", {"DisplayName": "L0"})["Id"]
    for level in range(1, 5):
        response = _sub(qbo, f"L{level}", above)
        assert response.status_code == 200
        above = response.json()["Customer"]["Id"]
    too_deep = _sub(qbo, "L5", above)
    assert qbo.fault(too_deep)["code"] == "6000"


def test_renaming_a_parent_renames_its_children_and_a_loop_is_refused(qbo: Qbo) -> None:
    parent = qbo.create("Customer", {"DisplayName": "Harbor Group"})
    child = _sub(qbo, "North Yard", parent["Id"]).json()["Customer"]
    renamed = qbo.post(
        "customer",
        {"Id": parent["Id"], "SyncToken": parent["SyncToken"], "sparse": True,
         "DisplayName": "Harbor Holdings"},
    )  # fmt: skip
    assert renamed.status_code == 200
    after = qbo.get(f"customer/{child['Id']}").json()["Customer"]
    assert after["FullyQualifiedName"] == "Harbor Holdings:North Yard"
    assert after["SyncToken"] == child["SyncToken"]  # the child itself did not change
    current = renamed.json()["Customer"]
    loop = qbo.post(
        "customer",
        {"Id": parent["Id"], "SyncToken": current["SyncToken"], "sparse": True, "Job": True,
         "ParentRef": {"value": child["Id"]}},
    )  # fmt: skip
    assert qbo.fault(loop)["code"] == "6000"
