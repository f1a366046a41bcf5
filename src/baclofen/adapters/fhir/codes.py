"""The systems, codes and units of the FHIR R4 interchange, in one place.

Standard codes are only those clinical.md §10 gives (through :mod:`baclofen.domain.cds.drugs` for the drug):
RxNorm ``1292`` (baclofen, ingredient), the product RxCUIs ``197391``, ``2593376`` and ``1047437`` (each marked
*inferred*, as the sheet says, by a ``userSelected: false`` coding and the word "inferred" in its display), ATC
``M03BX01``, SNOMED CT ``221360009`` (spasticity, finding) and ``24700007`` (multiple sclerosis, disorder).

Everything without a confirmed standard code (the Modified Ashworth Scale: its LOINC code is UNCONFIRMED; the Penn
Spasm Frequency Scale; the 0-10 ratings; our covariates as one observation; our record identifiers; our rule ids;
the patient snapshot's fields) is coded in the project's own systems under :data:`PROJECT_BASE`, always with a text
saying what it is. ``baclofen.invalid`` is a reserved domain that never resolves (RFC 2606): these systems are this
software's private vocabulary, not published terminologies. No LOINC or SNOMED code is invented here.

Units are UCUM (``http://unitsofmeasure.org``): mg, mg/d, ug, ug/d, ug/mL, mL, kg, mL/min, mL/min/{1.73_m2},
mg/dL, and ``{score}`` for a 0-10 rating.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from baclofen.domain.cds.drugs import BACLOFEN_CODES, ITB_CODES, CodeSystem, DrugCode
from baclofen.domain.terminology import (
    ATC,
    LOINC,
    LOINC_COVARIATES,
    PROJECT_BASE,
    RXNORM,
    SNOMED,
    UCUM,
    project_system,
)

__all__ = [
    "ATC",
    "KG_PER_LB_AV",
    "LOINC",
    "LOINC_COVARIATES",
    "PROJECT_BASE",
    "RXNORM",
    "SNOMED",
    "UCUM",
    "codeable",
    "coding",
    "project_system",
    "quantity",
    "resource_uuid",
    "unit_factor",
]

OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
PROVENANCE_PARTICIPANT = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"

#: The R4 Observation.status value set (observation-status, required binding), and the statuses of a result an
#: import takes (a registered, preliminary, cancelled, entered-in-error or unknown one is not imported).
OBSERVATION_STATUSES = (
    "registered",
    "preliminary",
    "final",
    "amended",
    "corrected",
    "cancelled",
    "entered-in-error",
    "unknown",
)
RESULT_STATUSES = frozenset({"final", "amended", "corrected"})

#: SNOMED CT codes of clinical.md §10.
SNOMED_SPASTICITY = ("221360009", "Spasticity (finding)")
SNOMED_MULTIPLE_SCLEROSIS = ("24700007", "Multiple sclerosis (disorder)")

#: The LOINC codes an import reads (one list, with its citations: :data:`baclofen.domain.terminology.LOINC_COVARIATES`).
#: The international avoirdupois pound in kg (exact by definition; UCUM ``[lb_av]``).
KG_PER_LB_AV = 0.45359237

#: The namespace of every resource id (uuid5 of a record's kind and id under it): a re-export is identical.
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, PROJECT_BASE)


def resource_uuid(kind: str, record_id: str) -> str:
    """The id of the resource of one of our records (``kind``: ``patient``, ``pump``, ``score`` ...)."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}/{record_id}"))


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"system": system, "code": code}
    if display is not None:
        out["display"] = display
    return out


def codeable(text: str, *codings: dict[str, Any]) -> dict[str, Any]:
    """A CodeableConcept: its codings and the text saying what it is."""
    out: dict[str, Any] = {"text": text}
    if codings:
        out["coding"] = list(codings)
    return out


def unit_factor(quantity: Any, ucum: Mapping[str, float], texts: Mapping[str, float]) -> tuple[float | None, str]:
    """The factor of a FHIR Quantity's unit (fhir.resources model): its UCUM ``code`` in ``ucum`` (a code of no
    system is read as UCUM), its ``unit`` text in ``texts`` (lower case, spaces left out, a superscript 2 read as
    2); None and why when the code is not there, the text is not there and no code is, both are and disagree, or
    neither is given. A unit is never guessed."""
    code = (quantity.code or "").strip()
    text = (quantity.unit or "").strip()
    by_code = ucum.get(code) if code and quantity.system in (UCUM, None) else None
    by_text = texts.get(text.lower().replace(" ", "").replace("\u00b2", "2")) if text else None
    if code and by_code is None:
        return None, f"the unit code '{code[:40]}' ({quantity.system or 'no system'}) is not one read"
    if text and by_text is None and by_code is None:
        return None, f"the unit '{text[:40]}' is not one read"
    if by_code is not None and by_text is not None and by_code != by_text:
        return None, f"the unit '{text[:40]}' and its code '{code[:40]}' disagree"
    factor = by_code if by_code is not None else by_text
    return factor, "" if factor is not None else "no unit is given"


def quantity(value: float, unit: str) -> dict[str, Any]:
    """A UCUM quantity (``unit`` is both the human unit and the UCUM code)."""
    return {"value": value, "unit": unit, "system": UCUM, "code": unit}


def _drug_coding(code: DrugCode) -> dict[str, Any]:
    system = ATC if code.system is CodeSystem.ATC else RXNORM
    display = f"{code.meaning} (inferred)" if code.inferred else code.meaning
    out = coding(system, code.code, display)
    if code.inferred:
        out["userSelected"] = False
    return out


def baclofen_concept(product_rxcui: str | None = None, *, intrathecal: bool = False) -> dict[str, Any]:
    """Baclofen: RxNorm ingredient 1292, ATC M03BX01 and, when given, the product RxCUI (marked inferred)."""
    wanted = {"1292", "M03BX01"} | ({product_rxcui} if product_rxcui else set())
    codes = [c for c in (*BACLOFEN_CODES, *ITB_CODES) if c.code in wanted]
    text = "baclofen (intrathecal)" if intrathecal else "baclofen (oral)"
    return codeable(text, *(_drug_coding(c) for c in codes))
