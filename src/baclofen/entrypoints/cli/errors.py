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


class CliInputError(click.exceptions.UsageError):
    """Raised by commands for bad input; rendered as one line with exit code 2."""

    exit_code = EXIT_BAD_INPUT


def fail(option: str, expected: str, got: object) -> NoReturn:
    """Stop the command: ``option`` must be ``expected``."""
    raise CliInputError(f"{option}: expected {expected} (got {got!r})")


@contextmanager
def map_errors(fields_to_options: Mapping[str, str] | None = None) -> Iterator[None]:
    """Translate domain input errors into one-line CLI errors naming the option."""
    try:
        yield
    except InvalidInputError as exc:
        option = (fields_to_options or {}).get(exc.field, exc.field)
        raise CliInputError(f"{option}: expected {exc.expected} (got {exc.actual!r})") from None
    except NotFoundError as exc:
        raise CliInputError(str(exc)) from None


def report_and_exit(exc: BaseException) -> NoReturn:
    """Print one line for a known error and exit with its code."""
    if isinstance(exc, click.exceptions.UsageError):
        message = exc.format_message()
        if exc.ctx is not None and not isinstance(exc, CliInputError):
            message = f"{exc.ctx.command_path}: {message}"
        print(f"error: {' '.join(message.split())}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)
    if isinstance(exc, click.exceptions.ClickException):
        print(f"error: {' '.join(exc.format_message().split())}", file=sys.stderr)
        raise SystemExit(exc.exit_code)
    if isinstance(exc, InvalidInputError):
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT)
    if isinstance(exc, NotFoundError):
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_NOT_FOUND)
    if isinstance(exc, BaclofenError):
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(1)
    raise exc
