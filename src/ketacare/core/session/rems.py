"""Spravato REMS Patient Monitoring Form: versioned template, form builder, deadline.

The field list lives in ``data/rems_patient_monitoring_form_v<version>.json``
(docs/clinical/session.md#spravato-rems, docs/clinical/session.md#rule-36, with the sources named
in the file). Outpatient settings submit one form per session
within 7 days (SRC_REMS_DEADLINE); inpatient settings do not submit forms.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Final

from ketacare.core.errors import NotFound
from ketacare.core.medications.model import MedicationClass
from ketacare.core.session.administration import DeviceUse
from ketacare.core.session.cadence import spravato_bp_timepoints
from ketacare.core.session.config import ESKETAMINE_DEVICE_MG, SessionConfig
from ketacare.core.session.model import GateFailure, VitalsReading, require_aware

FormValue = str | int | bool | list[str] | None

CURRENT_TEMPLATE_VERSION = "1"
DEFAULT_SESSION_CONFIG = SessionConfig()

# The form's concomitant-medication questions (template v1, section "concomitant_medications":
# benzodiazepine, non-benzodiazepine sedative-hypnotic, psychostimulant, MAOI, and opioid on the
# newer forms), each answered by one medication class. Lamotrigine and "other" are not asked
# about. Sources: see concomitant_answers.
CONCOMITANT_FIELD_OF_CLASS: Final[Mapping[MedicationClass, str]] = MappingProxyType(
    {
        MedicationClass.BENZODIAZEPINE: "concomitant_benzodiazepine",
        MedicationClass.Z_DRUG_HYPNOTIC: "concomitant_non_benzodiazepine_hypnotic",
        MedicationClass.PSYCHOSTIMULANT: "concomitant_psychostimulant",
        MedicationClass.MAOI: "concomitant_maoi",
        MedicationClass.OPIOID: "concomitant_opioid",
    }
)


def concomitant_answers(classes: Iterable[MedicationClass]) -> dict[str, bool]:
    """Answer "yes" to each concomitant-medication question whose class the patient takes.

    A class that is not on the medication list is left unanswered rather than "no": the list may
    be incomplete, so staff confirm the rest with the patient at the session. Sources: the
    Spravato REMS Patient Monitoring Form (docs/clinical/session.md#spravato-rems) and the
    concomitant-medicine rule (docs/clinical/eligibility.md#rule-9).
    """
    return {
        CONCOMITANT_FIELD_OF_CLASS[klass]: True
        for klass in classes
        if klass in CONCOMITANT_FIELD_OF_CLASS
    }


@dataclass(frozen=True)
class RemsField:
    """One field of the form template."""

    id: str
    section: str
    type: str
    required: bool
    label: str


@dataclass(frozen=True)
class RemsTemplate:
    """A versioned form template with its source."""

    template_id: str
    version: str
    title: str
    source: str
    submission_window_days: int
    fields: tuple[RemsField, ...]


@cache
def load_rems_template(version: str = CURRENT_TEMPLATE_VERSION) -> RemsTemplate:
    """Load a packaged template version.

    Raises:
        NotFound: ``rems.template_not_found`` for an unknown version.
    """
    name = f"rems_patient_monitoring_form_v{version}.json"
    resource = resources.files("ketacare.core.session").joinpath("data", name)
    if not resource.is_file():
        raise NotFound("rems.template_not_found", f"no REMS form template version {version}")
    raw = json.loads(resource.read_text(encoding="utf-8"))
    return RemsTemplate(
        template_id=raw["template_id"],
        version=raw["version"],
        title=raw["title"],
        source=raw["source"],
        submission_window_days=raw["submission_window_days"],
        fields=tuple(RemsField(**f) for f in raw["fields"]),
    )


@dataclass(frozen=True)
class RemsSessionFacts:
    """Session facts the form is built from; ``None`` means not recorded."""

    patient_name: str | None = None
    patient_date_of_birth: date | None = None
    patient_sex: str | None = None
    first_treatment: bool | None = None
    patient_enrolled: bool | None = None
    concomitant_benzodiazepine: bool | None = None
    concomitant_non_benzodiazepine_hypnotic: bool | None = None
    concomitant_psychostimulant: bool | None = None
    concomitant_maoi: bool | None = None
    concomitant_opioid: bool | None = None
    hcp_name: str | None = None
    hcp_phone: str | None = None
    hcp_email: str | None = None
    setting_name: str | None = None
    setting_address: str | None = None
    treatment_date: date | None = None
    devices: tuple[DeviceUse, ...] = ()
    monitoring_ended_at: datetime | None = None
    ready_to_leave_minutes: int | None = None
    vitals_acceptable_pre_dose: bool | None = None
    vitals_acceptable_session_end: bool | None = None
    readings: tuple[VitalsReading, ...] = ()
    sedation: bool | None = None
    dissociation: bool | None = None
    respiratory_depression: bool | None = None
    adverse_events: tuple[str, ...] = ()


@dataclass(frozen=True)
class RemsForm:
    """A built form: values by field id, required fields still missing, and rule problems."""

    template_id: str
    version: str
    values: dict[str, FormValue]
    missing: tuple[str, ...]
    problems: tuple[GateFailure, ...]

    @property
    def complete(self) -> bool:
        """Whether the form may be submitted: nothing missing and no problems."""
        return not self.missing and not self.problems


_DIRECT = (
    "patient_name",
    "patient_sex",
    "first_treatment",
    "patient_enrolled",
    "concomitant_benzodiazepine",
    "concomitant_non_benzodiazepine_hypnotic",
    "concomitant_psychostimulant",
    "concomitant_maoi",
    "concomitant_opioid",
    "hcp_name",
    "hcp_phone",
    "hcp_email",
    "setting_name",
    "setting_address",
    "ready_to_leave_minutes",
    "vitals_acceptable_pre_dose",
    "vitals_acceptable_session_end",
    "sedation",
    "dissociation",
    "respiratory_depression",
)


def _bp(reading: VitalsReading | None) -> str | None:
    return None if reading is None else f"{reading.sbp}/{reading.dbp}"


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _lots(devices: tuple[DeviceUse, ...]) -> str | None:
    lots = sorted({d.lot_number for d in devices if d.lot_number})
    return ", ".join(lots) or None


def _total_minutes(facts: RemsSessionFacts, first: datetime | None) -> int | None:
    if first is None or facts.monitoring_ended_at is None:
        return None
    end = require_aware(facts.monitoring_ended_at, "monitoring_ended_at")
    return int((end - first).total_seconds() // 60)


def _derived(facts: RemsSessionFacts, config: SessionConfig) -> dict[str, FormValue]:
    first = min((require_aware(d.at, "device") for d in facts.devices), default=None)
    values: dict[str, FormValue] = {
        "patient_date_of_birth": _iso(facts.patient_date_of_birth),
        "treatment_date": _iso(facts.treatment_date),
        "dose_mg": int(ESKETAMINE_DEVICE_MG * len(facts.devices)) if facts.devices else None,
        "lot_number": _lots(facts.devices),
        "total_monitoring_minutes": _total_minutes(facts, first),
        "adverse_events": list(facts.adverse_events),
        "bp_pre_dose": None,
        "bp_40_min": None,
        "bp_session_end": None,
    }
    if first is not None:
        points = spravato_bp_timepoints(facts.readings, first, config.cadence)
        values["bp_pre_dose"] = _bp(points.pre_dose)
        values["bp_40_min"] = _bp(points.post_dose_40)
        values["bp_session_end"] = _bp(points.session_end)
    return values


def _problems(values: dict[str, FormValue], config: SessionConfig) -> tuple[GateFailure, ...]:
    minutes = values.get("total_monitoring_minutes")
    minimum = config.rems.min_total_minutes
    if isinstance(minutes, int) and minutes < minimum:
        return (
            GateFailure(
                "rems.total_minutes_below_minimum",
                f"monitoring lasted {minutes} min; the REMS requires at least {minimum}",
            ),
        )
    return ()


def _is_blank(value: FormValue) -> bool:
    return value is None or value in ("", [])


def build_rems_form(
    facts: RemsSessionFacts,
    *,
    template: RemsTemplate | None = None,
    config: SessionConfig = DEFAULT_SESSION_CONFIG,
) -> RemsForm:
    """Build the Patient Monitoring Form from session facts.

    Dose is 28 mg per device; lot numbers come from the devices; total minutes run from the
    first device to the end of monitoring; the three BPs are picked by
    :func:`ketacare.core.session.cadence.spravato_bp_timepoints`. Values are JSON-ready (dates
    as ISO strings, BP as ``"SBP/DBP"``).

    Returns:
        The form with ``missing`` (required template fields without a value) and ``problems``
        (for example fewer than 120 monitoring minutes).
    """
    tpl = template or load_rems_template()
    known = {name: getattr(facts, name) for name in _DIRECT} | _derived(facts, config)
    values: dict[str, FormValue] = {f.id: known.get(f.id) for f in tpl.fields}
    missing = tuple(f.id for f in tpl.fields if f.required and _is_blank(values[f.id]))
    return RemsForm(tpl.template_id, tpl.version, values, missing, _problems(values, config))


def rems_form_due_at(
    session_ended_at: datetime, *, config: SessionConfig = DEFAULT_SESSION_CONFIG
) -> datetime:
    """The submission deadline: the end of the session plus the REMS window (7 days)."""
    return require_aware(session_ended_at, "session_ended_at") + config.rems.submission_window


def rems_form_overdue(
    *,
    session_ended_at: datetime,
    submitted_at: datetime | None,
    at: datetime,
    config: SessionConfig = DEFAULT_SESSION_CONFIG,
) -> bool:
    """Whether an unsubmitted form is past its deadline at ``at`` (the deadline itself is not).

    A submitted form is never overdue, even if it was submitted late.
    """
    require_aware(at, "at")
    if submitted_at is not None:
        return False
    return at > rems_form_due_at(session_ended_at, config=config)
