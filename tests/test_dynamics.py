import math

import numpy as np
import pandas as pd
import pytest

from analysis.aggregation import aggregate, smooth
from analysis.dynamics import (
    changes_table,
    choose_periods,
    compare_periods,
    detect_changes,
    directed_dynamics,
    parse_period,
    trend,
)
from analysis.errors import AnalysisError, TooShortError
from analysis.schema import CHANGES


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


# ------------------------------------------------------------------ copies of one story, zero-width intervals

def test_copies_of_one_story_and_agreeing_articles_get_no_interval():
    data = table([("a", "2021-01-10", "all", -0.13), ("b", "2021-01-11", "all", -0.13),
                  ("c", "2022-01-10", "all", 0.2), ("d", "2022-01-11", "all", 0.4)])
    data["story"] = ["s1", "s1", "s2", "s3"]  # a and b: two copies of one wire story
    out = aggregate(data, "YE", n_boot=300).set_index("period")
    assert out.loc["2021", "n_articles"] == 2 and out.loc["2021", "n_stories"] == 1
    assert math.isnan(out.loc["2021", "ci_low"])  # the issue's [−0.13, −0.13]
    assert out.loc["2022", "ci_low"] < out.loc["2022", "ci_high"]
    # two different stories that agree exactly: every resample the same, so no (zero-width) interval either
    agree = table([("a", "2021-01-10", "all", 0.5), ("b", "2021-01-11", "all", 0.5)])
    assert math.isnan(aggregate(agree, "YE", n_boot=100).iloc[0]["ci_low"])


# ------------------------------------------------------------------ comparisons that mean something

def test_comparison_labels_are_columns_that_survive_concat_and_merge(rng):
    rows = simulated(rng, 20, "2021-01-01", "2021-12-31", 0.0) + simulated(rng, 20, "2022-01-01", "2022-12-31", 0.2, prefix="b")
    first = compare_periods(table(rows), "2021", "2022", n_boot=100, n_perm=200)
    second = compare_periods(table(rows), "2021Q1", "2022Q4", n_boot=100, n_perm=200)
    assert first.period_a == "2021" and first.period_b == "2022"
    both = pd.concat([first, second], ignore_index=True)
    assert list(both["period_a"]) == ["2021", "2021Q1"] and list(both["period_b"]) == ["2022", "2022Q4"]
    merged = first.merge(second, on="topic", suffixes=("_year", "_quarter"))
    assert merged.loc[0, "period_a_year"] == "2021" and merged.loc[0, "period_a_quarter"] == "2021Q1"
    assert type(first.table) is pd.DataFrame and list(first.table.columns)[:3] == ["topic", "period_a", "period_b"]
    intervals = first.conf_int()
    assert list(intervals.columns) == ["ci_low", "ci_high"] and intervals.index.names == ["topic", "period_a", "period_b"]
    assert intervals.loc[("all", "2021", "2022"), "ci_low"] == first.iloc[0]["ci_low"]
    assert "A = 2021, B = 2022" in first.summary()


@pytest.mark.parametrize("spec", ["", "ME", "NaT", "  "])
def test_a_period_pandas_reads_as_no_time_is_an_error(spec):
    with pytest.raises(AnalysisError, match="cannot read period"):
        parse_period(spec)


def test_the_written_comparison_says_which_days_a_and_b_were(rng, tmp_path):
    # A named period's label alone ("before the invasion") does not say its days; the CSV must.
    rows = simulated(rng, 20, "2021-01-01", "2021-12-31", 0.0) + simulated(rng, 20, "2022-03-01", "2022-12-31", 0.2, prefix="b")
    named = {"before": ("2020-06-01", "2022-02-23")}
    first = compare_periods(table(rows), "before", "after 2022-02-24", periods=named, n_boot=50, n_perm=100)
    second = compare_periods(table(rows), "2021", "2022", n_boot=50, n_perm=100)
    path = tmp_path / "comparisons.csv"
    pd.concat([first, second], ignore_index=True).to_csv(path, index=False, date_format="%Y-%m-%d")
    written = pd.read_csv(path, dtype=str)
    assert list(written["period_a"]) == ["before", "2021"]
    assert list(written["a_start"]) == ["2020-06-01", "2021-01-01"] and list(written["a_end"]) == ["2022-02-23", "2021-12-31"]
    assert list(written["b_start"]) == ["2022-02-24", "2022-01-01"] and written.loc[1, "b_end"] == "2022-12-31"
    assert "a_start" not in first.summary()


def test_the_written_changes_say_why_there_is_no_break(tmp_path):
    with pytest.raises(TooShortError) as caught:
        detect_changes(_periods([0.1, 0.2, 0.3]))
    written = changes_table(pd.DataFrame(columns=list(CHANGES)), str(caught.value), measure="conflict_share")
    written.to_csv(tmp_path / "changes.csv", index=False)
    back = pd.read_csv(tmp_path / "changes.csv", dtype=str, keep_default_na=False)
    assert len(back) == 1 and back.loc[0, "topic"] == "all" and back.loc[0, "measure"] == "conflict_share"
    assert "too short" in back.loc[0, "note"] and back.loc[0, "break_period"] == ""


def test_break_rows_name_their_measure_and_are_kept_as_they_are():
    values = [0.0] * 12 + [0.8] * 12
    found = detect_changes(_periods(values), n_boot=20, measure="mean_net")
    assert len(found) >= 1 and set(found["measure"]) == {"mean_net"} and set(found["note"]) == {""}
    assert changes_table(found, "unused").equals(found)


def test_choose_periods_keeps_configured_ones_that_hold_articles():
    data = table([("a", "2020-05-01", "all", 0.1), ("b", "2025-05-01", "all", 0.2)])
    assert choose_periods(data, "2020", "2025") == ("2020", "2025", "")


def test_choose_periods_falls_back_to_the_last_full_year_and_says_so():
    data = table([("a", "2015-03-01", "all", 0.1), ("b", "2016-04-01", "all", 0.2), ("c", "2016-12-20", "all", -0.1),
                  ("d", "2017-02-01", "all", 0.3)])
    a, b, note = choose_periods(data, "2020-2021", "2025")
    assert (a, b) == ("2015", "2016")  # 2017 ends in February: 2016 is the last year the data run to December of
    assert "0 and 0" in note and "2016" in note and "2015" in note
    a, b, note = choose_periods(data)
    assert (a, b) == ("2015", "2016") and note.startswith("Compared the last full year")


def test_choose_periods_uses_halves_within_one_year():
    data = table([("a", "2021-01-01", "all", 0.1), ("b", "2021-06-30", "all", 0.2), ("c", "2021-12-31", "all", 0.2)])
    a, b, note = choose_periods(data)
    assert a == ("2021-01-01", "2021-07-02") and b == ("2021-07-03", "2021-12-31") and "half" in note
    out = compare_periods(data, a, b, n_boot=50, n_perm=50)
    assert out.iloc[0]["n_a"] == 2 and out.iloc[0]["n_b"] == 1


def test_change_points_run_on_any_column():
    frame = _periods(np.r_[np.full(10, -0.4), np.full(10, 0.4)]).rename(columns={"mean_net": "value"})
    out = detect_changes(frame, column="value", n_boot=20)
    assert out.iloc[0]["break_period"] == "2017Q3"


# ------------------------------------------------------------------ directed dyad

def _directed_events(rng, months, *, lag=1, noise=0.3):
    """a_to_b totals random per month; b_to_a follows them ``lag`` months later."""
    starts = pd.period_range("2010-01", periods=months, freq="M")
    a_totals = rng.normal(0, 3, months)
    b_totals = np.r_[np.zeros(lag), a_totals[:months - lag]] + rng.normal(0, noise, months)
    rows = []
    for month, a_total, b_total in zip(starts, a_totals, b_totals, strict=True):
        for direction, total in (("a_to_b", a_total), ("b_to_a", b_total)):
            rows.append({"article_id": f"{direction}{month}", "published": month.start_time + pd.Timedelta(days=3),
                         "direction": direction, "goldstein": total, "intensity": np.sign(total), "is_event": True})
    events = pd.DataFrame(rows)
    articles = pd.DataFrame({"article_id": events["article_id"], "published": events["published"]})
    return events, articles


def test_directed_cross_correlation_and_granger_find_who_follows(rng):
    events, articles = _directed_events(rng, 60)
    result = directed_dynamics(events, articles, sides=("Ankara", "Moscow"))
    lags = result.table.set_index("lag")
    assert lags["correlation"].idxmax() == 1 and lags.loc[1, "correlation"] > 0.9
    assert lags.loc[1, "ci_low"] < lags.loc[1, "correlation"] < lags.loc[1, "ci_high"]
    assert abs(lags.loc[0, "correlation"]) < 0.4
    granger = result.granger.set_index("cause")
    assert granger.loc["Ankara→Moscow", "p_value"] < 0.001 and granger.loc["Moscow→Ankara", "p_value"] > 0.01
    assert list(result.series.columns) == ["period", "period_start", "a_to_b", "b_to_a", "n_a_to_b", "n_b_to_a"]
    assert "Granger" in result.summary() and "Limits" in result.summary()
    assert list(result.conf_int().columns) == ["ci_low", "ci_high"]


def test_directed_dynamics_refuses_short_series_with_a_reason(rng):
    events, articles = _directed_events(rng, 10)
    result = directed_dynamics(events, articles)
    assert result.table["correlation"].isna().all() and result.granger.empty
    assert "at least 12" in result.note and "at least 24" in result.note


def test_a_series_with_a_level_shift_is_differenced_before_the_var(rng):
    events, articles = _directed_events(rng, 60, lag=0, noise=1.0)
    shift = events["published"] >= pd.Timestamp("2013-01-01")
    events.loc[shift, "goldstein"] -= 30  # a war starts: both directions drop together
    result = directed_dynamics(events, articles)
    assert result.granger["series"].str.startswith("first differences").all()


def test_directed_dynamics_refuses_a_series_of_zeros_and_a_few_spikes(rng):
    events, articles = _directed_events(rng, 60)
    quiet = events["published"] >= pd.Timestamp("2010-06-01")
    events, articles = events[~quiet], pd.concat([articles[~quiet], articles[quiet].assign(article_id="x")])
    result = directed_dynamics(events, articles)
    assert len(result.series) == 60 and result.table["correlation"].isna().all() and result.granger.empty
    assert "only 5 period(s)" in result.note
