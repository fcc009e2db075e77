"""Induction and maintenance schedule templates, and proposing session dates from them.

A template is data: either fixed ``day_offsets`` from the first session (induction: "6 infusions,
twice weekly for 3 weeks" is ``[0, 3, 7, 10, 14, 17]``), or an open-ended ``interval_days`` choice
(Spravato week 9+: every 7 or 14 days). No two sessions may fall on the same day
(docs/clinical/dosing.md#rule-14), so offsets must strictly increase.

The dates proposed are suggestions for the session engineer to book; they do not skip weekends or
clinic closures, which are the scheduler's business.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import Any

from ketacare.core.dosing.fields import Fields, invalid
from ketacare.core.errors import Invalid, NotFound


class Phase(StrEnum):
    """Which part of a course a template covers."""

    INDUCTION = "induction"
    MAINTENANCE = "maintenance"


@dataclass(frozen=True, slots=True)
class ScheduleTemplate:
    """One schedule template.

    Attributes:
        id: stable identifier within the protocol (``"elekt-d-2x-weekly-3wk"``).
        phase: induction or maintenance.
        day_offsets: fixed days from the course start (first is the template's first session).
        interval_days: allowed intervals for an open-ended schedule (mutually exclusive with
            ``day_offsets``).
        prescriber_interval: open-ended with the interval set by the prescriber per order (no
            evidence-based interval exists, e.g. IV ketamine maintenance).
        requires_rationale: each order under it needs a documented rationale and review date
            (maintenance, docs/clinical/dosing.md#rule-16).
    """

    id: str
    name: str
    phase: Phase
    day_offsets: tuple[int, ...]
    interval_days: tuple[int, ...]
    source: str
    note: str | None = None
    prescriber_interval: bool = False
    requires_rationale: bool = False

    @property
    def sessions(self) -> int | None:
        """Number of sessions of a fixed template (None when open-ended)."""
        return len(self.day_offsets) or None

    @classmethod
    def read(cls, f: Fields) -> ScheduleTemplate:
        """Parse and validate one template."""
        offsets = tuple(_ints(f, "day_offsets", minimum=0))
        intervals = tuple(_ints(f, "interval_days", minimum=1))
        prescriber_interval = f.flag("prescriber_interval")
        if [bool(offsets), bool(intervals), prescriber_interval].count(True) != 1:
            raise invalid(
                f.path("day_offsets"),
                "give exactly one of day_offsets, interval_days or prescriber_interval",
            )
        if any(b <= a for a, b in pairwise(offsets)):
            raise invalid(
                f.path("day_offsets"), "must strictly increase (no two sessions on one day)"
            )
        return cls(
            id=f.text("id"),
            name=f.text("name"),
            phase=f.choice("phase", Phase),
            day_offsets=offsets,
            interval_days=intervals,
            source=f.text("source"),
            note=f.opt_text("note"),
            prescriber_interval=prescriber_interval,
            requires_rationale=f.flag("requires_rationale"),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, readable back by ``read``."""
        return {
            "id": self.id,
            "name": self.name,
            "phase": self.phase.value,
            "day_offsets": list(self.day_offsets) or None,
            "interval_days": list(self.interval_days) or None,
            "source": self.source,
            "note": self.note,
            "prescriber_interval": self.prescriber_interval,
            "requires_rationale": self.requires_rationale,
        }

    def propose_dates(self, start: date) -> list[date]:
        """Session dates for a fixed template, the first offset falling on ``start``.

        Raises:
            Invalid: ``schedule.open_ended`` for an interval-only template
                (use ``next_date`` there).
        """
        if not self.day_offsets:
            raise Invalid(
                "schedule.open_ended",
                f"template {self.id} is open-ended; choose an interval with next_date",
                field="template",
            )
        first = self.day_offsets[0]
        return [start + timedelta(days=offset - first) for offset in self.day_offsets]

    def next_date(self, last_session: date, interval_days: int) -> date:
        """Next session of an open-ended template, ``interval_days`` after ``last_session``.

        Raises:
            Invalid: ``schedule.interval_not_allowed`` if the interval is not in the template
                (any interval >= 1 day is allowed for a prescriber-set template), or
                ``schedule.fixed_template`` for a fixed template.
        """
        if self.day_offsets:
            raise Invalid(
                "schedule.fixed_template",
                f"template {self.id} has fixed dates; use propose_dates",
                field="template",
            )
        allowed_any = self.prescriber_interval and interval_days >= 1
        if not allowed_any and interval_days not in self.interval_days:
            allowed = ", ".join(str(i) for i in self.interval_days) or "none"
            raise Invalid(
                "schedule.interval_not_allowed",
                f"interval {interval_days} d is not allowed by {self.id} (allowed: {allowed})",
                field="interval_days",
            )
        return last_session + timedelta(days=interval_days)


def _ints(f: Fields, key: str, *, minimum: int) -> list[int]:
    result: list[int] = []
    for index, value in enumerate(f.items(key, required=False)):
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise invalid(f"{f.path(key)}[{index}]", f"must be a whole number >= {minimum}")
        result.append(value)
    return result


def find_template(
    templates: tuple[ScheduleTemplate, ...], template_id: str | None, phase: Phase
) -> ScheduleTemplate:
    """The template ``template_id``, or the first one of ``phase`` when no id is given.

    Raises:
        NotFound: ``schedule.template_not_found``.
    """
    for template in templates:
        if template.id == template_id or (template_id is None and template.phase is phase):
            return template
    wanted = template_id or f"any {phase} template"
    raise NotFound("schedule.template_not_found", f"no schedule: {wanted}", field="template")
