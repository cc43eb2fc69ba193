"""Page furniture out before anything is scored: "Hide Caption 3 of 6 Photos", "Related: …", share lines.

Patterns are data (``analysis/data/clutter.yaml``): whole lines that match a
``lines`` pattern are removed, and ``fragments`` wherever they occur. What was
removed is returned with the pattern that removed it, so ingestion can count
and list it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import ConfigError
from ..vocab import data_path

__all__ = ["Clutter", "load_clutter", "remove_clutter"]


@dataclass(frozen=True)
class Clutter:
    """Compiled furniture patterns: (name, whole-line regex) and (name, fragment regex)."""

    lines: tuple[tuple[str, re.Pattern], ...]
    fragments: tuple[tuple[str, re.Pattern], ...]
    path: str


@lru_cache(maxsize=4)
def _load(path: Path) -> Clutter:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: cannot read the clutter patterns ({error}).") from None
    unknown = sorted(set(raw) - {"lines", "fragments"})
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)}; use lines and fragments.")

    def compiled(kind: str, template: str) -> tuple[tuple[str, re.Pattern], ...]:
        out = []
        for name, pattern in (raw.get(kind) or {}).items():
            try:
                out.append((str(name), re.compile(template.format(pattern), re.IGNORECASE)))
            except re.error as error:
                raise ConfigError(f"{path}: {kind} pattern {name!r} is not a regular expression ({error}).") from None
        return tuple(out)

    return Clutter(compiled("lines", r"\s*(?:{})\s*"), compiled("fragments", "{}"), str(path))


def load_clutter(path: str | Path | None = None) -> Clutter:
    """The furniture patterns (default: the bundled ``clutter.yaml``)."""
    return _load(Path(path).resolve() if path else data_path("clutter.yaml"))


def remove_clutter(text: str, clutter: Clutter | None = None) -> tuple[str, list[tuple[str, str]]]:
    """``text`` without its page furniture, and what was removed as ``(pattern name, text)`` pairs."""
    clutter = clutter or load_clutter()
    removed: list[tuple[str, str]] = []
    kept = []
    for line in text.split("\n"):
        name = next((name for name, pattern in clutter.lines if line.strip() and pattern.fullmatch(line)), None)
        if name is None:
            kept.append(line)
        else:
            removed.append((name, line.strip()))
    cleaned = "\n".join(kept)
    for name, pattern in clutter.fragments:
        found = [m.group(0) for m in pattern.finditer(cleaned)]
        if found:
            removed += [(name, piece.strip()) for piece in found]
            cleaned = pattern.sub(" ", cleaned)
    if removed:
        cleaned = re.sub(r"\n{3,}", "\n\n", cleaned).strip("\n")
    return cleaned, removed
