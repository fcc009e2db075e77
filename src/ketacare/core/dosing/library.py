"""The built-in protocol library, read from the packaged JSON files in ``protocols/``.

Reading packaged data through ``importlib.resources`` is the one kind of I/O the core allows.
Custom protocols stored by the service layer are merged in by passing them as ``extra``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib import resources

from ketacare.core.dosing.protocol import Protocol
from ketacare.core.errors import Conflict, Invalid

_PACKAGE = "ketacare.core.dosing.protocols"


@cache
def builtin_protocols() -> tuple[Protocol, ...]:
    """All built-in protocols, sorted by id (validated on load)."""
    files = resources.files(_PACKAGE).iterdir()
    protocols = [
        Protocol.from_dict(json.loads(f.read_text(encoding="utf-8")))
        for f in files
        if f.name.endswith(".json")
    ]
    return tuple(sorted(protocols, key=lambda p: p.id))


def list_protocols(extra: Iterable[Protocol] = ()) -> list[Protocol]:
    """Built-in protocols plus ``extra`` (custom) ones, sorted by id.

    Raises:
        Conflict: ``protocol.duplicate_id`` if a custom protocol reuses an existing id.
    """
    by_id = {p.id: p for p in builtin_protocols()}
    for protocol in extra:
        if protocol.id in by_id:
            raise Conflict(
                "protocol.duplicate_id",
                f"protocol id {protocol.id!r} already exists",
                field="id",
            )
        by_id[protocol.id] = protocol
    return [by_id[key] for key in sorted(by_id)]


def get_protocol(protocol_id: str, extra: Iterable[Protocol] = ()) -> Protocol:
    """The protocol with ``protocol_id`` among the built-in and ``extra`` ones.

    Raises:
        Invalid: ``protocol.unknown`` naming the field ``protocol`` (an unknown id is bad
            input to a dose calculation, not a missing resource).
    """
    for protocol in list_protocols(extra):
        if protocol.id == protocol_id:
            return protocol
    raise Invalid("protocol.unknown", f"unknown protocol {protocol_id!r}", field="protocol")
