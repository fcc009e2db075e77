"""What the chair page shows and how its forms are read: labels, amounts, charts, the render.

The routes live in ``pages.session`` (the chair and its moves), ``pages.session_forms`` (what
the nurse charts at the chair) and ``pages.session_bookings`` (the patient's bookings).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from ketacare.core.audit import AuditEntity
from ketacare.core.authz import Action, Target, can
from ketacare.core.codes import SessionDrug, pregnancy_applies
from ketacare.core.errors import DomainError, Forbidden, Invalid
from ketacare.core.session.config import ESKETAMINE_DEVICE_MG
from ketacare.core.session.model import GateFailure, Symptom
from ketacare.core.session.predose import instructions_for
from ketacare.core.session.rems import load_rems_template
from ketacare.core.session.states import REASON_REQUIRED, TRANSITIONS, SessionState
from ketacare.services.accounts import organisations as organisation_service
from ketacare.services.audit import AccessDenied, record_denial
from ketacare.services.orders import pk as pk_service
from ketacare.services.patients import medications as medication_service
from ketacare.services.patients import registry as patient_service
from ketacare.services.session import lifecycle as svc
from ketacare.services.session import rems as rems_service
from ketacare.services.session import vitals as vitals_service
from ketacare.services.session.gates import CHECKLIST_ITEMS, GateRefused
from ketacare.web.deps import CsrfAuth, CurrentAuth, Db, State
from ketacare.web.errors import status_for
from ketacare.web.forms import FormState, failed, typed_values
from ketacare.web.pages.common import render, see_other
from ketacare.web.pages.session_dosing import (
    devices_given,
    dose_summary,
    record_lines,
    rems_questions,
)
from ketacare.web.pk_chart import render_order_pk_svg

S = SessionState
# Button order: the next step forward first, then pausing, aborting last.
MOVE_ORDER = (S.CHECKED_IN, S.READY, S.INFUSING, S.RECOVERING, S.DISCHARGED, S.PAUSED, S.ABORTED)
CHART_W, CHART_H, CHART_PAD = 640, 180, 24
# The states whose chair controls the page shows (what the nurse does next in each).
PREDOSE_STATES = (S.CHECKED_IN, S.READY)
RUNNING_STATES = (S.INFUSING, S.PAUSED, S.RECOVERING)


# --- wording ---------------------------------------------------------------------------------


def move_label(current: SessionState, to: SessionState, *, esketamine: bool) -> str:
    """A transition button's words: an infusion for IV, nasal devices for esketamine."""
    if to is S.INFUSING:
        if current is S.PAUSED:
            return "Resume dosing" if esketamine else "Resume infusion"
        return "Start dosing" if esketamine else "Start infusion"
    if to is S.PAUSED:
        return "Pause dosing" if esketamine else "Pause infusion"
    if to is S.RECOVERING:
        return "Dosing done: observe" if esketamine else "Stop infusion"
    return {
        S.CHECKED_IN: "Check in",
        S.READY: "Ready to dose",
        S.DISCHARGED: "Discharge",
        S.ABORTED: "Abort",
    }.get(to, to.value.replace("_", " "))


def amount(value: Decimal | int | float | None, unit: str = "") -> str:
    """A dose or volume as people write it: ``28 mg``, ``45.5 mg``, ``12.5 mL`` (no trailing
    zeros, never an exponent). Display only; the stored value is unchanged."""
    if value is None:
        return ""
    number = Decimal(str(value)).normalize()
    text = f"{number:f}"
    return f"{text} {unit}".strip()


# --- form fields -----------------------------------------------------------------------------


def form_time(form: FormData, name: str) -> datetime | None:
    """A datetime-local value plus the browser's offset (minutes, JS convention) -> aware UTC."""
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    try:
        naive = datetime.fromisoformat(raw)
        offset = int(str(form.get("tz_offset_min") or "0"))
    except ValueError:
        raise Invalid("form.bad_time", "Enter a date and time.", field=name) from None
    if naive.tzinfo is not None:
        return naive.astimezone(UTC)
    return (naive + timedelta(minutes=offset)).replace(tzinfo=UTC)


# --- figures ---------------------------------------------------------------------------------


def vitals_chart(detail: svc.SessionDetail) -> dict[str, Any]:
    """Polylines for SBP, DBP and HR over the session, scaled into a fixed SVG box."""
    rows = [v for v in detail.vitals if v.systolic or v.diastolic or v.heart_rate]
    if len(rows) < 2:  # a line needs two points
        return {"lines": [], "w": CHART_W, "h": CHART_H}
    t0, t1 = rows[0].measured_at, rows[-1].measured_at
    span = max((t1 - t0).total_seconds(), 1.0)
    lo, hi = 30, 220  # display range in mmHg / beats per minute, not a clinical limit

    def xy(v: Any, value: int) -> str:
        x = CHART_PAD + (v.measured_at - t0).total_seconds() / span * (CHART_W - 2 * CHART_PAD)
        clamped = min(max(value, lo), hi)
        y = CHART_H - CHART_PAD - (clamped - lo) / (hi - lo) * (CHART_H - 2 * CHART_PAD)
        return f"{x:.0f},{y:.0f}"

    lines = []
    for name, attr, css in (
        ("SBP", "systolic", "sbp"),
        ("DBP", "diastolic", "dbp"),
        ("HR", "heart_rate", "hr"),
    ):
        points = " ".join(xy(v, getattr(v, attr)) for v in rows if getattr(v, attr))
        lines.append({"name": name, "points": points, "css": css})
    return {"lines": lines, "w": CHART_W, "h": CHART_H}


def pk_figure(detail: svc.SessionDetail, *, at: datetime) -> dict[str, Any]:
    """The predicted concentration curve of the session's order, marked at "now" once dosing
    began (display only; the prediction never doses). Empty when there is no order or the
    order cannot be predicted (the reason is shown instead)."""
    if detail.order is None:
        return {}
    try:
        prediction = pk_service.predict_order(detail.order)
    except Invalid as exc:
        return {"error": exc.message}
    start = detail.session.first_administration_at
    marker = None if start is None else (at - start).total_seconds() / 60
    svg = render_order_pk_svg(prediction, marker_min=marker)
    return {"svg": svg, "prediction": prediction, "marker_min": marker}


# --- the chair page --------------------------------------------------------------------------


def rems_context(db: Db, auth: CurrentAuth, row: Any) -> dict[str, Any] | None:
    """The REMS form's state and the questions staff answer at the chair (until submitted)."""
    form = rems_service.rems_form(db, session_id=row.id, at=auth.at, ctx=auth.ctx)
    labels = {f.id: f.label for f in load_rems_template(form.version).fields}
    questions = rems_questions(row.rems_answers or {}, form.values)
    for q in questions:
        q["label"] = labels.get(q["name"], q["name"].replace("_", " "))
    return {
        "form": form,
        "questions": questions,
        "missing": [labels.get(m, m) for m in form.missing],
    }


def chair_page(
    request: Request,
    db: Db,
    state: State,
    auth: CurrentAuth,
    session_id: int,
    *,
    form: FormState | None = None,
    failures: list[GateFailure] | None = None,
    status: int = 200,
) -> Response:
    detail = svc.get_session_detail(db, session_id=session_id, at=auth.at, ctx=auth.ctx)
    row = detail.session
    patient = patient_service.get_patient(db, patient_id=row.patient_id, at=auth.at, ctx=auth.ctx)
    target = Target(row.organisation_id, row.patient_id)
    current = SessionState(row.state)
    esketamine = row.drug == SessionDrug.ESKETAMINE_NASAL
    devices = devices_given(detail) if esketamine else []
    dose = dose_summary(detail, at=auth.at)
    return render(
        request,
        state,
        "session/chair.html",
        auth,
        status=status,
        d=detail,
        s=row,
        patient=patient,
        form=form or FormState(),
        # A named form shows its own general error inside its card; the rest go on top.
        errors=form.general if form is not None and not form.form_id else {},
        failures=failures or [],
        moves=[
            {
                "to": m.value,
                "label": move_label(current, m, esketamine=esketamine),
                "reason": m in REASON_REQUIRED
                or (m is S.RECOVERING and bool(dose and dose["short"])),
                "confirm_short": m is S.RECOVERING and bool(dose and dose["short"]),
            }
            for m in sorted(TRANSITIONS[current], key=MOVE_ORDER.index)
            # Esketamine: no move to recovery before the first device (abort instead).
            if not (m is S.RECOVERING and esketamine and not devices)
        ],
        dose=dose,
        record=record_lines(detail),
        rems=rems_context(db, auth, row) if esketamine else None,
        medicines=medication_service.medicines_panel(
            db, patient_id=row.patient_id, protocol_id=row.protocol_id, at=auth.at, ctx=auth.ctx
        ),
        open_alerts=[a for a in detail.alerts if a.acknowledged_at is None],
        bp_pending=vitals_service.pending_bp_acknowledgement(row, detail.vitals, at=auth.at),
        bp_hold=vitals_service.pending_bp_hold(row, detail.vitals),
        can_run=bool(can(auth.actor, Action.SESSION_RUN, target)),
        can_sign=bool(can(auth.actor, Action.CLINICAL_SIGN, target)),
        symptoms=[(s.value, s.label) for s in Symptom],
        checklist_items=CHECKLIST_ITEMS,
        # The same core rule decides the screening evidence behind the ready gate.
        pregnancy_asked=pregnancy_applies(patient.sex_at_birth),
        chart=vitals_chart(detail),
        pk=pk_figure(detail, at=auth.at),
        esketamine=esketamine,
        predose_instructions=instructions_for(SessionDrug(row.drug)),
        devices=devices,
        ordered_devices_given=bool(dose and dose["devices_left"] == 0),
        device_mg=ESKETAMINE_DEVICE_MG,
        dosing_started=row.first_administration_at is not None,
        predose_states=PREDOSE_STATES,
        running_states=RUNNING_STATES,
        S=SessionState,
        amount=amount,
        now=auth.at,
        # The chair is at one location: its clock is the one the nurse reads.
        zone=organisation_service.display_zone(
            db, organisation_id=row.organisation_id, location_id=row.location_id
        ),
    )


async def act(
    request: Request,
    db: Db,
    state: State,
    auth: CsrfAuth,
    session_id: int,
    work: Callable[[FormData], object],
    *,
    form_id: str | Callable[[FormData], str] = "",
    fields: Sequence[str] | None = None,
) -> Response:
    """Run one form action; on a refused rule re-render the chair page with what is wrong,
    the values as typed back in form ``form_id`` and each message beside its field."""
    form = await request.form()
    if callable(form_id):
        form_id = form_id(form)  # one endpoint, several forms (the chair's rate and bolus)
    try:
        work(form)
    except GateRefused as exc:
        db.rollback()
        return chair_page(
            request, db, state, auth, session_id, failures=exc.failures, status=status_for(exc)
        )
    except AccessDenied as exc:
        if exc.entity_type != AuditEntity.ADMINISTRATION_OVERRIDE:
            raise
        # A refused override at the chair: nothing is charted, the refusal is audited, and the
        # nurse sees why beside the override fields instead of a bare 403. The password is
        # never sent back.
        db.rollback()
        record_denial(db, ctx=auth.ctx, at=auth.at, denied=exc)
        bad = FormState(form_id, typed_values(form), {"override_password": exc.message})
        return chair_page(request, db, state, auth, session_id, form=bad, status=403)
    except (ValidationError, DomainError) as exc:
        if isinstance(exc, Forbidden):
            raise
        db.rollback()
        # Without named fields every message goes above the forms (transitions, checks).
        bad = failed(form_id, typed_values(form), exc, fields=fields or ())
        return chair_page(request, db, state, auth, session_id, form=bad, status=status_for(exc))
    return see_other(f"/sessions/{session_id}")
