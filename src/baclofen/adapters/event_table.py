"""Write a regimen as a NONMEM-like event table (CSV): ID, TIME, AMT, RATE, CMT, EVID, AMT_UNIT, ROUTE.

TIME is hours after the first dose; AMT is mg for every route (the unit is in the AMT_UNIT column and in a
leading comment line), so the table can go straight into a pharmacometric tool. Compartments: 1 oral
(depot), 2 intravenous (central), 3 intrathecal (lumbar CSF); see ``baclofen.domain.regimen``.

The header names the first dose as a true UTC instant (and as the patient's local clock time): a plan's
dose times are clock times in the patient's zone (:func:`local_zone`, from ``TZ``), converted to UTC here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from baclofen.adapters.clock import zone_named_by_tz
from baclofen.domain.regimen import Regimen

COLUMNS = ("ID", "TIME", "AMT", "RATE", "CMT", "EVID", "AMT_UNIT", "ROUTE")


class _SystemLocal(tzinfo):
    """The machine's local zone as the C library knows it (``TZ`` POSIX strings, /etc/localtime), DST included."""

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        if dt is None:
            return None
        return dt.replace(tzinfo=None).astimezone().utcoffset()

    def dst(self, dt: datetime | None) -> timedelta | None:
        return None

    def tzname(self, dt: datetime | None) -> str | None:
        return None if dt is None else dt.replace(tzinfo=None).astimezone().tzname()


def local_zone(environ: Mapping[str, str] | None = None) -> tzinfo:
    """The zone of the patient's clock times: ``TZ`` when it names a zone (``Europe/Berlin``), else the
    machine's local zone (DST included)."""
    named = zone_named_by_tz(environ)
    return named if named is not None else _SystemLocal()


def format_event_table(regimen: Regimen, subject_id: int = 1) -> str:
    """The CSV text of ``regimen``'s events (TIME in hours after its first event, named in UTC)."""
    buffer = io.StringIO()
    start = regimen.start
    if start is None:
        when = "n/a"
    else:
        when = f"{start.astimezone(UTC).isoformat()} (UTC; local clock {start.isoformat()})"
    buffer.write(f"# baclofen event table; TIME in h after {when}; AMT in mg\n")
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
