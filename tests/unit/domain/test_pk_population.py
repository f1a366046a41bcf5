"""Virtual populations: seeded streams, chunk invariance, streaming percentiles, variability, covariates."""

from __future__ import annotations

import numpy as np
import pytest

from baclofen.domain.errors import InvalidInputError
from baclofen.domain.pk.engine import oral_dose, simulate
from baclofen.domain.pk.parameters import KidneyInput, Variability, oral_parameters
from baclofen.domain.pk.population import (
    SUBJECTS_PER_SEED_BLOCK,
    CrclDistribution,
    HistogramSpec,
    PartialAccumulator,
    PopulationProblem,
    block_generator,
    chunk_ranges,
    histogram_quantiles,
    merge_partials,
    run_population,
    sample_subjects,
    simulate_blocks,
    summarise_population,
)
from baclofen.domain.pk.system import CSF_UG_PER_ML, PLASMA_NG_PER_ML

DOSES = tuple(oral_dose(d * 24.0 + h, 20.0) for d in range(3) for h in (0.0, 6.0, 12.0))
TIMES = tuple(float(t) for t in range(0, 73, 2))


def problem(n: int = 3000, seed: int = 11, **kw) -> PopulationProblem:
    return PopulationProblem(n, seed, DOSES, TIMES, thresholds=(80.0, 400.0, 600.0), **kw)


def test_block_streams_are_the_children_of_seedsequence_spawn() -> None:
    children = np.random.SeedSequence(123).spawn(5)

    for b in (0, 3, 4):
        expected = np.random.Generator(np.random.PCG64(children[b])).standard_normal(4)
        np.testing.assert_array_equal(block_generator(123, b).standard_normal(4), expected)


def test_a_subject_depends_only_on_the_seed_and_its_index() -> None:
    p = problem(2500)

    whole = sample_subjects(p, 0, p.n_blocks)
    tail = sample_subjects(p, 1, p.n_blocks)

    np.testing.assert_array_equal(whole.cl_f_l_per_h[SUBJECTS_PER_SEED_BLOCK:], tail.cl_f_l_per_h)


@pytest.mark.parametrize("blocks_per_chunk", [1, 2, 5])
def test_the_summary_does_not_depend_on_chunking(blocks_per_chunk: int) -> None:
    p = problem()

    assert run_population(p, blocks_per_chunk=blocks_per_chunk).to_dict() == run_population(p).to_dict()


def test_partials_merge_in_any_order() -> None:
    p = problem()
    parts = [simulate_blocks(p, a, b) for a, b in chunk_ranges(p, 1)]

    acc = PartialAccumulator()
    for part in reversed(parts):
        acc.add(part)

    assert summarise_population(p, acc.result()).to_dict() == summarise_population(p, merge_partials(parts)).to_dict()


def test_missing_or_overlapping_blocks_are_refused() -> None:
    p = problem()
    parts = [simulate_blocks(p, a, b) for a, b in chunk_ranges(p, 1)]

    with pytest.raises(InvalidInputError, match="adjacent"):
        merge_partials([parts[0], parts[2]])
    with pytest.raises(InvalidInputError, match="blocks"):
        summarise_population(p, parts[0])


def test_a_different_seed_gives_a_different_population() -> None:
    assert run_population(problem(seed=1)).percentiles != run_population(problem(seed=2)).percentiles


def test_streaming_percentiles_match_numpy_within_the_bin_resolution() -> None:
    p = problem(4000)
    summary = run_population(p)
    values = simulate(sample_subjects(p, 0, p.n_blocks), DOSES, TIMES).output(PLASMA_NG_PER_ML)

    exact = np.percentile(values[:, 1:], [5, 50, 95], axis=0)
    got = np.array([summary.percentiles[k][1:] for k in ("5", "50", "95")])

    np.testing.assert_allclose(got, exact, rtol=2 * p.histogram.relative_resolution)
    np.testing.assert_allclose(summary.mean, values.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(summary.fraction_at_or_above[1], (values >= 400.0).mean(axis=0))


def test_histogram_quantiles_of_known_counts() -> None:
    spec = HistogramSpec(1.0, 1000.0, 1)
    counts = np.array([[0, 0, 10, 0, 0]])  # ten values in [10, 100)

    q = histogram_quantiles(counts, spec, [0.0, 50.0, 100.0])

    assert 10.0 <= q[0, 0] < q[1, 0] < q[2, 0] <= 100.0
    assert histogram_quantiles(np.array([[5, 0, 0, 0, 0]]), spec, [50.0])[0, 0] == 0.0


def test_sampled_clearances_have_the_published_variability() -> None:
    """log CL/F has SD omega_CL = 0.21 and median 11.6 L/h (Simon 2018)."""
    p = problem(20000)

    cl = sample_subjects(p, 0, p.n_blocks).cl_f_l_per_h

    assert np.std(np.log(cl)) == pytest.approx(Variability().omega_cl, rel=0.03)
    assert np.median(cl) == pytest.approx(11.6, rel=0.01)


def test_a_crcl_distribution_scales_clearance_per_subject() -> None:
    p = problem(4000, crcl_distribution=CrclDistribution("uniform", 10.0, 30.0), variability=Variability.none())

    cl = sample_subjects(p, 0, p.n_blocks).cl_f_l_per_h

    low = oral_parameters(kidney=KidneyInput(10.0)).cl_f_l_per_h
    high = oral_parameters(kidney=KidneyInput(30.0)).cl_f_l_per_h
    assert low <= cl.min() < cl.max() <= high


def test_residual_error_widens_the_percentiles() -> None:
    plain = run_population(problem())
    noisy = run_population(problem(residual_error=True))

    width = np.subtract(plain.percentiles["95"][5:], plain.percentiles["5"][5:])
    noisy_width = np.subtract(noisy.percentiles["95"][5:], noisy.percentiles["5"][5:])
    assert np.all(noisy_width > width)


def test_a_csf_output_population() -> None:
    from baclofen.domain.pk.engine import intrathecal_infusion

    p = PopulationProblem(
        2000,
        3,
        (intrathecal_infusion(0.0, 48.0, 600.0),),
        TIMES[:25],
        output=CSF_UG_PER_ML,
        histogram=HistogramSpec(1e-6, 1e3),
    )

    s = run_population(p)

    assert s.unit == "ug/mL"
    assert s.percentiles["5"][-1] < 25 / 30 < s.percentiles["95"][-1]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"n_subjects": 0}, "n_subjects"),
        ({"seed": -1}, "seed"),
        ({"percentiles": (5.0, 101.0)}, "percentiles"),
        ({"output": "urine"}, "output"),
        ({"backend": "gpu"}, "backend"),
    ],
)
def test_bad_population_problems_name_the_field(kwargs: dict, field: str) -> None:
    base = {"n_subjects": 10, "seed": 0, "doses": DOSES, "times_h": TIMES}
    base.update(kwargs)

    with pytest.raises(InvalidInputError) as info:
        PopulationProblem(**base)

    assert info.value.field == field


def test_crcl_distributions_validate_their_bounds() -> None:
    with pytest.raises(InvalidInputError):
        CrclDistribution("uniform", 50.0, 20.0)
    with pytest.raises(InvalidInputError):
        CrclDistribution("gamma", 1.0, 1.0)
    assert CrclDistribution("lognormal", 60.0, 0.3).to_dict()["median_ml_min"] == 60.0
