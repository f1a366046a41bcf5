"""A patient timeline for the risk engine, and its parser from plain data (the ``risk`` JSON document).

The timeline holds what happened up to ``as_of`` (and the oral prescriptions planned after it): oral
prescription periods and missed doses, the pump
(model, implant and ERI dates, refill visits with their fill and reconciliation, program changes),
diary entries (symptoms), and the patient (kidney function ...). :func:`timeline_from_dict` checks
every field and names it in the error, e.g. ``'pump.refills[1].aspirated_ml' must be ...``. The
schema is documented in ``docs/timeline.md``.

>>> t = timeline_from_dict({"as_of": "2026-03-10T09:00:00+00:00",
...                         "diary": [{"time": "2026-03-09T20:00:00+00:00", "symptoms": ["Itchy", "feverish"]}]})
>>> [s.value for s in t.diary[0].symptoms]
['itching', 'fever']
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import Enum
from typing import Any

from baclofen.domain.dates import ISO_DATE, read_iso_date, read_iso_datetime
from baclofen.domain.documents import TIMELINE_SCHEMA
from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.itb.programs import InfusionProgram, continuous_program, parse_flex_schedule
from baclofen.domain.itb.pumps import PumpFamily, PumpModel, get_pump
from baclofen.domain.patient import Locale, PatientSnapshot, Sex, SpasticityOrigin

SCHEMA = TIMELINE_SCHEMA


class SymptomKind(Enum):
    EMERGENCY = "emergency"
    WITHDRAWAL = "withdrawal"
    OVERDOSE = "overdose"


class Symptom(Enum):
    """Diary symptoms the engine recognises; each is a withdrawal or overdose sign of clinical.md §3-§4."""

    SEIZURE = "seizure"
    HIGH_FEVER = "high fever"
    CONFUSION = "confusion"
    HALLUCINATIONS = "hallucinations"
    BREATHING_DIFFICULTY = "breathing difficulty"
    UNRESPONSIVE = "unresponsive"
    FEVER = "fever"
    ITCHING = "itching"
    REBOUND_SPASTICITY = "more spasms or stiffness"
    RIGIDITY = "muscle rigidity"
    FAST_HEARTBEAT = "fast heartbeat"
    GOOSEBUMPS = "goosebumps"
    PRIAPISM = "priapism"
    DROWSINESS = "drowsiness"
    DIZZINESS = "dizziness"
    WEAKNESS = "weakness or floppiness"
    FEELING_COLD = "feeling cold"
    VOMITING = "vomiting"

    @property
    def kind(self) -> SymptomKind:
        return _KINDS[self]


_KINDS = {
    **dict.fromkeys(
        (
            Symptom.SEIZURE,
            Symptom.HIGH_FEVER,
            Symptom.CONFUSION,
            Symptom.HALLUCINATIONS,
            Symptom.BREATHING_DIFFICULTY,
            Symptom.UNRESPONSIVE,
        ),
        SymptomKind.EMERGENCY,
    ),
    **dict.fromkeys(
        (
            Symptom.FEVER,
            Symptom.ITCHING,
            Symptom.REBOUND_SPASTICITY,
            Symptom.RIGIDITY,
            Symptom.FAST_HEARTBEAT,
            Symptom.GOOSEBUMPS,
            Symptom.PRIAPISM,
        ),
        SymptomKind.WITHDRAWAL,
    ),
    **dict.fromkeys(
        (Symptom.DROWSINESS, Symptom.DIZZINESS, Symptom.WEAKNESS, Symptom.FEELING_COLD, Symptom.VOMITING),
        SymptomKind.OVERDOSE,
    ),
}

_SYMPTOM_SYNONYMS: Mapping[Symptom, tuple[str, ...]] = {
    Symptom.SEIZURE: ("seizures", "fit", "fits", "convulsion", "convulsions"),
    Symptom.HIGH_FEVER: ("very high temperature", "hyperthermia"),
    Symptom.CONFUSION: ("confused", "altered mental status", "disoriented", "disorientated"),
    Symptom.HALLUCINATIONS: ("hallucination", "hallucinating", "seeing things"),
    Symptom.BREATHING_DIFFICULTY: (
        "trouble breathing",
        "shortness of breath",
        "slow breathing",
        "respiratory depression",
        "difficulty breathing",
    ),
    Symptom.UNRESPONSIVE: ("unconscious", "loss of consciousness", "cannot wake", "coma"),
    Symptom.FEVER: ("feverish", "temperature", "high temperature"),
    Symptom.ITCHING: ("itch", "itchy", "pruritus", "itchiness"),
    Symptom.REBOUND_SPASTICITY: (
        "more spasms",
        "spasms more frequent",
        "worse spasms",
        "spasms worse",
        "more stiffness",
        "stiffer",
        "increased spasticity",
        "rebound spasticity",
        "spasticity worse",
        "return of spasticity",
        "spasms",
    ),
    Symptom.RIGIDITY: ("rigidity", "rigid", "muscle rigidity"),
    Symptom.FAST_HEARTBEAT: ("racing heart", "tachycardia", "palpitations", "heart racing"),
    Symptom.GOOSEBUMPS: ("goose bumps", "piloerection"),
    Symptom.DROWSINESS: ("drowsy", "sleepy", "somnolence", "very sleepy"),
    Symptom.DIZZINESS: ("dizzy", "lightheaded", "light headed", "lightheadedness"),
    Symptom.WEAKNESS: ("weak", "floppy", "hypotonia", "weakness", "floppiness"),
    Symptom.FEELING_COLD: ("cold", "low temperature", "hypothermia"),
    Symptom.VOMITING: ("nausea", "vomit", "being sick", "nausea and vomiting"),
}


def _norm(text: str) -> str:
    return " ".join(text.casefold().replace("_", " ").replace("-", " ").split())


_SYMPTOM_INDEX = {
    _norm(t): s for s in Symptom for t in (s.value, s.name.replace("_", " "), *_SYMPTOM_SYNONYMS.get(s, ()))
}


def parse_symptom(text: str) -> Symptom | None:
    """The :class:`Symptom` a diary text names (any case, synonyms), or None."""
    if isinstance(text, Symptom):
        return text
    if not isinstance(text, str):
        return None
    norm = _norm(text)
    # "feels feverish", "I feel very dizzy", "feeling sleepy": the sign without the lead-in words a diary adds,
    # dropped one at a time so that the longest known phrase wins ("very high temperature")
    while norm not in _SYMPTOM_INDEX:
        shorter = _LEAD_IN.sub("", norm, count=1)
        if shorter == norm:
            return None
        norm = shorter
    return _SYMPTOM_INDEX[norm]


_LEAD_IN = re.compile(r"^(?:i|i'?m|am|feels?|feeling|felt|was|is|very|a bit|quite|really)\s+")


# --- timeline values ---------------------------------------------------------------------------------------------


def _aware(value: Any, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise InvalidInputError(field, "a timezone-aware date-time", value)
    return value


@dataclass(frozen=True, slots=True)
class OralPrescription:
    """Oral baclofen at ``daily_dose_mg`` from ``start`` to ``end`` (inclusive; None = ongoing)."""

    start: date
    daily_dose_mg: float
    end: date | None = None

    def __post_init__(self) -> None:
        require_finite_number(self.daily_dose_mg, "daily_dose_mg", minimum=0.0, maximum=300.0)
        if self.end is not None and self.end < self.start:
            raise InvalidInputError("end", f"on or after start {self.start.isoformat()}", self.end.isoformat())

    def active_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat() if self.end else None,
            "daily_dose_mg": self.daily_dose_mg,
        }


@dataclass(frozen=True, slots=True)
class MissedDose:
    time: datetime
    count: int = 1

    def __post_init__(self) -> None:
        _aware(self.time, "time")
        if isinstance(self.count, bool) or not isinstance(self.count, int) or self.count < 1:
            raise InvalidInputError("count", "a whole number >= 1", self.count)


@dataclass(frozen=True, slots=True)
class RefillVisit:
    """A refill: the reservoir filled to ``volume_ml`` at ``concentration_mcg_per_ml`` with ``program``.

    ``expected_residual_ml``/``aspirated_ml`` are the reconciliation of the previous fill at this visit
    (either may be missing).
    """

    time: datetime
    volume_ml: float
    concentration_mcg_per_ml: float
    program: InfusionProgram
    expected_residual_ml: float | None = None
    aspirated_ml: float | None = None


@dataclass(frozen=True, slots=True)
class ProgramChange:
    """A reprogramming between refills: ``program`` from ``time`` on (same drug in the reservoir).

    ``program`` None means the pump was stopped (no intrathecal delivery).
    """

    time: datetime
    program: InfusionProgram | None

    @property
    def stopped(self) -> bool:
        return self.program is None

    @property
    def daily_dose_mcg(self) -> float:
        return 0.0 if self.program is None else self.program.daily_dose_mcg


#: SynchroMed II critical alarms a timeline may record (clinical.md §5.7: [S56] [S99] [MedtronicAlarms]).
PUMP_ALARM_KINDS = ("two-tone", "motor-stall")


@dataclass(frozen=True, slots=True)
class PumpAlarm:
    """A SynchroMed II alarm: ``two-tone`` (drug no longer flowing) or ``motor-stall`` lasting ``stall_hours``."""

    time: datetime
    kind: str
    stall_hours: float | None = None


@dataclass(frozen=True, slots=True)
class PumpRecord:
    model: PumpModel
    refills: tuple[RefillVisit, ...] = ()
    program_changes: tuple[ProgramChange, ...] = ()
    implanted: date | None = None
    eri_date: date | None = None
    low_reservoir_ml: float | None = None
    mri: tuple[datetime, ...] = ()  # MRI scans, recorded or planned (may be after as_of)
    alarms: tuple[PumpAlarm, ...] = ()


@dataclass(frozen=True, slots=True)
class DiaryEntry:
    time: datetime
    symptoms: tuple[Symptom, ...] = ()
    unrecognised: tuple[str, ...] = ()
    missed_doses: int = 0
    note: str = ""


@dataclass(frozen=True, slots=True)
class PatientTimeline:
    """Everything the risk engine looks at, up to ``as_of`` (timezone-aware; the domain reads no clock)."""

    as_of: datetime
    patient: PatientSnapshot | None = None
    oral: tuple[OralPrescription, ...] = ()
    missed_doses: tuple[MissedDose, ...] = ()
    pump: PumpRecord | None = None
    diary: tuple[DiaryEntry, ...] = ()
    #: The locale the timeline names (``patient.locale``); None when it names none (the patient snapshot then
    #: defaults to US, so this is how the risk engine knows the locale was not given).
    locale: Locale | None = None

    def __post_init__(self) -> None:
        _aware(self.as_of, "as_of")
        if self.locale is not None and not isinstance(self.locale, Locale):
            raise InvalidInputError("locale", "us or uk", self.locale)
        object.__setattr__(self, "oral", tuple(sorted(self.oral, key=lambda p: p.start)))
        for a, b in zip(self.oral, self.oral[1:], strict=False):
            if a.end is None or a.end >= b.start:
                raise InvalidInputError(
                    "oral.prescriptions", "periods that do not overlap (end before the next start)", b.start.isoformat()
                )

    @property
    def tz(self) -> tzinfo:
        assert self.as_of.tzinfo is not None
        return self.as_of.tzinfo

    def oral_dose_on(self, day: date) -> float:
        """Prescribed oral baclofen daily dose (mg/day) on ``day`` (0 when none)."""
        for p in self.oral:
            if p.active_on(day):
                return p.daily_dose_mg
        return 0.0


# --- parsing from plain data -------------------------------------------------------------------------------------


class _Reader:
    """Field-by-field reader that names the full path of every bad field."""

    def __init__(self, tz: tzinfo | None) -> None:
        self.tz = tz

    @staticmethod
    def obj(value: Any, path: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise InvalidInputError(path, "an object", type(value).__name__)
        return value

    @staticmethod
    def known(value: Mapping[str, Any], path: str, fields: Sequence[str]) -> None:
        for key in value:
            if key not in fields:
                where = f"{path}.{key}" if path else str(key)
                raise InvalidInputError(where, f"one of the fields {', '.join(fields)}", key)

    @staticmethod
    def array(value: Any, path: str) -> Sequence[Any]:
        if value is None:
            return ()
        if not isinstance(value, list):
            raise InvalidInputError(path, "a list", type(value).__name__)
        return value

    def items(self, value: Any, path: str, fields: Sequence[str]) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Each object of the list at ``path`` with its own path (``pump.alarms[0]``), its fields checked."""
        for i, item in enumerate(self.array(value, path)):
            item_path = f"{path}[{i}]"
            item = self.obj(item, item_path)
            self.known(item, item_path, fields)
            yield item_path, item

    @staticmethod
    def number(value: Any, path: str, **bounds: Any) -> float:
        try:
            return require_finite_number(value, path, **bounds)
        except InvalidInputError as exc:
            raise InvalidInputError(path, exc.expected, value) from None

    @staticmethod
    def day(value: Any, path: str) -> date:
        # the timeline's own checks judge its dates (an end of 9999-12-31 means "no end"): the grammar only here
        return read_iso_date(value, path, plausible=False)

    def moment(self, value: Any, path: str) -> datetime:
        """An ISO date-time with offset (or a date: 00:00 in the as_of time zone), in the as_of time zone."""
        if isinstance(value, str) and ISO_DATE.match(value) and self.tz is not None:
            return datetime.combine(self.day(value, path), time(0, 0), tzinfo=self.tz)
        moment = read_iso_datetime(
            value, path, expected="a date-time with offset, e.g. 2026-03-10T09:00:00+00:00", plausible=False
        )
        if moment.tzinfo is None:
            raise InvalidInputError(path, "a date-time with a UTC offset (e.g. +00:00)", value)
        return moment if self.tz is None else moment.astimezone(self.tz)


def _program(r: _Reader, item: Mapping[str, Any], path: str, pump: PumpModel) -> InfusionProgram:
    has_dose = item.get("daily_dose_mcg") is not None
    has_flex = item.get("flex") is not None
    if has_dose == has_flex:
        raise InvalidInputError(
            f"{path}.daily_dose_mcg",
            "given, or a flex schedule instead (exactly one of them)",
            item.get("daily_dose_mcg"),
        )
    if has_flex:
        return parse_flex_schedule(item["flex"], max_steps=pump.max_rate_steps_per_day, field=f"{path}.flex")
    dose = r.number(item["daily_dose_mcg"], f"{path}.daily_dose_mcg", minimum=0.0, maximum=10_000.0)
    if dose == 0:
        raise InvalidInputError(f"{path}.daily_dose_mcg", "above 0 (record a stopped pump as a program change)", 0)
    return continuous_program(dose)


def timeline_from_dict(data: Any) -> PatientTimeline:
    """Build a :class:`PatientTimeline` from the ``baclofen-timeline/1`` document (see docs/timeline.md).

    Raises
    ------
    InvalidInputError
        Naming the field path (``pump.refills[0].volume_ml``) and what was expected.
    """
    r = _Reader(None)
    top = r.obj(data, "timeline")
    r.known(top, "", ("schema", "as_of", "patient", "oral", "pump", "diary"))
    if "schema" in top and top["schema"] != SCHEMA:
        raise InvalidInputError("schema", f"'{SCHEMA}'", top["schema"])
    if "as_of" not in top:
        raise InvalidInputError("as_of", "a date-time with offset, e.g. 2026-03-10T09:00:00+00:00", None)
    as_of = r.moment(top["as_of"], "as_of")
    r.tz = as_of.tzinfo

    def not_after(moment: datetime, path: str) -> datetime:
        if moment > as_of:
            raise InvalidInputError(path, f"at or before as_of ({as_of.isoformat()})", moment.isoformat())
        return moment

    patient = _patient(r, top.get("patient"))

    oral: list[OralPrescription] = []
    missed: list[MissedDose] = []
    if top.get("oral") is not None:
        o = r.obj(top["oral"], "oral")
        r.known(o, "oral", ("prescriptions", "missed_doses"))
        for i, item in enumerate(r.array(o.get("prescriptions"), "oral.prescriptions")):
            p = f"oral.prescriptions[{i}]"
            item = r.obj(item, p)
            r.known(item, p, ("start", "end", "daily_dose_mg"))
            start = r.day(item.get("start"), f"{p}.start")
            end = None if item.get("end") is None else r.day(item["end"], f"{p}.end")
            dose = r.number(item.get("daily_dose_mg"), f"{p}.daily_dose_mg", minimum=0.0, maximum=300.0)
            if end is not None and end < start:
                raise InvalidInputError(f"{p}.end", f"on or after start {start.isoformat()}", end.isoformat())
            # A prescription may start or end after as_of: planned steps (a taper, a stop) are what the
            # planned-stop rule (RISK-ORAL-PLANNED-STOP-001) looks at.
            oral.append(OralPrescription(start, dose, end))
        for i, item in enumerate(r.array(o.get("missed_doses"), "oral.missed_doses")):
            p = f"oral.missed_doses[{i}]"
            item = r.obj(item, p)
            r.known(item, p, ("time", "count"))
            count = item.get("count", 1)
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise InvalidInputError(f"{p}.count", "a whole number >= 1", count)
            missed.append(MissedDose(not_after(r.moment(item.get("time"), f"{p}.time"), f"{p}.time"), count))
        starts = sorted(oral, key=lambda x: x.start)
        for a, b in zip(starts, starts[1:], strict=False):
            if a.end is None or a.end >= b.start:
                raise InvalidInputError(
                    "oral.prescriptions", "periods that do not overlap (end before the next start)", b.start.isoformat()
                )

    pump = None
    if top.get("pump") is not None:
        pump = _pump(r, r.obj(top["pump"], "pump"), not_after)

    diary: list[DiaryEntry] = []
    for i, item in enumerate(r.array(top.get("diary"), "diary")):
        p = f"diary[{i}]"
        item = r.obj(item, p)
        r.known(item, p, ("time", "symptoms", "missed_doses", "note"))
        when = not_after(r.moment(item.get("time"), f"{p}.time"), f"{p}.time")
        symptoms: list[Symptom] = []
        unrecognised: list[str] = []
        for j, text in enumerate(r.array(item.get("symptoms"), f"{p}.symptoms")):
            if not isinstance(text, str) or not text.strip():
                raise InvalidInputError(f"{p}.symptoms[{j}]", "a symptom text", text)
            s = parse_symptom(text)
            if s is None:
                unrecognised.append(text.strip())
            elif s not in symptoms:
                symptoms.append(s)
        missed_count = item.get("missed_doses", 0)
        if isinstance(missed_count, bool) or not isinstance(missed_count, int) or missed_count < 0:
            raise InvalidInputError(f"{p}.missed_doses", "a whole number >= 0", missed_count)
        note = item.get("note", "")
        if not isinstance(note, str):
            raise InvalidInputError(f"{p}.note", "a text", note)
        diary.append(DiaryEntry(when, tuple(symptoms), tuple(unrecognised), missed_count, note))

    locale = patient.locale if patient is not None and top["patient"].get("locale") is not None else None
    return PatientTimeline(as_of, patient, tuple(oral), tuple(missed), pump, tuple(diary), locale)


def _patient(r: _Reader, value: Any) -> PatientSnapshot | None:
    if value is None:
        return None
    p = r.obj(value, "patient")
    fields = (
        "age_years",
        "weight_kg",
        "sex",
        "serum_creatinine_mg_dl",
        "crcl_ml_min",
        "egfr_ml_min_1_73m2",
        "dialysis",
        "origin",
        "locale",
    )
    r.known(p, "patient", fields)
    kw: dict[str, Any] = {}
    for name in ("age_years", "weight_kg", "serum_creatinine_mg_dl", "crcl_ml_min", "egfr_ml_min_1_73m2"):
        if p.get(name) is not None:
            kw[name] = r.number(p[name], f"patient.{name}")
    if p.get("dialysis") is not None:
        if not isinstance(p["dialysis"], bool):
            raise InvalidInputError("patient.dialysis", "true or false", p["dialysis"])
        kw["dialysis"] = p["dialysis"]
    for name, enum in (("sex", Sex), ("origin", SpasticityOrigin), ("locale", Locale)):
        if p.get(name) is not None:
            try:
                kw[name] = enum(str(p[name]).strip().lower())
            except ValueError:
                raise InvalidInputError(f"patient.{name}", " or ".join(e.value for e in enum), p[name]) from None
    try:
        return PatientSnapshot(**kw)
    except InvalidInputError as exc:
        field = exc.field if exc.field.startswith("patient") else f"patient.{exc.field}"
        raise InvalidInputError(field, exc.expected, exc.actual) from None


def _pump(r: _Reader, p: Mapping[str, Any], not_after: Any) -> PumpRecord:
    r.known(
        p,
        "pump",
        ("model", "implanted", "eri_date", "low_reservoir_ml", "refills", "program_changes", "mri", "alarms"),
    )
    if not isinstance(p.get("model"), str):
        raise InvalidInputError("pump.model", "a pump model name, e.g. synchromed-ii-20", p.get("model"))
    try:
        model = get_pump(p["model"])
    except InvalidInputError as exc:
        raise InvalidInputError("pump.model", exc.expected, p["model"]) from None
    implanted = None if p.get("implanted") is None else r.day(p["implanted"], "pump.implanted")
    eri = None if p.get("eri_date") is None else r.day(p["eri_date"], "pump.eri_date")
    if eri is not None and implanted is None:
        raise InvalidInputError("pump.implanted", "the implant date when eri_date is given", None)
    if eri is not None and implanted is not None and eri < implanted:
        raise InvalidInputError(
            "pump.eri_date", f"on or after the implant date {implanted.isoformat()}", eri.isoformat()
        )
    low = None
    if p.get("low_reservoir_ml") is not None:
        low = r.number(p["low_reservoir_ml"], "pump.low_reservoir_ml", strictly_positive=True)
        try:
            low = float(model.low_reservoir.validate(low))
        except InvalidInputError as exc:
            raise InvalidInputError("pump.low_reservoir_ml", exc.expected, low) from None
    refills: list[RefillVisit] = []
    for i, item in enumerate(r.array(p.get("refills"), "pump.refills")):
        path = f"pump.refills[{i}]"
        item = r.obj(item, path)
        r.known(
            item,
            path,
            (
                "time",
                "volume_ml",
                "concentration_mcg_per_ml",
                "daily_dose_mcg",
                "flex",
                "expected_residual_ml",
                "aspirated_ml",
            ),
        )
        when = not_after(r.moment(item.get("time"), f"{path}.time"), f"{path}.time")
        if implanted is not None and when.date() < implanted:
            raise InvalidInputError(
                f"{path}.time", f"on or after the implant date {implanted.isoformat()}", when.isoformat()
            )
        volume = r.number(item.get("volume_ml"), f"{path}.volume_ml", strictly_positive=True)
        if volume > model.reservoir_ml:
            raise InvalidInputError(
                f"{path}.volume_ml",
                f"at most the {model.reservoir_ml:g} mL reservoir of the {model.name}",
                item.get("volume_ml"),
            )
        conc = r.number(
            item.get("concentration_mcg_per_ml"),
            f"{path}.concentration_mcg_per_ml",
            strictly_positive=True,
            maximum=3000.0,
        )
        program = _program(r, item, path, model)
        residuals = {}
        for name in ("expected_residual_ml", "aspirated_ml"):
            if item.get(name) is not None:
                residuals[name] = r.number(item[name], f"{path}.{name}", minimum=0.0, maximum=model.reservoir_ml)
        refills.append(
            RefillVisit(
                when, volume, conc, program, residuals.get("expected_residual_ml"), residuals.get("aspirated_ml")
            )
        )
    times = [v.time for v in refills]
    if times != sorted(times) or len(set(times)) != len(times):
        raise InvalidInputError("pump.refills", "visits in time order, one per time", [t.isoformat() for t in times])
    changes: list[ProgramChange] = []
    for path, item in r.items(p.get("program_changes"), "pump.program_changes", ("time", "daily_dose_mcg", "flex")):
        when = not_after(r.moment(item.get("time"), f"{path}.time"), f"{path}.time")
        new_program: InfusionProgram | None
        if item.get("daily_dose_mcg") == 0 and item.get("flex") is None:
            new_program = None  # pump stopped
        else:
            new_program = _program(r, item, path, model)
        changes.append(ProgramChange(when, new_program))
    ctimes = [c.time for c in changes]
    if ctimes != sorted(ctimes):
        raise InvalidInputError("pump.program_changes", "changes in time order", [t.isoformat() for t in ctimes])
    mri: list[datetime] = []
    for path, item in r.items(p.get("mri"), "pump.mri", ("time",)):
        mri.append(r.moment(item.get("time"), f"{path}.time"))  # a planned scan may lie after as_of
    return PumpRecord(
        model, tuple(refills), tuple(changes), implanted, eri, low, tuple(sorted(mri)), _alarms(r, p, model, not_after)
    )


def _alarms(r: _Reader, p: Mapping[str, Any], model: PumpModel, not_after: Any) -> tuple[PumpAlarm, ...]:
    alarms: list[PumpAlarm] = []
    for path, item in r.items(p.get("alarms"), "pump.alarms", ("time", "kind", "stall_hours")):
        when = not_after(r.moment(item.get("time"), f"{path}.time"), f"{path}.time")
        kind = item.get("kind")
        if kind not in PUMP_ALARM_KINDS or model.family is not PumpFamily.SYNCHROMED_II:
            raise InvalidInputError(
                f"{path}.kind",
                f"one of {', '.join(PUMP_ALARM_KINDS)} (SynchroMed II alarms)",
                f"{kind} on {model.name}",
            )
        hours = None
        if kind == "motor-stall":
            hours = r.number(item.get("stall_hours"), f"{path}.stall_hours", strictly_positive=True, maximum=8784.0)
        elif item.get("stall_hours") is not None:
            raise InvalidInputError(f"{path}.stall_hours", "only with kind motor-stall", item.get("stall_hours"))
        alarms.append(PumpAlarm(when, kind, hours))
    return tuple(sorted(alarms, key=lambda a: a.time))


def to_local_day(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def days_before(moment: datetime, as_of: datetime) -> float:
    """Days from ``moment`` to ``as_of`` (positive when ``moment`` is earlier)."""
    return (as_of - moment) / timedelta(days=1)
