"""Property test: random adds and mods never break QuickBooks' invariants."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from lxml.builder import E

from sfqb.sandbox.qbd import CompanyFile, RequestRejected, SandboxSettings
from sfqb.sandbox.qbd.schema import load_schema

SCHEMA = load_schema()

ENTITY_KINDS = ("Customer", "Vendor", "Employee", "OtherName")
ITEM_KINDS = ("ItemService", "ItemNonInventory")
NAMES = ("Acme", "ACME", "acme ", "Beta", "Gamma & Sons", 'Quote "Q"', "Zed")

operation = st.tuples(
    st.sampled_from(("add", "mod", "stale_mod", "user_edit")),
    st.sampled_from(ENTITY_KINDS + ITEM_KINDS),
    st.sampled_from(NAMES),
    st.integers(min_value=0, max_value=20),
)


def _send(company: CompanyFile, request: etree._Element) -> etree._Element:
    body = E.QBXML(E.QBXMLMsgsRq(request, onError="continueOnError"))
    xml = '<?qbxml version="13.0"?>' + etree.tostring(body, encoding="unicode")
    root = etree.fromstring(company.process(xml).encode())
    (rs,) = root.find("QBXMLMsgsRs")
    assert rs.get("requestID") == request.get("requestID")
    return rs


@settings(max_examples=60, deadline=None)
@given(st.lists(operation, max_size=25), st.integers(min_value=0, max_value=2**16))
def test_adds_and_mods_keep_invariants(ops, seed):  # type: ignore[no-untyped-def]
    now = [datetime(2024, 1, 1, tzinfo=UTC)]
    company = CompanyFile(
        SandboxSettings(lock_rate=0.1), lambda: now[0], random.Random(seed), schema=SCHEMA
    )
    for n, (action, kind, name, pick) in enumerate(ops):
        now[0] += timedelta(seconds=pick % 2)  # often several edits within one second
        existing = company.records(kind)
        before = company.snapshot()
        if action == "add" or not existing:
            rs = _send(
                company,
                getattr(E, f"{kind}AddRq")(
                    getattr(E, f"{kind}Add")(E.Name(name)), requestID=str(n)
                ),
            )
        elif action == "user_edit":
            target = existing[pick % len(existing)]
            company.modify_as_user(target.id, IsActive="true")
            after = company.get(target.id)
            assert int(after.edit_sequence) > int(target.edit_sequence)
            continue
        else:
            target = existing[pick % len(existing)]
            sequence = (
                target.edit_sequence if action == "mod" else str(int(target.edit_sequence) - 1)
            )
            body = getattr(E, f"{kind}Mod")(
                E.ListID(target.id), E.EditSequence(sequence), E.Name(name)
            )
            rs = _send(company, getattr(E, f"{kind}ModRq")(body, requestID=str(n)))
            if action == "stale_mod":
                assert rs.get("statusCode") == "3200"
            if rs.get("statusCode") == "0":
                changed = company.get(target.id)
                assert changed.edit_sequence != target.edit_sequence
                assert int(changed.edit_sequence) > int(target.edit_sequence)
                assert changed.time_modified >= target.time_modified
        code = rs.get("statusCode")
        assert code in {"0", "3100", "3170", "3200"}, rs.get("statusMessage")
        if code != "0":
            assert company.snapshot() == before  # a failed request changes nothing
        for family in (ENTITY_KINDS, ITEM_KINDS):
            names = [company.full_name(r.id).casefold() for r in company.records(*family)]
            assert len(names) == len(set(names))
        ids = [r.id for r in company.records(*ENTITY_KINDS, *ITEM_KINDS)]
        assert len(ids) == len(set(ids))


REQUEST_NAMES = (
    "CustomerAdd",
    "CustomerMod",
    "CustomerQuery",
    "VendorAdd",
    "ItemServiceAdd",
    "ItemQuery",
    "InvoiceAdd",
    "InvoiceMod",
    "InvoiceQuery",
    "ReceivePaymentAdd",
    "DataExtDefAdd",
    "DataExtAdd",
    "DataExtMod",
    "ListDeletedQuery",
    "HostQuery",
)
CHILD_NAMES = (
    "Name",
    "ListID",
    "TxnID",
    "EditSequence",
    "FullName",
    "CustomerRef",
    "ItemRef",
    "ParentRef",
    "Quantity",
    "Rate",
    "Amount",
    "TxnDate",
    "IsActive",
    "MaxReturned",
    "FromModifiedDate",
    "ActiveStatus",
    "InvoiceLineAdd",
    "InvoiceLineMod",
    "TxnLineID",
    "OwnerID",
    "DataExtName",
    "DataExtType",
    "DataExtValue",
    "ListDataExtType",
    "ListObjRef",
    "AppliedToTxnAdd",
    "PaymentAmount",
    "BillAddress",
    "SalesOrPurchase",
    "CurrencyRef",
)
texts = st.one_of(
    st.sampled_from(
        ("", "0", "-1", "true", "x", "80000001-1704067200", "1-1704067200", "2024-13-45")
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60),
)
trees = st.recursive(
    st.tuples(st.sampled_from(CHILD_NAMES), texts).map(lambda t: getattr(E, t[0])(t[1])),
    lambda kids: st.tuples(st.sampled_from(CHILD_NAMES), st.lists(kids, max_size=4)).map(
        lambda t: getattr(E, t[0])(*t[1])
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(REQUEST_NAMES),
            st.lists(trees, max_size=6),
            st.sampled_from((None, "Start", "Continue", "Stop")),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_fuzzed_requests_never_crash(requests):  # type: ignore[no-untyped-def]
    company = CompanyFile(
        SandboxSettings(), lambda: datetime(2024, 1, 1, tzinfo=UTC), random.Random(0), schema=SCHEMA
    )
    company.add_as_user("Customer", "Acme")
    built = []
    for name, children, iterator in requests:
        attrs = {"requestID": name} | ({"iterator": iterator} if iterator else {})
        if name.endswith(("Add", "Mod")):
            built.append(getattr(E, f"{name}Rq")(getattr(E, name)(*children), **attrs))
        else:
            built.append(getattr(E, f"{name}Rq")(*children, **attrs))
    xml = '<?qbxml version="13.0"?>' + etree.tostring(
        E.QBXML(E.QBXMLMsgsRq(*built, onError="continueOnError")), encoding="unicode"
    )
    try:
        out = company.process(xml)
    except RequestRejected as rejected:
        assert rejected.hresult == "0x80040400"
        return
    answers = list(etree.fromstring(out.encode()).find("QBXMLMsgsRs"))
    assert len(answers) == len(built)
    for rs in answers:
        assert rs.get("statusSeverity") in {"Info", "Warn", "Error"}
        assert rs.get("statusCode") not in {"1030", ""}


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_is_rejected_with_the_parse_hresult(text):  # type: ignore[no-untyped-def]
    company = CompanyFile(
        SandboxSettings(), lambda: datetime(2024, 1, 1, tzinfo=UTC), random.Random(0), schema=SCHEMA
    )
    try:
        company.process(text)
    except RequestRejected as rejected:
        assert rejected.hresult in {"0x80040400", "0x80040423"}
