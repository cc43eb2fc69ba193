"""Score: who, about what, how cooperative — per sentence, with evidence.

Stages: :mod:`.segment` (sentences), :mod:`.matcher` (actor, topic and cue
matches), :mod:`.scorer` (clauses, modifiers, attribution and polarity).
"""

from .scorer import Scorer, score_corpus, score_sentence

__all__ = ["Scorer", "score_corpus", "score_sentence"]
