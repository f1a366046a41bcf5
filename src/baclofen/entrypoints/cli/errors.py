"""The one place where exceptions become CLI exit codes and one-line messages.

Bad input exits with code 2 and a single line ``error: <option>: <what was expected> (got ...)``;
no traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import NoReturn

# Typer 0.29 vendors its own click as typer._click; its exceptions are the ones raised here.
from typer import _click as click

from baclofen.domain.errors import BaclofenError, InvalidInputError, NotFoundError

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
    """Raised by commands for bad input; rendered as one line with exit code 2."""

    exit_code = EXIT_BAD_INPUT


def fail(option: str, expected: str, got: object) -> NoReturn:
    """Stop the command: ``option`` must be ``expected``."""
    raise CliInputError(f"{option}: expected {expected} (got {_got(got)})")


@contextmanager
def map_errors(fields_to_options: Mapping[str, str] | None = None) -> Iterator[None]:
    """Translate domain input errors into one-line CLI errors naming the option."""
    try:
        yield
    except InvalidInputError as exc:
        option = (fields_to_options or {}).get(exc.field, exc.field)
        raise CliInputError(f"{option}: expected {exc.expected} (got {_got(exc.actual)})") from None
    except NotFoundError as exc:
        raise CliInputError(str(exc)) from None


def report_and_exit(exc: BaseException) -> NoReturn:
    """Print one line for a known error and exit with its code."""
    if isinstance(exc, click.exceptions.UsageError):
        message = exc.format_message()
        if exc.ctx is not None and not isinstance(exc, CliInputError):
            message = f"{exc.ctx.command_path}: {message}"
        print(f"error: {_line(message)}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)
    if isinstance(exc, click.exceptions.ClickException):
        print(f"error: {_line(exc.format_message())}", file=sys.stderr)
        raise SystemExit(exc.exit_code)
    if isinstance(exc, InvalidInputError):
        print(f"error: {_line(f'{exc.field!r} must be {exc.expected} (got {_got(exc.actual)})')}", file=sys.stderr)
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
        print(f"error: {_line(f'a date or number is out of range ({exc}): use a realistic date and values')}",
              file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)
    raise exc
