"""The URIs of the code systems the interchange formats (FHIR, CDS Hooks) name, in one place.

Standard systems: RxNorm, ATC, SNOMED CT, UCUM and LOINC as FHIR R4 names them (terminology.hl7.org). The project's
own code systems, identifier systems and extensions live under :data:`PROJECT_BASE`: ``baclofen.invalid`` is a
reserved domain that never resolves (RFC 2606), so these are this software's private vocabulary (rule ids, override
reasons, covariates, scales without a confirmed standard code), never passed off as published terminologies.

>>> FHIR_SYSTEM_URIS[CodeSystem.RXNORM]
'http://www.nlm.nih.gov/research/umls/rxnorm'
>>> project_system("rule")
'https://baclofen.invalid/fhir/rule'
"""

from __future__ import annotations

from types import MappingProxyType

from baclofen.domain.cds.drugs import CodeSystem

#: The base of the project's own code systems, identifier systems and extensions (never resolvable).
PROJECT_BASE = "https://baclofen.invalid/fhir"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"

#: The FHIR system URI of each code system of the drug catalogue.
FHIR_SYSTEM_URIS = MappingProxyType({CodeSystem.RXNORM: RXNORM, CodeSystem.ATC: ATC})


def project_system(name: str) -> str:
    """The URI of one of the project's code systems, identifier systems or extensions."""
    return f"{PROJECT_BASE}/{name}"
