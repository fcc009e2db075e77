from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from ketacare.core.codes import MeasurementKind
from ketacare.core.errors import Conflict, Invalid, NotFound
from ketacare.services.audit import AccessDenied
from ketacare.services.patients import registry as patients
from tests.factories.world import NOW, World, ctx, make_patient


def test_search_by_name_mrn_and_birth_date_stays_in_organisation(db: Session, world: World) -> None:
    make_patient(
        db,
        by=world.user("frontdesk"),
        given_name="Jordan",
        family_name="Blake",
        date_of_birth=date(1979, 11, 2),
        mrn="A0002",
        weight_kg=None,
    )
    c = ctx(world, "nurse")

    def names(text: str | None = None, born: date | None = None) -> list[str]:
        found = patients.search_patients(
            db, query=patients.SearchQuery(text=text, birth_date=born), at=NOW, ctx=c
        )
        return [p.family_name for p in found]

    assert names("blak") == ["Blake"]
    assert names("QUINN") == ["Quinn"]
    assert names("a0002") == ["Blake"]
    assert names("1979-11-02") == ["Blake"]
    assert names(born=date(1984, 3, 14)) == ["Quinn"]
    assert names("Person") == []  # the other organisation's patient is invisible
    assert names("%") == []  # LIKE wildcards are literal
    assert sorted(names()) == ["Blake", "Quinn"]


def test_update_with_stale_version_conflicts(db: Session, world: World) -> None:
    assert world.patient is not None
    pid = world.patient.id
    updated = patients.update_patient(
        db,
        patient_id=pid,
        changes={"phone": "555-0100"},
        expected_version=1,
        at=NOW,
        ctx=ctx(world, "frontdesk"),
    )
    assert updated.version == 2
    with pytest.raises(Conflict) as info:
        patients.update_patient(
            db,
            patient_id=pid,
            changes={"phone": "555-0199"},
            expected_version=1,
            at=NOW,
            ctx=ctx(world, "nurse"),
        )
    assert info.value.code == "patient.version_conflict"


def test_mrn_unique_within_organisation_only(db: Session, world: World) -> None:
    with pytest.raises(Conflict) as info:
        make_patient(db, by=world.user("frontdesk"), mrn="A0001", weight_kg=None)
    assert info.value.field == "mrn"
    # The other clinic may use the same MRN.
    make_patient(db, by=world.user("outsider"), mrn="A0001", weight_kg=None)


def test_outsider_and_unknown_ids(db: Session, world: World) -> None:
    assert world.patient is not None
    with pytest.raises(AccessDenied):
        patients.get_patient(db, patient_id=world.patient.id, at=NOW, ctx=ctx(world, "outsider"))
    with pytest.raises(NotFound):
        patients.get_patient(db, patient_id=999_999, at=NOW, ctx=ctx(world, "nurse"))


def test_chart_header_age_and_latest_weight(db: Session, world: World) -> None:
    assert world.patient is not None
    nurse = ctx(world, "nurse")
    patients.record_measurement(
        db,
        patient_id=world.patient.id,
        kind=MeasurementKind.WEIGHT,
        value=Decimal("71.5"),
        measured_at=NOW - timedelta(days=300),
        at=NOW,
        ctx=nurse,
    )
    header = patients.chart_header(db, patient_id=world.patient.id, at=NOW, ctx=nurse)
    assert header.age_years == 42  # born 1984-03-14, today 2026-11-29
    assert header.latest_weight is not None
    assert header.latest_weight.value == Decimal("70.00")  # the newer measurement wins
    with pytest.raises(Invalid) as future:
        patients.record_measurement(
            db,
            patient_id=world.patient.id,
            kind=MeasurementKind.WEIGHT,
            value=Decimal(70),
            measured_at=NOW + timedelta(hours=1),
            at=NOW,
            ctx=nurse,
        )
    assert future.value.field == "measured_at"
