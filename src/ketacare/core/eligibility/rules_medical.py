"""Medical screening rules: contraindications, pregnancy, blood pressure, test prompts, age.

Each function takes the screening input and configuration and returns the reasons it finds.
"""

from __future__ import annotations

from ketacare.core.codes import ProtocolId, pregnancy_applies
from ketacare.core.eligibility import sources
from ketacare.core.eligibility.conditions import (
    CONDITIONS,
    ConditionKind,
    condition_severity,
    condition_source,
)
from ketacare.core.eligibility.config import ScreeningConfig
from ketacare.core.eligibility.misuse import auditc_positive
from ketacare.core.eligibility.model import (
    Reason,
    ScreeningInput,
    Severity,
)
from ketacare.core.errors import Invalid

_REVIEW = Severity.REVIEW
_INFO = Severity.INFO
_CAUTION_KINDS = frozenset({ConditionKind.CAUTION, ConditionKind.AIRWAY})


def condition_reasons(inp: ScreeningInput, config: ScreeningConfig) -> list[Reason]:
    """One reason per charted contraindication or caution.

    Sources: docs/clinical/eligibility.md#contraindications, docs/clinical/eligibility.md#rule-3,
    docs/clinical/eligibility.md#rule-4.
    """
    reasons = []
    for condition_id in sorted(inp.conditions):
        condition = CONDITIONS[condition_id]
        severity = condition_severity(condition, inp.protocol, config)
        if severity is None:
            continue
        prefix = "caution" if condition.kind in _CAUTION_KINDS else "contraindication"
        message = condition.message + _protocol_note(condition.kind, inp.protocol, severity)
        source = condition_source(condition, inp.protocol)
        reasons.append(Reason(f"{prefix}.{condition_id}", severity, message, source))
    return reasons


def _protocol_note(kind: ConditionKind, protocol: ProtocolId, severity: Severity) -> str:
    if kind is ConditionKind.ABSOLUTE and protocol.is_iv:
        if severity is Severity.BLOCK:
            return " Spravato label contraindication, applied to IV ketamine by clinic default."
        return " Spravato label contraindication; this clinic reviews it case by case for IV."
    if kind is ConditionKind.HYPERTENSION and not protocol.is_iv:
        return " Spravato: do not give if a rise in blood pressure would pose a serious risk."
    if kind is ConditionKind.AIRWAY and protocol.is_iv:
        return " The prescriber confirms the airway and monitoring plan before IV infusions."
    return ""


def pregnancy_reasons(inp: ScreeningInput) -> list[Reason]:
    """Pregnancy and breastfeeding.

    Sources: docs/clinical/eligibility.md#contraindications, docs/clinical/eligibility.md#rule-8.
    """
    reasons = []
    if inp.pregnant is True:
        reasons.append(_pregnant(inp.protocol))
    elif inp.pregnant is None and pregnancy_applies(inp.sex_at_birth):
        reasons.append(
            Reason(
                "pregnancy.status_not_recorded",
                _REVIEW,
                "Pregnancy status is not recorded. Record it before each course for any patient "
                "who can become pregnant (record 'not pregnant' when it does not apply).",
                sources.PREGNANCY_STATUS_RULE,
            )
        )
    if inp.breastfeeding is True:
        reasons.append(_breastfeeding(inp.protocol))
    return reasons


def _pregnant(protocol: ProtocolId) -> Reason:
    if protocol.is_iv:
        message = (
            "Pregnant: pregnancy is a relative contraindication to ketamine infusions; the "
            "prescriber must document why the benefit outweighs the risk."
        )
        return Reason("contraindication.pregnancy", _REVIEW, message, sources.COHEN_2018_RELATIVE)
    message = (
        "Pregnant: the esketamine label warns of embryo-fetal toxicity; the prescriber must "
        "document why the benefit outweighs the risk."
    )
    return Reason("contraindication.pregnancy", _REVIEW, message, sources.SPRAVATO_PREGNANCY)


def _breastfeeding(protocol: ProtocolId) -> Reason:
    if protocol.is_iv:
        return Reason(
            "breastfeeding.discuss",
            _INFO,
            "Breastfeeding: the reference gives no IV ketamine rule; the esketamine label advises "
            "against breastfeeding. Discuss with the patient.",
            sources.SPRAVATO_PREGNANCY,
        )
    return Reason(
        "breastfeeding.not_advised",
        _REVIEW,
        "Breastfeeding: the esketamine label advises against breastfeeding during treatment.",
        sources.SPRAVATO_PREGNANCY,
    )


def bp_reasons(inp: ScreeningInput, config: ScreeningConfig) -> list[Reason]:
    """Screening blood pressure above the threshold needs acknowledgement (rule 21).

    Raises:
        Invalid: if only one of the two values is given, or diastolic >= systolic.
    """
    sbp, dbp = inp.bp_systolic, inp.bp_diastolic
    if sbp is None and dbp is None:
        return [
            Reason(
                "bp.not_recorded",
                _REVIEW,
                "Blood pressure at screening is not recorded.",
                sources.BP_SCREENING,
            )
        ]
    if sbp is None or dbp is None:
        raise Invalid(
            "eligibility.bp_incomplete",
            "give both bp_systolic and bp_diastolic",
            field="bp_systolic" if sbp is None else "bp_diastolic",
        )
    if dbp >= sbp:
        raise Invalid(
            "eligibility.bp_inconsistent",
            "bp_diastolic must be below bp_systolic",
            field="bp_diastolic",
        )
    if sbp > config.bp_systolic_above or dbp > config.bp_diastolic_above:
        limit = f"{config.bp_systolic_above}/{config.bp_diastolic_above}"
        return [
            Reason(
                "bp.above_threshold",
                _REVIEW,
                f"Blood pressure {sbp}/{dbp} mmHg is above {limit} mmHg. Ketamine raises blood "
                "pressure (peak about 40 min after the start); the prescriber must acknowledge "
                "the risk before treatment.",
                sources.BP_SCREENING,
            )
        ]
    return []


def workup_prompts(inp: ScreeningInput, config: ScreeningConfig) -> list[Reason]:
    """Baseline ECG with cardiovascular risk; baseline and post-infusion LFTs with liver risk.

    Liver risk is a charted liver condition, a planned repeat high-dose pain course, or a
    positive AUDIT-C (alcohol misuse is named as a liver risk in
    docs/clinical/eligibility.md#rule-6).
    """
    charted = [CONDITIONS[condition_id] for condition_id in sorted(inp.conditions)]
    reasons = []
    cv = [c.id for c in charted if c.cardiovascular_risk]
    if cv:
        reasons.append(
            Reason(
                "prompt.baseline_ecg",
                _REVIEW,
                f"Baseline ECG required before treatment (cardiovascular risk: {', '.join(cv)}).",
                sources.ECG_PROMPT,
            )
        )
    liver = [c.id for c in charted if c.liver_risk]
    if inp.auditc_total is not None and auditc_positive(inp.auditc_total, inp.sex_at_birth, config):
        liver.append("positive AUDIT-C")
    if inp.protocol is ProtocolId.IV_KETAMINE_PAIN and inp.long_term_course:
        liver.append("long or repeated pain course")  # rule 41
    if liver:
        reasons.append(_lft_prompt(liver, recorded=inp.lft_x_uln is not None))
    return reasons


def _lft_prompt(liver: list[str], *, recorded: bool) -> Reason:
    risks = ", ".join(liver)
    if recorded:  # the baseline is in; its value is judged by rule 41
        return Reason(
            "prompt.post_infusion_lft",
            _INFO,
            f"Baseline liver tests recorded; repeat them after infusion (liver risk: {risks}).",
            sources.LFT_PROMPT,
        )
    return Reason(
        "prompt.baseline_lft",
        _REVIEW,
        f"Baseline liver function tests required, and repeat them after infusion (liver risk: "
        f"{risks}).",
        sources.LFT_PROMPT,
    )


def age_reasons(inp: ScreeningInput, config: ScreeningConfig) -> list[Reason]:
    """Patients below the adult age are outside the evidence; elderly esketamine start note."""
    if inp.age_years is None:
        return []
    if inp.age_years < config.adult_age_years:
        return [
            Reason(
                "age.below_adult",
                _REVIEW,
                f"Patient is younger than {config.adult_age_years}: the label and trial evidence "
                "is in adults.",
                sources.ADULT_POPULATION,
            )
        ]
    if inp.protocol is ProtocolId.ESKETAMINE_NASAL and inp.age_years >= config.elderly_age_years:
        return [
            Reason(
                "esketamine.elderly_start_dose",
                _INFO,
                f"Patient is {config.elderly_age_years} or older: some labels start at 28 mg on "
                "day 1; follow the clinic's jurisdiction setting.",
                sources.SPRAVATO_ELDERLY,
            )
        ]
    return []


def protocol_notes(inp: ScreeningInput) -> list[Reason]:
    """Standing notes: IV ketamine is off-label; esketamine needs REMS enrolment."""
    if inp.protocol.is_iv:
        return [
            Reason(
                "protocol.off_label",
                _INFO,
                "IV racemic ketamine is not FDA-approved for this use (off-label); the consent "
                "must say so.",
                sources.OFF_LABEL_IV,
            )
        ]
    return [
        Reason(
            "esketamine.rems_enrolment",
            _INFO,
            "Enrol the patient in the Spravato REMS before the first outpatient session; "
            "monitor at least 2 hours after each dose.",
            sources.SPRAVATO_REMS,
        )
    ]
