"""What the nurse charts at the chair: vitals, checks, administration, ratings, events.

Each POST runs one service call through ``session_view.act``: success redirects back to the
chair, a refused rule re-renders it with what is wrong.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from ketacare.services.session import administration as admin_service
from ketacare.services.session import records as records_service
from ketacare.services.session import rems as rems_service
from ketacare.services.session import vitals as vitals_service
from ketacare.services.session.gates import CHECKLIST_ITEMS
from ketacare.web.api.session import administration_entry
from ketacare.web.deps import CsrfAuth, Db, State
from ketacare.web.forms import parse, text_values
from ketacare.web.pages.session_view import act, form_time
from ketacare.web.schemas.session import (
    AdministrationCreate,
    AdverseEventCreate,
    ChecklistUpdate,
    ChecksUpdate,
    ObservationCreate,
    RemsAnswers,
    VitalsCreate,
)

router = APIRouter(include_in_schema=False)
VITALS_FIELDS = ("measured_at", *vitals_service.VITAL_FIELDS, "symptoms")
OBSERVATION_FIELDS = ("instrument_id", "answers", "text")
EVENT_FIELDS = ("category", "severity", "serious", "onset_at", "actions_taken", "outcome")
CHECKS_FLAGS = ("npo_confirmed", "escort_arranged")
CHECKLIST_FLAGS = (
    *CHECKLIST_ITEMS,
    "on_supplemental_oxygen",
    "escort_confirmed",
    "no_driving_acknowledged",
)
# The administration inputs the schema takes as typed ("at" is a local time, see form_time).
ADMINISTRATION_INPUTS = (
    "kind",
    "rate_ml_per_h",
    "amount",
    "amount_unit",
    "lot_number",
    "reason",
    "confirm_less_than_ordered",
    "corrects_id",
    "version",
)
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


@router.post("/sessions/{session_id}/vitals", response_class=HTMLResponse)
async def vitals(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        body = parse(
            VitalsCreate,
            {
                **text_values(form, vitals_service.VITAL_FIELDS),
                "measured_at": form_time(form, "measured_at"),
                "symptoms": form.getlist("symptoms"),
            },
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
        typed = text_values(form, (*CHECKS_FLAGS, "pregnancy_status", "version"))
        body = parse(ChecksUpdate, typed, flags=CHECKS_FLAGS)
        return records_service.record_checks(
            db,
            session_id=session_id,
            npo_confirmed=bool(body.npo_confirmed),
            escort_arranged=bool(body.escort_arranged),
            pregnancy_status=body.pregnancy_status,
            # Several checkboxes of one name make a dict the flat form parser cannot build.
            predose_instructions=_instructions(form),
            expected_version=body.version,
            at=auth.at,
            ctx=auth.ctx,
        )

    return await act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/checklist", response_class=HTMLResponse)
async def checklist(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        typed = text_values(form, (*CHECKLIST_FLAGS, "version"))
        body = parse(ChecklistUpdate, typed, flags=CHECKLIST_FLAGS)
        ticked = body.model_dump(exclude={"version"})
        return records_service.record_discharge_checklist(
            db,
            session_id=session_id,
            items={k: bool(ticked[k]) for k in CHECKLIST_ITEMS},
            on_supplemental_oxygen=bool(body.on_supplemental_oxygen),
            escort_confirmed=bool(body.escort_confirmed),
            no_driving_acknowledged=bool(body.no_driving_acknowledged),
            expected_version=body.version,
            at=auth.at,
            ctx=auth.ctx,
        )

    return await act(request, db, state, auth, session_id, work)


@router.post("/sessions/{session_id}/administration", response_class=HTMLResponse)
async def administration(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        body = administration_form(form)
        return admin_service.record_administration(
            db,
            session_id=session_id,
            entry=administration_entry(body),
            expected_version=body.version,
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
    typed = text_values(form, (*ADMINISTRATION_INPUTS, "override_email", "override_reason"))
    password = str(form.get("override_password") or "")  # a password is taken as typed
    override = None
    if password or typed["override_reason"] or typed["override_email"]:
        override = {
            "prescriber_email": typed["override_email"] or None,
            "password": password,
            "reason": typed["override_reason"],
        }
    if typed["amount_unit"] not in ("mg", "mL"):
        typed["amount_unit"] = ""  # the unit picker's placeholder: the order's unit applies
    return parse(
        AdministrationCreate,
        {
            **{k: typed[k] for k in ADMINISTRATION_INPUTS},
            "at": form_time(form, "at"),
            "override": override,
        },
        flags=("confirm_less_than_ordered",),
    )


@router.post("/sessions/{session_id}/observations", response_class=HTMLResponse)
async def observation(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(form: FormData) -> object:
        raw = str(form.get("answers") or "").strip()
        answers = [a.strip() for a in raw.split(",") if a.strip()] if raw else None
        body = parse(
            ObservationCreate,
            {
                **text_values(form, ("instrument_id", "text")),
                "answers": [int(a) if a.lstrip("-").isdigit() else a for a in answers or []],
            },
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
        typed = text_values(form, ("category", "severity", "serious", "actions_taken", "outcome"))
        body = parse(
            AdverseEventCreate,
            {
                **typed,
                # The form takes the category as words ("Nausea"); the record keeps the code.
                "category": typed["category"].lower().replace(" ", "_"),
                "onset_at": form_time(form, "onset_at") or auth.at,
            },
            flags=("serious",),
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
    typed = text_values(form, (*rems_service.TEXT_ANSWERS, *rems_service.INTEGER_ANSWERS))
    for name in rems_service.TEXT_ANSWERS:
        if typed[name]:
            answers[name] = typed[name]
    for name in rems_service.INTEGER_ANSWERS:
        if typed[name]:
            # The REMS template judges the answer; a number typed is sent as one.
            answers[name] = int(typed[name]) if typed[name].lstrip("-").isdigit() else typed[name]
    return answers


@router.post("/sessions/{session_id}/rems-submit", response_class=HTMLResponse)
async def rems_submit(
    request: Request, session_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    def work(_form: FormData) -> object:
        return rems_service.submit_rems_form(db, session_id=session_id, at=auth.at, ctx=auth.ctx)

    return await act(request, db, state, auth, session_id, work)
