"""Everything the clinic keeps of one patient, as one value: what an export writes and an import reads back.

A :class:`PatientFile` holds the patient's record (with the snapshot of the covariates in effect), the dated
histories (covariate observations, outcome scores, screening trials), the saved oral plans, each pump with its
refill visits and program changes, and the alerts. Every record in it names the file's patient (an import of
another patient's observation under this one is refused, naming the field). Formats (FHIR R4, ...) map it; the
use cases of ``services/fhir.py`` read it from storage and store what an import may bring back
(:meth:`PatientFile.importable`: the record, covariates and scores).

>>> from baclofen.domain.patient import PatientSnapshot
>>> from baclofen.domain.records import PatientRecord
>>> PatientFile(PatientRecord("P-1", PatientSnapshot(age_years=50))).record.patient_id
'P-1'
"""

from __future__ import annotations

from dataclasses import dataclass

from baclofen.domain.clinic.alerts import Alert
from baclofen.domain.clinic.observations import CovariateObservation, OutcomeScoreRecord, ScreeningTrialRecord
from baclofen.domain.clinic.regimens import ProgramChangeRecord, SavedPlan
from baclofen.domain.errors import require
from baclofen.domain.records import PatientRecord, PumpRecord

__all__ = ["PatientFile", "PumpFile"]


@dataclass(frozen=True, slots=True)
class PumpFile:
    """A pump (its refill visits inside the record) and its program changes between refills (by ``seq``)."""

    pump: PumpRecord
    program_changes: tuple[ProgramChangeRecord, ...] = ()

    def __post_init__(self) -> None:
        require(isinstance(self.pump, PumpRecord), "pump", "a pump record", self.pump)
        changes = tuple(self.program_changes)
        for i, change in enumerate(changes):
            ok = isinstance(change, ProgramChangeRecord) and change.pump_id == self.pump.pump_id
            require(ok, f"program_changes[{i}]", f"a program change of pump {self.pump.pump_id!r}", change)
        object.__setattr__(self, "program_changes", changes)


@dataclass(frozen=True, slots=True)
class PatientFile:
    """One patient's record and everything stored about them (each history oldest first, as stored)."""

    record: PatientRecord
    covariates: tuple[CovariateObservation, ...] = ()
    scores: tuple[OutcomeScoreRecord, ...] = ()
    screening_trials: tuple[ScreeningTrialRecord, ...] = ()
    plans: tuple[SavedPlan, ...] = ()
    pumps: tuple[PumpFile, ...] = ()
    alerts: tuple[Alert, ...] = ()

    def __post_init__(self) -> None:
        require(isinstance(self.record, PatientRecord), "record", "a patient record", self.record)
        patient_id = self.record.patient_id
        for name in ("covariates", "scores", "screening_trials", "plans", "pumps", "alerts"):
            items = tuple(getattr(self, name))
            object.__setattr__(self, name, items)
            for i, item in enumerate(items):
                owner = item.pump.patient_id if isinstance(item, PumpFile) else item.patient_id
                require(owner == patient_id, f"{name}[{i}].patient_id", f"the file's patient {patient_id!r}", owner)

    @property
    def patient_id(self) -> str:
        return self.record.patient_id

    def importable(self) -> PatientFile:
        """The part an import stores: the record, the covariate observations, the outcome scores, the saved plans and
        the pumps (their visits and program changes)."""
        return PatientFile(self.record, self.covariates, self.scores, plans=self.plans, pumps=self.pumps)
