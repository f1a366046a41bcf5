"""Pump programs: simple continuous, flex (several rate steps a day) and periodic boluses.

A program is a daily pattern on the pump clock, repeated every day. Internally it is a set of
piecewise-constant rate segments covering 00:00-24:00 in mcg/h; the daily dose is their integral and
the volume per day is the daily dose divided by the concentration ([S57] [S63] [S40]; clinical.md §5.8).

Flex syntax (input only, parsed here): ``"HH:MM=RATE,HH:MM=RATE,..."``: each step gives the rate in
mcg/h from that time until the next step; the last step runs past midnight until the first step's
time. Times are 00:00-23:59, strictly increasing; at most the pump's step limit (13 a day for
SynchroMed II flex dosing, [S57]).

>>> p = parse_flex_schedule("06:00=20,22:00=10")
>>> p.daily_dose_mcg
400.0
>>> round(p.daily_volume_ml(500), 3)
0.8
>>> continuous_program(600).rate_at(123)
25.0
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from fractions import Fraction
from typing import Any

from baclofen.domain.errors import InvalidInputError, require_finite_number
from baclofen.domain.itb.dosing import check_daily_dose
from baclofen.domain.itb.limits import DAILY_DOSE_SETTINGS, PUMP_DELIVERY_SETTINGS, check_pump_delivery
from baclofen.domain.itb.pumps import PumpModel, check_concentration, get_pump, require_rate_steps
from baclofen.domain.names import parse_name_list
from baclofen.domain.rules.core import Finding, evaluate_rules, findings_to_dicts, sort_findings
from baclofen.domain.rules.itb.program import ADMIXTURE, PROGRAM_RULES, AdmixtureContext, ProgramContext
from baclofen.domain.settings import SettingUse, settings_to_dicts, use_defaults

__all__ = [
    "MINUTES_PER_DAY",
    "InfusionProgram",
    "PeriodicBolus",
    "ProgramMode",
    "ProgramPlan",
    "RateStep",
    "Segment",
    "continuous_program",
    "flex_program",
    "format_clock",
    "parse_clock",
    "parse_flex_schedule",
    "periodic_bolus_program",
    "plan_pump_program",
    "program_for_daily_dose",
]

MINUTES_PER_DAY = 1440
#: Plausibility bound on any programmed rate (structural check, not a clinical limit): 10 000 mcg/h.
MAX_RATE_MCG_PER_H = 10_000.0

_CLOCK = re.compile(r"^([0-9]{1,2}):([0-9]{2})$")


class ProgramMode(Enum):
    SIMPLE_CONTINUOUS = "simple-continuous"
    FLEX = "flex"
    PERIODIC_BOLUS = "periodic-bolus"


def parse_clock(text: object, field: str = "time") -> int:
    """Minutes after midnight of ``HH:MM`` (00:00-23:59); anything but such a string is refused.

    >>> parse_clock("22:30")
    1350
    """
    if not isinstance(text, str):
        raise InvalidInputError(field, "a time HH:MM between 00:00 and 23:59", text)
    m = _CLOCK.match(text.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise InvalidInputError(field, "a time HH:MM between 00:00 and 23:59", text)
    return int(m.group(1)) * 60 + int(m.group(2))


def format_clock(minute: float) -> str:
    """``HH:MM`` of a minute of the day (1440 shows as 24:00).

    >>> format_clock(1350), format_clock(1440)
    ('22:30', '24:00')
    """
    whole = int(round(minute))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def _check_minute(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MINUTES_PER_DAY:
        raise InvalidInputError(field, "a whole minute of the day, 0-1439 (00:00-23:59)", value)
    return value


@dataclass(frozen=True, slots=True)
class RateStep:
    """From ``start_minute`` (after midnight, pump clock) the pump runs at ``rate_mcg_per_h``."""

    start_minute: int
    rate_mcg_per_h: float

    def __post_init__(self) -> None:
        _check_minute(self.start_minute, "start_minute")
        object.__setattr__(
            self,
            "rate_mcg_per_h",
            require_finite_number(self.rate_mcg_per_h, "rate_mcg_per_h", minimum=0.0, maximum=MAX_RATE_MCG_PER_H),
        )


@dataclass(frozen=True, slots=True)
class PeriodicBolus:
    """A bolus of ``dose_mcg`` delivered evenly over ``duration_minutes`` from ``start_minute`` each day."""

    start_minute: int
    dose_mcg: float
    duration_minutes: int

    def __post_init__(self) -> None:
        _check_minute(self.start_minute, "bolus start_minute")
        object.__setattr__(
            self,
            "dose_mcg",
            require_finite_number(self.dose_mcg, "bolus dose_mcg", strictly_positive=True, maximum=MAX_RATE_MCG_PER_H),
        )
        d = self.duration_minutes
        if isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= MINUTES_PER_DAY:
            raise InvalidInputError("bolus duration_minutes", "a whole number of minutes, 1-1440", d)

    @property
    def rate_mcg_per_h(self) -> float:
        return self.dose_mcg * 60.0 / self.duration_minutes

    def is_active(self, minute: float) -> bool:
        return (minute - self.start_minute) % MINUTES_PER_DAY < self.duration_minutes


@dataclass(frozen=True, slots=True)
class Segment:
    """A constant-rate part of the day: ``[start_minute, end_minute)`` at ``rate_mcg_per_h``."""

    start_minute: int
    end_minute: int
    rate_mcg_per_h: float

    @property
    def duration_h(self) -> float:
        return (self.end_minute - self.start_minute) / 60.0

    @property
    def dose_mcg(self) -> float:
        return self.rate_mcg_per_h * self.duration_h


@dataclass(frozen=True, slots=True)
class InfusionProgram:
    """A daily pump program.

    Parameters
    ----------
    mode : ProgramMode
        Simple continuous (one step at 00:00), flex (rate steps) or periodic bolus (a basal rate plus
        boluses).
    steps : tuple of RateStep
        Rate steps sorted by start time; the last step runs past midnight until the first one.
    boluses : tuple of PeriodicBolus
        Daily boluses added on top of the basal rate (periodic-bolus mode only).

    Raises
    ------
    InvalidInputError
        Unsorted or duplicate step times, a mode without the steps it needs, a zero daily dose.
    """

    mode: ProgramMode
    steps: tuple[RateStep, ...]
    boluses: tuple[PeriodicBolus, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.mode, ProgramMode):
            raise InvalidInputError("mode", "one of " + ", ".join(m.value for m in ProgramMode), self.mode)
        steps = tuple(self.steps)
        object.__setattr__(self, "steps", steps)
        object.__setattr__(self, "boluses", tuple(self.boluses))
        if not steps:
            raise InvalidInputError("steps", "at least one rate step", ())
        starts = [s.start_minute for s in steps]
        if any(b <= a for a, b in zip(starts, starts[1:], strict=False)):
            raise InvalidInputError(
                "steps", "step times in strictly increasing order", ",".join(format_clock(m) for m in starts)
            )
        if self.mode is not ProgramMode.FLEX and (len(steps) != 1 or starts[0] != 0):
            raise InvalidInputError("steps", f"one rate from 00:00 in {self.mode.value} mode", len(steps))
        if self.mode is ProgramMode.PERIODIC_BOLUS and not self.boluses:
            raise InvalidInputError("boluses", "at least one bolus in periodic-bolus mode", ())
        if self.mode is not ProgramMode.PERIODIC_BOLUS and self.boluses:
            raise InvalidInputError("boluses", "no boluses outside periodic-bolus mode", len(self.boluses))
        if not self.daily_dose_mcg > 0:
            raise InvalidInputError("program", "a program that delivers more than 0 mcg a day", 0.0)

    # --- the daily pattern ---------------------------------------------------------------------------

    def basal_rate_at(self, minute: float) -> float:
        """Basal (step) rate in mcg/h at ``minute`` of the day."""
        minute = minute % MINUTES_PER_DAY
        current = self.steps[-1]
        for step in self.steps:
            if step.start_minute <= minute:
                current = step
        return current.rate_mcg_per_h

    def rate_at(self, minute: float) -> float:
        """Total rate in mcg/h at ``minute`` of the day (basal plus any active bolus)."""
        return self.basal_rate_at(minute) + sum(b.rate_mcg_per_h for b in self.boluses if b.is_active(minute))

    def segments(self) -> tuple[Segment, ...]:
        """Constant-rate segments covering 00:00-24:00, in order."""
        cuts = {0, MINUTES_PER_DAY}
        cuts.update(s.start_minute for s in self.steps)
        for b in self.boluses:
            cuts.add(b.start_minute)
            cuts.add((b.start_minute + b.duration_minutes) % MINUTES_PER_DAY)
        points = sorted(cuts)
        out = [Segment(a, b, self.rate_at((a + b) / 2.0)) for a, b in zip(points, points[1:], strict=False)]
        merged: list[Segment] = []
        for seg in out:
            if merged and merged[-1].rate_mcg_per_h == seg.rate_mcg_per_h:
                merged[-1] = Segment(merged[-1].start_minute, seg.end_minute, seg.rate_mcg_per_h)
            else:
                merged.append(seg)
        return tuple(merged)

    @property
    def daily_dose_mcg(self) -> float:
        """Total dose over one day, mcg/day (the integral of the pattern)."""
        basal = 0.0
        for i, step in enumerate(self.steps):
            nxt = self.steps[i + 1].start_minute if i + 1 < len(self.steps) else self.steps[0].start_minute + 1440
            basal += step.rate_mcg_per_h * (nxt - step.start_minute) / 60.0
        return basal + sum(b.dose_mcg for b in self.boluses)

    @property
    def rate_changes_per_day(self) -> int:
        """Programmed rate steps a day (what the pump's flex step limit counts)."""
        return len(self.steps)

    def daily_volume_ml(self, concentration_mcg_per_ml: float) -> float:
        """Volume delivered per day in mL/day at ``concentration_mcg_per_ml``."""
        c = require_finite_number(concentration_mcg_per_ml, "concentration_mcg_per_ml", strictly_positive=True)
        return self.daily_dose_mcg / c

    # --- exact integration over any span ------------------------------------------------------------

    def _cumulative_in_day(self, minute: float) -> float:
        total = 0.0
        for seg in self.segments():
            if minute <= seg.start_minute:
                break
            total += seg.rate_mcg_per_h * (min(minute, seg.end_minute) - seg.start_minute) / 60.0
        return total

    def cumulative_mcg(self, minutes_from_midnight: float) -> float:
        """Drug delivered (mcg) from 00:00 of day 0 to ``minutes_from_midnight`` (any number of days)."""
        days, within = divmod(minutes_from_midnight, MINUTES_PER_DAY)
        return days * self.daily_dose_mcg + self._cumulative_in_day(within)

    def mass_between_mcg(self, start_minute: float, end_minute: float) -> float:
        """Drug delivered (mcg) between two times given in minutes after 00:00 of day 0."""
        if end_minute < start_minute:
            raise InvalidInputError("end_minute", f">= start_minute {start_minute}", end_minute)
        return max(0.0, self.cumulative_mcg(end_minute) - self.cumulative_mcg(start_minute))

    def minutes_to_deliver(self, mass_mcg: float, start_minute: float) -> float:
        """Minutes after ``start_minute`` (minutes after 00:00 of day 0) until ``mass_mcg`` is delivered.

        The exact inverse of :meth:`mass_between_mcg`: the earliest moment the cumulative delivery reaches
        the target, across any number of days.

        >>> continuous_program(240).minutes_to_deliver(20, 0)
        120.0
        """
        mass = require_finite_number(mass_mcg, "mass_mcg", minimum=0.0)
        if mass == 0:
            return 0.0
        daily = self.daily_dose_mcg
        target = self.cumulative_mcg(start_minute) + mass
        days = math.floor(target / daily)
        rest = target - days * daily
        if rest <= 0:
            days -= 1
            rest = daily
        segments = self.segments()
        # NOTE: float fallback: the end of the last delivering segment, where the day's dose is complete.
        within = float(max(s.end_minute for s in segments if s.rate_mcg_per_h > 0))
        reached = 0.0
        for seg in segments:
            seg_mass = seg.dose_mcg
            if seg.rate_mcg_per_h > 0 and reached + seg_mass >= rest:
                within = seg.start_minute + (rest - reached) * 60.0 / seg.rate_mcg_per_h
                break
            reached += seg_mass
        return max(0.0, days * MINUTES_PER_DAY + within - start_minute)

    @property
    def is_constant(self) -> bool:
        """One rate all day (simple continuous, or a pattern whose steps all have the same rate)."""
        return len(self.segments()) == 1

    def delivery_minutes_range(self, mass_mcg: float) -> tuple[tuple[float, int], tuple[float, int]]:
        """The shortest and longest time to deliver ``mass_mcg`` over every possible start time of the day.

        Returns ``((min_minutes, start_minute), (max_minutes, start_minute))``, the start rounded to the minute.
        The time is piecewise linear in the start, with breaks where the start or the end crosses a rate change,
        so those starts are the only candidates (exact rational arithmetic, no sampling). Where the end jumps
        over a zero-rate stretch the longest time is the limit just after that start.

        >>> p = parse_flex_schedule("06:00=20,22:00=10")  # 400 mcg/day
        >>> (lo, _), (hi, _) = p.delivery_minutes_range(20)
        >>> lo, hi
        (60.0, 120.0)
        """
        mass = require_finite_number(mass_mcg, "mass_mcg", minimum=0.0)
        if mass == 0:
            return (0.0, 0), (0.0, 0)
        (lo, lo_start), (hi, hi_start) = _ExactDay.of(self.segments()).delivery_minutes_range(Fraction(mass))
        return (
            (float(lo), round(lo_start) % MINUTES_PER_DAY),
            (float(hi), round(hi_start) % MINUTES_PER_DAY),
        )

    # --- transformations and output -----------------------------------------------------------------

    def scaled_to(self, daily_dose_mcg: float) -> InfusionProgram:
        """The same pattern scaled so that it delivers ``daily_dose_mcg`` a day.

        >>> parse_flex_schedule("06:00=20,22:00=10").scaled_to(800).steps[0].rate_mcg_per_h
        40.0
        """
        target = require_finite_number(daily_dose_mcg, "daily_dose_mcg", strictly_positive=True)
        factor = target / self.daily_dose_mcg
        return replace(
            self,
            steps=tuple(RateStep(s.start_minute, s.rate_mcg_per_h * factor) for s in self.steps),
            boluses=tuple(replace(b, dose_mcg=b.dose_mcg * factor) for b in self.boluses),
        )

    def step_table(self, concentration_mcg_per_ml: float) -> list[dict[str, Any]]:
        """One row per constant-rate segment: times, mcg/h, mL/h, hours and mcg, at a concentration."""
        c = require_finite_number(concentration_mcg_per_ml, "concentration_mcg_per_ml", strictly_positive=True)
        return [
            {
                "from": format_clock(seg.start_minute),
                "to": format_clock(seg.end_minute),
                "rate_mcg_per_h": seg.rate_mcg_per_h,
                "rate_ml_per_h": seg.rate_mcg_per_h / c,
                "duration_h": seg.duration_h,
                "dose_mcg": seg.dose_mcg,
                "volume_ml": seg.dose_mcg / c,
            }
            for seg in self.segments()
        ]

    def to_dict(self, concentration_mcg_per_ml: float | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "mode": self.mode.value,
            "steps": [{"start": format_clock(s.start_minute), "rate_mcg_per_h": s.rate_mcg_per_h} for s in self.steps],
            "boluses": [
                {
                    "start": format_clock(b.start_minute),
                    "dose_mcg": b.dose_mcg,
                    "duration_minutes": b.duration_minutes,
                }
                for b in self.boluses
            ],
            "daily_dose_mcg": self.daily_dose_mcg,
            "rate_changes_per_day": self.rate_changes_per_day,
        }
        if concentration_mcg_per_ml is not None:
            out["concentration_mcg_per_ml"] = concentration_mcg_per_ml
            out["daily_volume_ml"] = self.daily_volume_ml(concentration_mcg_per_ml)
            out["segments"] = self.step_table(concentration_mcg_per_ml)
        return out


@dataclass(frozen=True, slots=True)
class _ExactDay:
    """A program's constant-rate segments in exact rational arithmetic (minutes, mcg/min).

    For the extremes of the delivery time over start times: whether a delivery ends just before or just after
    a zero-rate stretch is a jump of hours, which float rounding must not decide.
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    rates_mcg_per_min: tuple[Fraction, ...]
    delivered_before_mcg: tuple[Fraction, ...]
    daily_mcg: Fraction

    @classmethod
    def of(cls, segments: Sequence[Segment]) -> _ExactDay:
        rates = tuple(Fraction(seg.rate_mcg_per_h) / 60 for seg in segments)
        delivered = [Fraction(0)]
        for seg, rate in zip(segments, rates, strict=True):
            delivered.append(delivered[-1] + rate * (seg.end_minute - seg.start_minute))
        return cls(
            tuple(seg.start_minute for seg in segments),
            tuple(seg.end_minute for seg in segments),
            rates,
            tuple(delivered[:-1]),
            delivered[-1],
        )

    def _segment_at(self, minute: Fraction) -> int:
        """Index of the segment that runs just after ``minute`` (any number of days after 00:00 of day 0)."""
        within = minute % MINUTES_PER_DAY
        return max(i for i, start in enumerate(self.starts) if start <= within)

    def cumulative_mcg(self, minute: Fraction) -> Fraction:
        """Drug delivered from 00:00 of day 0 to ``minute``."""
        days = math.floor(minute / MINUTES_PER_DAY)
        i = self._segment_at(minute)
        within = minute - days * MINUTES_PER_DAY
        return (
            days * self.daily_mcg + self.delivered_before_mcg[i] + self.rates_mcg_per_min[i] * (within - self.starts[i])
        )

    def _minute_delivering(self, rest_mcg: Fraction, *, past: bool) -> Fraction:
        """The minute of the day where the day's cumulative delivery first reaches ``rest_mcg`` (``past``: the
        last minute it is still ``rest_mcg``, after any zero-rate stretch), on a segment that delivers it."""
        reaches = operator.gt if past else operator.ge
        i = next(  # always found: rest_mcg is at most the day's dose (below it when ``past``)
            i
            for i, rate in enumerate(self.rates_mcg_per_min)
            if rate > 0 and reaches(self.delivered_before_mcg[i] + rate * (self.ends[i] - self.starts[i]), rest_mcg)
        )
        return self.starts[i] + (rest_mcg - self.delivered_before_mcg[i]) / self.rates_mcg_per_min[i]

    def first_minute_reaching(self, total_mcg: Fraction) -> Fraction:
        """The first moment the cumulative delivery reaches ``total_mcg`` (> 0): where a zero-rate stretch begins
        when it is reached just there."""
        days = math.ceil(total_mcg / self.daily_mcg) - 1
        return days * MINUTES_PER_DAY + self._minute_delivering(total_mcg - days * self.daily_mcg, past=False)

    def last_minute_at(self, total_mcg: Fraction) -> Fraction:
        """The last moment the cumulative delivery is still ``total_mcg`` (>= 0): where a zero-rate stretch ends."""
        days = math.floor(total_mcg / self.daily_mcg)
        return days * MINUTES_PER_DAY + self._minute_delivering(total_mcg - days * self.daily_mcg, past=True)

    def delivery_minutes_range(self, mass_mcg: Fraction) -> tuple[tuple[Fraction, Fraction], tuple[Fraction, Fraction]]:
        """((shortest minutes, its start), (longest minutes, its start)) to deliver ``mass_mcg`` (> 0).

        The time from a start ``s`` is ``end(s) - s``; between the candidate starts (a step boundary, or where the
        end lands on one) both lie inside one segment each, so the time is linear there. The end never moves back
        as the start moves on and is continuous from the left, jumping forward only over a zero-rate stretch: the
        shortest time is the value at a candidate, the longest the limit just after one.
        """
        candidates = {Fraction(start) for start in self.starts}
        for delivered in self.delivered_before_mcg:
            # the start whose delivery ends exactly at this step boundary (on whichever day); on a zero-rate
            # stretch any start of it does (its ends are boundaries already), this one is its end
            candidates.add(self.last_minute_at((delivered - mass_mcg) % self.daily_mcg))
        at: list[tuple[Fraction, Fraction]] = []
        just_after: list[tuple[Fraction, Fraction]] = []
        for start in sorted(candidates):
            target = self.cumulative_mcg(start) + mass_mcg
            minutes = self.first_minute_reaching(target) - start
            at.append((minutes, start))
            rising = self.rates_mcg_per_min[self._segment_at(start)] > 0
            just_after.append((self.last_minute_at(target) - start if rising else minutes, start))
        return min(at, key=lambda t: t[0]), max(just_after, key=lambda t: t[0])


def continuous_program(daily_dose_mcg: float) -> InfusionProgram:
    """Simple continuous program delivering ``daily_dose_mcg`` (mcg/day) at a constant rate.

    >>> continuous_program(480).steps[0].rate_mcg_per_h
    20.0
    """
    dose = require_finite_number(daily_dose_mcg, "daily_dose_mcg", strictly_positive=True)
    return InfusionProgram(ProgramMode.SIMPLE_CONTINUOUS, (RateStep(0, dose / 24.0),))


def flex_program(steps: Iterable[tuple[int, float]], *, max_steps: int | None = None) -> InfusionProgram:
    """Flex program from ``(start_minute, rate_mcg_per_h)`` pairs, in order of time.

    Parameters
    ----------
    steps : iterable of (int, float)
        Start minute of the day (0-1439) and rate in mcg/h from then until the next step.
    max_steps : int, optional
        The pump's limit on rate changes a day (13 for SynchroMed II, [S57]); more steps are refused.
    """
    rate_steps = tuple(RateStep(m, r) for m, r in steps)
    if max_steps is not None and len(rate_steps) > max_steps:
        raise InvalidInputError("flex", f"at most {max_steps} steps a day for this pump", len(rate_steps))
    return InfusionProgram(ProgramMode.FLEX, rate_steps)


def periodic_bolus_program(basal_rate_mcg_per_h: float, boluses: Sequence[PeriodicBolus]) -> InfusionProgram:
    """A basal rate (mcg/h) plus daily periodic boluses.

    >>> periodic_bolus_program(10, [PeriodicBolus(20 * 60, 60, 30)]).daily_dose_mcg
    300.0
    """
    return InfusionProgram(ProgramMode.PERIODIC_BOLUS, (RateStep(0, basal_rate_mcg_per_h),), tuple(boluses))


def parse_flex_schedule(text: str, *, max_steps: int | None = None, field: str = "flex") -> InfusionProgram:
    """Parse ``"HH:MM=RATE,..."`` (rate in mcg/h from that time until the next step) into a flex program.

    Raises
    ------
    InvalidInputError
        Named ``field``: a malformed step, a time outside 00:00-23:59, unsorted or repeated times, a
        negative rate, more steps than ``max_steps``, or a schedule that delivers nothing.

    Examples
    --------
    >>> parse_flex_schedule("22:00=10, 06:00=20")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    baclofen.domain.errors.InvalidInputError: 'flex' must be step times in increasing order, ...
    """
    expected = "steps HH:MM=mcg/h separated by commas, e.g. 06:00=20,22:00=10"
    if not isinstance(text, str) or not text.strip():
        raise InvalidInputError(field, expected, text)
    pairs: list[tuple[int, float]] = []
    for part in text.split(","):
        clock, sep, rate_text = part.strip().partition("=")
        if not sep:
            raise InvalidInputError(field, expected, text)
        try:
            minute = parse_clock(clock, field)
        except InvalidInputError:
            raise InvalidInputError(field, "times HH:MM between 00:00 and 23:59 in " + expected, text) from None
        try:
            rate = float(rate_text)
        except ValueError:
            raise InvalidInputError(field, expected, text) from None
        if not math.isfinite(rate) or rate < 0 or rate > MAX_RATE_MCG_PER_H:
            raise InvalidInputError(field, f"rates between 0 and {MAX_RATE_MCG_PER_H:g} mcg/h", text)
        pairs.append((minute, rate))
    minutes = [m for m, _ in pairs]
    if any(b <= a for a, b in zip(minutes, minutes[1:], strict=False)):
        raise InvalidInputError(field, "step times in increasing order, e.g. 06:00=20,22:00=10", text)
    if max_steps is not None and len(pairs) > max_steps:
        raise InvalidInputError(field, f"at most {max_steps} steps a day for this pump", text)
    if not any(r > 0 for _, r in pairs):
        raise InvalidInputError(field, "at least one step with a rate above 0 mcg/h", text)
    return flex_program(pairs)


def program_for_daily_dose(daily_dose_mcg: float, shape: InfusionProgram | None = None) -> InfusionProgram:
    """A program that delivers ``daily_dose_mcg`` a day: simple continuous, or ``shape`` scaled to it.

    >>> program_for_daily_dose(300).daily_dose_mcg
    300.0
    """
    if shape is None:
        return continuous_program(daily_dose_mcg)
    return shape.scaled_to(daily_dose_mcg)


@dataclass(frozen=True, slots=True)
class ProgramPlan:
    """A program for a pump at a concentration: rates per step in mcg/h and mL/h, totals and findings."""

    pump_key: str
    pump_name: str
    concentration_mcg_per_ml: float
    program: InfusionProgram
    findings: tuple[Finding, ...]
    #: Other drugs said to be in the pump with the baclofen (PUMP-ADMIX-001).
    other_drugs_in_pump: tuple[str, ...] = ()
    settings_used: tuple[SettingUse, ...] = ()

    @property
    def daily_dose_mcg(self) -> float:
        return self.program.daily_dose_mcg

    @property
    def daily_volume_ml(self) -> float:
        return self.program.daily_volume_ml(self.concentration_mcg_per_ml)

    def to_dict(self) -> dict[str, Any]:
        c = self.concentration_mcg_per_ml
        return {
            "pump": self.pump_key,
            "mode": self.program.mode.value,
            "concentration_mcg_per_ml": c,
            "daily_dose_mcg": self.daily_dose_mcg,
            "daily_volume_ml": self.daily_volume_ml,
            "mean_rate_mcg_per_h": self.daily_dose_mcg / 24.0,
            "mean_rate_ml_per_h": self.daily_volume_ml / 24.0,
            "rate_changes_per_day": self.program.rate_changes_per_day,
            "steps": [
                {
                    "start": format_clock(s.start_minute),
                    "rate_mcg_per_h": s.rate_mcg_per_h,
                    "rate_ml_per_h": s.rate_mcg_per_h / c,
                }
                for s in self.program.steps
            ],
            "boluses": [
                {
                    "start": format_clock(b.start_minute),
                    "dose_mcg": b.dose_mcg,
                    "volume_ml": b.dose_mcg / c,
                    "duration_minutes": b.duration_minutes,
                }
                for b in self.program.boluses
            ],
            "segments": self.program.step_table(c),
            "other_drugs_in_pump": list(self.other_drugs_in_pump),
            "findings": findings_to_dicts(self.findings),
            "settings": settings_to_dicts(self.settings_used),
        }


def plan_pump_program(
    pump: PumpModel | str,
    concentration_mcg_per_ml: float,
    program: InfusionProgram,
    *,
    confirm_high_dose: bool = False,
    other_drugs_in_pump: Sequence[str] | str = (),
) -> ProgramPlan:
    """Check a program against a pump and a concentration; rates in mL/h, mL/day and findings.

    Parameters
    ----------
    pump : PumpModel or str
        The pump; its flex step limit is enforced (13 a day for SynchroMed II, [S57]).
    concentration_mcg_per_ml : float
        Concentration in the reservoir, mcg/mL.
    program : InfusionProgram
        See :func:`continuous_program`, :func:`parse_flex_schedule`, :func:`periodic_bolus_program`.
    confirm_high_dose : bool
        Explicit confirmation of a daily dose above 1000 mcg (ITB-DOSE-001).
    other_drugs_in_pump : sequence of str or str
        Other drugs in the pump or catheter: no admixture (PUMP-ADMIX-001, a block, [S36]).

    Raises
    ------
    InvalidInputError
        More rate steps than the pump allows.

    Examples
    --------
    >>> plan = plan_pump_program("synchromed-ii-20", 500, parse_flex_schedule("06:00=20,22:00=10"))
    >>> plan.daily_dose_mcg, plan.daily_volume_ml
    (400.0, 0.8)
    """
    pump = get_pump(pump)
    if not isinstance(program, InfusionProgram):
        raise InvalidInputError("program", "an infusion program", program)
    require_rate_steps(pump, program.rate_changes_per_day)
    limit = pump.max_rate_steps_per_day
    findings = list(check_concentration(pump, concentration_mcg_per_ml))
    findings += evaluate_rules(
        PROGRAM_RULES, ProgramContext(pump.name, program.mode.value, program.rate_changes_per_day, limit)
    )
    findings += check_daily_dose(
        program.daily_dose_mcg, label="programmed dose", confirmed=confirm_high_dose, require_confirmation=True
    )
    findings += check_pump_delivery(pump, concentration_mcg_per_ml, program.daily_dose_mcg)
    others = parse_name_list(other_drugs_in_pump, "other_drugs_in_pump")
    findings += ADMIXTURE.evaluate(AdmixtureContext(others))
    used = use_defaults((*DAILY_DOSE_SETTINGS, *PUMP_DELIVERY_SETTINGS))
    return ProgramPlan(
        pump.key, pump.name, float(concentration_mcg_per_ml), program, sort_findings(findings), others, used
    )
