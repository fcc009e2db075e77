"""The dose calculator: one entry point for every protocol kind.

``calculate_dose(request)`` returns a ``DoseCalculation`` or raises:

- ``Invalid`` (naming the field) for missing or implausible input;
- ``RuleViolation`` when a hard limit blocks the order (also a weight older than the CONFIG limit).

Soft-limit breaches come back as findings with ``requires_override=True``. See ``infusion.py`` for
IV ketamine, ``esketamine.py`` for the nasal spray and ``pump.py`` for the rounding rule.
"""

from __future__ import annotations

from ketacare.core.dosing.config import DEFAULT_CONFIG, DosingConfig
from ketacare.core.dosing.esketamine import calculate_device_dose
from ketacare.core.dosing.infusion import calculate_infusion
from ketacare.core.dosing.order import DoseCalculation, DoseRequest
from ketacare.core.dosing.rules import DeviceRule


def calculate_dose(request: DoseRequest, config: DosingConfig = DEFAULT_CONFIG) -> DoseCalculation:
    """Calculate the order described by ``request`` under its protocol's rule.

    Raises:
        Invalid: missing or implausible input, naming the field.
        RuleViolation: a hard limit blocks the order.
    """
    rule = request.protocol.dose_rule
    if isinstance(rule, DeviceRule):
        return calculate_device_dose(request, rule, config)
    return calculate_infusion(request, rule, config)
