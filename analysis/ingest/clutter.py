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

__all__ = ["Clutter", "load_clutter", "remove_clutter", "required_literal", "LONGEST_LINE"]


# Furniture lines are short; a longer line is a paragraph of the story (the
# longest line pattern, "related" with its 160-character link text, stays well
# under this), so it is not tried against every pattern.
LONGEST_LINE = 400


@dataclass(frozen=True)
class Clutter:
    """Compiled furniture patterns: (name, whole-line regex) and (name, fragment regex)."""

    lines: tuple[tuple[str, re.Pattern], ...]
    fragments: tuple[tuple[str, re.Pattern], ...]
    path: str


def _combined(patterns: tuple[tuple[str, re.Pattern], ...]) -> re.Pattern | None:
    """One alternation of all ``patterns`` (one scan instead of one per pattern), or None when a
    pattern has groups of its own (a back-reference would change meaning)."""
    if not patterns or any(pattern.groups for _, pattern in patterns):
        return None
    return re.compile("|".join(f"(?P<p{index}>{pattern.pattern})" for index, (_, pattern) in enumerate(patterns)),
                      re.IGNORECASE)


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


def required_literal(pattern: str) -> str | None:
    """A run of plain characters every match of ``pattern`` contains (casefolded), or None.

    Conservative: only runs outside groups, classes and escapes of a pattern
    without alternation or inline flags count, and a run loses its last
    character when a quantifier follows it. Scanning a text for a fragment
    regex is slow (about 15 MB/s); testing for its literal first is not.
    """
    if "|" in pattern or "(?" in pattern.replace("(?:", "").replace("(?<", "").replace("(?=", "").replace("(?!", ""):
        return None
    runs, current, depth, index = [], "", 0, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            runs.append(current)
            current, index = "", index + 2
            continue
        if char == "[":
            runs.append(current)
            current = ""
            index = pattern.find("]", index + 2) + 1 or len(pattern)
            continue
        if char in "()":
            runs.append(current)
            current, depth = "", depth + (1 if char == "(" else -1)
        elif char in "?*{":
            runs.append(current[:-1])
            current = ""
        elif depth == 0 and (char.isalnum() or char == " "):
            current += char
        else:
            runs.append(current)
            current = ""
        index += 1
    runs.append(current)
    longest = max(runs, key=len)
    return longest.casefold() if len(longest.strip()) >= 3 else None


@lru_cache(maxsize=4)
def _combined_patterns(clutter: Clutter) -> tuple[re.Pattern | None, tuple[str | None, ...]]:
    return _combined(clutter.lines), tuple(required_literal(pattern.pattern) for _, pattern in clutter.fragments)


def load_clutter(path: str | Path | None = None) -> Clutter:
    """The furniture patterns (default: the bundled ``clutter.yaml``)."""
    return _load(Path(path).resolve() if path else data_path("clutter.yaml"))


def _line_pattern(line: str, clutter: Clutter, combined: re.Pattern | None) -> str | None:
    """The name of the first line pattern that matches the whole ``line``, or None."""
    if not line.strip() or len(line) > LONGEST_LINE:
        return None
    if combined is not None:
        match = combined.fullmatch(line)
        # An alternation tries its branches in order, so the first branch to
        # match the whole line is the first pattern that would.
        return clutter.lines[int(match.lastgroup[1:])][0] if match else None
    return next((name for name, pattern in clutter.lines if pattern.fullmatch(line)), None)


def remove_clutter(text: str, clutter: Clutter | None = None) -> tuple[str, list[tuple[str, str]]]:
    """``text`` without its page furniture, and what was removed as ``(pattern name, text)`` pairs."""
    clutter = clutter or load_clutter()
    combined_lines, literals = _combined_patterns(clutter)
    removed: list[tuple[str, str]] = []
    kept = []
    for line in text.split("\n"):
        name = _line_pattern(line, clutter, combined_lines)
        if name is None:
            kept.append(line)
        else:
            removed.append((name, line.strip()))
    cleaned = "\n".join(kept)
    folded = cleaned.casefold() if any(literals) else ""
    for (name, pattern), literal in zip(clutter.fragments, literals, strict=True):
        if literal is None or literal in folded:
            found = [m.group(0) for m in pattern.finditer(cleaned)]
            if found:
                removed += [(name, piece.strip()) for piece in found]
                cleaned = pattern.sub(" ", cleaned)
    if removed:
        cleaned = re.sub(r"\n{3,}", "\n\n", cleaned).strip("\n")
    return cleaned, removed
