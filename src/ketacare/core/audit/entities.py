"""What an audit event is about: one vocabulary for every ``entity_type`` the services write.

The value is stored in ``audit_events.entity_type`` and is part of the hashed content of the
chain, so a member's value never changes once released; add members, never rename them.
"""

from __future__ import annotations

from enum import StrEnum


class AuditEntity(StrEnum):
    """Every kind of record (or view of records) an audit event can name."""

    ADMINISTRATION_EVENT = "AdministrationEvent"
    ADMINISTRATION_OVERRIDE = "AdministrationOverride"
    API_TOKEN = "ApiToken"  # noqa: S105 - an entity name, not a secret
    ASSESSMENT = "Assessment"
    AUDIT_EVENT = "AuditEvent"
    BODY_MEASUREMENT = "BodyMeasurement"
    CHAIR = "Chair"
    CONSENT_DOCUMENT = "ConsentDocument"
    DOSE = "Dose"
    FLOOR_BOARD = "FloorBoard"
    LOGIN = "Login"
    LOGOUT = "Logout"
    ORDER = "Order"
    ORDER_PK = "OrderPK"
    ORGANISATION = "Organisation"
    OUTCOME = "Outcome"
    PATIENT = "Patient"
    PATIENT_CONSENT = "PatientConsent"
    PATIENT_ALLERGY = "PatientAllergy"
    PATIENT_LINK = "PatientLink"
    PATIENT_MEDICATION = "PatientMedication"
    PATIENT_SEARCH = "PatientSearch"
    PORTAL = "Portal"
    PROTOCOL = "Protocol"
    REMS_ENROLMENT = "RemsEnrolment"
    REMS_FORM = "RemsForm"
    SAFETY_ALERT = "SafetyAlert"
    SCREENING = "Screening"
    SCREENING_PREVIEW = "ScreeningPreview"
    SESSION_ADVERSE_EVENT = "SessionAdverseEvent"
    SESSION_ALERT = "SessionAlert"
    SESSION_NOTE = "SessionNote"
    SESSION_NOTE_SIGNATURE = "SessionNoteSignature"
    SESSION_OBSERVATION = "SessionObservation"
    SESSION_SCHEDULE = "SessionSchedule"
    SESSION_VITALS = "SessionVitals"
    STAFF_CREDENTIAL = "StaffCredential"
    TREATMENT_SESSION = "TreatmentSession"
    TREATMENT_SESSION_LIST = "TreatmentSessionList"
    USER = "User"
