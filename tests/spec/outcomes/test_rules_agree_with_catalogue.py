"""The outcome rules and the instrument catalogue state the same response and remission cut-offs.

Both carry them (the catalogue beside each scale, the outcome rules as a versioned, configurable
set), so this table keeps them from drifting apart.
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from ketacare.core.instruments import load_catalogue
from ketacare.core.outcomes import DEFAULT_RULES
from ketacare.core.outcomes.rules import Comparison

CATALOGUE = load_catalogue()
OPERATOR = {"<": Comparison.BELOW, "<=": Comparison.AT_MOST}


@pytest.mark.parametrize("instrument", CATALOGUE.list(), ids=lambda i: i.id)
def test_response_and_remission_cut_offs_agree(instrument) -> None:
    rules = DEFAULT_RULES.for_instrument(instrument.id)
    response = instrument.outcomes.response
    remission = instrument.outcomes.remission
    if response is None:
        assert rules is None or rules.response is None
    else:
        assert rules is not None
        assert rules.response is not None
        assert Fraction(str(rules.response.min_reduction_pct)) == (
            Fraction(str(response.min_reduction_fraction)) * 100
        )
        assert rules.response.strict is (not response.inclusive)
    if remission is None:
        assert rules is None or rules.remission is None
    else:
        assert rules is not None
        assert rules.remission is not None
        assert rules.remission.comparison is OPERATOR[remission.op]
        assert rules.remission.cutoff == remission.value
