"""The access policy: a pure function of actor, action and target.

Why a table: a clinic's privacy officer must be able to read who may do what without reading
code paths. ``PERMISSIONS`` is that table; ``can`` adds the two cross-cutting rules that no role
escapes: staff see only their own organisation, and a patient sees only their own record
(HIPAA minimum-necessary, 45 CFR 164.502(b)). Researchers get de-identified data only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from ketacare.core.errors import Forbidden


class Role(StrEnum):
    """The roles a KetaCare account can hold."""

    ADMIN = "admin"
    PRESCRIBER = "prescriber"
    NURSE = "nurse"
    FRONTDESK = "frontdesk"
    RESEARCHER = "researcher"
    PATIENT = "patient"


class Action(StrEnum):
    """Actions that routes and services ask the policy about."""

    PATIENT_CREATE = "patient.create"
    PATIENT_READ = "patient.read"
    PATIENT_UPDATE = "patient.update"
    PATIENT_SEARCH = "patient.search"
    PATIENT_MEASURE = "patient.measure"
    CLINICAL_READ = "clinical.read"
    CLINICAL_RECORD = "clinical.record"
    CLINICAL_SIGN = "clinical.sign"
    ALERT_CLOSE = "alert.close"
    SESSION_RUN = "session.run"
    SCHEDULE_MANAGE = "schedule.manage"
    AUDIT_READ = "audit.read"
    USER_MANAGE = "user.manage"
    CONFIG_MANAGE = "config.manage"
    DEIDENTIFIED_READ = "analytics.deidentified_read"
    OWN_RECORD_READ = "own.read"
    OWN_ASSESSMENT_SUBMIT = "own.assessment_submit"


_FRONT_DESK = frozenset(
    {
        Action.PATIENT_CREATE,
        Action.PATIENT_READ,
        Action.PATIENT_UPDATE,
        Action.PATIENT_SEARCH,
        Action.SCHEDULE_MANAGE,
    }
)
_NURSE = _FRONT_DESK | {
    Action.PATIENT_MEASURE,
    Action.CLINICAL_READ,
    Action.CLINICAL_RECORD,
    Action.SESSION_RUN,
}
_PRESCRIBER = _NURSE | {Action.CLINICAL_SIGN, Action.ALERT_CLOSE}

PERMISSIONS: Mapping[Role, frozenset[Action]] = {
    # Clinic admins run the clinic: accounts, configuration, the audit trail and demographics.
    # They do not sign clinical decisions.
    Role.ADMIN: _FRONT_DESK
    | {Action.AUDIT_READ, Action.USER_MANAGE, Action.CONFIG_MANAGE, Action.CLINICAL_READ},
    Role.PRESCRIBER: _PRESCRIBER,
    Role.NURSE: _NURSE,
    Role.FRONTDESK: _FRONT_DESK,
    Role.RESEARCHER: frozenset({Action.DEIDENTIFIED_READ}),
    Role.PATIENT: frozenset({Action.OWN_RECORD_READ, Action.OWN_ASSESSMENT_SUBMIT}),
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is asking: an authenticated account."""

    user_id: int
    role: Role
    organisation_id: int
    patient_id: int | None = None


@dataclass(frozen=True, slots=True)
class Target:
    """What is asked about: an organisation's data, optionally one patient's."""

    organisation_id: int
    patient_id: int | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The policy's answer, with the reason shown to the user and stored in the audit trail."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        """Truthy when allowed."""
        return self.allowed


def can(actor: Actor, action: Action, target: Target | None = None) -> Decision:
    """Decide whether ``actor`` may perform ``action`` on ``target``.

    Args:
        actor: the signed-in account.
        action: what it wants to do.
        target: the organisation (and patient) the data belongs to; ``None`` for
            organisation-wide actions on the actor's own organisation.

    Returns:
        A Decision; ``allowed`` is False with a reason when refused.
    """
    if action not in PERMISSIONS[actor.role]:
        return Decision(allowed=False, reason=f"role {actor.role} may not {action}")
    if target is None:
        return Decision(allowed=True, reason="role permits")
    if target.organisation_id != actor.organisation_id:
        return Decision(allowed=False, reason="data belongs to another organisation")
    if actor.role is Role.PATIENT and target.patient_id != actor.patient_id:
        return Decision(allowed=False, reason="patients may only see their own record")
    return Decision(allowed=True, reason="role permits")


def require(actor: Actor, action: Action, target: Target | None = None) -> None:
    """Raise Forbidden unless the policy allows the action.

    Raises:
        Forbidden: with code ``authz.forbidden`` and the policy's reason.
    """
    decision = can(actor, action, target)
    if not decision.allowed:
        raise Forbidden("authz.forbidden", f"Not allowed: {decision.reason}.")
