"""Induction and maintenance schedules as data.

Sources: docs/clinical/dosing.md#rule-14, docs/clinical/dosing.md#rule-16,
docs/clinical/dosing.md#rule-17, docs/clinical/dosing.md#rule-19.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from ketacare.core.dosing.library import get_protocol
from ketacare.core.dosing.protocol import propose_induction_dates
from ketacare.core.dosing.schedule import Phase, ScheduleTemplate
from ketacare.core.errors import Invalid, NotFound

MONDAY = date(2025, 3, 3)


def _days(*offsets: int) -> list[date]:
    return [MONDAY + timedelta(days=o) for o in offsets]


@pytest.mark.parametrize(
    ("protocol_id", "template_id", "expected"),
    [
        pytest.param(
            "iv-ketamine-depression", None, _days(0, 3, 7, 10, 14, 17), id="default-elekt-d-2x3wk"
        ),
        pytest.param(
            "iv-ketamine-depression",
            "murrough-3x-weekly-12d",
            _days(0, 2, 4, 7, 9, 11),
            id="murrough-3x-12days",
        ),
        pytest.param(
            "iv-ketamine-depression", "four-over-2wk", _days(0, 3, 7, 10), id="4-over-2wk"
        ),
        pytest.param("iv-ketamine-crps", None, _days(*range(10)), id="crps-10-daily"),
        pytest.param(
            "esketamine-nasal", None, _days(0, 3, 7, 10, 14, 17, 21, 24), id="spravato-wk1-4-2x"
        ),
        pytest.param(
            "esketamine-nasal-mdsi", None, _days(0, 3, 7, 10, 14, 17, 21, 24), id="mdsi-4wk-2x"
        ),
    ],
)
def test_propose_induction_dates(
    protocol_id: str, template_id: str | None, expected: list[date]
) -> None:
    dates = propose_induction_dates(get_protocol(protocol_id), MONDAY, template_id=template_id)
    assert dates == expected
    assert len(set(dates)) == len(dates)  # rule 14: never two sessions on one day


def test_six_infusion_templates_span_two_to_three_weeks() -> None:
    protocol = get_protocol("iv-ketamine-depression")
    for template in protocol.schedules:
        if template.phase is Phase.INDUCTION and template.sessions == 6:
            span = template.day_offsets[-1] - template.day_offsets[0]
            assert 11 <= span <= 20


def test_spravato_weeks_5_to_8_are_weekly_from_day_28() -> None:
    template = get_protocol("esketamine-nasal").schedule("trd-maintenance-weeks-5-8")
    assert template.propose_dates(MONDAY + timedelta(days=28)) == _days(28, 35, 42, 49)


@pytest.mark.parametrize(
    ("interval", "expected"),
    [
        pytest.param(7, MONDAY + timedelta(days=7), id="weekly"),
        pytest.param(14, MONDAY + timedelta(days=14), id="every-2-weeks"),
    ],
)
def test_spravato_week_9_on_every_one_or_two_weeks(interval: int, expected: date) -> None:
    template = get_protocol("esketamine-nasal").schedule("trd-maintenance-week-9-on")
    assert template.next_date(MONDAY, interval) == expected


def test_spravato_week_9_refuses_other_intervals() -> None:
    template = get_protocol("esketamine-nasal").schedule("trd-maintenance-week-9-on")
    with pytest.raises(Invalid) as info:
        template.next_date(MONDAY, 3)
    assert info.value.code == "schedule.interval_not_allowed"


def test_ketamine_maintenance_interval_is_set_by_the_prescriber_with_rationale() -> None:
    template = get_protocol("iv-ketamine-depression").schedule(phase=Phase.MAINTENANCE)
    assert template.requires_rationale  # rule 16
    assert template.next_date(MONDAY, 25) == MONDAY + timedelta(days=25)


@pytest.mark.parametrize(
    ("template_id", "action", "code"),
    [
        pytest.param(
            "trd-maintenance-week-9-on",
            lambda t: t.propose_dates(MONDAY),
            "schedule.open_ended",
            id="open-ended-has-no-fixed-dates",
        ),
        pytest.param(
            "trd-induction-weeks-1-4",
            lambda t: t.next_date(MONDAY, 7),
            "schedule.fixed_template",
            id="fixed-has-no-interval",
        ),
    ],
)
def test_wrong_use_of_a_template(
    template_id: str, action: Callable[[ScheduleTemplate], object], code: str
) -> None:
    template = get_protocol("esketamine-nasal").schedule(template_id)
    with pytest.raises(Invalid) as info:
        action(template)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("protocol_id", "template_id"),
    [
        pytest.param("iv-ketamine-pain", None, id="pain-has-no-induction-template"),
        pytest.param("iv-ketamine-depression", "nope", id="unknown-template"),
    ],
)
def test_missing_template(protocol_id: str, template_id: str | None) -> None:
    with pytest.raises(NotFound) as info:
        propose_induction_dates(get_protocol(protocol_id), MONDAY, template_id=template_id)
    assert info.value.field == "template"
