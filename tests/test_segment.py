from analysis.score.segment import split_sentences


def sentences(text):
    return [text[s:e] for s, e in split_sentences(text)]


def test_abbreviations_do_not_end_sentences():
    text = ("Russia backs Gen. Khalifa Haftar. The U.S. argued that Lt. Col. Smith met on Aug. 23 in Washington. "
            "J. Smith left!")
    assert sentences(text) == ["Russia backs Gen. Khalifa Haftar.",
                               "The U.S. argued that Lt. Col. Smith met on Aug. 23 in Washington.", "J. Smith left!"]


def test_quotes_and_questions():
    text = 'He said "Istanbul is very good." Really? Yes.'
    assert sentences(text) == ['He said "Istanbul is very good."', "Really?", "Yes."]


def test_line_breaks_are_boundaries_and_offsets_index_the_text():
    text = "  Title line\nFirst sentence here. Second one.\n\n12:12\n"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["Title line", "First sentence here.", "Second one.", "12:12"]
    assert all(text[s:e] == text[s:e].strip() and e > s for s, e in spans)
    assert spans == sorted(spans)


def test_overlong_run_is_cut():
    text = "word " * 1000
    spans = split_sentences(text)
    assert len(spans) > 1
    assert all(e - s <= 1000 for s, e in spans)


def test_empty_text():
    assert split_sentences("") == []
    assert split_sentences("   \n\n ") == []
