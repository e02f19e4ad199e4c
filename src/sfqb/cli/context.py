"""The composition root: builds every collaborator the commands use, once."""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, assert_never

from sfqb.cli.errors import UserError
from sfqb.codes import Catalog, load_catalog
from sfqb.store.connections import ConnectionSystem

if TYPE_CHECKING:
    from sfqb.cli.settings import ConfigFile, Settings
    from sfqb.connectors.qbo.api import Environment
    from sfqb.connectors.qbo.oauth import OAuthApp
    from sfqb.domain.policy import CompanyPolicy
    from sfqb.jobs.alerts import AlertCenter
    from sfqb.jobs.circuit import Circuit
    from sfqb.jobs.gateway import SalesforceGateway, SalesforceSource
    from sfqb.jobs.health import HealthDesk, PolicyInForce
    from sfqb.jobs.qbo_connection import QboConnections
    from sfqb.jobs.runner import CycleReport, Driver, SyncRunner
    from sfqb.jobs.salesforce_org import SalesforceOrg
    from sfqb.mapping import Mapper
    from sfqb.services.flows import FlowSetup
    from sfqb.services.sync import CycleLocks
    from sfqb.store import SecretBox, Store
    from sfqb.sync.target import TargetProfile


def _utc_now() -> datetime:
    return datetime.now(UTC)


class TargetUnavailable(UserError):
    """The company's QuickBooks is one this build of sfqb cannot sync."""

    def __init__(self, company: str, system: ConnectionSystem, why: str) -> None:
        super().__init__(f"company {company!r} is connected to {_SYSTEM_NAMES[system]}: {why}")
        self.company = company
        self.system = system


_SYSTEM_NAMES = {
    ConnectionSystem.QBD: "QuickBooks Desktop",
    ConnectionSystem.QBO: "QuickBooks Online",
    ConnectionSystem.SALESFORCE: "Salesforce",
}


@dataclass(frozen=True, slots=True)
class Target:
    """The QuickBooks a company syncs with: the engine's profile, and how sfqb reaches it.

    `open_driver` opens a driver sfqb pushes batches to (`SyncRunner.run_direct`), closing it
    (a sandbox file saved) on exit; None when QuickBooks pulls the work (the Web Connector).
    """

    system: ConnectionSystem
    profile: TargetProfile
    open_driver: Callable[[], AbstractContextManager[Driver]] | None = None


@dataclass
class Services:
    """What commands need, built lazily so `sfqb --help` stays fast."""

    clock: Callable[[], datetime] = field(default=_utc_now)

    @cached_property
    def catalog(self) -> Catalog:
        """The status-code catalog, validated at load."""
        return load_catalog()

    @cached_property
    def settings(self) -> Settings:
        """SFQB_DATABASE_URL and SFQB_CONFIG from the environment."""
        from pydantic import ValidationError

        from sfqb.cli.settings import Settings, SettingsError

        try:
            return Settings()
        except ValidationError as exc:
            problem = exc.errors()[0]
            name = "SFQB_" + "_".join(str(p) for p in problem["loc"]).upper()
            raise SettingsError(f"{name}: {problem['msg']}") from None

    @cached_property
    def config(self) -> ConfigFile:
        """The SFQB_CONFIG file's per-company overrides (none without the file)."""
        from sfqb.cli.settings import load_config

        return load_config(self.settings.config)

    @cached_property
    def secrets(self) -> SecretBox | None:
        """The SecretBox of SFQB_SECRET_KEY, or None when it is not set."""
        from sfqb.store import SecretKeyMissing, secret_box_from_env

        try:
            return secret_box_from_env(os.environ)
        except SecretKeyMissing:
            return None

    @cached_property
    def store(self) -> Store:
        """The store at SFQB_DATABASE_URL, migrated on first use."""
        from sfqb.cli.settings import SettingsError
        from sfqb.store import Store

        url = self.settings.store_url()
        try:
            store = Store.from_url(url, secrets=self.secrets)
            store.migrate()
        except Exception as exc:  # a bad URL or an unreachable database: one line
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise SettingsError(f"cannot open the store at {url}: {first}") from None
        return store

    def policy(self, company: str) -> CompanyPolicy:
        """The company's remedy and alert policy: the console's, its config file's, the defaults."""
        return self.policy_in_force(company).policy

    def policy_in_force(self, company: str) -> PolicyInForce:
        """The company's policy (the console's saved settings over its config file section),
        the contact interval from its .qwc schedule unless either sets it, and where the
        settings come from."""
        from sfqb.cli.settings import SettingsError
        from sfqb.jobs.health import policy_in_force, recorded_schedule
        from sfqb.services.policy import PolicyError, effective_policy

        config = self.config.company(company)
        try:
            view = effective_policy(self.store, company, config.policy_section)
        except PolicyError as exc:
            raise SettingsError(str(exc)) from None
        console = frozenset(n for n in view.from_store if "." not in n)
        return policy_in_force(
            view.policy, config.policy_keys, recorded_schedule(self.store, company), console
        )

    @cached_property
    def alerts(self) -> AlertCenter:
        """Alerts through the global SMTP server (SFQB_SMTP_*) and each company's webhook."""
        from sfqb.jobs.alerts import AlertCenter, AlertChannels, SmtpNotifier

        s = self.settings
        smtp = None
        if s.smtp_host:
            smtp = SmtpNotifier(
                s.smtp_host, s.smtp_port, s.smtp_from, s.smtp_starttls,
                s.smtp_username, s.smtp_password,
            )  # fmt: skip
        return AlertCenter(self.store, AlertChannels(smtp), self.clock)

    @cached_property
    def circuit(self) -> Circuit:
        """The connector circuits of every company, kept in the store."""
        from sfqb.jobs.circuit import Circuit

        return Circuit(self.store, self.alerts, self.clock, catalog=self.catalog)

    @cached_property
    def qbo(self) -> QboConnections:
        """Connecting companies to QuickBooks Online, and their tokens and call meters."""
        from sfqb.jobs.qbo_connection import QboConnections

        return QboConnections(self.store, self.circuit, self.alerts, self.catalog, self.clock)

    def qbo_app(
        self, environment: Environment, client_id: str | None = None, secret: str | None = None
    ) -> OAuthApp:
        """The Intuit app sfqb connects with (SFQB_QBO_*, SFQB_PUBLIC_URL; the arguments win)."""
        from sfqb.cli.settings import SettingsError
        from sfqb.connectors.qbo.oauth import AUTHORIZE_URL, TOKEN_URL, OAuthApp

        s = self.settings
        client_id, secret = client_id or s.qbo_client_id, secret or s.qbo_client_secret
        if not client_id or not secret:
            raise SettingsError(
                f"the Intuit app's keys for {environment} are not set: export "
                "SFQB_QBO_CLIENT_ID and SFQB_QBO_CLIENT_SECRET (the Keys tab of the app on "
                "developer.intuit.com)"
            )
        if not s.public_url or not s.public_url.startswith(("https://", "http://")):
            raise SettingsError(
                "SFQB_PUBLIC_URL is not set: export the https address sfqb serve is reached "
                "at; Intuit redirects to <public URL>/qbo/callback, which must be registered "
                "as a redirect URI of the app"
            )
        return OAuthApp(
            client_id=client_id,
            client_secret=secret,
            redirect_uri=s.public_url.rstrip("/") + "/qbo/callback",
            authorize_url=s.qbo_authorize_url or AUTHORIZE_URL,
            token_url=s.qbo_token_url or TOKEN_URL,
            verify=s.qbo_ca_file or True,
        )

    @cached_property
    def cycle_locks(self) -> CycleLocks:
        """The companies whose cycle `sfqb serve` runs now (scheduler and Run now alike), held
        in the store's cycle lock too (the cycles beside Web Connector sessions take it)."""
        from sfqb.services.sync import CycleLocks

        return CycleLocks(self.store.cycle_lock)

    @cached_property
    def health(self) -> HealthDesk:
        """Status and the open failures behind its numbers."""
        from sfqb.jobs.health import HealthDesk

        return HealthDesk(self.store, self.circuit, self.policy_in_force, clock=self.clock)

    def mapper(self, company: str) -> Mapper:
        """The company's field maps: the bundled ones with its mapping file and its config
        file's `flows:` section (filters, target kinds, field overrides, default switches)."""
        from sfqb.cli.settings import SettingsError
        from sfqb.mapping import Mapper, MappingConfigError, load_flows

        try:
            maps = self.profile(company).maps
            config = self.config.company(company)
            flows = load_flows(override=config.mapping, maps=maps, company=config.flows)
            return Mapper(flows, self.policy(company))
        except MappingConfigError as exc:
            raise SettingsError(str(exc)) from None

    def flow_setups(self, company: str) -> dict[str, FlowSetup]:
        """How the company's config file sets up each flow, beside the bundled defaults (what
        `sfqb plan` and the console's flows page show); SettingsError on a bad config."""
        from sfqb.mapping import load_flows
        from sfqb.services.flows import flow_setups

        bundled = load_flows(maps=self.profile(company).maps)
        return flow_setups(self.mapper(company).flows, bundled)

    def salesforce(self, company: str) -> SalesforceGateway:
        """Salesforce as the company's stored connection reaches it."""
        import requests

        from sfqb.cli.settings import SettingsError, salesforce_authenticator
        from sfqb.connectors.salesforce import SalesforceConnector, load_settings
        from sfqb.connectors.salesforce.records import CURRENCY_FIELDS
        from sfqb.domain.contacts import PrimaryContactRule
        from sfqb.jobs.gateway import SalesforceGateway
        from sfqb.mapping.company import read_fields
        from sfqb.store import ConnectionSystem

        info = self.store.connections.get(company, ConnectionSystem.SALESFORCE)
        if info is None:
            raise SettingsError(
                f"company {company!r} has no Salesforce connection: sfqb connect salesforce "
                f"--company {company} --instance URL ... (see sfqb connect salesforce --help)"
            )
        secret = self.store.connections.secret(company, ConnectionSystem.SALESFORCE)
        auth = salesforce_authenticator(company, info.settings, secret)
        api = replace(load_settings(), collection_size=self.policy(company).sf_batch_size)
        version = info.settings.get("api_version")
        if isinstance(version, str) and version:
            api = replace(api, api_version=version)
        http = requests.Session()
        ca_file = info.settings.get("ca_file")
        if isinstance(ca_file, str) and ca_file:
            http.verify = ca_file
            http.trust_env = False  # REQUESTS_CA_BUNDLE would otherwise override verify
        # The fields the company's maps read, an override's among them, are in every query.
        policy = self.policy(company)
        extra = read_fields(self.mapper(company).flows.flows, switch=policy.flag)
        if policy.multicurrency:
            for sobject, names in CURRENCY_FIELDS.items():
                wanted = extra.setdefault(sobject, [])
                wanted.extend(n for n in names if n not in wanted)
        contacts = PrimaryContactRule.parse(policy.primary_contact)
        extra.setdefault("Contact", []).extend(contacts.contact_fields)
        connector = SalesforceConnector(
            auth, http, self.catalog, settings=api, clock=self.clock, extra_fields=extra
        )
        return SalesforceGateway(connector, contacts)

    def connected_to(self, company: str) -> ConnectionSystem:
        """The QuickBooks the company is connected to (Desktop unless it has an Online one)."""
        from sfqb.services.targets import connected_to

        return connected_to(self.store, company)

    def profile(self, company: str) -> TargetProfile:
        """The engine's profile of the company's QuickBooks (without opening a connection)."""
        from sfqb.services.targets import profile_of

        return profile_of(self.store)(company)

    def target(self, company: str) -> Target:
        """The company's QuickBooks target: its profile and its driver (the one place that
        chooses by connection; nothing below it asks which QuickBooks it is)."""
        system = self.connected_to(company)
        match system:
            case ConnectionSystem.QBD:
                return self._qbd_target(company)
            case ConnectionSystem.QBO:
                return self._qbo_target(company)
            case ConnectionSystem.SALESFORCE:
                raise TargetUnavailable(company, system, "Salesforce is not a QuickBooks target")
            case _:
                assert_never(system)

    def _qbo_target(self, company: str) -> Target:
        from sfqb.connectors.qbo.oauth import OAuthFailed
        from sfqb.connectors.qbo.profile import QBO_PROFILE

        policy = self.policy(company)

        @contextmanager
        def online() -> Iterator[Driver]:
            s = self.settings
            try:
                opened = self.qbo.open_driver(
                    company,
                    policy.alerts,
                    base_url=s.qbo_api_url,
                    ca_file=s.qbo_ca_file,
                    custom_field=policy.binding_definition_id,
                )
                with opened as driver:
                    yield driver
            except OAuthFailed as exc:
                raise TargetUnavailable(company, ConnectionSystem.QBO, str(exc)) from None

        return Target(ConnectionSystem.QBO, QBO_PROFILE, online)

    def _qbd_target(self, company: str) -> Target:
        from sfqb.connectors.qbd.profile import QBD_PROFILE

        info = self.store.connections.get(company, ConnectionSystem.QBD)
        value = info.settings.get("sandbox_file") if info else None
        if not isinstance(value, str) or not value:
            return Target(ConnectionSystem.QBD, QBD_PROFILE)  # the Web Connector pulls
        path = Path(value)

        @contextmanager
        def sandbox() -> Iterator[Driver]:
            from sfqb.connectors.qbd.operations import DirectDriver
            from sfqb.sandbox.qbd import CompanyFile, SandboxSettings, SandboxStateError
            from sfqb.sandbox.qbd.adapter import direct_processor

            try:
                book = CompanyFile.load(path, SandboxSettings(), self.clock, random.Random())
            except SandboxStateError as exc:
                raise UserError(f"the sandbox company file of {company!r}: {exc}") from None
            yield DirectDriver(direct_processor(book, self.catalog), self.catalog)
            book.save(path)

        return Target(ConnectionSystem.QBD, QBD_PROFILE, sandbox)

    def push_cycle(
        self,
        company: str,
        source: SalesforceSource | None = None,
        org: SalesforceOrg | None = None,
        *,
        flows: Sequence[str] | None = None,
        wrap: Callable[[Driver], Driver] | None = None,
    ) -> CycleReport:
        """One cycle pushed to a company's QuickBooks (the one path of `sfqb sync` and of
        `sfqb serve`'s scheduler): its target's driver (`wrap`ped), its runner.

        UserError when the company's QuickBooks pulls its work (the Web Connector).
        """
        target = self.target(company)
        if target.open_driver is None:
            raise UserError(
                f"company {company!r} syncs through the QuickBooks Web Connector: its cycles "
                "run when the Web Connector calls sfqb serve"
            )
        runner = self.runner(company, source, org)
        with target.open_driver() as driver:
            return runner.run_direct(company, wrap(driver) if wrap else driver, flows)

    def runner(
        self, company: str, source: SalesforceSource | None = None, org: SalesforceOrg | None = None
    ) -> SyncRunner:
        """A SyncRunner for the company (Salesforce from its stored connection by default).

        The org checks run on `org` (the stored connection's gateway when `source` is not given).
        """
        from sfqb.jobs.runner import SyncRunner
        from sfqb.jobs.salesforce_org import OrgCheck

        if source is None:
            gateway = self.salesforce(company)
            source, org = gateway, org or gateway
        mapper = self.mapper(company)
        check = None
        if org is not None:
            check = OrgCheck(
                self.store, self.catalog, org, mapper, clock=self.clock,
                policy=self.policy(company), alerts=self.alerts,
            )  # fmt: skip
        return SyncRunner(
            self.store,
            source,
            mapper,
            self.catalog,
            clock=self.clock,
            rng=random.Random(),  # retry jitter, not security
            profile=self.profile(company),
            policy=self.policy(company),
            circuit=self.circuit,
            alerts=self.alerts,
            org_check=check,
        )
