"""What the chair page shows about the dose: given so far, left, predicted; struck-out lines;
the esketamine devices still to give; the REMS questions staff answer at the chair.

Display only: the rules are in ``ketacare.core.session.administration_limits`` and are applied by
the service when a line is charted.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ketacare.core.errors import DomainError
from ketacare.core.session.administration_limits import (
    LESS_THAN_ORDERED_TOLERANCE,
    projected_total_mg,
)
from ketacare.core.session.config import ESKETAMINE_DEVICE_MG
from ketacare.core.session.model import AdministrationKind
from ketacare.services.session import lifecycle as svc
from ketacare.services.session.binding import given_so_far, ordered_dose
from ketacare.services.session.facts import struck_out_ids
from ketacare.services.session.rems import BOOLEAN_ANSWERS, INTEGER_ANSWERS, TEXT_ANSWERS

# The REMS form's questions the chart cannot answer, in the order of the form.
REMS_QUESTIONS = (*BOOLEAN_ANSWERS, *TEXT_ANSWERS, *INTEGER_ANSWERS)


def dose_summary(detail: svc.SessionDetail, *, at: datetime) -> dict[str, Any] | None:
    """Ordered, given, left and (IV) predicted at the current rate to the planned end."""
    order = detail.order
    if order is None:
        return None
    try:
        given = given_so_far(detail.administration, order, at=at)
    except DomainError:
        return None
    dose = ordered_dose(order)
    predicted = None
    if dose.devices is None and given.current_rate_ml_per_h is not None:
        try:
            predicted = projected_total_mg(dose, given, given.current_rate_ml_per_h)
        except DomainError:
            predicted = None
    left = max(Decimal(0), dose.dose_mg - given.total_mg)
    short = left > dose.dose_mg * LESS_THAN_ORDERED_TOLERANCE
    return {
        "ordered_mg": dose.dose_mg,
        "given_mg": given.total_mg,
        "left_mg": left,
        "predicted_mg": predicted,
        "short": short,
        "devices_ordered": dose.devices,
        "devices_given": given.devices,
        "devices_left": None if dose.devices is None else max(0, dose.devices - given.devices),
    }


def record_lines(detail: svc.SessionDetail) -> list[dict[str, Any]]:
    """The administration record with struck-out lines marked and devices numbered."""
    struck = struck_out_ids(detail.administration)
    reasons = {e.corrects_id: e.reason for e in detail.administration if e.corrects_id is not None}
    lines, device = [], 0
    for e in sorted(detail.administration, key=lambda e: (e.at, e.id)):
        if e.kind == AdministrationKind.ENTERED_IN_ERROR:
            continue
        is_struck = e.id in struck
        is_device = e.kind == AdministrationKind.DEVICE
        if is_device and not is_struck:
            device += 1
        lines.append(
            {
                "e": e,
                "struck": is_struck,
                "error_reason": reasons.get(e.id),
                "device": is_device,
                "device_number": device if is_device and not is_struck else None,
                "correctable": e.kind.correctable and not is_struck,
            }
        )
    return lines


def devices_given(detail: svc.SessionDetail) -> list[dict[str, Any]]:
    """The esketamine devices that count (not struck out), numbered in time order."""
    struck = struck_out_ids(detail.administration)
    rows = sorted(
        (
            e
            for e in detail.administration
            if e.kind == AdministrationKind.DEVICE and e.id not in struck
        ),
        key=lambda e: e.at,
    )
    return [
        {"number": n, "at": e.at, "mg": ESKETAMINE_DEVICE_MG, "lot": e.lot_number}
        for n, e in enumerate(rows, start=1)
    ]


def rems_questions(answers: dict[str, Any], values: dict[str, Any]) -> list[dict[str, Any]]:
    """Each staff-answered REMS question with its current answer (stored, else derived)."""
    out = []
    for name in REMS_QUESTIONS:
        current = answers.get(name, values.get(name))
        kind = (
            "boolean"
            if name in BOOLEAN_ANSWERS
            else "integer"
            if name in INTEGER_ANSWERS
            else "text"
        )
        out.append({"name": name, "kind": kind, "value": current})
    return out
