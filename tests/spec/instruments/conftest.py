"""Shared helpers for the instrument spec tables."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ketacare.core.instruments import ScoreResult, load_catalogue, parse_token, score

Scorer = Callable[..., ScoreResult]


def score_text(instrument_id: str, answers: str, **context: str) -> ScoreResult:
    """Score answers written as the CLI takes them: "2,2,,yes" ("" or "-" = unanswered)."""
    instrument = load_catalogue().get(instrument_id)
    tokens = answers.split(",")
    parsed = [
        parse_token(item, token) for item, token in zip(instrument.items, tokens, strict=False)
    ]
    return score(instrument, parsed + [None] * (len(tokens) - len(parsed)), context)


@pytest.fixture
def run() -> Scorer:
    """Return ``score_text`` (answers as text, context as keyword arguments)."""
    return score_text
