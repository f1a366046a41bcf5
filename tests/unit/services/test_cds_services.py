"""CDS use cases from plain values: what a CLI, REST API or web page would pass in and get back."""

from __future__ import annotations

import json

import pytest

from baclofen.adapters.edge.cds import (
    advise_alternatives_command,
    assess_timeline_risk_command,
    check_contraindications_command,
    check_drug_dose_command,
    check_interactions_command,
    evaluate_scale_command,
)
from baclofen.domain.errors import InvalidInputError
from baclofen.services.cds import (
    advise_on_alternatives,
    assess_timeline_risk,
    check_drug_contraindications,
    check_drug_dose,
    check_interactions,
    evaluate_scale,
    parse_settings,
    split_names,
)


def _roundtrip(data: dict) -> dict:
    return json.loads(json.dumps(data))


def test_interactions_from_a_comma_separated_text_are_json_ready() -> None:
    data = check_interactions(check_interactions_command(drugs=" Zanaflex , cipro,unobtainium ")).to_dict()

    assert _roundtrip(data) == data
    assert [f["rule_id"] for f in data["findings"]] == ["INT-TIZ-CYP1A2-001"]
    assert data["findings"][0]["severity"] == "block"
    assert data["findings"][0]["evidence"][0].startswith("[S74]")
    assert data["unknown"][0]["query"] == "unobtainium"
    assert data["complete"] is False


def test_dose_check_from_plain_values() -> None:
    data = check_drug_dose(
        check_drug_dose_command(drug="baclofen", mg_per_day=75, locale="uk", crcl_ml_min=25)
    ).to_dict()

    assert _roundtrip(data) == data
    assert {"DOSE-BAC-KIDNEY-002", "DOSE-BAC-KIDNEY-003"} <= {f["rule_id"] for f in data["findings"]}
    assert data["locale"] == "uk" and data["within_limits"] is False


def test_dose_check_settings_as_name_value_texts() -> None:
    data = check_drug_dose(
        check_drug_dose_command(
            drug="tizanidine", mg_per_day=24, single_dose_mg=14, settings=["cds.tizanidine.max_single_dose_mg=12"]
        )
    ).to_dict()

    assert "DOSE-TIZ-SINGLE-001" in [f["rule_id"] for f in data["findings"]]


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: check_drug_dose(check_drug_dose_command(drug="baclofen", mg_per_day=10, locale="fr")), "locale"),
        (lambda: check_drug_dose(check_drug_dose_command(drug="ITB", mcg_per_day=500, origin="brain")), "origin"),
        (lambda: check_drug_dose(check_drug_dose_command(drug="", mg_per_day=10)), "drug"),
        (lambda: check_interactions(check_interactions_command(drugs="")), "drugs"),
        (lambda: check_interactions(check_interactions_command(drugs="baclofen,,tizanidine")), "drugs"),
        (
            lambda: check_drug_dose(check_drug_dose_command(drug="tizanidine", mg_per_day=10, settings=["novalue"])),
            "setting",
        ),
        (lambda: advise_on_alternatives(advise_alternatives_command(sex="x")), "sex"),
        (
            lambda: advise_on_alternatives(
                advise_alternatives_command(start_date="03/02/2026", switch_to="tizanidine")
            ),
            "start_date",
        ),
        (lambda: advise_on_alternatives(advise_alternatives_command(overrides=["no-equals"])), "override"),
        (lambda: evaluate_scale(evaluate_scale_command(scale="mas", baseline="2", current="6")), "current"),
        (lambda: assess_timeline_risk(assess_timeline_risk_command(timeline={"as_of": "yesterday"})), "timeline.as_of"),
    ],
)
def test_bad_plain_values_name_the_field(call: object, field: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        call()  # type: ignore[operator]

    assert err.value.field == field


def test_contraindications_from_plain_values() -> None:
    data = check_drug_contraindications(
        check_contraindications_command(
            drug="dantrolene", conditions="active liver disease, gout", age_years=50, sex="F"
        )
    ).to_dict()

    assert [f["rule_id"] for f in data["findings"]][:1] == ["CI-DAN-LIVER-001"]
    assert data["unknown_conditions"][0]["query"] == "gout"


def test_alternatives_with_a_cross_taper_from_plain_values() -> None:
    advice = advise_on_alternatives(
        advise_alternatives_command(
            baclofen_outcome="not-tolerated",
            drugs="sertraline",
            crcl_ml_min=55,
            switch_to="tizanidine",
            current_baclofen_mg_per_day=60,
            months_on_therapy=24,
            start_date="2026-03-02",
            locale="us",
        )
    )
    data = advice.to_dict()

    assert _roundtrip(data) == data
    assert data["offered"][:3] == ["physiotherapy", "gabapentin", "tizanidine"]
    assert data["cross_taper"]["taper"]["steps"][-1]["daily_dose_mg"] == 0
    assert data["cross_taper"]["new_drug"]["steps"][0]["date"] == "2026-03-02"


def test_alternatives_accept_override_texts() -> None:
    advice = advise_on_alternatives(
        advise_alternatives_command(
            liver_disease=True, overrides=["CI-DAN-LIVER-001=hepatology reviewed today"], clinician="Dr B"
        )
    )

    assert advice.option("dantrolene").status.value == "caution"


def test_scale_evaluation_from_texts() -> None:
    data = evaluate_scale(
        evaluate_scale_command(scale="nrs", baseline="6", current="4.8", context="nabiximols")
    ).to_dict()

    assert data["responder"] is True
    assert data["findings"][0]["action"].startswith("Continue")


def test_risk_from_a_timeline_document() -> None:
    doc = {
        "as_of": "2026-03-10T09:00:00+00:00",
        "diary": [{"time": "2026-03-09T20:00:00+00:00", "symptoms": ["itching", "feverish"]}],
    }

    data = assess_timeline_risk(
        assess_timeline_risk_command(timeline=doc, settings=["cds.risk.lookback_days=3"])
    ).to_dict()

    assert _roundtrip(data) == data
    assert data["level"] == "high" and data["alert_clinic"] is True
    assert {s["name"]: s["value"] for s in data["settings"]}["cds.risk.lookback_days"] == 3


def test_helpers() -> None:
    assert check_contraindications_command(drug="x").conditions == ()
    assert split_names(None) == []
    assert split_names(["a ", " b"]) == ["a", "b"]
    assert parse_settings(["a=1", "b=2.5", "c=true", "d=older-label"]) == {
        "a": 1,
        "b": 2.5,
        "c": True,
        "d": "older-label",
    }
    assert parse_settings({"x": 1}) == {"x": 1}
