"""A clinic's licensed item wording, read from a local directory (never shipped).

The core stays pure (``core.instruments.overlay``); this adapter reads the files. Used by the
CLI (``--licensed-text-dir``) and the assessment pages (``Settings.licensed_text_dir``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ketacare.core.errors import Invalid
from ketacare.core.instruments import Catalogue, load_catalogue
from ketacare.core.instruments.overlay import apply_overlays


def load_licensed_text_dir(directory: Path) -> dict[str, dict[str, Any]]:
    """Read every ``<id>.json`` overlay in ``directory`` (a clinic's licensed wording)."""
    overlays: dict[str, dict[str, Any]] = {}
    for path in sorted(directory.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        overlays[str(document.get("instrument", path.stem))] = document
    return overlays


def catalogue_with_text(directory: Path | None) -> Catalogue:
    """The packaged catalogue with the clinic's wording applied, if a directory is configured.

    Raises:
        Invalid: ``instrument.licensed_text_missing`` when the directory does not exist,
            ``instrument.bad_overlay`` for an overlay naming unknown items, or
            ``instrument.bad_overlay_json`` for an unreadable file.
    """
    catalogue = load_catalogue()
    if directory is None:
        return catalogue
    if not directory.is_dir():
        msg = f"licensed text directory {directory} does not exist"
        raise Invalid("instrument.licensed_text_missing", msg, field="licensed_text_dir")
    try:
        overlays = load_licensed_text_dir(directory)
    except (OSError, ValueError) as exc:
        msg = f"licensed text in {directory} is not readable JSON: {exc}"
        raise Invalid("instrument.bad_overlay_json", msg, field="licensed_text_dir") from exc
    return apply_overlays(catalogue, overlays)
