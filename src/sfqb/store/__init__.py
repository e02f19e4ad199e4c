"""sfqb's store: SQLAlchemy 2 models, Alembic migrations and the Store repository."""

from sfqb.store.engine import create_engine_from_url
from sfqb.store.repository import Store, StoreError, new_guid

__all__ = ["Store", "StoreError", "create_engine_from_url", "new_guid"]
