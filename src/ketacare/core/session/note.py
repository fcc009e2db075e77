"""The session note: when a prescriber may sign it.

``SessionNote`` is everything charted for one session, as plain data (times already in the
location's zone); the services assemble it from the stored rows. A note is the record of a
finished session. It is signed once, by a prescriber, after the
patient has left (discharged) or the session was stopped (aborted); a signature is never
changed or repeated, so what was signed stays what was charted. Addenda, if ever needed, are
new rows that reference the note, never edits of it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from ketacare.core.errors import Conflict
from ketacare.core.session.states import SessionState

SIGNABLE_STATES = frozenset({SessionState.DISCHARGED, SessionState.ABORTED})


def check_note_signable(state: SessionState, *, already_signed: bool) -> None:
    """Refuse a signature on an open session or on a note that is already signed.

    Raises:
        Conflict: ``session_note.session_open`` while the session is still running (or only
            booked); ``session_note.already_signed`` when the note carries a signature.
    """
    if state not in SIGNABLE_STATES:
        raise Conflict(
            "session_note.session_open",
            f"the note is signed after discharge or abort (the session is {state.value})",
            field="state",
        )
    if already_signed:
        raise Conflict(
            "session_note.already_signed", "the note is already signed", field="signature"
        )


def note_signable(state: SessionState, *, signed: bool) -> bool:
    """Whether the note may be signed now (the page offers the button only then)."""
    return not signed and state in SIGNABLE_STATES


@dataclass(frozen=True)
class NoteVitals:
    """One set of vital signs as charted, with who charted it."""

    at: datetime
    systolic: int | None
    diastolic: int | None
    heart_rate: int | None
    spo2: int | None
    respiratory_rate: int | None
    symptoms: tuple[str, ...]
    phase: str
    recorded_by: str


@dataclass(frozen=True)
class NoteAdministration:
    """One line of the administration record (start, rate change, pause, device...)."""

    at: datetime
    kind: str
    rate_ml_per_h: Decimal | None
    amount: Decimal | None
    amount_unit: str | None
    lot_number: str | None
    reason: str | None
    recorded_by: str


@dataclass(frozen=True)
class NoteTotals:
    """What was given in all, as the administration record adds it up."""

    total_mg: Decimal
    infusion_mg: Decimal
    bolus_mg: Decimal
    device_mg: Decimal
    total_ml: Decimal | None
    running_minutes: Decimal


@dataclass(frozen=True)
class NoteRating:
    """A chair rating (instrument and total) or a free observation (text only)."""

    at: datetime
    instrument_id: str | None
    total: Decimal | None
    text: str | None
    recorded_by: str


@dataclass(frozen=True)
class NoteAdverseEvent:
    """An adverse event with its actions and outcome."""

    onset_at: datetime
    category: str
    severity: str
    serious: bool
    actions_taken: str
    outcome: str
    recorded_by: str


@dataclass(frozen=True)
class NoteAlert:
    """An alert raised at the chair and, once acknowledged, who did it, when and why."""

    raised_at: datetime
    tier: str
    code: str
    message: str
    recommended_action: str
    call_prescriber: bool
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    ack_note: str | None


@dataclass(frozen=True)
class NoteAcknowledgement:
    """A prescriber's acknowledgement (the raised pre-dose blood pressure)."""

    at: datetime
    by: str
    note: str | None


@dataclass(frozen=True)
class NoteTransition:
    """One move of the session's state machine, with its reason."""

    at: datetime
    from_state: str | None
    to_state: str
    by: str
    reason: str | None


@dataclass(frozen=True)
class NoteRems:
    """The Spravato REMS Patient Monitoring Form: complete, missing fields, or submitted."""

    status: str
    missing: tuple[str, ...]
    problems: tuple[str, ...]
    submitted_at: datetime | None
    submitted_by: str | None


@dataclass(frozen=True)
class NoteSignature:
    """Who signed the note, when, and the digest of what they signed."""

    signed_by: str
    signed_at: datetime
    content_sha256: str


@dataclass(frozen=True)
class NoteOrder:
    """The signed order the session ran."""

    order_id: int
    dose_mg: Decimal
    duration_min: int
    rate_ml_per_h: Decimal | None
    status: str


@dataclass(frozen=True)
class SessionNote:
    """Everything charted for one session; times in ``timezone``."""

    session_id: int
    state: str
    patient_id: int
    patient_name: str
    mrn: str
    date_of_birth: date | None
    protocol_id: str
    drug: str
    location: str
    timezone: str
    chair: str
    staff: str
    starts_at: datetime
    first_administration_at: datetime | None
    administration_ended_at: datetime | None
    ended_at: datetime | None
    order: NoteOrder | None
    npo_confirmed: bool
    escort_arranged: bool
    pregnancy_status: str | None
    bp_acknowledgement: NoteAcknowledgement | None
    checklist: tuple[tuple[str, bool], ...]
    on_supplemental_oxygen: bool
    escort_confirmed: bool
    no_driving_acknowledged: bool
    vitals: tuple[NoteVitals, ...]
    administration: tuple[NoteAdministration, ...]
    totals: NoteTotals | None
    ratings: tuple[NoteRating, ...]
    adverse_events: tuple[NoteAdverseEvent, ...]
    alerts: tuple[NoteAlert, ...]
    transitions: tuple[NoteTransition, ...]
    rems: NoteRems | None
    signature: NoteSignature | None
    signable: bool


def content_digest(note: SessionNote) -> str:
    """SHA-256 of what the note shows, without its signature.

    Stored with the signature, so a later difference between the chart and what was signed
    can be detected.
    """
    content = dataclasses.replace(note, signature=None, signable=False)
    text = json.dumps(dataclasses.asdict(content), default=str, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()
