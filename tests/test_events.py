"""Events, event measures, the event study and perspectives, on hand-built tables with known answers."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from analysis.errors import AnalysisError, ConfigError
from analysis.events import (
    HEADLINE_CANDIDATES,
    MEASURES,
    choose_headline,
    compare_perspectives,
    dyad_events,
    event_periods,
    event_study,
    summarize_event_study,
)
from analysis.reference import (
    assign_perspectives,
    events_file_for,
    load_event_dates,
    load_event_study,
    load_outlets,
    unknown_outlets,
)
from analysis.stats import cluster_resample_sums
from analysis.vocab import data_path

QUAD_SIGN = {"verbal_cooperation": 1, "material_cooperation": 1, "verbal_conflict": -1, "material_conflict": -1,
             "none": 0}


def sentence(article_id, index, *, direction="mutual", quad="verbal_cooperation", goldstein=None, intensity=None,
             topics="bilateral", text=None, category=None, relevance="direct"):
    """One scored sentence; the cue mass and category follow the class unless given."""
    sign = QUAD_SIGN[quad]
    weight = goldstein if goldstein is not None else 3.0 * sign
    category = category or {1: "sign_agreement", -1: "threaten", 0: "comment"}[sign if sign else 0]
    return {"article_id": article_id, "sentence": index, "text": text or f"{article_id} sentence {index} {quad}",
            "relevance": relevance, "weight": 1.0 if relevance == "direct" else 0.0, "topics": topics,
            "direction": direction if relevance == "direct" else "", "source": "", "target": "", "quad": quad,
            "cooperation": max(weight, 0.0), "friction": max(-weight, 0.0),
            "net": math.tanh(weight / 4), "intensity": intensity if intensity is not None else int(np.sign(weight)),
            "sides": "turkey;russia", "evidence": f"cue ({category} {weight:+.2f}; turkey ↔ russia)",
            "cue_spans": json.dumps([[0, 3, category, weight, "dyad", direction]])}


def articles_table(rows):
    """Articles from (article_id, date) pairs; all unique."""
    return pd.DataFrame({"article_id": [a for a, _ in rows],
                         "published": pd.to_datetime([d for _, d in rows]),
                         "duplicate_of": "", "source": "", "url": "", "title": "", "path": [f"{a}.txt" for a, _ in rows],
                         "line": pd.array([pd.NA] * len(rows), dtype="Int64"), "text": ""})


def measure(table, name, *, topic="all", direction="all", period=None):
    rows = table[(table["topic"] == topic) & (table["direction"] == direction) & (table["measure"] == name)]
    if period is not None:
        rows = rows[rows["period"] == period]
    assert len(rows) == 1, (name, topic, direction, period, len(rows))
    return rows.iloc[0]


# ------------------------------------------------------------------ events and grouping

def test_events_are_direct_sentences_with_capped_goldstein_weight():
    sentences = pd.DataFrame([sentence("a", 0, goldstein=17.0, quad="material_cooperation"),
                              sentence("a", 1, relevance="context"),
                              sentence("a", 2, goldstein=-4.0, quad="verbal_conflict", direction="b_to_a")])
    events = dyad_events(sentences, articles_table([("a", "2021-01-05")]))
    assert list(events["sentence"]) == [0, 2]  # the context sentence is not an event
    assert list(events["goldstein"]) == [10.0, -4.0]  # one sentence is one event: capped at Goldstein's ±10
    assert list(events["direction"]) == ["mutual", "b_to_a"]
    assert events["is_event"].all() and (events["published"] == pd.Timestamp("2021-01-05")).all()


def test_reports_of_one_event_are_grouped_within_a_day():
    sentences = pd.DataFrame([
        sentence("a", 0, direction="a_to_b", quad="material_conflict", category="fight"),
        sentence("b", 3, direction="a_to_b", quad="material_conflict", category="fight"),  # next day: same event
        sentence("c", 1, direction="a_to_b", quad="material_conflict", category="fight"),  # three days on: a new one
        sentence("d", 0, direction="b_to_a", quad="material_conflict", category="fight"),  # other direction
        sentence("e", 0, direction="a_to_b", quad="verbal_conflict", category="fight"),  # other class
        sentence("f", 0, direction="a_to_b", quad="material_conflict", category="blockade"),  # other evidence
    ])
    articles = articles_table([("a", "2021-03-01"), ("b", "2021-03-02"), ("c", "2021-03-04"), ("d", "2021-03-01"),
                               ("e", "2021-03-01"), ("f", "2021-03-01")])
    events = dyad_events(sentences, articles).set_index("article_id")
    assert events.loc["a", "event_id"] == events.loc["b", "event_id"] == "a:0"
    assert events.loc["a", "n_reports"] == 2 and events.loc["a", "group_size"] == 2
    assert len({events.loc[x, "event_id"] for x in "acdef"}) == 5
    assert events.loc["c", "n_reports"] == 1


def test_duplicates_and_undated_articles():
    sentences = pd.DataFrame([sentence("a", 0), sentence("b", 0), sentence("u", 0)])
    articles = articles_table([("a", "2021-01-01"), ("b", "2021-01-01"), ("u", None)])
    articles.loc[articles["article_id"] == "b", "duplicate_of"] = "a"
    events = dyad_events(sentences, articles)
    assert list(events["article_id"]) == ["a", "u"]  # the duplicate is left out
    assert events["published"].isna().tolist() == [False, True]
    assert events.set_index("article_id").loc["u", "event_id"] == "u:0"  # undated: its own event


def test_a_wrong_table_is_a_clear_error():
    with pytest.raises(AnalysisError, match="sentences table"):
        dyad_events(pd.DataFrame({"x": [1]}))


# ------------------------------------------------------------------ measures per period, by hand

@pytest.fixture
def small():
    """Q1: a (2 events), b (1 event), c (no dyad sentence); Q2: nothing; Q3: d (1 event)."""
    sentences = pd.DataFrame([
        sentence("a", 0, direction="a_to_b", quad="verbal_cooperation", goldstein=3.0, intensity=1),
        sentence("a", 1, direction="b_to_a", quad="material_conflict", goldstein=-8.0, intensity=-3, topics="syria"),
        sentence("b", 0, direction="mutual", quad="verbal_conflict", goldstein=-2.0, intensity=-1),
        sentence("c", 0, relevance="none"),
        sentence("d", 0, direction="a_to_b", quad="material_cooperation", goldstein=6.0, intensity=2),
    ])
    articles = articles_table([("a", "2021-01-10"), ("b", "2021-02-10"), ("c", "2021-03-10"), ("d", "2021-08-01")])
    counts = pd.Series({"a": 4, "b": 2, "c": 6, "d": 1})
    return sentences, articles, counts


def test_event_measures_by_hand(small):
    sentences, articles, counts = small
    table = event_periods(dyad_events(sentences, articles), articles, "QE", sentence_counts=counts, n_boot=300)
    q1 = {name: measure(table, name, period="2021Q1")["value"] for name in MEASURES}
    assert q1["n_articles"] == 2 and q1["n_sentences"] == 3 and q1["n_events"] == 3
    assert q1["goldstein_sum"] == pytest.approx(-7.0)
    assert q1["goldstein_per_article"] == pytest.approx(-3.5)
    assert q1["goldstein_per_sentence"] == pytest.approx(-7 / 3)
    assert q1["intensity_per_sentence"] == pytest.approx(-1.0)
    assert q1["intensity_per_article"] == pytest.approx(-1.5)
    assert q1["conflict_share"] == pytest.approx((1 + 0.5) / 3)  # (material + ½ verbal conflict) / events
    assert q1["verbal_cooperation"] == 1 and q1["material_conflict"] == 1 and q1["verbal_conflict"] == 1
    assert q1["article_share"] == pytest.approx(2 / 3)  # c is in the period but relates nothing
    assert q1["sentence_share"] == pytest.approx(3 / 12)
    assert q1["mean_net"] == pytest.approx((np.mean([math.tanh(3 / 4), math.tanh(-8 / 4)]) + math.tanh(-2 / 4)) / 2)
    # per direction: the same denominators (articles relating the pair), so the directions add up
    a_to_b = measure(table, "goldstein_per_article", direction="a_to_b", period="2021Q1")
    b_to_a = measure(table, "goldstein_per_article", direction="b_to_a", period="2021Q1")
    mutual = measure(table, "goldstein_per_article", direction="mutual", period="2021Q1")
    assert a_to_b["value"] == pytest.approx(1.5) and b_to_a["value"] == pytest.approx(-4.0)
    assert a_to_b["value"] + b_to_a["value"] + mutual["value"] == pytest.approx(q1["goldstein_per_article"])
    assert a_to_b["n_events"] == 1 and a_to_b["n_articles"] == 2
    # topics: the syria sentence only
    assert measure(table, "goldstein_sum", topic="syria", period="2021Q1")["value"] == pytest.approx(-8.0)
    # coverage measures are for both directions together only
    assert table[(table["measure"] == "article_share") & (table["direction"] != "all")].empty


def test_empty_periods_are_present_with_counts_zero_and_no_ratio(small):
    sentences, articles, counts = small
    table = event_periods(dyad_events(sentences, articles), articles, "QE", n_boot=200)
    q2 = table[(table["period"] == "2021Q2") & (table["topic"] == "all") & (table["direction"] == "all")]
    assert set(table["period"]) == {"2021Q1", "2021Q2", "2021Q3"}
    values = q2.set_index("measure")["value"]
    assert values["n_events"] == 0 and values["goldstein_sum"] == 0
    assert math.isnan(values["goldstein_per_article"]) and math.isnan(values["mean_net"])
    assert q2["ci_low"].isna().all() and (q2["n_articles"] == 0).all() and q2["thin"].all()


def test_one_article_or_copies_of_one_story_get_no_interval(small):
    sentences, articles, _ = small
    table = event_periods(dyad_events(sentences, articles), articles, "QE", n_boot=300)
    q3 = measure(table, "goldstein_per_article", period="2021Q3")  # one article
    assert q3["n_articles"] == 1 and math.isnan(q3["ci_low"])
    q1 = measure(table, "goldstein_per_sentence", period="2021Q1")  # two stories: an interval around the value
    assert q1["n_stories"] == 2 and q1["ci_low"] <= q1["value"] <= q1["ci_high"]
    # two copies of one wire story (the same direct sentences) are one story: no interval
    copies = pd.DataFrame([sentence("x", 0, text="Turkey shot down a Russian jet.", quad="material_conflict"),
                           sentence("y", 4, text="Turkey shot down a Russian jet.", quad="material_conflict",
                                    goldstein=-2.0)])
    both = articles_table([("x", "2021-01-01"), ("y", "2021-01-02")])
    table = event_periods(dyad_events(copies, both), both, "QE", n_boot=300)
    row = measure(table, "goldstein_per_article")
    assert row["n_articles"] == 2 and row["n_stories"] == 1
    assert math.isnan(row["ci_low"]) and math.isnan(measure(table, "mean_net")["ci_low"])


def test_event_weighted_counts_each_event_once():
    # three articles report one event the same day; a fourth reports another
    sentences = pd.DataFrame([sentence(a, 0, quad="material_conflict", category="fight", goldstein=-6.0)
                              for a in ("a", "b", "c")] + [sentence("d", 0, quad="verbal_cooperation", goldstein=2.0)])
    articles = articles_table([(a, "2021-05-05") for a in "abcd"])
    table = event_periods(dyad_events(sentences, articles), articles, "YE", n_boot=200)
    assert measure(table, "n_events")["value"] == 4
    assert measure(table, "n_unique_events")["value"] == pytest.approx(2)
    assert measure(table, "goldstein_sum")["value"] == pytest.approx(-16)
    assert measure(table, "goldstein_sum_unique")["value"] == pytest.approx(-4)  # −6 once, +2 once
    assert measure(table, "conflict_share")["value"] == pytest.approx(3 / 4)
    assert measure(table, "conflict_share_unique")["value"] == pytest.approx(1 / 2)


def test_mean_net_matches_aggregate_exactly():
    from analysis.aggregation import aggregate, article_topics

    rng = np.random.default_rng(7)
    rows, dates = [], []
    for i in range(40):
        article = f"a{i:02d}"
        dates.append((article, f"2021-{1 + i % 12:02d}-15"))
        for j in range(int(rng.integers(1, 4))):
            rows.append(sentence(article, j, goldstein=float(rng.normal(0, 4)), quad="verbal_cooperation"))
    sentences, articles = pd.DataFrame(rows), articles_table(dates)
    periods = aggregate(article_topics(sentences, articles), "QE", n_boot=300).set_index(["topic", "period"])
    table = event_periods(dyad_events(sentences, articles), articles, "QE", measures=("mean_net",), n_boot=300)
    merged = table.set_index(["topic", "period"]).join(periods.add_suffix("_aggregate"))
    np.testing.assert_allclose(merged["value"], merged["mean_net_aggregate"], atol=1e-9)
    np.testing.assert_allclose(merged["ci_low"], merged["ci_low_aggregate"], atol=1e-9)


def test_cluster_bootstrap_of_a_total_has_the_sampling_variance():
    # N articles, M of them contribute v; resampling N with replacement: Var(sum) = N · Var(v over all N)
    rng = np.random.default_rng(3)
    values = np.array([[3.0], [1.0], [5.0]])
    population = 10
    draws = cluster_resample_sums(values, population, 20000, rng)[:, 0]
    everyone = np.r_[values[:, 0], np.zeros(population - len(values))]
    assert draws.mean() == pytest.approx(population * everyone.mean(), rel=0.02)
    assert draws.var() == pytest.approx(population * everyone.var(), rel=0.05)


@pytest.mark.slow  # a coverage simulation: hundreds of bootstraps
def test_interval_of_goldstein_per_article_covers_the_truth_at_about_the_nominal_rate():
    rng = np.random.default_rng(11)
    truth, hits, trials = -1.0, 0, 150
    for trial in range(trials):
        rows, dates = [], []
        for i in range(30):
            article = f"a{i}"
            dates.append((article, "2022-03-01"))
            for j in range(int(rng.integers(1, 4))):  # sentences per article vary; mean weight per sentence −0.5
                rows.append(sentence(article, j, goldstein=float(rng.normal(-0.5, 2.0)), quad="verbal_conflict"))
        sentences, articles = pd.DataFrame(rows), articles_table(dates)
        row = measure(event_periods(dyad_events(sentences, articles), articles, "YE",
                                    measures=("goldstein_per_article",), n_boot=400, seed=trial),
                      "goldstein_per_article")
        hits += row["ci_low"] <= truth <= row["ci_high"]  # E(per article) = E(sentences) × −0.5 = −1
    assert 0.88 <= hits / trials <= 0.99, hits / trials


def test_by_perspective_each_group_is_its_own_population(small):
    sentences, articles, _ = small
    groups = pd.DataFrame({"article_id": list("abcd"), "perspective": ["Russia", "Turkey", "Turkey", "Russia"]})
    table = event_periods(dyad_events(sentences, articles), articles, "QE", by="perspective", groups=groups,
                          measures=("article_share", "goldstein_sum"), n_boot=100)
    russia = table[(table["perspective"] == "Russia") & (table["direction"] == "all") & (table["period"] == "2021Q1")]
    turkey = table[(table["perspective"] == "Turkey") & (table["direction"] == "all") & (table["period"] == "2021Q1")]
    assert russia.set_index("measure").loc["article_share", "value"] == 1.0  # a, its only Q1 article
    assert turkey.set_index("measure").loc["article_share", "value"] == 0.5  # b of b, c
    with pytest.raises(AnalysisError, match="groups table"):
        event_periods(dyad_events(sentences, articles), articles, by="perspective")


# ------------------------------------------------------------------ the event study

def _study_corpus():
    """A crisis on 2021-06-01: before it mild cooperation, after it conflict. Another event on 2021-05-10."""
    rows, dates = [], []
    for i in range(20):  # 2021-04-20 … 2021-05-28 (the days 05-10 … 05-16 belong to the other event)
        day = pd.Timestamp("2021-04-20") + pd.Timedelta(days=2 * i)
        article = f"b{i}"
        dates.append((article, day))
        in_other = pd.Timestamp("2021-05-10") <= day <= pd.Timestamp("2021-05-16")
        rows.append(sentence(article, 0, goldstein=-9.0 if in_other else 2.0 + (i % 3),
                             quad="material_conflict" if in_other else "verbal_cooperation"))
    for i in range(6):
        article = f"a{i}"
        dates.append((article, pd.Timestamp("2021-06-01") + pd.Timedelta(days=i)))
        rows.append(sentence(article, 0, goldstein=-5.0 - i % 2, quad="material_conflict"))
    return pd.DataFrame(rows), articles_table(dates)


def test_event_study_by_hand():
    sentences, articles = _study_corpus()
    dates = pd.DataFrame({"date": pd.to_datetime(["2021-06-01", "2021-05-10"]), "kind": ["crisis", "crisis"],
                          "sign": [-1, -1], "label": ["the crisis", "an earlier crisis"], "source": ["https://x", "https://y"]})
    study = event_study(dyad_events(sentences, articles), articles, dates, n_boot=300)
    table = study.table.set_index(["label", "measure"])
    row = table.loc[("the crisis", "goldstein_per_article")]
    before = [2.0 + (i % 3) for i in range(20) if not 10 <= i <= 13]  # 05-10…05-16: the other event's days
    assert row["n_after"] == 6 and row["n_before"] == len(before)  # the other event's window is left out
    assert row["value_before"] == pytest.approx(np.mean(before))
    assert row["value_after"] == pytest.approx(-5.5)
    assert row["right"] and row["signed_z"] > 2 and row["evaluable"]
    # a total compares per day: 6 articles in 7 days after, len(before) in the quiet days before
    total = table.loc[("the crisis", "goldstein_sum")]
    assert total["value_after"] == pytest.approx(-33 / 7)
    # the conflict share rising after a crisis is the expected direction too
    assert table.loc[("the crisis", "conflict_share"), "right"]
    summary = study.summary_table().set_index("measure")
    assert summary.loc["goldstein_per_article", "n_events"] >= 1
    assert "headline:" in study.summary() and "<table" in study._repr_html_()


def test_events_without_articles_are_listed_not_evaluated():
    sentences, articles = _study_corpus()
    dates = pd.DataFrame({"date": pd.to_datetime(["2030-01-01"]), "kind": ["agreement"], "sign": [1],
                          "label": ["later"], "source": ["https://x"]})
    study = event_study(dyad_events(sentences, articles), articles, dates, n_boot=100)
    assert len(study.table) == len(study.table["measure"].unique()) and not study.table["evaluable"].any()
    assert study.summary_table()["n_events"].eq(0).all()
    assert study.best == "mean_net"  # too few events: the default stays


def test_choose_headline_by_the_lower_end_of_the_interval_then_the_mean_then_candidate_order():
    summary = pd.DataFrame({"measure": ["mean_net", "goldstein_per_article", "conflict_share", "n_articles"],
                            "n_events": [10, 10, 10, 10], "mean_signed_z": [0.5, 1.2, 1.1, 3.0],
                            "z_ci_low": [0.1, -0.2, 0.4, 2.0]})
    assert choose_headline(summary) == "conflict_share"  # consistent beats large; n_articles is volume, no candidate
    tied = summary.assign(z_ci_low=[0.4, 0.4, 0.4, 2.0])
    assert choose_headline(tied) == "goldstein_per_article"  # the same lower end: the higher mean
    assert choose_headline(tied.assign(mean_signed_z=[1.0, 1.0, 1.0, 3.0])) == "mean_net"  # then candidate order
    assert choose_headline(summary.assign(n_events=[10, 3, 3, 10])) == "mean_net"
    assert list(HEADLINE_CANDIDATES[:2]) == ["mean_net", "goldstein_per_article"]


def test_summary_counts_volume_rises_and_signed_moves():
    table = pd.DataFrame({"measure": ["mean_net"] * 3 + ["n_articles"] * 3, "evaluable": True,
                          "signed_z": [1.0, -0.5, 2.0, np.nan, np.nan, np.nan], "z": [1.0, 0.5, 2.0, 3.0, -1.0, 2.0],
                          "right": [True, False, True, False, False, False], "difference": [1, 1, 1, 5.0, -1.0, 2.0]})
    summary = summarize_event_study(table).set_index("measure")
    assert summary.loc["mean_net", "n_right"] == 2 and summary.loc["mean_net", "mean_signed_z"] == pytest.approx(2.5 / 3)
    assert summary.loc["n_articles", "n_right"] == 2 and not summary.loc["n_articles", "directional"]
    assert summary.loc["mean_net", "z_ci_low"] < summary.loc["mean_net", "mean_signed_z"] < summary.loc["mean_net", "z_ci_high"]


def test_shipped_event_study_is_readable_and_names_a_candidate():
    table = load_event_study()
    assert len(table) and set(table["measure"]) >= set(HEADLINE_CANDIDATES)
    assert choose_headline(summarize_event_study(table)) in HEADLINE_CANDIDATES


# ------------------------------------------------------------------ dated events and outlets files

@pytest.mark.parametrize("dyad", ["turkey_russia", "us_china", "russia_ukraine"])
def test_each_shipped_dyad_has_sourced_dated_events(dyad):
    dates = load_event_dates(events_file_for(data_path(f"dyad_{dyad}.yaml")))
    assert len(dates) >= 8 and dates["date"].is_monotonic_increasing
    assert dates["source"].str.match(r"https?://").all() and set(dates["kind"]) == {"crisis", "agreement"}
    assert set(dates["sign"]) == {-1, 1}


def test_the_issue_s_turkey_russia_events_are_there():
    dates = load_event_dates("events_turkey_russia.yaml").set_index("date")
    for day, kind in (("2015-11-24", "crisis"), ("2016-06-27", "agreement"), ("2022-07-22", "agreement"),
                      ("2022-03-29", "agreement"), ("2023-07-17", "crisis")):
        assert dates.loc[pd.Timestamp(day), "kind"] == kind
    assert (dates.index.to_period("M") == pd.Period("2017-12")).any()  # the S-400 deal
    gas = load_event_dates("events_russia_ukraine.yaml").set_index("date")
    assert gas.loc[pd.Timestamp("2009-01-01"), "kind"] == "crisis"  # the January 2009 gas cutoff


@pytest.mark.parametrize("text, message", [
    ("events:\n  - {date: 2021-01-01, kind: war, label: x, source: 'https://a'}\n", "kind 'war'"),
    ("events:\n  - {date: 2021-01-01, kind: crisis, label: x, source: 'a newspaper'}\n", "public source"),
    ("events:\n  - {date: 'last spring', kind: crisis, label: x, source: 'https://a'}\n", "YYYY-MM-DD"),
    ("events:\n  - {date: 2021-01-01, kind: crisis, label: x}\n", "lacks source"),
    ("dates: []\n", "unknown key"),
])
def test_a_bad_events_file_names_itself(tmp_path, text, message):
    path = tmp_path / "events_mine.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as error:
        load_event_dates(path)
    assert str(path) in str(error.value)


def test_outlets_are_matched_on_source_alias_site_and_subdomain_and_unknowns_are_listed():
    articles = pd.DataFrame({
        "article_id": list("abcdefg"),
        "source": ["RT", "Russia Today", "", "themoscowtimes.com", "Mystery Gazette", "", "Associated Press"],
        "url": ["", "", "https://www.bbc.co.uk/news/x", "", "https://mystery.example/1", None,
                "https://www.dailymail.co.uk/wires/ap/x"]})
    found = assign_perspectives(articles).set_index("article_id")
    assert found.loc["a", "outlet"] == found.loc["b", "outlet"] == "RT"
    assert found.loc["a", "perspective"] == "Russia" and found.loc["a", "kind"] == "state"
    assert found.loc["c", "outlet"] == "BBC" and found.loc["c", "perspective"] == "United Kingdom"
    assert found.loc["d", "outlet"] == "The Moscow Times"  # a source given as a site
    assert found.loc["g", "perspective"] == "wire"  # the source wins over the Daily Mail URL it was printed on
    assert found.loc["e", "perspective"] == found.loc["f", "perspective"] == "unknown"
    listed = unknown_outlets(articles, found.reset_index())
    assert listed["source"].tolist() == ["", "Mystery Gazette"] or set(listed["source"]) == {"", "Mystery Gazette"}
    assert set(listed["site"]) == {"", "mystery.example"}
    outlets = load_outlets()
    assert {"RT", "TASS", "Sputnik", "Daily Sabah", "TRT World", "Anadolu Agency", "Reuters", "Associated Press", "AFP",
            "BBC", "The Guardian"} <= set(outlets["outlet"])


# ------------------------------------------------------------------ perspectives compared

def _perspective_corpus(shift):
    """Two perspectives reporting in the same months; B's sentences are ``shift`` warmer."""
    rng = np.random.default_rng(5)
    rows, dates, labels = [], [], []
    for month in range(1, 7):
        for side, offset in (("A", 0.0), ("B", shift)):
            for i in range(8):
                article = f"{side}{month}-{i}"
                dates.append((article, f"2022-{month:02d}-{1 + i:02d}"))
                labels.append((article, side))
                rows.append(sentence(article, 0, goldstein=float(rng.normal(-1 + offset, 1.0)), quad="verbal_conflict"))
    groups = pd.DataFrame(labels, columns=["article_id", "perspective"])
    return pd.DataFrame(rows), articles_table(dates), groups


def test_perspective_comparison_finds_a_known_difference():
    sentences, articles, groups = _perspective_corpus(3.0)
    table = compare_perspectives(dyad_events(sentences, articles), articles, groups, measure="goldstein_per_article",
                                 freq="ME", n_boot=300, n_perm=500)
    row = table.iloc[0]
    assert (row["perspective_a"], row["perspective_b"]) == ("A", "B") and row["n_periods"] == 6
    assert row["n_a"] == row["n_b"] == 48
    assert row["difference"] == pytest.approx(row["value_b"] - row["value_a"])
    assert 2.0 < row["difference"] < 4.0 and row["ci_low"] > 0 and row["p_value"] < 0.01


def test_perspective_comparison_under_the_null_and_on_shared_periods_only():
    sentences, articles, groups = _perspective_corpus(0.0)
    # B alone in a tense month: left out, since A has no article then
    extra = pd.DataFrame([sentence(f"x{i}", 0, goldstein=-10.0, quad="material_conflict") for i in range(10)])
    extra_articles = articles_table([(f"x{i}", "2022-09-01") for i in range(10)])
    events = dyad_events(pd.concat([sentences, extra]), pd.concat([articles, extra_articles]))
    groups = pd.concat([groups, pd.DataFrame({"article_id": [f"x{i}" for i in range(10)], "perspective": "B"})])
    table = compare_perspectives(events, pd.concat([articles, extra_articles]), groups, measure="goldstein_sum",
                                 freq="ME", n_boot=200, n_perm=500)
    row = table.iloc[0]
    assert row["measure"] == "goldstein_per_article"  # a total is compared per article
    assert row["n_b"] == 48 and row["p_value"] > 0.05


def test_unknown_outlets_are_not_compared():
    sentences, articles, groups = _perspective_corpus(1.0)
    groups = groups.assign(perspective=groups["perspective"].replace({"B": "unknown"}))
    table = compare_perspectives(dyad_events(sentences, articles), articles, groups, n_boot=50, n_perm=50)
    assert table.empty
