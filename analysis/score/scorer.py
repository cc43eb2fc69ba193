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
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import ConfigError
from ..schema import SENTENCES, check
from ..text import fold
from ..vocab import (
    MODIFIER_KINDS,
    NOT_A_CUE,
    Cue,
    Dyad,
    Lexicon,
    Modifiers,
    ScorerSettings,
    Taxonomy,
    data_path,
    expand_braces,
    file_sha256,
    irregular_verbs,
    load_dyad,
    load_lexicon,
    load_modifiers,
    load_settings,
    load_taxonomy,
)
from .matcher import Match, MultiMatcher, PhraseMatcher, Prepared
from .segment import split_sentences

__all__ = ["Scorer", "score_corpus", "score_sentence"]

_WORD = re.compile(r"\w+(?:[-'’]\w+)*")  # "day-old", "Moscow’s": one word each
_COMMA = re.compile(r"(?<!\d),|,(?!\d)")  # not the comma of a number ("1,000 soldiers")
_PARTICIPLE = re.compile(r",\s+([a-z]+ing)\b")
_PERFECT_PARTICIPLE = re.compile(r"[\"“‘'(\s]*((?:Having|Not having)\s+(?:been\s+)?[a-z]+)\b(?=[^,.;:]*,)")  # "Having fought …,"
_THAT_BEFORE = re.compile(r"\b(?:that|which)\s+(?:\S+\s+){0,3}$")  # "steps that could …": the hedge's "that", close before it
_FIRST_WORD = re.compile(r"\s+([A-Za-z]+)\b")
_NOT_CONTINUING = frozenset({"and", "or", "but", "then", "while", "as", "with", "which", "who", "where", "when"})
_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|its|their)\s+$", re.IGNORECASE)  # not "that": "a deal that fell apart"
_MODAL_END = re.compile(r"\b(?:to|must|should|would|will|can|could|may|might)$")  # "has to", "needs to": no noun
_CLAUSE_MARKERS = ("clause_breaks", "contrast", "concessive", "background")
_INFINITIVE = re.compile(r"\bto\s+(?!(?:the|a|an|its|his|her|their|our|all|both)\b)[a-z]")  # "to reform", not "to the government"
_CLAUSE_PUNCT = re.compile(r"(?<!\d),|,(?!\d)|[;:()\[\]]|\s[-–—]\s|—|–(?=\s)")


@dataclass(frozen=True, slots=True)
class ScoredCue:
    """One cue occurrence with everything that changed its weight."""

    start: int
    end: int
    text: str
    category: str
    base: float
    weight: float
    mode: str
    scope: str  # "dyad", "third_party" or "generic"
    notes: tuple[str, ...]



class Scorer:
    """Score sentences for cooperation and friction between the two sides of a dyad.

    Parameters
    ----------
    dyad, topics, cues, modifiers, settings
        Paths of the YAML files (``None`` → the bundled defaults).
    tone
        Add the VADER compound score of each sentence (slower).

    Notes
    -----
    Constructing a Scorer only stores the parameters; vocabularies are read and
    compiled on first use (``compiled_``).
    """

    def __init__(self, dyad: str | Path | None = None, topics: str | Path | None = None,
                 cues: str | Path | None = None, modifiers: str | Path | None = None,
                 settings: str | Path | None = None, *, tone: bool = True):
        self.dyad = dyad
        self.topics = topics
        self.cues = cues
        self.modifiers = modifiers
        self.settings = settings
        self.tone = tone

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
        self.sides_ = tuple(side.id for side in self.dyad_.sides)
        actor_entries: list[tuple[str, object]] = []
        for side in self.dyad_.sides:
            actor_entries += [(alias, ("side", side.id)) for alias in side.aliases]
        actor_entries += [(phrase, ("pair", "pair")) for phrase in self.dyad_.pair_phrases]
        for third in self.dyad_.third_parties:
            actor_entries += [(alias, ("third", third.id)) for alias in third.aliases]
        self.actor_matcher_ = PhraseMatcher(actor_entries)
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
        self._reversal_words = frozenset(fold(w) for w in self.modifiers_.reversal)
        self._participant_stops = frozenset(fold(w) for w in self.modifiers_.participant_stops)
        self._not_participles = frozenset(fold(w) for w in self.modifiers_.not_participles)
        self._relative = _word_regex(self.modifiers_.relative, r"\s+(?:{})\b", flags=0)
        self._relative_words = frozenset(fold(w) for w in self.modifiers_.relative)
        self._headline_small = frozenset(fold(w) for w in self.modifiers_.headline_small)
        self._list_breaker = _word_regex(self.modifiers_.list_breakers, r"\b(?:{})\s+(?:the\s+)?$")
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
        self._agreement_verbs = frozenset(fold(w) for w in self.modifiers_.agreement_verbs)
        self._post_negator = _word_regex(self.modifiers_.post_negators, r"\s+({})\b")
        self._appeal_object = _word_regex(self.modifiers_.appeal_objects, r"\bto\s+(?:\w+ly\s+)?(?:{})\b")
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
        self._past_participle = _word_regex(self.modifiers_.participle_agents,
                                            r",\s+(?:[a-z]+ly\s+)?([a-z]+)\s+(?:{})\b", flags=0)
        self._comment_topic = _word_regex(self.modifiers_.comment_topic_words, r"\s+(?:{})\b", flags=0)
        self._setting_subject_stops = frozenset(fold(w) for w in self.modifiers_.setting_subject_stops)
        self._coordinated_verb = _word_regex(sorted(past | {"will", "would", "has", "had"}),
                                             r"\band\s+(?:also\s+|then\s+|later\s+)?(?:[a-z]+ed|{})\b", flags=0)
        categories = {cue.category for cue in self.lexicon_.cues}
        for key in ("go_between", "topic_heads", "hostile_acts", "protective_acts", "comment_heads"):
            unknown = sorted(set(getattr(self.settings_, key)) - categories)
            if unknown:
                raise ConfigError(f"{self.settings_.path}: {key} names no lexicon category: {', '.join(unknown)}.")
        self._vader = None
        self.compiled_ = True
        return self

    def fingerprint(self) -> str:
        """Hash of every vocabulary and setting: changes whenever a score could."""
        import hashlib

        self.compile()
        parts = [self.dyad_.sha256, self.taxonomy_.sha256, self.lexicon_.sha256, self.modifiers_.sha256,
                 self.settings_.sha256, file_sha256(data_path("irregular_verbs.yaml")), str(self.tone), _CODE_VERSION]
        return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]

    def _tone(self, sentences: list[str]) -> list[float]:
        if not self.tone:
            return [math.nan] * len(sentences)
        if self._vader is None:
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

            self._vader = SentimentIntensityAnalyzer()
        return [float(self._vader.polarity_scores(s)["compound"]) for s in sentences]

    # ------------------------------------------------------------------ cues
    def _cues_in(self, text: str, folded: str, span: tuple[int, int], matches: dict, quote_mask: np.ndarray,
                 mentions: list, dyad_filter: bool) -> list[ScoredCue]:
        """Score the cues of one sentence ``text[span[0]:span[1]]`` (offsets are article-level)."""
        s = self.settings_
        start, end = span
        cues = _within(matches["cues"], start, end)
        if not cues:
            return []
        local = {kind: _within(found, start, end) for kind, found in matches.items() if kind != "cues"}
        boundaries = [start]
        for m in _CLAUSE_PUNCT.finditer(text, start, end):
            boundaries.append(m.start())
        # A marker inside a longer one ("after" in "a day after", "though" in
        # "even though") is no marker of its own: the longer one governs.
        markers = [m for kind in _CLAUSE_MARKERS for m in local[kind]]
        inner = {(m.start, m.end) for m in markers if any(o.start < m.start < o.end for o in markers)}
        if inner:
            local = {kind: [m for m in found if (m.start, m.end) not in inner] if kind in _CLAUSE_MARKERS else found
                     for kind, found in local.items()}
        boundaries += [m.start for kind in _CLAUSE_MARKERS for m in local[kind]]
        boundaries = sorted(set(boundaries))
        # Text without commas ("Following the 2013 attack the government
        # joined the convention"): a setting that opens the sentence ends
        # where the main clause's subject begins.
        question = text[start:end].rstrip(' "”’\')').endswith("?")
        opening_setting = next((m for m in local["background"] if not text[start:m.start].strip(' "“‘\'(')
                                and fold(text[m.start:m.end]) not in self._relative_words), None)
        if opening_setting is not None and boundaries[-1] <= opening_setting.start and not question:
            subject = _setting_end(text, opening_setting.end, end, self._setting_subject_stops)
            if subject is not None:
                boundaries.append(subject)
        # A relative clause set off by commas ("The talks, which lasted three
        # hours, collapsed") is an insertion: what follows it continues the
        # clause before it, and its words count in no window.
        insertions: list[tuple[int, int]] = []
        continues: dict[int, int] = {}
        commas = [m.start() for m in _COMMA.finditer(text, start, end)]
        participial: list[int] = []  # the commas around a participial insertion
        for opening, closing in zip(commas, commas[1:], strict=False):
            relative = self._relative is not None and self._relative.match(text, opening + 1)
            # "The ceasefire, signed with great fanfare in Doha, collapsed":
            # a past participle set off by commas after the first words of
            # the sentence describes the noun before it, as a relative clause.
            participle = not relative and opening == commas[0] and \
                self._is_participial_insertion(text, start, opening, closing)
            if (relative or participle) and text[closing + 1:end].strip():
                insertions.append((opening, closing + 1))
                before = bisect.bisect_right(boundaries, opening - 1) - 1
                continues[bisect.bisect_right(boundaries, closing) - 1] = continues.get(before, before)
                if participle:
                    participial += [opening, closing]

        def clause_of(position: int) -> int:
            index = bisect.bisect_right(boundaries, position) - 1
            return continues.get(index, index)

        def gap(left: int, right: int) -> int:
            """Words between two positions, leaving out inserted clauses."""
            n = len(_WORD.findall(text, left, right))
            for inserted_start, inserted_end in insertions:
                if left <= inserted_start and inserted_end <= right:
                    n -= len(_WORD.findall(text, inserted_start, inserted_end))
            return n

        n_clauses = len(boundaries)
        clause_factor = [1.0] * n_clauses
        clause_notes: list[list[str]] = [[] for _ in range(n_clauses)]
        for m in local["contrast"]:
            index = clause_of(m.start)
            for earlier in range(index):
                clause_factor[earlier] *= s.contrast_factor
                clause_notes[earlier].append(f"before '{text[m.start:m.end]}'")
        # Clauses that set the scene: 2 for a temporal or causal setting ("after
        # …", "since …"; not a relative clause, "which …"), 1 for a concessive
        # one ("despite the war"), where only a state noun is scenery.
        clause_setting = [0] * n_clauses
        subordinate = [False] * n_clauses  # concessive, setting or relative clauses
        for m in local["concessive"]:
            index = clause_of(m.start)
            subordinate[index] = True
            clause_factor[index] *= s.concessive_factor
            clause_notes[index].append(f"concessive '{text[m.start:m.end]}'")
            clause_setting[index] = max(clause_setting[index], 1)
        for m in local["background"]:
            index = clause_of(m.start)
            relative = fold(text[m.start:m.end]) in self._relative_words
            subordinate[index] = True
            # A setting ("after the attack", "since the invasion") tells what
            # came before; a relative clause ("Moscow, which stepped up its air
            # strikes") describes a participant and may carry news of its own.
            clause_factor[index] *= s.background_factor if relative else s.setting_factor
            clause_notes[index].append(f"background '{text[m.start:m.end]}'")
            if not relative:
                clause_setting[index] = 2
        inserted = {clause_of(opening) for opening in participial[::2]}
        for index in inserted:
            subordinate[index] = True
            clause_factor[index] *= s.background_factor
            clause_notes[index].append("insertion")
        opening = _PERFECT_PARTICIPLE.match(text, start)
        if opening is not None and len(boundaries) > 1:
            # "Having fought a war over the region in 2008, Russia and Georgia
            # resumed flights": a perfect participle before the first comma is
            # what came before, a setting.
            subordinate[0] = True
            clause_factor[0] *= s.setting_factor
            clause_notes[0].append(f"background '{opening.group(1)}'")
            clause_setting[0] = 2
        for m in _PARTICIPLE.finditer(text, start, end):
            # ", urging …", ", calling …": a participial clause elaborates the
            # main clause's event; it is not the event.
            if m.group(1) in self._not_participles:
                continue
            index = clause_of(m.start())
            clause_factor[index] *= s.background_factor
            clause_notes[index].append(f"participle '{m.group(1)}'")
        for m in self._past_participle.finditer(text, start, end) if self._past_participle else ():
            # "resume yen loans to China, frozen since the crackdown": a past
            # participle after a comma, with an agent or a time after it,
            # describes the noun before the comma.
            word = m.group(1)
            index = clause_of(m.start())
            if m.start() in participial or not self._is_past_form(word) or word in self._not_participles \
                    or index in inserted:
                continue
            subordinate[index] = True
            clause_factor[index] *= s.background_factor
            clause_notes[index].append(f"participle '{word}'")
        if question:
            # A question asserts nothing ("Will Turkey close the straits?"):
            # what it asks about counts like a hedged clause.
            for index in range(n_clauses):
                clause_factor[index] *= s.hedge_factor
                clause_notes[index].append("question")
        if local["conditionals"]:
            first = local["conditionals"][0]
            for index in range(n_clauses):
                clause_factor[index] *= s.hedge_factor
                clause_notes[index].append(f"conditional '{text[first.start:first.end]}'")
        # A hedge inside a "that" clause ("urged them to avoid steps that
        # could escalate", "warned that it could damage ties") hedges what
        # follows "that", not the event before it.
        hedged_from: dict[int, tuple[int, float]] = {}  # clause → where its hedge starts to count, factor before it
        for m in local["hedges"]:
            index = clause_of(m.start)
            if not any(n.startswith("hedged") for n in clause_notes[index]):
                that = _THAT_BEFORE.search(text, boundaries[index], m.start)
                if that is not None:
                    hedged_from[index] = (that.start(), clause_factor[index])
                clause_factor[index] *= s.hedge_factor
                clause_notes[index].append(f"hedged '{text[m.start:m.end]}'")

        # "not only … but also", "no doubt": a negator inside such a phrase negates nothing.
        negators = [n for n in local["negators"]
                    if not any(x.start <= n.start and n.end <= x.end for x in local["not_negating"])]
        # "end up in war", "at the end of the year": a reversal word inside such a phrase undoes nothing.
        reversals = [r for r in local["reversal"]
                     if not any(x.start <= r.start and r.end <= x.end for x in local["not_reversing"])]
        intentions = local["intention"]
        # A reversal verb or an intention cue directly before another cue of
        # its clause modifies that cue instead of counting itself.
        cues = list(cues)
        modifying: set[int] = set()
        agreed_to: set[int] = set()  # agreements to a hostile act: they mark it as intended
        for i, match in enumerate(cues[:-1]):
            # What a reversal or intention governs is the next event cue, not a
            # participant noun ("abandoned its only ally" reduces relations).
            following = next((c for c in cues[i + 1:] if c.key.head != "participant"), None)
            same_clause = following is not None and clause_of(following.start) == clause_of(match.start)
            if same_clause and (fold(text[match.start:match.end]) in self._agreement_verbs or match.key.cameo == "02") and \
                    following.key.category in s.hostile_acts and gap(match.end, following.start) <= s.negation_window \
                    and not (match.key.cameo == "02" and following.key.category in s.protective_acts) \
                    and not any(match.end <= r.start and r.end <= following.start for r in reversals) \
                    and not any(following.end <= r.start and gap(following.end, r.start) <= 3 and
                                clause_of(r.start) == clause_of(following.start) for r in reversals):
                # "The EU agreed to impose new sanctions", "agreed a package of
                # sanctions", "called for mass protests": what was agreed or
                # called for is the act, and it is hostile.
                modifying.add(i)
                agreed_to.add(i)
                continue
            close = same_clause and gap(match.end, following.start) < s.negation_window
            if not close:
                continue
            surface = fold(text[match.start:match.end])
            if any(x.start <= match.start and match.end <= x.end for x in local["not_reversing"]):
                continue
            if match.key.head == "transparent" or any(r.start == match.start and r.end == match.end for r in reversals) \
                    or surface in self._reversal_words:
                modifying.add(i)
        reversal_spans = [(m.start, m.end, text[m.start:m.end]) for m in reversals]
        reversal_spans += [(cues[i].start, cues[i].end, text[cues[i].start:cues[i].end]) for i in modifying
                           if fold(text[cues[i].start:cues[i].end]) in self._reversal_words]
        intention_spans = [(m.start, m.end, text[m.start:m.end]) for m in intentions]
        intention_spans += [(cues[i].start, cues[i].end, text[cues[i].start:cues[i].end]) for i in modifying
                            if cues[i].key.head == "transparent" or i in agreed_to]
        cues = [m for i, m in enumerate(cues) if i not in modifying]
        # A failure verb right after a cooperative cue ("peace talks collapsed",
        # "the truce was violated") says that it failed: the cue flips, and
        # the verb, when it is a cue itself, does not count again.
        failed_by: dict[int, str] = {}
        absorbed: set[int] = set()
        for failure in local["failure"]:
            if _DETERMINER_BEFORE.search(text, max(start, failure.start - 6), failure.start):
                continue  # "discussed the stalled peace process": an adjective of what follows, not a verb
            before = [c for c in cues if c.end <= failure.start and clause_of(c.start) == clause_of(failure.start)]
            # The failed thing may be far from its verb when a phrase names
            # who took part or what about ("talks between the government and
            # the union broke down", "talks with the IMF stalled"), but only
            # when it is the clause's only cue so far, or the talks that head
            # the clause (their topic is no event of its own).
            if not before:
                continue
            failed, reach = before[-1], s.negation_window
            if self._names_participants(text, before[0], failure.start):
                if len(before) == 1:
                    reach *= 2
                elif before[0].key.category in s.topic_heads and \
                        gap(before[0].end, failure.start) <= 2 * s.negation_window:
                    # What failed is the talks, not their topic: "talks with the
                    # IMF on a new loan collapsed".
                    failed, reach = before[0], 2 * s.negation_window
            if failed.key.weight <= 0 or gap(failed.end, failure.start) > reach:
                continue
            failed_by[failed.start] = text[failure.start:failure.end]
            absorbed.update(c.start for c in cues if c.start < failure.end and c.end > failure.start)
        cues = [c for c in cues if c.start not in absorbed]
        # An appeal whose object is a concession ("called on the minister to
        # resign", "urged Moscow to release the sailors") is CAMEO 025, appeal
        # to yield, coded -0.3: a demand, not an offer; what is demanded is
        # not done and does not count.
        appeal_to_yield: set[int] = set()
        demanded: set[int] = set()
        for index, appeal in enumerate(cues):
            if appeal.key.cameo != "02":
                continue
            # What is appealed for is the next event cue; a participant noun
            # in between is the addressee ("urged the rebels to disarm").
            following = next((c for c in cues[index + 1:] if c.key.head not in _NOT_HEADS), None)
            # What is asked for may start at the infinitive after the addressee
            # ("appealed to the government on Wednesday to let them publish and
            # compensate them"): reach is then counted from that "to".
            infinitive = _INFINITIVE.search(text, appeal.end, end)
            if infinitive is not None and not text[appeal.end:infinitive.start()].strip():
                infinitive = _INFINITIVE.search(text, infinitive.end(), end)  # "appealed to donors … to give"
            if infinitive is not None and (clause_of(infinitive.start()) != clause_of(appeal.start)
                                           or gap(appeal.end, infinitive.start()) > 2 * s.negation_window):
                infinitive = None
            reach_from = infinitive.start() if infinitive is not None else appeal.end
            if infinitive is not None and self._appeal_object is not None and \
                    self._appeal_object.match(text, infinitive.start()):
                # The object is a concession the lexicon has no cue for ("to reform", "to let").
                appeal_to_yield.add(appeal.start)
                clause = clause_of(infinitive.start())
                demanded.update(c.start for c in cues if c.start >= infinitive.start() and clause_of(c.start) == clause)
                continue
            if following is None or gap(reach_from, following.start) > 2 * s.negation_window:
                # No event in reach, but the appeal is to end or lift something
                # all the same ("appealed for an end to the agitation").
                if any(appeal.end <= r_start and gap(appeal.end, r_start) <= 2 * s.negation_window
                       and clause_of(r_start) == clause_of(appeal.start)
                       for r_start, _, _ in reversal_spans):
                    appeal_to_yield.add(appeal.start)
                continue
            # The object concedes: a yielding act (08x: resign, release, lift
            # sanctions, allow access, disarm), a reduction of relations or
            # presence ("the withdrawal of forces"), or undoing an act, hostile
            # or not ("an end to the embargo", "stop supporting Haftar").
            undone = any(
                appeal.end <= r_start and r_end <= following.start
                and gap(r_end, following.start) < s.negation_window
                for r_start, r_end, _ in reversal_spans)
            if following.key.cameo.startswith(("08", "16")) or undone:
                appeal_to_yield.add(appeal.start)
                # The concession and the rest of its clause ("its ban on relief flights").
                clause = clause_of(following.start)
                demanded.update(c.start for c in cues if c.start >= following.start and clause_of(c.start) == clause)
        # A sentence-final source clause ("…, a spokesman for the relief agency
        # said") describes who speaks, not the event.
        source_from = None
        last_comma = commas[-1] if commas else -1
        if last_comma >= 0 and any(
                a.start > last_comma and gap(a.end, end) <= s.source_window * (
                    2 if " " in text[a.start:a.end] else 1)
                for a in local["attribution"]):
            source_from = last_comma
        by_clause_head: dict[int, float] = {}  # clause → the weight of its event
        topic_clauses: set[int] = set()  # clauses whose event is a consultation: what follows is its topic
        failed_topic_clauses: set[int] = set()  # … whose consultation failed: what it was about was not reached
        comment_clauses: set[int] = set()  # … whose event is a hopeful or gloomy comment: what follows is its topic
        head_scopes: dict[int, str] = {}  # clause → the scope of its event
        # A negator inside a cue is part of it ("not tolerate", "declined to
        # comment") and negates nothing else.
        used_negators: set[int] = {n.start for n in negators if any(c.start <= n.start and n.end <= c.end for c in cues)}
        used_reversals: set[int] = set()
        clause_has_head = {clause_of(c.start) for c in cues if c.key.head not in _NOT_HEADS}
        # In a passive clause the verb is the event and the noun before it
        # what it was done to: "the opposition's request for an audit was
        # rejected" is a rejection, not a request.
        passive_head: dict[int, tuple[int, str]] = {}
        first_head: dict[int, Match] = {}
        for c in cues:
            if c.key.head in _NOT_HEADS:
                continue
            clause = clause_of(c.start)
            subject = first_head.setdefault(clause, c)
            if subject is not c and clause not in passive_head and self._is_passive(text, c, subject.end):
                passive_head[clause] = (c.start, text[c.start:c.end])
        scored: list[ScoredCue] = []
        is_subordinate: list[bool] = []
        is_main_event: list[bool] = []
        for match in cues:
            cue: Cue = match.key
            clause = clause_of(match.start)
            factor = clause_factor[clause]
            notes = list(clause_notes[clause])
            if clause in hedged_from and match.end <= hedged_from[clause][0]:
                factor = hedged_from[clause][1]
                notes = [n for n in notes if not n.startswith("hedged")]
            weight = cue.weight * factor
            if match.start in appeal_to_yield:
                weight = s.appeal_to_yield * factor
                notes.append("appeal to yield")
            elif match.start in demanded:
                weight = 0.0
                notes.append("demanded")
            mode = cue.mode
            # A negator scopes over the first cue after it only ("would not meet
            # their demands" negates the meeting, not each word after it).
            # A participant noun ("rebels", "allies") names who, not what
            # happened: negators and reversals pass over it to the event.
            negator = None if cue.head == "participant" else next(
                (neg for neg in negators if neg.end <= match.start and clause_of(neg.start) == clause
                 and neg.start not in used_negators
                 and gap(neg.end, match.start) < s.negation_window), None)
            if negator is not None:
                used_negators.add(negator.start)
            elif cue.head != "participant" and self._post_negator is not None:
                after = self._post_negator.match(text, match.end)
                if after is not None:  # "trusted neither the West nor Russia"
                    negator = Match(after.start(1), after.end(1), "negators")
                    used_negators.add(negator.start)
            if source_from is not None and match.start > source_from:
                weight *= s.complement_factor
                notes.append("source clause")
            elif cue.head not in _NOT_HEADS and clause not in by_clause_head and \
                    clause in passive_head and match.start < passive_head[clause][0]:
                weight *= s.complement_factor
                notes.append(f"what was '{passive_head[clause][1]}'")
            elif cue.head not in _NOT_HEADS and clause not in by_clause_head:
                by_clause_head[clause] = cue.weight
                if cue.category in s.comment_heads and self._comment_topic and self._comment_topic.match(text, match.end):
                    comment_clauses.add(clause)
                if cue.category in s.topic_heads and negator is None:
                    if match.start in failed_by:
                        failed_topic_clauses.add(clause)
                    else:
                        topic_clauses.add(clause)
            elif clause in clause_has_head and negator is None:
                # A negated event ("failed to reach an agreement") is asserted
                # in its own right, not a complement of the clause's head.
                # What a neutral event is about ("claimed responsibility for
                # the attack", "is studying the ceasefire proposal") is its
                # topic: CAMEO codes the claim or the study, not the attack.
                if by_clause_head.get(clause) == 0:
                    weight = 0.0
                    notes.append("about a neutral event")
                elif clause in comment_clauses:
                    # "I don't expect much from this meeting": what a hopeful
                    # or gloomy comment is about is its topic, not an event.
                    weight = 0.0
                    notes.append("topic of a comment")
                elif clause in topic_clauses and weight < 0:
                    # A conflict named after talks ("held talks on the war",
                    # "discussed the fight against terrorism") is their topic:
                    # CAMEO codes the consultation, not the war. What the talks
                    # produced ("met and signed a treaty") still counts.
                    weight = 0.0
                    notes.append("topic of talks")
                elif clause in failed_topic_clauses and weight > 0:
                    # "Talks with the IMF on a new loan collapsed": no loan.
                    weight = 0.0
                    notes.append("topic of failed talks")
                else:
                    weight *= s.complement_factor
                    notes.append("complement")
            reversal = None
            if cue.head != "participant" and match.start not in failed_by:
                reversal = next(((r_start, r_end, r_text) for r_start, r_end, r_text in reversal_spans
                                 if r_end <= match.start and clause_of(r_start) == clause
                                 and r_start not in used_reversals
                                 and gap(r_end, match.start) < s.negation_window), None)
            negated = False
            if negator is not None and reversal is not None and negator.end <= reversal[0]:
                # A negated reversal leaves the cue as it was: "would not
                # abandon the partnership", "did not end the blockade".
                notes.append(f"'{text[negator.start:negator.end]}' negates '{reversal[2]}'")
                used_reversals.add(reversal[0])
            elif negator is not None:
                # A hostile act that did not happen ("there has not been a
                # chemical attack", "not canceled, postponed") is no act of
                # cooperation: it counts only a little.
                weight = -weight * (s.negated_conflict_factor if weight < 0 and mode == "material"
                                    else s.negation_factor)
                notes.append(f"negated by '{text[negator.start:negator.end]}'")
                negated = True
            elif match.start in failed_by:
                weight = -weight * s.negation_factor
                notes.append(f"failed: '{failed_by[match.start]}'")
            elif reversal is not None:
                weight = -weight * s.negation_factor
                notes.append(f"reversed by '{reversal[2]}'")
                used_reversals.add(reversal[0])
            if mode == "material" or cue.head == "transparent":
                for intent_start, intent_end, intent_text in intention_spans:
                    if intent_end <= match.start and clause_of(intent_start) == clause and \
                            gap(intent_end, match.start) <= s.intention_window:
                        if mode == "material":
                            weight *= s.intention_factor
                            mode = "verbal"
                        notes.append(f"intention '{intent_text}'")
                        break
            if quote_mask[match.start] and s.quote_mode == "verbal" and mode == "material":
                mode = "verbal"
                notes.append("quoted")
            if negated:
                # An act that did not happen, or was refused ("declined to
                # resign"), is no material event: CAMEO codes a refusal (12)
                # as verbal conflict.
                mode = "verbal"
            # In a concessive clause only a state noun ("despite the war") is scenery.
            setting = clause_setting[clause] == 2 or (clause_setting[clause] == 1 and cue.head == "no")
            scope = self._scope(text, folded, match, boundaries, mentions, end, setting=setting) if dyad_filter else "generic"
            if scope == "one_side":
                # A complement that names only one side ("Ukraine thanked Turkey
                # for its support") describes its head's event: when that
                # relates a side to a third party, so does the complement.
                head_scope = head_scopes.get(clause)
                scope = "third_party" if head_scope == "third_party" and "complement" in notes else "dyad"
            if clause not in head_scopes and cue.head not in _NOT_HEADS:
                head_scopes[clause] = scope
            scored.append(ScoredCue(match.start, match.end, text[match.start:match.end], cue.category,
                                    cue.weight, weight + 0.0, mode, scope, tuple(notes)))  # + 0.0: no "-0.00" in evidence
            is_subordinate.append(subordinate[clause] and "source clause" not in notes)
            is_main_event.append(not is_subordinate[-1] and cue.head != "participant")
        if any(is_subordinate):
            scored = self._cap_subordinate(scored, is_subordinate, is_main_event)
        return scored

    def _cap_subordinate(self, scored: list[ScoredCue], is_subordinate: list[bool],
                         is_main_event: list[bool]) -> list[ScoredCue]:
        """Keep the clauses around the main event from turning its sign.

        A sentence reports its main clause's event; a setting ("following
        deadly clashes"), a concession or a relative clause tells what else
        is true. When the main clause's events of a scope have a net sign,
        the subordinate cues of that scope with the opposite sign together
        weigh at most ``subordinate_cap`` × the main clause's events (their
        summed absolute weight). Subordinate cues of the same sign are left
        as they are: they cannot turn it.
        """
        cap = self.settings_.subordinate_cap
        out = list(scored)
        for scope in sorted({c.scope for c in scored}):
            main = [c.weight for c, flag in zip(scored, is_main_event, strict=True) if flag and c.scope == scope]
            sign = sum(main)
            opposing = [i for i, c in enumerate(scored)
                        if is_subordinate[i] and c.scope == scope and c.weight * sign < 0]
            against = sum(abs(scored[i].weight) for i in opposing)
            mass = sum(abs(w) for w in main)
            if not opposing or against <= cap * mass:
                continue
            factor = cap * mass / against
            for i in opposing:
                c = scored[i]
                out[i] = ScoredCue(c.start, c.end, c.text, c.category, c.base, round(c.weight * factor, 6) + 0.0,
                                   c.mode, c.scope, (*c.notes, f"main event weighs more ×{factor:.2f}"))
        return out

    def _is_participial_insertion(self, text: str, start: int, opening: int, closing: int) -> bool:
        """Whether the sentence's first two commas (at ``opening`` and ``closing``) set off a past-participle
        phrase between its subject and their verb ("The talks, held in Geneva, ended"), not a list or a
        second predicate ("Erdogan met Putin, signed a deal, and left")."""
        subject = _WORD.findall(text, start, opening)
        if self._inserted_participle is None or not subject or len(subject) > 8 or any(
                w.islower() and self._is_past_form(w) for w in subject):
            return False
        inside = self._inserted_participle.match(text, opening + 1, closing)
        if inside is None or fold(inside.group(1)) in self._not_participles or not self._is_past_form(inside.group(1)):
            return False
        after = _FIRST_WORD.match(text, closing + 1)
        return after is not None and after.group(1).islower() and after.group(1) not in _NOT_CONTINUING

    def _is_past_form(self, word: str) -> bool:
        """A regular past form in -ed or an irregular one (irregular_verbs.yaml)."""
        return word.endswith("ed") or word in self._participles

    def _is_passive(self, text: str, cue, subject_end: int) -> bool:
        """Whether a verb cue is the passive predicate of the noun phrase ending at ``subject_end``:
        "the request for an audit was rejected", not "refused to extend the deal unless sanctions are eased"."""
        first = fold(text[cue.start:cue.end]).split(" ", 1)[0]
        if not self._is_past_form(first):
            return False
        if _MODAL_END.search(fold(text[max(0, subject_end - 8):subject_end])):
            return False
        aux = self._passive_aux.search(text, max(subject_end, cue.start - 30), cue.start) if self._passive_aux else None
        if aux is None:
            return False
        between = text[subject_end:aux.start()]
        return len(between.split()) <= 8 and (self._not_a_subject is None or self._not_a_subject.search(between) is None)

    def _names_participants(self, text: str, cue, before: int) -> bool:
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

    def _after_list_breaker(self, text: str, position: int) -> bool:
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
            if following >= 0 and not _WORD.search(text, match.end, following):
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
            elif len(left) >= 2 and self._coordinated_verb.search(text, left[-1].end, match.end):
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
                    if previous.start < clause_start and self._after_list_breaker(text, previous.start):
                        break
                    participants.add(previous.key)
                    nearest = previous
            on_right = [m for m in in_clause if m.start >= match.end]
            if on_right:
                words = [w.lower() for w in _WORD.findall(text, match.end, on_right[0].start)]
                if len(words) <= self.settings_.participant_window and not self._participant_stops.intersection(words):
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
    def score_text(self, article_id: str, text: str, *, dyad_filter: bool = True) -> list[dict]:
        """Score every sentence of one article; returns sentence records (see :data:`SENTENCES`)."""
        self.compile()
        s = self.settings_
        prepared = Prepared(text)
        folded = prepared.folded
        spans = split_sentences(text)
        actor_mentions = self.actor_matcher_.find(text, prepared=prepared)
        if any(hint in folded for hint in self._place_hints):  # most articles name no border
            actor_mentions = [m for m in actor_mentions if m.key[0] == "pair" or not self._is_place(text, m)]
        actor_mentions = _Spans(actor_mentions)
        topic_mentions = _Spans(self.topic_matcher_.find(text, overlapping=True, prepared=prepared))
        # First pass: who each sentence names, its relevance and topics.
        plan = []
        carry = 0
        previous_topics: list[str] = []
        previous_end = 0
        for start, end in spans:
            mentions = _within(actor_mentions, start, end)
            sides = sorted({m.key[1] for m in mentions if m.key[0] == "side"}, key=self.sides_.index)
            pair = any(m.key[0] == "pair" for m in mentions)
            thirds = sorted({m.key[1] for m in mentions if m.key[0] == "third"})
            topics = list(dict.fromkeys(m.key for m in _within(topic_mentions, start, end)))
            new_paragraph = "\n\n" in text[previous_end:start]
            # "The two leaders", "bilateral" in a sentence that names one side
            # and a third party ("Erdogan and Biden will hold a bilateral")
            # refer to that side and the third party, not to the pair.
            if len(sides) == 2 or (sides and pair and not thirds):
                relevance, carry = "direct", s.context_carry
            elif sides:
                # Only a sentence relating both sides opens a context: what
                # follows a one-sided sentence is as likely about a third party.
                relevance, carry = "one_sided", 0
            elif not thirds and carry > 0 and not new_paragraph:
                relevance, carry = "context", carry - 1
                if not topics:
                    topics = list(previous_topics)
            else:
                relevance, carry = "none", 0
            if relevance != "none" and not topics:
                topics = [self.taxonomy_.fallback]
            previous_topics = topics if relevance != "none" else []
            previous_end = end
            plan.append((start, end, mentions, sides, thirds, topics, relevance))
        # Cues and modifiers are looked for only where they can count: with
        # the dyad filter, in runs of sentences that name a side or continue
        # one (most sentences of a real corpus name neither side).
        if dyad_filter:
            regions: list[list[int]] = []
            last = -2
            for index, (start, end, *_, relevance) in enumerate(plan):
                if relevance == "none":
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
        records: list[dict] = []
        for index, (start, end, mentions, sides, thirds, topics, relevance) in enumerate(plan):
            if dyad_filter and relevance == "none":
                # Names neither side: nothing here can count for the dyad.
                records.append(dict(_EMPTY, article_id=article_id, sentence=index, start=start, end=end,
                                    text=text[start:end], third_parties=";".join(thirds), topics=";".join(topics)))
                continue
            scored = self._cues_in(text, folded, (start, end), matches, quote_mask, mentions, dyad_filter)
            in_scope = [c for c in scored if c.scope in ("dyad", "generic")] if relevance != "none" or not dyad_filter else []
            third = [c for c in scored if c.scope == "third_party"]
            cooperation = sum(c.weight for c in in_scope if c.weight > 0)
            friction = -sum(c.weight for c in in_scope if c.weight < 0)
            net = math.tanh((cooperation - friction) / s.scale) if in_scope else 0.0
            strongest = max(in_scope, key=lambda c: abs(c.weight), default=None)
            quad = "none" if strongest is None or strongest.weight == 0 else \
                f"{strongest.mode}_{'cooperation' if strongest.weight > 0 else 'conflict'}"
            records.append({
                "article_id": article_id, "sentence": index, "start": start, "end": end,
                "text": text[start:end], "sides": ";".join(sides), "third_parties": ";".join(thirds),
                "relevance": relevance, "weight": float(s.relevance_weights[relevance]),
                "topics": ";".join(topics), "cooperation": round_half(cooperation), "friction": round_half(friction),
                "net": net, "quad": quad, "evidence": _evidence(in_scope),
                "third_party_cooperation": round_half(sum(c.weight for c in third if c.weight > 0)),
                "third_party_friction": round_half(-sum(c.weight for c in third if c.weight < 0)),
                "cue_spans": json.dumps([[c.start - start, c.end - start, c.category, round(c.weight, 3), c.scope]
                                         for c in scored], separators=(",", ":")),
            })
        if dyad_filter and not any(r["relevance"] == "direct" for r in records):
            # No sentence relates the two sides: the article co-mentions them
            # (a briefing on Ukraine that also names Turkey), so its one-sided
            # and context sentences say nothing about the pair.
            for record in records:
                record["weight"] = 0.0
        tones = self._tone([r["text"] for r in records])
        for record, tone in zip(records, tones, strict=True):
            record["tone"] = tone
        return records

    def _event_matches(self, text: str, folded: str, regions: list[list[int]],
                       headlines: _Headlines | None = None) -> dict[str, _Spans]:
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
        return {kind: _Spans(matches) for kind, matches in found.items()}

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


_CODE_VERSION = "scorer-75"
_NOT_HEADS = frozenset({"no", "participant"})  # cues that never govern a clause
_EMPTY = {"sides": "", "relevance": "none", "weight": 0.0, "cooperation": 0.0, "friction": 0.0, "net": 0.0,
          "quad": "none", "evidence": "", "third_party_cooperation": 0.0, "third_party_friction": 0.0,
          "cue_spans": "[]"}


def round_half(value: float) -> float:
    """Round away float noise (sums of weights) so output bytes are stable."""
    return round(float(value), 6) + 0.0


def _expand(terms: Iterable[str]) -> list[str]:
    out: list[str] = []
    for term in terms:
        out.extend(expand_braces(term))
    return out


class _Spans(list):
    """Matches sorted by start, with their starts kept for bisection."""

    def __init__(self, matches):
        super().__init__(matches)
        self.starts = [m.start for m in self]


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


def _within(matches: list, start: int, end: int) -> list:
    starts = matches.starts if isinstance(matches, _Spans) else [m.start for m in matches]
    return matches[bisect.bisect_left(starts, start):bisect.bisect_left(starts, end)]


_NAME_WORD_BEFORE = re.compile(r"([A-Z][\w'’.-]*)\s+$")
_NAME_WORD_AFTER = re.compile(r"^\s+(?:of\s+|for\s+|and\s+)?([A-Z][\w'’.-]*)")


def _setting_end(text: str, after: int, end: int, stops: frozenset[str]) -> int | None:
    """Where the main clause starts in a sentence with no comma after its opening setting ("Following the
    2013 attack the government joined …"): at a determiner or a name after the setting's own noun phrase,
    not after one of ``stops`` (a preposition or a particle: "after the signing of the deal …"). None
    when there are no stop words (modifiers.yaml without setting_subject_stops: the rule is off)."""
    if not stops:
        return None
    words = list(_WORD.finditer(text, after, end))
    for previous, word in zip(words, words[1:], strict=False):
        if previous.start() == words[0].start() or previous.group().lower() in stops:
            continue
        # A determiner, or a name after a word in lower case ("the 2013 attack Assad agreed").
        if word.group().lower() in _SUBJECT_DETERMINERS or (word.group()[0].isupper() and previous.group().islower()):
            return word.start()
    return None


_SUBJECT_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "his", "her"})


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
    parts = []
    for cue in cues:
        note = f" [{', '.join(cue.notes)}]" if cue.notes else ""
        parts.append(f"{cue.text} ({cue.category} {cue.weight:+.2f}){note}")
    return "; ".join(parts)


def score_sentence(text: str, scorer: Scorer | None = None, *, dyad_filter: bool = False) -> dict:
    """Score one stand-alone sentence (by default as a generic event, without the dyad filter).

    Returns a dict with cooperation, friction, net, quad, evidence and tone.
    """
    scorer = (scorer or Scorer(tone=False)).compile()
    records = scorer.score_text("sentence", text, dyad_filter=dyad_filter)
    if not records:
        return {"cooperation": 0.0, "friction": 0.0, "net": 0.0, "quad": "none", "evidence": "", "tone": math.nan}
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
