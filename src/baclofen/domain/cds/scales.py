"""Typed outcome scales and response evaluation (clinical.md §9, §8.7, §5.2).

* :class:`AshworthGrade` - Modified Ashworth Scale grades ``0, 1, 1+, 2, 3, 4``, ordered, with ``1+``
  between 1 and 2 [S91] [S90].
* :class:`PennSpasmScore` - Penn Spasm Frequency Scale: frequency 0-4 and severity 1-3, severity required
  only when frequency > 0 and refused when it is 0 [S93].
* :class:`NrsScore` - 0-10 numeric rating scale for spasticity, pain or sleep disruption (0 = none,
  10 = worst), the primary endpoint of the nabiximols trials [S88].

:func:`evaluate_response` compares a baseline and a current value, in a context that chooses the
responder definition: ``nabiximols`` (NICE NG144: continue only with >= 20 % improvement [S85] [S87]),
``itb-screening`` (>= 1 Ashworth point, a trial operationalisation [S108]; the label wording is
UNCONFIRMED, so it is a setting), ``nrs-30`` (30 % NRS responder, UNCONFIRMED: a setting, never the
default) or ``general`` (change only, no verdict).

>>> parse_ashworth("1+") > parse_ashworth("1")
True
>>> sorted(parse_ashworth(g) for g in ("2", "1+", "0", "1"))
[<AshworthGrade.G0: '0'>, <AshworthGrade.G1: '1'>, <AshworthGrade.G1_PLUS: '1+'>, <AshworthGrade.G2: '2'>]
>>> evaluate_response("nrs-spasticity", 6, 4.8, "nabiximols").responder
True
>>> parse_penn("0:2")
Traceback (most recent call last):
...
baclofen.domain.errors.InvalidInputError: 'penn severity' must be left out when the spasm frequency is 0 ...
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from baclofen.domain.errors import InvalidInputError, UnknownNameError, require_finite_number
from baclofen.domain.rules.core import Finding, Rule, Severity, evaluate_rules
from baclofen.domain.settings import EvidenceStatus, Setting, SettingUse, SettingValues, settings_to_dicts

_EPS = 1e-9


# --- Modified Ashworth ----------------------------------------------------------------------------------------
class AshworthGrade(Enum):
    """Modified Ashworth Scale grade (Bohannon & Smith 1987 added 1+ to Ashworth's 0-4) [S91] [S90].

    Grades compare by their order: 0 < 1 < 1+ < 2 < 3 < 4.
    """

    G0 = "0"
    G1 = "1"
    G1_PLUS = "1+"
    G2 = "2"
    G3 = "3"
    G4 = "4"

    @property
    def rank(self) -> int:
        """Ordinal position 0-5 (1+ is 2)."""
        return _ASHWORTH_ORDER.index(self)

    @property
    def description(self) -> str:
        """The grade's wording as given in [S90]."""
        return _ASHWORTH_TEXT[self]

    def points(self, one_plus_points: float = 1.5) -> float:
        """The grade as a number for averaging and differences; ``1+`` is ``one_plus_points`` (a setting)."""
        return one_plus_points if self is AshworthGrade.G1_PLUS else float(self.value)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, AshworthGrade):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, AshworthGrade):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, AshworthGrade):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, AshworthGrade):
            return NotImplemented
        return self.rank >= other.rank


_ASHWORTH_ORDER = (
    AshworthGrade.G0,
    AshworthGrade.G1,
    AshworthGrade.G1_PLUS,
    AshworthGrade.G2,
    AshworthGrade.G3,
    AshworthGrade.G4,
)
_ASHWORTH_TEXT = {
    AshworthGrade.G0: "no increase in muscle tone",
    AshworthGrade.G1: "slight increase (catch and then release)",
    AshworthGrade.G1_PLUS: "slight increase (catch followed by minimal resistance throughout the range of movement)",
    AshworthGrade.G2: "more marked increase (resistance through most of the range, but the part is easily moved)",
    AshworthGrade.G3: "considerable increase, passive movement difficult",
    AshworthGrade.G4: "part(s) rigid in flexion or extension",
}
_ASHWORTH_EXPECTED = "a Modified Ashworth grade: one of 0, 1, 1+, 2, 3, 4"

MAS_ONE_PLUS_POINTS = Setting(
    name="cds.scales.mas_one_plus_points",
    default=1.5,
    unit="Ashworth points",
    status=EvidenceStatus.ASSUMPTION,
    evidence=("S91", "S90", "S121"),
    description="Numeric value given to Modified Ashworth grade 1+ when averaging grades or measuring a reduction in "
    "points. The sources define 1+ only as lying between 1 and 2; 1.5 (the midpoint) is an assumption, so "
    "a change from 2 to 1+ is half a point.",
    minimum=1.0,
    maximum=2.0,
)


def parse_ashworth(value: Any, field_name: str = "ashworth grade") -> AshworthGrade:
    """Parse a Modified Ashworth grade: ``0``-``4`` (text or whole number) or ``1+``.

    >>> parse_ashworth(" 1 + "), parse_ashworth(3)
    (<AshworthGrade.G1_PLUS: '1+'>, <AshworthGrade.G3: '3'>)
    """
    if isinstance(value, AshworthGrade):
        return value
    if isinstance(value, bool):
        raise InvalidInputError(field_name, _ASHWORTH_EXPECTED, value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise InvalidInputError(field_name, _ASHWORTH_EXPECTED, value)
    text = "".join(value.split()).lower().replace("plus", "+")
    for grade in AshworthGrade:
        if text == grade.value:
            return grade
    raise InvalidInputError(field_name, _ASHWORTH_EXPECTED, value)


# --- Penn Spasm Frequency Scale ----------------------------------------------------------------------------------
PENN_FREQUENCY_TEXT = {
    0: "none",
    1: "mild spasms induced by stimulation",
    2: "infrequent full spasms, less than 1 an hour",
    3: "spasms more than once an hour",
    4: "spasms more than 10 times an hour",
}
PENN_SEVERITY_TEXT = {1: "mild", 2: "moderate", 3: "severe"}


def _whole(value: Any, field_name: str, lo: int, hi: int) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InvalidInputError(field_name, f"a whole number from {lo} to {hi}", value)
    return value


@dataclass(frozen=True, slots=True, order=True)
class PennSpasmScore:
    """Penn Spasm Frequency Scale (self-report, 2 parts) [S93].

    ``frequency`` 0-4; ``severity`` 1-3, required when frequency > 0 and refused when frequency is 0.
    """

    frequency: int
    severity: int | None = None

    def __post_init__(self) -> None:
        # Store the validated whole numbers: "0" or 2.0 must not slip past the frequency-0 rule as text/floats.
        object.__setattr__(self, "frequency", _whole(self.frequency, "penn frequency", 0, 4))
        if self.frequency == 0:
            if self.severity is not None:
                raise InvalidInputError(
                    "penn severity",
                    "left out when the spasm frequency is 0 (severity is rated only if frequency > 0)",
                    self.severity,
                )
        else:
            if self.severity is None:
                raise InvalidInputError("penn severity", "a severity 1-3 when the spasm frequency is above 0", None)
            object.__setattr__(self, "severity", _whole(self.severity, "penn severity", 1, 3))

    def __str__(self) -> str:
        return str(self.frequency) if self.severity is None else f"{self.frequency}:{self.severity}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "frequency": self.frequency,
            "frequency_text": PENN_FREQUENCY_TEXT[self.frequency],
            "severity": self.severity,
            "severity_text": None if self.severity is None else PENN_SEVERITY_TEXT[self.severity],
        }


_PENN_TEXT = re.compile(r"^\s*(\d+)\s*(?:[:/,]\s*(\d+)\s*)?$")


def parse_penn(value: Any) -> PennSpasmScore:
    """Parse a Penn score: ``"F"`` or ``"F:S"`` (also ``F/S``), a whole number, or a mapping.

    >>> parse_penn("3:2"), parse_penn(0)
    (PennSpasmScore(frequency=3, severity=2), PennSpasmScore(frequency=0, severity=None))
    """
    if isinstance(value, PennSpasmScore):
        return value
    if isinstance(value, Mapping):
        return PennSpasmScore(
            _whole(value.get("frequency"), "penn frequency", 0, 4),
            None if value.get("severity") is None else _whole(value["severity"], "penn severity", 1, 3),
        )
    if isinstance(value, str):
        m = _PENN_TEXT.match(value)
        if not m:
            raise InvalidInputError(
                "penn score", "frequency 0-4, with ':severity' 1-3 when frequency > 0 (e.g. 0, 3:2)", value
            )
        freq = _whole(int(m.group(1)), "penn frequency", 0, 4)
        sev = None if m.group(2) is None else _whole(int(m.group(2)), "penn severity", 1, 3)
        return PennSpasmScore(freq, sev)
    return PennSpasmScore(_whole(value, "penn frequency", 0, 4))


# --- NRS ----------------------------------------------------------------------------------------------------------
class NrsDomain(Enum):
    SPASTICITY = "spasticity"
    PAIN = "pain"
    SLEEP = "sleep"

    @property
    def anchors(self) -> str:
        return {
            NrsDomain.SPASTICITY: "0 = no spasticity, 10 = worst possible spasticity",
            NrsDomain.PAIN: "0 = no pain, 10 = worst possible pain",
            NrsDomain.SLEEP: "0 = no sleep disruption, 10 = worst possible sleep disruption",
        }[self]


NRS_MIN, NRS_MAX = 0.0, 10.0


@dataclass(frozen=True, slots=True)
class NrsScore:
    """A 0-10 numeric rating (higher = worse). Decimals are allowed (diary means)."""

    value: float
    domain: NrsDomain = NrsDomain.SPASTICITY

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "value",
            require_finite_number(self.value, f"nrs {self.domain.value}", minimum=NRS_MIN, maximum=NRS_MAX),
        )

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "domain": self.domain.value, "anchors": self.domain.anchors}


def parse_nrs(value: Any, domain: NrsDomain = NrsDomain.SPASTICITY) -> NrsScore:
    """Parse a 0-10 rating from a number or text."""
    field_name = f"nrs {domain.value}"
    if isinstance(value, NrsScore):
        return value
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            raise InvalidInputError(field_name, "a number from 0 to 10", value) from None
        if not math.isfinite(number):
            raise InvalidInputError(field_name, "a number from 0 to 10", value)
        value = number
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInputError(field_name, "a number from 0 to 10", value)
    return NrsScore(float(value), domain)


# --- Scales and contexts ------------------------------------------------------------------------------------------
class Scale(Enum):
    MODIFIED_ASHWORTH = "modified-ashworth"
    PENN = "penn"
    NRS_SPASTICITY = "nrs-spasticity"
    NRS_PAIN = "nrs-pain"
    NRS_SLEEP = "nrs-sleep"

    @property
    def evidence(self) -> tuple[str, ...]:
        return {Scale.MODIFIED_ASHWORTH: ("S91", "S90"), Scale.PENN: ("S93",)}.get(self, ("S88", "S89"))

    @property
    def nrs_domain(self) -> NrsDomain | None:
        return {
            Scale.NRS_SPASTICITY: NrsDomain.SPASTICITY,
            Scale.NRS_PAIN: NrsDomain.PAIN,
            Scale.NRS_SLEEP: NrsDomain.SLEEP,
        }.get(self)


_SCALE_ALIASES = {
    "mas": Scale.MODIFIED_ASHWORTH,
    "ashworth": Scale.MODIFIED_ASHWORTH,
    "modified ashworth": Scale.MODIFIED_ASHWORTH,
    "psfs": Scale.PENN,
    "penn spasm frequency": Scale.PENN,
    "penn spasm": Scale.PENN,
    "nrs": Scale.NRS_SPASTICITY,
    "nrs spasticity": Scale.NRS_SPASTICITY,
    "nrs pain": Scale.NRS_PAIN,
    "nrs sleep": Scale.NRS_SLEEP,
}


def _norm(text: str) -> str:
    return " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())


def parse_scale(name: Any) -> Scale:
    """A scale by name (``modified-ashworth``/``mas``, ``penn``/``psfs``, ``nrs-spasticity``/``nrs`` ...)."""
    if isinstance(name, Scale):
        return name
    if isinstance(name, str):
        key = _norm(name)
        for scale in Scale:
            if key == _norm(scale.value):
                return scale
        if key in _SCALE_ALIASES:
            return _SCALE_ALIASES[key]
    raise UnknownNameError("scale", [s.value for s in Scale], name)


class ResponseContext(Enum):
    GENERAL = "general"
    NABIXIMOLS = "nabiximols"
    ITB_SCREENING = "itb-screening"
    NRS_30 = "nrs-30"


_CONTEXT_SCALES: Mapping[ResponseContext, frozenset[Scale]] = {
    ResponseContext.GENERAL: frozenset(Scale),
    ResponseContext.NABIXIMOLS: frozenset({Scale.NRS_SPASTICITY}),
    ResponseContext.ITB_SCREENING: frozenset({Scale.MODIFIED_ASHWORTH}),
    ResponseContext.NRS_30: frozenset({Scale.NRS_SPASTICITY, Scale.NRS_PAIN, Scale.NRS_SLEEP}),
}


def parse_context(name: Any) -> ResponseContext:
    if isinstance(name, ResponseContext):
        return name
    if isinstance(name, str):
        key = _norm(name)
        for ctx in ResponseContext:
            if key == _norm(ctx.value):
                return ctx
        if key in ("nice ng144", "sativex"):
            return ResponseContext.NABIXIMOLS
    raise UnknownNameError("context", [c.value for c in ResponseContext], name)


#: NICE NG144: continue nabiximols only with >= 20 % reduction in spasticity-related symptoms after a 4-week
#: trial [S85] [S87]; the enriched phase 3 design used the same >= 20 % NRS improvement [S88].
NABIXIMOLS_CONTINUATION_FRACTION = 0.20
#: Length of the NICE nabiximols trial, weeks [S85] [S87].
NABIXIMOLS_TRIAL_WEEKS = 4

ITB_SCREENING_ASHWORTH_REDUCTION = Setting(
    name="cds.scales.itb_screening_ashworth_reduction_points",
    default=1.0,
    unit="Ashworth points",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("S108", "S116", "S41"),
    description="Mean Ashworth reduction that counts as a positive ITB screening response. The label's 'positive "
    "response' wording is UNCONFIRMED verbatim; a cerebral palsy ITB trial used a mean >= 1.0-point "
    "reduction in the lower extremities [S108].",
    minimum=0.5,
    maximum=4.0,
)
NRS_RESPONDER_FRACTION = Setting(
    name="cds.scales.nrs_responder_fraction",
    default=0.30,
    unit="fraction of baseline",
    status=EvidenceStatus.UNCONFIRMED,
    evidence=("S88",),
    description="NRS responder threshold for the 'nrs-30' context (>= 30 % improvement). UNCONFIRMED: the 30 % "
    "secondary responder analysis exists in [S88] but its threshold was not visible. Never the default "
    "responder definition.",
    minimum=0.05,
    maximum=1.0,
)
SCALE_SETTINGS: Mapping[str, Setting] = {
    s.name: s for s in (MAS_ONE_PLUS_POINTS, ITB_SCREENING_ASHWORTH_REDUCTION, NRS_RESPONDER_FRACTION)
}


@dataclass(frozen=True, slots=True)
class ResponderVerdict:
    """What a responder rule looks at: the context, the measured improvement and its threshold.

    ``improvement`` is in Ashworth points (ITB screening) or a fraction of the baseline (NRS contexts).
    :attr:`responder` is the one place that decides the verdict: the evaluation and the SCALE-* findings
    both read it.
    """

    context: ResponseContext
    improvement: float
    threshold: float
    reasoning: str

    @property
    def responder(self) -> bool:
        return self.improvement >= self.threshold - _EPS


def _check_itb_screening(v: ResponderVerdict) -> Finding | None:
    if v.context is not ResponseContext.ITB_SCREENING:
        return None
    verdict = "positive" if v.responder else "not positive"
    return ITB_SCREENING_RESPONSE.finding(
        f"ITB screening response {verdict}: mean Ashworth reduction {v.improvement:g} point(s) "
        f"(threshold {v.threshold:g})",
        reasoning=v.reasoning,
        severity=Severity.INFO if v.responder else Severity.WARN,
        data={"reduction_points": round(v.improvement, 6), "threshold_points": v.threshold},
        action=(
            "Proceed per protocol (initial dose from the effective screening dose)."
            if v.responder
            else "Per protocol: next screening dose (75 then 100 mcg, 24 h apart); no implant after no response to "
            "100 mcg."
        ),
    )


def _check_nabiximols(v: ResponderVerdict) -> Finding | None:
    if v.context is not ResponseContext.NABIXIMOLS:
        return None
    return NABIXIMOLS_RESPONSE.finding(
        ("continue nabiximols" if v.responder else "stop nabiximols")
        + f": {v.improvement * 100:.1f} % improvement (threshold {v.threshold:.0%})",
        reasoning=v.reasoning,
        severity=Severity.INFO if v.responder else Severity.WARN,
        data={"improvement_fraction": round(v.improvement, 6), "threshold_fraction": v.threshold},
        action=(
            "Continue and review regularly."
            if v.responder
            else "Stop nabiximols: the 4-week trial did not reach the continuation threshold."
        ),
    )


def _check_nrs_30(v: ResponderVerdict) -> Finding | None:
    if v.context is not ResponseContext.NRS_30:
        return None
    return NRS_30_RESPONSE.finding(
        f"{'responder' if v.responder else 'not a responder'} at {v.threshold:.0%}: "
        f"{v.improvement * 100:.1f} % improvement",
        reasoning=v.reasoning,
        data={"improvement_fraction": round(v.improvement, 6), "threshold_fraction": v.threshold},
    )


NABIXIMOLS_RESPONSE: Rule[ResponderVerdict] = Rule(
    "SCALE-NABX-001",
    "Nabiximols 4-week trial: continue only with >= 20 % improvement",
    Severity.WARN,
    ("S85", "S87", "S88", "MSTrustNICE"),
    _check_nabiximols,
)
ITB_SCREENING_RESPONSE: Rule[ResponderVerdict] = Rule(
    "SCALE-ITB-SCREEN-001",
    "ITB screening response by Ashworth reduction",
    Severity.WARN,
    ("S108", "S116", "S38"),
    _check_itb_screening,
)
NRS_30_RESPONSE: Rule[ResponderVerdict] = Rule(
    "SCALE-NRS-30-001", "30 % NRS responder (UNCONFIRMED threshold)", Severity.INFO, ("S88",), _check_nrs_30
)
RESPONDER_RULES: tuple[Rule[ResponderVerdict], ...] = (NABIXIMOLS_RESPONSE, ITB_SCREENING_RESPONSE, NRS_30_RESPONSE)
#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = RESPONDER_RULES


@dataclass(frozen=True, slots=True)
class ResponseEvaluation:
    """A baseline-to-current comparison on one scale, with the responder verdict of its context.

    ``change`` is baseline minus current in the scale's points (positive = better: all scales here are
    higher-is-worse); ``relative_change`` is change / baseline (None when the baseline is 0).
    ``responder`` is None when the context gives no responder definition or it cannot be evaluated.
    """

    scale: Scale
    context: ResponseContext
    baseline: Any
    current: Any
    change: float
    relative_change: float | None
    direction: str
    responder: bool | None
    reasoning: str
    evidence: tuple[str, ...]
    findings: tuple[Finding, ...] = ()
    threshold: Mapping[str, Any] | None = None
    details: Mapping[str, Any] = field(default_factory=dict)
    settings: tuple[SettingUse, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        def ser(v: Any) -> Any:
            if isinstance(v, (list, tuple)):
                return [ser(x) for x in v]
            if isinstance(v, AshworthGrade):
                return v.value
            if hasattr(v, "to_dict"):
                return v.to_dict()
            return v

        from baclofen.domain.evidence import format_evidence

        return {
            "scale": self.scale.value,
            "context": self.context.value,
            "baseline": ser(self.baseline),
            "current": ser(self.current),
            "change": round(self.change, 6),
            "relative_change": None if self.relative_change is None else round(self.relative_change, 6),
            "direction": self.direction,
            "responder": self.responder,
            "threshold": dict(self.threshold or {}) or None,
            "reasoning": self.reasoning,
            "evidence": format_evidence(self.evidence),
            "evidence_keys": list(self.evidence),
            "details": dict(self.details),
            "findings": [f.to_dict() for f in self.findings],
            "settings": settings_to_dicts(self.settings),
        }


def _direction(change: float) -> str:
    if change > _EPS:
        return "improved"
    if change < -_EPS:
        return "worsened"
    return "unchanged"


def _ashworth_list(value: Any, field_name: str) -> tuple[AshworthGrade, ...]:
    if isinstance(value, str) and "," in value:
        items: Sequence[Any] = list(value.split(","))
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        items = [value]
    if not items:
        raise InvalidInputError(field_name, _ASHWORTH_EXPECTED, value)
    return tuple(parse_ashworth(v, field_name) for v in items)


def evaluate_response(
    scale: Any,
    baseline: Any,
    current: Any,
    context: Any = ResponseContext.GENERAL,
    *,
    settings: Mapping[str, Any] | None = None,
) -> ResponseEvaluation:
    """Compare ``baseline`` with ``current`` on ``scale`` and apply the responder definition of ``context``.

    Parameters
    ----------
    scale
        :class:`Scale` or its name.
    baseline, current
        Scale values: Ashworth grades (one, or a comma-separated list / sequence of equal length for several
        muscle groups, compared by mean points), Penn scores (``"F"`` or ``"F:S"``) or 0-10 NRS values.
    context
        :class:`ResponseContext` or its name; it must suit the scale (``nabiximols`` needs
        ``nrs-spasticity``, ``itb-screening`` needs ``modified-ashworth``, ``nrs-30`` an NRS).
    settings
        Overrides of :data:`SCALE_SETTINGS` by name.

    Raises
    ------
    InvalidInputError
        For an unknown scale or context, a value outside the scale, or an unsuitable context.
    """
    sc = parse_scale(scale)
    ctx = parse_context(context)
    if sc not in _CONTEXT_SCALES[ctx]:
        allowed = ", ".join(sorted(s.value for s in _CONTEXT_SCALES[ctx]))
        raise InvalidInputError("context", f"used with the scale {allowed} (not {sc.value})", ctx.value)
    values = SettingValues(SCALE_SETTINGS.values(), settings, field="setting")
    base = parse_scale_value(baseline, "baseline", sc)
    cur = parse_scale_value(current, "current", sc)
    if isinstance(base, tuple) and isinstance(cur, tuple):
        return _evaluate_ashworth(sc, ctx, base, cur, values)
    if isinstance(base, PennSpasmScore) and isinstance(cur, PennSpasmScore):
        return _evaluate_penn(sc, ctx, base, cur)
    assert isinstance(base, NrsScore) and isinstance(cur, NrsScore)
    return _evaluate_nrs(sc, ctx, base, cur, values)


#: A value on one of the scales: Ashworth grades (one per muscle group), a Penn score or a 0-10 rating.
ScaleValue = tuple[AshworthGrade, ...] | PennSpasmScore | NrsScore


def parse_scale_value(value: Any, field_name: str, scale: Scale) -> ScaleValue:
    """A baseline or current value on ``scale`` (see :func:`evaluate_response`); an error names ``field_name``
    and the part that was wrong.

    >>> parse_scale_value("1+, 2", "baseline", Scale.MODIFIED_ASHWORTH)
    (<AshworthGrade.G1_PLUS: '1+'>, <AshworthGrade.G2: '2'>)
    >>> parse_scale_value("3:2", "baseline", Scale.PENN)
    PennSpasmScore(frequency=3, severity=2)
    """
    if scale is Scale.MODIFIED_ASHWORTH:
        return _ashworth_list(value, field_name)
    if scale is Scale.PENN:
        penn: PennSpasmScore = _named(parse_penn, value, field_name)
        return penn
    domain = scale.nrs_domain
    assert domain is not None
    nrs: NrsScore = _named(parse_nrs, value, field_name, domain)
    return nrs


def _named(parse: Any, value: Any, field_name: str, *args: Any) -> Any:
    """Parse a baseline/current value; an error names ``baseline``/``current`` and the part that was wrong."""
    try:
        return parse(value, *args)
    except InvalidInputError as exc:
        raise InvalidInputError(field_name, f"{exc.field}: {exc.expected}", exc.actual) from None


def _evaluate_ashworth(
    sc: Scale,
    ctx: ResponseContext,
    base: tuple[AshworthGrade, ...],
    cur: tuple[AshworthGrade, ...],
    values: SettingValues,
) -> ResponseEvaluation:
    if len(base) != len(cur):
        raise InvalidInputError(
            "current", f"{len(base)} Ashworth grade(s), one per muscle group of the baseline", len(cur)
        )
    one_plus = float(values.get(MAS_ONE_PLUS_POINTS))
    base_mean = sum(g.points(one_plus) for g in base) / len(base)
    cur_mean = sum(g.points(one_plus) for g in cur) / len(cur)
    change = base_mean - cur_mean
    groups = {
        "improved": sum(c < b for b, c in zip(base, cur, strict=True)),
        "worsened": sum(c > b for b, c in zip(base, cur, strict=True)),
        "unchanged": sum(c == b for b, c in zip(base, cur, strict=True)),
    }
    details = {
        "baseline_mean_points": round(base_mean, 6),
        "current_mean_points": round(cur_mean, 6),
        "muscle_groups": len(base),
        "groups": groups,
    }
    reasoning = (
        f"Mean Modified Ashworth {base_mean:g} -> {cur_mean:g} points over {len(base)} muscle group(s) "
        f"(1+ counted as {one_plus:g}, {MAS_ONE_PLUS_POINTS.name})."
    )
    evidence = sc.evidence
    findings: tuple[Finding, ...] = ()
    responder: bool | None = None
    threshold: dict[str, float | str] | None = None
    if ctx is ResponseContext.ITB_SCREENING:
        needed = float(values.get(ITB_SCREENING_ASHWORTH_REDUCTION))
        verdict_of = ResponderVerdict(ctx, change, needed, "")
        responder = verdict_of.responder
        threshold = {
            "reduction_points": needed,
            "setting": ITB_SCREENING_ASHWORTH_REDUCTION.name,
            "status": ITB_SCREENING_ASHWORTH_REDUCTION.status.value,
        }
        evidence = evidence + ITB_SCREENING_RESPONSE.evidence
        verdict = "positive" if responder else "not positive"
        reasoning += (
            f" ITB screening: a mean reduction of at least {needed:g} point(s) counts as positive (trial "
            f"operationalisation; the label's wording is UNCONFIRMED): {change:g} -> {verdict}."
        )
        findings = evaluate_rules(RESPONDER_RULES, replace(verdict_of, reasoning=reasoning))
    return ResponseEvaluation(
        sc,
        ctx,
        base if len(base) > 1 else base[0],
        cur if len(cur) > 1 else cur[0],
        change,
        None if base_mean == 0 else change / base_mean,
        _direction(change),
        responder,
        reasoning,
        evidence,
        findings,
        threshold,
        details,
        values.used(),
    )


def _evaluate_penn(sc: Scale, ctx: ResponseContext, base: PennSpasmScore, cur: PennSpasmScore) -> ResponseEvaluation:
    change = float(base.frequency - cur.frequency)
    sev_change = None
    if base.severity is not None and cur.severity is not None:
        sev_change = base.severity - cur.severity
    if change == 0 and sev_change is not None:
        direction = _direction(float(sev_change))
    else:
        direction = _direction(change)
    reasoning = (
        f"Penn spasm frequency {base.frequency} -> {cur.frequency}"
        + (f", severity {base.severity} -> {cur.severity}" if sev_change is not None else "")
        + ". No responder threshold (minimal clinically important difference) is established for this "
        "scale, so no responder verdict is given."
    )
    return ResponseEvaluation(
        sc,
        ctx,
        base,
        cur,
        change,
        None if base.frequency == 0 else change / base.frequency,
        direction,
        None,
        reasoning,
        sc.evidence,
        details={"frequency_change": change, "severity_change": sev_change},
    )


def _evaluate_nrs(
    sc: Scale, ctx: ResponseContext, base: NrsScore, cur: NrsScore, values: SettingValues
) -> ResponseEvaluation:
    change = base.value - cur.value
    relative = None if base.value == 0 else change / base.value
    reasoning = f"NRS {sc.nrs_domain.value if sc.nrs_domain else ''} {base.value:g} -> {cur.value:g}"
    reasoning += "" if relative is None else f" ({relative * 100:.1f} % improvement)."
    evidence = sc.evidence
    responder: bool | None = None
    threshold: dict[str, float | str] | None = None
    findings: tuple[Finding, ...] = ()
    if ctx is ResponseContext.NABIXIMOLS:
        evidence = evidence + NABIXIMOLS_RESPONSE.evidence
        threshold = {"improvement_fraction": NABIXIMOLS_CONTINUATION_FRACTION, "trial_weeks": NABIXIMOLS_TRIAL_WEEKS}
        if relative is None:
            reasoning += " Baseline 0: an improvement cannot be measured, so the continuation rule cannot be applied."
        else:
            verdict = ResponderVerdict(ctx, relative, NABIXIMOLS_CONTINUATION_FRACTION, "")
            responder = verdict.responder
            reasoning += (
                f" NICE NG144: after a {NABIXIMOLS_TRIAL_WEEKS}-week trial continue nabiximols only with "
                f"at least {NABIXIMOLS_CONTINUATION_FRACTION:.0%} improvement."
            )
            findings = evaluate_rules(RESPONDER_RULES, replace(verdict, reasoning=reasoning))
    elif ctx is ResponseContext.NRS_30:
        needed = float(values.get(NRS_RESPONDER_FRACTION))
        evidence = evidence + NRS_30_RESPONSE.evidence
        threshold = {
            "improvement_fraction": needed,
            "setting": NRS_RESPONDER_FRACTION.name,
            "status": NRS_RESPONDER_FRACTION.status.value,
        }
        if relative is None:
            reasoning += " Baseline 0: an improvement cannot be measured."
        else:
            verdict = ResponderVerdict(ctx, relative, needed, "")
            responder = verdict.responder
            reasoning += (
                f" Responder threshold {needed:.0%} ({NRS_RESPONDER_FRACTION.name}; UNCONFIRMED in the sources)."
            )
            findings = evaluate_rules(RESPONDER_RULES, replace(verdict, reasoning=reasoning))
    return ResponseEvaluation(
        sc,
        ctx,
        base,
        cur,
        change,
        relative,
        _direction(change),
        responder,
        reasoning,
        evidence,
        findings,
        threshold,
        {},
        values.used(),
    )
