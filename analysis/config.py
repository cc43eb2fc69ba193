"""The run configuration: ``analysis.toml`` (or ``[tool.analysis]`` in pyproject.toml).

Every setting is also a CLI option; the command line wins over the file, the
file over the defaults.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .errors import ConfigError

__all__ = ["Config", "load_config"]


@dataclass(frozen=True)
class Config:
    corpus: str = "seeds"
    out: str = "reports"
    figures: str = "figures"
    freq: str = "YE"
    min_articles: int = 3
    n_boot: int = 2000
    seed: int = 20240101
    dyad: str | None = None
    topics: str | None = None
    cues: str | None = None
    model: str | None = None  # the scorer's learned model: None (the bundled one), "none", or a model.json
    metadata: str | None = None
    infer_dates: bool = False
    tone: bool = True
    jobs: int = 0
    engine: str = "local"
    scheduler: str | None = None
    cache: str = "build/cache"
    report_max_articles: int = 2000
    report_max_points: int = 5000
    report_max_sentences: int = 200  # scored sentences embedded per article (and its evidence); the rest in data/
    compare: dict = field(default_factory=dict)
    named_periods: dict = field(default_factory=dict)
    path: str | None = None

    def with_options(self, **options) -> Config:
        """A copy with the options that are not None applied."""
        return replace(self, **{k: v for k, v in options.items() if v is not None})


def load_config(path: str | Path | None = None) -> Config:
    """Read ``analysis.toml`` (default: ./analysis.toml if present, else defaults)."""
    if path is None:
        candidate = Path("analysis.toml")
        if not candidate.exists():
            return Config()
        path = candidate
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found.") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: TOML syntax error: {error}. Fix the file and run again.") from None
    section = raw.get("analysis", raw.get("tool", {}).get("analysis"))
    if section is None:
        raise ConfigError(f"{path}: no [analysis] section.")
    known = {f.name: f for f in fields(Config) if f.name != "path"}
    unknown = sorted(set(section) - set(known))
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)} in [analysis]; known: {', '.join(sorted(known))}.")
    values = {}
    for key, value in section.items():
        default = known[key].default
        expected = type(default) if default is not None and not callable(known[key].default_factory) else None
        if key in ("compare", "named_periods"):
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: [analysis.{key}] must be a table.")
        elif expected is not None and expected is not bool and not isinstance(value, expected):
            raise ConfigError(f"{path}: {key} must be a {expected.__name__}, found {value!r}.")
        values[key] = value
    if "compare" in values and set(values["compare"]) - {"a", "b"}:
        raise ConfigError(f"{path}: [analysis.compare] takes a and b only.")
    return Config(**values, path=str(path))
