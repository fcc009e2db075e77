"""Configurable outcome rules: response, remission, relapse band and MCID per instrument.

Why rules are data: every threshold below is a clinical number that a clinic may need to change
(for example MADRS remission <=12 to match the Janssen programme instead of the default <=10), so
each lives in a frozen value object next to its citation and an evidence tag. Every summary
records the ``version`` of the rule set it was computed with, so a decision can be traced to the
exact thresholds that produced it.

References (the clinical reference files of this project):
    * docs/clinical/outcomes.md#response-and-remission-definitions "Response and remission
    definitions used in trials" and
      section 7 rule 38 "Standard outcome definitions".
    * docs/clinical/instruments.md (master table: bands, response/remission/MCID per instrument) and
      section 3 item 15 "Response, remission and relapse (platform logic)".

Evidence tags follow the reference: ``found`` = read in the cited source; ``recall`` = from the
literature but not re-checked, kept as a configurable default; ``config`` = a platform choice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

from ketacare.core.errors import Invalid

RULES_VERSION = "outcomes-rules/2026.1"
"""Version label of the default rule set; stored with every outcome decision."""

CONSECUTIVE_FOR_RELAPSE = 2
"""Relapse = back in the moderate band on this many consecutive measurements.

Source: docs/clinical/instruments.md#special-scoring-rules ("two consecutive measurements", after
the esketamine
maintenance trials) [recall]; configurable.
"""

CONSECUTIVE_FOR_LOSS_OF_RESPONSE = 2
"""Loss of response = this many consecutive measurements above the response threshold.

Source: platform rule mirroring the relapse rule
(docs/clinical/instruments.md#special-scoring-rules) [config].
"""


class Evidence(StrEnum):
    """How firmly the reference supports a number (see the reference's tag legend)."""

    FOUND = "found"
    RECALL = "recall"
    CONFIG = "config"


class Comparison(StrEnum):
    """How a score is compared with a remission cut-off."""

    AT_MOST = "at_most"  # score <= value
    BELOW = "below"  # score < value


@dataclass(frozen=True)
class ResponseRule:
    """Response = the score fell by at least ``min_reduction_pct`` percent from baseline.

    Attributes:
        min_reduction_pct: Required fall from baseline, in percent of the baseline score.
        strict: If true the fall must be strictly greater (LSAS ">35 %").
        source: Citation of the rule.
        evidence: Evidence tag of the citation.
    """

    min_reduction_pct: float
    source: str
    evidence: Evidence
    strict: bool = False

    def __post_init__(self) -> None:
        """Refuse a reduction outside (0, 100] percent."""
        if not 0 < self.min_reduction_pct <= 100:
            raise Invalid(
                "outcomes.response_pct_out_of_range",
                "response reduction must be above 0 and at most 100 percent",
                field="min_reduction_pct",
            )


@dataclass(frozen=True)
class RemissionRule:
    """Remission = the score is at most (or below) ``cutoff``.

    Attributes:
        cutoff: The remission cut-off on the instrument's total.
        comparison: ``at_most`` (<=) or ``below`` (<).
        source: Citation of the rule.
        evidence: Evidence tag of the citation.
    """

    cutoff: float
    comparison: Comparison
    source: str
    evidence: Evidence

    def met(self, total: float) -> bool:
        """Return whether ``total`` is in remission under this rule."""
        if self.comparison is Comparison.BELOW:
            return total < self.cutoff
        return total <= self.cutoff


@dataclass(frozen=True)
class RelapseBand:
    """The lower edge of the "moderate" band: a score at or above it counts towards relapse.

    Attributes:
        moderate_from: Lowest total of the moderate band.
        source: Citation of the band.
        evidence: Evidence tag of the citation.
    """

    moderate_from: float
    source: str
    evidence: Evidence

    def met(self, total: float) -> bool:
        """Return whether ``total`` is in the moderate band or worse."""
        return total >= self.moderate_from


@dataclass(frozen=True)
class McidRule:
    """Minimal clinically important difference, in points of the total.

    Attributes:
        points: Improvement (fall) in points that counts as clinically important.
        source: Citation of the MCID.
        evidence: Evidence tag of the citation.
    """

    points: float
    source: str
    evidence: Evidence


@dataclass(frozen=True)
class InstrumentRules:
    """The outcome rules of one instrument; any part may be absent when no source gives it.

    Attributes:
        instrument_id: Instrument identifier (normalised on construction, e.g. "PHQ-9" -> "phq9").
        response: Response rule, or None when the reference gives none.
        remission: Remission rule, or None.
        relapse_band: Moderate-band edge used for relapse, or None.
        mcid: Minimal clinically important difference, or None.
    """

    instrument_id: str
    response: ResponseRule | None = None
    remission: RemissionRule | None = None
    relapse_band: RelapseBand | None = None
    mcid: McidRule | None = None

    def __post_init__(self) -> None:
        """Normalise the id and refuse a remission cut-off that overlaps the relapse band."""
        object.__setattr__(self, "instrument_id", normalise_instrument_id(self.instrument_id))
        band, remission = self.relapse_band, self.remission
        if band is not None and remission is not None and remission.met(band.moderate_from):
            raise Invalid(
                "outcomes.remission_overlaps_relapse_band",
                f"{self.instrument_id}: the remission cut-off reaches into the moderate band",
                field="remission",
            )


@dataclass(frozen=True)
class OutcomeRules:
    """A versioned, clinic-configurable set of outcome rules.

    Build a variant with :meth:`with_instrument` (which demands a new version label) or
    ``dataclasses.replace``. The default set is :data:`DEFAULT_RULES`.

    Attributes:
        version: Version label stored with every decision (default :data:`RULES_VERSION`).
        instruments: Per-instrument rules; ids must be unique.
        consecutive_for_relapse: Measurements in the moderate band needed to call relapse.
        consecutive_for_loss_of_response: Non-responding measurements needed to call a loss.
    """

    version: str
    instruments: tuple[InstrumentRules, ...]
    consecutive_for_relapse: int = CONSECUTIVE_FOR_RELAPSE
    consecutive_for_loss_of_response: int = CONSECUTIVE_FOR_LOSS_OF_RESPONSE

    def __post_init__(self) -> None:
        """Refuse duplicate instruments, an empty version and run lengths below one."""
        ids = [rule.instrument_id for rule in self.instruments]
        if len(ids) != len(set(ids)):
            raise Invalid("outcomes.duplicate_instrument", "instrument ids must be unique")
        if not self.version.strip():
            raise Invalid("outcomes.version_required", "a rule version is required")
        if min(self.consecutive_for_relapse, self.consecutive_for_loss_of_response) < 1:
            raise Invalid(
                "outcomes.consecutive_out_of_range", "consecutive counts must be at least 1"
            )

    def for_instrument(self, instrument_id: str) -> InstrumentRules | None:
        """Return the rules of ``instrument_id`` (any spelling, e.g. "PHQ-9"), or None."""
        key = normalise_instrument_id(instrument_id)
        return next((rule for rule in self.instruments if rule.instrument_id == key), None)

    def with_instrument(self, rules: InstrumentRules, *, version: str) -> OutcomeRules:
        """Return a copy where ``rules`` replaces (or adds) its instrument, under a new version.

        Raises:
            Invalid: if ``version`` equals the current version (a changed rule set must be
                distinguishable in stored decisions).
        """
        if version == self.version:
            raise Invalid(
                "outcomes.version_unchanged",
                "a customised rule set needs its own version label",
                field="version",
            )
        others = tuple(r for r in self.instruments if r.instrument_id != rules.instrument_id)
        return replace(self, version=version, instruments=(*others, rules))


_ALIASES = {
    "bdiii": "bdi2",
    "hamd": "hamd17",
    "hdrs17": "hamd17",
    "hamd17item": "hamd17",
    "qids": "qidssr16",
    "qidssr": "qidssr16",
    "nrs": "nrs11",
    "painnrs": "nrs11",
    "nrspain": "nrs11",
    "peg": "peg3",
    "bpi": "bpisf",
    "cssrs": "cssrsscreener",
    "lsasca": "lsas",
}


def normalise_instrument_id(instrument_id: str) -> str:
    """Return the canonical id: lower case, letters and digits only, known aliases resolved.

    Why: the instrument catalogue is written elsewhere; "PHQ-9", "phq_9" and "phq9" must all
    find the same rules, because a silent miss would drop a remission or safety rule.
    """
    key = re.sub(r"[^a-z0-9]", "", instrument_id.lower())
    return _ALIASES.get(key, key)
