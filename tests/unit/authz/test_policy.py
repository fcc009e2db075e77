"""The access policy as a role x action table: the table is the specification."""

from __future__ import annotations

import pytest

from ketacare.core.authz import Action, Actor, Role, Target, can, require
from ketacare.core.errors import Forbidden

A = Action
Y, N = True, False
# Columns: admin, prescriber, nurse, frontdesk, researcher, patient
TABLE: dict[Action, tuple[bool, bool, bool, bool, bool, bool]] = {
    A.PATIENT_CREATE: (Y, Y, Y, Y, N, N),
    A.PATIENT_READ: (Y, Y, Y, Y, N, N),
    A.PATIENT_UPDATE: (Y, Y, Y, Y, N, N),
    A.PATIENT_SEARCH: (Y, Y, Y, Y, N, N),
    A.PATIENT_MEASURE: (N, Y, Y, N, N, N),
    A.CLINICAL_READ: (Y, Y, Y, N, N, N),
    A.CLINICAL_RECORD: (N, Y, Y, N, N, N),
    A.CLINICAL_SIGN: (N, Y, N, N, N, N),
    A.ALERT_CLOSE: (N, Y, N, N, N, N),
    A.SESSION_RUN: (N, Y, Y, N, N, N),
    A.SCHEDULE_MANAGE: (Y, Y, Y, Y, N, N),
    A.AUDIT_READ: (Y, N, N, N, N, N),
    A.USER_MANAGE: (Y, N, N, N, N, N),
    A.CONFIG_MANAGE: (Y, N, N, N, N, N),
    A.DEIDENTIFIED_READ: (N, N, N, N, Y, N),
    A.OWN_RECORD_READ: (N, N, N, N, N, Y),
    A.OWN_ASSESSMENT_SUBMIT: (N, N, N, N, N, Y),
}
ROLES = (Role.ADMIN, Role.PRESCRIBER, Role.NURSE, Role.FRONTDESK, Role.RESEARCHER, Role.PATIENT)
CASES = [
    pytest.param(role, action, row[i], id=f"{role}-{action}")
    for action, row in TABLE.items()
    for i, role in enumerate(ROLES)
]


def test_table_covers_every_action() -> None:
    assert set(TABLE) == set(Action)


@pytest.mark.parametrize(("role", "action", "allowed"), CASES)
def test_role_action_table(role: Role, action: Action, allowed: bool) -> None:
    actor = Actor(user_id=1, role=role, organisation_id=10, patient_id=5)
    assert can(actor, action, Target(organisation_id=10, patient_id=5)).allowed is allowed


@pytest.mark.parametrize("role", [r for r in ROLES if r is not Role.PATIENT])
def test_no_staff_role_reaches_another_organisation(role: Role) -> None:
    actor = Actor(user_id=1, role=role, organisation_id=10)
    for action in Action:
        decision = can(actor, action, Target(organisation_id=11, patient_id=3))
        assert not decision.allowed
    decision = can(Actor(1, Role.PRESCRIBER, 10), Action.PATIENT_READ, Target(11, 3))
    assert decision.reason == "data belongs to another organisation"


def test_patient_sees_only_own_record() -> None:
    me = Actor(user_id=1, role=Role.PATIENT, organisation_id=10, patient_id=5)
    assert can(me, Action.OWN_RECORD_READ, Target(10, 5)).allowed
    refused = can(me, Action.OWN_RECORD_READ, Target(10, 6))
    assert not refused.allowed
    assert "own record" in refused.reason


def test_require_raises_forbidden_with_reason() -> None:
    nurse = Actor(user_id=1, role=Role.NURSE, organisation_id=10)
    with pytest.raises(Forbidden, match=r"may not clinical\.sign") as info:
        require(nurse, Action.CLINICAL_SIGN)
    assert info.value.code == "authz.forbidden"
    require(Actor(2, Role.PRESCRIBER, 10), Action.CLINICAL_SIGN)  # no exception
