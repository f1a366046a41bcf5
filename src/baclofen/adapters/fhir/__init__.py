"""FHIR R4 interchange of a patient's records (issue 13): :mod:`.export` (a patient file as a Bundle, and a clinic
as NDJSON), :mod:`.reading` (a Bundle back to a patient file, or an OperationOutcome), :mod:`.codes` (the systems,
codes and UCUM units, in one place)."""
