"""The chair's hard ceilings come from the protocol's dose rule times the order's weight."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from ketacare.core.session.administration_limits import HardCeilings
from ketacare.db.models import Order, TreatmentSession
from ketacare.services.session_binding import session_ceilings
from tests.factories.world import World

D = Decimal

CEILINGS = [
    # (protocol, weight kg, expected ceilings) from the protocols' JSON data:
    # depression 1.0 mg/kg/h, no bolus ceiling; pain 2 mg/kg/h and bolus 0.35 mg/kg (Cohen 2018);
    # CRPS also 25 mg/h (Schwartzman 2009), the lower of the two rate ceilings wins.
    ("iv-ketamine-depression", "80", HardCeilings(max_rate_mg_per_h=D("80"))),
    ("iv-ketamine-pain", "80", HardCeilings(max_rate_mg_per_h=D("160"), max_bolus_mg=D("28"))),
    ("iv-ketamine-crps", "80", HardCeilings(max_rate_mg_per_h=D("25"), max_bolus_mg=D("28"))),
    ("iv-ketamine-crps", "10", HardCeilings(max_rate_mg_per_h=D("20"), max_bolus_mg=D("3.5"))),
    ("esketamine-nasal", "80", HardCeilings()),
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
