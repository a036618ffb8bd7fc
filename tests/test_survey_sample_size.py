"""Tests for segment.survey.sample_size against Krejcie and Morgan's published table."""

import math

import numpy as np
import pytest

import segment
from segment.survey import sample_size

scipy_stats = pytest.importorskip("scipy.stats", reason="scipy is the reference for X^2")

# Krejcie, R. V. & Morgan, D. W. (1970). Determining sample size for research
# activities. Educational and Psychological Measurement 30, 607-610, Table 1
# ("Table for determining sample size from a given population"), all 90 rows
# (N -> S), as reprinted e.g. at https://www.scribd.com/document/479054838 and
# http://www.kenpro.org/sample-size-determination-using-krejcie-and-morgan-table/
# fmt: off
KREJCIE_MORGAN_TABLE = {
    10: 10, 15: 14, 20: 19, 25: 24, 30: 28, 35: 32, 40: 36, 45: 40, 50: 44, 55: 48,
    60: 52, 65: 56, 70: 59, 75: 63, 80: 66, 85: 70, 90: 73, 95: 76, 100: 80, 110: 86,
    120: 92, 130: 97, 140: 103, 150: 108, 160: 113, 170: 118, 180: 123, 190: 127,
    200: 132, 210: 136, 220: 140, 230: 144, 240: 148, 250: 152, 260: 155, 270: 159,
    280: 162, 290: 165, 300: 169, 320: 175, 340: 181, 360: 186, 380: 191, 400: 196,
    420: 201, 440: 205, 460: 210, 480: 214, 500: 217, 550: 226, 600: 234, 650: 242,
    700: 248, 750: 254, 800: 260, 850: 265, 900: 269, 950: 274, 1000: 278, 1100: 285,
    1200: 291, 1300: 297, 1400: 302, 1500: 306, 1600: 310, 1700: 313, 1800: 317,
    1900: 320, 2000: 322, 2200: 327, 2400: 331, 2600: 335, 2800: 338, 3000: 341,
    3500: 346, 4000: 351, 4500: 354, 5000: 357, 6000: 361, 7000: 364, 8000: 367,
    9000: 368, 10000: 370, 15000: 375, 20000: 377, 30000: 379, 40000: 380, 50000: 381,
    75000: 382, 1000000: 384,
}
# fmt: on


def test_table_has_ninety_rows():
    assert len(KREJCIE_MORGAN_TABLE) == 90


@pytest.mark.parametrize("population, expected", sorted(KREJCIE_MORGAN_TABLE.items()))
def test_every_row_of_krejcie_morgan_table(population, expected):
    assert sample_size(population) == expected


def test_unlimited_population_is_papers_384():
    # Paper A: 384 respondents "from Morgan's table"; SPEC.md "Sample size".
    assert sample_size() == 384
    assert sample_size(None) == 384
    assert sample_size(math.inf) == 384
    assert segment.sample_size is sample_size


def test_rounding_follows_the_table_not_the_exact_quantile():
    # With the exact chi-square quantile (3.84146) N = 40,000 gives 380.501, which
    # would round to 381; the table's 380 comes from X^2 = 3.841 (their value).
    assert sample_size(40000) == 380
    # They round to the nearest integer: N = 15 gives 14.47 -> 14 (ceiling: 15).
    assert sample_size(15) == 14


def _reference(population, margin, confidence, proportion):
    """The formula with X^2 from scipy's chi-square quantile (1 df), independent of
    the normal quantile the implementation uses."""
    chi2 = round(float(scipy_stats.chi2.ppf(confidence, 1)), 3)
    pq = chi2 * proportion * (1 - proportion)
    if population is None:
        return int(np.floor(pq / margin**2 + 0.5 + 1e-9))
    s = chi2 * population * proportion * (1 - proportion) / (margin**2 * (population - 1) + pq)
    return int(np.floor(s + 0.5 + 1e-9))


@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.98, 0.99, 0.999])
@pytest.mark.parametrize("margin", [0.01, 0.025, 0.03, 0.05, 0.1])
@pytest.mark.parametrize("population", [None, 50, 500, 5000, 123457])
def test_other_levels_match_scipy_chi_square(population, margin, confidence):
    for proportion in (0.5, 0.2, 0.9):
        assert sample_size(
            population, margin=margin, confidence=confidence, proportion=proportion
        ) == _reference(population, margin, confidence, proportion)


def test_chi_square_table_values():
    # A chi-square table with 1 df: 2.706 (90%), 3.841 (95%), 6.635 (99%).
    assert sample_size(margin=0.05, confidence=0.90) == round(2.706 * 0.25 / 0.0025)
    # 6.635 * 0.25 / 0.05^2 = 663.5 exactly: half rounds up.
    assert sample_size(margin=0.05, confidence=0.99) == 664


def test_size_never_exceeds_population_and_grows_with_it():
    sizes = [sample_size(n) for n in range(1, 2001)]
    assert all(s <= n for s, n in zip(sizes, range(1, 2001), strict=True))
    assert sizes == sorted(sizes)
    assert sample_size(1) == 1
    assert sample_size(np.int64(1000)) == 278
    assert sample_size(1000.0) == 278
    assert isinstance(sample_size(1000), int)


@pytest.mark.parametrize("population", [0, -5])
def test_population_below_one(population):
    with pytest.raises(ValueError, match="population must be at least 1"):
        sample_size(population)


@pytest.mark.parametrize("population", [10.5, "1000", True, float("nan"), -math.inf, [100]])
def test_population_not_a_whole_number(population):
    with pytest.raises(TypeError, match="population must be a whole number"):
        sample_size(population)


@pytest.mark.parametrize("name", ["margin", "confidence", "proportion"])
@pytest.mark.parametrize("value", [0, 1, -0.1, 1.5, float("nan"), "0.05", None, True])
def test_bad_levels_name_the_argument(name, value):
    with pytest.raises(ValueError, match=f"{name} must be a number strictly between 0 and 1"):
        sample_size(100, **{name: value})
