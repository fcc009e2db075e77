"""Orders on a real database: chart weight, weight basis, limits, overrides, signing, PK."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ketacare.core.codes import MeasurementKind, SexAtBirth
from ketacare.core.dosing.calculator import calculate_dose
from ketacare.core.dosing.library import get_protocol
from ketacare.core.dosing.order import DoseRequest
from ketacare.core.errors import Conflict, Invalid, RuleViolation
from ketacare.core.patients.body_weight import (
    BodyMeasurements,
    WeightBasis,
)
from ketacare.db.models import Order, OrderStatusChange, Patient
from ketacare.services.audit import AccessDenied
from ketacare.services.orders import lifecycle as order_service
from ketacare.services.orders import pk as pk_service
from ketacare.services.orders import protocols as protocol_service
from ketacare.services.orders.dose import DoseInputs
from ketacare.services.patients import registry as patients
from tests.factories.world import NOW, World, ctx, make_patient

DEPRESSION = "iv-ketamine-depression"


def the_patient(world: World) -> Patient:
    assert world.patient is not None
    return world.patient


def order_count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Order)) or 0


def create(
    db: Session,
    world: World,
    *,
    patient: Patient | None = None,
    persona: str = "prescriber",
    reason: str | None = None,
    at: Any = NOW,
    **choices: Any,
) -> Order:
    inputs = DoseInputs(protocol_id=choices.pop("protocol_id", DEPRESSION), **choices)
    return order_service.create_order(
        db,
        patient_id=(patient or the_patient(world)).id,
        inputs=inputs,
        override_reason=reason,
        at=at,
        ctx=ctx(world, persona),
    )


def measure(db: Session, world: World, patient: Patient, kind: str, value: str, at: Any) -> None:
    patients.record_measurement(
        db,
        patient_id=patient.id,
        kind=MeasurementKind(kind),
        value=Decimal(value),
        measured_at=at,
        at=NOW,
        ctx=ctx(world, "nurse"),
    )


def test_order_uses_the_latest_dated_weight_and_stores_the_core_calculation(
    db: Session, world: World
) -> None:
    patient = the_patient(world)
    # An older weight recorded later must not win: "latest" means latest measured.
    measure(db, world, patient, "weight", "90", NOW - timedelta(days=5))
    order = create(db, world, concentration_mg_per_ml=Decimal("10"))
    expected = calculate_dose(
        DoseRequest(
            protocol=get_protocol(DEPRESSION),
            today=NOW.date(),
            body=BodyMeasurements(weight_kg=Decimal("70"), weight_measured_on=NOW.date()),
            concentration_mg_per_ml=Decimal("10"),
            age_years=42,
        )
    )
    assert order.calculation == expected.as_dict()
    assert order.dose_mg == Decimal("35")
    assert order.weight_used_kg == Decimal("70")
    assert order.weight_basis == "actual"
    assert order.weight_measured_on == NOW.date()
    assert order.concentration_mg_per_ml == Decimal("10")
    assert order.rate_ml_per_h == Decimal("5.2")  # 3.5 mL over 40 min, rounded down
    assert order.duration_min == 40
    assert order.status == "draft"
    assert order.requires_override is False
    assert order.inputs["weight_kg"] == "70"
    db.expire_all()
    stored = db.get(Order, order.id)
    assert stored is not None
    assert stored.calculation["dose_mg"] == 35.0
    assert stored.created_at == NOW


def test_ideal_weight_basis_uses_the_chart_height_and_sex(db: Session, world: World) -> None:
    patient = the_patient(world)
    with pytest.raises(Invalid) as missing:
        create(db, world, weight_basis=WeightBasis.IDEAL)
    assert missing.value.field == "height_cm"
    measure(db, world, patient, "height", "165", NOW)
    order = create(db, world, weight_basis=WeightBasis.IDEAL)
    assert order.weight_basis == "ideal"
    ideal = calculate_dose(
        DoseRequest(
            protocol=get_protocol(DEPRESSION),
            today=NOW.date(),
            body=BodyMeasurements(
                weight_kg=Decimal("70"),
                weight_measured_on=NOW.date(),
                height_cm=Decimal("165"),
                sex_at_birth=SexAtBirth.FEMALE,
            ),
            weight_basis=WeightBasis.IDEAL,
        )
    )
    assert order.weight_used_kg == ideal.weight_used.value  # type: ignore[union-attr]
    assert order.weight_used_kg < Decimal("70")
    assert order.dose_mg == ideal.dose.value


def test_stale_weight_blocks_the_order_and_stores_nothing(db: Session, world: World) -> None:
    patient = make_patient(
        db,
        by=world.user("frontdesk"),
        weighed_by=world.user("nurse"),
        mrn="OLD1",
        at=NOW - timedelta(days=31),
    )
    before = order_count(db)
    with pytest.raises(RuleViolation) as blocked:
        create(db, world, patient=patient)
    assert blocked.value.code == "dose.weight_too_old"
    assert blocked.value.field == "weight_measured_on"
    assert "31 days" in blocked.value.message
    assert order_count(db) == before


def test_no_weight_is_refused_naming_the_weight(db: Session, world: World) -> None:
    patient = make_patient(db, by=world.user("frontdesk"), mrn="NOW1", weight_kg=None)
    with pytest.raises(Invalid) as refused:
        create(db, world, patient=patient)
    assert refused.value.field == "weight_kg"


def test_hard_limit_stores_nothing(db: Session, world: World) -> None:
    before = order_count(db)
    with pytest.raises(RuleViolation) as blocked:
        create(db, world, dose_mg_per_kg=Decimal("2"))
    assert blocked.value.code == "dose.hard_limit"
    assert "hard limit" in blocked.value.message
    assert order_count(db) == before
    assert db.scalar(select(func.count()).select_from(OrderStatusChange)) == 0


def test_soft_limit_needs_a_reason(db: Session, world: World) -> None:
    with pytest.raises(Invalid) as refused:
        create(db, world, dose_mg_per_kg=Decimal("0.05"))
    assert refused.value.field == "override_reason"
    assert order_count(db) == 0
    order = create(db, world, dose_mg_per_kg=Decimal("0.05"), reason="  Sensitive to 0.1 mg/kg  ")
    assert order.requires_override is True
    assert order.override_reason == "Sensitive to 0.1 mg/kg"
    assert any(w["requires_override"] for w in order.warnings)


def test_reason_is_not_kept_when_no_limit_is_exceeded(db: Session, world: World) -> None:
    order = create(db, world, reason="not needed")
    assert order.requires_override is False
    assert order.override_reason is None


def test_sign_by_prescriber_only(db: Session, world: World) -> None:
    order = create(db, world)
    with pytest.raises(AccessDenied):
        order_service.sign_order(db, order_id=order.id, at=NOW, ctx=ctx(world, "nurse"))
    with pytest.raises(AccessDenied):
        create(db, world, persona="nurse")
    # Nurses may view.
    seen = order_service.read_order(db, order_id=order.id, at=NOW, ctx=ctx(world, "nurse"))
    assert seen.id == order.id
    signed = order_service.sign_order(
        db, order_id=order.id, expected_version=1, at=NOW, ctx=ctx(world, "prescriber")
    )
    assert signed.status == "signed"
    assert signed.signed_by == world.user("prescriber").id
    assert signed.signed_at == NOW
    assert signed.version == 2
    history = order_service.order_history(db, order=signed)
    assert [(h.from_status, h.to_status) for h in history] == [(None, "draft"), ("draft", "signed")]
    with pytest.raises(Conflict) as again:
        order_service.sign_order(db, order_id=order.id, at=NOW, ctx=ctx(world, "prescriber"))
    assert again.value.code == "order.illegal_transition"


def test_sign_rechecks_the_weight_age(db: Session, world: World) -> None:
    order = create(db, world)
    later = NOW + timedelta(days=31)
    with pytest.raises(RuleViolation) as blocked:
        order_service.sign_order(db, order_id=order.id, at=later, ctx=ctx(world, "prescriber"))
    assert blocked.value.code == "dose.weight_too_old"


def test_sign_with_stale_version_conflicts(db: Session, world: World) -> None:
    order = create(db, world)
    with pytest.raises(Conflict) as stale:
        order_service.sign_order(
            db, order_id=order.id, expected_version=7, at=NOW, ctx=ctx(world, "prescriber")
        )
    assert stale.value.field == "version"


def test_cancel_and_signed_orders_for(db: Session, world: World) -> None:
    first = create(db, world)
    second = create(db, world, at=NOW + timedelta(minutes=5))
    third = create(db, world, at=NOW + timedelta(minutes=10))
    for order in (first, second):
        order_service.sign_order(db, order_id=order.id, at=NOW, ctx=ctx(world, "prescriber"))
    order_service.cancel_order(
        db, order_id=first.id, reason="changed plan", at=NOW, ctx=ctx(world, "prescriber")
    )
    with pytest.raises(Invalid) as no_reason:
        order_service.cancel_order(
            db, order_id=third.id, reason="  ", at=NOW, ctx=ctx(world, "prescriber")
        )
    assert no_reason.value.field == "reason"
    signed = order_service.signed_orders_for(db, patient_id=the_patient(world).id)
    assert [o.id for o in signed] == [second.id]
    assert order_service.get_order(db, order_id=second.id).status == "signed"
    given = order_service.mark_order_given(db, order_id=second.id, at=NOW, ctx=ctx(world, "nurse"))
    assert given.status == "given"
    with pytest.raises(Conflict):
        order_service.cancel_order(
            db, order_id=second.id, reason="too late", at=NOW, ctx=ctx(world, "prescriber")
        )
    assert order_service.signed_orders_for(db, patient_id=the_patient(world).id) == []
    listed = order_service.list_patient_orders(
        db, patient_id=the_patient(world).id, at=NOW, ctx=ctx(world, "nurse")
    )
    assert [o.id for o in listed] == [third.id, second.id, first.id]


def test_outsider_cannot_order_or_read(db: Session, world: World) -> None:
    order = create(db, world)
    with pytest.raises(AccessDenied):
        create(db, world, persona="outsider")
    with pytest.raises(AccessDenied):
        order_service.read_order(db, order_id=order.id, at=NOW, ctx=ctx(world, "outsider"))


def custom_definition(new_id: str) -> dict[str, Any]:
    text = (
        resources.files("ketacare.core.dosing.protocols")
        .joinpath(f"{DEPRESSION}.json")
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    data["id"] = new_id
    data["name"] = "Clinic variant"
    return data


def test_custom_protocols_are_admin_only_validated_and_usable(db: Session, world: World) -> None:
    with pytest.raises(AccessDenied):
        protocol_service.add_custom_protocol(
            db, definition=custom_definition("clinic-a"), at=NOW, ctx=ctx(world, "prescriber")
        )
    broken = custom_definition("clinic-a")
    del broken["drug"]
    with pytest.raises(Invalid) as invalid:
        protocol_service.add_custom_protocol(db, definition=broken, at=NOW, ctx=ctx(world, "admin"))
    assert invalid.value.field == "drug"
    with pytest.raises(Conflict):
        protocol_service.add_custom_protocol(
            db, definition=custom_definition(DEPRESSION), at=NOW, ctx=ctx(world, "admin")
        )
    protocol_service.add_custom_protocol(
        db, definition=custom_definition("clinic-a"), at=NOW, ctx=ctx(world, "admin")
    )
    ids = [p.id for p in protocol_service.list_protocols_for(db, ctx=ctx(world, "nurse"))]
    assert "clinic-a" in ids
    assert DEPRESSION in ids
    # Another clinic does not see it.
    other = [p.id for p in protocol_service.list_protocols_for(db, ctx=ctx(world, "outsider"))]
    assert "clinic-a" not in other
    order = create(db, world, protocol_id="clinic-a")
    assert order.protocol_id == "clinic-a"
    assert order.dose_mg == Decimal("35")


def test_predicted_curves_for_an_iv_order(db: Session, world: World) -> None:
    order = create(db, world)
    got, pk = pk_service.order_concentrations(
        db, order_id=order.id, at=NOW, ctx=ctx(world, "nurse")
    )
    assert got.id == order.id
    assert pk.main_model == "domino"
    assert [m.model_id for m in pk.models] == ["domino", "clements250", "hijazi", "herd2007"]
    for model in pk.models:
        assert model.cmax_ng_per_ml > 0
        assert len(model.concentrations) == len(pk.times_min)
        # The peak is at the end of the 40 min infusion for every model.
        assert model.tmax_min == pytest.approx(40, abs=2)
    assert pk.population is not None
    assert pk.population.model_id == "herd2007"  # Domino reports no variability
    assert pk.population.note is not None
    assert all(
        lo <= mid <= hi
        for lo, mid, hi in zip(pk.population.p5, pk.population.p50, pk.population.p95, strict=True)
    )
    assert max(pk.population.p95) > max(pk.population.p5) > 0
    assert pk.bands[0].lower == 0
    assert pk.times_min[-1] >= 40 + pk_service.PK_FOLLOW_UP_MIN


def test_predicted_curves_for_a_nasal_order(db: Session, world: World) -> None:
    order = create(db, world, protocol_id="esketamine-nasal", first_dose=True)
    assert order.dose_mg == Decimal("56")
    pk = pk_service.predict_order(order)
    assert pk.main_model == "perez-ruixo2021"
    assert pk.population is not None
    assert pk.population.model_id == "perez-ruixo2021"
    assert pk.population.note is None
    assert pk.models[0].cmax_ng_per_ml > 0
    assert any("racemic" in n for n in pk.notes)
