"""The impact report's statistics: ratio difference in differences with a Welch t interval."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from deflect.insights.stats import Estimate, _hill_t_quantile, diff_in_diff, rank_key, t_quantile

WEEKS = 104
TOPICS = 30


def weekly_rates(rng: np.random.Generator, weeks: int = WEEKS, topics: int = TOPICS) -> np.ndarray:
    """Expected weekly tickets per topic: different scales, a shared season and a global upward trend."""
    base = rng.uniform(20, 300, topics)
    w = np.arange(weeks)
    season = 1 + 0.3 * np.sin(2 * np.pi * w / 52 + rng.uniform(0, 2 * np.pi))
    trend = 1 + 0.5 * w / weeks
    return base[:, None] * season * trend


def simulate(rng, treated_topic, publish_week, cut=0.0, base=None):
    """Poisson counts; from the week after ``publish_week`` the treated topic loses ``cut`` tickets/week.

    Returns (treated counts, control counts, rate without the article, rate with it)."""
    lam = weekly_rates(rng)
    if base is not None:
        lam[treated_topic] *= base / lam[treated_topic].mean()
    without = lam[treated_topic].copy()
    lam[treated_topic, publish_week + 1 :] = np.maximum(lam[treated_topic, publish_week + 1 :] - cut, 0)
    counts = rng.poisson(lam)
    control = np.delete(counts, treated_topic, axis=0).sum(axis=0)
    return counts[treated_topic], control, without, lam[treated_topic]


def true_change(e: Estimate, without, with_article) -> float:
    after = [w for w in e.expected_weeks if w > e.expected_weeks[e.weeks_before - 1]]
    return float(np.mean(with_article[after] - without[after]))


def assert_finite(e: Estimate) -> None:
    for f in dataclasses.fields(e):
        value = getattr(e, f.name)
        if isinstance(value, float) and f.name != "df":
            assert math.isfinite(value), f.name
    assert all(math.isfinite(x) for x in e.expected)
    assert not math.isnan(e.df)


# 1. A known effect on a topic of ~150 tickets/week.


def test_known_effect_is_recovered():
    rng = np.random.default_rng(42)
    treated, control, without, with_article = simulate(rng, treated_topic=3, publish_week=60, cut=40.0, base=150)
    e = diff_in_diff(treated, control, 60)
    assert e is not None and e.method == "ratio"
    assert e.weeks_before == 12 and e.weeks_after == 12
    assert e.ci_low <= -40.0 <= e.ci_high
    assert e.significant and e.ci_high < 0
    assert rank_key(e) == pytest.approx(40.0, abs=15.0)  # tickets avoided per week
    # The counterfactual follows the control's season and trend: close to the true rate without the article.
    assert e.expected_per_week == pytest.approx(without[61:73].mean(), rel=0.08)
    # The percentage change, with the CI expressed in percent of the counterfactual.
    known_pct = 100.0 * -40.0 / without[61:73].mean()
    assert e.change_pct is not None
    pct_low, pct_high = (100.0 * x / e.expected_per_week for x in (e.ci_low, e.ci_high))
    assert pct_low <= known_pct <= pct_high
    assert e.change_pct == pytest.approx(known_pct, abs=(pct_high - pct_low) / 2)
    assert_finite(e)


# 2. No effect.


def test_no_effect_is_not_significant():
    rng = np.random.default_rng(7)
    treated, control, _, _ = simulate(rng, treated_topic=11, publish_week=50)
    e = diff_in_diff(treated, control, 50)
    assert e is not None
    assert e.ci_low <= 0.0 <= e.ci_high
    assert not e.significant
    assert_finite(e)


# 3. Calibration: the 95% interval covers the truth in about 95% of simulated histories.


@pytest.mark.parametrize("cut", [0.0, 40.0])
def test_interval_is_calibrated(cut):
    rng = np.random.default_rng(2024 if cut else 1999)
    runs, covered, significant = 200, 0, 0
    for _ in range(runs):
        topic = int(rng.integers(TOPICS))
        week = int(rng.integers(15, 90))
        treated, control, without, with_article = simulate(rng, topic, week, cut=cut, base=float(rng.uniform(60, 250)))
        e = diff_in_diff(treated, control, week)
        truth = true_change(e, without, with_article)
        covered += e.ci_low <= truth <= e.ci_high
        significant += e.significant
    assert covered / runs >= 0.88
    if cut:
        assert significant / runs >= 0.9  # 40 tickets/week is clearly detectable at these volumes
    else:
        assert significant / runs <= 0.12  # false positives near the nominal 5%


def test_interval_is_calibrated_for_small_topics():
    rng = np.random.default_rng(5)
    runs, covered = 200, 0
    for _ in range(runs):
        week = int(rng.integers(15, 90))
        treated, control, without, with_article = simulate(rng, 0, week, cut=1.0, base=4.0)
        e = diff_in_diff(treated, control, week)
        covered += e.ci_low <= true_change(e, without, with_article) <= e.ci_high
    assert covered / runs >= 0.88


# Windows.


def test_windows_leave_out_the_publication_week():
    treated = [10.0] * 20
    control = [100.0] * 20
    treated[8] = 1000.0  # the publication week: ignored
    e = diff_in_diff(treated, control, 8, window=5)
    assert e is not None
    assert (e.weeks_before, e.weeks_after) == (5, 5)
    assert e.expected_weeks == [3, 4, 5, 6, 7, 9, 10, 11, 12, 13]
    assert len(e.expected) == e.weeks_before + e.weeks_after
    assert e.change_per_week == pytest.approx(0.0)
    assert e.before_per_week == e.after_per_week == 10.0


def test_window_none_uses_all_weeks():
    rng = np.random.default_rng(3)
    treated, control, _, _ = simulate(rng, 0, 60)
    e = diff_in_diff(treated, control, 60, window=None)
    assert (e.weeks_before, e.weeks_after) == (60, WEEKS - 61)
    short = diff_in_diff(treated, control, 60)
    assert e.ci_high - e.ci_low < short.ci_high - short.ci_low


def test_ratio_counterfactual_follows_the_control():
    # The control doubles after publication; a topic at 10% of the control is expected to double too.
    control = [100.0, 110.0, 90.0, 100.0, 150.0, 200.0, 220.0, 180.0, 200.0]
    treated = [10.0, 11.0, 9.0, 10.0, 15.0, 20.0, 22.0, 18.0, 20.0]
    e = diff_in_diff(treated, control, 4)
    assert e.expected == pytest.approx([10.0, 11.0, 9.0, 10.0, 20.0, 22.0, 18.0, 20.0])
    assert e.expected_per_week == pytest.approx(20.0)
    assert e.change_per_week == pytest.approx(0.0)
    assert e.change_pct == pytest.approx(0.0)
    assert not e.significant


# 4. Edge cases.


@pytest.mark.parametrize(
    ("publish_week", "window", "expected_none"),
    [(2, 12, True), (3, 12, False), (16, 12, True), (15, 12, False), (-1, 12, True), (40, 12, True), (10, 2, True)],
)
def test_too_few_weeks_gives_none(publish_week, window, expected_none):
    series = [5.0] * 19
    e = diff_in_diff(series, [50.0] * 19, publish_week, window=window, min_weeks=3)
    assert (e is None) == expected_none


def test_min_weeks_is_at_least_two():
    assert diff_in_diff([1, 2, 3, 4], [5, 6, 7, 8], 1, min_weeks=1) is None  # 1 week before: no noise estimate
    e = diff_in_diff([5, 5, 5] + [0, 20] * 5, [50] * 13, 2, min_weeks=1)  # 2 weeks before, 10 after
    assert e is not None and (e.weeks_before, e.weeks_after) == (2, 10)
    assert e.df >= 2


def test_all_zero_control_falls_back_to_a_flat_counterfactual():
    treated = [20, 22, 18, 21, 19, 20, 30, 11, 12, 9, 10, 11, 8]
    e = diff_in_diff(treated, [0] * len(treated), 6)
    assert e is not None and e.method == "flat"
    assert e.expected == pytest.approx([20.0] * 12)
    assert e.expected_per_week == pytest.approx(20.0)
    assert e.change_per_week == pytest.approx(10.1667 - 20.0, abs=1e-3)
    assert e.significant
    assert_finite(e)


def test_control_zero_before_but_not_after_is_flat():
    e = diff_in_diff([5, 6, 5, 4, 5, 6, 5, 4], [0, 0, 0, 0, 3, 10, 20, 30], 3)  # before: 5, 6, 5
    assert e.method == "flat" and e.expected_per_week == pytest.approx(16 / 3)
    assert_finite(e)


def test_zero_treated_before():
    e = diff_in_diff([0, 0, 0, 0, 0, 3, 4, 2, 5], [50, 60, 55, 40, 50, 52, 61, 58, 49], 4)
    assert e is not None
    assert e.expected_per_week == 0.0 and e.change_pct is None
    assert e.change_per_week == pytest.approx(3.5)
    assert e.ci_low < e.ci_high
    assert_finite(e)


def test_all_zeros():
    e = diff_in_diff([0] * 10, [0] * 10, 5)
    assert e is not None
    assert e.change_per_week == e.ci_low == e.ci_high == 0.0
    assert not e.significant and e.change_pct is None
    assert_finite(e)


def test_constant_counts_still_have_poisson_noise():
    # Identical weekly counts would give a zero sample variance; the Poisson floor keeps the CI open.
    e = diff_in_diff([10] * 5 + [12] * 5, [100] * 10, 4)
    assert e.ci_low < e.change_per_week < e.ci_high
    assert not e.significant  # +2 tickets/week on a base of 10 over 4–5 weeks is within Poisson noise


def test_invalid_input():
    with pytest.raises(ValueError):
        diff_in_diff([1, 2, 3], [1, 2], 1)
    with pytest.raises(ValueError):
        diff_in_diff([1, 2, float("nan"), 4, 5, 6, 7, 8], [1] * 8, 3)
    with pytest.raises(ValueError):
        diff_in_diff([1] * 8, [1] * 8, 3, confidence=1.5)
    with pytest.raises(ValueError):
        diff_in_diff([1] * 8, [1] * 8, 3, window=0)


def test_confidence_level_widens_the_interval():
    rng = np.random.default_rng(11)
    treated, control, _, _ = simulate(rng, 4, 50)
    e90 = diff_in_diff(treated, control, 50, confidence=0.90)
    e99 = diff_in_diff(treated, control, 50, confidence=0.99)
    assert e90.change_per_week == e99.change_per_week
    assert e99.ci_low < e90.ci_low < e90.ci_high < e99.ci_high


def test_rank_key_orders_by_tickets_avoided():
    rng = np.random.default_rng(8)
    estimates = []
    for cut in (0.0, 60.0, 20.0):
        treated, control, _, _ = simulate(rng, 0, 60, cut=cut, base=150)
        estimates.append(diff_in_diff(treated, control, 60))
    ranked = sorted(estimates, key=rank_key, reverse=True)
    assert ranked == [estimates[1], estimates[2], estimates[0]]
    assert ranked[0].avoided_per_week == rank_key(ranked[0]) > 0


def test_t_quantile():
    assert t_quantile(0.975, math.inf) == pytest.approx(1.959964, abs=1e-6)
    assert t_quantile(0.5, 3) == 0.0
    exact = {  # scipy.stats.t.ppf(q, df) for df = 2, 3, 7.5, 30
        0.9: (1.885618, 1.637744, 1.405212, 1.310415),
        0.95: (2.919986, 2.353363, 1.875747, 1.697261),
        0.975: (4.302653, 3.182446, 2.333040, 2.042272),
        0.995: (9.924843, 5.840909, 3.421423, 2.749996),
    }
    for q, values in exact.items():
        for df, value in zip((2, 3, 7.5, 30), values):
            assert t_quantile(q, df) == pytest.approx(value, rel=1e-3)
    # Below 2 degrees of freedom: exact with scipy, conservative (1 degree of freedom) without it.
    # (scipy's exact path is not exercised here: importing scipy.stats alone takes about a second.)
    assert _hill_t_quantile(0.975, 1.5) >= 6.016663 - 1e-6


def test_control_series_is_the_sum_of_the_controls():
    """impact sums every topic once and subtracts the few an article leaves out of its control."""
    from deflect.insights.impact import control_series

    rng = np.random.default_rng(3)
    series = {f"t{i}": [int(n) for n in rng.poisson(20, 30)] for i in range(40)}
    totals = [sum(week) for week in zip(*series.values())]
    for controls in (list(series), ["t3", "t7"], [name for name in series if name not in ("t0", "t9", "t21")], []):
        assert control_series(series, totals, controls) == [sum(series[n][w] for n in controls) for w in range(30)]
