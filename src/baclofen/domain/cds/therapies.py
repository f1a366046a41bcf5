"""The alternatives advisor's cited data (:mod:`baclofen.domain.cds.alternatives`): each therapy's dose and
monitoring texts (:func:`cited_therapies`, with the settings they read), where each guideline puts each option
(:data:`ORDERINGS`) and the new drug's cited titration start in a cross-taper (:data:`NEW_DRUG_START_RULES`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from baclofen.domain.cds.dose_limits import NABIXIMOLS_MAX_SPRAYS_PER_DAY
from baclofen.domain.cds.scales import NABIXIMOLS_CONTINUATION_FRACTION, NABIXIMOLS_TRIAL_WEEKS
from baclofen.domain.evidence import format_evidence
from baclofen.domain.oral.limits import locale_ceiling_setting
from baclofen.domain.patient import Locale
from baclofen.domain.settings import EvidenceStatus, Setting, SettingValues


class Guideline(Enum):
    """The guidelines that can order the alternatives (``cds.alternatives.guideline``; the sources DISAGREE)."""

    NICE = "nice"
    EUROPEAN_CONSENSUS = "european-consensus"
    MS_IRELAND = "ms-ireland"
    NHS_SCOTLAND_ABI = "nhs-scotland-abi"


TIZANIDINE_LFT_SCHEDULE = Setting(
    name="cds.tizanidine.lft_schedule",
    default="current-label",
    unit="schedule",
    status=EvidenceStatus.DISAGREE,
    evidence=("S75", "S110b", "S72"),
    description="Tizanidine aminotransferase monitoring: current-label = baseline and 1 month after the maximum "
    "dose is reached (Nov 2024 labels [S75]); older-label = baseline, 1, 3 and 6 months, then "
    "periodically (older Zanaflex label [S72]). DISAGREE (clinical.md §8.2).",
    choices=("current-label", "older-label"),
)
DANTROLENE_NO_BENEFIT_DAYS = Setting(
    name="cds.dantrolene.no_benefit_stop_days",
    default=45,
    unit="days",
    status=EvidenceStatus.DISAGREE,
    evidence=("S78", "S77", "S80"),
    description="Stop dantrolene if there is no benefit within this many days: 45 days (US boxed warning [S78]) vs "
    "6-8 weeks (42-56 days, UK-style [S80]). DISAGREE (clinical.md §8.3).",
    minimum=14,
    maximum=56,
)
#: The tizanidine liver-test monitoring text and its evidence, by ``cds.tizanidine.lft_schedule``.
TIZANIDINE_LFT_TEXT = {
    "current-label": ("aminotransferases at baseline and 1 month after the maximum dose is reached", ("S75", "S110b")),
    "older-label": ("aminotransferases at baseline, 1, 3 and 6 months, then periodically", ("S72",)),
}


@dataclass(frozen=True, slots=True)
class Cited:
    """A sentence with its citation keys."""

    text: str
    evidence: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "evidence": format_evidence(self.evidence), "evidence_keys": list(self.evidence)}


@dataclass(frozen=True, slots=True)
class Therapy:
    """An option's cited facts, independent of the patient."""

    key: str
    name: str
    drug_key: str | None
    dose: tuple[Cited, ...]
    monitoring: tuple[Cited, ...] = ()


def cited_therapies(locale: Locale, values: SettingValues) -> dict[str, Therapy]:
    ceiling = float(locale_ceiling_setting(locale).default)
    tiz_us = Cited(
        "2 mg, repeatable every 6-8 h up to 3 doses in 24 h; increase by 2-4 mg per dose with 1-4 days "
        "between increases; maximum 36 mg/day; single doses > 16 mg not studied (US label)",
        ("S73", "S110b"),
    )
    tiz_uk = Cited(
        "2 mg once daily, increased in 2 mg/day steps at intervals of at least 3-4 days, usually up to "
        "24 mg/day in 3-4 doses; maximum 36 mg/day (UK formulary)",
        ("S25", "S26"),
    )
    dan_us = Cited(
        "25 mg daily for 7 days, then 25 mg three times daily for 7 days, 50 mg three times daily for 7 days, "
        "then 100 mg three times daily; maximum 100 mg four times daily (400 mg/day)",
        ("S77",),
    )
    dan_uk = Cited(
        "25 mg daily, increased weekly; usually 75 mg three times daily; maximum 100 mg four times daily",
        ("S80", "S25"),
    )
    lft = values.get(TIZANIDINE_LFT_SCHEDULE)
    lft_text, lft_ev = TIZANIDINE_LFT_TEXT[lft]
    no_benefit = values.get(DANTROLENE_NO_BENEFIT_DAYS)
    sprays = values.get(NABIXIMOLS_MAX_SPRAYS_PER_DAY)
    return {
        t.key: t
        for t in (
            Therapy(
                "physiotherapy",
                "physiotherapy and non-drug measures",
                None,
                (
                    Cited(
                        "stretching, positioning, splinting and physiotherapy first and alongside every drug step; "
                        "treat aggravating factors (infection, pressure sores, bladder and bowel problems)",
                        ("S26", "S27", "S84", "S25"),
                    ),
                ),
            ),
            Therapy(
                "baclofen",
                "oral baclofen",
                "baclofen",
                (
                    Cited(
                        f"5 mg three times daily, increased by 5 mg per dose every 3 days (US label) or weekly (NHS "
                        f"Scotland); maximum {ceiling:g} mg/day ({locale.value.upper()})",
                        ("S1", "S4", "S24", "S26"),
                    ),
                ),
                (
                    Cited("periodic laboratory tests in liver disease or diabetes", ("S15",)),
                    Cited(
                        "discontinue if no benefit within 6 weeks (UK); review after 6-8 weeks (eTG); withdraw slowly",
                        ("S24", "S27", "S14"),
                    ),
                ),
            ),
            Therapy(
                "gabapentin",
                "gabapentin (off-label for spasticity)",
                "gabapentin",
                (
                    Cited(
                        "doses as for neuropathic pain: 300 mg day 1, 600 mg day 2, 900 mg day 3, then titrate to "
                        "1800 mg/day; label efficacy range 1800-3600 mg/day; no more than 12 h between doses. A "
                        "spasticity-specific target is UNCONFIRMED",
                        ("S24", "S97", "S98"),
                    ),
                ),
                (Cited("monitoring as for neuropathic pain", ("S24",)),),
            ),
            Therapy(
                "tizanidine",
                "tizanidine",
                "tizanidine",
                (tiz_uk, tiz_us) if locale is Locale.UK else (tiz_us, tiz_uk),
                (
                    Cited(f"liver tests: {lft_text} ({TIZANIDINE_LFT_SCHEDULE.name} = {lft})", lft_ev),
                    Cited(
                        "blood pressure: two-thirds of patients on 8 mg had a 20 % fall, from 1 h, peaking at 2-3 h",
                        ("S76",),
                    ),
                    Cited("with CrCl < 25 mL/min reduce individual doses", ("S72", "S73")),
                    Cited(
                        "when stopping, taper by 2-4 mg/day to avoid rebound hypertension, tachycardia and hypertonia",
                        ("S73", "S110b"),
                    ),
                ),
            ),
            Therapy(
                "dantrolene",
                "dantrolene (oral)",
                "dantrolene",
                (dan_uk, dan_us) if locale is Locale.UK else (dan_us, dan_uk),
                (
                    Cited(
                        "boxed warning, hepatotoxicity: monitor liver function tests; overt hepatitis most often in "
                        "months 3-12; risk greatest in females, over 35 years and with estrogens; dose-related "
                        "(much higher at >= 800 mg/day)",
                        ("S78", "S77"),
                    ),
                    Cited(
                        f"stop if no benefit within {no_benefit} days ({DANTROLENE_NO_BENEFIT_DAYS.name}; "
                        "45 days US vs 6-8 weeks UK)",
                        DANTROLENE_NO_BENEFIT_DAYS.evidence,
                    ),
                ),
            ),
            Therapy(
                "diazepam",
                "diazepam at night",
                "diazepam",
                (Cited("2.5 mg at night, up to 5 mg, added for night spasms", ("S27",)),),
                (
                    Cited(
                        "sedation is a disadvantage (muscle-relaxant doses are similar to anxiolytic doses)",
                        ("S111b", "S25"),
                    ),
                ),
            ),
            Therapy(
                "clonazepam",
                "clonazepam at night",
                "clonazepam",
                (Cited("0.5 mg at night, up to 2 mg (better tolerated than diazepam)", ("S27",)),),
                (Cited("sedation", ("S111b",)),),
            ),
            Therapy(
                "nabiximols",
                "nabiximols (THC:CBD spray)",
                "nabiximols",
                (
                    Cited(
                        f"{NABIXIMOLS_TRIAL_WEEKS}-week trial; titrate over 2 weeks; maximum {sprays} sprays a day, at "
                        "least 15 min apart",
                        ("S85", "S87"),
                    ),
                ),
                (
                    Cited(
                        f"review at {NABIXIMOLS_TRIAL_WEEKS} weeks: continue only with at least "
                        f"{NABIXIMOLS_CONTINUATION_FRACTION:.0%} improvement in spasticity (0-10 NRS)",
                        ("S85", "S87", "S88"),
                    ),
                ),
            ),
            Therapy(
                "botulinum-toxin",
                "botulinum toxin (focal)",
                "onabotulinumtoxina",
                (
                    Cited(
                        "injections repeated every 3-4 months; full effect after 10-14 days; combine with stretching "
                        "and physiotherapy",
                        ("S84",),
                    ),
                ),
            ),
            Therapy(
                "intrathecal-baclofen",
                "intrathecal baclofen (ITB)",
                "baclofen-intrathecal",
                (
                    Cited(
                        "screening bolus 50 mcg, then 75 and 100 mcg at least 24 h apart; no implant after no response "
                        "to 100 mcg; spinal maintenance usually 300-800 mcg/day",
                        ("S1", "S38", "S2", "S36"),
                    ),
                ),
                (
                    Cited(
                        "screening in an equipped setting; cardiopulmonary monitoring during the first 2 h; not during "
                        "an MS exacerbation or active UTI",
                        ("S41", "S39"),
                    ),
                ),
            ),
        )
    }


@dataclass(frozen=True, slots=True)
class Position:
    """Where a guideline puts an option: its line label, rank, evidence and whether the position is confirmed."""

    key: str
    line: str
    evidence: tuple[str, ...]
    status: EvidenceStatus = EvidenceStatus.CONFIRMED


def _orderings() -> dict[Guideline, tuple[Position, ...]]:
    physio = Position("physiotherapy", "non-drug: first and throughout", ("S26", "S27", "S84"))
    botox = Position("botulinum-toxin", "focal spasticity", ("S84",))
    itb = Position("intrathecal-baclofen", "severe spasticity", ("S37", "S35"))
    nabx = Position("nabiximols", "when other drugs are not effective (NICE NG144)", ("S85", "S87"))
    return {
        Guideline.NICE: (
            physio,
            Position("baclofen", "first line", ("S81", "S82")),
            Position("gabapentin", "first line", ("S81", "S82")),
            Position("tizanidine", "second line (if baclofen or gabapentin not successful)", ("S81",)),
            Position("dantrolene", "position in NICE NG220 UNCONFIRMED", ("S82",), EvidenceStatus.UNCONFIRMED),
            Position("diazepam", "position in NICE NG220 UNCONFIRMED", ("S82", "S27"), EvidenceStatus.UNCONFIRMED),
            Position("clonazepam", "position in NICE NG220 UNCONFIRMED", ("S82", "S27"), EvidenceStatus.UNCONFIRMED),
            nabx,
            botox,
            itb,
        ),
        Guideline.EUROPEAN_CONSENSUS: (
            physio,
            Position("baclofen", "first line", ("S83",)),
            Position("tizanidine", "first line", ("S83",)),
            Position("gabapentin", "first line", ("S83",)),
            Position("diazepam", "if no improvement", ("S83",)),
            Position("dantrolene", "if no improvement", ("S83",)),
            Position("nabiximols", "add-on for poor response or tolerance", ("S83", "S85")),
            Position("intrathecal-baclofen", "severe spasticity (ITB or IT phenol)", ("S83", "S37")),
            botox,
        ),
        Guideline.MS_IRELAND: (
            physio,
            Position("baclofen", "mainstay", ("S84",)),
            Position("tizanidine", "mainstay", ("S84",)),
            Position("diazepam", "second line (benzodiazepines)", ("S84",)),
            Position("clonazepam", "second line (benzodiazepines)", ("S84",)),
            Position("gabapentin", "second line", ("S84",)),
            Position("dantrolene", "second line", ("S84",)),
            botox,
            Position("nabiximols", "not in this guideline's order; NICE NG144 trial rule", ("S85", "S87")),
            itb,
        ),
        Guideline.NHS_SCOTLAND_ABI: (
            physio,
            Position("baclofen", "first choice", ("S26",)),
            Position("tizanidine", "second choice", ("S26",)),
            Position("dantrolene", "third choice", ("S26",)),
            Position("gabapentin", "third choice", ("S26",)),
            botox,
            nabx,
            itb,
        ),
    }


ORDERINGS = _orderings()


#: The new drug's cited titration start in a cross-taper: (US / default rule, UK rule) by option key.
NEW_DRUG_START_RULES: Mapping[str, tuple[Cited, Cited]] = {
    # drug: (US / default rule, UK rule)
    "tizanidine": (
        Cited(
            "tizanidine 2 mg; may be repeated every 6-8 h up to 3 doses in 24 h; increase by 2-4 mg per dose with "
            "1-4 days between increases; maximum 36 mg/day",
            ("S73", "S110b"),
        ),
        Cited(
            "tizanidine 2 mg once daily; increase by 2 mg/day at intervals of at least 3-4 days; usually up to "
            "24 mg/day; maximum 36 mg/day",
            ("S25",),
        ),
    ),
    "gabapentin": (
        Cited(
            "gabapentin 300 mg day 1, 600 mg day 2, 900 mg day 3, then titrate to 1800 mg/day (neuropathic-pain "
            "label titration; off-label for spasticity)",
            ("S97", "S24"),
        ),
    )
    * 2,
    "dantrolene": (
        Cited(
            "dantrolene 25 mg daily for 7 days, 25 mg three times daily for 7 days, 50 mg three times daily for 7 "
            "days, then 100 mg three times daily; maximum 400 mg/day",
            ("S77",),
        ),
        Cited(
            "dantrolene 25 mg daily, increased weekly; usually 75 mg three times daily; maximum 100 mg four times "
            "daily",
            ("S80", "S25"),
        ),
    ),
    "diazepam": (Cited("diazepam 2.5 mg at night, up to 5 mg", ("S27",)),) * 2,
    "clonazepam": (Cited("clonazepam 0.5 mg at night, up to 2 mg", ("S27",)),) * 2,
    "nabiximols": (
        Cited(
            "nabiximols: titrate over 2 weeks (maximum 12 sprays a day, at least 15 min apart); "
            "review after a 4-week trial",
            ("S87", "S85"),
        ),
    )
    * 2,
}
