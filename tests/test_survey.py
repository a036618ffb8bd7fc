"""Tests for segment.likert (load_likert) and segment.survey (cronbach_alpha,
expert_matrix, tally_votes)."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from segment._stats import f_ppf
from segment.datasets import load_paper_b_votes
from segment.likert import LIKERT_SCALES, LikertScaleWarning, load_likert
from segment.survey import AlphaResult, cronbach_alpha, expert_matrix, tally_votes
from tests import reference

# ---------------------------------------------------------------- published alpha values

# pingouin's "cronbach_alpha" example data set (raphaelvallat/pingouin,
# pingouin/datasets/cronbach_alpha.csv, long format Subj/Items/Scores), items Q1..Q10
# for subjects 0..14. The docstring of pingouin.cronbach_alpha (pingouin/reliability.py)
# documents: (0.591719, array([0.195, 0.84])), the CI by Feldt's method.
PINGOUIN = np.array([
    [3, 2, 4, 1, 4, 5, 1, 4, 3, 2], [5, 4, 6, 3, 5, 1, 2, 5, 5, 5],
    [7, 3, 5, 5, 6, 4, 3, 3, 6, 5], [2, 4, 3, 3, 2, 2, 2, 6, 6, 3],
    [6, 5, 6, 5, 4, 4, 4, 6, 7, 5], [1, 2, 3, 4, 2, 5, 2, 3, 5, 2],
    [4, 3, 5, 3, 5, 2, 1, 2, 4, 3], [2, 4, 4, 3, 7, 2, 2, 4, 6, 5],
    [6, 5, 5, 5, 1, 6, 5, 2, 3, 2], [5, 4, 6, 4, 3, 5, 3, 1, 7, 2],
    [4, 3, 5, 2, 5, 3, 2, 3, 4, 1], [4, 2, 3, 2, 5, 3, 4, 2, 3, 4],
    [5, 5, 6, 2, 3, 3, 2, 4, 4, 5], [6, 5, 5, 4, 2, 2, 1, 4, 6, 5],
    [4, 3, 5, 5, 3, 1, 3, 2, 3, 4],
])

# R's mtcars (Henderson & Velleman 1981), columns cyl, gear, carb, hp. The easystats
# `performance` package documents `cronbachs_alpha(mtcars[, c("cyl", "gear", "carb",
# "hp")])` -> 0.09463206 (easystats.github.io/performance/reference/cronbachs_alpha.html).
MTCARS = pd.DataFrame({
    "cyl": [6, 6, 4, 6, 8, 6, 8, 4, 4, 6, 6, 8, 8, 8, 8, 8, 8, 4, 4, 4, 4, 8, 8, 8, 8, 4, 4,
            4, 8, 6, 8, 4],
    "gear": [4, 4, 4, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 3, 3, 3, 3, 4, 4, 4, 3, 3, 3, 3, 3, 4, 5,
             5, 5, 5, 5, 4],
    "carb": [4, 4, 1, 1, 2, 1, 4, 2, 2, 4, 4, 3, 3, 3, 4, 4, 4, 1, 2, 1, 1, 2, 2, 4, 2, 1, 2,
             2, 4, 6, 8, 2],
    "hp": [110, 110, 93, 110, 175, 105, 245, 62, 95, 123, 123, 180, 180, 180, 205, 215, 230,
           66, 52, 65, 97, 150, 150, 245, 175, 66, 91, 113, 264, 175, 335, 109],
})


def test_alpha_pingouin_published_value_and_feldt_ci():
    res = cronbach_alpha(pd.DataFrame(PINGOUIN, columns=[f"Q{i}" for i in range(1, 11)]))
    assert round(res.alpha, 6) == 0.591719
    assert (round(res.ci_low, 3), round(res.ci_high, 3)) == (0.195, 0.84)
    assert res.n_obs == 15 and res.n_items == 10 and res.ci == 0.95
    assert float(res) == res.alpha
    assert isinstance(res, AlphaResult)


def test_alpha_mtcars_published_value():
    assert cronbach_alpha(MTCARS).alpha == pytest.approx(0.09463206, abs=5e-9)


def test_alpha_equals_variance_formula_and_item_stats():
    x = PINGOUIN.astype(float)
    k = x.shape[1]
    direct = k / (k - 1) * (1 - x.var(axis=0, ddof=1).sum() / x.sum(axis=1).var(ddof=1))
    res = cronbach_alpha(x)
    assert res.alpha == pytest.approx(direct, rel=1e-12)
    for j in range(k):
        rest = np.delete(x, j, axis=1)
        assert res.item_stats.loc[j, "alpha_if_deleted"] == pytest.approx(
            cronbach_alpha(rest).alpha, rel=1e-12)
        r = np.corrcoef(x[:, j], rest.sum(axis=1))[0, 1]
        assert res.item_stats.loc[j, "r_drop"] == pytest.approx(r, rel=1e-12)
    corr = np.corrcoef(x, rowvar=False)
    rbar = (corr.sum() - k) / (k * (k - 1))
    assert res.std_alpha == pytest.approx(k * rbar / (1 + (k - 1) * rbar), rel=1e-12)
    assert list(res.to_frame().columns) == ["alpha", "std_alpha", "ci_low", "ci_high", "ase",
                                            "n_obs", "n_items"]


def test_alpha_nan_policies():
    x = pd.DataFrame(PINGOUIN[:, :4].astype(float), columns=list("abcd"))
    x.iloc[0, 1] = np.nan
    x.iloc[5, 3] = np.nan
    x.loc[15] = np.nan  # a respondent who answered nothing is ignored
    listwise = cronbach_alpha(x, nan_policy="listwise")
    assert listwise.alpha == pytest.approx(cronbach_alpha(x.dropna()).alpha)
    assert listwise.n_obs == 13
    pairwise = cronbach_alpha(x)
    c = x.cov().to_numpy()
    assert pairwise.alpha == pytest.approx(4 / 3 * (1 - np.trace(c) / c.sum()))
    assert pairwise.n_obs == 15 and pairwise.item_stats["n"].tolist() == [15, 14, 15, 14]
    med = cronbach_alpha(x, nan_policy="median")
    assert med.alpha == pytest.approx(cronbach_alpha(x.iloc[:15].fillna(x.median())).alpha)
    with pytest.raises(ValueError, match=r"missing answers in rows \[0, 5, 15\]"):
        cronbach_alpha(x, nan_policy="raise")


def test_alpha_duhachek_ci_and_no_ci():
    res = cronbach_alpha(PINGOUIN, ci=0.9, ci_method="duhachek")
    z = 1.6448536269514722
    assert res.ci_low == pytest.approx(res.alpha - z * res.ase)
    assert res.ci_high == pytest.approx(res.alpha + z * res.ase)
    res = cronbach_alpha(PINGOUIN, ci=None)
    assert np.isnan(res.ci_low) and np.isnan(res.ci_high)


def test_f_quantile_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    for q in (0.001, 0.025, 0.5, 0.975, 0.999):
        for d1, d2 in ((1, 1), (2, 9), (14, 126), (383, 1532), (2799, 11196)):
            assert f_ppf(q, d1, d2) == pytest.approx(stats.f.ppf(q, d1, d2), rel=1e-9)


def test_alpha_errors():
    with pytest.raises(ValueError, match="at least 2 items"):
        cronbach_alpha(np.ones((5, 1)))
    with pytest.raises(ValueError, match="no variance"):
        cronbach_alpha(np.ones((5, 3)))
    with pytest.raises(ValueError, match="at least 2 respondents"):
        cronbach_alpha(np.array([[1.0, 2.0]]))
    with pytest.raises(ValueError, match=r"infinite values in rows \[1\]"):
        cronbach_alpha(np.array([[1.0, 2.0], [np.inf, 1.0], [2.0, 2.0]]))
    with pytest.raises(TypeError, match="load_likert"):
        cronbach_alpha(pd.DataFrame({"a": ["agree", "disagree"], "b": [1, 2]}))
    with pytest.raises(ValueError, match="fewer than 2 respondents in common"):
        cronbach_alpha(np.array([[1, np.nan], [2, np.nan], [np.nan, 1], [np.nan, 3.0]]))
    with pytest.raises(ValueError, match="nan_policy"):
        cronbach_alpha(PINGOUIN, nan_policy="drop")
    with pytest.raises(ValueError, match="ci must be"):
        cronbach_alpha(PINGOUIN, ci=95)


@pytest.mark.parametrize("factor", [2.0**600, 1e200, 2.0**1000, 2.0**-600, 1e-200])
def test_alpha_of_huge_and_tiny_answers(factor):
    # BUG-12: the covariance overflowed (or underflowed): alpha came back NaN, or
    # the message blamed "no variance". Alpha is unchanged by a common factor.
    x = PINGOUIN.astype(float)
    res = cronbach_alpha(x * factor)
    assert round(res.alpha, 6) == 0.591719  # pingouin's published value
    assert res.alpha == pytest.approx(reference.cronbach_alpha(x), rel=1e-13)
    assert (round(res.ci_low, 3), round(res.ci_high, 3)) == (0.195, 0.84)
    corr = np.corrcoef(x, rowvar=False)
    rbar = (corr.sum() - 10) / 90
    assert res.std_alpha == pytest.approx(10 * rbar / (1 + 9 * rbar), rel=1e-13)
    stats = res.item_stats
    np.testing.assert_allclose(stats["mean"], x.mean(axis=0) * factor, rtol=1e-14)
    np.testing.assert_allclose(stats["sd"], x.std(axis=0, ddof=1) * factor, rtol=1e-14)
    r_drop = [np.corrcoef(x[:, j], np.delete(x, j, axis=1).sum(axis=1))[0, 1] for j in range(10)]
    np.testing.assert_allclose(stats["r_drop"], r_drop, rtol=1e-12)
    assert np.isfinite(res.ase) and np.isfinite(stats.to_numpy()).all()


def test_alpha_items_of_very_different_magnitudes():
    # var_i * var_j underflowed for items ~1e-130 (1e-520): std_alpha was inf or NaN.
    x = np.random.default_rng(3).random((20, 3))
    y = x * [1.0, 1e-130, 1e-130]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = cronbach_alpha(y)
    corr = np.corrcoef(x, rowvar=False)  # correlations ignore each item's scale
    rbar = (corr.sum() - 3) / 6
    assert res.std_alpha == pytest.approx(3 * rbar / (1 + 2 * rbar), rel=1e-12)
    assert res.alpha == pytest.approx(reference.cronbach_alpha(y), rel=1e-12, abs=1e-300)
    r_drop = [np.corrcoef(y[:, j], np.delete(y, j, axis=1).sum(axis=1))[0, 1] for j in range(3)]
    np.testing.assert_allclose(res.item_stats["r_drop"], r_drop, rtol=1e-12)


def test_alpha_refuses_answers_float64_cannot_hold():
    x = np.random.default_rng(12).random((12, 3))
    x[:, 0] = [1.7e308, -1.7e308] * 6  # items 1 and 2 vary ~1e308 times less
    with pytest.raises(ValueError) as info:
        cronbach_alpha(pd.DataFrame(x, columns=["q1", "q2", "q3"]))
    msg = str(info.value)
    assert "no variance" not in msg
    assert re.search(r"item 'q1' reaches \|x\| = 1.7e\+308", msg), msg
    assert "variances of items [q2, q3] underflow" in msg
    wide = np.array([[1.7e308, 1.7e308], [-1.7e308, -1.7e308], [1.7e308, -1.7e308]])
    with pytest.raises(ValueError, match=r"items \[0, 1\] have a standard deviation beyond"):
        cronbach_alpha(wide)
    with pytest.raises(ValueError, match="no variance"):  # the real thing is still named so
        cronbach_alpha(np.full((5, 3), 1e300))


def test_alpha_ragged_list_names_items():
    with pytest.raises(ValueError, match=r"^items could not be read as an array .* one column "
                                         r"per item"):
        cronbach_alpha([[1.0, 2.0, 3.0], [1.0]])


# ---------------------------------------------------------------- load_likert


def test_likert_paper_a_labels_case_spaces_reverse_missing():
    answers = pd.DataFrame({
        "q1": ["I totally agree", " i agree", "I HAVE NO OPINION", "I disagree", None],
        "q2": ["I absolutely disagree", "I agree", "", "I totally agree", "n/a"],
        "q3": [5, 4, 3, 2, 1],
    })
    got = load_likert(answers, scale="paper_a", reverse=["q2"], missing=["N/A"])
    expected = pd.DataFrame({"q1": [5, 4, 3, 2, np.nan], "q2": [5, 2, np.nan, 1, np.nan],
                             "q3": [5, 4, 3, 2, 1]}, dtype=float)
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs["likert"] == {"scale": "paper_a", "low": 1.0, "high": 5.0,
                                   "reversed": ["q2"], "missing": ["N/A"],
                                   "n_missing_code": {"q1": 0, "q2": 1, "q3": 0}}


def test_likert_out_of_scale_names_row_column_value():
    answers = pd.DataFrame({"q1": ["Agree", "Strongly agre", "Disagree"],
                            "q2": [1, 2, 3]}, index=["r1", "r2", "r3"])
    with pytest.raises(ValueError, match=r"row 'r2', column 'q1': 'Strongly agre'"):
        load_likert(answers, scale="agree5")
    with pytest.raises(ValueError, match=r"row 'r3', column 'q2': 9"):
        load_likert(pd.DataFrame({"q2": [1, 5, 9]}, index=["r1", "r2", "r3"]),
                    scale=range(1, 6))
    with pytest.raises(ValueError, match=r"row 1, column 'q': 2.5"):
        load_likert(pd.DataFrame({"q": [1, 2.5]}), scale=[1, 2, 3])


def test_likert_builtin_scales_are_consistent():
    for name, mapping in LIKERT_SCALES.items():
        codes = sorted(set(mapping.values()))
        assert codes == list(range(1, len(codes) + 1)), name
    assert LIKERT_SCALES["paper_a"]["I totally agree"] == 5
    assert LIKERT_SCALES["paper_a"]["I absolutely disagree"] == 1
    assert LIKERT_SCALES["accuracy6"]["Slightly Accurate".capitalize()] == 4
    assert LIKERT_SCALES["agree4"]["Agree"] == 3 and LIKERT_SCALES["agree5"]["Agree"] == 4


def test_likert_detects_scale_and_warns_when_ambiguous():
    # CNES-style labels without spaces: a 4-point agreement scale without midpoint
    answers = pd.DataFrame({"a": ["StronglyDisagree", "Disagree", "Agree", "StronglyAgree"],
                            "b": ["Agree", "Agree", "Disagree", "StronglyAgree"]})
    with pytest.warns(UserWarning, match="several scales"):
        got = load_likert(answers, reverse=["b"])
    assert got["a"].tolist() == [1, 2, 3, 4] and got["b"].tolist() == [2, 2, 3, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_likert(answers, scale="agree4")  # explicit: no warning
    # a neutral answer rules out the 4- and 6-point scales: no ambiguity, but the
    # codes 1, 4, 5 skip points 2 and 3 (issue 14: named, not silent)
    with pytest.warns(LikertScaleWarning, match=r"skip its points 2 .*, 3 "):
        seven = load_likert(
            pd.DataFrame({"x": ["Very Inaccurate", "neutral", "slightly accurate"]})
        )
    assert seven["x"].tolist() == [1, 4, 5] and seven.attrs["likert"]["scale"] == "accuracy7"
    with pytest.warns(UserWarning, match=r"\['accuracy6', 'accuracy7'\]"), \
            pytest.warns(LikertScaleWarning, match="skip its points 2"):
        six = load_likert(pd.DataFrame({"x": ["Very Inaccurate", "slightly accurate"]}))
    assert six["x"].tolist() == [1, 4] and six.attrs["likert"]["scale"] == "accuracy6"
    with pytest.raises(ValueError, match="match no built-in scale"):
        load_likert(pd.DataFrame({"x": ["yes", "no"]}))


# ---------------------------------------------------------------- real-world exports (issue 14)

QUALTRICS5 = ["Strongly disagree", "Somewhat disagree", "Neither agree nor disagree",
              "Somewhat agree", "Strongly agree"]
AGREE7 = ["Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree",
          "Somewhat agree", "Agree", "Strongly agree"]


def test_likert_qualtrics_five_point_labels_are_five_points():
    # Qualtrics' 5-point agreement scale was taken for a 7-point one: 1, 3, 4, 5, 7
    answers = pd.DataFrame({"q1": QUALTRICS5, "q2": QUALTRICS5[::-1]})
    with pytest.warns(UserWarning, match=r"several scales \['agree5_somewhat', 'agree7'\]"):
        got = load_likert(answers)
    assert got["q1"].tolist() == [1, 2, 3, 4, 5] and got["q2"].tolist() == [5, 4, 3, 2, 1]
    assert got.attrs["likert"]["scale"] == "agree5_somewhat"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        explicit = load_likert(answers, scale="agree5_somewhat", reverse=["q2"])
        # all seven labels: only the 7-point scale has them, no warning
        seven = load_likert(pd.DataFrame({"q": AGREE7}))
        # SurveyMonkey / Google Forms wording with "Neutral" is still agree5
        monkey = load_likert(pd.DataFrame({"q": ["Strongly Disagree", "Disagree", "Neutral",
                                                 "Agree", "Strongly Agree"]}), scale="agree5")
    assert explicit["q2"].tolist() == [1, 2, 3, 4, 5]
    assert seven["q"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert monkey["q"].tolist() == [1, 2, 3, 4, 5]


def test_likert_detected_scale_with_gaps_warns_naming_columns():
    # labels of two different exports mixed: only agree7 holds them all, and the
    # codes skip points 3 and 6
    answers = pd.DataFrame({"q1": ["Strongly disagree", "Disagree", "Somewhat agree"],
                            "q2": ["Neither agree nor disagree", "Strongly agree", None],
                            "age": [30, 40, 50]})
    with pytest.warns(LikertScaleWarning) as record:
        got = load_likert(answers, items=["q1", "q2"])
    assert got["q1"].tolist() == [1, 2, 5] and got.attrs["likert"]["scale"] == "agree7"
    msg = "\n".join(str(w.message) for w in record if w.category is LikertScaleWarning)
    assert "'agree7'" in msg and "['q1', 'q2']" in msg
    assert "3 ('Somewhat disagree')" in msg and "6 ('Agree')" in msg
    assert "scale=" in msg
    assert issubclass(LikertScaleWarning, UserWarning)


def test_likert_no_answer_code_99_is_refused_naming_column_and_value():
    # 99 = "no answer" widened the inferred scale to 1..99 without a word
    answers = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 99], "q2": [2, 3, 4, 5, 1, 2],
                            "q3": [99, 99, 3, 4, 5, 1]})
    with pytest.raises(ValueError) as err:
        load_likert(answers)
    msg = str(err.value)
    assert "99" in msg and "['q1', 'q3']" in msg and "3 cells" in msg
    assert "missing=[99]" in msg and "scale=range(1, 100)" in msg
    with pytest.raises(ValueError, match=r"value -9 .*missing=\[-9\]"):
        load_likert(pd.DataFrame({"q": [1, 2, 3, 4, 5, -9]}))
    with pytest.warns(UserWarning, match="reversing"):
        got = load_likert(answers, missing=[99], reverse=["q2"])
    assert got.attrs["likert"]["scale"] == "1..5 (inferred)"
    assert got.attrs["likert"]["n_missing_code"] == {"q1": 1, "q2": 0, "q3": 2}
    assert got.attrs["likert"]["missing"] == [99]
    assert got["q1"].isna().tolist() == [False] * 5 + [True]
    assert got["q2"].tolist() == [4, 3, 2, 1, 5, 4]
    # an explicit scale that contains 99 is the user's word
    assert load_likert(answers, scale=range(1, 100))["q1"].iloc[5] == 99


def test_likert_inferred_scale_with_a_gap_warns():
    # 9 = "don't know" on a 1..5 scale: the inferred 1..9 skips 6, 7, 8
    answers = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 9], "q2": [1, 2, 3, 4, 5, 5]})
    with pytest.warns(LikertScaleWarning, match=r"skips 6, 7, 8.*\['q1'\].*missing=\[9\]"):
        got = load_likert(answers)
    assert got.attrs["likert"]["high"] == 9
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_likert(answers, missing=[9]).attrs["likert"]["high"] == 5


def test_likert_missing_codes_and_cronbach_alpha():
    rng = np.random.default_rng(4)
    base = rng.integers(1, 6, size=(60, 1))
    codes = np.clip(base + rng.integers(-1, 2, size=(60, 4)), 1, 5).astype(float)
    raw = pd.DataFrame(codes, columns=["a", "b", "c", "d"])
    raw.iloc[[3, 10, 22], 1] = 99
    raw.iloc[[5], 3] = 99
    got = load_likert(raw, missing=[99])
    expected = raw.replace(99, np.nan)
    pd.testing.assert_frame_equal(got, expected)
    assert sum(got.attrs["likert"]["n_missing_code"].values()) == 4
    for policy in ("pairwise", "listwise", "median"):
        a = cronbach_alpha(got, nan_policy=policy)
        assert a.alpha == pytest.approx(cronbach_alpha(expected, nan_policy=policy).alpha,
                                        rel=1e-12)
        assert np.isfinite(a.alpha) and a.alpha != pytest.approx(
            cronbach_alpha(raw).alpha, rel=1e-3)
    assert cronbach_alpha(got, nan_policy="listwise").n_obs == 56
    assert cronbach_alpha(got).item_stats["n"].tolist() == [60, 57, 60, 59]
    with pytest.raises(ValueError, match=r"missing answers in rows \[3, 5, 10, 22\]"):
        cronbach_alpha(got, nan_policy="raise")


def test_likert_custom_mapping_and_numbers_in_verbal_columns():
    answers = pd.DataFrame({"q": ["Nunca", "sempre", "3", 2, "ÀS VEZES"]})
    scale = {"nunca": 1, "raramente": 2, "às vezes": 3, "muitas vezes": 4, "sempre": 5}
    got = load_likert(answers, scale=scale, reverse="q")
    assert got["q"].tolist() == [5, 1, 3, 4, 3]
    with pytest.raises(ValueError, match="same text with different numbers"):
        load_likert(answers, scale={"Sempre": 5, "sempre ": 4})


def test_likert_numeric_range_and_inferred_scale():
    answers = pd.DataFrame({"a": [1, 2, 6], "b": [2, 3, 5]})
    got = load_likert(answers, scale=range(1, 7), reverse=["b"])
    assert got["b"].tolist() == [5, 4, 2]
    with pytest.warns(UserWarning, match="inferred"):
        inferred = load_likert(answers[["b"]], reverse=["b"])
    assert inferred["b"].tolist() == [5, 4, 2]  # 2 + 5 - x: the extremes observed
    assert inferred.attrs["likert"]["scale"] == "2..5 (inferred)"


def test_likert_items_index_col_and_errors():
    answers = pd.DataFrame({"id": ["p1", "p2"], "age": [30, 40], "q1": [1, 2], "q2": [2, 2]})
    got = load_likert(answers, items=["q2", "q1"], index_col="id", scale=range(1, 6))
    assert list(got.columns) == ["q2", "q1"] and got.index.tolist() == ["p1", "p2"]
    with pytest.raises(ValueError, match=r"items \['q3'\] are not columns"):
        load_likert(answers, items=["q3"])
    with pytest.raises(ValueError, match="reverse names"):
        load_likert(answers, items=["q1"], reverse=["q2"])
    with pytest.raises(ValueError, match="unknown scale 'agree9'"):
        load_likert(answers, items=["q1"], scale="agree9")
    with pytest.raises(ValueError, match="index_col='who'"):
        load_likert(answers, index_col="who")


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_likert_files(tmp_path, ext):
    answers = pd.DataFrame({"resp": [1, 2, 3],
                            "q1": ["Very accurate", "moderately inaccurate", None],
                            "q2": [6, 1, 3]})
    path = tmp_path / f"survey.{ext}"
    if ext == "csv":
        answers.to_csv(path, index=False)
    else:
        answers.to_excel(path, index=False)
    got = load_likert(path, index_col="resp", scale="accuracy6", reverse=["q2"])
    assert got["q1"].tolist()[:2] == [6.0, 2.0] and np.isnan(got["q1"].iloc[2])
    assert got["q2"].tolist() == [1.0, 6.0, 4.0]


# ---------------------------------------------------------------- expert_matrix


def _long_scores():
    rows = []
    scores = {"e1": [[5, 7], [3, 1]], "e2": [[6, 8], [4, 2]], "e3": [[7, 9], [2, 3]]}
    for e, m in scores.items():
        for i, a in enumerate(["A2", "A1"]):
            for j, c in enumerate(["C1", "C2"]):
                rows.append({"expert": e, "alternative": a, "criterion": c, "score": m[i][j]})
    return pd.DataFrame(rows)


EXPECTED_MEAN = pd.DataFrame({"C1": [6.0, 3.0], "C2": [8.0, 2.0]},
                             index=pd.Index(["A2", "A1"], name="alternative"))
EXPECTED_MEAN.columns.name = "criterion"


def test_expert_matrix_long_wide_list_dict_array():
    long = _long_scores()
    pd.testing.assert_frame_equal(expert_matrix(long), EXPECTED_MEAN)
    wide = long.pivot_table(index=["expert", "alternative"], columns="criterion",
                            values="score", sort=False).reset_index()
    wide.columns.name = None
    pd.testing.assert_frame_equal(expert_matrix(wide), EXPECTED_MEAN)
    mats = {e: g.pivot(index="alternative", columns="criterion", values="score")
            .loc[["A2", "A1"]] for e, g in long.groupby("expert")}
    pd.testing.assert_frame_equal(expert_matrix(mats), EXPECTED_MEAN)
    pd.testing.assert_frame_equal(expert_matrix(list(mats.values())), EXPECTED_MEAN)
    arr = np.stack([m.to_numpy() for m in mats.values()])
    np.testing.assert_array_equal(expert_matrix(arr), EXPECTED_MEAN.to_numpy())
    med = expert_matrix(long, agg="median")
    assert med.loc["A1", "C2"] == 2.0 and med.loc["A2", "C1"] == 6.0


def test_expert_matrix_custom_column_names():
    long = _long_scores().rename(columns={"expert": "who", "alternative": "factor",
                                          "criterion": "crit", "score": "value"})
    got = expert_matrix(long, expert="who", alternative="factor", criterion="crit",
                        score="value")
    np.testing.assert_array_equal(got.to_numpy(), EXPECTED_MEAN.to_numpy())
    assert got.index.name == "factor" and got.columns.name == "crit"


def test_expert_matrix_missing_duplicate_and_bad_scores():
    long = _long_scores()
    gap = long.drop(index=0)  # e1 did not score (A2, C1)
    with pytest.raises(ValueError, match="expert 'e1' for alternative 'A2', criterion 'C1'"):
        expert_matrix(gap)
    got = expert_matrix(gap, nan_policy="omit")
    assert got.loc["A2", "C1"] == 6.5  # mean of e2 and e3
    dup = pd.concat([long, long.iloc[[3]]], ignore_index=True)
    with pytest.raises(ValueError, match="more than once"):
        expert_matrix(dup)
    bad = long.astype({"score": object})
    bad.loc[2, "score"] = "high"
    with pytest.raises(ValueError, match=r"non-numeric scores \['high'\]"):
        expert_matrix(bad)
    arr = np.ones((2, 2, 2))
    arr[:, 0, 1] = np.nan
    with pytest.raises(ValueError, match="no expert scored"):
        expert_matrix(arr, nan_policy="omit")
    with pytest.raises(ValueError, match="shape"):
        expert_matrix(np.ones((2, 2)))


# ---------------------------------------------------------------- tally_votes


# Paper B, Table 5: "Total of Votes" and "Average" columns as printed
TABLE5_TOTALS = [4, 4, 4, 1, 3, 0, 1, 4, 3, 3, 3, 1, 3, 1, 4]


def test_tally_paper_b_table5_to_table6():
    tally = tally_votes(load_paper_b_votes())
    assert tally.total.tolist() == TABLE5_TOTALS
    assert tally.average.tolist() == [t / 4 for t in TABLE5_TOTALS]
    # Table 6, with its misprint corrected: payment type (3 votes), not invoice type (0)
    assert tally.selected == [
        "date installed", "location", "contract type", "payment type", "installation fee",
        "extensions amount", "extension fee", "first extension date", "debt amount", "MVC",
    ]
    paper_rule = tally_votes(load_paper_b_votes(), threshold=0.75, min_votes=3)
    assert paper_rule.selected == tally.selected
    frame = tally.to_frame()
    assert frame.loc["invoice type"].tolist() == [0, 0.0, False]
    assert frame["selected"].sum() == 10


def test_tally_vote_tokens():
    votes = pd.DataFrame({"a": ["x", " X ", "", None, 0],
                          "b": [1, True, False, np.nan, "1"],
                          "c": [1.0, "x", "0", "", "x"]}, index=list("pqrst"))
    tally = tally_votes(votes, threshold=0.5)
    assert tally.total.tolist() == [3, 3, 0, 0, 2]
    assert tally.selected == ["p", "q", "t"]
    assert tally_votes(votes, threshold=1.0, min_votes=2).selected == ["p", "q", "t"]
    assert tally_votes(votes, threshold=1.0).selected == ["p", "q"]


def test_tally_errors_name_the_cell():
    votes = pd.DataFrame({"v1": ["x", "maybe"], "v2": ["", "x"]}, index=["mvc", "location"])
    with pytest.raises(ValueError, match="'maybe' for variable 'location', voter 'v1'"):
        tally_votes(votes)
    named = pd.DataFrame({"attribute": ["mvc", "location"], "1": ["x", ""], "2": ["x", "x"]})
    with pytest.raises(ValueError, match="pass variable='attribute'"):
        tally_votes(named)
    assert tally_votes(named, variable="attribute").total.tolist() == [2, 1]
    with pytest.raises(ValueError, match="threshold"):
        tally_votes(votes.iloc[:1], threshold=3)
    with pytest.raises(TypeError, match="DataFrame"):
        tally_votes([["x"]])


def test_likert_malformed_files(tmp_path):
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("q1,q2\n1,2\n3,4,5\n")
    with pytest.raises(ValueError, match=r"more fields than the header at rows \[1\]"):
        load_likert(ragged)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        load_likert(empty)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("q1\nConcordo plenamente\nNão concordo\n".encode("cp1252"))
    with pytest.raises(ValueError, match="encoding="):
        load_likert(latin)
    got = load_likert(latin, encoding="cp1252",
                      scale={"Não concordo": 1, "Concordo plenamente": 2})
    assert got["q1"].tolist() == [2.0, 1.0]
