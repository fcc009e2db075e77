"""AUDIT-C: 0-12; positive >=4 men / >=3 women, lower cut for other or unknown sex [R].

Source: docs/clinical/instruments.md#audit-c, docs/clinical/instruments.md#special-scoring-rules,
docs/clinical/instruments.md#test-vectors (US Core all-zero example)."""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid

AUDITC = [
    pytest.param("0,0,0", {}, 0, "negative", [], id="uscore-example-0"),
    pytest.param("1,1,0", {"sex": "female"}, 2, "negative", [], id="female-2"),
    pytest.param("1,1,1", {"sex": "female"}, 3, "positive", [], id="female-3-positive"),
    pytest.param("1,1,1", {"sex": "male"}, 3, "negative", [], id="male-3-negative"),
    pytest.param("2,1,1", {"sex": "male"}, 4, "positive", [], id="male-4-positive"),
    pytest.param("1,1,1", {}, 3, "positive", [], id="unknown-sex-lower-cut"),
    pytest.param("1,1,1", {"sex": "other"}, 3, "positive", [], id="other-lower-cut"),
    pytest.param(
        "4,0,0", {"sex": "male"}, 4, "positive", ["points_from_item1_only"], id="item1-only"
    ),
    pytest.param("4,4,4", {}, 12, "positive", [], id="max-12"),
]


@pytest.mark.parametrize(("answers", "context", "total", "severity", "flags"), AUDITC)
def test_auditc(run, answers, context, total, severity, flags):
    result = run("auditc", answers, **context)
    assert (result.total, result.severity, list(result.flags)) == (total, severity, flags)


def test_auditc_rejects_bad_sex(run):
    with pytest.raises(Invalid, match="sex"):
        run("auditc", "0,0,0", sex="x")
