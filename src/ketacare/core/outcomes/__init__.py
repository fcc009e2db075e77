"""Outcomes: response, remission, relapse, time to response, safety alerts and benchmarks."""

from ketacare.core.outcomes.benchmarks import (
    Benchmark,
    ControlCondition,
    Indication,
    Metric,
    Treatment,
    benchmarks_for,
    load_benchmarks,
)
from ketacare.core.outcomes.defaults import (
    DEFAULT_RULES,
    MADRS_REMISSION_JANSSEN,
    NRS_SUBSTANTIAL_RESPONSE,
)
from ketacare.core.outcomes.evaluate import evaluate_outcomes
from ketacare.core.outcomes.model import BaselineRule, Measurement, OutcomeNote, OutcomeSummary
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
    normalise_instrument_id,
)
from ketacare.core.outcomes.safety import (
    AlertSeverity,
    CssrsTier,
    SafetyAlertSpec,
    safety_alerts,
)

__all__ = [
    "DEFAULT_RULES",
    "MADRS_REMISSION_JANSSEN",
    "NRS_SUBSTANTIAL_RESPONSE",
    "RULES_VERSION",
    "AlertSeverity",
    "BaselineRule",
    "Benchmark",
    "Comparison",
    "ControlCondition",
    "CssrsTier",
    "Evidence",
    "Indication",
    "InstrumentRules",
    "McidRule",
    "Measurement",
    "Metric",
    "OutcomeNote",
    "OutcomeRules",
    "OutcomeSummary",
    "RelapseBand",
    "RemissionRule",
    "ResponseRule",
    "SafetyAlertSpec",
    "Treatment",
    "benchmarks_for",
    "evaluate_outcomes",
    "load_benchmarks",
    "normalise_instrument_id",
    "safety_alerts",
]
