"""The treatment session at the chair: state machine, gates, administration, vitals, discharge.

Modules, one per use case:

* ``states``: the state machine (``TRANSITIONS``, ``transition``).
* ``gates``: checks before ``ready`` (``check_ready_gates``).
* ``administration``: mg given from the administration record; esketamine device spacing.
* ``vitals``: vital-sign alert rules (``evaluate_vitals``).
* ``cadence``: vitals reminders (``next_vitals_due``, ``vitals_overdue``), Spravato BP timepoints.
* ``discharge``: recovery and discharge rules (``check_discharge``).
* ``rems``: the Spravato REMS Patient Monitoring Form (template, builder, deadline).
* ``scheduling``: chair time and double-booking detection.
* ``config``: every threshold, with its source.
"""
