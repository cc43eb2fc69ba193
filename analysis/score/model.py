"""The learned part of the scorer: where the rules run out, a linear model trained on coded real news.

Two logistic-regression and ridge heads, trained by ``validation/train.py``
on sentences coded by the dyad codebook (``validation/data``), read what the
rules found and the sentence's words:

- **detection**: the probability that a sentence is ``direct`` (something
  passes between the two sides), from the roles the attribution gave its
  cues, who it names, its context (headline, the sentence before) and its
  words with the actors masked (``<side>``, ``<pair>``, ``<third>``), so
  the model is the same for every dyad;
- **intensity**: the codebook's −3…+3 of a direct sentence, from the rules'
  cue weights and classes and the same masked words;
- **direction**: A→B, B→A or mutual, from the roles the attribution gave the
  cues and the words around each side (:func:`direction_features`).

The model is a JSON file of named weights (``analysis/data/model.json``:
no pickle, every weight readable), with its training data's hash, library
versions and cross-validated scores. It runs only on sentences that name a
side, a pair phrase, or continue the context of one relating the pair; a
sentence that names neither side never reaches it. Each decision can be
explained by its largest terms (:meth:`Model.explain`).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import ConfigError
from ..text import WORD
from ..vocab import data_path, file_sha256

__all__ = ["Model", "load_model", "sentence_features", "direction_features", "FEATURE_VERSION", "DEFAULT_MODEL"]

FEATURE_VERSION = 5
DEFAULT_MODEL = "model.json"
_PLACEHOLDER = {"side": "<side>", "pair": "<pair>", "third": "<third>"}
_LIST_GAP = frozenset({",", "and", ", and", "or", "-", "–", "/", ""})
# Notes of the rule stages, by kind: where a cue sits and what changed it.
_NOTE_KINDS = {"complement": "complement", "background": "background", "concessive": "concessive",
               "participle": "background", "insertion": "background", "hedged": "hedged", "question": "hedged",
               "conditional": "hedged", "negated": "negated", "failed:": "negated", "reversed": "negated",
               "intention": "intention", "quoted": "quoted", "source": "source_clause", "said": "reported",
               "before": "contrasted", "topic": "topic", "demanded": "demanded", "appeal": "appeal"}
_PLACE_BEFORE = frozenset({"in", "at", "from", "to", "into", "across", "throughout", "near", "inside", "outside"})


def masked_words(text: str, start: int, end: int, mentions: list) -> list[str]:
    """The sentence's words in lower case, each actor mention replaced by its placeholder."""
    words, position = [], start
    for mention in mentions:
        if mention.start < position:
            continue
        words += [w.lower() for w in WORD.findall(text, position, mention.start)]
        words.append(_PLACEHOLDER[mention.key[0]])
        position = mention.end
    words += [w.lower() for w in WORD.findall(text, position, end)]
    return words


def sentence_features(text: str, start: int, end: int, mentions: list, cues: list, *, sides: tuple[str, str],
                      title_sides: int, previous_direct: bool, previous_sides: int, index: int,
                      pair_context: bool, article: dict[str, int] | None = None,
                      rule_intensity: int = 0) -> dict[str, float]:
    """Named features of one candidate sentence: what the rules found, who it names, context, words.

    ``article``: how much of the whole article relates the pair (``others_direct``:
    other sentences the rules find direct; ``sentences_naming_both``).
    """
    named = {m.key[1] for m in mentions if m.key[0] == "side"}
    thirds = {m.key[1] for m in mentions if m.key[0] == "third"}
    pair = any(m.key[0] == "pair" for m in mentions)
    sentence = text[start:end]
    features: dict[str, float] = {
        f"sides={len(named)}": 1.0, "pair_phrase": float(pair), f"thirds={min(len(thirds), 2)}": 1.0,
        f"title_sides={title_sides}": 1.0, "previous_direct": float(previous_direct),
        f"previous_sides={previous_sides}": 1.0, "lede": float(index <= 1), "pair_context": float(pair_context),
        "question": float(sentence.rstrip(' "”’\')').endswith("?")),
        "quoted": float(any(q in sentence for q in '"“”')),
        # Length in words, not characters: whitespace must not move a score.
        "long": float(len(WORD.findall(sentence)) > 40), "short": float(len(WORD.findall(sentence)) < 10),
        "any_cue": float(bool(cues)),
    }
    if article is not None:
        others = article.get("others_direct", 0)
        features[f"article_direct={'0' if others == 0 else '1-2' if others <= 2 else '3+'}"] = 1.0
        both = article.get("sentences_naming_both", 0)
        features[f"article_both={'0-1' if both <= 1 else '2-4' if both <= 4 else '5+'}"] = 1.0
    side_mentions = [m for m in mentions if m.key[0] != "third"]
    for left, right in zip(mentions, mentions[1:], strict=False):
        gap = text[left.end:right.start].strip().lower()
        if left.key[0] == "side" and right.key[0] == "side" and left.key[1] != right.key[1] and gap in _LIST_GAP:
            features["sides_joined"] = 1.0  # "Turkey and Russia", "Russian-Turkish"
    chain = 1
    for left, right in zip(mentions, mentions[1:], strict=False):
        chain = chain + 1 if text[left.end:right.start].strip().lower() in _LIST_GAP else 1
        if chain >= 3:
            features["actor_list"] = 1.0  # "Brazil, Russia, India and Turkey"
    for mention in side_mentions:
        before = WORD.findall(text, start, mention.start)
        if before and before[-1].lower() in _PLACE_BEFORE:
            features["side_after_preposition"] = 1.0
    dyad = [c for c in cues if c.scope == "dyad"]
    # Who speaks or acts first: a third party opening the sentence ("The EU called on …",
    # "Analysts said …") or a question from the floor ("Q Does the White House …").
    first = mentions[0] if mentions else None
    if first is not None and len(WORD.findall(text, start, first.start)) <= 3:
        features[f"opens_with={first.key[0]}"] = 1.0
    opening = WORD.findall(text, start, min(end, start + 40))
    if opening[:1] == ["Q"]:
        features["press_question"] = 1.0
    for cue in cues:
        role = cue.role if cue.role in ("a_to_b", "b_to_a") else cue.role
        role = "directed" if role in ("a_to_b", "b_to_a") else role
        polarity = "+" if cue.weight > 0 else "-" if cue.weight < 0 else "0"
        features[f"role={role}"] = features.get(f"role={role}", 0.0) + 1.0
        features[f"cat={cue.category}|{role}"] = 1.0
        features[f"role={role}|{cue.mode}{polarity}"] = 1.0
        if any(note.startswith("said by") for note in cue.notes):
            features["reported_speech"] = 1.0
        for note in cue.notes:
            kind = note.split(" ", 1)[0].strip("'")
            if kind in _NOTE_KINDS:
                features[f"{_NOTE_KINDS[kind]}|{role}"] = 1.0
    cooperation = sum(c.weight for c in dyad if c.weight > 0)
    friction = -sum(c.weight for c in dyad if c.weight < 0)
    features["rule_net"] = math.tanh((cooperation - friction) / 4.0)
    features["rule_cooperation"] = math.log1p(cooperation)
    features["rule_friction"] = math.log1p(friction)
    features["rule_direct"] = float(any(c.role in ("a_to_b", "b_to_a", "mutual") for c in dyad))
    features[f"rule_intensity={rule_intensity}"] = 1.0  # the rules' own class of the sentence (codebook scale)
    strongest = max(dyad, key=lambda c: abs(c.weight), default=None)
    if strongest is not None:
        features[f"strongest={strongest.mode}{'+' if strongest.weight > 0 else '-'}"] = 1.0
        features["strongest_base"] = strongest.base / 10.0
    words = masked_words(text, start, end, mentions)
    for word in set(words):
        features[f"w:{word}"] = 1.0
    for first, second in set(zip(words, words[1:], strict=False)):
        features[f"b:{first} {second}"] = 1.0
    return features


def direction_features(text: str, start: int, end: int, mentions: list, cues: list, *,
                       sides: tuple[str, str]) -> dict[str, float]:
    """Features that tell who acted towards whom: the rules' roles and the words around each side.

    Unlike :func:`sentence_features` the two sides are told apart (``<a>``,
    ``<b>`` in the dyad file's order), so the head learns, e.g., that "<b>
    accused <a>" runs from B to A.
    """
    a, b = sides
    features: dict[str, float] = {"bias": 1.0}
    dyad = [c for c in cues if c.scope == "dyad" and c.role in ("a_to_b", "b_to_a", "mutual")]
    total = sum(abs(c.weight) for c in dyad) or 1.0
    for cue in dyad:
        features[f"role={cue.role}"] = features.get(f"role={cue.role}", 0.0) + abs(cue.weight) / total
        if any(note.startswith("said by") for note in cue.notes):
            features[f"said_by={'a' if cue.source[:1] == (a,) else 'b'}"] = 1.0
    leading = max(dyad, key=lambda c: abs(c.weight), default=None)
    features[f"leading={leading.role if leading else 'none'}"] = 1.0
    named = [m for m in mentions if m.key[0] == "side"]
    if named:
        features[f"first={'a' if named[0].key[1] == a else 'b'}"] = 1.0
        if len(WORD.findall(text, start, named[0].start)) <= 3:
            features[f"subject={'a' if named[0].key[1] == a else 'b'}"] = 1.0
    if any(m.key[0] == "pair" for m in mentions):
        features["pair_phrase"] = 1.0
    words, position = [], start
    for mention in mentions:
        if mention.start < position:
            continue
        words += [w.lower() for w in WORD.findall(text, position, mention.start)]
        kind = mention.key[0]
        words.append(("<a>" if mention.key[1] == a else "<b>") if kind == "side" else _PLACEHOLDER[kind])
        position = mention.end
    words += [w.lower() for w in WORD.findall(text, position, end)]
    for first, second in set(zip(words, words[1:], strict=False)):
        if first in ("<a>", "<b>") or second in ("<a>", "<b>"):
            features[f"b:{first} {second}"] = 1.0
    return features


@dataclass(frozen=True)
class Head:
    """One linear head: ``intercept + Σ weight × feature`` (features missing from ``weights`` count 0)."""

    intercept: float
    weights: dict[str, float]

    def value(self, features: dict[str, float]) -> float:
        return self.intercept + sum(self.weights.get(name, 0.0) * value for name, value in features.items())

    def explain(self, features: dict[str, float], k: int = 3) -> list[tuple[str, float]]:
        terms = [(name, self.weights[name] * value) for name, value in features.items() if name in self.weights]
        return sorted(terms, key=lambda term: -abs(term[1]))[:k]


@dataclass(frozen=True)
class Model:
    """The detection, intensity and direction heads, the decision threshold, and where they came from."""

    detection: Head
    intensity: Head
    direction: dict[str, Head]  # one head per direction: the largest value wins
    threshold: float
    metadata: dict
    path: str
    sha256: str

    def direction_of(self, features: dict[str, float]) -> str:
        """The direction (a_to_b, b_to_a, mutual) whose head scores highest."""
        return max(sorted(self.direction), key=lambda name: self.direction[name].value(features))

    def p_direct(self, features: dict[str, float]) -> float:
        z = self.detection.value(features)
        return 1.0 / (1.0 + math.exp(-z)) if z > -500 else 0.0

    def intensity_of(self, features: dict[str, float]) -> float:
        return max(-3.0, min(3.0, self.intensity.value(features)))

    def explain(self, features: dict[str, float], k: int = 3) -> str:
        """The ``k`` largest terms of the detection head, e.g. ``"role=mutual +1.9, w:agreed +0.7"``."""
        return ", ".join(f"{name} {value:+.2f}" for name, value in self.detection.explain(features, k))


@lru_cache(maxsize=8)
def _load(path: Path) -> Model:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if raw.get("feature_version") != FEATURE_VERSION:
            raise ConfigError(f"{path}: model features version {raw.get('feature_version')} does not match this "
                              f"scorer's {FEATURE_VERSION}; retrain it with `python -m validation.train`.")
        def head(raw_head: dict) -> Head:
            return Head(float(raw_head["intercept"]), {k: float(v) for k, v in raw_head["weights"].items()})

        return Model(head(raw["detection"]), head(raw["intensity"]),
                     {name: head(value) for name, value in raw["direction"].items()}, float(raw["threshold"]),
                     raw.get("metadata", {}), str(path), file_sha256(path))
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigError(f"{path}: not a model file this scorer can read ({error}).") from None


def load_model(model: str | Path | None) -> Model | None:
    """The bundled model (``None`` or ``"default"``), a model file, or no model (``"none"``)."""
    if isinstance(model, str) and model.lower() == "none":
        return None
    path = data_path(DEFAULT_MODEL) if model in (None, "default") else Path(model)
    if not path.exists():
        if model in (None, "default"):
            return None  # no bundled model yet: the rules alone
        raise ConfigError(f"{path}: model file not found; pass a file written by `python -m validation.train` "
                          f"or --model none.")
    return _load(path.resolve())
