"""Run ``baclofen ARGS`` in-process through the real entry point, without pytest fixtures.

A function-scoped fixture (``run_cli``) is not reset between Hypothesis examples; this helper captures
stdout/stderr itself, so it can be called any number of times inside ``@given``.
"""

from __future__ import annotations

import io
import json
import traceback
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from typer.main import get_command as _build_command

from baclofen.entrypoints.cli import app as cli_app
from baclofen.entrypoints.cli.app import main

#: Exit code recorded when the entry point let an exception escape (a traceback for the user).
CRASHED = -1


@dataclass
class Run:
    args: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    _json: Any = field(default=None, repr=False)

    @property
    def command(self) -> str:
        """The command line to reproduce this run (shell-quoted)."""
        import shlex

        return "bac " + " ".join(shlex.quote(a) for a in self.args)

    def json(self) -> Any:
        if self._json is None:
            self._json = json.loads(self.stdout)
        return self._json


_COMMAND: list[Any] = []


def _cached_get_command(typer_app: Any) -> Any:
    """The Click command tree ``main`` builds on every call, built once for the suite.

    Building it (Typer introspecting ~30 signatures) is 90 % of an in-process run; the tree itself is
    stateless, so reusing it runs exactly the same parsing, commands and error mapping ten times faster.
    """
    if not _COMMAND:
        _COMMAND.append(_build_command(typer_app))
    return _COMMAND[0]


def run(*args: str) -> Run:
    """Run the CLI with ``args``; an escaping exception is recorded as exit ``CRASHED`` with its traceback."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err), mock.patch.object(cli_app, "get_command", _cached_get_command):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except Exception:  # noqa: BLE001 - a crash is what the suite looks for
            code = CRASHED
            err.write(traceback.format_exc())
    return Run(tuple(args), code, out.getvalue(), err.getvalue())
