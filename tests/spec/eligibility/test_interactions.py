"""Medicine interactions: one reason per class and effect, with severity and source.

docs/clinical/eligibility.md#interactions: MAOIs and psychostimulants raise blood pressure and
CNS depressants add sedation (Spravato PI §7: review on every protocol); benzodiazepines and
lamotrigine may blunt the antidepressant response (weak evidence: information on the mood
protocols, nothing on the pain protocol); ``other`` has no rule.
"""

from __future__ import annotations

import pytest

from ketacare.core.eligibility import Decision, ProtocolId, Severity, screen
from ketacare.core.eligibility.interactions import INTERACTIONS
from ketacare.core.medications import MedicationClass

M = MedicationClass
IV_MOOD = ProtocolId.IV_KETAMINE_DEPRESSION
IV_PAIN = ProtocolId.IV_KETAMINE_PAIN
ESK = ProtocolId.ESKETAMINE_NASAL
REVIEW, INFO = Severity.REVIEW, Severity.INFO

# (class, protocol, {interaction reason code: severity}, decision)
TABLE = [
    (M.MAOI, ESK, {"interaction.maoi.bp_risk": REVIEW}, Decision.NEEDS_REVIEW),
    (M.MAOI, IV_MOOD, {"interaction.maoi.bp_risk": REVIEW}, Decision.NEEDS_REVIEW),
    (M.MAOI, IV_PAIN, {"interaction.maoi.bp_risk": REVIEW}, Decision.NEEDS_REVIEW),
    (
        M.PSYCHOSTIMULANT,
        ESK,
        {"interaction.psychostimulant.bp_risk": REVIEW},
        Decision.NEEDS_REVIEW,
    ),
    (
        M.PSYCHOSTIMULANT,
        IV_PAIN,
        {"interaction.psychostimulant.bp_risk": REVIEW},
        Decision.NEEDS_REVIEW,
    ),
    (
        M.BENZODIAZEPINE,
        ESK,
        {
            "interaction.benzodiazepine.sedation_risk": REVIEW,
            "interaction.benzodiazepine.blunted_response": INFO,
        },
        Decision.NEEDS_REVIEW,
    ),
    (
        M.BENZODIAZEPINE,
        IV_MOOD,
        {
            "interaction.benzodiazepine.sedation_risk": REVIEW,
            "interaction.benzodiazepine.blunted_response": INFO,
        },
        Decision.NEEDS_REVIEW,
    ),
    (
        M.BENZODIAZEPINE,
        IV_PAIN,
        {"interaction.benzodiazepine.sedation_risk": REVIEW},
        Decision.NEEDS_REVIEW,
    ),
    (
        M.Z_DRUG_HYPNOTIC,
        IV_MOOD,
        {"interaction.z_drug_hypnotic.sedation_risk": REVIEW},
        Decision.NEEDS_REVIEW,
    ),
    (M.OPIOID, IV_PAIN, {"interaction.opioid.sedation_risk": REVIEW}, Decision.NEEDS_REVIEW),
    (M.OPIOID, ESK, {"interaction.opioid.sedation_risk": REVIEW}, Decision.NEEDS_REVIEW),
    (M.LAMOTRIGINE, IV_MOOD, {"interaction.lamotrigine.blunted_response": INFO}, Decision.ELIGIBLE),
    (M.LAMOTRIGINE, ESK, {"interaction.lamotrigine.blunted_response": INFO}, Decision.ELIGIBLE),
    (M.LAMOTRIGINE, IV_PAIN, {}, Decision.ELIGIBLE),
    (M.OTHER, IV_MOOD, {}, Decision.ELIGIBLE),
    (M.OTHER, ESK, {}, Decision.ELIGIBLE),
]


def _interaction_reasons(result):
    return {r.code: r for r in result.reasons if r.code.startswith("interaction.")}


@pytest.mark.parametrize(
    ("klass", "protocol", "expected", "decision"),
    TABLE,
    ids=[f"{row[0].value}-{row[1].value}" for row in TABLE],
)
def test_interaction_table(make_input, klass, protocol, expected, decision):
    result = screen(make_input(protocol, medication_classes=frozenset({klass})))
    reasons = _interaction_reasons(result)
    assert {code: reason.severity for code, reason in reasons.items()} == expected
    assert all("docs/clinical/eligibility.md#interactions" in r.source for r in reasons.values())
    assert result.decision is decision


def test_weak_evidence_says_so_in_the_reason(make_input):
    result = screen(make_input(medication_classes=frozenset({M.LAMOTRIGINE, M.BENZODIAZEPINE})))
    reasons = _interaction_reasons(result)
    assert "Weak evidence" in reasons["interaction.lamotrigine.blunted_response"].message
    assert "observational" in reasons["interaction.benzodiazepine.blunted_response"].message


def test_several_classes_give_every_reason_once(make_input):
    every = frozenset(MedicationClass)
    reasons = _interaction_reasons(screen(make_input(ESK, medication_classes=every)))
    expected = sum(len(items) for items in INTERACTIONS.values())
    assert len(reasons) == expected == 7


def test_every_class_has_a_catalogue_entry():
    assert set(INTERACTIONS) == set(MedicationClass)
