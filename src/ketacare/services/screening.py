"""Eligibility screening, informed consent and REMS enrolment: storage around the pure core.

Every rule (reasons, decision, overrides, fingerprint, consent validity, risk coverage of the
consent wording) is in ``ketacare.core.eligibility``; this module loads, authorises, audits and
stores. The chart is the source of truth for age and sex: a screening input that leaves them out
gets them from the chart, and one that contradicts the chart is refused.

Staleness: a screening is stale when it has been superseded, or when the patient's current
screening inputs (the newest screening of the same protocol, with age and sex refreshed from the
chart, fingerprinted under the current rules) no longer match its fingerprint. A newer draft with
identical inputs therefore does not make a signed decision stale.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction
from ketacare.core.authz import Action, Actor, Role, Target
from ketacare.core.eligibility import (
    Protocol,
    ScreeningResult,
    apply_overrides,
    fingerprint,
    parse_screening_input,
    screen,
    validate,
)
from ketacare.core.eligibility.consent import (
    ConsentStatus,
    SignedConsent,
    consent_status,
    load_default_consent,
    missing_risks,
    parse_consent_document,
)
from ketacare.core.errors import Conflict, Invalid, NotFound, RuleViolation
from ketacare.core.time import age_in_years
from ketacare.db.models import ConsentDocument, Patient, PatientConsent, RemsEnrolment, Screening
from ketacare.db.models.screening import ScreeningStatus
from ketacare.db.repositories import patient as patient_repo
from ketacare.db.repositories import screening as repo
from ketacare.db.repositories import user as user_repo
from ketacare.services.audit import AuditContext, authorize, record_event

WITNESS_ROLES: Final = (Role.ADMIN, Role.PRESCRIBER, Role.NURSE, Role.FRONTDESK)
# Dosing protocols that are screened under an eligibility protocol with another id.
_SCREENED_AS: Final[Mapping[str, Protocol]] = {
    "esketamine-nasal-mdsi": Protocol.ESKETAMINE_NASAL,
    "iv-ketamine-crps": Protocol.IV_KETAMINE_PAIN,
}
_CHART_FIELDS: Final = ("age_years", "sex_at_birth")


@dataclass(frozen=True, slots=True)
class ScreeningEvidence:
    """What the session ready gates need to know about screening, consent and REMS."""

    decision_id: int | None
    decision: str | None
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


@dataclass(frozen=True, slots=True)
class ConsentOverview:
    """The consent in force for a patient: current wording, signatures and their status."""

    document: ConsentDocument
    consents: list[PatientConsent]
    status: ConsentStatus


def _actor(ctx: AuditContext) -> Actor:
    if ctx.actor is None:
        raise Invalid("auth.required", "Sign in first.")
    return ctx.actor


def screening_protocol(protocol_id: str) -> Protocol:
    """The eligibility protocol a dosing or eligibility protocol id is screened under."""
    if protocol_id in _SCREENED_AS:
        return _SCREENED_AS[protocol_id]
    try:
        return Protocol(protocol_id)
    except ValueError:
        raise Invalid(
            "screening.unknown_protocol",
            f"No screening protocol for {protocol_id!r}.",
            field="protocol_id",
        ) from None


def _patient(db: Session, patient_id: int) -> Patient:
    patient = patient_repo.get_patient(db, patient_id)
    if patient is None:
        raise NotFound("patient.not_found", f"No patient with id {patient_id}.")
    return patient


def _authorized_patient(
    db: Session,
    patient_id: int,
    *,
    actor: Actor,
    action: Action,
    audit_action: AuditAction,
    entity_type: str,
    entity_id: int | None = None,
) -> Patient:
    patient = _patient(db, patient_id)
    authorize(
        actor,
        action,
        Target(patient.organisation_id, patient.id),
        audit_action=audit_action,
        entity_type=entity_type,
        entity_id=entity_id,
    )
    return patient


def _read_action(actor: Actor, patient_id: int) -> Action:
    return Action.OWN_RECORD_READ if actor.patient_id == patient_id else Action.CLINICAL_READ


def _chart_values(patient: Patient, at: datetime) -> dict[str, Any]:
    return {
        "age_years": age_in_years(patient.date_of_birth, today=at.date()),
        "sex_at_birth": patient.sex_at_birth,
    }


def _with_chart(inputs: Mapping[str, Any], patient: Patient, at: datetime) -> dict[str, Any]:
    """Validate the input, fill age and sex from the chart, refuse values that contradict it."""
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
    return document


def _current_fingerprint(stored: Mapping[str, Any], patient: Patient, at: datetime) -> str | None:
    document = {**stored, **_chart_values(patient, at)}
    try:
        return fingerprint(parse_screening_input(document))
    except Invalid:
        return None  # the stored input is no longer valid under the current rules


def _is_stale(db: Session, screening: Screening, patient: Patient, at: datetime) -> bool:
    if screening.status == ScreeningStatus.SUPERSEDED:
        return True
    newer = repo.newer_screenings(db, screening=screening)
    latest = newer[0] if newer else screening
    return _current_fingerprint(latest.input, patient, at) != screening.input_fingerprint


def preview_screening(
    db: Session, *, patient_id: int, inputs: Mapping[str, Any], at: datetime, ctx: AuditContext
) -> ScreeningResult:
    """Screen without saving (the live form preview)."""
    patient = _authorized_patient(
        db,
        patient_id,
        actor=_actor(ctx),
        action=Action.CLINICAL_RECORD,
        audit_action=AuditAction.EXECUTE,
        entity_type="ScreeningPreview",
    )
    result = screen(parse_screening_input(_with_chart(inputs, patient, at)))
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.EXECUTE,
        entity_type="ScreeningPreview",
        entity_id=None,
        patient_id=patient.id,
    )
    return result


def evaluate_screening(
    db: Session, *, patient_id: int, inputs: Mapping[str, Any], at: datetime, ctx: AuditContext
) -> Screening:
    """Screen and save a draft; older drafts of the same protocol become superseded."""
    actor = _actor(ctx)
    patient = _authorized_patient(
        db,
        patient_id,
        actor=actor,
        action=Action.CLINICAL_RECORD,
        audit_action=AuditAction.CREATE,
        entity_type="Screening",
    )
    document = _with_chart(inputs, patient, at)
    result = screen(parse_screening_input(document))
    row = repo.add_screening(
        db,
        Screening(
            organisation_id=patient.organisation_id,
            patient_id=patient.id,
            protocol=document["protocol"],
            input=document,
            result=result.as_dict(),
            decision=result.decision.value,
            ruleset_version=result.ruleset_version,
            input_fingerprint=result.input_fingerprint,
            status=ScreeningStatus.DRAFT.value,
            created_by=actor.user_id,
            created_at=at,
        ),
    )
    repo.supersede_screenings(
        db,
        patient_id=patient.id,
        protocol=row.protocol,
        status=ScreeningStatus.DRAFT.value,
        except_id=row.id,
        at=at,
    )
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.CREATE,
        entity_type="Screening",
        entity_id=row.id,
        patient_id=patient.id,
        detail=f"decision={row.decision}",
    )
    return row


def _load_screening(
    db: Session, screening_id: int, *, actor: Actor, action: Action | None, audit: AuditAction
) -> tuple[Screening, Patient]:
    row = repo.get_screening(db, screening_id)
    if row is None:
        raise NotFound("screening.not_found", f"No screening with id {screening_id}.")
    patient = _authorized_patient(
        db,
        row.patient_id,
        actor=actor,
        action=action or _read_action(actor, row.patient_id),
        audit_action=audit,
        entity_type="Screening",
        entity_id=row.id,
    )
    return row, patient


def get_screening(
    db: Session, *, screening_id: int, at: datetime, ctx: AuditContext
) -> ScreeningView:
    row, patient = _load_screening(
        db, screening_id, actor=_actor(ctx), action=None, audit=AuditAction.READ
    )
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.READ,
        entity_type="Screening",
        entity_id=row.id,
        patient_id=patient.id,
    )
    return ScreeningView(row, _is_stale(db, row, patient, at))


def list_screenings(
    db: Session, *, patient_id: int, at: datetime, ctx: AuditContext
) -> list[ScreeningView]:
    """Every screening of the patient, newest first."""
    actor = _actor(ctx)
    patient = _authorized_patient(
        db,
        patient_id,
        actor=actor,
        action=_read_action(actor, patient_id),
        audit_action=AuditAction.READ,
        entity_type="Screening",
    )
    rows = repo.list_screenings(db, patient_id=patient.id)
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.READ,
        entity_type="Screening",
        entity_id=None,
        patient_id=patient.id,
        detail=f"results={len(rows)}",
    )
    return [ScreeningView(row, _is_stale(db, row, patient, at)) for row in rows]


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
    actor = _actor(ctx)
    row, patient = _load_screening(
        db, screening_id, actor=actor, action=Action.CLINICAL_SIGN, audit=AuditAction.UPDATE
    )
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
    result = screen(parse_screening_input(row.input))
    cleaned = {code: text.strip() for code, text in overrides.items()}
    outcome = apply_overrides(result, cleaned)
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
    repo.supersede_screenings(
        db,
        patient_id=patient.id,
        protocol=row.protocol,
        status=ScreeningStatus.SIGNED.value,
        except_id=row.id,
        at=at,
    )
    row.status = ScreeningStatus.SIGNED.value
    row.overrides = cleaned
    row.signed_decision = outcome.decision.value
    row.signed_by = actor.user_id
    row.signed_at = at
    db.flush()
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.UPDATE,
        entity_type="Screening",
        entity_id=row.id,
        patient_id=patient.id,
        detail="signed overrides=" + ",".join(outcome.overridden),
    )
    return row


# --- consent -------------------------------------------------------------------------------


def _current_document(db: Session, *, organisation_id: int, at: datetime) -> ConsentDocument:
    """The wording in force; the packaged default becomes version 1 when a clinic has none."""
    found = repo.current_consent_document(db, organisation_id=organisation_id)
    if found is not None:
        return found
    default = load_default_consent()
    return repo.add_consent_document(
        db,
        ConsentDocument(
            organisation_id=organisation_id,
            version=int(default.version),
            text=default.text,
            created_by=None,
            created_at=at,
        ),
    )


def _authorize_documents(actor: Actor) -> None:
    action = Action.OWN_RECORD_READ if actor.role is Role.PATIENT else Action.PATIENT_READ
    authorize(actor, action, None, audit_action=AuditAction.READ, entity_type="ConsentDocument")


def list_consent_documents(
    db: Session, *, at: datetime, ctx: AuditContext
) -> list[ConsentDocument]:
    """Every version of the clinic's consent wording, newest first (seeds version 1)."""
    actor = _actor(ctx)
    _authorize_documents(actor)
    _current_document(db, organisation_id=actor.organisation_id, at=at)
    return repo.list_consent_documents(db, organisation_id=actor.organisation_id)


def current_consent_document(db: Session, *, at: datetime, ctx: AuditContext) -> ConsentDocument:
    actor = _actor(ctx)
    _authorize_documents(actor)
    return _current_document(db, organisation_id=actor.organisation_id, at=at)


def create_consent_document(
    db: Session, *, text: str, at: datetime, ctx: AuditContext
) -> ConsentDocument:
    """Admin publishes a new wording as the next version; every patient must then re-consent."""
    actor = _actor(ctx)
    authorize(
        actor,
        Action.CONFIG_MANAGE,
        None,
        audit_action=AuditAction.CREATE,
        entity_type="ConsentDocument",
    )
    if not text.strip():
        raise Invalid("consent.text_required", "The consent wording is empty.", field="text")
    version = repo.max_consent_version(db, organisation_id=actor.organisation_id) + 1
    if text.lstrip().startswith("<!--"):
        stated = parse_consent_document(text.lstrip()).version
        if stated != str(version):
            raise Invalid(
                "consent.version_mismatch",
                f"The wording says version {stated}; the next version is {version}.",
                field="text",
            )
    missing = missing_risks(text)
    if missing:
        raise RuleViolation(
            "consent.missing_risks",
            "The wording does not cover these risks: " + ", ".join(missing),
            field="text",
        )
    document = repo.add_consent_document(
        db,
        ConsentDocument(
            organisation_id=actor.organisation_id,
            version=version,
            text=text,
            created_by=actor.user_id,
            created_at=at,
        ),
    )
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.CREATE,
        entity_type="ConsentDocument",
        entity_id=document.id,
        detail=f"version={version}",
    )
    return document


def _status_of(
    latest: PatientConsent | None, document: ConsentDocument, at: datetime
) -> ConsentStatus:
    signed = (
        None
        if latest is None
        else SignedConsent(str(latest.document_version), latest.signed_at, latest.withdrawn_at)
    )
    return consent_status(signed, current_version=str(document.version), at=at)


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split())


def _check_witness(db: Session, *, witness_user_id: int, organisation_id: int) -> None:
    witness = user_repo.get_user(db, witness_user_id)
    if (
        witness is None
        or witness.organisation_id != organisation_id
        or witness.role not in WITNESS_ROLES
        or not witness.is_active
    ):
        raise Invalid(
            "consent.bad_witness",
            "The witness must be an active staff member of this clinic.",
            field="witness_user_id",
        )


def sign_consent(
    db: Session,
    *,
    patient_id: int,
    document_version: int,
    typed_name: str,
    agreed: bool,
    witness_user_id: int | None,
    at: datetime,
    ctx: AuditContext,
) -> PatientConsent:
    """Record the patient's signature on the current wording, witnessed by staff.

    The witness defaults to the staff member recording the signature.
    """
    actor = _actor(ctx)
    patient = _authorized_patient(
        db,
        patient_id,
        actor=actor,
        action=Action.CLINICAL_RECORD,
        audit_action=AuditAction.CREATE,
        entity_type="PatientConsent",
    )
    if agreed is not True:
        raise Invalid("consent.not_agreed", "The patient must tick the agreement.", field="agreed")
    name = _normalised(typed_name)
    if not name:
        raise Invalid("consent.name_required", "Type the patient's full name.", field="typed_name")
    if _normalised(patient.given_name) not in name or _normalised(patient.family_name) not in name:
        raise Invalid(
            "consent.name_mismatch",
            "The typed name must contain the patient's given and family name.",
            field="typed_name",
        )
    document = _current_document(db, organisation_id=patient.organisation_id, at=at)
    if document_version != document.version:
        raise Conflict(
            "consent.not_current_version",
            f"Version {document_version} is not the wording in force (version "
            f"{document.version}); show the patient the current wording.",
            field="document_version",
        )
    witness = actor.user_id if witness_user_id is None else witness_user_id
    _check_witness(db, witness_user_id=witness, organisation_id=patient.organisation_id)
    consent = repo.add_patient_consent(
        db,
        PatientConsent(
            organisation_id=patient.organisation_id,
            patient_id=patient.id,
            document_id=document.id,
            document_version=document.version,
            typed_name=" ".join(typed_name.split()),
            agreed=True,
            signed_at=at,
            witness_user_id=witness,
            recorded_by=actor.user_id,
        ),
    )
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.CREATE,
        entity_type="PatientConsent",
        entity_id=consent.id,
        patient_id=patient.id,
        detail=f"version={document.version}",
    )
    return consent


def consent_overview(
    db: Session, *, patient_id: int, at: datetime, ctx: AuditContext
) -> ConsentOverview:
    """The current wording, the patient's signatures (newest first) and whether consent holds."""
    actor = _actor(ctx)
    patient = _authorized_patient(
        db,
        patient_id,
        actor=actor,
        action=_read_action(actor, patient_id),
        audit_action=AuditAction.READ,
        entity_type="PatientConsent",
    )
    document = _current_document(db, organisation_id=patient.organisation_id, at=at)
    consents = repo.list_patient_consents(db, patient_id=patient.id)
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.READ,
        entity_type="PatientConsent",
        entity_id=None,
        patient_id=patient.id,
        detail=f"results={len(consents)}",
    )
    latest = consents[0] if consents else None
    return ConsentOverview(document, consents, _status_of(latest, document, at))


def list_witnesses(db: Session, *, ctx: AuditContext) -> list[tuple[int, str]]:
    """Staff who may witness a consent: (user id, name)."""
    actor = _actor(ctx)
    staff = repo.list_staff(
        db, organisation_id=actor.organisation_id, roles=tuple(r.value for r in WITNESS_ROLES)
    )
    return [(user.id, user.full_name) for user in staff]


# --- REMS ----------------------------------------------------------------------------------


def record_rems_enrolment(
    db: Session,
    *,
    patient_id: int,
    enrolment_id: str,
    enrolled_on: date,
    at: datetime,
    ctx: AuditContext,
) -> RemsEnrolment:
    """Put the patient's Spravato REMS enrolment on file (once per patient)."""
    actor = _actor(ctx)
    patient = _authorized_patient(
        db,
        patient_id,
        actor=actor,
        action=Action.CLINICAL_RECORD,
        audit_action=AuditAction.CREATE,
        entity_type="RemsEnrolment",
    )
    if not enrolment_id.strip():
        raise Invalid("rems.id_required", "Give the REMS enrolment id.", field="enrolment_id")
    if enrolled_on > at.date():
        raise Invalid("rems.in_future", "The enrolment date is in the future.", field="enrolled_on")
    if repo.get_rems_enrolment(db, patient_id=patient.id) is not None:
        raise Conflict(
            "rems.already_enrolled",
            "A REMS enrolment is already on file for this patient.",
            field="enrolment_id",
        )
    row = repo.add_rems_enrolment(
        db,
        RemsEnrolment(
            organisation_id=patient.organisation_id,
            patient_id=patient.id,
            enrolment_id=enrolment_id.strip(),
            enrolled_on=enrolled_on,
            recorded_by=actor.user_id,
            recorded_at=at,
        ),
    )
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.CREATE,
        entity_type="RemsEnrolment",
        entity_id=row.id,
        patient_id=patient.id,
    )
    return row


def get_rems_enrolment(
    db: Session, *, patient_id: int, at: datetime, ctx: AuditContext
) -> RemsEnrolment | None:
    actor = _actor(ctx)
    patient = _authorized_patient(
        db,
        patient_id,
        actor=actor,
        action=_read_action(actor, patient_id),
        audit_action=AuditAction.READ,
        entity_type="RemsEnrolment",
    )
    row = repo.get_rems_enrolment(db, patient_id=patient.id)
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.READ,
        entity_type="RemsEnrolment",
        entity_id=None if row is None else row.id,
        patient_id=patient.id,
    )
    return row


# --- the interface the session feature calls -----------------------------------------------


def _pregnancy_status(row: Screening | None) -> str | None:
    pregnant = None if row is None else row.input.get("pregnant")
    if pregnant is None:
        return None
    # The session gates' PregnancyStatus vocabulary.
    return "positive" if pregnant else "negative"


def readiness_evidence(
    db: Session, *, patient_id: int, protocol_id: str, at: datetime
) -> ScreeningEvidence:
    """Screening, consent and REMS facts for the ready gates. Not audited: the caller audits.

    The decision is the newest signed one for the protocol (its post-override decision), else
    the newest draft (unsigned). Pregnancy status is required unless the chart says male, as the
    core's ``pregnancy.status_not_recorded`` rule does.
    """
    protocol = screening_protocol(protocol_id)
    patient = _patient(db, patient_id)
    signed = repo.latest_screening(
        db, patient_id=patient.id, protocol=protocol.value, status=ScreeningStatus.SIGNED.value
    )
    row = signed or repo.latest_screening(db, patient_id=patient.id, protocol=protocol.value)
    decision = None if row is None else (row.signed_decision if signed else row.decision)
    latest_consent = repo.latest_patient_consent(db, patient_id=patient.id)
    document = repo.current_consent_document(db, organisation_id=patient.organisation_id)
    consent_valid = (
        document is not None and _status_of(latest_consent, document, at) is ConsentStatus.VALID
    )
    return ScreeningEvidence(
        decision_id=None if row is None else row.id,
        decision=decision,
        decision_signed=signed is not None,
        decision_stale=row is not None and _is_stale(db, row, patient, at),
        consent_valid=consent_valid,
        consent_version=None if latest_consent is None else latest_consent.document_version,
        rems_enrolled=repo.get_rems_enrolment(db, patient_id=patient.id) is not None,
        pregnancy_status_required=patient.sex_at_birth != "male",
        pregnancy_status=_pregnancy_status(row),
    )
