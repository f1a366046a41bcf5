"""`baclofen report schedule|wallet-card|refill-visit|visit-summary`: printed documents as PDF.

``schedule`` reads a plan document (``baclofen plan titrate/taper --json``) as ``baclofen calendar`` does;
``wallet-card`` takes the pump's values as options or reads them from a stored pump (``--pump``, the clinic
database); ``refill-visit`` and ``visit-summary`` read the clinic database. A read of stored patient data is
audited as by ``cli`` (as the API audits its callers)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from baclofen.adapters.edge.simulate import read_plan_document
from baclofen.adapters.pdf_documents import (
    WalletCard,
    render_refill_visit_pdf,
    render_schedule_pdf,
    render_visit_summary_pdf,
    render_wallet_card_pdf,
)
from baclofen.domain.records import AuditEntry, AuditOutcome
from baclofen.entrypoints.cli.db import DatabaseUrlOpt
from baclofen.entrypoints.cli.errors import fail, map_errors
from baclofen.entrypoints.cli.files import check_output_path, read_json_file

if TYPE_CHECKING:
    from baclofen.bootstrap import Services

app = typer.Typer(
    help="Printed documents as PDF (decision support for professionals, not medical advice).", no_args_is_help=True
)

#: Who a read of stored records made here is audited as.
CLI_ACTOR = "cli"

OutputOpt = Annotated[Path, typer.Option("-o", "--output", help="The .pdf file to write.")]
LabelOpt = Annotated[str, typer.Option("--patient-label", help="A name or label printed on the document.")]


def _write(path: Path, pdf: bytes, what: str) -> None:
    try:
        path.write_bytes(pdf)
    except OSError as exc:
        fail("-o", "a writable file path", f"{path} ({exc.strerror})")
    typer.echo(f"Wrote {what} to {path}.")


def _services(database_url: str | None) -> Services:
    from baclofen.adapters.sql import DEFAULT_DATABASE_URL
    from baclofen.bootstrap import bootstrap

    return bootstrap(database_url=database_url or DEFAULT_DATABASE_URL)


@contextmanager
def _audited(services: Services, action: str, target: str) -> Iterator[None]:
    outcome = AuditOutcome.FAILED
    try:
        yield
        outcome = AuditOutcome.SUCCESS
    finally:
        services.audit.append(AuditEntry(CLI_ACTOR, action, target, outcome, services.clock.now()))


@app.command("schedule")
def schedule(
    plan: Annotated[Path, typer.Argument(metavar="PLAN", help="Plan JSON from `baclofen plan titrate/taper --json`.")],
    output: OutputOpt,
    patient_label: LabelOpt = "",
) -> None:
    """The plan's steps (dates, dose per time in mg with what to take, daily total) and a daily check-off table
    with a box per dose, for the patient."""
    check_output_path(output, ".pdf")
    document = read_json_file(plan, "PLAN", "plan JSON file")
    with map_errors():  # an error inside the plan names its path in PLAN (PLAN steps[0].start)
        pdf = render_schedule_pdf(read_plan_document(document, "plan"), patient_label=patient_label)
    _write(output, pdf, "the schedule")


@app.command("wallet-card")
def wallet_card(
    output: OutputOpt,
    clinic_contact: Annotated[
        str, typer.Option("--clinic-contact", help="How an emergency team reaches the pump clinic (name, telephone).")
    ],
    pump: Annotated[
        str | None, typer.Option("--pump", help="A stored pump's id: its model, concentration and dose.")
    ] = None,
    model: Annotated[str | None, typer.Option("--model", help="The pump model, as printed (without --pump).")] = None,
    concentration_mcg_per_ml: Annotated[
        float | None, typer.Option("--concentration-mcg-per-ml", help="Drug concentration, mcg/mL (without --pump).")
    ] = None,
    daily_dose_mcg: Annotated[
        float | None, typer.Option("--dose-mcg-per-day", help="Daily dose, mcg/day (without --pump).")
    ] = None,
    patient_label: LabelOpt = "",
    database_url: DatabaseUrlOpt = None,
) -> None:
    """An intrathecal baclofen emergency card (85.6 x 54 mm, two sides): pump model, concentration, daily dose,
    clinic contact, withdrawal and overdose signs and what to tell an emergency team."""
    check_output_path(output, ".pdf")
    if pump is not None:
        if model is not None or concentration_mcg_per_ml is not None or daily_dose_mcg is not None:
            fail("--pump", "either --pump or --model, --concentration-mcg-per-ml and --dose-mcg-per-day", pump)
        from baclofen.services.itb import read_pump_in_effect

        services = _services(database_url)
        with map_errors(), _audited(services, "pump.read", f"pump:{pump}"), services.uow as uow:
            now = read_pump_in_effect(uow, uow.pumps.get(pump), services.clock.now())
            card = WalletCard.of_pump(now, clinic_contact, patient_label)
        _write(output, render_wallet_card_pdf(card), "the wallet card")
        return
    for option, value in (
        ("--model", model),
        ("--concentration-mcg-per-ml", concentration_mcg_per_ml),
        ("--dose-mcg-per-day", daily_dose_mcg),
    ):
        if value is None:
            fail(option, f"{option} (or --pump with a stored pump)", None)
    assert model is not None and concentration_mcg_per_ml is not None and daily_dose_mcg is not None
    card = WalletCard(model, concentration_mcg_per_ml, daily_dose_mcg, clinic_contact, patient_label)
    _write(output, render_wallet_card_pdf(card), "the wallet card")


@app.command("refill-visit")
def refill_visit(
    output: OutputOpt,
    pump: Annotated[str, typer.Option("--pump", help="The stored pump's id.")],
    visit: Annotated[
        int | None, typer.Option("--visit", help="The visit's number, 1 = the first (default: the last).")
    ] = None,
    target_interval_days: Annotated[
        int | None, typer.Option("--target-interval-days", help="The target interval the visit was recorded with.")
    ] = None,
    database_url: DatabaseUrlOpt = None,
) -> None:
    """A stored refill visit's record: residual expected and aspirated and the discrepancy, the new fill and
    program, the next refill and alarm dates, findings and the overrides with their reasons."""
    from baclofen.services.itb import read_stored_visit

    check_output_path(output, ".pdf")
    services = _services(database_url)
    with _audited(services, "pump.read", f"pump:{pump}"):
        with services.uow as uow:
            record = uow.pumps.get(pump)
            changes = uow.program_changes.for_pump(pump)
        if not record.visits:
            fail("--pump", "a pump with a recorded visit", pump)
        number = len(record.visits) if visit is None else visit
        if not 1 <= number <= len(record.visits):
            fail("--visit", f"a visit number from 1 to {len(record.visits)}", visit)
        clinic = services.for_request(_clinic_of(services, record.patient_id)).settings
        stored = read_stored_visit(record, number, target_interval_days, clinic=clinic, changes=changes)
    _write(output, render_refill_visit_pdf(stored), f"visit {number} of pump {pump}")


def _clinic_of(services: Services, patient_id: str | None) -> str | None:
    if patient_id is None:
        return None
    with services.uow as uow:
        return uow.patients.get(patient_id).clinic_id


@app.command("visit-summary")
def visit_summary(
    output: OutputOpt,
    patient: Annotated[str, typer.Option("--patient", help="The stored patient's id.")],
    database_url: DatabaseUrlOpt = None,
) -> None:
    """A clinic visit summary of a stored patient: covariates, current plan, pump and forecast, open alerts, risk
    findings, recent scores and the recent diary."""
    from baclofen.services.commands import AssessPatientRisk
    from baclofen.services.patient_summary import read_patient_records, summarize_patient

    check_output_path(output, ".pdf")
    services = _services(database_url)
    now = services.clock.now()
    with _audited(services, "patient.summary", f"patient:{patient}"):
        with services.uow as uow:
            records = read_patient_records(uow, uow.patients.get(patient))
        clinic = services.for_request(records.record.clinic_id)
        risk = clinic.assess_patient_risk(AssessPatientRisk(patient, now))
        summary = summarize_patient(records, risk, now, clinic=clinic.settings)
    _write(output, render_visit_summary_pdf(summary), f"the visit summary of patient {patient}")
