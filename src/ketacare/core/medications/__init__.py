"""Medicines on the chart: the medication classes the clinical rules understand.

The interaction rules that read these classes live with the eligibility rules
(:mod:`ketacare.core.eligibility.interactions`); this package holds only the vocabulary and the
"which medicines are active on a day" rule, so the chart, screening and the REMS form share it.
"""

from ketacare.core.medications.model import ChartedMedication, MedicationClass, active_classes

__all__ = ["ChartedMedication", "MedicationClass", "active_classes"]
