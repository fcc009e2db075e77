"""Named special rules that are not plain arithmetic, referenced from the data files' ``special``.

Each rule reads the checked form and the generic result, and returns extra flags, derived
classifications, subscales and (for decision trees) the severity. Sources are cited per rule;
all refer to docs/clinical/instruments.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from ketacare.core.instruments.form import Form, Number

# PHQ-9 DSM-IV algorithm [docs/clinical/instruments.md#special-scoring-rules, F:CC phq9.py].
PHQ9_CORE_ITEMS = ("1", "2")
PHQ9_OTHER_ITEMS = ("3", "4", "5", "6", "7", "8")
PHQ9_SUICIDE_ITEM = "9"
PHQ9_SYMPTOM_MIN = 2  # an item at >= 2 ("more than half the days") counts as a symptom
PHQ9_SUICIDE_SYMPTOM_MIN = 1  # item 9 counts at >= 1
PHQ9_MAJOR_MIN_SYMPTOMS = 5
PHQ9_OTHER_MIN_SYMPTOMS = 2

# PCL-5 DSM-5 provisional diagnosis [F:PCL-G, F:CC pcl5.py], as in the reference pages
# at docs/clinical/instruments.md#pcl-5 and docs/clinical/instruments.md#special-scoring-rules:
# an item >= 2 ("moderately") is a symptom; need B >= 1, C >= 1, D >= 2, E >= 2.
PCL5_SYMPTOM_MIN = 2
PCL5_CLUSTER_MINIMUM = {"cluster_b": 1, "cluster_c": 1, "cluster_d": 2, "cluster_e": 2}

# C-SSRS screener triage [F:BLUEPRINT, F:CSSRS-T], as in the reference pages at
# docs/clinical/instruments.md#c-ssrs-screener and #special-scoring-rules.
CSSRS_HIGH_ITEMS = ("4", "5", "6b")  # intent, plan, behaviour within 3 months
CSSRS_IDEATION_ITEMS = ("1", "2")
CSSRS_BEHAVIOUR_ITEM = "6"
CSSRS_METHOD_ITEM = "3"
CSSRS_ORDER = ("none", "low", "moderate", "high")

# AUDIT-C: "if every point comes from item 1 ... review it" [docs/clinical/instruments.md#audit-c,
# F:LN-75626].
AUDITC_FREQUENCY_ITEM = "1"

# STOP-Bang: a score of 3-4 is high risk when >= 2 of the 4 STOP items are yes together with
# male sex, BMI > 35 kg/m2 or neck circumference > 40 cm (Chung et al., J Clin Sleep Med
# 2014;10:951, PMID 25142767; Chung et al., Chest 2016;149:631, PMID 26378880), as in the
# reference page docs/clinical/instruments.md#stop-bang.
STOP_BANG_STOP_ITEMS = ("1", "2", "3", "4")
STOP_BANG_STOP_MIN = 2
STOP_BANG_RAISERS = {"5": "bmi_over_35", "7": "neck_over_40cm", "8": "male"}
STOP_BANG_RAISED_FROM = "intermediate"
STOP_BANG_RAISED_TO = "high"

#: A value reported in ``derived``.
DerivedValue = str | bool | int | float | None | tuple[str, ...]


@dataclass(frozen=True)
class Scored:
    """What the generic engine concluded before the special rules run."""

    valid: bool
    total: Number | None
    severity: str | None
    subscales: Mapping[str, Number | None]


@dataclass
class RuleOutcome:
    """What a special rule adds to the result."""

    flags: list[str] = field(default_factory=list)
    derived: dict[str, DerivedValue] = field(default_factory=dict)
    subscales: dict[str, Number | None] = field(default_factory=dict)
    decides_severity: bool = False
    severity: str | None = None


def phq9_dsm(form: Form, scored: Scored) -> RuleOutcome:
    """PHQ-9 DSM algorithm: major / other depressive syndrome, or none.

    Core symptom = item 1 or 2 at >= 2; other symptoms = items 3-8 at >= 2 and item 9 at >= 1.
    Major = >= 1 core and >= 5 in total; other = >= 1 core and 2-4 in total [F:CC phq9.py].
    Reported in ``derived["dsm_syndrome"]`` (None when any item is missing); not a flag.
    """
    del scored
    items = (*PHQ9_CORE_ITEMS, *PHQ9_OTHER_ITEMS, PHQ9_SUICIDE_ITEM)
    scores = {i: form.score(i) for i in items}
    if any(s is None for s in scores.values()):
        return RuleOutcome(derived={"dsm_syndrome": None})
    core = sum(1 for i in PHQ9_CORE_ITEMS if (scores[i] or 0) >= PHQ9_SYMPTOM_MIN)
    others = sum(1 for i in PHQ9_OTHER_ITEMS if (scores[i] or 0) >= PHQ9_SYMPTOM_MIN)
    others += int((scores[PHQ9_SUICIDE_ITEM] or 0) >= PHQ9_SUICIDE_SYMPTOM_MIN)
    count = core + others
    syndrome = "none"
    if core and count >= PHQ9_MAJOR_MIN_SYMPTOMS:
        syndrome = "major"
    elif core and count >= PHQ9_OTHER_MIN_SYMPTOMS:
        syndrome = "other"
    return RuleOutcome(derived={"dsm_syndrome": syndrome, "dsm_symptom_count": count})


def pcl5_provisional(form: Form, scored: Scored) -> RuleOutcome:
    """PCL-5 provisional PTSD diagnosis by both routes, stored separately.

    Sources: docs/clinical/instruments.md#pcl-5, F:PCL-G.

    Route 1: total >= the ``cutoff`` parameter (31-33; default documented in the data file).
    Route 2: DSM-5 cluster rule. Flags are raised only when Criterion A exposure is not
    denied (``criterion_a=no`` suppresses them; the routes stay in ``derived``) [F:PCL-USE].
    """
    outcome = RuleOutcome()
    counts: dict[str, int | None] = {}
    for cluster in form.instrument.subscales:
        scores = [form.score(i) for i in cluster.items]
        complete = all(s is not None for s in scores)
        counts[cluster.id] = (
            sum(1 for s in scores if (s or 0) >= PCL5_SYMPTOM_MIN) if complete else None
        )
    by_dsm5: bool | None = None
    if all(counts.get(c) is not None for c in PCL5_CLUSTER_MINIMUM):
        by_dsm5 = all((counts[c] or 0) >= need for c, need in PCL5_CLUSTER_MINIMUM.items())
    cutoff = form.params.value("cutoff")
    by_cutoff = None if scored.total is None else scored.total >= Fraction(str(cutoff))
    criterion_a = form.params.raw["criterion_a"]
    outcome.derived.update(
        {
            "provisional_by_cutoff": by_cutoff,
            "provisional_by_dsm5": by_dsm5,
            "criterion_a": criterion_a,
            **{f"{c}_symptoms": n for c, n in counts.items()},
        }
    )
    if criterion_a != "no":
        outcome.flags.extend(
            name
            for name, hit in (
                ("provisional_ptsd_cutoff", by_cutoff),
                ("provisional_ptsd_dsm5", by_dsm5),
            )
            if hit
        )
    return outcome


def _cssrs_tier(form: Form) -> str | None:
    """Return the highest tier the answered items establish (``None`` if none yet)."""
    if any(form.yes(i) for i in CSSRS_HIGH_ITEMS):
        return "high"
    # Behaviour > 3 months ago is moderate (recent behaviour returned "high" above); with the
    # recency still unanswered it is at least moderate.
    if form.yes(CSSRS_METHOD_ITEM) or form.yes(CSSRS_BEHAVIOUR_ITEM):
        return "moderate"
    if any(form.yes(i) for i in CSSRS_IDEATION_ITEMS):
        return "low"
    return None


def cssrs_screener(form: Form, scored: Scored) -> RuleOutcome:
    """C-SSRS screener decision tree: risk tier none / low / moderate / high.

    Low = yes to Q1 and/or Q2 only; moderate = yes to Q3, or Q6 yes but > 3 months ago;
    high = yes to Q4 or Q5, or behaviour within 3 months [F:BLUEPRINT][F:CSSRS-T]. An all-"no"
    form gets the ``all_no_tier`` parameter (default ``none``: "no risk identified" is kept
    apart from "low", docs/clinical/instruments.md#test-vectors). An incomplete form has no tier,
    but the tier its
    answers already establish is reported as ``derived["tier_at_least"]`` and the safety
    flags always fire.
    """
    tier = _cssrs_tier(form)
    answered_yes = [i.id for i in form.instrument.items if form.yes(i.id)]
    outcome = RuleOutcome(decides_severity=True)
    outcome.derived["branch"] = "q2_yes" if form.yes("2") else "q2_no" if form.no("2") else None
    outcome.derived["highest_positive_item"] = answered_yes[-1] if answered_yes else None
    outcome.derived["tier_at_least"] = tier
    if scored.valid:
        outcome.severity = tier or str(form.params.value("all_no_tier"))
    if any(form.yes(i) for i in CSSRS_IDEATION_ITEMS):
        outcome.flags.append("suicidal_ideation")
    if form.yes(CSSRS_BEHAVIOUR_ITEM):
        outcome.flags.append("suicidal_behaviour")
    if tier == "high":
        outcome.flags.append("immediate_evaluation")
    return outcome


def auditc_review(form: Form, scored: Scored) -> RuleOutcome:
    """Flag a positive AUDIT-C whose points all come from item 1 for review [F:LN-75626]."""
    outcome = RuleOutcome()
    if scored.severity == "positive" and scored.total == form.score(AUDITC_FREQUENCY_ITEM):
        outcome.flags.append("points_from_item1_only")
    return outcome


def percent_of_max(form: Form, scored: Scored) -> RuleOutcome:
    """Report the simple score as a percentage of its range (WHODAS 2.0) [F:WHODAS-WHO][F:SPHS].

    The percentage is the same whichever coding (1-5 or 0-4) was used.
    """
    coding = form.coding
    value: Number | None = None
    if scored.total is not None and coding is not None:
        count = len(form.instrument.items)
        low, high = count * coding.min, count * coding.max
        value = Fraction(scored.total - low) * 100 / (high - low)
    return RuleOutcome(subscales={"percent_of_max": value})


def hamd_item16(form: Form, scored: Scored) -> RuleOutcome:
    """Record whether HAM-D item 16 was rated by history (A) or measurement (B) [F:CC][F:CDISC]."""
    del scored
    return RuleOutcome(derived={"item16_method": form.params.raw["item16_method"]})


def stop_bang_high_risk(form: Form, scored: Scored) -> RuleOutcome:
    """STOP-Bang: raise an intermediate score (3-4) to high risk by the published combination.

    High risk is a score of 5-8, or >= 2 of the 4 STOP items with male sex, BMI > 35 kg/m2 or
    neck circumference > 40 cm (Chung et al., J Clin Sleep Med 2014;10:951; Chung et al.,
    Chest 2016;149:631; docs/clinical/instruments.md#stop-bang). The STOP count is the ``stop``
    subscale; ``derived["raised_by"]`` names what raised the band (empty when nothing did).
    """
    stop_yes = sum(1 for i in STOP_BANG_STOP_ITEMS if form.yes(i))
    raisers = tuple(name for item, name in STOP_BANG_RAISERS.items() if form.yes(item))
    combination = stop_yes >= STOP_BANG_STOP_MIN and bool(raisers)
    raised = scored.severity == STOP_BANG_RAISED_FROM and combination
    outcome = RuleOutcome(decides_severity=True, severity=scored.severity)
    outcome.derived["raised_by"] = raisers if raised else ()
    if raised:
        outcome.severity = STOP_BANG_RAISED_TO
    return outcome


RULES: Mapping[str, Callable[[Form, Scored], RuleOutcome]] = {
    "phq9_dsm": phq9_dsm,
    "pcl5_provisional": pcl5_provisional,
    "cssrs_screener": cssrs_screener,
    "auditc_review": auditc_review,
    "percent_of_max": percent_of_max,
    "hamd_item16": hamd_item16,
    "stop_bang_high_risk": stop_bang_high_risk,
}
