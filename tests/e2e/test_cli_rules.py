"""`baclofen rules list` and `baclofen rules show` (issue 10 item 4, issue 9 "Build"): the rule catalogue on screen,
each rule with its area, severity, whether it can be overridden and its evidence with the source's authority."""

from __future__ import annotations

import pytest

from baclofen.domain.evidence import REFERENCES, format_citation
from baclofen.domain.rules.catalogue import CATALOGUE, RuleArea, rules_in_area
from baclofen.domain.settings import SETTINGS
from baclofen.entrypoints.cli.output import DISCLAIMER


def test_rules_list_json_lists_every_rule_with_area_severity_overridable_and_evidence(run_cli) -> None:
    r = run_cli("rules", "list", "--json")

    assert r.exit_code == 0, r.stderr
    data = r.json()
    assert data["area"] is None and data["count"] == len(CATALOGUE) == len(data["rules"])
    assert [d["rule_id"] for d in data["rules"]] == list(CATALOGUE)
    scope = data["rules"][0]
    assert scope["rule_id"] == "SCOPE-PAEDIATRIC-001"
    assert (scope["area"], scope["severity"], scope["overridable"]) == ("scope", "block", False)
    assert scope["evidence_keys"] == ["S95", "S11", "S114", "S75"]
    assert scope["evidence"][0] == {"key": "S95", "authority": REFERENCES["S95"].authority.value}
    for d in data["rules"]:
        assert {"rule_id", "area", "severity", "overridable", "title", "evidence_keys", "evidence"} <= set(d)
        assert [e["key"] for e in d["evidence"]] == d["evidence_keys"]


@pytest.mark.parametrize("area", [a.value for a in RuleArea])
def test_rules_list_area_lists_the_rules_of_that_area_only(run_cli, area: str) -> None:
    data = run_cli("rules", "list", "--area", area, "--json").json()

    assert data["area"] == area
    assert [d["rule_id"] for d in data["rules"]] == [e.rule_id for e in rules_in_area(RuleArea(area))]
    assert {d["area"] for d in data["rules"]} == {area}


def test_rules_list_area_is_read_whatever_the_case(run_cli) -> None:
    assert run_cli("rules", "list", "--area", " PUMP ", "--json").json()["area"] == "pump"


@pytest.mark.parametrize("area", ["zzz", "", "oral,itb", "DROP TABLE"])
def test_an_unknown_area_exits_2_with_one_line_naming_the_option_and_the_areas(run_cli, area: str) -> None:
    r = run_cli("rules", "list", "--area", area)

    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: --area")
    assert all(a.value in r.stderr for a in RuleArea)


def test_rules_list_table_shows_each_rule_with_its_evidence_and_authority_and_the_disclaimer(run_cli) -> None:
    r = run_cli("rules", "list", "--area", "scope")

    assert r.exit_code == 0, r.stderr
    assert "SCOPE-PAEDIATRIC-001" in r.stdout and "block" in r.stdout
    assert "S95 (label)" in r.stdout
    assert "no (absolute)" in r.stdout
    assert DISCLAIMER in " ".join(r.stdout.split())
    assert "1 rule" in r.stdout


def test_rules_list_table_of_every_rule_names_each_one(run_cli) -> None:
    r = run_cli("rules", "list")

    assert r.exit_code == 0, r.stderr
    assert all(rule_id in r.stdout for rule_id in CATALOGUE)
    assert f"{len(CATALOGUE)} rules" in r.stdout


def test_rules_show_json_gives_severity_overridable_evidence_with_citations_and_the_settings_it_reads(run_cli) -> None:
    r = run_cli("rules", "show", "PUMP-FCST-003", "--json")

    assert r.exit_code == 0, r.stderr
    data = r.json()
    rule = CATALOGUE["PUMP-FCST-003"].rule
    assert (data["rule_id"], data["area"], data["severity"], data["overridable"], data["title"]) == (
        "PUMP-FCST-003",
        "pump",
        rule.severity.value,
        rule.overridable,
        rule.title,
    )
    assert data["evidence"] == [
        {"key": k, "authority": REFERENCES[k].authority.value, "citation": format_citation(k)} for k in rule.evidence
    ]
    assert rule.settings and [s["name"] for s in data["settings"]] == list(rule.settings)
    for shown in data["settings"]:
        setting = SETTINGS[shown["name"]]
        assert (shown["status"], shown["default"]) == (setting.status.value, setting.default)
    assert data["defined_in"] == "baclofen.domain.rules.itb.forecast"


def test_rules_show_table_gives_the_rule_its_evidence_its_settings_and_the_disclaimer(run_cli) -> None:
    r = run_cli("rules", "show", "pump-fcst-003")

    assert r.exit_code == 0, r.stderr
    text = " ".join(r.stdout.split())
    rule = CATALOGUE["PUMP-FCST-003"].rule
    assert "PUMP-FCST-003" in text and rule.title in text
    assert all(k in text for k in rule.evidence)
    assert REFERENCES[rule.evidence[0]].authority.value in text
    assert rule.settings and all(name in text and SETTINGS[name].status.value in text for name in rule.settings)
    assert DISCLAIMER in text


def test_rules_show_says_when_a_rule_reads_no_setting_or_does_not_declare_them(run_cli) -> None:
    none = next(e.rule_id for e in CATALOGUE.values() if e.rule.settings == ())
    undeclared = next(e.rule_id for e in CATALOGUE.values() if e.rule.settings is None)

    assert "Settings it reads: none" in run_cli("rules", "show", none).stdout
    assert "not declared" in run_cli("rules", "show", undeclared).stdout
    assert run_cli("rules", "show", undeclared, "--json").json()["settings"] is None


def test_rules_show_of_an_absolute_block_says_it_cannot_be_overridden(run_cli) -> None:
    r = run_cli("rules", "show", "INT-TIZ-CYP1A2-001")

    assert r.exit_code == 0, r.stderr
    assert "cannot be overridden" in " ".join(r.stdout.split())


@pytest.mark.parametrize(("rule_id", "near"), [("ORAL-MAX-01", "ORAL-MAX-001"), ("PUMP-REFIL-003", "PUMP-REFILL-003")])
def test_an_unknown_rule_id_exits_2_with_one_line_naming_it_and_near_matches(run_cli, rule_id: str, near: str) -> None:
    r = run_cli("rules", "show", rule_id)

    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: RULE-ID")
    assert rule_id in r.stderr and near in r.stderr


@pytest.mark.parametrize("rule_id", ["", "NOTHING-LIKE-IT-999", "DROP TABLE"])
def test_a_rule_id_nothing_like_any_rule_exits_2_with_one_line(run_cli, rule_id: str) -> None:
    r = run_cli("rules", "show", rule_id, "--json")

    assert r.exit_code == 2 and r.stdout == "" and r.stderr.count("\n") == 1
    assert r.stderr.startswith("error: RULE-ID") and "did you mean" not in r.stderr


def test_rules_show_without_an_id_exits_2(run_cli) -> None:
    r = run_cli("rules", "show")

    assert r.exit_code == 2 and "RULE-ID" in r.stderr
