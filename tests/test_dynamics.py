import math

import numpy as np
import pandas as pd
import pytest

from analysis.aggregation import aggregate, smooth
from analysis.dynamics import compare_periods, detect_changes, parse_period, trend
from analysis.errors import AnalysisError, TooShortError


def table(rows):
    """An article_topics table from (article_id, date, topic, net[, cooperation, friction])."""
    records = []
    for row in rows:
        article_id, date, topic, net = row[:4]
        coop, fric = (row[4], row[5]) if len(row) > 4 else (max(net, 0), max(-net, 0))
        records.append({"article_id": article_id, "published": pd.Timestamp(date) if date else pd.NaT, "topic": topic,
                        "n_sentences": 2, "weight": 1.0, "net": net, "cooperation": coop, "friction": fric,
                        "top_cooperation": -1, "top_friction": -1, "n_evidence": 1})
    return pd.DataFrame(records)


def simulated(rng, n_articles, start, end, mean, sd=0.3, topic="all", prefix="a"):
    days = rng.integers(0, (pd.Timestamp(end) - pd.Timestamp(start)).days + 1, n_articles)
    nets = np.clip(rng.normal(mean, sd, n_articles), -1, 1)
    return [(f"{prefix}{i}", pd.Timestamp(start) + pd.Timedelta(days=int(d)), topic, float(x))
            for i, (d, x) in enumerate(zip(days, nets, strict=True))]


# ------------------------------------------------------------------ aggregation

def test_aggregate_by_hand():
    data = table([("a", "2021-01-10", "all", 0.5, 3, 1), ("b", "2021-02-10", "all", -0.1, 1, 2),
                  ("c", "2021-03-01", "all", 0.2, 2, 0), ("d", "2021-10-01", "all", -0.6, 0, 4),
                  ("e", None, "all", 0.9, 9, 0)])
    out = aggregate(data, "QE", min_articles=3, n_boot=500).set_index("period")
    assert list(out.index) == ["2021Q1", "2021Q2", "2021Q3", "2021Q4"]
    q1 = out.loc["2021Q1"]
    assert q1["n_articles"] == 3 and q1["n_sentences"] == 6
    assert q1["mean_net"] == pytest.approx((0.5 - 0.1 + 0.2) / 3)
    assert q1["cooperation_share"] == pytest.approx(6 / 9) and q1["friction_share"] == pytest.approx(3 / 9)
    assert q1["ci_low"] <= q1["mean_net"] <= q1["ci_high"]
    assert not q1["thin"]
    # empty periods are present with n = 0, thin, no mean
    assert out.loc["2021Q2", "n_articles"] == 0 and math.isnan(out.loc["2021Q2", "mean_net"]) and out.loc["2021Q2", "thin"]
    # one article: a mean but no interval
    q4 = out.loc["2021Q4"]
    assert q4["n_articles"] == 1 and q4["mean_net"] == pytest.approx(-0.6) and math.isnan(q4["ci_low"]) and q4["thin"]


def test_aggregate_is_seeded_and_volume_share():
    data = table([("a", "2021-01-10", "all", 0.5), ("b", "2021-01-11", "all", -0.1), ("c", "2021-01-12", "all", 0.3),
                  ("a", "2021-01-10", "syria", 0.4)])
    first = aggregate(data, "ME", n_boot=300)
    second = aggregate(data, "ME", n_boot=300)
    pd.testing.assert_frame_equal(first, second)
    syria = first[first["topic"] == "syria"].iloc[0]
    assert syria["volume_share"] == pytest.approx(1 / 3)


@pytest.mark.slow
def test_bootstrap_interval_covers_the_true_mean_at_about_the_nominal_rate(rng):
    true_mean, hits, trials = 0.2, 0, 300
    for trial in range(trials):
        nets = np.clip(rng.normal(true_mean, 0.3, 30), -1, 1)
        data = table([(f"a{i}", "2022-05-01", "all", float(x)) for i, x in enumerate(nets)])
        row = aggregate(data, "YE", n_boot=400, seed=trial).iloc[0]
        hits += row["ci_low"] <= true_mean <= row["ci_high"]
    coverage = hits / trials
    # percentile bootstrap with n = 30 runs a little under nominal; 300 trials give ±2.5% sampling error
    assert 0.89 <= coverage <= 0.98, coverage


def test_bad_frequency_and_wrong_table():
    with pytest.raises(AnalysisError, match="frequency"):
        aggregate(table([("a", "2021-01-01", "all", 0.1)]), "fortnight")
    with pytest.raises(AnalysisError, match="article_topics"):
        aggregate(pd.DataFrame({"x": [1]}))


def test_smooth_needs_four_periods(rng):
    data = table(simulated(rng, 80, "2020-01-01", "2021-12-31", 0.1))
    periods = aggregate(data, "QE", n_boot=100)
    smoothed = smooth(periods)
    assert len(smoothed) == (periods["n_articles"] > 0).sum()
    assert smoothed["smoothed"].between(-1, 1).all()


# ------------------------------------------------------------------ period comparison

def test_parse_period():
    assert parse_period("2021")[:2] == (pd.Timestamp("2021-01-01"), pd.Timestamp("2021-12-31"))
    assert parse_period("2020-2021")[:2] == (pd.Timestamp("2020-01-01"), pd.Timestamp("2021-12-31"))
    assert parse_period("2021Q3")[:2] == (pd.Timestamp("2021-07-01"), pd.Timestamp("2021-09-30"))
    assert parse_period("before 2022-02-24")[1] == pd.Timestamp("2022-02-23")
    assert parse_period("after 2022-02-24")[0] == pd.Timestamp("2022-02-24")
    assert parse_period("pre", {"pre": ("2019-01-01", "2019-06-30")}) == (pd.Timestamp("2019-01-01"), pd.Timestamp("2019-06-30"), "pre")
    with pytest.raises(AnalysisError, match="cannot read period"):
        parse_period("the nineties")


def test_compare_finds_a_known_difference(rng):
    rows = simulated(rng, 40, "2021-01-01", "2021-12-31", -0.2) + simulated(rng, 40, "2025-01-01", "2025-12-31", 0.3, prefix="b")
    rows += [(a, d, "syria", x) for a, d, _, x in rows]
    out = compare_periods(table(rows), ("2021-01-01", "2021-12-31"), "2025", n_boot=1000, n_perm=2000)
    row = out.set_index("topic").loc["all"]
    assert row["n_a"] == 40 and row["n_b"] == 40
    assert row["difference"] == pytest.approx(row["mean_b"] - row["mean_a"])
    assert row["ci_low"] < 0.5 < row["ci_high"] or row["ci_low"] > 0.2
    assert row["ci_low"] > 0 and row["p_value"] < 0.01 and row["significant"]
    assert row["effect_size"] > 1
    assert "Period comparison" in out.summary() and "<table" in out._repr_html_()


def test_compare_under_the_null_gives_roughly_uniform_p(rng):
    pvalues = []
    for trial in range(60):
        rows = simulated(rng, 15, "2021-01-01", "2021-12-31", 0.1, prefix="a") + \
            simulated(rng, 15, "2025-01-01", "2025-12-31", 0.1, prefix="b")
        out = compare_periods(table(rows), "2021", "2025", n_boot=200, n_perm=400, seed=trial)
        pvalues.append(out["p_value"].iloc[0])
    pvalues = np.array(pvalues)
    assert 0.3 < pvalues.mean() < 0.7
    assert (pvalues < 0.05).mean() < 0.15


def test_compare_with_too_few_articles_gives_nan_not_a_guess():
    out = compare_periods(table([("a", "2021-03-01", "all", 0.2), ("b", "2025-03-01", "all", 0.4)]), "2021", "2025")
    row = out.iloc[0]
    assert row["n_a"] == 1 and row["difference"] == pytest.approx(0.2)
    assert math.isnan(row["p_value"]) and math.isnan(row["ci_low"]) and not row["significant"]


def test_benjamini_hochberg_matches_statsmodels(rng):
    from statsmodels.stats.multitest import multipletests

    rows = []
    for topic, shift in [("all", 0.3), ("syria", 0.0), ("energy", 0.1)]:
        rows += simulated(rng, 20, "2021-01-01", "2021-12-31", 0.0, topic=topic, prefix=f"{topic}a")
        rows += simulated(rng, 20, "2025-01-01", "2025-12-31", shift, topic=topic, prefix=f"{topic}b")
    out = compare_periods(table(rows), "2021", "2025", n_boot=200, n_perm=500)
    expected = multipletests(out["p_value"], method="fdr_bh")[1]
    np.testing.assert_allclose(out["p_adjusted"], expected)


# ------------------------------------------------------------------ trend and change points

def test_trend_recovers_a_known_slope(rng):
    dates = pd.date_range("2015-01-01", "2024-12-31", periods=200)
    years = (dates - pd.Timestamp("2015-01-01")).days / 365.25
    nets = np.clip(-0.5 + 0.08 * years + rng.normal(0, 0.1, 200), -1, 1)
    out = trend(table([(f"a{i}", d, "all", float(x)) for i, (d, x) in enumerate(zip(dates, nets, strict=True))]))
    row = out.iloc[0]
    assert row["ci_low"] < 0.08 < row["ci_high"]
    assert row["p_value"] < 1e-6 and row["maxlags"] == 4


def test_trend_refuses_too_few_articles():
    out = trend(table([("a", "2021-01-01", "all", 0.1), ("b", "2022-01-01", "all", 0.2)]))
    assert math.isnan(out["slope_per_year"].iloc[0])


def _periods(values):
    periods = pd.period_range("2015Q1", periods=len(values), freq="Q")
    return pd.DataFrame({"topic": "all", "period": [str(p) for p in periods],
                         "period_start": [p.start_time for p in periods], "n_articles": 10, "mean_net": values})


def test_change_point_found_at_a_planted_break(rng):
    values = np.concatenate([rng.normal(-0.4, 0.08, 16), rng.normal(0.4, 0.08, 16)])
    out = detect_changes(_periods(values), n_boot=100)
    assert len(out) == 1
    row = out.iloc[0]
    assert row["break_period"] == "2019Q1"
    assert row["ci_low"] <= "2019Q1" <= row["ci_high"]
    assert row["mean_before"] < 0 < row["mean_after"] and row["support"] > 0.8


def test_flat_series_rarely_show_a_break(rng):
    spurious = sum(not detect_changes(_periods(rng.normal(0.1, 0.1, 30)), n_boot=5, seed=trial).empty
                   for trial in range(60))
    assert spurious / 60 <= 0.1


def test_change_points_refuse_a_short_series():
    with pytest.raises(TooShortError, match="too short"):
        detect_changes(_periods([0.1, 0.2, 0.3]))
