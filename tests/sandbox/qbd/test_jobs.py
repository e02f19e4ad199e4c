"""Jobs (sub-customers) in the QuickBooks Desktop sandbox, each rule with its source."""

from __future__ import annotations

from lxml.builder import E


def _job(qb, name: str, parent: str):  # type: ignore[no-untyped-def]
    return qb.one(E.CustomerAddRq(E.CustomerAdd(E.Name(name), E.ParentRef(E.FullName(parent)))))


def test_a_job_name_is_unique_only_among_its_siblings_intuit_customeradd_name(qb) -> None:  # type: ignore[no-untyped-def]
    """Intuit's CustomerAdd reference, Name: "List objects in different hierarchies can have
    duplicate names because their FullNames will still be unique" (Job12:kitchen and
    Baker:kitchen)."""
    qb.add_customer("Job12")
    qb.add_customer("Baker")
    qb.add_customer("kitchen")  # a top-level customer of the same name does not clash either
    for parent in ("Job12", "Baker"):
        rs = _job(qb, "kitchen", parent)
        assert qb.status(rs)[0] == 0, rs.get("statusMessage")
        assert rs[0].findtext("FullName") == f"{parent}:kitchen"
        assert rs[0].findtext("Name") == "kitchen"
    again = _job(qb, "KITCHEN", "Baker")  # names are case-insensitive
    assert qb.status(again)[0] == 3100
    assert (
        again.get("statusMessage")
        == 'The name "Baker:KITCHEN" of the list element is already in use.'
    )


def test_a_job_is_read_back_by_its_full_name_with_its_parent(qb) -> None:  # type: ignore[no-untyped-def]
    parent = qb.add_customer("Baker")
    _job(qb, "kitchen", "Baker")
    rs = qb.one(E.CustomerQueryRq(E.FullName("Baker:kitchen")))
    (job,) = list(rs)
    assert job.findtext("ParentRef/ListID") == parent.findtext("ListID")
    assert job.findtext("ParentRef/FullName") == "Baker"
    assert job.findtext("Sublevel") == "1"
    everyone = qb.one(E.CustomerQueryRq())
    assert {c.findtext("FullName") for c in everyone} == {"Baker", "Baker:kitchen"}


def test_renaming_the_parent_renames_its_jobs_full_names(qb) -> None:  # type: ignore[no-untyped-def]
    parent = qb.add_customer("Baker")
    _job(qb, "kitchen", "Baker")
    qb.ok(
        E.CustomerModRq(
            E.CustomerMod(
                E.ListID(parent.findtext("ListID")),
                E.EditSequence(parent.findtext("EditSequence")),
                E.Name("Baker & Sons"),
            )
        )
    )
    rs = qb.one(E.CustomerQueryRq(E.FullName("Baker & Sons:kitchen")))
    assert qb.status(rs)[0] == 0 and rs[0].findtext("Name") == "kitchen"


def test_five_levels_at_most_clearify_multi_level_lists(qb) -> None:  # type: ignore[no-untyped-def]
    """QQube's "Multi-Level Lists" page: "Some QuickBooks lists have multiple levels (up to a
    total of 5)". Intuit is silent on the status of a sixth: the sandbox refuses it as an
    invalid ParentRef (3210), the stricter reading."""
    qb.add_customer("L0")
    path = "L0"
    for level in range(1, 5):
        rs = _job(qb, f"L{level}", path)
        assert qb.status(rs)[0] == 0
        path += f":L{level}"
        assert rs[0].findtext("Sublevel") == str(level)
    deeper = _job(qb, "L5", path)
    code, _severity, message = qb.status(deeper)
    assert code == 3210 and '"ParentRef"' in message


def test_moving_a_job_with_children_counts_their_levels_too(qb) -> None:  # type: ignore[no-untyped-def]
    qb.add_customer("A")
    path = "A"
    for level in range(1, 4):
        _job(qb, f"A{level}", path)
        path += f":A{level}"
    qb.add_customer("B")
    mid = _job(qb, "B1", "B")
    _job(qb, "B2", "B:B1")  # B1 carries one level of children
    moved = qb.one(
        E.CustomerModRq(
            E.CustomerMod(
                E.ListID(mid[0].findtext("ListID")),
                E.EditSequence(mid[0].findtext("EditSequence")),
                E.ParentRef(E.FullName(path)),  # B1 at level 4, B2 at level 5: too deep
            )
        )
    )
    assert qb.status(moved)[0] == 3210
