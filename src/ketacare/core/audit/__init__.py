"""Audit events (FHIR AuditEvent vocabulary) and their hash chain."""

from ketacare.core.audit.chain import (
    GENESIS_HASH,
    AuditAction,
    AuditOutcome,
    AuditRecord,
    ChainBreak,
    chain_hash,
    verify_chain,
)
from ketacare.core.audit.entities import AuditEntity

__all__ = [
    "GENESIS_HASH",
    "AuditAction",
    "AuditEntity",
    "AuditOutcome",
    "AuditRecord",
    "ChainBreak",
    "chain_hash",
    "verify_chain",
]
