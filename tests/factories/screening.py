"""Screening factories: the request body a clinician submits for an eligibility screening."""

from __future__ import annotations

import copy
from typing import Any

from ketacare.services.session.demo import DEMO_SCREENING_INPUT


def eligible_screening_input(
    *, protocol: str = "iv-ketamine-depression", **overrides: Any
) -> dict[str, Any]:
    """A clinically complete depression screening (API/service body) that finds the patient
    eligible: no contraindication, normal blood pressure, a moderate 14-month episode after two
    failed adequate trials, negative substance screens. ``overrides`` replace whole fields.

    It is the demo clinic's screening, so the demo and the tests cannot drift apart; a copy,
    so a test can change it freely.
    """
    document: dict[str, Any] = copy.deepcopy(DEMO_SCREENING_INPUT)
    document.update(protocol=protocol, **overrides)
    return document
