"""Settings: read once from the environment (prefix ``KETACARE_``) and passed explicitly.

Nothing reads these at import time. ``load_settings()`` is called by the CLI entry points and the
ASGI factory, validates everything, and fails fast with a message saying what to fix.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ketacare.core.plausibility import BOOKING, CHARTED, Window, Windows

KEY_FILE_NAME = "secret_key"


class Settings(BaseSettings):
    """Every tunable of a KetaCare deployment."""

    model_config = SettingsConfigDict(env_prefix="KETACARE_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; defaults to SQLite at DATA_DIR/ketacare.sqlite3.",
    )
    secret_key: str | None = Field(default=None, min_length=32)
    # Login sessions expire after this many idle minutes (HIPAA 164.312(a)(2)(iii) automatic
    # logoff; the number is a clinic choice).
    session_idle_minutes: Annotated[int, Field(ge=1, le=24 * 60)] = 30
    session_absolute_hours: Annotated[int, Field(ge=1, le=72)] = 12
    # Lockout: after this many failures in the window the account is locked for lockout_minutes.
    login_max_failures: Annotated[int, Field(ge=1, le=100)] = 5
    login_failure_window_minutes: Annotated[int, Field(ge=1)] = 15
    lockout_minutes: Annotated[int, Field(ge=1)] = 15
    # argon2id cost. Defaults are RFC 9106's second recommended option (t=3, m=64 MiB).
    argon2_time_cost: Annotated[int, Field(ge=1)] = 3
    argon2_memory_kib: Annotated[int, Field(ge=8)] = 65536
    argon2_parallelism: Annotated[int, Field(ge=1)] = 4
    cookie_secure: bool = False
    api_token_days: Annotated[int, Field(ge=1, le=3650)] = 90
    smtp_host: str | None = None
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 25
    smtp_from: str = "ketacare@localhost"
    # Both or neither: a server that needs a login gets both, an open relay neither.
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    # STARTTLS before logging in; turn it on whenever a password crosses the network.
    smtp_starttls: bool = False
    # Where staff reach KetaCare; e-mails link to pages under it, so it must be absolute.
    base_url: str = "http://localhost:8000"
    licensed_text_dir: Path | None = None
    # Questionnaire links expire after this many days: a product default copied from the
    # Greenspace clinic-wide default (Greenspace Health clinic settings, range 1-30), not a clinical
    # number.
    patient_link_days: Annotated[int, Field(ge=1, le=30)] = 4
    # Crisis notice shown to a patient who endorses a suicidality item through a link; unset =
    # the built-in wording (Osmind patient app safety messaging, support.osmind.org).
    patient_crisis_notice: Annotated[str, Field(max_length=2000)] | None = None

    # Plausibility windows around "now" (CONFIG; see ketacare.core.plausibility.times): charted
    # events may be entered this late or (clock skew) this early; bookings this far back/ahead.
    charted_back_days: Annotated[int, Field(ge=1, le=3650)] = CHARTED.back.days
    charted_ahead_minutes: Annotated[int, Field(ge=0, le=24 * 60)] = int(
        CHARTED.ahead.total_seconds() // 60
    )
    booking_back_days: Annotated[int, Field(ge=0, le=3650)] = BOOKING.back.days
    booking_ahead_days: Annotated[int, Field(ge=1, le=3650)] = BOOKING.ahead.days

    @field_validator("database_url")
    @classmethod
    def _known_driver(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; accept the plain scheme for convenience.
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        if not value.startswith(("sqlite", "postgresql+psycopg://")):
            msg = "KETACARE_DATABASE_URL must be sqlite:///PATH or postgresql+psycopg://..."
            raise ValueError(msg)
        return value

    @field_validator("base_url")
    @classmethod
    def _absolute_base_url(cls, value: str) -> str:
        parsed = urlsplit(value.strip())
        if parsed.scheme not in {"http", "https"} or not parsed.netloc:
            msg = "KETACARE_BASE_URL must be an absolute http(s) URL, e.g. https://clinic.example"
            raise ValueError(msg)
        if parsed.query or parsed.fragment:
            msg = "KETACARE_BASE_URL must not carry a query or fragment"
            raise ValueError(msg)
        return value.strip().rstrip("/")

    @model_validator(mode="after")
    def _smtp_login_complete(self) -> Settings:
        if (self.smtp_username is None) != (self.smtp_password is None):
            msg = "set both KETACARE_SMTP_USERNAME and KETACARE_SMTP_PASSWORD, or neither"
            raise ValueError(msg)
        return self

    def plausibility_windows(self) -> Windows:
        """The time windows every service checks charted events and bookings against."""
        return Windows(
            charted=Window(
                back=timedelta(days=self.charted_back_days),
                ahead=timedelta(minutes=self.charted_ahead_minutes),
            ),
            booking=Window(
                back=timedelta(days=self.booking_back_days),
                ahead=timedelta(days=self.booking_ahead_days),
            ),
        )

    @property
    def effective_database_url(self) -> str:
        """The configured database, or the embedded SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'ketacare.sqlite3').resolve()}"

    def with_secret_key(self) -> Settings:
        """Return settings whose secret key is set, generating one into the data dir if absent."""
        if self.secret_key:
            return self
        self.data_dir.mkdir(parents=True, exist_ok=True)
        path = self.data_dir / KEY_FILE_NAME
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return self.model_copy(update={"secret_key": path.read_text().strip()})


def load_settings(**overrides: object) -> Settings:
    """Read and validate settings from the environment, with explicit overrides."""
    return Settings(**overrides).with_secret_key()  # type: ignore[arg-type]  # kwargs validated by pydantic
