"""Salesforce connector on simple-salesforce: typed records, incremental reads, write-back.

Build one with an authenticator, a `requests.Session` (which decides what TLS to trust) and the
status-code catalog::

    connector = SalesforceConnector(ExistingSession("127.0.0.1:8443", "demo"), http, catalog)
    batch = connector.read_changes(SfAccount, since=checkpoint)
    results = connector.write_back([RecordUpdate("Account", batch.records[0].id, {...})])
"""

from sfqb.connectors.salesforce.auth import (
    Authenticator,
    ExistingSession,
    JwtBearerAuth,
    PasswordAuth,
    RefreshTokenAuth,
    SessionInfo,
)
from sfqb.connectors.salesforce.connector import READABLE, SalesforceConnector
from sfqb.connectors.salesforce.errors import (
    SalesforceAuthError,
    SalesforceError,
    SalesforceLimitError,
    SalesforceRecordError,
    SalesforceRequestError,
    SalesforceTransportError,
    SalesforceWindowError,
)
from sfqb.connectors.salesforce.models import (
    ApiUsage,
    ChangeBatch,
    DeletedRecord,
    DeletionBatch,
    FieldDescription,
    FieldValue,
    RecordUpdate,
    SObjectDescription,
    WriteResult,
)
from sfqb.connectors.salesforce.orders import SfOrder, SfOrderItem
from sfqb.connectors.salesforce.payloads import error_text, payment_fields, sync_fields
from sfqb.connectors.salesforce.records import (
    SfAccount,
    SfAccountContactRole,
    SfAddress,
    SfContact,
    SfOpportunity,
    SfOpportunityLine,
    SfPricebookEntry,
    SfProduct,
    SfRecord,
)
from sfqb.connectors.salesforce.settings import ApiSettings, load_settings

__all__ = [
    "READABLE",
    "ApiSettings",
    "ApiUsage",
    "Authenticator",
    "ChangeBatch",
    "DeletedRecord",
    "DeletionBatch",
    "ExistingSession",
    "FieldDescription",
    "FieldValue",
    "JwtBearerAuth",
    "PasswordAuth",
    "RecordUpdate",
    "RefreshTokenAuth",
    "SObjectDescription",
    "SalesforceAuthError",
    "SalesforceConnector",
    "SalesforceError",
    "SalesforceLimitError",
    "SalesforceRecordError",
    "SalesforceRequestError",
    "SalesforceTransportError",
    "SalesforceWindowError",
    "SessionInfo",
    "SfAccount",
    "SfAccountContactRole",
    "SfAddress",
    "SfContact",
    "SfOpportunity",
    "SfOpportunityLine",
    "SfOrder",
    "SfOrderItem",
    "SfPricebookEntry",
    "SfProduct",
    "SfRecord",
    "WriteResult",
    "error_text",
    "load_settings",
    "payment_fields",
    "sync_fields",
]
