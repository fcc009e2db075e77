"""JSON views of catalogue definitions (for ``instruments list`` / ``show`` and the API)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ketacare.core.instruments.model import Instrument
from ketacare.core.instruments.overlay import strip_text


def summary(instrument: Instrument) -> dict[str, Any]:
    """Return the one-line catalogue entry of ``instrument``."""
    return {
        "id": instrument.id,
        "name": instrument.name,
        "short_name": instrument.short_name,
        "items": len(instrument.items),
        "rater": instrument.rater,
        "recall_period": instrument.recall_period,
        "licence": instrument.licence.status,
        "ships_text": instrument.licence.ships_text,
        "loinc_panel": instrument.loinc.panel,
        "loinc_total": instrument.loinc.total,
        "has_total": instrument.total_range is not None,
    }


def definition(instrument: Instrument, *, include_licensed_text: bool = False) -> dict[str, Any]:
    """Return the full definition; licensed wording is dropped unless explicitly included."""
    shown = instrument if include_licensed_text else strip_text(instrument)
    data = asdict(shown)
    data["summary"] = summary(instrument)
    return data
