"""The run configuration: ``analysis.toml`` (or ``[tool.analysis]`` in pyproject.toml).

Every setting is also a CLI option; the command line wins over the file, the
file over the defaults.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .errors import ConfigError

__all__ = ["Config", "load_config", "check_value", "ENGINES", "COLUMN_ROLES"]

ENGINES = ("local", "dask")
COLUMN_ROLES = ("text", "title", "published", "url", "source", "id")  # what --column ROLE=NAME may name

# Each setting's type and the smallest value it takes (None: any). A bool is not an int here: TOML's
# `n_boot = true` is a mistake, not 1; and a string is not a bool: `infer_dates = "false"` was True.
_TYPES: dict[str, type] = {
    "corpus": str, "out": str, "figures": str, "freq": str, "min_articles": int, "n_boot": int, "seed": int,
    "dyad": str, "topics": str, "cues": str, "model": str, "metadata": str, "infer_dates": bool, "tone": bool, "tone_all": bool,
    "jobs": int, "engine": str, "scheduler": str, "cache": str, "report_max_articles": int,
    "report_max_points": int, "report_max_sentences": int, "compare": dict, "named_periods": dict, "columns": dict,
}
_PATHS = {"corpus", "out", "figures", "dyad", "topics", "cues", "model", "metadata", "cache"}  # a Path is fine too
_MINIMUM = {"min_articles": 0, "n_boot": 1, "seed": 0, "jobs": 0, "report_max_articles": 1, "report_max_points": 1,
            "report_max_sentences": 0}
_TYPE_NAMES = {str: "a string", int: "a whole number", bool: "true or false", dict: "a table"}


def check_value(key: str, value: object, where: str) -> None:
    """Raise :class:`ConfigError` naming ``where`` (``"analysis.toml: n_boot"``, ``"--n-boot"``) unless ``value`` fits.

    Checks the type of every setting, the smallest value of counts, the
    engine's name, and the shape of the ``compare``, ``named_periods`` and
    ``columns`` tables. Periods and frequencies are checked by
    :func:`analysis.engine.pipeline.check_config`, which knows how to read them.
    """
    expected = _TYPES[key]
    if (expected is int and (isinstance(value, bool) or not isinstance(value, int))) or not isinstance(value, expected):
        raise ConfigError(f"{where} must be {_TYPE_NAMES[expected]}, found {value!r}.")
    if key in _MINIMUM and value < _MINIMUM[key]:
        raise ConfigError(f"{where} must be at least {_MINIMUM[key]}, found {value!r}.")
    if key == "engine" and value not in ENGINES:
        raise ConfigError(f"{where} must be one of {', '.join(ENGINES)}, found {value!r}.")
    if key == "compare":
        if set(value) - {"a", "b"}:
            raise ConfigError(f"{where} takes a and b only, found {', '.join(sorted(map(str, value)))}.")
        for side, spec in value.items():
            _check_period(spec, f"{where}.{side}")
    if key == "named_periods":
        for name, spec in value.items():
            _check_period(spec, f"{where}.{name}")
    if key == "columns":
        for role, column in value.items():
            if role not in COLUMN_ROLES:
                raise ConfigError(f"{where}: unknown column role {role!r}; roles: {', '.join(COLUMN_ROLES)}.")
            if not isinstance(column, str) or not column:
                raise ConfigError(f"{where}.{role} must be a column name, found {column!r}.")


def _check_period(spec: object, where: str) -> None:
    if isinstance(spec, str) and spec.strip():
        return
    if isinstance(spec, list | tuple) and len(spec) == 2 and all(isinstance(day, str) for day in spec):
        return
    raise ConfigError(f"{where} must be a period (\"2021\", \"2020-2021\", \"before 2022-02-24\" or "
                      f"[\"2021-01-01\", \"2021-06-30\"]), found {spec!r}.")


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
    tone_all: bool = False  # tone of every sentence, not only those naming a side or the pair
    jobs: int = 0
    engine: str = "local"
    scheduler: str | None = None
    cache: str = "build/cache"
    report_max_articles: int = 2000  # at least 1; the data files always hold every article
    report_max_points: int = 5000
    report_max_sentences: int = 200  # scored sentences embedded per article (and its evidence); the rest in data/
    compare: dict = field(default_factory=dict)
    named_periods: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)  # role → column name of a table corpus (--column text=body)
    path: str | None = None
    # Where each setting that is not a default came from ("analysis.toml: freq", "--freq"), for error messages.
    origins: dict = field(default_factory=dict, compare=False, repr=False)

    def with_options(self, **options) -> Config:
        """A copy with the options that are not None applied, each checked (:func:`check_value`).

        Raises
        ------
        ConfigError
            A value of the wrong type or out of range, naming the option (``--n-boot``).
        """
        applied = {k: str(v) if k in _PATHS and isinstance(v, os.PathLike) else v
                   for k, v in options.items() if v is not None}
        for key, value in applied.items():
            check_value(key, value, "--" + key.replace("_", "-"))
        origins = {**self.origins, **{key: "--" + key.replace("_", "-") for key in applied}}
        return replace(self, **applied, origins=origins)

    def source(self, key: str) -> str:
        """Where ``key``'s value came from, for a message: ``"analysis.toml: freq"``, ``"--freq"`` or ``"freq"``."""
        return self.origins.get(key, key)


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
    known = {f.name for f in fields(Config) if f.name not in ("path", "origins")}
    unknown = sorted(set(section) - known)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)} in [analysis]; known: {', '.join(sorted(known))}.")
    for key, value in section.items():
        check_value(key, value, f"{path}: {key}")
    return Config(**section, path=str(path), origins={key: f"{path}: {key}" for key in section})
