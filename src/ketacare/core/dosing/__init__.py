"""Protocols, dose calculation and pump settings (PK models live in ``dosing.pk``).

Public entry points:

- ``list_protocols``/``get_protocol`` (library), ``Protocol.from_dict``/``to_dict`` (custom ones);
- ``propose_induction_dates(protocol, start)`` and ``Protocol.schedule(...)``;
- ``calculate_dose(DoseRequest(...), config)`` -> ``DoseCalculation`` (with its ``limits``);
- ``session_ceilings(rule, weight_kg)`` (``ceilings``): a session's hard ceilings in mg and mg/h;
- the limits table of a protocol: ``limits.py`` (data), ``limit_checks.py`` (checking).
"""
