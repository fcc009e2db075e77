from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ketacare.core.eligibility.model import ScreeningStatus
from ketacare.db.models import ConsentDocument, PatientConsent, RemsEnrolment, Screening, User


def get_screening(db: Session, screening_id: int) -> Screening | None:
    return db.get(Screening, screening_id)


def add_screening(db: Session, screening: Screening) -> Screening:
    db.add(screening)
    db.flush()
    return screening


def list_screenings(db: Session, *, patient_id: int) -> list[Screening]:
    stmt = (
        select(Screening)
        .where(Screening.patient_id == patient_id)
        .order_by(Screening.created_at.desc(), Screening.id.desc())
    )
    return list(db.scalars(stmt))


def latest_screening(
    db: Session,
    *,
    patient_id: int,
    protocol: str | None = None,
    status: ScreeningStatus | None = None,
) -> Screening | None:
    stmt = select(Screening).where(Screening.patient_id == patient_id)
    if protocol is not None:
        stmt = stmt.where(Screening.protocol == protocol)
    if status is not None:
        stmt = stmt.where(Screening.status == status)
    stmt = stmt.order_by(Screening.id.desc()).limit(1)
    return db.scalar(stmt)


def newer_screenings(db: Session, *, screening: Screening) -> list[Screening]:
    """Screenings of the same patient and protocol created after ``screening``, newest first."""
    stmt = (
        select(Screening)
        .where(
            Screening.patient_id == screening.patient_id,
            Screening.protocol == screening.protocol,
            Screening.id > screening.id,
        )
        .order_by(Screening.id.desc())
    )
    return list(db.scalars(stmt))


def supersede_screenings(
    db: Session,
    *,
    patient_id: int,
    protocol: str,
    status: ScreeningStatus,
    except_id: int,
    at: datetime,
) -> None:
    """Mark every ``status`` screening of the patient and protocol, but one, as superseded."""
    db.execute(
        update(Screening)
        .where(
            Screening.patient_id == patient_id,
            Screening.protocol == protocol,
            Screening.status == status,
            Screening.id != except_id,
        )
        .values(status=ScreeningStatus.SUPERSEDED, superseded_at=at)
        .execution_options(synchronize_session="fetch")
    )
    db.flush()


def current_consent_document(db: Session, *, organisation_id: int) -> ConsentDocument | None:
    stmt = (
        select(ConsentDocument)
        .where(ConsentDocument.organisation_id == organisation_id)
        .order_by(ConsentDocument.version.desc())
        .limit(1)
    )
    return db.scalar(stmt)


def get_consent_document(
    db: Session, *, organisation_id: int, version: int
) -> ConsentDocument | None:
    stmt = select(ConsentDocument).where(
        ConsentDocument.organisation_id == organisation_id, ConsentDocument.version == version
    )
    return db.scalar(stmt)


def list_consent_documents(db: Session, *, organisation_id: int) -> list[ConsentDocument]:
    stmt = (
        select(ConsentDocument)
        .where(ConsentDocument.organisation_id == organisation_id)
        .order_by(ConsentDocument.version.desc())
    )
    return list(db.scalars(stmt))


def max_consent_version(db: Session, *, organisation_id: int) -> int:
    stmt = select(func.max(ConsentDocument.version)).where(
        ConsentDocument.organisation_id == organisation_id
    )
    return db.scalar(stmt) or 0


def add_consent_document(db: Session, document: ConsentDocument) -> ConsentDocument:
    db.add(document)
    db.flush()
    return document


def get_patient_consent(db: Session, consent_id: int) -> PatientConsent | None:
    return db.get(PatientConsent, consent_id)


def add_patient_consent(db: Session, consent: PatientConsent) -> PatientConsent:
    db.add(consent)
    db.flush()
    return consent


def list_patient_consents(db: Session, *, patient_id: int) -> list[PatientConsent]:
    stmt = (
        select(PatientConsent)
        .where(PatientConsent.patient_id == patient_id)
        .order_by(PatientConsent.signed_at.desc(), PatientConsent.id.desc())
    )
    return list(db.scalars(stmt))


def latest_patient_consent(db: Session, *, patient_id: int) -> PatientConsent | None:
    stmt = (
        select(PatientConsent)
        .where(PatientConsent.patient_id == patient_id)
        .order_by(PatientConsent.signed_at.desc(), PatientConsent.id.desc())
        .limit(1)
    )
    return db.scalar(stmt)


def get_rems_enrolment(db: Session, *, patient_id: int) -> RemsEnrolment | None:
    return db.scalar(select(RemsEnrolment).where(RemsEnrolment.patient_id == patient_id))


def add_rems_enrolment(db: Session, enrolment: RemsEnrolment) -> RemsEnrolment:
    db.add(enrolment)
    db.flush()
    return enrolment


def list_staff(db: Session, *, organisation_id: int, roles: tuple[str, ...]) -> list[User]:
    """Active users of the organisation with one of ``roles`` (consent witnesses)."""
    stmt = (
        select(User)
        .where(
            User.organisation_id == organisation_id,
            User.role.in_(roles),
            User.is_active.is_(True),
        )
        .order_by(User.full_name, User.id)
    )
    return list(db.scalars(stmt))
