"""procrastinate's job tables, on PostgreSQL only (SQLite runs cycles in-process).

procrastinate's schema.sql names its objects without a schema, so they are made in the first
schema of the connection's search_path, like sfqb's own tables (a test's throwaway schema
included). On SQLite this revision does nothing.

Revision ID: 0023_job_queue
Revises: 0020_qbo_batches
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0023_job_queue"
down_revision = "0020_qbo_batches"
branch_labels = None
depends_on = None

_DROP_FUNCTIONS = """
DO $$
DECLARE f record;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure AS signature
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate%'
    LOOP
        EXECUTE 'DROP FUNCTION ' || f.signature || ' CASCADE';
    END LOOP;
END
$$
"""


def upgrade() -> None:
    """Apply procrastinate's schema on PostgreSQL."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    # The DB-API cursor, with no parameters: schema.sql's `%` signs are not placeholders.
    cursor = bind.connection.cursor()
    try:
        cursor.execute(SchemaManager.get_schema())
    finally:
        cursor.close()


def downgrade() -> None:
    """Drop procrastinate's tables, functions and types."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(
        "DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, "
        "procrastinate_jobs, procrastinate_workers CASCADE"
    )
    cursor = bind.connection.cursor()
    try:
        cursor.execute(_DROP_FUNCTIONS)
    finally:
        cursor.close()
    op.execute(
        "DROP TYPE IF EXISTS procrastinate_job_to_defer_v1, procrastinate_job_event_type, "
        "procrastinate_job_status CASCADE"
    )
