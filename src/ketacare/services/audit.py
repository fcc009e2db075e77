"""Writing and checking the audit trail. Every write happens in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ketacare.core.audit import (
    GENESIS_HASH,
    AuditAction,
    AuditEntity,
    AuditOutcome,
    AuditRecord,
    ChainBreak,
    chain_hash,
    verify_chain,
)
from ketacare.core.authz import Action, Actor, Target, can
from ketacare.core.errors import Forbidden
from ketacare.db.models import AuditEvent
from ketacare.db.repositories import audit as audit_repo

SYSTEM_CHAIN = "system"


def chain_key_for(organisation_id: int | None) -> str:
    return f"org:{organisation_id}" if organisation_id is not None else SYSTEM_CHAIN


@dataclass(frozen=True, slots=True)
class AuditContext:
    """Who is acting and from where; passed by the adapter into every service call."""

    actor: Actor | None
    client_address: str | None = None


def record_event(
    db: Session,
    *,
    ctx: AuditContext,
    at: datetime,
    action: AuditAction,
    entity_type: AuditEntity,
    entity_id: str | int | None,
    outcome: AuditOutcome = AuditOutcome.SUCCESS,
    organisation_id: int | None = None,
    patient_id: int | None = None,
    detail: str | None = None,
    user_id: int | None = None,
    role: str | None = None,
) -> AuditEvent:
    actor = ctx.actor
    org_id = organisation_id
    if org_id is None and actor is not None:
        org_id = actor.organisation_id
    chain_key = chain_key_for(org_id)
    head = audit_repo.lock_chain_head(db, chain_key, genesis_hash=GENESIS_HASH)
    record = AuditRecord(
        id=0,
        chain_key=chain_key,
        seq=head.last_seq + 1,
        recorded_at=at,
        user_id=user_id if user_id is not None else (actor.user_id if actor else None),
        role=role if role is not None else (str(actor.role) if actor else None),
        action=str(action),
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        outcome=str(outcome),
        client_address=ctx.client_address,
        detail=detail,
        prev_hash=head.last_hash,
        hash="",
    )
    digest = chain_hash(head.last_hash, record.content())
    event = AuditEvent(
        chain_key=chain_key,
        seq=record.seq,
        recorded_at=at,
        organisation_id=org_id,
        user_id=record.user_id,
        role=record.role,
        action=record.action,
        entity_type=entity_type,
        entity_id=record.entity_id,
        patient_id=patient_id,
        outcome=record.outcome,
        client_address=ctx.client_address,
        detail=detail,
        prev_hash=head.last_hash,
        hash=digest,
    )
    audit_repo.add_audit_event(db, event)
    head.last_seq = record.seq
    head.last_hash = digest
    db.flush()
    return event


class AccessDenied(Forbidden):
    """A refused access, carrying what the adapter needs to audit it after rolling back."""

    def __init__(
        self,
        message: str,
        *,
        audit_action: AuditAction,
        entity_type: AuditEntity,
        entity_id: str | None,
        patient_id: int | None,
    ) -> None:
        super().__init__("authz.forbidden", message)
        self.audit_action = audit_action
        self.entity_type = entity_type
        self.entity_id = entity_id
        self.patient_id = patient_id


def authorize(
    actor: Actor,
    action: Action,
    target: Target | None,
    *,
    audit_action: AuditAction,
    entity_type: AuditEntity,
    entity_id: str | int | None = None,
) -> None:
    """Ask the policy; on refusal raise AccessDenied (the adapter audits it, 403)."""
    decision = can(actor, action, target)
    if not decision.allowed:
        raise AccessDenied(
            f"Not allowed: {decision.reason}.",
            audit_action=audit_action,
            entity_type=entity_type,
            entity_id=None if entity_id is None else str(entity_id),
            patient_id=target.patient_id if target else None,
        )


def record_denial(db: Session, *, ctx: AuditContext, at: datetime, denied: AccessDenied) -> None:
    record_event(
        db,
        ctx=ctx,
        at=at,
        action=denied.audit_action,
        entity_type=denied.entity_type,
        entity_id=denied.entity_id,
        outcome=AuditOutcome.MINOR_FAILURE,
        patient_id=denied.patient_id,
        detail="forbidden",
    )


def _as_record(event: AuditEvent) -> AuditRecord:
    return AuditRecord(
        id=event.id,
        chain_key=event.chain_key,
        seq=event.seq,
        recorded_at=event.recorded_at,
        user_id=event.user_id,
        role=event.role,
        action=event.action,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        outcome=event.outcome,
        client_address=event.client_address,
        detail=event.detail,
        prev_hash=event.prev_hash,
        hash=event.hash,
    )


@dataclass(frozen=True, slots=True)
class VerifyReport:
    chains: int
    events: int
    breaks: list[ChainBreak]

    @property
    def intact(self) -> bool:
        return not self.breaks


def verify_audit_trail(db: Session) -> VerifyReport:
    breaks: list[ChainBreak] = []
    total = 0
    heads = audit_repo.list_chain_heads(db)
    for head in heads:
        records = [_as_record(e) for e in audit_repo.iter_chain(db, head.chain_key)]
        total += len(records)
        found = verify_chain(
            records, chain_key=head.chain_key, head_seq=head.last_seq, head_hash=head.last_hash
        )
        if found is not None:
            breaks.append(found)
    return VerifyReport(chains=len(heads), events=total, breaks=breaks)
