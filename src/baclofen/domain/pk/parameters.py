"""PK model parameters with their sources: oral (Simon 2018, Kochak variant B), kidney, dialysis, IV, ITB.

Published values are named constants with a citation key; values the PK sheet marks DERIVED,
CALIBRATED, UNCONFIRMED or assumption are :class:`~baclofen.domain.settings.Setting` values that a
caller may override (``../shared/domain/pk-models.md`` §0-§4, tag ``PKM-DERIVED``).

Oral parameters are *apparent* (divided by the bioavailability F): the oral dose enters the apparent
system whole, an intravenous dose enters as ``dose / F``, and drug leaving the CSF enters plasma as
``amount / F``. Concentrations are the same in either parameterisation (``A/F / (V/F) = A / V``).

>>> p = oral_parameters()
>>> round(p.half_life_h, 2), round(p.true_clearance_l_per_h, 2)
(4.35, 8.58)
>>> round(renal_clearance_factor(40.0), 3)
0.491
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import Enum

from baclofen.domain.errors import InvalidInputError, UnknownNameError, require_finite_number
from baclofen.domain.patient import CRCL_MAX_ML_MIN
from baclofen.domain.settings import EvidenceStatus, Setting, SettingUse

# --- Default oral model: Simon et al. 2018, 1 compartment, first-order absorption [Simon2018] -------------
SIMON_KA_PER_H = 1.64
"""Absorption rate constant (1/h), 95% CI 1.34-2.0 [Simon2018]."""
SIMON_CL_F_L_PER_H = 11.6
"""Apparent clearance CL/F (L/h), 95% CI 10.8-12.3 [Simon2018]."""
SIMON_V_F_L = 72.8
"""Apparent volume V/F (L), 95% CI 66.5-80.4 [Simon2018]."""
SIMON_CV_KA = 0.44
"""Between-subject variability of ka as CV (44%, 19-65%) [Simon2018]."""
SIMON_CV_CL = 0.21
"""Between-subject variability of CL/F as CV (21%, 16-27%) [Simon2018]."""
SIMON_CV_V = 0.22
"""Between-subject variability of V/F as CV (22%, 11-36%) [Simon2018]."""
SIMON_EVIDENCE = ("Simon2018",)

# --- Absolute oral bioavailability [Agarwal2015] ------------------------------------------------------------
ORAL_BIOAVAILABILITY = 0.74
"""Absolute oral bioavailability F (74%) [Agarwal2015]: true CL = 11.6 x 0.74 = 8.6 L/h."""

# --- Variant B: Kochak 1985 two-compartment disposition [Kochak1985] ---------------------------------------
KOCHAK_ALPHA_PER_H = 1.29
KOCHAK_BETA_PER_H = 0.191
KOCHAK_VC_F_L = 28.8
KOCHAK_CL_F_L_PER_H = 10.8
"""Kochak 1985 hybrid constants alpha, beta (1/h), Vc/F (L) and CL/F 180 mL/min = 10.8 L/h [Kochak1985]."""

# --- Settings: the values the PK sheet does not confirm ----------------------------------------------------
NONRENAL_FRACTION = Setting(
    name="pk.renal.nonrenal_fraction",
    default=0.2,
    unit="fraction of CL/F",
    status=EvidenceStatus.DERIVED,
    evidence=("PKM-DERIVED", "S22", "Wuis1989", "Kochak1985"),
    description="Non-renal fraction f_nr of apparent clearance in CL/F(CrCl) = CL/F x [f_nr + (1 - f_nr) x "
    "CrCl/CrCl_ref]; 0.2 back-calculated from Vlavonou 2014's dose reductions (sensitivity 0.3, 0.43 = "
    "Kochak "
    "renal fraction 0.57) (pk-models.md §3.2).",
    minimum=0.0,
    maximum=1.0,
)
REFERENCE_CRCL_ML_MIN = Setting(
    name="pk.renal.reference_crcl_ml_min",
    default=110.0,
    unit="mL/min",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("PKM-DERIVED", "Simon2018"),
    description="Creatinine clearance at which the typical CL/F applies (renal function of the Simon 2018 "
    "cohort "
    "is UNCONFIRMED; 110 mL/min is an assumption, pk-models.md §3.2).",
    minimum=30.0,
    maximum=CRCL_MAX_ML_MIN,
)
CRCL_CAP_ML_MIN = Setting(
    name="pk.renal.crcl_cap_ml_min",
    default=150.0,
    unit="mL/min",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("PKM-DERIVED",),
    description="Creatinine clearance above which clearance is not increased further ('cap e.g. at 150', "
    "pk-models.md §3.2).",
    minimum=30.0,
    maximum=CRCL_MAX_ML_MIN,
)
HD_CLEARANCE_L_PER_H = Setting(
    name="pk.dialysis.hd_clearance_l_per_h",
    default=7.7,
    unit="L/h",
    status=EvidenceStatus.PARTLY_VERIFIED,
    evidence=("Brvar2007",),
    description="Haemodialysis clearance of baclofen, 2.14 mL/s = 128 mL/min = 7.7 L/h (true clearance), "
    "measured in one comatose patient (Brvar 2007, abstract; pk-models.md §3.3); added during sessions.",
    minimum=0.0,
    maximum=30.0,
)
KOCHAK_KA_PER_H = Setting(
    name="pk.kochak.ka_per_h",
    default=1.0,
    unit="1/h",
    status=EvidenceStatus.CALIBRATED,
    evidence=("PKM-DERIVED", "Kochak1985"),
    description="Absorption rate constant of variant B: Kochak's oral ka is UNCONFIRMED; 1.0 /h is "
    "CALIBRATED "
    "(10 mg -> Cmax 151 ng/mL, Tmax 1.31 h; pk-models.md §2.2).",
    minimum=0.05,
    maximum=20.0,
)
RESIDUAL_PROPORTIONAL_SD = Setting(
    name="pk.oral.residual_proportional_sd",
    default=0.24,
    unit="fraction",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("Simon2018", "PKM-DERIVED"),
    description="Residual error 24% (Simon 2018); the error model form (proportional) is UNCONFIRMED. Used "
    "only "
    "when simulated observations (not true concentrations) are asked for.",
    minimum=0.0,
    maximum=2.0,
)
CSF_CLEARANCE_ML_PER_H = Setting(
    name="pk.itb.csf_clearance_ml_per_h",
    default=30.0,
    unit="mL/h",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("LioresalITPK", "S32", "S102"),
    description="Lumbar CSF clearance after intrathecal dosing, 'around 30 mL/hour' (label via a secondary "
    "summary; 4 patients 13-80 mL/h) (pk-models.md §4.1).",
    minimum=1.0,
    maximum=1000.0,
)
CSF_HALF_LIFE_H = Setting(
    name="pk.itb.csf_half_life_h",
    default=1.51,
    unit="h",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("LioresalITPK", "S32", "S102"),
    description="CSF elimination half-life after a lumbar bolus, 'about 1.5 hours' (1.51 h over 4 h in 7 "
    "patients "
    "is UNCONFIRMED; 0.9-5 h in 4 patients) (pk-models.md §4.1). With the CSF clearance it gives V_csf "
    "(DERIVED).",
    minimum=0.1,
    maximum=24.0,
)
KE0_PER_H = Setting(
    name="pk.itb.ke0_per_h",
    default=0.12,
    unit="1/h",
    status=EvidenceStatus.CALIBRATED,
    evidence=("PKM-DERIVED", "S39", "S113"),
    description="Effect-site equilibration rate constant: CALIBRATED so that the effect of a lumbar bolus "
    "peaks "
    "about 4 h after it with a CSF half-life of 1.51 h (pk-models.md §4.2, §5.3).",
    minimum=0.01,
    maximum=10.0,
)
CSF_CLEARANCE_CV = Setting(
    name="pk.itb.csf_clearance_cv",
    default=0.6,
    unit="CV",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("PKM-DERIVED", "S102", "Heetla2016"),
    description="Between-subject variability of the CSF clearance as CV: 'highly variable (suggest "
    "log-normal "
    "CV >= 60%, assumption)' (pk-models.md §4.2).",
    minimum=0.0,
    maximum=3.0,
)
CISTERNAL_TO_LUMBAR_RATIO = Setting(
    name="pk.itb.cisternal_to_lumbar_ratio",
    default=0.25,
    unit="ratio",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("PKM-DERIVED", "Kroin1993"),
    description="Cisternal CSF concentration as a fraction of the lumbar one ('lumbar to cervical 4:1', "
    "secondary, "
    "UNCONFIRMED; steep rostral gradient in Kroin 1993) (pk-models.md §4.1, §4.2).",
    minimum=0.0,
    maximum=1.0,
)


def omega_from_cv(cv: float) -> float:
    """Log-normal standard deviation for a coefficient of variation: ``sqrt(ln(1 + CV^2))``.

    >>> round(omega_from_cv(0.44), 2)
    0.42
    """
    cv = require_finite_number(cv, "cv", minimum=0.0)
    return math.sqrt(math.log1p(cv * cv))


class OralModel(Enum):
    """Which oral model: the default (Simon 2018, 1 compartment) or variant B (Kochak, 2 compartments)."""

    DEFAULT = "default"
    KOCHAK = "kochak"

    @classmethod
    def parse(cls, name: str | OralModel, field: str = "model") -> OralModel:
        if isinstance(name, OralModel):
            return name
        for member in cls:
            if member.value == str(name).strip().lower():
                return member
        raise UnknownNameError(field, [m.value for m in cls], name)

    @property
    def evidence(self) -> tuple[str, ...]:
        return SIMON_EVIDENCE if self is OralModel.DEFAULT else ("Kochak1985", "PKM-DERIVED")


@dataclass(frozen=True, slots=True)
class PlasmaParameters:
    """Apparent (oral, divided by F) plasma parameters of one subject.

    Parameters
    ----------
    ka_per_h : absorption rate constant (1/h)
    cl_f_l_per_h : apparent clearance CL/F (L/h)
    v_f_l : apparent central volume V/F (L)
    q_f_l_per_h : apparent inter-compartmental clearance Q/F (L/h); 0 for one compartment
    v2_f_l : apparent peripheral volume V2/F (L); 0 for one compartment
    bioavailability : absolute oral bioavailability F (fraction)
    """

    ka_per_h: float
    cl_f_l_per_h: float
    v_f_l: float
    q_f_l_per_h: float = 0.0
    v2_f_l: float = 0.0
    bioavailability: float = ORAL_BIOAVAILABILITY

    def __post_init__(self) -> None:
        for name in ("ka_per_h", "cl_f_l_per_h", "v_f_l"):
            object.__setattr__(self, name, require_finite_number(getattr(self, name), name, strictly_positive=True))
        for name in ("q_f_l_per_h", "v2_f_l"):
            object.__setattr__(self, name, require_finite_number(getattr(self, name), name, minimum=0.0))
        if (self.q_f_l_per_h > 0) != (self.v2_f_l > 0):
            raise InvalidInputError(
                "q_f_l_per_h", "> 0 together with v2_f_l > 0 (or both 0)", (self.q_f_l_per_h, self.v2_f_l)
            )
        f = require_finite_number(self.bioavailability, "bioavailability", strictly_positive=True, maximum=1.0)
        object.__setattr__(self, "bioavailability", f)

    @property
    def is_two_compartment(self) -> bool:
        return self.v2_f_l > 0

    @property
    def elimination_rate_per_h(self) -> float:
        """k10 = CL/V (1/h)."""
        return self.cl_f_l_per_h / self.v_f_l

    @property
    def true_clearance_l_per_h(self) -> float:
        """True (intravenous) clearance CL = CL/F x F (L/h) [Agarwal2015]."""
        return self.cl_f_l_per_h * self.bioavailability

    @property
    def true_volume_l(self) -> float:
        """True central volume V = V/F x F (L)."""
        return self.v_f_l * self.bioavailability

    @property
    def disposition_rates_per_h(self) -> tuple[float, ...]:
        """Disposition eigenvalues (1/h, positive): (k,) or (alpha, beta), alpha >= beta."""
        k10 = self.elimination_rate_per_h
        if not self.is_two_compartment:
            return (k10,)
        k12 = self.q_f_l_per_h / self.v_f_l
        k21 = self.q_f_l_per_h / self.v2_f_l
        s = k10 + k12 + k21
        disc = math.sqrt(max(s * s - 4.0 * k10 * k21, 0.0))
        return ((s + disc) / 2.0, 2.0 * k10 * k21 / (s + disc))

    @property
    def half_life_h(self) -> float:
        """Elimination (terminal disposition) half-life ln2 / lambda_z (h), absorption aside."""
        return math.log(2.0) / min(self.disposition_rates_per_h)

    def to_dict(self) -> dict[str, float]:
        return {
            "ka_per_h": self.ka_per_h,
            "cl_f_l_per_h": self.cl_f_l_per_h,
            "v_f_l": self.v_f_l,
            "q_f_l_per_h": self.q_f_l_per_h,
            "v2_f_l": self.v2_f_l,
            "bioavailability": self.bioavailability,
            "true_clearance_l_per_h": self.true_clearance_l_per_h,
            "half_life_h": self.half_life_h,
        }


@dataclass(frozen=True, slots=True)
class IntrathecalParameters:
    """Lumbar CSF compartment and spinal effect site (pk-models.md §4.2).

    Parameters
    ----------
    csf_clearance_ml_per_h : CSF clearance (mL/h)
    csf_half_life_h : CSF elimination half-life (h)
    ke0_per_h : effect-site equilibration rate constant (1/h)

    >>> round(IntrathecalParameters().csf_volume_ml, 1)
    65.4
    """

    csf_clearance_ml_per_h: float = CSF_CLEARANCE_ML_PER_H.default
    csf_half_life_h: float = CSF_HALF_LIFE_H.default
    ke0_per_h: float = KE0_PER_H.default

    def __post_init__(self) -> None:
        CSF_CLEARANCE_ML_PER_H.validate(self.csf_clearance_ml_per_h)
        CSF_HALF_LIFE_H.validate(self.csf_half_life_h)
        KE0_PER_H.validate(self.ke0_per_h)

    @property
    def csf_volume_ml(self) -> float:
        """V_csf = CL_csf x t1/2 / ln 2 (mL), DERIVED (30 x 1.51 / 0.693 = 65 mL) [PKM-DERIVED]."""
        return self.csf_clearance_ml_per_h * self.csf_half_life_h / math.log(2.0)

    @property
    def csf_elimination_rate_per_h(self) -> float:
        return math.log(2.0) / self.csf_half_life_h

    def to_dict(self) -> dict[str, float]:
        return {
            "csf_clearance_ml_per_h": self.csf_clearance_ml_per_h,
            "csf_half_life_h": self.csf_half_life_h,
            "csf_volume_ml": self.csf_volume_ml,
            "ke0_per_h": self.ke0_per_h,
        }


def kochak_disposition(
    cl_f_l_per_h: float = KOCHAK_CL_F_L_PER_H,
    vc_f_l: float = KOCHAK_VC_F_L,
    alpha_per_h: float = KOCHAK_ALPHA_PER_H,
    beta_per_h: float = KOCHAK_BETA_PER_H,
) -> tuple[float, float]:
    """Q/F (L/h) and V2/F (L) from Kochak's hybrid constants (DERIVED, pk-models.md §2.2).

    k10 = CL/Vc; k21 = alpha beta / k10; k12 = alpha + beta - k10 - k21; Q = k12 Vc; V2 = Q / k21.

    >>> q, v2 = kochak_disposition()
    >>> round(q, 1), round(v2, 1)
    (12.9, 19.7)
    """
    k10 = cl_f_l_per_h / vc_f_l
    k21 = alpha_per_h * beta_per_h / k10
    k12 = alpha_per_h + beta_per_h - k10 - k21
    q = k12 * vc_f_l
    return q, q / k21


def renal_clearance_factor(
    crcl_ml_min: float,
    *,
    nonrenal_fraction: float | None = None,
    reference_crcl_ml_min: float | None = None,
    crcl_cap_ml_min: float | None = None,
) -> float:
    """Multiplier on CL/F for kidney function: ``f_nr + (1 - f_nr) x min(CrCl, cap) / CrCl_ref``.

    Parameters
    ----------
    crcl_ml_min : creatinine clearance (Cockcroft-Gault, mL/min), 0-250; 0 for anuria
    nonrenal_fraction, reference_crcl_ml_min, crcl_cap_ml_min : overrides of the settings
        :data:`NONRENAL_FRACTION`, :data:`REFERENCE_CRCL_ML_MIN`, :data:`CRCL_CAP_ML_MIN`

    References
    ----------
    PKM-DERIVED (pk-models.md §3.2), S22 (Vlavonou 2014), Wuis1989.

    >>> renal_clearance_factor(0.0)
    0.2
    >>> renal_clearance_factor(110.0)
    1.0
    """
    crcl = require_finite_number(crcl_ml_min, "crcl_ml_min", minimum=0.0, maximum=CRCL_MAX_ML_MIN)
    f_nr: float = NONRENAL_FRACTION.validate(
        NONRENAL_FRACTION.default if nonrenal_fraction is None else nonrenal_fraction
    )
    ref: float = REFERENCE_CRCL_ML_MIN.validate(
        REFERENCE_CRCL_ML_MIN.default if reference_crcl_ml_min is None else reference_crcl_ml_min
    )
    cap: float = CRCL_CAP_ML_MIN.validate(CRCL_CAP_ML_MIN.default if crcl_cap_ml_min is None else crcl_cap_ml_min)
    return f_nr + (1.0 - f_nr) * min(crcl, cap) / ref


@dataclass(frozen=True, slots=True)
class KidneyInput:
    """Kidney function as the PK model uses it.

    ``crcl_ml_min`` None and not ``dialysis``: not given (the reference CrCl is used and reported as such).
    ``dialysis`` without a CrCl: anuric between sessions (CrCl 0), the worst case.
    """

    crcl_ml_min: float | None = None
    dialysis: bool = False

    def __post_init__(self) -> None:
        if self.crcl_ml_min is not None:
            object.__setattr__(
                self,
                "crcl_ml_min",
                require_finite_number(self.crcl_ml_min, "crcl_ml_min", minimum=0.0, maximum=CRCL_MAX_ML_MIN),
            )
        if not isinstance(self.dialysis, bool):
            raise InvalidInputError("dialysis", "true or false", self.dialysis)

    @property
    def is_given(self) -> bool:
        return self.dialysis or self.crcl_ml_min is not None

    def effective_crcl_ml_min(self, reference_crcl_ml_min: float | None = None) -> float:
        """The CrCl the model uses: given, 0 on dialysis without residual function, else the reference."""
        if self.crcl_ml_min is not None:
            return self.crcl_ml_min
        if self.dialysis:
            return 0.0
        return REFERENCE_CRCL_ML_MIN.default if reference_crcl_ml_min is None else reference_crcl_ml_min

    def describe(self, reference_crcl_ml_min: float | None = None) -> str:
        used = self.effective_crcl_ml_min(reference_crcl_ml_min)
        if self.dialysis:
            residual = (
                "no residual renal function (anuric)" if self.crcl_ml_min is None else f"residual CrCl {used:g} mL/min"
            )
            return f"haemodialysis patient, {residual} between sessions"
        if self.crcl_ml_min is not None:
            return f"CrCl {used:g} mL/min (given)"
        return f"not given: reference CrCl {used:g} mL/min assumed (normal kidney function)"


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """Overrides of the PK settings (None = the setting's default)."""

    nonrenal_fraction: float | None = None
    reference_crcl_ml_min: float | None = None
    crcl_cap_ml_min: float | None = None
    hd_clearance_l_per_h: float | None = None
    kochak_ka_per_h: float | None = None

    def __post_init__(self) -> None:
        pairs = (
            (NONRENAL_FRACTION, self.nonrenal_fraction),
            (REFERENCE_CRCL_ML_MIN, self.reference_crcl_ml_min),
            (CRCL_CAP_ML_MIN, self.crcl_cap_ml_min),
            (HD_CLEARANCE_L_PER_H, self.hd_clearance_l_per_h),
            (KOCHAK_KA_PER_H, self.kochak_ka_per_h),
        )
        for setting, value in pairs:
            if value is not None:
                setting.validate(value)

    def value(self, setting: Setting) -> float:
        own = {
            NONRENAL_FRACTION.name: self.nonrenal_fraction,
            REFERENCE_CRCL_ML_MIN.name: self.reference_crcl_ml_min,
            CRCL_CAP_ML_MIN.name: self.crcl_cap_ml_min,
            HD_CLEARANCE_L_PER_H.name: self.hd_clearance_l_per_h,
            KOCHAK_KA_PER_H.name: self.kochak_ka_per_h,
        }[setting.name]
        return float(setting.default if own is None else own)

    def used(self, model: OralModel) -> tuple[SettingUse, ...]:
        """The settings a simulation used, with their values, for the record."""
        settings = [NONRENAL_FRACTION, REFERENCE_CRCL_ML_MIN, CRCL_CAP_ML_MIN, HD_CLEARANCE_L_PER_H]
        if model is OralModel.KOCHAK:
            settings.append(KOCHAK_KA_PER_H)
        return tuple(SettingUse(s, self.value(s)) for s in settings)


def oral_parameters(
    model: OralModel | str = OralModel.DEFAULT,
    kidney: KidneyInput | None = None,
    settings: ModelSettings | None = None,
) -> PlasmaParameters:
    """Typical apparent plasma parameters for ``model`` and kidney function.

    The kidney covariate scales CL/F (pk-models.md §3.2; V/F and ka unchanged, Vlavonou: Cmax unchanged);
    it is applied to variant B's CL/F the same way. Dialysis clearance is added only during sessions
    (see :class:`~baclofen.domain.pk.engine.ClearanceWindow`), not here.

    >>> round(oral_parameters(kidney=KidneyInput(dialysis=True)).half_life_h, 1)
    21.8
    >>> round(oral_parameters("kochak").half_life_h, 2)
    3.63
    """
    model = OralModel.parse(model)
    kidney = kidney or KidneyInput()
    settings = settings or ModelSettings()
    factor = renal_clearance_factor(
        kidney.effective_crcl_ml_min(settings.value(REFERENCE_CRCL_ML_MIN)),
        nonrenal_fraction=settings.value(NONRENAL_FRACTION),
        reference_crcl_ml_min=settings.value(REFERENCE_CRCL_ML_MIN),
        crcl_cap_ml_min=settings.value(CRCL_CAP_ML_MIN),
    )
    if model is OralModel.DEFAULT:
        return PlasmaParameters(SIMON_KA_PER_H, SIMON_CL_F_L_PER_H * factor, SIMON_V_F_L)
    q, v2 = kochak_disposition()
    return PlasmaParameters(settings.value(KOCHAK_KA_PER_H), KOCHAK_CL_F_L_PER_H * factor, KOCHAK_VC_F_L, q, v2)


@dataclass(frozen=True, slots=True)
class Variability:
    """Between-subject variability as log-normal SDs (omega) of each parameter; 0 = none.

    The default is Simon 2018's (ka 44%, CL/F 21%, V/F 22% CV); variant B has no published IIV and
    borrows Simon's CVs (assumption, pk-models.md §2.2), on V/F and V2/F alike. The CSF clearance
    omega comes from :data:`CSF_CLEARANCE_CV` (assumption).
    """

    omega_ka: float = omega_from_cv(SIMON_CV_KA)
    omega_cl: float = omega_from_cv(SIMON_CV_CL)
    omega_v: float = omega_from_cv(SIMON_CV_V)
    omega_csf_cl: float = omega_from_cv(CSF_CLEARANCE_CV.default)

    def __post_init__(self) -> None:
        for name in ("omega_ka", "omega_cl", "omega_v", "omega_csf_cl"):
            object.__setattr__(self, name, require_finite_number(getattr(self, name), name, minimum=0.0, maximum=3.0))

    @classmethod
    def none(cls) -> Variability:
        return cls(0.0, 0.0, 0.0, 0.0)

    def to_dict(self) -> dict[str, float]:
        return {
            "omega_ka": self.omega_ka,
            "omega_cl": self.omega_cl,
            "omega_v": self.omega_v,
            "omega_csf_cl": self.omega_csf_cl,
        }


def with_clearance(params: PlasmaParameters, cl_f_l_per_h: float) -> PlasmaParameters:
    """A copy of ``params`` with another apparent clearance."""
    return replace(params, cl_f_l_per_h=cl_f_l_per_h)
