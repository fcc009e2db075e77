"""What the nurse charts at the chair: vitals, checks, administration, ratings, events.

Each POST runs one service call through ``session_view.act``: success redirects back to the
chair, a refused rule re-renders it with what is wrong.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from ketacare.core.errors import Invalid
from ketacare.services.session import administration as admin_service
from ketacare.services.session import records as records_service
from ketacare.services.session import rems as rems_service
from ketacare.services.session import vitals as vitals_service
from ketacare.services.session.gates import CHECKLIST_ITEMS
from ketacare.web.api.session import administration_entry
from ketacare.web.deps import CsrfAuth, Db, State
from ketacare.web.pages.session_view import act, form_dec, form_flag, form_int, form_time
from ketacare.web.schemas.session import (
    AdministrationCreate,
    AdverseEventCreate,
    ObservationCreate,
    RemsAnswers,
    VitalsCreate,
)

router = APIRouter(include_in_schema=False)
VITALS_FIELDS = ("measured_at", *vitals_service.VITAL_FIELDS, "symptoms")
OBSERVATION_FIELDS = ("instrument_id", "answers", "text")
EVENT_FIELDS = ("category", "severity", "serious", "onset_at", "actions_taken", "outcome")
ADMINISTRATION_FIELDS = (
    "rate_ml_per_h",
    "amount",
    "reason",
    "lot_number",
    "override_email",
    "override_password",
    "override_reason",
    "confirm_less_than_ordered",
)


def _typed(form: FormData, name: str) -> str | None:
    """An input as typed, ``None`` when blank: the schema, not the page, judges it."""
    return str(form.get(name) or "").strip() or None


@router.post("/sessions/{session_id}/vitals", response_class=HTMLResponse)
async def vitals(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        body = VitalsCreate.model_validate(
            {
                "measured_at": form_time(form, "measured_at"),
                **{k: _typed(form, k) for k in vitals_service.VITAL_FIELDS},
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

    return await act(
        request, db, state, auth, session_id, work, form_id="vitals", fields=VITALS_FIELDS
    )


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


def _instructions(form: FormData) -> dict[str, bool] | None:
    """The esketamine pre-dose instructions the page showed (``shown``), each ticked or not."""
    shown = [str(v) for v in form.getlist("predose_instruction_shown")]
    ticked = {str(v) for v in form.getlist("predose_instructions")}
    return {name: name in ticked for name in shown} if shown else None


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
            predose_instructions=_instructions(form),
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
        return admin_service.record_administration(
            db,
            session_id=session_id,
            entry=administration_entry(administration_form(form)),
            expected_version=form_int(form, "version"),
            at=auth.at,
            ctx=auth.ctx,
            hasher=state.hasher,
            windows=auth.windows,
        )

    return await act(
        request,
        db,
        state,
        auth,
        session_id,
        work,
        form_id=lambda form: f"administration-{form.get('kind') or ''}",
        fields=ADMINISTRATION_FIELDS,
    )


def administration_form(form: FormData) -> AdministrationCreate:
    """The chair's administration form, parsed with the API's schema."""
    unit = _typed(form, "amount_unit")
    password = str(form.get("override_password") or "")
    override = None
    if password or _typed(form, "override_reason") or _typed(form, "override_email"):
        override = {
            "prescriber_email": _typed(form, "override_email"),
            "password": password,
            "reason": _typed(form, "override_reason") or "",
        }
    return AdministrationCreate.model_validate(
        {
            "kind": str(form.get("kind") or ""),
            "at": form_time(form, "at"),
            "rate_ml_per_h": form_dec(form, "rate_ml_per_h"),
            "amount": form_dec(form, "amount"),
            "amount_unit": unit if unit in ("mg", "mL") else None,
            "lot_number": _typed(form, "lot_number"),
            "reason": _typed(form, "reason"),
            "override": override,
            "confirm_less_than_ordered": form_flag(form, "confirm_less_than_ordered"),
            "corrects_id": form_int(form, "corrects_id"),
        }
    )


@router.post("/sessions/{session_id}/observations", response_class=HTMLResponse)
async def observation(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        raw = str(form.get("answers") or "").strip()
        answers = [a.strip() for a in raw.split(",") if a.strip()] if raw else None
        body = ObservationCreate.model_validate(
            {
                "instrument_id": _typed(form, "instrument_id"),
                "answers": [int(a) if a.lstrip("-").isdigit() else a for a in answers or []]
                or None,
                "text": _typed(form, "text"),
            }
        )
        return records_service.record_observation(
            db,
            session_id=session_id,
            instrument_id=body.instrument_id,
            answers=body.answers,
            text=body.text,
            observed_at=None,
            at=auth.at,
            ctx=auth.ctx,
            windows=auth.windows,
        )

    return await act(
        request, db, state, auth, session_id, work, form_id="rating", fields=OBSERVATION_FIELDS
    )


@router.post("/sessions/{session_id}/adverse-events", response_class=HTMLResponse)
async def adverse_event(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        body = AdverseEventCreate.model_validate(
            {
                "category": str(form.get("category") or "").strip().lower().replace(" ", "_"),
                "severity": _typed(form, "severity"),
                "serious": form_flag(form, "serious"),
                "onset_at": form_time(form, "onset_at") or auth.at,
                "actions_taken": str(form.get("actions_taken") or ""),
                "outcome": _typed(form, "outcome"),
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

    return await act(
        request, db, state, auth, session_id, work, form_id="event", fields=EVENT_FIELDS
    )


@router.post("/sessions/{session_id}/rems-answers", response_class=HTMLResponse)
async def rems_answers(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    """The REMS questions answered at the chair (a blank answer leaves the stored one)."""

    def work(form: FormData) -> object:
        body = RemsAnswers.model_validate({"answers": rems_form_answers(form)})
        return rems_service.answer_rems_form(
            db, session_id=session_id, answers=body.answers, at=auth.at, ctx=auth.ctx
        )

    return await act(request, db, state, auth, session_id, work)


def rems_form_answers(form: FormData) -> dict[str, bool | int | str | None]:
    answers: dict[str, bool | int | str | None] = {}
    for name in rems_service.BOOLEAN_ANSWERS:
        raw = str(form.get(name) or "")
        if raw in ("yes", "no"):
            answers[name] = raw == "yes"
    for name in rems_service.TEXT_ANSWERS:
        text = _typed(form, name)
        if text is not None:
            answers[name] = text
    for name in rems_service.INTEGER_ANSWERS:
        number = form_int(form, name)
        if number is not None:
            answers[name] = number
    return answers


@router.post("/sessions/{session_id}/rems-submit", response_class=HTMLResponse)
async def rems_submit(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(_form: FormData) -> object:
        return rems_service.submit_rems_form(db, session_id=session_id, at=auth.at, ctx=auth.ctx)

    return await act(request, db, state, auth, session_id, work)
