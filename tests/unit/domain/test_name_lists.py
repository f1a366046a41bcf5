"""Issue 8, round 2, defect 1: one name-list parser, used by every path that takes medicines or conditions."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baclofen.adapters.edge.plan import plan_taper_command, plan_titration_command
from baclofen.domain.cds.alternatives import BaclofenOutcome, advise_alternatives, plan_cross_taper
from baclofen.domain.cds.comedication import screen_plan_medicines
from baclofen.domain.cds.contraindications import screen_contraindications
from baclofen.domain.cds.interactions import screen_interactions
from baclofen.domain.conditions import Condition, parse_conditions
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.names import parse_name_list
from baclofen.domain.oral.taper import plan_taper
from baclofen.domain.patient import PatientSnapshot
from baclofen.services.planning import plan_oral_taper, plan_oral_titration, with_comedication_findings

#: Never one name (nor an item of a list of names).
BAD_ITEMS = ["a;b", "a|b", "a\tb", "a\nb", "a\rb", "a\x00b", "", " ", ",", "-"]
#: Never a comma-separated list of names.
BAD = [*BAD_ITEMS, "a,,b", "a, ,b", "a,"]


@pytest.mark.parametrize(
    ("value", "names"),
    [
        (None, ()),
        ((), ()),
        ("tizanidine", ("tizanidine",)),
        (" tizanidine , Cipro ", ("tizanidine", "Cipro")),
        (["a ", " b"], ("a", "b")),
        (
            ["spasticity used for posture, balance or function", " stroke"],
            ("spasticity used for posture, balance or function", "stroke"),
        ),
        ("carbidopa/levodopa", ("carbidopa/levodopa",)),
    ],
)
def test_a_comma_separated_text_or_a_list_gives_its_names(value, names) -> None:
    assert parse_name_list(value, "drugs") == names


@pytest.mark.parametrize("value", [*BAD, ["a", ""], ["a;b"], [","], [3]], ids=repr)
def test_issue8_r2_d1_a_list_not_separated_by_commas_is_refused_naming_the_field(value) -> None:
    """'`plan titrate --drugs 'a;b' --json` (and `plan taper`) exits 0': the rule holds in the parser itself."""
    with pytest.raises(InvalidInputError) as err:
        parse_name_list(value, "conditions")
    assert err.value.field == "conditions"


@given(
    st.lists(
        st.text(st.characters(blacklist_categories=("Cc", "Cs")), min_size=1).filter(
            lambda t: any(c.isalnum() for c in t) and not set(t) & set(",;|")
        ),
        min_size=1,
        max_size=5,
    )
)
def test_joined_names_come_back_as_given(names: list[str]) -> None:
    assert parse_name_list(",".join(names), "drugs") == tuple(n.strip() for n in names)


@pytest.mark.parametrize("value", BAD, ids=repr)
@pytest.mark.parametrize(
    "path",
    [
        lambda v: screen_interactions(v),
        lambda v: screen_plan_medicines(v),
        lambda v: advise_alternatives(baclofen_outcome=BaclofenOutcome.FAILED, current_drugs=v),
        lambda v: plan_cross_taper(
            start_date=date(2026, 12, 1), from_mg_per_day=30, new_drug="tizanidine", current_drugs=[*v.split(",")]
        ),
        lambda v: with_comedication_findings(plan_taper(start_date=date(2026, 12, 1), from_mg_per_day=30), v),
        lambda v: plan_oral_titration(plan_titration_command(start_date="2026-12-01", current_drugs=v)),
        lambda v: plan_oral_taper(plan_taper_command(from_mg_per_day=30, start_date="2026-12-01", current_drugs=v)),
    ],
    ids=[
        "screen_interactions",
        "screen_plan_medicines",
        "advise_alternatives",
        "plan_cross_taper",
        "with_comedication_findings",
        "plan_oral_titration",
        "plan_oral_taper",
    ],
)
def test_issue8_r2_d1_every_medicine_path_refuses_a_malformed_list(path, value) -> None:
    with pytest.raises(InvalidInputError) as err:
        path(value)
    assert err.value.field == "drugs"


@pytest.mark.parametrize("value", BAD_ITEMS, ids=repr)
@pytest.mark.parametrize(
    "path",
    [
        lambda v: parse_conditions([v]),
        lambda v: PatientSnapshot(conditions=frozenset([v])),
        lambda v: screen_contraindications("baclofen", [v]),
        lambda v: advise_alternatives(baclofen_outcome=BaclofenOutcome.FAILED, conditions=[v]),
    ],
    ids=["parse_conditions", "PatientSnapshot", "screen_contraindications", "advise_alternatives"],
)
def test_issue8_r2_d1_every_condition_path_refuses_a_malformed_list(path, value) -> None:
    with pytest.raises(InvalidInputError) as err:
        path(value)
    assert err.value.field == "conditions"


def test_conditions_as_one_text_are_split_at_commas_and_as_a_list_are_taken_whole() -> None:
    posture = "spasticity used for posture, balance or function"
    assert parse_conditions("epilepsy, pregnancy") == ((Condition.EPILEPSY, Condition.PREGNANCY), ())
    assert parse_conditions([posture, Condition.EPILEPSY]) == (
        (Condition.POSTURE_DEPENDENT_SPASTICITY, Condition.EPILEPSY),
        (),
    )
    assert PatientSnapshot(conditions=frozenset([f" {posture} "])).conditions == {posture}
