"""Configuration of the session rules: frozen dataclasses whose defaults name their source.

Tags follow docs/clinical/README.md#evidence-tags: ``[found: X]`` was read in source X, ``[recall:
X]``
was not re-checked (so it is a configurable default), ``CONFIG`` means no guideline gives the
number and the clinic sets it. References "docs/clinical/<page>.md#rule-N" are to the numbered
rules of the
KetaCare clinical reference, which cites the primary sources repeated here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from enum import StrEnum

from ketacare.core.errors import Invalid
from ketacare.core.session.model import Symptom

# --- Sources -----------------------------------------------------------------------------------
SRC_SPRAVATO_PI_BP = (
    "Spravato PI §2: assess BP before dosing; if baseline >140 systolic or >90 diastolic weigh "
    "the short-term BP rise against benefit"
)
SRC_SPRAVATO_PI_RISE = (
    "Spravato PI §5.4: rise of >=40 mmHg systolic and/or >=25 mmHg diastolic in the first 1.5 h"
)
SRC_HTN_TIERS = (
    "CONFIG hypertension tiers: no guideline gives a stop or hold number for ketamine or "
    "esketamine dosing; Yip et al. 2022 (PMC9556663) argue for following general hypertension "
    "guidance; tier 2 (>=180 or >=110) is reached before the ACC/AHA 2017 hypertensive crisis "
    "(>180 and/or >120; Whelton et al. 2018 Hypertension 71:e13)"
)
SRC_PREDOSE_HOLD = (
    "CONFIG pre-dose hold: do not start at or above the hypertension tier that pauses an "
    "infusion (SRC_HTN_TIERS tier 2, 180/110), reached before the ACC/AHA 2017 hypertensive "
    "crisis (>180 and/or >120; Whelton et al. 2018 Hypertension 71:e13); Spravato PI §5.4: do "
    "not give when a rise in BP would pose a serious risk"
)
SRC_SPO2 = (
    "World SIVA adverse-event tool: minor = SpO2 75-90 % for <60 s; sentinel = <75 % at any "
    "time or <90 % for >60 s (World SIVA International Sedation Task Force, Mason et al. 2012 "
    "Br J Anaesth 108:13 [recall]; as tabulated in Trials 2022 remimazolam protocol Table 4)"
)
SRC_NEWS2 = (
    "NEWS2 chart 1 (Royal College of Physicians 2017): pulse <=40 or >=131, respiration <=8 or "
    ">=25, systolic <=90 score 3 (urgent response); pulse 111-130, respiration 21-24, systolic "
    "91-100 score 2 [found: RCP NEWS2 chart, scribd.com/document/584338409; rcpjournals.org "
    "NEWS2 definitions]"
)
SRC_NEWS2_SPO2 = (
    "NEWS2 SpO2 scale 1 (Royal College of Physicians 2017, National Early Warning Score 2): "
    "SpO2 <=91 % scores 3, the highest band; 92-93 % scores 2"
)
SRC_SYMPTOMS = (
    "Spravato PI §5.4 (increase in blood pressure): refer for emergency care on symptoms of "
    "hypertensive crisis (e.g. chest pain, shortness of breath) or hypertensive encephalopathy "
    "(e.g. sudden severe headache, visual disturbances, seizures, diminished consciousness, "
    "focal neurological deficits); ACC/AHA 2017 hypertensive emergency = crisis with end-organ "
    "damage (Whelton et al. 2018 Hypertension 71:e13)"
)
SRC_CADENCE = (
    "BP/HR/SpO2 every 10 min during infusion, every 15 min afterwards; alert when an entry is "
    "overdue by more than 5 min [found: Riva-Posse 2018 PMID 29525051; Yale 2024 doi "
    "10.1016/j.genhosppsych.2024.07.001; docs/clinical/session.md#rule-22, "
    "docs/clinical/session.md#rule-23]"
)
SRC_SPRAVATO_40MIN = (
    "Spravato: re-check BP about 40 min after dosing; BP peaks about 40 min post-dose "
    "[found: spravatohcp.com/dosing-spravato-trd; docs/clinical/session.md#rule-24]"
)
SRC_SPRAVATO_OBSERVATION = (
    "Spravato PI boxed warning and REMS: monitor at least 2 h from the first device "
    "[found: PI; spravatorems.com; docs/clinical/session.md#rule-31]"
)
SRC_IV_OBSERVATION = (
    "CONFIG: no verified guideline gives a minimum IV observation time; suggested >=60 min after "
    "the infusion ends (BP back to baseline within about 90 min) [found: Szarmach 2020 "
    "PMC7605942; scirp ED ketamine protocol; docs/clinical/session.md#rule-32, "
    "docs/clinical/README.md#open-items]"
)
SRC_PADSS = (
    "PADSS (Chung 1995): vital signs within 20 % of the preoperative value score 2; total >=9 "
    "fit for discharge [found: clinician.com PADSS table; medicalalgorithms.com PADSS; "
    "docs/clinical/session.md#rule-34]"
)
SRC_DEVICE = (
    "Spravato: 28 mg per device; 56 mg = 2, 84 mg = 3 devices; 5-min rest between devices "
    "[found: spravatohcp.com; MIMS; docs/clinical/dosing.md#rule-18, "
    "docs/clinical/dosing.md#esketamine-nasal-spray]"
)
SRC_REMS_DEADLINE = (
    "Spravato REMS: submit the Patient Monitoring Form within 7 days of each outpatient session "
    "[found: manualspro.net form transcription; docs/clinical/session.md#rule-36]"
)


# The hypertension tier that prompts pausing an infusion (SRC_HTN_TIERS). The pre-dose hold
# defaults to the same numbers (SRC_PREDOSE_HOLD), so a reading that would pause an infusion
# never lets one start.
BP_TIER2_SBP = 180
BP_TIER2_DBP = 110


class DischargeAssessment(StrEnum):
    """How the clinical discharge criteria are assessed.

    Sources: docs/clinical/session.md#rule-32, docs/clinical/session.md#rule-34.
    """

    CHECKLIST = "checklist"
    SCORE = "score"
    EITHER = "either"
    BOTH = "both"


@dataclass(frozen=True)
class ReadyGateConfig:
    """Numbers used by the gates before the session may become ``ready``."""

    # CONFIG: the reference requires pre-dose vitals (rule 20) but names no age; 30 min is the
    # clinic default set in the session issue.
    predose_vitals_max_age: timedelta = timedelta(minutes=30)
    # Strictly above these needs prescriber acknowledgement. SRC_SPRAVATO_PI_BP (reused for IV).
    predose_sbp_ack_above: int = 140
    predose_dbp_ack_above: int = 90
    # At or above either of these the session cannot start, even with an acknowledgement; a
    # re-measured reading below both releases it. ``None`` switches the hold off.
    # SRC_PREDOSE_HOLD (CONFIG).
    predose_sbp_hold_at: int | None = BP_TIER2_SBP
    predose_dbp_hold_at: int | None = BP_TIER2_DBP
    # CONFIG: an eligibility decision may carry its own ``valid_until``; a clinic may also cap its
    # age. No guideline gives a number, so there is no cap by default.
    eligibility_max_age: timedelta | None = None
    # Roles that count as an ACLS clinician at the chair (Sanacora 2017 summary; rule 30).
    acls_clinician_roles: frozenset[str] = frozenset({"prescriber", "nurse"})
    # Spravato REMS: a prescriber must be on site (rule 30; FDA REMS page).
    prescriber_role: str = "prescriber"


@dataclass(frozen=True)
class VitalsAlertConfig:
    """Alert thresholds. ``None`` switches a rule off. ``>=`` for highs, ``<=`` for NEWS2 lows."""

    bp_tier1_sbp: int = 160  # SRC_HTN_TIERS
    bp_tier1_dbp: int = 100  # SRC_HTN_TIERS
    bp_tier2_sbp: int = BP_TIER2_SBP  # SRC_HTN_TIERS
    bp_tier2_dbp: int = BP_TIER2_DBP  # SRC_HTN_TIERS
    bp_tier1_repeat_after: timedelta = timedelta(minutes=5)  # SRC_HTN_TIERS (CONFIG)
    bp_rise_sbp: int | None = 40  # SRC_SPRAVATO_PI_RISE, a rise from the pre-dose baseline
    bp_rise_dbp: int | None = 25  # SRC_SPRAVATO_PI_RISE
    sbp_tier1_low: int | None = 100  # SRC_NEWS2 score 2 (91-100)
    sbp_tier2_low: int | None = 90  # SRC_NEWS2 score 3
    hr_tier1_high: int | None = 111  # SRC_NEWS2 score 2 (111-130)
    hr_tier2_high: int | None = 131  # SRC_NEWS2 score 3
    hr_tier2_low: int | None = 40  # SRC_NEWS2 score 3
    rr_tier1_high: int | None = 21  # SRC_NEWS2 score 2 (21-24)
    rr_tier2_high: int | None = 25  # SRC_NEWS2 score 3
    rr_tier2_low: int | None = 8  # SRC_NEWS2 score 3
    spo2_news2_low: int | None = 91  # SRC_NEWS2_SPO2: <=91 scores 3
    spo2_desaturation_below: int = 90  # SRC_SPO2
    spo2_sentinel_below: int = 75  # SRC_SPO2
    spo2_sentinel_duration: timedelta = timedelta(seconds=60)  # SRC_SPO2: "> 60 s"
    emergency_symptoms: frozenset[Symptom] = frozenset(Symptom)  # SRC_SYMPTOMS


@dataclass(frozen=True)
class CadenceConfig:
    """Vital-sign cadence reminders (SRC_CADENCE)."""

    during_administration: timedelta = timedelta(minutes=10)
    during_recovery: timedelta = timedelta(minutes=15)
    overdue_grace: timedelta = timedelta(minutes=5)
    spravato_bp_recheck_after: timedelta = timedelta(minutes=40)  # SRC_SPRAVATO_40MIN


ESKETAMINE_MIN_OBSERVATION = timedelta(minutes=120)  # SRC_SPRAVATO_OBSERVATION (label floor)


@dataclass(frozen=True)
class DischargeConfig:
    """Recovery and discharge rules."""

    esketamine_min_observation: timedelta = ESKETAMINE_MIN_OBSERVATION
    iv_min_observation_after_end: timedelta = timedelta(minutes=60)  # SRC_IV_OBSERVATION
    assessment: DischargeAssessment = DischargeAssessment.CHECKLIST  # rule 32; score optional
    score_threshold: int = 9  # SRC_PADSS (Aldrete/PADSS >= 9, CONFIG per rule 34)
    score_maximum: int = 10  # both scales total 10 (SRC_PADSS)
    baseline_tolerance: Decimal = Decimal("0.20")  # SRC_PADSS: within 20 % of baseline
    # The last reading must be no older than one recovery cadence interval (SRC_CADENCE).
    final_vitals_max_age: timedelta = timedelta(minutes=15)

    def __post_init__(self) -> None:
        """Refuse an esketamine observation below the label's 2 hours."""
        if self.esketamine_min_observation < ESKETAMINE_MIN_OBSERVATION:
            raise Invalid(
                "session.config.observation_below_label",
                "esketamine observation cannot be shorter than the label's 120 minutes",
                field="esketamine_min_observation",
            )


ESKETAMINE_DEVICE_MG = Decimal(28)  # SRC_DEVICE


@dataclass(frozen=True)
class AdministrationConfig:
    """Administration-record rules for esketamine devices (SRC_DEVICE)."""

    min_device_interval: timedelta = timedelta(minutes=5)
    max_devices_per_session: int = 3  # 84 mg, the highest labelled dose


@dataclass(frozen=True)
class RemsConfig:
    """Spravato REMS Patient Monitoring Form rules."""

    submission_window: timedelta = timedelta(days=7)  # SRC_REMS_DEADLINE
    min_total_minutes: int = 120  # SRC_SPRAVATO_OBSERVATION


@dataclass(frozen=True)
class SessionConfig:
    """Every session rule's configuration in one object, passed in by the service."""

    ready: ReadyGateConfig = field(default_factory=ReadyGateConfig)
    alerts: VitalsAlertConfig = field(default_factory=VitalsAlertConfig)
    cadence: CadenceConfig = field(default_factory=CadenceConfig)
    discharge: DischargeConfig = field(default_factory=DischargeConfig)
    administration: AdministrationConfig = field(default_factory=AdministrationConfig)
    rems: RemsConfig = field(default_factory=RemsConfig)
