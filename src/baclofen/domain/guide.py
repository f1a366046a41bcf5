"""The patient guide, generated from the knowledge base (issue 12 item 6).

:func:`build_patient_guide` writes a plain-language guide for people who take baclofen: what it is, oral and
intrathecal baclofen side by side, side effects, why it must never be stopped abruptly, interactions, driving and
alcohol, alternatives and answers to common questions. It is never hand-copied prose that can drift from the
rules: every number in it is a named constant, a setting's value or a value computed from them, written into a
template that holds no digit (each :class:`GuideStatement` keeps its ``template`` and ``values``), and each
statement names its sources (keys of the reference catalogue, :mod:`baclofen.domain.evidence`), the rules it
speaks for and the settings whose values it shows. A clinic that changes a setting (a longer taper, another
refill margin, another guideline) gets a guide that says so; a value whose sources disagree or that is an
assumption carries a caveat saying so.

>>> guide = build_patient_guide(locale=Locale.UK)
>>> [s.text for s in guide.statements() if s.statement_id == "never-stop-abruptly.taper"][0][:60]
'To stop baclofen, your clinic lowers the dose step by step o'
>>> guide.statement("oral-vs-intrathecal.dose.oral").values_dict()["max_daily_dose_mg"]
100
"""

from __future__ import annotations

import math
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from baclofen.domain.cds.alternatives import GUIDELINE
from baclofen.domain.cds.drugs import DrugClass
from baclofen.domain.cds.interactions import INTERACTIONS, Interaction
from baclofen.domain.cds.scales import NABIXIMOLS_CONTINUATION_FRACTION, NABIXIMOLS_TRIAL_WEEKS
from baclofen.domain.cds.therapies import DANTROLENE_NO_BENEFIT_DAYS, ORDERINGS, Guideline
from baclofen.domain.documents import PATIENT_GUIDE_SCHEMA, SCHEMA_VERSION_KEY
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.evidence import format_citation, get_reference
from baclofen.domain.itb.dosing import MAINTENANCE_RANGE_MCG_PER_DAY
from baclofen.domain.itb.pumps import (
    MAX_REFILL_INTERVAL_DAYS,
    REPLACEMENT_LEAD_MONTHS,
    SYNCHROMED_MAX_SERVICE_LIFE_YEARS,
    SYNCHROMED_PLANNING_LIFE_YEARS,
)
from baclofen.domain.itb.reservoir import REFILL_MARGIN_DAYS
from baclofen.domain.itb.screening import OBSERVATION_HOURS, STANDARD_SCREENING_DOSES_MCG
from baclofen.domain.oral.limits import (
    CKD_HIGH_DOSE_MG_PER_DAY,
    CKD_HIGH_DOSE_RISK_RATIO,
    LABEL_DOSES_PER_DAY,
    LABEL_EVIDENCE,
    LABEL_START_DOSE_MG,
    LABEL_STEP_DOSE_MG,
    LABEL_TARGET_MG_PER_DAY,
    MAX_DAILY_DOSE_UK,
    MAX_DAILY_DOSE_US,
    STEP_INTERVAL_UK,
    STEP_INTERVAL_US,
    TAPER_LONG_TERM_DOSE_MG_PER_DAY,
    TAPER_LONG_TERM_MIN_DAYS_TO_ZERO,
    TAPER_LONG_TERM_MONTHS,
    TAPER_MIN_DAYS_TO_ZERO,
    TITRATION_DOSES_PER_DAY,
    locale_ceiling_setting,
    step_interval_setting,
)
from baclofen.domain.patient import Locale, SpasticityOrigin
from baclofen.domain.settings import EvidenceStatus, Setting, SettingUse, SettingValues, settings_to_dicts
from baclofen.domain.signs import ITB_OVERDOSE, ITB_WITHDRAWAL, ORAL_OVERDOSE, ORAL_WITHDRAWAL, SignSet

# --- cited facts that no rule reads (yet): named here, never typed into the prose -----------------------------
#: Blood levels peak 0.5-3 h after an oral dose (tablets) [S18].
ORAL_PEAK_HOURS = (0.5, 3.0)
ORAL_PEAK_EVIDENCE = ("S18",)
#: Usual optimum oral dose 40-80 mg/day (Canadian monograph) [S14].
ORAL_USUAL_OPTIMUM_MG_PER_DAY = (40.0, 80.0)
#: UK formulary: discontinue if no benefit within 6 weeks [S24].
ORAL_NO_BENEFIT_WEEKS_UK = 6
#: Most common adverse reactions (>= 15 %): drowsiness, dizziness, weakness [S6].
COMMON_ADVERSE_REACTION_MIN_PERCENT = 15
#: Intrathecal dosing gives plasma concentrations about 100 times lower than oral dosing [S31] [S120].
ITB_PLASMA_LOWER_FACTOR = 100
#: Intrathecal bolus: onset 0.5-1 h, peak about 4 h [S32] [S39].
ITB_BOLUS_ONSET_HOURS = (0.5, 1.0)
ITB_BOLUS_PEAK_HOURS = 4.0
#: Screening response reported by the manufacturer: 97 % positive in spinal-origin spasticity [S35].
ITB_SCREENING_RESPONSE_PERCENT_SPINAL = 97
#: Refill intervals are usually 2-6 months [S65] [S107].
USUAL_REFILL_INTERVAL_MONTHS = (2, 6)
#: Intrathecal withdrawal usually starts within 1-3 days of stopping [S70].
ITB_WITHDRAWAL_ONSET_DAYS = (1, 3)

#: The settings the guide reads (a caller may override any of them by name).
GUIDE_SETTINGS: tuple[Setting, ...] = (
    MAX_DAILY_DOSE_US,
    MAX_DAILY_DOSE_UK,
    STEP_INTERVAL_US,
    STEP_INTERVAL_UK,
    TAPER_MIN_DAYS_TO_ZERO,
    TAPER_LONG_TERM_MIN_DAYS_TO_ZERO,
    TAPER_LONG_TERM_MONTHS,
    TAPER_LONG_TERM_DOSE_MG_PER_DAY,
    REFILL_MARGIN_DAYS,
    MAX_REFILL_INTERVAL_DAYS,
    REPLACEMENT_LEAD_MONTHS,
    SYNCHROMED_PLANNING_LIFE_YEARS,
    GUIDELINE,
    DANTROLENE_NO_BENEFIT_DAYS,
)

#: The topics the guide covers, in order (issue 12 item 6), with their titles.
TOPICS: Mapping[str, str] = {
    "what-is-baclofen": "What baclofen is and how it works",
    "oral-vs-intrathecal": "Baclofen by mouth and by pump, side by side",
    "side-effects": "Side effects: common and serious",
    "never-stop-abruptly": "Never stop baclofen suddenly",
    "interactions": "Other medicines: tell your doctor",
    "driving-and-alcohol": "Driving and alcohol",
    "alternatives": "Other treatments for spasticity",
    "questions": "Common questions",
}

#: Emergency telephone numbers by locale (for the disclaimer).
_EMERGENCY = {Locale.US: "911", Locale.UK: "999"}

DISCLAIMER = (
    "This guide is decision support, not medical advice. It explains baclofen in general and does not replace "
    "your doctor, nurse or pharmacist: talk to your clinic before you start, change or stop any medicine. "
    "In an emergency call {emergency}."
)

_CAVEATS = {
    EvidenceStatus.DISAGREE: "the sources disagree on this value",
    EvidenceStatus.UNCONFIRMED: "no primary source confirms this value",
    EvidenceStatus.ASSUMPTION: "this value is a working assumption, not taken from a source",
}


# --- the document ------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class GuideStatement:
    """One plain-language statement: its text (``template`` filled with ``values``), its sources (reference keys),
    the rules it speaks for, the settings whose values it shows, and a caveat where the evidence is weak."""

    statement_id: str
    template: str
    values: tuple[tuple[str, Any], ...]
    sources: tuple[str, ...]
    rule_ids: tuple[str, ...] = ()
    settings: tuple[str, ...] = ()
    caveat: str | None = None
    #: A list that follows the text (warning signs), each item plain words without a number.
    items: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.sources:
            raise InvalidInputError(f"guide statement {self.statement_id}.sources", "at least one source", ())
        for key in self.sources:
            get_reference(key)  # an unknown key raises, naming the keys

    @property
    def text(self) -> str:
        return self.template.format(**{name: _format_value(value) for name, value in self.values})

    def values_dict(self) -> dict[str, Any]:
        return dict(self.values)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.statement_id,
            "text": self.text,
            "values": self.values_dict(),
            "sources": [_source_dict(key) for key in self.sources],
            "rule_ids": list(self.rule_ids),
            "setting_names": list(self.settings),
            "caveat": self.caveat,
            "items": list(self.items),
        }


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One aspect of oral and intrathecal baclofen side by side."""

    aspect_id: str
    aspect: str
    oral: GuideStatement
    intrathecal: GuideStatement

    def to_dict(self) -> dict[str, Any]:
        return {
            "aspect_id": self.aspect_id,
            "aspect": self.aspect,
            "oral": self.oral.to_dict(),
            "intrathecal": self.intrathecal.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class GuideSection:
    """One topic: a title, statements and (for the side-by-side topic) comparison rows."""

    topic_id: str
    title: str
    statements: tuple[GuideStatement, ...] = ()
    comparison: tuple[ComparisonRow, ...] = ()

    def all_statements(self) -> Iterator[GuideStatement]:
        for row in self.comparison:
            yield row.oral
            yield row.intrathecal
        yield from self.statements

    def to_dict(self) -> dict[str, Any]:
        return {
            "topic_id": self.topic_id,
            "title": self.title,
            "comparison": [row.to_dict() for row in self.comparison],
            "statements": [s.to_dict() for s in self.statements],
        }


@dataclass(frozen=True, slots=True)
class PatientGuide:
    """The guide for one locale with the settings it used (``baclofen-patient-guide/1``)."""

    locale: Locale
    title: str
    disclaimer: str
    sections: tuple[GuideSection, ...]
    settings: tuple[SettingUse, ...]

    def section(self, topic_id: str) -> GuideSection:
        for section in self.sections:
            if section.topic_id == topic_id:
                return section
        raise InvalidInputError("topic_id", f"one of {', '.join(TOPICS)}", topic_id)

    def statements(self) -> Iterator[GuideStatement]:
        for section in self.sections:
            yield from section.all_statements()

    def statement(self, statement_id: str) -> GuideStatement:
        for statement in self.statements():
            if statement.statement_id == statement_id:
                return statement
        raise InvalidInputError("statement_id", "the id of a statement of the guide", statement_id)

    def source_keys(self) -> tuple[str, ...]:
        """Every source the guide cites, in order of first use."""
        return tuple(dict.fromkeys(key for s in self.statements() for key in s.sources))

    def to_dict(self) -> dict[str, Any]:
        return {
            SCHEMA_VERSION_KEY: PATIENT_GUIDE_SCHEMA,
            "locale": self.locale.value,
            "title": self.title,
            "disclaimer": self.disclaimer,
            "sections": [s.to_dict() for s in self.sections],
            "references": [_source_dict(key) for key in self.source_keys()],
            "settings": settings_to_dicts(self.settings),
        }


def _format_value(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return str(int(value))
    return f"{value:g}"


def _source_dict(key: str) -> dict[str, Any]:
    ref = get_reference(key)
    url = next((part for part in ref.location.split() if part.startswith(("http://", "https://"))), None)
    return {
        "key": ref.key,
        "title": ref.title,
        "url": url,
        "authority": ref.authority.value,
        "citation": format_citation(key),
    }


# --- building statements -------------------------------------------------------------------------------------------
class _Builder:
    """Reads settings through one :class:`SettingValues` and builds statements that record what they used."""

    def __init__(self, values: SettingValues, locale: Locale) -> None:
        self.values = values
        self.locale = locale

    def get(self, setting: Setting) -> Any:
        return self.values.get(setting)

    def say(
        self,
        statement_id: str,
        template: str,
        sources: Iterable[str],
        *,
        values: Mapping[str, Any] | None = None,
        rules: Iterable[str] = (),
        settings: Iterable[Setting] = (),
        caveat: str | None = None,
        items: Iterable[str] = (),
    ) -> GuideStatement:
        used = tuple(settings)
        notes = [caveat] if caveat else []
        weak = sorted({s.status for s in used if s.status in _CAVEATS}, key=lambda s: s.value)
        if weak:
            joined = "; ".join(_CAVEATS[status] for status in weak) + "; your clinic may use a different value."
            notes.append(joined[0].upper() + joined[1:])
        keys = [*sources, *(key for s in used for key in s.evidence)]
        return GuideStatement(
            statement_id,
            template,
            tuple((values or {}).items()),
            tuple(dict.fromkeys(keys)),
            tuple(rules),
            tuple(s.name for s in used),
            " ".join(notes) or None,
            tuple(dict.fromkeys(items)),
        )


#: Plain words for each warning sign of :mod:`baclofen.domain.signs` (a sign added there needs its words here).
PLAIN_SIGNS: Mapping[str, str] = {
    "hallucinations": "seeing or hearing things that are not there",
    "seizures": "fits (seizures)",
    "high fever": "high fever",
    "altered mental status / confusion": "confusion",
    "altered mental status": "confusion",
    "exaggerated rebound spasticity": "stiffness and spasms much worse than before",
    "muscle rigidity": "rigid muscles",
    "return of baseline spasticity and rigidity": "your old stiffness coming back",
    "pruritus without rash": "itching without a rash",
    "tachycardia": "a fast heartbeat",
    "piloerection": "goose bumps",
    "labile blood pressure": "blood pressure going up and down",
    "priapism": "a painful erection that does not go away",
    "somnolence, depressed consciousness": "being very sleepy or hard to wake",
    "respiratory depression": "slow or shallow breathing",
    "coma": "not waking up",
    "confusion": "confusion",
    "muscular hypotonia": "very floppy, weak muscles",
    "hypothermia": "low body temperature",
    "bradycardia or tachycardia": "a very slow or very fast heartbeat",
    "hypotension": "low blood pressure",
    "vomiting": "vomiting",
    "drowsiness": "drowsiness",
    "lightheadedness, dizziness": "light-headedness or dizziness",
    "somnolence": "being very sleepy",
    "rostral progression of hypotonia": "weakness spreading up the body",
    "loss of consciousness, coma": "passing out or not waking up",
}


def plain_signs(signs: SignSet) -> tuple[str, ...]:
    """The signs of ``signs`` in plain words, in order, each once."""
    return tuple(dict.fromkeys(PLAIN_SIGNS[sign] for sign in signs.signs))


def label_target_day(step_interval_days: int) -> int:
    """The day on which the label schedule (start dose three times a day, one step per interval) first gives the
    label target daily dose: 5 mg three times a day plus 5 mg a dose every 3 days reaches 60 mg/day on day 10."""
    start = LABEL_START_DOSE_MG * LABEL_DOSES_PER_DAY
    step = LABEL_STEP_DOSE_MG * LABEL_DOSES_PER_DAY
    steps = math.ceil((LABEL_TARGET_MG_PER_DAY - start) / step)
    return steps * step_interval_days + 1


# --- sections --------------------------------------------------------------------------------------------------------
def _about(b: _Builder) -> GuideSection:
    statements = (
        b.say(
            "what-is-baclofen.what",
            "Baclofen is a muscle relaxant. It treats spasticity: stiff, tight muscles and muscle spasms, which "
            "are common in multiple sclerosis (MS).",
            ("S4", "S116"),
        ),
        b.say(
            "what-is-baclofen.how",
            "It works on the nerves of the spinal cord. It acts like GABA, one of the body's own calming "
            "messengers, so that fewer signals reach the muscles telling them to tighten.",
            ("S18",),
        ),
        b.say(
            "what-is-baclofen.forms",
            "It can be taken by mouth (tablets, a liquid or granules). For severe spasticity it can instead be "
            "given by a small pump placed under the skin, which sends it through a thin tube straight into the "
            "fluid around the spinal cord: this is intrathecal baclofen (ITB).",
            ("S13", "S4", "S8", "S37", "S33"),
        ),
        b.say(
            "what-is-baclofen.kidneys",
            "Most of each dose leaves the body unchanged through the kidneys.",
            ("S18", "S7"),
        ),
    )
    return GuideSection("what-is-baclofen", TOPICS["what-is-baclofen"], statements)


def _compare_given_and_dose(b: _Builder) -> tuple[ComparisonRow, ...]:
    ceiling = locale_ceiling_setting(b.locale)
    interval = step_interval_setting(b.locale)
    max_mg = b.get(ceiling)
    step_days = b.get(interval)
    low, high = MAINTENANCE_RANGE_MCG_PER_DAY[SpasticityOrigin.SPINAL]
    given = ComparisonRow(
        "how-given",
        "How it is given",
        b.say(
            "oral-vs-intrathecal.how-given.oral",
            "By mouth, usually {doses_per_day} times a day (up to {max_doses_per_day} times a day at the highest "
            "doses).",
            (*LABEL_EVIDENCE,),
            values={"doses_per_day": LABEL_DOSES_PER_DAY, "max_doses_per_day": max(TITRATION_DOSES_PER_DAY)},
        ),
        b.say(
            "oral-vs-intrathecal.how-given.intrathecal",
            "A pump under the skin gives it all day and night through a thin tube into the fluid around the spinal "
            "cord. The clinic refills the pump through the skin with a needle and sets the dose with a programmer.",
            ("S37", "S33", "S63"),
        ),
    )
    dose = ComparisonRow(
        "dose",
        "Dose",
        b.say(
            "oral-vs-intrathecal.dose.oral",
            "Milligrams (mg). It starts at {start_mg} mg {doses_per_day} times a day and goes up by {step_mg} mg a "
            "dose every {step_interval_days} days until it works. The most in one day is {max_daily_dose_mg} mg "
            "({locale} limit).",
            (*LABEL_EVIDENCE,),
            values={
                "start_mg": LABEL_START_DOSE_MG,
                "doses_per_day": LABEL_DOSES_PER_DAY,
                "step_mg": LABEL_STEP_DOSE_MG,
                "step_interval_days": step_days,
                "max_daily_dose_mg": max_mg,
                "locale": b.locale.value.upper(),
            },
            rules=("ORAL-MAX-001", "ORAL-LABEL-002"),
            settings=(interval, ceiling),
            caveat=(
                f"US labels give at most {_format_value(b.get(MAX_DAILY_DOSE_US))} mg a day and UK formularies "
                f"{_format_value(b.get(MAX_DAILY_DOSE_UK))} mg a day; UK steps are often weekly rather than every "
                f"{_format_value(b.get(STEP_INTERVAL_US))} days."
            ),
        ),
        b.say(
            "oral-vs-intrathecal.dose.intrathecal",
            "Micrograms (mcg), a thousandth of a milligram. First a test dose of {first_test_mcg} mcg; after the "
            "pump is fitted, most people with spasticity from the spinal cord, MS included, need "
            "{usual_low_mcg} to {usual_high_mcg} mcg a day. People with MS may need a lower dose.",
            ("S1", "S38", "S2", "S36", "S44"),
            values={
                "first_test_mcg": STANDARD_SCREENING_DOSES_MCG[0],
                "usual_low_mcg": low,
                "usual_high_mcg": high,
            },
            rules=("ITB-SCREEN-001", "ITB-DOSE-003"),
        ),
    )
    return given, dose


def _compare_effects(b: _Builder) -> tuple[ComparisonRow, ...]:
    low, high = ORAL_USUAL_OPTIMUM_MG_PER_DAY
    side_effects = ComparisonRow(
        "side-effects",
        "Side effects",
        b.say(
            "oral-vs-intrathecal.side-effects.oral",
            "The medicine goes round the whole body: drowsiness, dizziness and weakness are the most common side "
            "effects.",
            ("S6",),
        ),
        b.say(
            "oral-vs-intrathecal.side-effects.intrathecal",
            "A much smaller dose goes straight to the spinal fluid, so the level in the blood is about "
            "{plasma_lower_factor} times lower than with tablets. The pump brings its own risks: surgery, "
            "infection, and problems with the pump or tube that can stop the medicine and cause withdrawal.",
            ("S31", "S120", "S117", "S69"),
            values={"plasma_lower_factor": ITB_PLASMA_LOWER_FACTOR},
        ),
    )
    effectiveness = ComparisonRow(
        "effectiveness",
        "How well it works",
        b.say(
            "oral-vs-intrathecal.effectiveness.oral",
            "The usual dose that works best is {usual_low_mg} to {usual_high_mg} mg a day. If it does not help, "
            "it is lowered slowly and stopped (in the UK it is stopped if there is no benefit within "
            "{no_benefit_weeks} weeks).",
            ("S14", "S24"),
            values={"usual_low_mg": low, "usual_high_mg": high, "no_benefit_weeks": ORAL_NO_BENEFIT_WEEKS_UK},
            rules=("ORAL-LABEL-001",),
        ),
        b.say(
            "oral-vs-intrathecal.effectiveness.intrathecal",
            "A pump is offered only after a test dose has worked; the maker reports that the test works in "
            "{response_percent} % of people with spasticity from the spinal cord. People who do not respond to "
            "{last_test_mcg} mcg are not given a pump.",
            ("S35", "S38", "S3"),
            values={
                "response_percent": ITB_SCREENING_RESPONSE_PERCENT_SPINAL,
                "last_test_mcg": STANDARD_SCREENING_DOSES_MCG[-1],
            },
            rules=("ITB-SCREEN-003",),
            caveat="The response figure comes from the pump medicine's maker.",
        ),
    )
    return side_effects, effectiveness


def _compare_commitment(b: _Builder) -> tuple[ComparisonRow, ...]:
    taper_days = b.get(TAPER_MIN_DAYS_TO_ZERO)
    step_days = b.get(step_interval_setting(b.locale))
    max_refill = b.get(MAX_REFILL_INTERVAL_DAYS)
    life = b.get(SYNCHROMED_PLANNING_LIFE_YEARS)
    usual_low, usual_high = USUAL_REFILL_INTERVAL_MONTHS
    reversibility = ComparisonRow(
        "reversibility",
        "Can it be undone?",
        b.say(
            "oral-vs-intrathecal.reversibility.oral",
            "Yes, but only slowly: the dose is lowered step by step over at least {taper_min_days} days, never "
            "stopped all at once.",
            (),
            values={"taper_min_days": taper_days},
            rules=("TAPER-ABRUPT-001",),
            settings=(TAPER_MIN_DAYS_TO_ZERO,),
        ),
        b.say(
            "oral-vs-intrathecal.reversibility.intrathecal",
            "Yes. The dose is changed by reprogramming the pump, without surgery. If the pump is no longer wanted, "
            "the dose is lowered slowly and the pump can be removed by an operation.",
            ("S57", "S63", "S69"),
            rules=("ITB-TITR-004",),
        ),
    )
    commitment = ComparisonRow(
        "commitment",
        "What it asks of you",
        b.say(
            "oral-vs-intrathecal.commitment.oral",
            "Taking every dose, every day. The dose goes up slowly at first: on the usual schedule it reaches "
            "{target_mg} mg a day on day {target_day}.",
            (*LABEL_EVIDENCE,),
            values={"target_mg": LABEL_TARGET_MG_PER_DAY, "target_day": label_target_day(step_days)},
            settings=(step_interval_setting(b.locale),),
        ),
        b.say(
            "oral-vs-intrathecal.commitment.intrathecal",
            "An operation to fit the pump, and refills at the clinic for as long as you have it: usually every "
            "{usual_low_months} to {usual_high_months} months, and at least every {max_refill_days} days because "
            "the medicine in the pump must be fresh. The pump is replaced by another operation when its battery "
            "runs down (planned after about {service_life_years} years for a SynchroMed II pump).",
            ("S65", "S107", "S55"),
            values={
                "usual_low_months": usual_low,
                "usual_high_months": usual_high,
                "max_refill_days": max_refill,
                "service_life_years": life,
            },
            rules=("PUMP-FCST-002", "PUMP-BATT-001"),
            settings=(MAX_REFILL_INTERVAL_DAYS, SYNCHROMED_PLANNING_LIFE_YEARS),
        ),
    )
    return reversibility, commitment


def _oral_vs_intrathecal(b: _Builder) -> GuideSection:
    rows = (*_compare_given_and_dose(b), *_compare_effects(b), *_compare_commitment(b))
    return GuideSection("oral-vs-intrathecal", TOPICS["oral-vs-intrathecal"], comparison=rows)


def _side_effects(b: _Builder) -> GuideSection:
    statements = (
        b.say(
            "side-effects.common",
            "The most common side effects, in at least {min_percent} % of people, are drowsiness, dizziness and "
            "weakness. Others include tiredness, confusion, low blood pressure, feeling sick and passing urine "
            "more often.",
            ("S6", "S112"),
            values={"min_percent": COMMON_ADVERSE_REACTION_MIN_PERCENT},
        ),
        b.say(
            "side-effects.overdose",
            "Too much baclofen is serious. Get emergency help if you notice any of these signs:",
            ORAL_OVERDOSE.evidence,
            rules=("RISK-ORAL-MAX-001", "DIARY-OVERDOSE-001", "DIARY-BREATHING-001"),
            items=plain_signs(ORAL_OVERDOSE),
        ),
        b.say(
            "side-effects.pump-overdose",
            "With a pump, too much baclofen is most likely while the dose is being set, and after a refill or a "
            "change to the pump. Get emergency help if you notice any of these signs:",
            ITB_OVERDOSE.evidence,
            rules=("DIARY-OVERDOSE-001", "RISK-PROGRAM-001"),
            items=plain_signs(ITB_OVERDOSE),
        ),
        b.say(
            "side-effects.kidneys",
            "If your kidneys do not work well, baclofen can build up even at low doses: tell your clinic about "
            "kidney disease. In people with kidney disease, more than {ckd_high_dose_mg} mg a day carried a "
            "{risk_ratio}-fold risk of a hospital stay for confusion.",
            ("S111", "S23"),
            values={"ckd_high_dose_mg": CKD_HIGH_DOSE_MG_PER_DAY, "risk_ratio": CKD_HIGH_DOSE_RISK_RATIO},
            rules=("ORAL-RENAL-004", "RISK-KIDNEY-002"),
        ),
        b.say(
            "side-effects.conditions",
            "Baclofen may make epilepsy, psychotic illness, confusion or autonomic dysreflexia worse: tell your "
            "clinic if you have any of these.",
            ("S6",),
            rules=("ORAL-EPILEPSY-001", "ORAL-PSYCHOSIS-001", "ORAL-DYSREFLEXIA-001"),
        ),
        b.say(
            "side-effects.pregnancy",
            "If you are pregnant, planning a pregnancy or breastfeeding, talk to your clinic: baclofen passes into "
            "breast milk, and babies have had withdrawal after birth or when breastfeeding stopped.",
            ("S6", "S4", "S114"),
            rules=("ORAL-PREGNANCY-001", "ORAL-LACTATION-001"),
        ),
    )
    return GuideSection("side-effects", TOPICS["side-effects"], statements)


def _never_stop(b: _Builder) -> GuideSection:
    taper_days = b.get(TAPER_MIN_DAYS_TO_ZERO)
    long_days = b.get(TAPER_LONG_TERM_MIN_DAYS_TO_ZERO)
    long_months = b.get(TAPER_LONG_TERM_MONTHS)
    long_dose = b.get(TAPER_LONG_TERM_DOSE_MG_PER_DAY)
    margin = b.get(REFILL_MARGIN_DAYS)
    onset_low, onset_high = ITB_WITHDRAWAL_ONSET_DAYS
    statements = (
        b.say(
            "never-stop-abruptly.why",
            "Stopping baclofen suddenly, for whatever reason, can cause withdrawal. In rare cases withdrawal has "
            "led to muscle breakdown, organ failure and death. Call your clinic the same day if you notice any of "
            "these signs; fits, high fever or confusion need emergency care:",
            ORAL_WITHDRAWAL.evidence,
            rules=("RISK-ORAL-STOP-001", "TAPER-ABRUPT-001", "DIARY-WITHDRAWAL-001"),
            items=plain_signs(ORAL_WITHDRAWAL),
        ),
        b.say(
            "never-stop-abruptly.taper",
            "To stop baclofen, your clinic lowers the dose step by step over at least {taper_min_days} days "
            "(at least {long_term_min_days} days if you have taken {long_term_dose_mg} mg a day or more for "
            "{long_term_months} months or longer), and longer if withdrawal signs appear.",
            (),
            values={
                "taper_min_days": taper_days,
                "long_term_min_days": long_days,
                "long_term_months": long_months,
                "long_term_dose_mg": long_dose,
            },
            rules=("TAPER-ABRUPT-001", "TAPER-LONGTERM-001"),
            settings=(
                TAPER_MIN_DAYS_TO_ZERO,
                TAPER_LONG_TERM_MIN_DAYS_TO_ZERO,
                TAPER_LONG_TERM_MONTHS,
                TAPER_LONG_TERM_DOSE_MG_PER_DAY,
            ),
        ),
        b.say(
            "never-stop-abruptly.missed-doses",
            "Do not skip doses or run out. If you cannot take your tablets (for example when you are being sick or "
            "before an operation), tell your clinic straight away.",
            ("S4", "S9"),
            rules=("RISK-ORAL-MISSED-001", "RISK-ORAL-PLANNED-STOP-001"),
        ),
        b.say(
            "never-stop-abruptly.pump",
            "With a pump, withdrawal happens when the pump runs empty or stops, or the tube is blocked. Keep every "
            "refill appointment: your clinic plans each refill at least {refill_margin_days} days before the "
            "pump's low-reservoir alarm. If the pump alarm sounds, call your clinic straight away.",
            ("S118", "S69", "S56", "S60"),
            values={"refill_margin_days": margin},
            rules=("PUMP-FCST-005", "PUMP-REFILL-003", "RISK-REFILL-001"),
            settings=(REFILL_MARGIN_DAYS,),
        ),
        b.say(
            "never-stop-abruptly.pump-signs",
            "Pump withdrawal usually starts within {onset_low_days} to {onset_high_days} days. It is an emergency: "
            "get help at once if you notice any of these signs:",
            (*ITB_WITHDRAWAL.evidence, "S70"),
            values={"onset_low_days": onset_low, "onset_high_days": onset_high},
            rules=("DIARY-WITHDRAWAL-001", "RISK-RESERVOIR-002"),
            items=plain_signs(ITB_WITHDRAWAL),
        ),
    )
    return GuideSection("never-stop-abruptly", TOPICS["never-stop-abruptly"], statements)


#: Plain words for each interaction row with baclofen: who (the other medicine) and what may happen.
PLAIN_INTERACTIONS: Mapping[str, tuple[str, str]] = {
    "INT-BAC-CNS-001": ("Alcohol, sleeping tablets and other medicines that make you drowsy", "much more drowsiness"),
    "INT-BAC-OPIOID-001": (
        "Strong painkillers (opioids such as morphine, oxycodone or codeine)",
        "more sleepiness and slowed breathing, which can be dangerous",
    ),
    "INT-ITB-MORPHINE-001": (
        "Morphine given into the spine, with a baclofen pump",
        "low blood pressure and breathlessness",
    ),
    "INT-BAC-BZD-001": ("Benzodiazepines such as diazepam", "more drowsiness"),
    "INT-BAC-GABA-001": ("Gabapentin or pregabalin", "more drowsiness"),
    "INT-BAC-TCA-001": ("Tricyclic antidepressants such as amitriptyline", "very weak, floppy muscles and drowsiness"),
    "INT-BAC-LITHIUM-001": ("Lithium", "more restless, uncontrolled movements"),
    "INT-BAC-MAOI-001": ("MAO-inhibitor antidepressants", "more drowsiness"),
    "INT-BAC-ANTIHYPERTENSIVE-001": ("Blood pressure medicines", "blood pressure falling further"),
    "INT-BAC-LEVODOPA-001": (
        "Levodopa, for Parkinson's disease",
        "confusion, hallucinations, headache, feeling sick or agitation",
    ),
    "INT-BAC-ANTIDIABETIC-001": ("Diabetes medicines", "higher blood sugar, so they may need adjusting"),
    "INT-BAC-ANAESTHETIC-001": ("A general anaesthetic for an operation", "stronger effects of baclofen"),
    "INT-BAC-NMB-001": ("Muscle-relaxing drugs used during operations", "effects that need care"),
    "INT-BAC-IBUPROFEN-001": ("Ibuprofen", "baclofen building up, because the kidneys clear it more slowly"),
    "INT-BAC-NSAID-001": (
        "Other anti-inflammatory painkillers (NSAIDs)",
        "baclofen building up, because the kidneys may clear it more slowly",
    ),
    "INT-BAC-ORAL-ITB-001": (
        "Baclofen tablets together with a baclofen pump",
        "too much or too little baclofen unless the clinic plans the change",
    ),
}


_INTERACTION_CAVEATS = {
    EvidenceStatus.UNCONFIRMED: "Expected from how the medicines work; the medicine labels do not name it directly.",
    EvidenceStatus.PARTLY_VERIFIED: "The sources only partly confirm this.",
}


def baclofen_interactions() -> tuple[Interaction, ...]:
    """The interaction rows whose subject is oral or intrathecal baclofen."""
    return tuple(
        row
        for row in INTERACTIONS
        if DrugClass.BACLOFEN in row.subject.classes or row.subject.keys & {"baclofen", "baclofen-intrathecal"}
    )


def _interactions(b: _Builder) -> GuideSection:
    statements = [
        b.say(
            "interactions.tell",
            "Tell every doctor, nurse, dentist and pharmacist that you take baclofen, and tell your clinic about "
            "every other medicine you take, including ones you buy without a prescription. These are known to "
            "matter with baclofen:",
            ("S17", "S6"),
        )
    ]
    for row in baclofen_interactions():
        who, what = PLAIN_INTERACTIONS[row.rule_id]
        caveat = _INTERACTION_CAVEATS.get(row.status)
        statements.append(
            b.say(
                f"interactions.{row.rule_id.lower()}",
                f"{who}: {what}.",
                row.evidence,
                rules=(row.rule_id,),
                caveat=caveat,
            )
        )
    return GuideSection("interactions", TOPICS["interactions"], tuple(statements))


def _driving(b: _Builder) -> GuideSection:
    statements = (
        b.say(
            "driving-and-alcohol.driving",
            "Baclofen can make you drowsy or dizzy. Do not drive or use machines until you know how it affects you.",
            ("S6",),
            rules=("ORAL-LABEL-001",),
        ),
        b.say(
            "driving-and-alcohol.alcohol",
            "Alcohol adds to the drowsiness baclofen causes: avoid it, and ask your clinic what is safe for you.",
            ("S6", "S11", "S4"),
            rules=("INT-BAC-CNS-001",),
        ),
    )
    return GuideSection("driving-and-alcohol", TOPICS["driving-and-alcohol"], statements)


_GUIDELINE_NAMES = {
    Guideline.NICE: "the NICE guideline (UK)",
    Guideline.EUROPEAN_CONSENSUS: "the European consensus",
    Guideline.MS_IRELAND: "MS Ireland",
    Guideline.NHS_SCOTLAND_ABI: "NHS Scotland",
}


def _plain_therapy(key: str, no_benefit_days: int) -> tuple[str, dict[str, Any]]:
    """Plain words for an alternative (a template and its values)."""
    texts: dict[str, tuple[str, dict[str, Any]]] = {
        "physiotherapy": (
            "Stretching, exercise, positioning and splints, and treating what makes spasticity worse (infections, "
            "pressure sores, bladder and bowel problems)",
            {},
        ),
        "baclofen": ("Baclofen by mouth, the medicine this guide is about", {}),
        "gabapentin": ("Gabapentin, a medicine also used for nerve pain", {}),
        "tizanidine": ("Tizanidine, another muscle relaxant by mouth; it needs liver blood tests", {}),
        "dantrolene": (
            "Dantrolene, which acts on the muscles themselves; it needs liver blood tests and is stopped if it has "
            "not helped within {no_benefit_days} days",
            {"no_benefit_days": no_benefit_days},
        ),
        "diazepam": ("Diazepam at night, for spasms at night; it makes you drowsy", {}),
        "clonazepam": ("Clonazepam at night, for spasms at night; it makes you drowsy", {}),
        "nabiximols": (
            "Nabiximols, a mouth spray made from cannabis: tried for {trial_weeks} weeks and continued only if "
            "spasticity improves by at least {min_improvement_percent} %",
            {"trial_weeks": NABIXIMOLS_TRIAL_WEEKS, "min_improvement_percent": NABIXIMOLS_CONTINUATION_FRACTION * 100},
        ),
        "botulinum-toxin": (
            "Botulinum toxin injections into particular muscles, for spasticity in one area; repeated every few months",
            {},
        ),
        "intrathecal-baclofen": ("A baclofen pump (see the side-by-side comparison), for severe spasticity", {}),
    }
    return texts[key]


def _alternatives(b: _Builder) -> GuideSection:
    guideline = Guideline(b.get(GUIDELINE))
    no_benefit = b.get(DANTROLENE_NO_BENEFIT_DAYS)
    name = _GUIDELINE_NAMES[guideline]
    statements = [
        b.say(
            "alternatives.intro",
            "There are other treatments, alone or together with baclofen. Guidelines differ in the order they "
            "suggest them; they are listed here in the order of {guideline}, and your clinic may follow another.",
            (),
            values={"guideline": name},
            settings=(GUIDELINE,),
        )
    ]
    for position in ORDERINGS[guideline]:
        template, values = _plain_therapy(position.key, no_benefit)
        caveat = None
        if position.status is not EvidenceStatus.CONFIRMED:
            caveat = f"Where {name} places this option is not confirmed."
        statements.append(
            b.say(
                f"alternatives.{position.key}",
                template + ".",
                position.evidence,
                values=values,
                settings=(DANTROLENE_NO_BENEFIT_DAYS,) if values.get("no_benefit_days") is not None else (),
                caveat=caveat,
            )
        )
    return GuideSection("alternatives", TOPICS["alternatives"], tuple(statements))


def _questions(b: _Builder) -> GuideSection:
    step_days = b.get(step_interval_setting(b.locale))
    lead = b.get(REPLACEMENT_LEAD_MONTHS)
    statements = (
        b.say(
            "questions.how-fast",
            "How fast does it work? A dose by mouth starts to work within hours: the level in the blood peaks "
            "{peak_low_h} to {peak_high_h} hours after a tablet. The full effect takes longer because the dose "
            "goes up slowly: on the usual schedule it reaches {target_mg} mg a day on day {target_day}. A pump "
            "test dose starts to work in {onset_low_h} to {onset_high_h} hour and peaks at about {peak_itb_h} "
            "hours; you are watched for {watch_low_h} to {watch_high_h} hours.",
            (*ORAL_PEAK_EVIDENCE, *LABEL_EVIDENCE, "S32", "S39", "S38"),
            values={
                "peak_low_h": ORAL_PEAK_HOURS[0],
                "peak_high_h": ORAL_PEAK_HOURS[1],
                "target_mg": LABEL_TARGET_MG_PER_DAY,
                "target_day": label_target_day(step_days),
                "onset_low_h": ITB_BOLUS_ONSET_HOURS[0],
                "onset_high_h": ITB_BOLUS_ONSET_HOURS[1],
                "peak_itb_h": ITB_BOLUS_PEAK_HOURS,
                "watch_low_h": OBSERVATION_HOURS[0],
                "watch_high_h": OBSERVATION_HOURS[1],
            },
            rules=("ITB-SCREEN-001",),
            settings=(step_interval_setting(b.locale),),
        ),
        b.say(
            "questions.pain",
            "Does it help pain? Baclofen treats spasticity; it is not a painkiller. Pain that comes from spasms "
            "and stiffness is part of what spasticity scales measure, and may ease when the spasms do. For nerve "
            "pain, gabapentin is an option your clinic may discuss.",
            ("S116", "S4", "S94", "S24"),
            caveat="No source behind this guide measures baclofen's effect on pain itself: ask your clinic.",
        ),
        b.say(
            "questions.pump-permanent",
            "Is a pump permanent? No. The dose can be changed without surgery, and the pump can be turned down "
            "slowly and removed. The pump itself is replaced by an operation when its battery runs down: this is "
            "planned about {replacement_lead_months} months ahead, and a SynchroMed II pump lasts at most "
            "{max_life_years} years.",
            ("S55", "S57", "S69"),
            values={"replacement_lead_months": lead, "max_life_years": SYNCHROMED_MAX_SERVICE_LIFE_YEARS},
            rules=("PUMP-BATT-001", "PUMP-BATT-002"),
            settings=(REPLACEMENT_LEAD_MONTHS,),
        ),
    )
    return GuideSection("questions", TOPICS["questions"], statements)


_SECTIONS = (
    _about,
    _oral_vs_intrathecal,
    _side_effects,
    _never_stop,
    _interactions,
    _driving,
    _alternatives,
    _questions,
)


def template_fields(template: str) -> tuple[str, ...]:
    """The names a template fills (``{name}``)."""
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


def build_patient_guide(settings: SettingValues | None = None, locale: Locale = Locale.US) -> PatientGuide:
    """The patient guide for ``locale`` with the settings' values (their defaults unless ``settings`` overrides
    them; ``settings`` must allow :data:`GUIDE_SETTINGS`, e.g. ``SettingValues(GUIDE_SETTINGS, overrides)``)."""
    values = settings if settings is not None else SettingValues(GUIDE_SETTINGS)
    builder = _Builder(values, locale)
    sections = tuple(build(builder) for build in _SECTIONS)
    return PatientGuide(
        locale=locale,
        title="Baclofen for spasticity in MS: a guide for patients",
        disclaimer=DISCLAIMER.format(emergency=_EMERGENCY[locale]),
        sections=sections,
        settings=values.used(),
    )


__all__ = [
    "GUIDE_SETTINGS",
    "PLAIN_INTERACTIONS",
    "PLAIN_SIGNS",
    "TOPICS",
    "ComparisonRow",
    "GuideSection",
    "GuideStatement",
    "PatientGuide",
    "baclofen_interactions",
    "build_patient_guide",
    "label_target_day",
    "plain_signs",
    "template_fields",
]
