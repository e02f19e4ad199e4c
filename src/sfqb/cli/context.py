"""The composition root: builds every collaborator the commands use, once."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING

from sfqb.codes import Catalog, load_catalog

if TYPE_CHECKING:
    from sfqb.cli.settings import ConfigFile, Settings
    from sfqb.domain.policy import CompanyPolicy
    from sfqb.jobs.alerts import AlertCenter
    from sfqb.jobs.circuit import Circuit
    from sfqb.jobs.gateway import SalesforceGateway, SalesforceSource
    from sfqb.jobs.health import HealthDesk, PolicyInForce
    from sfqb.jobs.runner import SyncRunner
    from sfqb.jobs.salesforce_org import SalesforceOrg
    from sfqb.mapping import Mapper
    from sfqb.store import SecretBox, Store


def _utc_now() -> datetime:
    return datetime.now(UTC)


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
        """The company's remedy and alert policy: its config file section, or the defaults."""
        return self.policy_in_force(company).policy

    def policy_in_force(self, company: str) -> PolicyInForce:
        """The company's policy, the contact interval from its .qwc schedule unless the file
        sets it, and where the settings come from."""
        from sfqb.jobs.health import policy_in_force, recorded_schedule

        config = self.config.company(company)
        return policy_in_force(
            config.policy, config.policy_keys, recorded_schedule(self.store, company)
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
    def health(self) -> HealthDesk:
        """Status and the open failures behind its numbers."""
        from sfqb.jobs.health import HealthDesk

        return HealthDesk(self.store, self.circuit, self.policy_in_force, clock=self.clock)

    def mapper(self, company: str) -> Mapper:
        """The company's field maps: the bundled ones with its config file override."""
        from sfqb.cli.settings import SettingsError
        from sfqb.mapping import Mapper, MappingConfigError, load_flows

        try:
            flows = load_flows(override=self.config.company(company).mapping)
            return Mapper(flows, self.policy(company))
        except MappingConfigError as exc:
            raise SettingsError(str(exc)) from None

    def salesforce(self, company: str) -> SalesforceGateway:
        """Salesforce as the company's stored connection reaches it."""
        import requests

        from sfqb.cli.settings import SettingsError, salesforce_authenticator
        from sfqb.connectors.salesforce import SalesforceConnector, load_settings
        from sfqb.jobs.gateway import SalesforceGateway
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
        connector = SalesforceConnector(auth, http, self.catalog, settings=api, clock=self.clock)
        return SalesforceGateway(connector)

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
            policy=self.policy(company),
            circuit=self.circuit,
            alerts=self.alerts,
            org_check=check,
        )
