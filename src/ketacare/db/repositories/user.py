from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ketacare.db.models import ApiToken, LoginSession, User


def get_user(db: Session, user_id: int) -> User | None:
    return db.get(User, user_id)


def get_user_by_email(db: Session, email: str) -> User | None:
    return db.scalar(select(User).where(func.lower(User.email) == email.lower()))


def list_users(db: Session, *, organisation_id: int) -> list[User]:
    stmt = select(User).where(User.organisation_id == organisation_id).order_by(User.email)
    return list(db.scalars(stmt))


def count_users(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(User)) or 0


def add_user(db: Session, user: User) -> User:
    db.add(user)
    db.flush()
    return user


def add_login_session(db: Session, login: LoginSession) -> LoginSession:
    db.add(login)
    db.flush()
    return login


def get_login_session(db: Session, token_hash: str) -> LoginSession | None:
    return db.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash))


def end_login_sessions(db: Session, *, user_id: int, at: datetime) -> None:
    stmt = (
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
        .values(ended_at=at)
    )
    db.execute(stmt)


def add_api_token(db: Session, token: ApiToken) -> ApiToken:
    db.add(token)
    db.flush()
    return token


def get_api_token(db: Session, token_hash: str) -> ApiToken | None:
    return db.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))


def list_api_tokens(db: Session, *, user_id: int) -> list[ApiToken]:
    return list(db.scalars(select(ApiToken).where(ApiToken.user_id == user_id)))


def revoke_api_tokens(db: Session, *, user_id: int, at: datetime) -> None:
    stmt = (
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    db.execute(stmt)
