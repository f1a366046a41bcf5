"""The patient guide's renderers: Markdown for the CLI and an escaped HTML fragment for the web app."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from baclofen.adapters.edge.guide import show_patient_guide_command
from baclofen.adapters.guide_html import render_guide_html
from baclofen.adapters.guide_markdown import render_guide_markdown
from baclofen.domain.errors import InvalidInputError, UnknownNameError
from baclofen.domain.evidence import get_reference
from baclofen.domain.guide import GuideSection, GuideStatement, PatientGuide, build_patient_guide
from baclofen.domain.patient import Locale
from baclofen.services.guide import show_patient_guide


@pytest.fixture(scope="module")
def guide() -> PatientGuide:
    return build_patient_guide(locale=Locale.UK)


def _tree(fragment: str) -> ET.Element:
    return ET.fromstring(fragment)  # well-formed: every element closed, every text escaped


def test_html_is_a_well_formed_fragment_with_every_statement_heading_and_source(guide: PatientGuide) -> None:
    fragment = render_guide_html(guide)
    root = _tree(fragment)

    assert root.tag == "article" and root.get("lang") == "en-GB"
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    for statement in guide.statements():
        assert "guide-statement-" + statement.statement_id.replace(".", "-") in ids
    signs = root.find(".//li[@id='guide-statement-never-stop-abruptly-why']/ul")
    assert signs is not None and [li.text for li in signs] == list(guide.statement("never-stop-abruptly.why").items)
    headings = [e.text for e in root.iter("h3")]
    assert headings == [s.title for s in guide.sections] + ["Sources"]
    for key in guide.source_keys():
        assert f"guide-ref-{key}" in ids
    # every in-page link points at an element of the fragment
    for a in root.iter("a"):
        href = a.get("href") or ""
        assert href.startswith(("#", "http://", "https://")), href
        if href.startswith("#"):
            assert href[1:] in ids, href


def test_html_links_each_source_to_its_address(guide: PatientGuide) -> None:
    root = _tree(render_guide_html(guide))
    external = {a.get("href") for a in root.iter("a") if not (a.get("href") or "").startswith("#")}
    ref = get_reference("S4")
    assert ref.location.split()[0] in external
    assert all("noopener" in (a.get("rel") or "") for a in root.iter("a") if a.get("href", "").startswith("http"))


def test_html_starts_with_the_disclaimer_and_has_a_table_with_headers(guide: PatientGuide) -> None:
    root = _tree(render_guide_html(guide))
    disclaimer = root.find("p")
    assert disclaimer is not None and disclaimer.get("role") == "note"
    assert "decision support, not medical advice" in "".join(disclaimer.itertext())
    table = root.find(".//table")
    assert table is not None
    assert [th.get("scope") for th in table.iter("th")][:2] == ["col", "col"]
    assert len([th for th in table.iter("th") if th.get("scope") == "row"]) == 6


def test_html_escapes_every_text() -> None:
    nasty = GuideStatement("x.y", "<script>alert({who})</script> & more", (("who", '"me"<b>'),), ("S4",))
    guide = PatientGuide(Locale.US, "<i>title</i>", "<b>not advice</b>", (GuideSection("x", "A & <B>", (nasty,)),), ())

    fragment = render_guide_html(guide, heading_level=1, id_prefix='p"><x')

    assert "<script>" not in fragment and "<i>" not in fragment and "<b>" not in fragment
    assert "&lt;script&gt;alert(&quot;me&quot;&lt;b&gt;)&lt;/script&gt; &amp; more" in fragment
    root = _tree(fragment)
    assert root.find("h1") is not None and root.find(".//h2") is not None
    assert all('"' not in (e.get("id") or "") and "<" not in (e.get("id") or "") for e in root.iter())


def test_html_refuses_a_heading_level_outside_one_to_five(guide: PatientGuide) -> None:
    with pytest.raises(ValueError, match="heading_level"):
        render_guide_html(guide, heading_level=6)


def test_markdown_has_every_section_the_table_and_the_sources(guide: PatientGuide) -> None:
    text = render_guide_markdown(guide)

    for number, section in enumerate(guide.sections, start=1):
        assert f"## {number}. {section.title}" in text
    assert "| | By mouth (oral) | By pump (intrathecal) |" in text
    for statement in guide.statements():
        assert statement.text.replace("|", "\\|") in text
        for item in statement.items:
            assert f"  - {item}" in text or f" {item};" in text
    for key in guide.source_keys():
        assert f"- [{key}] " in text
    assert text.count(guide.disclaimer) == 2  # at the top and at the end
    assert "- taper.min_days_to_zero = 14 days" in text


def test_the_service_reads_the_locale_and_the_settings_from_text() -> None:
    command = show_patient_guide_command(locale="UK", settings=["taper.min_days_to_zero=21"])
    guide = show_patient_guide(command)

    assert guide.locale is Locale.UK
    assert "at least 21 days" in guide.statement("never-stop-abruptly.taper").text


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"locale": "fr"}, InvalidInputError, "locale"),
        ({"settings": ["nope"]}, InvalidInputError, "setting"),
        ({"settings": ["taper.min_days_to_zero=1"]}, InvalidInputError, "taper.min_days_to_zero"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict[str, Any], error: type, field: str) -> None:
    with pytest.raises(error) as caught:
        show_patient_guide(show_patient_guide_command(**kwargs))
    assert caught.value.field == field


def test_a_setting_the_guide_does_not_read_is_refused() -> None:
    with pytest.raises(UnknownNameError) as caught:
        show_patient_guide(show_patient_guide_command(settings=["pk.renal.nonrenal_fraction=0.3"]))
    assert caught.value.field == "setting"


def test_the_clinics_values_reach_the_guide_and_a_requests_value_wins() -> None:
    from baclofen.adapters.memory import StaticSettings

    clinic = StaticSettings({"pump.refill_margin_days": 14, "taper.min_days_to_zero": 21, "cds.risk.lookback_days": 3})

    guide = show_patient_guide(show_patient_guide_command(settings=["taper.min_days_to_zero=28"]), clinic=clinic)

    assert "at least 14 days before the pump's low-reservoir alarm" in guide.statement("never-stop-abruptly.pump").text
    assert "at least 28 days" in guide.statement("never-stop-abruptly.taper").text
    used = {s["name"]: s for s in guide.to_dict()["settings"]}
    assert used["pump.refill_margin_days"]["source"] == "clinic"
    assert "source" not in used["taper.min_days_to_zero"] and used["taper.min_days_to_zero"]["value"] == 28
    assert "cds.risk.lookback_days" not in used  # a clinic value the guide does not read is not reported


def test_the_command_refuses_a_locale_given_as_text() -> None:
    from baclofen.services.commands import ShowPatientGuide

    with pytest.raises(InvalidInputError) as caught:
        ShowPatientGuide(locale="uk")  # type: ignore[arg-type]
    assert caught.value.field == "locale"
