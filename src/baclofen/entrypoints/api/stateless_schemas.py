"""The request bodies of the stateless simulations, intrathecal calculators and pump calculators (pydantic):
their shape only, each the options of its CLI command in snake_case (the input edge's names: ``settings`` for
``--setting``, ``conditions`` for ``--condition``, ``other_drugs_in_pump`` for ``--other-drug-in-pump``). Every
dose, rate and volume names its unit (``_mg``, ``_mcg``, ``_mcg_per_day``, ``_ml``); text fields are read by the
one input edge (``baclofen.adapters.edge``), numbers checked by the same use case as the CLI's."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from baclofen.entrypoints.api.schemas import Body, LongText, Names, Settings, Text

__all__ = [
    "ConcentrationChangeRequest",
    "InitialDoseRequest",
    "ItbScreeningRequest",
    "ItbTitrationRequest",
    "ItbTransitionRequest",
    "PumpProgramRequest",
    "ReconcileRequest",
    "RefillCheckRequest",
    "SimulateIntrathecalRequest",
    "SimulateOralRequest",
    "SimulateRegimenRequest",
]

#: Haemodialysis sessions ``START_H:DURATION_H`` (hours after the start).
Sessions = Annotated[list[Text], Field(max_length=50)]


class _SimulationFields(Body):
    crcl_ml_min: float | None = None
    dialysis: bool = False
    step_h: float | None = None
    settings: Settings = {}


class _OralSimulationFields(_SimulationFields):
    hd_sessions: Sessions = []
    model: Text = "default"
    conditions: Names = []
    #: Refused: a virtual population runs as a job (``POST /api/v1/simulations/population``).
    population: int | None = None


class SimulateOralRequest(_OralSimulationFields):
    """Oral doses for the typical subject: the fields of ``baclofen simulate oral`` (``dose_mg`` every
    ``interval_h`` hours, ``doses`` of them, over ``hours``)."""

    dose_mg: float
    interval_h: float = 8.0
    doses: int = 1
    hours: float | None = None


class SimulateIntrathecalRequest(_SimulationFields):
    """Intrathecal infusion (``daily_dose_mcg``, mcg/day) and a lumbar bolus (``bolus_mcg``, mcg) for the typical
    subject: the fields of ``baclofen simulate intrathecal`` (``from_empty``: no drug in the CSF at the start)."""

    daily_dose_mcg: float
    bolus_mcg: float = 0.0
    hours: float = 24.0
    from_empty: bool = False


class SimulateRegimenRequest(_OralSimulationFields):
    """A plan's regimen for the typical subject: ``plan`` the ``baclofen-plan/1`` document (the JSON of
    ``baclofen plan titrate/taper --json``, of ``POST /api/v1/plans/titration`` or ``/plans/taper``), with the
    fields of ``baclofen simulate regimen``."""

    plan: Annotated[dict[Text, Any], Field(max_length=50)]
    washout_h: float = 24.0


class ItbScreeningRequest(Body):
    """An intrathecal screening trial: the fields of ``baclofen itb screen`` (``responses``: ``"no,no"`` or a
    list of booleans, in the order the doses were given; Ashworth grades ``0``-``4`` or ``1+``)."""

    responses: Text | Annotated[list[bool], Field(max_length=20)] = ""
    start_mcg: float = 50.0
    hours_since_last_dose: float | None = None
    effect_duration_hours: float | None = None
    negative_reactions: bool = False
    conditions: Names = []
    ashworth_before: int | Text | None = None
    ashworth_after: int | Text | None = None
    settings: Settings = {}


class InitialDoseRequest(Body):
    """The initial infusion dose: the fields of ``baclofen itb initial-dose``."""

    screening_dose_mcg: float
    response_hours: float
    negative_reactions: bool = False


class ItbTitrationRequest(Body):
    """The allowed next intrathecal daily dose: the fields of ``baclofen itb titrate``."""

    current_mcg_per_day: float
    origin: Text = "spinal"
    at_refill: bool = False
    hours_since_start: float | None = None
    proposed_mcg_per_day: float | None = None
    confirm_high_dose: bool = False
    planned_taper: bool = False
    hours_since_last_increase: float | None = None
    interruption_hours: float | None = None


class ItbTransitionRequest(Body):
    """An oral -> intrathecal transition: the fields of ``baclofen itb transition`` (``infusion_start``
    ``YYYY-MM-DD``, the clinic's today when left out; overrides ``RULE-ID=REASON``, given by the caller)."""

    oral_mg_per_day: float
    itb_initial_mcg_per_day: float
    infusion_start: Text | None = None
    origin: Text = "spinal"
    itb_target_mcg_per_day: float | None = None
    max_oral_cut_percent: float | None = None
    months_on_therapy: float | None = None
    product: Text | None = None
    locale: Text = "us"
    other_oral_antispastics: Names = []
    overrides: Names = []


class PumpProgramRequest(Body):
    """A pump program: the fields of ``baclofen pump program`` (``flex``: ``HH:MM=MCG_PER_H,...``)."""

    pump: Text
    concentration_mcg_per_ml: float
    daily_dose_mcg: float | None = None
    flex: LongText | None = None
    confirm_high_dose: bool = False
    other_drugs_in_pump: Names = []


class ReconcileRequest(Body):
    """Expected vs aspirated residual: the fields of ``baclofen pump reconcile`` (``previous``: earlier visits,
    oldest first, ``EXPECTED:ASPIRATED`` mL pairs separated by commas)."""

    expected_ml: float
    aspirated_ml: float
    previous: LongText | None = None
    pump: Text | None = None
    tolerance_percent: float | None = None
    tolerance_ml: float | None = None
    trend_visits: int | None = None
    previous_fill_ml: float | None = None


class ConcentrationChangeRequest(Body):
    """A concentration change for the same daily dose: the fields of ``baclofen pump concentration-change``
    (``pump_internal_volume_ml`` is ``--pump-volume-ml``; ``change_time`` ``HH:MM`` on the pump clock)."""

    pump: Text
    daily_dose_mcg: float
    old_mcg_per_ml: float
    new_mcg_per_ml: float
    catheter_volume_ml: float | None = None
    catheter_trimmed_cm: float | None = None
    pump_internal_volume_ml: float | None = None
    flex: LongText | None = None
    change_time: Text | None = None


class RefillCheckRequest(Body):
    """A refill visit checked without stored records: the fields of ``baclofen pump refill`` (``refilled``: a
    date or date-time, the clinic's today when left out; ``previous``: ``EXPECTED:ASPIRATED`` mL pairs). Nothing
    is stored: ``POST /api/v1/pumps/{pump_id}/visits`` records a stored pump's visit."""

    pump: Text
    concentration_mcg_per_ml: float
    daily_dose_mcg: float | None = None
    flex: LongText | None = None
    refilled: Text | None = None
    expected_ml: float | None = None
    aspirated_ml: float | None = None
    previous: LongText | None = None
    target_interval_days: int | None = None
    margin_days: int | None = None
    implanted: Text | None = None
    as_of: Text | None = None
    previous_fill_ml: float | None = None
    previous_filled: Text | None = None
    other_drugs_in_pump: Names = []
    settings: Settings = {}
