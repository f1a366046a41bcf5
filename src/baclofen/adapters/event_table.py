"""Write a regimen as a NONMEM-like event table (CSV): ID, TIME, AMT, RATE, CMT, EVID, AMT_UNIT, ROUTE.

TIME is hours after the first dose; AMT is mg for every route (the unit is in the AMT_UNIT column and in a
leading comment line), so the table can go straight into a pharmacometric tool. Compartments: 1 oral
(depot), 2 intravenous (central), 3 intrathecal (lumbar CSF); see ``baclofen.domain.regimen``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from baclofen.domain.regimen import Regimen

COLUMNS = ("ID", "TIME", "AMT", "RATE", "CMT", "EVID", "AMT_UNIT", "ROUTE")


def format_event_table(regimen: Regimen, subject_id: int = 1) -> str:
    """The CSV text of ``regimen``'s events (TIME in hours after its first event)."""
    buffer = io.StringIO()
    start = regimen.start
    buffer.write(f"# baclofen event table; TIME in h after {start.isoformat() if start else 'n/a'}; AMT in mg\n")
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    if start is not None:
        for row in regimen.to_event_rows(start, subject_id):
            writer.writerow({k: (round(v, 6) if isinstance(v, float) else v) for k, v in row.items()})
    return buffer.getvalue()


def write_event_table(regimen: Regimen, path: Path, subject_id: int = 1) -> None:
    """Write :func:`format_event_table` to ``path`` (replaced atomically: a failed write leaves no half file)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(format_event_table(regimen, subject_id), encoding="utf-8")
    tmp.replace(path)
