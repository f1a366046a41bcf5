"""Regenerate ``src/baclofen/domain/references_data.py`` from the shared fact sheets.

Usage: ``python scripts/build_references.py ../shared/domain/clinical.md``

The clinical fact sheet ends with a source list (``- [S4] Title — URL``). Each entry becomes a
:class:`~baclofen.domain.evidence.Reference`. Sources that only the PK sheet (pk-models.md) or the
verification update of clinical.md cite are listed by hand in ``EXTRA`` below, each with where it
was found, so that every citation key the code uses resolves to a title and a location.

Each reference also gets its **authority**, the fact sheet's ranking of sources ("How to read this
file"): regulator label text or a faithful label mirror > national guideline or formulary >
peer-reviewed consensus or trial > manufacturer patient or HCP web page > secondary drug-information
sites; sources it marks **(low authority)** or **(low-quality host)** (AI-generated or aggregator pages)
are hints only, never the basis of a hard rule. The low marks are read from the sheet itself (in the
source list and in citations such as ``[S109 low authority]``); the sheet ranks the other sources by
type without tagging each one, so :data:`AUTHORITY_BY_TYPE` below classifies them by hand. Every key
must get exactly one authority: a new source fails the build until it is classified.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

EXTRA: list[tuple[str, str, str]] = [
    # (key, title, url-or-location)
    (
        "Simon2018",
        "Simon N et al. Full-Profile Pharmacokinetic Study of High Dose Baclofen in Subjects With Alcohol Use Disorder. Front Psychiatry 2018;9:385 (pk-models.md §1)",
        "https://pubmed.ncbi.nlm.nih.gov/30190685",
    ),
    (
        "Kochak1985",
        "Kochak GM et al. The pharmacokinetics of baclofen derived from intestinal infusion. Clin Pharmacol Ther 1985;38(3):251-7 (pk-models.md §2.1, §2.2)",
        "https://www.pubmed.gov/4028618/",
    ),
    (
        "Wuis1989",
        "Wuis EW et al. Plasma and urinary excretion kinetics of orally administered baclofen in healthy subjects. Eur J Clin Pharmacol 1989;37:181-4 (pk-models.md §2.1)",
        "https://litmetric.com/detail/2792173/Plasma-and-urinary-excretion-kinetics-of-oral-baclofen-in-healthy-subjects",
    ),
    (
        "Wuis1990",
        "Wuis EW et al. Pharmacokinetics of baclofen in spastic patients receiving multiple oral doses. Pharm Weekbl 12(2):71-74 (pk-models.md §2.1)",
        "https://link.springer.com/article/10.1007%2FBF01970149",
    ),
    (
        "Agarwal2015",
        "Agarwal SK et al. A pilot study assessing pharmacokinetics and tolerability of oral and intravenous baclofen in healthy adult volunteers. J Child Neurol 2015;30(1):37-41 (pk-models.md §2.1)",
        "https://pubmed.ncbi.nlm.nih.gov/25028414",
    ),
    (
        "Marsot2013",
        "Marsot A et al. High Variability in the Exposure of Baclofen in Alcohol-Dependent Patients. Alcohol Clin Exp Res (pk-models.md §2.1)",
        "http://onlinelibrary.wiley.com/doi/10.1111/acer.12235/abstract",
    ),
    (
        "Chevillard2018",
        "Chevillard L et al. Population pharmacokinetics of oral baclofen at steady-state in alcoholic-dependent adult patients. Fundam Clin Pharmacol 2018;32(2):239-248 (pk-models.md §2.1)",
        "doi:10.1111/fcp.12330",
    ),
    (
        "Brvar2007",
        "Brvar M et al. Haemodialysis clearance of baclofen. Eur J Clin Pharmacol 2007;63(12):1143-6 (pk-models.md §3.3)",
        "https://pubmed.ncbi.nlm.nih.gov/17764008/",
    ),
    (
        "CVVH2014",
        "Baclofen removal by CVVH, Eur J Clin Pharmacol (authors UNCONFIRMED) (pk-models.md §3.3)",
        "https://link.springer.com/doi/10.1007/s00228-014-1802-y",
    ),
    (
        "AJKD2017",
        "Baclofen Toxicity in Kidney Disease. Am J Kidney Dis 2017 (PMID 28899601) (pk-models.md §3.1)",
        "https://pubmed.ncbi.nlm.nih.gov/28899601/",
    ),
    (
        "AmJNephrol2011",
        "Baclofen Toxicity in Patients with Advanced Nephropathy. Am J Nephrol 34(6):491 (pk-models.md §3.1, §5.2)",
        "https://karger.com/ajn/article-abstract/34/6/491/32751/",
    ),
    (
        "LioresalITPK",
        "Lioresal Intrathecal PI clinical pharmacology (CSF clearance ~30 mL/h, t1/2 ~1.5 h) as summarised in a public drug-summary module; label wording UNCONFIRMED (pk-models.md §4.1)",
        "DailyMed setid 6f3bdcc0-ffc8-4911-8c35-958c8103a2c5 (secondary)",
    ),
    (
        "Heetla2016",
        "Heetla HW et al. A pharmacokinetic-pharmacodynamic model for intrathecal baclofen in patients with severe spasticity. Br J Clin Pharmacol 2016;81(1):101-112 (pk-models.md §4.1)",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC4693571",
    ),
    (
        "Kroin1993",
        "Kroin JS et al. The distribution of medication along the spinal canal after chronic intrathecal administration. Neurosurgery 1993;33(2):226-30 (pk-models.md §4.1)",
        "https://metajournal.com/articles/172078/",
    ),
    (
        "Knutsson1974",
        "Knutsson E et al. Plasma and cerebrospinal fluid levels of baclofen at optimal therapeutic responses in spastic paresis. J Neurol Sci 1974;23:473-484 (pk-models.md §5.1)",
        "doi:10.1016/0022-510X(74)90163-4",
    ),
    (
        "UMEM2020",
        "UMEM educational pearl: baclofen therapeutic range 80-400 ng/mL; 1200 mg overdose 882 ng/mL (pk-models.md §5.2)",
        "http://umem.org/pipermail/education/attachments/20200820/37eb488a/attachment-0001.html",
    ),
    (
        "HDCase",
        "Baclofen neurotoxicity in chronic hemodialysis (case: >600 ng/mL on 5 mg/day) (pk-models.md §5.2)",
        "https://discovery.researcher.life/article/baclofen-neurotoxicity-in-chronic-hemodialysis/e0163aa6a98631e2bed9e78a7b994b43",
    ),
    (
        "ToxBaclofene",
        "La toxicologie du baclofene (review: acute intoxications 700-3300 ng/mL) (pk-models.md §5.2)",
        "https://discovery.researcher.life/article/la-toxicologie-du-baclofne/0d5d8ce8050e38a9adfe67f5a6867b03",
    ),
    (
        "Leung2006",
        "Leung NY, Whyte IM, Isbister GK. Baclofen overdose. Emerg Med Australas 2006;18:77-82 (pk-models.md §5.2)",
        "https://go.drugbank.com/articles/A37219",
    ),
    (
        "PKM-DERIVED",
        "pk-models.md (project PK sheet): DERIVED/CALIBRATED values with the arithmetic shown (renal covariate §3.2, ITB model §4.2, plasma bands §5.2, validation table §6)",
        "../shared/domain/pk-models.md",
    ),
    (
        "Neurosurgery2004",
        "Low-reservoir alarm study: 24% had withdrawal symptoms while 2.1-3.8 mL remained. Neurosurgery 2004;55(2):390-3 (clinical.md verification update)",
        "PMID 15271246",
    ),
    (
        "Stability2023",
        "Baclofen stability in implanted pumps: 180 days stated as manufacturer recommendation. 2023 (clinical.md verification update)",
        "PMID 38043050",
    ),
    (
        "PrometraIFU",
        "Prometra II IFU: refill when 3.0 mL remain (p.33); catheter volume 0.0026 mL/cm x (110 - trimmed) cm; FAV closes in MRI (p.14) (clinical.md verification update)",
        "Prometra II Instructions for Use",
    ),
    (
        "HarrietLane24",
        "Harriet Lane Handbook 24th ed.: ITB adult 12-2003 mcg/day (most 300-800) (clinical.md verification update)",
        "Harriet Lane Handbook 24e (public transcription)",
    ),
    (
        "NovartisCore",
        "Novartis core label / Medscape UK: taper over at least 1-2 weeks; 100-120 mg/day in hospital; careful titration in the elderly (clinical.md verification update)",
        "HSA/MedPath Lioresal 10; Medscape UK",
    ),
    (
        "MedtronicAlarms",
        "Gillette Children's / Medtronic US: critical vs non-critical SynchroMed alarms (clinical.md verification update)",
        "Medtronic US patient pages",
    ),
    (
        "MSTrustNICE",
        "MS Trust summary of NICE NG144: 4-week nabiximols trial, continue if >=20% improvement (clinical.md verification update)",
        "https://www.mstrust.org.uk/",
    ),
]

#: The sheet's ranking, highest first (``low`` is its "low authority" mark, not a type).
AUTHORITIES: tuple[str, ...] = ("label", "guideline", "study", "manufacturer", "secondary", "low")

#: Sources the sheet ranks by type (clinical.md "Authority ranking used"), classified from their titles there.
#: A key the sheet marks low authority must not be listed here (the mark decides).
AUTHORITY_BY_TYPE: dict[str, tuple[str, ...]] = {
    # Regulator label text, a faithful label mirror (the sheet's title names label text or prescribing
    # information), device labelling (IFU, prescriber manual, labelling update) and regulator/field-safety notices.
    "label": (
        "S4",
        "S13",
        "S14",
        "S15",
        "S16",
        "S17",
        "S18",
        "S28",
        "S30",
        "S31",
        "S32",
        "S37",
        "S47",
        "S48",
        "S49",
        "S50",
        "S51",
        "S52",
        "S53",
        "S54",
        "S58",
        "S60",
        "S61",
        "S64",
        "S67",
        "S75",
        "S95",
        "S100b",
        "S111",
        "S118",
        "S119",
        "S120",
        "PrometraIFU",
        "NovartisCore",
    ),
    # National guideline, formulary or national standard (NICE, eTG, NHS formularies, BNF-style MOH, NINDS CDE).
    "guideline": ("S24", "S25", "S26", "S27", "S80", "S82", "S93", "S94", "S111b"),
    # Peer-reviewed consensus, trial, PK study, case report or review (and trial registries).
    "study": (
        "S20",
        "S21",
        "S22",
        "S40",
        "S41",
        "S42",
        "S43",
        "S44",
        "S45",
        "S46",
        "S62",
        "S83",
        "S88",
        "S89",
        "S90b",
        "S92",
        "S102",
        "S106",
        "S108",
        "S113",
        "Simon2018",
        "Kochak1985",
        "Wuis1989",
        "Wuis1990",
        "Agarwal2015",
        "Marsot2013",
        "Chevillard2018",
        "Brvar2007",
        "CVVH2014",
        "AJKD2017",
        "AmJNephrol2011",
        "Heetla2016",
        "Kroin1993",
        "Knutsson1974",
        "HDCase",
        "ToxBaclofene",
        "Leung2006",
        "Neurosurgery2004",
        "Stability2023",
    ),
    # Manufacturer patient or HCP web pages (and a manufacturer's safety statement hosted elsewhere: S117).
    "manufacturer": (
        "S5",
        "S6",
        "S7",
        "S33",
        "S34",
        "S35",
        "S55",
        "S56",
        "S57",
        "S66",
        "S87",
        "S99",
        "S100",
        "S117",
        "MedtronicAlarms",
    ),
    # Secondary drug-information sites, summaries, news, education, wikis, handbooks and terminology files.
    # S110: the sheet calls it "low-moderate authority" (not its "low authority" mark); S121: "secondary".
    # PKM-DERIVED: the project's own arithmetic over cited sources (pk-models.md).
    "secondary": (
        "S1",
        "S2",
        "S3",
        "S8",
        "S9",
        "S10",
        "S11",
        "S12",
        "S19",
        "S23",
        "S29",
        "S36",
        "S38",
        "S39",
        "S59",
        "S63",
        "S65",
        "S68",
        "S69",
        "S70",
        "S71",
        "S72",
        "S73",
        "S74",
        "S77",
        "S78",
        "S81",
        "S84",
        "S85",
        "S86",
        "S90",
        "S91",
        "S96a",
        "S96b",
        "S98",
        "S101",
        "S107",
        "S110",
        "S110b",
        "S112",
        "S114",
        "S115",
        "S116",
        "S121",
        "LioresalITPK",
        "UMEM2020",
        "PKM-DERIVED",
        "HarrietLane24",
        "MSTrustNICE",
    ),
}

#: The sheet's low-authority marks: bold in the source list, or inside a citation ``[S109 low authority]``.
LOW_MARK_IN_LIST = re.compile(r"\*\*\((?:[^)]*\b)?(?:low authority|low-quality host)\b[^)]*\)\*\*", re.IGNORECASE)
LOW_MARK_IN_TEXT = re.compile(r"\[(S[0-9]+[a-z]?)\b[^\]]*\b(?:low authority|low-quality host)\b[^\]]*\]", re.IGNORECASE)

LINE = re.compile(r"^- \[(S[0-9]+[a-z]?)\]\s+(.*)$")


def parse_sources(text: str) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for line in text.splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        key, rest = m.groups()
        title, _, url = rest.partition(" — ")
        if not url:
            at = rest.find("http")
            title, url = (rest[:at], rest[at:]) if at >= 0 else (rest, "location not recorded in clinical.md")
        out.append(
            (
                key,
                title.strip().rstrip(",").removesuffix(", e.g.").strip(),
                url.strip() or "location not recorded in clinical.md",
            )
        )
    return out


def low_authority_keys(text: str) -> set[str]:
    """Keys the sheet marks low authority (or low-quality host), in its source list or in its citations."""
    keys = set(LOW_MARK_IN_TEXT.findall(text))
    for line in text.splitlines():
        m = LINE.match(line.strip())
        if m and LOW_MARK_IN_LIST.search(m.group(2)):
            keys.add(m.group(1))
    return keys


def authorities(keys: list[str], low: set[str]) -> dict[str, str]:
    """Each key's authority: ``low`` where the sheet marks it, else its row of :data:`AUTHORITY_BY_TYPE`.

    Raises SystemExit when a key is unclassified, classified twice, classified although marked low, or
    classified but absent from the catalogue (a stale row)."""
    by_type: dict[str, str] = {}
    for authority, listed in AUTHORITY_BY_TYPE.items():
        if authority not in AUTHORITIES or authority == "low":
            raise SystemExit(f"unknown authority type {authority!r}")
        for key in listed:
            if key in by_type:
                raise SystemExit(f"{key} is classified twice ({by_type[key]}, {authority})")
            by_type[key] = authority
    problems = sorted(set(by_type) & low)
    if problems:
        raise SystemExit(f"marked low authority by the sheet but classified by type: {problems}")
    stale = sorted(set(by_type) - set(keys))
    if stale:
        raise SystemExit(f"classified but not in the catalogue: {stale}")
    missing = [k for k in keys if k not in by_type and k not in low]
    if missing:
        raise SystemExit(f"sources without an authority (add them to AUTHORITY_BY_TYPE): {missing}")
    return {k: "low" if k in low else by_type[k] for k in keys}


def render(entries: list[tuple[str, str, str]], authority: dict[str, str]) -> str:
    lines = [
        '"""Reference catalogue: generated by scripts/build_references.py; do not edit by hand.',
        "",
        "Keys ``S<n>`` are the source tags of ../shared/domain/clinical.md; the others are sources that",
        "pk-models.md and the verification update of clinical.md cite. The fourth field is the source's",
        "authority in the sheet's ranking (label > guideline > study > manufacturer > secondary; low: marked",
        "low authority by the sheet).",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "RAW_REFERENCES: tuple[tuple[str, str, str, str], ...] = (",
    ]
    for key, title, url in entries:
        lines.append(f"    ({key!r}, {title!r}, {url!r}, {authority[key]!r}),")
    lines.append(")")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    src = Path(argv[1] if len(argv) > 1 else "../shared/domain/clinical.md")
    text = src.read_text(encoding="utf-8")
    entries = parse_sources(text) + EXTRA
    keys = [k for k, _, _ in entries]
    dupes = {k for k in keys if keys.count(k) > 1}
    if dupes:
        raise SystemExit(f"duplicate reference keys: {sorted(dupes)}")
    out = Path(__file__).resolve().parents[1] / "src/baclofen/domain/references_data.py"
    out.write_text(render(entries, authorities(keys, low_authority_keys(text))), encoding="utf-8")
    print(f"wrote {len(entries)} references to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
