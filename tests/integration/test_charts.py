"""Charts for pages and reports (issue 12 item 3): reservoir forecast, exposure with its bands, diary vs dose.

Each chart is an SVG string: it parses as XML, says its key facts in words (<title>, <desc>), shows the key
dates as text, has no script, and the same input gives the same bytes.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from xml.etree import ElementTree

import pytest

from baclofen.adapters.charts import (
    DailyDose,
    render_diary_chart,
    render_exposure_chart,
    render_reservoir_chart,
)
from baclofen.adapters.edge.plan import plan_titration_command
from baclofen.domain.cds.scales import PennSpasmScore
from baclofen.domain.clinic.diary import DiaryEntryRecord
from baclofen.domain.errors import InvalidInputError
from baclofen.services.commands import ForecastPump
from baclofen.services.itb import forecast_pump
from baclofen.services.planning import plan_oral_titration
from tests.simulations import intrathecal_simulation, oral_simulation, plan_simulation

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)


def forecast(**kw: object):  # type: ignore[no-untyped-def]
    values: dict[str, object] = {
        "pump": "synchromed-ii-20",
        "volume_ml": 20,
        "concentration_mcg_per_ml": 500,
        "filled": date(2027, 1, 6),
        "daily_dose_mcg": 200,
    }
    return forecast_pump(ForecastPump(**(values | kw)))  # type: ignore[arg-type]


def parsed(svg: str) -> ElementTree.Element:
    root = ElementTree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def title_and_desc(svg: str) -> tuple[str, str]:
    root = parsed(svg)
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and desc is not None
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return title.text or "", desc.text or ""


def texts(svg: str) -> str:
    """All the text drawn on the chart (labels, ticks, legend, caption), joined."""
    return " ".join("".join(t.itertext()) for t in parsed(svg).iter(f"{SVG}text"))


def assert_safe(svg: str) -> None:
    root = parsed(svg)
    assert not list(root.iter(f"{SVG}script"))
    assert "<script" not in svg.lower()
    assert not re.search(r"\son[a-z]+=", svg), "no event handler attributes"
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg, "inlinable in HTML as it is"
    assert "<font" not in svg and "glyph" not in svg, "no embedded fonts: text is text"
    assert " style=" not in svg and "<style" not in svg, "no inline style: a strict Content-Security-Policy draws it"


def diary(day: int, **kw: object) -> DiaryEntryRecord:
    return DiaryEntryRecord(f"D-{day}", "P-1", START + timedelta(days=day), **kw)  # type: ignore[arg-type]


# --- reservoir ------------------------------------------------------------------------------------------------------


def test_the_reservoir_chart_names_the_alarm_empty_and_refill_dates_in_words_and_on_the_chart() -> None:
    result = forecast(implanted=date(2022, 3, 1), as_of=date(2027, 2, 1))
    assert (result.low_reservoir_alarm_date, result.empty_date) == (date(2027, 2, 20), date(2027, 2, 25))
    assert result.recommended_refill_date == date(2027, 2, 13)
    assert result.battery is not None and result.battery.shutoff_date == date(2027, 3, 1)

    svg = render_reservoir_chart(result)

    assert_safe(svg)
    title, desc = title_and_desc(svg)
    assert "SynchroMed II 20 mL" in title
    for words in (
        "filled 2027-01-06 with 20 mL",
        "low-reservoir alarm at 2 mL on 2027-02-20",
        "empty on 2027-02-25",
        "refill by 2027-02-13",
        "pump may stop by 2027-03-01",
    ):
        assert words in desc
    drawn = texts(svg)
    for day in ("2027-02-20", "2027-02-25", "2027-02-13", "2027-03-01", "2027-02-01"):
        assert day in drawn, day
    assert "Volume in reservoir (mL)" in drawn
    assert "Date" in drawn


def test_the_reservoir_chart_is_byte_identical_on_two_renders_and_small() -> None:
    """Speed is measured in benchmarks/, never asserted in a test."""
    result = forecast()
    first = render_reservoir_chart(result)

    assert render_reservoir_chart(result) == first
    assert len(first) < 150_000, "small enough to inline"


def test_an_over_infusing_pump_draws_the_observed_rate_with_its_own_dates() -> None:
    result = forecast(observed_rate_factor=1.25)
    assert result.observed_alarm_at is not None and result.observed_empty_at is not None

    svg = render_reservoir_chart(result)

    _, desc = title_and_desc(svg)
    observed = result.observed_alarm_at.date().isoformat()
    assert f"at the observed rate (x1.25) the alarm is on {observed}" in desc
    assert "observed rate" in texts(svg)


def test_no_date_before_the_alarm_is_said_not_left_blank() -> None:
    result = forecast(volume_ml=3, daily_dose_mcg=400)
    assert result.recommended_refill_date is None

    svg = render_reservoir_chart(result)

    _, desc = title_and_desc(svg)
    assert "no refill date before the alarm" in desc
    assert "No refill date before the alarm after this fill: refill now" in texts(svg)


def test_something_other_than_a_forecast_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInputError) as err:
        render_reservoir_chart(None)  # type: ignore[arg-type]

    assert err.value.field == "forecast"


# --- exposure -------------------------------------------------------------------------------------------------------


def test_the_exposure_chart_shows_the_bands_with_their_sources_and_units() -> None:
    result = oral_simulation(20.0, interval_h=8.0, doses=9)

    svg = render_exposure_chart(result)

    assert_safe(svg)
    title, desc = title_and_desc(svg)
    data = result.to_dict()
    assert "Oral baclofen" in title
    assert f"peak {data['cmax_ng_per_ml']:.0f} ng/mL" in desc
    assert "usual therapeutic (as quoted by clinical labs) 80-400 ng/mL" in desc
    drawn = texts(svg)
    assert "Plasma concentration (ng/mL)" in drawn
    assert "mg/L" not in drawn, "one unit only"
    assert "UMEM2020" in drawn and "HDCase" in drawn, "the bands' sources in the caption"
    assert "not a validated PD model" in drawn
    assert render_exposure_chart(result) == svg


def test_an_exposure_with_a_population_draws_its_ribbon() -> None:
    result = oral_simulation(20.0, doses=3, population=200, seed=3)

    svg = render_exposure_chart(result)

    assert "5th-95th percentile" in texts(svg)
    assert "5th-95th percentile" in title_and_desc(svg)[1]


def test_an_intrathecal_simulation_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidInputError) as err:
        render_exposure_chart(intrathecal_simulation(300.0))

    assert err.value.field == "simulation"


# --- diary ----------------------------------------------------------------------------------------------------------


def test_the_diary_chart_puts_scores_and_dose_on_separate_labelled_axes() -> None:
    entries = [
        diary(0, spasm_frequency=PennSpasmScore(3, 2), pain_nrs=6, stiffness_nrs=7),
        diary(3, spasm_frequency=PennSpasmScore(2, 2), pain_nrs=5, stiffness_nrs=5),
        diary(6, spasm_frequency=PennSpasmScore(1, 1), pain_nrs=3, stiffness_nrs=4),
    ]
    doses = [
        DailyDose(date(2026, 3, 1), 30.0, "mg/day"),
        DailyDose(date(2026, 3, 4), 45.0, "mg/day"),
        DailyDose(date(2026, 3, 7), 60.0, "mg/day"),
    ]

    svg = render_diary_chart(entries, doses)

    assert_safe(svg)
    title, desc = title_and_desc(svg)
    assert "2026-03-01 to 2026-03-07" in title
    assert "spasm frequency (Penn 0-4) 3 on 2026-03-01, 1 on 2026-03-07" in desc
    assert "pain (NRS 0-10) 6 on 2026-03-01, 3 on 2026-03-07" in desc
    assert "oral baclofen 30 mg/day on 2026-03-01, 60 mg/day on 2026-03-07" in desc
    drawn = texts(svg)
    assert "Oral baclofen (mg/day)" in drawn
    assert "NRS (0-10)" in drawn and "Penn spasm frequency (0-4)" in drawn
    assert "mcg/day" not in drawn
    assert render_diary_chart(entries, doses) == svg


def test_oral_and_intrathecal_doses_get_one_axis_each() -> None:
    entries = [diary(0, pain_nrs=5), diary(2, pain_nrs=4)]
    doses = [DailyDose(date(2026, 3, 1), 20.0, "mg/day"), DailyDose(date(2026, 3, 3), 150.0, "mcg/day")]

    drawn = texts(render_diary_chart(entries, doses))

    assert "Oral baclofen (mg/day)" in drawn and "Intrathecal baclofen (mcg/day)" in drawn


def test_one_diary_entry_gives_a_clear_chart() -> None:
    svg = render_diary_chart([diary(0, pain_nrs=4)], [])

    _, desc = title_and_desc(svg)
    assert "1 diary entry" in desc
    assert "pain (NRS 0-10) 4 on 2026-03-01" in desc
    assert "no daily dose given" in desc
    assert "2026-03-01" in texts(svg)


@pytest.mark.parametrize(
    ("entries", "doses", "field"),
    [
        ([], [], "entries"),
        ([diary(0, pain_nrs=4)], [DailyDose(date(2026, 3, 1), 20.0, "mg")], "daily_doses[0].unit"),
        ([diary(0, pain_nrs=4)], [DailyDose(date(2026, 3, 1), -1.0, "mg/day")], "daily_doses[0].dose"),
        (["not an entry"], [], "entries[0]"),
    ],
)
def test_empty_or_bad_diary_input_is_refused_naming_the_field(entries, doses, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInputError) as err:
        render_diary_chart(entries, doses)

    assert err.value.field == field


def test_a_plan_regimen_is_drawn_against_its_dates() -> None:
    plan = plan_oral_titration(plan_titration_command(start_date="2026-03-01", dose_times="07:30,13:20,21:10"))
    result = plan_simulation(plan, washout_h=36.0)

    svg = render_exposure_chart(result)

    title, desc = title_and_desc(svg)
    assert title.startswith("Plan regimen")
    peak = datetime(2026, 3, 1) + timedelta(hours=result.exposure.tmax_h)  # type: ignore[union-attr]
    assert f"({peak:%Y-%m-%d %H:%M})" in desc
    drawn = texts(svg)
    assert "Date (the plan starts 2026-03-01 00:00)" in drawn
    assert "2026-03-07" in drawn


# --- one page, several charts ---------------------------------------------------------------------------------------


def test_charts_inlined_on_one_page_share_no_element_id() -> None:
    page = [
        render_reservoir_chart(forecast()),
        render_reservoir_chart(forecast(volume_ml=18)),
        render_exposure_chart(oral_simulation(10.0)),
        render_diary_chart([diary(0, pain_nrs=4)], []),
    ]

    ids = [i for svg in page for i in re.findall(r'\sid="([^"]+)"', svg)]

    assert len(ids) == len(set(ids))
    for svg in page:
        referenced = set(re.findall(r'(?:url\(#|href="#)([^)"]+)', svg))
        assert referenced <= set(re.findall(r'\sid="([^"]+)"', svg)), "every reference resolves within its chart"
        assert "<style" not in svg, "no style sheet that would reach the rest of the page"


def test_a_fill_with_a_utc_offset_is_drawn_on_the_pump_clock() -> None:
    plus_one = timezone(timedelta(hours=1))
    result = forecast(
        filled=datetime(2027, 1, 6, 23, 30, tzinfo=plus_one), as_of=datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
    )

    svg = render_reservoir_chart(result)

    _, desc = title_and_desc(svg)
    assert f"empty on {result.empty_date.isoformat()}" in desc
    assert "As of 2027-02-01" in texts(svg)


def test_the_title_and_description_are_escaped() -> None:
    from baclofen.adapters.charts import _figure, _svg

    with _figure(2.0) as fig:
        fig.add_subplot(1, 1, 1)
        svg = _svg(fig, "test", 'a <b> & "c"', "<script>alert(1)</script>")

    title, desc = title_and_desc(svg)
    assert (title, desc) == ('a <b> & "c"', "<script>alert(1)</script>")
    assert_safe(svg)
