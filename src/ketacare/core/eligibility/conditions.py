"""Catalogue of charted conditions the screening understands, with their classification.

Absolute contraindications are the Spravato label list, mirrored for IV ketamine by default
(docs/clinical/eligibility.md#contraindications, docs/clinical/eligibility.md#rule-3). Relative
ones need a prescriber override with a reason (rule 4).
Some ids are risk flags that only trigger a test prompt (rule 6). Bipolar disorder and mania
history need a review with a mania rating before treatment
(docs/clinical/eligibility.md#bipolar-disorder-and-mania); sleep apnoea's severity depends on the
protocol (docs/clinical/eligibility.md#sleep-apnoea).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from ketacare.core.codes import ProtocolId
from ketacare.core.eligibility import sources
from ketacare.core.eligibility.config import ScreeningConfig
from ketacare.core.eligibility.model import Severity


class ConditionKind(StrEnum):
    """How the reference classifies a condition."""

    ABSOLUTE = "absolute"  # Spravato label contraindication (hard stop)
    RELATIVE = "relative"  # prescriber override with a written reason
    HYPERTENSION = "hypertension"  # protocol-dependent (Ketalar PI vs Spravato PI)
    CAUTION = "caution"  # shown as information
    RISK_FLAG = "risk_flag"  # only triggers a test prompt
    AIRWAY = "airway"  # review before IV infusions, information for esketamine


@dataclass(frozen=True, slots=True)
class Condition:
    """One catalogue entry.

    Attributes:
        id: Stable id used in inputs.
        kind: Classification (see :class:`ConditionKind`).
        message: What the clinician is told when the condition is charted.
        source: Citation.
        cardiovascular_risk: Whether it flags cardiovascular risk (baseline ECG prompt).
        liver_risk: Whether it flags liver risk (baseline and post-infusion LFT prompt).
    """

    id: str
    kind: ConditionKind
    message: str
    source: str
    cardiovascular_risk: bool = False
    liver_risk: bool = False


_ABS = ConditionKind.ABSOLUTE
_REL = ConditionKind.RELATIVE

CONDITIONS: Final[Mapping[str, Condition]] = MappingProxyType(
    {
        entry.id: entry
        for entry in (
            Condition(
                "aneurysmal_vascular_disease",
                _ABS,
                "Aneurysmal vascular disease (aortic, intracranial or peripheral): the "
                "ketamine-induced rise in blood pressure could rupture an aneurysm.",
                sources.SPRAVATO_CONTRAINDICATIONS,
            ),
            Condition(
                "arteriovenous_malformation",
                _ABS,
                "Arteriovenous malformation: contraindicated because of the rise in blood "
                "pressure.",
                sources.SPRAVATO_CONTRAINDICATIONS,
            ),
            Condition(
                "intracerebral_hemorrhage_history",
                _ABS,
                "History of intracerebral haemorrhage: contraindicated because of the rise in "
                "blood pressure.",
                sources.SPRAVATO_CONTRAINDICATIONS,
            ),
            Condition(
                "ketamine_hypersensitivity",
                _ABS,
                "Known hypersensitivity to ketamine or esketamine.",
                sources.SPRAVATO_CONTRAINDICATIONS,
            ),
            Condition(
                "active_psychosis",
                _REL,
                "Active psychosis: ketamine can worsen psychotic symptoms; treat only if the "
                "benefit outweighs the risk, with a documented reason.",
                sources.SPRAVATO_PSYCHOSIS,
            ),
            Condition(
                "psychosis_history",
                _REL,
                "History of psychotic disorder: assess carefully and document why the benefit "
                "outweighs the risk.",
                sources.SPRAVATO_PSYCHOSIS,
            ),
            Condition(
                "bipolar_disorder",
                _REL,
                "Bipolar disorder: ketamine can trigger a switch into mania or hypomania. Rate "
                "manic symptoms with a mania scale (YMRS, instrument 'ymrs') before treatment and "
                "check mood-stabiliser cover; bipolar depression is outside the TRD definition "
                "and the esketamine label population.",
                sources.MANIA_SWITCH,
            ),
            Condition(
                "mania_history",
                _REL,
                "History of mania or hypomania: ketamine can trigger a switch. Rate manic "
                "symptoms with a mania scale (YMRS, instrument 'ymrs') before treatment and look "
                "for an undiagnosed bipolar disorder.",
                sources.MANIA_SWITCH,
            ),
            Condition(
                "sleep_apnoea",
                ConditionKind.AIRWAY,
                "Sleep apnoea: sedation can worsen airway obstruction. Check CPAP use and plan "
                "continuous pulse oximetry; an undiagnosed patient can be screened with "
                "STOP-BANG (instrument 'stop_bang').",
                sources.SLEEP_APNOEA,
            ),
            Condition(
                "unstable_cardiovascular_disease",
                _REL,
                "Poorly controlled cardiovascular disease: ketamine raises blood pressure and "
                "heart rate; prescriber must weigh the risk.",
                sources.COHEN_2018_RELATIVE,
                cardiovascular_risk=True,
            ),
            Condition(
                "severe_hepatic_disease",
                _REL,
                "Severe hepatic disease: the guideline advises avoiding ketamine.",
                sources.COHEN_2018_RELATIVE,
                liver_risk=True,
            ),
            Condition(
                "raised_intracranial_pressure",
                _REL,
                "Raised intracranial pressure: avoid, or use a low dose with extreme caution.",
                f"{sources.COHEN_2018_RELATIVE}; {sources.SPRAVATO_BP_RISK}",
            ),
            Condition(
                "raised_intraocular_pressure",
                _REL,
                "Raised intraocular pressure: avoid, or use a low dose with extreme caution.",
                sources.COHEN_2018_RELATIVE,
            ),
            Condition(
                "active_substance_use_disorder",
                _REL,
                "Active substance use disorder: no serial infusions while use is active; use "
                "universal precautions.",
                sources.COHEN_2018_RELATIVE,
            ),
            Condition(
                "prior_ketamine_misuse",
                _REL,
                "Prior ketamine misuse: ketamine and esketamine are Schedule III with abuse "
                "potential; assess misuse and diversion risk before prescribing.",
                sources.KETAMINE_MISUSE,
            ),
            Condition(
                "uncontrolled_hypertension",
                ConditionKind.HYPERTENSION,
                "Uncontrolled hypertension: a further rise in blood pressure during treatment "
                "could be a serious hazard.",
                sources.KETALAR_HYPERTENSION,
                cardiovascular_risk=True,
            ),
            Condition(
                "moderate_hepatic_disease",
                ConditionKind.CAUTION,
                "Moderate hepatic disease: use ketamine with caution.",
                sources.COHEN_2018_HEPATIC_CAUTION,
                liver_risk=True,
            ),
            Condition(
                "substance_use_history",
                ConditionKind.CAUTION,
                "Past substance use (not active): monitor for misuse and requests to increase "
                "dose or frequency.",
                sources.SUBSTANCE_USE_HISTORY,
            ),
            Condition(
                "cardiovascular_risk",
                ConditionKind.RISK_FLAG,
                "Cardiovascular risk flagged.",
                sources.ECG_PROMPT,
                cardiovascular_risk=True,
            ),
            Condition(
                "liver_risk",
                ConditionKind.RISK_FLAG,
                "Liver risk flagged (for example alcohol misuse or hepatitis).",
                sources.LFT_PROMPT,
                liver_risk=True,
            ),
            Condition(
                "repeat_high_dose_pain_course",
                ConditionKind.RISK_FLAG,
                "Multi-day or repeated high-dose pain course planned.",
                sources.LFT_PROMPT,
                liver_risk=True,
            ),
        )
    }
)


def condition_severity(
    condition: Condition, protocol: ProtocolId, config: ScreeningConfig
) -> Severity | None:
    """Severity of a charted condition under a protocol (None = no reason of its own).

    Args:
        condition: The catalogue entry.
        protocol: ProtocolId being screened for.
        config: Clinic configuration (IV mirroring and the hypertension rule are configurable).

    Returns:
        ``block``, ``review``, ``info`` or None for pure risk flags.
    """
    kind = condition.kind
    if kind is ConditionKind.ABSOLUTE:
        mirrored = config.iv_mirrors_esketamine_absolute
        return Severity.BLOCK if (not protocol.is_iv or mirrored) else Severity.REVIEW
    if kind is ConditionKind.HYPERTENSION:
        blocks = protocol.is_iv and config.iv_uncontrolled_hypertension_blocks
        return Severity.BLOCK if blocks else Severity.REVIEW
    if kind is ConditionKind.RELATIVE:
        return Severity.REVIEW
    if kind is ConditionKind.CAUTION:
        return Severity.INFO
    if kind is ConditionKind.AIRWAY:
        # Only the BC draft standard (parenteral ketamine) asks for a sleep-apnoea screen; the
        # esketamine REMS already requires pulse oximetry at every session.
        return Severity.REVIEW if protocol.is_iv else Severity.INFO
    return None


def condition_source(condition: Condition, protocol: ProtocolId) -> str:
    """Citation for a condition under a protocol (it differs where the labels differ)."""
    if condition.kind is ConditionKind.ABSOLUTE and protocol.is_iv:
        return sources.SPRAVATO_ABSOLUTE_MIRRORED_FOR_IV
    if condition.kind is ConditionKind.HYPERTENSION and not protocol.is_iv:
        return sources.SPRAVATO_BP_RISK
    return condition.source
