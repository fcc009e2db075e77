"""Shared builders for the eligibility spec tables.

``make_input`` starts from a *clean* screening (complete, nothing abnormal: eligible) for the
protocol and applies the changes each table row describes, so every row shows only what differs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from ketacare.core.eligibility import (
    AntidepressantTrial,
    EpisodeSeverity,
    ProtocolId,
    ScreeningInput,
    SexAtBirth,
)

MakeInput = Callable[..., ScreeningInput]

FAILED_TRIALS = (
    AntidepressantTrial("sertraline", 8, True, 10, True),
    AntidepressantTrial("venlafaxine", 6, True, 20, True),
)
_INDICATION = {
    ProtocolId.IV_KETAMINE_DEPRESSION: "depression",
    ProtocolId.ESKETAMINE_NASAL: "depression",
    ProtocolId.IV_KETAMINE_PAIN: "crps",
}


def clean_input(
    protocol: ProtocolId = ProtocolId.IV_KETAMINE_DEPRESSION, **changes: Any
) -> ScreeningInput:
    base = ScreeningInput(
        protocol=protocol,
        indication=_INDICATION[protocol],
        age_years=40,
        sex_at_birth=SexAtBirth.MALE,
        bp_systolic=120,
        bp_diastolic=80,
        episode_duration_months=18,
        episode_severity=EpisodeSeverity.MODERATE,
        antidepressant_trials=FAILED_TRIALS,
        augmentation=False,
        ect=False,
        dast10_total=0,
        auditc_total=0,
    )
    if "conditions" in changes:
        changes["conditions"] = frozenset(changes["conditions"])
    return dataclasses.replace(base, **changes)


@pytest.fixture(scope="session")
def make_input() -> MakeInput:
    return clean_input
