"""sfqb's store: SQLAlchemy 2 models, Alembic migrations and the Store repository."""

from sfqb.connectors.qbo.webhooks import WebhookChange
from sfqb.store.alerts import Admitted, AlertRecord, Alerts, AlertStatus, Delivery
from sfqb.store.bindings import Bindings
from sfqb.store.checkpoints import Checkpoints, stream_name
from sfqb.store.circuits import Change, Circuits, CircuitState, status_from_json
from sfqb.store.common import Direction, StoreError, to_jsonable
from sfqb.store.connections import ConnectionInfo, Connections, ConnectionSystem
from sfqb.store.engine import create_engine_from_url
from sfqb.store.flow_settings import FlowSetting, FlowSettings
from sfqb.store.journal import Attempt, Journal, LogCriteria, Run, RunKind, RunStatus
from sfqb.store.people import People, TokenRecord, UserRecord, UserTaken
from sfqb.store.qbo_events import (
    CallCount,
    QboCalls,
    QboEvents,
    StoredCallMeter,
    StoredChange,
)
from sfqb.store.qbo_tokens import PendingAuthorization, QboConnection, QboTokens, StoredTokens
from sfqb.store.queue import InvalidTransition, QueueItem, QueueStatus, SyncQueue
from sfqb.store.repository import Store, new_guid
from sfqb.store.review import SFQB, ReviewItem, ReviewList, ReviewStatus
from sfqb.store.review_actions import RecordOverride, RecordOverrides, ReviewAction, ReviewActions
from sfqb.store.secrets import (
    SecretBox,
    SecretKeyError,
    SecretKeyMismatch,
    SecretKeyMissing,
    generate_key,
    secret_box_from_env,
)

__all__ = [
    "SFQB",
    "Admitted",
    "AlertRecord",
    "AlertStatus",
    "Alerts",
    "Attempt",
    "Bindings",
    "CallCount",
    "Change",
    "Checkpoints",
    "CircuitState",
    "Circuits",
    "ConnectionInfo",
    "ConnectionSystem",
    "Connections",
    "Delivery",
    "Direction",
    "FlowSetting",
    "FlowSettings",
    "InvalidTransition",
    "Journal",
    "LogCriteria",
    "PendingAuthorization",
    "People",
    "QboCalls",
    "QboConnection",
    "QboEvents",
    "QboTokens",
    "QueueItem",
    "QueueStatus",
    "RecordOverride",
    "RecordOverrides",
    "ReviewAction",
    "ReviewActions",
    "ReviewItem",
    "ReviewList",
    "ReviewStatus",
    "Run",
    "RunKind",
    "RunStatus",
    "SecretBox",
    "SecretKeyError",
    "SecretKeyMismatch",
    "SecretKeyMissing",
    "Store",
    "StoreError",
    "StoredCallMeter",
    "StoredChange",
    "StoredTokens",
    "SyncQueue",
    "TokenRecord",
    "UserRecord",
    "UserTaken",
    "WebhookChange",
    "create_engine_from_url",
    "generate_key",
    "new_guid",
    "secret_box_from_env",
    "status_from_json",
    "stream_name",
    "to_jsonable",
]
