"""The scorer: who, about what, how cooperative — per sentence, with evidence.

For each sentence the scorer records which sides of the dyad and which third
parties it names, how relevant it is to the dyad, its topics, and a
cooperation / friction score built from event cues (``analysis/data/cues.yaml``,
weights on the Goldstein scale). How a cue counts:

1. **Clauses.** A sentence is cut into clauses at ``, ; : ( ) —`` and at the
   clause words of ``modifiers.yaml``. In each clause the first event cue is
   the *head* (the event, as CAMEO codes it: "rejected a US offer to host a
   summit" is a rejection); later cues are its complement and count
   ``complement_factor`` ×; what a neutral event or a ``comment_heads``
   comment is about ("pessimistic about the peace plan") counts nothing.
   Background nouns ("war", "tensions") never head.
   In a passive clause the verb heads and the noun before it is what was
   done to ("the request for an audit was rejected" is a rejection).
2. **Negation.** A negator up to ``negation_window`` words before a cue in the
   same clause flips the first cue after it: the cue counts ``-negation_factor`` × its weight
   ("would not pose a threat" is mildly cooperative; "failed to reach a
   deal" is friction), a negated hostile act only ``-negated_conflict_factor`` ×
   ("there has not been a chemical attack" is no act of cooperation).
3. **Intention vs act.** A material cue after an intention marker ("will",
   "plans to", "pledged to") is an intention: it becomes verbal and counts
   ``intention_factor`` ×.
4. **Hedges and conditionals.** A hedge ("may", "reportedly") scales its
   clause by ``hedge_factor`` (inside a "that" clause, only what follows
   "that": "warned that it could damage ties" is a warning); a conditional
   ("if", "unless") the whole sentence.
5. **Contrast.** Clauses before "but"/"however" count ``contrast_factor`` ×;
   "despite"/"although" clauses count ``concessive_factor`` ×; a temporal or
   causal setting ("after the attack") ``setting_factor`` ×, a relative clause
   ("which …") or a participial one (", urging …") ``background_factor`` ×.
   A relative clause or an object-less past participle set off by commas
   after a short subject ("The ceasefire, signed in Doha, collapsed") is an
   insertion: the clause before it continues after it, and its words count
   in no window.
   When the main clause has events, the cues of concessive, setting and
   relative clauses that oppose them weigh together at most
   ``subordinate_cap`` × their mass (per scope): "Following deadly clashes
   on the border, the commanders met" is a meeting, as a coder codes it.
6. **Reported speech.** A cue inside quotation marks is something said: its
   mode is verbal.
7. **Who it is between.** Each cue's participants are the nearest actor to its
   left (with a coordinated "X and Y") and the nearest within six words to its
   right, or the pair named in "between X and Y". A cue counts toward the
   dyad when its participants are both sides, or one side and a pair phrase
   ("the two countries"), or one side alone in a sentence that is about the
   pair. A cue between one side and a third party ("Ties between Turkey and
   the United States were strained") is kept apart, in the
   ``third_party_*`` columns.

Scores: ``cooperation`` and ``friction`` are the summed absolute effective
weights of the dyad cues; ``net = tanh((cooperation − friction) / scale)`` in
[−1, 1]; ``quad`` is the mode and polarity of the strongest dyad cue.
``tone`` (VADER compound) is a separate column: tone is not cooperation.

Dyad relevance and weight: ``direct`` (both sides, or one side and a pair
phrase) 1.0; ``one_sided`` 0.5; ``context`` 0.25 — a sentence naming no actor
that follows, within ``context_carry`` sentences, a direct sentence of the
same paragraph ("The initiative was designed to…"), taking
its topics when it has none; ``none`` 0. An article with no direct sentence
only co-mentions the two sides, so all its weights are 0: one-sided sentences
count only in articles that relate the pair somewhere.
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..schema import SENTENCES, check
from ..text import WORD, fold
from ..vocab import (
    MODIFIER_KINDS,
    NOT_A_CUE,
    Dyad,
    Lexicon,
    Modifiers,
    ScorerSettings,
    Taxonomy,
    expand_braces,
    irregular_verbs,
    load_dyad,
    load_lexicon,
    load_modifiers,
    load_settings,
    load_taxonomy,
    vocabulary_fingerprint,
    vocabulary_paths,
)
from .attribution import DYAD_ROLES
from .matcher import MultiMatcher, PhraseMatcher, Prepared
from .model import Model, direction_features, load_model, sentence_features
from .rules import ScoredCue, SentenceState, Spans, check_order, run_stages, within
from .segment import split_sentences

__all__ = ["Scorer", "score_corpus", "score_sentence"]

_FIRST_WORD = re.compile(r"\s+([A-Za-z]+)\b")
_NOT_CONTINUING = frozenset({"and", "or", "but", "then", "while", "as", "with", "which", "who", "where", "when"})
_MODAL_END = re.compile(r"\b(?:to|must|should|would|will|can|could|may|might)$")  # "has to", "needs to": no noun


class Scorer:
    """Score sentences for cooperation and friction between the two sides of a dyad.

    Parameters
    ----------
    dyad, topics, cues, modifiers, settings
        Paths of the YAML files (``None`` → the bundled defaults).
    tone
        Add the VADER compound score of each sentence that names a side or the
        pair (relevance not ``none``; slower).
    tone_all
        With ``tone``, score every sentence's tone, those naming neither side too
        (much slower on a broad corpus; tone is not used by any measure).

    Notes
    -----
    Constructing a Scorer only stores the parameters; vocabularies are read and
    compiled on first use (``compiled_``).
    """

    def __init__(self, dyad: str | Path | None = None, topics: str | Path | None = None,
                 cues: str | Path | None = None, modifiers: str | Path | None = None,
                 settings: str | Path | None = None, *, tone: bool = True, tone_all: bool = False, model: str | Path | None = None):
        self.dyad = dyad
        self.topics = topics
        self.cues = cues
        self.modifiers = modifiers
        self.settings = settings
        self.tone = tone
        self.tone_all = tone_all
        self.model = model

    def get_params(self) -> dict:
        """The constructor's parameters: what a worker, the cache key and the manifest rebuild a scorer from."""
        return {"dyad": _path_or_none(self.dyad), "topics": _path_or_none(self.topics),
                "cues": _path_or_none(self.cues), "modifiers": _path_or_none(self.modifiers),
                "settings": _path_or_none(self.settings), "tone": bool(self.tone),
                "tone_all": bool(self.tone_all), "model": _path_or_none(self.model)}

    # ------------------------------------------------------------------ set-up
    def compile(self) -> Scorer:
        """Read the vocabularies and build the matchers (idempotent)."""
        if getattr(self, "compiled_", False):
            return self
        self.dyad_: Dyad = load_dyad(self.dyad)
        self.taxonomy_: Taxonomy = load_taxonomy(self.topics)
        self.lexicon_: Lexicon = load_lexicon(self.cues)
        self.modifiers_: Modifiers = load_modifiers(self.modifiers)
        self.settings_: ScorerSettings = load_settings(self.settings)
        self.model_: Model | None = load_model(self.model)
        self.sides_ = tuple(side.id for side in self.dyad_.sides)
        actor_entries: list[tuple[str, object]] = []
        for side in self.dyad_.sides:
            actor_entries += [(alias, ("side", side.id)) for alias in side.aliases]
        actor_entries += [(phrase, ("pair", "pair")) for phrase in self.dyad_.pair_phrases]
        for third in self.dyad_.third_parties:
            actor_entries += [(alias, ("third", third.id)) for alias in third.aliases]
        self.actor_matcher_ = PhraseMatcher(actor_entries)
        # The prefilter's automaton: both sides and the pair phrases, nothing else.
        self.side_matcher_ = PhraseMatcher([entry for entry in actor_entries if entry[1][0] != "third"])
        self.topic_matcher_ = PhraseMatcher(
            (term, topic.id) for topic in self.taxonomy_.topics for term in _expand(topic.terms))
        try:
            self.cue_matcher_ = PhraseMatcher(self.lexicon_.forms, hyphen_joins=True)
        except ValueError as error:  # a misplaced '*' in a phrase
            raise ConfigError(f"{self.lexicon_.path}: {error}.") from None
        # One pass finds every kind; a word may have several roles ("could":
        # intention and hedge) and each kind is resolved on its own.
        self.modifier_matcher_ = MultiMatcher({kind: getattr(self.modifiers_, kind) for kind in MODIFIER_KINDS},
                                              hyphen_joins=True)
        self.reversal_words_ = frozenset(fold(w) for w in self.modifiers_.reversal)
        self.participant_stops_ = frozenset(fold(w) for w in self.modifiers_.participant_stops)
        self.not_participles_ = frozenset(fold(w) for w in self.modifiers_.not_participles)
        self.relative_ = _word_regex(self.modifiers_.relative, r"\s+(?:{})\b", flags=0)
        self.relative_words_ = frozenset(fold(w) for w in self.modifiers_.relative)
        self._headline_small = frozenset(fold(w) for w in self.modifiers_.headline_small)
        self._list_breaker = _word_regex(self.modifiers_.list_breakers, r"\b(?:{})\s+(?:the\s+)?$")
        modifiers = "|".join(map(re.escape, self.modifiers_.locative_modifiers)) or "(?!)"
        self._locative = _word_regex(self.modifiers_.locative_prepositions,
                                     r"\b(?:{})\s+(?:the\s+)?" + rf"(?:(?:{modifiers})\s+)?$")
        self._participant_phrase = _word_regex(self.modifiers_.participant_prepositions, r"\s+(?:{})\b")
        self._participant_words = frozenset(fold(w) for w in self.modifiers_.participant_prepositions)
        # "the Turkish border", "the Turkish-Syrian border", "the border with Turkey"
        people = "|".join(map(re.escape, self.modifiers_.place_people)) or "(?!)"
        self._place_after = _word_regex(self.modifiers_.place_nouns, r"(?:-\w+)?\s+(?:{})\b" + rf"(?!\s+(?:{people})\b)")
        # words of the place nouns, for a cheap test of whether an article may name a place at all
        self._place_hints = frozenset(w for noun in self.modifiers_.place_nouns for w in fold(noun).split()
                                      if w not in ("of", "the"))
        locative = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in self.modifiers_.place_prepositions)
        self._place_before = _word_regex(self.modifiers_.place_nouns, rf"\b(?:{locative})" + r"\s+the\s+(?:{})\s+(?:with|of)\s+(?:the\s+)?$") \
            if locative else None
        self.agreement_verbs_ = frozenset(fold(w) for w in self.modifiers_.agreement_verbs)
        self.post_negator_ = _word_regex(self.modifiers_.post_negators, r"\s+({})\b")
        self.appeal_object_ = _word_regex(self.modifiers_.appeal_objects, r"\bto\s+(?:\w+ly\s+)?(?:{})\b")
        # A passive auxiliary right before a verb cue ("the request was rejected"), and what may not
        # stand between the noun and it: a clause opener, a pronoun, a modal, a verb in -ed, a comma.
        self._passive_aux = _word_regex(self.modifiers_.passive_auxiliaries, r"\b(?:{})\s+(?:[a-z]+ly\s+)?$")
        self._not_a_subject = _word_regex(self.modifiers_.passive_subject_stops, r"[,;:()—–]|\b(?:[a-z]+ed|{})\b")
        # "and" opening a second predicate: a past-tense verb (regular, or from
        # irregular_verbs.yaml) or an auxiliary ("and offered", "and met", "and will")
        past = {form for forms in irregular_verbs().values() for form in forms}
        self._participles = frozenset(past)
        # ", signed with great fanfare in Doha,": a participle with no object of its own (what
        # follows it is one of participle_followers, an -ly adverb or the closing comma)
        self._inserted_participle = _word_regex(
            self.modifiers_.participle_followers, r"\s+(?:[a-z]+ly\s+)?([a-z]+)(?=\s*$|\s+(?:[a-z]+ly|{})\b)", flags=0)
        self.past_participle_ = _word_regex(self.modifiers_.participle_agents,
                                            r",\s+(?:[a-z]+ly\s+)?([a-z]+)\s+(?:{})\b", flags=0)
        self.comment_topic_ = _word_regex(self.modifiers_.comment_topic_words, r"\s+(?:{})\b", flags=0)
        self.setting_subject_stops_ = frozenset(fold(w) for w in self.modifiers_.setting_subject_stops)
        self.coordinated_verb_ = _word_regex(sorted(past | {"will", "would", "has", "had"}),
                                             r"\band\s+(?:also\s+|then\s+|later\s+)?(?:[a-z]+ed|{})\b", flags=0)
        categories = {cue.category for cue in self.lexicon_.cues}
        for key in ("go_between", "topic_heads", "hostile_acts", "protective_acts", "comment_heads",
                    "appeal_categories", "concession_categories"):
            unknown = sorted(set(getattr(self.settings_, key)) - categories)
            if unknown:
                raise ConfigError(f"{self.settings_.path}: {key} names no lexicon category: {', '.join(unknown)}.")
        self.appeal_categories_ = frozenset(self.settings_.appeal_categories)
        self.concession_categories_ = frozenset(self.settings_.concession_categories)
        self.stages_ = check_order(self.settings_.stages, self.settings_.path)
        if self.settings_.model_intensity not in ("always", "fallback"):
            raise ConfigError(f"{self.settings_.path}: model_intensity must be 'always' or 'fallback', "
                              f"found {self.settings_.model_intensity!r}.")
        self._vader = None
        self.compiled_ = True
        return self

    def fingerprint(self) -> str:
        """Hash of every vocabulary file (:data:`analysis.vocab.VOCABULARY`) and setting: changes whenever a score could."""
        self.compile()  # a broken vocabulary fails here, as before, not in a worker
        paths = vocabulary_paths(**self.get_params())
        return vocabulary_fingerprint(paths, f"tone={self.tone}", f"tone_all={bool(self.tone_all)}", _CODE_VERSION)

    def _tone(self, sentences: list[str]) -> list[float]:
        if not self.tone:
            return [math.nan] * len(sentences)
        if self._vader is None:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

            self._vader = SentimentIntensityAnalyzer()
        return [float(self._vader.polarity_scores(s)["compound"]) for s in sentences]

    def prefilter(self, text: str, title: str = "") -> str:
        """Why no sentence of this article can relate the pair ("" when one can).

        A direct sentence needs the pair in its article: both sides named (text
        or headline), or one side and a pair phrase ("the two countries"). Other
        articles are not scored at all; most of a broad corpus is such articles.
        """
        self.compile()
        return self._unrelatable(Prepared(text), title)

    def _unrelatable(self, prepared: Prepared, title: str) -> str:
        found = {m.key for m in self.side_matcher_.find(prepared.text, prepared=prepared)}
        if title:
            found |= {m.key for m in self.side_matcher_.find(title)}
        sides = {name for kind, name in found if kind == "side"}
        if len(sides) == 2 or (sides and ("pair", "pair") in found):
            return ""
        if not sides:
            return "names neither side"
        label = next(side.label for side in self.dyad_.sides if side.id in sides)
        return f"names only {label} (and no phrase for the pair)"

    def _weigh_cues(self, text: str, folded: str, span: tuple[int, int], matches: dict, quote_mask: np.ndarray,
                    mentions: list, dyad_filter: bool, *, pair_context: bool = False) -> list[ScoredCue]:
        """Run the rule stages (``scorer.yaml`` ``stages``) over the cues of one sentence ``text[span[0]:span[1]]``."""
        start, end = span
        cues = within(matches["cues"], start, end)
        if not cues:
            return []
        local = {kind: within(found, start, end) for kind, found in matches.items() if kind != "cues"}
        state = SentenceState(text, folded, start, end, list(cues), local, mentions, quote_mask, dyad_filter,
                              pair_context)
        return run_stages(self, state, self.stages_)

    def is_participial_insertion(self, text: str, start: int, opening: int, closing: int) -> bool:
        """Whether the sentence's first two commas (at ``opening`` and ``closing``) set off a past-participle
        phrase between its subject and their verb ("The talks, held in Geneva, ended"), not a list or a
        second predicate ("Erdogan met Putin, signed a deal, and left")."""
        subject = WORD.findall(text, start, opening)
        if self._inserted_participle is None or not subject or len(subject) > 8 or any(
                w.islower() and self.is_past_form(w) for w in subject):
            return False
        inside = self._inserted_participle.match(text, opening + 1, closing)
        if inside is None or fold(inside.group(1)) in self.not_participles_ or not self.is_past_form(inside.group(1)):
            return False
        after = _FIRST_WORD.match(text, closing + 1)
        return after is not None and after.group(1).islower() and after.group(1) not in _NOT_CONTINUING

    def is_past_form(self, word: str) -> bool:
        """A regular past form in -ed or an irregular one (irregular_verbs.yaml)."""
        return word.endswith("ed") or word in self._participles

    def is_passive(self, text: str, cue, subject_end: int) -> bool:
        """Whether a verb cue is the passive predicate of the noun phrase ending at ``subject_end``:
        "the request for an audit was rejected", not "refused to extend the deal unless sanctions are eased"."""
        first = fold(text[cue.start:cue.end]).split(" ", 1)[0]
        if not self.is_past_form(first):
            return False
        if _MODAL_END.search(fold(text[max(0, subject_end - 8):subject_end])):
            return False
        aux = self._passive_aux.search(text, max(subject_end, cue.start - 30), cue.start) if self._passive_aux else None
        if aux is None:
            return False
        between = text[subject_end:aux.start()]
        return len(between.split()) <= 8 and (self._not_a_subject is None or self._not_a_subject.search(between) is None)

    def names_participants(self, text: str, cue, before: int) -> bool:
        """Whether a phrase naming who took part or what about follows ``cue`` ("talks between the
        government and the union", "talks with Gazprom on prices"; the cue may end with the preposition)."""
        return self._participant_phrase is not None and (
            self._participant_phrase.match(text, cue.end, before) is not None
            or fold(text[cue.start:cue.end]).rsplit(" ", 1)[-1] in self._participant_words)

    def _is_place(self, text: str, mention) -> bool:
        """Whether an actor's name is a place here ("near the Turkish border", "the border with Turkey")."""
        if self._place_after is not None:
            # "Turkish border", "Turkish-Syrian border"; not "Turkey's border guards shot…" (a possessive acts)
            name = text[mention.start:mention.end + 2]
            if "'" not in name and "’" not in name and self._place_after.match(text, mention.end) is not None:
                return True
        # "… the border with Turkey": only worth a search after "with" or "of"
        return self._place_before is not None and \
            text[max(0, mention.start - 9):mention.start].lower().endswith(("with ", "of ", "with the ", "of the ")) and \
            self._place_before.search(text, max(0, mention.start - 40), mention.start) is not None

    def after_locative(self, text: str, position: int) -> bool:
        """Whether a locative preposition ("in", "across") comes right before ``position``: a place, not an actor."""
        return self._locative is not None and self._locative.search(text, max(0, position - 32), position) is not None

    def after_list_breaker(self, text: str, position: int) -> bool:
        """Whether a preposition ("in", "near") comes right before ``position``."""
        return self._list_breaker is not None and \
            self._list_breaker.search(text, max(0, position - 12), position) is not None

    def _scope(self, text: str, folded: str, match, boundaries: list[int], in_sentence: list, end: int,
               setting: bool = False) -> str:
        """Whether a cue relates the two sides ("dyad") or one side and a third party.

        ``in_sentence`` holds the actor mentions of the cue's sentence, which ends at ``end``.
        ``setting``: the cue's clause is a temporal or causal setting ("since the 2022
        invasion", "after the attack"); an event there that names no actor of its own is
        the background of the sentence, not something its subject did: "third_party".
        """
        clause_index = bisect.bisect_right(boundaries, match.start) - 1
        clause_start = boundaries[clause_index]
        clause_end = boundaries[clause_index + 1] if clause_index + 1 < len(boundaries) else end
        if setting:
            if not any(clause_start <= m.start < clause_end for m in in_sentence):
                return "third_party"
        participants: set[tuple[str, str]] = set()
        # "between X and Y" names the pair outright.
        between = folded.rfind("between", clause_start, match.start)
        if between < 0:
            # "a ceasefire between Ankara and the PKK", "talks between …": the cue names its two sides
            following = folded.find("between", match.end, match.end + 40)
            if following >= 0 and not WORD.search(text, match.end, following):
                between = following
        if between >= 0:
            after = [m for m in in_sentence if m.start > between]
            if len(after) >= 2 and after[1].start < match.start + 200 and \
                    text[after[0].end:after[1].start].strip(" ,").lower() in ("and", "and the") and \
                    not any(after[1].end <= m.start and m.end <= match.start for m in after):
                # (unless another actor stands between the pair and the cue: "ties between
                # Turkey and the US were strained over Ankara's purchase of Russian S-400s")
                participants = {after[0].key, after[1].key}
        # A host or mediator acts between the two it brings together and
        # towards each of them: "Turkey hosted talks between Russia and Ukraine".
        go_between = match.key.category in self.settings_.go_between
        if not participants or go_between:
            # An actor inside the cue's own words takes part: "damage bilateral
            # relations", "exports to Russia fell".
            participants |= {m.key for m in in_sentence if match.start <= m.start and m.end <= match.end}
            in_clause = [m for m in in_sentence if clause_start <= m.start < clause_end]
            left = [m for m in in_clause if m.end <= match.start]
            if not left:
                # No actor before the cue in its clause: the sentence's subject
                # (its first actor, with any coordinated "X and Y") acts.
                left = [m for m in in_sentence if m.end <= match.start][:1]
                if left:
                    left = _subject_chain(text, in_sentence, left[0], match.start)
            elif len(left) >= 2 and self.coordinated_verb_.search(text, left[-1].end, match.end):
                # A second verb of the same subject ("Erdogan met Zelensky in
                # Lviv and offered to mediate with Moscow"): the subject acts,
                # not the object of the first verb.
                left = _subject_chain(text, in_clause, left[0], match.start)
            if left:
                nearest = left[-1]
                participants.add(nearest.key)
                # A coordinated list ("Russia, Iran and Turkey agreed") may
                # begin before the comma that opens the cue's clause, but a
                # place after a preposition ("In Moscow, Turkey …") is not in it.
                for previous in reversed([m for m in in_sentence if m.end <= nearest.start]):
                    gap = text[previous.end:nearest.start].strip().lower()
                    if not re.fullmatch(r"(,|and|or)?\s*(the\s+)?", gap):
                        break
                    if previous.start < clause_start and self.after_list_breaker(text, previous.start):
                        break
                    participants.add(previous.key)
                    nearest = previous
            on_right = [m for m in in_clause if m.start >= match.end]
            if on_right:
                words = [w.lower() for w in WORD.findall(text, match.end, on_right[0].start)]
                if len(words) <= self.settings_.participant_window and not self.participant_stops_.intersection(words):
                    participants.add(on_right[0].key)
                    # and the rest of a coordinated list: "with both Ukraine and Russia"
                    for previous, following in zip(on_right, on_right[1:], strict=False):
                        gap = text[previous.end:following.start].strip().lower()
                        if re.fullmatch(r"by\s*(the\s+)?", gap):
                            # the agent of an event named as the object: "would never
                            # recognise the annexation of Crimea by Russia"
                            participants.add(following.key)
                            break
                        if not re.fullmatch(r"(,|and|or|nor|,\s*and)\s*(the\s+)?", gap):
                            break
                        participants.add(following.key)
        sides = {key[1] for key in participants if key[0] == "side"}
        pair = any(key[0] == "pair" for key in participants)
        thirds = {key[1] for key in participants if key[0] == "third"}
        sentence_sides = {m.key[1] for m in in_sentence if m.key[0] == "side"}
        sentence_pair = any(m.key[0] == "pair" for m in in_sentence)
        sentence_thirds = {m.key[1] for m in in_sentence if m.key[0] == "third"}
        if pair and len(sentence_sides) < 2 and sentence_thirds:
            # One side and a third party named: "the two sides" are those two.
            pair, thirds = False, thirds | {"(the two named)"}
        if len(sides) == 2 or (sides and pair):
            return "dyad"
        if sides and thirds:
            return "third_party"
        if sides:
            return "one_side"  # the caller counts it as "dyad" unless its clause's event is a third party's
        if thirds and not pair:
            return "third_party"
        if pair:
            return "dyad"
        # No participant found: fall back to what the sentence names.
        if sentence_thirds and len(sentence_sides) < 2 and not sentence_pair:
            return "third_party"
        return "dyad"

    # ------------------------------------------------------------------ articles
    def score_text(self, article_id: str, text: str, *, title: str = "", dyad_filter: bool = True,
                   features: bool = False, prefilter: bool = True) -> list[dict]:
        """Score every sentence of one article; returns sentence records (see :data:`SENTENCES`).

        ``title`` is the article's headline when it is not part of ``text``.
        ``features``: add each candidate sentence's model features (``"features"``,
        a dict; what ``validation/train.py`` learns from). With the dyad filter
        and ``prefilter``, an article that cannot relate the pair
        (:meth:`prefilter`) gives no rows.
        """
        return self.score_article(article_id, text, title=title, dyad_filter=dyad_filter, features=features,
                                  prefilter=prefilter)[0]

    def score_article(self, article_id: str, text: str, *, title: str = "", dyad_filter: bool = True,
                      features: bool = False, prefilter: bool = True) -> tuple[list[dict], str]:
        """:meth:`score_text`, and why the article was not scored ("" when it was).

        An article the prefilter sets aside (:meth:`prefilter`) gives no rows and
        its reason; one with no sentence gives no rows and "no sentence".
        """
        self.compile()
        s = self.settings_
        prepared = Prepared(text)
        if dyad_filter and prefilter:
            reason = self._unrelatable(prepared, title)
            if reason:
                return [], reason  # no sentence here can relate the pair: the article is listed, unscored
        folded = prepared.folded
        spans = split_sentences(text)
        actor_mentions = self.actor_matcher_.find(text, prepared=prepared)
        if any(hint in folded for hint in self._place_hints):  # most articles name no border
            actor_mentions = [m for m in actor_mentions if m.key[0] == "pair" or not self._is_place(text, m)]
        actor_mentions = Spans(actor_mentions)
        topic_mentions = Spans(self.topic_matcher_.find(text, overlapping=True, prepared=prepared))
        title_sides = {m.key[1] for m in self.actor_matcher_.find(title) if m.key[0] == "side"} if title else set()
        # First pass: who each sentence names, and its topics.
        plan = []
        for start, end in spans:
            mentions = within(actor_mentions, start, end)
            sides = sorted({m.key[1] for m in mentions if m.key[0] == "side"}, key=self.sides_.index)
            pair = any(m.key[0] == "pair" for m in mentions)
            thirds = sorted({m.key[1] for m in mentions if m.key[0] == "third"})
            topics = list(dict.fromkeys(m.key for m in within(topic_mentions, start, end)))
            plan.append((start, end, mentions, sides, pair, thirds, topics))
        # Cues and modifiers are looked for only where they can count: with the
        # dyad filter, in sentences that name a side or a pair phrase and the
        # few after them that may continue their context (most sentences of a
        # real corpus name neither side).
        if dyad_filter:
            regions: list[list[int]] = []
            last, reach = -2, -1
            for index, (start, end, _, sides, pair, _, _) in enumerate(plan):
                if sides or pair:
                    reach = index + s.context_carry
                elif index > reach:
                    continue
                if index == last + 1:
                    regions[-1][1] = end
                else:
                    regions.append([start, end])
                last = index
            if sum(end - start for start, end in regions) > len(text) // 2:
                regions = [[0, len(text)]]  # one pass is cheaper than many small ones
        else:
            regions = [[0, len(text)]]
        matches = self._event_matches(text, folded, regions, _Headlines(text, spans, self._headline_small))
        quote_mask = _quote_mask(folded) if regions else None
        # Second pass: the cues of every sentence that can relate the pair, who they
        # are between (rules), and the context each sentence inherits.
        carry = 0  # sentences left that continue the context of one relating the pair
        previous_end = 0
        previous_direct, previous_sides = False, 0
        seen: list[tuple | None] = []
        for index, (start, end, mentions, sides, pair, thirds, _) in enumerate(plan):
            new_paragraph = "\n\n" in text[previous_end:start]
            previous_end = end
            if new_paragraph:
                carry = 0
            if dyad_filter and not (sides or pair) and carry <= 0:
                seen.append(None)  # names neither side and continues no context: nothing here can count
                carry, previous_direct, previous_sides = 0, False, 0
                continue
            pair_context = carry > 0 or (len(title_sides) == 2 and index <= 1)
            scored = self._weigh_cues(text, folded, (start, end), matches, quote_mask, mentions, dyad_filter,
                                      pair_context=pair_context and not thirds)
            rule_direct = dyad_filter and any(c.scope == "dyad" and c.role in DYAD_ROLES for c in scored)
            seen.append((scored, rule_direct, pair_context, previous_direct, previous_sides))
            carry = s.context_carry if rule_direct else carry - 1
            previous_direct, previous_sides = rule_direct, len(sides)
        article = _article_context(plan, seen, title_sides)
        # Third pass: relevance (the rules, or the model where there is one), score, record.
        records: list[dict] = []
        previous_topics: list[str] = []
        model = self.model_ if dyad_filter else None
        for index, ((start, end, mentions, sides, pair, thirds, topics), info) in enumerate(zip(plan, seen, strict=True)):
            if info is None:
                records.append(dict(_EMPTY, article_id=article_id, sentence=index, start=start, end=end,
                                    text=text[start:end], third_parties=";".join(thirds), topics=";".join(topics)))
                continue
            scored, rule_direct, pair_context, previous_direct, previous_sides = info
            names_either = bool(sides or pair)
            p_direct = math.nan
            facts = None
            if dyad_filter:
                if model is not None or features:
                    facts = sentence_features(text, start, end, mentions, scored, sides=self.sides_,
                                              title_sides=len(title_sides), previous_direct=previous_direct,
                                              previous_sides=previous_sides, index=index, pair_context=pair_context,
                                              article=None if not prefilter else  # a lone sentence: no article
                                              {key: value - (key == "others_direct" and rule_direct)
                                               for key, value in article.items()},
                                              rule_intensity=_rule_intensity(scored))
                if model is not None:
                    p_direct = model.p_direct(facts)
                    direct = p_direct >= model.threshold
                else:
                    direct = rule_direct
                relevance = "direct" if direct else "context" if names_either else "none"
                in_scope = [c for c in scored if c.scope == "dyad"] if direct else []
            else:
                relevance = "direct" if len(sides) == 2 or (sides and pair) else "context" if names_either else "none"
                in_scope = [c for c in scored if c.scope == "generic"]
            if relevance == "direct" and not topics:
                topics = list(previous_topics) if not names_either and previous_topics else [self.taxonomy_.fallback]
            previous_topics = topics if relevance == "direct" else previous_topics
            third = [c for c in scored if c.scope == "third_party"]
            cooperation = sum(c.weight for c in in_scope if c.weight > 0)
            friction = -sum(c.weight for c in in_scope if c.weight < 0)
            net = math.tanh((cooperation - friction) / s.scale) if in_scope else 0.0
            intensity = _intensity(in_scope, cooperation, friction) if relevance == "direct" else 0
            evidence = _evidence(in_scope)
            direction_facts = None
            if dyad_filter and (features or (model is not None and relevance == "direct")):
                direction_facts = direction_features(text, start, end, mentions, scored, sides=self.sides_)
            direction = None
            if model is not None and relevance == "direct":
                # Where the rules found the pair's events, their cues score the sentence; where the
                # model alone saw the pair (no cue between them), its intensity head does
                # (``model_intensity`` in scorer.yaml: "fallback", or "always").
                estimate = model.intensity_of(facts)
                if s.model_intensity != "fallback" or not in_scope:
                    net, intensity = estimate / 3.0, int(round(estimate))
                direction = model.direction_of(direction_facts)
                evidence = "; ".join(part for part in (evidence, f"model: p(direct) {p_direct:.2f} "
                                                       f"({model.explain(facts)}), intensity {estimate:+.2f}") if part)
            strongest = max(in_scope, key=lambda c: abs(c.weight), default=None)
            quad = "none" if strongest is None or strongest.weight == 0 else \
                f"{strongest.mode}_{'cooperation' if strongest.weight > 0 else 'conflict'}"
            leading = max((c for c in in_scope if c.role in DYAD_ROLES), key=lambda c: abs(c.weight), default=None)
            if direction is None:
                direction = _DIRECTION.get(leading.role, "") if leading else ("mutual" if relevance == "direct"
                                                                             and dyad_filter else "")
            source, target = _who(direction, leading, self.sides_)
            record = {
                "article_id": article_id, "sentence": index, "start": start, "end": end,
                "text": text[start:end], "sides": ";".join(sides), "third_parties": ";".join(thirds),
                "relevance": relevance, "weight": float(s.relevance_weights[relevance]),
                "topics": ";".join(topics), "cooperation": round_half(cooperation), "friction": round_half(friction),
                "net": round_half(net), "quad": quad, "evidence": evidence,
                "source": source, "target": target, "direction": direction,
                "intensity": intensity, "p_direct": round_half(p_direct) if not math.isnan(p_direct) else math.nan,
                "third_party_cooperation": round_half(sum(c.weight for c in third if c.weight > 0)),
                "third_party_friction": round_half(-sum(c.weight for c in third if c.weight < 0)),
                "cue_spans": json.dumps([[c.start - start, c.end - start, c.category, round(c.weight, 3), c.scope,
                                          c.role] for c in scored], separators=(",", ":")),
            }
            if features:
                record["features"] = facts
                record["direction_features"] = direction_facts
            records.append(record)
        # Tone only where a side or the pair is named: the rest of a broad corpus
        # is most of its sentences, and no measure reads their tone.
        toned = [r for r in records if self.tone_all or r["relevance"] != "none"]
        for record, tone in zip(toned, self._tone([r["text"] for r in toned]), strict=True):
            record["tone"] = tone
        for record in records:
            record.setdefault("tone", math.nan)
        return records, "" if records else "no sentence"

    def _event_matches(self, text: str, folded: str, regions: list[list[int]],
                       headlines: _Headlines | None = None) -> dict[str, Spans]:
        """Cue and modifier matches (article offsets) inside ``regions`` of the text."""
        found: dict[str, list] = {"cues": [], **{kind: [] for kind in MODIFIER_KINDS}}
        headlines = headlines or _Headlines(text, [(0, len(text))], self._headline_small)
        for start, end in regions:
            part = Prepared(text[start:end], folded[start:end])
            found["cues"] += [m for m in self.cue_matcher_.find(part.text, prepared=part, offset=start)
                              if m.key.category != NOT_A_CUE.category
                              and (not _in_proper_name(text, m) or headlines.at(m.start))]
            for kind, matches in self.modifier_matcher_.find(part.text, prepared=part, offset=start).items():
                # Modifiers are function words: a capitalised one inside a
                # sentence is a name ("May 16", "Will Smith"), not a modifier.
                found[kind] += [m for m in matches if not (text[m.start].isupper() and not _sentence_initial(text, m.start)
                                                           and not headlines.at(m.start))]
        return {kind: Spans(matches) for kind, matches in found.items()}

    def score_articles(self, articles: pd.DataFrame) -> pd.DataFrame:
        """Score every sentence of every article.

        Returns
        -------
        pandas.DataFrame
            One row per sentence: article_id, sentence, start, end, text,
            sides, third_parties, relevance, weight, topics (";"-joined),
            cooperation, friction, net, quad, evidence,
            third_party_cooperation, third_party_friction, tone, cue_spans
            (JSON: [start, end, category, effective weight, scope] per cue,
            offsets within the sentence).
        """
        self.compile()
        records: list[dict] = []
        for article_id, text in zip(articles["article_id"], articles["text"], strict=True):
            records.extend(self.score_text(article_id, text))
        frame = pd.DataFrame.from_records(records, columns=[*SENTENCES, "cue_spans"])
        return check(frame, SENTENCES, "sentences")


_CODE_VERSION = "scorer-76"
_EMPTY = {"sides": "", "relevance": "none", "weight": 0.0, "cooperation": 0.0, "friction": 0.0, "net": 0.0,
          "quad": "none", "evidence": "", "source": "", "target": "", "direction": "", "intensity": 0,
          "p_direct": math.nan,
          "third_party_cooperation": 0.0, "third_party_friction": 0.0, "cue_spans": "[]"}
_DIRECTION = {"a_to_b": "a_to_b", "b_to_a": "b_to_a", "mutual": "mutual"}


def _rule_intensity(scored: list[ScoredCue]) -> int:
    """The rules' −3…+3 for a sentence, from its cues between the pair (0 when there are none)."""
    dyad = [c for c in scored if c.scope == "dyad" and c.role in DYAD_ROLES]
    cooperation = sum(c.weight for c in dyad if c.weight > 0)
    friction = -sum(c.weight for c in dyad if c.weight < 0)
    return _intensity(dyad, cooperation, friction)


def _who(direction: str, leading: ScoredCue | None, sides: tuple[str, str]) -> tuple[str, str]:
    """Source and target ids of a direct sentence: its leading cue's when it agrees with the direction."""
    if leading is not None and _DIRECTION.get(leading.role) == direction:
        return ";".join(leading.source), ";".join(leading.target)
    a, b = sides
    return {"a_to_b": (a, b), "b_to_a": (b, a), "mutual": (f"{a};{b}", "")}.get(direction, ("", ""))


def _article_context(plan: list, seen: list, title_sides: set) -> dict[str, int]:
    """What the whole article says about the pair, for the model: is it about them at all?"""
    both = sum(1 for _, _, _, sides, pair, _, _ in plan if len(sides) == 2 or (sides and pair))
    direct = sum(1 for info in seen if info is not None and info[1])
    return {"others_direct": direct, "sentences_naming_both": both, "title_sides": len(title_sides)}


def _path_or_none(value: str | Path | None) -> str | None:
    return None if value is None else str(value)


def _intensity(cues: list[ScoredCue], cooperation: float, friction: float) -> int:
    """The codebook's −3…+3 from the sentence's dyad cues: the sign of the balance, the class of its strongest cue.

    Cooperation and friction of about equal mass are mixed (0). Force (a material
    cue of weight −9 or less) is −3; material friction or a threat, sanction or
    reduction (−4 or less) −2; other friction −1. Carried-out material
    cooperation of weight 7 or more is +3; agreements and material cooperation
    (4 or more, or material) +2; other cooperation +1.
    """
    if not cues or cooperation == friction or (min(cooperation, friction) >= 0.6 * max(cooperation, friction)):
        return 0
    sign = 1 if cooperation > friction else -1
    strongest = max((c for c in cues if c.weight * sign > 0), key=lambda c: abs(c.weight))
    if any(note.startswith("said by") for note in strongest.notes):
        return sign  # reported speech: an accusation or praise
    weight, material = abs(strongest.base), strongest.mode == "material"
    if sign > 0:
        return 3 if material and weight >= 7 else 2 if material or weight >= 4 else 1
    return -3 if material and weight >= 9 else -2 if material or weight >= 4 else -1


def round_half(value: float) -> float:
    """Round away float noise (sums of weights) so output bytes are stable."""
    return round(float(value), 6) + 0.0


def _expand(terms: Iterable[str]) -> list[str]:
    out: list[str] = []
    for term in terms:
        out.extend(expand_braces(term))
    return out


def _subject_chain(text: str, mentions: list, first, before: int) -> list:
    """``first`` and the actors coordinated with it ("Russia, Iran and Turkey"), all ending before ``before``."""
    chain = [first]
    for following in mentions[mentions.index(first) + 1:]:
        gap = text[chain[-1].end:following.start].strip().lower()
        if following.end <= before and re.fullmatch(r"(,|and|or)\s*(the\s+)?", gap):
            chain.append(following)
        else:
            break
    return chain


_NAME_WORD_BEFORE = re.compile(r"([A-Z][\w'’.-]*)\s+$")
_NAME_WORD_AFTER = re.compile(r"^\s+(?:of\s+|for\s+|and\s+)?([A-Z][\w'’.-]*)")


def _sentence_initial(text: str, position: int) -> bool:
    return position == 0 or bool(re.search(r"(^|[.!?\n\"“(]\s*)$", text[max(0, position - 3):position]))


_HEADLINE_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def _word_regex(words: Iterable[str], template: str, flags: int = re.IGNORECASE) -> re.Pattern | None:
    """``template`` with ``{}`` replaced by the alternation of ``words``, longest first (None when there are none)."""
    words = sorted(words, key=len, reverse=True)
    return re.compile(template.format("|".join(map(re.escape, words))), flags) if words else None


def _headline_like(text: str, start: int, end: int, small: frozenset[str]) -> bool:
    """A sentence in capitals, or a short one in title case (4–14 content words, every one capitalised;
    a longer run of capitals is a list of names or a site menu, where the capitals do mark names)."""
    words = _HEADLINE_WORD.findall(text, start, end)
    lower = sum(1 for w in words if not w.isupper())
    if len(words) >= 3 and lower <= 0.2 * len(words):
        return True
    content = [w for w in words if fold(w) not in small]
    return 4 <= len(content) <= 14 and all(w[0].isupper() for w in content)


class _Headlines:
    """Whether a position lies in a headline sentence: in "TURKEY SHOOTS DOWN
    RUSSIAN JET" or "Kremlin Slams Ankara Over Drone Sales" a capital letter
    does not mark a name. Worked out only for sentences that ask, once each."""

    def __init__(self, text: str, spans: list[tuple[int, int]], small: frozenset[str]):
        self.text, self.spans, self.small = text, spans, small
        self.starts = [start for start, _ in spans]
        self.known: dict[int, bool] = {}

    def at(self, position: int) -> bool:
        index = bisect.bisect_right(self.starts, position) - 1
        if index < 0 or position >= self.spans[index][1]:
            return False
        if index not in self.known:
            self.known[index] = _headline_like(self.text, *self.spans[index], self.small)
        return self.known[index]


def _in_proper_name(text: str, match) -> bool:
    """True when a capitalised cue is part of a name ("Shanghai Cooperation
    Organisation", "Free Trade Agreement", "Emergency Relief Coordinator")."""
    if not text[match.start:match.start + 1].isupper():
        return False
    before = _NAME_WORD_BEFORE.search(text, max(0, match.start - 40), match.start)
    sentence_start = _sentence_initial(text, match.start)
    if before and not sentence_start:
        return True
    return bool(_NAME_WORD_AFTER.match(text[match.end:match.end + 40]))


def _quote_mask(folded: str) -> np.ndarray:
    """True inside double quotation marks; the state resets at each paragraph."""
    mask = np.zeros(len(folded) + 1, dtype=bool)
    inside = False
    last = 0
    for match in re.finditer(r'"|\n\n', folded):
        if inside:
            mask[last:match.start()] = True
        if match.group(0) == "\n\n":
            inside = False
        else:
            inside = not inside
        last = match.end()
    if inside:
        mask[last:] = True
    return mask


def _evidence(cues: list[ScoredCue]) -> str:
    """Each cue with its category, effective weight, who acted towards whom, and what changed its weight."""
    parts = []
    for cue in cues:
        note = f" [{', '.join(cue.notes)}]" if cue.notes else ""
        who = ""
        if cue.role not in ("generic", "topic"):
            who = f"; {'+'.join(cue.source) or '?'} → {'+'.join(cue.target) or '?'}" if cue.role != "mutual" else \
                f"; {' ↔ '.join(dict.fromkeys((*cue.source, *cue.target))) or 'the pair'}"
        elif cue.role == "topic":
            who = "; topic of their talks"
        parts.append(f"{cue.text} ({cue.category} {cue.weight:+.2f}{who}){note}")
    return "; ".join(parts)


def score_sentence(text: str, scorer: Scorer | None = None, *, dyad_filter: bool = False) -> dict:
    """Score one stand-alone sentence (by default as a generic event, without the dyad filter).

    Returns a dict with cooperation, friction, net, quad, evidence and tone.
    """
    scorer = (scorer or Scorer(tone=False)).compile()
    # A single sentence is read whatever its article would be: no prefilter.
    records = scorer.score_text("sentence", text, dyad_filter=dyad_filter, prefilter=False)
    if not records:
        return dict(_EMPTY, article_id="sentence", sentence=0, start=0, end=len(text), text=text,
                    third_parties="", topics="", tone=math.nan)
    if len(records) == 1:
        return records[0]
    # The splitter found several sentences: pool their cues.
    cooperation = sum(r["cooperation"] for r in records)
    friction = sum(r["friction"] for r in records)
    merged = dict(records[0])
    merged.update(text=text, cooperation=cooperation, friction=friction,
                  net=math.tanh((cooperation - friction) / scorer.settings_.scale),
                  evidence="; ".join(r["evidence"] for r in records if r["evidence"]))
    strongest = max(records, key=lambda r: abs(r["net"]))
    merged["quad"] = strongest["quad"]
    return merged


def score_corpus(articles: pd.DataFrame, *, dyad: str | Path | None = None, topics: str | Path | None = None,
                 cues: str | Path | None = None, tone: bool = True, scorer: Scorer | None = None,
                 include_duplicates: bool = False) -> pd.DataFrame:
    """Score a corpus sentence by sentence.

    Parameters
    ----------
    articles
        The articles table from :func:`analysis.load_corpus`.
    dyad, topics, cues
        YAML files (default: the bundled Turkey–Russia dyad, topics and cues).
    tone
        Add VADER's compound score per sentence.
    include_duplicates
        Score articles marked as duplicates too (default: skip them).

    Returns
    -------
    pandas.DataFrame
        The sentences table (see :meth:`Scorer.score_articles`); its
        ``attrs["article_topics"]`` is not set — call :func:`article_topics`.
    """
    scorer = scorer or Scorer(dyad, topics, cues, tone=tone)
    if not include_duplicates and "duplicate_of" in articles:
        articles = articles[articles["duplicate_of"].fillna("") == ""]
    return scorer.score_articles(articles)
