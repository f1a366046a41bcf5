"""What the clinic keeps between visits: patient and pump records, and each pump's refill visits.

The records hold domain values (a :class:`~baclofen.domain.patient.PatientSnapshot`, a
:class:`~baclofen.domain.itb.pumps.PumpModel`, an :class:`~baclofen.domain.itb.programs.InfusionProgram`)
under a stable identifier; a pump's refill history is append-only, oldest first. Storage is not here:
the services reach records through the repositories of ``baclofen.services.ports``.

>>> from baclofen.domain.itb.pumps import get_pump
>>> pump = PumpRecord("pump-1", get_pump("synchromed-ii-20"))
>>> pump = pump.with_visit(RefillVisitRecord(date(2026, 2, 2), fill_ml=20.0))
>>> pump = pump.with_visit(RefillVisitRecord(date(2026, 3, 2), expected_ml=4.9, aspirated_ml=3.1, fill_ml=20.0))
>>> pump.residual_history(), pump.last_fill().refilled_at
(((4.9, 3.1),), datetime.date(2026, 3, 2))
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from baclofen.domain.dates import require_not_after
from baclofen.domain.errors import ConflictError, InvalidInputError, require, require_finite_number
from baclofen.domain.itb.dates import same_clock
from baclofen.domain.itb.programs import InfusionProgram
from baclofen.domain.itb.pumps import PumpModel, concentration_value, fill_volume_value, require_rate_steps
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.rules.core import Override

__all__ = [
    "MAX_AUDIT_TEXT_LENGTH",
    "MAX_RECORD_ID_LENGTH",
    "STAFF_ROLES",
    "DEMO_CLINIC_ID",
    "DEMO_CLINIC_NAME",
    "DEMO_USERNAME_PREFIX",
    "AuditEntry",
    "AuditOutcome",
    "ClinicRecord",
    "PatientRecord",
    "PumpRecord",
    "RefillVisitRecord",
    "Role",
    "UserRecord",
    "check_pump_history",
    "check_record_id",
    "check_username",
    "parse_role",
]

#: Longest identifier of a patient or pump record (characters).
MAX_RECORD_ID_LENGTH = 64
#: Longest actor, action or target of an audit entry (characters).
MAX_AUDIT_TEXT_LENGTH = 200


def check_record_id(value: object, field: str) -> str:
    """A record identifier: a non-empty text of at most 64 printable characters, no surrounding spaces.

    >>> check_record_id("P-0001", "patient_id")
    'P-0001'
    """
    return _check_label(value, field, "an identifier", MAX_RECORD_ID_LENGTH)


def _check_label(value: object, field: str, what: str, max_length: int) -> str:
    """A non-empty text of at most ``max_length`` printable characters without surrounding spaces."""
    if not (isinstance(value, str) and 0 < len(value) <= max_length and value == value.strip() and value.isprintable()):
        raise InvalidInputError(
            field, f"{what} of 1-{max_length} printable characters without surrounding spaces", value
        )
    return value


@dataclass(frozen=True, slots=True)
class PatientRecord:
    """A patient under a clinic identifier, with the covariates that change a plan, and the clinic that
    keeps the record (None: a record kept outside any clinic, which no clinic's staff can reach)."""

    patient_id: str
    snapshot: PatientSnapshot
    clinic_id: str | None = None

    def __post_init__(self) -> None:
        check_record_id(self.patient_id, "patient_id")
        require(isinstance(self.snapshot, PatientSnapshot), "snapshot", "a patient snapshot", self.snapshot)
        if self.clinic_id is not None:
            check_record_id(self.clinic_id, "clinic_id")


#: The demo clinic (``baclofen demo-data``, ``serve --demo``): its presence marks a database as a demo one. It holds
#: only fictional patients, and only it holds the demo logins (usernames starting with ``DEMO_USERNAME_PREFIX``).
DEMO_CLINIC_ID = "demo"
DEMO_CLINIC_NAME = "Demo clinic (fictional patients)"
DEMO_USERNAME_PREFIX = "demo."

#: Longest clinic name (characters).
MAX_CLINIC_NAME_LENGTH = 200
#: Longest username (characters).
MAX_USERNAME_LENGTH = 64
_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")


def check_username(value: object, field: str = "username") -> str:
    """A username: 1-64 letters, digits and ``. _ @ -``, starting with a letter or digit.

    >>> check_username("j.doe")
    'j.doe'
    """
    if not (isinstance(value, str) and 0 < len(value) <= MAX_USERNAME_LENGTH and _USERNAME.match(value)):
        raise InvalidInputError(
            field, f"a username of 1-{MAX_USERNAME_LENGTH} letters, digits and . _ @ - (a letter or digit first)", value
        )
    return value


@dataclass(frozen=True, slots=True)
class ClinicRecord:
    """A clinic: its staff see only its patients."""

    clinic_id: str
    name: str

    def __post_init__(self) -> None:
        check_record_id(self.clinic_id, "clinic_id")
        _check_label(self.name, "name", "a clinic name", MAX_CLINIC_NAME_LENGTH)


class Role(Enum):
    """What a user may do: clinicians and nurses work on their clinic's patients, a patient reads their own
    records, an administrator manages the clinic's accounts (and reads no patient data)."""

    CLINICIAN = "clinician"
    NURSE = "nurse"
    PATIENT = "patient"
    ADMIN = "admin"


def parse_role(value: object, field: str = "role") -> Role:
    """A role, or its name.

    >>> parse_role("nurse")
    <Role.NURSE: 'nurse'>
    """
    if isinstance(value, Role):
        return value
    try:
        return Role(value)
    except ValueError:
        raise InvalidInputError(field, "one of " + ", ".join(r.value for r in Role), value) from None


#: The roles that work on a clinic's patients.
STAFF_ROLES = frozenset({Role.CLINICIAN, Role.NURSE})


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user account of a clinic: its role, username and password hash (argon2id, never the password);
    a patient's account names the patient record it may read. ``session_generation`` counts the times all of the
    account's sessions and tokens were ended (a password change, "log out everywhere"): a session or token names
    the generation it was issued in and is honoured only while that is still the account's.

    >>> UserRecord("u-1", "C-1", "patient", "p.one", "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
    ...            patient_id="P-1").role
    <Role.PATIENT: 'patient'>
    """

    user_id: str
    clinic_id: str
    role: Role
    username: str
    password_hash: str
    patient_id: str | None = None
    session_generation: int = 0

    def __post_init__(self) -> None:
        check_record_id(self.user_id, "user_id")
        require(
            isinstance(self.session_generation, int)
            and not isinstance(self.session_generation, bool)
            and self.session_generation >= 0,
            "session_generation",
            "a whole number >= 0",
            self.session_generation,
        )
        check_record_id(self.clinic_id, "clinic_id")
        object.__setattr__(self, "role", parse_role(self.role))
        check_username(self.username)
        require(
            isinstance(self.password_hash, str)
            and self.password_hash.startswith("$argon2id$")
            and len(self.password_hash) <= 255,
            "password_hash",
            "an argon2id hash ($argon2id$...) of at most 255 characters",
            "<hidden>",
        )
        if self.role is Role.PATIENT:
            require(self.patient_id is not None, "patient_id", "the patient record of a patient's account", None)
            check_record_id(self.patient_id, "patient_id")
        else:
            require(self.patient_id is None, "patient_id", "given only for a patient's account", self.patient_id)


@dataclass(frozen=True, slots=True)
class RefillVisitRecord:
    """One refill visit as recorded: the residual found (expected and aspirated, mL) and the new fill.

    Either part may be missing: the first fill after implant has no residual, and an earlier visit known
    only by its residuals (``pump refill --previous``) has no date or fill. A fill needs its date.

    Attributes
    ----------
    refilled_at : date or datetime, optional
        When the reservoir was refilled (pump clock, or with a UTC offset).
    expected_ml, aspirated_ml : float, optional
        Residual the program should have left and the volume aspirated, mL (both or neither).
    fill_ml : float, optional
        Volume put in the emptied reservoir, mL.
    concentration_mcg_per_ml : float, optional
        Concentration of that fill.
    program : InfusionProgram, optional
        The program the pump ran from that fill.
    overrides : tuple of Override
        The blocks a clinician overrode to record this visit: each rule id, the clinician and the reason, kept
        with the visit (one per rule id), as the visit's own date is when they were given.
    """

    refilled_at: date | datetime | None = None
    expected_ml: float | None = None
    aspirated_ml: float | None = None
    fill_ml: float | None = None
    concentration_mcg_per_ml: float | None = None
    program: InfusionProgram | None = None
    overrides: tuple[Override, ...] = ()

    def __post_init__(self) -> None:
        if self.refilled_at is not None:
            require(isinstance(self.refilled_at, date), "refilled_at", "a date or datetime", self.refilled_at)
        if (self.expected_ml is None) != (self.aspirated_ml is None):
            missing = "aspirated_ml" if self.aspirated_ml is None else "expected_ml"
            raise InvalidInputError(missing, "given together with the other residual volume", None)
        for name in ("expected_ml", "aspirated_ml"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, require_finite_number(value, name, minimum=0.0))
        for name in ("fill_ml", "concentration_mcg_per_ml"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, require_finite_number(value, name, strictly_positive=True))
        if self.program is not None:
            require(isinstance(self.program, InfusionProgram), "program", "an infusion program", self.program)
        self._check_overrides()
        if self.fill_ml is None:
            for name in ("concentration_mcg_per_ml", "program"):
                require(getattr(self, name) is None, name, "given only with fill_ml", getattr(self, name))
            require(self.has_residuals, "expected_ml", "a residual or a fill (a visit records one or both)", None)
        else:
            require(self.refilled_at is not None, "refilled_at", "the date of the fill", None)

    def _check_overrides(self) -> None:
        overrides = self.overrides
        require(isinstance(overrides, (tuple, list)), "overrides", "a sequence of overrides", overrides)
        overrides = tuple(overrides)
        for override in overrides:
            require(isinstance(override, Override), "overrides", "clinicians' overrides (rule, reason)", override)
        rule_ids = [o.rule_id for o in overrides]
        require(len(set(rule_ids)) == len(rule_ids), "overrides", "at most one override per rule", rule_ids)
        object.__setattr__(self, "overrides", overrides)

    @property
    def has_residuals(self) -> bool:
        return self.expected_ml is not None and self.aspirated_ml is not None


def _check_after(earlier: date | datetime, later: date | datetime, field: str) -> None:
    start, end = same_clock((earlier, field), (later, field))
    if end <= start:
        raise InvalidInputError(field, f"a time after the last recorded refill ({earlier.isoformat()})", str(later))


@dataclass(frozen=True, slots=True)
class PumpRecord:
    """An implanted pump: its model, implant date, patient and refill visits (oldest first, append-only)."""

    pump_id: str
    model: PumpModel
    patient_id: str | None = None
    implanted: date | None = None
    visits: tuple[RefillVisitRecord, ...] = ()

    def __post_init__(self) -> None:
        check_record_id(self.pump_id, "pump_id")
        require(isinstance(self.model, PumpModel), "model", "a pump model of the catalogue", self.model)
        if self.patient_id is not None:
            check_record_id(self.patient_id, "patient_id")
        if self.implanted is not None:
            ok = isinstance(self.implanted, date) and not isinstance(self.implanted, datetime)
            require(ok, "implanted", "a date", self.implanted)
        require(isinstance(self.visits, Sequence), "visits", "a sequence of refill visits", self.visits)
        visits = tuple(self.visits)
        object.__setattr__(self, "visits", visits)
        last: date | datetime | None = None
        for i, visit in enumerate(visits):
            require(isinstance(visit, RefillVisitRecord), f"visits[{i}]", "a refill visit record", visit)
            if visit.refilled_at is not None:
                if last is not None:
                    _check_after(last, visit.refilled_at, f"visits[{i}].refilled_at")
                last = visit.refilled_at

    def residual_history(self) -> tuple[tuple[float, float], ...]:
        """(expected, aspirated) mL of each visit that measured the residual, oldest first."""
        return tuple(
            (v.expected_ml, v.aspirated_ml)
            for v in self.visits
            if v.expected_ml is not None and v.aspirated_ml is not None
        )

    def last_fill(self) -> RefillVisitRecord | None:
        """The latest visit when it recorded a fill (the fill the pump is delivering from), else None."""
        if self.visits and self.visits[-1].fill_ml is not None:
            return self.visits[-1]
        return None

    def with_visit(self, visit: RefillVisitRecord) -> PumpRecord:
        """This record with ``visit`` appended; a dated visit must come after the last dated one.

        Raises
        ------
        InvalidInputError
            ``refilled_at`` not after the last recorded refill (or with and without a UTC offset mixed).
        ConflictError
            A dated ``visit`` equal to the last one stored (same ``refilled_at``, residuals, fill, concentration
            and program): a probable duplicate (a retried request), which would corrupt the residual history.
        """
        require(isinstance(visit, RefillVisitRecord), "visit", "a refill visit record", visit)
        if visit.refilled_at is not None and self.visits and self.visits[-1] == visit:
            raise ConflictError(
                f"pump {self.pump_id!r}: this refill visit of {visit.refilled_at.isoformat()} repeats the last one "
                "stored exactly (same date, residuals, fill, concentration and program): a probable duplicate, not "
                "recorded (a retried request? send an Idempotency-Key to retry safely)"
            )
        dated = [v.refilled_at for v in self.visits if v.refilled_at is not None]
        if dated and visit.refilled_at is not None:
            _check_after(dated[-1], visit.refilled_at, "refilled_at")
        return PumpRecord(self.pump_id, self.model, self.patient_id, self.implanted, (*self.visits, visit))


def check_pump_history(record: PumpRecord, not_after: date | datetime | None = None) -> PumpRecord:
    """``record`` when each of its visits holds what a refill visit records on its model (a history carried in from
    elsewhere, e.g. an import): a concentration within the input bounds, a fill at most the reservoir, a program
    of at most the pump's steps a day, and, given ``not_after`` (now), no refill in the future. The checks are
    the ones a recorded visit and a forecast of its fill apply (no second set); errors name ``visits[i].FIELD``.
    """
    for i, visit in enumerate(record.visits):
        where = f"visits[{i}]"
        if visit.refilled_at is not None and not_after is not None:
            require_not_after(visit.refilled_at, not_after, f"{where}.refilled_at")
        if visit.fill_ml is not None:
            fill_volume_value(record.model, visit.fill_ml, f"{where}.fill_ml")
        if visit.concentration_mcg_per_ml is not None:
            concentration_value(visit.concentration_mcg_per_ml, f"{where}.concentration_mcg_per_ml")
        if visit.program is not None:
            require_rate_steps(record.model, visit.program.rate_changes_per_day, f"{where}.program")
    return record


class AuditOutcome(Enum):
    """How an access to patient data ended."""

    SUCCESS = "success"
    DENIED = "denied"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One access to patient data, as the audit log keeps it: who did what to which record, when, and how
    it ended. Entries are only ever appended.

    Attributes
    ----------
    actor : str
        Who: the user or service that acted (``"clinician:jdoe"``, ``"cli"``).
    action : str
        What: the operation (``"pump.read"``, ``"pump.add_visit"``).
    target : str
        The record acted on (``"pump:pump-1"``, ``"patient:P-1"``).
    outcome : AuditOutcome
        Success, denied or failed.
    at : datetime
        When, with its UTC offset (a naive time is refused: an audit time is an instant).

    >>> from datetime import timezone
    >>> AuditEntry("cli", "pump.read", "pump:pump-1", AuditOutcome.SUCCESS,
    ...            datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)).outcome.value
    'success'
    """

    actor: str
    action: str
    target: str
    outcome: AuditOutcome
    at: datetime

    def __post_init__(self) -> None:
        for name in ("actor", "action", "target"):
            _check_label(getattr(self, name), name, "a text", MAX_AUDIT_TEXT_LENGTH)
        if isinstance(self.outcome, str):
            try:
                object.__setattr__(self, "outcome", AuditOutcome(self.outcome))
            except ValueError:
                pass
        require(
            isinstance(self.outcome, AuditOutcome),
            "outcome",
            "one of " + ", ".join(o.value for o in AuditOutcome),
            self.outcome,
        )
        require(
            isinstance(self.at, datetime) and self.at.utcoffset() is not None,
            "at",
            "a date and time with its UTC offset",
            self.at,
        )
