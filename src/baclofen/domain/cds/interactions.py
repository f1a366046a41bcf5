"""Interaction table (cited data) and the interaction screen.

Each row of :data:`INTERACTIONS` is one pair (drug or class on each side) from clinical.md §6
(baclofen, oral and intrathecal) or §8 (tizanidine, dantrolene) with its severity, effect, mechanism,
advice, evidence keys and evidence status. Each row is also a registered :class:`Rule` with a stable id,
so that a named clinician may override a ``block`` with a reason (unless the row is ``overridable=False``).

Severity policy: a **contraindicated** pair is ``block`` (one the label contraindicates, tizanidine with
fluvoxamine or ciprofloxacin, is an absolute block that cannot be overridden); *avoid* or a potentiated
serious effect is ``warn``; *monitor / may need adjustment* is ``info``. Rows whose evidence is a class-level inference
say so (status ``unconfirmed`` or ``partly verified``) in the finding.

The screen checks every pair of the given drugs. Unknown names are returned in ``unknown`` (and make
the screen ``complete: false``); they are never silently dropped.

>>> screen = screen_interactions(["tizanidine", "Cipro"])
>>> [(f.rule_id, f.severity.value, f.overridable) for f in screen.findings]
[('INT-TIZ-CYP1A2-001', 'block', False)]
>>> screen_interactions(["baclofen", "oxycodone", "unobtainium"]).unknown[0].query
'unobtainium'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from baclofen.domain.cds.drugs import Drug, DrugClass, DrugLookup, resolve_drugs
from baclofen.domain.errors import InvalidInputError
from baclofen.domain.names import parse_name_list
from baclofen.domain.rules.core import Finding, Rule, Severity, evaluate_rules, sort_findings
from baclofen.domain.rules.itb.program import ADMIXTURE, AdmixtureContext
from baclofen.domain.settings import EvidenceStatus
from baclofen.domain.signs import ORAL_OVERDOSE

C = DrugClass

SCOPE_NOTE = (
    "Screened against the interaction table of the project's clinical fact sheet (clinical.md §6-§8: baclofen, "
    "tizanidine, dantrolene). It is not a complete interaction database: check a full reference for other pairs."
)


@dataclass(frozen=True, slots=True)
class DrugSelector:
    """One side of an interaction: drug keys and/or classes, minus excluded keys."""

    keys: frozenset[str] = frozenset()
    classes: frozenset[DrugClass] = frozenset()
    exclude_keys: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not self.keys and not self.classes:
            raise InvalidInputError("selector", "at least one drug key or class", self)

    def matches(self, drug: Drug) -> bool:
        if drug.key in self.exclude_keys:
            return False
        return drug.key in self.keys or bool(self.classes & drug.classes)

    def describe(self) -> str:
        parts = sorted(self.keys) + sorted(c.value + "s" for c in self.classes)
        text = " / ".join(parts)
        if self.exclude_keys:
            text += " (other than " + ", ".join(sorted(self.exclude_keys)) + ")"
        return text


def _sel(*items: str | DrugClass, exclude: Iterable[str] = ()) -> DrugSelector:
    return DrugSelector(
        frozenset(i for i in items if isinstance(i, str)),
        frozenset(i for i in items if isinstance(i, DrugClass)),
        frozenset(exclude),
    )


@dataclass(frozen=True, slots=True)
class Interaction:
    """A cited interaction row: ``subject`` (the antispastic) with ``partner``."""

    rule_id: str
    subject: DrugSelector
    partner: DrugSelector
    severity: Severity
    effect: str
    mechanism: str
    advice: str
    evidence: tuple[str, ...]
    status: EvidenceStatus = EvidenceStatus.CONFIRMED
    status_note: str = ""
    signs: tuple[str, ...] = ()
    #: False for an absolute contraindication on the label: its block cannot be overridden.
    overridable: bool = True

    @property
    def title(self) -> str:
        return f"{self.subject.describe()} + {self.partner.describe()}"

    def pairs(self, drugs: Sequence[Drug]) -> list[tuple[Drug, Drug]]:
        """Each (subject, partner) pair among ``drugs`` that this row applies to."""
        out = []
        for a, b in combinations(drugs, 2):
            if self.subject.matches(a) and self.partner.matches(b):
                out.append((a, b))
            elif self.subject.matches(b) and self.partner.matches(a):
                out.append((b, a))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "subject": self.subject.describe(),
            "partner": self.partner.describe(),
            "severity": self.severity.value,
            "effect": self.effect,
            "mechanism": self.mechanism,
            "advice": self.advice,
            "evidence_keys": list(self.evidence),
            "status": self.status.value,
            "status_note": self.status_note,
            "overridable": self.overridable,
        }


BACLOFEN = _sel(C.BACLOFEN)
_CNS = "additive central nervous system depression"

INTERACTIONS: tuple[Interaction, ...] = (
    # --- baclofen, oral and intrathecal (clinical.md §6) -------------------------------------------------
    Interaction(
        "INT-BAC-CNS-001",
        BACLOFEN,
        _sel(C.ALCOHOL, C.CNS_DEPRESSANT),
        Severity.WARN,
        effect="additive CNS depression (drowsiness, sedation)",
        mechanism=_CNS,
        advice="Warn the patient about added drowsiness; avoid alcohol; no driving or machinery until the "
        "response is known.",
        evidence=("S6", "S11", "S4"),
    ),
    Interaction(
        "INT-BAC-OPIOID-001",
        BACLOFEN,
        _sel(C.OPIOID),
        Severity.WARN,
        effect="potentiated risk of respiratory depression, profound sedation, syncope and death",
        mechanism=_CNS + " and respiratory depression",
        advice="Review the need for both; if combined, monitor for respiratory depression and sedation and tell "
        "the patient and carers what to watch for.",
        evidence=("S15",),
        signs=ORAL_OVERDOSE.signs[:3],
    ),
    Interaction(
        "INT-ITB-MORPHINE-001",
        _sel("baclofen-intrathecal"),
        _sel(C.NEURAXIAL_MORPHINE),
        Severity.WARN,
        effect="hypotension and dyspnoea (epidural or intrathecal morphine with intrathecal baclofen)",
        mechanism="combined neuraxial opioid and intrathecal baclofen effects",
        advice="Monitor blood pressure and breathing when neuraxial morphine is given to a patient on ITB.",
        evidence=("S30",),
    ),
    Interaction(
        "INT-BAC-BZD-001",
        BACLOFEN,
        _sel(C.BENZODIAZEPINE),
        Severity.WARN,
        effect="additive CNS depression; benzodiazepines (e.g. diazepam) aggravate baclofen overdose",
        mechanism=_CNS,
        advice="Monitor for sedation; in overdose, expect worse CNS depression.",
        evidence=("S16",),
        signs=ORAL_OVERDOSE.signs[:3],
    ),
    Interaction(
        "INT-BAC-GABA-001",
        BACLOFEN,
        _sel(C.GABAPENTINOID),
        Severity.WARN,
        effect="additive CNS depression (drowsiness, sedation)",
        mechanism=_CNS + " (class-level inference)",
        advice="Monitor for added drowsiness and sedation.",
        evidence=("S6", "S4"),
        status=EvidenceStatus.UNCONFIRMED,
        status_note="UNCONFIRMED as label text: inferred from the CNS-depressant warning; no baclofen label text "
        "naming gabapentinoids was found (clinical.md §6).",
    ),
    Interaction(
        "INT-BAC-TCA-001",
        BACLOFEN,
        _sel(C.TCA),
        Severity.WARN,
        effect="tricyclics potentiate baclofen: pronounced muscular hypotonia; sedation",
        mechanism="potentiation of baclofen's muscle-relaxant and sedative effect",
        advice="Watch for marked weakness/hypotonia and sedation; consider a lower baclofen dose.",
        evidence=("S17",),
    ),
    Interaction(
        "INT-BAC-LITHIUM-001",
        BACLOFEN,
        _sel(C.LITHIUM),
        Severity.WARN,
        effect="aggravated hyperkinetic symptoms",
        mechanism="pharmacodynamic interaction (label)",
        advice="Monitor for worsening hyperkinetic symptoms.",
        evidence=("S17", "S28"),
    ),
    Interaction(
        "INT-BAC-MAOI-001",
        BACLOFEN,
        _sel(C.MAOI),
        Severity.WARN,
        effect="increased CNS-depressant effect",
        mechanism=_CNS,
        advice="Monitor for sedation.",
        evidence=("S17",),
    ),
    Interaction(
        "INT-BAC-ANTIHYPERTENSIVE-001",
        BACLOFEN,
        _sel(C.ANTIHYPERTENSIVE),
        Severity.WARN,
        effect="increased fall in blood pressure",
        mechanism="additive blood-pressure lowering",
        advice="Monitor blood pressure; the antihypertensive dose may need adjusting.",
        evidence=("S17", "S28"),
    ),
    Interaction(
        "INT-BAC-LEVODOPA-001",
        BACLOFEN,
        _sel(C.LEVODOPA),
        Severity.WARN,
        effect="mental confusion, hallucinations, headache, nausea, agitation; worsening parkinsonism",
        mechanism="pharmacodynamic interaction (label)",
        advice="Monitor mental state and parkinsonian symptoms.",
        evidence=("S17",),
    ),
    Interaction(
        "INT-BAC-ANTIDIABETIC-001",
        BACLOFEN,
        _sel(C.ANTIDIABETIC),
        Severity.INFO,
        effect="baclofen may raise blood glucose",
        mechanism="hyperglycaemic effect of baclofen",
        advice="Monitor blood glucose; antidiabetic doses may need adjustment.",
        evidence=("S17", "S15"),
    ),
    Interaction(
        "INT-BAC-ANAESTHETIC-001",
        BACLOFEN,
        _sel(C.ANAESTHETIC),
        Severity.WARN,
        effect="anaesthetics potentiate the CNS effects of baclofen",
        mechanism=_CNS,
        advice="Tell the anaesthetist the patient takes baclofen (do not stop it abruptly before surgery).",
        evidence=("S17", "S4"),
    ),
    Interaction(
        "INT-BAC-NMB-001",
        BACLOFEN,
        _sel(C.NEUROMUSCULAR_BLOCKER),
        Severity.WARN,
        effect="caution advised",
        mechanism="not stated (source text truncated)",
        advice="Use with caution; tell the anaesthetist.",
        evidence=("S17",),
        status=EvidenceStatus.PARTLY_VERIFIED,
        status_note="The source's text for this pair is truncated after 'caution' (clinical.md §6).",
    ),
    Interaction(
        "INT-BAC-IBUPROFEN-001",
        BACLOFEN,
        _sel("ibuprofen"),
        Severity.WARN,
        effect="reduced baclofen excretion, leading to toxicity",
        mechanism="renal insufficiency lowers the renal clearance of baclofen (70-80 % excreted unchanged)",
        advice="Avoid regular use if possible; monitor kidney function and for baclofen toxicity.",
        evidence=("S28", "S18"),
        signs=ORAL_OVERDOSE.signs[:4],
    ),
    Interaction(
        "INT-BAC-NSAID-001",
        BACLOFEN,
        _sel(C.NSAID, exclude=("ibuprofen",)),
        Severity.WARN,
        effect="drugs causing renal insufficiency reduce baclofen excretion, leading to toxicity",
        mechanism="renal insufficiency lowers the renal clearance of baclofen (70-80 % excreted unchanged)",
        advice="Monitor kidney function and for baclofen toxicity.",
        evidence=("S28", "S18"),
        status=EvidenceStatus.PARTLY_VERIFIED,
        status_note="The label names ibuprofen and 'drugs causing renal insufficiency'; other NSAIDs are included "
        "as drugs that can cause renal insufficiency (class-level).",
        signs=ORAL_OVERDOSE.signs[:4],
    ),
    Interaction(
        "INT-BAC-ORAL-ITB-001",
        _sel("baclofen"),
        _sel("baclofen-intrathecal"),
        Severity.INFO,
        effect="oral and intrathecal baclofen together (e.g. during ITB titration)",
        mechanism="additive baclofen effect",
        advice="Wean oral antispastics one at a time, oral baclofen first: reduce by 25-50 % at a time with "
        "assessment within 24 h; keep oral baclofen available during titration for ITB withdrawal.",
        evidence=("S40",),
    ),
    # --- tizanidine (clinical.md §8.2) -----------------------------------------------------------------
    Interaction(
        "INT-TIZ-CYP1A2-001",
        _sel("tizanidine"),
        _sel(C.CYP1A2_INHIBITOR_POTENT),
        Severity.BLOCK,
        effect="contraindicated: potent CYP1A2 inhibitors (fluvoxamine, ciprofloxacin) raise tizanidine exposure",
        mechanism="inhibition of CYP1A2, the enzyme that clears tizanidine",
        advice="Do not combine: choose another antispastic, or another drug instead of the CYP1A2 inhibitor.",
        evidence=("S74", "S72"),
        # Product owner's decision (issue 8): a contraindication on the label is absolute.
        overridable=False,
    ),
    Interaction(
        "INT-TIZ-CYP1A2-002",
        _sel("tizanidine"),
        _sel(C.CYP1A2_INHIBITOR),
        Severity.WARN,
        effect="avoid: CYP1A2 inhibitors raise tizanidine exposure",
        mechanism="inhibition of CYP1A2, the enzyme that clears tizanidine",
        advice="Avoid the combination; if it is necessary, start tizanidine at 2 mg and increase by 2-4 mg steps.",
        evidence=("S74", "S72"),
    ),
    # --- dantrolene (clinical.md §8.3) ------------------------------------------------------------------
    Interaction(
        "INT-DAN-VERAPAMIL-001",
        _sel("dantrolene"),
        _sel("verapamil"),
        Severity.WARN,
        effect="cardiovascular collapse",
        mechanism="dantrolene with the calcium channel blocker verapamil",
        advice="Avoid the combination.",
        evidence=("S77",),
    ),
    Interaction(
        "INT-DAN-ESTROGEN-001",
        _sel("dantrolene"),
        _sel(C.ESTROGEN),
        Severity.WARN,
        effect="higher risk of dantrolene hepatotoxicity (boxed warning: other drugs, especially estrogens)",
        mechanism="additive hepatotoxicity risk",
        advice="Weigh the hepatotoxicity risk; monitor liver function tests.",
        evidence=("S78", "S77"),
    ),
)


def _make_rule(row: Interaction) -> Rule[Sequence[Drug]]:
    def check(drugs: Sequence[Drug]) -> list[Finding]:
        return [_finding(rule, row, a, b) for a, b in row.pairs(drugs)]

    rule: Rule[Sequence[Drug]] = Rule(
        row.rule_id,
        f"Interaction: {row.title}",
        row.severity,
        row.evidence,
        check,
        overridable=row.overridable,
        settings=(),  # an interaction row has no threshold: the drug pair decides
    )
    return rule


def _finding(rule: Rule[Sequence[Drug]], row: Interaction, subject: Drug, partner: Drug) -> Finding:
    classes = sorted(c.value for c in partner.classes & row.partner.classes)
    article = "an" if classes and classes[0][:1].lower() in "aeiou" else "a"
    name = partner.generic_name
    why_partner = f"{name} is {article} {classes[0]}" if classes else f"{name} is listed"
    reasoning = f"{why_partner}; with {subject.generic_name}: {row.mechanism}."
    if row.status_note:
        reasoning += f" Evidence status: {row.status.value}. {row.status_note}"
    return rule.finding(
        f"{subject.generic_name} + {partner.generic_name}: {row.effect}",
        reasoning=reasoning,
        data={
            "drugs": [subject.key, partner.key],
            "effect": row.effect,
            "mechanism": row.mechanism,
            "advice": row.advice,
            "evidence_status": row.status.value,
            "partner_classes": classes,
        },
        signs=row.signs,
        action=row.advice,
    )


INTERACTION_RULES: tuple[Rule[Sequence[Drug]], ...] = tuple(_make_rule(r) for r in INTERACTIONS)
#: The rules this module defines, for the rule catalogue (:mod:`baclofen.domain.rules.catalogue`).
DEFINED_RULES: tuple[Rule[Any], ...] = INTERACTION_RULES


@dataclass(frozen=True, slots=True)
class InteractionScreen:
    """The result of an interaction screen: what was recognised, what was not, and the findings."""

    lookup: DrugLookup
    findings: tuple[Finding, ...]
    other_drugs_in_pump: tuple[str, ...] = ()

    @property
    def unknown(self) -> tuple[Any, ...]:
        return self.lookup.unknown

    @property
    def is_complete(self) -> bool:
        return self.lookup.is_complete

    def to_dict(self) -> dict[str, Any]:
        return {
            "drugs": [m.to_dict() for m in self.lookup.found],
            "unknown": [u.to_dict() for u in self.lookup.unknown],
            "duplicates": [list(d) for d in self.lookup.duplicates],
            "complete": self.is_complete,
            "findings": [f.to_dict() for f in self.findings],
            "other_drugs_in_pump": list(self.other_drugs_in_pump),
            "scope": SCOPE_NOTE,
            "settings": [],  # no setting decides an interaction: each is a cited label or reference fact
        }


def screen_drugs(drugs: Sequence[Drug]) -> tuple[Finding, ...]:
    """Findings for every interacting pair among catalogue entries (most severe first)."""
    distinct = tuple({d.key: d for d in drugs}.values())
    return evaluate_rules(INTERACTION_RULES, distinct)


def screen_interactions(
    names: str | Iterable[str], *, other_drugs_in_pump: str | Iterable[str] = ()
) -> InteractionScreen:
    """Screen a list of drug names (generic, brand or code; any case) for interactions.

    Parameters
    ----------
    names
        Drug names as typed (a comma-separated text or a list, see
        :func:`~baclofen.domain.names.parse_name_list`); at least one. Unknown names are reported in the
        result, not dropped.
    other_drugs_in_pump
        Other drugs said to be mixed with intrathecal baclofen in the pump or catheter (one name per item, or a
        comma-separated text): no admixture, block PUMP-ADMIX-001 ([S36] [S34]).

    Returns
    -------
    InteractionScreen
        Recognised drugs, unknown names (with suggestions), duplicates and findings.

    Raises
    ------
    InvalidInputError
        If no name, an empty name or another separator than a comma is given.
    """
    names = parse_name_list(names, "drugs")
    if not names:
        raise InvalidInputError("drugs", "at least one drug name", list(names))
    in_pump = parse_name_list(other_drugs_in_pump, "other_drugs_in_pump")
    lookup = resolve_drugs(names)
    findings = screen_drugs(lookup.drugs) + ADMIXTURE.evaluate(AdmixtureContext(in_pump))
    return InteractionScreen(lookup, sort_findings(findings), in_pump)


def interactions_between(candidate: Drug, others: Sequence[Drug]) -> tuple[Finding, ...]:
    """Findings that involve ``candidate`` with any of ``others`` (used by the alternatives advisor)."""
    findings = screen_drugs((candidate, *others))
    return tuple(f for f in findings if candidate.key in f.data["drugs"])
