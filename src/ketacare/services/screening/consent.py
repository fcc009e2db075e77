"""Informed consent: the clinic's consent wording (versioned) and patients' signatures.

The rules (risk coverage of the wording, validity against the version in force, withdrawal)
are in ``ketacare.core.eligibility.consent``; this module loads, authorises, audits and stores.
A signature is never edited except to mark it withdrawn; a new wording is a new version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action, Actor, Role
from ketacare.core.eligibility.consent import (
    ConsentStatus,
    SignedConsent,
    consent_status,
    load_default_consent,
    missing_risks,
    parse_consent_document,
)
from ketacare.core.errors import Conflict, Invalid, NotFound, RuleViolation
from ketacare.db.models import ConsentDocument, Patient, PatientConsent
from ketacare.db.repositories import screening as repo
from ketacare.db.repositories import user as user_repo
from ketacare.services._access import patient_access, require_actor
from ketacare.services.audit import AuditContext, authorize, record_event

WITNESS_ROLES: Final = (Role.ADMIN, Role.PRESCRIBER, Role.NURSE, Role.FRONTDESK)


class WithdrawalReason(StrEnum):
    """Why a consent was withdrawn: a code, never free text, as the audit trail holds no PHI."""

    PATIENT_REQUEST = "patient_request"
    CAPACITY_LOST = "capacity_lost"
    RECORDED_IN_ERROR = "recorded_in_error"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ConsentOverview:
    """The consent in force for a patient: current wording, signatures and their status."""

    document: ConsentDocument
    consents: list[PatientConsent]
    status: ConsentStatus


@dataclass(frozen=True, slots=True)
class ConsentOnFile:
    """The patient's latest signature and whether it covers treatment now."""

    latest: PatientConsent | None
    valid: bool


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
    authorize(
        actor, action, None, audit_action=AuditAction.READ, entity_type=AuditEntity.CONSENT_DOCUMENT
    )


def list_consent_documents(
    db: Session, *, at: datetime, ctx: AuditContext
) -> list[ConsentDocument]:
    """Every version of the clinic's consent wording, newest first (seeds version 1)."""
    actor = require_actor(ctx)
    _authorize_documents(actor)
    _current_document(db, organisation_id=actor.organisation_id, at=at)
    return repo.list_consent_documents(db, organisation_id=actor.organisation_id)


def current_consent_document(db: Session, *, at: datetime, ctx: AuditContext) -> ConsentDocument:
    actor = require_actor(ctx)
    _authorize_documents(actor)
    return _current_document(db, organisation_id=actor.organisation_id, at=at)


def _check_wording(text: str, *, version: int) -> None:
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


def create_consent_document(
    db: Session, *, text: str, at: datetime, ctx: AuditContext
) -> ConsentDocument:
    """Admin publishes a new wording as the next version; every patient must then re-consent."""
    actor = require_actor(ctx)
    authorize(
        actor,
        Action.CONFIG_MANAGE,
        None,
        audit_action=AuditAction.CREATE,
        entity_type=AuditEntity.CONSENT_DOCUMENT,
    )
    if not text.strip():
        raise Invalid("consent.text_required", "The consent wording is empty.", field="text")
    version = repo.max_consent_version(db, organisation_id=actor.organisation_id) + 1
    _check_wording(text, version=version)
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
        entity_type=AuditEntity.CONSENT_DOCUMENT,
        entity_id=document.id,
        detail=f"version={version}",
    )
    return document


# --- signatures ----------------------------------------------------------------------------


def status_of(
    latest: PatientConsent | None, document: ConsentDocument, at: datetime
) -> ConsentStatus:
    """The core's verdict on the latest signature against the wording in force."""
    signed = (
        None
        if latest is None
        else SignedConsent(str(latest.document_version), latest.signed_at, latest.withdrawn_at)
    )
    return consent_status(signed, current_version=str(document.version), at=at)


def _normalised(text: str) -> str:
    return " ".join(text.casefold().split())


def _check_signature(patient: Patient, *, typed_name: str, agreed: bool) -> None:
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


def _document_to_sign(
    db: Session, patient: Patient, *, document_version: int, at: datetime
) -> ConsentDocument:
    document = _current_document(db, organisation_id=patient.organisation_id, at=at)
    if document_version != document.version:
        raise Conflict(
            "consent.not_current_version",
            f"Version {document_version} is not the wording in force (version "
            f"{document.version}); show the patient the current wording.",
            field="document_version",
        )
    return document


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
    access = patient_access(
        db,
        ctx,
        patient_id,
        at=at,
        action=Action.CLINICAL_RECORD,
        audit_action=AuditAction.CREATE,
        entity=AuditEntity.PATIENT_CONSENT,
    )
    actor, patient = access.actor, access.patient
    _check_signature(patient, typed_name=typed_name, agreed=agreed)
    document = _document_to_sign(db, patient, document_version=document_version, at=at)
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
    access.record(consent.id, detail=f"version={document.version}")
    return consent


def consent_overview(
    db: Session, *, patient_id: int, at: datetime, ctx: AuditContext
) -> ConsentOverview:
    """The current wording, the patient's signatures (newest first) and whether consent holds."""
    access = patient_access(
        db,
        ctx,
        patient_id,
        at=at,
        audit_action=AuditAction.READ,
        entity=AuditEntity.PATIENT_CONSENT,
    )
    document = _current_document(db, organisation_id=access.patient.organisation_id, at=at)
    consents = repo.list_patient_consents(db, patient_id=patient_id)
    access.record(detail=f"results={len(consents)}")
    latest = consents[0] if consents else None
    return ConsentOverview(document, consents, status_of(latest, document, at))


def consent_on_file(db: Session, *, patient: Patient, at: datetime) -> ConsentOnFile:
    """The latest signature and its validity. Not audited and seeds nothing: the caller audits."""
    latest = repo.latest_patient_consent(db, patient_id=patient.id)
    document = repo.current_consent_document(db, organisation_id=patient.organisation_id)
    valid = document is not None and status_of(latest, document, at) is ConsentStatus.VALID
    return ConsentOnFile(latest, valid)


def list_witnesses(db: Session, *, ctx: AuditContext) -> list[tuple[int, str]]:
    """Staff who may witness a consent: (user id, name)."""
    actor = require_actor(ctx)
    staff = repo.list_staff(
        db, organisation_id=actor.organisation_id, roles=tuple(r.value for r in WITNESS_ROLES)
    )
    return [(user.id, user.full_name) for user in staff]


# --- withdrawal ----------------------------------------------------------------------------


def _withdrawal_reason(reason: str) -> WithdrawalReason:
    code = reason.strip()
    if not code:
        raise Invalid("consent.reason_required", "Give the reason for withdrawal.", field="reason")
    try:
        return WithdrawalReason(code)
    except ValueError:
        # The message does not echo the input: it may be free text about the patient.
        raise Invalid(
            "consent.unknown_reason",
            "reason: use one of " + ", ".join(WithdrawalReason) + ".",
            field="reason",
        ) from None


def _load_consent(db: Session, consent_id: int) -> PatientConsent:
    # A primary-key lookup; the screening repository has no getter for one signature.
    consent = repo.get_patient_consent(db, consent_id)
    if consent is None:
        raise NotFound("consent.not_found", f"No consent with id {consent_id}.")
    return consent


def _check_withdrawable(db: Session, consent: PatientConsent) -> None:
    """Only the signature in force can be withdrawn, and only once."""
    if consent.withdrawn_at is not None:
        raise Conflict(
            "consent.already_withdrawn",
            f"Consent {consent.id} has already been withdrawn.",
            field="withdrawn_at",
        )
    latest = repo.latest_patient_consent(db, patient_id=consent.patient_id)
    if latest is not None and latest.id != consent.id:
        raise Conflict(
            "consent.superseded",
            f"Consent {consent.id} is not the patient's latest signature; withdraw that one.",
            field="consent_id",
        )


def withdraw_consent(
    db: Session, *, consent_id: int, reason: str, at: datetime, ctx: AuditContext
) -> PatientConsent:
    """Mark the patient's consent withdrawn from ``at`` on; treatment then needs a new signature.

    The reason is a :class:`WithdrawalReason` code and is kept only in the audit trail.

    Raises:
        NotFound: no such consent.
        Invalid: ``reason`` is blank or not a withdrawal reason code.
        Conflict: the consent is already withdrawn, or a newer signature is on file.
    """
    consent = _load_consent(db, consent_id)
    access = patient_access(
        db,
        ctx,
        consent.patient_id,
        at=at,
        action=Action.CLINICAL_RECORD,
        audit_action=AuditAction.UPDATE,
        entity=AuditEntity.PATIENT_CONSENT,
        entity_id=consent.id,
    )
    code = _withdrawal_reason(reason)
    _check_withdrawable(db, consent)
    consent.withdrawn_at = at
    db.flush()
    access.record(consent.id, detail=f"withdrawn reason={code.value}")
    return consent
