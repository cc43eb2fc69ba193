"""Fast whole-word phrase matching on case- and diacritic-folded text.

Every vocabulary in the project (actor aliases, topic terms, cue words,
modifiers) is matched by one mechanism: an Aho-Corasick automaton
(``pyahocorasick``) over a *folded* copy of the text. Folding is
length-preserving, so every match's offsets index the original text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

import ahocorasick

from ..text import fold

__all__ = ["Match", "PhraseMatcher", "MultiMatcher", "Prepared"]


class Match(NamedTuple):
    """One whole-word match: ``text[start:end]`` is the matched span."""

    start: int
    end: int
    key: object


# Everything but letters, digits (and, where hyphens join words, "-") separates
# words. Plain spaces are left out of the pattern only because replacing a
# space with a space is wasted work.
_SEPARATORS = {False: re.compile(r"[^0-9a-zA-Z_\u00c0-\uffff ]"), True: re.compile(r"[^0-9a-zA-Z_\u00c0-\uffff -]")}


class Prepared:
    """A text with its folded and separator-normalised copies, computed once and shared by matchers."""

    def __init__(self, text: str, folded: str | None = None):
        self.text = text
        self.folded = fold(text) if folded is None else folded
        self._cache: dict[tuple[bool, bool], str] = {}

    def haystack(self, hyphen_joins: bool, *, folded: bool) -> str:
        key = (hyphen_joins, folded)
        if key not in self._cache:
            base = self.folded if folded else self.text
            spaced = _SEPARATORS[hyphen_joins].sub(" ", base)
            if hyphen_joins:  # a hyphen joins letters only: "-Karabakh" and "--" still separate
                spaced = _LONE_HYPHEN.sub(" ", spaced)
            self._cache[key] = " " + spaced + " "
        return self._cache[key]


_LONE_HYPHEN = re.compile(r"(?<![0-9A-Za-z\u00c0-\uffff])-|-(?![0-9A-Za-z\u00c0-\uffff])")


class PhraseMatcher:
    """Find whole-word occurrences of many phrases at once.

    Parameters
    ----------
    hyphen_joins
        Treat a hyphen between letters as part of a word, so that "ended"
        does not match inside "open-ended" (for event words; actor names
        should still match inside "pro-Moscow").
    entries
        ``(phrase, key)`` pairs. The phrase is folded (case and diacritics)
        unless it is written in capitals only, in which case it matches only
        in capitals (``US`` is not ``us``). When two entries share a phrase,
        the first one wins. A ``*`` standing alone in a phrase stands for one
        to :data:`GAP_WORDS` words: "returned * prisoners" matches "returned
        20 prisoners" and "returned the detained prisoners".
    """

    def __init__(self, entries: Iterable[tuple[str, object]], *, hyphen_joins: bool = False):
        self.entries = list(entries)
        self.hyphen_joins = hyphen_joins
        self._folded = ahocorasick.Automaton()
        self._exact = ahocorasick.Automaton()
        # Gapped phrases: their two parts are found by a third automaton and
        # joined when at most GAP_WORDS words lie between them.
        self._parts = ahocorasick.Automaton()
        self._gapped: list[object] = []
        for phrase, key in self.entries:
            if " * " in f" {phrase} ":
                head, _, tail = " ".join(phrase.split()).partition(" * ")
                if not head.strip() or not tail.strip() or "*" in tail:
                    raise ValueError(f"{phrase!r}: a '*' must stand between two parts of a phrase, once")
                index = len(self._gapped)
                self._gapped.append(key)
                # Each part's payload: (length, [indices it heads], {index it ends}); a
                # word such as "killed" may end dozens of phrases ("floods * killed", …).
                for role, part in (("head", head), ("tail", tail)):
                    needle = self.needle(part)[1]
                    payload = self._parts.get(needle) if needle in self._parts else (len(needle) - 1, [], {})
                    if role == "head":
                        payload[1].append(index)
                    else:
                        payload[2][index] = True
                    self._parts.add_word(needle, payload)
                continue
            exact, needle = self.needle(phrase)
            automaton = self._exact if exact else self._folded
            if needle.strip() and needle not in automaton:
                automaton.add_word(needle, (len(needle) - 1, key))
        for automaton in (self._folded, self._exact, self._parts):
            if len(automaton):
                automaton.make_automaton()

    def needle(self, phrase: str) -> tuple[bool, str]:
        """Whether ``phrase`` matches in capitals only, and the string searched for it."""
        phrase = " ".join(phrase.split())
        letters = [c for c in phrase if c.isalpha()]
        exact = bool(letters) and all(c.isupper() for c in letters) and len(letters) <= 4
        # Words are matched as "word " in a copy of the text whose separators
        # are spaces, so hits fall on word ends only.
        return exact, _SEPARATORS[self.hyphen_joins].sub(" ", phrase if exact else fold(phrase)).strip(" ") + " "

    def find(self, text: str, folded: str | None = None, *, overlapping: bool = False,
             prepared: Prepared | None = None, offset: int = 0) -> list[Match]:
        """Return the matches in ``text``, sorted by position.

        Without ``overlapping``, overlaps are resolved leftmost-longest, so
        "declined to comment" wins over "declined". ``prepared`` (from
        :class:`Prepared`) lets several matchers share the work of folding.
        ``offset`` is added to every position (``text`` is a slice of a
        longer text that starts there).
        """
        prepared = prepared or Prepared(text, folded)
        found: list[Match] = []
        for automaton, folded_text in ((self._folded, True), (self._exact, False)):
            if not len(automaton):
                continue
            haystack = prepared.haystack(self.hyphen_joins, folded=folded_text)
            # Every match, resolved below: pyahocorasick's iter_long misses
            # matches reached through failure links ("deal" after a partial
            # "able to deal with"; WojciechMula/pyahocorasick#133, #185, #224).
            # haystack = " " + text + " ", so a needle ending at end_index starts
            # at text offset end_index - length - 1, and haystack[that offset]
            # is the character before it: a space unless it began inside a word.
            found += [Match(end_index - length - 1 + offset, end_index - 1 + offset, key)
                      for end_index, (length, key) in automaton.iter(haystack)
                      if haystack[end_index - length - 1] == " "]
        if self._gapped:
            found += self._gapped_matches(prepared.text, prepared.haystack(self.hyphen_joins, folded=True), offset)
        found.sort(key=lambda m: (m.start, -(m.end - m.start)))
        if overlapping:
            return found
        kept: list[Match] = []
        last_end = -1
        for match in found:
            if match.start >= last_end:
                kept.append(match)
                last_end = match.end
        return kept

    def _gapped_matches(self, text: str, haystack: str, offset: int) -> list[Match]:
        heads: list[tuple[int, int, int]] = []  # (start, end, phrase index), text offsets
        tails: list[tuple[int, int, int]] = []
        headed: dict[int, None] = {}  # phrase indices whose head has been seen: a tail comes after its head
        for end_index, (length, head_of, tail_of) in self._parts.iter(haystack):
            start = end_index - length - 1
            if haystack[start] != " ":
                continue
            if headed and tail_of:
                tails += [(start, end_index - 1, index) for index in headed if index in tail_of]
            for index in head_of:
                heads.append((start, end_index - 1, index))
                headed[index] = None
        found = []
        spans: set[tuple[int, int]] = set()  # "fired * missiles" and "fired * ballistic missiles" find one span once
        for head_start, head_end, index in heads:
            for tail_start, tail_end, tail_index in tails:
                if tail_index != index or tail_start <= head_end:
                    continue
                between = haystack[head_end + 1:tail_start + 1].split()  # haystack = " " + text + " "
                if 1 <= len(between) <= GAP_WORDS and not _GAP_BREAK.search(text, head_end, tail_start) \
                        and _quotes_balanced(text[head_end:tail_start]):
                    if (head_start, tail_end) not in spans:
                        spans.add((head_start, tail_end))
                        found.append(Match(head_start + offset, tail_end + offset, self._gapped[index]))
                    break
        return found


GAP_WORDS = 3
_GAP_BREAK = re.compile(r"[;:!?()\[\]\n—–]|[.,]\s|\s-\s")  # a gap never crosses a clause or a sentence ("1,200" and "$1.5" are words)


def _quotes_balanced(gap: str) -> bool:
    """Whether a gap holds whole quotations only: 'valued its "very good" relations' (not one end of a quotation)."""
    return gap.count('"') % 2 == 0 and gap.count("“") == gap.count("”")


class MultiMatcher:
    """Several phrase lists searched in one pass; :meth:`find` gives, for each
    list, what a :class:`PhraseMatcher` of that list alone would (a word may be
    in several lists: "could" is an intention and a hedge)."""

    def __init__(self, lists: dict[str, Iterable[str]], *, hyphen_joins: bool = False):
        self.kinds = tuple(lists)
        probe = PhraseMatcher([], hyphen_joins=hyphen_joins)
        grouped: dict[tuple[bool, str], tuple[str, list[str]]] = {}
        for kind, phrases in lists.items():
            for phrase in phrases:
                if not " ".join(phrase.split()):
                    continue
                surface, kinds = grouped.setdefault(probe.needle(phrase), (phrase, []))
                if kind not in kinds:
                    kinds.append(kind)
        self._matcher = PhraseMatcher(((surface, frozenset(kinds)) for surface, kinds in grouped.values()),
                                      hyphen_joins=hyphen_joins)

    def find(self, text: str, *, prepared: Prepared | None = None, offset: int = 0) -> dict[str, list[Match]]:
        """Matches per list, each resolved leftmost-longest on its own, sorted by position."""
        found = {kind: [] for kind in self.kinds}
        last_end = dict.fromkeys(self.kinds, -1)
        for match in self._matcher.find(text, overlapping=True, prepared=prepared, offset=offset):
            for kind in match.key:
                if match.start >= last_end[kind]:
                    found[kind].append(Match(match.start, match.end, kind))
                    last_end[kind] = match.end
        return found
