"""What the nurse charts at the chair: vitals, checks, administration, ratings, events.

Each POST runs one service call through ``session_view.act``: success redirects back to the
chair, a refused rule re-renders it with what is wrong.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from ketacare.core.errors import Invalid
from ketacare.services import rems as rems_service
from ketacare.services import session_records as records_service
from ketacare.services import session_vitals as vitals_service
from ketacare.services.session_gates import CHECKLIST_ITEMS
from ketacare.web.deps import CsrfAuth, Db, State
from ketacare.web.pages.session_view import act, form_dec, form_flag, form_int, form_time
from ketacare.web.schemas.session import AdverseEventCreate, VitalsCreate

router = APIRouter(include_in_schema=False)


@router.post("/sessions/{session_id}/vitals", response_class=HTMLResponse)
async def vitals(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        body = VitalsCreate.model_validate(
            {
                "measured_at": form_time(form, "measured_at"),
                **{k: form_int(form, k) for k in vitals_service.VITAL_FIELDS},
                "symptoms": form.getlist("symptoms"),
            }
        )
        return vitals_service.record_vitals(
            db,
            session_id=session_id,
            measured_at=body.measured_at,
            values=body.model_dump(exclude={"measured_at", "symptoms"}),
            symptoms=body.symptoms,
            at=auth.at,
            ctx=auth.ctx,
            windows=auth.windows,
        )

    return await act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/alerts/{alert_id}/ack", response_class=HTMLResponse)
async def ack(
    request: Request, session_id: int, alert_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        return vitals_service.acknowledge_alert(
            db,
            session_id=session_id,
            alert_id=alert_id,
            note=str(form.get("note") or "") or None,
            at=auth.at,
            ctx=auth.ctx,
        )

    return await act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/bp-ack", response_class=HTMLResponse)
async def bp_ack(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        return vitals_service.acknowledge_predose_bp(
            db,
            session_id=session_id,
            note=str(form.get("note") or "") or None,
            at=auth.at,
            ctx=auth.ctx,
        )

    return await act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/checks", response_class=HTMLResponse)
async def checks(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        pregnancy = str(form.get("pregnancy_status") or "")
        if pregnancy not in ("", "negative", "positive"):
            raise Invalid("form.pregnancy", "choose negative or positive", field="pregnancy_status")
        return records_service.record_checks(
            db,
            session_id=session_id,
            npo_confirmed=form_flag(form, "npo_confirmed"),
            escort_arranged=form_flag(form, "escort_arranged"),
            pregnancy_status=pregnancy or None,
            expected_version=form_int(form, "version"),
            at=auth.at,
            ctx=auth.ctx,
        )

    return await act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/checklist", response_class=HTMLResponse)
async def checklist(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        return records_service.record_discharge_checklist(
            db,
            session_id=session_id,
            items={k: form_flag(form, k) for k in CHECKLIST_ITEMS},
            on_supplemental_oxygen=form_flag(form, "on_supplemental_oxygen"),
            escort_confirmed=form_flag(form, "escort_confirmed"),
            no_driving_acknowledged=form_flag(form, "no_driving_acknowledged"),
            expected_version=form_int(form, "version"),
            at=auth.at,
            ctx=auth.ctx,
        )

    return await act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/administration", response_class=HTMLResponse)
async def administration(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        unit = str(form.get("amount_unit") or "") or None
        entry = records_service.AdministrationEntry(
            kind=str(form.get("kind") or ""),
            occurred_at=form_time(form, "at"),
            rate_ml_per_h=form_dec(form, "rate_ml_per_h"),
            amount=form_dec(form, "amount"),
            amount_unit=unit if unit in ("mg", "mL") else None,
            lot_number=str(form.get("lot_number") or "").strip()[:60] or None,
            reason=str(form.get("reason") or "").strip()[:500] or None,
        )
        return records_service.record_administration(
            db,
            session_id=session_id,
            entry=entry,
            expected_version=form_int(form, "version"),
            at=auth.at,
            ctx=auth.ctx,
            windows=auth.windows,
        )

    return await act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/observations", response_class=HTMLResponse)
async def observation(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        raw = str(form.get("answers") or "").strip()
        answers = [a.strip() for a in raw.split(",") if a.strip()] if raw else None
        return records_service.record_observation(
            db,
            session_id=session_id,
            instrument_id=str(form.get("instrument_id") or "") or None,
            answers=[int(a) if a.lstrip("-").isdigit() else a for a in answers or []] or None,
            text=str(form.get("text") or "") or None,
            observed_at=None,
            at=auth.at,
            ctx=auth.ctx,
            windows=auth.windows,
        )

    return await act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/adverse-events", response_class=HTMLResponse)
async def adverse_event(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        body = AdverseEventCreate.model_validate(
            {
                "category": str(form.get("category") or "").strip().lower().replace(" ", "_"),
                "severity": form.get("severity"),
                "serious": form_flag(form, "serious"),
                "onset_at": form_time(form, "onset_at") or auth.at,
                "actions_taken": str(form.get("actions_taken") or ""),
                "outcome": form.get("outcome"),
            }
        )
        return records_service.record_adverse_event(
            db,
            session_id=session_id,
            entry=records_service.AdverseEventEntry(**body.model_dump()),
            at=auth.at,
            ctx=auth.ctx,
            windows=auth.windows,
        )

    return await act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/rems-submit", response_class=HTMLResponse)
async def rems_submit(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(_form: FormData) -> object:
        return rems_service.submit_rems_form(db, session_id=session_id, at=auth.at, ctx=auth.ctx)

    return await act(request, db, state, auth, session_id, work)
