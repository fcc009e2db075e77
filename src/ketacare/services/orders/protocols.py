"""The protocol library a clinic sees: the built-in protocols plus its own custom ones.

Custom protocols are stored as ``Protocol.to_dict()`` JSON and rebuilt with
``Protocol.from_dict`` on every load, so a stored definition is re-validated by the same core
rules as the built-in ones. Only an admin (``Action.CONFIG_MANAGE``) may add one.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ketacare.core.audit import AuditAction, AuditEntity
from ketacare.core.authz import Action
from ketacare.core.dosing.library import get_protocol, list_protocols
from ketacare.core.dosing.protocol import Protocol
from ketacare.db.models import CustomProtocol
from ketacare.db.repositories import order as order_repo
from ketacare.services._access import require_actor
from ketacare.services.audit import AuditContext, authorize, record_event


def custom_protocols(db: Session, *, organisation_id: int) -> list[Protocol]:
    """The organisation's custom protocols, validated (no authorisation: callers check)."""
    rows = order_repo.list_custom_protocols(db, organisation_id=organisation_id)
    return [Protocol.from_dict(row.definition) for row in rows]


def protocol_for(db: Session, *, organisation_id: int, protocol_id: str) -> Protocol:
    """A built-in or custom protocol by id.

    Raises:
        Invalid: ``protocol.unknown`` naming the field ``protocol`` (no authorisation here).
    """
    return get_protocol(protocol_id, custom_protocols(db, organisation_id=organisation_id))


def list_protocols_for(db: Session, *, ctx: AuditContext) -> list[Protocol]:
    """Built-in plus the actor's organisation's custom protocols, sorted by id."""
    actor = require_actor(ctx)
    authorize(
        actor,
        Action.CLINICAL_READ,
        None,
        audit_action=AuditAction.READ,
        entity_type=AuditEntity.PROTOCOL,
    )
    return list_protocols(custom_protocols(db, organisation_id=actor.organisation_id))


def is_custom(protocol: Protocol) -> bool:
    """Whether ``protocol`` is not one of the built-in ones."""
    return protocol.id not in {p.id for p in list_protocols()}


def add_custom_protocol(
    db: Session, *, definition: Mapping[str, Any], at: datetime, ctx: AuditContext
) -> Protocol:
    """Validate and store a clinic protocol (admin only).

    Raises:
        AccessDenied: the actor may not manage configuration.
        Invalid: ``protocol.invalid_field`` naming the dotted field at fault.
        Conflict: ``protocol.duplicate_id`` if the id is already a built-in or custom protocol.
    """
    actor = require_actor(ctx)
    authorize(
        actor,
        Action.CONFIG_MANAGE,
        None,
        audit_action=AuditAction.CREATE,
        entity_type=AuditEntity.PROTOCOL,
    )
    protocol = Protocol.from_dict(definition)
    existing = custom_protocols(db, organisation_id=actor.organisation_id)
    list_protocols([*existing, protocol])  # raises Conflict on a duplicate id
    row = order_repo.add_custom_protocol(
        db,
        CustomProtocol(
            organisation_id=actor.organisation_id,
            protocol_id=protocol.id,
            definition=protocol.to_dict(),
            created_by=actor.user_id,
            created_at=at,
        ),
    )
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=AuditAction.CREATE,
        entity_type=AuditEntity.PROTOCOL,
        entity_id=row.id,
        detail=f"protocol={protocol.id}",
    )
    return protocol
