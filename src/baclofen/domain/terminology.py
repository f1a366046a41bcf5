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

#: The LOINC codes read from another system's Observations (an import's covariates, a CDS Hooks call's kidney
#: function; never written by the export), each with the covariate it gives. Only standard, well-known codes, each
#: seen where cited:
#: * 29463-7 Body weight: the FHIR R4 body weight profile (http://hl7.org/fhir/StructureDefinition/bodyweight)
#:   and its value set observation-vitalsign-bodyweight (hl7.org/fhir, Vital Signs).
#: * 2160-0 Creatinine [Mass/volume] in Serum or Plasma: ARUP Laboratories test 0020025 "Creatinine, Serum or
#:   Plasma" (ltd.aruplab.com/Tests/Pub/0020025), LOINC column.
#: * 33914-3 Glomerular filtration rate/1.73 sq M.predicted by Creatinine-based formula (MDRD): the FHIR R4
#:   example Observation f205 (hl7.org/fhir/R4/observation-example-f205-egfr.html).
#: * 62238-1 Glomerular filtration rate/1.73 sq M.predicted by Creatinine-based formula (CKD-EPI): seen in public
#:   FHIR example bundles and lab code tables (secondary sources: no HL7 page of it was retrieved).
#: No LOINC code of a creatinine clearance (measured or Cockcroft-Gault) is confirmed: none is read.
LOINC_COVARIATES = MappingProxyType(
    {
        "29463-7": "weight_kg",
        "2160-0": "serum_creatinine_mg_dl",
        "33914-3": "egfr_ml_min_1_73m2",
        "62238-1": "egfr_ml_min_1_73m2",
    }
)
#: The LOINC codes of a kidney function a dose check reads directly (the eGFRs of :data:`LOINC_COVARIATES`).
LOINC_KIDNEY_FUNCTION = tuple(code for code, field in LOINC_COVARIATES.items() if field == "egfr_ml_min_1_73m2")

#: The FHIR system URI of each code system of the drug catalogue.
FHIR_SYSTEM_URIS = MappingProxyType({CodeSystem.RXNORM: RXNORM, CodeSystem.ATC: ATC})


def project_system(name: str) -> str:
    """The URI of one of the project's code systems, identifier systems or extensions."""
    return f"{PROJECT_BASE}/{name}"
