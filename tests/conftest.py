"""Database fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL comes from KETACARE_TEST_POSTGRES_URL, or 127.0.0.1:5432 (user postgres, database
test) when it answers. Each test process creates its own database from it, so parallel runs
never collide. With KETACARE_REQUIRE_POSTGRES=1 (set by .ci/run) an unreachable PostgreSQL is a
failure, not a skip, so CI cannot go green without it.

The world (two clinics, a user per persona, a patient each) is built and committed once per
backend, when the session's database is created; each test then runs inside one outer
transaction on one connection, the code under test commits to SAVEPOINTs, and the outer
transaction is rolled back afterwards, so every test starts from the same world.

Tests on PostgreSQL are marked ``postgres`` and tests under tests/browser ``browser``, so
``-m "not postgres"`` and ``-m "not browser"`` pick the quick subsets.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from ketacare.db.engine import make_engine
from ketacare.db.migrate import upgrade_to_head
from ketacare.services.accounts.security import make_hasher
from tests.factories.world import World, WorldKeys, fast_settings, issue_tokens, make_world

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = ("sqlite", "postgresql")
BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what needs PostgreSQL or chromium, so either can be left out with ``-m``."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        if callspec is not None and callspec.params.get("backend") == "postgresql":
            item.add_marker(pytest.mark.postgres)
        if item.path.is_relative_to(BROWSER_TESTS):
            item.add_marker(pytest.mark.browser)


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
def hasher() -> PasswordHasher:
    return make_hasher(fast_settings())


@pytest.fixture(scope="session")
def migrated_engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """The session's migrated database for one backend."""
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


@pytest.fixture(scope="session")
def world_keys(migrated_engine: Engine, hasher: PasswordHasher) -> WorldKeys:
    """Build and commit the world once per backend.

    Why once: building it for every test (two clinics, eight accounts with an API token each,
    two patients and their audit trail) was a large share of the suite's time; each test still
    gets its own copy of the rows to change, because its outer transaction is rolled back.
    """
    with Session(migrated_engine, expire_on_commit=False) as db:
        world = make_world(db, hasher=hasher)
        keys = WorldKeys.of(world, tokens=issue_tokens(db, world))
        db.commit()
    return keys


@pytest.fixture(scope="session")
def engine(migrated_engine: Engine, world_keys: WorldKeys) -> Engine:
    """The session's database for one backend: migrated, with the world committed.

    Every database test reaches the database through this fixture, so each sees the world's
    rows whether or not it asks for the world, and the order of tests cannot change that.
    """
    return migrated_engine


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


@pytest.fixture
def world(db: Session, world_keys: WorldKeys) -> World:
    """The session's world, loaded into this test's ``db``."""
    return world_keys.load(db)
