"""Psychiatric screening rules: indication and protocol scope, TRD gate, misuse screens."""

from __future__ import annotations

from ketacare.core.eligibility import sources
from ketacare.core.eligibility.config import ScreeningConfig
from ketacare.core.eligibility.indications import INDICATIONS, Indication
from ketacare.core.eligibility.misuse import auditc_cutoff, auditc_positive, dast10_band
from ketacare.core.eligibility.model import Reason, ScreeningInput, Severity
from ketacare.core.eligibility.treatment_history import TrdAssessment

_REVIEW = Severity.REVIEW
_INFO = Severity.INFO


def indication_reasons(inp: ScreeningInput) -> list[Reason]:
    """The indication must be recorded and within the protocol's scope; show its evidence."""
    if inp.indication is None:
        return [
            Reason(
                "indication.not_recorded",
                _REVIEW,
                "No indication (diagnosis) recorded; a psychiatric or pain diagnosis is required "
                "before the first session.",
                sources.INTAKE_FIELDS,
            )
        ]
    indication = INDICATIONS[inp.indication]
    evidence = indication.evidence.get(inp.protocol)
    if evidence is None:
        return [
            Reason(
                "indication.outside_protocol_scope",
                _REVIEW,
                f"{indication.name} is not an indication of the {inp.protocol.value} protocol; "
                "the prescriber must document why this protocol is used.",
                sources.PROTOCOL_SCOPE,
            )
        ]
    return [
        Reason(
            "indication.evidence",
            _INFO,
            f"{indication.name}: {evidence.summary}",
            evidence.source,
        )
    ]


def trd_reasons(
    inp: ScreeningInput, trd: TrdAssessment | None, config: ScreeningConfig
) -> list[Reason]:
    """TRD gate for indications that require it (docs/clinical/eligibility.md#rule-1)."""
    indication: Indication | None = INDICATIONS.get(inp.indication or "")
    if indication is None or not indication.requires_trd:
        return []
    if trd is None:
        return [
            Reason(
                "trd.history_not_recorded",
                _REVIEW,
                "Antidepressant treatment history is not recorded; it is needed to establish "
                "treatment-resistant depression.",
                sources.TRD_DEFINITION,
            )
        ]
    criterion = (
        f"at least {config.trd_min_failed_trials} failed trials in the current episode, each at "
        f"an adequate dose for at least {config.trd_min_weeks:g} weeks with less than "
        f"{config.trd_non_response_below_percent:g} % improvement"
    )
    if trd.met:
        return [
            Reason(
                "trd.met",
                _INFO,
                f"Treatment-resistant depression criterion met: {trd.adequate_failed_trials} "
                f"adequate failed trials ({criterion}).",
                sources.TRD_DEFINITION,
            )
        ]
    return [
        Reason(
            "trd.not_met",
            config.trd_not_met_severity,
            f"Treatment-resistant depression not established: {trd.adequate_failed_trials} "
            f"adequate failed trials; the criterion is {criterion}. Trials stopped early without "
            "documented non-response do not count.",
            sources.TRD_DEFINITION,
        )
    ]


def misuse_reasons(inp: ScreeningInput, config: ScreeningConfig) -> list[Reason]:
    """DAST-10 and AUDIT-C results feed the decision.

    Sources: docs/clinical/eligibility.md#rule-43; docs/clinical/instruments.md.
    """
    reasons = _dast10(inp, config) + _auditc(inp, config)
    missing = [
        name
        for name, value in (("DAST-10", inp.dast10_total), ("AUDIT-C", inp.auditc_total))
        if value is None
    ]
    if missing and config.require_misuse_screen:
        reasons.append(
            Reason(
                "misuse.screen_incomplete",
                _REVIEW,
                f"Substance-use screen incomplete at intake: {' and '.join(missing)} not recorded.",
                sources.SUBSTANCE_USE_HISTORY,
            )
        )
    return reasons


def _dast10(inp: ScreeningInput, config: ScreeningConfig) -> list[Reason]:
    if inp.dast10_total is None:
        return []
    band = dast10_band(inp.dast10_total)
    if inp.dast10_total >= config.dast10_review_from:
        return [
            Reason(
                "misuse.dast10_positive",
                _REVIEW,
                f"DAST-10 total {inp.dast10_total} ({band.value}) suggests a drug-use problem; "
                "assess for an active substance use disorder and misuse risk.",
                sources.DAST10_BANDS,
            )
        ]
    if inp.dast10_total > 0:
        return [
            Reason(
                "misuse.dast10_result",
                _INFO,
                f"DAST-10 total {inp.dast10_total} ({band.value}).",
                sources.DAST10_BANDS,
            )
        ]
    return []


def _auditc(inp: ScreeningInput, config: ScreeningConfig) -> list[Reason]:
    total = inp.auditc_total
    if total is None or not auditc_positive(total, inp.sex_at_birth, config):
        return []
    cutoff = auditc_cutoff(inp.sex_at_birth, config)
    return [
        Reason(
            "misuse.auditc_positive",
            _REVIEW,
            f"AUDIT-C total {total} is a positive screen (cut-off {cutoff} for this patient); "
            "assess alcohol use before treatment.",
            sources.AUDITC_CUTOFFS,
        )
    ]
