"""Screening workflow and consent pages: one form, a live decision preview, sign, consent, REMS.

The form is translated into the screening input JSON and validated by the core, exactly like
the API; this module only maps form fields (blank means "not recorded") and renders.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from ketacare.core.authz import Action, Target, can
from ketacare.core.eligibility import EpisodeSeverity, Protocol, StopReason
from ketacare.core.eligibility.conditions import CONDITIONS
from ketacare.core.eligibility.indications import INDICATIONS
from ketacare.core.errors import Conflict, DomainError, Invalid, RuleViolation
from ketacare.services import consent as consent_service
from ketacare.services import patients as patient_service
from ketacare.services import rems_enrolment as rems_enrolment_service
from ketacare.services import screening as screening_service
from ketacare.services.screening import ScreeningView
from ketacare.web.deps import Auth, CsrfAuth, CurrentAuth, Db, State
from ketacare.web.pages.common import render, see_other

router = APIRouter(include_in_schema=False)

MAX_TRIAL_ROWS: Final = 30
TRI_STATE: Final = ("pregnant", "breastfeeding", "augmentation", "ect")
NUMBERS: Final = (
    "bp_systolic",
    "bp_diastolic",
    "episode_duration_months",
    "dast10_total",
    "auditc_total",
)
CHOICES: Final = ("indication", "episode_severity")
TRIAL_NUMBERS: Final = ("weeks", "improvement_percent")
TRIAL_TRI_STATE: Final = ("adequate_dose", "current_episode", "adherent")
OVERRIDE_PREFIX: Final = "override:"


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _number(text: str) -> int | float | str | None:
    """Blank is "not recorded"; text that is not a number is passed on for the core to name."""
    if not text:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _tri_state(text: str) -> bool | str | None:
    return {"": None, "yes": True, "no": False}.get(text, text)


def _trial(form: FormData, index: int) -> dict[str, Any] | None:
    prefix = f"trial-{index}-"
    drug = _text(form, prefix + "drug")
    if not drug:
        return None
    trial: dict[str, Any] = {"drug": drug}
    for name in TRIAL_NUMBERS:
        trial[name] = _number(_text(form, prefix + name))
    for name in TRIAL_TRI_STATE:
        trial[name] = _tri_state(_text(form, prefix + name))
    trial["stopped_early_reason"] = _text(form, prefix + "stopped_early_reason") or None
    trial["dose"] = _text(form, prefix + "dose") or None
    return trial


def form_to_input(form: FormData) -> dict[str, Any]:
    """The screening input JSON for a submitted workflow form."""
    document: dict[str, Any] = {"protocol": _text(form, "protocol")}
    for name in CHOICES:
        document[name] = _text(form, name) or None
    for name in TRI_STATE:
        document[name] = _tri_state(_text(form, name))
    for name in NUMBERS:
        document[name] = _number(_text(form, name))
    document["conditions"] = sorted(
        {value for value in form.getlist("conditions") if isinstance(value, str)}
    )
    trials = [_trial(form, index) for index in range(MAX_TRIAL_ROWS)]
    recorded = [trial for trial in trials if trial is not None]
    document["antidepressant_trials"] = recorded or None
    return document


def _catalogues() -> dict[str, Any]:
    return {
        "protocols": [p.value for p in Protocol],
        "indications": sorted((i.id, i.name) for i in INDICATIONS.values()),
        "conditions": [(c.id, c.kind.value, c.message) for c in CONDITIONS.values()],
        "severities": [s.value for s in EpisodeSeverity],
        "stop_reasons": [s.value for s in StopReason],
    }


def _latest_by_protocol(views: list[ScreeningView], status: str) -> list[ScreeningView]:
    seen: set[str] = set()
    out = []
    for view in views:
        row = view.screening
        if row.status == status and row.protocol not in seen:
            seen.add(row.protocol)
            out.append(view)
    return out


def _page(
    request: Request,
    db: Db,
    state: State,
    auth: Auth,
    patient_id: int,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    preview: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    header = patient_service.chart_header(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    views = screening_service.list_screenings(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    consent = consent_service.consent_overview(db, patient_id=patient_id, at=auth.at, ctx=auth.ctx)
    rems = rems_enrolment_service.get_rems_enrolment(
        db, patient_id=patient_id, at=auth.at, ctx=auth.ctx
    )
    target = Target(header.patient.organisation_id, header.patient.id)
    latest = views[0].screening if views else None
    drafts = _latest_by_protocol(views, "draft")
    return render(
        request,
        state,
        "screening/page.html",
        auth,
        status=status,
        header=header,
        views=views,
        drafts=drafts,
        signed=_latest_by_protocol(views, "signed"),
        values=values if values is not None else (dict(latest.input) if latest else {}),
        preview=preview if preview is not None else (latest.result if latest else None),
        errors=errors or {},
        consent=consent,
        rems=rems,
        witnesses=consent_service.list_witnesses(db, ctx=auth.ctx),
        can_record=bool(can(auth.actor, Action.CLINICAL_RECORD, target)),
        can_sign=bool(can(auth.actor, Action.CLINICAL_SIGN, target)),
        today=auth.at.date().isoformat(),
        **_catalogues(),
    )


def _errors(exc: DomainError, default: str) -> dict[str, str]:
    """Form errors keyed by field; the core's messages already start with the field path."""
    field = exc.field or default
    return {field: exc.message.removeprefix(f"{field}: ")}


@router.get("/patients/{patient_id}/screening", response_class=HTMLResponse)
def screening_page(
    request: Request, patient_id: int, db: Db, state: State, auth: CurrentAuth
) -> Response:
    return _page(request, db, state, auth, patient_id)


@router.post("/patients/{patient_id}/screening/preview", response_class=HTMLResponse)
async def preview(
    request: Request, patient_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    """The decision for the form as it stands, as an HTML partial (nothing is saved)."""
    form = await request.form()
    try:
        result = screening_service.preview_screening(
            db, patient_id=patient_id, inputs=form_to_input(form), at=auth.at, ctx=auth.ctx
        )
    except Invalid as exc:
        return render(
            request,
            state,
            "screening/_result.html",
            auth,
            status=422,
            result=None,
            error=_errors(exc, "input"),
        )
    return render(request, state, "screening/_result.html", auth, result=result.as_dict())


@router.post("/patients/{patient_id}/screening", response_class=HTMLResponse)
async def save_screening(
    request: Request, patient_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    form = await request.form()
    document = form_to_input(form)
    try:
        screening_service.evaluate_screening(
            db, patient_id=patient_id, inputs=document, at=auth.at, ctx=auth.ctx
        )
    except Invalid as exc:
        errors = _errors(exc, "form")
        return _page(
            request, db, state, auth, patient_id, values=document, errors=errors, status=422
        )
    return see_other(f"/patients/{patient_id}/screening#decision")


@router.post("/patients/{patient_id}/screening/{screening_id}/sign", response_class=HTMLResponse)
async def sign_screening(
    request: Request, patient_id: int, screening_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    form = await request.form()
    overrides = {
        key.removeprefix(OVERRIDE_PREFIX): value.strip()
        for key, value in form.multi_items()
        if key.startswith(OVERRIDE_PREFIX) and isinstance(value, str) and value.strip()
    }
    view = screening_service.get_screening(db, screening_id=screening_id, at=auth.at, ctx=auth.ctx)
    if view.screening.patient_id != patient_id:
        raise Invalid("screening.other_patient", "That screening belongs to another patient.")
    try:
        screening_service.sign_screening(
            db, screening_id=screening_id, overrides=overrides, at=auth.at, ctx=auth.ctx
        )
    except (Invalid, RuleViolation, Conflict) as exc:
        errors = _errors(exc, "sign")
        return _page(request, db, state, auth, patient_id, errors=errors, status=422)
    return see_other(f"/patients/{patient_id}/screening#signed")


def _int_or_none(text: str) -> int | None:
    return int(text) if text.isdigit() else None


@router.post("/patients/{patient_id}/consents", response_class=HTMLResponse)
async def sign_consent(
    request: Request, patient_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    form = await request.form()
    try:
        version = _int_or_none(_text(form, "document_version"))
        if version is None:
            raise Invalid("consent.version_required", "Missing version.", field="document_version")
        consent_service.sign_consent(
            db,
            patient_id=patient_id,
            document_version=version,
            typed_name=_text(form, "typed_name"),
            agreed=_text(form, "agreed") == "yes",
            witness_user_id=_int_or_none(_text(form, "witness_user_id")),
            at=auth.at,
            ctx=auth.ctx,
        )
    except (Invalid, Conflict) as exc:
        errors = _errors(exc, "consent")
        return _page(request, db, state, auth, patient_id, errors=errors, status=422)
    return see_other(f"/patients/{patient_id}/screening#consent")


@router.post("/patients/{patient_id}/rems-enrolment", response_class=HTMLResponse)
async def rems_enrolment(
    request: Request, patient_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    form = await request.form()
    try:
        try:
            enrolled_on = date.fromisoformat(_text(form, "enrolled_on"))
        except ValueError:
            raise Invalid(
                "rems.bad_date", "Give the enrolment date (YYYY-MM-DD).", field="enrolled_on"
            ) from None
        rems_enrolment_service.record_rems_enrolment(
            db,
            patient_id=patient_id,
            enrolment_id=_text(form, "enrolment_id"),
            enrolled_on=enrolled_on,
            at=auth.at,
            ctx=auth.ctx,
        )
    except (Invalid, Conflict) as exc:
        errors = _errors(exc, "rems")
        return _page(request, db, state, auth, patient_id, errors=errors, status=422)
    return see_other(f"/patients/{patient_id}/screening#rems")
