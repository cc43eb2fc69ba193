"""Who did what to whom: the source and target of each event cue, and its role for the dyad.

For every cue the attribution stage looks for its participants among the
actor mentions of its sentence, the way event coders do: the pair named in
"between X and Y"; the subject before the cue (with a coordinated "X and Y",
"X-Y", or the sentence's subject when the clause has none); the object after
it within ``participant_window`` words ("by X" after a passive verb is the
agent). From them the cue gets a **role**:

- ``a_to_b`` / ``b_to_a``: one side acts towards the other;
- ``mutual``: both act together or towards each other ("Turkey and Russia
  agreed", "talks between Ankara and Moscow", one side and "the two sides");
- ``a_third`` / ``b_third``: one side and a third party, no other side;
- ``third``: third parties only, or a third party acting on both sides ("The
  EU called on Turkey and Russia to show restraint");
- ``a_only`` / ``b_only``: one side and no one else the text names — the
  other side may be implied by the context (see :func:`resolve`);
- ``background``: an event in a setting clause that names no actor of its
  own ("since the 2022 invasion");
- ``unattributed``: no participant found.

Only the first three relate the pair: they make a sentence ``direct``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..text import WORD

__all__ = ["Attribution", "attribute", "resolve", "DYAD_ROLES", "ROLE_SCOPE"]

DYAD_ROLES = frozenset({"a_to_b", "b_to_a", "mutual"})
# The scope the rest of the scorer uses: what counts for the pair, what for third parties.
ROLE_SCOPE = {"a_to_b": "dyad", "b_to_a": "dyad", "mutual": "dyad", "a_only": "one_side", "b_only": "one_side",
              "a_third": "third_party", "b_third": "third_party", "third": "third_party",
              "background": "third_party", "unattributed": "unattributed"}
_COORDINATION = re.compile(r"(,|and|or|-|–|/)?\s*(the\s+)?")
_WITH_BEFORE = re.compile(r"\bwith\s+(?:the\s+|his\s+|her\s+|its\s+|their\s+)?(?:\w+\s+)?$", re.IGNORECASE)
_RIGHT_COORDINATION = re.compile(r"(,|and|or|nor|,\s*and|-|–|/)?\s*(the\s+)?")  # none: text stripped of commas


@dataclass(frozen=True, slots=True)
class Attribution:
    """The participants of one cue (actor ids, "pair" for a pair phrase) and its role for the dyad.

    ``speaker``: the cue is something one side *says* the other does ("The
    Kremlin said Ankara was harbouring militants"): reported speech is the
    speaker's act, a statement about the other side (codebook rule 8).
    """

    source: tuple[str, ...]
    target: tuple[str, ...]
    role: str
    speaker: str = ""


def _chain_left(text: str, mentions: list, first, before: int) -> list:
    """``first`` and the actors coordinated with it ("Russia, Iran and Turkey", "Turkish-Russian")."""
    chain = [first]
    for following in mentions[mentions.index(first) + 1:]:
        gap = text[chain[-1].end:following.start].strip().lower()
        if following.end <= before and _COORDINATION.fullmatch(gap):
            chain.append(following)
        else:
            break
    return chain


def attribute(scorer, text: str, folded: str, match, boundaries: list[int], in_sentence: list, end: int,
              setting: bool = False, speech: list | None = None) -> Attribution:
    """Find the participants of the cue ``match`` and its role.

    ``in_sentence`` holds the actor mentions of the cue's sentence, which ends at
    ``end``; ``boundaries`` its clause starts. ``setting``: the cue's clause is a
    temporal or causal setting ("since the 2022 invasion"): an event there that
    names no actor of its own is background. ``speech``: the sentence's verbs of
    saying ("said", "told", "according to").
    """
    import bisect

    clause_index = bisect.bisect_right(boundaries, match.start) - 1
    clause_start = boundaries[clause_index]
    clause_end = boundaries[clause_index + 1] if clause_index + 1 < len(boundaries) else end
    if setting and not any(clause_start <= m.start < clause_end for m in in_sentence):
        return Attribution((), (), "background")
    source: list = []
    target: list = []
    mutual: list = []
    # "between X and Y" names the pair outright.
    between = folded.rfind("between", clause_start, match.start)
    if between < 0:
        following = folded.find("between", match.end, match.end + 40)
        if following >= 0 and not WORD.search(text, match.end, following):
            between = following
    if between >= 0:
        after = [m for m in in_sentence if m.start > between]
        if len(after) >= 2 and after[1].start < match.start + 200 and \
                text[after[0].end:after[1].start].strip(" ,").lower() in ("and", "and the") and \
                not any(after[1].end <= m.start and m.end <= match.start for m in after):
            # (unless another actor stands between the pair and the cue: "ties between Turkey
            # and the US were strained over Ankara's purchase of Russian S-400s")
            mutual = [after[0], after[1]]
    # A host or mediator acts towards each of the two it brings together:
    # "Turkey hosted talks between Russia and Ukraine".
    go_between = match.key.category in scorer.settings_.go_between
    if not mutual or go_between:
        # An actor inside the cue's own words takes part: "damage bilateral relations", "exports to Russia".
        inside = [m for m in in_sentence if match.start <= m.start and m.end <= match.end]
        if any(m.key[0] == "pair" for m in inside):
            mutual += inside  # the pair's own relations are what the event is about
        else:
            target += inside
        in_clause = [m for m in in_sentence if clause_start <= m.start < clause_end]
        left = [m for m in in_clause if m.end <= match.start]
        if not left:
            # No actor before the cue in its clause: the sentence's subject (its
            # first actor, with any coordinated "X and Y") acts.
            left = [m for m in in_sentence if m.end <= match.start][:1]
            if left:
                left = _chain_left(text, in_sentence, left[0], match.start)
        elif len(left) >= 2 and scorer.coordinated_verb_.search(text, left[-1].end, match.end):
            # A second verb of the same subject ("Erdogan met Zelensky in Lviv and offered to mediate").
            left = _chain_left(text, in_clause, left[0], match.start)
        if left:
            nearest = left[-1]
            chain = [nearest]
            # A coordinated list ("Russia, Iran and Turkey agreed") may begin before
            # the comma that opens the cue's clause, but a place after a preposition
            # ("In Moscow, Turkey …") is not in it.
            for previous in reversed([m for m in in_sentence if m.end <= nearest.start]):
                gap = text[previous.end:nearest.start].strip().lower()
                if not _COORDINATION.fullmatch(gap):
                    break
                if previous.start < clause_start and scorer.after_list_breaker(text, previous.start):
                    break
                chain.append(previous)
                nearest = previous
            if not scorer.after_locative(text, nearest.start):
                # Actors after a locative preposition ("growth in Russia and Turkey") are places, not the subject.
                source += sorted(chain, key=lambda m: m.start)
        on_right = [m for m in in_clause if m.start >= match.end]
        # "discussed Syria with Erdogan", "held talks on Idlib with Russia": the
        # partner follows "with"; what comes before it is the topic of the talks.
        partner = next((m for m in on_right if _WITH_BEFORE.search(text, max(match.end, m.start - 9), m.start)
                        and len(WORD.findall(text, match.end, m.start)) <= 2 * scorer.settings_.participant_window),
                       None)
        if partner is not None and partner is not on_right[0] and \
                (match.key.category in scorer.settings_.topic_heads or on_right[0].key[0] != "side"):
            on_right = on_right[on_right.index(partner):]
        if on_right:
            words = [w.lower() for w in WORD.findall(text, match.end, on_right[0].start)]
            if len(words) <= scorer.settings_.participant_window and not scorer.participant_stops_.intersection(words):
                agent = words[-1:] == ["by"]
                objects = [on_right[0]]
                for previous, following in zip(on_right, on_right[1:], strict=False):
                    gap = text[previous.end:following.start].strip().lower()
                    if re.fullmatch(r"by\s*(the\s+)?", gap):
                        # the agent of an event named as the object: "the annexation of Crimea by Russia"
                        source.append(following)
                        break
                    if not _RIGHT_COORDINATION.fullmatch(gap):
                        break
                    objects.append(following)
                if agent:  # "was attacked by Russia": the agent acts, the subject undergoes
                    source, target = objects, target + source
                else:
                    target += objects
    role = _role(scorer, source, target, mutual, in_sentence)
    speaker = _speaker(scorer, text, match, in_sentence, speech or [], source, target, mutual, end)
    if speaker:
        a, b = scorer.sides_
        return Attribution((speaker,), (b if speaker == a else a,), "a_to_b" if speaker == a else "b_to_a", speaker)
    if role == "mutual":
        return Attribution(tuple(scorer.sides_), (), role)  # the two sides together, whatever named them
    return Attribution(_ids(source), _ids(target), role)


def _speaker(scorer, text: str, match, in_sentence: list, speech: list, source: list, target: list, mutual: list,
             end: int) -> str:
    """The side that says what the cue reports about the other side, or "".

    The speaker is a side named right before a verb of saying that precedes the
    cue ("The Kremlin said Ankara …", "Lavrov told reporters Turkey …"), or right
    after one in a closing source clause ("Ankara is …, the Kremlin said"); the
    cue's own participants must include the other side and not the speaker.
    """
    if not speech:
        return ""
    participants = {m.key[1] for m in (*source, *target, *mutual) if m.key[0] == "side"}
    if any(m.key[0] == "third" for m in (*source, *target, *mutual)):
        return ""  # what the other side does with a third party: its tone towards the speaker is not in the words
    for verb in speech:
        if verb.end <= match.start:
            before = [m for m in in_sentence if m.end <= verb.start and m.key[0] == "side"]
            if not before or len(WORD.findall(text, before[-1].end, verb.start)) > 3:
                continue
            speaker = before[-1].key[1]
        elif verb.start >= match.end:
            after = [m for m in in_sentence if m.start >= verb.end and m.key[0] == "side"]
            around = [m for m in in_sentence if match.end <= m.end <= verb.start and m.key[0] == "side"]
            if after and len(WORD.findall(text, verb.end, after[0].start)) <= 3:
                speaker = after[0].key[1]
            elif around and len(WORD.findall(text, around[-1].end, verb.start)) <= 3 and \
                    "," in text[match.end:around[-1].start]:
                speaker = around[-1].key[1]  # "…, the Kremlin said"
            else:
                continue
        else:
            continue
        other = next(side for side in scorer.sides_ if side != speaker)
        if other in participants and speaker not in participants:
            return speaker
    return ""


def _ids(mentions: list) -> tuple[str, ...]:
    return tuple(dict.fromkeys(m.key[1] for m in mentions))


def _role(scorer, source: list, target: list, mutual: list, in_sentence: list) -> str:
    a, b = scorer.sides_
    keys = [m.key for m in (*source, *target, *mutual)]
    pair = any(kind == "pair" for kind, _ in keys)
    thirds = {name for kind, name in keys if kind == "third"}
    sentence_sides = {m.key[1] for m in in_sentence if m.key[0] == "side"}
    if pair and len(sentence_sides) < 2 and any(m.key[0] == "third" for m in in_sentence):
        # One side and a third party named: "the two sides" are those two.
        pair, thirds = False, thirds | {"(the two named)"}
    sides_of = lambda mentions: {m.key[1] for m in mentions if m.key[0] == "side"}  # noqa: E731
    in_source, in_target, in_mutual = sides_of(source), sides_of(target), sides_of(mutual)
    everyone = in_source | in_target | in_mutual
    if len(in_mutual) == 2 or (in_mutual and pair) or (pair and any(m.key[0] == "pair" for m in mutual)):
        return "mutual"
    if a in in_source and b in in_target and b not in in_source:
        return "a_to_b"
    if b in in_source and a in in_target and a not in in_source:
        return "b_to_a"
    if len(in_source) == 2:
        return "mutual"
    if len(in_target) == 2:
        # A third party acting on both ("the EU urged Turkey and Russia …") relates neither to the other.
        return "third" if any(m.key[0] == "third" for m in source) else "mutual"
    if everyone and pair:
        return "mutual"
    if everyone and thirds:
        return "a_third" if a in everyone else "b_third"
    if everyone:
        return "a_only" if a in everyone else "b_only"
    if thirds:
        return "third"
    if pair:
        return "mutual"
    return "unattributed"


def resolve(role: str, source: tuple[str, ...], target: tuple[str, ...], sides: tuple[str, str],
            sentence_sides: set[str], pair_context: bool) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Complete a one-sided cue when the other side is implied.

    A cue between one side and no one else relates the pair when the other side
    is named elsewhere in the sentence ("Putin said he discussed Syria with
    Erdogan on the phone") or the context is the pair's (a pair phrase, the
    sentence right after one relating them, a headline naming both): the
    named side acts towards the other (or undergoes what the other does). A
    cue with no participant at all, in the pair's context, is theirs.
    """
    if role == "unattributed" and pair_context:
        # No actor at all, right after a sentence relating the pair ("They praised the talks."): theirs.
        return "mutual", sides, ()
    if role not in ("a_only", "b_only"):
        return role, source, target
    a, b = sides
    named, other = (a, b) if role == "a_only" else (b, a)
    if other not in sentence_sides and not pair_context:
        return role, source, target
    if named in target and named not in source:
        return ("b_to_a" if named == a else "a_to_b"), (other, *source), target
    return ("a_to_b" if named == a else "b_to_a"), source or (named,), (*target, other)
