"""Clinical decision-support rules, collected from the CDS modules that define them next to their data.

Id prefixes: ``INT-*`` drug-drug interactions (:mod:`baclofen.domain.cds.interactions`), ``CI-*``
drug-condition contraindications and warnings (:mod:`baclofen.domain.cds.contraindications`), ``DOSE-*``
per-drug dose limits (:mod:`baclofen.domain.cds.dose_limits`), ``SCALE-*`` responder definitions
(:mod:`baclofen.domain.cds.scales`), ``RISK-*`` withdrawal and overdose risks
(:mod:`baclofen.domain.cds.risk`), ``SCOPE-*`` patients out of scope (:mod:`baclofen.domain.rules.scope`, shared
with the oral plans), and ``ORAL-DIALYSIS-002``, the one rule for a baclofen dose above the dialysis dose, shared
by ``check dose`` and the oral planner (one condition, one rule). Every rule cites evidence; ids are stable and
never reused.

>>> sorted({r.rule_id for r in CDS_RULES
...         if r.rule_id.split("-")[0] not in ("INT", "CI", "DOSE", "SCALE", "RISK", "SCOPE")})
['ORAL-DIALYSIS-002']
"""

from __future__ import annotations

from typing import Any

from baclofen.domain.cds.contraindications import CONTRAINDICATION_RULES
from baclofen.domain.cds.dose_limits import DOSE_RULES
from baclofen.domain.cds.interactions import INTERACTION_RULES
from baclofen.domain.cds.risk import ALL_RISK_RULES
from baclofen.domain.cds.scales import ITB_SCREENING_RESPONSE, NABIXIMOLS_RESPONSE, NRS_30_RESPONSE
from baclofen.domain.rules.core import Rule

# each rule reads its own context type, so the catalogue of all of them is of Rule[Any]
CDS_RULES: tuple[Rule[Any], ...] = (
    *INTERACTION_RULES,
    *CONTRAINDICATION_RULES,
    *DOSE_RULES,
    NABIXIMOLS_RESPONSE,
    ITB_SCREENING_RESPONSE,
    NRS_30_RESPONSE,
    *ALL_RISK_RULES,
)

__all__ = ["CDS_RULES"]
