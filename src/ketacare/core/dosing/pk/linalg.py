"""Matrix exponential for stacks of small matrices (numpy has no ``expm``).

Scaling and squaring with the degree-13 Padé approximant (Higham, SIAM J Matrix Anal Appl
2005;26:1179, Algorithm 2.3 with the theta_13 bound). Used by the solver's fallback path when an
eigendecomposition is ill-conditioned (near-equal rate constants,
docs/clinical/pk.md#closed-form-maths).
"""

from __future__ import annotations

import numpy as np

from ketacare.core.dosing.pk.system import FloatArray

#: Padé [13/13] coefficients b_0..b_13 (Higham 2005, Table/eq. 10.4 of "Functions of Matrices").
PADE13 = (
    64764752532480000.0,
    32382376266240000.0,
    7771770303897600.0,
    1187353796428800.0,
    129060195264000.0,
    10559470521600.0,
    670442572800.0,
    33522128640.0,
    1323241920.0,
    40840800.0,
    960960.0,
    16380.0,
    182.0,
    1.0,
)

#: Largest 1-norm for which Padé 13 reaches double precision without scaling (Higham 2005).
THETA13 = 5.371920351148152


def expm(a: FloatArray) -> FloatArray:
    """Return exp(A) for each matrix of a stack of shape (..., n, n)."""
    a = np.asarray(a, dtype=np.float64)
    norms = np.abs(a).sum(axis=-2).max(axis=-1)
    with np.errstate(divide="ignore"):
        s = np.maximum(0, np.ceil(np.log2(np.where(norms > 0, norms, 1.0) / THETA13)))
    s = s.astype(np.int64)
    scaled = a / (2.0**s)[..., None, None]
    result = _pade13(scaled)
    for k in range(int(s.max(initial=0))):
        todo = s > k
        result[todo] = result[todo] @ result[todo]
    return result


def _pade13(a: FloatArray) -> FloatArray:
    b = PADE13
    eye = np.broadcast_to(np.eye(a.shape[-1]), a.shape)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u_inner = a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2)
    u = a @ (u_inner + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
    v_inner = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2)
    v = v_inner + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
    return np.asarray(np.linalg.solve(v - u, v + u), dtype=np.float64)
