"""The session's stored rows as the core's value objects: readings, baseline, administration.

Conversions only; the rules that read them live in ``ketacare.core.session``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from ketacare.core.errors import Invalid
from ketacare.core.session.administration import (
    AdministrationRecord,
    AdministrationTotals,
    AmountUnit,
    Bolus,
    DeviceUse,
    Pause,
    RateSegment,
    RateUnit,
    total_administered,
)
from ketacare.core.session.model import AdministrationKind, Symptom, VitalsReading
from ketacare.db.models import (
    AdministrationEvent,
    Order,
    SessionVitals,
    TreatmentSession,
)


def reading_of(v: SessionVitals) -> VitalsReading:
    symptoms = frozenset(Symptom(s) for s in v.symptoms.split(",") if s)
    return VitalsReading(
        at=v.measured_at,
        sbp=v.systolic,
        dbp=v.diastolic,
        hr=v.heart_rate,
        spo2=v.spo2,
        rr=v.respiratory_rate,
        symptoms=symptoms,
    )


def readings_of(rows: Sequence[SessionVitals]) -> list[VitalsReading]:
    return [reading_of(v) for v in rows]


def baseline_of(row: TreatmentSession, readings: Sequence[VitalsReading]) -> VitalsReading | None:
    """The pre-dose baseline: the last reading with a BP before administration started."""
    start = row.first_administration_at
    before = [r for r in readings if r.has_bp and (start is None or r.at <= start)]
    return max(before, key=lambda r: r.at, default=None)


def predose_readings(
    row: TreatmentSession, readings: Sequence[VitalsReading]
) -> tuple[VitalsReading, ...]:
    start = row.first_administration_at
    return tuple(r for r in readings if start is None or r.at <= start)


def struck_out_ids(events: Sequence[AdministrationEvent]) -> frozenset[int]:
    """Ids of the lines an ``entered_in_error`` line strikes out."""
    return frozenset(e.corrects_id for e in events if e.corrects_id is not None)


def effective_events(events: Sequence[AdministrationEvent]) -> list[AdministrationEvent]:
    """The lines that count: neither struck out nor a correction themselves."""
    struck = struck_out_ids(events)
    return [
        e for e in events if e.id not in struck and e.kind != AdministrationKind.ENTERED_IN_ERROR
    ]


def administration_record(
    events: Sequence[AdministrationEvent], concentration: Decimal | None
) -> AdministrationRecord:
    """Rebuild the core's administration record from the charted events, in time order.

    Lines entered in error (and the corrections themselves) are left out of the record.
    """
    events = effective_events(events)
    segments: list[RateSegment] = []
    pauses: list[Pause] = []
    boluses: list[Bolus] = []
    devices: list[DeviceUse] = []
    open_seg: tuple[datetime, Decimal] | None = None
    open_pause: datetime | None = None
    k = AdministrationKind
    for e in sorted(events, key=lambda e: (e.at, e.id)):
        if (e.kind.sets_rate or e.kind == k.STOP) and open_seg is not None:
            segments.append(RateSegment(open_seg[0], e.at, open_seg[1], RateUnit.ML_PER_H))
            open_seg = None
        if e.kind.sets_rate and e.rate_ml_per_h is not None:
            open_seg = (e.at, e.rate_ml_per_h)
        if e.kind in (k.RESUME, k.STOP) and open_pause is not None:
            pauses.append(Pause(open_pause, e.at))
            open_pause = None
        if e.kind == k.PAUSE:
            open_pause = e.at
        if e.kind == k.BOLUS and e.amount is not None:
            boluses.append(Bolus(e.at, e.amount, AmountUnit(e.amount_unit or AmountUnit.MG)))
        if e.kind == k.DEVICE:
            devices.append(DeviceUse(e.at, e.lot_number))
    if open_seg is not None:
        segments.append(RateSegment(open_seg[0], None, open_seg[1], RateUnit.ML_PER_H))
    if open_pause is not None:
        pauses.append(Pause(open_pause, None))
    return AdministrationRecord(
        concentration_mg_per_ml=concentration,
        segments=tuple(segments),
        pauses=tuple(pauses),
        boluses=tuple(boluses),
        devices=tuple(devices),
    )


def infusate_concentration(order: Order | None) -> Decimal | None:
    """mg per mL of what the pump delivers: the diluted bag's, else the undiluted stock's.

    The pump rate (mL/h) is a rate of the infused solution, so multiplying it by the stock
    concentration of a diluted bag would overstate the dose many times over.
    """
    if order is None:
        return None
    diluted = (order.calculation or {}).get("infusion_concentration_mg_per_ml")
    if diluted is not None:
        return Decimal(str(diluted))
    if order.final_volume_ml is None:
        return order.concentration_mg_per_ml
    return None


def totals_of(
    events: Sequence[AdministrationEvent], order: Order | None, *, at: datetime
) -> AdministrationTotals | None:
    """The totals, or ``None`` when the record cannot be added up (no concentration known)."""
    record = administration_record(events, infusate_concentration(order))
    try:
        return total_administered(record, at=at)
    except Invalid:
        return None
