"""Medication classes and charted medicines.

The classes are the ones that change the risk of a ketamine or esketamine session: the Spravato
REMS Patient Monitoring Form asks about benzodiazepines, non-benzodiazepine sedative-hypnotics,
psychostimulants, MAOIs and opioids at every session (docs/clinical/eligibility.md#rule-9), and
lamotrigine is named in the response literature (docs/clinical/eligibility.md#interactions).
Everything else is charted as ``other``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class MedicationClass(StrEnum):
    """Class of a charted medicine, as the screening and REMS rules group them."""

    MAOI = "maoi"
    PSYCHOSTIMULANT = "psychostimulant"
    BENZODIAZEPINE = "benzodiazepine"
    Z_DRUG_HYPNOTIC = "z_drug_hypnotic"
    OPIOID = "opioid"
    LAMOTRIGINE = "lamotrigine"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ChartedMedication:
    """One medicine on the patient's list.

    Attributes:
        name: Name as charted.
        medication_class: Class for the interaction rules.
        start_date: First day taken (None = not recorded: treated as already started).
        stop_date: Last day taken (None = still taken).
    """

    name: str
    medication_class: MedicationClass
    start_date: date | None = None
    stop_date: date | None = None

    def is_active(self, on: date) -> bool:
        """Whether the medicine is taken on ``on`` (start and stop days inclusive)."""
        started = self.start_date is None or self.start_date <= on
        stopped = self.stop_date is not None and self.stop_date < on
        return started and not stopped


def active_classes(
    medications: Iterable[ChartedMedication], on: date
) -> frozenset[MedicationClass]:
    """Classes of the medicines taken on ``on`` (the screening ``medication_classes`` input)."""
    return frozenset(med.medication_class for med in medications if med.is_active(on))
