"""Screening factories: the request body a clinician submits for an eligibility screening."""

from __future__ import annotations

from typing import Any

# An adequate trial in the current episode, taken as prescribed; with a small improvement it
# counts as a non-response under the eligibility core's treatment-resistance rule, so two of them
# make the default document eligible and each test changes only what it is about.
ADEQUATE_TRIAL: dict[str, Any] = {
    "weeks": 8,
    "adequate_dose": True,
    "current_episode": True,
    "adherent": True,
}


def eligible_screening_input(
    *, protocol: str = "iv-ketamine-depression", **overrides: Any
) -> dict[str, Any]:
    """A clinically complete depression screening (API/service body) that finds the patient
    eligible: no contraindication, normal blood pressure, a moderate 14-month episode after two
    failed adequate trials, negative substance screens. ``overrides`` replace whole fields."""
    document: dict[str, Any] = {
        "protocol": protocol,
        "indication": "depression",
        "pregnant": False,
        "breastfeeding": False,
        "conditions": [],
        "bp_systolic": 120,
        "bp_diastolic": 80,
        "episode_duration_months": 14,
        "episode_severity": "moderate",
        "antidepressant_trials": [
            {"drug": "sertraline", "improvement_percent": 10, **ADEQUATE_TRIAL},
            {"drug": "venlafaxine", "improvement_percent": 5, **ADEQUATE_TRIAL},
        ],
        "dast10_total": 0,
        "auditc_total": 1,
    }
    document.update(overrides)
    return document
