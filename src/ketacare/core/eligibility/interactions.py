"""Interaction rules for the medicines a patient takes (docs/clinical/eligibility.md#interactions).

Three effects, each a reason of its own per medication class:

* blood-pressure risk (MAOI, psychostimulant): Spravato PI §7, applied to IV ketamine by analogy
  because racemic ketamine raises blood pressure in the same way;
* sedation risk (benzodiazepine, z-drug hypnotic, opioid): Spravato PI §7 (CNS depressants);
* blunted antidepressant response (benzodiazepine, lamotrigine): observational or volunteer
  evidence only, so information on the mood protocols and nothing for the pain protocol.

The label asks for close monitoring of blood pressure or sedation, which the prescriber plans
before the course: those reasons are ``review``. ``other`` has no rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from ketacare.core.codes import ProtocolId
from ketacare.core.eligibility import sources
from ketacare.core.eligibility.model import Reason, ScreeningInput, Severity
from ketacare.core.medications.model import MedicationClass


@dataclass(frozen=True, slots=True)
class Interaction:
    """One effect of a medication class on a ketamine or esketamine course.

    Attributes:
        effect: Short id of the effect (the last part of the reason code).
        severity: Severity of the reason.
        message: What the clinician is told.
        source: Citation.
        mood_protocols_only: Whether the effect concerns the antidepressant response only.
    """

    effect: str
    severity: Severity
    message: str
    source: str
    mood_protocols_only: bool = False


_BP = "bp_risk"
_SEDATION = "sedation_risk"
_RESPONSE = "blunted_response"
_M = MedicationClass


def _bp(drug: str) -> Interaction:
    return Interaction(
        _BP,
        Severity.REVIEW,
        f"{drug} with ketamine or esketamine may raise blood pressure further: weigh the risk "
        "and plan closer blood-pressure checks (before dosing, at about 40 minutes and until "
        "stable).",
        sources.SPRAVATO_BP_INTERACTION,
    )


def _sedation(drug: str) -> Interaction:
    return Interaction(
        _SEDATION,
        Severity.REVIEW,
        f"{drug} adds to the sedation of ketamine or esketamine: review the dose and timing and "
        "monitor sedation and breathing (pulse oximetry) closely.",
        sources.SPRAVATO_SEDATION_INTERACTION,
    )


INTERACTIONS: Final[Mapping[MedicationClass, tuple[Interaction, ...]]] = MappingProxyType(
    {
        _M.MAOI: (_bp("An MAOI"),),
        _M.PSYCHOSTIMULANT: (_bp("A psychostimulant"),),
        _M.BENZODIAZEPINE: (
            _sedation("A benzodiazepine"),
            Interaction(
                _RESPONSE,
                Severity.INFO,
                "Benzodiazepines, at higher doses, went with a weaker antidepressant response to "
                "ketamine in observational studies; consider the dose (evidence: observational, "
                "not randomised).",
                sources.BENZODIAZEPINE_RESPONSE,
                mood_protocols_only=True,
            ),
        ),
        _M.Z_DRUG_HYPNOTIC: (_sedation("A non-benzodiazepine hypnotic (z-drug)"),),
        _M.OPIOID: (_sedation("An opioid"),),
        _M.LAMOTRIGINE: (
            Interaction(
                _RESPONSE,
                Severity.INFO,
                "Lamotrigine may blunt ketamine's effects: it reduced ketamine's perceptual "
                "effects in healthy volunteers. Weak evidence: its effect on the antidepressant "
                "response has not been studied.",
                sources.LAMOTRIGINE_RESPONSE,
                mood_protocols_only=True,
            ),
        ),
        _M.OTHER: (),
    }
)


def interaction_reasons(inp: ScreeningInput) -> list[Reason]:
    """One reason per (medication class, effect) that applies to the protocol.

    Codes are ``interaction.<class>.<effect>``, e.g. ``interaction.maoi.bp_risk``.
    """
    return interactions_for(inp.medication_classes, inp.protocol)


def interactions_for(
    classes: Iterable[MedicationClass], protocol: ProtocolId | None
) -> list[Reason]:
    """The interaction reasons of ``classes`` on ``protocol``, as screening gives them.

    The order and the chair show the same reasons as the screening. ``protocol`` is None for a
    clinic's own protocol that no screening protocol covers: whether it treats mood or pain is
    unknown then, so every effect is shown, the response ones included.
    """
    mood = protocol is not ProtocolId.IV_KETAMINE_PAIN
    return [
        Reason(f"interaction.{klass.value}.{item.effect}", item.severity, item.message, item.source)
        for klass in sorted(frozenset(classes))
        for item in INTERACTIONS[klass]
        if mood or not item.mood_protocols_only
    ]
