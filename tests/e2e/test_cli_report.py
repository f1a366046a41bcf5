"""`baclofen report ...`: printed documents (PDF) from a plan file, from options and from the clinic database; the
PDF's text is the plan's and the records'; a bad input names its option."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from baclofen.bootstrap import bootstrap
from baclofen.domain.clinic.regimens import ProgramChangeRecord
from baclofen.domain.itb.programs import continuous_program
from baclofen.domain.itb.pumps import get_pump
from baclofen.domain.oral.plan import Plan
from baclofen.domain.patient import PatientSnapshot
from baclofen.domain.records import PatientRecord, PumpRecord, RefillVisitRecord
from baclofen.domain.signs import ITB_OVERDOSE, ITB_WITHDRAWAL
from tests.pdf_text import assert_schedule_matches, flat, needs_pdftotext, pdf_pages, pdf_text

pytestmark = needs_pdftotext


def _plan_file(run_cli, tmp_path: Path, *args: str) -> Path:
    result = run_cli("plan", *args, "--json")
    assert result.exit_code == 0, result.stderr
    path = tmp_path / "plan.json"
    path.write_text(result.stdout)
    return path


@pytest.mark.parametrize(
    "args",
    [
        ("titrate", "--start-date", "2026-10-20", "--doses-per-day", "4", "--target-mg-per-day", "80"),
        ("taper", "--start-date", "2026-10-20", "--from-mg-per-day", "80", "--months-on-therapy", "24"),
    ],
    ids=["titration", "taper"],
)
def test_the_schedule_pdf_says_exactly_what_the_plan_file_says(run_cli, tmp_path: Path, args: tuple) -> None:
    plan = _plan_file(run_cli, tmp_path, *args)
    out = tmp_path / "schedule.pdf"

    result = run_cli("report", "schedule", str(plan), "-o", str(out), "--patient-label", "Ada Lovelace")

    assert result.exit_code == 0, result.stderr
    assert str(out) in result.stdout
    assert_schedule_matches(Plan.from_dict(json.loads(plan.read_text())), out.read_bytes())
    assert "Ada Lovelace" in flat(pdf_text(out.read_bytes()))


def test_a_broken_plan_file_names_the_path_inside_it(run_cli, tmp_path: Path) -> None:
    plan = _plan_file(run_cli, tmp_path, "titrate", "--start-date", "2026-10-20")
    document = json.loads(plan.read_text())
    document["steps"][0]["doses"][0]["time"] = "25:00"
    plan.write_text(json.dumps(document))
    out = tmp_path / "schedule.pdf"

    result = run_cli("report", "schedule", str(plan), "-o", str(out))

    assert result.exit_code == 2
    assert "PLAN steps[0].doses[0].time" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("name", ["schedule.txt", "missing/schedule.pdf"])
def test_an_output_that_is_not_a_pdf_in_a_folder_is_refused(run_cli, tmp_path: Path, name: str) -> None:
    plan = _plan_file(run_cli, tmp_path, "titrate", "--start-date", "2026-10-20")

    result = run_cli("report", "schedule", str(plan), "-o", str(tmp_path / name))

    assert result.exit_code == 2 and "-o" in result.stderr


def test_a_wallet_card_from_options(run_cli, tmp_path: Path) -> None:
    out = tmp_path / "card.pdf"

    result = run_cli(
        "report", "wallet-card", "-o", str(out), "--model", "Prometra II", "--concentration-mcg-per-ml", "2000",
        "--dose-mcg-per-day", "412.5", "--clinic-contact", "Spasticity clinic 0161 555 0100",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    pages, _ = pdf_pages(out.read_bytes())
    text = flat(pdf_text(out.read_bytes()))
    assert pages == 2
    assert "Prometra II" in text and "2000 mcg/mL" in text and "412.5 mcg/day" in text
    assert "Spasticity clinic 0161 555 0100" in text
    assert all(sign in text for sign in (*ITB_WITHDRAWAL.signs, *ITB_OVERDOSE.signs))


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (("--model", "X", "--concentration-mcg-per-ml", "500"), "--dose-mcg-per-day"),
        (
            ("--model", "X", "--concentration-mcg-per-ml", "-5", "--dose-mcg-per-day", "100"),
            "--concentration-mcg-per-ml",
        ),
        (("--model", "X", "--concentration-mcg-per-ml", "500", "--dose-mcg-per-day", "inf"), "--dose-mcg-per-day"),
        (
            ("--model", "X", "--concentration-mcg-per-ml", "2", "--dose-mcg-per-day", "100"),
            "--concentration-mcg-per-ml",
        ),
        (
            ("--model", "X", "--concentration-mcg-per-ml", "100000", "--dose-mcg-per-day", "100"),
            "--concentration-mcg-per-ml",
        ),
        (("--model", "X", "--concentration-mcg-per-ml", "500", "--dose-mcg-per-day", "0.1"), "--dose-mcg-per-day"),
    ],
)
def test_a_wallet_card_value_missing_or_impossible_is_named(run_cli, tmp_path: Path, args: tuple, option: str) -> None:
    out = tmp_path / "card.pdf"

    result = run_cli("report", "wallet-card", "-o", str(out), "--clinic-contact", "C", *args)

    assert result.exit_code == 2, result.stdout
    assert option in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


@pytest.fixture
def database(run_cli, tmp_path: Path) -> str:
    """A clinic database with patient P-1 and pump PUMP-1 (two visits: the first fill, then a reconciled refill)."""
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    assert run_cli("db", "upgrade", "--database-url", url).exit_code == 0
    services = bootstrap(database_url=url)
    filled = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    with services.uow as uow:
        uow.patients.add(PatientRecord("P-1", PatientSnapshot(age_years=61, weight_kg=70)))
        uow.pumps.add(PumpRecord("PUMP-1", get_pump("synchromed-ii-40"), "P-1", date(2025, 6, 1)))
        uow.pumps.add_visit(
            "PUMP-1",
            RefillVisitRecord(filled, fill_ml=40, concentration_mcg_per_ml=500, program=continuous_program(200)),
        )
        uow.pumps.add_visit(
            "PUMP-1",
            RefillVisitRecord(
                filled + timedelta(days=70),
                expected_ml=10.0,
                aspirated_ml=9.4,
                fill_ml=40,
                concentration_mcg_per_ml=1000,
                program=continuous_program(250),
            ),
        )
        uow.commit()
    return url


def test_reports_from_the_clinic_database_print_the_stored_records_and_are_audited(run_cli, tmp_path, database) -> None:
    card, visit, summary = tmp_path / "card.pdf", tmp_path / "visit.pdf", tmp_path / "summary.pdf"
    db = ("--database-url", database)

    made = [
        run_cli("report", "wallet-card", "--pump", "PUMP-1", "--clinic-contact", "Clinic 555", "-o", str(card), *db),
        run_cli("report", "refill-visit", "--pump", "PUMP-1", "-o", str(visit), *db),
        run_cli("report", "visit-summary", "--patient", "P-1", "-o", str(summary), *db),
    ]

    assert [r.exit_code for r in made] == [0, 0, 0], [r.stderr for r in made]
    card_text = flat(pdf_text(card.read_bytes()))
    assert "SynchroMed II 40 mL" in card_text and "1000 mcg/mL" in card_text and "250 mcg/day" in card_text
    visit_text = flat(pdf_text(visit.read_bytes()))
    assert "2 of 2" in visit_text and "Expected residual 10.00 mL" in visit_text and "Aspirated 9.40 mL" in visit_text
    assert "Discrepancy -0.60 mL" in visit_text and "Fill volume 40 mL" in visit_text
    summary_text = flat(pdf_text(summary.read_bytes()))
    assert "P-1" in summary_text and "PUMP-1" in summary_text and "Age 61 years" in summary_text
    audit = bootstrap(database_url=database).audit.entries(actor="cli")
    assert [(e.action, e.target, e.outcome.value) for e in audit] == [
        ("pump.read", "pump:PUMP-1", "success"),
        ("pump.read", "pump:PUMP-1", "success"),
        ("patient.summary", "patient:P-1", "success"),
    ]


def test_the_wallet_card_of_a_stored_pump_prints_the_program_in_effect_after_a_program_change(
    run_cli, tmp_path, database
) -> None:
    services = bootstrap(database_url=database)
    changed_at = datetime(2026, 5, 12, 9, 0, tzinfo=UTC)
    with services.uow as uow:
        change = ProgramChangeRecord("PUMP-1", 0, changed_at, continuous_program(275), 250, "clinician:c", "spasms")
        uow.program_changes.add(change)
        uow.commit()
    card = tmp_path / "card.pdf"

    result = run_cli(
        "report", "wallet-card", "--pump", "PUMP-1", "--clinic-contact", "C", "-o", str(card),
        "--database-url", database,
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    text = flat(pdf_text(card.read_bytes()))
    assert "1000 mcg/mL" in text and "275 mcg/day" in text and "250 mcg/day" not in text


def test_a_visit_that_is_not_stored_is_named(run_cli, tmp_path, database) -> None:
    out = tmp_path / "visit.pdf"

    result = run_cli(
        "report", "refill-visit", "--pump", "PUMP-1", "--visit", "3", "-o", str(out), "--database-url", database
    )

    assert result.exit_code == 2 and "--visit" in result.stderr and "1 to 2" in result.stderr
    assert not out.exists()
