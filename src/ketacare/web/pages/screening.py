"""Screening workflow and consent pages: one form, a live decision preview, sign, consent, REMS.

The form is translated into the screening input JSON and validated by the core, exactly like
the API; this module only maps form fields (blank means "not recorded") and renders.
"""

from __future__ import annotations

import re
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from ketacare.core.authz import Action, Target, can
from ketacare.core.eligibility import EpisodeSeverity, ProtocolId, StopReason
from ketacare.core.eligibility.conditions import CONDITIONS
from ketacare.core.eligibility.indications import INDICATIONS
from ketacare.core.eligibility.model import ScreeningStatus, ScreenResult
from ketacare.core.errors import Conflict, DomainError, Invalid, RuleViolation
from ketacare.services.patients import medications as medication_service
from ketacare.services.patients import registry as patient_service
from ketacare.services.screening import consent as consent_service
from ketacare.services.screening import eligibility as screening_service
from ketacare.services.screening import rems_enrolment as rems_enrolment_service
from ketacare.services.screening.eligibility import ScreeningView
from ketacare.web.deps import Auth, CsrfAuth, CurrentAuth, Db, State
from ketacare.web.errors import status_for
from ketacare.web.forms import FormState, domain_message, failed, parse, text_values
from ketacare.web.pages.common import render, see_other
from ketacare.web.schemas.screening import ConsentCreate, RemsEnrolmentCreate

router = APIRouter(include_in_schema=False)

MAX_TRIAL_ROWS: Final = 30
TRI_STATE: Final = ("pregnant", "breastfeeding", "augmentation", "ect", "long_term_course")
NUMBERS: Final = (
    "bp_systolic",
    "bp_diastolic",
    "episode_duration_months",
    "dast10_total",
    "auditc_total",
    "lft_x_uln",
)
# Blank is "not done"; the medication classes are not a form input: the service takes them from
# the chart's active medication list, and the page shows that list read-only.
CHOICES: Final = ("indication", "episode_severity", "bladder_screen", "cognition_check")
TRIAL_NUMBERS: Final = ("weeks", "improvement_percent")
TRIAL_TRI_STATE: Final = ("adequate_dose", "current_episode", "adherent")
OVERRIDE_PREFIX: Final = "override:"
CONSENT_FIELDS: Final = ("document_version", "typed_name", "witness_user_id", "agreed")
REMS_FIELDS: Final = ("enrolment_id", "enrolled_on")
# The core names some inputs by the rule's own word; the form's input names differ.
INPUT_OF_RULE_FIELD: Final = {
    "dast10": "dast10_total",
    "auditc": "auditc_total",
    "months": "episode_duration_months",
}
_TRIAL_PATH = re.compile(r"^antidepressant_trials\[(\d+)\]\.(\w+)$")


def input_name(field: str | None) -> str:
    """The form input a screening rule's field path points at (``trial-0-weeks`` for
    ``antidepressant_trials[0].weeks``)."""
    if not field:
        return "form"
    trial = _TRIAL_PATH.match(field)
    if trial:
        return f"trial-{trial.group(1)}-{trial.group(2)}"
    return INPUT_OF_RULE_FIELD.get(field, field)


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
        "protocols": [p.value for p in ProtocolId],
        "indications": sorted((i.id, i.name) for i in INDICATIONS.values()),
        "conditions": [(c.id, c.kind.value, c.message) for c in CONDITIONS.values()],
        "severities": [s.value for s in EpisodeSeverity],
        "stop_reasons": [s.value for s in StopReason],
        "screen_results": [r.value for r in ScreenResult],
    }


def _latest_by_protocol(views: list[ScreeningView], status: ScreeningStatus) -> list[ScreeningView]:
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
    form: FormState | None = None,
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
    drafts = _latest_by_protocol(views, ScreeningStatus.DRAFT)
    values = values if values is not None else (dict(latest.input) if latest else {})
    medicines = medication_service.medicines_panel(
        db,
        patient_id=patient_id,
        protocol_id=str(values.get("protocol") or ProtocolId.IV_KETAMINE_DEPRESSION),
        at=auth.at,
        ctx=auth.ctx,
    )
    return render(
        request,
        state,
        "screening/page.html",
        auth,
        status=status,
        header=header,
        views=views,
        drafts=drafts,
        signed=_latest_by_protocol(views, ScreeningStatus.SIGNED),
        SIGNED=ScreeningStatus.SIGNED,
        values=values,
        medicines=medicines.medications,
        preview=preview if preview is not None else (latest.result if latest else None),
        form=form or FormState(),
        consent=consent,
        rems=rems,
        witnesses=consent_service.list_witnesses(db, ctx=auth.ctx),
        can_record=bool(can(auth.actor, Action.CLINICAL_RECORD, target)),
        can_sign=bool(can(auth.actor, Action.CLINICAL_SIGN, target)),
        today=auth.at.date().isoformat(),
        **_catalogues(),
    )


def _screening_state(exc: DomainError) -> FormState:
    """The screening form's error, keyed by the input it concerns."""
    return FormState("screening", {}, {input_name(exc.field): domain_message(exc).popitem()[1]})


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
            status=status_for(exc),
            result=None,
            error=_screening_state(exc).errors,
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
        db.rollback()
        bad = _screening_state(exc)
        return _page(
            request, db, state, auth, patient_id, values=document, form=bad, status=status_for(exc)
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
        db.rollback()
        bad = FormState(f"sign-{screening_id}", {}, {"form": domain_message(exc).popitem()[1]})
        return _page(request, db, state, auth, patient_id, form=bad, status=status_for(exc))
    return see_other(f"/patients/{patient_id}/screening#signed")


@router.post("/patients/{patient_id}/consents", response_class=HTMLResponse)
async def sign_consent(
    request: Request, patient_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    form = await request.form()
    values = text_values(form, CONSENT_FIELDS)
    try:
        body = parse(ConsentCreate, {**values, "agreed": values["agreed"] == "yes" or None})
        consent_service.sign_consent(
            db,
            patient_id=patient_id,
            document_version=body.document_version,
            typed_name=body.typed_name,
            agreed=body.agreed,
            witness_user_id=body.witness_user_id,
            at=auth.at,
            ctx=auth.ctx,
        )
    except (ValidationError, Invalid, Conflict) as exc:
        db.rollback()
        bad = failed("consent", values, exc, fields=CONSENT_FIELDS)
        return _page(request, db, state, auth, patient_id, form=bad, status=status_for(exc))
    return see_other(f"/patients/{patient_id}/screening#consent")


@router.post("/patients/{patient_id}/rems-enrolment", response_class=HTMLResponse)
async def rems_enrolment(
    request: Request, patient_id: int, db: Db, state: State, auth: CsrfAuth
) -> Response:
    form = await request.form()
    values = text_values(form, REMS_FIELDS)
    try:
        body = parse(RemsEnrolmentCreate, values)
        rems_enrolment_service.record_rems_enrolment(
            db,
            patient_id=patient_id,
            enrolment_id=body.enrolment_id,
            enrolled_on=body.enrolled_on,
            at=auth.at,
            ctx=auth.ctx,
        )
    except (ValidationError, Invalid, Conflict) as exc:
        db.rollback()
        bad = failed("rems", values, exc, fields=REMS_FIELDS)
        return _page(request, db, state, auth, patient_id, form=bad, status=status_for(exc))
    return see_other(f"/patients/{patient_id}/screening#rems")
