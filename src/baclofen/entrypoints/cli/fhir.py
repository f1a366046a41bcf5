"""`baclofen export fhir --patient ID` and `baclofen import fhir FILE`: a patient's records as a FHIR R4 Bundle,
and a Bundle's patient, covariate observations and outcome scores stored (all or nothing)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from baclofen.entrypoints.cli.db import DatabaseUrlOpt
from baclofen.entrypoints.cli.errors import CliInputError
from baclofen.entrypoints.cli.files import read_json_file

export_app = typer.Typer(help="Export stored records in an interchange format.", no_args_is_help=True)
import_app = typer.Typer(help="Import records from an interchange format.", no_args_is_help=True)


def _services(database_url: str | None) -> Any:
    from baclofen.adapters.sql import DEFAULT_DATABASE_URL
    from baclofen.bootstrap import bootstrap

    return bootstrap(database_url=database_url or DEFAULT_DATABASE_URL)


@export_app.command("fhir")
def export_fhir(
    patient: Annotated[str, typer.Option("--patient", help="The patient's id.", metavar="ID")],
    database_url: DatabaseUrlOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the Bundle to FILE (default: print it).", metavar="FILE"),
    ] = None,
) -> None:
    """Print (or write) everything stored about a patient as a FHIR R4 Bundle (application/fhir+json): Patient,
    Observations (covariates, MAS/PSFS/NRS scores), MedicationRequest (saved plans, pump program changes),
    MedicationStatement, MedicationAdministration (ITB fills, screening boluses), Device (pumps), DetectedIssue
    (alerts, findings) and Provenance. Decision support for professionals, not medical advice."""
    bundle = _services(database_url).export_patient_fhir(patient)
    text = json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        print(text, end="")
    else:
        output.write_text(text, encoding="utf-8")


@import_app.command("fhir")
def import_fhir(
    file: Annotated[Path, typer.Argument(help="A FHIR R4 Bundle (JSON) holding one Patient.", metavar="FILE")],
    database_url: DatabaseUrlOpt = None,
    clinic: Annotated[
        str | None, typer.Option("--clinic", help="The clinic that keeps the patient (default: none).", metavar="ID")
    ] = None,
) -> None:
    """Store the Bundle's Patient, covariate Observations and outcome scores in one commit; nothing is stored when
    an element is refused (each named, FHIRPath, exit 2) or the patient is already stored (exit 1)."""
    from baclofen.adapters.fhir.reading import FhirInputError

    document = read_json_file(file, "FILE", "FHIR Bundle")
    services = _services(database_url)
    try:
        result = services.import_fhir_bundle(document, clinic)
    except FhirInputError as error:
        lines = tuple(f"FILE {i.expression}: {i.diagnostics}" for i in error.issues)
        raise CliInputError("; ".join(lines), lines) from None
    data = result.to_dict()
    print(
        f"imported patient {data['patient_id']}"
        + (f" into clinic {clinic}" if clinic else "")
        + f": {len(data['covariate_observations'])} covariate observations, {len(data['outcome_scores'])} outcome"
        f" scores; {len(data['not_imported'])} resources not imported (export-only)"
    )
