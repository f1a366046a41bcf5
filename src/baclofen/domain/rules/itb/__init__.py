"""Intrathecal baclofen (ITB-*) and pump (PUMP-*) safety rules: stable ids, cited, with reasoning.

Each rule's check takes a small context built by :mod:`baclofen.domain.itb` (the thresholds travel in
the context, so a clinic's overridden settings reach the rule and appear in the finding). Withdrawal
and overdose signs (:mod:`baclofen.domain.signs`) are attached to the findings they belong to:
overdue refill, empty reservoir and under-delivery -> ITB withdrawal; over-infusion, concentration
change and dose jumps -> ITB overdose.

Ids are stable and never reused. One module per subject, found from a rule's id:

* ``ITB-SCREEN-*`` screening trial: :mod:`.screening`;
* ``ITB-INIT-*`` initial infusion dose, ``ITB-DOSE-*`` daily-dose levels: :mod:`.dosing`;
* ``ITB-TITR-*`` titration and refill-visit adjustments: :mod:`.titration`, except ``ITB-TITR-006``;
* ``ITB-TITR-006`` / ``ITB-TRANS-004`` titration range / transition envelope cut at the daily-dose limit:
  :mod:`.ceiling`;
* ``ITB-LIMIT-*`` plausibility ranges and mg/mcg confusion: :mod:`.limits`;
* ``ITB-CONC-*`` concentrations and concentration changes: :mod:`.concentration`;
* ``ITB-TRANS-001..003`` oral -> intrathecal transition: :mod:`.transition`;
* ``PUMP-PROG-*`` programs, ``PUMP-ADMIX-*`` other drugs in the pump: :mod:`.program`;
* ``PUMP-FCST-*`` reservoir forecast, ``PUMP-REFILL-001..003`` refill timing, ``PUMP-BATT-*`` battery and service
  life, ``PUMP-MRI-*`` Prometra and MRI: :mod:`.forecast`;
* ``PUMP-RECON-*`` refill-visit reconciliation, trend and delivery: :mod:`.reconcile`;
* ``PUMP-REFILL-004..006`` next refill date, ``PUMP-FILL-*`` refill volume: :mod:`.refill`.

Each module exports the rules it defines (``DEFINED_RULES``) and the rule catalogue
(:mod:`baclofen.domain.rules.catalogue`) names each; this package re-exports every public name of its modules, and
all the rules by area (:data:`ITB_DEFINED_RULES`, :data:`PUMP_DEFINED_RULES`).
"""

from __future__ import annotations

from typing import Any

from baclofen.domain.rules.core import Rule
from baclofen.domain.rules.itb._common import exact, fmt, watch_text
from baclofen.domain.rules.itb.ceiling import (
    TITR_CEILING,
    TRANS_CEILING,
    RangeCeilingContext,
)
from baclofen.domain.rules.itb.concentration import (
    CONC_CLEARING,
    CONC_INTERNAL_VOLUME,
    CONC_LABELLED,
    CONC_PRIMING,
    CONC_REPROGRAM,
    CONCENTRATION_CHANGE_RULES,
    CONCENTRATION_RULES,
    ConcentrationChangeContext,
    ConcentrationContext,
)
from baclofen.domain.rules.itb.dosing import (
    DOSE_CONFIRM,
    DOSE_HIGHEST,
    DOSE_LEVEL_RULES,
    DOSE_MAINTENANCE,
    INITIAL_DOSE,
    INITIAL_DOSE_RULES,
    DoseLevelContext,
    InitialDoseContext,
)
from baclofen.domain.rules.itb.forecast import (
    BATT_BEFORE_REFILL,
    BATT_DUE,
    BATT_PAST,
    FCST_BEFORE_ALARM,
    FCST_MARGIN_SHORTENED,
    FCST_OVER_INFUSION,
    FCST_STABILITY,
    FCST_TOO_SHORT,
    FORECAST_RULES,
    MRI_PROMETRA,
    PROMETRA_MRI_ACTION,
    PROMETRA_MRI_EVIDENCE,
    PROMETRA_MRI_REASONING,
    REFILL_EMPTY,
    REFILL_LOW,
    REFILL_OVERDUE,
    RESERVOIR_STATE_SEVERITY,
    ForecastContext,
    ReservoirState,
    prometra_mri_with_drug,
    reservoir_state,
)
from baclofen.domain.rules.itb.limits import (
    LIMIT_CONCENTRATION,
    LIMIT_DOSE,
    LIMIT_SCREENING,
    LIMIT_VOLUME,
    PlausibleRangeContext,
)
from baclofen.domain.rules.itb.program import (
    ADMIXTURE,
    PROG_STEPS_UNKNOWN,
    PROGRAM_RULES,
    AdmixtureContext,
    ProgramContext,
)
from baclofen.domain.rules.itb.reconcile import (
    DELIVERY_OVER,
    DELIVERY_RULES,
    DELIVERY_UNDER,
    RECON_EMPTY,
    RECON_IMPOSSIBLE,
    RECON_LESS,
    RECON_MORE,
    RECON_OK,
    RECONCILE_RULES,
    TREND_LESS,
    TREND_MORE,
    TREND_RULES,
    DeliveryContext,
    ReconcileContext,
    TrendContext,
)
from baclofen.domain.rules.itb.refill import (
    FILL_CAPACITY,
    NEXT_REFILL_RULES,
    REFILL_BEFORE_TARGET,
    REFILL_OBSERVED,
    REFILL_PROGRAMMED_ONLY,
    REFILL_VOLUME_RULES,
    NextRefillContext,
    RefillVolumeContext,
)
from baclofen.domain.rules.itb.screening import (
    SCREEN_ASHWORTH,
    SCREEN_CANDIDATE,
    SCREEN_INTERVAL,
    SCREEN_LOW_START,
    SCREEN_NEXT,
    SCREEN_NOT_CANDIDATE,
    SCREENING_RULES,
    ScreeningContext,
)
from baclofen.domain.rules.itb.titration import (
    DOSE_CHANGE_RULES,
    TITR_DECREASE,
    TITR_FIRST_DAY,
    TITR_HIGH_DOSE,
    TITR_INCREASE_INTERVAL,
    TITR_REINTRODUCTION,
    TITR_START_UNKNOWN,
    TITR_STEP,
    DoseChangeContext,
)
from baclofen.domain.rules.itb.transition import (
    TRANS_CUT_OF_CURRENT,
    TRANS_ORAL,
    TRANS_OTHERS,
    TRANSITION_RULES,
    TransitionContext,
)

__all__ = [
    "ADMIXTURE",
    "AdmixtureContext",
    "BATT_BEFORE_REFILL",
    "BATT_DUE",
    "BATT_PAST",
    "CONCENTRATION_CHANGE_RULES",
    "CONCENTRATION_RULES",
    "CONC_CLEARING",
    "CONC_INTERNAL_VOLUME",
    "CONC_LABELLED",
    "CONC_PRIMING",
    "CONC_REPROGRAM",
    "ConcentrationChangeContext",
    "ConcentrationContext",
    "DELIVERY_OVER",
    "DELIVERY_RULES",
    "DELIVERY_UNDER",
    "DOSE_CHANGE_RULES",
    "DOSE_CONFIRM",
    "DOSE_HIGHEST",
    "DOSE_LEVEL_RULES",
    "DOSE_MAINTENANCE",
    "DeliveryContext",
    "DoseChangeContext",
    "DoseLevelContext",
    "FCST_BEFORE_ALARM",
    "FCST_MARGIN_SHORTENED",
    "FCST_OVER_INFUSION",
    "FCST_STABILITY",
    "FCST_TOO_SHORT",
    "FILL_CAPACITY",
    "FORECAST_RULES",
    "ForecastContext",
    "INITIAL_DOSE",
    "INITIAL_DOSE_RULES",
    "ITB_DEFINED_RULES",
    "InitialDoseContext",
    "LIMIT_CONCENTRATION",
    "LIMIT_DOSE",
    "LIMIT_SCREENING",
    "LIMIT_VOLUME",
    "MRI_PROMETRA",
    "NEXT_REFILL_RULES",
    "NextRefillContext",
    "PROGRAM_RULES",
    "PROG_STEPS_UNKNOWN",
    "PROMETRA_MRI_ACTION",
    "PROMETRA_MRI_EVIDENCE",
    "PROMETRA_MRI_REASONING",
    "PUMP_DEFINED_RULES",
    "PlausibleRangeContext",
    "ProgramContext",
    "RECONCILE_RULES",
    "RECON_EMPTY",
    "RECON_IMPOSSIBLE",
    "RECON_LESS",
    "RECON_MORE",
    "RECON_OK",
    "REFILL_BEFORE_TARGET",
    "REFILL_EMPTY",
    "REFILL_LOW",
    "REFILL_OBSERVED",
    "REFILL_OVERDUE",
    "REFILL_PROGRAMMED_ONLY",
    "REFILL_VOLUME_RULES",
    "RESERVOIR_STATE_SEVERITY",
    "RangeCeilingContext",
    "ReconcileContext",
    "RefillVolumeContext",
    "ReservoirState",
    "SCREENING_RULES",
    "SCREEN_ASHWORTH",
    "SCREEN_CANDIDATE",
    "SCREEN_INTERVAL",
    "SCREEN_LOW_START",
    "SCREEN_NEXT",
    "SCREEN_NOT_CANDIDATE",
    "ScreeningContext",
    "TITR_CEILING",
    "TITR_DECREASE",
    "TITR_FIRST_DAY",
    "TITR_HIGH_DOSE",
    "TITR_INCREASE_INTERVAL",
    "TITR_REINTRODUCTION",
    "TITR_START_UNKNOWN",
    "TITR_STEP",
    "TRANSITION_RULES",
    "TRANS_CEILING",
    "TRANS_CUT_OF_CURRENT",
    "TRANS_ORAL",
    "TRANS_OTHERS",
    "TREND_LESS",
    "TREND_MORE",
    "TREND_RULES",
    "TransitionContext",
    "TrendContext",
    "exact",
    "fmt",
    "prometra_mri_with_drug",
    "reservoir_state",
    "watch_text",
]

#: Every rule of the modules above, by area: ITB-* (screening, dosing, concentrations, transition, plausibility
#: ranges) and PUMP-* (programs, reservoir, refills, battery, reconciliation).
ITB_DEFINED_RULES: tuple[Rule[Any], ...] = (
    *SCREENING_RULES,
    *INITIAL_DOSE_RULES,
    *DOSE_CHANGE_RULES,
    TITR_CEILING,
    *DOSE_LEVEL_RULES,
    LIMIT_DOSE,
    LIMIT_CONCENTRATION,
    LIMIT_VOLUME,
    LIMIT_SCREENING,
    *CONCENTRATION_RULES,
    *CONCENTRATION_CHANGE_RULES,
    *TRANSITION_RULES,
    TRANS_CEILING,
)
PUMP_DEFINED_RULES: tuple[Rule[Any], ...] = (
    *PROGRAM_RULES,
    ADMIXTURE,
    *FORECAST_RULES,
    *RECONCILE_RULES,
    *TREND_RULES,
    *DELIVERY_RULES,
    *NEXT_REFILL_RULES,
    *REFILL_VOLUME_RULES,
)
