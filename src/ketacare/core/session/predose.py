"""Esketamine pre-dose instructions: what the patient must have done before the first device.

The Spravato label (PI section 2, Dosage and Administration, and the Medication Guide) tells
patients to avoid food for at least 2 hours and liquids for at least 30 minutes before a dose,
because nausea and vomiting are common, and to take any nasal corticosteroid or nasal
decongestant needed that day at least 1 hour before the dose. The nurse confirms each one at
the chair; the ready gate (``gates``) refuses an esketamine session until all three are
confirmed. They do not apply to IV ketamine, whose fasting is the clinic's own NPO check.
Reference page: docs/clinical/session.md#esketamine-pre-dose-instructions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from ketacare.core.codes import SessionDrug
from ketacare.core.errors import Invalid

#: Spravato PI section 2 and Medication Guide: no food for at least 2 hours before a dose.
ESKETAMINE_NO_FOOD_BEFORE = timedelta(hours=2)
#: Spravato PI section 2 and Medication Guide: no liquids for at least 30 minutes before.
ESKETAMINE_NO_LIQUIDS_BEFORE = timedelta(minutes=30)
#: Spravato PI section 2 and Medication Guide: a nasal corticosteroid or nasal decongestant
#: needed on a dosing day is taken at least 1 hour before the dose.
ESKETAMINE_NASAL_MEDICINES_BEFORE = timedelta(hours=1)

LABEL_SOURCE = "Spravato PI section 2 (Dosage and Administration) and Medication Guide"


class PredoseInstruction(StrEnum):
    """A label instruction the nurse confirms before an esketamine dose."""

    NO_FOOD = "no_food_2h"
    NO_LIQUIDS = "no_liquids_30min"
    NASAL_MEDICINES = "nasal_medicines_1h"


def _minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


@dataclass(frozen=True)
class InstructionCheck:
    """One instruction as the chair shows it: what to confirm, and its source."""

    instruction: PredoseInstruction
    label: str
    source: str = LABEL_SOURCE


ESKETAMINE_INSTRUCTIONS: tuple[InstructionCheck, ...] = (
    InstructionCheck(
        PredoseInstruction.NO_FOOD,
        f"No food for at least {_minutes(ESKETAMINE_NO_FOOD_BEFORE) // 60} hours before the dose",
    ),
    InstructionCheck(
        PredoseInstruction.NO_LIQUIDS,
        f"No liquids for at least {_minutes(ESKETAMINE_NO_LIQUIDS_BEFORE)} minutes before the dose",
    ),
    InstructionCheck(
        PredoseInstruction.NASAL_MEDICINES,
        "Nasal corticosteroid or decongestant: none today, or taken at least "
        f"{_minutes(ESKETAMINE_NASAL_MEDICINES_BEFORE) // 60} hour before the dose",
    ),
)


def instructions_for(drug: SessionDrug) -> tuple[InstructionCheck, ...]:
    """The pre-dose instructions a session of ``drug`` must confirm (none for IV ketamine)."""
    return ESKETAMINE_INSTRUCTIONS if drug is SessionDrug.ESKETAMINE_NASAL else ()


def check_instruction_ids(drug: SessionDrug, answers: Mapping[str, bool]) -> dict[str, bool]:
    """Return the answers keyed by instruction id, refusing ids the ``drug`` session has not.

    Raises:
        Invalid: ``session.predose_instruction_unknown`` naming the first id that is not an
            instruction of this drug (every id, for an IV ketamine session) as the field.
    """
    known = {c.instruction.value for c in instructions_for(drug)}
    for name in sorted(answers):
        if name not in known:
            listed = ", ".join(sorted(known)) or f"none for {drug.value}"
            msg = f"unknown pre-dose instruction {name} (instructions: {listed})"
            raise Invalid("session.predose_instruction_unknown", msg, field=name)
    return {name: bool(value) for name, value in answers.items()}


def unconfirmed(drug: SessionDrug, confirmed: frozenset[str]) -> tuple[InstructionCheck, ...]:
    """The instructions of a ``drug`` session that the nurse has not confirmed."""
    return tuple(c for c in instructions_for(drug) if c.instruction.value not in confirmed)
