"""Load the vocabularies (dyad, topics, cues, modifiers, scorer settings).

Each is a YAML file under ``analysis/data/`` (read with ``importlib.resources``)
or a file the user passes. Files are read with ``yaml.safe_load`` and checked:
a syntax error or an unknown key stops the run with a message naming the file.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml

from .errors import ConfigError

__all__ = [
    "Dyad", "Taxonomy", "Lexicon", "Cue", "Modifiers", "ScorerSettings",
    "load_dyad", "load_taxonomy", "load_lexicon", "load_modifiers", "load_settings",
    "data_path", "file_sha256", "NOT_A_CUE", "expand_braces", "inflect_verb", "irregular_verbs",
    "VocabularyFile", "VOCABULARY", "NOT_IN_FINGERPRINT", "vocabulary_paths", "vocabulary_fingerprint",
]

DEFAULT_DYAD = "dyad_turkey_russia.yaml"
MODIFIER_KINDS = ("negators", "intention", "hedges", "conditionals", "contrast", "concessive", "background", "reversal",
                  "clause_breaks", "failure", "attribution", "not_negating", "not_reversing")
_WORD_LISTS = ("headline_small", "list_breakers", "participant_prepositions", "appeal_objects", "place_nouns",
               "place_prepositions", "place_people", "post_negators", "agreement_verbs", "passive_auxiliaries",
               "passive_subject_stops", "participle_followers", "participle_agents", "setting_subject_stops",
               "comment_topic_words", "locative_prepositions", "locative_modifiers")  # read by the rules, not matched
_MODIFIER_LISTS = (*MODIFIER_KINDS, "participant_stops", "not_participles", "relative", *_WORD_LISTS)
# Added later: older files without them still load.
_OPTIONAL_MODIFIERS = {"failure", "attribution", "not_participles", "relative", "not_negating", "not_reversing", *_WORD_LISTS}
DEFAULT_TOPICS = "topics.yaml"
DEFAULT_CUES = "cues.yaml"
DEFAULT_MODIFIERS = "modifiers.yaml"
DEFAULT_SETTINGS = "scorer.yaml"


def data_path(name: str) -> Path:
    """Path of a file bundled in ``analysis/data``."""
    return Path(str(resources.files("analysis") / "data" / name))


def file_sha256(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass(frozen=True)
class VocabularyFile:
    """One data file that shapes the scored sentences: its role, bundled default and why it matters.

    ``option`` names the :class:`analysis.Scorer` parameter that replaces the
    bundled file (None: the bundled file is always the one read).
    """

    role: str
    default: str
    option: str | None
    why: str


# Every data file a run reads that can change a scored sentence (what the score cache and a stream's
# piece cache keep). The scorer's fingerprint hashes each one's bytes, so a file added here is in the
# cache key without touching the scorer, and tests/test_vocab.py checks each entry moves it.
VOCABULARY = (
    VocabularyFile("dyad", DEFAULT_DYAD, "dyad", "actor aliases: who a sentence is about"),
    VocabularyFile("topics", DEFAULT_TOPICS, "topics", "topic terms"),
    VocabularyFile("cues", DEFAULT_CUES, "cues", "the cue lexicon and its weights"),
    VocabularyFile("modifiers", DEFAULT_MODIFIERS, "modifiers", "negators, hedges, clause words"),
    VocabularyFile("settings", DEFAULT_SETTINGS, "settings", "the scorer's factors, thresholds and stages"),
    VocabularyFile("segment", "segment.yaml", None, "abbreviations and max_sentence_chars: the sentences"),
    VocabularyFile("irregular_verbs", "irregular_verbs.yaml", None, "verb forms the cues and rules match"),
    VocabularyFile("model", "model.json", "model", "the learned model's weights"),
    VocabularyFile("ingest", "ingest.yaml", None, "columns, headlines, limits, dates: the text and title scored "
                                                  "(a stream caches ingested pieces)"),
    VocabularyFile("clutter", "clutter.yaml", None, "boilerplate rules of ingestion: the text scored"),
)

# Files under analysis/data that no cached score depends on, and why (tests/test_vocab.py: every bundled
# file is in VOCABULARY or here). Names ending in "/" are folders.
NOT_IN_FINGERPRINT = {
    "dyad_us_china.yaml": "another dyad: hashed as the dyad when it is passed",
    "dyad_russia_ukraine.yaml": "another dyad: hashed as the dyad when it is passed",
    "events_turkey_russia.yaml": "dated events of the event study, computed after scoring, never cached",
    "events_us_china.yaml": "dated events of the event study, computed after scoring, never cached",
    "events_russia_ukraine.yaml": "dated events of the event study, computed after scoring, never cached",
    "event_evidence.csv": "the shipped event study: chooses the headline measure after scoring",
    "outlets.yaml": "outlet perspectives: grouped after scoring",
    "style.yaml": "figure and chart styling",
    "eval/": "the validation sets of `evaluate`, not read by a run",
}


def vocabulary_paths(**chosen: str | Path | None) -> dict[str, Path | None]:
    """The file each :data:`VOCABULARY` role reads: the one chosen (by its option) or the bundled one.

    Parameters
    ----------
    **chosen
        Option name → path (``dyad=``, ``topics=``, …); None means the bundled
        file; ``model="none"`` means no model (the role maps to None).

    Returns
    -------
    dict
        Role → path (None for a model switched off or absent).
    """
    paths: dict[str, Path | None] = {}
    for entry in VOCABULARY:
        value = chosen.get(entry.option) if entry.option else None
        if entry.role == "model" and isinstance(value, str) and value.lower() == "none":
            paths[entry.role] = None
        elif entry.role == "model" and value in (None, "default"):
            bundled = data_path(entry.default)
            paths[entry.role] = bundled if bundled.exists() else None
        else:
            paths[entry.role] = _resolve(value, entry.default)
    return paths


def vocabulary_fingerprint(paths: dict[str, Path | None], *extra: str) -> str:
    """A short hash of every vocabulary file's bytes (and ``extra`` settings): changes whenever a score could."""
    digest = hashlib.sha256()
    for role in sorted(paths):
        path = paths[role]
        digest.update(f"{role}={file_sha256(path) if path is not None else 'none'}|".encode())
    for value in extra:
        digest.update(f"{value}|".encode())
    return digest.hexdigest()[:16]


_BRACES = re.compile(r"\{([^{}]*)\}")


def expand_braces(pattern: str) -> list[str]:
    """Expand ``{a,b}`` alternatives: ``"pipeline{,s}"`` → pipeline, pipelines."""
    match = _BRACES.search(pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end():]
    out: list[str] = []
    for option in match.group(1).split(","):
        out.extend(expand_braces(head + option + tail))
    return out


_VOWELS = set("aeiou")

@lru_cache(maxsize=1)
def irregular_verbs() -> dict[str, tuple[str, ...]]:
    """Past forms of irregular verbs (``analysis/data/irregular_verbs.yaml``)."""
    raw = yaml.safe_load(data_path("irregular_verbs.yaml").read_text(encoding="utf-8")) or {}
    return {str(verb): tuple(str(form) for form in forms) for verb, forms in raw.items()}


def inflect_verb(lemma: str) -> list[str]:
    """Return a verb's base, -s, past and -ing forms (first word only is inflected).

    A trailing ``+`` on the first word doubles its final consonant
    (``ban+`` → banned, banning). Common irregular verbs get their own past
    forms ("withdraw" → withdrew, withdrawn); rarer ones belong in ``phrases``.
    """
    first, _, rest = lemma.partition(" ")
    double = first.endswith("+")
    word = first.rstrip("+")
    if double and len(word) > 1 and word[-1] == word[-2]:  # shell+ → shelled, not shellled
        forms = [word, word + "s", word + "ed", word + "ing"]
    elif double:
        stem_ed = word + word[-1]
        forms = [word, word + "s", stem_ed + "ed", stem_ed + "ing"]
    elif word.endswith("ee"):  # agree → agreeing
        forms = [word, word + "s", word + "d", word + "ing"]
    elif word.endswith("e"):
        forms = [word, word + "s", word + "d", word[:-1] + "ing"]
    elif word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        forms = [word, word[:-1] + "ies", word[:-1] + "ied", word + "ing"]
    elif word.endswith(("s", "sh", "ch", "x", "z")):
        forms = [word, word + "es", word + "ed", word + "ing"]
    else:
        forms = [word, word + "s", word + "ed", word + "ing"]
    irregular = irregular_verbs()
    if word in irregular:
        forms = [*forms[:2], *irregular[word], forms[3]]
    return [f"{form} {rest}" if rest else form for form in forms]


def _resolve(path: str | Path | None, default: str) -> Path:
    if path is None:
        return data_path(default)
    candidate = Path(path)
    if not candidate.exists() and (data_path(str(path))).exists():
        return data_path(str(path))
    if not candidate.exists():
        raise ConfigError(f"{candidate}: file not found. Pass an existing YAML file, or omit the option to use the default.")
    return candidate


def _read_yaml(path: Path, allowed: set[str], required: set[str]) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error}).") from None
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"{path}: YAML syntax error{where}: {problem}. Fix the file and run again.") from None
    if not isinstance(loaded, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level, found {type(loaded).__name__}.")
    unknown = set(loaded) - allowed
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; allowed keys are {', '.join(sorted(allowed))}.")
    missing = required - set(loaded)
    if missing:
        raise ConfigError(f"{path}: missing key(s) {', '.join(sorted(missing))}.")
    return loaded


def _check_keys(path: Path, where: str, item: object, allowed: set[str], required: set[str]) -> dict:
    if not isinstance(item, dict):
        raise ConfigError(f"{path}: each entry of {where} must be a mapping, found {item!r}.")
    unknown = set(item) - allowed
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(sorted(map(str, unknown)))} in {where} entry {item.get('id', '?')!r}; allowed: {', '.join(sorted(allowed))}.")
    missing = required - set(item)
    if missing:
        raise ConfigError(f"{path}: {where} entry {item.get('id', '?')!r} lacks {', '.join(sorted(missing))}.")
    return item


def _string_list(path: Path, where: str, value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise ConfigError(f"{path}: {where} must be a list of strings.")
    if any(isinstance(v, bool) for v in value):
        # YAML reads unquoted no/yes/on/off as booleans: almost always a typo here.
        raise ConfigError(f"{path}: {where} contains a yes/no value; quote words such as \"no\" or \"on\".")
    return [str(v) for v in value]


@dataclass(frozen=True)
class Actor:
    id: str
    label: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Dyad:
    """Two sides, the phrases that name both at once, and tracked third parties."""

    name: str
    sides: tuple[Actor, Actor]
    pair_phrases: tuple[str, ...]
    third_parties: tuple[Actor, ...]
    path: str
    sha256: str


@lru_cache(maxsize=16)
def _load_dyad(path: Path) -> Dyad:
    raw = _read_yaml(path, {"name", "sides", "pair_phrases", "third_parties"}, {"sides"})
    sides = raw["sides"]
    if not isinstance(sides, list) or len(sides) != 2:
        raise ConfigError(f"{path}: 'sides' must list exactly two sides (id, label, aliases).")

    def actor(item: object, where: str) -> Actor:
        item = _check_keys(path, where, item, {"id", "label", "aliases"}, {"id", "aliases"})
        aliases = _string_list(path, f"{where} {item['id']!r} aliases", item["aliases"])
        if not aliases:
            raise ConfigError(f"{path}: {where} {item['id']!r} has no aliases.")
        return Actor(str(item["id"]), str(item.get("label", item["id"])), tuple(aliases))

    side_actors = (actor(sides[0], "sides"), actor(sides[1], "sides"))
    if side_actors[0].id == side_actors[1].id:
        raise ConfigError(f"{path}: the two sides need different ids.")
    thirds = tuple(actor(item, "third_parties") for item in raw.get("third_parties") or [])
    return Dyad(
        name=str(raw.get("name") or f"{side_actors[0].label}–{side_actors[1].label}"),
        sides=side_actors,
        pair_phrases=tuple(_string_list(path, "pair_phrases", raw.get("pair_phrases"))),
        third_parties=thirds,
        path=str(path),
        sha256=file_sha256(path),
    )


def load_dyad(path: str | Path | None = None) -> Dyad:
    """Load a dyad file (default: Turkey–Russia)."""
    return _load_dyad(_resolve(path, DEFAULT_DYAD).resolve())


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Taxonomy:
    """Topics with their terms, and the topic for dyad-relevant sentences with none."""

    topics: tuple[Topic, ...]
    fallback: str
    path: str
    sha256: str

    @property
    def ids(self) -> list[str]:
        return [topic.id for topic in self.topics]


@lru_cache(maxsize=16)
def _load_taxonomy(path: Path) -> Taxonomy:
    raw = _read_yaml(path, {"fallback", "topics"}, {"topics"})
    if not isinstance(raw["topics"], list) or not raw["topics"]:
        raise ConfigError(f"{path}: 'topics' must be a non-empty list.")
    topics = []
    for item in raw["topics"]:
        item = _check_keys(path, "topics", item, {"id", "label", "terms"}, {"id", "terms"})
        terms = tuple(_string_list(path, f"topic {item['id']!r} terms", item["terms"]))
        topics.append(Topic(str(item["id"]), str(item.get("label", item["id"])), terms))
    ids = [t.id for t in topics]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{path}: topic ids must be unique.")
    fallback = str(raw.get("fallback") or "bilateral")
    if fallback not in ids:
        topics.append(Topic(fallback, fallback.replace("_", " ").capitalize(), ()))
    return Taxonomy(tuple(topics), fallback, str(path), file_sha256(path))


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load a topic taxonomy (default: the Turkey–Russia topics)."""
    return _load_taxonomy(_resolve(path, DEFAULT_TOPICS).resolve())


@dataclass(frozen=True)
class Cue:
    """One event category: every surface form of it shares weight and mode."""

    category: str
    cameo: str
    weight: float
    mode: str
    head: str  # "yes", "no" (background noun), "participant" (a nouns: entry) or "transparent" (intention)


@dataclass(frozen=True)
class Lexicon:
    """Cue categories and the expanded surface forms that point to them."""

    cues: tuple[Cue, ...]
    forms: tuple[tuple[str, Cue], ...]
    path: str
    sha256: str


# The category of a "not_cues" phrase: matched like a cue, so that it hides
# the shorter cues inside it ("finance minister" hides "finance"), then dropped.
NOT_A_CUE = Cue("not_a_cue", "", 0.0, "verbal", "no")


@lru_cache(maxsize=16)
def _load_lexicon(path: Path) -> Lexicon:
    raw = _read_yaml(path, {"categories", "not_cues"}, {"categories"})
    cues, forms = [], []
    seen: dict[str, str] = {}
    for phrase in _string_list(path, "not_cues", raw.get("not_cues")):
        for form in expand_braces(phrase):
            key = " ".join(form.lower().split())
            if key not in seen:
                seen[key] = NOT_A_CUE.category
                forms.append((form, NOT_A_CUE))
    for item in raw["categories"] or []:
        item = _check_keys(path, "categories", item,
                           {"id", "cameo", "weight", "mode", "head", "verbs", "phrases", "nouns"},
                           {"id", "weight", "mode"})
        try:
            weight = float(item["weight"])
        except (TypeError, ValueError):
            raise ConfigError(f"{path}: category {item['id']!r} has a non-numeric weight {item['weight']!r}.") from None
        if not -10 <= weight <= 10:
            raise ConfigError(f"{path}: category {item['id']!r} weight {weight} is outside the Goldstein range -10…10.")
        if item["mode"] not in ("verbal", "material"):
            raise ConfigError(f"{path}: category {item['id']!r} mode must be 'verbal' or 'material'.")
        head = item.get("head", True)
        head = {True: "yes", False: "no", "transparent": "transparent"}.get(head)
        if head is None:
            raise ConfigError(f"{path}: category {item['id']!r} head must be true, false or transparent.")
        cue = Cue(str(item["id"]), str(item.get("cameo", "")), weight, str(item["mode"]), head)
        noun_cue = Cue(cue.category, cue.cameo, weight, cue.mode, "participant")
        cues.append(cue)
        surface: list[tuple[str, Cue]] = []
        for noun in _string_list(path, f"{item['id']} nouns", item.get("nouns")):
            surface.extend((form, noun_cue) for form in expand_braces(noun))
        for verb in _string_list(path, f"{item['id']} verbs", item.get("verbs")):
            for expanded in expand_braces(verb):
                surface.extend((form, cue) for form in inflect_verb(expanded))
        for phrase in _string_list(path, f"{item['id']} phrases", item.get("phrases")):
            surface.extend((form, cue) for form in expand_braces(phrase))
        for form, form_cue in surface:
            key = " ".join(form.lower().split())
            # First listing wins; later categories may repeat a word harmlessly.
            if key in seen:
                continue
            seen[key] = cue.category
            forms.append((form, form_cue))
    if not cues:
        raise ConfigError(f"{path}: no categories.")
    return Lexicon(tuple(cues), tuple(forms), str(path), file_sha256(path))


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """Load a cue lexicon (default: the bundled CAMEO-based lexicon)."""
    return _load_lexicon(_resolve(path, DEFAULT_CUES).resolve())


@dataclass(frozen=True)
class Modifiers:
    negators: tuple[str, ...]
    intention: tuple[str, ...]
    hedges: tuple[str, ...]
    conditionals: tuple[str, ...]
    contrast: tuple[str, ...]
    concessive: tuple[str, ...]
    background: tuple[str, ...]
    reversal: tuple[str, ...]
    clause_breaks: tuple[str, ...]
    participant_stops: tuple[str, ...]
    path: str
    sha256: str
    failure: tuple[str, ...] = ()
    attribution: tuple[str, ...] = ()
    not_participles: tuple[str, ...] = ()
    relative: tuple[str, ...] = ()
    not_negating: tuple[str, ...] = ()
    not_reversing: tuple[str, ...] = ()
    headline_small: tuple[str, ...] = ()
    list_breakers: tuple[str, ...] = ()
    participant_prepositions: tuple[str, ...] = ()
    appeal_objects: tuple[str, ...] = ()
    place_nouns: tuple[str, ...] = ()
    place_prepositions: tuple[str, ...] = ()
    place_people: tuple[str, ...] = ()
    agreement_verbs: tuple[str, ...] = ()
    post_negators: tuple[str, ...] = ()
    passive_auxiliaries: tuple[str, ...] = ()
    passive_subject_stops: tuple[str, ...] = ()
    participle_followers: tuple[str, ...] = ()
    participle_agents: tuple[str, ...] = ()
    setting_subject_stops: tuple[str, ...] = ()
    comment_topic_words: tuple[str, ...] = ()
    locative_prepositions: tuple[str, ...] = ()
    locative_modifiers: tuple[str, ...] = ()


@lru_cache(maxsize=16)
def _load_modifiers(path: Path) -> Modifiers:
    keys = set(_MODIFIER_LISTS)
    raw = _read_yaml(path, keys, keys - _OPTIONAL_MODIFIERS)
    lists = {key: tuple(_string_list(path, key, raw.get(key, []))) for key in keys}
    return Modifiers(**lists, path=str(path), sha256=file_sha256(path))


def load_modifiers(path: str | Path | None = None) -> Modifiers:
    """Load the negation / intention / hedge / contrast word lists."""
    return _load_modifiers(_resolve(path, DEFAULT_MODIFIERS).resolve())


@dataclass(frozen=True)
class ScorerSettings:
    scale: float = 4.0
    label_threshold: float = 0.05
    negation_window: int = 4
    intention_window: int = 6
    participant_window: int = 6
    negation_factor: float = 0.6
    negated_conflict_factor: float = 0.1
    intention_factor: float = 0.7
    hedge_factor: float = 0.6
    contrast_factor: float = 0.5
    concessive_factor: float = 0.3
    complement_factor: float = 0.1
    background_factor: float = 0.5
    setting_factor: float = 0.3
    subordinate_cap: float = 0.5
    quote_mode: str = "verbal"
    relevance_weights: dict = field(default_factory=lambda: {"direct": 1.0, "context": 0.0, "none": 0.0})
    context_carry: int = 2
    appeal_to_yield: float = -0.3
    source_window: int = 4
    go_between: tuple = ("host", "mediate")
    topic_heads: tuple = ("consult", "negotiate")
    hostile_acts: tuple = ()
    protective_acts: tuple = ()
    comment_heads: tuple = ()
    appeal_categories: tuple = ()
    concession_categories: tuple = ()
    stages: tuple = ()
    reported_speech_cap: float = 2.0
    model_intensity: str = "always"
    path: str = ""
    sha256: str = ""

    def __hash__(self) -> int:  # the dict field is not hashable; the file hash is enough
        return hash((self.path, self.sha256))


@lru_cache(maxsize=16)
def _load_settings(path: Path) -> ScorerSettings:
    allowed = {f for f in ScorerSettings.__dataclass_fields__ if f not in ("path", "sha256")}
    raw = _read_yaml(path, allowed, set())
    values = {}
    for key, value in raw.items():
        default = ScorerSettings.__dataclass_fields__[key].default
        if key == "relevance_weights":
            if not isinstance(value, dict) or set(value) != {"direct", "context", "none"}:
                raise ConfigError(f"{path}: relevance_weights must give direct, context and none.")
            values[key] = {k: float(v) for k, v in value.items()}
        elif isinstance(default, str):
            values[key] = str(value)
        else:
            try:
                values[key] = type(default)(value)
            except (TypeError, ValueError):
                raise ConfigError(f"{path}: {key} must be a number, found {value!r}.") from None
    return ScorerSettings(**values, path=str(path), sha256=file_sha256(path))


def load_settings(path: str | Path | None = None) -> ScorerSettings:
    """Load the scorer's factors and thresholds."""
    return _load_settings(_resolve(path, DEFAULT_SETTINGS).resolve())


@lru_cache(maxsize=1)
def ingest_settings() -> dict:
    """Column names, headline rules, size limits and dates of ``analysis/data/ingest.yaml``."""
    return yaml.safe_load(data_path("ingest.yaml").read_text(encoding="utf-8"))
