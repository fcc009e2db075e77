"""How pages word instants and errors: the location's zone with the date unless today, and
form messages without machinery (codes, doubled prefixes, parser jargon)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ketacare.core.errors import Conflict, Invalid, NotFound
from ketacare.db.models import Location
from ketacare.services.session import demo as demo_service
from ketacare.web.display import local_time
from ketacare.web.errors import status_for
from ketacare.web.forms import domain_message, failed, validation_messages
from tests.factories.world import NOW, World, ctx
from tests.web.helpers import sign_in

LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")

TIMES = [
    # (instant, zone, local "today", shown)
    (datetime(2026, 11, 29, 10, 0, tzinfo=UTC), UTC, date(2026, 11, 29), "10:00"),
    # A reading dated 1800 never hides behind its time of day.
    (datetime(1800, 1, 1, 10, 0, tzinfo=UTC), UTC, date(2026, 11, 29), "1800-01-01 10:00"),
    (datetime(2026, 11, 28, 23, 59, tzinfo=UTC), UTC, date(2026, 11, 29), "2026-11-28 23:59"),
    # Summer time in London: 09:30 UTC is 10:30 there.
    (datetime(2026, 7, 1, 9, 30, tzinfo=UTC), LONDON, date(2026, 7, 1), "10:30"),
    # Auckland is 13 hours ahead in November: 12:00 UTC is already tomorrow there.
    (datetime(2026, 11, 29, 12, 0, tzinfo=UTC), AUCKLAND, date(2026, 11, 29), "2026-11-30 01:00"),
    # No "today" known (a page without a signed-in user): always the date.
    (datetime(2026, 11, 29, 10, 0, tzinfo=UTC), UTC, None, "2026-11-29 10:00"),
]


@pytest.mark.parametrize(("at", "zone", "today", "shown"), TIMES)
def test_local_time_shows_the_date_unless_it_is_today(
    at: datetime, zone: ZoneInfo, today: date | None, shown: str
) -> None:
    assert local_time(at, zone=zone, today=today) == shown


class _Vitals(BaseModel):
    systolic: int = Field(ge=30, le=300)
    spo2: int = Field(ge=0, le=100)


MESSAGES = [
    ({"systolic": "abc", "spo2": 98}, "systolic", "Enter a whole number."),
    ({"systolic": 120, "spo2": 140}, "spo2", "Must be at most 100."),
    ({"systolic": 12, "spo2": 98}, "systolic", "Must be at least 30."),
    ({"spo2": 98}, "systolic", "Required."),
]


@pytest.mark.parametrize(("data", "name", "message"), MESSAGES)
def test_schema_errors_read_as_plain_words(
    data: dict[str, object], name: str, message: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        _Vitals.model_validate(data)
    assert validation_messages(caught.value)[name] == message


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (Invalid("x.y", "systolic: systolic: too high", field="systolic"),
         {"systolic": "Too high"}),
        (Invalid("dose.hard_limit", "above the limit (dose.hard_limit)", field="dose_mg"),
         {"dose_mg": "Above the limit"}),
        (Invalid("e.s", "bp_systolic: expected integer or null, got string", field="bp_systolic"),
         {"bp_systolic": "Enter a whole number."}),
        (Invalid("e.s", "weeks: must be >= 0", field="weeks"), {"weeks": "Must be at least 0."}),
        (Conflict("v", "Someone else changed it."), {"form": "Someone else changed it."}),
    ],
)  # fmt: skip
def test_domain_errors_lose_their_codes_and_repeated_prefixes(
    error: Invalid, expected: dict[str, str]
) -> None:
    assert domain_message(error) == expected


def test_an_error_on_a_field_the_form_does_not_show_goes_above_it() -> None:
    state = failed(
        "vitals",
        {"systolic": "120"},
        Invalid("x", "the session has ended", field="state"),
        fields=("systolic",),
    )
    assert state.errors == {"form": "The session has ended"}
    assert state.general == {"form": "The session has ended"}
    assert state.values == {"systolic": "120"}
    assert status_for(Conflict("c", "m")) == 409
    assert status_for(Invalid("c", "m")) == 422
    assert status_for(NotFound("c", "m")) == 404


def test_pages_show_times_in_the_locations_zone(
    client: TestClient, db: Session, world: World
) -> None:
    """The organisation's clinic is in Auckland: a session at 09:30 UTC shows as 22:30 today,
    one at 12:00 UTC as 01:00 tomorrow, with its date."""
    assert world.patient is not None
    location = db.scalars(
        select(Location).where(Location.organisation_id == world.patient.organisation_id)
    ).one()
    location.timezone = "Pacific/Auckland"

    for starts_at in (NOW + timedelta(minutes=30), NOW + timedelta(hours=3)):
        demo_service.prepare_demo_session(
            db,
            patient_id=world.patient.id,
            nurse_ctx=ctx(world, "nurse"),
            prescriber_ctx=ctx(world, "prescriber"),
            starts_at=starts_at,
            at=NOW,
        )
    db.commit()
    sign_in(client, world.user("nurse").email)
    page = client.get(f"/patients/{world.patient.id}/sessions")
    assert page.status_code == 200
    assert "Starts (Pacific/Auckland)" in page.text
    assert ">22:30</time>" in page.text
    assert ">2026-11-30 01:00</time>" in page.text
