"""Spec: plausible text and counts (ketacare.core.plausibility.text and .counts)."""

from __future__ import annotations

import pytest

from ketacare.core.errors import Invalid
from ketacare.core.plausibility import EPISODE_MONTHS, Range, check_name, check_text
from ketacare.core.plausibility.counts import AGE_YEARS, TRIAL_WEEKS

# Columns: text, multiline, accepted.
TEXTS = [
    ("Avery Quinn", False, True),
    ("Zoë O'Brien-Łukasz", False, True),
    ("two\nlines", True, True),
    ("tab\there", True, True),
    ("two\nlines", False, False),
    ("nul\x00byte", True, False),
    ("bell\x07", True, False),
    ("escape\x1b[31m", True, False),
    ("del\x7f", True, False),
    ("lone \ud800 surrogate", True, False),
]


@pytest.mark.parametrize(("text", "multiline", "accepted"), TEXTS)
def test_text(text: str, multiline: bool, accepted: bool) -> None:
    if accepted:
        check_text(text, field="note", multiline=multiline)
        return
    with pytest.raises(Invalid) as refused:
        check_text(text, field="note", multiline=multiline)
    assert (refused.value.code, refused.value.field) == ("plausibility.text_control", "note")


# Columns: name, refusal code (None = accepted).
NAMES = [
    ("Avery", None),
    ("李", None),
    ("", "plausibility.name_empty"),
    ("   ", "plausibility.name_empty"),
    ("\u200b\u200c\u200d", "plausibility.name_empty"),  # zero-width only
    ("\ufeff \u2060", "plausibility.name_empty"),
    ("Ava\x00", "plausibility.text_control"),
]


@pytest.mark.parametrize(("name", "code"), NAMES)
def test_names(name: str, code: str | None) -> None:
    if code is None:
        check_name(name, field="given_name")
        return
    with pytest.raises(Invalid) as refused:
        check_name(name, field="given_name")
    assert (refused.value.code, refused.value.field) == (code, "given_name")


# Columns: range, lowest accepted, highest accepted.
COUNTS = [(EPISODE_MONTHS, 0, 1200), (AGE_YEARS, 0, 130), (TRIAL_WEEKS, 0, 5200)]


@pytest.mark.parametrize(("rule", "low", "high"), COUNTS)
def test_counts_at_their_edges(rule: Range, low: int, high: int) -> None:
    rule.check("n", low)
    rule.check("n", high)
    for outside in (low - 1, high + 1):
        with pytest.raises(Invalid):
            rule.check("n", outside)


def test_an_episode_of_9999_months_is_refused_in_plain_words() -> None:
    with pytest.raises(Invalid) as refused:
        EPISODE_MONTHS.check("episode_duration_months", 9999)
    assert refused.value.message == "Episode duration must be between 0 and 1200 months."
