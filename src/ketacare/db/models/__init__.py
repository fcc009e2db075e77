"""All ORM models; importing this package registers every table on ``Base.metadata``."""

from ketacare.db.models.assessment import Assessment, SafetyAlert, TreatmentEvent
from ketacare.db.models.audit import AuditChainHead, AuditEvent
from ketacare.db.models.idempotency import IdempotencyRecord
from ketacare.db.models.medication import PatientAllergy, PatientMedication
from ketacare.db.models.notification import NotificationJob
from ketacare.db.models.order import CustomProtocol, Order, OrderStatusChange
from ketacare.db.models.organisation import Location, Organisation
from ketacare.db.models.patient import BodyMeasurement, Patient
from ketacare.db.models.patient_link import PatientLink
from ketacare.db.models.screening import ConsentDocument, PatientConsent, RemsEnrolment, Screening
from ketacare.db.models.session import (
    AdministrationEvent,
    Chair,
    RemsSettingCertification,
    SessionAdverseEvent,
    SessionAlert,
    SessionNoteSignature,
    SessionObservation,
    SessionTransition,
    SessionVitals,
    StaffCredential,
    TreatmentSession,
)
from ketacare.db.models.user import ApiToken, LoginSession, User

__all__ = [
    "AdministrationEvent",
    "ApiToken",
    "Assessment",
    "AuditChainHead",
    "AuditEvent",
    "BodyMeasurement",
    "Chair",
    "ConsentDocument",
    "CustomProtocol",
    "IdempotencyRecord",
    "Location",
    "LoginSession",
    "NotificationJob",
    "Order",
    "OrderStatusChange",
    "Organisation",
    "Patient",
    "PatientAllergy",
    "PatientConsent",
    "PatientLink",
    "PatientMedication",
    "RemsEnrolment",
    "RemsSettingCertification",
    "SafetyAlert",
    "Screening",
    "SessionAdverseEvent",
    "SessionAlert",
    "SessionNoteSignature",
    "SessionObservation",
    "SessionTransition",
    "SessionVitals",
    "StaffCredential",
    "TreatmentEvent",
    "TreatmentSession",
    "User",
]
