"""The patient guide as Markdown (what ``baclofen guide`` prints): headings, the side-by-side table, statements
with their source keys and caveats, then the sources and the settings used.

>>> from baclofen.domain.guide import build_patient_guide
>>> text = render_guide_markdown(build_patient_guide())
>>> text.splitlines()[0]
'# Baclofen for spasticity in MS: a guide for patients'
"""

from __future__ import annotations

from collections.abc import Iterable

from baclofen.domain.evidence import get_reference
from baclofen.domain.guide import GuideSection, GuideStatement, PatientGuide

#: Column headings of the side-by-side table.
ORAL_HEADING = "By mouth (oral)"
INTRATHECAL_HEADING = "By pump (intrathecal)"


def _keys(keys: Iterable[str]) -> str:
    return "[" + ", ".join(keys) + "]"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _statement_line(statement: GuideStatement) -> list[str]:
    lines = [f"- {statement.text} {_keys(statement.sources)}"]
    lines += [f"  - {item}" for item in statement.items]
    if statement.caveat:
        lines.append(f"  *Note: {statement.caveat}*")
    return lines


def _comparison(section: GuideSection) -> list[str]:
    if not section.comparison:
        return []
    lines = [f"| | {ORAL_HEADING} | {INTRATHECAL_HEADING} |", "|---|---|---|"]
    for row in section.comparison:
        cells = []
        for statement in (row.oral, row.intrathecal):
            note = f" *Note: {statement.caveat}*" if statement.caveat else ""
            items = "".join(f" {item};" for item in statement.items)
            cells.append(_cell(f"{statement.text}{items} {_keys(statement.sources)}{note}"))
        lines.append(f"| **{_cell(row.aspect)}** | {cells[0]} | {cells[1]} |")
    return [*lines, ""]


def render_guide_markdown(guide: PatientGuide) -> str:
    """The guide as one Markdown document."""
    lines = [f"# {guide.title}", "", f"> **{guide.disclaimer}**", ""]
    for number, section in enumerate(guide.sections, start=1):
        lines += [f"## {number}. {section.title}", ""]
        lines += _comparison(section)
        for statement in section.statements:
            lines += _statement_line(statement)
        if section.statements:
            lines.append("")
    lines += ["## Sources", ""]
    for key in guide.source_keys():
        ref = get_reference(key)
        lines.append(f"- [{ref.key}] {ref.title} — {ref.location} ({ref.authority.value})")
    lines += ["", "## Settings used", ""]
    for use in guide.settings:
        s = use.setting
        lines.append(f"- {s.name} = {use.value} {s.unit} ({s.status.value}; default {s.default})")
    lines += ["", f"*{guide.disclaimer}*", ""]
    return "\n".join(lines)


__all__ = ["INTRATHECAL_HEADING", "ORAL_HEADING", "render_guide_markdown"]
