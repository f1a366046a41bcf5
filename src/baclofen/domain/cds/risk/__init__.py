"""Withdrawal and overdose risk engine: a pure function of a patient timeline (clinical.md §3, §4, §5.7).

:func:`assess_risk` looks at a :class:`~baclofen.domain.cds.timeline.PatientTimeline` up to its ``as_of``
and returns every risk it finds, each with a level (high / moderate / low), a message, reasoning,
evidence, what to do and the warning signs to watch for (:mod:`baclofen.domain.signs`):

* **pump**: refill overdue (HIGH) or near (MODERATE); low reservoir or empty by the program (HIGH);
  battery replacement due (MODERATE) or ERI / end of service (HIGH); residual discrepancies at the last
  refill and their trend; recent program changes (increase, decrease, concentration change) and a
  stopped pump (HIGH); a program above 2003 mcg/day (overdose, HIGH) and a cut larger than the refill decrease
  step, ``cds.risk.itb_max_cut_percent`` (withdrawal, HIGH; a cut to a tiny rate counts like a stop). Reservoir
  arithmetic, battery dates and reconciliation are those of the ITB domain
  (:mod:`baclofen.domain.itb`), never re-implemented here;
* **oral**: a prescription above the maximum daily dose (US 80 / UK 100 mg/day by locale, the lower one when
  the timeline names no locale; HIGH), missed doses, an abrupt stop (a stop faster than the minimum taper, or
  from a dose above the taper step, HIGH), a single reduction larger than the taper step setting, and a
  **planned** stop: a prescription ending after ``as_of`` with nothing lower after it (HIGH when its last dose
  is above the taper step or the reduction is shorter than the minimum taper; MODERATE when a planned step is
  too large);
* **diary**: red flags (emergency signs, withdrawal signs such as itching, fever, rebound spasticity) are
  HIGH with a message telling the patient what to do now and an alert for the clinic; overdose signs are
  MODERATE; unrecognised symptom texts (moderate) and free diary notes (low) are sent to a clinician for review,
  never dropped (journeys.md #6);
* **kidney**: oral exposure excess in kidney failure (dialysis above the dialysis dose, about 5 mg/day [S14] [S15];
  CrCl <= 30 mL/min above the maximum reduced by the planner's severe-band 2/3 [S22]: HIGH; CKD above 20 mg/day:
  MODERATE [S23]).

A refill counts as **overdue** when ``as_of`` is after the recommended refill date of the current fill
(the ITB forecast: a margin before the computed low-reservoir alarm, capped by drug stability from the
refill date).

>>> from baclofen.domain.cds.timeline import timeline_from_dict
>>> t = timeline_from_dict({"as_of": "2026-03-10T09:00:00+00:00", "pump": {"model": "synchromed-ii-20",
...     "refills": [{"time": "2026-01-01T10:00:00+00:00", "volume_ml": 20, "concentration_mcg_per_ml": 500,
...                  "daily_dose_mcg": 250}]}})
>>> a = assess_risk(t)
>>> a.level.value, [r.finding.rule_id for r in a.risks][:1]
('high', ['RISK-RESERVOIR-002'])

The package holds one module per subject: :mod:`~baclofen.domain.cds.risk.refill` (RISK-REFILL-*),
:mod:`~baclofen.domain.cds.risk.reservoir` (RISK-RESERVOIR-*), :mod:`~baclofen.domain.cds.risk.battery`
(RISK-BATTERY-*), :mod:`~baclofen.domain.cds.risk.mri` (RISK-MRI-001), :mod:`~baclofen.domain.cds.risk.alarms`
(RISK-ALARM-*), :mod:`~baclofen.domain.cds.risk.discrepancy` (RISK-DISCREPANCY-*),
:mod:`~baclofen.domain.cds.risk.program` (RISK-PROGRAM-*), :mod:`~baclofen.domain.cds.risk.oral` (RISK-ORAL-*),
:mod:`~baclofen.domain.cds.risk.diary` (RISK-DIARY-*) and :mod:`~baclofen.domain.cds.risk.kidney`
(RISK-KIDNEY-*); the pump analysis they read (:mod:`~baclofen.domain.cds.risk.pump`), their settings
(:mod:`~baclofen.domain.cds.risk.settings`) and context (:mod:`~baclofen.domain.cds.risk.context`); and the engine
that runs them all (:mod:`~baclofen.domain.cds.risk.engine`). This package re-exports their public names.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from baclofen.domain.cds.risk import alarms, battery, diary, discrepancy, kidney, mri, oral, program, refill, reservoir
from baclofen.domain.cds.risk.alarms import ALARM_MOTOR_STALL, ALARM_TWO_TONE, MOTOR_STALL_CRITICAL_HOURS
from baclofen.domain.cds.risk.battery import BATTERY_DUE, BATTERY_STOP
from baclofen.domain.cds.risk.context import RiskContext, RiskLevel
from baclofen.domain.cds.risk.diary import DIARY_EMERGENCY, DIARY_OVERDOSE, DIARY_UNRECOGNISED, DIARY_WITHDRAWAL
from baclofen.domain.cds.risk.discrepancy import DISCREPANCY_LESS, DISCREPANCY_MORE
from baclofen.domain.cds.risk.engine import (
    ALL_RISK_RULES,
    PATIENT_MESSAGE_OVERDOSE,
    PATIENT_MESSAGE_PUMP,
    PATIENT_MESSAGE_RED_FLAG,
    RISK_RULES,
    Risk,
    RiskAssessment,
    assess_risk,
    overdue_refill,
)
from baclofen.domain.cds.risk.kidney import KIDNEY_HIGH, KIDNEY_MODERATE
from baclofen.domain.cds.risk.mri import MRI_PROMETRA_RISK
from baclofen.domain.cds.risk.oral import ORAL_MAX, ORAL_MISSED, ORAL_PLANNED_STOP, ORAL_STEP, ORAL_STOP
from baclofen.domain.cds.risk.program import (
    PROGRAM_ABOVE_HIGHEST,
    PROGRAM_CONCENTRATION,
    PROGRAM_CUT,
    PROGRAM_DOWN,
    PROGRAM_STOPPED,
    PROGRAM_UP,
    ItbCut,
    NearStop,
    ProgramStep,
    near_stop,
    program_steps,
)
from baclofen.domain.cds.risk.pump import PumpAnalysis, analyse_pump
from baclofen.domain.cds.risk.refill import REFILL_NEAR, REFILL_OVERDUE, REFILL_UNKNOWN
from baclofen.domain.cds.risk.reservoir import RESERVOIR_EMPTY, RESERVOIR_LOW
from baclofen.domain.cds.risk.settings import (
    ITB_MAX_CUT_PERCENT,
    LOOKBACK_DAYS,
    MISSED_DOSES_MODERATE,
    REFILL_NEAR_DAYS,
    RISK_SETTINGS,
    risk_setting_values,
)
from baclofen.domain.rules.core import Rule

#: The modules that define the risk rules, each with its own ``DEFINED_RULES``: each is one source of the rule
#: catalogue (:data:`baclofen.domain.rules.catalogue.SOURCES`), which names the module a rule is defined in.
RULE_MODULES: tuple[ModuleType, ...] = (
    refill,
    reservoir,
    battery,
    mri,
    alarms,
    discrepancy,
    program,
    oral,
    diary,
    kidney,
)
#: Every rule the package defines (:data:`RISK_RULES`, the rules :func:`assess_risk` runs).
DEFINED_RULES: tuple[Rule[Any], ...] = RISK_RULES

__all__ = [
    "ALARM_MOTOR_STALL",
    "ALARM_TWO_TONE",
    "ALL_RISK_RULES",
    "BATTERY_DUE",
    "BATTERY_STOP",
    "DEFINED_RULES",
    "DIARY_EMERGENCY",
    "DIARY_OVERDOSE",
    "DIARY_UNRECOGNISED",
    "DIARY_WITHDRAWAL",
    "DISCREPANCY_LESS",
    "DISCREPANCY_MORE",
    "ITB_MAX_CUT_PERCENT",
    "ItbCut",
    "KIDNEY_HIGH",
    "KIDNEY_MODERATE",
    "LOOKBACK_DAYS",
    "MISSED_DOSES_MODERATE",
    "MOTOR_STALL_CRITICAL_HOURS",
    "MRI_PROMETRA_RISK",
    "NearStop",
    "ORAL_MAX",
    "ORAL_MISSED",
    "ORAL_PLANNED_STOP",
    "ORAL_STEP",
    "ORAL_STOP",
    "PATIENT_MESSAGE_OVERDOSE",
    "PATIENT_MESSAGE_PUMP",
    "PATIENT_MESSAGE_RED_FLAG",
    "PROGRAM_ABOVE_HIGHEST",
    "PROGRAM_CONCENTRATION",
    "PROGRAM_CUT",
    "PROGRAM_DOWN",
    "PROGRAM_STOPPED",
    "PROGRAM_UP",
    "ProgramStep",
    "PumpAnalysis",
    "REFILL_NEAR",
    "REFILL_NEAR_DAYS",
    "REFILL_OVERDUE",
    "REFILL_UNKNOWN",
    "RESERVOIR_EMPTY",
    "RESERVOIR_LOW",
    "RISK_RULES",
    "RISK_SETTINGS",
    "RULE_MODULES",
    "Risk",
    "RiskAssessment",
    "RiskContext",
    "RiskLevel",
    "analyse_pump",
    "assess_risk",
    "near_stop",
    "overdue_refill",
    "program_steps",
    "risk_setting_values",
]
