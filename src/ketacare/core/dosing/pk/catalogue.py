"""The model catalogue: every PK parameter set the simulator ships, with its source.

Values are copied from the KetaCare clinical reference ``docs/clinical/pk.md`` (sections named per
model) and
the public codings it cites (opentiva ``ketamine.py``; nlmixr2lib ``Flint_2017_s_ketamine.R``
and ``PerezRuixo_2020_esketamine.R``). Where the reference's table is damaged or silent the
value's ``source`` says where it came from instead. No value is filled from memory.
"""

from __future__ import annotations

from ketacare.core.codes import Route
from ketacare.core.dosing.pk.esketamine_model import PEREZ_RUIXO2021
from ketacare.core.dosing.pk.model import (
    Correlation,
    Parameter,
    PKModel,
    Scaling,
    Structure,
    omega2_from_cv,
)
from ketacare.core.errors import NotFound

RACEMIC = "ketamine (racemic, R+S)"
IV_ONLY = frozenset({Route.IV})

_OPENTIVA = "opentiva/ketamine.py (commit 4c6b38c) via docs/clinical/pk.md#tci-micro-constant-sets"

DOMINO = PKModel(
    id="domino",
    name="Domino (TCI set)",
    drug=RACEMIC,
    analytes=("ketamine",),
    population="adults (Stanpump / TCI lineage)",
    structure=Structure.MICRO,
    routes=IV_ONLY,
    sampling="arterial-like (small central volume; docs/clinical/pk.md#validation-cases "
    "known-discrepancy note)",
    source=(
        "Domino ketamine TCI set as coded in opentiva `Domino` (PMID 7198883 per opentiva; "
        "usually cited as Domino 1984 Clin Pharmacol Ther 36:645, unverified); identical values "
        "in the fus_anes TCI_Ketamine code. docs/clinical/pk.md#tci-micro-constant-sets."
    ),
    parameters=(
        Parameter("v1", 0.063, "L/kg", "central volume", _OPENTIVA, Scaling.PER_KG),
        Parameter("k10", 0.4381, "1/min", "elimination rate constant", _OPENTIVA),
        Parameter("k12", 0.5921, "1/min", "central to fast peripheral", _OPENTIVA),
        Parameter("k13", 0.5900, "1/min", "central to slow peripheral", _OPENTIVA),
        Parameter("k21", 0.2470, "1/min", "fast peripheral to central", _OPENTIVA),
        Parameter("k31", 0.0146, "1/min", "slow peripheral to central", _OPENTIVA),
    ),
    notes=("No inter-individual variability is reported for this set.",),
)

CLEMENTS250 = PKModel(
    id="clements250",
    name="Clements 250 µg/kg",
    drug=RACEMIC,
    analytes=("ketamine",),
    population="adults, 250 µg/kg IV bolus",
    structure=Structure.MICRO,
    routes=IV_ONLY,
    sampling="not stated",
    source=(
        "Clements JA, Nimmo WS. Br J Anaesth 1981;53:27 (PMID 7459184, doi 10.1093/bja/53.1.27) "
        "as coded in opentiva `Clements250`; not checked against the paper. "
        "docs/clinical/pk.md#tci-micro-constant-sets."
    ),
    parameters=(
        Parameter("v1", 1.7522, "L/kg", "central volume", _OPENTIVA, Scaling.PER_KG),
        Parameter("k10", 0.0109, "1/min", "elimination rate constant", _OPENTIVA),
        Parameter("k12", 0.0186, "1/min", "central to peripheral", _OPENTIVA),
        Parameter("k21", 0.0137, "1/min", "peripheral to central", _OPENTIVA),
    ),
    notes=("No inter-individual variability is reported for this set.",),
)

HIJAZI = PKModel(
    id="hijazi",
    name="Hijazi 2003 (ICU)",
    drug=RACEMIC,
    analytes=("ketamine",),
    population="12 adult ICU patients with brain or spinal injury",
    structure=Structure.MICRO,
    routes=IV_ONLY,
    sampling="not stated",
    source=(
        "Hijazi Y et al. Br J Anaesth 2003 (PMID 12538370, doi 10.1093/bja/aeg028) micro-constants "
        "as coded in opentiva `Hijazi`; CL 36.0 mL/min/kg and t1/2 4.9 h match the abstract. "
        "docs/clinical/pk.md#tci-micro-constant-sets, "
        "docs/clinical/pk.md#racemic-population-models."
    ),
    parameters=(
        Parameter("v1", 1.08, "L/kg", "central volume", _OPENTIVA, Scaling.PER_KG),
        Parameter("k10", 0.0333, "1/min", "elimination rate constant", _OPENTIVA),
        Parameter("k12", 0.0088, "1/min", "central to peripheral", _OPENTIVA),
        Parameter("k21", 0.0030, "1/min", "peripheral to central", _OPENTIVA),
    ),
    notes=(
        "Fitted in critically ill adults: larger volumes than in volunteers.",
        "No inter-individual variability is reported for this set.",
    ),
)

_HERD = (
    "Herd DW et al. Paediatr Anaesth 2007;17:622 (PMID 17564643), "
    "docs/clinical/pk.md#racemic-population-models"
)
_HERD_V2 = (
    "Herd 2007 V2 102 L/70 kg as coded in opentiva `Herd` (the "
    "docs/clinical/pk.md#racemic-population-models table row is damaged; "
    "its derived Vss 141 L = 38.7 + 102 L agrees)"
)

HERD2007 = PKModel(
    id="herd2007",
    name="Herd 2007 (paediatric, allometric)",
    drug=RACEMIC,
    analytes=("ketamine",),
    population="54 children 8.3 ± 3.5 y, ED sedation (opentiva limits 1-14 y, 10.8-74.8 kg)",
    structure=Structure.CLEARANCE,
    routes=IV_ONLY,
    sampling="not stated",
    source=_HERD + "; scaling as coded by opentiva `Herd`.",
    parameters=(
        Parameter(
            "cl",
            90.0,
            "L/h",
            "clearance per 70 kg",
            _HERD,
            Scaling.ALLOMETRIC,
            0.75,
            omega2_from_cv(0.381),
            iiv_note="CV 38.1%",
        ),
        Parameter(
            "v1",
            38.7,
            "L",
            "central volume per 70 kg",
            _HERD,
            Scaling.ALLOMETRIC,
            1.0,
            omega2_from_cv(0.64),
            iiv_note="CV 64%",
        ),
        Parameter(
            "q2",
            215.0,
            "L/h",
            "intercompartmental clearance per 70 kg",
            _HERD,
            Scaling.ALLOMETRIC,
            0.75,
            omega2_from_cv(0.19),
            iiv_note="CV 19%",
        ),
        Parameter(
            "v2",
            102.0,
            "L",
            "peripheral volume per 70 kg",
            _HERD_V2,
            Scaling.ALLOMETRIC,
            1.0,
            0.2369,
            iiv_note="omega^2 0.2369 as computed in docs/clinical/pk.md#racemic-population-models",
        ),
    ),
    weight_range_kg=(10.8, 74.8),
    age_range_years=(1.0, 14.0),
    notes=("Paediatric model: adult use is an extrapolation.",),
)

_FLINT = (
    "Flint RB et al. Pediatr Anesth 2017;27:1098 (doi 10.1111/pan.13239) Table 3, as coded in "
    "nlmixr2lib Flint_2017_s_ketamine.R; docs/clinical/pk.md#esketamine-models"
)

FLINT2017 = PKModel(
    id="flint2017",
    name="Flint 2017 S-ketamine + S-norketamine (approximate norketamine)",
    drug="S-ketamine (esketamine) IV, with S-norketamine",
    analytes=("s-ketamine", "s-norketamine"),
    population="25 PICU children 0.02-12.5 y, 3.4-35 kg, infusions of 10-141 h",
    structure=Structure.PARENT_METABOLITE,
    routes=IV_ONLY,
    sampling="not stated",
    source=_FLINT,
    parameters=(
        Parameter(
            "cl",
            112.0,
            "L/h",
            "S-ketamine clearance per 70 kg",
            _FLINT,
            Scaling.ALLOMETRIC,
            0.75,
            omega2_from_cv(0.402),
            iiv_note="CV 40.2%",
        ),
        Parameter("v1", 7.73, "L", "central volume per 70 kg", _FLINT, Scaling.ALLOMETRIC, 1.0),
        Parameter(
            "q", 196.0, "L/h", "intercompartmental clearance", _FLINT, Scaling.ALLOMETRIC, 0.75
        ),
        Parameter(
            "v2",
            545.0,
            "L",
            "peripheral volume per 70 kg (nlmixr2lib; docs/clinical/pk.md row damaged)",
            _FLINT,
            Scaling.ALLOMETRIC,
            1.0,
        ),
        Parameter(
            "cl_m",
            53.2,
            "L/h",
            "S-norketamine apparent clearance CL/Fm",
            _FLINT,
            Scaling.ALLOMETRIC,
            0.75,
            omega2_from_cv(1.04),
            iiv_note="CV 104%",
        ),
        Parameter(
            "v_m",
            1.0,
            "L",
            "S-norketamine apparent volume V/Fm (fixed)",
            _FLINT,
            Scaling.ALLOMETRIC,
            1.0,
        ),
    ),
    correlations=(Correlation("cl", "cl_m", 0.506, _FLINT),),
    approximate=True,
    weight_range_kg=(3.4, 35.0),
    age_range_years=(0.02, 12.5),
    notes=(
        "Approximate: paediatric S-enantiomer values; the reference "
        "(docs/clinical/pk.md#gaps-and-recommendations) allows this only "
        "as a template for norketamine and asks for the output to be flagged approximate.",
        "Flint's rise of CL/Fm with infusion time (+0.87 %/h) is not modelled (the solver is "
        "time-invariant); over 24 h this under-states metabolite clearance by up to ~21%.",
        "Metabolite concentrations are apparent (scaled by the unidentified Fm).",
    ),
)

MODELS: tuple[PKModel, ...] = (DOMINO, CLEMENTS250, HIJAZI, HERD2007, FLINT2017, PEREZ_RUIXO2021)
_BY_ID = {m.id: m for m in MODELS}


def list_models() -> tuple[PKModel, ...]:
    """Return every shipped model, in catalogue order."""
    return MODELS


def get_model(model_id: str) -> PKModel:
    """Return the model called ``model_id``.

    Raises:
        NotFound: ``pk.unknown_model`` if there is no such model.
    """
    try:
        return _BY_ID[model_id]
    except KeyError:
        known = ", ".join(_BY_ID)
        raise NotFound(
            "pk.unknown_model", f"unknown PK model {model_id!r} (known: {known})", field="model"
        ) from None
