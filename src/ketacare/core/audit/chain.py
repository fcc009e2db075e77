"""The audit trail's vocabulary and its tamper-evident hash chain.

Vocabulary: FHIR R4 AuditEvent ``action`` codes C/R/U/D/E and ``outcome`` codes 0/4/8/12
(http://hl7.org/fhir/R4/valueset-audit-event-action.html, valueset-audit-event-outcome.html).

Design of the chain (why it does not serialise the whole system):
each organisation has its own chain (``chain_key`` such as ``org:7``; events with no
organisation, like a failed login for an unknown e-mail, go to the ``system`` chain). An event
stores its position ``seq`` in its chain, the hash of the previous event, and its own hash over
its content plus that previous hash. Appending locks only that chain's head row, so two clinics
never wait for each other and the lock is held for one short insert. Deleting an event leaves a
gap in ``seq`` or a head that no longer matches the last event; altering one changes its hash.
Both are found by ``verify_chain``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

GENESIS_HASH = "0" * 64


class AuditAction(StrEnum):
    """FHIR AuditEvent action: Create, Read, Update, Delete, Execute."""

    CREATE = "C"
    READ = "R"
    UPDATE = "U"
    DELETE = "D"
    EXECUTE = "E"


class AuditOutcome(StrEnum):
    """FHIR AuditEvent outcome: success, minor failure, serious failure, major failure."""

    SUCCESS = "0"
    MINOR_FAILURE = "4"
    SERIOUS_FAILURE = "8"
    MAJOR_FAILURE = "12"


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One stored audit event, as the chain sees it."""

    id: int
    chain_key: str
    seq: int
    recorded_at: datetime
    user_id: int | None
    role: str | None
    action: str
    entity_type: str
    entity_id: str | None
    outcome: str
    client_address: str | None
    detail: str | None
    prev_hash: str
    hash: str

    def content(self) -> dict[str, object]:
        """The fields covered by the hash (everything but ``id`` and ``hash``)."""
        return {
            "chain_key": self.chain_key,
            "seq": self.seq,
            "recorded_at": self.recorded_at.isoformat(),
            "user_id": self.user_id,
            "role": self.role,
            "action": self.action,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "outcome": self.outcome,
            "client_address": self.client_address,
            "detail": self.detail,
        }


def chain_hash(prev_hash: str, content: dict[str, object]) -> str:
    """SHA-256 over the previous hash and the canonical JSON of the event's content."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where a chain stops being trustworthy."""

    chain_key: str
    event_id: int | None
    seq: int
    problem: str


def _walk(records: Iterable[AuditRecord]) -> Iterator[ChainBreak]:
    expected_seq = 1
    prev = GENESIS_HASH
    for record in records:
        if record.seq != expected_seq:
            yield ChainBreak(
                record.chain_key,
                record.id,
                record.seq,
                f"sequence gap: expected {expected_seq}, found {record.seq} (event deleted?)",
            )
            return
        if record.prev_hash != prev:
            yield ChainBreak(record.chain_key, record.id, record.seq, "previous-hash mismatch")
            return
        if chain_hash(prev, record.content()) != record.hash:
            yield ChainBreak(record.chain_key, record.id, record.seq, "content altered")
            return
        prev = record.hash
        expected_seq += 1


def verify_chain(
    records: Iterable[AuditRecord], *, chain_key: str, head_seq: int, head_hash: str
) -> ChainBreak | None:
    """Check one chain, given its events in ``seq`` order and the stored head.

    Returns:
        The first break found, or None when the chain is intact.
    """
    materialised = list(records)
    for found in _walk(materialised):
        return found
    last_seq = materialised[-1].seq if materialised else 0
    last_hash = materialised[-1].hash if materialised else GENESIS_HASH
    if (last_seq, last_hash) != (head_seq, head_hash):
        return ChainBreak(
            chain_key, None, last_seq + 1, f"chain head is at {head_seq}: events at the end deleted"
        )
    return None
