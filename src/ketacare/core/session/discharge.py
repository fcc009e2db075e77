"""Recovery and discharge rules.

Sources: docs/clinical/session.md#rule-24, docs/clinical/session.md#rule-29,
docs/clinical/session.md#rule-31, docs/clinical/session.md#rule-34,
docs/clinical/session.md#recovery-and-discharge,
docs/clinical/session.md#sedation-dissociation-and-breathing.

``check_discharge`` returns every unmet criterion; an empty list means discharge is allowed:

* minimum observation: 120 min from the first esketamine device (label floor), or the clinic's
  CONFIG minimum after the IV infusion ends (default 60 min);
* the clinical assessment: the rule-32 checklist, an Aldrete/PADSS score at or above the
  threshold, or either/both, as the clinic configures;
* vitals near baseline: a recent reading with SBP, DBP and HR within 20 % of the pre-dose
  baseline (the PADSS "vital signs" criterion), no active vital-sign alert and no supplemental
  oxygen (RCEM: "back to baseline with no added O2");
* esketamine: at least one SpO2 after dosing and the 40-minute and end-of-session BPs;
* escort confirmed and the no-driving instruction acknowledged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal

from ketacare.core.codes import SessionDrug
from ketacare.core.errors import Invalid
from ketacare.core.session.cadence import spravato_bp_timepoints
from ketacare.core.session.config import DischargeAssessment, SessionConfig
from ketacare.core.session.model import (
    GateFailure,
    VitalsReading,
    latest,
    require_aware,
)
from ketacare.core.session.vitals import evaluate_vitals


@dataclass(frozen=True)
class DischargeChecklist:
    """The rule-32 clinical criteria, each confirmed by the nurse (REMS: sedation resolved)."""

    alert_and_oriented: bool = False
    walking_steadily: bool = False
    nausea_controlled: bool = False
    dissociation_resolved: bool = False
    sedation_resolved: bool = False


@dataclass(frozen=True)
class DischargeInputs:
    """Everything the discharge rules look at, gathered by the service.

    ``first_administration_at`` is the first device (esketamine) or infusion start (IV);
    ``administration_ended_at`` the infusion end (IV). ``readings`` are all of the session's
    readings, pre-dose ones included; ``baseline`` is the pre-dose reading.
    """

    drug: SessionDrug
    first_administration_at: datetime | None
    administration_ended_at: datetime | None
    readings: tuple[VitalsReading, ...]
    baseline: VitalsReading | None
    checklist: DischargeChecklist = DischargeChecklist()
    discharge_score: int | None = None
    on_supplemental_oxygen: bool = False
    escort_confirmed: bool = False
    no_driving_acknowledged: bool = False


DEFAULT_SESSION_CONFIG = SessionConfig()


def _fail(code: str, message: str) -> list[GateFailure]:
    return [GateFailure(f"session.discharge.{code}", message)]


def _observation(inp: DischargeInputs, at: datetime, cfg: SessionConfig) -> list[GateFailure]:
    if inp.drug is SessionDrug.ESKETAMINE_NASAL:
        start, minimum = inp.first_administration_at, cfg.discharge.esketamine_min_observation
        what = "the first device"
    else:
        start, minimum = inp.administration_ended_at, cfg.discharge.iv_min_observation_after_end
        what = "the end of the infusion"
    if start is None:
        return _fail("administration_time_missing", f"the time of {what} is not recorded")
    if at - start < minimum:
        total = int(minimum.total_seconds() // 60)
        return _fail("observation_too_short", f"observe for {total} min from {what}")
    return []


def _checklist_failures(checklist: DischargeChecklist) -> list[GateFailure]:
    return [
        GateFailure(
            f"session.discharge.checklist.{name}", f"not confirmed: {name.replace('_', ' ')}"
        )
        for name, done in asdict(checklist).items()
        if not done
    ]


def _score_failures(score: int | None, cfg: SessionConfig) -> list[GateFailure]:
    threshold = cfg.discharge.score_threshold
    if score is None:
        return _fail("score_missing", "no Aldrete/PADSS discharge score is recorded")
    if not 0 <= score <= cfg.discharge.score_maximum:
        raise Invalid(
            "session.discharge.score_out_of_range",
            f"a discharge score lies between 0 and {cfg.discharge.score_maximum}",
            field="discharge_score",
        )
    if score < threshold:
        return _fail("score_below_threshold", f"discharge score {score} is below {threshold}")
    return []


def _assessment(inp: DischargeInputs, _at: datetime, cfg: SessionConfig) -> list[GateFailure]:
    mode = cfg.discharge.assessment
    checklist = _checklist_failures(inp.checklist)
    if mode is DischargeAssessment.CHECKLIST:
        return checklist
    score = _score_failures(inp.discharge_score, cfg)
    if mode is DischargeAssessment.SCORE:
        return score
    if mode is DischargeAssessment.BOTH:
        return checklist + score
    return [] if not checklist or not score else checklist + score


def _near(now: int | None, base: int | None, tolerance: Decimal) -> bool:
    if now is None or base is None:
        return False
    return abs(Decimal(now - base)) <= tolerance * Decimal(base)


def _vitals(inp: DischargeInputs, at: datetime, cfg: SessionConfig) -> list[GateFailure]:
    last = latest([r for r in inp.readings if r.at <= at])
    if last is None or at - last.at > cfg.discharge.final_vitals_max_age:
        return _fail("final_vitals_missing", "take a set of vitals before discharge")
    failures: list[GateFailure] = []
    if inp.baseline is None:
        failures += _fail("baseline_missing", "no pre-dose baseline to compare with")
    else:
        pct = int(cfg.discharge.baseline_tolerance * 100)
        for name in ("sbp", "dbp", "hr"):
            if not _near(
                getattr(last, name), getattr(inp.baseline, name), cfg.discharge.baseline_tolerance
            ):
                failures += _fail(
                    f"{name}_not_near_baseline", f"{name.upper()} is not within {pct} % of baseline"
                )
    history = [r for r in inp.readings if r.at < last.at]
    if evaluate_vitals(last, history=history, baseline=inp.baseline, config=cfg.alerts):
        failures += _fail("vitals_alert_active", "the latest vitals still raise an alert")
    if inp.on_supplemental_oxygen:
        failures += _fail("on_oxygen", "the patient is still on supplemental oxygen")
    return failures


def _esketamine_records(
    inp: DischargeInputs, _at: datetime, cfg: SessionConfig
) -> list[GateFailure]:
    first = inp.first_administration_at
    if inp.drug is not SessionDrug.ESKETAMINE_NASAL or first is None:
        return []
    failures: list[GateFailure] = []
    if not any(r.spo2 is not None and r.at >= first for r in inp.readings):
        failures += _fail("spo2_missing", "Spravato needs at least one SpO2 reading after dosing")
    points = spravato_bp_timepoints(inp.readings, first, cfg.cadence)
    if points.post_dose_40 is None:
        failures += _fail("bp_40_min_missing", "the 40-minute post-dose BP is not recorded")
    if points.session_end is None:
        failures += _fail("bp_session_end_missing", "the end-of-session BP is not recorded")
    return failures


def _going_home(inp: DischargeInputs, _at: datetime, _cfg: SessionConfig) -> list[GateFailure]:
    failures: list[GateFailure] = []
    if not inp.escort_confirmed:
        failures += _fail("escort_unconfirmed", "the responsible adult escort is not confirmed")
    if not inp.no_driving_acknowledged:
        failures += _fail(
            "no_driving_unacknowledged",
            "the no-driving instruction (not until the next day, after restful sleep) "
            "is not acknowledged",
        )
    return failures


_RULES = (_observation, _assessment, _vitals, _esketamine_records, _going_home)


def check_discharge(
    inputs: DischargeInputs, *, at: datetime, config: SessionConfig = DEFAULT_SESSION_CONFIG
) -> list[GateFailure]:
    """Return every unmet discharge criterion; an empty list means discharge is allowed.

    Uses ``config.discharge`` (observation, assessment, tolerance), ``config.alerts`` (the
    latest reading must raise no alert) and ``config.cadence`` (Spravato 40-minute BP).

    Raises:
        Invalid: ``session.discharge.score_out_of_range`` for a score outside 0-10.
    """
    require_aware(at, "at")
    failures: list[GateFailure] = []
    for rule in _RULES:
        failures += rule(inputs, at, config)
    return failures
