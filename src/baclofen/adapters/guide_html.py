"""The patient guide as an HTML fragment that a web page can include (no web framework needed): an ``<article>``
with the disclaimer first, a table of contents, one ``<section>`` per topic (the side-by-side table with row and
column headers), each statement with its caveat and links to its sources, then the list of sources with their
links. Every text and attribute is escaped (:func:`html.escape`); links go only to ``http(s)`` addresses of the
reference catalogue and open as external links.

>>> from baclofen.domain.guide import build_patient_guide
>>> fragment = render_guide_html(build_patient_guide())
>>> fragment.startswith('<article class="patient-guide" lang="en-US"')
True
"""

from __future__ import annotations

from html import escape

from baclofen.domain.evidence import get_reference
from baclofen.domain.guide import ComparisonRow, GuideSection, GuideStatement, PatientGuide
from baclofen.domain.patient import Locale

ORAL_HEADING = "By mouth (oral)"
INTRATHECAL_HEADING = "By pump (intrathecal)"
_LANG = {Locale.US: "en-US", Locale.UK: "en-GB"}


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)


class _Ids:
    """Element ids under one prefix, so that two guides on one page do not clash."""

    def __init__(self, prefix: str) -> None:
        self.prefix = _slug(prefix)

    def __call__(self, *parts: str) -> str:
        return _e(self.prefix + "-".join(_slug(p) for p in parts))


def _sources(statement: GuideStatement, ids: _Ids) -> str:
    links = ", ".join(f'<a href="#{ids("ref", key)}">{_e(key)}</a>' for key in statement.sources)
    return f'<span class="guide-sources">Sources: {links}</span>'


def _statement_body(statement: GuideStatement, ids: _Ids) -> str:
    body = f'<p class="guide-text">{_e(statement.text)}</p>'
    if statement.items:
        body += '<ul class="guide-items">' + "".join(f"<li>{_e(item)}</li>" for item in statement.items) + "</ul>"
    if statement.caveat:
        body += f'<p class="guide-caveat"><strong>Note:</strong> {_e(statement.caveat)}</p>'
    return body + _sources(statement, ids)


def _row(row: ComparisonRow, ids: _Ids) -> str:
    cells = "".join(
        f'<td id="{ids("statement", s.statement_id)}">{_statement_body(s, ids)}</td>'
        for s in (row.oral, row.intrathecal)
    )
    return f'<tr><th scope="row">{_e(row.aspect)}</th>{cells}</tr>'


def _section(section: GuideSection, ids: _Ids, level: int) -> str:
    title_id = ids("topic", section.topic_id, "title")
    parts = [
        f'<section class="guide-section" id="{ids("topic", section.topic_id)}" aria-labelledby="{title_id}">',
        f'<h{level} id="{title_id}">{_e(section.title)}</h{level}>',
    ]
    if section.comparison:
        parts += [
            '<div class="guide-table-wrap"><table class="guide-comparison">',
            f"<caption>{_e(section.title)}</caption>",
            f'<thead><tr><td></td><th scope="col">{_e(ORAL_HEADING)}</th>'
            f'<th scope="col">{_e(INTRATHECAL_HEADING)}</th></tr></thead>',
            "<tbody>" + "".join(_row(row, ids) for row in section.comparison) + "</tbody>",
            "</table></div>",
        ]
    if section.statements:
        items = "".join(
            f'<li id="{ids("statement", s.statement_id)}">{_statement_body(s, ids)}</li>' for s in section.statements
        )
        parts.append(f'<ul class="guide-statements">{items}</ul>')
    parts.append("</section>")
    return "".join(parts)


def _references(guide: PatientGuide, ids: _Ids, level: int) -> str:
    items = []
    for key in guide.source_keys():
        ref = get_reference(key)
        url = next((p for p in ref.location.split() if p.startswith(("http://", "https://"))), None)
        title = _e(ref.title)
        linked = f'<a href="{_e(url)}" rel="external noopener noreferrer">{title}</a>' if url else title
        items.append(
            f'<li id="{ids("ref", key)}"><span class="guide-ref-key">[{_e(key)}]</span> {linked} '
            f"({_e(ref.authority.value)})</li>"
        )
    title_id = ids("references", "title")
    return (
        f'<section class="guide-references" id="{ids("references")}" aria-labelledby="{title_id}">'
        f'<h{level} id="{title_id}">Sources</h{level}><ol>{"".join(items)}</ol></section>'
    )


def render_guide_html(guide: PatientGuide, *, heading_level: int = 2, id_prefix: str = "guide-") -> str:
    """The guide as an escaped HTML fragment: its title at ``<h{heading_level}>``, topics one level below; element
    ids start with ``id_prefix``."""
    if not 1 <= heading_level <= 5:
        raise ValueError("heading_level must be 1 to 5")
    ids = _Ids(id_prefix)
    level = heading_level + 1
    contents = "".join(f'<li><a href="#{ids("topic", s.topic_id)}">{_e(s.title)}</a></li>' for s in guide.sections)
    return "".join(
        [
            f'<article class="patient-guide" lang="{_LANG[guide.locale]}" aria-labelledby="{ids("title")}">',
            f'<h{heading_level} id="{ids("title")}">{_e(guide.title)}</h{heading_level}>',
            f'<p class="guide-disclaimer" role="note"><strong>{_e(guide.disclaimer)}</strong></p>',
            f'<nav aria-label="Contents of the guide"><ol>{contents}</ol></nav>',
            *(_section(section, ids, level) for section in guide.sections),
            _references(guide, ids, level),
            "</article>",
        ]
    )


__all__ = ["INTRATHECAL_HEADING", "ORAL_HEADING", "render_guide_html"]
