"""The default outcome rule set, one entry per instrument, each number with its source.

Only what the clinical reference gives is encoded; an instrument or a part of it that the
reference leaves without a rule stays ``None`` (the summary then says "not assessable" instead of
inventing a threshold). Notable choices, all configurable:

* MADRS remission defaults to <=10 (ESCAPE-TRD; docs/clinical/outcomes.md#rule-38). The Janssen TRD
  programme's <=12 is available as :data:`MADRS_REMISSION_JANSSEN`.
* MADRS relapse uses >=22, the esketamine maintenance-trial convention named in
docs/clinical/instruments.md#special-scoring-rules [recall], not the band edge 20 of the severity
table.
* PCL-5 remission is "below the cut-off" [recall]; the reference gives the cut as 31-33. The
  default (total < 33) matches the instrument catalogue's default provisional-diagnosis cut-off
  (33), so "no provisional PTSD" and "remission" never disagree; 31 or 32 are configurable.
* Pain NRS-11 response defaults to >=30 % ("moderate", docs/clinical/outcomes.md#rule-38); the
IMMPACT
  "substantial" >=50 % is :data:`NRS_SUBSTANTIAL_RESPONSE`.
* LSAS response: docs/clinical/outcomes.md#response-and-remission-definitions gives >35 % [found:
Taylor 2018] and
  docs/clinical/instruments.md#lsas ~28-29 %
  (secondary). The found value is the default.
"""

from __future__ import annotations

from fractions import Fraction

from ketacare.core.instruments import load_catalogue
from ketacare.core.instruments.model import Outcomes
from ketacare.core.outcomes.rules import (
    RULES_VERSION,
    Comparison,
    Evidence,
    InstrumentRules,
    McidRule,
    OutcomeRules,
    RelapseBand,
    RemissionRule,
    ResponseRule,
)

# The response and remission cut-offs of catalogued instruments are written once, beside each
# scale in the instrument catalogue; the rules below read them from there and add their own
# citation and evidence grade. Instruments the catalogue does not carry (CAPS-5, LSAS-SR) and
# alternatives the catalogue does not name (NRS >=50 %) keep their number here.
_CATALOGUE_COMPARISON = {"<": Comparison.BELOW, "<=": Comparison.AT_MOST}


def _outcomes(catalogue_id: str) -> Outcomes:
    return load_catalogue().get(catalogue_id).outcomes


def _response(catalogue_id: str, source: str, evidence: Evidence) -> ResponseRule:
    rule = _outcomes(catalogue_id).response
    if rule is None:  # pragma: no cover - guarded by the catalogue agreement spec
        msg = f"the {catalogue_id} catalogue entry has no response rule"
        raise RuntimeError(msg)
    pct = float(Fraction(str(rule.min_reduction_fraction)) * 100)
    return ResponseRule(pct, source, evidence, strict=not rule.inclusive)


def _remission(
    catalogue_id: str, source: str, evidence: Evidence, *, alternative: int | None = None
) -> RemissionRule:
    rule = _outcomes(catalogue_id).remission
    if rule is None:  # pragma: no cover - guarded by the catalogue agreement spec
        msg = f"the {catalogue_id} catalogue entry has no remission rule"
        raise RuntimeError(msg)
    cutoff = rule.value if alternative is None else rule.alternatives[alternative]
    return RemissionRule(cutoff, _CATALOGUE_COMPARISON[rule.op], source, evidence)


_DEPRESSION_RESPONSE_SOURCE = (
    "docs/clinical/outcomes.md#response-and-remission-definitions: response = >=50% reduction from "
    "baseline (MADRS, HAM-D or QIDS-SR16) "
    "[found: ELEKT-D, Anand 2023 NEJM; Talati 2019]"
)
_PAIN_RESPONSE_SOURCE = (
    "docs/clinical/instruments.md#nrs-11-pain: ~30% drop = clinically important [found: Farrar et "
    "al. 2001 Pain]; "
    "docs/clinical/outcomes.md#rule-38: pain response = >=30% NRS drop"
)

PHQ9 = InstrumentRules(
    "phq9",
    response=_response(
        "phq9",
        "docs/clinical/outcomes.md#rule-38: response = >=50% drop from baseline "
        "(MADRS/QIDS-SR16/PHQ-9)",
        Evidence.FOUND,
    ),
    remission=_remission(
        "phq9",
        "docs/clinical/outcomes.md#response-and-remission-definitions: PHQ-9 <5 [found: SUSTAIN-3, "
        "PMC10439056]",
        Evidence.FOUND,
    ),
    relapse_band=RelapseBand(
        10,
        "docs/clinical/instruments.md#phq-9: 10-14 moderate "
        "[found: LOINC LL382-3; CamCOPS phq9.py]",
        Evidence.FOUND,
    ),
    mcid=McidRule(
        5,
        "docs/clinical/instruments.md#phq-9: individual MCID 5 [found: Löwe et al. 2004 Med Care]",
        Evidence.FOUND,
    ),
)

MADRS_REMISSION_DEFAULT = _remission(
    "madrs",
    "docs/clinical/outcomes.md#response-and-remission-definitions, "
    "docs/clinical/outcomes.md#rule-38: MADRS <=10 [found: ESCAPE-TRD abstract]",
    Evidence.FOUND,
)
MADRS_REMISSION_JANSSEN = _remission(
    "madrs",
    "docs/clinical/outcomes.md#response-and-remission-definitions: Janssen TRD programme <=12 "
    "[found: SUSTAIN-3 table, PMC10439056]",
    Evidence.FOUND,
    alternative=0,
)

MADRS = InstrumentRules(
    "madrs",
    response=_response(
        "madrs",
        "docs/clinical/instruments.md#madrs: response >=50% [found: Auvelity HCP page]; "
        "docs/clinical/outcomes.md#response-and-remission-definitions",
        Evidence.FOUND,
    ),
    remission=MADRS_REMISSION_DEFAULT,
    relapse_band=RelapseBand(
        22,
        "docs/clinical/instruments.md#madrs, docs/clinical/instruments.md#special-scoring-rules: "
        "relapse ~MADRS >=22 at 2 consecutive visits "
        "in esketamine maintenance trials [recall]; severity table moderate band starts at 20",
        Evidence.RECALL,
    ),
)

QIDS_SR16 = InstrumentRules(
    "qidssr16",
    response=_response("qids-sr16", _DEPRESSION_RESPONSE_SOURCE, Evidence.FOUND),
    remission=_remission(
        "qids-sr16",
        "docs/clinical/outcomes.md#response-and-remission-definitions: QIDS-SR16 <=5 [recall: Rush "
        "et al. 2003]; docs/clinical/instruments.md#qids-sr16 [R]",
        Evidence.RECALL,
    ),
    relapse_band=RelapseBand(
        11,
        "docs/clinical/instruments.md#qids-sr16: 11-15 moderate [found: Millisecond QIDS-SR16 "
        "manual]",
        Evidence.FOUND,
    ),
)

HAMD17 = InstrumentRules(
    "hamd17",
    response=_response("hamd17", _DEPRESSION_RESPONSE_SOURCE, Evidence.FOUND),
    remission=_remission(
        "hamd17",
        "docs/clinical/instruments.md#ham-d17: remission <=7 [found: Auvelity HCP page]; "
        "docs/clinical/outcomes.md#response-and-remission-definitions "
        "[recall: Frank et al. 1991]",
        Evidence.FOUND,
    ),
    relapse_band=RelapseBand(
        14,
        "docs/clinical/instruments.md#ham-d17: 14-18 moderate [found: CamCOPS hamd.py]",
        Evidence.FOUND,
    ),
)

BDI2 = InstrumentRules(
    "bdi2",
    response=_response(
        "bdi2", "docs/clinical/instruments.md#bdi-ii: response >=50% [R]", Evidence.RECALL
    ),
    remission=_remission(
        "bdi2",
        "docs/clinical/instruments.md#bdi-ii: remission <=12 [found: Riedel et al. 2010 J "
        "Psychiatr Res]",
        Evidence.FOUND,
    ),
    relapse_band=RelapseBand(
        20,
        "docs/clinical/instruments.md#bdi-ii: 20-28 moderate "
        "[found: self-management.eu, secondary]",
        Evidence.FOUND,
    ),
)

GAD7 = InstrumentRules(
    "gad7",
    response=_response(
        "gad7", "docs/clinical/instruments.md#gad-7: response >=50% [R]", Evidence.RECALL
    ),
    remission=_remission(
        "gad7", "docs/clinical/instruments.md#gad-7: remission <5 [R]", Evidence.RECALL
    ),
    relapse_band=RelapseBand(
        10,
        "docs/clinical/instruments.md#gad-7: 10-14 moderate [found: CamCOPS gad7.py]",
        Evidence.FOUND,
    ),
    mcid=McidRule(
        4,
        "docs/clinical/instruments.md#gad-7: MCID 4 [found: Toussaint et al. 2020 J Affect Disord]",
        Evidence.FOUND,
    ),
)

PCL5 = InstrumentRules(
    "pcl5",
    response=_response(
        "pcl5",
        "docs/clinical/outcomes.md#rule-38: PTSD response = CAPS-5 (or PCL-5) >=30% drop "
        "[found: Feder 2021 AJP, CAPS-5]",
        Evidence.FOUND,
    ),
    remission=_remission(
        "pcl5",
        "docs/clinical/instruments.md#pcl-5: remission ~ falling below the cut-off [R]; cut-off "
        "31-33 "
        "[found: comorbidityguidelines.org.au]; 33 = the catalogue's default cut-off",
        Evidence.RECALL,
    ),
    mcid=McidRule(
        10,
        "docs/clinical/instruments.md#pcl-5: >=10 pts clinically meaningful [found: "
        "calculate.qxmd.com]",
        Evidence.FOUND,
    ),
)

CAPS5 = InstrumentRules(
    "caps5",
    response=ResponseRule(
        30.0,
        "docs/clinical/outcomes.md#response-and-remission-definitions: PTSD response = >=30% "
        "CAPS-5 reduction [found: Feder 2021]",
        Evidence.FOUND,
    ),
)

NRS_SUBSTANTIAL_RESPONSE = ResponseRule(
    50.0,
    "docs/clinical/instruments.md#nrs-11-pain: >=50% = substantial [found: IMMPACT, Dworkin et al. "
    "2008 summary]; "
    "docs/clinical/outcomes.md#rule-38 (CONFIG)",
    Evidence.FOUND,
)

NRS11 = InstrumentRules(
    "nrs11",
    response=_response("nrs-pain", _PAIN_RESPONSE_SOURCE, Evidence.FOUND),
    mcid=McidRule(
        2,
        "docs/clinical/instruments.md#nrs-11-pain: ~2 pts clinically important [found: Farrar et "
        "al. 2001 Pain]",
        Evidence.FOUND,
    ),
)

BPI_SF = InstrumentRules(
    "bpisf",
    response=_response(
        "bpi-sf",
        "docs/clinical/instruments.md#bpi-sf: use the IMMPACT intensity thresholds of row 12 "
        "(>=30%)",
        Evidence.FOUND,
    ),
)

PEG3 = InstrumentRules(
    "peg3",
    response=_response(
        "peg3",
        "docs/clinical/instruments.md#peg-3: ~30% improvement commonly treated as meaningful [R]",
        Evidence.RECALL,
    ),
)

FIQR = InstrumentRules(
    "fiqr",
    remission=_remission(
        "fiqr",
        "docs/clinical/instruments.md#fiqr: 0-23 remission [found: Salaffi et al. 2020 "
        "Rheumatology]",
        Evidence.FOUND,
    ),
    relapse_band=RelapseBand(
        41,
        "docs/clinical/instruments.md#fiqr: 41-63 moderate [found: Salaffi et al. 2020 "
        "Rheumatology]",
        Evidence.FOUND,
    ),
)

LSAS = InstrumentRules(
    "lsas",
    response=_response(
        "lsas",
        "docs/clinical/outcomes.md#response-and-remission-definitions: social anxiety response "
        ">35% LSAS reduction "
        "[found: Taylor 2018 Neuropsychopharmacology, PMC5729569]",
        Evidence.FOUND,
    ),
    remission=_remission(
        "lsas",
        "docs/clinical/instruments.md#lsas: remission LSAS-CA <=30 [secondary summary, verify]",
        Evidence.RECALL,
    ),
    relapse_band=RelapseBand(
        50,
        "docs/clinical/instruments.md#lsas: 50-64 moderate [found: hiboop, citing Mennin 2002]",
        Evidence.FOUND,
    ),
)

LSAS_SR = InstrumentRules(
    "lsassr",
    response=LSAS.response,
    remission=RemissionRule(
        35,
        Comparison.AT_MOST,
        "docs/clinical/instruments.md#lsas: remission LSAS-SR <=35 [secondary summary, verify]",
        Evidence.RECALL,
    ),
    relapse_band=LSAS.relapse_band,
)

DEFAULT_RULES = OutcomeRules(
    version=RULES_VERSION,
    instruments=(
        PHQ9,
        MADRS,
        QIDS_SR16,
        HAMD17,
        BDI2,
        GAD7,
        PCL5,
        CAPS5,
        NRS11,
        BPI_SF,
        PEG3,
        FIQR,
        LSAS,
        LSAS_SR,
    ),
)
"""The default rule set (version :data:`RULES_VERSION`)."""
