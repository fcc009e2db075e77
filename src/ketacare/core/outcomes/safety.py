"""Safety-alert rules on a scored form: suicidality items and the C-SSRS screener tier.

Pure rules; the services layer turns each :class:`SafetyAlertSpec` into a stored alert or task.
Rules (docs/clinical/instruments.md, docs/clinical/instruments.md#phq-9,
docs/clinical/instruments.md#bdi-ii, docs/clinical/instruments.md#c-ssrs-screener,
docs/clinical/instruments.md#special-scoring-rules items 1 and 4):

* PHQ-9 item 9 (thoughts of death or self-harm) >= 1 raises ``suicidal_ideation`` whatever the
  total; the follow-up is a C-SSRS screener before the ketamine session proceeds.
* BDI-II item 9 (suicidal thoughts) >= 1 raises ``suicidal_ideation`` [recall: flag policy].
* An unanswered suicidality item raises ``suicidality_item_unanswered``: the reference asks for
  the suicidality item at each visit (docs/clinical/outcomes.md#rule-39), so a blank must not read
  as "no".
* C-SSRS screener tier ``moderate`` raises ``cssrs_risk_moderate`` (warning); ``high`` raises
  ``cssrs_risk_high`` (critical: immediate clinical evaluation and safety precautions).
  A screener without a tier (incomplete form) raises ``cssrs_tier_missing`` for clinician
  review, or the high-tier alert when the engine's ``immediate_evaluation`` flag is set; an
  unrecognisable tier label is refused rather than silently passed.

Also:

* C-SSRS screener tier ``low`` (yes to Q1 and/or Q2 only: wish to be dead or non-specific
  active thoughts, no method, intent, plan or behaviour) raises ``cssrs_risk_low``
  (advisory: a behavioural-health referral that a prescriber closes once it is made).
* The scoring engine's flag naming a blank never-prorated item (``item_9_missing``) raises
  ``suicidality_item_unanswered`` as a blank answer does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

from ketacare.core.errors import Invalid
from ketacare.core.outcomes.rules import normalise_instrument_id

AnswerValue = int | float | str | bool | None

SUICIDALITY_ITEM_MIN = 1
"""Item score at or above which the suicidality item raises an alert.

Source: docs/clinical/instruments.md#phq-9, docs/clinical/instruments.md#special-scoring-rules:
"Item 9 >=1 => safety flag, whatever the total"
[R: clinical convention; CamCOPS phq9.py counts item 9 as a symptom at >=1].
"""

_PHQ9_SOURCE = (
    "docs/clinical/instruments.md#phq-9, docs/clinical/instruments.md#special-scoring-rules: PHQ-9 "
    "item 9 >=1 => safety flag whatever the total, "
    "follow with a C-SSRS screener [R: clinical convention; CamCOPS phq9.py]"
)
_BDI2_SOURCE = (
    "docs/clinical/instruments.md#bdi-ii: BDI-II item 9 (suicidal thoughts) => safety flag [R]"
)
_UNANSWERED_SOURCE = (
    "docs/clinical/outcomes.md#rule-39: suicidality item each visit [platform policy]"
)
_CSSRS_SOURCE = (
    "docs/clinical/instruments.md#c-ssrs-screener, "
    "docs/clinical/instruments.md#special-scoring-rules: C-SSRS screener triage [found: Blueprint "
    "C-SSRS "
    "help page; Columbia clinical triage guidelines]; Q4, Q5 or recent behaviour => immediate "
    "clinical evaluation and safety precautions"
)
_CSSRS_LOW_SOURCE = (
    "Posner et al. 2011 Am J Psychiatry 168:1266 (C-SSRS); Columbia Lighthouse Project "
    "C-SSRS screener triage: yes to Q1 and/or Q2 only = low risk, behavioural health referral"
)


class AlertSeverity(StrEnum):
    """How fast a safety alert needs a clinician."""

    ADVISORY = "advisory"  # a referral to arrange; a prescriber closes it once it is made
    WARNING = "warning"  # clinician review before the session proceeds
    CRITICAL = "critical"  # immediate clinical evaluation and safety precautions


class CssrsTier(StrEnum):
    """C-SSRS screener risk tiers.

    Sources: docs/clinical/instruments.md#c-ssrs-screener; "none" kept apart from "low".
    """

    NONE = "none"
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


@dataclass(frozen=True)
class SafetyAlertSpec:
    """An alert a scored form should raise.

    Attributes:
        code: Stable alert code, e.g. "suicidal_ideation".
        severity: Warning or critical.
        message: Text for the clinician (no patient identifiers).
        source: Citation of the rule.
    """

    code: str
    severity: AlertSeverity
    message: str
    source: str


@dataclass(frozen=True)
class SuicidalityItem:
    """Where an instrument's suicidality item sits.

    Attributes:
        instrument_id: Normalised instrument id.
        label: Display name used in messages.
        item_number: Item number within the instrument.
        loinc: LOINC code of the item when one exists (answers may be keyed by it).
        source: Citation of the rule.
    """

    instrument_id: str
    label: str
    item_number: int
    loinc: str | None
    source: str


SUICIDALITY_ITEMS = (
    SuicidalityItem("phq9", "PHQ-9", 9, "44260-8", _PHQ9_SOURCE),
    SuicidalityItem("bdi2", "BDI-II", 9, None, _BDI2_SOURCE),
)
"""Instruments with a suicidality item (LOINC 44260-8 [F:LN-69729]).

See docs/clinical/instruments.md#phq-9.
"""

_CSSRS_ID = "cssrsscreener"
CSSRS_IMMEDIATE_FLAG = "immediate_evaluation"
"""Scoring-engine flag meaning the answers given establish the high tier (Q4, Q5 or recent
behaviour, docs/clinical/instruments.md#special-scoring-rules)."""
_CSSRS_ALERTS = {
    CssrsTier.MODERATE: ("cssrs_risk_moderate", AlertSeverity.WARNING),
    CssrsTier.LOW: ("cssrs_risk_low", AlertSeverity.ADVISORY),
    CssrsTier.HIGH: ("cssrs_risk_high", AlertSeverity.CRITICAL),
}


def safety_alerts(
    instrument_id: str,
    answers: Mapping[str, AnswerValue],
    severity: str | None,
    flags: Collection[str] = (),
) -> list[SafetyAlertSpec]:
    """Return the safety alerts a scored form raises (empty when none).

    Args:
        instrument_id: Instrument id (any spelling, e.g. "PHQ-9").
        answers: Item answers keyed by item (e.g. "item9", "q9", "phq9_9", "9" or a LOINC code).
        severity: The scoring result's band; for the C-SSRS screener, its risk tier.
        flags: Flags from the scoring engine; "suicidal_ideation" among them also raises the
            suicidal-ideation alert (defence in depth).

    Raises:
        Invalid: ``outcomes.answer_not_numeric`` for a non-numeric suicidality answer, or
            ``outcomes.cssrs_tier_unknown`` for a C-SSRS tier label that is not recognised.
    """
    key = normalise_instrument_id(instrument_id)
    if key == _CSSRS_ID:
        return _cssrs_alerts(severity, flags)
    item = next((i for i in SUICIDALITY_ITEMS if i.instrument_id == key), None)
    if item is None:
        return [_flagged_alert(instrument_id)] if "suicidal_ideation" in flags else []
    return _suicidality_alerts(item, answers, flags)


def parse_cssrs_tier(value: str | None) -> CssrsTier | None:
    """Read a C-SSRS tier label such as "High", "moderate risk" or "no_risk"; None if unknown."""
    if value is None:
        return None
    text = " ".join(re.sub(r"[^a-z]+", " ", value.lower()).replace("risk", "").split())
    if text in {"no", "none", "no identified"}:
        return CssrsTier.NONE
    return next((tier for tier in CssrsTier if tier.value == text), None)


def _cssrs_alerts(severity: str | None, flags: Collection[str]) -> list[SafetyAlertSpec]:
    tier = parse_cssrs_tier(severity)
    if tier is None and severity is not None:
        raise Invalid(
            "outcomes.cssrs_tier_unknown",
            f"unknown C-SSRS risk tier {severity!r} (expected none, low, moderate or high)",
            field="severity",
        )
    if tier is None:
        return [_cssrs_without_tier(flags)]
    if tier not in _CSSRS_ALERTS:
        return []
    code, level = _CSSRS_ALERTS[tier]
    message = f"C-SSRS screener: {tier.value} risk tier. Clinician assessment required."
    source = _CSSRS_SOURCE
    if tier is CssrsTier.LOW:
        # Columbia triage: low risk is a behavioural-health referral, not an emergency; it is
        # still an open alert, so the session waits until a prescriber records the referral.
        message = (
            "C-SSRS screener: low risk tier (wish to be dead or non-specific active suicidal "
            "thoughts; no method, intent, plan or behaviour). Refer for behavioural health "
            "assessment; a prescriber closes this alert once the referral is made."
        )
        source = _CSSRS_LOW_SOURCE
    if tier is CssrsTier.HIGH:
        message = (
            "C-SSRS screener: high risk tier. Immediate clinical evaluation and safety "
            "precautions required."
        )
    return [SafetyAlertSpec(code, level, message, source)]


def _cssrs_without_tier(flags: Collection[str]) -> SafetyAlertSpec:
    """An incomplete screener has no tier; it must still reach a clinician, never pass silently.

    If the answers given already establish the high tier (the scoring engine's
    ``immediate_evaluation`` flag), the high-tier alert is raised at once.
    """
    if CSSRS_IMMEDIATE_FLAG in flags:
        return _cssrs_alerts("high", ())[0]
    return SafetyAlertSpec(
        "cssrs_tier_missing",
        AlertSeverity.WARNING,
        "C-SSRS screener has no risk tier (incomplete form). Clinician review required.",
        _CSSRS_SOURCE,
    )


def _suicidality_alerts(
    item: SuicidalityItem, answers: Mapping[str, AnswerValue], flags: Collection[str]
) -> list[SafetyAlertSpec]:
    value = item_score(answers, item)
    # The engine's ``item_9_missing`` flag (a never-prorated item left blank) means the same.
    if value is None or f"item_{item.item_number}_missing" in flags:
        alert = SafetyAlertSpec(
            "suicidality_item_unanswered",
            AlertSeverity.WARNING,
            f"{item.label} item {item.item_number} (suicidality) was not answered: ask it "
            "before the session proceeds.",
            _UNANSWERED_SOURCE,
        )
        extra = [_flagged_alert(item.label)] if "suicidal_ideation" in flags else []
        return [alert, *extra]
    if value >= SUICIDALITY_ITEM_MIN or "suicidal_ideation" in flags:
        return [
            SafetyAlertSpec(
                "suicidal_ideation",
                AlertSeverity.WARNING,
                f"{item.label} item {item.item_number} (thoughts of death or self-harm) scored "
                f"{value:g}: complete a C-SSRS screener and clinician review before the "
                "session proceeds.",
                item.source,
            )
        ]
    return []


def _flagged_alert(label: str) -> SafetyAlertSpec:
    return SafetyAlertSpec(
        "suicidal_ideation",
        AlertSeverity.WARNING,
        f"{label}: the scoring engine flagged suicidal ideation; clinician review required.",
        "scoring-engine flag 'suicidal_ideation'",
    )


def item_score(answers: Mapping[str, AnswerValue], item: SuicidalityItem) -> float | None:
    """Return the numeric answer to ``item`` in ``answers``, or None if absent or blank.

    Keys match by LOINC code or by item number at the end of the key after the instrument
    prefix ("item9", "q9", "9", "phq9_9", "item_09"); "q19" does not match item 9.

    Raises:
        Invalid: ``outcomes.answer_not_numeric`` when the answer cannot be read as a number.
    """
    pattern = re.compile(rf"(?:^|\D)0*{item.item_number}$")
    for raw_key, value in answers.items():
        key = raw_key.lower().strip()
        stripped = re.sub(r"[^a-z0-9]", "", key).removeprefix(item.instrument_id)
        if key == item.loinc or pattern.search(stripped):
            return _numeric(value, raw_key)
    return None


def _numeric(value: AnswerValue, key: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise Invalid("outcomes.answer_not_numeric", f"answer to {key} is not a number", field=key)
    return number
