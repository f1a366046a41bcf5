"""Withdrawal and overdose risk engine (:mod:`baclofen.domain.cds.risk.program` until it is split by subject)."""

from baclofen.domain.cds.risk.program import *  # noqa: F403
from baclofen.domain.cds.risk.program import RESERVOIR_EMPTY, RESERVOIR_LOW, __all__  # noqa: F401
