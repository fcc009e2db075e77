"""Database fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from KETACARE_TEST_POSTGRES_URL, or 127.0.0.1:5432 (user postgres, database
test) when it answers. Each test process creates its own database from it, so parallel runs
never collide. With KETACARE_REQUIRE_POSTGRES=1 (set by .ci/run) an unreachable PostgreSQL is a
failure, not a skip, so CI cannot go green without it.

Each test runs inside one outer transaction on one connection; the code under test commits to
SAVEPOINTs, and the outer transaction is rolled back afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from ketacare.db.engine import make_engine
from ketacare.db.migrate import upgrade_to_head
from ketacare.services.accounts.security import make_hasher
from tests.factories.world import World, fast_settings, make_world

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")


def _pg_base_url() -> str:
    return os.environ.get("KETACARE_TEST_POSTGRES_URL", DEFAULT_PG)


def _pg_admin_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _pg_available(url: str) -> str | None:
    try:
        with psycopg.connect(_pg_admin_url(url), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    settings = fast_settings(data_dir=tmp_path_factory.mktemp("data"))
    if backend == "sqlite":
        path = Path(tmp_path_factory.mktemp("sqlite")) / "test.sqlite3"
        eng = make_engine(settings, url=f"sqlite:///{path}")
        upgrade_to_head(eng)
        yield eng
        eng.dispose()
        return
    base = _pg_base_url()
    problem = _pg_available(base)
    if problem is not None:
        if os.environ.get("KETACARE_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required but unavailable at {base}: {problem}")
        pytest.skip(f"PostgreSQL unavailable at {base}: {problem}")
    name = f"ketacare_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_pg_admin_url(base), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = base.rsplit("/", 1)[0] + f"/{name}"
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    eng = make_engine(settings, url=url)
    upgrade_to_head(eng)
    yield eng
    eng.dispose()
    with psycopg.connect(_pg_admin_url(base), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        if outer.is_active:
            outer.rollback()


@pytest.fixture
def session_factory(connection: Connection) -> sessionmaker[Session]:
    return sessionmaker(
        bind=connection,
        expire_on_commit=False,
        autoflush=False,
        join_transaction_mode="create_savepoint",
    )


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    with session_factory() as session:
        yield session


@pytest.fixture(scope="session")
def hasher():  # type: ignore[no-untyped-def]
    return make_hasher(fast_settings())


@pytest.fixture
def world(db: Session, hasher) -> World:  # type: ignore[no-untyped-def]
    built = make_world(db, hasher=hasher)
    db.commit()
    return built
