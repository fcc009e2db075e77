"""A linear compartment system for N subjects: rate matrices, outputs and dose inputs.

dA/dt = K A + u(t), with K of shape (N, n, n) in 1/min, amounts A in mg and u the inputs
(boluses and zero-order infusions into any compartment). First-order absorption is a depot
compartment inside K, so every input the solver sees is a bolus or a zero-order infusion.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ketacare.core.dosing.pk.regimen import Dose

FloatArray = npt.NDArray[np.float64]

#: mg/L to ng/mL (1 mg/L = 1 µg/mL = 1000 ng/mL; docs/clinical/pk.md#conventions "Concentration
#: units").
NG_PER_ML_PER_MG_PER_L = 1000.0


@dataclass(frozen=True)
class InputEvent:
    """Drug entering one compartment: a bolus (duration 0) or a zero-order infusion.

    Attributes:
        compartment: Index of the receiving compartment.
        amount_mg: Amount actually entering, per subject (bioavailability applied), shape (N,).
        start_min: Start time.
        duration_min: 0 for a bolus; otherwise the infusion lasts this long.
    """

    compartment: int
    amount_mg: FloatArray
    start_min: float
    duration_min: float = 0.0

    @property
    def end_min(self) -> float:
        """Time the input stops."""
        return self.start_min + self.duration_min


@dataclass(frozen=True)
class Output:
    """An observed analyte: concentration = amount in ``compartment`` / ``volume_l``."""

    compartment: int
    volume_l: FloatArray


@dataclass(frozen=True)
class LinearSystem:
    """Rate matrices, observed outputs and the dose router for N subjects.

    Attributes:
        rate_matrix: K, shape (N, n, n), 1/min.
        outputs: Analyte name -> observed compartment and volume.
        route_dose: Turns one ``Dose`` into the input events it causes.
    """

    rate_matrix: FloatArray
    outputs: Mapping[str, Output]
    route_dose: Callable[[Dose], tuple[InputEvent, ...]]

    @property
    def subjects(self) -> int:
        """Number of subjects N."""
        return int(self.rate_matrix.shape[0])

    @property
    def compartments(self) -> int:
        """Number of compartments n."""
        return int(self.rate_matrix.shape[1])

    def subset(self, mask: npt.NDArray[np.bool_]) -> LinearSystem:
        """Return the system restricted to the subjects selected by ``mask``."""
        outputs = {k: Output(o.compartment, o.volume_l[mask]) for k, o in self.outputs.items()}
        route = self.route_dose

        def routed(dose: Dose) -> tuple[InputEvent, ...]:
            return tuple(
                InputEvent(e.compartment, e.amount_mg[mask], e.start_min, e.duration_min)
                for e in route(dose)
            )

        return LinearSystem(self.rate_matrix[mask], outputs, routed)


def events_for(system: LinearSystem, doses: tuple[Dose, ...]) -> tuple[InputEvent, ...]:
    """Return every input event caused by ``doses``."""
    return tuple(event for dose in doses for event in system.route_dose(dose))
