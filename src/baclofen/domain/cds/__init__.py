"""Clinical decision support: drug catalogue, interactions, dose limits, alternatives, scales, risk.

Every answer is data with its reasoning and citation keys (``../shared/domain/clinical.md`` §6-§9):

* :mod:`~baclofen.domain.cds.drugs` - drug catalogue and name normalisation (generic, brand, code);
* :mod:`~baclofen.domain.cds.interactions` - the interaction table and :func:`screen_interactions`;
* :mod:`~baclofen.domain.cds.dose_limits` - per-drug daily maxima and :func:`check_dose`;
* :mod:`~baclofen.domain.cds.alternatives` - guideline-ordered alternatives and cross-taper;
* :mod:`~baclofen.domain.cds.scales` - typed outcome scales and response evaluation;
* :mod:`~baclofen.domain.cds.risk` - withdrawal and overdose risk engine over a patient timeline.
"""
