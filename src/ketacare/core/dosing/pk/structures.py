"""Compartment layouts: individual parameters in, rate matrix and dose routing out.

Every builder takes individual parameter arrays of shape (N,) in internal units (min, L, mg),
already scaled for weight and variability, and returns a ``LinearSystem``. The layouts follow
the equations in docs/clinical/pk.md#closed-form-maths (mammillary models) and the nlmixr2lib
codings of Flint 2017 and
Perez-Ruixo 2021 named in docs/clinical/pk.md#esketamine-models.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from ketacare.core.codes import Route
from ketacare.core.dosing.pk.model import Covariates, PKModel, Structure
from ketacare.core.dosing.pk.regimen import Dose
from ketacare.core.dosing.pk.system import FloatArray, InputEvent, LinearSystem, Output
from ketacare.core.errors import Invalid

Params = Mapping[str, FloatArray]

#: Tolerance, in devices, for a nasal dose to count as a whole number of devices.
DEVICE_TOLERANCE = 1e-3


def build_system(model: PKModel, params: Params, covariates: Covariates) -> LinearSystem:
    """Return the linear system of ``model`` for the individual parameters ``params``."""
    builders: Mapping[Structure, Callable[[PKModel, Params, Covariates], LinearSystem]] = {
        Structure.MICRO: _micro,
        Structure.CLEARANCE: _clearance,
        Structure.PARENT_METABOLITE: _parent_metabolite,
        Structure.ESKETAMINE_NASAL: _esketamine_nasal,
    }
    return builders[model.structure](model, params, covariates)


def _unsupported(model: PKModel, dose: Dose) -> Invalid:
    return Invalid(
        "pk.route_not_supported",
        f"model {model.id} does not support the {dose.route} route",
        field="route",
    )


def _iv_router(model: PKModel, central: int, n: int) -> Callable[[Dose], tuple[InputEvent, ...]]:
    def route(dose: Dose) -> tuple[InputEvent, ...]:
        if dose.route is not Route.IV:
            raise _unsupported(model, dose)
        amount = np.full(n, dose.base_mg)
        return (InputEvent(central, amount, dose.at_min, dose.duration_min),)

    return route


def mammillary_matrix(k10: FloatArray, pairs: list[tuple[FloatArray, FloatArray]]) -> FloatArray:
    """Return K for a central compartment with peripheral pairs (k1p, kp1).

    Sources: docs/clinical/pk.md#closed-form-maths.
    """
    n_sub, n = k10.shape[0], 1 + len(pairs)
    k = np.zeros((n_sub, n, n))
    k[:, 0, 0] = -k10
    for p, (k_out, k_back) in enumerate(pairs, start=1):
        k[:, 0, 0] -= k_out
        k[:, p, 0] = k_out
        k[:, 0, p] = k_back
        k[:, p, p] = -k_back
    return k


def _pairs(params: Params, names: list[tuple[str, str]]) -> list[tuple[FloatArray, FloatArray]]:
    return [(params[a], params[b]) for a, b in names if a in params]


def _micro(model: PKModel, params: Params, covariates: Covariates) -> LinearSystem:
    del covariates
    pairs = _pairs(params, [("k12", "k21"), ("k13", "k31")])
    k = mammillary_matrix(params["k10"], pairs)
    outputs = {model.analytes[0]: Output(0, params["v1"])}
    return LinearSystem(k, outputs, _iv_router(model, 0, k.shape[0]))


def _clearance(model: PKModel, params: Params, covariates: Covariates) -> LinearSystem:
    del covariates
    v1 = params["v1"]
    pairs = [
        (params[q] / v1, params[q] / params[v])
        for q, v in (("q2", "v2"), ("q3", "v3"))
        if q in params
    ]
    k = mammillary_matrix(params["cl"] / v1, pairs)
    outputs = {model.analytes[0]: Output(0, v1)}
    return LinearSystem(k, outputs, _iv_router(model, 0, k.shape[0]))


def _parent_metabolite(model: PKModel, params: Params, covariates: Covariates) -> LinearSystem:
    """Flint 2017: 2-cmt parent; all parent elimination forms the metabolite (CL/Fm, V/Fm)."""
    del covariates
    v1 = params["v1"]
    k10 = params["cl"] / v1
    k = np.zeros((v1.shape[0], 3, 3))
    k[:, :2, :2] = mammillary_matrix(k10, [(params["q"] / v1, params["q"] / params["v2"])])
    k[:, 2, 0] = k10
    k[:, 2, 2] = -params["cl_m"] / params["v_m"]
    outputs = {
        model.analytes[0]: Output(0, v1),
        model.analytes[1]: Output(2, params["v_m"]),
    }
    return LinearSystem(k, outputs, _iv_router(model, 0, k.shape[0]))


# Perez-Ruixo 2021 compartments (nlmixr2lib PerezRuixo_2020_esketamine ODE order).
NASAL_DEPOT, SWALLOWED_DEPOT, CENTRAL, PERIPHERAL_1, PERIPHERAL_2, LIVER = range(6)
METABOLITE_CENTRAL, METABOLITE_PERIPHERAL = 6, 7


def _esketamine_matrix(model: PKModel, p: Params, covariates: Covariates) -> FloatArray:
    asian = covariates.is_asian
    # Qh = (151 - 2.19 L/h per year over 60) * exp(eta): the age term scales the typical value.
    age_excess = max(0.0, covariates.age_years - float(p["qh_age_threshold"][0]))
    qh_typical = model.parameter("qh").internal(0.0)
    qh = p["qh"] * (1.0 - p["qh_age_slope"] * age_excess / qh_typical)
    kel = p["kel"] * (p["asian_kel"] if asian else 1.0)
    cln = p["cln"] * (p["asian_cln"] if asian else 1.0)
    vc, vcn = p["vc"], p["vcn"]
    k = np.zeros((vc.shape[0], 8, 8))
    flows = [  # (from, to, rate constant)
        (NASAL_DEPOT, CENTRAL, p["ka_n"]),
        (SWALLOWED_DEPOT, LIVER, p["ka_sw"]),
        (CENTRAL, PERIPHERAL_1, p["q1"] / vc),
        (PERIPHERAL_1, CENTRAL, p["q1"] / p["vp1"]),
        (CENTRAL, PERIPHERAL_2, p["q2"] / vc),
        (PERIPHERAL_2, CENTRAL, p["q2"] / p["vp2"]),
        (CENTRAL, LIVER, qh / vc),
        (LIVER, CENTRAL, qh / p["vh"]),
        (LIVER, METABOLITE_CENTRAL, p["kmet"]),
        (METABOLITE_CENTRAL, METABOLITE_PERIPHERAL, p["q3"] / vcn),
        (METABOLITE_PERIPHERAL, METABOLITE_CENTRAL, p["q3"] / p["vpn"]),
    ]
    for src, dst, rate in flows:
        k[:, dst, src] += rate
        k[:, src, src] -= rate
    k[:, LIVER, LIVER] -= kel
    k[:, METABOLITE_CENTRAL, METABOLITE_CENTRAL] -= cln / vcn
    return k


def nasal_fraction(p: Params, covariates: Covariates, devices: int) -> FloatArray:
    """Fraction of a nasal dose absorbed through the nasal mucosa (Perez-Ruixo 2021 FRn).

    FRn per device (Japanese x1.34, capped at 1), averaged over the devices of one session with
    the second and later devices reduced x0.62: FRn * (1 + (N - 1) * 0.62) / N
    (docs/clinical/pk.md#validation-cases).
    """
    frn = np.minimum(p["frn"] * (p["japanese_frn"] if covariates.japanese else 1.0), 1.0)
    return frn * (1.0 + (devices - 1) * p["frn_next_device"]) / devices


def _device_count(p: Params, dose: Dose) -> int:
    device_mg = float(p["device_mg"][0])
    devices = dose.base_mg / device_mg
    if abs(devices - round(devices)) > DEVICE_TOLERANCE or round(devices) < 1:
        raise Invalid(
            "pk.nasal_device_multiple",
            f"a nasal esketamine dose must be a whole number of {device_mg:g} mg devices",
            field="amount_mg",
        )
    return round(devices)


def _esketamine_router(
    model: PKModel, p: Params, covariates: Covariates
) -> Callable[[Dose], tuple[InputEvent, ...]]:
    n = p["vc"].shape[0]

    def route(dose: Dose) -> tuple[InputEvent, ...]:
        if dose.route is Route.IV:
            amount = np.full(n, dose.base_mg)
            return (InputEvent(CENTRAL, amount, dose.at_min, dose.duration_min),)
        if dose.route is not Route.INTRANASAL:
            raise _unsupported(model, dose)
        frn = nasal_fraction(p, covariates, _device_count(p, dose))
        swallowed = dose.base_mg * (1.0 - frn) * p["fgut"]
        return (
            InputEvent(NASAL_DEPOT, dose.base_mg * frn, dose.at_min),
            InputEvent(SWALLOWED_DEPOT, swallowed, dose.at_min, float(p["dsw"][0])),
        )

    return route


def _esketamine_nasal(model: PKModel, params: Params, covariates: Covariates) -> LinearSystem:
    """Perez-Ruixo 2021: nasal + swallowed inputs, liver first pass, noresketamine."""
    k = _esketamine_matrix(model, params, covariates)
    outputs = {
        model.analytes[0]: Output(CENTRAL, params["vc"]),
        model.analytes[1]: Output(METABOLITE_CENTRAL, params["vcn"]),
    }
    return LinearSystem(k, outputs, _esketamine_router(model, params, covariates))
