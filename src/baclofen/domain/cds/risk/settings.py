"""The risk engine's own settings (look-back, refill-near window, missed doses, largest intrathecal cut) and the
catalogue of every setting the risk rules read (:data:`RISK_SETTINGS`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from baclofen.domain.itb.dosing import HIGHEST_REPORTED_DAILY_DOSE, REFILL_DECREASE_PERCENT
from baclofen.domain.itb.limits import LOWEST_DAILY_DOSE_MCG
from baclofen.domain.itb.pumps import MAX_REFILL_INTERVAL_DAYS
from baclofen.domain.itb.reservoir import REFILL_MARGIN_DAYS
from baclofen.domain.oral.limits import (
    CKD_CRCL_ML_MIN,
    DIALYSIS_MAX_START_MG_PER_DAY,
    MAX_DAILY_DOSE_IN_HOSPITAL_UK,
    MAX_DAILY_DOSE_IN_HOSPITAL_US,
    MAX_DAILY_DOSE_UK,
    MAX_DAILY_DOSE_US,
    TAPER_MAX_STEP_MG_PER_DAY,
    TAPER_MIN_DAYS_TO_ZERO,
)
from baclofen.domain.settings import EvidenceStatus, Setting, SettingValues

LOOKBACK_DAYS = Setting(
    name="cds.risk.lookback_days",
    default=7,
    unit="days",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S70", "S4"),
    description="How far back the engine looks for missed doses, abrupt stops, program changes and diary entries. "
    "ITB withdrawal usually starts within 1-3 days of stopping [S70]; 7 days (over twice that) is an "
    "assumption, not a sourced value.",
    minimum=1,
    maximum=60,
)
REFILL_NEAR_DAYS = Setting(
    name="cds.risk.refill_near_days",
    default=7,
    unit="days",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S107", "S65"),
    description="A refill whose recommended date is this many days away or less is 'near' (moderate): the pump "
    "clinic works from a weekly worklist (journeys.md #4). No source gives a number.",
    minimum=0,
    maximum=60,
)
MISSED_DOSES_MODERATE = Setting(
    name="cds.risk.missed_doses_moderate",
    default=2,
    unit="doses",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S4", "S9"),
    description="Missed oral doses within the look-back window from which the risk is moderate (fewer: low). "
    "Abrupt discontinuation causes withdrawal [S4]; no source says how many missed doses matter.",
    minimum=1,
    maximum=20,
)
ITB_MAX_CUT_PERCENT = Setting(
    name="cds.risk.itb_max_cut_percent",
    # The largest label decrease at a refill visit (10-20 %, spinal and cerebral origin) [S2] [S3].
    default=max(high for _, high in REFILL_DECREASE_PERCENT.values()),
    unit="%",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S2", "S3", "S118", "S37", "S69"),
    description="Largest cut of the intrathecal daily dose that is not treated as withdrawal. The label lowers "
    "the dose at refill visits by 10-20 % [S2] [S3]; a larger cut (measured from the highest daily dose "
    "programmed in the look-back window, so that several small cuts in a row add up; a stop or a tiny "
    "rate is a cut of about 100 %) is treated like the abrupt discontinuation of the boxed warning [S118] "
    "[S37] (elective removal is tapered by reprogramming [S69]): HIGH with a clinic alert. No source gives "
    "the cut size that causes withdrawal: using the label step as that limit is an assumption.",
    minimum=5.0,
    maximum=50.0,
)
RISK_SETTINGS: Mapping[str, Setting] = {
    s.name: s
    for s in (
        LOOKBACK_DAYS,
        REFILL_NEAR_DAYS,
        MISSED_DOSES_MODERATE,
        ITB_MAX_CUT_PERCENT,
        LOWEST_DAILY_DOSE_MCG,
        HIGHEST_REPORTED_DAILY_DOSE,
        MAX_DAILY_DOSE_US,
        MAX_DAILY_DOSE_UK,
        MAX_DAILY_DOSE_IN_HOSPITAL_US,
        MAX_DAILY_DOSE_IN_HOSPITAL_UK,
        TAPER_MIN_DAYS_TO_ZERO,
        TAPER_MAX_STEP_MG_PER_DAY,
        DIALYSIS_MAX_START_MG_PER_DAY,
        CKD_CRCL_ML_MIN,
        REFILL_MARGIN_DAYS,
        MAX_REFILL_INTERVAL_DAYS,
    )
}


def risk_setting_values(overrides: Mapping[str, Any] | None) -> SettingValues:
    """The risk settings (:data:`RISK_SETTINGS`) with a caller's overrides by name, validated (a count of days or
    doses must be a whole number; an unknown name is refused)."""
    return SettingValues(RISK_SETTINGS.values(), overrides, field="setting")
