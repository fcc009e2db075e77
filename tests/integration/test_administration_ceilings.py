"""The chair's hard ceilings come from the protocol's dose rule times the order's weight."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from ketacare.core.session.administration_limits import HardCeilings
from ketacare.db.models import Order, TreatmentSession
from ketacare.services.session.binding import session_ceilings
from tests.factories.world import World

D = Decimal

CEILINGS = [
    # (protocol, weight kg, expected ceilings) from the protocols' hard limits (worked by hand):
    # depression: no rate ceiling; total 1.0 mg/kg x 80 = 80 mg (Fava 2020), under 150 mg.
    ("iv-ketamine-depression", "80", HardCeilings(max_total_mg=D("80"))),
    # pain: 2 mg/kg/h x 80 = 160 mg/h; bolus 0.35 x 80 = 28 mg (Cohen 2018); total 160 mg/h
    # over the 240-min outpatient ceiling + the bolus = 668 mg, under the 1252.5 mg ceiling.
    (
        "iv-ketamine-pain",
        "80",
        HardCeilings(max_rate_mg_per_h=D("160"), max_total_mg=D("668"), max_bolus_mg=D("28")),
    ),
    # CRPS: 25 mg/h (Schwartzman 2009) wins over 160; total 25 x 4 h + 28 = 128 mg.
    (
        "iv-ketamine-crps",
        "80",
        HardCeilings(max_rate_mg_per_h=D("25"), max_total_mg=D("128"), max_bolus_mg=D("28")),
    ),
    # CRPS at 10 kg: 2 x 10 = 20 mg/h wins over 25; total 20 x 4 + 3.5 = 83.5 mg.
    (
        "iv-ketamine-crps",
        "10",
        HardCeilings(max_rate_mg_per_h=D("20"), max_total_mg=D("83.5"), max_bolus_mg=D("3.5")),
    ),
    # esketamine: the label's 84 mg per session only.
    ("esketamine-nasal", "80", HardCeilings(max_total_mg=D("84"))),
]


@pytest.mark.parametrize(("protocol", "weight", "expected"), CEILINGS)
def test_ceilings_from_the_protocol_and_the_order_weight(
    db: Session, world: World, protocol: str, weight: str, expected: HardCeilings
) -> None:
    row = TreatmentSession(organisation_id=world.org.id, protocol_id=protocol)
    order = Order(protocol_id=protocol, weight_used_kg=D(weight))
    got = session_ceilings(db, row, order)
    assert got.max_total_mg == expected.max_total_mg
    for name in ("max_rate_mg_per_h", "max_bolus_mg"):
        value, want = getattr(got, name), getattr(expected, name)
        assert (value is None) == (want is None)
        assert value is None or value == want


def test_an_order_without_a_weight_has_no_weight_based_ceiling(db: Session, world: World) -> None:
    row = TreatmentSession(organisation_id=world.org.id, protocol_id="iv-ketamine-pain")
    order = Order(protocol_id="iv-ketamine-pain", weight_used_kg=None)
    assert session_ceilings(db, row, order) == HardCeilings()
