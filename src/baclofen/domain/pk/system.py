"""The linear compartment system of one or many subjects: states, rate matrices, inputs and outputs.

One structure covers every route (pk-models.md §1, §2.2, §2.3, §4.2)::

    gut        (apparent mcg)   d/dt = -ka gut                                         <- oral dose (mcg)
    central    (apparent mcg)   d/dt = ka gut - (k10 + k12) central + k21 periph
                                        + k_csf csf / F                                <- IV dose / F
    peripheral (apparent mcg)   d/dt = k12 central - k21 periph                        (variant B only)
    csf        (true mcg)       d/dt = -k_csf csf                                      <- IT dose (mcg)
    effect     (ug/mL)          d/dt = ke0 (csf / V_csf - effect)
    auc_*      (conc x h)       d/dt = concentration                                   (optional integrators)

Plasma concentration (ng/mL) = central / (V/F) [mcg/L]; lumbar CSF (ug/mL) = csf / V_csf [mcg/mL].
Extra (dialysis) clearance CL_x (true, L/h) adds ``CL_x / (F V/F)`` to the central elimination rate.
States a regimen does not need are left out, so an oral-only system has two states (three with AUC).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.pk.parameters import IntrathecalParameters, PlasmaParameters
from baclofen.domain.regimen import Route

GUT, CENTRAL, PERIPHERAL, CSF, EFFECT = "gut", "central", "peripheral", "csf", "effect"
AUC_PLASMA, AUC_CSF = "auc_plasma", "auc_csf"

PLASMA_NG_PER_ML = "plasma_ng_per_ml"
CSF_UG_PER_ML = "csf_ug_per_ml"
EFFECT_SITE_UG_PER_ML = "effect_site_ug_per_ml"
AUC_PLASMA_NG_H_PER_ML = "auc_plasma_ng_h_per_ml"
AUC_CSF_UG_H_PER_ML = "auc_csf_ug_h_per_ml"

_PARAM_FIELDS = (
    "ka_per_h",
    "cl_f_l_per_h",
    "v_f_l",
    "q_f_l_per_h",
    "v2_f_l",
    "csf_cl_ml_per_h",
    "csf_v_ml",
    "ke0_per_h",
)


@dataclass(frozen=True, eq=False)
class SubjectParameters:
    """Parameters of N subjects as arrays of shape (N,) (units as in :class:`PlasmaParameters`).

    ``csf_cl_ml_per_h`` (mL/h), ``csf_v_ml`` (mL) and ``ke0_per_h`` (1/h) describe the intrathecal part;
    ``bioavailability`` F is shared by all subjects.
    """

    ka_per_h: np.ndarray
    cl_f_l_per_h: np.ndarray
    v_f_l: np.ndarray
    q_f_l_per_h: np.ndarray
    v2_f_l: np.ndarray
    csf_cl_ml_per_h: np.ndarray
    csf_v_ml: np.ndarray
    ke0_per_h: np.ndarray
    bioavailability: float

    def __post_init__(self) -> None:
        n = None
        for name in _PARAM_FIELDS:
            arr = np.ascontiguousarray(np.atleast_1d(np.asarray(getattr(self, name), dtype=np.float64)))
            if arr.ndim != 1:
                raise InvalidInputError(name, "a 1-D array of subject values", arr.shape)
            if not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise InvalidInputError(name, "finite values >= 0", "a non-finite or negative value")
            if n is None:
                n = arr.shape[0]
            elif arr.shape[0] != n:
                raise InvalidInputError(name, f"{n} values (one per subject)", arr.shape[0])
            object.__setattr__(self, name, arr)
        for name in ("ka_per_h", "cl_f_l_per_h", "v_f_l", "csf_cl_ml_per_h", "csf_v_ml", "ke0_per_h"):
            if np.any(getattr(self, name) <= 0):
                raise InvalidInputError(name, "values > 0", "a value <= 0")
        if np.any((self.q_f_l_per_h > 0) != (self.v2_f_l > 0)):
            raise InvalidInputError("q_f_l_per_h", "> 0 exactly where v2_f_l > 0", "a mismatch")
        if not 0 < self.bioavailability <= 1:
            raise InvalidInputError("bioavailability", "a fraction in (0, 1]", self.bioavailability)

    @property
    def n_subjects(self) -> int:
        return int(self.ka_per_h.shape[0])

    @property
    def has_peripheral(self) -> bool:
        return bool(np.any(self.v2_f_l > 0))

    @classmethod
    def typical(
        cls, plasma: PlasmaParameters, intrathecal: IntrathecalParameters | None = None, n_subjects: int = 1
    ) -> SubjectParameters:
        """``n_subjects`` copies of one subject."""
        it = intrathecal or IntrathecalParameters()

        def full(value: float) -> np.ndarray:
            return np.full(n_subjects, float(value))

        return cls(
            full(plasma.ka_per_h),
            full(plasma.cl_f_l_per_h),
            full(plasma.v_f_l),
            full(plasma.q_f_l_per_h),
            full(plasma.v2_f_l),
            full(it.csf_clearance_ml_per_h),
            full(it.csf_volume_ml),
            full(it.ke0_per_h),
            plasma.bioavailability,
        )

    def scaled(self, **factors: np.ndarray) -> SubjectParameters:
        """A copy with named parameters multiplied by per-subject factors (population sampling)."""
        values = {name: getattr(self, name) for name in _PARAM_FIELDS}
        for name, factor in factors.items():
            if name not in values:
                raise InvalidInputError("parameter", f"one of {', '.join(_PARAM_FIELDS)}", name)
            values[name] = values[name] * factor
        return SubjectParameters(**values, bioavailability=self.bioavailability)

    def subject(self, index: int) -> dict[str, float]:
        return {name: float(getattr(self, name)[index]) for name in _PARAM_FIELDS}


@dataclass(frozen=True, slots=True)
class Structure:
    """Which parts of the system exist."""

    oral: bool = True
    peripheral: bool = False
    intrathecal: bool = False
    integrate: bool = False

    @property
    def states(self) -> tuple[str, ...]:
        states = [GUT] if self.oral else []
        states.append(CENTRAL)
        if self.peripheral:
            states.append(PERIPHERAL)
        if self.intrathecal:
            states += [CSF, EFFECT]
        if self.integrate:
            states.append(AUC_PLASMA)
            if self.intrathecal:
                states.append(AUC_CSF)
        return tuple(states)

    @property
    def outputs(self) -> tuple[str, ...]:
        outs = [PLASMA_NG_PER_ML]
        if self.intrathecal:
            outs += [CSF_UG_PER_ML, EFFECT_SITE_UG_PER_ML]
        if self.integrate:
            outs.append(AUC_PLASMA_NG_H_PER_ML)
            if self.intrathecal:
                outs.append(AUC_CSF_UG_H_PER_ML)
        return tuple(outs)


def structure_for(
    routes: set[Route] | frozenset[Route],
    params: SubjectParameters,
    *,
    integrate: bool = False,
    intrathecal: bool | None = None,
) -> Structure:
    """The smallest structure that accepts doses by ``routes`` for ``params``."""
    it = Route.INTRATHECAL in routes if intrathecal is None else intrathecal or Route.INTRATHECAL in routes
    return Structure(oral=Route.ORAL in routes, peripheral=params.has_peripheral, intrathecal=it, integrate=integrate)


@dataclass(frozen=True, eq=False)
class LinearSystem:
    """``dx/dt = (A + CL_x D) x + u(t)`` for N subjects: A ``base`` (N, m, m), D ``clearance_direction``."""

    structure: Structure
    base: np.ndarray
    clearance_direction: np.ndarray
    route_inputs: Mapping[Route, tuple[int, float]]
    output_weights: Mapping[str, np.ndarray]
    _index: Mapping[str, int] = field(default_factory=dict)

    @property
    def states(self) -> tuple[str, ...]:
        return self.structure.states

    @property
    def n_states(self) -> int:
        return len(self.states)

    @property
    def n_subjects(self) -> int:
        return int(self.base.shape[0])

    def index(self, state: str) -> int:
        return self._index[state]

    def matrix(self, extra_clearance_l_per_h: float = 0.0) -> np.ndarray:
        """Rate matrix (N, m, m) with an extra true clearance (L/h) on plasma (e.g. haemodialysis)."""
        if extra_clearance_l_per_h == 0.0:
            return self.base
        return self.base + extra_clearance_l_per_h * self.clearance_direction

    def input_vector(self, route: Route) -> tuple[int, float]:
        """(state index, scale) that a dose by ``route`` (in mcg) enters."""
        try:
            return self.route_inputs[route]
        except KeyError:
            raise InvalidInputError(
                "route",
                f"one of {', '.join(r.value for r in self.route_inputs)} for this model structure",
                route.value,
            ) from None

    def reachability(self) -> np.ndarray:
        """Boolean (m, m): (i, j) may be non-zero in exp(A t): state j feeds state i, maybe indirectly."""
        m = self.n_states
        adj = np.any(self.base != 0, axis=0) | np.any(self.clearance_direction != 0, axis=0) | np.eye(m, dtype=bool)
        reach: np.ndarray = adj.copy()
        for _ in range(m):
            reach = reach | ((reach.astype(np.int64) @ adj.astype(np.int64)) > 0)
        return reach


def build_system(params: SubjectParameters, structure: Structure) -> LinearSystem:
    """Assemble the rate matrices, inputs and outputs of ``structure`` for every subject in ``params``."""
    if structure.peripheral and not params.has_peripheral:
        raise InvalidInputError("structure", "a peripheral compartment only with V2/F > 0", "peripheral")
    states = structure.states
    idx = {s: i for i, s in enumerate(states)}
    n, m = params.n_subjects, len(states)
    a = np.zeros((n, m, m))
    direction = np.zeros((n, m, m))
    f = params.bioavailability
    c = idx[CENTRAL]
    k10 = params.cl_f_l_per_h / params.v_f_l
    a[:, c, c] = -k10
    if structure.oral:
        g = idx[GUT]
        a[:, g, g] = -params.ka_per_h
        a[:, c, g] = params.ka_per_h
    if structure.peripheral:
        p = idx[PERIPHERAL]
        safe_v2 = np.where(params.v2_f_l > 0, params.v2_f_l, 1.0)
        k12 = params.q_f_l_per_h / params.v_f_l
        k21 = np.where(params.v2_f_l > 0, params.q_f_l_per_h / safe_v2, 0.0)
        a[:, c, c] -= k12
        a[:, c, p] = k21
        a[:, p, c] = k12
        a[:, p, p] = -k21
    if structure.intrathecal:
        s, e = idx[CSF], idx[EFFECT]
        k_csf = params.csf_cl_ml_per_h / params.csf_v_ml
        a[:, s, s] = -k_csf
        a[:, c, s] = k_csf / f
        a[:, e, s] = params.ke0_per_h / params.csf_v_ml
        a[:, e, e] = -params.ke0_per_h
    direction[:, c, c] = -1.0 / (f * params.v_f_l)

    weights: dict[str, np.ndarray] = {}
    w = np.zeros((n, m))
    w[:, c] = 1.0 / params.v_f_l
    weights[PLASMA_NG_PER_ML] = w
    if structure.intrathecal:
        w = np.zeros((n, m))
        w[:, idx[CSF]] = 1.0 / params.csf_v_ml
        weights[CSF_UG_PER_ML] = w
        w = np.zeros((n, m))
        w[:, idx[EFFECT]] = 1.0
        weights[EFFECT_SITE_UG_PER_ML] = w
    if structure.integrate:
        ap = idx[AUC_PLASMA]
        a[:, ap, :] = weights[PLASMA_NG_PER_ML]
        w = np.zeros((n, m))
        w[:, ap] = 1.0
        weights[AUC_PLASMA_NG_H_PER_ML] = w
        if structure.intrathecal:
            ac = idx[AUC_CSF]
            a[:, ac, :] = weights[CSF_UG_PER_ML]
            w = np.zeros((n, m))
            w[:, ac] = 1.0
            weights[AUC_CSF_UG_H_PER_ML] = w

    inputs: dict[Route, tuple[int, float]] = {Route.INTRAVENOUS: (c, 1.0 / f)}
    if structure.oral:
        inputs[Route.ORAL] = (idx[GUT], 1.0)
    if structure.intrathecal:
        inputs[Route.INTRATHECAL] = (idx[CSF], 1.0)
    for arr in (a, direction):
        arr.setflags(write=False)
    return LinearSystem(
        structure, a, direction, MappingProxyType(inputs), MappingProxyType(weights), MappingProxyType(idx)
    )
