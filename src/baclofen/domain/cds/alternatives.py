"""Alternatives advisor: what to offer when baclofen fails or is not tolerated (clinical.md §8).

From the patient (baclofen outcome, focal or generalised spasticity, severity, liver and kidney function,
age, sex, conditions, current medicines) the advisor lists the options **in guideline order**, each
with its line, dose range, monitoring, status (recommended, caution, excluded, tried, not applicable) and
the findings that decided the status. The guideline is a setting (``cds.alternatives.guideline``)
because the sources DISAGREE on the order:

* ``nice`` (default): baclofen or gabapentin first, tizanidine next [S81] [S82]; the NG220 positions of
  dantrolene and benzodiazepines are UNCONFIRMED; nabiximols when other drugs are not effective
  (NICE NG144 [S85] [S87]);
* ``european-consensus``: baclofen, tizanidine, gabapentin first; diazepam or dantrolene next; nabiximols
  add-on; ITB for severe spasticity [S83];
* ``ms-ireland``: baclofen and tizanidine, then benzodiazepines, gabapentin, dantrolene [S84];
* ``nhs-scotland-abi``: baclofen, then tizanidine; dantrolene and gabapentin third [S26] (acquired brain
  injury guidance, not MS-specific).

Physiotherapy comes first and accompanies every step [S26] [S27] [S84]; botulinum toxin is for focal
spasticity [S84]; ITB for severe spasticity unresponsive to, or not tolerating, oral baclofen [S37].

A drug with a ``block`` interaction or contraindication is **excluded** with the reason (tizanidine with
fluvoxamine or ciprofloxacin is never offered, journeys.md #2) unless a clinician overrides that finding.

When switching off baclofen, :func:`plan_cross_taper` pairs the oral taper planner
(:func:`baclofen.domain.oral.taper.plan_taper`) with the new drug's cited titration start.

>>> advice = advise_alternatives(baclofen_outcome="not-tolerated", current_drugs=["ciprofloxacin"])
>>> [(o.key, o.status.value) for o in advice.options if o.key in ("baclofen", "gabapentin", "tizanidine")]
[('baclofen', 'tried'), ('gabapentin', 'recommended'), ('tizanidine', 'excluded')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Any

from baclofen.domain.cds.contraindications import DANTROLENE_HEPATOTOXICITY_AGE, screen_contraindications
from baclofen.domain.cds.dose_limits import NABIXIMOLS_MAX_SPRAYS_PER_DAY
from baclofen.domain.cds.drugs import CATALOGUE, Drug, DrugClass, DrugLookup, resolve_drugs
from baclofen.domain.cds.interactions import INTERACTION_RULES, interactions_between
from baclofen.domain.cds.therapies import (
    DANTROLENE_NO_BENEFIT_DAYS,
    NEW_DRUG_START_RULES,
    ORDERINGS,
    TIZANIDINE_LFT_SCHEDULE,
    Cited,
    Guideline,
    Position,
    Therapy,
    cited_therapies,
)
from baclofen.domain.conditions import Condition, parse_conditions
from baclofen.domain.errors import InvalidInputError, UnknownNameError, require_finite_number
from baclofen.domain.evidence import format_evidence
from baclofen.domain.names import parse_name_list
from baclofen.domain.oral.limits import kidney_band
from baclofen.domain.oral.plan import Plan
from baclofen.domain.oral.taper import plan_taper
from baclofen.domain.patient import KidneyFunction, Locale, PatientSnapshot, Sex
from baclofen.domain.rules.core import Finding, Override, Severity, apply_overrides, is_offerable, sort_findings
from baclofen.domain.settings import EvidenceStatus, Setting, SettingUse, SettingValues, settings_to_dicts

# --- settings ------------------------------------------------------------------------------------------------


GUIDELINE = Setting(
    name="cds.alternatives.guideline",
    default=Guideline.NICE.value,
    unit="guideline",
    status=EvidenceStatus.DISAGREE,
    evidence=("S81", "S82", "S83", "S84", "S26"),
    description="Which guideline orders the alternatives: nice (baclofen or gabapentin, then tizanidine [S81]), "
    "european-consensus [S83], ms-ireland [S84] or nhs-scotland-abi [S26]. The sources DISAGREE on the "
    "order (clinical.md §8.1).",
    choices=tuple(g.value for g in Guideline),
)
CROSS_TAPER_START_DAY = Setting(
    name="cds.cross_taper.new_drug_start_day",
    default=0,
    unit="days after the first taper step",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S14", "S24", "S73"),
    description="Day (counted from the first baclofen taper step) on which the new drug starts in a cross-taper. No "
    "source gives a cross-taper schedule: starting both on the same day is an assumption; a clinician may "
    "start the new drug later (up to the end of the taper) to separate adverse effects.",
    minimum=0,
    maximum=365,
)
ADVISOR_SETTINGS: Mapping[str, Setting] = {
    s.name: s
    for s in (
        GUIDELINE,
        TIZANIDINE_LFT_SCHEDULE,
        DANTROLENE_NO_BENEFIT_DAYS,
        CROSS_TAPER_START_DAY,
        DANTROLENE_HEPATOTOXICITY_AGE,
        NABIXIMOLS_MAX_SPRAYS_PER_DAY,
    )
}


def parse_guideline(value: Any) -> Guideline:
    if isinstance(value, Guideline):
        return value
    if isinstance(value, str):
        key = value.strip().lower().replace("_", "-").replace(" ", "-")
        for g in Guideline:
            if g.value == key:
                return g
    raise UnknownNameError("guideline", [g.value for g in Guideline], value)


# --- patient outcome, option status ---------------------------------------------------------------------------


class BaclofenOutcome(Enum):
    """What happened with oral baclofen."""

    NOT_TRIED = "not-tried"
    CURRENT = "current"
    FAILED = "failed"
    NOT_TOLERATED = "not-tolerated"

    @property
    def tried_and_stopped_working(self) -> bool:
        return self in (BaclofenOutcome.FAILED, BaclofenOutcome.NOT_TOLERATED)


def parse_outcome(value: Any) -> BaclofenOutcome:
    if isinstance(value, BaclofenOutcome):
        return value
    if isinstance(value, str):
        key = value.strip().lower().replace("_", "-").replace(" ", "-")
        for o in BaclofenOutcome:
            if o.value == key:
                return o
    raise UnknownNameError("baclofen_outcome", [o.value for o in BaclofenOutcome], value)


class OptionStatus(Enum):
    RECOMMENDED = "recommended"
    CAUTION = "caution"
    EXCLUDED = "excluded"
    TRIED = "tried"
    CURRENT = "current"
    NOT_APPLICABLE = "not applicable"


# --- results ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AlternativeOption:
    """One option for this patient, in guideline order."""

    rank: int
    key: str
    name: str
    line: str
    position_status: EvidenceStatus
    status: OptionStatus
    reasons: tuple[Cited, ...]
    dose: tuple[Cited, ...]
    monitoring: tuple[Cited, ...]
    findings: tuple[Finding, ...]
    evidence: tuple[str, ...]

    @property
    def offered(self) -> bool:
        return self.status in (OptionStatus.RECOMMENDED, OptionStatus.CAUTION)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "key": self.key,
            "name": self.name,
            "line": self.line,
            "position_status": self.position_status.value,
            "status": self.status.value,
            "offered": self.offered,
            "reasons": [r.to_dict() for r in self.reasons],
            "dose": [d.to_dict() for d in self.dose],
            "monitoring": [m.to_dict() for m in self.monitoring],
            "findings": [f.to_dict() for f in self.findings],
            "evidence": format_evidence(self.evidence),
            "evidence_keys": list(self.evidence),
        }


@dataclass(frozen=True, slots=True)
class NewDrugStart:
    """The first titration step of the drug replacing baclofen, dated, with its cited titration rule."""

    drug_key: str
    start_date: date
    steps: tuple[tuple[date, str], ...]
    rule: Cited
    earliest_next_increase: date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "drug": self.drug_key,
            "start_date": self.start_date.isoformat(),
            "steps": [{"date": d.isoformat(), "dose": t} for d, t in self.steps],
            "titration": self.rule.to_dict(),
            "earliest_next_increase": None
            if self.earliest_next_increase is None
            else self.earliest_next_increase.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class CrossTaperPlan:
    """Baclofen taper (from the oral planner) paired with the new drug's titration start."""

    taper: Plan
    new_drug: NewDrugStart
    overlap_findings: tuple[Finding, ...]
    notes: tuple[str, ...]
    settings: tuple[SettingUse, ...] = ()

    @property
    def offerable(self) -> bool:
        """False while a ``block`` stands in the taper or in the new drug's interactions (e.g. tizanidine with
        ciprofloxacin or fluvoxamine) without a clinician's override."""
        return self.taper.offerable and is_offerable(self.overlap_findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "offerable": self.offerable,
            "taper": self.taper.to_dict(),
            "new_drug": self.new_drug.to_dict(),
            "overlap_findings": [f.to_dict() for f in self.overlap_findings],
            "notes": list(self.notes),
            "settings": settings_to_dicts(self.settings),
        }


@dataclass(frozen=True, slots=True)
class AlternativesAdvice:
    """The advisor's answer: options in guideline order, unknown inputs, settings and an optional cross-taper."""

    guideline: Guideline
    baclofen_outcome: BaclofenOutcome
    options: tuple[AlternativeOption, ...]
    drugs: DrugLookup
    conditions: tuple[Condition, ...]
    unknown_conditions: tuple[str, ...]
    settings: tuple[SettingUse, ...]
    patient: Mapping[str, Any]
    cross_taper: CrossTaperPlan | None = None
    switch_refused: tuple[Finding, ...] = ()
    notes: tuple[str, ...] = ()

    def option(self, key: str) -> AlternativeOption:
        for o in self.options:
            if o.key == key:
                return o
        raise InvalidInputError("option", f"one of {', '.join(o.key for o in self.options)}", key)

    def to_dict(self) -> dict[str, Any]:
        return {
            "guideline": self.guideline.value,
            "baclofen_outcome": self.baclofen_outcome.value,
            "patient": dict(self.patient),
            "options": [o.to_dict() for o in self.options],
            "offered": [o.key for o in self.options if o.offered],
            "excluded": [
                {"key": o.key, "reasons": [f.message for f in o.findings if f.is_blocking]}
                for o in self.options
                if o.status is OptionStatus.EXCLUDED
            ],
            "current_drugs": self.drugs.to_dict(),
            "unknown_drugs": [u.to_dict() for u in self.drugs.unknown],
            "conditions": [c.value for c in self.conditions],
            "unknown_conditions": [
                {"query": q, "message": f"'{q}' is not a recognised condition: it was NOT checked"}
                for q in self.unknown_conditions
            ],
            "settings": settings_to_dicts(self.settings),
            "cross_taper": None if self.cross_taper is None else self.cross_taper.to_dict(),
            "switch_refused": [f.to_dict() for f in self.switch_refused],
            "notes": list(self.notes),
        }


# --- the advisor ----------------------------------------------------------------------------------------------------


def _kidney_reasons(kidney: KidneyFunction | None) -> list[Cited]:
    if kidney is None or not kidney.is_known:
        return []
    if kidney.dialysis:
        return [Cited("on dialysis: a particularly low oral baclofen dose, about 5 mg daily", ("S14", "S15"))]
    assert kidney.crcl_ml_min is not None
    band = kidney_band(kidney.crcl_ml_min)
    if band.reduction == 0:
        return []
    return [
        Cited(
            f"CrCl {kidney.crcl_ml_min:g} mL/min ({band.label} CKD): mean dose reduction {band.reduction_text} "
            "in the renal PK study (not label dosing); doses > 20 mg/day in CKD carried a 3.5-fold "
            "encephalopathy risk",
            ("S22", "S23"),
        )
    ]


def _status_from_findings(findings: Sequence[Finding]) -> OptionStatus:
    if any(f.is_blocking for f in findings):
        return OptionStatus.EXCLUDED
    if any(f.severity in (Severity.BLOCK, Severity.WARN) for f in findings):
        return OptionStatus.CAUTION
    return OptionStatus.RECOMMENDED


def advise_alternatives(
    *,
    baclofen_outcome: BaclofenOutcome | str = BaclofenOutcome.FAILED,
    focal: bool = False,
    severe: bool = False,
    liver_disease: bool = False,
    kidney: KidneyFunction | None = None,
    current_drugs: Iterable[str] = (),
    conditions: Iterable[str | Condition] = (),
    age_years: float | None = None,
    sex: Sex | None = None,
    locale: Locale = Locale.US,
    guideline: Guideline | str | None = None,
    settings: Mapping[str, Any] | None = None,
    overrides: Iterable[Override] = (),
    switch_to: str | None = None,
    current_baclofen_mg_per_day: float | None = None,
    months_on_therapy: float | None = None,
    start_date: date | None = None,
    taper_settings: Mapping[str, Any] | None = None,
) -> AlternativesAdvice:
    """List the options after (or instead of) oral baclofen, in guideline order, for this patient.

    Parameters
    ----------
    baclofen_outcome
        ``failed`` (not effective), ``not-tolerated``, ``current`` (still taking, effective) or ``not-tried``.
    focal
        Focal rather than generalised spasticity (botulinum toxin applies).
    severe
        Severe spasticity (ITB applies).
    liver_disease
        Liver disease; treated as active hepatic disease for dantrolene (contraindicated) and as a monitoring
        reason for tizanidine and baclofen.
    kidney
        Kidney function (CrCl mL/min or dialysis).
    current_drugs
        Current medicines by name (generic, brand); unknown names are reported, never ignored.
    conditions
        Other conditions (see :class:`Condition`); unknown ones are reported.
    age_years, sex
        Age (years) and sex: dantrolene hepatotoxicity risk, tizanidine adult indication.
    locale
        US or UK: the baclofen ceiling and which dose text comes first.
    guideline
        Overrides the ``cds.alternatives.guideline`` setting.
    settings
        Overrides of :data:`ADVISOR_SETTINGS` by name.
    overrides
        A clinician's overrides of blocking findings (rule id and reason); an unused override is an error.
    switch_to
        Drug (option key or catalogue name) to switch to; with ``current_baclofen_mg_per_day`` and
        ``start_date`` a cross-taper plan is made.
    current_baclofen_mg_per_day
        The oral baclofen daily dose to taper from (mg/day).
    months_on_therapy
        Time on baclofen (months), which may lengthen the taper.
    start_date
        First day of the cross-taper.
    taper_settings
        Overrides of the baclofen taper planner's settings for the cross-taper (a clinic's own values).
    """
    outcome = parse_outcome(baclofen_outcome)
    if not isinstance(locale, Locale):
        raise InvalidInputError("locale", "us or uk", locale)
    values = SettingValues(ADVISOR_SETTINGS.values(), settings, field="setting")
    if guideline is not None:
        values.set(GUIDELINE, parse_guideline(guideline).value)
    chosen = Guideline(values.get(GUIDELINE))
    age_years = _checked_patient_facts(age_years, sex, focal=focal, severe=severe, liver_disease=liver_disease)
    overrides = tuple(overrides)

    drugs = resolve_drugs(parse_name_list(current_drugs, "drugs"))
    known_conditions, unknown_conditions = parse_conditions(conditions)
    cond = set(known_conditions)
    if liver_disease:
        cond.add(Condition.ACTIVE_LIVER_DISEASE)
    others = list(drugs.drugs)
    if outcome is BaclofenOutcome.CURRENT and all(d.key != "baclofen" for d in others):
        others.append(CATALOGUE.get("baclofen"))

    therapies = cited_therapies(locale, values)
    patient = _AdvisedPatient(
        outcome,
        focal,
        severe,
        frozenset(cond),
        tuple(others),
        kidney,
        age_years,
        sex,
        locale,
        float(values.get(DANTROLENE_HEPATOTOXICITY_AGE)),
    )
    options = _ranked_options(ORDERINGS[chosen], therapies, patient, overrides)
    notes = _guideline_notes(chosen, liver_disease=liver_disease)
    cross: CrossTaperPlan | None = None
    refused: tuple[Finding, ...] = ()
    if switch_to is not None:
        cross, refused, switch_notes = _plan_switch(
            switch_to,
            options,
            patient,
            values,
            from_mg_per_day=current_baclofen_mg_per_day,
            months_on_therapy=months_on_therapy,
            start_date=start_date,
            taper_settings=taper_settings,
        )
        notes.extend(switch_notes)

    patient_info = {
        "focal": focal,
        "severe": severe,
        "liver_disease": liver_disease,
        "kidney": None if kidney is None else kidney.to_dict(),
        "age_years": age_years,
        "sex": None if sex is None else sex.value,
        "locale": locale.value,
    }
    return AlternativesAdvice(
        chosen,
        outcome,
        tuple(options),
        drugs,
        tuple(sorted(cond, key=lambda c: c.value)),
        unknown_conditions,
        values.used(),
        patient_info,
        cross,
        refused,
        tuple(notes),
    )


def _checked_patient_facts(
    age_years: float | None, sex: Sex | None, *, focal: bool, severe: bool, liver_disease: bool
) -> float | None:
    """The age checked (a finite number of years, 0-120), the sex and the three flags checked; the age returned."""
    if age_years is not None:
        age_years = require_finite_number(age_years, "age_years", minimum=0, maximum=120)
    if sex is not None and not isinstance(sex, Sex):
        raise InvalidInputError("sex", "female or male", sex)
    for flag, name in ((focal, "focal"), (severe, "severe"), (liver_disease, "liver_disease")):
        if not isinstance(flag, bool):
            raise InvalidInputError(name, "true or false", flag)
    return age_years


@dataclass(frozen=True, slots=True)
class _AdvisedPatient:
    """What the advisor judges each option on: the baclofen outcome, the spasticity, the conditions (liver disease
    included), the other medicines (baclofen when it is current), kidney function, age, sex and locale."""

    outcome: BaclofenOutcome
    focal: bool
    severe: bool
    conditions: frozenset[Condition]
    others: tuple[Drug, ...]
    kidney: KidneyFunction | None
    age_years: float | None
    sex: Sex | None
    locale: Locale
    dantrolene_hepatotoxicity_age_years: float


def _ranked_options(
    positions: Sequence[Position],
    therapies: Mapping[str, Therapy],
    patient: _AdvisedPatient,
    overrides: Sequence[Override],
) -> list[AlternativeOption]:
    """Each option in the guideline's order, judged for the patient; an override that no option used is refused."""
    used_rules: set[str] = set()
    options: list[AlternativeOption] = []
    for rank, pos in enumerate(positions, start=1):
        option, rules = _evaluate(rank, pos, therapies[pos.key], patient, overrides)
        used_rules |= rules
        options.append(option)
    unused = {o.rule_id for o in overrides} - used_rules
    if unused:
        raise InvalidInputError("override", "the id of a blocking finding of these options", sorted(unused)[0])
    return options


def _guideline_notes(chosen: Guideline, *, liver_disease: bool) -> list[str]:
    """What the reader must know about the chosen guideline and how liver disease was read."""
    notes = []
    if chosen is Guideline.NHS_SCOTLAND_ABI:
        notes.append("NHS Scotland ABI guidance is written for acquired brain injury, not MS.")
    if chosen is Guideline.NICE:
        notes.append(
            "NICE NG220 spasticity text was not retrievable: only baclofen/gabapentin first and tizanidine "
            "second are confirmed (via MS Trust); other positions are UNCONFIRMED."
        )
    if liver_disease:
        notes.append("Liver disease was treated as active hepatic disease (dantrolene contraindication).")
    return notes


def _plan_switch(
    switch_to: str,
    options: Sequence[AlternativeOption],
    patient: _AdvisedPatient,
    values: SettingValues,
    *,
    from_mg_per_day: float | None,
    months_on_therapy: float | None,
    start_date: date | None,
    taper_settings: Mapping[str, Any] | None = None,
) -> tuple[CrossTaperPlan | None, tuple[Finding, ...], list[str]]:
    """The switch to ``switch_to``: refused (its blocking findings) when the option is excluded, a cross-taper plan
    when the baclofen dose is given, else a note asking for it; an option that cannot be offered is an error."""
    target = _find_option(options, switch_to)
    if target.status is OptionStatus.EXCLUDED:
        refused = tuple(f for f in target.findings if f.is_blocking)
        return None, refused, [f"Switch to {target.name} refused: it is excluded for this patient."]
    if target.status in (OptionStatus.TRIED, OptionStatus.CURRENT, OptionStatus.NOT_APPLICABLE):
        raise InvalidInputError("switch_to", f"an option that can be offered (not {target.status.value})", switch_to)
    if from_mg_per_day is None:
        return None, (), ["Give the current baclofen daily dose and a start date to get a cross-taper plan."]
    if start_date is None:
        raise InvalidInputError("start_date", "the first day of the cross-taper (YYYY-MM-DD)", None)
    kidney = patient.kidney
    snapshot = PatientSnapshot(
        age_years=patient.age_years,
        sex=patient.sex,
        locale=patient.locale,
        crcl_ml_min=None if kidney is None or kidney.dialysis else kidney.crcl_ml_min,
        dialysis=bool(kidney and kidney.dialysis),
    )
    interaction_ids = {r.rule_id for r in INTERACTION_RULES}
    cross = plan_cross_taper(
        start_date=start_date,
        from_mg_per_day=from_mg_per_day,
        new_drug=target.key,
        patient=snapshot,
        months_on_therapy=months_on_therapy,
        taper_settings=taper_settings,
        settings={k: v for k, v in values.overrides().items() if k == CROSS_TAPER_START_DAY.name},
        overrides=[
            f.overridden_by for f in target.findings if f.overridden_by is not None and f.rule_id in interaction_ids
        ],
        current_drugs=patient.others,
    )
    return cross, (), []


def _find_option(options: Sequence[AlternativeOption], name: str) -> AlternativeOption:
    key = name.strip().lower().replace("_", "-")
    for o in options:
        if o.key == key:
            return o
    match = CATALOGUE.find(name)
    if match is not None:
        for o in options:
            if o.key == match.drug.key or (
                o.key == "botulinum-toxin" and match.drug.has_class(DrugClass.BOTULINUM_TOXIN)
            ):
                return o
    raise InvalidInputError("switch_to", f"one of the options: {', '.join(o.key for o in options)}", name)


def _evaluate(
    rank: int, pos: Position, therapy: Therapy, patient: _AdvisedPatient, overrides: Sequence[Override]
) -> tuple[AlternativeOption, set[str]]:
    """The option at ``rank``: its status and reasons for this patient, and the override rule ids it used."""
    status, reasons = _position_for(pos, patient)
    drug = CATALOGUE.get(therapy.drug_key) if therapy.drug_key else None
    findings: list[Finding] = []
    if drug is not None and status not in (OptionStatus.TRIED, OptionStatus.NOT_APPLICABLE):
        findings.extend(interactions_between(drug, [d for d in patient.others if d.key != drug.key]))
        ci = screen_contraindications(
            drug,
            patient.conditions,
            age_years=patient.age_years,
            sex=patient.sex,
            kidney=patient.kidney,
            dantrolene_hepatotoxicity_age_years=patient.dantrolene_hepatotoxicity_age_years,
        )
        findings.extend(ci.findings)
    mine = [o for o in overrides if any(f.rule_id == o.rule_id and f.severity is Severity.BLOCK for f in findings)]
    final = apply_overrides(sort_findings(findings), mine) if mine else sort_findings(findings)
    if status is None:
        status = _status_from_findings(final)
    elif status is OptionStatus.CAUTION and any(f.is_blocking for f in final):
        status = OptionStatus.EXCLUDED
    if status is OptionStatus.EXCLUDED:
        for f in final:
            if f.is_blocking:
                reasons.append(Cited(f"excluded: {f.message}", f.evidence))
    evidence = tuple(dict.fromkeys(pos.evidence + tuple(k for c in therapy.dose for k in c.evidence)))
    option = AlternativeOption(
        rank,
        pos.key,
        therapy.name,
        pos.line,
        pos.status,
        status,
        tuple(reasons),
        therapy.dose,
        therapy.monitoring,
        final,
        evidence,
    )
    return option, {o.rule_id for o in mine}


def _position_for(pos: Position, patient: _AdvisedPatient) -> tuple[OptionStatus | None, list[Cited]]:
    """What the option's place and the patient decide before any screening: a status (tried, current, not
    applicable, caution; ``None``: the findings decide) and the reasons."""
    reasons: list[Cited] = []
    status: OptionStatus | None = None
    outcome = patient.outcome
    if pos.status is not EvidenceStatus.CONFIRMED:
        reasons.append(Cited(f"position {pos.status.value}: {pos.line}", pos.evidence))
    if pos.key == "baclofen":
        if outcome.tried_and_stopped_working:
            status = OptionStatus.TRIED
            reasons.append(Cited(f"oral baclofen already tried: {outcome.value}", pos.evidence))
        elif outcome is BaclofenOutcome.CURRENT:
            status = OptionStatus.CURRENT
            reasons.append(Cited("oral baclofen is the current treatment", pos.evidence))
        reasons.extend(_kidney_reasons(patient.kidney))
    elif pos.key == "botulinum-toxin":
        if not patient.focal:
            status = OptionStatus.NOT_APPLICABLE
            reasons.append(Cited("for focal spasticity; this patient's spasticity is generalised", ("S84",)))
        else:
            reasons.append(Cited("focal spasticity: botulinum toxin with stretching and physiotherapy", ("S84",)))
    elif pos.key == "intrathecal-baclofen":
        if not patient.severe:
            status = OptionStatus.NOT_APPLICABLE
            reasons.append(Cited("for severe spasticity", ("S37",)))
        elif not outcome.tried_and_stopped_working:
            reasons.append(
                Cited(
                    "for spinal-origin spasticity ITB is reserved for patients unresponsive to oral "
                    "baclofen or with intolerable CNS effects at effective doses; a positive screening "
                    "dose is required",
                    ("S37", "S35"),
                )
            )
            status = OptionStatus.CAUTION
        else:
            reasons.append(
                Cited(
                    "severe spasticity after oral baclofen " + outcome.value + ": ITB after a positive screening dose",
                    ("S37", "S35"),
                )
            )
    elif pos.key == "nabiximols":
        reasons.append(
            Cited(
                "NICE NG144: for moderate to severe MS spasticity when other pharmacological treatments "
                "are not effective",
                ("S85", "S87"),
            )
        )
    elif pos.key == "physiotherapy":
        reasons.append(Cited("always, before and alongside drug treatment", ("S26", "S27", "S84")))
    return status, reasons


# --- cross-taper ----------------------------------------------------------------------------------------------------


def _new_drug_steps(key: str, start: date, locale: Locale) -> tuple[tuple[tuple[date, str], ...], date | None]:
    d = timedelta
    if key == "tizanidine":
        if locale is Locale.UK:
            return ((start, "2 mg once daily"),), start + d(days=3)
        return ((start, "2 mg (may repeat every 6-8 h, up to 3 doses in 24 h)"),), start + d(days=1)
    if key == "gabapentin":
        return ((start, "300 mg/day"), (start + d(days=1), "600 mg/day"), (start + d(days=2), "900 mg/day")), start + d(
            days=3
        )
    if key == "dantrolene":
        if locale is Locale.UK:
            return ((start, "25 mg daily"),), start + d(days=7)
        return (
            (start, "25 mg daily"),
            (start + d(days=7), "25 mg three times daily"),
            (start + d(days=14), "50 mg three times daily"),
            (start + d(days=21), "100 mg three times daily"),
        ), None
    if key == "diazepam":
        return ((start, "2.5 mg at night"),), None
    if key == "clonazepam":
        return ((start, "0.5 mg at night"),), None
    if key == "nabiximols":
        return ((start, "start titration (over 2 weeks)"),), None
    raise InvalidInputError(
        "new_drug", f"a drug with a cited titration start: {', '.join(sorted(NEW_DRUG_START_RULES))}", key
    )


def plan_cross_taper(
    *,
    start_date: date,
    from_mg_per_day: float,
    new_drug: str,
    patient: PatientSnapshot | None = None,
    months_on_therapy: float | None = None,
    taper_settings: Mapping[str, Any] | None = None,
    settings: Mapping[str, Any] | None = None,
    overrides: Iterable[Override] = (),
    current_drugs: Iterable[str | Drug] = (),
) -> CrossTaperPlan:
    """Taper oral baclofen to zero with the oral planner and start the new drug alongside it.

    Parameters
    ----------
    start_date
        Day of the first baclofen reduction.
    from_mg_per_day
        Current oral baclofen daily dose (mg/day).
    new_drug
        ``tizanidine``, ``gabapentin``, ``dantrolene``, ``diazepam``, ``clonazepam`` or ``nabiximols``.
    patient
        Locale and kidney function for the taper.
    months_on_therapy
        Time on baclofen (months); long high-dose use lengthens the taper.
    taper_settings
        Overrides of the taper planner's settings.
    settings
        ``cds.cross_taper.new_drug_start_day`` override.
    overrides
        Overrides of blocking taper findings or of a blocking interaction of the new drug.
    current_drugs
        The patient's other medicines (names or catalogue entries): the new drug is screened against them
        and baclofen, so that a ``block`` (tizanidine with ciprofloxacin or fluvoxamine) makes the plan not
        offerable unless overridden. Unknown names are listed in the notes as NOT checked.

    The taper is never abrupt (the planner's rules), and the withdrawal signs travel with its findings.
    """
    patient = patient or PatientSnapshot()
    key = _new_drug_key(new_drug)
    values = SettingValues([CROSS_TAPER_START_DAY], settings, field="setting")
    offset = int(values.get(CROSS_TAPER_START_DAY))
    others, unknown = _other_drugs(current_drugs, key)
    overlap = sort_findings(interactions_between(CATALOGUE.get(key), others))
    overrides = tuple(overrides)
    blocking_ids = {f.rule_id for f in overlap if f.severity is Severity.BLOCK}
    mine = [o for o in overrides if o.rule_id in blocking_ids]
    if mine:
        overlap = apply_overrides(overlap, mine)
    taper = _baclofen_taper(
        start_date,
        from_mg_per_day,
        patient,
        months_on_therapy,
        taper_settings,
        [o for o in overrides if o.rule_id not in blocking_ids],
    )
    last_day = taper.steps[-1].start
    if offset > (last_day - taper.start).days:
        raise InvalidInputError(
            CROSS_TAPER_START_DAY.name, f"at most {(last_day - taper.start).days} (the day baclofen stops)", offset
        )
    new_start = taper.start + timedelta(days=offset)
    steps, next_increase = _new_drug_steps(key, new_start, patient.locale)
    rule = NEW_DRUG_START_RULES[key][1 if patient.locale is Locale.UK else 0]
    notes = [
        f"Baclofen is tapered from {from_mg_per_day:g} mg/day to zero by {last_day.isoformat()} (never abruptly); "
        f"{key} starts on {new_start.isoformat()}.",
        "No source gives a cross-taper schedule: the overlap is a clinician's choice "
        f"({CROSS_TAPER_START_DAY.name} = {offset}).",
    ]
    if key == "tizanidine":
        notes.append(
            "Order liver tests (aminotransferases) before starting tizanidine and check the medication list "
            "for CYP1A2 inhibitors."
        )
    for query in unknown:
        notes.append(f"'{query}' is not in the drug catalogue: its interactions with {key} were NOT checked.")
    if not is_offerable(overlap):
        notes.append(
            f"Not offerable: a blocking interaction of {key} stands (override it with a reason or choose another drug)."
        )
    return CrossTaperPlan(
        taper,
        NewDrugStart(key, new_start, steps, rule, next_increase),
        overlap,
        tuple(notes),
        values.used(),
    )


def _new_drug_key(new_drug: str) -> str:
    """The option key of the new drug (a catalogue name is resolved); one without a cited titration start is an
    error on ``new_drug``."""
    key = new_drug.strip().lower()
    match = CATALOGUE.find(new_drug)
    if match is not None:
        key = match.drug.key
    if key not in NEW_DRUG_START_RULES:
        raise InvalidInputError(
            "new_drug", f"a drug with a cited titration start: {', '.join(sorted(NEW_DRUG_START_RULES))}", new_drug
        )
    return key


def _other_drugs(current_drugs: Iterable[str | Drug], key: str) -> tuple[list[Drug], list[str]]:
    """What the new drug is screened against: baclofen and the patient's other medicines (names resolved in the
    catalogue), the new drug itself left out; and the names not in the catalogue."""
    others: list[Drug] = [CATALOGUE.get("baclofen")]
    unknown: list[str] = []
    names: list[str] = []
    for item in current_drugs:
        if isinstance(item, Drug):
            others.append(item)
        else:
            names.append(item)
    if names:
        lookup = resolve_drugs(parse_name_list(names, "drugs"))
        others.extend(lookup.drugs)
        unknown = [u.query for u in lookup.unknown]
    return [d for d in others if d.key != key], unknown


def _baclofen_taper(
    start_date: date,
    from_mg_per_day: float,
    patient: PatientSnapshot,
    months_on_therapy: float | None,
    taper_settings: Mapping[str, Any] | None,
    overrides: Sequence[Override],
) -> Plan:
    """The oral planner's taper of baclofen to zero (:func:`baclofen.domain.oral.taper.plan_taper`); a dose the
    default tablets cannot taper is an error on ``from_mg_per_day``."""
    try:
        return plan_taper(
            start_date=start_date,
            from_mg_per_day=from_mg_per_day,
            patient=patient,
            months_on_therapy=months_on_therapy,
            settings=taper_settings,
            overrides=overrides,
        )
    except InvalidInputError as exc:
        if exc.field != "product":
            raise
        # The cross-taper uses the locale's default tablets and takes no product: the dose is what to change.
        raise InvalidInputError(
            "from_mg_per_day",
            f"a daily dose that {exc.actual} can taper in measurable amounts (a cross-taper uses the default "
            "tablets; a smaller dose needs an oral solution and its own taper plan)",
            from_mg_per_day,
        ) from None


__all__ = [
    "ADVISOR_SETTINGS",
    "CROSS_TAPER_START_DAY",
    "DANTROLENE_NO_BENEFIT_DAYS",
    "GUIDELINE",
    "ORDERINGS",
    "TIZANIDINE_LFT_SCHEDULE",
    "AlternativeOption",
    "AlternativesAdvice",
    "BaclofenOutcome",
    "Cited",
    "CrossTaperPlan",
    "Guideline",
    "NewDrugStart",
    "OptionStatus",
    "advise_alternatives",
    "parse_guideline",
    "parse_outcome",
    "plan_cross_taper",
]
