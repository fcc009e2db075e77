from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from ketacare.core.audit import GENESIS_HASH, AuditRecord, chain_hash, verify_chain

T0 = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)


def build(n: int, chain_key: str = "org:1") -> list[AuditRecord]:
    out: list[AuditRecord] = []
    prev = GENESIS_HASH
    for i in range(1, n + 1):
        rec = AuditRecord(
            id=i,
            chain_key=chain_key,
            seq=i,
            recorded_at=T0 + timedelta(seconds=i),
            user_id=7,
            role="nurse",
            action="R",
            entity_type="Patient",
            entity_id=str(i),
            outcome="0",
            client_address="10.0.0.1",
            detail=None,
            prev_hash=prev,
            hash="",
        )
        digest = chain_hash(prev, rec.content())
        rec = dataclasses.replace(rec, hash=digest)
        out.append(rec)
        prev = digest
    return out


def verify(records: list[AuditRecord], head: AuditRecord | None = None):
    last = head or (records[-1] if records else None)
    return verify_chain(
        records,
        chain_key="org:1",
        head_seq=last.seq if last else 0,
        head_hash=last.hash if last else GENESIS_HASH,
    )


def test_intact_chain_verifies() -> None:
    assert verify(build(5)) is None
    assert verify([]) is None


def test_altered_field_is_found_at_that_event() -> None:
    records = build(5)
    records[2] = dataclasses.replace(records[2], action="D")
    found = verify(records)
    assert found is not None
    assert (found.event_id, found.problem) == (3, "content altered")


def test_rehashed_alteration_breaks_the_next_link() -> None:
    records = build(5)
    forged = dataclasses.replace(records[1], user_id=99)
    forged = dataclasses.replace(forged, hash=chain_hash(forged.prev_hash, forged.content()))
    records[1] = forged
    found = verify(records, head=build(5)[-1])
    assert found is not None
    assert found.event_id == 3
    assert found.problem == "previous-hash mismatch"


def test_deleted_middle_event_is_a_sequence_gap() -> None:
    records = build(5)
    del records[2]
    found = verify(records, head=build(5)[-1])
    assert found is not None
    assert found.event_id == 4
    assert "sequence gap" in found.problem


def test_deleted_last_event_disagrees_with_head() -> None:
    full = build(5)
    found = verify(full[:-1], head=full[-1])
    assert found is not None
    assert "end deleted" in found.problem
