"""Virtual subjects: log-normal (or logit-normal) inter-individual variability.

log(P_i) ~ N(log(theta), omega^2) with omega^2 = ln(1 + CV^2), correlated where the source
reports a correlation; FRn-type fractions vary on the logit scale
(docs/clinical/pk.md#closed-form-maths).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ketacare.core.dosing.pk.model import Parameter, PKModel, Transform, omega2_from_cv
from ketacare.core.dosing.pk.system import FloatArray
from ketacare.core.errors import Invalid


def typical_parameters(model: PKModel, weight_kg: float, n: int = 1) -> dict[str, FloatArray]:
    """Return typical values for ``weight_kg`` as arrays of ``n`` identical subjects."""
    return {name: np.full(n, value) for name, value in model.typical(weight_kg).items()}


def variability(
    model: PKModel, iiv_cv: Mapping[str, float] | None = None
) -> list[tuple[Parameter, float]]:
    """Return (parameter, omega^2) pairs: the model's reported IIV, plus any overrides.

    ``iiv_cv`` maps parameter names to a CV (log-normal) used instead of, or in addition to,
    the reported value: a documented CONFIG choice for models whose source reports none.
    """
    chosen = {p.name: (p, p.iiv_omega2) for p in model.parameters if p.iiv_omega2 is not None}
    for name, cv in (iiv_cv or {}).items():
        parameter = model.parameter(name)
        if parameter.iiv_transform is not Transform.LOG or not (math.isfinite(cv) and cv >= 0):
            raise Invalid("pk.iiv_invalid", f"cannot apply a CV of {cv} to {name}", field=name)
        chosen[name] = (parameter, omega2_from_cv(cv))
    return [(p, float(w)) for p, w in chosen.values() if w is not None]


def covariance(model: PKModel, spread: list[tuple[Parameter, float]]) -> FloatArray:
    """Return the covariance matrix of the random effects, with reported correlations."""
    names = [p.name for p, _ in spread]
    sd = np.sqrt([w for _, w in spread])
    corr = np.eye(len(names))
    for c in model.correlations:
        if c.first in names and c.second in names:
            i, j = names.index(c.first), names.index(c.second)
            corr[i, j] = corr[j, i] = c.r
    cov: FloatArray = corr * np.outer(sd, sd)
    return cov


def sample_parameters(
    model: PKModel,
    weight_kg: float,
    n: int,
    rng: np.random.Generator,
    iiv_cv: Mapping[str, float] | None = None,
) -> dict[str, FloatArray]:
    """Return individual parameters for ``n`` virtual subjects of ``weight_kg``."""
    params = typical_parameters(model, weight_kg, n)
    spread = variability(model, iiv_cv)
    if not spread:
        raise Invalid(
            "pk.no_variability",
            f"model {model.id} reports no inter-individual variability; give CVs explicitly",
            field="model",
        )
    eta = rng.standard_normal((n, len(spread))) @ np.linalg.cholesky(covariance(model, spread)).T
    for col, (parameter, _) in enumerate(spread):
        typical = params[parameter.name]
        if parameter.iiv_transform is Transform.LOGIT:
            params[parameter.name] = 1.0 / (
                1.0 + np.exp(-(np.log(typical / (1 - typical)) + eta[:, col]))
            )
        else:
            params[parameter.name] = typical * np.exp(eta[:, col])
    return params
