"""Perez-Ruixo 2021: intranasal esketamine (Spravato) and noresketamine, as data.

Values: docs/clinical/pk.md#esketamine-models table (Perez-Ruixo C et al. Clin Pharmacokinet
2021;60:501, Table 3, as
coded in nlmixr2lib ``PerezRuixo_2020_esketamine.R``). Rate constants printed as "L/h" in the
paper's Table 3 are 1/h (a units typo noted by nlmixr2lib). The oral-solution route (Dpo,
ka,po) is not offered because the product is nasal; IV is offered with the caveat below.
"""

from __future__ import annotations

from ketacare.core.codes import Route
from ketacare.core.dosing.pk.model import (
    Parameter,
    PKModel,
    Structure,
    Transform,
    omega2_from_cv,
)

_PR = (
    "Perez-Ruixo 2021 Clin Pharmacokinet 60:501 Table 3 (nlmixr2lib coding); "
    "docs/clinical/pk.md#esketamine-models"
)
_LABEL = (
    "Spravato label §11 / docs/clinical/dosing.md#esketamine-nasal-spray: "
    "one device = 28 mg esketamine base"
)


def _p(name: str, value: float, unit: str, text: str, cv: float | None = None) -> Parameter:
    omega2 = None if cv is None else omega2_from_cv(cv)
    note = "" if cv is None else f"CV {cv * 100:g}%"
    return Parameter(name, value, unit, text, _PR, iiv_omega2=omega2, iiv_note=note)


PEREZ_RUIXO2021 = PKModel(
    id="perez-ruixo2021",
    name="Perez-Ruixo 2021 esketamine nasal spray + noresketamine",
    drug="esketamine (S-ketamine), with noresketamine",
    analytes=("esketamine", "noresketamine"),
    population="820 healthy volunteers and TRD patients, 18-86 y, 39-170 kg; IN 14-112 mg",
    structure=Structure.ESKETAMINE_NASAL,
    routes=frozenset({Route.INTRANASAL, Route.IV}),
    sampling="venous plasma",
    source=(
        "Perez-Ruixo C, Rossenu S, Zannikos P, et al. Population pharmacokinetics of esketamine "
        "nasal spray and its metabolite noresketamine. Clin Pharmacokinet 2021;60(4):501-516, "
        "doi 10.1007/s40262-020-00953-4; coded after nlmixr2lib PerezRuixo_2020_esketamine.R."
    ),
    parameters=(
        Parameter(
            "frn",
            0.54,
            "fraction",
            "fraction of each device absorbed nasally (FRn)",
            _PR,
            iiv_omega2=0.708**2,
            iiv_transform=Transform.LOGIT,
            iiv_note="SD 0.708 on the logit scale",
        ),
        Parameter("frn_next_device", 0.62, "factor", "FRn x for 2nd and later devices", _PR),
        Parameter("japanese_frn", 1.34, "factor", "FRn x for Japanese subjects", _PR),
        Parameter("device_mg", 28.0, "mg", "esketamine base per device", _LABEL),
        _p("ka_n", 2.93, "1/h", "nasal absorption rate constant", 0.615),
        Parameter("dsw", 0.53, "h", "zero-order duration of the swallowed part (Dsw)", _PR),
        _p("ka_sw", 1.45, "1/h", "swallowed-part absorption rate constant", 1.32),
        Parameter("fgut", 0.64, "fraction", "fraction escaping gut metabolism (Fgut)", _PR),
        _p("vc", 192.0, "L", "central volume", 0.275),
        _p("q1", 84.3, "L/h", "intercompartmental clearance 1"),
        _p("vp1", 143.0, "L", "shallow peripheral volume", 0.493),
        _p("q2", 37.6, "L/h", "intercompartmental clearance 2"),
        _p("vp2", 417.0, "L", "deep peripheral volume"),
        _p("qh", 151.0, "L/h", "hepatic blood flow (well-stirred liver)", 0.232),
        _p("vh", 101.0, "L", "hepato-portal volume", 0.346),
        _p("qh_age_slope", 2.19, "L/h/year", "fall in Qh per year of age over the threshold"),
        _p("qh_age_threshold", 60.0, "years", "age above which Qh falls"),
        _p("kel", 1.11, "1/h", "hepatic elimination to other metabolites", 1.20),
        _p("asian_kel", 0.36, "factor", "kel x for Asian subjects"),
        # kmet: the paper names an IIV but its value is blank in Table 3; none is applied here.
        _p("kmet", 2.77, "1/h", "hepatic metabolism to noresketamine"),
        _p("vcn", 70.0, "L", "noresketamine apparent central volume Vcn/F", 0.316),
        _p("cln", 38.0, "L/h", "noresketamine apparent clearance CLn/F", 0.254),
        _p("asian_cln", 0.81, "factor", "CLn/F x for Asian subjects"),
        _p("q3", 26.1, "L/h", "noresketamine apparent intercompartmental clearance Q3/F"),
        _p("vpn", 115.0, "L", "noresketamine apparent peripheral volume Vpn/F"),
    ),
    weight_range_kg=(39.0, 170.0),
    age_range_years=(18.0, 86.0),
    notes=(
        "Nasal doses must be whole 28 mg devices; all devices of a dose are given at its time "
        "(as in the model's Table 4 simulations, docs/clinical/pk.md#validation-cases).",
        "Noresketamine AUC0-24 is over-predicted ~1.4-1.6x by a literal coding (known issue, "
        "nlmixr2lib vignette errata); Cmax is reproduced.",
        "Do not use for IV S-ketamine peaks: ~85 ng/mL predicted vs 260-273 ng/mL measured "
        "(arterial) after 20 mg over 20 min (docs/clinical/pk.md#esketamine-models).",
        "IIV on kmet is reported in the paper without a value and is not applied.",
    ),
)
