"""Vital-sign cadence reminders.

Sources: docs/clinical/session.md#rule-22, docs/clinical/session.md#rule-23,
docs/clinical/session.md#rule-24; SRC_CADENCE in the config module.

While the drug is being given (``infusing`` or ``paused``) a reading is due every 10 minutes;
while ``recovering`` every 15 minutes. A reading is *overdue* only once it is more than the grace
period (5 minutes) late. Spravato adds a mandatory BP about 40 minutes after the first device.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ketacare.core.session.config import CadenceConfig
from ketacare.core.session.model import VitalsReading, require_aware
from ketacare.core.session.states import SessionState

DEFAULT_CADENCE_CONFIG = CadenceConfig()


def next_vitals_due(
    state: SessionState,
    last_reading_at: datetime,
    config: CadenceConfig = DEFAULT_CADENCE_CONFIG,
) -> datetime | None:
    """When the next reading is due, or ``None`` when the state has no cadence.

    Pre-dose readings are a gate (see :mod:`ketacare.core.session.gates`), not a cadence, so
    ``scheduled``, ``checked_in`` and ``ready`` return ``None``, as do the terminal states.
    """
    require_aware(last_reading_at, "last_reading_at")
    if state in (SessionState.INFUSING, SessionState.PAUSED):
        return last_reading_at + config.during_administration
    if state is SessionState.RECOVERING:
        return last_reading_at + config.during_recovery
    return None


def vitals_overdue(
    state: SessionState,
    last_reading_at: datetime,
    *,
    at: datetime,
    config: CadenceConfig = DEFAULT_CADENCE_CONFIG,
) -> bool:
    """Whether the next reading is more than the grace period late at ``at``.

    With the defaults, during an infusion a reading taken at 10:00 is due at 10:10 and overdue
    after 10:15 (10:15 itself is not yet overdue).
    """
    require_aware(at, "at")
    due = next_vitals_due(state, last_reading_at, config)
    return due is not None and at > due + config.overdue_grace


def spravato_bp_recheck_due(
    first_device_at: datetime, config: CadenceConfig = DEFAULT_CADENCE_CONFIG
) -> datetime:
    """When the mandatory post-dose Spravato BP is due (about 40 min after the first device)."""
    return require_aware(first_device_at, "first_device_at") + config.spravato_bp_recheck_after


@dataclass(frozen=True)
class SpravatoBpTimepoints:
    """The three BP readings the Spravato REMS form asks for; ``None`` when not (yet) taken.

    ``pre_dose`` is the last BP before the first device; ``post_dose_40`` the first BP taken at
    or after the 40-minute point; ``session_end`` the last BP after that, a distinct reading.
    """

    pre_dose: VitalsReading | None
    post_dose_40: VitalsReading | None
    session_end: VitalsReading | None


def spravato_bp_timepoints(
    readings: Sequence[VitalsReading],
    first_device_at: datetime,
    config: CadenceConfig = DEFAULT_CADENCE_CONFIG,
) -> SpravatoBpTimepoints:
    """Pick the pre-dose, 40-minute and end-of-session BP readings from a session's readings."""
    with_bp = sorted((r for r in readings if r.has_bp), key=lambda r: r.at)
    before = [r for r in with_bp if r.at < first_device_at]
    recheck = spravato_bp_recheck_due(first_device_at, config)
    after_40 = [r for r in with_bp if r.at >= recheck]
    return SpravatoBpTimepoints(
        pre_dose=before[-1] if before else None,
        post_dose_40=after_40[0] if after_40 else None,
        session_end=after_40[-1] if len(after_40) > 1 else None,
    )
