"""Shared value objects of the treatment session at the chair.

A *session* here is always the treatment session (``TreatmentSession``), never a database or
login session. Everything in this package is pure: times come in as arguments and every rule
reads its numbers from :mod:`ketacare.core.session.config`, where each default names its source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from ketacare.core.errors import Invalid


class Symptom(StrEnum):
    """Symptoms that override vital-sign numbers and trigger the emergency pathway.

    Spravato PI §5.4 (increase in blood pressure) refers patients for emergency care on symptoms
    of a hypertensive crisis (chest pain, shortness of breath) or of hypertensive encephalopathy
    (sudden severe headache, visual disturbances, seizures, diminished consciousness, focal
    neurological deficits). Confusion is an encephalopathy sign of a hypertensive emergency
    (ACC/AHA 2017, Whelton et al. 2018 Hypertension 71:e13). The label applies to IV ketamine
    sessions by extension: the same end-organ signs mean the same emergency.
    """

    CHEST_PAIN = "chest_pain"
    SEVERE_HEADACHE = "severe_headache"
    NEUROLOGICAL_DEFICIT = "neurological_deficit"
    CONFUSION = "confusion"
    DYSPNOEA = "dyspnoea"
    VISUAL_DISTURBANCE = "visual_disturbance"
    SEIZURE = "seizure"
    REDUCED_CONSCIOUSNESS = "reduced_consciousness"

    @property
    def label(self) -> str:
        """The words staff read at the chair (the label's own wording where it has one)."""
        return _SYMPTOM_LABELS[self]


_SYMPTOM_LABELS = {
    Symptom.CHEST_PAIN: "chest pain",
    Symptom.SEVERE_HEADACHE: "sudden severe headache",
    Symptom.NEUROLOGICAL_DEFICIT: "focal neurological deficit",
    Symptom.CONFUSION: "confusion",
    Symptom.DYSPNOEA: "shortness of breath (dyspnoea)",
    Symptom.VISUAL_DISTURBANCE: "visual disturbance",
    Symptom.SEIZURE: "seizure",
    Symptom.REDUCED_CONSCIOUSNESS: "reduced consciousness",
}


class AdministrationKind(StrEnum):
    """One line of the administration record at the chair (stored on each line).

    ``start``, ``pause``, ``resume`` and ``stop`` move the session's state machine; ``rate_change``,
    ``bolus`` and ``device`` only chart what was given; ``entered_in_error`` strikes out an earlier
    line, which is kept.
    """

    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    RATE_CHANGE = "rate_change"
    BOLUS = "bolus"
    DEVICE = "device"
    ENTERED_IN_ERROR = "entered_in_error"

    @property
    def correctable(self) -> bool:
        """Whether a line of this kind may be struck out: only lines that do not move the state."""
        return self in _CORRECTABLE

    @property
    def sets_rate(self) -> bool:
        """Whether a line of this kind opens a new pump-rate segment."""
        return self in _SETS_RATE


_CORRECTABLE = frozenset(
    {AdministrationKind.RATE_CHANGE, AdministrationKind.BOLUS, AdministrationKind.DEVICE}
)
_SETS_RATE = frozenset({AdministrationKind.START, AdministrationKind.RATE_CHANGE})


class ObservationKind(StrEnum):
    """What a session observation row holds: a scored rating or a free symptom note."""

    RATING = "rating"
    SYMPTOM = "symptom"


class SessionAlertKind(StrEnum):
    """What raised an alert at the chair: a set of vital signs or a serious adverse event."""

    VITALS = "vitals"
    ADVERSE_EVENT = "adverse_event"


@dataclass(frozen=True)
class GateFailure:
    """One reason a gate (ready to dose, discharge) refuses; ``code`` is stable, message human."""

    code: str
    message: str


@dataclass(frozen=True)
class VitalsReading:
    """One set of vital signs taken at ``at``; any parameter may be absent (``None``).

    Units: blood pressure in mmHg, heart rate in beats/min, SpO2 in percent, respiratory rate in
    breaths/min. ``symptoms`` holds what the patient reports or staff observe at that time.
    """

    at: datetime
    sbp: int | None = None
    dbp: int | None = None
    hr: int | None = None
    spo2: int | None = None
    rr: int | None = None
    symptoms: frozenset[Symptom] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        """Refuse naive times and impossible values (negative or SpO2 over 100 %)."""
        require_aware(self.at, "at")
        for name in ("sbp", "dbp", "hr", "spo2", "rr"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise Invalid("vitals.negative_value", f"{name} cannot be negative", field=name)
        if self.spo2 is not None and self.spo2 > 100:
            raise Invalid("vitals.spo2_out_of_range", "SpO2 is a percentage (0-100)", field="spo2")

    @property
    def has_bp(self) -> bool:
        """Whether both systolic and diastolic pressures were recorded."""
        return self.sbp is not None and self.dbp is not None


def require_aware(value: datetime, name: str) -> datetime:
    """Return ``value`` unchanged if it is timezone-aware, else raise :class:`Invalid`.

    Raises:
        Invalid: ``session.naive_datetime`` when the datetime has no timezone.
    """
    if value.tzinfo is None or value.utcoffset() is None:
        raise Invalid("session.naive_datetime", f"{name} must be timezone-aware", field=name)
    return value


def latest(readings: tuple[VitalsReading, ...] | list[VitalsReading]) -> VitalsReading | None:
    """The most recent reading, or ``None`` for an empty sequence."""
    return max(readings, key=lambda r: r.at, default=None)
