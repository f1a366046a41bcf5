"""Printed documents as PDF (WeasyPrint): a patient's dose schedule with a daily check-off table, an intrathecal
baclofen emergency wallet card, a refill visit record and a clinic visit summary.

Each document is an HTML page (a Jinja2 template of ``adapters/templates/pdf``, autoescaped) laid out by WeasyPrint
with the system's fonts (DejaVu) and nothing fetched: the stylesheet is in the page and the URL fetcher refuses
every URL, so a document never reaches the network or the file system. The values come from the domain and the
services (a plan, the sign sets of :mod:`baclofen.domain.signs`, a stored visit, a patient summary); no clinical
text is typed here beyond the headings.

The schedule's text is what the plan says: ``pdftotext -raw`` of it gives each step as ``Step N of M: START to
END (D days), X mg/day`` with a line ``HH:MM X mg WHAT TO TAKE`` per dose, and each day of the check-off table as
``DATE WEEKDAY STEP HH:MM TAKE (X mg) ... X mg/day``, TAKE what to measure or count out (``2.4 mL``, ``1 1/2 x
10 mg tablets``, ``1 x 5 mg packet``: :attr:`~baclofen.domain.products.Dispensed.measure`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from baclofen.adapters.calendar_ics import DISCLAIMER as PATIENT_DISCLAIMER
from baclofen.adapters.edge.text import describe_program
from baclofen.domain.cds.scales import NRS_MAX, NRS_MIN
from baclofen.domain.clinic.regimens import ProgramInEffect
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.itb.limits import require_deliverable
from baclofen.domain.oral.plan import Plan, ScheduledDose
from baclofen.domain.signs import ITB_EMERGENCY_TEAM, ITB_OVERDOSE, ITB_WITHDRAWAL
from baclofen.services.itb import PumpInEffect, StoredVisit
from baclofen.services.patient_summary import PatientSummary

__all__ = [
    "CLINICIAN_DISCLAIMER",
    "MAX_LABEL_CHARS",
    "MAX_SCHEDULE_DAYS",
    "MIN_CARD_FONT_PT",
    "PDF_MEDIA_TYPE",
    "WEEKDAYS",
    "WalletCard",
    "render_refill_visit_pdf",
    "render_schedule_pdf",
    "render_visit_summary_pdf",
    "render_wallet_card_pdf",
    "wallet_card_lines",
]

PDF_MEDIA_TYPE = "application/pdf"
CLINICIAN_DISCLAIMER = "Decision support for professionals, not medical advice: check every value before acting on it."
#: Weekday names of the check-off table (English, whatever the process's locale).
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Most days one schedule prints: two years, beyond any plan the planners make (a taper's days to zero are at most
#: :data:`~baclofen.domain.oral.taper.MAX_MIN_DAYS_TO_ZERO`); a year's check-off table takes about 3 s to lay out.
MAX_SCHEDULE_DAYS = 731
#: Longest patient label, clinic contact or pump model text on a document (characters).
MAX_LABEL_CHARS = 120
#: Smallest type on the emergency wallet card (points): read in an emergency, often by torchlight.
MIN_CARD_FONT_PT = 6.0
_TEMPLATES = Path(__file__).parent / "templates" / "pdf"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@functools.cache
def _weasyprint() -> tuple[Any, Any]:
    """WeasyPrint's ``HTML`` and a URL fetcher that refuses every URL (a document embeds what it shows and reaches
    neither the network nor the file system). Imported at the first document, not when the server starts: the
    import takes most of a second (pango, fontTools)."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
        def fetch(self, url: str, headers: Any = None) -> Any:
            raise ValueError(f"no resource is fetched for a printed document ({url[:80]})")

    return HTML, NoFetching


def _num(value: float) -> str:
    return f"{value:g}"


def _opt(value: object) -> str:
    if value is None:
        return "not recorded"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return _num(value)
    return str(value)


def _moment(value: date | datetime | None) -> str:
    if value is None:
        return "not recorded"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") + (value.strftime(" %z") if value.utcoffset() is not None else "")
    return value.isoformat()


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["num"] = _num
    env.filters["opt"] = _opt
    env.filters["moment"] = _moment
    env.filters["cell"] = lambda value: "-" if value is None else _opt(value)
    return env


_ENV = _environment()


def _css_string(text: str) -> Markup:
    """``text`` inside a CSS string in the page's stylesheet (the footer): every character but letters, digits,
    spaces and ``,.:-()`` written as a CSS escape, so that no text can end the string or the stylesheet."""
    return Markup("".join(c if c.isalnum() and c.isascii() or c in " ,.:-()" else f"\\{ord(c):x} " for c in text))


def _document(template: str, footer: str = "", **context: Any) -> Any:
    html = _ENV.get_template(template).render(footer=_css_string(footer), **context)
    html_document, no_fetching = _weasyprint()
    return html_document(string=html, url_fetcher=no_fetching()).render()


def _pdf(template: str, footer: str = "", **context: Any) -> bytes:
    pdf: bytes = _document(template, footer, **context).write_pdf()
    return pdf


def _label(value: str, field: str, *, required: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidInputError(field, "text", value)
    text = " ".join(_CONTROL.sub(" ", value).split())
    if len(text) > MAX_LABEL_CHARS:
        raise InvalidInputError(field, f"at most {MAX_LABEL_CHARS} characters", len(text))
    if required and not text:
        raise InvalidInputError(field, "a non-empty text", value)
    return text


# --- the schedule ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Row:
    day: date
    weekday: str
    step: int
    doses: tuple[ScheduledDose, ...]
    daily_dose_mg: float


def _rows(plan: Plan) -> list[_Row]:
    return [
        _Row(day, WEEKDAYS[day.weekday()], index, step.doses, step.daily_dose_mg)
        for index, step in enumerate(plan.steps, start=1)
        for day in step.dates()
    ]


def render_schedule_pdf(plan: Plan, *, patient_label: str = "") -> bytes:
    """The PDF of ``plan`` for the patient: the header (patient label when given, medicine, dates, the
    disclaimer), each step (dates, each dose in mg with what to take, the daily total) and a daily check-off
    table (one row a day, a box a dose saying what to take and its mg; its header repeats on every page).

    Raises
    ------
    InvalidInputError
        ``patient_label`` longer than 120 characters; a plan of more than :data:`MAX_SCHEDULE_DAYS` days.
    """
    label = _label(patient_label, "patient_label")
    days = (plan.end - plan.start).days + 1
    if days > MAX_SCHEDULE_DAYS:
        raise InvalidInputError("plan", f"at most {MAX_SCHEDULE_DAYS} days in one printed schedule", days)
    footer = f"Baclofen {plan.kind.value} schedule" + (f", {label}" if label else "")
    return _pdf(
        "schedule.html",
        footer,
        plan=plan,
        patient_label=label,
        days=days,
        rows=_rows(plan),
        disclaimer=PATIENT_DISCLAIMER,
    )


# --- the wallet card -------------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WalletCard:
    """What an intrathecal baclofen emergency card says of its holder's pump: the pump model, the drug's
    concentration (mcg/mL), the daily dose (mcg/day), how to reach the pump clinic and, optionally, a name."""

    pump_model: str
    concentration_mcg_per_ml: float
    daily_dose_mcg: float
    clinic_contact: str
    patient_label: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "pump_model", _label(self.pump_model, "pump_model", required=True))
        object.__setattr__(self, "clinic_contact", _label(self.clinic_contact, "clinic_contact", required=True))
        object.__setattr__(self, "patient_label", _label(self.patient_label, "patient_label"))
        concentration, dose = require_deliverable(self.concentration_mcg_per_ml, self.daily_dose_mcg)
        object.__setattr__(self, "concentration_mcg_per_ml", concentration)
        object.__setattr__(self, "daily_dose_mcg", dose)

    @classmethod
    def of_pump(cls, pump: PumpInEffect, clinic_contact: str, patient_label: str = "") -> WalletCard:
        """The card of a stored pump as it delivers at ``pump.as_of``: its model, the concentration of its last
        fill and the daily dose of the program in effect (a program change between refills counted)."""
        return cls(pump.model_name, pump.concentration_mcg_per_ml, pump.daily_dose_mcg, clinic_contact, patient_label)


@dataclass(frozen=True, slots=True)
class _CardType:
    """Type sizes (points) of a wallet card: the title, the headings, the front's text and the back's text."""

    title: float
    heading: float
    front: float
    back: float


#: The card's type, largest first: the first whose text fits two sides is printed (a long name, model or contact
#: takes the second). The back (the signs, the same on every card) fills its side at 6.6 pt.
_CARD_TYPES = (_CardType(8.0, 7.2, 7.0, 6.6), _CardType(7.0, 6.6, 6.6, 6.6), _CardType(6.4, 6.2, 6.0, 6.6))
_CARD_SIDES = 2


def _sources(*cited: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(key for keys in cited for key in keys))


def wallet_card_lines() -> Mapping[str, Any]:
    """What every wallet card says whatever its pump: what to tell an emergency team
    (:data:`~baclofen.domain.signs.ITB_EMERGENCY_TEAM`), the withdrawal and overdose sign sets
    (:data:`~baclofen.domain.signs.ITB_WITHDRAWAL`, :data:`~baclofen.domain.signs.ITB_OVERDOSE`) and their
    sources."""
    return {
        "tell": ITB_EMERGENCY_TEAM.lines,
        "withdrawal": ITB_WITHDRAWAL,
        "overdose": ITB_OVERDOSE,
        "sources": _sources(ITB_EMERGENCY_TEAM.evidence, ITB_WITHDRAWAL.evidence, ITB_OVERDOSE.evidence),
    }


def render_wallet_card_pdf(card: WalletCard) -> bytes:
    """The two sides (pages) of a credit-card sized (85.6 x 54 mm) emergency card: the pump and what to tell an
    emergency team on the front, the withdrawal and overdose signs with what to do on the back; no type smaller
    than :data:`MIN_CARD_FONT_PT` (the front's type is smaller when a long name, model or contact needs it).

    Raises
    ------
    InvalidInputError
        ``card`` not a :class:`WalletCard`; texts that fit no type on two sides (none within the length limits).
    """
    if not isinstance(card, WalletCard):
        raise InvalidInputError("card", "a wallet card", card)
    for size in _CARD_TYPES:
        document = _document(
            "wallet_card.html", card=card, size=size, disclaimer=CLINICIAN_DISCLAIMER, **wallet_card_lines()
        )
        if len(document.pages) <= _CARD_SIDES:
            pdf: bytes = document.write_pdf()
            return pdf
    raise InvalidInputError(
        "card", f"a patient label, pump model and clinic contact that fit {_CARD_SIDES} sides", card
    )


# --- the refill visit record ---------------------------------------------------------------------------------------
def render_refill_visit_pdf(stored: StoredVisit) -> bytes:
    """The record of a stored refill visit: pump, date, the residual expected and aspirated and the discrepancy,
    the new fill (volume, concentration) and program, the next refill and alarm dates and the findings when its
    check can be made again, and the blocks a clinician overrode with their reasons."""
    checked = stored.checked
    previous = stored.earlier.last_fill()
    before = stored.program_before
    reconciliation = None if checked is None or checked.reconciliation is None else checked.reconciliation.current
    visit = stored.visit
    return _pdf(
        "refill_visit.html",
        f"Refill visit record, pump {stored.pump.pump_id}, visit {stored.number}",
        s=stored,
        previous=previous,
        previous_program="" if before is None else _in_effect(before),
        program=describe_program(visit.program, visit.concentration_mcg_per_ml),
        percent=None if reconciliation is None else reconciliation.discrepancy_percent,
        forecast=None if checked is None else checked.forecast,
        findings=() if checked is None else checked.findings,
        disclaimer=CLINICIAN_DISCLAIMER,
    )


# --- the clinic visit summary --------------------------------------------------------------------------------------
def _covariates(summary: PatientSummary) -> list[tuple[str, str]]:
    s = summary.records.record.snapshot
    rows = [
        ("Age", f"{_num(s.age_years)} years" if s.age_years is not None else "not recorded"),
        ("Weight", f"{_num(s.weight_kg)} kg" if s.weight_kg is not None else "not recorded"),
        ("Sex", s.sex.value if s.sex is not None else "not recorded"),
        ("Kidney function", _kidney(s.to_dict())),
        ("Dialysis", _opt(s.dialysis)),
        ("Origin of spasticity", s.origin.value),
        ("Locale", s.locale.value),
        ("Conditions", ", ".join(sorted(s.conditions)) or "none recorded"),
    ]
    return rows


def _kidney(values: Mapping[str, Any]) -> str:
    parts = []
    if values.get("serum_creatinine_mg_dl") is not None:
        parts.append(f"creatinine {_num(values['serum_creatinine_mg_dl'])} mg/dL")
    if values.get("crcl_ml_min") is not None:
        parts.append(f"CrCl {_num(values['crcl_ml_min'])} mL/min")
    if values.get("egfr_ml_min_1_73m2") is not None:
        parts.append(f"eGFR {_num(values['egfr_ml_min_1_73m2'])} mL/min/1.73 m2")
    return ", ".join(parts) or "not recorded"


def _dose_on(summary: PatientSummary) -> str:
    active = summary.active_plan
    if active is None:
        return ""
    step = active.plan.step_on(summary.as_of.date())
    if step is None:
        return "outside the plan's dates"
    times = ", ".join(f"{d.time:%H:%M} {_num(d.dose_mg)} mg" for d in step.doses) or "no baclofen"
    return f"{_num(step.daily_dose_mg)} mg/day ({times})"


def _in_effect(program: ProgramInEffect) -> str:
    """The program in effect in words, with the day a program change between refills gave it."""
    text = describe_program(program.program, program.concentration_mcg_per_ml)
    return text + (f" (changed {program.since.date().isoformat()})" if program.changed else "")


def render_visit_summary_pdf(summary: PatientSummary) -> bytes:
    """A clinic visit summary of one patient: covariates, the current plan and today's dose, the pump and its
    forecast, open alerts, the risk engine's findings, recent outcome scores and the recent diary."""
    in_effect = summary.program_in_effect
    return _pdf(
        "visit_summary.html",
        f"Clinic visit summary, patient {summary.records.record.patient_id}",
        summary=summary,
        patient=summary.records.record,
        covariates=_covariates(summary),
        today_dose=_dose_on(summary),
        pump_program="" if in_effect is None else _in_effect(in_effect),
        score_value=lambda score: str(score.to_dict()["value"]),
        nrs_range=f"{_num(NRS_MIN)}-{_num(NRS_MAX)}",
        disclaimer=CLINICIAN_DISCLAIMER,
    )
