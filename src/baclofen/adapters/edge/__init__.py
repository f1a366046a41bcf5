"""The one input edge: text (CLI options today, API fields and file contents later) becomes typed commands.

* :mod:`~baclofen.adapters.edge.text`: the parsers of every date, date-time, clock time, flex program, yes/no
  list, visit history, override, locale, origin and sex (one per kind, errors naming the caller's field);
* :mod:`~baclofen.adapters.edge.collect`: :class:`InputCollector`, reading every field of a request and
  reporting every invalid one at once (:class:`~baclofen.domain.errors.InvalidInputs`);
* one module per command family (``pump``, ...): builders ``<use_case>_command(**text_fields)`` returning the
  typed commands of :mod:`baclofen.services.commands`.

The edge knows no CLI option: an entrypoint maps each error's field to what its user typed
(``entrypoints/cli/errors.py`` for the CLI).
"""

from baclofen.adapters.edge.collect import InputCollector

__all__ = ["InputCollector"]
