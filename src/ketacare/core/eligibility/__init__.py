"""Eligibility and safety screening (pure core).

Entry points: :func:`screen` (decision with reasons), :func:`apply_overrides` (prescriber
overrides of review reasons), :func:`fingerprint` (staleness of stored decisions),
:func:`parse_screening_input` / :data:`INPUT_SCHEMA` (JSON input), and the consent helpers in
:mod:`ketacare.core.eligibility.consent`.
"""

from ketacare.core.codes import ProtocolId, SexAtBirth
from ketacare.core.eligibility.config import DEFAULT_CONFIG, ScreeningConfig
from ketacare.core.eligibility.fingerprint import fingerprint, is_stale
from ketacare.core.eligibility.model import (
    RULESET_VERSION,
    AntidepressantTrial,
    Decision,
    EpisodeSeverity,
    Reason,
    ScreeningInput,
    ScreenResult,
    Severity,
    StopReason,
)
from ketacare.core.eligibility.overrides import OverrideOutcome, apply_overrides
from ketacare.core.eligibility.schema import INPUT_SCHEMA, parse_screening_input, validate
from ketacare.core.eligibility.screening import ScreeningResult, screen

__all__ = [
    "DEFAULT_CONFIG",
    "INPUT_SCHEMA",
    "RULESET_VERSION",
    "AntidepressantTrial",
    "Decision",
    "EpisodeSeverity",
    "OverrideOutcome",
    "ProtocolId",
    "Reason",
    "ScreenResult",
    "ScreeningConfig",
    "ScreeningInput",
    "ScreeningResult",
    "Severity",
    "SexAtBirth",
    "StopReason",
    "apply_overrides",
    "fingerprint",
    "is_stale",
    "parse_screening_input",
    "screen",
    "validate",
]
