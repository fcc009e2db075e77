"""The shared vocabularies: one enum per concept, with the mappings between spellings."""

from __future__ import annotations

from typing import get_args

import pytest

from ketacare.core.codes import (
    PK_ROUTE_CODES,
    Drug,
    PkRouteCode,
    Route,
    SessionDrug,
    SexAtBirth,
    pregnancy_applies,
)


@pytest.mark.parametrize(
    ("sex", "asked"),
    [
        (SexAtBirth.FEMALE, True),
        (SexAtBirth.MALE, False),
        (SexAtBirth.INTERSEX, True),
        (SexAtBirth.UNKNOWN, True),
        (None, True),
        ("male", False),  # a stored value reads the same as the member
    ],
)
def test_pregnancy_is_asked_unless_male_at_birth(sex: SexAtBirth | str | None, asked: bool) -> None:
    assert pregnancy_applies(sex) is asked


@pytest.mark.parametrize(
    ("drug", "session_drug"),
    [(Drug.KETAMINE, SessionDrug.KETAMINE_IV), (Drug.ESKETAMINE, SessionDrug.ESKETAMINE_NASAL)],
)
def test_session_drug_maps_both_ways(drug: Drug, session_drug: SessionDrug) -> None:
    assert SessionDrug.for_drug(drug) is session_drug
    assert SessionDrug.for_drug(drug.value) is session_drug
    assert session_drug.drug is drug


def test_stored_spellings_are_unchanged() -> None:
    assert [d.value for d in Drug] == ["ketamine", "esketamine"]
    assert [r.value for r in Route] == ["iv", "intranasal"]
    assert [s.value for s in SessionDrug] == ["ketamine_iv", "esketamine_nasal"]


def test_pk_route_codes_round_trip() -> None:
    assert dict(PK_ROUTE_CODES) == {"iv": Route.IV, "nasal": Route.INTRANASAL}
    assert get_args(PkRouteCode) == tuple(PK_ROUTE_CODES)
    for route in Route:
        assert Route.from_pk_code(route.pk_code) is route
