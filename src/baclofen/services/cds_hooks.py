"""CDS Hooks 2.0 (https://cds-hooks.hl7.org/2.0/): the services this system offers and the cards it answers.

Three services (:data:`HOOK_SERVICES`, the discovery document :func:`discovery`):

* ``baclofen-order-select`` and ``baclofen-order-sign`` (:func:`review_orders`): the medication orders of the
  ordering session, read at the edge into :class:`~baclofen.domain.cds.orders.MedicationOrder` values, judged by
  the existing checks: interactions (:func:`~baclofen.services.cds.check_interactions`: tizanidine with
  ciprofloxacin is an absolute block), daily dose limits with the kidney function
  (:func:`~baclofen.services.cds.check_drug_dose`), contraindications with the patient's conditions, age, sex and
  kidney function (:func:`~baclofen.services.cds.check_drug_contraindications`), and an order that stops oral
  baclofen (judged as a taper to zero in 0 days: TAPER-ABRUPT-001) or lowers it by more than one taper step
  (``taper.max_step_mg_per_day``: TAPER-STEP-001, TAPER-ABRUPT-001 when the new dose is within one step of zero),
  answered with the taper the planner makes
  (:func:`~baclofen.services.planning.plan_oral_taper`) as a suggestion that replaces the stop. An order the drug
  catalogue does not recognise is reported on a card of its own, never dropped.
* ``baclofen-patient-view`` (:func:`view_patient`): the stored patient's worklist items (refill due, low-reservoir
  alarm near, battery, high withdrawal or overdose risk, open alerts: :func:`compute_clinic_worklist`) as cards.

Every card says its rule id and reasoning (the numbers), cites its sources (``source``: the reference of highest
authority; the detail lists them all) and says that it is decision support for professionals, not medical advice.
What could not be checked, and why, is in the answer's ``extension`` (``notes``) and, where it changes what a
clinician may rely on, on an ``info`` card.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum
from typing import Any

from baclofen.domain.cds.dose_limits import DOSE_UNITS, DoseUnit
from baclofen.domain.cds.drugs import Drug, DrugClass, resolve_drugs
from baclofen.domain.cds.orders import MedicationOrder, order_oral_product, recognise_order
from baclofen.domain.cds.risk import RiskLevel
from baclofen.domain.clinic.worklist import Urgency, WorklistItem
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.evidence import format_citation, get_reference
from baclofen.domain.itb.dosing import MAX_PLAUSIBLE_DAILY_DOSE_MCG
from baclofen.domain.itb.dosing import check_daily_dose as check_itb_daily_dose
from baclofen.domain.oral.plan import Plan
from baclofen.domain.oral.taper import TAPER_SETTINGS
from baclofen.domain.rules.catalogue import CATALOGUE
from baclofen.domain.rules.core import Finding, Severity
from baclofen.domain.signs import ITB_WITHDRAWAL
from baclofen.domain.terminology import FHIR_SYSTEM_URIS, LOINC, LOINC_KIDNEY_FUNCTION, project_system
from baclofen.services.cds import check_drug_contraindications, check_drug_dose, check_interactions
from baclofen.services.clinic import compute_clinic_worklist
from baclofen.services.commands import (
    CheckContraindications,
    CheckDrugDose,
    CheckInteractions,
    ComputeWorklist,
    PlanTaper,
    ReviewOrders,
    ViewPatient,
)
from baclofen.services.planning import plan_oral_taper
from baclofen.services.ports import SettingsProvider, UnitOfWork

__all__ = [
    "DISCLAIMER",
    "HOOK_SERVICES",
    "Action",
    "Card",
    "CardSource",
    "HookAnswer",
    "HookService",
    "Indicator",
    "Suggestion",
    "TaperRenderer",
    "discovery",
    "find_hook_service",
    "review_orders",
    "unanswered",
    "view_patient",
]

DISCLAIMER = "Decision support for professionals, not medical advice."
#: The longest card summary (characters): the specification asks for fewer than 140.
SUMMARY_MAX_CHARS = 139
#: The rule an order that stops oral baclofen at once breaks: a taper to zero shorter than the minimum.
ABRUPT_STOP_RULE = "TAPER-ABRUPT-001"
RULE_SYSTEM = project_system("rule")
OVERRIDE_SYSTEM = project_system("override-reason")
_CODE_SYSTEMS = FHIR_SYSTEM_URIS
#: Micrograms in a milligram (exact, SI).
MCG_PER_MG = 1000.0
_MIN_DAYS_TO_ZERO = next(s for s in TAPER_SETTINGS if s.name == "taper.min_days_to_zero")
_MAX_STEP = next(s for s in TAPER_SETTINGS if s.name == "taper.max_step_mg_per_day")
#: Makes the draft order of a suggested taper (a FHIR R4 MedicationRequest as JSON) from the plan and the patient's
#: FHIR id: the FHIR adapter's :func:`baclofen.adapters.cds_hooks_fhir.taper_request`, given by the entrypoint.
TaperRenderer = Callable[[Plan, str], Mapping[str, Any]]
#: The active order of a reference (``MedicationRequest/103``) with status ``stopped`` (the whole resource, for a
#: CDS Hooks ``update``), or None when it is not known.
StopRenderer = Callable[[str], Mapping[str, Any] | None]
#: The drugs whose dose limits depend on the kidney function (dose_limits: the oral baclofen kidney rules
#: DOSE-BAC-KIDNEY-*, tizanidine's CrCl < 25 mL/min).
_KIDNEY_DOSED = frozenset({"baclofen", "tizanidine"})
#: The rule a cut of the daily dose by more than one taper step breaks.
_STEP_RULE = "TAPER-STEP-001"


# --- the discovery document ---------------------------------------------------------------------------------------
#: Prefetch templates (CDS Hooks 2.0 §Prefetch Template): the patient, their active medication orders, their
#: latest kidney function (the eGFR LOINC codes read, :data:`~baclofen.domain.terminology.LOINC_KIDNEY_FUNCTION`;
#: no LOINC code of a creatinine clearance is confirmed) and their active conditions (for the contraindications).
PATIENT_PREFETCH = "Patient/{{context.patientId}}"
MEDICATIONS_PREFETCH = "MedicationRequest?patient={{context.patientId}}&status=active"
KIDNEY_PREFETCH = (
    "Observation?patient={{context.patientId}}&code="
    + ",".join(f"{LOINC}|{code}" for code in LOINC_KIDNEY_FUNCTION)
    + "&_sort=-date&_count=10"
)
CONDITIONS_PREFETCH = "Condition?patient={{context.patientId}}&clinical-status=active"
ORDER_PREFETCH = {
    "patient": PATIENT_PREFETCH,
    "medications": MEDICATIONS_PREFETCH,
    "kidney": KIDNEY_PREFETCH,
    "conditions": CONDITIONS_PREFETCH,
}


@dataclass(frozen=True, slots=True)
class HookService:
    """One CDS service of the discovery document: its id (the path ``/cds-services/{id}``), hook and prefetch."""

    id: str
    hook: str
    title: str
    description: str
    prefetch: Mapping[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "hook": self.hook,
            "id": self.id,
            "title": self.title,
            "description": self.description,
            "usageRequirements": "A bearer token of this service's API (POST /api/v1/auth/token) of a clinician "
            "or nurse; the patient-view service reads the stored patient whose id is context.patientId. " + DISCLAIMER,
        }
        if self.prefetch:
            out["prefetch"] = dict(self.prefetch)
        return out


_ORDER_CHECKS = (
    "interactions (tizanidine with ciprofloxacin or fluvoxamine: an absolute block), daily dose limits with the "
    "kidney function, contraindications with the patient's conditions, age and kidney function, and an order that "
    "stops oral baclofen at once or lowers it by more than one taper step (a taper is suggested instead)"
)
HOOK_SERVICES: tuple[HookService, ...] = (
    HookService(
        "baclofen-order-select",
        "order-select",
        "Baclofen and antispastic order check (on select)",
        f"Checks the selected medication orders: {_ORDER_CHECKS}. {DISCLAIMER}",
        ORDER_PREFETCH,
    ),
    HookService(
        "baclofen-order-sign",
        "order-sign",
        "Baclofen and antispastic order check (on sign)",
        f"Checks the medication orders about to be signed: {_ORDER_CHECKS}. {DISCLAIMER}",
        ORDER_PREFETCH,
    ),
    HookService(
        "baclofen-patient-view",
        "patient-view",
        "Baclofen clinic worklist for the patient",
        "For a patient stored in the caller's clinic: refill due or overdue, low-reservoir alarm near, pump "
        f"battery, high withdrawal or overdose risk, open alerts. {DISCLAIMER}",
    ),
)


def discovery() -> dict[str, Any]:
    """The discovery document (``GET /cds-services``)."""
    return {"services": [s.to_dict() for s in HOOK_SERVICES]}


def find_hook_service(service_id: str) -> HookService | None:
    """The service with this id, or None."""
    return next((s for s in HOOK_SERVICES if s.id == service_id), None)


# --- cards --------------------------------------------------------------------------------------------------------
class Indicator(Enum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


_INDICATOR_OF = {Severity.BLOCK: Indicator.CRITICAL, Severity.WARN: Indicator.WARNING, Severity.INFO: Indicator.INFO}


@dataclass(frozen=True, slots=True)
class CardSource:
    """Where a card's advice comes from: a label, the URL of the evidence and the rule as its topic."""

    label: str
    url: str | None = None
    rule_id: str | None = None
    rule_title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label}
        if self.url:
            out["url"] = self.url
        if self.rule_id:
            out["topic"] = {"system": RULE_SYSTEM, "code": self.rule_id, "display": self.rule_title or self.rule_id}
        return out


@dataclass(frozen=True, slots=True)
class Action:
    """A suggested change: ``create`` (a FHIR ``resource``), ``update`` or ``delete`` (``resource_id``, a relative
    reference such as ``MedicationRequest/103``)."""

    type: str
    description: str
    resource: Mapping[str, Any] | None = None
    resource_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": self.type, "description": self.description}
        if self.resource is not None:
            out["resource"] = dict(self.resource)
        if self.resource_id:
            out["resourceId"] = self.resource_id
        return out


@dataclass(frozen=True, slots=True)
class Suggestion:
    label: str
    uuid: str
    actions: tuple[Action, ...]
    is_recommended: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "uuid": self.uuid,
            "isRecommended": self.is_recommended,
            "actions": [a.to_dict() for a in self.actions],
        }


@dataclass(frozen=True, slots=True)
class Card:
    """A CDS Hooks card: ``summary`` at most 140 characters, ``detail`` (markdown) with the reasoning."""

    uuid: str
    summary: str
    detail: str
    indicator: Indicator
    source: CardSource
    suggestions: tuple[Suggestion, ...] = ()
    override_reasons: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "uuid": self.uuid,
            "summary": self.summary,
            "detail": self.detail,
            "indicator": self.indicator.value,
            "source": self.source.to_dict(),
        }
        if self.suggestions:
            out["suggestions"] = [s.to_dict() for s in self.suggestions]
            out["selectionBehavior"] = "at-most-one"
        if self.override_reasons:
            out["overrideReasons"] = [
                {"system": OVERRIDE_SYSTEM, "code": code, "display": display} for code, display in self.override_reasons
            ]
        return out


@dataclass(frozen=True, slots=True)
class HookAnswer:
    """The answer to a hook call: its cards, and what could not be checked and why (``notes``)."""

    cards: tuple[Card, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "cards": [c.to_dict() for c in self.cards],
            "systemActions": [],
            "extension": {"org.baclofen.notes": list(self.notes), "org.baclofen.disclaimer": DISCLAIMER},
        }


def unanswered(reason: str) -> HookAnswer:
    """No card, and why (an unknown patient, a patient out of the caller's scope ...)."""
    return HookAnswer((), (reason,))


def _summary(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SUMMARY_MAX_CHARS else text[: SUMMARY_MAX_CHARS - 1].rstrip() + "…"


def _best_reference(keys: Sequence[str]) -> str | None:
    """The citation key of highest authority among ``keys`` (the first of those), or None."""
    return min(keys, key=lambda k: get_reference(k).authority.rank) if keys else None


def _source(rule_id: str | None, keys: Sequence[str]) -> CardSource:
    entry = CATALOGUE.get(rule_id) if rule_id else None
    title = entry.rule.title if entry is not None else None
    best = _best_reference(keys)
    if best is None:
        return CardSource("baclofen decision support", None, rule_id, title)
    ref = get_reference(best)
    url = ref.location if ref.location.startswith(("https://", "http://")) else None
    return CardSource(_summary(f"baclofen decision support - [{ref.key}] {ref.title}"), url, rule_id, title)


def _sources_text(keys: Iterable[str]) -> str:
    lines = [f"- {format_citation(k)}" for k in dict.fromkeys(keys)]
    return "**Sources:**\n" + "\n".join(lines) if lines else "**Sources:** none cited"


def _value_text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None if value is None else str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, list | tuple) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value)
    return None


def _detail(
    message: str, rule_id: str, reasoning: str, data: Mapping[str, Any], extra: Sequence[str], keys: Iterable[str]
) -> str:
    numbers = [f"- {name}: {text}" for name, value in data.items() if (text := _value_text(value)) is not None]
    parts = [message, f"**Why** (rule {rule_id}): {reasoning}"]
    if numbers:
        parts.append("**Values:**\n" + "\n".join(numbers))
    parts += [*extra, _sources_text(keys), f"_{DISCLAIMER}_"]
    return "\n\n".join(parts)


class _Cards:
    """Cards of one hook call, each with a uuid derived from the call and its place in the answer."""

    def __init__(
        self, hook_instance: str, render_taper: TaperRenderer | None = None, render_stop: StopRenderer | None = None
    ) -> None:
        self.hook_instance = hook_instance
        self.render_taper = render_taper
        self.render_stop = render_stop
        self.cards: list[Card] = []

    def uuid(self, *parts: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(("baclofen-cds-hooks", self.hook_instance, *parts))))

    def add(self, card: Card) -> None:
        self.cards.append(card)

    def finding(self, finding: Finding, about: str, *, extra: Sequence[str] = ()) -> None:
        """A card of a finding (``about``: the order it concerns)."""
        f = finding
        lines = list(extra)
        if f.action:
            lines.append(f"**What to do:** {f.action}")
        if f.signs:
            lines.append("**Watch for:** " + "; ".join(f.signs))
        if f.severity is Severity.BLOCK and not f.overridable:
            lines.append("**An absolute block:** no override lifts it.")
        reasons = () if not f.overridable or f.severity is Severity.INFO else _OVERRIDE_REASONS
        self.add(
            Card(
                self.uuid(about, f.rule_id, str(len(self.cards))),
                _summary(f.message),
                _detail(f.message, f.rule_id, f.reasoning, f.data, lines, f.evidence),
                _INDICATOR_OF[f.severity],
                _source(f.rule_id, f.evidence),
                override_reasons=reasons,
            )
        )

    def info(self, key: str, summary: str, detail: str, indicator: Indicator = Indicator.INFO) -> None:
        """A card without a rule (what was not checked, and why): information unless ``indicator`` says more."""
        self.add(
            Card(
                self.uuid("info", key, str(len(self.cards))),
                _summary(summary),
                f"{detail}\n\n_{DISCLAIMER}_",
                indicator,
                CardSource("baclofen decision support"),
            )
        )


_OVERRIDE_REASONS = (
    ("benefit-outweighs-risk", "Benefit outweighs the risk; the patient will be monitored"),
    ("already-managed", "Already managed (dose adjusted or monitoring in place)"),
)


# --- order-select, order-sign -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Order:
    order: MedicationOrder
    drug: Drug | None
    in_focus: bool


def review_orders(
    command: ReviewOrders,
    *,
    clinic: SettingsProvider | None = None,
    render_taper: TaperRenderer | None = None,
    render_stop: StopRenderer | None = None,
) -> HookAnswer:
    """The cards of an ``order-select``/``order-sign`` call: interactions, dose limits, an abrupt baclofen stop,
    and every order that could not be recognised or checked. ``clinic`` gives the clinic's values of the dose and
    taper settings; ``render_taper`` makes the draft order of a suggested taper (the FHIR adapter's: without it the
    card lists the taper and suggests no order to create); ``render_stop`` the update that stops an active order the
    taper replaces (without it, or when it does not know the order, the card says to stop it)."""
    c = command
    cards = _Cards(c.hook_instance, render_taper, render_stop)
    notes = list(c.unavailable)
    drafts = [_Order(o, recognise_order(o), c.selections is None or o.reference in c.selections) for o in c.drafts]
    stopped = {d.order.reference for d in drafts if d.order.stops}
    active = [_Order(o, recognise_order(o), False) for o in (c.active or ()) if o.reference not in stopped]
    focus = [d for d in drafts if d.in_focus]
    _unrecognised_cards(cards, focus, active)
    _interaction_cards(
        cards, focus, [d for d in drafts if not d.order.stops] + [a for a in active if not a.order.stops]
    )
    without_kidney: list[str] = []
    for d in focus:
        if d.drug is not None and not d.order.stops:
            _dose_cards(cards, d, c, clinic, without_kidney)
            _contraindication_cards(cards, d, c, notes)
    if without_kidney:
        cards.info(
            "kidney-unknown",
            f"Kidney function not known: the dose of {', '.join(without_kidney)} was checked without it",
            "The kidney-function limits of the dose (reduced maxima in kidney disease, dialysis) were NOT applied. "
            "Why: " + (c.kidney_unknown_why or "no kidney function was given") + ".",
        )
    # A stop beside a new oral baclofen order of the same session is a change of dose, not a stop: judged as one
    # step of a taper from the current dose to the new one (_cut_card).
    # A new order of unknown dose, or one that starts only after a gap, leaves the stop abrupt (_replaces_stop).
    continued = [d for d in drafts if _is_oral_baclofen(d) and not d.order.stops]
    replacing = [d for d in continued if _replaces_stop(d.order, c)]
    for d in focus:
        if _is_oral_baclofen(d) and d.order.stops:
            if replacing:
                notes.append(
                    f"{d.order.reference} stops baclofen beside {replacing[0].order.reference}: a change of dose "
                    "(judged as one taper step), not a stop"
                )
            else:
                _stop_card(cards, d.order, c, clinic)
                notes += [
                    f"{d.order.reference} stops baclofen beside {o.order.reference}, which does not replace it "
                    "at once: " + ("its dose is not known" if o.order.daily_dose_mg is None else "it starts later")
                    for o in continued
                ]
        elif _is_itb(d) and d.order.stops:
            _itb_stop_card(cards, d.order)
    new = [d for d in continued if d.in_focus and d.order.daily_dose_mg is not None]
    if new:
        _cut_card(
            cards, new[0], continued, [d for d in drafts if _is_oral_baclofen(d) and d.order.stops], c, clinic, notes
        )
    if c.active is None:
        cards.info(
            "active-unknown",
            "Active medications not known: interactions with them were NOT checked",
            "Neither the prefetch `medications` nor the FHIR server gave the patient's active medication orders; "
            "only the orders of this session were checked against each other. Why: "
            + ("; ".join(c.unavailable) or "no prefetch and no FHIR server"),
        )
    if not focus:
        notes.append("no medication order in focus (selections name none of the draft MedicationRequests)")
    return HookAnswer(tuple(cards.cards), tuple(notes))


def _unrecognised_cards(cards: _Cards, focus: Sequence[_Order], active: Sequence[_Order]) -> None:
    for d in focus:
        if d.drug is None:
            unknown = resolve_drugs([d.order.label]).unknown
            why = unknown[0].message if unknown else f"'{d.order.label}' is not in the drug catalogue"
            cards.info(
                d.order.reference,
                f"Not recognised: {d.order.label} - its interactions and dose were NOT checked",
                f"{why}. Names tried: {', '.join(d.order.names) or 'none'} ({d.order.reference}). The catalogue "
                "holds antispastics and the drugs that interact with them; it is not a complete drug database.",
            )
    unknown_active = [a.order.label for a in active if a.drug is None]
    if unknown_active:
        cards.info(
            "active-unrecognised",
            f"{len(unknown_active)} active medication(s) not recognised: interactions with them were NOT checked",
            "Not in the drug catalogue: " + "; ".join(unknown_active) + ".",
        )


def _interaction_cards(cards: _Cards, focus: Sequence[_Order], current: Sequence[_Order]) -> None:
    focus_keys = {d.drug.key for d in focus if d.drug is not None and not d.order.stops}
    keys = tuple(dict.fromkeys(d.drug.key for d in current if d.drug is not None))
    if not focus_keys or len(keys) < 2:
        return
    screen = check_interactions(CheckInteractions(keys))
    for finding in screen.findings:
        drugs = set(finding.data.get("drugs", ()))
        if drugs & focus_keys:
            cards.finding(finding, "+".join(sorted(drugs)))


def _dose_cards(
    cards: _Cards, d: _Order, c: ReviewOrders, clinic: SettingsProvider | None, without_kidney: list[str]
) -> None:
    """The dose findings of one order; its label added to ``without_kidney`` when its drug's dose limits depend on
    the kidney function and that is not known."""
    assert d.drug is not None
    order = d.order
    if order.daily_dose_mg is None:
        if order.dose_unit_unknown:
            cards.info(
                order.reference,
                f"Dose of {order.label} not checked: its unit is not a mass unit or is ambiguous",
                f"{order.dose_note} The dose unit is never guessed: give the dose in mg, g or mcg (UCUM mg, g, "
                f"ug). ({order.reference})",
                Indicator.WARNING,
            )
        elif d.drug.has_class(DrugClass.ANTISPASTIC):
            cards.info(
                order.reference,
                f"Dose of {order.label} not checked: no daily dose in mg could be read",
                f"{order.dose_note or 'The order gives no dose in mg with a frequency.'} ({order.reference})",
            )
        return
    kidney = c.patient.kidney
    in_mcg = DOSE_UNITS.get(d.drug.key) is DoseUnit.MCG_PER_DAY  # intrathecal baclofen: checked in mcg/day
    command = CheckDrugDose(
        d.drug.key,
        mg_per_day=None if in_mcg else order.daily_dose_mg,
        mcg_per_day=order.daily_dose_mg * MCG_PER_MG if in_mcg else None,
        single_dose_mg=None if in_mcg else order.single_dose_mg,
        doses_per_day=order.doses_per_day,
        locale=c.patient.locale,
        crcl_ml_min=kidney.crcl_ml_min,
        dialysis=kidney.dialysis,
    )
    findings: Sequence[Finding]
    try:
        if in_mcg and order.daily_dose_mg * MCG_PER_MG > MAX_PLAUSIBLE_DAILY_DOSE_MCG:
            # beyond what the dose check takes as input: the ITB limits still judge it (a 1000x slip, above 2003)
            findings = check_itb_daily_dose(
                order.daily_dose_mg * MCG_PER_MG, label="intrathecal baclofen daily dose", refuse_implausible=False
            )
        else:
            findings = check_drug_dose(command, clinic=clinic).findings
    except InvalidInputError as exc:
        cards.info(order.reference, f"Dose of {order.label} not checked", f"{exc} ({order.reference})")
        return
    read = (
        f"The order gives {order.daily_dose_mg:g} mg/day = {order.daily_dose_mg * MCG_PER_MG:g} mcg/day by the "
        "intrathecal route, whose doses are micrograms (checked in mcg/day against the intrathecal limits)."
        if in_mcg
        else f"The order gives {order.daily_dose_mg:g} mg/day."
    )
    if order.dose_basis:
        read += f" Checked: {order.dose_basis}."
    kidney_text = f"Kidney function used: {kidney.to_dict()['note']}" + (
        f" CrCl {kidney.crcl_ml_min:g} mL/min." if kidney.crcl_ml_min is not None else ""
    )
    if d.drug.key in _KIDNEY_DOSED and not kidney.is_known:
        without_kidney.append(order.label)
    for finding in findings:
        if finding.severity is not Severity.INFO:
            cards.finding(finding, order.reference, extra=(read, kidney_text))


def _contraindication_cards(cards: _Cards, d: _Order, c: ReviewOrders, notes: list[str]) -> None:
    """Contraindications of the order's drug with the patient's conditions, age, sex and kidney function."""
    assert d.drug is not None
    kidney = c.patient.kidney
    command = CheckContraindications(
        d.drug.key,
        c.conditions or (),
        age_years=c.patient.age_years,
        sex=c.patient.sex,
        crcl_ml_min=kidney.crcl_ml_min,
        dialysis=kidney.dialysis,
    )
    try:
        screen = check_drug_contraindications(command)
    except InvalidInputError as exc:
        notes.append(f"{d.order.reference}: contraindications not checked: {exc}")
        return
    unknown = [u["query"] for u in screen.to_dict()["unknown_conditions"]]
    if unknown:
        notes.append(f"{d.order.reference}: conditions not recognised, NOT checked: " + "; ".join(unknown))
    if c.conditions is None:
        notes.append(f"{d.order.reference}: the patient's conditions are not known: checked without them")
    for finding in screen.findings:
        if finding.severity is not Severity.INFO:
            cards.finding(finding, d.order.reference)


def _current_baclofen_mg(stop: MedicationOrder, c: ReviewOrders) -> float | None:
    """The daily dose a stop order stops: its own, else that of the active baclofen order it replaces or any."""
    if stop.daily_dose_mg is not None:
        return stop.daily_dose_mg
    active = [o for o in c.active or () if (drug := recognise_order(o)) is not None and drug.key == "baclofen"]
    same = [o for o in active if o.reference == stop.reference and o.daily_dose_mg is not None]
    doses = [o.daily_dose_mg for o in (same or active) if o.daily_dose_mg is not None]
    return doses[0] if doses else None


def _plan_taper(
    current: float,
    target: float | None,
    orders: Sequence[MedicationOrder],
    c: ReviewOrders,
    clinic: SettingsProvider | None,
) -> Plan:
    """The planner's taper from ``current`` to ``target`` mg/day (None: to zero) in the product the first of
    ``orders`` (or the active order of its reference) names, so that the patient keeps their form (suspension,
    tablets); the planner's default product when none names one or that product cannot be planned."""
    named = [o for order in orders for o in (order, *(a for a in c.active or () if a.reference == order.reference))]
    product = next((p for o in named if (p := order_oral_product(o)) is not None), None)
    for choice in dict.fromkeys((product, None)):
        try:
            return plan_oral_taper(
                PlanTaper(
                    from_mg_per_day=current,
                    to_mg_per_day=target if target is not None else 0.0,
                    start_date=c.start_date,
                    patient=c.patient,
                    product=choice,
                ),
                clinic=clinic,
            )
        except InvalidInputError:
            if choice is None:
                raise
    raise AssertionError("unreachable: the default product either plans or raises")


def _stop_card(cards: _Cards, stop: MedicationOrder, c: ReviewOrders, clinic: SettingsProvider | None) -> None:
    """An order that stops oral baclofen at once: a taper to zero in 0 days (TAPER-ABRUPT-001), with the taper
    the planner makes as the suggestion that replaces it."""
    entry = CATALOGUE[ABRUPT_STOP_RULE]
    rule = entry.rule
    current = _current_baclofen_mg(stop, c)
    plan: Plan | None = None
    why_no_plan = "the current daily dose is not known (neither the order nor an active baclofen order gives it)"
    if current is not None:
        try:
            plan = _plan_taper(current, None, [stop], c, clinic)
        except InvalidInputError as exc:
            plan, why_no_plan = None, str(exc)
    required = plan.parameters.get("required_days_to_zero") if plan is not None else None
    minimum = required if isinstance(required, int) else _MIN_DAYS_TO_ZERO.default
    message = f"Do not stop baclofen abruptly: taper over at least {minimum} days ({stop.label})"
    reasoning = (
        f"The order {stop.reference} stops oral baclofen at once"
        + (f" from {current:g} mg/day" if current is not None else "")
        + f": a taper to zero in 0 days, less than the {minimum} days required ({rule.title}). Abrupt withdrawal "
        "can cause hallucinations, seizures, high fever and rebound spasticity. Labels ask to reduce the dosage "
        "slowly unless a rapid withdrawal is justified (an overdose or a serious adverse effect)."
    )
    extra: list[str] = []
    suggestions: tuple[Suggestion, ...] = ()
    keys = list(rule.evidence)
    if plan is not None and plan.offerable:
        days = plan.parameters.get("days_to_target")
        extra.append(f"**Suggested taper** ({days} days to zero, from {current:g} mg/day):\n" + _steps_text(plan))
        extra += [f"- {f.rule_id} ({f.severity.value}): {f.message}" for f in plan.findings]
        keys += [k for f in plan.findings for k in f.evidence]
    if plan is not None and plan.offerable and cards.render_taper is not None:
        days = plan.parameters.get("days_to_target")
        actions = [
            Action(
                "create",
                f"A taper of baclofen from {current:g} mg/day to stop over {days} days",
                cards.render_taper(plan, c.patient_id),
            )
        ]
        if stop.reference.startswith("MedicationRequest/"):
            actions.insert(
                0,
                Action(
                    "delete",
                    f"Withdraw the order that stops baclofen at once ({stop.reference})",
                    resource_id=stop.reference,
                ),
            )
        # the other active baclofen orders would run on beside the taper: stopped by it
        for o in c.active or ():
            if o.reference != stop.reference and (drug := recognise_order(o)) is not None and drug.key == "baclofen":
                resource = cards.render_stop(o.reference) if cards.render_stop is not None else None
                if resource is not None:
                    actions.insert(
                        -1, Action("update", f"Stop the active order the taper replaces ({o.reference})", resource)
                    )
                else:
                    extra.append(f"Stop the active order {o.reference} too: the taper replaces it.")
        suggestions = (
            Suggestion(
                _summary(f"Taper baclofen from {current:g} mg/day to stop over {days} days instead"),
                cards.uuid(stop.reference, "taper"),
                tuple(actions),
                is_recommended=True,
            ),
        )
    elif plan is not None and not plan.offerable:
        extra.append(
            "No taper could be offered: "
            + "; ".join(f"{f.rule_id}: {f.message}" for f in plan.findings if f.is_blocking)
        )
    elif plan is None:
        extra.append(f"No taper suggested: {why_no_plan}. Plan one with `baclofen plan taper` or the planner page.")
    cards.add(
        Card(
            cards.uuid(stop.reference, ABRUPT_STOP_RULE),
            _summary(message),
            _detail(
                message,
                ABRUPT_STOP_RULE,
                reasoning,
                {"from_mg_per_day": current, "days_to_zero": 0, "required_days_to_zero": minimum},
                extra,
                keys,
            ),
            _INDICATOR_OF[rule.severity],
            _source(ABRUPT_STOP_RULE, rule.evidence),
            suggestions,
            (("rapid-withdrawal-justified", "Rapid withdrawal justified (overdose or serious adverse effect)"),),
        )
    )


def _replaces_stop(new: MedicationOrder, c: ReviewOrders) -> bool:
    """Whether a new oral baclofen order takes over from a stopped one at once: its daily dose is known and it
    starts no later than the day after the review's day (a later start leaves the days between without baclofen)."""
    return new.daily_dose_mg is not None and (
        new.starts_on is None or new.starts_on <= c.start_date + timedelta(days=_NEW_ORDER_GAP_DAYS)
    )


#: A new order that starts more days than this after the review's day leaves a gap after the stop (an abrupt stop).
_NEW_ORDER_GAP_DAYS = 1


def _itb_stop_card(cards: _Cards, stop: MedicationOrder) -> None:
    """An order that stops intrathecal baclofen: the boxed warning's abrupt discontinuation (critical), with the
    withdrawal signs and what to do (:data:`~baclofen.domain.signs.ITB_WITHDRAWAL`, its sources)."""
    message = f"Do not stop intrathecal baclofen abruptly: withdrawal can be life-threatening ({stop.label})"
    detail = "\n\n".join(
        (
            message,
            f"**Why:** the order {stop.reference} stops intrathecal baclofen. The boxed warning of intrathecal "
            "baclofen: abrupt discontinuation, whatever the cause, has resulted in high fever, altered mental "
            "status, exaggerated rebound spasticity and muscle rigidity, which in rare cases advanced to "
            "rhabdomyolysis, multiple organ-system failure and death. Confirm that the stop is intended and managed "
            "by the pump clinic (for example an overdose).",
            f"**What to do:** {ITB_WITHDRAWAL.action}",
            "**Watch for:** " + "; ".join(ITB_WITHDRAWAL.signs),
            _sources_text(ITB_WITHDRAWAL.evidence),
            f"_{DISCLAIMER}_",
        )
    )
    cards.add(
        Card(
            cards.uuid(stop.reference, "itb-withdrawal"),
            _summary(message),
            detail,
            Indicator.CRITICAL,
            _source(None, ITB_WITHDRAWAL.evidence),
            override_reasons=(
                ("stop-intended-and-managed", "The stop is intended and managed (e.g. an overdose), with monitoring"),
            ),
        )
    )


def _is_itb(d: _Order) -> bool:
    return d.drug is not None and d.drug.key == "baclofen-intrathecal"


def _is_oral_baclofen(d: _Order) -> bool:
    return d.drug is not None and d.drug.key == "baclofen"


def _max_step_mg(clinic: SettingsProvider | None) -> float:
    """The largest reduction of the daily dose at one taper step (the taper planner's setting, the clinic's value)."""
    mine = dict(clinic.overrides((_MAX_STEP,))) if clinic is not None else {}
    return float(mine.get(_MAX_STEP.name, _MAX_STEP.default))


def _cut_card(
    cards: _Cards,
    first: _Order,
    new: Sequence[_Order],
    stops: Sequence[_Order],
    c: ReviewOrders,
    clinic: SettingsProvider | None,
    notes: list[str],
) -> None:
    """New oral baclofen orders whose daily dose is lower than the current one by more than one taper step: a
    warning (TAPER-STEP-001), critical when the new dose is no more than one step above zero, so that the whole
    taper is done at once (TAPER-ABRUPT-001); the planner's taper from the current dose to the new one is the
    suggestion that replaces the new order."""
    replaced: list[MedicationOrder] = []  # the active orders the new one(s) replace, to stop
    if stops:
        doses = [_current_baclofen_mg(s.order, c) for s in stops]
        source = "the order(s) it stops"
    else:
        replaced = [o for o in c.active or () if (drug := recognise_order(o)) is not None and drug.key == "baclofen"]
        doses = [o.daily_dose_mg for o in replaced]
        source = "the active baclofen order(s)"
    new_doses = [d.order.daily_dose_mg for d in new]
    if not doses or None in doses or None in new_doses:
        if doses or stops:
            notes.append(
                f"{first.order.reference}: the change from the current baclofen dose NOT checked (a dose unknown)"
            )
        return
    current = sum(d for d in doses if d is not None)
    target = sum(d for d in new_doses if d is not None)
    step = _max_step_mg(clinic)
    if current - target <= step + 1e-9:
        return
    stop_like = target <= step + 1e-9
    rule_id = ABRUPT_STOP_RULE if stop_like else _STEP_RULE
    rule = CATALOGUE[rule_id].rule
    message = f"Baclofen cut from {current:g} mg/day to {target:g} mg/day in one step: taper instead"
    reasoning = (
        f"{first.order.reference} lowers oral baclofen from {current:g} mg/day ({source}) to {target:g} mg/day at "
        f"once, a reduction of {current - target:g} mg/day where one taper step lowers it by at most {step:g} "
        f"mg/day (setting {_MAX_STEP.name}, {_MAX_STEP.status.value}; the taper planner's). "
        + (
            f"The new dose is no more than one step above zero: the whole taper is done at once, in effect an "
            f"abrupt stop ({rule.title})."
            if stop_like
            else f"({rule.title}.)"
        )
        + " Abrupt withdrawal can cause hallucinations, seizures, high fever and rebound spasticity."
    )
    plan: Plan | None = None
    extra: list[str] = []
    try:
        plan = _plan_taper(current, target, [*(d.order for d in (*stops, *new)), *replaced], c, clinic)
    except InvalidInputError as exc:
        extra.append(f"No taper suggested: {exc}.")
    keys = list(rule.evidence)
    suggestions: tuple[Suggestion, ...] = ()
    if plan is not None and plan.offerable:
        days = plan.parameters.get("days_to_target")
        extra.append(f"**Suggested taper** ({days} days to {target:g} mg/day):\n" + _steps_text(plan))
        keys += [k for f in plan.findings for k in f.evidence]
    if plan is not None and plan.offerable and cards.render_taper is not None:
        days = plan.parameters.get("days_to_target")
        actions = [
            Action("delete", f"Withdraw the one-step cut ({d.order.reference})", resource_id=d.order.reference)
            for d in new
            if d.order.reference.startswith("MedicationRequest/")
        ]
        for o in replaced:
            resource = cards.render_stop(o.reference) if cards.render_stop is not None else None
            if resource is not None:
                actions.append(Action("update", f"Stop the active order the taper replaces ({o.reference})", resource))
            else:
                extra.append(f"Stop the active order {o.reference} too: the taper replaces it.")
        actions.append(
            Action(
                "create",
                f"A taper of baclofen from {current:g} to {target:g} mg/day over {days} days",
                cards.render_taper(plan, c.patient_id),
            )
        )
        suggestions = (
            Suggestion(
                _summary(f"Taper baclofen from {current:g} to {target:g} mg/day over {days} days instead"),
                cards.uuid(first.order.reference, "cut-taper"),
                tuple(actions),
                is_recommended=True,
            ),
        )
    elif plan is not None and not plan.offerable:
        extra.append("No taper could be offered: " + "; ".join(f.message for f in plan.findings if f.is_blocking))
    data = {"from_mg_per_day": current, "to_mg_per_day": target, "max_step_mg_per_day": step}
    cards.add(
        Card(
            cards.uuid(first.order.reference, rule_id, "cut"),
            _summary(message),
            _detail(message, rule_id, reasoning, data, extra, keys),
            Indicator.CRITICAL if stop_like else Indicator.WARNING,
            _source(rule_id, rule.evidence),
            suggestions,
            _OVERRIDE_REASONS,
        )
    )


def _steps_text(plan: Plan) -> str:
    lines = []
    for step in plan.steps:
        doses = ", ".join(f"{d.time:%H:%M} {d.dose_mg:g} mg" for d in step.doses)
        when = f"{step.start.isoformat()} to {step.end.isoformat()}" if step.daily_dose_mg else f"from {step.start}"
        lines.append(f"- {when}: {step.daily_dose_mg:g} mg/day" + (f" ({doses})" if doses else " (stop)"))
    return "\n".join(lines)


# --- patient-view -------------------------------------------------------------------------------------------------
def view_patient(uow: UnitOfWork, command: ViewPatient, *, clinic: SettingsProvider | None = None) -> HookAnswer:
    """The cards of a ``patient-view`` call: the stored patient's worklist items (the caller checked that the
    patient is one of their clinic's)."""
    c = command
    worklist = compute_clinic_worklist(uow, ComputeWorklist((c.patient_id,), c.as_of, c.horizon_days), clinic=clinic)
    cards = _Cards(c.hook_instance)
    for item in worklist.items:
        cards.add(_worklist_card(cards, item))
    notes = [f"omitted from the timeline: {text}" for text in worklist.omitted.get(c.patient_id, ())]
    if not worklist.items:
        notes.append(f"nothing due for patient {c.patient_id!r} within {c.horizon_days} days")
    return HookAnswer(tuple(cards.cards), tuple(notes))


def _worklist_card(cards: _Cards, item: WorklistItem) -> Card:
    if item.urgency in (Urgency.OVERDUE, Urgency.BLOCK):
        indicator = Indicator.CRITICAL
    elif item.level is RiskLevel.HIGH:
        indicator = Indicator.WARNING
    else:
        indicator = Indicator.INFO
    where = f" (pump {item.pump_id})" if item.pump_id else ""
    reasoning = " ".join(item.reasoning) if item.reasoning else "the rule gives no further reasoning"
    data = {"due": item.due.isoformat(), "urgency": item.urgency.value, "level": item.level.value}
    if item.alert_id:
        data["alert_id"] = item.alert_id
    return Card(
        cards.uuid(item.kind.value, item.rule_id, item.pump_id or "", str(len(cards.cards))),
        _summary(f"{item.kind.value.capitalize()}{where}: {item.message}"),
        _detail(
            f"{item.kind.value.capitalize()}{where}: {item.message}", item.rule_id, reasoning, data, (), item.sources
        ),
        indicator,
        _source(item.rule_id, item.sources),
    )
