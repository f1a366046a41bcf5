"""Persistent alerts: a finding that needs a clinician, kept until someone acknowledges or resolves it.

An :class:`Alert` is raised from a finding (a diary red flag, a risk of the risk engine, whose pump findings are
the ITB forecast's) for one patient and one **subject** (the pump, the diary entry or the patient the finding is
about). It stays **open** until a clinician acknowledges it (seen, being handled) or resolves it (dealt with);
each transition keeps who, when and why, and is only ever appended. An alert is never deleted, and it does not
go away when its finding leaves the risk engine's look-back window.

While an alert is active (open or acknowledged) it stands for its rule on its subject (:attr:`Alert.dedup_key`):
the use case raises no second one for the same rule and subject until it is resolved.

>>> from datetime import datetime, timezone
>>> from baclofen.domain.cds.risk import RiskLevel
>>> at = datetime(2026, 3, 10, 9, 0, tzinfo=timezone.utc)
>>> alert = Alert("A-1", "P-1", "RISK-REFILL-001", "pump:pump-1", RiskLevel.HIGH, Severity.WARN, at,
...               "Refill overdue", "The recommended refill date has passed.", ("S65",))
>>> alert = alert.acknowledge("clinician:jdoe", at.replace(hour=10), "called the patient, refill booked")
>>> alert.state.value, alert.is_active, alert.acknowledged.by
('acknowledged', True, 'clinician:jdoe')
>>> alert.resolve("clinician:jdoe", at.replace(hour=15), "refilled today").state.value
'resolved'
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from baclofen.domain.cds.risk import RiskLevel
from baclofen.domain.errors import InvalidInputError, require
from baclofen.domain.evidence import format_evidence, get_reference
from baclofen.domain.records import MAX_AUDIT_TEXT_LENGTH, check_record_id
from baclofen.domain.rules.core import RULE_ID_PATTERN, Finding, Severity

__all__ = [
    "MAX_ALERT_TEXT_LENGTH",
    "Alert",
    "AlertState",
    "AlertTransition",
    "alert_from_finding",
    "alert_id",
]

#: Longest message, reasoning, action or reason of an alert (characters).
MAX_ALERT_TEXT_LENGTH = 4000
#: Longest subject of an alert (``"pump:pump-1"``: a kind and a record identifier).
MAX_SUBJECT_LENGTH = 80


class AlertState(Enum):
    """Where an alert stands: open (nobody has taken it), acknowledged (seen, being handled), resolved."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


#: The states an alert may move to from each state (resolved is final).
_NEXT = {
    AlertState.OPEN: (AlertState.ACKNOWLEDGED, AlertState.RESOLVED),
    AlertState.ACKNOWLEDGED: (AlertState.RESOLVED,),
    AlertState.RESOLVED: (),
}


def _aware(value: object, field: str) -> datetime:
    ok = isinstance(value, datetime) and value.utcoffset() is not None
    require(ok, field, "a date and time with its UTC offset", value)
    assert isinstance(value, datetime)
    return value


def _text(value: object, field: str, *, max_length: int = MAX_ALERT_TEXT_LENGTH, required: bool = True) -> str:
    ok = isinstance(value, str) and len(value.strip()) <= max_length and (bool(value.strip()) or not required)
    require(ok, field, f"a {'non-empty ' if required else ''}text of at most {max_length} characters", value)
    assert isinstance(value, str)
    return value.strip()


@dataclass(frozen=True, slots=True)
class AlertTransition:
    """One step of an alert: the state it entered, who moved it, when and why."""

    state: AlertState
    by: str
    at: datetime
    reason: str

    def __post_init__(self) -> None:
        moved = self.state in (AlertState.ACKNOWLEDGED, AlertState.RESOLVED)
        require(moved, "state", "acknowledged or resolved", self.state)
        ok = isinstance(self.by, str) and 0 < len(self.by) <= MAX_AUDIT_TEXT_LENGTH
        ok = ok and self.by == self.by.strip() and self.by.isprintable()
        require(ok, "by", "who: the user or clinician acting (a text without surrounding spaces)", self.by)
        _aware(self.at, "at")
        reason = _text(self.reason, "reason")
        require(any(c.isalpha() for c in reason), "reason", "why, in words", self.reason)
        object.__setattr__(self, "reason", reason)

    def to_dict(self) -> dict[str, Any]:
        return {"state": self.state.value, "by": self.by, "at": self.at.isoformat(), "reason": self.reason}


def alert_id(patient_id: str, rule_id: str, subject: str, raised_at: datetime) -> str:
    """The identifier of the alert of ``rule_id`` on ``subject`` raised at one instant.

    >>> from datetime import timezone
    >>> alert_id("P-1", "DIARY-SEIZURE-001", "diary:D-1", datetime(2026, 3, 9, 20, 0, tzinfo=timezone.utc))
    'A-3dbb9941074e77b96b32'
    """
    instant = _aware(raised_at, "raised_at").astimezone(UTC).replace(tzinfo=None).isoformat()
    text = f"{patient_id}\n{rule_id}\n{subject}\n{instant}"
    return "A-" + hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class Alert:
    """A finding kept for a clinician: what (rule, message, reasoning, evidence), about whom and what, since when,
    and its transitions (oldest first, append-only).

    Attributes
    ----------
    alert_id, patient_id : str
        Identifiers of the alert and its patient.
    rule_id : str
        The rule whose finding raised it (``DIARY-SEIZURE-001``, ``RISK-REFILL-001``).
    subject : str
        What the finding is about: ``"pump:<id>"``, ``"diary:<entry id>"`` or ``"patient:<id>"``.
    level : RiskLevel
        High, moderate or low: how soon a clinician must act.
    severity : Severity
        The finding's severity (``block`` when it blocks a plan).
    raised_at : datetime
        When it was raised, with its UTC offset.
    message, reasoning, action : str
        The finding's texts; ``evidence`` its citation keys.
    transitions : tuple of AlertTransition
        Acknowledgement and resolution, each with who, when and why.
    """

    alert_id: str
    patient_id: str
    rule_id: str
    subject: str
    level: RiskLevel
    severity: Severity
    raised_at: datetime
    message: str
    reasoning: str
    evidence: tuple[str, ...]
    action: str = ""
    transitions: tuple[AlertTransition, ...] = ()

    def __post_init__(self) -> None:
        check_record_id(self.alert_id, "alert_id")
        check_record_id(self.patient_id, "patient_id")
        ok = isinstance(self.rule_id, str) and RULE_ID_PATTERN.match(self.rule_id) is not None
        require(ok, "rule_id", "a rule id like DIARY-SEIZURE-001", self.rule_id)
        kind, sep, key = self.subject.partition(":") if isinstance(self.subject, str) else ("", "", "")
        ok = bool(sep) and kind in ("pump", "diary", "patient") and len(self.subject) <= MAX_SUBJECT_LENGTH
        require(ok, "subject", "pump:<id>, diary:<id> or patient:<id>", self.subject)
        check_record_id(key, "subject")
        require(isinstance(self.level, RiskLevel), "level", "high, moderate or low", self.level)
        require(isinstance(self.severity, Severity), "severity", "block, warn or info", self.severity)
        _aware(self.raised_at, "raised_at")
        for name in ("message", "reasoning"):
            object.__setattr__(self, name, _text(getattr(self, name), name))
        object.__setattr__(self, "action", _text(self.action, "action", required=False))
        evidence = tuple(self.evidence)
        require(bool(evidence), "evidence", "at least one citation key", self.evidence)
        for key in evidence:
            get_reference(key)
        object.__setattr__(self, "evidence", evidence)
        transitions = tuple(self.transitions)
        state, last = AlertState.OPEN, self.raised_at
        for i, step in enumerate(transitions):
            require(isinstance(step, AlertTransition), f"transitions[{i}]", "an alert transition", step)
            _check_step(state, last, step, f"transitions[{i}]")
            state, last = step.state, step.at
        object.__setattr__(self, "transitions", transitions)

    @property
    def state(self) -> AlertState:
        return self.transitions[-1].state if self.transitions else AlertState.OPEN

    @property
    def is_active(self) -> bool:
        """Open or acknowledged: it still stands for its rule on its subject."""
        return self.state is not AlertState.RESOLVED

    @property
    def dedup_key(self) -> str:
        """Rule and subject: one active alert per key and patient."""
        return f"{self.rule_id} {self.subject}"

    @property
    def acknowledged(self) -> AlertTransition | None:
        return next((t for t in self.transitions if t.state is AlertState.ACKNOWLEDGED), None)

    @property
    def resolved(self) -> AlertTransition | None:
        return next((t for t in self.transitions if t.state is AlertState.RESOLVED), None)

    def _moved(self, state: AlertState, by: str, at: datetime, reason: str) -> Alert:
        step = AlertTransition(state, by, at, reason)
        last = self.transitions[-1].at if self.transitions else self.raised_at
        _check_step(self.state, last, step, "state")
        return Alert(
            self.alert_id,
            self.patient_id,
            self.rule_id,
            self.subject,
            self.level,
            self.severity,
            self.raised_at,
            self.message,
            self.reasoning,
            self.evidence,
            self.action,
            (*self.transitions, step),
        )

    def acknowledge(self, by: str, at: datetime, reason: str) -> Alert:
        """This alert acknowledged by ``by`` at ``at`` for ``reason`` (only an open alert can be)."""
        return self._moved(AlertState.ACKNOWLEDGED, by, at, reason)

    def resolve(self, by: str, at: datetime, reason: str) -> Alert:
        """This alert resolved by ``by`` at ``at`` for ``reason`` (an open or acknowledged one)."""
        return self._moved(AlertState.RESOLVED, by, at, reason)

    def to_dict(self) -> dict[str, Any]:
        return {
            "alert_id": self.alert_id,
            "patient_id": self.patient_id,
            "rule_id": self.rule_id,
            "subject": self.subject,
            "level": self.level.value,
            "severity": self.severity.value,
            "raised_at": self.raised_at.isoformat(),
            "state": self.state.value,
            "message": self.message,
            "reasoning": self.reasoning,
            "action": self.action,
            "evidence": format_evidence(self.evidence),
            "evidence_keys": list(self.evidence),
            "transitions": [t.to_dict() for t in self.transitions],
        }


def _check_step(state: AlertState, last: datetime, step: AlertTransition, field: str) -> None:
    if step.state not in _NEXT[state]:
        allowed = " or ".join(s.value for s in _NEXT[state]) or "nothing (a resolved alert is final)"
        raise InvalidInputError(field, f"a move from {state.value} to {allowed}", step.state.value)
    if step.at < last:
        where = "at" if field == "state" else f"{field}.at"
        raise InvalidInputError(where, f"at or after {last.isoformat()}", step.at.isoformat())


def alert_from_finding(finding: Finding, *, patient_id: str, subject: str, raised_at: datetime) -> Alert:
    """The alert of ``finding`` (level: its ``data["level"]``, high, moderate or low) on ``subject``, raised at
    ``raised_at``."""
    require(isinstance(finding, Finding), "finding", "a finding", finding)
    try:
        level = RiskLevel(finding.data.get("level"))
    except ValueError:
        raise InvalidInputError(f"finding {finding.rule_id}.data.level", "high, moderate or low", None) from None
    return Alert(
        alert_id(patient_id, finding.rule_id, subject, raised_at),
        patient_id,
        finding.rule_id,
        subject,
        level,
        finding.severity,
        raised_at,
        finding.message,
        finding.reasoning,
        finding.evidence,
        finding.action,
    )
