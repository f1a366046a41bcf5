"""Use cases of the FHIR interchange (issue 13): read a patient's whole file for an export, store an imported one.

The format itself (FHIR R4 resources, their codes and units) is an adapter's (``adapters/fhir``): these use cases
move :class:`~baclofen.domain.clinic.patient_file.PatientFile` values between storage and that adapter, and read
no clock (the caller passes the time an export is made).

* :func:`read_patient_file`: the patient's record, covariates, scores, screening trials, saved plans, pumps with
  their visits and program changes, and alerts, from one unit of work.
* :func:`import_patient_file`: the record, covariate observations, outcome scores and saved plans of an imported
  file, in one commit or not at all (a record already stored is an ``AlreadyStoredError``, never an overwrite).
* :func:`clinic_patient_files`: every patient file of a clinic, one at a time, in patient id order (a bulk export).

Raises
------
NotFoundError
    No record of the patient (read).
ConflictError
    The patient, or one of the imported observations, is already stored (import).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from baclofen.domain.clinic.patient_file import PatientFile, PumpFile
from baclofen.domain.errors import ConflictError, NotFoundError
from baclofen.domain.records import PatientRecord, check_record_id
from baclofen.services.commands import ImportPatientFile
from baclofen.services.ports import UnitOfWork

__all__ = ["AlreadyStoredError", "clinic_patient_files", "import_patient_file", "read_patient_file"]


class AlreadyStoredError(ConflictError):
    """An import's record already stored: ``kind`` (patient, covariates or score) and its ``record_id``."""

    def __init__(self, kind: str, record_id: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.record_id = kind, record_id


#: Patients read per trip by :func:`clinic_patient_files`.
_PAGE = 50


def _read_file(uow: UnitOfWork, record: PatientRecord) -> PatientFile:
    """Inside ``uow``'s block: the file of the patient of ``record``."""
    patient_id = record.patient_id
    pumps = tuple(PumpFile(p, uow.program_changes.for_pump(p.pump_id)) for p in uow.pumps.for_patient(patient_id))
    return PatientFile(
        record,
        covariates=uow.covariates.for_patient(patient_id),
        scores=uow.scores.for_patient(patient_id),
        screening_trials=uow.screening_trials.for_patient(patient_id),
        plans=tuple(sorted(uow.plans.for_patient(patient_id), key=lambda p: p.seq)),
        pumps=pumps,
        alerts=uow.alerts.for_patient(patient_id),
    )


def read_patient_file(uow: UnitOfWork, patient_id: str) -> PatientFile:
    """Everything stored about patient ``patient_id`` (``NotFoundError`` when there is no such record)."""
    check_record_id(patient_id, "patient_id")
    with uow:
        return _read_file(uow, uow.patients.get(patient_id))


def clinic_patient_files(uow: UnitOfWork, clinic_id: str) -> Iterator[PatientFile]:
    """Every patient file of clinic ``clinic_id``, in patient id order, read a page of patients at a time (each
    page in one unit of work: a patient added meanwhile after the page being read is still listed)."""
    check_record_id(clinic_id, "clinic_id")
    after: str | None = None
    while True:
        with uow:
            records = uow.patients.for_clinic(clinic_id, after=after, limit=_PAGE)
            uow.prefetch_patients([r.patient_id for r in records])
            files = [_read_file(uow, r) for r in records]
        yield from files
        if len(records) < _PAGE:
            return
        after = records[-1].patient_id


def _refuse_stored(get: Callable[[str], object], kind: str, record_id: str) -> None:
    try:
        get(record_id)
    except NotFoundError:
        return
    raise AlreadyStoredError(kind, record_id, f"{kind} {record_id!r} is already stored: an import never overwrites one")


def import_patient_file(uow: UnitOfWork, command: ImportPatientFile) -> PatientFile:
    """Store the importable part of ``command.file`` (record, covariate observations, outcome scores, saved plans)
    under clinic
    ``command.clinic_id``, all in one commit; give back what was stored.

    The record is stored as it comes (its snapshot is the one exported: the covariates in effect then), and the
    observations are appended as they are (their own ids, who recorded them and when): nothing is recomputed, so
    that an export of the imported patient is the export it came from.

    Raises :class:`AlreadyStoredError` (a ``ConflictError``) naming the first record (the patient, or an
    observation's id) already stored: nothing is written.
    """
    file = command.file.importable()
    record = PatientRecord(file.record.patient_id, file.record.snapshot, command.clinic_id)
    with uow:
        _refuse_stored(uow.patients.get, "patient", record.patient_id)
        uow.patients.add(record)
        for observation in file.covariates:
            _refuse_stored(uow.covariates.get, "covariates", observation.observation_id)
            uow.covariates.add(observation)
        for score in file.scores:
            _refuse_stored(uow.scores.get, "score", score.score_id)
            uow.scores.add(score)
        for plan in sorted(file.plans, key=lambda p: p.seq):
            _refuse_stored(uow.plans.get, "plan", plan.plan_id)
            uow.plans.add(plan)
        for pump in file.pumps:
            _refuse_stored(uow.pumps.get, "pump", pump.pump.pump_id)
            uow.pumps.add(pump.pump)
            for change in pump.program_changes:
                _refuse_stored(uow.program_changes.get, "program-change", change.change_id)
                uow.program_changes.add(change)
        uow.commit()
    return PatientFile(record, file.covariates, file.scores, plans=file.plans, pumps=file.pumps)
