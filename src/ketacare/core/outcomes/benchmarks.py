"""Published response / remission benchmarks per indication, each with its control condition.

Why the control is part of every entry: effect sizes against saline are much larger than against
midazolam (Wilkinson 2019, docs/clinical/outcomes.md#reading-benchmarks), and open-label clinic
outcomes look better
than controlled-trial deltas, so a benchmark shown without its control misleads
(docs/clinical/outcomes.md#rule-40). The numbers live in the packaged data file
``benchmarks.json``, copied from
docs/clinical/outcomes.md#reading-benchmarks,
docs/clinical/dosing.md#iv-ketamine-for-mood-disorders,
docs/clinical/outcomes.md#benchmarks-chronic-pain, docs/clinical/outcomes.md#benchmarks-esketamine,
docs/clinical/outcomes.md#efficacy-benchmarks; each entry's ``evidence`` keeps the reference's
found/recall tag so the analytics page can mark unverified figures, and ``source`` cites it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Any

from ketacare.core.errors import Invalid
from ketacare.core.outcomes.rules import Evidence


class Indication(StrEnum):
    """Indications with published benchmarks in the reference."""

    TREATMENT_RESISTANT_DEPRESSION = "treatment_resistant_depression"
    DEPRESSION_INPATIENT = "depression_inpatient"
    SUICIDAL_IDEATION = "suicidal_ideation"
    PTSD = "ptsd"
    SOCIAL_ANXIETY = "social_anxiety"
    CHRONIC_PAIN = "chronic_pain"


class Treatment(StrEnum):
    """Treatment studied."""

    IV_KETAMINE = "iv_ketamine"
    ESKETAMINE = "esketamine"


class Metric(StrEnum):
    """What the benchmark value measures."""

    RESPONSE_RATE = "response_rate"
    REMISSION_RATE = "remission_rate"
    RELAPSE_RATE = "relapse_rate"
    MEAN_DIFFERENCE = "mean_difference"


class ControlCondition(StrEnum):
    """The comparison arm of the trial."""

    SALINE = "saline"
    MIDAZOLAM = "midazolam"
    PLACEBO = "placebo"
    ACTIVE_COMPARATOR = "active_comparator"
    UNCONTROLLED = "uncontrolled"
    NOT_STATED = "not_stated"


@dataclass(frozen=True)
class Benchmark:
    """One published outcome figure.

    Attributes:
        key: Stable identifier.
        indication: Indication studied.
        treatment: IV ketamine or esketamine.
        trial: Trial or meta-analysis name.
        design: Design, size and schedule as given by the reference.
        outcome: Outcome definition (instrument and threshold).
        timepoint: When the outcome was measured.
        metric: What ``value`` measures.
        value: Result in the treatment arm (percent for rates).
        control_value: Result in the control arm, None when not given.
        control: Control condition.
        control_detail: The control arm in words.
        evidence: found / recall tag from the reference.
        source: Citation.
        unit: Unit of ``value`` ("%" for rates).
    """

    key: str
    indication: Indication
    treatment: Treatment
    trial: str
    design: str
    outcome: str
    timepoint: str
    metric: Metric
    value: float
    control_value: float | None
    control: ControlCondition
    control_detail: str
    evidence: Evidence
    source: str
    unit: str = "%"

    def as_dict(self) -> dict[str, Any]:
        """Return plain JSON-serialisable data."""
        return {k: str(v) if isinstance(v, StrEnum) else v for k, v in asdict(self).items()}


_DATA_FILE = "benchmarks.json"


@cache
def load_benchmarks() -> tuple[Benchmark, ...]:
    """Read the packaged ``benchmarks.json`` into validated :class:`Benchmark` objects (cached).

    Raises:
        Invalid: ``outcomes.benchmark_invalid`` if an entry has an unknown field or value.
    """
    text = resources.files(__package__).joinpath(_DATA_FILE).read_text(encoding="utf-8")
    return tuple(_benchmark(entry) for entry in json.loads(text)["benchmarks"])


def _benchmark(entry: dict[str, Any]) -> Benchmark:
    try:
        return Benchmark(
            **{
                **entry,
                "indication": Indication(entry["indication"]),
                "treatment": Treatment(entry["treatment"]),
                "metric": Metric(entry["metric"]),
                "control": ControlCondition(entry["control"]),
                "evidence": Evidence(entry["evidence"]),
            }
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise Invalid(
            "outcomes.benchmark_invalid", f"bad benchmark entry {entry.get('key')!r}: {exc}"
        ) from exc


def benchmarks_for(
    indication: Indication | None = None, *, treatment: Treatment | None = None
) -> tuple[Benchmark, ...]:
    """Return the benchmarks, optionally filtered by indication and treatment."""
    return tuple(
        b
        for b in load_benchmarks()
        if (indication is None or b.indication is indication)
        and (treatment is None or b.treatment is treatment)
    )
