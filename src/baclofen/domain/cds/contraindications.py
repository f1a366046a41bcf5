"""Drug-condition contraindications and warnings (clinical.md §7 for baclofen, §8 for the alternatives).

Conditions are typed (:class:`Condition`) and parsed from free text with synonyms; a text that is not
recognised is returned in ``unknown`` rather than ignored. A true contraindication is a ``block``
finding; a label warning or caution is ``warn``; a monitoring note is ``info``.

>>> screen = screen_contraindications("dantrolene", ["active liver disease"])
>>> [(f.rule_id, f.severity.value) for f in screen.findings]
[('CI-DAN-LIVER-001', 'block')]
>>> parse_conditions(["Epilepsy", "pregnant", "gout"])
((<Condition.EPILEPSY: 'epilepsy'>, <Condition.PREGNANCY: 'pregnancy'>), ('gout',))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from baclofen.domain.cds.drugs import Drug, DrugClass, get_drug
from baclofen.domain.conditions import Condition, condition_key, parse_conditions
from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.patient import KidneyFunction, Sex
from baclofen.domain.rules.core import Finding, Rule, Severity, evaluate_rules
from baclofen.domain.rules.scope import PAEDIATRIC_SCOPE
from baclofen.domain.settings import EvidenceStatus, Setting, SettingUse, settings_to_dicts
from baclofen.domain.signs import ITB_WITHDRAWAL, ORAL_WITHDRAWAL

DANTROLENE_HEPATOTOXICITY_AGE = Setting(
    name="cds.dantrolene.hepatotoxicity_age_years",
    default=35.0,
    unit="years",
    status=EvidenceStatus.DISAGREE,
    evidence=("S78", "S80"),
    description="Age above which the dantrolene boxed warning names a greater hepatotoxicity risk: >35 years in "
    "the US monograph [S78], >30 years in the UK-style source [S80] (clinical.md §8.3 DISAGREE).",
    minimum=18.0,
    maximum=120.0,
)

TIZANIDINE_RENAL_CRCL_ML_MIN = 25.0
"""CrCl (mL/min) below which tizanidine clearance is reduced by >50 % and doses are reduced [S72] [S73]."""


@dataclass(frozen=True, slots=True)
class ContraindicationContext:
    """What the contraindication rules look at."""

    drug: Drug
    conditions: frozenset[Condition] = frozenset()
    age_years: float | None = None
    sex: Sex | None = None
    kidney: KidneyFunction | None = None
    route: str | None = None
    dantrolene_hepatotoxicity_age_years: float = DANTROLENE_HEPATOTOXICITY_AGE.default
    implant_depth_cm: float | None = None
    days_since_tbi: float | None = None


#: Pump implantation is contraindicated with an implant depth above this, cm [S117] [S66].
MAX_PUMP_IMPLANT_DEPTH_CM = 2.5
#: After traumatic brain injury, wait at least one year (taken as 365 days) before ITB [S37] [S35].
MIN_DAYS_AFTER_TBI = 365
#: The condition rules that also decide whether an ITB screening test may be given now [S41] [S117].
ITB_SCREENING_CONDITION_RULE_IDS = frozenset({"CI-ITB-INFECTION-001", "CI-ITB-MSEXAC-001", "CI-ITB-WOUND-001"})


ITB_FORBIDDEN_ROUTES = frozenset({"intravenous", "intramuscular", "subcutaneous", "epidural"})
"""Intrathecal baclofen is not for IV, IM, SC or epidural use [S30] [S33]."""

_ROUTE_ALIASES: Mapping[str, tuple[str, ...]] = {
    "intrathecal": ("it", "i.t.", "intrathecally", "lumbar puncture", "lp", "spinal catheter"),
    "oral": ("po", "p.o.", "by mouth", "orally"),
    "intravenous": ("iv", "i.v.", "intravenously", "intra venous"),
    "intramuscular": ("im", "i.m.", "intramuscularly", "intra muscular"),
    "subcutaneous": ("sc", "s.c.", "sq", "subq", "sub q", "subcut", "s/c", "subcutaneously"),
    "epidural": ("epidurally", "extradural"),
}
_ROUTE_INDEX = {alias: route for route, aliases in _ROUTE_ALIASES.items() for alias in (route, *aliases)}


def parse_route(text: str | None) -> str | None:
    """The canonical route a text names (``IV`` -> ``intravenous``), None when not given.

    An unrecognised route raises :class:`InvalidInputError` naming ``route``: an abbreviation that is not
    understood must never let a forbidden route through unchecked.

    >>> parse_route(" IV "), parse_route("s.c."), parse_route(None)
    ('intravenous', 'subcutaneous', None)
    """
    if text is None:
        return None
    if not isinstance(text, str):
        raise InvalidInputError("route", "a route text", text)
    key = " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
    if key not in _ROUTE_INDEX:
        raise InvalidInputError("route", f"one of {', '.join(_ROUTE_ALIASES)} (or IV, IM, SC, IT, PO)", text)
    return _ROUTE_INDEX[key]


@dataclass(frozen=True, slots=True)
class _ConditionRow:
    rule_id: str
    applies_to: Callable[[Drug], bool]
    condition: Condition
    severity: Severity
    message: str
    action: str
    evidence: tuple[str, ...]
    signs: tuple[str, ...] = ()


def _is_baclofen(d: Drug) -> bool:
    return d.has_class(DrugClass.BACLOFEN)


def _is_itb(d: Drug) -> bool:
    return d.key == "baclofen-intrathecal"


def _is(key: str) -> Callable[[Drug], bool]:
    return lambda d: d.key == key


_ROWS: tuple[_ConditionRow, ...] = (
    _ConditionRow(
        "CI-BAC-HYPERSENS-001",
        _is_baclofen,
        Condition.BACLOFEN_HYPERSENSITIVITY,
        Severity.BLOCK,
        "contraindicated: hypersensitivity to baclofen (the only label contraindication)",
        "Do not give baclofen.",
        ("S4", "S6", "S30"),
    ),
    _ConditionRow(
        "CI-BAC-PSYCH-001",
        _is_baclofen,
        Condition.PSYCHOTIC_DISORDER,
        Severity.WARN,
        "may exacerbate psychotic disorders, schizophrenia or confusional states",
        "Use with caution and monitor mental state.",
        ("S6", "S5", "S9"),
    ),
    _ConditionRow(
        "CI-BAC-PSYCH-002",
        _is_baclofen,
        Condition.PSYCHIATRIC_DISORDER,
        Severity.WARN,
        "use with caution in psychiatric disorders",
        "Use with caution and monitor mental state.",
        ("S15",),
    ),
    _ConditionRow(
        "CI-BAC-EPILEPSY-001",
        _is_baclofen,
        Condition.EPILEPSY,
        Severity.WARN,
        "may exacerbate epilepsy; seizures also occur with ITB and on withdrawal",
        "Monitor seizure control; never stop baclofen abruptly.",
        ("S6", "S30", "S69"),
    ),
    _ConditionRow(
        "CI-BAC-AD-001",
        _is_baclofen,
        Condition.AUTONOMIC_DYSREFLEXIA,
        Severity.WARN,
        "may exacerbate autonomic dysreflexia",
        "Use with caution.",
        ("S6",),
    ),
    _ConditionRow(
        "CI-BAC-STROKE-001",
        _is_baclofen,
        Condition.STROKE,
        Severity.WARN,
        "use with caution after stroke",
        "Use a cautious schedule and monitor tolerability.",
        ("S6", "S14"),
    ),
    _ConditionRow(
        "CI-BAC-PREG-001",
        _is_baclofen,
        Condition.PREGNANCY,
        Severity.WARN,
        "may cause fetal harm (animal data); neonatal withdrawal has occurred",
        "Weigh benefit and risk; gradually reduce and stop before delivery if stopping.",
        ("S6", "S4"),
    ),
    _ConditionRow(
        "CI-BAC-LACT-001",
        _is_baclofen,
        Condition.LACTATION,
        Severity.WARN,
        "present in breast milk; withdrawal can occur in the infant when maternal dosing or breastfeeding stops",
        "Plan any stop gradually and tell the parent what to watch for in the infant.",
        ("S114",),
    ),
    _ConditionRow(
        "CI-BAC-POSTURE-001",
        _is_baclofen,
        Condition.POSTURE_DEPENDENT_SPASTICITY,
        Severity.WARN,
        "use with caution where spasticity keeps upright posture or balance, or gains function",
        "Titrate cautiously and review function at each step.",
        ("S15", "S11"),
    ),
    _ConditionRow(
        "CI-BAC-PEPTIC-001",
        _is_baclofen,
        Condition.PEPTIC_ULCER,
        Severity.WARN,
        "use with caution in peptic ulceration",
        "Use with caution.",
        ("S15",),
    ),
    _ConditionRow(
        "CI-BAC-RESP-001",
        _is_baclofen,
        Condition.RESPIRATORY_IMPAIRMENT,
        Severity.WARN,
        "use with caution in respiratory impairment",
        "Use with caution; watch for respiratory depression.",
        ("S15",),
    ),
    _ConditionRow(
        "CI-BAC-BLADDER-001",
        _is_baclofen,
        Condition.BLADDER_SPHINCTER_HYPERTONIA,
        Severity.WARN,
        "use with caution in bladder-sphincter hypertonia",
        "Use with caution.",
        ("S15",),
    ),
    _ConditionRow(
        "CI-BAC-LABS-001",
        _is_baclofen,
        Condition.LIVER_DISEASE,
        Severity.INFO,
        "raised AST, alkaline phosphatase and glucose may occur: periodic laboratory tests in liver disease",
        "Arrange periodic liver tests.",
        ("S15",),
    ),
    _ConditionRow(
        "CI-BAC-LABS-002",
        _is_baclofen,
        Condition.ACTIVE_LIVER_DISEASE,
        Severity.INFO,
        "raised AST, alkaline phosphatase and glucose may occur: periodic laboratory tests in liver disease",
        "Arrange periodic liver tests.",
        ("S15",),
    ),
    _ConditionRow(
        "CI-BAC-LABS-003",
        _is_baclofen,
        Condition.DIABETES,
        Severity.INFO,
        "baclofen may raise blood glucose: periodic laboratory tests in diabetes",
        "Monitor blood glucose.",
        ("S15", "S17"),
    ),
    _ConditionRow(
        "CI-BAC-OVARY-001",
        _is("baclofen"),
        Condition.OVARIAN_CYSTS,
        Severity.INFO,
        "ovarian cysts are listed among the warnings of an oral baclofen product (Fleqsuvy)",
        "Note in the record; review if symptomatic.",
        ("S11",),
    ),
    _ConditionRow(
        "CI-ITB-WDRISK-001",
        _is_itb,
        Condition.SCI_T6_OR_ABOVE,
        Severity.WARN,
        "higher risk from ITB withdrawal (spinal cord injury at T-6 or above)",
        "Give special attention to refill scheduling, alarms and programming.",
        ("S118",),
        ITB_WITHDRAWAL.signs,
    ),
    _ConditionRow(
        "CI-ITB-WDRISK-002",
        _is_itb,
        Condition.COMMUNICATION_DIFFICULTIES,
        Severity.WARN,
        "higher risk from ITB withdrawal (communication difficulties)",
        "Give special attention to refill scheduling, alarms and programming; brief carers.",
        ("S118",),
        ITB_WITHDRAWAL.signs,
    ),
    _ConditionRow(
        "CI-ITB-WDRISK-003",
        _is_baclofen,
        Condition.BACLOFEN_WITHDRAWAL_HISTORY,
        Severity.WARN,
        "higher risk: previous withdrawal symptoms from oral or intrathecal baclofen",
        "Never interrupt abruptly; plan refills and tapers with margin.",
        ("S118",),
        ORAL_WITHDRAWAL.signs,
    ),
    _ConditionRow(
        "CI-ITB-INFECTION-001",
        _is_itb,
        Condition.ACTIVE_INFECTION,
        Severity.BLOCK,
        "active infection: pump implantation is contraindicated and screening should not be done during an active UTI",
        "Treat the infection before screening or implantation.",
        ("S117", "S66", "S41"),
    ),
    _ConditionRow(
        "CI-ITB-BODYSIZE-001",
        _is_itb,
        Condition.INSUFFICIENT_BODY_SIZE,
        Severity.BLOCK,
        "pump implantation is contraindicated with insufficient body size",
        "Do not implant a pump; consider other treatments for the spasticity.",
        ("S117", "S66"),
    ),
    _ConditionRow(
        "CI-ITB-SPINE-001",
        _is_itb,
        Condition.SPINAL_ANOMALY,
        Severity.BLOCK,
        "pump implantation is contraindicated with spinal anomalies",
        "Do not implant a pump unless the surgical team judges the anomaly compatible (override with a reason).",
        ("S117", "S66"),
    ),
    _ConditionRow(
        "CI-ITB-MSEXAC-001",
        _is_itb,
        Condition.MS_EXACERBATION,
        Severity.BLOCK,
        "no ITB screening test during an MS exacerbation",
        "Postpone the screening test until the exacerbation has settled.",
        ("S41",),
    ),
    _ConditionRow(
        "CI-ITB-WOUND-001",
        _is_itb,
        Condition.NON_HEALING_WOUND,
        Severity.BLOCK,
        "no ITB screening test with non-healing wounds",
        "Postpone the screening test until the wounds have healed.",
        ("S41",),
    ),
    _ConditionRow(
        "CI-TIZ-LIVER-001",
        _is("tizanidine"),
        Condition.LIVER_DISEASE,
        Severity.WARN,
        "tizanidine is hepatotoxic: aminotransferase monitoring is required",
        "Check liver tests at baseline and during treatment (see the monitoring schedule setting).",
        ("S75", "S72"),
    ),
    _ConditionRow(
        "CI-TIZ-LIVER-002",
        _is("tizanidine"),
        Condition.ACTIVE_LIVER_DISEASE,
        Severity.WARN,
        "tizanidine is hepatotoxic: aminotransferase monitoring is required",
        "Check liver tests at baseline and during treatment (see the monitoring schedule setting).",
        ("S75", "S72"),
    ),
    _ConditionRow(
        "CI-DAN-LIVER-001",
        _is("dantrolene"),
        Condition.ACTIVE_LIVER_DISEASE,
        Severity.BLOCK,
        "contraindicated in active hepatic disease (boxed hepatotoxicity warning)",
        "Do not use dantrolene.",
        ("S77", "S78"),
    ),
    _ConditionRow(
        "CI-DAN-LIVER-002",
        _is("dantrolene"),
        Condition.LIVER_DISEASE,
        Severity.WARN,
        "boxed warning: hepatotoxicity; liver disease raises concern",
        "Avoid or monitor liver tests closely.",
        ("S78", "S77"),
    ),
    _ConditionRow(
        "CI-DAN-POSTURE-001",
        _is("dantrolene"),
        Condition.POSTURE_DEPENDENT_SPASTICITY,
        Severity.BLOCK,
        "contraindicated where spasticity maintains posture or function",
        "Do not use dantrolene.",
        ("S77",),
    ),
)


def _make_condition_rule(row: _ConditionRow) -> Rule[ContraindicationContext]:
    def check(ctx: ContraindicationContext) -> Finding | None:
        if not row.applies_to(ctx.drug) or row.condition not in ctx.conditions:
            return None
        return rule.finding(
            f"{ctx.drug.generic_name} with {row.condition.value}: {row.message}",
            reasoning=f"The patient has {row.condition.value}; the source lists it for {ctx.drug.generic_name}.",
            data={"drug": ctx.drug.key, "condition": row.condition.value},
            signs=row.signs,
            action=row.action,
        )

    rule: Rule[ContraindicationContext] = Rule(
        row.rule_id,
        f"{row.condition.value}: {row.message}",
        row.severity,
        row.evidence,
        check,
        # A condition row has no threshold; the baclofen rows decide the baclofen condition (one severity).
        settings=(),
        conditions=(condition_key(row.condition),) if row.applies_to is _is_baclofen else (),
    )
    return rule


def _check_itb_route(ctx: ContraindicationContext) -> Finding | None:
    if ctx.drug.key != "baclofen-intrathecal" or ctx.route not in ITB_FORBIDDEN_ROUTES:
        return None
    return ITB_ROUTE.finding(
        f"intrathecal baclofen by the {ctx.route} route is contraindicated",
        reasoning="Intrathecal baclofen is only for intrathecal use (bolus via spinal catheter or lumbar puncture, "
        "chronic use only in approved pumps); not for IV, IM, SC or epidural use.",
        data={"route": ctx.route},
        action="Give only intrathecally.",
    )


ITB_ROUTE: Rule[ContraindicationContext] = Rule(
    "CI-ITB-ROUTE-001",
    "Intrathecal baclofen only intrathecally",
    Severity.BLOCK,
    ("S30", "S33"),
    _check_itb_route,
    settings=(),
)


def _check_implant_depth(ctx: ContraindicationContext) -> Finding | None:
    depth = ctx.implant_depth_cm
    if not _is_itb(ctx.drug) or depth is None or depth <= MAX_PUMP_IMPLANT_DEPTH_CM:
        return None
    return ITB_IMPLANT_DEPTH.finding(
        f"Planned pump implant depth {depth:g} cm is more than {MAX_PUMP_IMPLANT_DEPTH_CM:g} cm: pump implantation "
        "is contraindicated.",
        reasoning=f"Pump implantation is contraindicated with an implant depth above {MAX_PUMP_IMPLANT_DEPTH_CM:g} cm "
        "(a deeper pump cannot be reached reliably for refills and telemetry).",
        data={"implant_depth_cm": depth, "max_implant_depth_cm": MAX_PUMP_IMPLANT_DEPTH_CM},
        action=f"Plan an implant site at most {MAX_PUMP_IMPLANT_DEPTH_CM:g} cm deep, or do not implant.",
    )


ITB_IMPLANT_DEPTH: Rule[ContraindicationContext] = Rule(
    "CI-ITB-DEPTH-001",
    "Pump implant depth over 2.5 cm",
    Severity.BLOCK,
    ("S117", "S66"),
    _check_implant_depth,
    settings=(),
)


def _check_after_tbi(ctx: ContraindicationContext) -> Finding | None:
    days = ctx.days_since_tbi
    if not _is_itb(ctx.drug) or days is None or days >= MIN_DAYS_AFTER_TBI:
        return None
    return ITB_AFTER_TBI.finding(
        f"Traumatic brain injury {days:g} days ago: intrathecal baclofen is considered only at least one year "
        f"({MIN_DAYS_AFTER_TBI} days) after the injury.",
        reasoning="Label: patients with spasticity after traumatic brain injury should wait at least one year before "
        "long-term intrathecal baclofen is considered.",
        data={"days_since_tbi": days, "min_days_after_tbi": MIN_DAYS_AFTER_TBI},
        action=f"Wait another {MIN_DAYS_AFTER_TBI - days:g} days before screening or implantation.",
    )


ITB_AFTER_TBI: Rule[ContraindicationContext] = Rule(
    "CI-ITB-TBI-001",
    "At least one year after traumatic brain injury",
    Severity.BLOCK,
    ("S37", "S35"),
    _check_after_tbi,
    settings=(),
)


def _check_tizanidine_kidney(ctx: ContraindicationContext) -> Finding | None:
    k = ctx.kidney
    if ctx.drug.key != "tizanidine" or k is None or not k.is_known:
        return None
    low = k.dialysis or (k.crcl_ml_min is not None and k.crcl_ml_min < TIZANIDINE_RENAL_CRCL_ML_MIN)
    if not low:
        return None
    crcl = "dialysis" if k.dialysis and k.crcl_ml_min is None else f"CrCl {k.crcl_ml_min:g} mL/min"
    return TIZANIDINE_KIDNEY.finding(
        f"tizanidine with {crcl}: reduce individual doses",
        reasoning=f"With CrCl < {TIZANIDINE_RENAL_CRCL_ML_MIN:g} mL/min tizanidine clearance is reduced by more than "
        "50 %, so individual doses are reduced.",
        data={
            "crcl_ml_min": k.crcl_ml_min,
            "dialysis": k.dialysis,
            "threshold_crcl_ml_min": TIZANIDINE_RENAL_CRCL_ML_MIN,
        },
        action="Reduce individual doses; titrate slowly.",
    )


TIZANIDINE_KIDNEY: Rule[ContraindicationContext] = Rule(
    "CI-TIZ-RENAL-001",
    "Tizanidine dose reduction with CrCl < 25 mL/min",
    Severity.WARN,
    ("S72", "S73"),
    _check_tizanidine_kidney,
)


def _check_tizanidine_age(ctx: ContraindicationContext) -> Finding | None:
    if ctx.drug.key != "tizanidine" or ctx.age_years is None or ctx.age_years >= 18:
        return None
    return TIZANIDINE_ADULTS.finding(
        f"tizanidine at age {ctx.age_years:g}: the current label indication is spasticity in adults",
        reasoning="The November 2024 tizanidine label indicates it for spasticity in adults.",
        data={"age_years": ctx.age_years},
        action="Specialist paediatric advice; out of scope here.",
    )


TIZANIDINE_ADULTS: Rule[ContraindicationContext] = Rule(
    "CI-TIZ-AGE-001", "Tizanidine indicated in adults", Severity.WARN, ("S75",), _check_tizanidine_age
)


def _check_dantrolene_risk(ctx: ContraindicationContext) -> Finding | None:
    if ctx.drug.key != "dantrolene":
        return None
    factors = []
    if ctx.sex is Sex.FEMALE:
        factors.append("female")
    if ctx.age_years is not None and ctx.age_years > ctx.dantrolene_hepatotoxicity_age_years:
        factors.append(f"age {ctx.age_years:g} > {ctx.dantrolene_hepatotoxicity_age_years:g} years")
    if not factors:
        return None
    return DANTROLENE_RISK.finding(
        f"dantrolene hepatotoxicity risk is greater: {', '.join(factors)}",
        reasoning="Boxed warning: the risk of hepatotoxicity is greatest in females, in patients over 35 years "
        "(over 30 in UK-style sources) and with other drugs, especially estrogens; it is dose-related.",
        data={
            "risk_factors": factors,
            "age_threshold": DANTROLENE_HEPATOTOXICITY_AGE.to_dict(ctx.dantrolene_hepatotoxicity_age_years),
        },
        action="Monitor liver function tests; stop if no benefit within the no-benefit window.",
    )


DANTROLENE_RISK: Rule[ContraindicationContext] = Rule(
    "CI-DAN-HEPRISK-001",
    "Dantrolene hepatotoxicity risk factors",
    Severity.WARN,
    ("S78", "S80"),
    _check_dantrolene_risk,
)

_CONDITION_RULES: dict[str, Rule[ContraindicationContext]] = {r.rule_id: _make_condition_rule(r) for r in _ROWS}

#: Conditions the sources list as cautions for baclofen [S15] (clinical.md §7): each is decided by its one CI-BAC
#: rule, which the oral planners evaluate too (``rules/oral.py``), so every path gives it one severity.
BACLOFEN_CAUTION_CONDITIONS: frozenset[Condition] = frozenset(
    {
        Condition.POSTURE_DEPENDENT_SPASTICITY,
        Condition.PEPTIC_ULCER,
        Condition.RESPIRATORY_IMPAIRMENT,
        Condition.BLADDER_SPHINCTER_HYPERTONIA,
        Condition.PSYCHIATRIC_DISORDER,
    }
)
BACLOFEN_CAUTION_RULES: tuple[Rule[ContraindicationContext], ...] = tuple(
    _CONDITION_RULES[r.rule_id]
    for r in _ROWS
    if r.condition in BACLOFEN_CAUTION_CONDITIONS and r.applies_to(get_drug("baclofen"))
)

#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[ContraindicationContext], ...] = (
    *_CONDITION_RULES.values(),
    ITB_ROUTE,
    ITB_IMPLANT_DEPTH,
    ITB_AFTER_TBI,
    TIZANIDINE_KIDNEY,
    TIZANIDINE_ADULTS,
    DANTROLENE_RISK,
)
#: What every contraindication check evaluates: these and, adapted, SCOPE-PAEDIATRIC-001.
CONTRAINDICATION_RULES: tuple[Rule[ContraindicationContext], ...] = (
    PAEDIATRIC_SCOPE.adapted(lambda ctx: ctx.age_years),
    *DEFINED_RULES,
)


@dataclass(frozen=True, slots=True)
class ContraindicationScreen:
    drug: Drug
    conditions: tuple[Condition, ...]
    unknown_conditions: tuple[str, ...]
    findings: tuple[Finding, ...]
    settings: tuple[SettingUse, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "drug": self.drug.key,
            "conditions": [c.value for c in self.conditions],
            "unknown_conditions": [
                {"query": q, "message": f"'{q}' is not a recognised condition: it was NOT checked"}
                for q in self.unknown_conditions
            ],
            "findings": [f.to_dict() for f in self.findings],
            "settings": settings_to_dicts(self.settings),
        }


def screen_contraindications(
    drug: str | Drug,
    conditions: Iterable[str | Condition] = (),
    *,
    age_years: float | None = None,
    sex: Sex | None = None,
    kidney: KidneyFunction | None = None,
    route: str | None = None,
    dantrolene_hepatotoxicity_age_years: float | None = None,
    implant_depth_cm: float | None = None,
    days_since_tbi: float | None = None,
) -> ContraindicationScreen:
    """Check one drug against the patient's conditions, age, sex, kidney function and route.

    Parameters
    ----------
    drug
        Catalogue name or entry.
    conditions
        Condition texts or :class:`Condition` values; unrecognised texts are returned, not ignored.
    age_years
        Age in years (under 18: an absolute block, paediatric dosing is out of scope; dantrolene risk factors,
        tizanidine adult indication).
    sex
        Sex (dantrolene risk factors).
    kidney
        Kidney function (tizanidine CrCl < 25 mL/min).
    route
        Intended route for intrathecal baclofen (``intravenous``/``IV``, ``epidural`` ... are refused); an
        unrecognised route raises :class:`InvalidInputError` (see :func:`parse_route`).
    dantrolene_hepatotoxicity_age_years
        Override of :data:`DANTROLENE_HEPATOTOXICITY_AGE` (years).
    implant_depth_cm
        Planned pump implant depth, cm (intrathecal baclofen: above 2.5 cm a block, CI-ITB-DEPTH-001).
    days_since_tbi
        Days since a traumatic brain injury (intrathecal baclofen: under 365 days a block, CI-ITB-TBI-001).
    """
    entry = drug if isinstance(drug, Drug) else get_drug(drug)
    known, unknown = parse_conditions(conditions)
    if age_years is not None:
        age_years = require_finite_number(age_years, "age_years", minimum=0, maximum=120)
    age_limit = DANTROLENE_HEPATOTOXICITY_AGE.validate(
        DANTROLENE_HEPATOTOXICITY_AGE.default
        if dantrolene_hepatotoxicity_age_years is None
        else dantrolene_hepatotoxicity_age_years
    )
    if implant_depth_cm is not None:
        implant_depth_cm = require_finite_number(implant_depth_cm, "implant_depth_cm", minimum=0.0, maximum=30.0)
    if days_since_tbi is not None:
        days_since_tbi = require_finite_number(days_since_tbi, "days_since_tbi", minimum=0.0, maximum=120 * 366)
    ctx = ContraindicationContext(
        entry,
        frozenset(known),
        age_years,
        sex,
        kidney,
        parse_route(route),
        age_limit,
        implant_depth_cm,
        days_since_tbi,
    )
    findings = evaluate_rules(CONTRAINDICATION_RULES, ctx)
    settings = (SettingUse(DANTROLENE_HEPATOTOXICITY_AGE, age_limit),) if entry.key == "dantrolene" else ()
    return ContraindicationScreen(entry, known, unknown, findings, settings)
