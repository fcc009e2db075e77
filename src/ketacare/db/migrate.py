"""Run Alembic migrations programmatically (``ketacare init``, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

# The project runs from its checkout (``uv sync`` installs it in editable mode), so the
# migrations folder sits at the repository root beside alembic.ini.
REPO_ROOT = Path(__file__).resolve().parents[3]


def alembic_config() -> Config:
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    return cfg


def upgrade_to_head(engine: Engine) -> None:
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "heads")
