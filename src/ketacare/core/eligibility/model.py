"""Value objects of eligibility screening: protocols, inputs, reasons and decisions.

Everything here is a frozen dataclass or a ``StrEnum``, so a screening can be stored, compared
and fingerprinted. The rules themselves live in the sibling modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from ketacare.core.codes import ProtocolId, SexAtBirth
from ketacare.core.medications.model import MedicationClass

# Version of the rule set below and in the sibling modules. Stored with every decision; bump it
# whenever a rule, threshold default or catalogue entry changes, so stored decisions made under
# another version are re-screened.
RULESET_VERSION: Final = "ketacare-eligibility-2025.2"


class Severity(StrEnum):
    """How a screening reason affects the decision."""

    BLOCK = "block"  # hard stop: can never be overridden
    REVIEW = "review"  # needs a prescriber override with a written justification
    INFO = "info"  # shown to the clinician, does not change the decision


class Decision(StrEnum):
    """Outcome of a screening."""

    ELIGIBLE = "eligible"
    NEEDS_REVIEW = "needs_review"
    INELIGIBLE = "ineligible"


class ScreeningStatus(StrEnum):
    """A stored screening: draft -> signed -> superseded; a newer draft supersedes a draft too."""

    DRAFT = "draft"
    SIGNED = "signed"
    SUPERSEDED = "superseded"


class EpisodeSeverity(StrEnum):
    """Severity of the current depressive episode, as the Maudsley Staging Method grades it."""

    SUBSYNDROMAL = "subsyndromal"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE_WITHOUT_PSYCHOSIS = "severe_without_psychosis"
    SEVERE_WITH_PSYCHOSIS = "severe_with_psychosis"


class ScreenResult(StrEnum):
    """Result of a yes/no symptom screen or check (bladder screen, cognition check)."""

    NEGATIVE = "negative"
    POSITIVE = "positive"  # symptoms present / a concern was found


class StopReason(StrEnum):
    """Why an antidepressant trial was stopped before an adequate duration."""

    NON_RESPONSE = "non_response"
    INTOLERANCE = "intolerance"
    PATIENT_CHOICE = "patient_choice"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class AntidepressantTrial:
    """One antidepressant trial from the treatment history.

    Attributes:
        drug: Drug name as charted (compared case-insensitively).
        weeks: Duration of the trial in weeks.
        adequate_dose: Whether the dose was confirmed adequate (None = not documented).
        improvement_percent: Percent symptom improvement during the trial (None = not recorded).
        current_episode: Whether the trial was in the current episode (None = not documented).
        stopped_early_reason: Why it was stopped early, if it was.
        adherent: Whether the patient took it as prescribed (None = not documented).
        dose: Dose as charted, free text (for the record; adequacy uses ``adequate_dose``).
    """

    drug: str
    weeks: float
    adequate_dose: bool | None = None
    improvement_percent: float | None = None
    current_episode: bool | None = None
    stopped_early_reason: StopReason | None = None
    adherent: bool | None = None
    dose: str | None = None


@dataclass(frozen=True, slots=True)
class ScreeningInput:
    """Everything the screening rules look at. Only ``protocol`` is required.

    ``None`` always means "not recorded"; the rules then ask for it rather than assume it.
    ``conditions`` holds ids from :data:`ketacare.core.eligibility.conditions.CONDITIONS`;
    ``medication_classes`` the classes of the medicines currently taken. ``lft_x_uln`` is the
    highest of ALT, AST, ALP and GGT as a multiple of the upper limit of normal.
    ``long_term_course`` is true when the course continues beyond induction (maintenance or a
    repeated course); the long-term safety checks (bladder screen, cognition check) apply then.
    """

    protocol: ProtocolId
    indication: str | None = None
    age_years: int | None = None
    sex_at_birth: SexAtBirth | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    conditions: frozenset[str] = field(default_factory=frozenset)
    bp_systolic: int | None = None
    bp_diastolic: int | None = None
    episode_duration_months: float | None = None
    episode_severity: EpisodeSeverity | None = None
    antidepressant_trials: tuple[AntidepressantTrial, ...] | None = None
    augmentation: bool | None = None
    ect: bool | None = None
    dast10_total: int | None = None
    auditc_total: int | None = None
    medication_classes: frozenset[MedicationClass] = field(default_factory=frozenset)
    lft_x_uln: float | None = None
    long_term_course: bool | None = None
    bladder_screen: ScreenResult | None = None
    cognition_check: ScreenResult | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """One finding of the screening, shown to the clinician and stored with the decision.

    Attributes:
        code: Stable dotted identifier, e.g. ``"contraindication.active_psychosis"``.
        severity: ``block``, ``review`` or ``info``.
        message: Plain-language explanation for a clinician.
        source: Citation of the rule (see :mod:`ketacare.core.eligibility.sources`).
    """

    code: str
    severity: Severity
    message: str
    source: str

    def as_dict(self) -> dict[str, str]:
        """Serialisable view (the CLI/API ``reasons`` entries)."""
        return {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "source": self.source,
        }


def decide(reasons: tuple[Reason, ...]) -> Decision:
    """Combine reasons into a decision: any block is ineligible, any review needs review.

    Args:
        reasons: All reasons of a screening.

    Returns:
        The decision implied by the most severe reason.
    """
    severities = {reason.severity for reason in reasons}
    if Severity.BLOCK in severities:
        return Decision.INELIGIBLE
    if Severity.REVIEW in severities:
        return Decision.NEEDS_REVIEW
    return Decision.ELIGIBLE
