"""Page furniture is removed, named and counted; the article's own sentences stay."""

from analysis.ingest.clutter import load_clutter, remove_clutter


def test_furniture_lines_go_and_the_story_stays():
    text = ("Erdogan and Putin met in Sochi on Friday.\n"
            "Hide Caption 3 of 6 Photos\n"
            "Related: Russia-Ukraine war: what we know on day 100 of the invasion\n"
            "Comment via Facebook\n"
            "Sign up to First Edition, our free daily newsletter – every weekday morning at 7am BST\n"
            "(Laughter.)\n"
            "1:06 P.M. EST\n"
            "Photograph: Tom Jenkins/The Guardian\n"
            "The two leaders agreed to meet again.")
    cleaned, removed = remove_clutter(text)
    assert cleaned == "Erdogan and Putin met in Sochi on Friday.\nThe two leaders agreed to meet again."
    assert [name for name, _ in removed] == ["hide_caption", "related", "comment_share", "newsletter",
                                             "transcript_direction", "transcript_time", "photograph_credit"]


def test_a_caption_is_kept_and_a_sentence_that_merely_starts_like_furniture_too():
    text = ("FILE - A cargo ship is inspected by Russian, Turkish and UN officials in Istanbul, Aug. 3, 2022.\n"
            "Related talks between Ankara and Moscow continued on Tuesday, officials said.\n"
            "Image caption, Erdogan and Putin in Sochi\n"
            "Russia followed up on Turkey's proposal.")
    cleaned, removed = remove_clutter(text)
    # "Related talks …" is a sentence of the story, not a link: it does not match a whole-line pattern
    # that expects "Related:" or a short label; the caption stays too.
    assert cleaned == text and removed == []
    assert all(name != "follow_us" for name, _ in removed)


def test_fragments_glued_into_running_text_are_cut_out():
    text = ("Turkey and Russia agreed on a ceasefire. Read Also Syria talks resume. "
            "Subscribe TRT World on Facebook Like Follow Follow Copyright © 2017 TRT World.")
    cleaned, removed = remove_clutter(text)
    assert "Read Also" not in cleaned and "Subscribe" not in cleaned
    assert {name for name, _ in removed} == {"read_also", "trt_subscribe"}


def test_patterns_are_data(tmp_path):
    path = tmp_path / "clutter.yaml"
    path.write_text("lines:\n  mine: 'zzz furniture'\n", encoding="utf-8")
    cleaned, removed = remove_clutter("Story.\nzzz furniture\nMore.", load_clutter(path))
    assert cleaned == "Story.\nMore." and removed == [("mine", "zzz furniture")]
