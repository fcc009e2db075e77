"""JSON API of the Spravato REMS Patient Monitoring Form of a session (JSON and PDF)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import Response

from ketacare.services.session import rems as rems_service
from ketacare.services.session import rems_pdf as rems_pdf_service
from ketacare.web.deps import ApiAuth, Db
from ketacare.web.schemas.common import PathId
from ketacare.web.schemas.errors import API_ERRORS
from ketacare.web.schemas.session import (
    RemsAnswers,
    SessionRead,
)

router = APIRouter(prefix="/api/v1", tags=["sessions"], responses=API_ERRORS)


# --- REMS ------------------------------------------------------------------------------------


def _form_json(form: Any) -> dict[str, Any]:
    return {
        "template_id": form.template_id,
        "version": form.version,
        "values": form.values,
        "missing": list(form.missing),
        "problems": [{"code": p.code, "message": p.message} for p in form.problems],
        "complete": form.complete,
    }


@router.get("/sessions/{session_id}/rems-form", response_model=None)
def rems_form(
    session_id: PathId,
    db: Db,
    auth: ApiAuth,
    format: Literal["json", "pdf"] = "json",  # noqa: A002 - the public query name
) -> dict[str, Any] | Response:
    """The Spravato REMS Patient Monitoring Form as JSON, or as a PDF with ``format=pdf``."""
    if format == "pdf":
        pdf = rems_pdf_service.rems_form_pdf(db, session_id=session_id, at=auth.at, ctx=auth.ctx)
        name = f"rems-patient-monitoring-form-session-{session_id}.pdf"
        return Response(
            content=pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return _form_json(rems_service.rems_form(db, session_id=session_id, at=auth.at, ctx=auth.ctx))


@router.patch("/sessions/{session_id}/rems-form")
def rems_answers(session_id: PathId, body: RemsAnswers, db: Db, auth: ApiAuth) -> dict[str, Any]:
    form = rems_service.answer_rems_form(
        db, session_id=session_id, answers=body.answers, at=auth.at, ctx=auth.ctx
    )
    return _form_json(form)


@router.post("/sessions/{session_id}/rems-form/submit", response_model=SessionRead)
def rems_submit(session_id: PathId, db: Db, auth: ApiAuth) -> SessionRead:
    """Mark the form submitted to the REMS; 422 ``rems.form_incomplete`` while incomplete."""
    row = rems_service.submit_rems_form(db, session_id=session_id, at=auth.at, ctx=auth.ctx)
    return SessionRead.model_validate(row)
