"""Shapes of staff account management (the admin's users page parses its form with these)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from ketacare.core.audit import AuditAction, AuditOutcome
from ketacare.core.authz import Role
from ketacare.web.schemas.common import Id

# A sign-in name, not a deliverable address: reserved test domains (``.test``) are allowed,
# which ``EmailStr`` refuses.
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    ),
]


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    full_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
    ]
    role: Role
    password: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class AuditSearch(BaseModel):
    """The audit trail's filter (the admin page's GET form; a blank input means "any")."""

    model_config = ConfigDict(extra="ignore")

    user_id: Id | None = None
    patient_id: Id | None = None
    entity_type: Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)] | None = (
        None
    )
    action: AuditAction | None = None
    outcome: AuditOutcome | None = None
