"""Preparation checks for an IV ketamine order: which stock, and whether it is diluted.

Ketalar (ketamine hydrochloride injection) prescribing information, section 2 (Dosage and
Administration) and section 3/16 (10, 50 and 100 mg/mL vials): the 100 mg/mL concentration must
not be injected intravenously without proper dilution, diluting with at least an equal volume of
Sterile Water for Injection, 0.9 % sodium chloride or 5 % dextrose (so at most 50 mg/mL).

Choice made here (the label allows either refusing or asking for a reason): an undiluted (or
under-diluted) 100 mg/mL IV order is REFUSED, because the label's wording is a prohibition and the
fix (give a final volume) is always available; a stock concentration the label does not list
needs a prescriber's reason (a compounded or repackaged syringe may be legitimate).
"""

from __future__ import annotations

from ketacare.core.dosing.order import Finding, PumpSettings
from ketacare.core.dosing.rules import Preparation
from ketacare.core.errors import RuleViolation


def check_preparation(prep: Preparation | None, pump: PumpSettings) -> list[Finding]:
    """Findings about the stock and dilution of ``pump``'s preparation.

    Raises:
        RuleViolation: ``dose.undiluted_stock`` (field ``final_volume_ml``) when the stock that
            must be diluted is infused above the diluted concentration.
    """
    if prep is None:
        return []
    stock = pump.concentration.value
    if stock >= prep.dilute_stock_mg_per_ml and (
        pump.infusion_concentration.value > prep.max_diluted_mg_per_ml
    ):
        raise RuleViolation(
            "dose.undiluted_stock",
            f"the {stock} mg/mL stock must be diluted before IV use to at most "
            f"{prep.max_diluted_mg_per_ml} mg/mL: give a final volume (Ketalar PI section 2)",
            field="final_volume_ml",
        )
    if stock in prep.stock_mg_per_ml:
        return []
    listed = ", ".join(str(c) for c in prep.stock_mg_per_ml)
    message = (
        f"{stock} mg/mL is not a labelled stock concentration ({listed} mg/mL): "
        "prescriber reason required"
    )
    return [Finding("dose.unlisted_concentration", message, True, prep.source)]
