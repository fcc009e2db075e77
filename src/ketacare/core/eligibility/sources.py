"""Citation strings for every eligibility rule.

Each rule that produces a screening reason names one of these constants as its ``source``, so a
clinician reading a decision can find the evidence behind it. The tags follow
``docs/clinical/README.md``: ``[found: ...]`` was read in the source, ``[recall: ...]``
was not re-checked and is therefore encoded as a configurable default.
"""

from __future__ import annotations

from typing import Final

SPRAVATO_CONTRAINDICATIONS: Final = (
    "Spravato (esketamine) label, Contraindications / ISI [found: usmedicine.com Spravato ISI]; "
    "docs/clinical/eligibility.md#contraindications, docs/clinical/eligibility.md#rule-3"
)
SPRAVATO_ABSOLUTE_MIRRORED_FOR_IV: Final = (
    "Spravato label contraindications mirrored for IV racemic ketamine by default "
    "('reasonable to mirror', docs/clinical/eligibility.md#contraindications, "
    "docs/clinical/eligibility.md#rule-3) [found: usmedicine.com Spravato ISI]"
)
COHEN_2018_RELATIVE: Final = (
    "Cohen et al. 2018 ASRA/AAPM/ASA ketamine guideline, contraindications "
    "[found: guidelinecentral.com/guideline/8150]; docs/clinical/eligibility.md#contraindications, "
    "docs/clinical/eligibility.md#rule-4"
)
SPRAVATO_PSYCHOSIS: Final = (
    "Spravato PI §5.2: assess psychosis carefully, treat only if benefit outweighs risk "
    "[found: 120ty.net mirror]; Cohen 2018 (active psychosis, relative); Sanacora 2017 "
    "(attention to psychosis history) [found: mdedge summary]; "
    "docs/clinical/eligibility.md#pre-treatment-evaluation, "
    "docs/clinical/eligibility.md#contraindications"
)
KETALAR_HYPERTENSION: Final = (
    "Ketalar (ketamine HCl) PI §4: contraindicated where a significant rise in blood pressure "
    "would be a serious hazard [recall: Ketalar PI §4, unverified, hence configurable]; "
    "docs/clinical/eligibility.md#contraindications"
)
SPRAVATO_BP_RISK: Final = (
    "Spravato PI: do not give if a rise in BP or ICP would pose a serious risk "
    "[found: droracle summary of PI; recall: PI §2.1]; "
    "docs/clinical/session.md#esketamine-blood-pressure"
)
SPRAVATO_PREGNANCY: Final = (
    "Spravato ISI: embryo-fetal toxicity warning; breastfeeding not advised "
    "[found: usmedicine.com Spravato ISI]; docs/clinical/eligibility.md#contraindications, "
    "docs/clinical/eligibility.md#rule-8"
)
PREGNANCY_STATUS_RULE: Final = (
    "Pregnancy status must be recorded for patients who can become pregnant before each course "
    "[found: Spravato PI/ISI]; docs/clinical/eligibility.md#rule-8"
)
COHEN_2018_HEPATIC_CAUTION: Final = (
    "Cohen 2018: moderate hepatic disease, use with caution [found: guidelinecentral]; "
    "docs/clinical/eligibility.md#contraindications"
)
SUBSTANCE_USE_HISTORY: Final = (
    "Sanacora 2017 APA task force: assess substance-use history [found: mdedge summary]; "
    "ASA guidance: watch for diversion [found: asahq.org]; "
    "docs/clinical/eligibility.md#pre-treatment-evaluation, docs/clinical/eligibility.md#rule-43"
)
KETAMINE_MISUSE: Final = (
    "Spravato PI §5.3: Schedule III, assess abuse and misuse risk before prescribing "
    "[found: PI §5.3 mirror]; ASA guidance on diversion [found: asahq.org]; "
    "docs/clinical/session.md#sedation-dissociation-and-breathing, "
    "docs/clinical/eligibility.md#rule-43"
)
ECG_PROMPT: Final = (
    "Cohen 2018: baseline ECG if cardiovascular disease is suspected or risk is high "
    "[found: guidelinecentral.com/guideline/8150]; "
    "docs/clinical/eligibility.md#pre-treatment-evaluation, docs/clinical/eligibility.md#rule-6"
)
LFT_PROMPT: Final = (
    "Cohen 2018: baseline and post-infusion LFTs with liver dysfunction, hepatotoxicity risk or "
    "high-dose frequent infusions [found: guidelinecentral]; Noppers 2011 (PMID 21546160); "
    "docs/clinical/eligibility.md#pre-treatment-evaluation, "
    "docs/clinical/eligibility.md#long-term-safety, docs/clinical/eligibility.md#rule-6, "
    "docs/clinical/eligibility.md#rule-41"
)
BP_SCREENING: Final = (
    "Spravato PI: baseline >140 mmHg systolic or >90 mmHg diastolic, weigh the BP rise against "
    "benefit [found: droracle summary of PI]; reused as the IV default "
    "(docs/clinical/session.md#rule-21)"
)
TRD_DEFINITION: Final = (
    "TRD = >=2 failed adequate antidepressant trials in the current episode: EU-PEARL Delphi, "
    "Sforzini 2022 (<25% improvement; stopping before week 4 without clear non-response does not "
    "count) [found: PMC9095475 Table 1]; expert consensus (<50%, 4-6 weeks) [found: PMC8049072]; "
    "EMA (>=2 different antidepressants) [found: Ann Gen Psychiatry 2023]; "
    "docs/clinical/eligibility.md#treatment-resistant-depression, "
    "docs/clinical/eligibility.md#rule-1"
)
MSM: Final = (
    "Maudsley Staging Method, Fekadu et al. 2018 BMC Psychiatry Table 3 [found]; "
    "docs/clinical/eligibility.md#treatment-resistant-depression, "
    "docs/clinical/eligibility.md#rule-2"
)
DAST10_BANDS: Final = (
    "DAST-10 score levels 0 none, 1-2 low, 3-5 moderate, 6-8 substantial, 9-10 severe "
    "[F:DAST-CDE]; >=3 suggests a problem [F:LN-82667]; docs/clinical/instruments.md#dast-10"
)
AUDITC_CUTOFFS: Final = (
    "AUDIT-C positive >=4 (men) / >=3 (women) [F:LN-75626]; the lower cut-off for other or "
    "unrecorded sex [R: docs/clinical/instruments.md#special-scoring-rules]; "
    "docs/clinical/instruments.md#audit-c"
)
INTAKE_FIELDS: Final = (
    "Required intake: diagnosis, substance-use history, baseline severity, prior treatments, "
    "medical history [found: Sanacora 2017 summaries]; "
    "docs/clinical/eligibility.md#pre-treatment-evaluation, docs/clinical/eligibility.md#rule-5, "
    "docs/clinical/eligibility.md#rule-43"
)
SPRAVATO_POPULATION: Final = (
    "Spravato label population: adults with MDD (TRD) or MDD with acute suicidal ideation or "
    "behaviour [found: Mental Health Weekly 2025; spravatohcp.com/mdsi]; "
    "docs/clinical/dosing.md#esketamine-nasal-spray, "
    "docs/clinical/eligibility.md#treatment-resistant-depression"
)
SPRAVATO_ELDERLY: Final = (
    "Spravato elderly (>=65) 28 mg day-1 start in some non-US labels [found: MIMS HK]; "
    "jurisdiction CONFIG (docs/clinical/dosing.md#rule-18)"
)
SPRAVATO_REMS: Final = (
    "Spravato REMS: enrol each outpatient before treatment; >=2 h monitoring "
    "[found: accessdata.fda.gov REMS=386; spravatorems.com]; "
    "docs/clinical/session.md#spravato-rems, docs/clinical/session.md#rule-35"
)
OFF_LABEL_IV: Final = (
    "IV racemic ketamine has no FDA approval for depression, PTSD, anxiety or chronic pain; "
    "APA 2017 statement is guidance [found: mdedge summary of Sanacora 2017]; "
    "docs/clinical/eligibility.md#status-of-the-evidence"
)
COHEN_2018_EVIDENCE: Final = (
    "Cohen 2018 evidence by condition [found: guidelinecentral; medcentral]; "
    "docs/clinical/eligibility.md#pain-indications, "
    "docs/clinical/eligibility.md#rule-10"
)
PROTOCOL_SCOPE: Final = (
    "Protocol scope: IV mood protocol (Sanacora 2017; CANMAT 2021), IV pain protocol "
    "(Cohen 2018), esketamine label indications (TRD, MDSI); "
    "docs/clinical/dosing.md#iv-ketamine-for-mood-disorders, "
    "docs/clinical/dosing.md#iv-ketamine-for-chronic-pain, "
    "docs/clinical/dosing.md#esketamine-nasal-spray"
)
ADULT_POPULATION: Final = (
    "Label and trial populations in the reference are adults (Spravato label population "
    "[found: Mental Health Weekly 2025]); no paediatric evidence "
    "(docs/clinical/eligibility.md#status-of-the-evidence)"
)
MANIA_SWITCH: Final = (
    "Switch into mania or hypomania after ketamine: case reports and series (Bhatt et al., Prim "
    "Care Companion CNS Disord 2021;23(3):20l02811, doi:10.4088/PCC.20l02811, reviewing 7 earlier "
    "reports; Wilkowska et al., Front Psychiatry 2020;11:516, doi:10.3389/fpsyt.2020.00516); "
    "bipolar RCT: manic symptoms in 1 ketamine and 1 placebo subject (Diazgranados et al., Arch "
    "Gen Psychiatry 2010;67:793-802, PMC3000408); bipolar depression is outside the EU-PEARL TRD "
    "definition (Sforzini 2022, PMC9095475) and the Spravato label population (MDD); "
    "docs/clinical/eligibility.md#bipolar-disorder-and-mania"
)
SLEEP_APNOEA: Final = (
    "Sleep-apnoea screen with a validated tool (e.g. STOP-BANG) before parenteral ketamine "
    "[found: CPSBC draft standard 2021, summary]; respiratory risk in the medical work-up "
    "(Sanacora et al., JAMA Psychiatry 2017;74:399-405) [found: summary]; Spravato: pulse "
    "oximetry at every session under the REMS [found: spravatohcp.com; FDA REMS 386]; "
    "docs/clinical/eligibility.md#sleep-apnoea"
)
SPRAVATO_BP_INTERACTION: Final = (
    "Spravato PI §7 (drug interactions): psychostimulants and MAOIs may increase blood pressure; "
    "monitor blood pressure closely [found: medicinenet PI summary; jnjmedicalconnect MAOI page, "
    "2024]; a REMS Patient Monitoring Form field [found: REMS form]; applied to IV racemic "
    "ketamine by analogy; docs/clinical/eligibility.md#interactions, "
    "docs/clinical/eligibility.md#rule-9"
)
SPRAVATO_SEDATION_INTERACTION: Final = (
    "Spravato PI §7 (drug interactions): CNS depressants such as benzodiazepines, opioids and "
    "hypnotics may increase sedation; monitor for sedation closely [found: medicinenet PI "
    "summary]; REMS Patient Monitoring Form fields [found: REMS form]; applied to IV racemic "
    "ketamine by analogy; docs/clinical/eligibility.md#interactions, "
    "docs/clinical/eligibility.md#rule-9"
)
BENZODIAZEPINE_RESPONSE: Final = (
    "Observational evidence only: higher benzodiazepine doses (>8 mg diazepam equivalent) went "
    "with a weaker response to one ketamine infusion (Andrashko et al., Front Psychiatry "
    "2020;11:844, PMID 33005153, n=47, retrospective); in a secondary analysis of an RCT only "
    "higher doses blunted the day-1 response, not day 3 (Feeney et al., J Clin Psychiatry "
    "2023;84(1):22m14491); docs/clinical/eligibility.md#interactions"
)
LAMOTRIGINE_RESPONSE: Final = (
    "Weak evidence: in 16 healthy volunteers lamotrigine reduced ketamine's perceptual effects "
    "and increased its immediate mood elevation (Anand et al., Arch Gen Psychiatry "
    "2000;57:270-276, doi:10.1001/archpsyc.57.3.270); its effect on the antidepressant response "
    "is not known (Andrade, J Clin Psychiatry 2017;78:e858, doi:10.4088/JCP.17f11802); "
    "docs/clinical/eligibility.md#interactions"
)
LFT_RULE_41: Final = (
    "Liver injury (enzymes >=3x ULN) in 3 of 6 CRPS patients during a second 100-h S-ketamine "
    "infusion (Noppers et al., Pain 2011;152:2173-2178, PMID 21546160); LFTs before and after "
    "infusion with liver risk or high-dose frequent infusions (Cohen et al., Reg Anesth Pain Med "
    "2018;43:521-546) [found: guidelinecentral]; docs/clinical/eligibility.md#rule-41"
)
BLADDER_RULE_42: Final = (
    "Monitor bladder function during ongoing treatment (Sanacora et al., JAMA Psychiatry "
    "2017;74:399-405) [found: psychiatryadvisor summary]; Spravato PI §5.9 ulcerative or "
    "interstitial cystitis: more lower urinary tract symptoms than placebo, monitor urinary and "
    "bladder symptoms [found: PI mirror]; docs/clinical/eligibility.md#rule-42"
)
COGNITION_RULE_44: Final = (
    "Monitor cognition during ongoing treatment (Sanacora et al., JAMA Psychiatry "
    "2017;74:399-405) [found: psychiatryadvisor summary]; Spravato PI §5.7: long-term cognitive "
    "effects not evaluated beyond one year [found: usmedicine.com ISI]; instrument CONFIG; "
    "docs/clinical/eligibility.md#rule-44"
)
