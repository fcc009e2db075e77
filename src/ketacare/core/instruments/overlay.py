"""Licensed item wording supplied locally by a clinic (never committed to the project).

Instruments marked "scoring only" ship neutral labels ("Item 3"). A clinic that holds a
licence may load its own wording as one JSON overlay per instrument::

    {"instrument": "madrs",
     "stem": "optional instructions",
     "items": {"1": {"text": "licensed wording", "options": {"0": "anchor label"}}}}

The core stays pure: adapters read the files (the CLI reads the directory named by
``--licensed-text-dir`` / ``KETACARE_LICENSED_TEXT_DIR``) and pass the parsed overlays to
``apply_overlays``, which returns a new catalogue. See ``catalogue/README.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ketacare.core.errors import Invalid
from ketacare.core.instruments.catalogue_loader import Catalogue
from ketacare.core.instruments.model import Instrument, Item


def apply_overlays(catalogue: Catalogue, overlays: Mapping[str, Mapping[str, Any]]) -> Catalogue:
    """Return a catalogue whose instruments carry the overlays' wording.

    Args:
        catalogue: the packaged catalogue.
        overlays: parsed overlay documents keyed by instrument id.

    Raises:
        Invalid: ``instrument.bad_overlay`` for an unknown instrument or item id.
    """
    instruments = dict(catalogue.instruments)
    for instrument_id, overlay in overlays.items():
        if instrument_id not in instruments:
            msg = f"overlay for unknown instrument {instrument_id!r}"
            raise Invalid("instrument.bad_overlay", msg, field="instrument")
        instruments[instrument_id] = apply_overlay(instruments[instrument_id], overlay)
    return Catalogue(version=catalogue.version, instruments=instruments)


def apply_overlay(instrument: Instrument, overlay: Mapping[str, Any]) -> Instrument:
    """Return ``instrument`` with the wording of one overlay; scoring is never changed.

    Raises:
        Invalid: ``instrument.bad_overlay`` naming an item the instrument does not have.
    """
    texts: Mapping[str, Mapping[str, Any]] = overlay.get("items", {})
    known = {item.id for item in instrument.items}
    unknown = sorted(set(texts) - known)
    if unknown:
        msg = f"{instrument.id} overlay names unknown item(s): {', '.join(unknown)}"
        raise Invalid("instrument.bad_overlay", msg, field="items")
    items = tuple(_apply_item(item, texts.get(item.id)) for item in instrument.items)
    return replace(instrument, items=items, stem=overlay.get("stem", instrument.stem))


def _apply_item(item: Item, text: Mapping[str, Any] | None) -> Item:
    if text is None:
        return item
    labels: Mapping[str, str] = text.get("options", {})
    options = tuple(replace(o, label=labels.get(str(o.score), o.label)) for o in item.options)
    return replace(item, text=text.get("text", item.text), options=options)


def strip_text(instrument: Instrument) -> Instrument:
    """Return ``instrument`` without item wording unless its licence lets the project ship it."""
    if instrument.licence.ships_text:
        return instrument
    items = tuple(replace(item, text=None) for item in instrument.items)
    return replace(instrument, items=items, stem=None)
