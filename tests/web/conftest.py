from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from ketacare.web.app import create_app
from tests.factories.world import NOW, World, WorldKeys, fast_settings


class FrozenClock:
    def __init__(self, at: datetime = NOW) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def app(session_factory: sessionmaker[Session], clock: FrozenClock, tmp_path):
    return create_app(
        fast_settings(data_dir=tmp_path), session_factory=session_factory, clock=clock
    )


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def tokens(world: World, world_keys: WorldKeys) -> dict[str, str]:
    """A bearer token per persona (issued with the world, once per backend)."""
    return dict(world_keys.tokens)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
