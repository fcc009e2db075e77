"""session note signatures: one append-only prescriber signature per session

The note of a discharged or aborted session is signed once by a prescriber. The unique
session id refuses a second signature; triggers refuse an UPDATE or DELETE of a signature, as
for the audit trail (0006), so a signature cannot be moved or withdrawn behind the record.

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "session_note_signatures"
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION ketacare_session_note_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'session_note_signatures is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql
"""


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("signed_by", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_session_note_signatures_session_id_treatment_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["signed_by"], ["users.id"], name=op.f("fk_session_note_signatures_signed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_note_signatures")),
        sa.UniqueConstraint("session_id", name=op.f("uq_session_note_signatures_session_id")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION ketacare_session_note_append_only()"
        )
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_{operation.lower()} BEFORE {operation} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only ({operation} refused)'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
        op.execute("DROP FUNCTION IF EXISTS ketacare_session_note_append_only()")
    else:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{operation}")
    op.drop_table(TABLE)
