"""The words an emergency team is told about a pump are cited domain data, like the sign sets."""

from __future__ import annotations

from baclofen.domain.evidence import REFERENCES
from baclofen.domain.signs import ITB_EMERGENCY_TEAM, ITB_WITHDRAWAL


def test_what_to_tell_an_emergency_team_cites_the_withdrawal_sources_with_the_boxed_warning() -> None:
    assert ITB_EMERGENCY_TEAM.lines and all(line.strip() for line in ITB_EMERGENCY_TEAM.lines)
    assert ITB_EMERGENCY_TEAM.evidence == ITB_WITHDRAWAL.evidence
    assert "S118" in ITB_EMERGENCY_TEAM.evidence  # the intrathecal label's boxed warning
    assert set(ITB_EMERGENCY_TEAM.evidence) <= set(REFERENCES)
    assert "Do not stop intrathecal baclofen" in ITB_EMERGENCY_TEAM.lines[0]
