"""Reference data beside the corpus: dated events of a dyad and the outlets' perspectives.

Both are YAML files under ``analysis/data/`` with a provenance header, or a
file the user passes:

- ``events_<dyad>.yaml`` — well-documented dated events between the two
  sides (a crisis or an agreement, each with a public source), used by
  :func:`analysis.events.event_study` to check which measure moves, in the
  right direction, at those dates. The file for a dyad file
  ``dyad_x.yaml`` is ``events_x.yaml`` beside it.
- ``outlets.yaml`` — news outlets with their country and kind (state,
  public, private, wire, government, party), matched on an article's
  ``source`` or its URL's site by :func:`assign_perspectives`. An outlet
  that is not in the file is listed by :func:`unknown_outlets`, never
  guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from .errors import ConfigError

__all__ = ["load_event_dates", "events_file_for", "load_outlets", "assign_perspectives", "unknown_outlets",
           "load_event_study",
           "EVENT_KINDS", "OUTLET_KINDS", "UNKNOWN"]

EVENT_KINDS = {"crisis": -1, "agreement": 1}  # the expected sign of a cooperation measure's move
OUTLET_KINDS = ("state", "public", "private", "wire", "government", "party")
UNKNOWN = "unknown"
DEFAULT_OUTLETS = "outlets.yaml"


def _data_path(name: str) -> Path:
    from importlib import resources

    return Path(str(resources.files("analysis") / "data" / name))


def _read(path: Path, allowed: set[str], required: set[str]) -> dict:
    try:
        loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error}).") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path}: YAML syntax error{where}. Fix the file and run again.") from None
    if not isinstance(loaded, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level.")
    unknown = set(loaded) - allowed
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; allowed: "
                          f"{', '.join(sorted(allowed))}.")
    missing = required - set(loaded)
    if missing:
        raise ConfigError(f"{path}: missing key(s) {', '.join(sorted(missing))}.")
    return loaded


def events_file_for(dyad_path: str | Path | None) -> Path | None:
    """The events file beside a dyad file (``dyad_x.yaml`` → ``events_x.yaml``), or None."""
    dyad = Path(dyad_path) if dyad_path else _data_path("dyad_turkey_russia.yaml")
    stem = dyad.stem[5:] if dyad.stem.startswith("dyad_") else dyad.stem
    candidate = dyad.with_name(f"events_{stem}.yaml")
    return candidate if candidate.exists() else None


@lru_cache(maxsize=16)
def _load_events(path: Path) -> pd.DataFrame:
    raw = _read(path, {"dyad", "events"}, {"events"})
    rows = []
    if not isinstance(raw["events"], list) or not raw["events"]:
        raise ConfigError(f"{path}: 'events' must be a non-empty list of (date, kind, label, source).")
    for index, item in enumerate(raw["events"], start=1):
        if not isinstance(item, dict):
            raise ConfigError(f"{path}: event {index} must be a mapping with date, kind, label, source.")
        unknown = set(item) - {"date", "kind", "label", "source"}
        missing = {"date", "kind", "label", "source"} - set(item)
        if unknown or missing:
            raise ConfigError(f"{path}: event {index} " + (f"has unknown key(s) {', '.join(sorted(unknown))}" if unknown
                                                           else f"lacks {', '.join(sorted(missing))}") + ".")
        date = item["date"]
        if isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date)
            except ValueError:
                date = None
        if not isinstance(date, dt.date):
            raise ConfigError(f"{path}: event {index} has date {item['date']!r}; write YYYY-MM-DD.")
        kind = str(item["kind"])
        if kind not in EVENT_KINDS:
            raise ConfigError(f"{path}: event {index} has kind {kind!r}; use one of {', '.join(EVENT_KINDS)}.")
        source = str(item["source"])
        if not re.match(r"https?://\S+$", source):
            raise ConfigError(f"{path}: event {index} needs a public source (an http(s) URL), found {source!r}.")
        rows.append({"date": pd.Timestamp(date), "kind": kind, "sign": EVENT_KINDS[kind], "label": str(item["label"]),
                     "source": source})
    frame = pd.DataFrame(rows).sort_values(["date", "label"]).reset_index(drop=True)
    frame.attrs["dyad"] = str(raw.get("dyad") or "")
    frame.attrs["path"] = str(path)
    return frame


def load_event_dates(path: str | Path) -> pd.DataFrame:
    """The dated events of a dyad.

    Returns
    -------
    pandas.DataFrame
        date, kind (crisis / agreement), sign (−1 / +1: the expected move of
        a cooperation measure), label, source (a public URL); sorted by date.
    """
    path = Path(path)
    if not path.exists():
        candidate = _data_path(str(path))
        if not candidate.exists():
            raise ConfigError(f"{path}: events file not found.")
        path = candidate
    return _load_events(path.resolve()).copy()


@lru_cache(maxsize=4)
def _load_outlets(path: Path) -> pd.DataFrame:
    raw = _read(path, {"outlets"}, {"outlets"})
    rows = []
    for index, item in enumerate(raw["outlets"] or [], start=1):
        if not isinstance(item, dict) or not {"name", "country", "kind"} <= set(item):
            raise ConfigError(f"{path}: outlet {index} needs name, country and kind.")
        unknown = set(item) - {"name", "aliases", "sites", "country", "kind"}
        if unknown:
            raise ConfigError(f"{path}: outlet {item['name']!r} has unknown key(s) {', '.join(sorted(unknown))}.")
        if item["kind"] not in OUTLET_KINDS:
            raise ConfigError(f"{path}: outlet {item['name']!r} has kind {item['kind']!r}; use one of "
                              f"{', '.join(OUTLET_KINDS)}.")
        rows.append({"outlet": str(item["name"]), "country": str(item["country"]), "kind": str(item["kind"]),
                     "aliases": tuple(str(a) for a in [item["name"], *(item.get("aliases") or [])]),
                     "sites": tuple(str(s).lower().removeprefix("www.") for s in item.get("sites") or [])})
    return pd.DataFrame(rows, columns=["outlet", "country", "kind", "aliases", "sites"])


def load_outlets(path: str | Path | None = None) -> pd.DataFrame:
    """The outlets file (default: the bundled ``outlets.yaml``): outlet, country, kind, aliases, sites."""
    target = _data_path(DEFAULT_OUTLETS) if path is None else Path(path)
    if not target.exists():
        raise ConfigError(f"{target}: outlets file not found.")
    return _load_outlets(target.resolve()).copy()


def _site(url: object) -> str:
    if not isinstance(url, str):
        return ""
    match = re.match(r"\s*https?://([^/:?#\s]+)", url, flags=re.I)
    return match.group(1).lower().removeprefix("www.") if match else ""


def _normal(name: object) -> str:
    return re.sub(r"\s+", " ", str(name or "")).strip().casefold()


def assign_perspectives(articles: pd.DataFrame, outlets: pd.DataFrame | str | Path | None = None) -> pd.DataFrame:
    """Each article's outlet, country, kind and perspective, from its source or URL's site.

    An article matches an outlet when its ``source`` equals the outlet's
    name or an alias (case-insensitive), else when its URL's site is one of
    the outlet's sites or a subdomain of one. The perspective is "wire" for
    wire services and the outlet's country otherwise. Articles that match
    nothing get outlet, country, kind and perspective "unknown": they are
    listed (:func:`unknown_outlets`), not guessed.

    Returns
    -------
    pandas.DataFrame
        article_id, outlet, country, kind, perspective, site (the URL's host).
    """
    table = outlets if isinstance(outlets, pd.DataFrame) else load_outlets(outlets)
    by_name: dict[str, int] = {}
    by_site: dict[str, int] = {}
    for index, row in enumerate(table.itertuples()):
        for alias in row.aliases:
            by_name.setdefault(_normal(alias), index)
        for site in row.sites:
            by_site.setdefault(site, index)

    def match(source: object, site: str) -> int:
        if _normal(source) in by_name:
            return by_name[_normal(source)]
        if not site and re.fullmatch(r"[\w-]+(\.[\w-]+)+", _normal(source)):  # a source given as a site
            site = _normal(source).removeprefix("www.")
        parts = site.split(".")
        for start in range(len(parts) - 1):
            candidate = ".".join(parts[start:])
            if candidate in by_site:
                return by_site[candidate]
        return -1

    sites = [_site(u) for u in articles["url"]] if "url" in articles else [""] * len(articles)
    sources = articles["source"] if "source" in articles else [""] * len(articles)
    found = [match(s, site) for s, site in zip(sources, sites, strict=True)]
    rows = []
    for article_id, index, site in zip(articles["article_id"], found, sites, strict=True):
        if index < 0:
            rows.append((article_id, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, site))
        else:
            outlet = table.iloc[index]
            perspective = "wire" if outlet["kind"] == "wire" else outlet["country"]
            rows.append((article_id, outlet["outlet"], outlet["country"], outlet["kind"], perspective, site))
    return pd.DataFrame(rows, columns=["article_id", "outlet", "country", "kind", "perspective", "site"])


def unknown_outlets(articles: pd.DataFrame, perspectives: pd.DataFrame) -> pd.DataFrame:
    """Sources and sites that matched no outlet, with their article counts (most first).

    Returns
    -------
    pandas.DataFrame
        source, site, n_articles.
    """
    merged = articles[["article_id", "source"]].merge(perspectives[["article_id", "outlet", "site"]], on="article_id")
    missing = merged[merged["outlet"] == UNKNOWN].fillna({"source": ""})
    if missing.empty:
        return pd.DataFrame(columns=["source", "site", "n_articles"])
    counts = missing.groupby(["source", "site"], dropna=False).size().rename("n_articles").reset_index()
    return counts.sort_values(["n_articles", "source", "site"], ascending=[False, True, True]).reset_index(drop=True)


def load_event_study(path: str | Path | None = None) -> pd.DataFrame:
    """The event study of the measures on the shared development corpora (``event_evidence.csv``).

    Written by ``python -m bench.event_study`` (one row per corpus × event ×
    measure, the columns of :data:`analysis.schema.EVENT_STUDY`); the
    report's headline measure is the one that most surely moved the expected
    way there (:func:`analysis.events.choose_headline`).
    Empty when the file is missing.
    """
    from .schema import EVENT_STUDY

    target = _data_path("event_evidence.csv") if path is None else Path(path)
    if not target.exists():
        return pd.DataFrame(columns=list(EVENT_STUDY))
    table = pd.read_csv(target, parse_dates=["date"])
    missing = [c for c in EVENT_STUDY if c not in table]
    if missing:
        raise ConfigError(f"{target}: missing column(s) {', '.join(missing)}; rerun python -m bench.event_study.")
    return table[list(EVENT_STUDY)]
