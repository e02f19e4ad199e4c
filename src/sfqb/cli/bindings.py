"""`sfqb bindings`, `bind` and `unbind`: which Salesforce record is which QuickBooks record.

Every user mistake (unknown company, a malformed Id, a binding conflict) ends with one
`sfqb: ...` line on stderr and exit status 2.
"""

from __future__ import annotations

import json
import re
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from sfqb.cli.context import Services
from sfqb.cli.errors import UserError, plainly
from sfqb.cli.settings import companies, services_of
from sfqb.domain.entities import (
    InvalidRef,
    QbKind,
    QbRef,
    Role,
    SfObject,
    SfRef,
    default_qb_kind,
    sobject_named,
)
from sfqb.jobs.bindings import BindingDesk
from sfqb.sync.records import REFUND_FLOW, flow_sources

_PREFIXES = {"001": SfObject.ACCOUNT, "01t": SfObject.PRODUCT2, "006": SfObject.OPPORTUNITY,
             "801": SfObject.ORDER}  # fmt: skip
_SF_ID = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")

CompanyOpt = Annotated[
    str | None, typer.Option("--company", help="Only this company (default: every company).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def register(app: typer.Typer) -> None:
    """Add bindings, bind and unbind to the app."""
    for command in (bindings, bind, unbind):
        app.command()(command)


def bindings(ctx: typer.Context, company: CompanyOpt = None, as_json: JsonOpt = False) -> None:
    """The bindings: the links between Salesforce and QuickBooks records (which is which), by
    name and Id."""
    services = services_of(ctx)
    with plainly():
        desk = _desk(services)
        found = [v for name in companies(services.store, company) for v in desk.listing(name)]
    if as_json:
        typer.echo(json.dumps([v.to_json() for v in found], indent=2))
        return
    # One block per binding: Ids stay whole in a narrow terminal (Rich wraps at spaces).
    console = Console(highlight=False)
    console.print(
        "Bindings: the links between Salesforce and QuickBooks records - each pair below is one "
        "record in both systems, kept in step by sfqb.",
        markup=False,
    )
    for view in found:
        b = view.binding
        when = (
            f"bound by hand {b.synced_at:%Y-%m-%d %H:%M} UTC, not synced since"
            if view.by_hand
            else f"last synced {b.synced_at:%Y-%m-%d %H:%M} UTC"
        )
        console.print(Text(f"{b.company}: {when}", style="bold"))
        sf_name = f' "{view.sf_name}"' if view.sf_name else ""
        # A name sfqb wrote is the one it last sent; QuickBooks may hold another since (a merge
        # into a record a person named, a rename there): say which it is.
        if not view.qb_name:
            qb_name = ""
        elif view.by_hand:
            qb_name = f' "{view.qb_name}"'
        else:
            qb_name = f'; sfqb last wrote its name as "{view.qb_name}"'
        console.print(f"  Salesforce {b.sf.id} {b.sf.sobject.value}{sf_name}", markup=False)
        console.print(f"  QuickBooks {b.qb.id} {b.qb.kind.value}{qb_name}", markup=False)
    console.print(f"{len(found)} bindings", markup=False)


def salesforce_ref(record_id: str, sobject: str | None = None) -> SfRef:
    """A Salesforce record from its Id, the object inferred from the key prefix unless given."""
    if not _SF_ID.match(record_id):
        raise UserError(f"{record_id!r} is not a Salesforce Id (15 or 18 letters and digits)")
    if sobject is not None:
        try:
            named = sobject_named(sobject)
        except InvalidRef:
            names = ", ".join(o.value for o in SfObject)
            raise UserError(
                f"unknown --object {sobject!r}; use {names}, or the custom object a flow reads "
                "(its API name, e.g. Supplier__c)"
            ) from None
        # A custom object's records are the vendors of the flow that reads it (`source:`).
        return SfRef(named, record_id, Role.VENDOR if named.custom else Role.MAIN)
    found = _PREFIXES.get(record_id[:3])
    if found is None:
        prefixes = ", ".join(f"{p} {o.value}" for p, o in _PREFIXES.items())
        raise UserError(
            f"cannot tell the object of {record_id!r} from its prefix ({prefixes}); give --object "
            "(a custom object's API name for its records)"
        )
    return SfRef(found, record_id)


def bind(  # noqa: PLR0917 - Typer arguments and options
    ctx: typer.Context,
    sf_id: Annotated[str, typer.Argument(help="The Salesforce record Id.")],
    qb_id: Annotated[
        str, typer.Argument(help="The QuickBooks record's Id (Desktop ListID/TxnID, Online Id).")
    ],
    company: Annotated[str, typer.Option("--company", help="The company.")],
    sobject: Annotated[
        str | None,
        typer.Option(
            "--object", help="Account, Product2, Opportunity, Order, or a custom object (…__c)."
        ),
    ] = None,
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help="Customer, Vendor, Item, Invoice, SalesReceipt, Estimate (Vendor binds an "
            "Account as a vendor).",
        ),
    ] = None,
) -> None:
    """Link (bind) a Salesforce record to an existing QuickBooks record by hand."""
    services = services_of(ctx)
    with plainly():
        store = services.store
        companies(store, company)
        sf = salesforce_ref(sf_id, sobject)
        if sf.sobject.custom and _refund_source(services, company) == sf.sobject.value:
            sf = SfRef(sf.sobject, sf.id, Role.MAIN)  # the refund flow's records: credit memos
        kinds = [k.value for k in QbKind]
        if kind is not None and kind not in kinds:
            raise UserError(f"unknown --kind {kind!r}; use {', '.join(kinds)}")
        if kind == QbKind.VENDOR.value and sf.sobject is SfObject.ACCOUNT:
            sf = sf.as_role(Role.VENDOR)  # the Account's vendor binding, beside its customer's
        qb = QbRef(QbKind(kind) if kind else default_qb_kind(sf.sobject, sf.role), qb_id)
        bound = _desk(services).bind(company, sf, qb)
    typer.echo(f"bound Salesforce {sf} to QuickBooks {bound.binding.qb} in {company}")
    for done in bound.resolved:
        typer.echo(f"review item {done.item.id} resolved")
    if bound.queue is not None:
        typer.echo("the next cycle sends the record's values to it")


def unbind(
    ctx: typer.Context,
    record_id: Annotated[str, typer.Argument(help="A Salesforce Id or a QuickBooks record's Id.")],
    company: Annotated[str, typer.Option("--company", help="The company.")],
) -> None:
    """Remove the link (binding) between a Salesforce and a QuickBooks record, by either Id."""
    services = services_of(ctx)
    with plainly():
        companies(services.store, company)
        match = _desk(services).unbind(company, record_id)
    typer.echo(f"unbound Salesforce {match.sf} from QuickBooks {match.qb} in {company}")


def _refund_source(services: Services, company: str) -> str | None:
    """The custom object the company's refund flow reads (config file `source:`), if any."""
    return flow_sources(services.mapper(company).flows).get(REFUND_FLOW)


def _desk(services: Services) -> BindingDesk:
    return BindingDesk(
        services.store, services.catalog, services.alerts, clock=services.clock,
        profile_of=services.profile,
    )  # fmt: skip


# -- retry -------------------------------------------------------------------------------------
