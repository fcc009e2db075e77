"""What the app holds for its lifetime: made once in create_app, never at import time."""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker

from ketacare.config import Settings
from ketacare.services.clock import Clock


@dataclass
class AppState:
    settings: Settings
    session_factory: sessionmaker[Session]
    hasher: PasswordHasher
    clock: Clock
    templates: Jinja2Templates
