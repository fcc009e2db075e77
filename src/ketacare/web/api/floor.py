"""JSON API of the treatment floor (every active chair) and staff credentials."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from ketacare.services.session import booking as booking_service
from ketacare.services.session import floor as floor_service
from ketacare.web.deps import ApiAuth, Db
from ketacare.web.schemas.common import PathId
from ketacare.web.schemas.errors import API_ERRORS
from ketacare.web.schemas.session import (
    AlertRead,
    StaffCredentialCreate,
    VitalsRead,
)

router = APIRouter(prefix="/api/v1", tags=["floor"], responses=API_ERRORS)


# --- floor and staff -------------------------------------------------------------------------


def floor_json(board: floor_service.FloorBoard) -> dict[str, Any]:
    return {
        "at": board.at,
        "chairs": [
            {
                "session_id": c.session.id,
                "chair": c.chair_name,
                "patient": c.patient_name,
                "state": c.session.state,
                "since": c.since,
                "elapsed_min": int((board.at - c.since).total_seconds() // 60),
                "last_vitals": VitalsRead.model_validate(c.last_vitals) if c.last_vitals else None,
                "open_alerts": [AlertRead.model_validate(a) for a in c.open_alerts],
                "next_vitals_due": c.next_vitals_due,
                "vitals_overdue": c.vitals_overdue,
                "bp_acknowledgement_needed": (
                    {"code": c.bp_ack_needed.code, "message": c.bp_ack_needed.message}
                    if c.bp_ack_needed
                    else None
                ),
            }
            for c in board.chairs
        ],
        "rems_warnings": [
            {
                "session_id": w.session.id,
                "patient": w.patient_name,
                "due_at": w.due_at,
                "overdue": w.overdue,
            }
            for w in board.rems_warnings
        ],
    }


@router.get("/floor")
def floor(db: Db, auth: ApiAuth) -> JSONResponse:
    """Every active chair (state, elapsed time, last vitals, open alerts) and REMS warnings."""
    board = floor_service.floor_board(db, at=auth.at, ctx=auth.ctx)
    return JSONResponse(content=jsonable_encoder(floor_json(board)))


@router.post("/staff/{user_id}/credentials", status_code=201)
def add_credential(
    user_id: PathId, body: StaffCredentialCreate, db: Db, auth: ApiAuth
) -> dict[str, Any]:
    """Record a staff member's ACLS expiry (clinic admin)."""
    row = booking_service.record_staff_credential(
        db,
        user_id=user_id,
        credential=body.credential,
        expires_on=body.expires_on,
        at=auth.at,
        ctx=auth.ctx,
    )
    return {
        "id": row.id,
        "user_id": row.user_id,
        "credential": row.credential,
        "expires_on": row.expires_on,
    }
