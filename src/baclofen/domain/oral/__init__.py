"""Oral baclofen planning: limits and settings, plan values, titration and taper planners.

Modules: :mod:`~baclofen.domain.oral.limits` (cited constants and settings),
:mod:`~baclofen.domain.oral.plan` (``Plan``, ``PlanStep``, ``ScheduledDose``),
:mod:`~baclofen.domain.oral.titration` (``plan_titration``), :mod:`~baclofen.domain.oral.taper`
(``plan_taper``). The safety rules they evaluate live in :mod:`baclofen.domain.rules.oral`.
"""
