"""The patients' dated histories (covariate observations, screening trials, outcome scores) inside a transaction.

The three kinds share one behaviour (:class:`~baclofen.services.ports.PatientHistoryRepository`): records by
identifier, only ever inserted, listed per patient oldest first. :class:`HistoryKind` says, per kind, its type,
identifier and order; :class:`OverlayHistoryRepository` is the repository over one transaction's
:class:`~baclofen.adapters.overlay.RecordView` of that kind, for every store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from baclofen.domain.clinic.observations import CovariateObservation, OutcomeScoreRecord, ScreeningTrialRecord
from baclofen.domain.records import check_record_id

if TYPE_CHECKING:  # overlay.py imports this module
    from baclofen.adapters.overlay import RecordView

__all__ = [
    "COVARIATES",
    "HISTORY_KINDS",
    "SCORES",
    "SCREENING_TRIALS",
    "HistoryKind",
    "OverlayHistoryRepository",
]

H = TypeVar("H")


@dataclass(frozen=True, slots=True)
class HistoryKind(Generic[H]):
    """One kind of patient history: its name (the unit of work's attribute), what an error calls one record, its
    type, identifier field and order (oldest first)."""

    name: str
    label: str
    record_type: type[H]
    id_field: str
    order: Callable[[H], Any]

    def key(self, record: H) -> str:
        value: str = getattr(record, self.id_field)
        return value


COVARIATES: HistoryKind[CovariateObservation] = HistoryKind(
    "covariates",
    "covariate observation",
    CovariateObservation,
    "observation_id",
    lambda o: (o.observed_on, o.recorded_at, o.observation_id),
)
SCREENING_TRIALS: HistoryKind[ScreeningTrialRecord] = HistoryKind(
    "screening_trials", "screening trial", ScreeningTrialRecord, "trial_id", lambda t: (t.given_at, t.trial_id)
)
SCORES: HistoryKind[OutcomeScoreRecord] = HistoryKind(
    "scores", "outcome score", OutcomeScoreRecord, "score_id", lambda s: (s.assessed_on, s.recorded_at, s.score_id)
)
#: Every kind, by name.
HISTORY_KINDS: dict[str, HistoryKind[Any]] = {k.name: k for k in (COVARIATES, SCREENING_TRIALS, SCORES)}


class OverlayHistoryRepository(Generic[H]):
    """:class:`~baclofen.services.ports.PatientHistoryRepository` over one transaction's view of one kind (insert
    only); ``stored_ids(patient_id)``: the identifiers of the stored records that may be that patient's."""

    def __init__(self, kind: HistoryKind[H], view: RecordView[H], stored_ids: Callable[[str], Iterable[str]]) -> None:
        self._kind = kind
        self._view = view
        self._stored_ids = stored_ids

    def add(self, record: H) -> None:
        if not isinstance(record, self._kind.record_type):
            raise TypeError(
                f"a {self._kind.label} record ({self._kind.record_type.__name__}) is stored here, "
                f"not {type(record).__name__}"
            )
        self._view.insert(self._kind.key(record), record)

    def get(self, record_id: str) -> H:
        return self._view.require(check_record_id(record_id, self._kind.id_field))

    def for_patient(self, patient_id: str) -> tuple[H, ...]:
        check_record_id(patient_id, "patient_id")
        found = (self._view.find(key) for key in self._view.keys(self._stored_ids(patient_id)))
        mine = [r for r in found if r is not None and getattr(r, "patient_id", None) == patient_id]
        return tuple(sorted(mine, key=self._kind.order))
