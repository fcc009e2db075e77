"""Indications catalogue: ICD-10-CM codes, evidence per protocol and default outcome measure.

Evidence text and grades come from docs/clinical/eligibility.md#status-of-the-evidence,
docs/clinical/eligibility.md#pain-indications, docs/clinical/dosing.md#esketamine-nasal-spray,
docs/clinical/outcomes.md#efficacy-benchmarks, docs/clinical/eligibility.md#rule-10. ICD-10-CM codes
are from the CMS/CDC ICD-10-CM tabular list (a trailing ``-`` means "the category and its
subcodes"). G90.5- and M79.7 were checked against public code pages (hccbuddy.com/icd10/G90.50;
diseasedb.com/icd10/M79.7); the others are [recall] from the tabular list and should be checked
against the current CMS release when the lead seeds the code tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from ketacare.core.codes import ProtocolId
from ketacare.core.errors import NotFound

ICD10CM_SOURCE: Final = (
    "ICD-10-CM tabular list (CMS/CDC); G90.5-, M79.7 checked [found: hccbuddy.com, "
    "diseasedb.com]; other codes [recall: ICD-10-CM tabular list]"
)

_IV_MOOD = ProtocolId.IV_KETAMINE_DEPRESSION
_IV_PAIN = ProtocolId.IV_KETAMINE_PAIN
_ESK = ProtocolId.ESKETAMINE_NASAL


class EvidenceLevel(StrEnum):
    """Evidence grade as the reference states it (no grade is invented where none exists)."""

    LABEL_APPROVED = "label_approved"
    CANMAT_LEVEL_1 = "canmat_level_1"
    GRADE_B = "grade_b_moderate"
    GRADE_C = "grade_c_weak"
    GRADE_D = "grade_d_weak_or_none"
    TRIALS_NO_GRADE = "trials_without_guideline_grade"


@dataclass(frozen=True, slots=True)
class Evidence:
    """Evidence for one indication under one protocol."""

    level: EvidenceLevel
    summary: str
    source: str


@dataclass(frozen=True, slots=True)
class Indication:
    """One catalogue entry.

    Attributes:
        id: Stable catalogue id (used in inputs and stored decisions).
        name: Clinician-facing name.
        icd10cm: ICD-10-CM codes or categories (``-`` suffix = category).
        evidence: Evidence per protocol; a protocol missing here is outside its scope.
        default_instrument: Project instrument id used as the default outcome measure.
        other_instruments: Further instrument ids commonly used for this indication.
        requires_trd: Whether the TRD gate (docs/clinical/eligibility.md#rule-1) applies.
    """

    id: str
    name: str
    icd10cm: tuple[str, ...]
    evidence: Mapping[ProtocolId, Evidence]
    default_instrument: str
    other_instruments: tuple[str, ...] = ()
    requires_trd: bool = False
    icd10cm_source: str = field(default=ICD10CM_SOURCE)


_CANMAT = Evidence(
    EvidenceLevel.CANMAT_LEVEL_1,
    "Acute IV ketamine: Level 1 evidence but third-line for TRD; maintenance only Level 3, "
    "decided case by case. Off-label.",
    "CANMAT, Swainson 2021 [found: PMC8138742; PMID 33174760]; "
    "docs/clinical/eligibility.md#status-of-the-evidence",
)
_SPRAVATO_TRD = Evidence(
    EvidenceLevel.LABEL_APPROVED,
    "FDA-approved for adults with TRD (>=2 oral antidepressants failed); monotherapy approved "
    "21 Jan 2025.",
    "Spravato label [found: Mental Health Weekly 2025; beckershospitalreview.com]; "
    "docs/clinical/dosing.md#esketamine-nasal-spray, "
    "docs/clinical/eligibility.md#treatment-resistant-depression",
)
_SPRAVATO_MDSI = Evidence(
    EvidenceLevel.LABEL_APPROVED,
    "FDA-approved for depressive symptoms in MDD with acute suicidal ideation or behaviour "
    "(84 mg twice weekly for 4 weeks; beyond 4 weeks not systematically studied).",
    "Spravato label [found: spravatohcp.com/mdsi; MIMS]; "
    "docs/clinical/dosing.md#esketamine-nasal-spray",
)
_IV_SI = Evidence(
    EvidenceLevel.TRIALS_NO_GRADE,
    "Suicidal ideation fell within 1 day (IPD meta-analysis, d 0.48-0.85 to day 7). Off-label.",
    "Wilkinson 2018 AJP [found: PMID 28969441]; docs/clinical/outcomes.md#efficacy-benchmarks",
)


def _pain(level: EvidenceLevel, summary: str) -> Mapping[ProtocolId, Evidence]:
    source = (
        "Cohen 2018 [found: guidelinecentral; medcentral]; "
        "docs/clinical/eligibility.md#pain-indications, docs/clinical/eligibility.md#rule-10"
    )
    return MappingProxyType({_IV_PAIN: Evidence(level, summary, source)})


def _mood(summary: str, source: str) -> Mapping[ProtocolId, Evidence]:
    return MappingProxyType({_IV_MOOD: Evidence(EvidenceLevel.TRIALS_NO_GRADE, summary, source)})


_GRADE_D = "Weak or no evidence for immediate relief (grade D); none for longer-term benefit."

INDICATIONS: Final[Mapping[str, Indication]] = MappingProxyType(
    {
        entry.id: entry
        for entry in (
            Indication(
                id="depression",
                name="Major depressive disorder, including treatment-resistant depression",
                icd10cm=("F32-", "F33-"),
                evidence=MappingProxyType({_IV_MOOD: _CANMAT, _ESK: _SPRAVATO_TRD}),
                default_instrument="phq9",
                other_instruments=("madrs", "qids-sr16"),
                requires_trd=True,
            ),
            Indication(
                id="mdd_suicidal_ideation",
                name="Major depressive disorder with acute suicidal ideation or behaviour",
                icd10cm=("F32-", "F33-", "R45.851"),
                evidence=MappingProxyType({_IV_MOOD: _IV_SI, _ESK: _SPRAVATO_MDSI}),
                default_instrument="phq9",
                other_instruments=("madrs", "qids-sr16"),
            ),
            Indication(
                id="gad",
                name="Generalised anxiety disorder",
                icd10cm=("F41.1",),
                evidence=_mood(
                    "Small studies only (subcutaneous ketamine): anxiety ratings down about 50 % "
                    "1 h after dose. Off-label.",
                    "Glue 2017/2018 [found: citclinics; destinketaminesolutions]; "
                    "docs/clinical/outcomes.md#efficacy-benchmarks",
                ),
                default_instrument="gad7",
            ),
            Indication(
                id="social_anxiety",
                name="Social anxiety disorder",
                icd10cm=("F40.10", "F40.11"),
                evidence=_mood(
                    "One small crossover RCT (n=18): LSAS response 33.3 % vs 0 %. Off-label.",
                    "Taylor 2018 [found: PMC5729569]; "
                    "docs/clinical/outcomes.md#efficacy-benchmarks",
                ),
                default_instrument="lsas",
                other_instruments=("spin",),
            ),
            Indication(
                id="ptsd",
                name="Post-traumatic stress disorder",
                icd10cm=("F43.10", "F43.11", "F43.12"),
                evidence=_mood(
                    "Mixed: Feder 2021 67 % vs 20 % CAPS-5 responders; Abdallah 2022 (n=158) "
                    "no significant PTSD effect. Off-label.",
                    "Feder 2021 [found: citclinics]; Abdallah 2022 [found]; "
                    "docs/clinical/outcomes.md#efficacy-benchmarks",
                ),
                default_instrument="pcl5",
            ),
            Indication(
                id="crps",
                name="Complex regional pain syndrome",
                icd10cm=("G90.5-", "G56.4-", "G57.7-"),
                evidence=_pain(
                    EvidenceLevel.GRADE_B,
                    "Moderate evidence (grade B): improvement for up to 12 weeks.",
                ),
                default_instrument="nrs-pain",
                other_instruments=("crps-css", "bpi-sf", "peg3"),
            ),
            Indication(
                id="spinal_cord_injury_pain",
                name="Spinal cord injury pain",
                icd10cm=("G89.29", "S14.1-", "S24.1-", "S34.1-"),
                evidence=_pain(EvidenceLevel.GRADE_C, "Weak evidence (grade C), short-term only."),
                default_instrument="nrs-pain",
                other_instruments=("bpi-sf", "peg3"),
            ),
            Indication(
                id="neuropathic_pain",
                name="Neuropathic pain (mixed neuropathic, post-herpetic, phantom limb)",
                icd10cm=("M79.2", "G62.9", "B02.2-", "G54.6"),
                evidence=_pain(EvidenceLevel.GRADE_D, _GRADE_D),
                default_instrument="nrs-pain",
                other_instruments=("bpi-sf", "peg3"),
            ),
            Indication(
                id="fibromyalgia",
                name="Fibromyalgia",
                icd10cm=("M79.7",),
                evidence=_pain(EvidenceLevel.GRADE_D, _GRADE_D),
                default_instrument="fiqr",
                other_instruments=("nrs-pain", "peg3"),
            ),
            Indication(
                id="chronic_pain_other",
                name="Other chronic pain (cancer, ischaemic, migraine, low-back pain)",
                icd10cm=("G89.29", "G89.3", "G89.4"),
                evidence=_pain(EvidenceLevel.GRADE_D, _GRADE_D),
                default_instrument="nrs-pain",
                other_instruments=("peg3", "bpi-sf"),
            ),
        )
    }
)


def get_indication(indication_id: str) -> Indication:
    """Return the catalogue entry for ``indication_id``.

    Raises:
        NotFound: if the id is not in the catalogue.
    """
    try:
        return INDICATIONS[indication_id]
    except KeyError:
        raise NotFound(
            "eligibility.unknown_indication",
            f"unknown indication {indication_id!r}",
            field="indication",
        ) from None
