"""Stable fingerprint of a screening's input, configuration and rule-set version.

A signed decision stores the fingerprint; when the chart changes (a new condition, another
blood-pressure reading) or the clinic changes its thresholds or the rules are upgraded, the
fingerprint changes and the stored decision is stale. The canonical form ignores the order of
conditions and trials and treats ``50`` and ``50.0`` alike.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from enum import Enum
from typing import Any

from ketacare.core.eligibility.config import DEFAULT_CONFIG, ScreeningConfig
from ketacare.core.eligibility.model import RULESET_VERSION, ScreeningInput


def canonical(value: Any) -> Any:
    """Canonical JSON-ready form: enums to values, sets and trials sorted, integral floats to int.

    Args:
        value: A dataclass, enum, collection or scalar from the screening model.

    Returns:
        Plain JSON-compatible data.
    """
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: canonical(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, frozenset | set):
        return sorted(canonical(item) for item in value)
    if isinstance(value, tuple | list):
        items = [canonical(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def fingerprint(inp: ScreeningInput, config: ScreeningConfig = DEFAULT_CONFIG) -> str:
    """SHA-256 of the canonical input, configuration and ``RULESET_VERSION``.

    Args:
        inp: The screening input.
        config: The configuration used for the screening.

    Returns:
        ``"sha256:"`` followed by 64 hex digits.
    """
    document = {
        "ruleset_version": RULESET_VERSION,
        "input": canonical(inp),
        "config": canonical(config),
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def is_stale(
    stored_fingerprint: str, inp: ScreeningInput, config: ScreeningConfig = DEFAULT_CONFIG
) -> bool:
    """Whether a stored decision no longer matches the current input, configuration or rules."""
    return stored_fingerprint != fingerprint(inp, config)
