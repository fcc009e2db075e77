"""Eligibility screening: drafts, the live preview, signing, reading and staleness.

Every rule is in ``ketacare.core.eligibility``; this module loads, authorises, audits and stores.
The chart is the source of truth for age and sex: an input that leaves them out gets them from
the chart, and one that contradicts it is refused. :func:`readiness_evidence` also gathers
consent (``services.screening.consent``) and REMS enrolment
(``services.screening.rems_enrolment``) for the gates.

Staleness: a screening is stale when it has been superseded, or when the patient's current
screening inputs (the newest screening of the same protocol, with age and sex refreshed from the
chart, fingerprinted under the current rules) no longer match its fingerprint. A newer draft with
identical inputs therefore does not make a signed decision stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.codes import pregnancy_applies
from ketacare.core.eligibility import (
    OverrideOutcome,
    ProtocolId,
    ScreeningResult,
    apply_overrides,
    fingerprint,
    parse_screening_input,
    screen,
    validate,
)
from ketacare.core.eligibility.model import Decision, ScreeningStatus
from ketacare.core.errors import Conflict, Invalid, NotFound, RuleViolation
from ketacare.core.time import age_in_years
from ketacare.db.models import Patient, Screening
from ketacare.db.repositories import screening as repo
from ketacare.services._access import (
    PatientAccess,
    load_patient,
    patient_access,
)
from ketacare.services.audit import AuditContext
from ketacare.services.patients.medications import active_medication_classes
from ketacare.services.screening import consent as consent_service
from ketacare.services.screening import rems_enrolment as rems_enrolment_service

# Dosing protocols that are screened under an eligibility protocol with another id.
_SCREENED_AS: Final[Mapping[str, ProtocolId]] = {
    "esketamine-nasal-mdsi": ProtocolId.ESKETAMINE_NASAL,
    "iv-ketamine-crps": ProtocolId.IV_KETAMINE_PAIN,
}
_CHART_FIELDS: Final = ("age_years", "sex_at_birth")


@dataclass(frozen=True, slots=True)
class ScreeningEvidence:
    """What the session ready gates need to know about screening, consent and REMS."""

    decision_id: int | None
    decision: Decision | None
    decision_signed: bool
    decision_stale: bool
    consent_valid: bool
    consent_version: int | None
    rems_enrolled: bool
    pregnancy_status_required: bool
    pregnancy_status: str | None


@dataclass(frozen=True, slots=True)
class ScreeningView:
    """A stored screening and whether it is stale now."""

    screening: Screening
    stale: bool


def screening_protocol(protocol_id: str) -> ProtocolId:
    """The eligibility protocol a dosing or eligibility protocol id is screened under."""
    if protocol_id in _SCREENED_AS:
        return _SCREENED_AS[protocol_id]
    try:
        return ProtocolId(protocol_id)
    except ValueError:
        raise Invalid(
            "screening.unknown_protocol",
            f"No screening protocol for {protocol_id!r}.",
            field="protocol_id",
        ) from None


def _chart_values(patient: Patient, at: datetime) -> dict[str, Any]:
    return {
        "age_years": age_in_years(patient.date_of_birth, today=at.date()),
        "sex_at_birth": patient.sex_at_birth,
    }


def _with_medications(
    db: Session, document: Mapping[str, Any], patient: Patient, at: datetime
) -> dict[str, Any]:
    """Add the classes of the patient's active charted medicines to ``medication_classes``.

    The union keeps classes the input names that are not on the chart; a medicine started later
    adds a class, so a signed screening becomes stale (stopping one only removes a risk).
    """
    charted = active_medication_classes(db, patient_id=patient.id, on=at.date())
    given = document.get("medication_classes") or []
    if not charted:
        return dict(document)
    return {**document, "medication_classes": sorted(charted | set(given))}


def _with_chart(
    db: Session, inputs: Mapping[str, Any], patient: Patient, at: datetime
) -> dict[str, Any]:
    """Validate the input, fill age, sex and medicines from the chart, refuse contradictions."""
    if not isinstance(inputs, Mapping):
        raise Invalid("eligibility.input_invalid", "input: expected object", field=None)
    document = dict(inputs)
    validate(document)
    chart = _chart_values(patient, at)
    for name in _CHART_FIELDS:
        given = document.get(name)
        if given is None:
            document[name] = chart[name]
        elif given != chart[name]:
            raise Invalid(
                "screening.chart_mismatch",
                f"{name}: {given!r} does not match the chart ({chart[name]!r}); correct the "
                "chart or leave it out.",
                field=name,
            )
    return _with_medications(db, document, patient, at)


def _current_fingerprint(
    db: Session, stored: Mapping[str, Any], patient: Patient, at: datetime
) -> str | None:
    document = _with_medications(db, {**stored, **_chart_values(patient, at)}, patient, at)
    try:
        return fingerprint(parse_screening_input(document))
    except Invalid:
        return None  # the stored input is no longer valid under the current rules


def _is_stale(db: Session, screening: Screening, patient: Patient, at: datetime) -> bool:
    if screening.status == ScreeningStatus.SUPERSEDED:
        return True
    newer = repo.newer_screenings(db, screening=screening)
    latest = newer[0] if newer else screening
    return _current_fingerprint(db, latest.input, patient, at) != screening.input_fingerprint


def preview_screening(
    db: Session, *, patient_id: int, inputs: Mapping[str, Any], at: datetime, ctx: AuditContext
) -> ScreeningResult:
    """Screen without saving (the live form preview)."""
    access = patient_access(
        db,
        ctx,
        patient_id,
        at=at,
        action=Action.CLINICAL_RECORD,
        audit_action=AuditAction.EXECUTE,
        entity=AuditEntity.SCREENING_PREVIEW,
    )
    result = screen(parse_screening_input(_with_chart(db, inputs, access.patient, at)))
    access.record()
    return result


def evaluate_screening(
    db: Session, *, patient_id: int, inputs: Mapping[str, Any], at: datetime, ctx: AuditContext
) -> Screening:
    """Screen and save a draft; older drafts of the same protocol become superseded."""
    access = patient_access(
        db,
        ctx,
        patient_id,
        at=at,
        action=Action.CLINICAL_RECORD,
        audit_action=AuditAction.CREATE,
        entity=AuditEntity.SCREENING,
    )
    actor, patient = access.actor, access.patient
    document = _with_chart(db, inputs, patient, at)
    result = screen(parse_screening_input(document))
    row = repo.add_screening(
        db,
        Screening(
            organisation_id=patient.organisation_id,
            patient_id=patient.id,
            protocol=document["protocol"],
            input=document,
            result=result.as_dict(),
            decision=result.decision,
            ruleset_version=result.ruleset_version,
            input_fingerprint=result.input_fingerprint,
            status=ScreeningStatus.DRAFT,
            created_by=actor.user_id,
            created_at=at,
        ),
    )
    repo.supersede_screenings(
        db,
        patient_id=patient.id,
        protocol=row.protocol,
        status=ScreeningStatus.DRAFT,
        except_id=row.id,
        at=at,
    )
    access.record(row.id, detail=f"decision={row.decision}")
    return row


def _load_screening(
    db: Session,
    screening_id: int,
    *,
    ctx: AuditContext,
    at: datetime,
    action: Action | None,
    audit: AuditAction,
) -> tuple[Screening, PatientAccess]:
    row = repo.get_screening(db, screening_id)
    if row is None:
        raise NotFound("screening.not_found", f"No screening with id {screening_id}.")
    access = patient_access(
        db,
        ctx,
        row.patient_id,
        at=at,
        action=action,
        audit_action=audit,
        entity=AuditEntity.SCREENING,
        entity_id=row.id,
    )
    return row, access


def get_screening(
    db: Session, *, screening_id: int, at: datetime, ctx: AuditContext
) -> ScreeningView:
    row, access = _load_screening(
        db, screening_id, ctx=ctx, at=at, action=None, audit=AuditAction.READ
    )
    access.record(row.id)
    return ScreeningView(row, _is_stale(db, row, access.patient, at))


def list_screenings(
    db: Session, *, patient_id: int, at: datetime, ctx: AuditContext
) -> list[ScreeningView]:
    """Every screening of the patient, newest first."""
    access = patient_access(
        db, ctx, patient_id, at=at, audit_action=AuditAction.READ, entity=AuditEntity.SCREENING
    )
    rows = repo.list_screenings(db, patient_id=patient_id)
    access.record(detail=f"results={len(rows)}")
    return [ScreeningView(row, _is_stale(db, row, access.patient, at)) for row in rows]


def _require_signable(db: Session, row: Screening, patient: Patient, at: datetime) -> None:
    if row.status != ScreeningStatus.DRAFT:
        raise Conflict(
            "screening.not_draft",
            f"Screening {row.id} is {row.status}; a signed decision is never edited. Evaluate "
            "a new screening instead.",
            field="status",
        )
    if _is_stale(db, row, patient, at):
        raise Conflict(
            "screening.stale",
            "The chart or the rules changed since this screening; evaluate it again.",
            field="status",
        )


def _override_outcome(row: Screening, overrides: Mapping[str, str]) -> OverrideOutcome:
    """The decision after the overrides; refuses hard stops and unjustified review reasons."""
    result = screen(parse_screening_input(row.input))
    outcome = apply_overrides(result, overrides)
    if outcome.blocking:
        raise RuleViolation(
            "screening.blocked",
            "Cannot sign: hard stop(s) that cannot be overridden: " + ", ".join(outcome.blocking),
            field="decision",
        )
    if outcome.uncovered:
        raise RuleViolation(
            "screening.justification_required",
            "Give a written justification for: " + ", ".join(outcome.uncovered),
            field="overrides",
        )
    return outcome


def sign_screening(
    db: Session, *, screening_id: int, overrides: Mapping[str, str], at: datetime, ctx: AuditContext
) -> Screening:
    """Prescriber signs a draft, justifying every review reason; nothing may block.

    Raises:
        Conflict: the screening is not a draft, or the chart or rules changed since it was made.
        RuleViolation: ``screening.blocked`` (hard stops) or ``screening.justification_required``
            (review reasons without a justification), naming the codes; or an override of a
            block or info reason (from the core).
        Invalid: an override names a code not in this decision, or its justification is blank.
    """
    row, access = _load_screening(
        db, screening_id, ctx=ctx, at=at, action=Action.CLINICAL_SIGN, audit=AuditAction.UPDATE
    )
    actor, patient = access.actor, access.patient
    _require_signable(db, row, patient, at)
    cleaned = {code: text.strip() for code, text in overrides.items()}
    outcome = _override_outcome(row, cleaned)
    repo.supersede_screenings(
        db,
        patient_id=patient.id,
        protocol=row.protocol,
        status=ScreeningStatus.SIGNED,
        except_id=row.id,
        at=at,
    )
    row.status = ScreeningStatus.SIGNED
    row.overrides = cleaned
    row.signed_decision = outcome.decision
    row.signed_by = actor.user_id
    row.signed_at = at
    db.flush()
    access.record(row.id, detail="signed overrides=" + ",".join(outcome.overridden))
    return row


def _pregnancy_status(row: Screening | None) -> str | None:
    pregnant = None if row is None else row.input.get("pregnant")
    if pregnant is None:
        return None
    # The session gates' PregnancyStatus vocabulary.
    return "positive" if pregnant else "negative"


def _decision_on_file(
    db: Session, *, patient_id: int, protocol: ProtocolId
) -> tuple[Screening | None, bool]:
    """The newest signed screening of the protocol, else the newest draft; and whether signed."""
    signed = repo.latest_screening(
        db, patient_id=patient_id, protocol=protocol.value, status=ScreeningStatus.SIGNED
    )
    if signed is not None:
        return signed, True
    return repo.latest_screening(db, patient_id=patient_id, protocol=protocol.value), False


def readiness_evidence(
    db: Session, *, patient_id: int, protocol_id: str, at: datetime
) -> ScreeningEvidence:
    """Screening, consent and REMS facts for the session ready gates; the caller audits.

    The decision is the newest signed one for the protocol (its post-override decision), else
    the newest draft (unsigned). Pregnancy status is required unless the chart says male, as the
    core's ``pregnancy.status_not_recorded`` rule does.
    """
    protocol = screening_protocol(protocol_id)
    patient = load_patient(db, patient_id)
    row, signed = _decision_on_file(db, patient_id=patient.id, protocol=protocol)
    decision = None if row is None else (row.signed_decision if signed else row.decision)
    consent = consent_service.consent_on_file(db, patient=patient, at=at)
    return ScreeningEvidence(
        decision_id=None if row is None else row.id,
        decision=decision,
        decision_signed=signed,
        decision_stale=row is not None and _is_stale(db, row, patient, at),
        consent_valid=consent.valid,
        consent_version=None if consent.latest is None else consent.latest.document_version,
        rems_enrolled=rems_enrolment_service.is_enrolled(db, patient_id=patient.id),
        pregnancy_status_required=pregnancy_applies(patient.sex_at_birth),
        pregnancy_status=_pregnancy_status(row),
    )
