"""A checked, normalised form: the answers of one administration ready for scoring."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from ketacare.core.instruments.answers import Normalised, Params, item_score
from ketacare.core.instruments.model import Coding, Instrument

#: An exact number produced by the engine (converted to int/float only for output).
Number = int | Fraction


@dataclass(frozen=True)
class Form:
    """Normalised answers, which items were asked, and the parameters in force."""

    instrument: Instrument
    params: Params
    coding: Coding | None
    values: Mapping[str, Normalised]
    asked: Mapping[str, bool]

    def is_not_rated(self, item_id: str) -> bool:
        """Whether the item carries the coding's "not rated" value (e.g. BPRS 0)."""
        coding = self.coding
        value = self.values[item_id]
        return (
            coding is not None
            and coding.not_rated is not None
            and value is not None
            and not isinstance(value, bool)
            and value == coding.not_rated
        )

    def score(self, item_id: str) -> int | None:
        """The item's score, or ``None`` if unanswered, skipped or not rated."""
        if not self.asked[item_id] or self.is_not_rated(item_id):
            return None
        return item_score(self.instrument.item(item_id), self.values[item_id])

    def base_score(self, item_id: str) -> int | None:
        """The item's score converted to the instrument's base coding (for flag thresholds)."""
        value = self.score(item_id)
        if value is None or self.coding is None:
            return value
        return value + self.coding.to_base

    def missing(self) -> tuple[str, ...]:
        """Items that were asked but not answered."""
        return tuple(
            item.id
            for item in self.instrument.items
            if self.asked[item.id] and self.values[item.id] is None
        )

    def not_rated(self) -> tuple[str, ...]:
        """Items answered with the "not rated" value."""
        return tuple(item.id for item in self.instrument.items if self.is_not_rated(item.id))

    def yes(self, item_id: str) -> bool:
        """Whether a yes/no item was asked and answered yes."""
        return self.asked[item_id] and self.values[item_id] is True

    def no(self, item_id: str) -> bool:
        """Whether a yes/no item was asked and answered no."""
        return self.asked[item_id] and self.values[item_id] is False
