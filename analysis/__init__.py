"""relationship-dynamics: cooperation and friction between two countries, per topic and over time.

    import analysis as rd
    articles = rd.load_corpus("seeds")
    sentences = rd.score_corpus(articles)
    per_topic = rd.article_topics(sentences, articles)
    periods = rd.aggregate(per_topic, freq="QE")
    rd.compare_periods(per_topic, a="2021", b="2025")
    events = rd.dyad_events(sentences, articles)          # the attributed A–B events
    measures = rd.event_periods(events, articles, "QE")   # every event measure with interval and n

Submodules are imported on first use, so ``import analysis`` stays fast.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "load_corpus": "ingest", "read_corpus": "ingest",
    "score_corpus": "score", "score_sentence": "score", "Scorer": "score",
    "article_topics": "aggregation", "aggregate": "aggregation", "smooth": "aggregation",
    "compare_periods": "dynamics", "detect_changes": "dynamics", "trend": "dynamics",
    "choose_periods": "dynamics", "directed_dynamics": "dynamics",
    "dyad_events": "events", "event_periods": "events", "event_study": "events", "compare_perspectives": "events",
    "summarize_event_study": "events", "choose_headline": "events", "MEASURES": "events",
    "assign_perspectives": "reference", "unknown_outlets": "reference", "load_event_dates": "reference",
    "load_event_study": "reference", "load_outlets": "reference", "headline_periods": "events",
    "evaluate": "validate",
    "run": "engine.pipeline", "Results": "engine.pipeline", "build_report": "engine.pipeline",
    "run_stream": "engine.pipeline", "stream_periods": "engine.pipeline", "score_articles": "engine.pipeline",
    "make_scorer": "engine.pipeline", "compare": "engine.pipeline", "make_figures": "present.figures", "load_config": "config", "Config": "config",
    "save_figure": "present.figures", "paper_style": "present.figures",
    "plot_net_by_topic": "present.figures", "plot_heatmap": "present.figures", "plot_comparison": "present.figures",
    "plot_mass": "present.figures", "plot_articles": "present.figures", "plot_changes": "present.figures",
    "plot_directed": "present.figures", "plot_perspectives": "present.figures", "plot_events": "present.figures",
    "AnalysisError": "errors", "ConfigError": "errors", "InputError": "errors", "TooShortError": "errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
