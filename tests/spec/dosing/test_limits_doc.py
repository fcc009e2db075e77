"""docs/clinical/dosing-limits.md states the same limits as the protocol data, row for row."""

from __future__ import annotations

from pathlib import Path

from ketacare.core.dosing.library import builtin_protocols
from ketacare.core.dosing.limits import UNITS, DoseLimit, num_text

DOC = Path(__file__).parents[3] / "docs" / "clinical" / "dosing-limits.md"


def _soft(limit: DoseLimit) -> str:
    if limit.soft is None:
        return "–"
    return f"{num_text(limit.soft.low) or ''}–{num_text(limit.soft.high) or ''}"


def _hard(limit: DoseLimit) -> str:
    return "–" if limit.hard is None else f"≤ {num_text(limit.hard.value)}"


def test_the_documented_table_matches_the_protocol_data() -> None:
    ids = {p.id for p in builtin_protocols()}
    documented = set()
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 7 and cells[0] in ids:
            documented.add(tuple(cells[:5]))
    expected = {
        (p.id, name.value, _soft(limit), _hard(limit), UNITS[name])
        for p in builtin_protocols()
        for name, limit in p.dose_rule.limits.items()
    }
    assert documented == expected
