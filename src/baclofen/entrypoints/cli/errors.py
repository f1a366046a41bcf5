"""The one place where exceptions become CLI exit codes and one-line messages.

Bad input exits with code 2 and one line per invalid option, ``error: <option>: <what was expected> (got ...)``
(every invalid option of a command at once, in the order the command reads them); no traceback.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

# Typer 0.29 vendors its own click as typer._click; its exceptions are the ones raised here.
from typer import _click as click
from typer._click.core import Parameter
from typer._click.globals import get_current_context

from baclofen.domain.errors import BaclofenError, InvalidInputError, InvalidInputs, NotFoundError
from baclofen.domain.settings import SETTINGS

EXIT_BAD_INPUT = 2
EXIT_NOT_FOUND = 3
MAX_VALUE_CHARS = 120
MAX_LINE_CHARS = 1000


def _got(value: object) -> str:
    """``repr(value)``, shortened when very long so that the error stays a readable single line."""
    text = repr(value)
    if len(text) <= MAX_VALUE_CHARS:
        return text
    return f"{text[:MAX_VALUE_CHARS]}... ({len(text)} characters)"


def _line(message: str) -> str:
    """One line: whitespace (newlines included) collapsed, length capped."""
    text = " ".join(message.split())
    return text if len(text) <= MAX_LINE_CHARS else text[: MAX_LINE_CHARS - 3] + "..."


class CliInputError(click.exceptions.UsageError):
    """Raised by commands for bad input; rendered as one line per invalid option with exit code 2."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, lines: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.lines = lines or (message,)


def fail(option: str, expected: str, got: object) -> NoReturn:
    """Stop the command: ``option`` must be ``expected``."""
    raise CliInputError(f"{option}: expected {expected} (got {_got(got)})")


def _param_label(param: Parameter) -> str:
    """How the user wrote a parameter: its long option (``--from-mg-per-day``) or its argument as typer's usage
    line shows it (its metavar, ``RULE-ID``, else its name: ``file``)."""
    dashed = [o for o in param.opts if o.startswith("-")]
    if not dashed:  # an argument: its metavar (``RULE-ID``), else its name as the usage line shows it
        return param.metavar or param.name or "argument"
    return ([o for o in dashed if o.startswith("--")] or dashed)[0]


#: The one table of the fields a command's option is named otherwise: field (or a path prefix) -> its options, the
#: first one the running command has wins (``A/B/C``: a choice among flags). Every other field maps by itself: a
#: field named like a parameter to it (``volume_ml`` -> ``--volume-ml``), a setting to ``--setting NAME``, a path
#: inside an argument's document after it (``FILE steps[0].start``). Errors name fields as the caller of a service
#: knows them; only here do they meet the CLI's spelling.
RENAMED_FIELDS: dict[str, tuple[str, ...]] = {
    # patient, plans, alternatives
    "age_years": ("--age",),
    "egfr_ml_min_1_73m2": ("--egfr",),
    "conditions": ("--condition",),
    "kidney function": ("--crcl-ml-min",),
    "drug name": ("--drugs", "--drug"),
    "new_drug": ("--switch-to",),
    "baclofen_outcome": ("--failed/--not-tolerated/--current",),
    "min_days_to_zero": ("--min-days",),
    "step_dose_mg": ("--step-mg",),
    "override reason": ("--override",),
    "override rule_id": ("--override",),
    "override clinician": ("--clinician",),
    "settings": ("--setting",),
    # dose check: an intrathecal dose is given per day in mcg
    "daily_dose_mcg": ("--mcg-per-day", "--dose-mcg-per-day"),
    # intrathecal
    "hours_since_last_dose": ("--hours-since-last",),
    "effect_duration_hours": ("--effect-hours", "--response-hours"),
    "other_oral_antispastics": ("--other-antispastic",),
    "itb.transition.max_oral_cut_percent": ("--max-oral-cut-percent",),
    # pumps: a flex program's steps, the fill a refill visit makes, settings with an option of their own
    "pump_id": ("--pump",),
    "program": ("--flex",),
    "steps": ("--flex",),
    "other_drugs_in_pump": ("--other-drug-in-pump",),
    "pump_internal_volume_ml": ("--pump-volume-ml",),
    "filled": ("--refilled",),
    "filled_at": ("--filled", "--refilled"),
    "volume_ml": ("--target-interval-days",),
    "pump.refill_margin_days": ("--margin-days",),
    "pump.max_refill_interval_days": ("--max-refill-interval-days",),
    "pump.synchromed_ii.low_reservoir_alarm_ml": ("--low-reservoir-ml",),
    "pump.prometra_ii.refill_threshold_ml": ("--low-reservoir-ml",),
    "pump.synchromed_ii.residual_volume_ml": ("--residual-ml",),
    "pump.prometra_ii.residual_volume_ml": ("--residual-ml",),
    "pump.reconcile.tolerance_percent": ("--tolerance-percent",),
    "pump.reconcile.tolerance_ml": ("--tolerance-ml",),
    "pump.reconcile.trend_visits": ("--trend-visits",),
    # accounts: a clinic created with its first user
    "clinic_id": ("--clinic",),
    "name": ("--clinic-name",),
    # simulations
    "pk.": ("--setting",),
    "hd_sessions": ("--hd-session",),
    "crcl distribution a": ("--crcl-range",),
    "crcl distribution b": ("--crcl-range",),
}


def _command_params() -> dict[str, Parameter]:
    """The running command's parameters by name (empty outside a command)."""
    ctx = get_current_context(silent=True)
    return {} if ctx is None or ctx.command is None else {p.name: p for p in ctx.command.params if p.name}


def _is_path_under(field: str, prefix: str) -> bool:
    """``field`` is ``prefix`` or a path inside it (``steps[0].time`` under ``steps``)."""
    if not prefix or not field.startswith(prefix):
        return False
    rest = field[len(prefix) :]
    return prefix.endswith(".") or not rest or rest[0] in ".[ "


def _renamed(field: str, options: set[str]) -> str | None:
    """The first option of :data:`RENAMED_FIELDS` for ``field`` that the running command has."""
    return next((o for o in RENAMED_FIELDS.get(field, ()) if o.split("/")[0] in options), None)


def option_label(field: str) -> str:
    """The CLI option (or argument) of the running command a domain ``field`` came from, in this order: a
    parameter with that name (``from_mg_per_day`` -> ``--from-mg-per-day``); a renamed field
    (:data:`RENAMED_FIELDS`, ``age_years`` -> ``--age``); a named setting (``--setting NAME``); a path under a
    renamed field (``--hd-session hd_sessions[0].start_h``); an item of a list option (``--previous previous[1]``);
    a path inside an argument's document (``plan.steps[0].time`` of the argument ``plan`` shown ``FILE``:
    ``FILE steps[0].time``); the field."""
    params = _command_params()
    param = params.get(field) or params.get(field.replace("-", "_").replace(" ", "_"))
    if param is not None:
        return _param_label(param)
    options = {o for p in params.values() for o in p.opts}
    renamed = _renamed(field, options)
    if renamed is not None:
        return renamed
    if field in SETTINGS and "setting" in params:
        return f"{_param_label(params['setting'])} {field}"
    for prefix in RENAMED_FIELDS:
        option = _renamed(prefix, options) if _is_path_under(field, prefix) else None
        if option is not None:
            return f"{option} {field}"
    head = _HEAD.match(field)
    param = params.get(head[0]) if head is not None else None
    if head is not None and param is not None and _is_path_under(field, head[0]):
        if _is_argument(param):  # a document: the path inside it
            return f"{_param_label(param)} {field[head.end() :].lstrip('.')}"
        if field[head.end()] == "[":  # an item of a list option: --previous previous[1]
            return f"{_param_label(param)} {field}"
    return field


#: The first name of a field path: ``plan`` of ``plan.steps[0].start``.
_HEAD = re.compile(r"[A-Za-z_]\w*")


def _is_argument(param: Parameter) -> bool:
    return not any(o.startswith("-") for o in param.opts)


@contextmanager
def map_errors() -> Iterator[None]:
    """Translate domain input errors into one-line CLI errors naming the option (see :func:`option_label`)."""
    try:
        yield
    except InvalidInputError as exc:
        errors = exc.errors if isinstance(exc, InvalidInputs) else (exc,)
        lines = tuple(f"{option_label(e.field)}: expected {e.expected} (got {_got(e.actual)})" for e in errors)
        raise CliInputError("; ".join(lines), lines) from None
    except NotFoundError as exc:
        raise CliInputError(str(exc)) from None


def report_and_exit(exc: BaseException) -> NoReturn:
    """Print one line for a known error and exit with its code."""
    if isinstance(exc, CliInputError):
        for line in exc.lines:
            print(f"error: {_line(line)}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)
    if isinstance(exc, click.exceptions.UsageError):
        message = exc.format_message()
        if exc.ctx is not None:
            message = f"{exc.ctx.command_path}: {message}"
        print(f"error: {_line(message)}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)
    if isinstance(exc, click.exceptions.ClickException):
        print(f"error: {_line(exc.format_message())}", file=sys.stderr)
        raise SystemExit(exc.exit_code)
    if isinstance(exc, InvalidInputError):
        for e in exc.errors if isinstance(exc, InvalidInputs) else (exc,):
            print(f"error: {_line(f'{e.field!r} must be {e.expected} (got {_got(e.actual)})')}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)
    if isinstance(exc, NotFoundError):
        print(f"error: {_line(str(exc))}", file=sys.stderr)
        raise SystemExit(EXIT_NOT_FOUND)
    if isinstance(exc, BaclofenError):
        print(f"error: {_line(str(exc))}", file=sys.stderr)
        raise SystemExit(1)
    if isinstance(exc, OverflowError):
        # Date arithmetic past 9999-12-31 (a start or fill date far in the future) or a number too large:
        # bad input, reported in one line like every other.
        print(
            f"error: {_line(f'a date or number is out of range ({exc}): use a realistic date and values')}",
            file=sys.stderr,
        )
        raise SystemExit(EXIT_BAD_INPUT)
    raise exc
