"""Reading a printed document (PDF) back as text with poppler's ``pdftotext``, and the schedule's text parsed back
into steps and check-off rows to compare with the plan it was printed from."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from baclofen.adapters.pdf_documents import WEEKDAYS
from baclofen.domain.oral.plan import Plan, ScheduledDose

PDFTOTEXT = Path("/usr/bin/pdftotext")
PDFINFO = Path("/usr/bin/pdfinfo")

#: Mark a test that reads a PDF back: skipped, saying why, only where poppler's pdftotext is not installed.
needs_pdftotext = pytest.mark.skipif(
    not PDFTOTEXT.exists() or shutil.which("pdfinfo") is None,
    reason="/usr/bin/pdftotext (poppler-utils) is not installed: `make system` installs it",
)


def pdf_text(pdf: bytes, *, raw: bool = True) -> str:
    """The text of ``pdf``: in content order (``-raw``) or laid out (``-layout``)."""
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    mode = "-raw" if raw else "-layout"
    done = subprocess.run([str(PDFTOTEXT), mode, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def pdf_pages(pdf: bytes) -> tuple[int, tuple[float, float]]:
    """The number of pages of ``pdf`` and the size of its first page (points)."""
    done = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True)
    info = done.stdout.decode()
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    size = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info, re.M)
    assert size is not None
    return pages, (float(size.group(1)), float(size.group(2)))


#: DejaVu's ascent plus descent (1901 + 483 of 2048 units an em): poppler's box of a word in a DejaVu font is this
#: many times the font's size high, so a word's box height over it is the size it is printed at.
DEJAVU_BOX_EM = (1901 + 483) / 2048
_WORD = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[str]:
    """The names of the fonts embedded in ``pdf`` (``pdffonts``), without their subset prefix."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode().splitlines()[2:]
    return [line.split()[0].partition("+")[2] or line.split()[0] for line in lines if line.strip()]


@dataclass(frozen=True)
class PrintedWord:
    """A word of a page and its box's top, right edge and bottom (points from the page's top left corner), from
    ``pdftotext -bbox``."""

    text: str
    top_pt: float
    right_pt: float
    bottom_pt: float

    @property
    def size_pt(self) -> float:
        """The size the word is printed at (a DejaVu font: :data:`DEJAVU_BOX_EM`)."""
        return (self.bottom_pt - self.top_pt) / DEJAVU_BOX_EM


def pdf_words(pdf: bytes) -> list[list[PrintedWord]]:
    """Each page's words with their boxes (``pdftotext -bbox``)."""
    done = subprocess.run([str(PDFTOTEXT), "-bbox", "-", "-"], input=pdf, capture_output=True, check=True)
    pages = done.stdout.decode("utf-8").split("<page ")[1:]
    return [
        [PrintedWord(w, float(y0), float(x1), float(y1)) for y0, x1, y1, w in _WORD.findall(page)] for page in pages
    ]


def flat(text: str) -> str:
    """``text`` with every run of white space (line breaks included) as one space."""
    return " ".join(text.split())


_DATE = r"\d{4}-\d{2}-\d{2}"
_NUM = r"\d+(?:\.\d+)?"
_WEEKDAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
STEP = re.compile(rf"Step (\d+) of (\d+): ({_DATE}) to ({_DATE}) \((\d+) days?\), ({_NUM}) mg/day")
#: A box of the check-off table: the time, what to take (mL of a liquid, tablets, packets) and the dose in mg.
DOSE = re.compile(rf"(\d{{2}}:\d{{2}}) (.+?) \(({_NUM}) mg\)")
ROW = re.compile(rf"({_DATE}) ({_WEEKDAY}) (\d+) (.*?) ({_NUM}) mg/day")


@dataclass(frozen=True)
class PrintedStep:
    number: int
    of: int
    start: str
    end: str
    days: int
    daily_mg: float
    text: str  # the step's block: its doses with what to take


@dataclass(frozen=True)
class PrintedRow:
    day: str
    weekday: str
    step: int
    doses: tuple[tuple[str, str, float], ...]  # time, what to take, mg
    daily_mg: float


def parse_schedule(text: str) -> tuple[list[PrintedStep], list[PrintedRow]]:
    """The steps and the check-off rows of a printed schedule's ``pdftotext -raw`` text."""
    body = flat(text)
    steps_part, _, checkoff = body.partition("Daily check-off")
    assert checkoff, "no check-off table"
    heads = list(STEP.finditer(steps_part))
    steps = []
    for i, m in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(steps_part)
        steps.append(
            PrintedStep(int(m[1]), int(m[2]), m[3], m[4], int(m[5]), float(m[6]), steps_part[m.end() : end].strip())
        )
    rows = [
        PrintedRow(m[1], m[2], int(m[3]), tuple((t, w, float(mg)) for t, w, mg in DOSE.findall(m[4])), float(m[5]))
        for m in ROW.finditer(checkoff)
    ]
    return steps, rows


def _take(dose: ScheduledDose) -> str:
    """What a check-off box says to take: the millilitres of a liquid, else the tablets or packets."""
    volume = dose.dispensed.volume_ml
    return dose.dispensed.text if volume is None else f"{volume:g} mL"


def assert_schedule_matches(plan: Plan, pdf: bytes) -> None:
    """The printed steps and check-off rows are exactly the plan's (dates, doses, what to take, daily totals): each
    box of the check-off table says what to take and its mg, ``08:00 2.4 mL (12 mg)``."""
    steps, rows = parse_schedule(pdf_text(pdf))
    assert len(steps) == len(plan.steps)
    for number, (printed, step) in enumerate(zip(steps, plan.steps, strict=True), start=1):
        assert (printed.number, printed.of) == (number, len(plan.steps))
        assert (printed.start, printed.end, printed.days) == (step.start.isoformat(), step.end.isoformat(), step.days)
        assert printed.daily_mg == step.daily_dose_mg
        lines = [f"{d.time:%H:%M} {d.dose_mg:g} mg {d.dispensed.text}" for d in step.doses]
        assert printed.text.startswith(" ".join(["Time Dose What to take", *lines]) if lines else "No baclofen")
    expected = [
        (
            day.isoformat(),
            WEEKDAYS[day.weekday()],
            number,
            tuple((f"{d.time:%H:%M}", _take(d), d.dose_mg) for d in step.doses),
        )
        for number, step in enumerate(plan.steps, start=1)
        for day in step.dates()
    ]
    assert [(r.day, r.weekday, r.step, r.doses) for r in rows] == expected
    assert [r.daily_mg for r in rows] == [mg for _, mg in plan.daily_totals()]
