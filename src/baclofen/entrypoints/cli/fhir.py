"""`baclofen export fhir --patient ID` and `baclofen import fhir FILE`: a patient's records as a FHIR R4 Bundle, and a
Bundle's patient, covariate observations, outcome scores and saved plans stored (all or nothing); `baclofen export
fhir --all --clinic ID --ndjson-dir DIR`: a clinic's bulk export, one ``<Type>.ndjson`` file per resource type (FHIR
Bulk Data style)."""

from __future__ import annotations

import json
import sys
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from baclofen.entrypoints.cli.db import DatabaseUrlOpt
from baclofen.entrypoints.cli.errors import CliInputError, fail
from baclofen.entrypoints.cli.files import read_json_file

export_app = typer.Typer(help="Export stored records in an interchange format.", no_args_is_help=True)
import_app = typer.Typer(help="Import records from an interchange format.", no_args_is_help=True)


def _services(database_url: str | None) -> Any:
    from baclofen.adapters.sql import DEFAULT_DATABASE_URL
    from baclofen.bootstrap import bootstrap

    return bootstrap(database_url=database_url or DEFAULT_DATABASE_URL)


def _write_ndjson(services: Any, clinic: str, directory: Path) -> Counter[str]:
    """The clinic's bulk export into ``directory``, one ``<Type>.ndjson`` per resource type; the lines per type."""
    directory.mkdir(parents=True, exist_ok=True)
    stale = sorted(p.name for p in directory.glob("*.ndjson"))
    if stale:
        held = ", ".join(stale[:3]) + (f" and {len(stale) - 3} more" if len(stale) > 3 else "")
        fail("--ndjson-dir", f"a directory without .ndjson files (it holds {held}): exports never mix", str(directory))
    counts: Counter[str] = Counter()
    with ExitStack() as files:
        opened: dict[str, IO[str]] = {}
        for kind, line in services.export_clinic_fhir_ndjson(clinic):
            if kind not in opened:
                opened[kind] = files.enter_context((directory / f"{kind}.ndjson").open("w", encoding="utf-8"))
            opened[kind].write(line + "\n")
            counts[kind] += 1
    return counts


@export_app.command("fhir")
def export_fhir(
    patient: Annotated[str | None, typer.Option("--patient", help="The patient's id.", metavar="ID")] = None,
    database_url: DatabaseUrlOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write the Bundle to FILE (default: print it).", metavar="FILE"),
    ] = None,
    all_patients: Annotated[
        bool, typer.Option("--all", help="Every patient of the clinic --clinic, as NDJSON files (--ndjson-dir).")
    ] = False,
    clinic: Annotated[
        str | None, typer.Option("--clinic", help="With --all: the clinic whose patients are exported.", metavar="ID")
    ] = None,
    ndjson_dir: Annotated[
        Path | None,
        typer.Option("--ndjson-dir", help="With --all: write one <Type>.ndjson per resource type here.", metavar="DIR"),
    ] = None,
) -> None:
    """Print (or write) everything stored about a patient as a FHIR R4 Bundle (application/fhir+json): Patient,
    Observations (covariates, MAS/PSFS/NRS scores), MedicationRequest (saved plans, pump program changes),
    MedicationStatement, MedicationAdministration (ITB fills, screening boluses), Device (pumps), DetectedIssue
    (alerts, findings) and Provenance. With --all --clinic ID --ndjson-dir DIR: the same for every patient of the
    clinic, one resource a line in one <Type>.ndjson file per resource type (FHIR Bulk Data style; references as
    Type/id across the files). Decision support for professionals, not medical advice."""
    if all_patients:
        if patient is not None:
            fail("--patient", "no patient with --all (it exports every patient of --clinic)", patient)
        if output is not None:
            fail("--output", "no --output with --all (its files go to --ndjson-dir)", str(output))
        if clinic is None:
            fail("--clinic", "the clinic whose patients --all exports", None)
        if ndjson_dir is None:
            fail("--ndjson-dir", "the directory --all writes its <Type>.ndjson files to", None)
        counts = _write_ndjson(_services(database_url), clinic, ndjson_dir)
        files = ", ".join(f"{kind}.ndjson ({n})" for kind, n in counts.items()) or "no file (no patient)"
        print(f"exported {counts['Patient']} patients of clinic {clinic} to {ndjson_dir}: {files}")
        return
    if patient is None:
        fail("--patient", "a patient's id (or --all --clinic ID --ndjson-dir DIR)", None)
    if clinic is not None:
        fail("--clinic", "only with --all", clinic)
    if ndjson_dir is not None:
        fail("--ndjson-dir", "only with --all", str(ndjson_dir))
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
        str | None,
        typer.Option(
            "--clinic",
            help="The clinic that keeps the patient (required: a patient of no clinic is visible to no one).",
            metavar="ID",
        ),
    ] = None,
    origin: Annotated[
        str | None,
        typer.Option("--origin", help="spinal or cerebral: for a Patient without our patient-snapshot extension."),
    ] = None,
    locale: Annotated[
        str | None,
        typer.Option("--locale", help="us or uk (whose label limits): for a Patient without our extension."),
    ] = None,
) -> None:
    """Store the Bundle's Patient, covariate Observations, outcome scores and saved plans in one commit; nothing
    is stored when an element is refused (each named, FHIRPath, exit 2) or a record is already stored (its entry
    named, exit 1).

    Another system's Bundle (an EHR's): the Patient's sex from gender, its age from birthDate (today), its origin
    and locale from --origin and --locale (no default); LOINC body weight, serum creatinine and eGFR Observations
    are stored as covariate observations; every other resource is listed as not imported, with why, and each
    MedicationStatement as read (drug recognised or unknown)."""
    from baclofen.adapters.fhir.reading import FhirConflictError, FhirInputError

    if not clinic:
        fail(
            "--clinic", "the clinic that keeps the imported patient (a patient of no clinic is seen by no one)", clinic
        )
    document = read_json_file(file, "FILE", "FHIR Bundle")
    services = _services(database_url)
    try:
        result = services.import_fhir_bundle(document, clinic, origin=origin, locale=locale)
    except FhirConflictError as error:
        for issue in error.issues:
            print(f"error: FILE {issue.expression}: {issue.diagnostics}", file=sys.stderr)
        raise typer.Exit(1) from None
    except FhirInputError as error:
        lines = tuple(f"FILE {i.expression}: {i.diagnostics}" for i in error.issues)
        raise CliInputError("; ".join(lines), lines) from None
    data = result.to_dict()
    print(
        f"imported patient {data['patient_id']} into clinic {clinic}:"
        f" {len(data['covariate_observations'])} covariate observations, {len(data['outcome_scores'])} outcome"
        f" scores, {len(data['saved_plans'])} saved plans, {len(data['pumps'])} pumps"
        f" ({len(data['program_changes'])} program changes); {len(data['not_imported'])} resources not imported"
    )
    for item in data["not_imported"]:
        print(f"  not imported: entry {item['entry']} {item['resource_type']}: {item['why']}")
    for statement in data["medication_statements"]:
        drug = f"recognised as {statement['drug']}" if statement["recognised"] else "not in the drug catalogue"
        daily = statement["daily_dose_mg"]
        dose = f"{daily:g} mg/day" if daily is not None else f"daily dose not read: {statement['daily_dose_not_read']}"
        print(
            f"  medication statement: entry {statement['entry']} {statement['medication']!r} ({drug}, {dose};"
            f" status {statement['status']}): read, not stored"
        )
