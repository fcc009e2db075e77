"""Alembic environment: the URL comes from KetaCare settings or from the caller's connection."""

from __future__ import annotations

from alembic import context

from ketacare.config import load_settings
from ketacare.db import models  # noqa: F401 - registers every table
from ketacare.db.base import Base
from ketacare.db.engine import make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or None
    engine = make_engine(load_settings(), url=url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


def _render_item(type_: str, obj: object, _autogen_context: object) -> str | bool:
    # Migrations must not import the ORM: render our UTC column type as the plain SQL type.
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
