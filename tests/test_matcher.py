import pytest

from analysis.score.matcher import PhraseMatcher
from analysis.text import fold
from analysis.vocab import expand_braces, inflect_verb


def test_fold_keeps_length_and_strips_diacritics():
    text = "Erdoğan, Çavuşoğlu and İstanbul’s “talks” — Türkiye"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "erdogan, cavusoglu and istanbul's \"talks\" - turkiye"


def test_whole_words_only_and_longest_match():
    matcher = PhraseMatcher([("declined", "reject"), ("declined to comment", "no_comment"), ("Russia", "ru")])
    text = "Russian officials declined to comment; Russia declined."
    found = [(text[m.start:m.end], m.key) for m in matcher.find(text)]
    assert found == [("declined to comment", "no_comment"), ("Russia", "ru"), ("declined", "reject")]


def test_capitals_only_alias_is_case_sensitive():
    matcher = PhraseMatcher([("US", "usa"), ("UN", "un")])
    text = "He told us the US and the UN will unite."
    assert [text[m.start:m.end] for m in matcher.find(text)] == ["US", "UN"]


def test_diacritic_insensitive_both_ways():
    matcher = PhraseMatcher([("Erdoğan", "tr"), ("Cavusoglu", "tr")])
    text = "Erdogan met ERDOĞAN; Çavuşoğlu too."
    assert len(matcher.find(text)) == 3


def test_hyphen_joins_option():
    plain = PhraseMatcher([("ended", "end")])
    joined = PhraseMatcher([("ended", "end")], hyphen_joins=True)
    text = "an open-ended strike ended"
    assert len(plain.find(text)) == 2
    assert [text[m.start:m.end] for m in joined.find(text)] == ["ended"]
    assert joined.find(text)[0].start == text.rindex("ended")


def test_expand_braces_and_inflection():
    assert expand_braces("pipeline{,s}") == ["pipeline", "pipelines"]
    assert expand_braces("{a,b} {c,d}") == ["a c", "a d", "b c", "b d"]
    assert inflect_verb("ban+") == ["ban", "bans", "banned", "banning"]
    assert inflect_verb("criticize") == ["criticize", "criticizes", "criticized", "criticizing"]
    assert inflect_verb("deny") == ["deny", "denies", "denied", "denying"]
    assert inflect_verb("call for") == ["call for", "calls for", "called for", "calling for"]
    # -ee verbs keep their e; common irregular verbs get their own past forms.
    assert inflect_verb("agree") == ["agree", "agrees", "agreed", "agreeing"]
    assert inflect_verb("withdraw troops") == ["withdraw troops", "withdraws troops", "withdrew troops",
                                               "withdrawn troops", "withdrawing troops"]
    assert inflect_verb("pay tribute")[2] == "paid tribute"
    assert inflect_verb("cut+") == ["cut", "cuts", "cut", "cutting"]
    assert inflect_verb("shell+") == ["shell", "shells", "shelled", "shelling"]  # already doubled


def test_offset_places_matches_of_a_slice_in_the_whole_text():
    matcher = PhraseMatcher([("signed", "sign"), ("Russia", "ru")], hyphen_joins=True)
    text = "Iran signed. Russia signed a deal."
    start = text.index("Russia")
    found = matcher.find(text[start:], offset=start)
    assert [(text[m.start:m.end], m.key) for m in found] == [("Russia", "ru"), ("signed", "sign")]


def test_multi_matcher_gives_each_list_what_its_own_matcher_would():
    from analysis.score.matcher import MultiMatcher

    lists = {"negators": ["not", "failed to", "n't"], "failure": ["failed", "broke down"],
             "intention": ["could", "will"], "hedges": ["could", "may"]}
    text = "Talks failed to resume; it could not be, as the truce broke down. Won't they? They failed."
    together = MultiMatcher(lists, hyphen_joins=True).find(text)
    for kind, words in lists.items():
        alone = PhraseMatcher([(w, kind) for w in words], hyphen_joins=True).find(text)
        assert together[kind] == alone, kind
    assert [text[m.start:m.end] for m in together["failure"]] == ["failed", "broke down", "failed"]
    assert [text[m.start:m.end] for m in together["hedges"]] == ["could"]


def test_a_star_stands_for_one_to_three_words_within_a_clause():
    m = PhraseMatcher([("returned * prisoners", "release"), ("returned", "movement")], hyphen_joins=True)

    def found(text):
        return [(text[x.start:x.end], x.key) for x in m.find(text)]

    assert found("Kyiv returned 1,200 prisoners.") == [("returned 1,200 prisoners", "release")]
    assert found("Kyiv returned the detained Russian prisoners.") == [("returned the detained Russian prisoners", "release")]
    # Not across four words, a comma or a sentence end; the plain phrase still matches.
    assert found("Kyiv returned a b c d prisoners.") == [("returned", "movement")]
    assert found("They returned home, prisoners said.") == [("returned", "movement")]
    assert found("They returned. Prisoners left.") == [("returned", "movement")]
    assert found("They returned — the prisoners stayed.") == [("returned", "movement")]
    # A whole quotation inside the gap is words; one end of a quotation is a break.
    assert found('Kyiv returned "all 20" prisoners.') == [('returned "all 20" prisoners', "release")]
    assert found('"They returned," prisoners said.') == [("returned", "movement")]
    assert found('They returned “the” prisoners.') == [("returned “the” prisoners", "release")]
    assert found('“They returned the” prisoners.') == [("returned", "movement")]
    with pytest.raises(ValueError):
        PhraseMatcher([("* prisoners", "x")])


def test_two_gapped_phrases_that_find_one_span_give_one_match():
    # "fired * missiles" and "fired * ballistic missiles" both end at "missiles".
    m = PhraseMatcher([("fired * missiles", "a"), ("fired * ballistic missiles", "b")])
    hits = m.find("They fired two ballistic missiles.", overlapping=True)
    assert [(h.start, h.end) for h in hits] == [(5, 33)]


def test_a_longer_phrase_starting_inside_a_word_does_not_hide_a_shorter_one():
    # "is met" ends where "met" ends but starts inside "Francis": it is no match, and "met" still is.
    matcher = PhraseMatcher([("is met", "not"), ("met", "consult"), ("a pause in relations", "pause"), ("relations", "ties")])
    found = matcher.find("Pope Francis met the imam.")
    assert [(m.start, m.end, m.key) for m in found] == [(13, 16, "consult")]
    found = matcher.find("Russia pause in relations")
    assert [m.key for m in found] == ["ties"]
    # The real phrase still wins where it begins on a word.
    assert [m.key for m in matcher.find("The target is met.")] == ["not"]


def test_overlapping_gapped_matches_are_resolved_even_alone():
    matcher = PhraseMatcher([("received * president", "a"), ("received * at the vatican", "b")])
    found = matcher.find("The pope received the Ukrainian president at the Vatican.")
    assert [(m.start, m.end, m.key) for m in found] == [(9, 56, "b")]


def test_a_partial_longer_phrase_does_not_hide_a_match():
    # pyahocorasick's iter_long lost "deal" after the partial "able to deal with"
    # (WojciechMula/pyahocorasick#133, #185): the matcher resolves overlaps itself.
    # The miss needs two failure links in a row: "able to deal with" -> "to deal with" -> "deal".
    matcher = PhraseMatcher([("able to deal with", "idiom"), ("to deal with", "idiom"), ("deal", "deal")])
    assert [m.key for m in matcher.find("to be able to deal both with the challenges")] == ["deal"]
    assert [m.key for m in matcher.find("we are able to deal with it")] == ["idiom"]


def test_a_decimal_number_does_not_break_a_gap_but_a_full_stop_does():
    matcher = PhraseMatcher([("stole * billion", "theft")])
    assert [m.key for m in matcher.find("Hackers stole $1.5 billion from the exchange.")] == ["theft"]
    assert matcher.find("Hackers stole it. Then 2 billion went missing.") == []
