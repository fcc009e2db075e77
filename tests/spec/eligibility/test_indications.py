"""Indications catalogue (ICD-10-CM, evidence per protocol, default outcome instrument) and the
protocol-scope rule."""

from __future__ import annotations

import re

import pytest

from ketacare.core.eligibility import Decision, ProtocolId, Severity, screen
from ketacare.core.eligibility.indications import (
    INDICATIONS,
    EvidenceLevel,
    get_indication,
)
from ketacare.core.errors import Invalid, NotFound

IV_MOOD = ProtocolId.IV_KETAMINE_DEPRESSION
IV_PAIN = ProtocolId.IV_KETAMINE_PAIN
ESK = ProtocolId.ESKETAMINE_NASAL
PROJECT_INSTRUMENTS = {
    "phq9",
    "madrs",
    "qids-sr16",
    "gad7",
    "spin",
    "lsas",
    "pcl5",
    "nrs-pain",
    "peg3",
    "bpi-sf",
    "fiqr",
    "crps-css",
}
ICD10CM = re.compile(r"^[A-Z]\d{2}(\.[0-9A-Z]{1,4})?-?$")

CATALOGUE_TABLE = [
    # (id, ICD-10-CM code expected, default instrument, protocol -> evidence level)
    (
        "depression",
        "F33-",
        "phq9",
        {IV_MOOD: EvidenceLevel.CANMAT_LEVEL_1, ESK: EvidenceLevel.LABEL_APPROVED},
    ),
    (
        "mdd_suicidal_ideation",
        "R45.851",
        "phq9",
        {IV_MOOD: EvidenceLevel.TRIALS_NO_GRADE, ESK: EvidenceLevel.LABEL_APPROVED},
    ),
    ("gad", "F41.1", "gad7", {IV_MOOD: EvidenceLevel.TRIALS_NO_GRADE}),
    ("social_anxiety", "F40.10", "lsas", {IV_MOOD: EvidenceLevel.TRIALS_NO_GRADE}),
    ("ptsd", "F43.12", "pcl5", {IV_MOOD: EvidenceLevel.TRIALS_NO_GRADE}),
    ("crps", "G90.5-", "nrs-pain", {IV_PAIN: EvidenceLevel.GRADE_B}),
    ("spinal_cord_injury_pain", "G89.29", "nrs-pain", {IV_PAIN: EvidenceLevel.GRADE_C}),
    ("neuropathic_pain", "M79.2", "nrs-pain", {IV_PAIN: EvidenceLevel.GRADE_D}),
    ("fibromyalgia", "M79.7", "fiqr", {IV_PAIN: EvidenceLevel.GRADE_D}),
    ("chronic_pain_other", "G89.4", "nrs-pain", {IV_PAIN: EvidenceLevel.GRADE_D}),
]


@pytest.mark.parametrize(
    ("indication_id", "code", "instrument", "levels"),
    CATALOGUE_TABLE,
    ids=[row[0] for row in CATALOGUE_TABLE],
)
def test_catalogue_entry(indication_id, code, instrument, levels):
    entry = get_indication(indication_id)
    assert code in entry.icd10cm
    assert entry.default_instrument == instrument
    assert {protocol: ev.level for protocol, ev in entry.evidence.items()} == levels
    assert all(ev.source and ev.summary for ev in entry.evidence.values())


def test_catalogue_is_complete_and_well_formed():
    assert set(INDICATIONS) == {row[0] for row in CATALOGUE_TABLE}
    for entry in INDICATIONS.values():
        assert entry.icd10cm, entry.id
        assert all(ICD10CM.match(code) for code in entry.icd10cm), entry.id
        assert {entry.default_instrument, *entry.other_instruments} <= PROJECT_INSTRUMENTS
    assert [e.id for e in INDICATIONS.values() if e.requires_trd] == ["depression"]


def test_unknown_indication():
    with pytest.raises(NotFound):
        get_indication("insomnia")


SCOPE_TABLE = [
    # (protocol, indication, expected code, severity)
    (IV_MOOD, "depression", "indication.evidence", Severity.INFO),
    (IV_MOOD, "ptsd", "indication.evidence", Severity.INFO),
    (IV_PAIN, "fibromyalgia", "indication.evidence", Severity.INFO),
    (ESK, "mdd_suicidal_ideation", "indication.evidence", Severity.INFO),
    (ESK, "gad", "indication.outside_protocol_scope", Severity.REVIEW),
    (ESK, "crps", "indication.outside_protocol_scope", Severity.REVIEW),
    (IV_PAIN, "depression", "indication.outside_protocol_scope", Severity.REVIEW),
    (IV_MOOD, "crps", "indication.outside_protocol_scope", Severity.REVIEW),
    (IV_MOOD, None, "indication.not_recorded", Severity.REVIEW),
]


@pytest.mark.parametrize(
    ("protocol", "indication", "code", "severity"),
    SCOPE_TABLE,
    ids=[f"{p.value}-{i}" for p, i, _, _ in SCOPE_TABLE],
)
def test_protocol_scope(make_input, protocol, indication, code, severity):
    result = screen(make_input(protocol, indication=indication))
    assert {r.code: r.severity for r in result.reasons}[code] is severity


def test_pain_protocol_shows_evidence_grade(make_input):
    result = screen(make_input(IV_PAIN, indication="crps"))
    evidence = next(r for r in result.reasons if r.code == "indication.evidence")
    assert "grade B" in evidence.message
    assert "Cohen 2018" in evidence.source
    assert result.decision is Decision.ELIGIBLE


def test_unknown_indication_in_screening_is_invalid(make_input):
    with pytest.raises(Invalid) as caught:
        screen(make_input(indication="insomnia"))
    assert caught.value.field == "indication"
