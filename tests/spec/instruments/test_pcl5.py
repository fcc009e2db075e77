"""PCL-5: 20 items 0-4, total 0-80, clusters B/C/D/E, provisional diagnosis by two routes.

Route 1: total >= cutoff (31-33, default 33). Route 2: DSM-5 rule, item >= 2 is a symptom,
need B >= 1, C >= 1, D >= 2, E >= 2. Source: docs/clinical/instruments.md#pcl-5,
docs/clinical/instruments.md#special-scoring-rules.
"""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid


def repeat(value: object, count: int) -> str:
    """Return ``value`` repeated ``count`` times, comma-separated."""
    return ",".join([str(value)] * count)


ID = "pcl5"

#: B1..B5, C1..C2, D1..D7, E1..E6: exactly the DSM-5 minimum at 2 each, total 12.
DSM5_MINIMUM = "2,0,0,0,0, 2,0, 2,2,0,0,0,0,0, 2,2,0,0,0,0".replace(" ", "")
#: Total 34 but no cluster B or C symptom: positive by cut-off only.
HIGH_TOTAL_NO_SYMPTOMS = "1,1,1,1,1, 0,0, 3,3,3,3,1,1,1, 3,3,3,3,1,1".replace(" ", "")

CASES = [
    # answers, total, clusters, by_cutoff, by_dsm5, flags
    pytest.param(repeat(0, 20), 0, (0, 0, 0, 0), False, False, [], id="zero"),
    pytest.param(
        repeat(4, 20),
        80,
        (20, 8, 28, 24),
        True,
        True,
        ["provisional_ptsd_cutoff", "provisional_ptsd_dsm5"],
        id="max",
    ),
    pytest.param(
        DSM5_MINIMUM,
        12,
        (2, 2, 4, 4),
        False,
        True,
        ["provisional_ptsd_dsm5"],
        id="dsm5-route-only",
    ),
    pytest.param(
        "2,0,0,0,0, 1,1, 2,2,0,0,0,0,0, 2,2,0,0,0,0".replace(" ", ""),
        12,
        (2, 2, 4, 4),
        False,
        False,
        [],
        id="no-cluster-c-symptom",
    ),
    pytest.param(
        HIGH_TOTAL_NO_SYMPTOMS,
        34,
        (5, 0, 15, 14),
        True,
        False,
        ["provisional_ptsd_cutoff"],
        id="cutoff-route-only",
    ),
]


@pytest.mark.parametrize(("answers", "total", "clusters", "by_cutoff", "by_dsm5", "flags"), CASES)
def test_scores_and_both_routes(run, answers, total, clusters, by_cutoff, by_dsm5, flags):
    result = run(ID, answers)
    subs = result.subscales
    assert result.total == total
    assert (subs["cluster_b"], subs["cluster_c"], subs["cluster_d"], subs["cluster_e"]) == clusters
    assert result.derived["provisional_by_cutoff"] is by_cutoff
    assert result.derived["provisional_by_dsm5"] is by_dsm5
    assert list(result.flags) == flags
    assert result.severity is None  # no empirically derived bands


CUTOFFS = [
    pytest.param("33", 32, False, id="default-33-total-32"),
    pytest.param("33", 33, True, id="default-33-total-33"),
    pytest.param("31", 31, True, id="cut-31-total-31"),
    pytest.param("31", 30, False, id="cut-31-total-30"),
]


@pytest.mark.parametrize(("cutoff", "total", "positive"), CUTOFFS)
def test_cutoff_is_configurable(run, cutoff, total, positive):
    answers = ",".join(str(v) for v in _spread(total))
    result = run(ID, answers, cutoff=cutoff)
    assert result.total == total
    assert result.derived["provisional_by_cutoff"] is positive


def _spread(total):
    values = [0] * 20
    for i in range(total):
        values[i % 20] += 1
    return values


def test_criterion_a_denied_suppresses_flags_but_keeps_routes(run):
    result = run(ID, repeat(4, 20), criterion_a="no")
    assert result.flags == ()
    assert result.derived["provisional_by_dsm5"] is True
    assert result.derived["criterion_a"] == "no"


def test_missing_item_invalidates_total_but_keeps_complete_clusters(run):
    result = run(ID, "," + repeat(2, 19))
    assert (result.valid, result.total) == (False, None)
    assert result.subscales["cluster_b"] is None
    assert result.subscales["cluster_e"] == 12
    assert result.derived["provisional_by_dsm5"] is None


@pytest.mark.parametrize(
    ("answers", "context"),
    [
        pytest.param(repeat(5, 20), {}, id="out-of-range"),
        pytest.param(repeat(1, 19), {}, id="wrong-count"),
        pytest.param(repeat(1, 20), {"cutoff": "40"}, id="cutoff-outside-31-33"),
        pytest.param(repeat(1, 20), {"criterion_a": "maybe"}, id="bad-criterion-a"),
    ],
)
def test_rejects(run, answers, context):
    with pytest.raises(Invalid):
        run(ID, answers, **context)
