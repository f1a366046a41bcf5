"""What every risk rule reads: the timeline, the settings, the pump analysis and today's oral dose
(:class:`RiskContext`); the risk levels; and :func:`risk_finding`, which makes a rule's finding at a level."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any

from baclofen.domain.cds.risk.settings import LOOKBACK_DAYS
from baclofen.domain.cds.timeline import PatientTimeline
from baclofen.domain.rules.core import Finding, Rule, Severity
from baclofen.domain.settings import Setting, SettingValues
from baclofen.domain.signs import SignSet

if TYPE_CHECKING:
    from baclofen.domain.cds.risk.pump import PumpAnalysis


EPS = 1e-9


class RiskLevel(Enum):
    HIGH = "high"
    MODERATE = "moderate"
    LOW = "low"

    @property
    def rank(self) -> int:
        return {"high": 0, "moderate": 1, "low": 2}[self.value]


@dataclass(frozen=True, slots=True)
class RiskContext:
    timeline: PatientTimeline
    values: SettingValues
    pump: PumpAnalysis | None
    oral_dose_today_mg: float

    def value(self, setting: Setting) -> Any:
        return self.values.get(setting)

    @property
    def as_of(self) -> datetime:
        return self.timeline.as_of

    @property
    def today(self) -> date:
        return self.timeline.as_of.date()

    def recent(self, moment: datetime) -> bool:
        days = float(self.value(LOOKBACK_DAYS))
        return timedelta(0) <= self.as_of - moment <= timedelta(days=days)

    @property
    def on_pump(self) -> bool:
        return self.timeline.pump is not None


def risk_finding(
    rule: Rule[RiskContext],
    level: RiskLevel,
    message: str,
    reasoning: str,
    data: Mapping[str, Any],
    signs: SignSet | None = None,
    action: str = "",
    severity: Severity | None = None,
    evidence: tuple[str, ...] = (),
) -> Finding:
    sev = severity or (Severity.INFO if level is RiskLevel.LOW else Severity.WARN)
    return rule.finding(
        message,
        reasoning=reasoning,
        data={"level": level.value, **data},
        severity=sev,
        evidence=evidence + (signs.evidence if signs else ()),
        signs=signs.signs if signs else (),
        action=action or (signs.action if signs else ""),
    )
