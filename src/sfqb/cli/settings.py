"""sfqb's settings: the environment (SFQB_*), the optional YAML config file, stored connections.

* `SFQB_DATABASE_URL` - the store (default: the SQLite file var/sfqb.sqlite under the current
  directory; var/ is created).
* `SFQB_SECRET_KEY` - encrypts connection secrets; read by `sfqb.store.secret_box_from_env`.
* `SFQB_CONFIG` - a YAML file with per-company overrides::

      companies:
        acme:
          mapping: acme-mapping.yaml   # relative to the config file
          policy:                      # remedies and alerts; see sfqb.services.policy
            on_deleted: recreate
            alerts: {email_to: [ops@acme.example], connector_down_minutes: 15}
          flows:                       # per flow; see docs/flows.md
            account_to_customer:
              filter: "Type = 'Customer' AND BillingCountry IN ('US', 'CA')"
              map: {Phone: {source: Phone, max_length: 21}}
            opportunity_to_invoice: {target: SalesReceipt}
            product_to_item: {enabled: false}

  A flow's `enabled` is its default: a switch a person sets in the console wins over it.
  A policy an admin saves in the console (the company's settings page) is kept in the store
  and overrides this section setting by setting, until it is removed there.

* `SFQB_SMTP_HOST`, `SFQB_SMTP_PORT` (25), `SFQB_SMTP_FROM`, `SFQB_SMTP_STARTTLS` (false),
  `SFQB_SMTP_USERNAME`, `SFQB_SMTP_PASSWORD` - the mail server alerts are sent through.
* `SFQB_PUBLIC_URL` - where `sfqb serve` is reached from outside (QuickBooks Online's OAuth
  redirect is `<public URL>/qbo/callback`).
* `SFQB_SESSION_SECRET` - signs the console's session cookies (at least 32 characters); unset,
  a random secret kept in the store is used (sessions survive a restart either way).
* `SFQB_QBO_CLIENT_ID`, `SFQB_QBO_CLIENT_SECRET` - the Intuit app's keys;
  `SFQB_QBO_WEBHOOK_VERIFIER` - its webhook verifier token; `SFQB_QBO_AUTHORIZE_URL`,
  `SFQB_QBO_TOKEN_URL`, `SFQB_QBO_CA_FILE` - other OAuth endpoints (sfqb's sandbox) and the CA
  to trust for them.

Every problem is a `SettingsError` with a one-line message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import typer
import yaml
from pydantic_settings import BaseSettings, SettingsConfigDict

from sfqb.cli.context import Services
from sfqb.cli.errors import UserError
from sfqb.connectors.salesforce import (
    Authenticator,
    ExistingSession,
    PasswordAuth,
    RefreshTokenAuth,
)
from sfqb.connectors.salesforce.auth import LOGIN_URL
from sfqb.domain.policy import CompanyPolicy
from sfqb.mapping import MappingConfigError
from sfqb.mapping.company import check_company_flows
from sfqb.mapping.config import FLOW_NAMES
from sfqb.mapping.flowconfig import FlowConfig, parse_flows, split_vendor_rule, with_vendor_rule
from sfqb.mapping.marks import Marks, load_marked
from sfqb.services.companies import UnknownCompany
from sfqb.services.companies import companies as service_companies
from sfqb.services.policy import PolicyError, parse_policy
from sfqb.store import Store

DEFAULT_DATABASE = Path("var") / "sfqb.sqlite"


class SettingsError(UserError):
    """A setting, the config file or a stored connection is unusable; one line."""


class Settings(BaseSettings):
    """The SFQB_* environment variables sfqb reads (the secret key is read on its own)."""

    model_config = SettingsConfigDict(env_prefix="SFQB_", extra="ignore", env_ignore_empty=True)

    database_url: str | None = None
    config: Path | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_from: str = "sfqb@localhost"
    smtp_starttls: bool = False
    smtp_username: str | None = None
    smtp_password: str | None = None
    public_url: str | None = None
    qbo_client_id: str | None = None
    qbo_client_secret: str | None = None
    qbo_webhook_verifier: str | None = None
    qbo_authorize_url: str | None = None
    qbo_token_url: str | None = None
    qbo_ca_file: str | None = None
    qbo_api_url: str | None = None  # the data API's base URL instead of Intuit's (a sandbox)
    session_secret: str | None = None  # signs the console's session cookies

    def store_url(self) -> str:
        """The store's URL; the default SQLite file's directory is created on the way."""
        if self.database_url:
            return self.database_url
        try:
            DEFAULT_DATABASE.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SettingsError(
                f"cannot create {DEFAULT_DATABASE.parent}/ for the store: {exc.strerror or exc}"
            ) from None
        return f"sqlite:///{DEFAULT_DATABASE}"


@dataclass(frozen=True, slots=True)
class CompanyConfig:
    """One company's overrides."""

    mapping: Path | None = None
    policy: CompanyPolicy = field(default_factory=CompanyPolicy)
    policy_keys: frozenset[str] = frozenset()  # the settings its `policy:` section names
    policy_section: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    flows: Mapping[str, FlowConfig] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """The parsed SFQB_CONFIG file (empty when there is none)."""

    companies: Mapping[str, CompanyConfig] = field(default_factory=lambda: MappingProxyType({}))

    def company(self, name: str) -> CompanyConfig:
        """A company's overrides (none when the file does not name it)."""
        return self.companies.get(name, CompanyConfig())


def load_config(path: Path | None) -> ConfigFile:
    """Read the config file; no path means no overrides."""
    if path is None:
        return ConfigFile()
    try:
        doc, marks = load_marked(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SettingsError(f"cannot read the config file {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise SettingsError(f"the config file {path} is not valid YAML{line}") from None
    doc = {} if doc is None else doc
    if not isinstance(doc, dict) or set(doc) - {"companies"}:
        raise SettingsError(f"{path}: the document must be a mapping with only `companies`")
    raw = doc.get("companies") or {}
    if not isinstance(raw, dict):
        raise SettingsError(f"{path}: companies must map company names to settings")
    companies: dict[str, CompanyConfig] = {}
    for name, given in raw.items():
        entry = {} if given is None else given
        if not isinstance(entry, dict) or set(entry) - {"mapping", "policy", "flows"}:
            raise SettingsError(
                f"{path}: companies.{name} may only hold `mapping: PATH`, `policy:` and `flows:`"
            )
        mapping = entry.get("mapping")
        if mapping is not None and not isinstance(mapping, str):
            raise SettingsError(f"{path}: companies.{name}.mapping must be a file path")
        given_policy, rule = split_vendor_rule(entry.get("policy"))
        try:
            policy = parse_policy(given_policy, f"{path}: companies.{name}.policy")
        except PolicyError as exc:
            raise SettingsError(str(exc)) from None
        keys = frozenset(str(k) for k in given_policy) if isinstance(given_policy, dict) else None
        mapping_file = (path.parent / mapping) if mapping else None
        try:
            section = with_vendor_rule(
                entry.get("flows"), rule, source=str(path), path=("companies", str(name)),
                marks=marks,
            )  # fmt: skip
        except MappingConfigError as exc:
            raise SettingsError(str(exc)) from None
        flows = _company_flows(path, marks, str(name), mapping_file, section)
        companies[str(name)] = CompanyConfig(
            mapping=mapping_file,
            flows=flows,
            policy=policy,
            policy_keys=keys or frozenset(),
            policy_section=MappingProxyType(
                {str(k): v for k, v in given_policy.items()}
                if isinstance(given_policy, dict)
                else {}
            ),
        )
    return ConfigFile(MappingProxyType(companies))


def _company_flows(
    path: Path, marks: Marks, company: str, mapping: Path | None, section: object
) -> Mapping[str, FlowConfig]:
    """A company's `flows:` section, checked against the field maps (errors name the line)."""
    if section is None:
        return MappingProxyType({})
    try:
        flows = parse_flows(
            section, FLOW_NAMES, source=str(path), path=("companies", company, "flows"),
            marks=marks,
        )  # fmt: skip
        check_company_flows(mapping, flows)
    except MappingConfigError as exc:
        raise SettingsError(str(exc)) from None
    return flows


# -- the stored Salesforce connection --------------------------------------------------------


def _text(secret: Mapping[str, Any], key: str, company: str) -> str:
    value = secret.get(key)
    if not isinstance(value, str) or not value:
        raise SettingsError(
            f"the stored Salesforce secret of {company!r} has no {key}; "
            f"run `sfqb connect salesforce --company {company} ...` again"
        )
    return value


def _optional(secret: Mapping[str, Any], key: str) -> str | None:
    value = secret.get(key)
    return value if isinstance(value, str) and value else None


def salesforce_authenticator(
    company: str, settings: Mapping[str, Any], secret: Mapping[str, Any] | None
) -> Authenticator:
    """The authenticator a stored connection describes.

    The secret holds {"session_id"}, {"username", "password", "security_token", "client_id",
    "client_secret", "login_url"} or {"refresh_token", "client_id", "client_secret",
    "login_url"}.
    """
    if not secret:
        raise SettingsError(
            f"the Salesforce connection of {company!r} has no stored credentials; "
            f"run `sfqb connect salesforce --company {company} ...` again"
        )
    login_url = _optional(secret, "login_url") or LOGIN_URL
    if "session_id" in secret:
        instance = settings.get("instance")
        if not isinstance(instance, str) or not instance:
            raise SettingsError(f"the Salesforce connection of {company!r} has no instance")
        return ExistingSession(instance, _text(secret, "session_id", company))
    if "refresh_token" in secret:
        return RefreshTokenAuth(
            client_id=_text(secret, "client_id", company),
            refresh_token=_text(secret, "refresh_token", company),
            client_secret=_optional(secret, "client_secret"),
            login_url=login_url,
        )
    if "username" in secret:
        return PasswordAuth(
            username=_text(secret, "username", company),
            password=_text(secret, "password", company),
            security_token=str(secret.get("security_token") or ""),
            client_id=_text(secret, "client_id", company),
            client_secret=_optional(secret, "client_secret"),
            login_url=login_url,
        )
    raise SettingsError(
        f"the stored Salesforce secret of {company!r} holds no session id, login or refresh "
        f"token; run `sfqb connect salesforce --company {company} ...` again"
    )


# -- companies ------------------------------------------------------------------------------


def companies(store: Store, company: str | None, *, salesforce: bool = False) -> list[str]:
    """The company asked for (checked), or every company (with Salesforce, if asked)."""
    try:
        return service_companies(store, company, salesforce=salesforce)
    except UnknownCompany as exc:
        raise UserError(str(exc)) from None


def services_of(ctx: typer.Context) -> Services:
    """The root context's Services (made on first use when the app did not set one)."""
    root = ctx.find_root()
    if not isinstance(root.obj, Services):
        root.obj = Services()
    return root.obj
