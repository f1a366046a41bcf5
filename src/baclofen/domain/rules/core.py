"""Rule, Finding, Severity and the evaluator.

>>> from baclofen.domain.rules.core import Rule, Severity, evaluate_rules
>>> too_high = Rule(
...     rule_id="DEMO-MAX-001", title="Demo ceiling", severity=Severity.BLOCK, evidence=("S4",),
...     check=lambda mg: None if mg <= 80 else too_high.finding(f"{mg} mg/day is above 80 mg/day",
...         reasoning="label maximum", data={"daily_dose_mg": mg}))
>>> [f.rule_id for f in evaluate_rules([too_high], 90)]
['DEMO-MAX-001']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from baclofen.domain.documents import (
    join,
    read_bool,
    read_enum,
    read_key,
    read_mapping,
    read_object,
    read_text,
    read_texts,
    within,
)
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.evidence import REFERENCES, format_evidence, get_reference

RULE_ID_PATTERN = re.compile(r"^[A-Z]+(-[A-Z0-9]+)*-[0-9]{3}$")

C = TypeVar("C")
D = TypeVar("D")


class Severity(Enum):
    BLOCK = "block"
    WARN = "warn"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"block": 0, "warn": 1, "info": 2}[self.value]


@dataclass(frozen=True, slots=True)
class Finding:
    """A clinical finding: returned, never raised.

    ``evidence`` holds citation keys; :meth:`to_dict` resolves them to readable lines.
    ``signs`` lists warning signs (withdrawal, overdose) to watch for; ``action`` what to do.
    """

    rule_id: str
    severity: Severity
    message: str
    reasoning: str
    evidence: tuple[str, ...]
    data: Mapping[str, Any] = field(default_factory=dict)
    signs: tuple[str, ...] = ()
    action: str = ""
    overridden_by: Override | None = None
    #: False for an absolute block (e.g. a label contraindication): no clinician override can lift it.
    overridable: bool = True

    def __post_init__(self) -> None:
        for name in ("message", "reasoning"):
            text = getattr(self, name)
            if not isinstance(text, str) or not text.strip():
                # A finding must say what and why: a bare rule id or an empty reason helps no one decide.
                raise InvalidInputError(f"finding {self.rule_id}.{name}", "a non-empty text", text)
        if not self.evidence:
            raise InvalidInputError(f"finding {self.rule_id}.evidence", "at least one citation key", ())
        for key in self.evidence:
            get_reference(key)
        object.__setattr__(self, "data", MappingProxyType(dict(self.data)))

    @property
    def is_blocking(self) -> bool:
        return self.severity is Severity.BLOCK and self.overridden_by is None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "message": self.message,
            "reasoning": self.reasoning,
            "evidence": format_evidence(self.evidence),
            "evidence_keys": list(self.evidence),
            "data": _jsonable(dict(self.data)),
            "overridable": self.overridable,
        }
        if self.signs:
            out["signs"] = list(self.signs)
        if self.action:
            out["action"] = self.action
        if self.overridden_by is not None:
            out["override"] = self.overridden_by.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: Any, path: str = "finding") -> Finding:
        """The finding of :meth:`to_dict`: its citations from ``evidence_keys`` (``evidence`` is their text, not
        read back); ``data`` as written (JSON values: lists for tuples, texts for dates and enums)."""
        data = read_object(data, path)
        rule_id = read_text(data, "rule_id", path)
        if not RULE_ID_PATTERN.match(rule_id):
            raise InvalidInputError(join(path, "rule_id"), "a rule id like ORAL-MAX-001", rule_id)
        evidence = read_texts(data, "evidence_keys", path)
        for i, key in enumerate(evidence):
            if key not in REFERENCES:
                raise InvalidInputError(join(join(path, "evidence_keys"), i), "a key of the reference catalogue", key)
        override = None
        if "override" in data:
            override = Override.from_dict(read_key(data, "override", path), join(path, "override"))
        with within(path):
            return cls(
                rule_id=rule_id,
                severity=read_enum(data, "severity", path, Severity),
                message=read_text(data, "message", path, non_empty=True),
                reasoning=read_text(data, "reasoning", path, non_empty=True),
                evidence=evidence,
                data=read_mapping(data, "data", path),
                signs=read_texts(data, "signs", path, required=False),
                action=read_text(data, "action", path, required=False),
                overridden_by=override,
                overridable=read_bool(data, "overridable", path),
            )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        return round(value, 6)
    return value


#: An override must say why in words: at least this many characters (whitespace collapsed) ...
OVERRIDE_REASON_MIN_CHARS = 10
#: ... in at least this many words, each with a letter ("x", "ok", "n/a", "xxxxxxxxxx" are not reasons).
OVERRIDE_REASON_MIN_WORDS = 2
_WORD = re.compile(r"[^\W\d_]")
#: Placeholders that are not a clinician's name (compared case-insensitively, ignoring punctuation and spaces).
PLACEHOLDER_CLINICIANS = frozenset(
    {
        "none",
        "na",
        "nil",
        "null",
        "unknown",
        "nobody",
        "noone",
        "anonymous",
        "anon",
        "notknown",
        "notapplicable",
        "tbd",
        "tba",
        "xxx",
        "x",
        "clinician",
        "doctor",
        "dr",
        "user",
        "admin",
        "test",
        "someone",
        "me",
        "self",
    }
)


def _placeholder_clinician(name: str) -> bool:
    return "".join(ch for ch in name.casefold() if ch.isalnum()) in PLACEHOLDER_CLINICIANS


@dataclass(frozen=True, slots=True)
class Override:
    """A named clinician's explicit acceptance of a blocking finding, with a reason.

    The reason must be a real reason (:data:`OVERRIDE_REASON_MIN_CHARS`, :data:`OVERRIDE_REASON_MIN_WORDS`)
    and the clinician must be named: an anonymous override or a reason like 'x' is not a decision anyone can review.
    These are governance rules of this software, not clinical values, so they are constants and not settings
    that a caller could lower. A rule that cannot be overridden (``Rule.overridable`` false) cannot be named.
    """

    rule_id: str
    reason: str
    clinician: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.rule_id, str) or not RULE_ID_PATTERN.match(self.rule_id):
            raise InvalidInputError("override rule_id", "a rule id like ORAL-MAX-001", self.rule_id)
        # The catalogue imports every module that defines rules, and they import this one: look it up when an
        # override is made, not at import time.
        from baclofen.domain.rules.catalogue import CATALOGUE

        entry = CATALOGUE.get(self.rule_id)
        if entry is not None and not entry.rule.overridable:
            raise InvalidInputError("override", _absolute_text(self.rule_id), self.rule_id)
        reason = " ".join(self.reason.split()) if isinstance(self.reason, str) else ""
        words = [w for w in reason.split() if _WORD.search(w)]
        if len(words) < OVERRIDE_REASON_MIN_WORDS or len(reason) < OVERRIDE_REASON_MIN_CHARS:
            raise InvalidInputError(
                "override reason",
                f"a real reason: at least {OVERRIDE_REASON_MIN_WORDS} words and {OVERRIDE_REASON_MIN_CHARS} "
                "characters (e.g. ORAL-MAX-001=in hospital under supervision)",
                self.reason,
            )
        clinician = " ".join(self.clinician.split()) if isinstance(self.clinician, str) else ""
        if not _WORD.search(clinician) or _placeholder_clinician(clinician):
            raise InvalidInputError(
                "override clinician", "the name of the clinician who gives the override", self.clinician
            )
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "clinician", clinician)

    def to_dict(self) -> dict[str, str]:
        return {"rule_id": self.rule_id, "reason": self.reason, "clinician": self.clinician}

    @classmethod
    def from_dict(cls, data: Any, path: str = "override") -> Override:
        data = read_object(data, path)
        texts = {key: read_text(data, key, path) for key in ("rule_id", "reason", "clinician")}
        try:
            return cls(**texts)
        except InvalidInputError as exc:
            # The checks name 'override reason', 'override clinician' ...: name the key in the document.
            key = next((k for k in ("rule_id", "reason", "clinician") if exc.field.endswith(k)), "rule_id")
            raise InvalidInputError(join(path, key), exc.expected, exc.actual) from None


def _absolute_text(rule_id: str) -> str:
    return f"an overridable block ({rule_id} is an absolute block that cannot be overridden)"


@dataclass(frozen=True)
class Rule(Generic[C]):
    """A safety rule: stable id, severity, citations and a pure check ``ctx -> Finding | None``.

    Constructing a rule registers nothing: the module that defines it lists it in its ``DEFINED_RULES``, from
    which :mod:`baclofen.domain.rules.catalogue` builds the catalogue of every rule.
    """

    rule_id: str
    title: str
    severity: Severity
    evidence: tuple[str, ...]
    check: Callable[[C], Finding | Sequence[Finding] | None]
    #: False for an absolute block (e.g. a label contraindication): its findings cannot be overridden.
    overridable: bool = True
    #: Names of the settings whose values decide when this rule fires (its thresholds); ``()`` when none
    #: (named constants, labels), ``None`` when not declared. Every rule that can block declares it: the
    #: evidence policy (tests/architecture/test_evidence_policy.py) refuses a block whose threshold is an
    #: ASSUMPTION or UNCONFIRMED setting at its default.
    settings: tuple[str, ...] | None = None
    #: Keys of the clinical conditions this rule decides (``"pump.reservoir.low"``): rules on one condition
    #: must agree in severity (one condition, one severity, whichever path reports it).
    conditions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not RULE_ID_PATTERN.match(self.rule_id):
            raise InvalidInputError("rule_id", "an id like ORAL-MAX-001", self.rule_id)
        if not self.evidence:
            raise InvalidInputError(f"rule {self.rule_id}.evidence", "at least one citation key", ())
        if self.settings is not None:
            object.__setattr__(self, "settings", tuple(self.settings))
        object.__setattr__(self, "conditions", tuple(self.conditions))
        for key in self.evidence:
            get_reference(key)

    def finding(
        self,
        message: str,
        *,
        reasoning: str,
        data: Mapping[str, Any] | None = None,
        severity: Severity | None = None,
        evidence: tuple[str, ...] = (),
        signs: tuple[str, ...] = (),
        action: str = "",
    ) -> Finding:
        """Build a finding of this rule (its id, its severity unless given, its evidence plus any extra)."""
        return Finding(
            rule_id=self.rule_id,
            severity=severity or self.severity,
            message=message,
            reasoning=reasoning,
            evidence=tuple(dict.fromkeys(self.evidence + evidence)),
            data=data or {},
            signs=signs,
            action=action,
            overridable=self.overridable,
        )

    def adapted(self, context: Callable[[D], C]) -> Rule[D]:
        """This rule on another context type (same id, title, severity, evidence, ``overridable``, settings and
        conditions):
        ``context`` extracts what the check looks at, so one rule serves every path that has the value."""
        return Rule(
            self.rule_id,
            self.title,
            self.severity,
            self.evidence,
            lambda ctx: self.check(context(ctx)),
            overridable=self.overridable,
            settings=self.settings,
            conditions=self.conditions,
        )

    def evaluate(self, ctx: C) -> tuple[Finding, ...]:
        result = self.check(ctx)
        if result is None:
            return ()
        if isinstance(result, Finding):
            return (result,)
        return tuple(result)


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (f.severity.rank, f.rule_id)))


def evaluate_rules(rules: Iterable[Rule[C]], ctx: C) -> tuple[Finding, ...]:
    """Run every rule on ``ctx``; return all findings, most severe first. Never short-circuits."""
    out: list[Finding] = []
    for rule in rules:
        out.extend(rule.evaluate(ctx))
    return sort_findings(out)


def apply_overrides(findings: Iterable[Finding], overrides: Iterable[Override]) -> tuple[Finding, ...]:
    """Attach each override to the blocking findings of its rule; an unused override is an error, and so
    are two different overrides of one rule (which reason stands would otherwise be silently chosen)."""
    by_rule: dict[str, Override] = {}
    for given in overrides:
        earlier = by_rule.setdefault(given.rule_id, given)
        if earlier != given:
            raise InvalidInputError(
                "override", f"one override (one reason) per rule, not two for {given.rule_id}", given.rule_id
            )
    used: set[str] = set()
    out = []
    for f in findings:
        override = by_rule.get(f.rule_id)
        if override is not None and f.severity is Severity.BLOCK and not f.overridable:
            raise InvalidInputError("override", _absolute_text(f.rule_id), f.rule_id)
        if override is not None and f.severity is Severity.BLOCK:
            out.append(replace(f, overridden_by=override))
            used.add(f.rule_id)
        else:
            out.append(f)
    unused = set(by_rule) - used
    if unused:
        raise InvalidInputError("override", "the id of a blocking finding of this plan", sorted(unused)[0])
    return sort_findings(out)


def has_blocking(findings: Iterable[Finding]) -> bool:
    return any(f.is_blocking for f in findings)


def is_offerable(findings: Iterable[Finding]) -> bool:
    """A plan may be offered only if no ``block`` finding stands without a clinician override (an absolute
    block, ``overridable`` false, can never be overridden)."""
    return not has_blocking(findings)


def findings_to_dicts(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    return [f.to_dict() for f in findings]
