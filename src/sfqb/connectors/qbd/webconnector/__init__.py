"""The QuickBooks Web Connector SOAP service: operations, envelopes, WSDL and .qwc files."""

from sfqb.connectors.qbd.webconnector.credentials import hash_password, verify_password
from sfqb.connectors.qbd.webconnector.lease import LeaseHeartbeat
from sfqb.connectors.qbd.webconnector.ports import (
    CompanyLogin,
    NoWorkSource,
    OutboxItem,
    OutboxStatus,
    SessionState,
    SessionStore,
    TakeOver,
    WorkClaim,
    WorkHandle,
    WorkSource,
)
from sfqb.connectors.qbd.webconnector.qwc import QwcError, QwcSpec, build_qwc
from sfqb.connectors.qbd.webconnector.service import WebConnectorService
from sfqb.connectors.qbd.webconnector.settings import ServiceSettings, load_settings
from sfqb.connectors.qbd.webconnector.soap import SoapEndpoint, SoapReply
from sfqb.connectors.qbd.webconnector.tickets import ticket_key
from sfqb.connectors.qbd.webconnector.wsdl import wsdl_for

__all__ = [
    "CompanyLogin",
    "LeaseHeartbeat",
    "NoWorkSource",
    "OutboxItem",
    "OutboxStatus",
    "QwcError",
    "QwcSpec",
    "ServiceSettings",
    "SessionState",
    "SessionStore",
    "SoapEndpoint",
    "SoapReply",
    "TakeOver",
    "WebConnectorService",
    "WorkClaim",
    "WorkHandle",
    "WorkSource",
    "build_qwc",
    "hash_password",
    "load_settings",
    "ticket_key",
    "verify_password",
    "wsdl_for",
]
