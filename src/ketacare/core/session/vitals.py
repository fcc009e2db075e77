"""Vital-sign alert rules during administration and recovery.

Each rule reads its threshold from :class:`VitalsAlertConfig` and stamps the alert with its
source. Symptoms override numbers: any symptom of a hypertensive crisis or encephalopathy named
by the Spravato label (see :class:`~ketacare.core.session.model.Symptom`) raises an emergency
alert (stop, call the prescriber) whatever the numbers say, and alerts are returned most urgent
first so the symptom alert always leads.

SpO2 gives at most one alert per reading, the most urgent that applies, so the messages never
disagree: a sentinel event (World SIVA) stops; below 90 % a minor desaturation (World SIVA)
pauses and repeats; at 90-91 %, which the World SIVA tool does not grade, NEWS2's highest SpO2
band (<= 91 % scores 3) asks to notify the clinician and repeat. The NEWS2 band is a tier-1
alert rather than the tier 2 other NEWS2 score-3 bands raise here: under procedural sedation
the sedation-specific World SIVA grading sets the escalation, and a tier-2 NEWS2 alert at every
reading below 92 % would outrank (and so contradict) its "minor" grading.

The SpO2 duration rule (World SIVA tool) needs consecutive readings: the run of readings below
the desaturation threshold ending at the current reading is measured from its first reading.
Between two low readings the patient is assumed to have stayed low, which is the cautious
reading of a gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from ketacare.core.session.config import (
    SRC_HTN_TIERS,
    SRC_NEWS2,
    SRC_NEWS2_SPO2,
    SRC_SPO2,
    SRC_SPRAVATO_PI_RISE,
    SRC_SYMPTOMS,
    VitalsAlertConfig,
)
from ketacare.core.session.model import VitalsReading, require_aware


class AlertTier(StrEnum):
    """How urgent an alert is, in increasing order."""

    TIER_1 = "tier_1"
    TIER_2 = "tier_2"
    EMERGENCY = "emergency"


class RecommendedAction(StrEnum):
    """What staff should do first."""

    REPEAT = "repeat"
    PAUSE = "pause"
    STOP = "stop"
    CALL_PRESCRIBER = "call_prescriber"


_TIER_RANK = {AlertTier.TIER_1: 1, AlertTier.TIER_2: 2, AlertTier.EMERGENCY: 3}


@dataclass(frozen=True)
class VitalAlert:
    """One alert. ``call_prescriber`` marks alerts that also need the prescriber now."""

    code: str
    tier: AlertTier
    parameter: str
    value: int | str
    message: str
    recommended_action: RecommendedAction
    source: str
    call_prescriber: bool = False
    repeat_within: timedelta | None = None


DEFAULT_ALERT_CONFIG = VitalsAlertConfig()


def _symptom_alerts(reading: VitalsReading, cfg: VitalsAlertConfig) -> list[VitalAlert]:
    return [
        VitalAlert(
            code=f"vitals.symptom.{symptom.value}",
            tier=AlertTier.EMERGENCY,
            parameter="symptom",
            value=symptom.value,
            message=f"{symptom.label} reported: stop, start the emergency pathway and call the "
            "prescriber",
            recommended_action=RecommendedAction.STOP,
            source=SRC_SYMPTOMS,
            call_prescriber=True,
        )
        for symptom in sorted(reading.symptoms & cfg.emergency_symptoms)
    ]


def _at_or_above(value: int | None, limit: int) -> bool:
    return value is not None and value >= limit


def _bp_high_alerts(reading: VitalsReading, cfg: VitalsAlertConfig) -> list[VitalAlert]:
    """Rule-25 tiers; either pressure alone is enough, so a lone systolic still alerts."""
    sbp, dbp = reading.sbp, reading.dbp
    value = f"{'?' if sbp is None else sbp}/{'?' if dbp is None else dbp}"
    if _at_or_above(sbp, cfg.bp_tier2_sbp) or _at_or_above(dbp, cfg.bp_tier2_dbp):
        return [
            VitalAlert(
                code="vitals.bp.tier_2",
                tier=AlertTier.TIER_2,
                parameter="bp",
                value=value,
                message=f"BP {value} at or above {cfg.bp_tier2_sbp}/{cfg.bp_tier2_dbp}: pause, "
                "check end-organ symptoms, prescriber review",
                recommended_action=RecommendedAction.PAUSE,
                source=SRC_HTN_TIERS,
                call_prescriber=True,
            )
        ]
    if _at_or_above(sbp, cfg.bp_tier1_sbp) or _at_or_above(dbp, cfg.bp_tier1_dbp):
        return [
            VitalAlert(
                code="vitals.bp.tier_1",
                tier=AlertTier.TIER_1,
                parameter="bp",
                value=value,
                message=f"BP {value} at or above {cfg.bp_tier1_sbp}/{cfg.bp_tier1_dbp}: notify "
                "the clinician and repeat",
                recommended_action=RecommendedAction.REPEAT,
                source=SRC_HTN_TIERS,
                repeat_within=cfg.bp_tier1_repeat_after,
            )
        ]
    return []


def _bp_rise_alerts(
    reading: VitalsReading, baseline: VitalsReading | None, cfg: VitalsAlertConfig
) -> list[VitalAlert]:
    if baseline is None:
        return []
    rises = (
        ("sbp", reading.sbp, baseline.sbp, cfg.bp_rise_sbp),
        ("dbp", reading.dbp, baseline.dbp, cfg.bp_rise_dbp),
    )
    return [
        VitalAlert(
            code=f"vitals.{name}.rise_from_baseline",
            tier=AlertTier.TIER_1,
            parameter=name,
            value=now,
            message=f"{name.upper()} {now} is {now - base} mmHg above the pre-dose {base}: repeat",
            recommended_action=RecommendedAction.REPEAT,
            source=SRC_SPRAVATO_PI_RISE,
            repeat_within=cfg.bp_tier1_repeat_after,
        )
        for name, now, base, limit in rises
        if now is not None and base is not None and limit is not None and now - base >= limit
    ]


def _band_alert(
    parameter: str, value: int | None, bands: Sequence[tuple[AlertTier, str, int | None]]
) -> list[VitalAlert]:
    """Return the first matching NEWS2 band alert. Bands: (tier, 'high'|'low', limit)."""
    if value is None:
        return []
    for tier, side, limit in bands:
        hit = limit is not None and (value >= limit if side == "high" else value <= limit)
        if hit:
            return [_news2_alert(parameter, value, tier, side, limit)]
    return []


def _news2_alert(
    parameter: str, value: int, tier: AlertTier, side: str, limit: int | None
) -> VitalAlert:
    urgent = tier is AlertTier.TIER_2
    relation = "at or above" if side == "high" else "at or below"
    return VitalAlert(
        code=f"vitals.{parameter}.{side}.{tier.value}",
        tier=tier,
        parameter=parameter,
        value=value,
        message=f"{parameter.upper()} {value} {relation} {limit}: "
        + (
            "call the prescriber for urgent review" if urgent else "notify the clinician and repeat"
        ),
        recommended_action=RecommendedAction.CALL_PRESCRIBER
        if urgent
        else RecommendedAction.REPEAT,
        source=SRC_NEWS2,
        call_prescriber=urgent,
    )


def _news2_alerts(reading: VitalsReading, cfg: VitalsAlertConfig) -> list[VitalAlert]:
    t1, t2 = AlertTier.TIER_1, AlertTier.TIER_2
    return [
        *_band_alert(
            "sbp", reading.sbp, [(t2, "low", cfg.sbp_tier2_low), (t1, "low", cfg.sbp_tier1_low)]
        ),
        *_band_alert(
            "hr",
            reading.hr,
            [
                (t2, "high", cfg.hr_tier2_high),
                (t2, "low", cfg.hr_tier2_low),
                (t1, "high", cfg.hr_tier1_high),
            ],
        ),
        *_band_alert(
            "rr",
            reading.rr,
            [
                (t2, "high", cfg.rr_tier2_high),
                (t2, "low", cfg.rr_tier2_low),
                (t1, "high", cfg.rr_tier1_high),
            ],
        ),
    ]


def desaturation_duration(
    reading: VitalsReading, history: Sequence[VitalsReading], cfg: VitalsAlertConfig
) -> timedelta | None:
    """How long SpO2 has been below the desaturation threshold, ending at ``reading``.

    Returns ``None`` when ``reading`` itself is not desaturated. Readings without SpO2 neither
    extend nor break the run.
    """
    if reading.spo2 is None or reading.spo2 >= cfg.spo2_desaturation_below:
        return None
    earlier = sorted(
        (r for r in history if r.spo2 is not None and r.at < reading.at),
        key=lambda r: r.at,
        reverse=True,
    )
    start = reading.at
    for r in earlier:
        if r.spo2 is None or r.spo2 >= cfg.spo2_desaturation_below:
            break
        start = r.at
    return reading.at - start


def _spo2_alerts(
    reading: VitalsReading, history: Sequence[VitalsReading], cfg: VitalsAlertConfig
) -> list[VitalAlert]:
    duration = desaturation_duration(reading, history, cfg)
    if reading.spo2 is None:
        return []
    if duration is None:
        return _spo2_news2_alert(reading.spo2, cfg)
    spo2 = reading.spo2
    if spo2 < cfg.spo2_sentinel_below or duration > cfg.spo2_sentinel_duration:
        secs = int(duration.total_seconds())
        return [
            VitalAlert(
                code="vitals.spo2.sentinel",
                tier=AlertTier.EMERGENCY,
                parameter="spo2",
                value=spo2,
                message=f"SpO2 {spo2} % (below {cfg.spo2_desaturation_below} % for {secs} s): "
                "sentinel event; stop, support the airway, call the prescriber",
                recommended_action=RecommendedAction.STOP,
                source=SRC_SPO2,
                call_prescriber=True,
            )
        ]
    limit_s = int(cfg.spo2_sentinel_duration.total_seconds())
    return [
        VitalAlert(
            code="vitals.spo2.minor",
            tier=AlertTier.TIER_1,
            parameter="spo2",
            value=spo2,
            message=f"SpO2 {spo2} % below {cfg.spo2_desaturation_below} %: pause and repeat; a "
            f"run longer than {limit_s} s is a sentinel event",
            recommended_action=RecommendedAction.PAUSE,
            source=SRC_SPO2,
        )
    ]


def _spo2_news2_alert(spo2: int, cfg: VitalsAlertConfig) -> list[VitalAlert]:
    """NEWS2's highest SpO2 band for a reading the World SIVA rules do not grade."""
    limit = cfg.spo2_news2_low
    if limit is None or spo2 > limit:
        return []
    return [
        VitalAlert(
            code="vitals.spo2.low.tier_1",
            tier=AlertTier.TIER_1,
            parameter="spo2",
            value=spo2,
            message=f"SpO2 {spo2} % at or below {limit} % (NEWS2 score 3): notify the clinician "
            "and repeat",
            recommended_action=RecommendedAction.REPEAT,
            source=SRC_NEWS2_SPO2,
        )
    ]


def evaluate_vitals(
    reading: VitalsReading,
    *,
    history: Sequence[VitalsReading] = (),
    baseline: VitalsReading | None = None,
    config: VitalsAlertConfig = DEFAULT_ALERT_CONFIG,
) -> list[VitalAlert]:
    """Evaluate one reading and return its alerts, most urgent first.

    Args:
        reading: the new reading.
        history: earlier readings of the session (any order); used by the SpO2 duration rule.
        baseline: the pre-dose reading; used by the rise-from-baseline rule.
        config: thresholds, each with its source in :mod:`ketacare.core.session.config`.
    """
    require_aware(reading.at, "at")
    alerts = [
        *_symptom_alerts(reading, config),
        *_spo2_alerts(reading, history, config),
        *_bp_high_alerts(reading, config),
        *_bp_rise_alerts(reading, baseline, config),
        *_news2_alerts(reading, config),
    ]
    return sorted(alerts, key=lambda a: -_TIER_RANK[a.tier])


def most_urgent(alerts: Sequence[VitalAlert]) -> VitalAlert | None:
    """The alert to act on first (the list from :func:`evaluate_vitals` is already ordered)."""
    return max(alerts, key=lambda a: _TIER_RANK[a.tier], default=None)
