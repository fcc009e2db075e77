"""Gates before a session may become ``ready``: each refusal names what is missing.

Sources (docs/clinical/session.md rules): pre-dose vitals (#rule-20); pre-dose BP acknowledgement
(#rule-21)
(Spravato PI §2.1: weigh the risk above 140/90); pre-dose BP hold (CONFIG at the tier that pauses
an infusion, below the ACC/AHA 2017 hypertensive crisis, Whelton et al. 2018 Hypertension
71:e13);
pregnancy status (docs/clinical/eligibility.md#rule-8); staffing and ACLS expiry (#rule-30); REMS
enrolment and setting certification (#rule-35); transport (#rule-33); consent (CPSBC draft standard,
docs/clinical/eligibility.md#pre-treatment-evaluation). Esketamine fasting before dosing is a label
instruction (Spravato PI §2, docs/clinical/dosing.md#esketamine-nasal-spray: "no food for 2 h, no
liquids for 30 min");
the gate takes the nurse's NPO confirmation rather than re-deriving it. For esketamine the label's
three pre-dose instructions (no food 2 h, no liquids 30 min, nasal corticosteroid or decongestant
at least 1 h before) must each be confirmed (``predose``,
docs/clinical/session.md#esketamine-pre-dose-instructions).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from ketacare.core.codes import SessionDrug
from ketacare.core.session.config import ReadyGateConfig
from ketacare.core.session.model import GateFailure, VitalsReading, require_aware
from ketacare.core.session.predose import unconfirmed


@dataclass(frozen=True)
class EligibilityEvidence:
    """The signed eligibility decision for this patient and course."""

    decision_id: str
    eligible: bool
    signed_at: datetime | None
    valid_until: datetime | None = None


@dataclass(frozen=True)
class ConsentEvidence:
    """The patient's treatment consent."""

    consent_id: str
    signed_at: datetime
    expires_at: datetime | None = None
    withdrawn_at: datetime | None = None


@dataclass(frozen=True)
class SignedOrder:
    """The prescriber's order for this session."""

    order_id: str
    drug: SessionDrug
    signed_at: datetime | None
    signed_by: str | None


@dataclass(frozen=True)
class BpAcknowledgement:
    """A prescriber's risk-benefit acknowledgement of a raised pre-dose BP (rule 21)."""

    prescriber_id: str
    at: datetime


class PregnancyStatus(StrEnum):
    """Recorded pregnancy status for a patient of child-bearing potential."""

    NEGATIVE = "negative"
    POSITIVE = "positive"


@dataclass(frozen=True)
class PregnancyEvidence:
    """When and what pregnancy status was recorded; ``override_by`` is the prescriber's sign-off."""

    status: PregnancyStatus
    recorded_at: datetime
    override_by: str | None = None


@dataclass(frozen=True)
class StaffOnSite:
    """A staff member signed in on site, with roles and ACLS expiry (last valid day)."""

    staff_id: str
    roles: frozenset[str]
    acls_expires_on: date | None = None


@dataclass(frozen=True)
class ReadyGateInputs:
    """Everything the ready gates look at, gathered by the service."""

    drug: SessionDrug
    eligibility: EligibilityEvidence | None
    consent: ConsentEvidence | None
    order: SignedOrder | None
    predose_vitals: tuple[VitalsReading, ...]
    bp_acknowledgement: BpAcknowledgement | None = None
    open_safety_alert_ids: tuple[str, ...] = ()
    npo_confirmed: bool = False
    escort_arranged: bool = False
    childbearing_potential: bool = False
    course_started_at: datetime | None = None
    pregnancy: PregnancyEvidence | None = None
    staff_on_site: tuple[StaffOnSite, ...] = ()
    inpatient_setting: bool = False
    rems_patient_enrolled: bool = False
    rems_setting_certified: bool = False
    #: Ids of the esketamine pre-dose instructions the nurse confirmed (``predose``).
    predose_instructions: frozenset[str] = frozenset()


DEFAULT_READY_CONFIG = ReadyGateConfig()
HOLD_CODE = "session.gate.predose_bp_hold"

_Gate = Callable[[ReadyGateInputs, datetime, ReadyGateConfig], list[GateFailure]]


def _fail(code: str, message: str) -> list[GateFailure]:
    return [GateFailure(f"session.gate.{code}", message)]


def _eligibility_gate(
    inp: ReadyGateInputs, at: datetime, cfg: ReadyGateConfig
) -> list[GateFailure]:
    ev = inp.eligibility
    if ev is None:
        return _fail("eligibility_missing", "no eligibility decision is on file")
    if ev.signed_at is None:
        return _fail("eligibility_unsigned", "the eligibility decision is not signed")
    if not ev.eligible:
        return _fail(
            "eligibility_not_eligible", "the eligibility decision found the patient ineligible"
        )
    expired = ev.valid_until is not None and at >= ev.valid_until
    too_old = cfg.eligibility_max_age is not None and at - ev.signed_at > cfg.eligibility_max_age
    if expired or too_old:
        return _fail("eligibility_stale", "the eligibility decision is stale; review it again")
    return []


def _consent_gate(inp: ReadyGateInputs, at: datetime, _cfg: ReadyGateConfig) -> list[GateFailure]:
    c = inp.consent
    if c is None or c.signed_at > at:
        return _fail("consent_missing", "no signed treatment consent is on file")
    if c.withdrawn_at is not None and c.withdrawn_at <= at:
        return _fail("consent_withdrawn", "the patient has withdrawn consent")
    if c.expires_at is not None and at >= c.expires_at:
        return _fail("consent_expired", "the treatment consent has expired")
    return []


def _order_gate(inp: ReadyGateInputs, _at: datetime, _cfg: ReadyGateConfig) -> list[GateFailure]:
    o = inp.order
    if o is None or o.signed_at is None or not o.signed_by:
        return _fail("order_unsigned", "no signed prescriber order for this session")
    if o.drug is not inp.drug:
        return _fail("order_drug_mismatch", "the signed order is for a different drug")
    return []


def _safety_alert_gate(
    inp: ReadyGateInputs, _at: datetime, _c: ReadyGateConfig
) -> list[GateFailure]:
    if inp.open_safety_alert_ids:
        count = len(inp.open_safety_alert_ids)
        return _fail("open_safety_alert", f"{count} open safety alert(s) must be closed first")
    return []


_VITAL_PARAMETERS = (
    ("bp", "blood pressure"),
    ("hr", "heart rate"),
    ("spo2", "SpO2"),
    ("rr", "respiratory rate"),
)


def _has(reading: VitalsReading, parameter: str) -> bool:
    if parameter == "bp":
        return reading.has_bp
    return getattr(reading, parameter) is not None


def _recent_predose(
    inp: ReadyGateInputs, at: datetime, cfg: ReadyGateConfig
) -> list[VitalsReading]:
    oldest = at - cfg.predose_vitals_max_age
    return [r for r in inp.predose_vitals if oldest <= r.at <= at]


def _vitals_gate(inp: ReadyGateInputs, at: datetime, cfg: ReadyGateConfig) -> list[GateFailure]:
    recent = _recent_predose(inp, at, cfg)
    minutes = int(cfg.predose_vitals_max_age.total_seconds() // 60)
    failures: list[GateFailure] = []
    for parameter, label in _VITAL_PARAMETERS:
        if not any(_has(r, parameter) for r in recent):
            failures += _fail(
                f"predose_{parameter}_missing", f"no pre-dose {label} in the last {minutes} minutes"
            )
    return failures


def _last_bp(readings: Sequence[VitalsReading]) -> VitalsReading | None:
    return max((r for r in readings if r.has_bp), key=lambda r: r.at, default=None)


def _held(reading: VitalsReading, cfg: ReadyGateConfig) -> bool:
    sbp_hold, dbp_hold = cfg.predose_sbp_hold_at, cfg.predose_dbp_hold_at
    sbp, dbp = reading.sbp or 0, reading.dbp or 0
    return (sbp_hold is not None and sbp >= sbp_hold) or (dbp_hold is not None and dbp >= dbp_hold)


def _hold_limits(cfg: ReadyGateConfig) -> str:
    sbp = "-" if cfg.predose_sbp_hold_at is None else cfg.predose_sbp_hold_at
    dbp = "-" if cfg.predose_dbp_hold_at is None else cfg.predose_dbp_hold_at
    return f"{sbp}/{dbp}"


def predose_bp_hold(
    readings: Sequence[VitalsReading], *, config: ReadyGateConfig = DEFAULT_READY_CONFIG
) -> GateFailure | None:
    """The hold on dosing when the most recent pre-dose BP is at or above the hold tier.

    Only the latest reading with a BP counts, so a re-measured lower reading releases the hold;
    a prescriber's acknowledgement does not (SRC_PREDOSE_HOLD in
    :mod:`ketacare.core.session.config`: the tier that pauses an infusion, below the ACC/AHA
    2017 hypertensive crisis, Whelton et al. 2018 Hypertension 71:e13).

    Args:
        readings: the pre-dose readings (any order); readings without a BP are ignored.
        config: the hold thresholds (``None`` switches one off).

    Returns:
        The refusal, naming the reading, the threshold and what to do; ``None`` when not held.
    """
    last = _last_bp(readings)
    if last is None or not _held(last, config):
        return None
    limits = _hold_limits(config)
    return GateFailure(
        HOLD_CODE,
        f"pre-dose BP {last.sbp}/{last.dbp} is at or above the hold threshold {limits}; do not "
        f"dose, even with an acknowledgement: let the patient rest and re-measure; the session "
        f"can proceed once a reading is below {limits}",
    )


def _bp_hold_gate(inp: ReadyGateInputs, at: datetime, cfg: ReadyGateConfig) -> list[GateFailure]:
    hold = predose_bp_hold(_recent_predose(inp, at, cfg), config=cfg)
    return [] if hold is None else [hold]


def _bp_ack_gate(inp: ReadyGateInputs, at: datetime, cfg: ReadyGateConfig) -> list[GateFailure]:
    last = _last_bp(_recent_predose(inp, at, cfg))
    if last is None:
        return []  # the vitals gate already reports the missing BP
    if _held(last, cfg):
        return []  # the hold gate refuses; an acknowledgement would not release it
    sbp, dbp = last.sbp or 0, last.dbp or 0  # has_bp: both are recorded
    if sbp <= cfg.predose_sbp_ack_above and dbp <= cfg.predose_dbp_ack_above:
        return []
    ack = inp.bp_acknowledgement
    if ack is None or ack.at < last.at:
        return _fail(
            "predose_bp_unacknowledged",
            f"pre-dose BP {sbp}/{dbp} is above {cfg.predose_sbp_ack_above}/"
            f"{cfg.predose_dbp_ack_above}; a prescriber must acknowledge it",
        )
    return []


def _npo_gate(inp: ReadyGateInputs, _at: datetime, _cfg: ReadyGateConfig) -> list[GateFailure]:
    return [] if inp.npo_confirmed else _fail("npo_unconfirmed", "fasting (NPO) is not confirmed")


def _instructions_gate(
    inp: ReadyGateInputs, _at: datetime, _cfg: ReadyGateConfig
) -> list[GateFailure]:
    failures: list[GateFailure] = []
    for check in unconfirmed(inp.drug, inp.predose_instructions):
        failures += _fail(
            f"{check.instruction.value}_unconfirmed",
            f"pre-dose instruction not confirmed: {check.label[0].lower()}{check.label[1:]}",
        )
    return failures


def _escort_gate(inp: ReadyGateInputs, _at: datetime, _cfg: ReadyGateConfig) -> list[GateFailure]:
    if inp.escort_arranged:
        return []
    return _fail("escort_missing", "no escort or transport home is arranged")


def _pregnancy_gate(
    inp: ReadyGateInputs, _at: datetime, _cfg: ReadyGateConfig
) -> list[GateFailure]:
    if not inp.childbearing_potential:
        return []
    p = inp.pregnancy
    course_start = inp.course_started_at
    if p is None or (course_start is not None and p.recorded_at < course_start):
        return _fail("pregnancy_status_missing", "pregnancy status is not recorded for this course")
    if p.status is PregnancyStatus.POSITIVE and not p.override_by:
        return _fail("pregnancy_positive", "patient is pregnant; a prescriber override is required")
    return []


def _acls_valid(member: StaffOnSite, at: datetime) -> bool:
    # The expiry is a calendar date; comparing with the UTC date errs towards "expired" for
    # clinics west of UTC late in the day, which is the safe side.
    return member.acls_expires_on is not None and at.date() <= member.acls_expires_on


def _staff_gate(inp: ReadyGateInputs, at: datetime, cfg: ReadyGateConfig) -> list[GateFailure]:
    clinicians = [m for m in inp.staff_on_site if m.roles & cfg.acls_clinician_roles]
    failures: list[GateFailure] = []
    if not any(_acls_valid(m, at) for m in clinicians):
        failures += _fail(
            "acls_clinician_missing", "no clinician with a current ACLS credential is on site"
        )
    needs_prescriber = inp.drug is SessionDrug.ESKETAMINE_NASAL
    if needs_prescriber and not any(cfg.prescriber_role in m.roles for m in inp.staff_on_site):
        failures += _fail("prescriber_missing", "Spravato REMS needs a prescriber on site")
    return failures


def _rems_gate(inp: ReadyGateInputs, _at: datetime, _cfg: ReadyGateConfig) -> list[GateFailure]:
    if inp.drug is not SessionDrug.ESKETAMINE_NASAL or inp.inpatient_setting:
        return []
    failures: list[GateFailure] = []
    if not inp.rems_patient_enrolled:
        failures += _fail(
            "rems_patient_not_enrolled", "the patient's REMS enrolment is not on file"
        )
    if not inp.rems_setting_certified:
        failures += _fail(
            "rems_setting_not_certified", "the setting's REMS certification is not on file"
        )
    return failures


GATES: tuple[_Gate, ...] = (
    _eligibility_gate,
    _consent_gate,
    _order_gate,
    _safety_alert_gate,
    _vitals_gate,
    _bp_hold_gate,
    _bp_ack_gate,
    _npo_gate,
    _instructions_gate,
    _escort_gate,
    _pregnancy_gate,
    _staff_gate,
    _rems_gate,
)


def check_ready_gates(
    inputs: ReadyGateInputs, *, at: datetime, config: ReadyGateConfig = DEFAULT_READY_CONFIG
) -> list[GateFailure]:
    """Run every ready gate and return all refusals; an empty list means the session may start.

    Args:
        inputs: the facts gathered by the service.
        at: the time of the check (aware).
        config: thresholds; see :class:`ReadyGateConfig` for each default's source.

    Returns:
        One :class:`GateFailure` per unmet condition, in a stable order.
    """
    require_aware(at, "at")
    failures: list[GateFailure] = []
    for gate in GATES:
        failures += gate(inputs, at, config)
    return failures
