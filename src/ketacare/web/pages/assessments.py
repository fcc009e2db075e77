"""The assessments page: record a form, past results, trajectories with outcomes."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from ketacare.core.authz import Action, Target, can
from ketacare.core.codes import Timepoint
from ketacare.core.errors import Conflict, DomainError, Invalid, NotFound
from ketacare.core.instruments import Catalogue, Instrument, load_catalogue
from ketacare.core.instruments.bands import band_edges
from ketacare.core.instruments.model import Item, ItemKind
from ketacare.core.outcomes.model import LinkStatus
from ketacare.services.assessments import links as link_service
from ketacare.services.assessments import outcomes as outcome_service
from ketacare.services.assessments import records as service
from ketacare.services.assessments import source as assessment_source
from ketacare.services.assessments.licensed_text import catalogue_with_text
from ketacare.services.assessments.records import AssessmentEntry
from ketacare.services.patients import registry as patient_service
from ketacare.web.charts import ChartBand, ChartLine, ChartMarker, ChartPoint, trajectory_svg
from ketacare.web.deps import CsrfAuth, CurrentAuth, Db, State
from ketacare.web.errors import status_for
from ketacare.web.forms import FormState, domain_message, failed
from ketacare.web.pages.common import render, see_other
from ketacare.web.schemas.assessment import AssessmentCreate

router = APIRouter(include_in_schema=False)


def display_catalogue(state: State) -> tuple[Catalogue, str | None]:
    """The catalogue with the clinic's licensed wording; plain labels if it cannot be read."""
    try:
        return catalogue_with_text(state.settings.licensed_text_dir), None
    except Invalid as exc:
        return load_catalogue(), exc.message


def choices(item: Item) -> list[tuple[str, str]]:
    """(value, label) radio choices of one item: shipped anchors, else neutral numbers."""
    if item.kind is ItemKind.YES_NO:
        return [("yes", "Yes"), ("no", "No")]
    labels = {o.score: o.label for o in item.options}
    values = item.allowed or tuple(range(item.min, item.max + 1))
    return [(str(v), f"{v} · {labels[v]}" if v in labels else str(v)) for v in values]


def _bands(instrument: Instrument) -> list[ChartBand]:
    bands = instrument.bands
    if bands is None or bands.on != "total" or instrument.total_range is None:
        return []
    # Each band from its continuous lower edge (the core's, cut-offs at their defaults).
    edges = band_edges(instrument)
    top = instrument.total_range[1]
    out = []
    for (band, low), following in zip(edges, [*edges[1:], None], strict=True):
        high = top if following is None else following[1]
        out.append(ChartBand(band.name, float(low), float(high)))
    return out


def _chart(series: outcome_service.InstrumentSeries, events: list[Any]) -> str:
    instrument = series.instrument
    return str(
        trajectory_svg(
            title=f"{instrument.short_name} trajectory",
            points=[
                ChartPoint(a.administered_at, float(a.total or 0), a.severity or "")
                for a in series.points
            ],
            y_range=instrument.total_range,
            bands=_bands(instrument),
            markers=[ChartMarker(e.at, e.kind) for e in events],
            lines=[ChartLine(line.label, line.value, line.kind) for line in series.lines],
        )
    )


def _page(
    request: Request,
    db: Db,
    state: State,
    auth: CurrentAuth,
    patient_id: int,
    *,
    instrument_id: str | None = None,
    correct: int | None = None,
    form: FormState | None = None,
    status: int = 200,
) -> Response:
    form = form or FormState("assessment")
    errors: dict[str, str] = {}
    patient = patient_service.get_patient(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    overview = outcome_service.assessment_overview(
        db, patient_id=patient_id, at=auth.at, ctx=auth.ctx
    )
    catalogue, text_problem = display_catalogue(state)
    chosen = None
    if instrument_id:
        try:
            chosen = catalogue.get(service.find_instrument(instrument_id).id)
        except Invalid as exc:
            errors = {"instrument": exc.message}
    target = Target(patient.organisation_id, patient.id)
    names = assessment_source.recorder_names(db, [v.assessment for v in overview.views])
    return render(
        request,
        state,
        "assessments/page.html",
        auth,
        status=status,
        patient=patient,
        overview=overview,
        charts=[(s, _chart(s, overview.events)) for s in overview.series],
        recorded_by=lambda a: assessment_source.recorded_by_label(a, names),
        instruments=catalogue.list(),
        chosen=chosen,
        choices=choices,
        correct=correct,
        values=form.values,
        form=form,
        errors={**errors, **form.general},
        timepoints=[t.value for t in Timepoint],
        text_problem=text_problem,
        can_record=bool(can(auth.actor, Action.CLINICAL_RECORD, target)),
        can_close=bool(can(auth.actor, Action.ALERT_CLOSE, target)),
    )


@router.get("/patients/{patient_id}/assessments", response_class=HTMLResponse)
def assessments_page(
    request: Request,
    patient_id: int,
    db: Db,
    state: State,
    auth: CurrentAuth,
    instrument: str | None = None,
    correct: int | None = None,
) -> Response:
    return _page(request, db, state, auth, patient_id, instrument_id=instrument, correct=correct)


def _administered_at(raw: str, *, now: datetime, zone: tzinfo) -> datetime:
    if not raw:
        return now
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        msg = "Use the date and time picker (YYYY-MM-DDTHH:MM)."
        raise Invalid("assessment.bad_time", msg, field="administered_at") from None
    # The picker sends wall time without an offset: the clinic's, as the form says.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _parse(values: dict[str, str], *, at: datetime, zone: tzinfo) -> AssessmentCreate:
    """The form through the API's schema, as the API would take it."""
    instrument = service.find_instrument(values.get("instrument", ""))
    context = {
        p.name: values[f"context_{p.name}"]
        for p in instrument.parameters
        if values.get(f"context_{p.name}")
    }
    return AssessmentCreate.model_validate(
        {
            "instrument": instrument.id,
            "answers": [values.get(f"item_{item.id}", "") for item in instrument.items],
            "context": context or None,
            "administered_at": _administered_at(
                values.get("administered_at", ""), now=at, zone=zone
            ),
            "timepoint": values.get("timepoint") or None,
            "session_id": values.get("session_id") or None,
            "supersedes_id": values.get("supersedes_id") or None,
        }
    )


@router.post("/patients/{patient_id}/assessments", response_class=HTMLResponse)
async def record_from_form(
    request: Request, patient_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    form = await request.form()
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    instrument_id = values.get("instrument", "")
    try:
        body = _parse(values, at=auth.at, zone=auth.zone)
        service.record_assessment(
            db,
            AssessmentEntry(
                patient_id=patient_id,
                instrument_id=body.instrument,
                answers=body.answers,
                context=body.context or {},
                administered_at=body.administered_at,
                timepoint=body.timepoint,
                session_id=body.session_id,
                supersedes_id=body.supersedes_id,
            ),
            at=auth.at,
            ctx=auth.ctx,
        )
    except (ValidationError, Invalid, Conflict, NotFound) as exc:
        db.rollback()
        correct = values.get("supersedes_id", "")
        return _page(
            request,
            db,
            state,
            auth,
            patient_id,
            instrument_id=instrument_id or None,
            correct=int(correct) if correct.isdigit() else None,
            form=_failed(values, exc),
            status=status_for(exc),
        )
    return see_other(f"/patients/{patient_id}/assessments")


def _failed(values: dict[str, str], exc: ValidationError | DomainError) -> FormState:
    """Errors keyed by the input they concern: item radios, context selects, the header."""
    try:
        instrument = service.find_instrument(values.get("instrument", ""))
    except Invalid:
        return failed("assessment", values, exc, fields=())
    parameters = {p.name for p in instrument.parameters}
    inputs = ["timepoint", "administered_at", "session_id"]
    inputs += [f"context_{name}" for name in parameters]
    inputs += [f"item_{item.id}" for item in instrument.items]
    aliases = {f"item {item.id}": f"item_{item.id}" for item in instrument.items}
    aliases |= {name: f"context_{name}" for name in parameters}
    aliases |= {f"answers.{n}": f"item_{item.id}" for n, item in enumerate(instrument.items)}
    return failed("assessment", values, exc, fields=inputs, aliases=aliases)


# --- Questionnaire links sent to the patient (services.assessments.links) -------------------------


def _links_page(
    request: Request,
    db: Db,
    state: State,
    auth: CurrentAuth,
    patient_id: int,
    *,
    issued: link_service.IssuedLink | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    patient = patient_service.get_patient(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    views = link_service.list_patient_links(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    return render(
        request,
        state,
        "patient_links/staff.html",
        auth,
        status=status,
        patient=patient,
        views=views,
        LinkStatus=LinkStatus,
        issued_url=None if issued is None else state.settings.base_url + issued.path,
        emailed=issued is not None and issued.link.emailed,
        errors=errors or {},
        can_record=bool(
            can(auth.actor, Action.CLINICAL_RECORD, Target(patient.organisation_id, patient.id))
        ),
    )


@router.get("/patients/{patient_id}/questionnaire-links", response_class=HTMLResponse)
def questionnaire_links_page(
    request: Request, patient_id: int, db: Db, state: State, auth: CurrentAuth
) -> Response:
    return _links_page(request, db, state, auth, patient_id)


@router.post("/patients/{patient_id}/questionnaire-links", response_class=HTMLResponse)
async def send_questionnaire_link(
    request: Request, patient_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    form = await request.form()
    try:
        issued = link_service.create_patient_link(
            db,
            patient_id=patient_id,
            instruments=[str(v) for v in form.getlist("link_instruments")],
            timepoint=str(form.get("link_timepoint", "")),
            expires_at=None,
            default_days=state.settings.patient_link_days,
            send_email=form.get("link_send_email") == "yes",
            at=auth.at,
            ctx=auth.ctx,
        )
    except Invalid as exc:
        db.rollback()
        errors = domain_message(exc)
        return _links_page(
            request, db, state, auth, patient_id, errors=errors, status=status_for(exc)
        )
    return _links_page(request, db, state, auth, patient_id, issued=issued, status=201)


@router.post(
    "/patients/{patient_id}/questionnaire-links/{link_id}/revoke", response_class=HTMLResponse
)
def revoke_questionnaire_link(patient_id: int, link_id: int, db: Db, auth: CsrfAuth) -> Response:
    link_service.revoke_patient_link(db, link_id=link_id, at=auth.at, ctx=auth.ctx)
    return see_other(f"/patients/{patient_id}/questionnaire-links")
