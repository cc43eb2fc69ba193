"""The scorer's rules: named, ordered stages over one sentence's state.

A sentence's event cues, its modifier matches and its actor mentions go into a
:class:`SentenceState`; each stage reads what earlier stages left there and
adds its own part (clause boundaries, clause factors, which cue a negator or a
reversal governs, what failed, what was demanded, …). The last stages weigh
every cue and cap the subordinate clauses. The order is data: ``stages`` in
``scorer.yaml`` (as spaCy orders its pipeline components in config); each
stage names the stages it needs, and a list that breaks a dependency is a
configuration error. To add a rule: write a function ``(scorer, state) ->
None``, register it with :func:`stage`, and put its name in ``stages``.

The factors and windows each rule uses are in ``scorer.yaml``; its word lists
in ``modifiers.yaml``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError
from ..text import WORD, fold
from ..vocab import Cue
from .attribution import ROLE_SCOPE, attribute, resolve
from .matcher import Match

__all__ = ["SentenceState", "ScoredCue", "STAGES", "stage", "check_order", "run_stages", "within", "Spans"]

_COMMA = re.compile(r"(?<!\d),|,(?!\d)")  # not the comma of a number ("1,000 soldiers")
_PARTICIPLE = re.compile(r",\s+([a-z]+ing)\b")
_PERFECT_PARTICIPLE = re.compile(r"[\"“‘'(\s]*((?:Having|Not having)\s+(?:been\s+)?[a-z]+)\b(?=[^,.;:]*,)")  # "Having fought …,"
_THAT_BEFORE = re.compile(r"\b(?:that|which)\s+(?:\S+\s+){0,3}$")  # "steps that could …": the hedge's "that", close before it
_DETERMINER_BEFORE = re.compile(r"\b(?:the|a|an|its|their)\s+$", re.IGNORECASE)  # not "that": "a deal that fell apart"
_CLAUSE_MARKERS = ("clause_breaks", "contrast", "concessive", "background")
_INFINITIVE = re.compile(r"\bto\s+(?!(?:the|a|an|its|his|her|their|our|all|both)\b)[a-z]")  # "to reform", not "to the government"
_CLAUSE_PUNCT = re.compile(r"(?<!\d),|,(?!\d)|[;:()\[\]]|\s[-–—]\s|—|–(?=\s)")
NOT_HEADS = frozenset({"no", "participant"})  # cues that never govern a clause
THIRD_ROLES = frozenset({"a_third", "b_third", "third", "background"})


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
    scope: str  # "dyad", "third_party", "one_side", "unattributed" or "generic"
    notes: tuple[str, ...]
    source: tuple[str, ...] = ()  # actor ids acting (see score/attribution.py)
    target: tuple[str, ...] = ()  # actor ids acted upon
    role: str = "generic"  # a_to_b, b_to_a, mutual, a_third, b_third, third, a_only, b_only, background, …


class Spans(list):
    """Matches sorted by start, with their starts kept for bisection."""

    def __init__(self, matches):
        super().__init__(matches)
        self.starts = [m.start for m in self]


def within(matches: list, start: int, end: int) -> list:
    """The matches of a sorted list that start in ``[start, end)``."""
    starts = matches.starts if isinstance(matches, Spans) else [m.start for m in matches]
    return matches[bisect.bisect_left(starts, start):bisect.bisect_left(starts, end)]


@dataclass
class SentenceState:
    """Everything the stages know about one sentence ``text[start:end]`` (offsets are article-level)."""

    text: str
    folded: str
    start: int
    end: int
    cues: list[Match]  # event cues still in play, in order
    local: dict[str, list[Match]]  # modifier matches in the sentence, per kind
    mentions: list  # actor mentions in the sentence
    quote_mask: np.ndarray
    dyad_filter: bool
    pair_context: bool = False  # the context relates the pair (a sentence just before did, or the headline names both)
    # clauses
    boundaries: list[int] = field(default_factory=list)
    question: bool = False
    commas: list[int] = field(default_factory=list)
    insertions: list[tuple[int, int]] = field(default_factory=list)
    continues: dict[int, int] = field(default_factory=dict)
    participial: list[int] = field(default_factory=list)  # the commas around a participial insertion
    # clause factors
    clause_factor: list[float] = field(default_factory=list)
    clause_notes: list[list[str]] = field(default_factory=list)
    clause_setting: list[int] = field(default_factory=list)  # 2 temporal/causal setting, 1 concessive
    subordinate: list[bool] = field(default_factory=list)  # concessive, setting or relative clauses
    inserted: set[int] = field(default_factory=set)
    hedged_from: dict[int, tuple[int, float]] = field(default_factory=dict)  # clause → (hedge start, factor before)
    # modifiers and what they govern
    negators: list[Match] = field(default_factory=list)
    reversals: list[Match] = field(default_factory=list)
    reversal_spans: list[tuple[int, int, str]] = field(default_factory=list)
    intention_spans: list[tuple[int, int, str]] = field(default_factory=list)
    failed_by: dict[int, str] = field(default_factory=dict)
    appeal_to_yield: set[int] = field(default_factory=set)
    demanded: set[int] = field(default_factory=set)
    source_from: int | None = None
    # weighed cues
    scored: list[ScoredCue] = field(default_factory=list)
    is_subordinate: list[bool] = field(default_factory=list)
    is_main_event: list[bool] = field(default_factory=list)

    def clause_of(self, position: int) -> int:
        """The clause a position is in (an insertion's continuation counts as the clause before it)."""
        index = bisect.bisect_right(self.boundaries, position) - 1
        return self.continues.get(index, index)

    def gap(self, left: int, right: int) -> int:
        """Words between two positions, leaving out inserted clauses."""
        n = len(WORD.findall(self.text, left, right))
        for inserted_start, inserted_end in self.insertions:
            if left <= inserted_start and inserted_end <= right:
                n -= len(WORD.findall(self.text, inserted_start, inserted_end))
        return n


Stage = Callable[[object, SentenceState], None]
STAGES: dict[str, tuple[Stage, tuple[str, ...]]] = {}


def stage(name: str, *, needs: tuple[str, ...] = ()) -> Callable[[Stage], Stage]:
    """Register a stage under ``name``; ``needs`` are the stages that must run before it."""
    def register(function: Stage) -> Stage:
        STAGES[name] = (function, needs)
        return function
    return register


def check_order(order: tuple[str, ...], where: str) -> tuple[Stage, ...]:
    """The stage functions of ``order``, or a ConfigError naming an unknown stage or a broken dependency."""
    seen: set[str] = set()
    for name in order:
        if name not in STAGES:
            raise ConfigError(f"{where}: unknown scorer stage {name!r}; known: {', '.join(STAGES)}.")
        missing = [need for need in STAGES[name][1] if need not in seen]
        if missing:
            raise ConfigError(f"{where}: stage {name!r} needs {', '.join(map(repr, missing))} before it.")
        seen.add(name)
    return tuple(STAGES[name][0] for name in order)


def run_stages(scorer, state: SentenceState, stages: tuple[Stage, ...]) -> list[ScoredCue]:
    for function in stages:
        function(scorer, state)
    return state.scored


def _setting_end(text: str, after: int, end: int, stops: frozenset[str]) -> int | None:
    """Where the main clause starts in a sentence with no comma after its opening setting ("Following the
    2013 attack the government joined …"): at a determiner or a name after the setting's own noun phrase,
    not after one of ``stops`` (a preposition or a particle: "after the signing of the deal …"). None
    when there are no stop words (modifiers.yaml without setting_subject_stops: the rule is off)."""
    if not stops:
        return None
    words = list(WORD.finditer(text, after, end))
    for previous, word in zip(words, words[1:], strict=False):
        if previous.start() == words[0].start() or previous.group().lower() in stops:
            continue
        # A determiner, or a name after a word in lower case ("the 2013 attack Assad agreed").
        if word.group().lower() in _SUBJECT_DETERMINERS or (word.group()[0].isupper() and previous.group().islower()):
            return word.start()
    return None


_SUBJECT_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "his", "her"})


# --------------------------------------------------------------------------- clauses

@stage("clauses")
def clauses(scorer, st: SentenceState) -> None:
    """Cut the sentence into clauses at punctuation and clause words; find insertions.

    A marker inside a longer one ("after" in "a day after") is no marker of its
    own. A setting that opens a sentence without a comma ("Following the 2013
    attack the government joined …") ends where the main clause's subject
    begins. A relative clause or a past participle set off by commas after a
    short subject ("The talks, which lasted three hours, collapsed") is an
    insertion: what follows it continues the clause before it, and its words
    count in no window.
    """
    text, start, end = st.text, st.start, st.end
    boundaries = [start] + [m.start() for m in _CLAUSE_PUNCT.finditer(text, start, end)]
    local = st.local
    markers = [m for kind in _CLAUSE_MARKERS for m in local[kind]]
    inner = {(m.start, m.end) for m in markers if any(o.start < m.start < o.end for o in markers)}
    if inner:
        st.local = local = {kind: [m for m in found if (m.start, m.end) not in inner] if kind in _CLAUSE_MARKERS
                            else found for kind, found in local.items()}
    boundaries += [m.start for kind in _CLAUSE_MARKERS for m in local[kind]]
    boundaries = sorted(set(boundaries))
    st.question = text[start:end].rstrip(' "”’\')').endswith("?")
    opening_setting = next((m for m in local["background"] if not text[start:m.start].strip(' "“‘\'(')
                            and fold(text[m.start:m.end]) not in scorer.relative_words_), None)
    if opening_setting is not None and boundaries[-1] <= opening_setting.start and not st.question:
        subject = _setting_end(text, opening_setting.end, end, scorer.setting_subject_stops_)
        if subject is not None:
            boundaries.append(subject)
    st.boundaries = boundaries
    st.commas = commas = [m.start() for m in _COMMA.finditer(text, start, end)]
    for opening, closing in zip(commas, commas[1:], strict=False):
        relative = scorer.relative_ is not None and scorer.relative_.match(text, opening + 1)
        participle = not relative and opening == commas[0] and \
            scorer.is_participial_insertion(text, start, opening, closing)
        if (relative or participle) and text[closing + 1:end].strip():
            st.insertions.append((opening, closing + 1))
            before = bisect.bisect_right(boundaries, opening - 1) - 1
            st.continues[bisect.bisect_right(boundaries, closing) - 1] = st.continues.get(before, before)
            if participle:
                st.participial += [opening, closing]
    n = len(boundaries)
    st.clause_factor = [1.0] * n
    st.clause_notes = [[] for _ in range(n)]
    st.clause_setting = [0] * n
    st.subordinate = [False] * n


@stage("contrast", needs=("clauses",))
def contrast(scorer, st: SentenceState) -> None:
    """Clauses before "but"/"however" count ``contrast_factor`` ×."""
    for m in st.local["contrast"]:
        index = st.clause_of(m.start)
        for earlier in range(index):
            st.clause_factor[earlier] *= scorer.settings_.contrast_factor
            st.clause_notes[earlier].append(f"before '{st.text[m.start:m.end]}'")


@stage("subordinate_clauses", needs=("clauses",))
def subordinate_clauses(scorer, st: SentenceState) -> None:
    """Concessive ("despite the war"), setting ("after the attack") and relative clauses, insertions.

    A setting tells what came before; a relative clause ("Moscow, which stepped
    up its air strikes") describes a participant and may carry news of its own;
    in a concessive clause only a state noun is scenery (setting level 1).
    """
    s, text = scorer.settings_, st.text
    for m in st.local["concessive"]:
        index = st.clause_of(m.start)
        st.subordinate[index] = True
        st.clause_factor[index] *= s.concessive_factor
        st.clause_notes[index].append(f"concessive '{text[m.start:m.end]}'")
        st.clause_setting[index] = max(st.clause_setting[index], 1)
    for m in st.local["background"]:
        index = st.clause_of(m.start)
        relative = fold(text[m.start:m.end]) in scorer.relative_words_
        st.subordinate[index] = True
        st.clause_factor[index] *= s.background_factor if relative else s.setting_factor
        st.clause_notes[index].append(f"background '{text[m.start:m.end]}'")
        if not relative:
            st.clause_setting[index] = 2
    st.inserted = {st.clause_of(opening) for opening in st.participial[::2]}
    for index in st.inserted:
        st.subordinate[index] = True
        st.clause_factor[index] *= s.background_factor
        st.clause_notes[index].append("insertion")


@stage("participles", needs=("subordinate_clauses",))
def participles(scorer, st: SentenceState) -> None:
    """Participial clauses: an opening perfect participle is a setting ("Having fought a war …,"); ", urging …"
    elaborates the main event; a past participle with an agent after a comma ("loans to China, frozen since
    the crackdown") describes the noun before it."""
    s, text = scorer.settings_, st.text
    opening = _PERFECT_PARTICIPLE.match(text, st.start)
    if opening is not None and len(st.boundaries) > 1:
        st.subordinate[0] = True
        st.clause_factor[0] *= s.setting_factor
        st.clause_notes[0].append(f"background '{opening.group(1)}'")
        st.clause_setting[0] = 2
    for m in _PARTICIPLE.finditer(text, st.start, st.end):
        if m.group(1) in scorer.not_participles_:
            continue
        index = st.clause_of(m.start())
        st.clause_factor[index] *= s.background_factor
        st.clause_notes[index].append(f"participle '{m.group(1)}'")
    for m in scorer.past_participle_.finditer(text, st.start, st.end) if scorer.past_participle_ else ():
        word = m.group(1)
        index = st.clause_of(m.start())
        if m.start() in st.participial or not scorer.is_past_form(word) or word in scorer.not_participles_ \
                or index in st.inserted:
            continue
        st.subordinate[index] = True
        st.clause_factor[index] *= s.background_factor
        st.clause_notes[index].append(f"participle '{word}'")


@stage("hedges", needs=("clauses",))
def hedges(scorer, st: SentenceState) -> None:
    """Questions and conditionals hedge every clause; a hedge its own clause ``hedge_factor`` × — inside a
    "that" clause only what follows "that" ("warned that it could damage ties" is a warning)."""
    s, text = scorer.settings_, st.text
    n = len(st.boundaries)
    if st.question:  # a question asserts nothing ("Will Turkey close the straits?")
        for index in range(n):
            st.clause_factor[index] *= s.hedge_factor
            st.clause_notes[index].append("question")
    if st.local["conditionals"]:
        first = st.local["conditionals"][0]
        for index in range(n):
            st.clause_factor[index] *= s.hedge_factor
            st.clause_notes[index].append(f"conditional '{text[first.start:first.end]}'")
    for m in st.local["hedges"]:
        index = st.clause_of(m.start)
        if not any(note.startswith("hedged") for note in st.clause_notes[index]):
            that = _THAT_BEFORE.search(text, st.boundaries[index], m.start)
            if that is not None:
                st.hedged_from[index] = (that.start(), st.clause_factor[index])
            st.clause_factor[index] *= s.hedge_factor
            st.clause_notes[index].append(f"hedged '{text[m.start:m.end]}'")


# --------------------------------------------------------------------------- modifiers

@stage("modifier_links", needs=("clauses",))
def modifier_links(scorer, st: SentenceState) -> None:
    """Which cue a reversal or an intention governs, and agreements to hostile acts.

    A reversal verb or an intention cue directly before another cue of its
    clause modifies that cue instead of counting itself. An agreement verb
    before a hostile act ("The EU agreed to impose new sanctions", "called
    for mass protests") marks that act as agreed: the act counts, as intended.
    """
    s, text, local = scorer.settings_, st.text, st.local
    # "not only … but also", "no doubt": a negator inside such a phrase negates nothing.
    st.negators = [n for n in local["negators"]
                   if not any(x.start <= n.start and n.end <= x.end for x in local["not_negating"])]
    # "end up in war", "at the end of the year": a reversal word inside such a phrase undoes nothing.
    st.reversals = reversals = [r for r in local["reversal"]
                                if not any(x.start <= r.start and r.end <= x.end for x in local["not_reversing"])]
    cues = st.cues
    modifying: set[int] = set()
    agreed_to: set[int] = set()
    for i, match in enumerate(cues[:-1]):
        following = next((c for c in cues[i + 1:] if c.key.head != "participant"), None)
        same_clause = following is not None and st.clause_of(following.start) == st.clause_of(match.start)
        if same_clause and (fold(text[match.start:match.end]) in scorer.agreement_verbs_
                            or match.key.category in scorer.appeal_categories_) and \
                following.key.category in s.hostile_acts and st.gap(match.end, following.start) <= s.negation_window \
                and not (match.key.category in scorer.appeal_categories_ and following.key.category in s.protective_acts) \
                and not any(match.end <= r.start and r.end <= following.start for r in reversals) \
                and not any(following.end <= r.start and st.gap(following.end, r.start) <= 3 and
                            st.clause_of(r.start) == st.clause_of(following.start) for r in reversals):
            modifying.add(i)
            agreed_to.add(i)
            continue
        close = same_clause and st.gap(match.end, following.start) < s.negation_window
        if not close:
            continue
        surface = fold(text[match.start:match.end])
        if any(x.start <= match.start and match.end <= x.end for x in local["not_reversing"]):
            continue
        if match.key.head == "transparent" or any(r.start == match.start and r.end == match.end for r in reversals) \
                or surface in scorer.reversal_words_:
            modifying.add(i)
    st.reversal_spans = [(m.start, m.end, text[m.start:m.end]) for m in reversals]
    st.reversal_spans += [(cues[i].start, cues[i].end, text[cues[i].start:cues[i].end]) for i in modifying
                          if fold(text[cues[i].start:cues[i].end]) in scorer.reversal_words_]
    st.intention_spans = [(m.start, m.end, text[m.start:m.end]) for m in local["intention"]]
    st.intention_spans += [(cues[i].start, cues[i].end, text[cues[i].start:cues[i].end]) for i in modifying
                           if cues[i].key.head == "transparent" or i in agreed_to]
    st.cues = [m for i, m in enumerate(cues) if i not in modifying]


@stage("failures", needs=("modifier_links",))
def failures(scorer, st: SentenceState) -> None:
    """A failure verb after a cooperative cue ("peace talks collapsed", "the truce was violated") flips it;
    the verb, when it is a cue itself, does not count again."""
    s, text = scorer.settings_, st.text
    absorbed: set[int] = set()
    for failure in st.local["failure"]:
        if _DETERMINER_BEFORE.search(text, max(st.start, failure.start - 6), failure.start):
            continue  # "discussed the stalled peace process": an adjective of what follows, not a verb
        before = [c for c in st.cues if c.end <= failure.start and st.clause_of(c.start) == st.clause_of(failure.start)]
        # The failed thing may be far from its verb when a phrase names who took
        # part or what about ("talks between the government and the union broke
        # down"), but only when it is the clause's only cue so far, or the talks
        # that head the clause (their topic is no event of its own).
        if not before:
            continue
        failed, reach = before[-1], s.negation_window
        if scorer.names_participants(text, before[0], failure.start):
            if len(before) == 1:
                reach *= 2
            elif before[0].key.category in s.topic_heads and \
                    st.gap(before[0].end, failure.start) <= 2 * s.negation_window:
                failed, reach = before[0], 2 * s.negation_window  # "talks with the IMF on a new loan collapsed"
        if failed.key.weight <= 0 or st.gap(failed.end, failure.start) > reach:
            continue
        st.failed_by[failed.start] = text[failure.start:failure.end]
        absorbed.update(c.start for c in st.cues if c.start < failure.end and c.end > failure.start)
    st.cues = [c for c in st.cues if c.start not in absorbed]


@stage("appeals", needs=("modifier_links",))
def appeals(scorer, st: SentenceState) -> None:
    """An appeal whose object is a concession ("called on the minister to resign", "urged Moscow to release
    the sailors") is CAMEO 025, appeal to yield: a demand; what is demanded is not done and does not count."""
    s, text, cues = scorer.settings_, st.text, st.cues
    for index, appeal in enumerate(cues):
        if appeal.key.category not in scorer.appeal_categories_:
            continue
        # What is appealed for is the next event cue; a participant noun in
        # between is the addressee ("urged the rebels to disarm").
        following = next((c for c in cues[index + 1:] if c.key.head not in NOT_HEADS), None)
        # What is asked for may start at the infinitive after the addressee
        # ("appealed to the government on Wednesday to let them publish").
        infinitive = _INFINITIVE.search(text, appeal.end, st.end)
        if infinitive is not None and not text[appeal.end:infinitive.start()].strip():
            infinitive = _INFINITIVE.search(text, infinitive.end(), st.end)  # "appealed to donors … to give"
        if infinitive is not None and (st.clause_of(infinitive.start()) != st.clause_of(appeal.start)
                                       or st.gap(appeal.end, infinitive.start()) > 2 * s.negation_window):
            infinitive = None
        reach_from = infinitive.start() if infinitive is not None else appeal.end
        if infinitive is not None and scorer.appeal_object_ is not None and \
                scorer.appeal_object_.match(text, infinitive.start()):
            # The object is a concession the lexicon has no cue for ("to reform", "to let").
            st.appeal_to_yield.add(appeal.start)
            clause = st.clause_of(infinitive.start())
            st.demanded.update(c.start for c in cues if c.start >= infinitive.start() and st.clause_of(c.start) == clause)
            continue
        if following is None or st.gap(reach_from, following.start) > 2 * s.negation_window:
            # No event in reach, but the appeal is to end or lift something ("appealed for an end to the agitation").
            if any(appeal.end <= r_start and st.gap(appeal.end, r_start) <= 2 * s.negation_window
                   and st.clause_of(r_start) == st.clause_of(appeal.start) for r_start, _, _ in st.reversal_spans):
                st.appeal_to_yield.add(appeal.start)
            continue
        # The object concedes: a yielding act (resign, release, lift sanctions,
        # disarm), a reduction of relations or presence, or undoing an act.
        undone = any(appeal.end <= r_start and r_end <= following.start
                     and st.gap(r_end, following.start) < s.negation_window
                     for r_start, r_end, _ in st.reversal_spans)
        if following.key.category in scorer.concession_categories_ or undone:
            st.appeal_to_yield.add(appeal.start)
            clause = st.clause_of(following.start)
            st.demanded.update(c.start for c in cues if c.start >= following.start and st.clause_of(c.start) == clause)


@stage("source_clause", needs=("clauses",))
def source_clause(scorer, st: SentenceState) -> None:
    """A sentence-final source clause ("…, a spokesman for the relief agency said") describes who speaks."""
    s = scorer.settings_
    last_comma = st.commas[-1] if st.commas else -1
    if last_comma >= 0 and any(
            a.start > last_comma and st.gap(a.end, st.end) <= s.source_window * (
                2 if " " in st.text[a.start:a.end] else 1)
            for a in st.local["attribution"]):
        st.source_from = last_comma


# --------------------------------------------------------------------------- events

@stage("events", needs=("clauses", "modifier_links"))
def events(scorer, st: SentenceState) -> None:
    """Weigh every cue: its clause's factors, head or complement, negation, reversal, intention, quotation, scope.

    The first event cue of a clause is its head; later cues are its complement
    (``complement_factor`` ×), except what a neutral event, a comment or talks
    are about, which counts nothing. In a passive clause the verb heads ("the
    request for an audit was rejected" is a rejection).
    """
    s, text = scorer.settings_, st.text
    cues = st.cues
    clause_of = st.clause_of
    by_clause_head: dict[int, float] = {}  # clause → the weight of its event
    topic_clauses: set[int] = set()  # clauses whose event is a consultation: what follows is its topic
    failed_topic_clauses: set[int] = set()  # … whose consultation failed
    comment_clauses: set[int] = set()  # … whose event is a hopeful or gloomy comment
    head_roles: dict[int, str] = {}  # clause → the role of its event
    sides_named = {m.key[1] for m in st.mentions if m.key[0] == "side"}
    # A negator inside a cue is part of it ("not tolerate") and negates nothing else.
    used_negators: set[int] = {n.start for n in st.negators if any(c.start <= n.start and n.end <= c.end for c in cues)}
    used_reversals: set[int] = set()
    clause_has_head = {clause_of(c.start) for c in cues if c.key.head not in NOT_HEADS}
    passive_head: dict[int, tuple[int, str]] = {}
    first_head: dict[int, Match] = {}
    for c in cues:
        if c.key.head in NOT_HEADS:
            continue
        clause = clause_of(c.start)
        subject = first_head.setdefault(clause, c)
        if subject is not c and clause not in passive_head and scorer.is_passive(text, c, subject.end):
            passive_head[clause] = (c.start, text[c.start:c.end])
    for match in cues:
        cue: Cue = match.key
        clause = clause_of(match.start)
        factor = st.clause_factor[clause]
        notes = list(st.clause_notes[clause])
        if clause in st.hedged_from and match.end <= st.hedged_from[clause][0]:
            factor = st.hedged_from[clause][1]
            notes = [n for n in notes if not n.startswith("hedged")]
        weight = cue.weight * factor
        if match.start in st.appeal_to_yield:
            weight = s.appeal_to_yield * factor
            notes.append("appeal to yield")
        elif match.start in st.demanded:
            weight = 0.0
            notes.append("demanded")
        mode = cue.mode
        # A negator scopes over the first cue after it only; a participant noun
        # names who, not what happened: negators pass over it to the event.
        negator = None if cue.head == "participant" else next(
            (neg for neg in st.negators if neg.end <= match.start and clause_of(neg.start) == clause
             and neg.start not in used_negators and st.gap(neg.end, match.start) < s.negation_window), None)
        if negator is not None:
            used_negators.add(negator.start)
        elif cue.head != "participant" and scorer.post_negator_ is not None:
            after = scorer.post_negator_.match(text, match.end)
            if after is not None:  # "trusted neither the West nor Russia"
                negator = Match(after.start(1), after.end(1), "negators")
                used_negators.add(negator.start)
        if st.source_from is not None and match.start > st.source_from:
            weight *= s.complement_factor
            notes.append("source clause")
        elif cue.head not in NOT_HEADS and clause not in by_clause_head and \
                clause in passive_head and match.start < passive_head[clause][0]:
            weight *= s.complement_factor
            notes.append(f"what was '{passive_head[clause][1]}'")
        elif cue.head not in NOT_HEADS and clause not in by_clause_head:
            by_clause_head[clause] = cue.weight
            if cue.category in s.comment_heads and scorer.comment_topic_ and scorer.comment_topic_.match(text, match.end):
                comment_clauses.add(clause)
            if cue.category in s.topic_heads and negator is None:
                if match.start in st.failed_by:
                    failed_topic_clauses.add(clause)
                else:
                    topic_clauses.add(clause)
        elif clause in clause_has_head and negator is None:
            # A negated event is asserted in its own right, not a complement.
            if by_clause_head.get(clause) == 0:
                weight = 0.0  # what a neutral event is about ("claimed responsibility for the attack")
                notes.append("about a neutral event")
            elif clause in comment_clauses:
                weight = 0.0  # "I don't expect much from this meeting"
                notes.append("topic of a comment")
            elif clause in topic_clauses and weight < 0:
                weight = 0.0  # "held talks on the war": CAMEO codes the consultation, not the war
                notes.append("topic of talks")
            elif clause in failed_topic_clauses and weight > 0:
                weight = 0.0  # "Talks with the IMF on a new loan collapsed": no loan
                notes.append("topic of failed talks")
            else:
                weight *= s.complement_factor
                notes.append("complement")
        reversal = None
        if cue.head != "participant" and match.start not in st.failed_by:
            reversal = next(((r_start, r_end, r_text) for r_start, r_end, r_text in st.reversal_spans
                             if r_end <= match.start and clause_of(r_start) == clause
                             and r_start not in used_reversals
                             and st.gap(r_end, match.start) < s.negation_window), None)
        negated = False
        if negator is not None and reversal is not None and negator.end <= reversal[0]:
            # A negated reversal leaves the cue as it was: "would not abandon the partnership".
            notes.append(f"'{text[negator.start:negator.end]}' negates '{reversal[2]}'")
            used_reversals.add(reversal[0])
        elif negator is not None:
            # A hostile act that did not happen is no act of cooperation: it counts only a little.
            weight = -weight * (s.negated_conflict_factor if weight < 0 and mode == "material" else s.negation_factor)
            notes.append(f"negated by '{text[negator.start:negator.end]}'")
            negated = True
        elif match.start in st.failed_by:
            weight = -weight * s.negation_factor
            notes.append(f"failed: '{st.failed_by[match.start]}'")
        elif reversal is not None:
            weight = -weight * s.negation_factor
            notes.append(f"reversed by '{reversal[2]}'")
            used_reversals.add(reversal[0])
        if mode == "material" or cue.head == "transparent":
            for intent_start, intent_end, intent_text in st.intention_spans:
                if intent_end <= match.start and clause_of(intent_start) == clause and \
                        st.gap(intent_end, match.start) <= s.intention_window:
                    if mode == "material":
                        weight *= s.intention_factor
                        mode = "verbal"
                    notes.append(f"intention '{intent_text}'")
                    break
        if st.quote_mask[match.start] and s.quote_mode == "verbal" and mode == "material":
            mode = "verbal"
            notes.append("quoted")
        if negated:
            mode = "verbal"  # a refused or unrealised act is no material event (CAMEO codes a refusal as verbal)
        # In a concessive clause only a state noun ("despite the war") is scenery.
        setting = st.clause_setting[clause] == 2 or (st.clause_setting[clause] == 1 and cue.head == "no")
        if st.dyad_filter:
            who = attribute(scorer, text, st.folded, match, st.boundaries, st.mentions, st.end, setting=setting,
                            speech=st.local["attribution"])
            role, source, target = who.role, who.source, who.target
            if who.speaker:
                # Reported speech is the speaker's act: a statement about the other side (codebook rule 8).
                mode = "verbal"
                cap = s.reported_speech_cap
                weight = max(-cap, min(cap, weight))
                notes.append(f"said by {who.speaker}")
            if "demanded" in notes and clause in head_roles:
                role = head_roles[clause]  # what an appeal asks for is the appeal's, between those it involves
            elif role in ("a_only", "b_only") and head_roles.get(clause) in THIRD_ROLES and "complement" in notes:
                # A complement that names only one side describes its head's event
                # ("Ukraine thanked Turkey for its support"): so does the complement.
                role = head_roles[clause]
            role, source, target = resolve(role, source, target, scorer.sides_, sides_named, st.pair_context)
            scope = ROLE_SCOPE[role]
            if clause not in head_roles and cue.head not in NOT_HEADS:
                head_roles[clause] = role
        else:
            role, source, target, scope = "generic", (), (), "generic"
        if "topic of talks" in notes and scope == "dyad":
            role = "topic"  # what the two sides talk about is not their relationship
        st.scored.append(ScoredCue(match.start, match.end, text[match.start:match.end], cue.category,
                                   cue.weight, weight + 0.0, mode, scope, tuple(notes), source, target, role))
        st.is_subordinate.append(st.subordinate[clause] and "source clause" not in notes)
        st.is_main_event.append(not st.is_subordinate[-1] and cue.head != "participant")


@stage("subordinate_cap", needs=("events",))
def subordinate_cap(scorer, st: SentenceState) -> None:
    """Keep the clauses around the main event from turning its sign.

    When the main clause's events of a scope have a net sign, the subordinate
    cues of that scope with the opposite sign together weigh at most
    ``subordinate_cap`` × the main clause's events (their summed absolute
    weight): "Following deadly clashes on the border, the commanders met" is
    a meeting, as a coder codes it. Cues of the same sign cannot turn it and
    are left as they are.
    """
    if not any(st.is_subordinate):
        return
    cap = scorer.settings_.subordinate_cap
    scored = st.scored
    out = list(scored)
    for scope in sorted({c.scope for c in scored}):
        main = [c.weight for c, flag in zip(scored, st.is_main_event, strict=True) if flag and c.scope == scope]
        sign = sum(main)
        opposing = [i for i, c in enumerate(scored)
                    if st.is_subordinate[i] and c.scope == scope and c.weight * sign < 0]
        against = sum(abs(scored[i].weight) for i in opposing)
        mass = sum(abs(w) for w in main)
        if not opposing or against <= cap * mass:
            continue
        factor = cap * mass / against
        for i in opposing:
            c = scored[i]
            out[i] = ScoredCue(c.start, c.end, c.text, c.category, c.base, round(c.weight * factor, 6) + 0.0,
                               c.mode, c.scope, (*c.notes, f"main event weighs more ×{factor:.2f}"),
                               c.source, c.target, c.role)
    st.scored = out
