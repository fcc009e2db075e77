"""Spec: vital-sign cadence reminders and the overdue check.

Sources: docs/clinical/session.md#rule-22, docs/clinical/session.md#rule-23,
docs/clinical/session.md#rule-24.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ketacare.core.session.cadence import (
    next_vitals_due,
    spravato_bp_recheck_due,
    spravato_bp_timepoints,
    vitals_overdue,
)
from ketacare.core.session.config import CadenceConfig
from ketacare.core.session.model import VitalsReading
from ketacare.core.session.states import SessionState

LAST = datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
S = SessionState

DUE = [
    (S.SCHEDULED, None),
    (S.CHECKED_IN, None),
    (S.READY, None),
    (S.INFUSING, timedelta(minutes=10)),
    (S.PAUSED, timedelta(minutes=10)),
    (S.RECOVERING, timedelta(minutes=15)),
    (S.DISCHARGED, None),
    (S.ABORTED, None),
]


@pytest.mark.parametrize(("state", "interval"), DUE, ids=[s.value for s, _ in DUE])
def test_next_vitals_due_per_state(state: SessionState, interval: timedelta | None) -> None:
    expected = None if interval is None else LAST + interval
    assert next_vitals_due(state, LAST) == expected
    assert len(DUE) == len(SessionState)


OVERDUE = [
    # (id, state, minutes after the last reading, overdue?)
    ("infusing: due at 10, not overdue at 15:00", S.INFUSING, 15, False),
    ("infusing: overdue at 15:01", S.INFUSING, 15 + 1 / 60, True),
    ("infusing: 14 min is within grace", S.INFUSING, 14, False),
    ("paused follows the infusion cadence", S.PAUSED, 16, True),
    ("recovering: not overdue at 20:00", S.RECOVERING, 20, False),
    ("recovering: overdue at 20:01", S.RECOVERING, 20 + 1 / 60, True),
    ("ready has no cadence", S.READY, 120, False),
    ("discharged has no cadence", S.DISCHARGED, 120, False),
]


@pytest.mark.parametrize(
    ("state", "minutes", "overdue"), [pytest.param(s, m, o, id=i) for i, s, m, o in OVERDUE]
)
def test_overdue(state: SessionState, minutes: float, overdue: bool) -> None:
    assert vitals_overdue(state, LAST, at=LAST + timedelta(minutes=minutes)) is overdue


def test_cadence_is_configurable() -> None:
    cfg = CadenceConfig(during_administration=timedelta(minutes=5), overdue_grace=timedelta(0))
    assert next_vitals_due(S.INFUSING, LAST, cfg) == LAST + timedelta(minutes=5)
    assert vitals_overdue(S.INFUSING, LAST, at=LAST + timedelta(minutes=5, seconds=1), config=cfg)


def test_spravato_bp_recheck_is_40_minutes_after_the_first_device() -> None:
    assert spravato_bp_recheck_due(LAST) == LAST + timedelta(minutes=40)


def _bp(minutes: int) -> VitalsReading:
    return VitalsReading(LAST + timedelta(minutes=minutes), sbp=120 + minutes, dbp=80)


TIMEPOINTS = [
    ("all three", [-10, -3, 20, 41, 90, 118], (-3, 41, 118)),
    ("reading at exactly 40 min counts", [-5, 40, 100], (-5, 40, 100)),
    ("39 min is too early for the 40-min slot", [-5, 39, 100], (-5, 100, None)),
    ("only one reading after 40 min: no end BP yet", [-5, 45], (-5, 45, None)),
    ("no pre-dose BP", [45, 100], (None, 45, 100)),
]


@pytest.mark.parametrize(
    ("minutes", "expected"), [pytest.param(m, e, id=i) for i, m, e in TIMEPOINTS]
)
def test_spravato_bp_timepoints(
    minutes: list[int], expected: tuple[int | None, int | None, int | None]
) -> None:
    readings = [_bp(x) for x in minutes] + [VitalsReading(LAST + timedelta(minutes=50), hr=70)]
    points = spravato_bp_timepoints(readings, LAST)
    got = tuple(
        None if r is None else int((r.at - LAST).total_seconds() // 60)
        for r in (points.pre_dose, points.post_dose_40, points.session_end)
    )
    assert got == expected
