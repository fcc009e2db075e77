"""Simulate an attacker with database-owner rights: lift the append-only triggers.

Used only by tests that check the hash chain catches what the triggers would have refused.
The DDL runs in the caller's transaction, so a rolled-back test restores the triggers.
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session


def _is_postgres(db: Session | Connection) -> bool:
    bind = db.get_bind() if isinstance(db, Session) else db
    return bind.dialect.name == "postgresql"


def lift_append_only(db: Session | Connection) -> None:
    if _is_postgres(db):
        db.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        return
    for operation in ("update", "delete"):
        db.execute(text(f"DROP TRIGGER IF EXISTS audit_events_no_{operation}"))


def restore_append_only(db: Session | Connection) -> None:
    """For tests that commit: put the guard back."""
    if _is_postgres(db):
        db.execute(text("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only"))
        return
    for operation in ("UPDATE", "DELETE"):
        db.execute(
            text(
                f"CREATE TRIGGER IF NOT EXISTS audit_events_no_{operation.lower()} "
                f"BEFORE {operation} ON audit_events BEGIN SELECT RAISE(ABORT, "
                f"'audit_events is append-only ({operation} refused)'); END"
            )
        )
