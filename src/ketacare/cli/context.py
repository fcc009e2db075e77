"""What every CLI command needs: settings, an engine, one unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from sqlalchemy.orm import Session

from ketacare.cli._errors import EXIT_INVALID
from ketacare.config import Settings, load_settings
from ketacare.db.engine import make_engine, make_session_factory


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except ValueError as exc:
        typer.echo(f"Invalid settings: {exc}", err=True)
        raise typer.Exit(EXIT_INVALID) from exc


@contextmanager
def unit_of_work(settings: Settings) -> Iterator[Session]:
    """One transaction: committed when the block ends cleanly, rolled back otherwise."""
    engine = make_engine(settings)
    factory = make_session_factory(engine)
    try:
        with factory() as db, db.begin():
            yield db
    finally:
        engine.dispose()
