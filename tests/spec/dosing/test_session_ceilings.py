"""session_ceilings: the HARD ceilings of one session in mg/h and mg, for the chairside record.

Worked by hand from the protocol tables (docs/clinical/dosing-limits.md).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from ketacare.core.dosing.ceilings import SessionCeilings, session_ceilings
from ketacare.core.dosing.config import DosingConfig
from ketacare.core.dosing.library import get_protocol

D = Decimal  # short alias
NONE = None


@pytest.mark.parametrize(
    ("protocol_id", "weight", "rate", "total", "bolus"),
    [
        # No rate ceiling in the literature; total = min(1.0 mg/kg x 80, 150 mg derived).
        pytest.param("iv-ketamine-depression", "80", NONE, "80", NONE, id="depression-80kg"),
        pytest.param("iv-ketamine-depression", "180", NONE, "150", NONE, id="depression-150mg"),
        # rate = min(2 mg/kg/h x 80, 25 mg/h); total = min(152.5, 25 x 4 h + 0.35 x 80 = 128).
        pytest.param("iv-ketamine-crps", "80", "25", "128", "28", id="crps-80kg"),
        pytest.param("iv-ketamine-crps", "10", "20", "83.5", "3.5", id="crps-10kg-2mg/kg/h"),
        # rate 2 x 70 = 140 mg/h; total = min(1252.5, 140 x 4 + 24.5 = 584.5); bolus 24.5.
        pytest.param("iv-ketamine-pain", "70", "140", "584.5", "24.5", id="pain-70kg"),
        pytest.param("iv-ketamine-pain", "73.3", "146.6", "612", "25.6", id="rounded-down"),
    ],
)
def test_session_ceilings_of_weight_based_protocols(
    protocol_id: str, weight: str, rate: str | None, total: str, bolus: str | None
) -> None:
    rule = get_protocol(protocol_id).dose_rule
    assert session_ceilings(rule, D(weight)) == SessionCeilings(
        None if rate is None else D(rate), D(total), None if bolus is None else D(bolus)
    )


@pytest.mark.parametrize("protocol_id", ["esketamine-nasal", "esketamine-nasal-mdsi"])
def test_esketamine_ceiling_is_84_mg(protocol_id: str) -> None:
    rule = get_protocol(protocol_id).dose_rule
    assert session_ceilings(rule, None) == SessionCeilings(None, D(84), None)


def test_jurisdiction_rate_ceiling_when_enabled() -> None:
    rule = get_protocol("iv-ketamine-depression").dose_rule
    ceilings = session_ceilings(rule, D(80), DosingConfig(low_dose_rate_ceiling=True))
    assert ceilings.max_rate_mg_per_h == D(80)  # Pennsylvania 2020: 1 mg/kg/h x 80 kg


def test_a_weight_based_rule_needs_a_weight() -> None:
    rule = get_protocol("iv-ketamine-pain").dose_rule
    with pytest.raises(ValueError, match="positive weight"):
        session_ceilings(rule, None)
