import json
import math

import pandas as pd
import pytest
from conftest import write

from analysis.aggregation import article_topics
from analysis.errors import ConfigError
from analysis.score import Scorer, score_corpus, score_sentence
from analysis.validate import evaluate

SCORER = Scorer(tone=False, model="none")  # the rules alone; the learned model has tests of its own


def dyad(text):
    return score_sentence(text, SCORER, dyad_filter=True)


def generic(text):
    return score_sentence(text, SCORER)


# ------------------------------------------------------------------ actors and relevance

def test_sides_third_parties_and_relevance():
    r = dyad("Erdoğan and Putin met in Sochi with Ukraine on the agenda.")
    assert r["sides"] == "turkey;russia" and r["third_parties"] == "ukraine" and r["relevance"] == "direct"
    assert dyad("Ankara praised the two countries' ties.")["relevance"] == "direct"
    # A side named, nothing passing between the two: context (the dyad codebook).
    assert dyad("Ankara criticised Washington.")["relevance"] == "context"
    assert dyad("Brazil, Russia, Turkey and Japan voted for the resolution.")["relevance"] == "context"
    assert dyad("Washington criticised Brussels.")["relevance"] == "none"


def test_aliases_with_and_without_diacritics():
    for text in ("Cavusoglu spoke with Lavrov.", "Çavuşoğlu spoke with Lavrov.", "Türkiye and Russia spoke.",
                 "Turkiye and the Kremlin spoke.", "ERDOGAN and PESKOV spoke."):
        assert dyad(text)["sides"] == "turkey;russia", text


def test_us_pronoun_is_not_the_united_states():
    assert dyad("Erdogan told us that Russia agreed.")["third_parties"] == ""
    assert dyad("Erdogan told the US that Russia agreed.")["third_parties"] == "united_states"


def test_the_pair_is_implied_right_after_a_sentence_relating_them():
    articles = pd.DataFrame({"article_id": ["x"], "text": [
        "Turkey and Russia agreed on a grain deal for the Black Sea. They praised the talks. It was warm.\n\n"
        "A new paragraph: they praised the talks."]})
    sentences = SCORER.score_articles(articles)
    assert list(sentences["relevance"]) == ["direct", "direct", "none", "none"]
    assert list(sentences["weight"]) == [1.0, 1.0, 0.0, 0.0]
    assert sentences["topics"].iloc[1] == "black_sea"
    assert sentences["direction"].iloc[1] == "mutual"


def test_a_co_mention_is_context_and_carries_no_score():
    co_mention = pd.DataFrame({"article_id": ["x"], "text": [
        "Russia attacked Kyiv again. Separately, Turkey hosted a tourism fair."]})
    sentences = SCORER.score_articles(co_mention)
    assert list(sentences["relevance"]) == ["context", "context"]
    assert list(sentences["weight"]) == [0.0, 0.0]
    about = pd.DataFrame({"article_id": ["y"], "text": ["Turkey and Russia met. Russia attacked Kyiv again."]})
    assert list(SCORER.score_articles(about)["weight"]) == [1.0, 0.0]


def test_who_did_what_to_whom():
    cases = {
        "A Turkish F-16 shot down a Russian Su-24 near the Syrian border.": ("a_to_b", "turkey", "russia", -3),
        "Moscow accused Ankara of sending militants.": ("b_to_a", "russia", "turkey", -1),
        "Turkey was criticised by Russia for the purchase.": ("b_to_a", "russia", "turkey", -1),
        "Putin said he had discussed Syria with Erdogan by phone.": ("b_to_a", "russia", "turkey", 1),
        "Turkey and Russia signed an agreement on a gas hub.": ("mutual", "turkey;russia", "", 2),
        # Reported speech is the speaker's act (codebook rule 8): an accusation, whatever it reports.
        "The Kremlin said Ankara was harbouring militants.": ("b_to_a", "russia", "turkey", -1),
        "Ankara is harbouring militants, the Kremlin said.": ("b_to_a", "russia", "turkey", -1),
    }
    for text, (direction, source, target, intensity) in cases.items():
        r = dyad(text)
        assert (r["direction"], r["source"], r["target"], r["intensity"]) == (direction, source, target, intensity), \
            (text, r["evidence"])
        assert ("→" in r["evidence"] or "↔" in r["evidence"]), r["evidence"]  # the evidence names who acted


def test_third_parties_around_the_pair_are_not_the_pair():
    for text in ("The EU called on Turkey and Russia to show restraint.",
                 "Growth in Russia and Turkey was offset by a decline in Spain.",
                 "Frigoglass has operations in 19 countries, including Russia, Romania and Turkey."):
        assert dyad(text)["relevance"] == "context", text


# ------------------------------------------------------------------ topics

def test_multi_topic_and_fallback():
    topics = dyad("Turkey and Russia discussed Syria, the TurkStream pipeline and S-400 deliveries.")["topics"].split(";")
    assert {"syria", "energy", "defense"} <= set(topics)
    assert dyad("Turkey and Russia held talks.")["topics"] == "bilateral"


# ------------------------------------------------------------------ polarity rules

def test_basic_cooperation_and_friction():
    assert dyad("Turkey and Russia signed an agreement on gas.")["net"] > 0.5
    assert dyad("Turkey condemned Russia over the attack.")["net"] < -0.3
    r = dyad("Turkey shot down a Russian jet.")
    assert r["net"] < -0.8 and r["quad"] == "material_conflict"


def test_tone_is_its_own_column():
    scorer = Scorer(tone=True, model="none")
    r = score_sentence("Turkey shot down a Russian jet.", scorer, dyad_filter=True)
    assert r["tone"] == pytest.approx(0.0)
    assert r["net"] < -0.8 and r["intensity"] == -3
    # With the learned model the sentence is direct friction too (its intensity head shrinks towards the mean).
    r = score_sentence("Turkey shot down a Russian jet.", Scorer(tone=False), dyad_filter=True)
    assert r["relevance"] == "direct" and r["net"] < -0.5 and r["intensity"] <= -2


def test_tone_only_where_a_side_or_the_pair_is_named_unless_asked_for_all():
    text = "Turkey and Russia signed a wonderful deal. Markets loved the wonderful news."
    rows = Scorer(tone=True, model="none").score_text("a", text)
    assert [r["relevance"] for r in rows] == ["direct", "none"]
    assert rows[0]["tone"] > 0.5 and math.isnan(rows[1]["tone"])
    everywhere = Scorer(tone=True, tone_all=True, model="none").score_text("a", text)
    assert everywhere[1]["tone"] > 0.5 and everywhere[0]["tone"] == rows[0]["tone"]
    assert Scorer(tone_all=True).fingerprint() != Scorer().fingerprint()


def test_negation_flips():
    assert generic("Turkey attacked the convoy.")["net"] < 0
    assert generic("Turkey would not pose a threat to the alliance.")["net"] > 0
    assert generic("The talks failed to reach an agreement.")["net"] < 0
    assert generic("Russia no longer supports the plan.")["net"] < 0


def test_neither_after_a_cue_negates_it_and_nor_continues_the_list():
    r = dyad("Erdogan said he trusted neither the West nor Russia.")
    assert r["net"] < 0 and "negated by 'neither'" in r["evidence"], r
    r = generic("Turkey supports neither side in the conflict.")
    assert r["net"] < 0 and r["evidence"].count("negated") == 1, r["evidence"]


def test_an_agreement_to_a_hostile_act_is_that_act():
    for sentence in ("The EU agreed to impose new sanctions on Russia.", "EU leaders agreed a new package of sanctions.",
                     "The G7 agreed to cap the price of Russian oil.", "NATO allies agreed to expel Russian diplomats."):
        r = generic(sentence)
        assert r["net"] < 0 and "[intention 'agreed" in r["evidence"], (sentence, r["evidence"])
    # Agreements to cooperate, to undo a hostile act or to fight a common enemy stay agreements.
    for sentence in ("The EU agreed to lift sanctions on Syria.", "The two sides agreed to a ceasefire.",
                     "Turkey and Russia agreed to jointly fight terrorism.",
                     "Japan and South Korea agreed to share real-time data on North Korean missile launches.",
                     "China and the Philippines agreed to improve communication to manage disputes."):
        assert generic(sentence)["net"] > 0, sentence


def test_mobilizing_money_or_support_is_not_mobilizing_troops():
    assert generic("The summit will focus on mobilizing climate finance.")["net"] >= 0
    assert generic("We mobilized support for Ukraine.")["net"] > 0
    assert generic("Russia mobilized 300,000 reservists.")["net"] < 0


def test_a_hostile_act_that_did_not_happen_is_little_cooperation():
    # -0.1 x its weight, not -0.6 x: "did not attack" is not an act of aid.
    assert "attack (assault +0.90) [negated by 'not']" in generic("The rebels did not attack the convoy.")["evidence"]
    assert generic("The visit was not canceled, only postponed.")["net"] < 0
    assert generic("Iran must never develop a nuclear weapon.")["net"] < 0
    # Negated cooperation keeps its full flip.
    assert "sign (sign_agreement -4.80)" in generic("Russia did not sign the agreement.")["evidence"]


def test_a_negator_scopes_over_one_cue():
    # regression: each cue after "not" used to be negated, turning a refusal cooperative
    assert generic("The U.S. said it would not meet the hostage-takers' demands to release prisoners.")["net"] < 0


def test_reversal_verbs_undo_what_follows():
    assert generic("The army lifted the curfew.")["net"] > 0
    assert generic("The UN ended its mediation.")["net"] < 0


def test_intention_is_verbal_and_weaker_than_the_act():
    act = generic("Russia delivered gas supplies to Turkey.")
    pledge = generic("Russia will deliver gas supplies to Turkey.")
    assert act["quad"] == "material_cooperation" and pledge["quad"] == "verbal_cooperation"
    assert 0 < pledge["net"] < act["net"]


def test_hedges_and_conditionals_weaken():
    assert 0 < generic("Turkey may sign the agreement.")["net"] < generic("Turkey signed the agreement.")["net"]
    assert 0 < generic("If talks go well, Turkey will sign the agreement.")["net"] < generic("Turkey signed the agreement.")["net"]


def test_contrast_favours_the_clause_after_but():
    assert generic("The sides held talks, but the clashes continued.")["net"] < 0
    assert generic("Clashes erupted, but the sides agreed to a ceasefire.")["net"] > 0


def test_reported_speech_in_quotes_is_verbal():
    r = generic('Putin said: "We will supply the weapons."')
    assert r["quad"] == "verbal_cooperation"


def test_clause_head_governs_its_complement():
    assert generic("Arafat rejected a US offer to host a summit.")["net"] < 0
    assert generic("Syria threatened to halt the negotiations.")["net"] < 0
    assert generic("The rebels accepted demands to disarm.")["net"] > 0


def test_a_failure_verb_after_a_cooperative_noun_flips_it():
    assert generic("Peace talks between Turkey and Russia collapsed.")["net"] < 0
    assert generic("The ceasefire was violated within hours.")["net"] < 0
    assert "failed: 'broke down'" in generic("The truce broke down on Monday.")["evidence"]
    # Not after a conflictual cue, and not when the verb is far from the noun.
    assert generic("The attack failed.")["net"] < 0
    assert generic("Turkey and Russia held talks for three days and then the markets stalled.")["evidence"].count("failed:") == 0


def test_a_final_source_clause_describes_the_speaker_not_the_event():
    said = generic("Rebels shelled the town, killing 20 people, ceasefire monitors said.")
    assert "ceasefire monitors (peacekeeping +0.85) [source clause]" in said["evidence"]
    assert said["net"] < 0
    # "according to" may take a longer source; a "said" deep inside the clause is not a source.
    assert "[source clause]" in generic("Russia condemned the raid, according to the UN monitoring mission in Geneva.")["evidence"]
    assert "[source clause]" not in generic("It protested, charging them with supporting what is said was a plot.")["evidence"]


def test_a_participial_clause_elaborates_the_main_event():
    r = generic("Bangladesh rejected an Indian proposal, urging India to sign a regional accord instead.")
    assert "participle 'urging'" in r["evidence"] and r["net"] < 0
    # Words in -ing that are not participles leave the clause alone.
    assert "participle" not in generic("Turkey and Russia signed a deal, according to officials.")["evidence"]


def test_an_appeal_for_a_concession_is_an_appeal_to_yield():
    # CAMEO 025: "urge X to release/resign/lift/withdraw" is a demand (-0.3), and
    # what is demanded has not happened, so it does not count.
    for sentence in ("Turkey urged Russia to release the detained sailors.",
                     "Lawmakers called on the minister to resign.",
                     "Iraq and Egypt called for the withdrawal of foreign forces from Lebanon.",
                     "The agency appealed to the government to reconsider its ban on relief flights.",
                     # Even when what is to be ended names no event of the lexicon.
                     "Church leaders appealed to the faithful for an end to the unrest.",
                     "The opposition called on the cabinet to reverse its decision."):
        r = generic(sentence)
        assert "appeal to yield" in r["evidence"], sentence
        assert r["net"] < 0, sentence
    # Appeals for talks or for aid stay cooperative.
    assert generic("Turkey urged Russia to resume talks.")["net"] > 0
    assert generic("Ankara appealed for humanitarian aid.")["net"] > 0


def test_what_an_appeal_asks_for_starts_at_its_infinitive():
    # Reform, reconsideration or leave to act are concessions: CAMEO 024/025, -0.3.
    for sentence in ("The EU urged Belgrade to reform its judiciary.",
                     "Journalists appealed to the government on Wednesday to let them resume publishing "
                     "and compensate them for lost wages.",
                     "The agency appealed to the government on Friday to urgently reconsider its decision."):
        r = generic(sentence)
        assert r["net"] < 0 and "appeal to yield" in r["evidence"], (sentence, r["evidence"])
    # An appeal for cooperation stays cooperative, however far its infinitive.
    for sentence in ("Bangladesh asked India to extradite the former prime minister.",
                     "The UN appealed to donors on Friday to provide more aid.",
                     "The UN appealed to donors to give more."):
        assert generic(sentence)["net"] > 0, sentence


def test_names_are_not_cues():
    assert generic("He spoke at the Shanghai Cooperation Organisation summit.")["evidence"].count("diplomatic_cooperation") == 0


@pytest.mark.parametrize("text,sign", [
    # Word senses: a noun that looks like a cue is not one.
    ("Police fired tear gas at protesters outside the parliament building.", -1),
    ("Amnesty said the court's verdict was a disgrace and condemned it.", -1),
    ("He said Russia's downing of the jet was a stab in the back.", -1),
    # Troops pulling back de-escalate (CAMEO 087); leaving a treaty reduces relations (16).
    ("Israeli troops withdrew from the outskirts of the town.", 1),
    ("Russia withdrew its forces from the border.", 1),
    ("Russia withdrew from the treaty.", -1),
    ("The two countries restored full diplomatic relations after a five-year break.", 1),
    ("The government granted an amnesty to 300 political prisoners.", 1),
    ("The court sentenced the journalist to seven years in prison.", -1),
    ("Azerbaijani and Armenian forces exchanged fire along the border overnight.", -1),
    ("The talks ended without a breakthrough.", -1),
    ("Putin and Erdogan inaugurated the TurkStream pipeline in Istanbul.", 1),
    ("The central bank extended a currency swap line to Qatar.", 1),
    ("Turkish officials played down the dispute.", 1),
    # "X backed by Y" describes X; what X does is the event.
    ("Government forces backed by Russian air power recaptured the town.", -1),
    ("North Korea test-fired a ballistic missile into the sea.", -1),
    ("The two sides have been unable to resolve their differences over the border.", -1),
    ("The United States imposed export controls on chips to China.", -1),
    # CAMEO 024/025: an appeal for reform is a demand; granting it is yielding (083).
    ("Opposition parties urged the government to hold early elections.", -1),
    ("The junta said it would hand power to a civilian government within 18 months.", 1),
    ("The emperor expressed deep remorse for the war.", 1),
    ("The army called up 300,000 reservists.", -1),
    ("Artillery pounded the city's outskirts through the night.", -1),
    ("The regime used sarin against civilians.", -1),
    # Verbs that undo what they govern, like "lifted": derailing talks is friction.
    ("Armenia said Baku was trying to derail the peace process.", -1),
    ("The talks ended without a joint statement.", -1),
    ("Washington and Ankara have been at loggerheads over U.S. support for the YPG.", -1),
    ("Despite the sanctions, trade between Turkey and Russia soared.", 1),
    ("Relations with Ankara were developing successfully, the Kremlin said.", 1),
    ("Mandela paid tribute to the late Tanzanian leader.", 1),
    ("The envoy shuttled between Belgrade and Pristina.", 1),
    ("The World Food Programme airlifted food to famine victims.", 1),
    ("Japan extended $500 million in credits to Russia.", 1),
    ("The navy intercepted a ship suspected of smuggling oil.", -1),
    ("The Arab League readmitted Syria after a 12-year suspension.", 1),
    ("Settlers torched Palestinian homes in the village.", -1),
    ("The Wagner group staged a brief mutiny.", -1),
    ("Israeli warplanes struck targets near Damascus airport.", -1),
    # A hyphenated compound is one word for every window: the reversal reaches the blockade.
    ("The army lifted a two-day-old blockade on the crossing.", 1),
    ("The UN urged the rebels to respect human rights.", -1),  # the addressee noun is skipped
    # Participant nouns are who, not what: negation and reversal pass over them.
    ("Russia accused Turkey of failing to separate moderate rebels from jihadists.", -1),
    ("It has abandoned its only ally in the region.", -1),
    ("Turkish-backed forces shelled positions held by Syrian troops.", -1),
    # Returning to talks is negotiating (046), not a return of persons (084) demanded.
    ("The secretary-general urged the two sides to return to the negotiating table.", 1),
    ("Beijing said it was ready to deepen military ties with Moscow.", 1),
    ("Army units were withdrawn from the capital.", 1),
    ("Both delegations said they shared the same views on regional security.", 1),
    ("The armed forces were put on maximum alert.", -1),
    ("Hackers launched a cyberattack on the power grid.", -1),
    # A negated reversal leaves its object as it was.
    ("We are not lifting any sanctions.", -1),
    ("Israel did not end the blockade of Gaza.", -1),
    ("Erdogan said Turkey would not abandon its energy partnership with Russia.", 1),
    ("Turkish lenders suspended transactions with sanctioned Russian entities.", -1),
    ("Russia resumed gas flows through the TurkStream pipeline.", 1),
    ("Russian wheat shipments fell after Ankara imposed import duties.", -1),
    ("The two countries launched a joint working group on payments.", 1),
    ("Turkey granted permission for Russian tankers to pass.", 1),
    ("Rebels are fighting for control of Aleppo.", -1),
    ("The sides stressed the importance of continuing close coordination on Syria.", 1),
    ("Russia and Turkey held talks to avoid a clash in Idlib.", 1),
    ("Turkish and Russian engineers will jointly produce components.", 1),
    ("Russia's Black Sea Fleet conducted naval exercises near the Turkish coast.", -1),
    ("The navies held joint naval drills in the Mediterranean.", 1),
    ("Russian warplanes buzzed a Turkish frigate.", -1),
    ("The two countries worked to prevent escalation into a wider war.", 1),
    # Police preventing a demonstration is repression, not a reversed protest.
    ("Police prevented the demonstration by students.", -1),
    # Appealing for an act to be undone is an appeal to yield, whatever the act's sign.
    ("Ankara called on Moscow to stop supporting Haftar.", -1),
    ("Ukrainian drones struck an oil refinery in southern Russia.", -1),
    ("Teachers will not end their strike unless their demands are met.", -1),
    ("Morocco and Algeria have had no diplomatic relations since 2021.", -1),
    ("Kosovo police raided Serb-run municipal offices.", -1),
    ("Venezuela held military exercises near the border with Guyana.", -1),
    ("The IMF approved a 3 billion dollar bailout for Pakistan.", 1),
    ("Mexico and the United States resolved a dispute over corn imports.", 1),
    ("The EU granted Ukraine tariff-free access to its market.", 1),
    ("The European Commission fined Gazprom for abusing its position.", -1),
    ("Turkey lowered tariffs on industrial goods from the European Union.", 1),
    ("The G7 imposed a price cap on Russian oil.", -1),
    ("The Northern Fleet began large-scale exercises in the Barents Sea.", -1),
    ("Seoul approved the sale of howitzers to Warsaw.", 1),
    ("Hanoi said it would open its markets wider to foreign investors.", 1),
    ("The army said it had repelled the landing on the spit.", -1),
    ("Ukrainian forces destroyed three Russian tanks near Bakhmut.", -1),
    ("Azerbaijan launched an anti-terrorist operation in Karabakh.", -1),
    ("Turkey and Russia conducted a joint military operation against militants.", 1),
    ("The two ministers kept lines of communication open.", 1),
    ("Washington is not rolling back tariffs on Chinese steel.", -1),
    ("The new ambassador presented his credentials to the president.", 1),
    ("The talks were postponed after the two sides failed to bridge their differences.", -1),
    ("The junta revoked the licences of two foreign broadcasters.", -1),
    ("The two sides exchanged the bodies of soldiers killed in the fighting.", 1),
    ("Poland offered to take in refugees fleeing the fighting.", 1),
    ("Turkey not only supplied drones but also trained the pilots.", 1),
    ("Kyiv pushed back against the proposal.", -1),
    ("Ankara said it would back the resolution.", 1),
    ("The president dissolved parliament and said he would rule by decree.", -1),
    ("Congress voted to impeach the president.", -1),
    ("The government extended the state of exception for another month.", -1),
    ("The army handed back land it had occupied to its owners.", 1),
    ("Nicaragua stripped its critics of their citizenship.", -1),
    ("The visit was postponed.", -1),
    ("The summit has been delayed again.", -1),
    ("The two sides issued a joint statement on the border.", 1),
    ("The ministers agreed to settle their border dispute through peaceful means.", 1),
    ("Baku and Yerevan failed to resolve their differences.", -1),
    ("Ukraine returned 20 prisoners of war to Russia.", 1),
    ("Putin and Erdogan opened the TurkStream pipeline at a ceremony.", 1),
    ("The government refused to withdraw the draft law.", -1),
    ("The two navies conducted joint search-and-rescue drills in the Black Sea.", 1),
    ("Moscow said it would respond to the deployment of US missiles in Germany.", -1),
    ("The sovereign wealth fund sold its stakes in companies linked to the occupation.", -1),
    ("Turkey's parliament approved Sweden's NATO membership bid.", 1),
    ("The canal authority cut transit fees for container ships.", 1),
    ("The Pentagon announced a $2 billion arms package for Taiwan.", 1),
    ("Nairobi said it was ready to send police officers to lead a multinational mission in Haiti.", 1),
    ("A coast guard ship rammed a resupply vessel near the shoal.", -1),
    ("Thousands rallied in Belgrade in support of the government.", 1),
    ("Beijing said Washington was playing with fire by approving arms sales to Taiwan.", -1),
    ("The president ordered the suspension of aerial bombing against the rebels.", 1),
    ("Washington extended the suspension of tariffs on Ukrainian steel.", 1),
    ("The government announced a cessation of hostilities.", 1),
    ("The EU announced the suspension of the trade agreement.", -1),
    ("Ethiopian troops crossed into Eritrea, residents said.", -1),
    ("The leader vowed to strengthen his country's nuclear forces.", -1),
    ("EU ministers agreed on Monday to freeze the assets of twelve officials.", -1),
    ("The president ordered a pause in relations with the two embassies.", -1),
    ("Canberra cancelled the visas of two academics on security grounds.", -1),
    ("France returned 26 looted artefacts to Benin.", 1),
])
def test_word_senses_and_event_readings(text, sign):
    net = generic(text)["net"]
    assert math.copysign(1, net) == sign and abs(net) >= SCORER.settings_.label_threshold, (text, net)


def test_an_inserted_relative_clause_does_not_cut_its_sentence_in_two():
    # The failure verb after the insertion still reaches the subject's event.
    r = generic("The meeting, which lasted more than three hours, ended without a joint statement.")
    assert r["net"] < 0 and "failed: 'ended without'" in r["evidence"]
    r = generic("The talks, which were held in Geneva and lasted a week, collapsed.")
    assert r["net"] < 0
    # The insertion's own cues keep their background reading.
    assert "annexed (fight -5.00) [background 'which']" in generic("Russia, which annexed Crimea, issued a statement.")["evidence"]


def test_the_comma_of_a_number_ends_no_clause():
    # "1,000" once split the clause, so "killed" became a head event of its own.
    r = generic("Kyiv and Moscow exchanged the bodies of more than 1,000 soldiers killed in the war.")
    assert r["net"] > 0 and "killed (assault -0.90) [complement]" in r["evidence"], r["evidence"]
    # Nor is it the end of an inserted clause.
    r = generic("The meeting, which drew 1,000 people, ended without a statement.")
    assert r["net"] < 0 and "failed: 'ended without'" in r["evidence"], r["evidence"]


def test_a_setting_weighs_less_than_a_relative_clause():
    # "after the attack" tells what came before (0.3x); "which …" describes a participant (0.5x).
    assert "attack (assault -2.70) [background 'Following']" in generic("Following the attack, Biden called Lula.")["evidence"]
    assert generic("Following the attack, Biden called Lula to convey his support.")["net"] > 0
    r = generic("The operation was backed by Moscow, which stepped up its air strikes.")
    assert "air strikes (fight -5.00) [background 'which']" in r["evidence"], r["evidence"]


def test_a_marker_inside_a_longer_one_opens_no_clause():
    # "after" inside "two days after", "though" inside "even though": the longer marker governs its clause.
    r = generic("Two days after signing a trade deal, Beijing imposed tariffs on Australian barley.")
    assert r["net"] < 0 and "[background 'days after']" in r["evidence"], r["evidence"]
    r = generic("Regime forces stepped up their attacks even though the district falls within a de-escalation zone.")
    assert r["net"] < 0 and "[concessive 'even though']" in r["evidence"], r["evidence"]


def test_continuing_fighting_is_a_state_and_armies_withdrawing_de_escalate():
    assert "fighting raged (conflict_state" in generic("Even as fighting raged in the north, the two sides exchanged "
                                                         "prisoners in the south.")["evidence"]
    assert generic("Even as fighting raged in the north, the two sides exchanged prisoners in the south.")["net"] > 0
    assert generic("The army withdrew from the town after three weeks of fighting.")["net"] > 0
    assert generic("Russia withdrew from the grain deal.")["net"] < 0


def test_a_while_clause_is_concessive():
    r = generic("While welcoming the truce, Kyiv accused Moscow of violating it within hours.")
    assert r["net"] < 0 and "[concessive 'While'" in r["evidence"], r["evidence"]


def test_a_labour_strike_is_a_protest_not_an_attack():
    assert "protest" in generic("Striking workers blocked the port.")["evidence"]
    assert "fight" not in generic("The miners strike entered its third week.")["evidence"]
    assert "fight" in generic("Russia launched strikes on Kyiv.")["evidence"]


def test_what_a_neutral_event_is_about_does_not_count():
    # CAMEO codes the claim (015) or the study of a proposal (014), both 0.
    r = generic("The group claimed responsibility for the attack on the convoy.")
    assert r["net"] == 0 and "about a neutral event" in r["evidence"], r["evidence"]
    r = generic("Hamas said it was studying the latest ceasefire proposal.")
    assert r["net"] == 0 and "consider_policy" in r["evidence"], r["evidence"]
    # The attack in a clause of its own still counts.
    assert generic("Gunmen attacked the convoy, and the group claimed responsibility.")["net"] < 0


def test_a_conflict_named_as_the_topic_of_talks_does_not_count():
    # CAMEO codes the consultation (040), not the fight it was about.
    r = generic("Fidan held talks with his Iraqi counterpart on water and the fight against the PKK.")
    assert r["net"] > 0 and "topic of talks" in r["evidence"], r["evidence"]
    assert generic("Erdogan and Putin discussed the war in Ukraine.")["net"] > 0
    # What the talks produced still counts, and a negated meeting is no topic head.
    assert "topic of talks" not in generic("The presidents met in Dushanbe and signed a treaty.")["evidence"]
    r = generic("Washington said it would not meet the hostage-takers' demands.")
    assert r["net"] < 0 and "topic of talks" not in r["evidence"], r["evidence"]


def test_when_talks_fail_their_topic_fails_with_them():
    # The failure verb reaches the talks past "with X on Y", and what they sought is not reached.
    r = generic("Talks with the IMF on a new loan collapsed.")
    assert r["net"] < 0 and "Talks with (consult -0.60) [failed: 'collapsed']" in r["evidence"], r["evidence"]
    assert "topic of failed talks" in r["evidence"]
    r = generic("The minister said talks with Gazprom on a new gas price had stalled.")
    assert r["net"] < 0 and "failed: 'stalled'" in r["evidence"], r["evidence"]
    assert generic("Peace talks broke off in April.")["net"] < 0
    # A zero weight is printed as +0.00, never -0.00.
    assert "-0.00" not in generic("We believe there should be a negotiated end to this war.")["evidence"]


def test_missile_launches_and_disasters():
    assert generic("North Korea fired two short-range ballistic missiles into the sea.")["net"] < 0
    assert generic("Rebels fired dozens of rockets at the airport.")["net"] < 0
    # A flood or an earthquake kills no one's enemy: no event.
    assert generic("Floods killed 200 people in Pakistan.")["evidence"] == ""
    r = generic("Japan expressed condolences after the earthquake that killed 3,000 people.")
    assert r["net"] > 0 and "assault" not in r["evidence"], r["evidence"]
    assert generic("Israeli air strikes killed 20 people.")["net"] < 0


def test_a_failure_verb_reaches_past_who_took_part():
    r = generic("The talks between the government and the teachers' union broke down on Friday.")
    assert r["net"] < 0 and "failed: 'broke down'" in r["evidence"], r["evidence"]
    assert generic("Moscow said it would not take part in the summit.")["net"] < 0


def test_back_as_an_adverb_is_not_support():
    for sentence in ("The delegation went back to Ankara on Monday.", "Let me go back to your question.",
                     "The talks were held back in 2019."):
        assert "diplomatic_cooperation" not in generic(sentence)["evidence"], sentence
    assert generic("There is no doubt that the ministers will meet again.")["net"] > 0
    # "resolve" as a noun or "resolve to" (determine) undoes nothing.
    assert generic("We resolve to support Ukraine.")["net"] > 0


def test_everyday_senses_of_event_words_are_not_events():
    # Found by auditing the most frequent cue forms in the shared corpora.
    for sentence in ("Thank you, Karine.", "I want to ask you about Syria.", "I can't speak to that.",
                     "Congress has to deal with the debt limit.", "He filed his tax return late.",
                     "We want a free and open Indo-Pacific.", "The two teams are in close touch.",
                     "We are working to strengthen supply chains.", "Protecting consumers is the priority.",
                     "It is important to note the timing.", "That is a good sign.", "The ministry issued a press release.",
                     "I have to go.", "Have you received the letter?", "I will stop there.",
                     "What is your understanding of the situation?", "The plan will meet the needs of farmers.",
                     "Erdogan spoke to reporters on the plane.", "Rescue workers pulled survivors from the rubble.",
                     "Nine people were killed in a plane crash.", "The opposition alliance named its candidate."):
        assert generic(sentence)["evidence"] == "", (sentence, generic(sentence)["evidence"])
    for sentence, sign in (("Turkey closed its airspace to Russian planes.", -1), ("Hamas agreed to free the hostages.", 1),
                           ("Peacekeepers were sent to protect civilians.", 1), ("Erdogan thanked Putin for the gas deal.", 1),
                           ("Moscow said it would return to the grain deal.", 1), ("Russia stopped gas deliveries to Bulgaria.", -1),
                           ("Turkey must withdraw its troops from Syria, the Kremlin said.", -1),
                           ("Ankara and Moscow reached an understanding on Idlib.", 1), ("Erdogan will meet Putin in Sochi.", 1)):
        assert math.copysign(1, generic(sentence)["net"]) == sign, (sentence, generic(sentence)["evidence"])


def test_headlines_in_capitals_or_title_case_are_scored():
    # Capitals usually mark a name ("Shanghai Cooperation Organisation"), but
    # not in a headline, where every word has one.
    assert generic("TURKEY SHOOTS DOWN RUSSIAN WARPLANE NEAR SYRIAN BORDER")["net"] < 0
    assert generic("Kremlin Slams Ankara Over Drone Sales To Kyiv")["net"] < 0
    assert generic("Turkey Summons Russian Envoy")["net"] < 0
    assert generic("RUSSIA AND TURKEY SIGN GAS DEAL")["net"] > 0
    # A long title-case run is a list of names, where capitals do mark names.
    assert generic("Leaders attended the Shanghai Cooperation Organisation summit in Astana.")["evidence"] \
        == "summit (consult +1.00)"
    assert generic("Nominee for Member of the Federal Energy Regulatory Commission")["evidence"] == ""


def test_a_press_briefing_is_not_intelligence_sharing():
    assert generic("She took questions at the daily briefing.")["evidence"] == ""
    assert generic("Turkey briefed Russia on the operation.")["net"] > 0


def test_a_negator_inside_a_cue_belongs_to_it():
    # "not tolerate" is a threat; its "not" does not also negate the attacks.
    r = generic("Turkey would not tolerate attacks on its observation posts.")
    assert r["net"] < -0.5 and "negated" not in r["evidence"], r["evidence"]
    # A negator that only overlaps a cue still negates what follows it.
    assert "negated by 'refused to'" in generic("Turkey refused to join the sanctions against Russia.")["evidence"]


def test_not_cues_hide_the_cue_inside_an_office_or_a_body():
    assert generic("The finance minister was in the room.")["evidence"] == ""
    assert generic("The party pledged to fight poverty and corruption.")["net"] >= 0
    assert "war crime" in generic("It would be a war crime.")["evidence"]
    assert generic("The two presidents laid wreaths at the war memorial.")["evidence"] == ""
    assert "fight" not in generic("The senator keeps fighting for working families.")["evidence"]
    assert "provide_aid" not in generic("He was accused of embezzling public funds.")["evidence"]
    assert generic("Speaking at a news conference, the minister said nothing new.")["evidence"] == ""
    assert "consult" in generic("The two leaders gave a joint news conference.")["evidence"]
    assert "(provide_aid" in generic("Turkey will finance the project.")["evidence"]
    assert "conflict_state" not in generic("The UN refugee agency distributed tents to the families.")["evidence"]
    # Releasing a statement or a report is publishing, not freeing; being asked
    # about something is a journalist's question, not an appeal.
    assert generic("The Kremlin released a statement on Tuesday evening.")["evidence"] == ""
    assert generic("Footage released by the ministry showed the convoy.")["evidence"] == ""
    assert "release" in generic("Ankara released the detained sailors.")["evidence"]
    assert generic("Asked about the weather, Peskov smiled.")["evidence"] == ""
    assert generic("The spokesman was asked whether Ankara would join.")["evidence"] == ""
    assert "appeal" in generic("Ankara asked Moscow for more gas.")["evidence"]
    assert "decline_comment" in generic("The Kremlin spokesman said he had nothing to add.")["evidence"]
    # Troops backed by artillery are armed, not politically supported.
    assert "diplomatic_cooperation" not in generic("Troops, backed by artillery and drones, entered the town.")["evidence"]


def test_a_users_lexicon_may_list_its_own_not_cues(tmp_path):
    from analysis.vocab import data_path

    text = data_path("cues.yaml").read_text(encoding="utf-8").replace("not_cues: [", 'not_cues: ["peace process", ', 1)
    mine = Scorer(cues=write(tmp_path / "cues.yaml", text), tone=False)
    sentence = "She wrote a book on the peace process."
    assert "intent_settle" in score_sentence("The peace plan was signed.", mine)["evidence"]
    assert score_sentence(sentence, mine)["evidence"] == "" != generic(sentence)["evidence"]


def test_the_lexicon_stays_small_enough_to_compile_quickly():
    # One brace pattern once expanded to 127,008 forms and made every scorer
    # (each test, each worker) take a second to compile; gaps ("*") keep such
    # patterns small. Today: about 50,000 forms, compiled in 0.2-0.35 s.
    assert len(SCORER.compile().lexicon_.forms) < 60_000


def test_a_question_counts_like_a_hedge():
    asked, said = generic("Will Turkey close the straits to Russian warships?"), generic("Turkey closed the straits.")
    assert "question" in asked["evidence"] and 0 > asked["net"] > said["net"], (asked, said)


def test_a_misplaced_gap_in_a_users_lexicon_is_a_clear_error(tmp_path):
    from analysis.errors import ConfigError
    from analysis.vocab import data_path

    text = data_path("cues.yaml").read_text(encoding="utf-8").replace("not_cues: [", 'not_cues: ["* talks", ', 1)
    path = write(tmp_path / "cues.yaml", text)
    with pytest.raises(ConfigError, match=r"cues\.yaml: '\* talks': a '\*' must stand between two parts"):
        Scorer(cues=path, tone=False).compile()


@pytest.mark.parametrize("key,old,new", [("go_between", "[host, mediate]", "[host, broker]"),
                                           ("topic_heads", "[consult, negotiate]", "[broker]"),
                                           ("hostile_acts", "[sanction,", "[broker, sanction,"),
                                           ("protective_acts", "[force_posture]", "[broker]"),
                                           ("comment_heads", "[pessimistic_comment, optimistic_comment]", "[broker]")])
def test_go_between_and_topic_head_categories_must_exist(tmp_path, key, old, new):
    from analysis.vocab import data_path

    text = data_path("scorer.yaml").read_text(encoding="utf-8").replace(f"{key}: {old}", f"{key}: {new}")
    with pytest.raises(ConfigError, match=f"{key} names no lexicon category: broker"):
        Scorer(settings=write(tmp_path / "scorer.yaml", text), tone=False).compile()


def test_a_building_is_not_construction():
    assert generic("They met in the building.")["evidence"].count("material_cooperation") == 0
    assert generic("Russia built the Akkuyu plant.")["net"] > 0


# ------------------------------------------------------------------ who the friction is between

def test_third_party_strain_is_not_dyad_friction():
    r = dyad("Ties between NATO allies Turkey and the United States were badly strained over Ankara's "
             "acquisition of the advanced S-400 Russian air defense system.")
    assert r["friction"] == 0
    assert r["third_party_friction"] > 0
    assert r["cooperation"] > 0 and r["net"] > 0


def test_one_side_and_another_state_is_third_party_context():
    # The default dyad tracks the states that Turkey–Russia news names most,
    # so one side's dealings with them stay out of the pair's score.
    for sentence in ("Russia cut gas deliveries to Bulgaria.",
                     "The French President talked with Putin on Tuesday.",
                     "Britain's foreign secretary cancelled a visit to Moscow."):
        r = dyad(sentence)
        assert r["cooperation"] == 0 and r["friction"] == 0, (sentence, r["evidence"])
        assert r["third_party_cooperation"] + r["third_party_friction"] > 0, sentence


def test_a_pair_phrase_beside_one_side_and_a_third_party_means_those_two():
    r = dyad("President Biden will hold a bilateral meeting with Erdogan in Brussels.")
    assert r["relevance"] == "context" and r["cooperation"] == 0, r["evidence"]
    r = dyad("A ceasefire between Ankara and the PKK collapsed after the two sides traded accusations.")
    assert r["friction"] == 0 and r["third_party_friction"] > 0, r["evidence"]
    # Without a third party, the pair phrase is the pair.
    r = dyad("Erdogan said the two countries would deepen their cooperation.")
    assert r["relevance"] == "direct" and r["cooperation"] > 0, r["evidence"]


def test_a_list_of_actors_before_a_comma_acts_together():
    # "Russia, Iran and Turkey agreed": the comma after Russia opens no new clause
    # for who acts; a place after a preposition is not part of the list.
    assert dyad("Russia, Iran and Turkey agreed to a nationwide ceasefire.")["cooperation"] > 0
    assert dyad("Russia Iran and Turkey agree to a ceasefire.")["cooperation"] > 0  # punctuation lost in scraping
    assert dyad("In Moscow, Turkey and Iran agreed to a ceasefire.")["cooperation"] == 0


def test_a_setting_clause_without_actors_is_background_and_lists_continue_to_the_right():
    # "since the 2022 invasion" is when, not something Turkey did to Russia.
    r = dyad("Turkey has sought to maintain good relations with both Ukraine and Russia since the 2022 invasion.")
    assert r["net"] > 0 and r["friction"] == 0, r["evidence"]
    # A setting clause that names who acted still counts.
    assert dyad("After Russian jets struck Turkish troops, Ankara protested.")["friction"] > 0
    # "despite the war": a state noun in a concessive clause is scenery too.
    assert dyad("Russian tourists kept coming to Turkey despite the war.")["friction"] == 0
    assert dyad("Turkey signed the deal despite Russian objections.")["friction"] > 0
    # A relative clause is no setting: "which back opposing sides" is about the pair.
    assert dyad("Turkey and Russia, which back opposing sides in the war, agreed to a ceasefire.")["friction"] > 0


def test_a_complement_naming_one_side_belongs_to_a_third_party_event():
    # The thanks are Ukraine's to Turkey; "its support" elaborates them.
    r = dyad("Ukraine thanked Turkey for its support during the grain talks.")
    assert not r["net"] > 0 and r["third_party_cooperation"] > 0, r
    # A complement that names both sides is still theirs (the S-400 example).
    r = dyad("Ties between Turkey and the United States were strained over Ankara's purchase of Russian S-400s.")
    assert r["net"] > 0 and r["third_party_friction"] > 0, r


def test_a_side_named_as_a_border_is_a_place_not_an_actor():
    for sentence in ("Russian jets hit an outpost in Idlib near the border with Turkey, killing one fighter.",
                     "Russian warplanes struck villages near the Turkish border.",
                     "Russian warplanes struck villages near the Turkish-Syrian border."):
        r = dyad(sentence)
        assert r["sides"] == "russia" and r["relevance"] == "context", (sentence, r["sides"])
    # A resolution is a document: those who vote for it act.
    r = dyad("Turkey voted in favour of a UN General Assembly resolution condemning Russia's annexation.")
    assert r["net"] < 0 and "condemning" in r["evidence"], r
    # Border guards act, and one side's border with the other is theirs.
    for sentence in ("Turkish border guards detained Russian citizens.", "Turkey closed its border with Russia."):
        assert dyad(sentence)["relevance"] == "direct", sentence


def test_a_second_verb_belongs_to_the_subject_not_the_first_verbs_object():
    # Erdogan, not Zelensky, offers to mediate with Moscow.
    r = dyad("Erdogan met Zelensky in Lviv and offered to mediate with Moscow.")
    assert r["net"] > 0 and "mediate" in r["evidence"], r
    r = dyad("Russia attacked Ukraine and killed three Turkish sailors.")
    assert r["net"] < 0 and "killed" in r["evidence"], r
    # The thanks are Zelensky's: Ukraine and Turkey, a third party's event.
    r = dyad("Zelensky met Erdogan and thanked him for his support.")
    assert r["evidence"] == "" and r["third_party_cooperation"] > 0, r


def test_an_actor_inside_the_cue_takes_part_and_trade_figures_count_a_little():
    r = dyad("Moscow said Turkey's drone sales to Kyiv would damage bilateral relations.")
    assert r["net"] < 0 and "damage bilateral relations" in r["evidence"], r
    # A statistic weighs 2, not the 6.4 of a trade deal, and governs no clause.
    r = dyad("Turkey's exports to Russia fell sharply last year.")
    assert r["evidence"] == "exports to Russia fell (trade_decline -2.00; turkey → russia)", r["evidence"]
    assert dyad("Turkey's exports to Russia surged by 60 percent.")["net"] > 0
    assert dyad("The Turkish minister said exports to Russia had fallen by a third.")["net"] < 0
    assert dyad("A Turkish court acquitted a Russian citizen accused of spying.")["net"] > 0


def test_the_agent_of_an_event_named_as_the_object_takes_part():
    r = dyad("Erdogan said Turkey would never recognise the annexation of Crimea by Russia.")
    assert r["net"] < 0 and "recognise" in r["evidence"], r


def test_crimea_style_friction_is_dyad_friction():
    r = dyad("Turkey is against Russia's annexation of Crimea.")
    assert r["net"] < 0 and r["friction"] > 0


def test_evidence_names_cues_and_offsets_index_the_sentence():
    articles = pd.DataFrame({"article_id": ["a"], "text": ["Noise first. Turkey and Russia signed a deal."]})
    sentences = SCORER.score_articles(articles)
    row = sentences.iloc[1]
    assert articles["text"][0][row["start"]:row["end"]] == row["text"]
    assert "signed" in row["evidence"]


@pytest.mark.parametrize("noise", [1, 12])
def test_cues_are_found_at_their_place_however_much_text_names_neither_side(noise):
    # Cues are only looked for in sentences that can count; with little or much
    # surrounding text naming neither side (one pass, or one per run of
    # sentences) the cues land on the right sentence at the right offsets.
    filler = " ".join(["Iran condemned the strikes and signed a deal."] * noise)
    text = f"{filler} Turkey condemned Russia's strikes. {filler}\n\nAnkara and Moscow signed a deal. They praised the talks."
    sentences = SCORER.score_articles(pd.DataFrame({"article_id": ["a"], "text": [text]}))
    scored = sentences[sentences["evidence"] != ""]
    assert scored["text"].tolist() == ["Turkey condemned Russia's strikes.", "Ankara and Moscow signed a deal.",
                                       "They praised the talks."]
    spans = [[row.text[s:e] for s, e, *_ in json.loads(row.cue_spans)] for row in scored.itertuples()]
    assert spans == [["condemned", "strikes"], ["signed a deal"], ["praised", "talks"]]
    assert scored["net"].tolist()[0] < 0 < scored["net"].tolist()[1]
    assert (sentences.loc[sentences["relevance"] == "none", "evidence"] == "").all()


def test_scores_in_range_and_article_topics():
    articles = pd.DataFrame({"article_id": ["a", "b"], "published": pd.to_datetime(["2021-01-01", "2022-01-01"]),
                             "text": ["Turkey and Russia signed a gas deal. Turkey condemned Russia over Syria.",
                                      "Washington and Brussels met."], "duplicate_of": ["", ""]})
    sentences = score_corpus(articles, tone=False)
    assert sentences["net"].between(-1, 1).all()
    assert (sentences["cooperation"] >= 0).all() and (sentences["friction"] >= 0).all()
    table = article_topics(sentences, articles)
    row = table[(table["article_id"] == "a") & (table["topic"] == "all")].iloc[0]
    expected = sentences[sentences["article_id"] == "a"]["net"].mean()
    assert row["net"] == pytest.approx(expected)
    assert row["n_sentences"] == 2 and row["top_cooperation"] == 0 and row["top_friction"] == 1
    assert set(table[table["article_id"] == "a"]["topic"]) == {"all", "energy", "syria"}
    assert "b" not in set(table["article_id"])


def test_an_article_that_relates_nothing_has_no_topic_rows_and_a_mixed_sentence_counts_zero():
    sentences = SCORER.score_articles(pd.DataFrame({"article_id": ["a"], "text": ["Turkey and Russia are countries."]}))
    assert article_topics(sentences).empty
    frame = pd.DataFrame({"article_id": ["b"] * 2, "sentence": [0, 1], "relevance": ["direct", "direct"],
                          "weight": [1.0, 1.0], "topics": ["energy", "energy"], "net": [0.0, 0.5],
                          "cooperation": [2.0, 3.0], "friction": [2.0, 0.0]})
    table = article_topics(frame).set_index("topic")
    assert table.loc["energy", "net"] == pytest.approx(0.25) and table.loc["energy", "n_evidence"] == 2


# ------------------------------------------------------------------ another dyad, bad vocabularies

def test_another_dyad_needs_only_a_file(tmp_path):
    path = write(tmp_path / "dyad.yaml", "name: India–China\nsides:\n  - id: india\n    aliases: [India, Indian, New Delhi, Modi]\n"
                                         "  - id: china\n    aliases: [China, Chinese, Beijing, Xi]\nthird_parties: []\n")
    scorer = Scorer(dyad=path, tone=False)
    r = score_sentence("India accused China of border incursions.", scorer, dyad_filter=True)
    assert r["sides"] == "india;china" and r["net"] < 0


@pytest.mark.parametrize("content,message", [
    ("sides: [a, b\n", "YAML syntax error"),
    ("sides: []\ncolour: red\n", "unknown key"),
    ("sides:\n  - id: a\n    aliases: [A]\n", "exactly two"),
])
def test_bad_dyad_files_stop_with_a_message(tmp_path, content, message):
    path = write(tmp_path / "bad.yaml", content)
    with pytest.raises(ConfigError, match=message):
        Scorer(dyad=path).compile()


def test_bad_lexicon_weight(tmp_path):
    path = write(tmp_path / "cues.yaml", "categories:\n  - id: x\n    weight: 40\n    mode: verbal\n    phrases: [y]\n")
    with pytest.raises(ConfigError, match="Goldstein range"):
        Scorer(cues=path).compile()


def test_unquoted_no_in_a_word_list_is_caught(tmp_path):
    from analysis.vocab import load_modifiers

    text = open(__import__("analysis.vocab", fromlist=["x"]).data_path("modifiers.yaml"), encoding="utf-8").read()
    path = write(tmp_path / "m.yaml", text.replace('"no", never', "no, never"))
    with pytest.raises(ConfigError, match="quote"):
        load_modifiers(path)


# ------------------------------------------------------------------ validation floor

def test_dyad_probe_floor():
    # 275 Turkey–Russia sentences labelled by who the cooperation or friction is
    # between: "none" when it is between one side and a third party. Today
    # 244 are right; the floor keeps the actor and scope rules from sliding back.
    from conftest import DATA

    probes = pd.read_csv(DATA / "dyad_probe_sentences.csv")
    right = 0
    for text, label in zip(probes["text"], probes["label"], strict=True):
        net = dyad(text)["net"]
        predicted = "cooperation" if net >= 0.05 else "friction" if net <= -0.05 else "none"
        right += predicted == label
    assert len(probes) == 275 and right >= 237, right


def test_one_sided_idioms_and_trust():
    assert dyad("Ankara sold drones to Kyiv, a move that irritated Moscow.")["net"] < 0
    assert dyad("Erdogan said he trusted Putin.")["net"] > 0
    assert generic("Turkey's central bank cut rates as inflation eased.")["evidence"] == ""
    assert generic("The most trusted voices are local doctors.")["evidence"] == ""


def test_probe_sentences_floor():
    # Thirty-four sets of news-style sentences (tests/data/README.md): blind
    # scores 0.76-0.97, used for development since; this guards the rules they prompted.
    from conftest import DATA

    probes = pd.read_csv(DATA / "probe_sentences.csv", dtype={"cameo_code": str})
    result = evaluate(probes, goldstein_column=None, scorer=SCORER)
    assert result.n == 2630 and result.macro_f1 >= 0.92, result.summary()


def test_dev_set_floor():
    """A trivial scorer cannot pass: always-friction gives macro-F1 0.39, VADER 0.60 and rho 0.39.

    The floor sits under today's 0.937 / 0.826, so a rule change that costs
    the dev set shows here."""
    result = evaluate()
    assert result.n == 276
    assert result.macro_f1 >= 0.90
    assert result.spearman >= 0.78
    assert result.quad_n == 276 and result.quad_agreement >= 0.75


def test_a_concessive_clause_yields_to_the_main_event():
    # Equal weights, opposite signs: the main clause's meeting is the event, the objections scenery.
    r = generic("The Dalai Lama met President Bush at the White House, despite strong objections from Beijing.")
    assert r["net"] > 0.05 and "[concessive 'despite'" in r["evidence"], r["evidence"]
    assert generic("Shelling continued despite a de-escalation agreement.")["net"] < 0


def test_expressed_hope_is_an_optimistic_comment_and_a_bare_hope_is_not():
    r = generic("The Chinese premier expressed hope that ties with Japan would improve.")
    assert r["net"] > 0.05 and "optimistic_comment" in r["evidence"], r["evidence"]
    assert generic("We hope that you will bear with me.")["evidence"] == ""


def test_ordering_someone_to_leave_is_an_expulsion():
    r = generic("Uzbekistan ordered the US military to leave the air base within six months.")
    assert r["net"] < 0 and "(expel" in r["evidence"], r["evidence"]


def test_stationing_battlegroups_is_force_posture_even_when_agreed():
    r = generic("NATO allies agreed to station four new multinational battlegroups in eastern Europe.")
    assert r["net"] < 0 and "(force_posture" in r["evidence"], r["evidence"]
    assert generic("Russia stationed troops along the border.")["net"] < 0


def test_keeping_a_stake_is_economic_cooperation():
    r = generic("Mitsui decided to keep its stake in the Sakhalin-2 LNG project despite Western sanctions on Moscow.")
    assert r["net"] > 0 and "(economic_cooperation" in r["evidence"], r["evidence"]


def test_the_main_clause_event_decides_against_its_setting():
    # A strong conflict in the setting does not outweigh the meeting the sentence reports.
    r = generic("Following deadly clashes on the border, Indian and Chinese commanders met to discuss disengagement.")
    assert r["net"] > 0.05 and "main event weighs more" in r["evidence"], r["evidence"]
    r = generic("The rebels said they will release the prime minister, whom they had taken hostage two weeks ago.")
    assert r["net"] > 0.05, r["evidence"]
    # The setting still counts when the main clause has no event of its own.
    assert generic("After the clashes, the commanders went home.")["net"] < 0
    # A participial result clause is not capped: "drawing an angry protest" is news of its own.
    r = generic("Troops staged drills near the border, drawing an angry protest from the neighbours.")
    assert "main event weighs more" not in r["evidence"], r["evidence"]


def test_the_cap_works_within_a_scope():
    # The sentence's only Turkey-Russia event is in the setting: a third-party meeting does not cap it.
    r = dyad("After Russia shot down a Turkish jet, NATO envoys met in Brussels.")
    assert r["friction"] > 0 and r["net"] < 0 and "main event weighs more" not in r["evidence"], r["evidence"]


def test_recall_as_a_phrase_and_resigned_to_are_not_events():
    assert "recall" not in generic("It was, as I recall, Russia who objected.")["evidence"]
    assert "resigned" not in generic("Residents seemed resigned to the resumption in bombing.")["evidence"]


def test_a_passive_met_is_not_a_meeting():
    r = generic("Any attack on our territory will be met with a swift and decisive response.")
    assert "consult" not in r["evidence"] and r["net"] < 0, r["evidence"]
    assert "consult" in generic("Erdogan met Putin in Sochi.")["evidence"]


def test_in_a_passive_clause_the_verb_is_the_event():
    r = generic("The opposition's request for an international audit of the vote count was rejected.")
    assert r["net"] < 0 and "[what was 'rejected']" in r["evidence"], r["evidence"]
    assert generic("Aid deliveries were blocked at the border.")["net"] < 0
    # Not across a clause opener, a verb or a modal: what follows is another clause.
    r = generic("Russia has refused to extend the deal unless Western sanctions are eased.")
    assert r["net"] < 0 and "what was" not in r["evidence"], r["evidence"]
    assert "what was" not in generic("And it has to be built on two basic premises.")["evidence"]
    assert "what was" not in generic("There is no hope of aid being delivered.")["evidence"]


def test_receiving_hosts_visitors_not_things():
    assert "(host" in generic("Putin received Erdogan at the Kremlin.")["evidence"]
    r = generic("Pope Francis received the Ukrainian president at the Vatican.")
    assert r["evidence"].count("(host") == 1 and r["net"] > 0, r["evidence"]
    assert generic("The group received a new proposal from the mediators.")["evidence"].count("(host") == 0
    assert generic("Millions of children received their first shot.")["evidence"] == ""


def test_burning_flags_is_a_protest():
    r = generic("Demonstrators burned French flags outside the embassy.")
    assert r["net"] < 0 and "burned French flags (protest" in r["evidence"], r["evidence"]


@pytest.mark.parametrize("text", [
    "Just a few more questions on the object.",          # a thing, not objecting
    "You may recall that the channel was used before.",  # remembering, not recalling an envoy
    "Lavrov recalled that it was cold.",
    "They will demonstrate that they can act.",          # showing, not demonstrating in the streets
    "Let's take a step back for a second.",             # an idiom, not yielding
    "The Canadians are in charge of the search.",        # not a criminal charge
    "There was a decline in prices.",                    # not declining an offer
    "Inflation declined to 2.1 percent.",
    "Construction workers went home.",
    "The plan put pensions on the chopping block.",
])
def test_common_words_in_their_other_senses_are_not_events(text):
    assert generic(text)["evidence"] == "", generic(text)["evidence"]


def test_the_event_senses_of_those_words_remain():
    assert "(reduce_relations" in generic("Morocco recalled its ambassador from Tunisia.")["evidence"]
    assert "(reduce_relations" in generic("Officials said the envoy had been recalled.")["evidence"]
    assert "(disapprove" in generic("Turkey objected to the plan.")["evidence"]
    assert "(protest" in generic("Thousands of Kurds demonstrated in Kirkuk on Sunday.")["evidence"]
    assert "(reject" in generic("Hungary declined to sign the joint statement.")["evidence"]
    assert "(reject" in generic("The minister declined the invitation.")["evidence"]
    assert "(administrative_sanction" in generic("Prosecutors charged two officers with war crimes.")["evidence"]
    assert "(provide_aid" in generic("The bank agreed to finance the project.")["evidence"]
    r = generic("Turkey summoned the Russian chargé d'affaires.")
    assert "administrative_sanction" not in r["evidence"] and r["net"] < 0, r["evidence"]


def test_a_call_for_a_hostile_act_is_that_act_intended():
    r = generic("The opposition leader called for mass protests against the stolen election.")
    assert r["net"] < 0 and "protests (protest" in r["evidence"] and "intention 'called for'" in r["evidence"], r["evidence"]
    # A reversal before or after the act keeps the appeal: an appeal to yield.
    assert "appeal to yield" in generic("Zelensky called for sanctions to be lifted.")["evidence"]
    assert "appeal to yield" in generic("The union called for an end to the strike.")["evidence"]


def test_an_appeal_for_restraint_is_an_appeal_for_de_escalation():
    # CAMEO 0256, Goldstein -0.3, like every appeal to yield.
    for text in ("Beijing called for restraint.", "The UN chief urged both sides to show restraint."):
        r = generic(text)
        assert -0.2 < r["net"] < 0, (text, r["evidence"])
    assert generic("The army showed restraint during the protests.")["net"] > 0
    assert generic("The president is not a voice of restraint.")["evidence"] == ""


def test_an_appeal_to_refrain_or_hold_off_is_an_appeal_to_yield():
    # What is asked for is not done: the appeal is CAMEO 025 (-0.3), and the
    # act to be refrained from counts neither way.
    for text in ("Brussels called on Belgrade and Pristina to refrain from unilateral steps and return to the dialogue.",
                 "Washington asked Ankara to hold off on the offensive in northern Syria.",
                 "The UN urged Israel and Hezbollah to avoid any escalation."):
        r = generic(text)
        assert -0.2 < r["net"] < 0 and "appeal to yield" in r["evidence"], (text, r["evidence"])
    # Pleading guilty is no appeal.
    assert "appeal" not in generic("He pleaded guilty to avoid a trial.")["evidence"]


def test_not_bowing_to_pressure_is_defiance_and_bowing_to_it_a_concession():
    for text in ("The Serbian president said Belgrade would not bow to pressure to impose sanctions on Russia.",
                 "Greece said it would not give in to blackmail.",
                 "Moscow said it would never yield to Western pressure."):
        r = generic(text)
        assert r["net"] < -0.3 and "yield" in r["evidence"], (text, r["evidence"])
    r = generic("The prime minister caved in to pressure from his coalition partners.")
    assert r["net"] > 0.3 and "caved in to pressure (yield" in r["evidence"], r["evidence"]


def test_a_vow_to_respond_with_force_is_a_threat():
    for text in ('"We will respond with all means at our disposal," the Russian defence ministry said.',
                 "Iran said it would respond decisively to any attack on its nuclear facilities.",
                 'Moscow warned of a "mirror response" if Ankara closed the straits.'):
        r = generic(text)
        assert r["net"] < -0.5 and "threaten" in r["evidence"], (text, r["evidence"])
    assert generic("The ministry said it would respond to the letter next week.")["evidence"] == ""


def test_news_boilerplate_and_mobilising_support_are_no_events():
    # "A request for comment" is the reporter's, not an appeal; "rallied the
    # world" gathers support, it is no demonstration (a rally in a city is).
    assert generic("The embassy has not yet responded to a request for comment.")["evidence"] == ""
    assert "protest" not in generic("The President has rallied the world to support Ukraine.")["evidence"]
    assert "protest" not in generic("Our allies rallied beside us.")["evidence"]
    assert generic("Thousands rallied in Tbilisi against the law.")["net"] < -0.5


def test_think_twice_is_a_warning_and_keeping_channels_open_cooperation():
    assert "threaten" in generic('"Turkey should think twice," Zakharova said.')["evidence"]
    r = generic("Ankara said it will keep its channels to Moscow open whatever happens in Ukraine.")
    assert r["net"] > 0.3 and "keep its channels (diplomatic_cooperation" in r["evidence"], r["evidence"]


def test_returning_seized_property_is_a_release_and_refusing_it_a_refusal():
    # "the seized cargo" names an earlier seizure: the event is the return.
    r = generic("Moscow said it would not return the seized Turkish cargo until the owners paid the fines.")
    assert r["net"] < -0.3 and "(release" in r["evidence"] and "(seize" not in r["evidence"], r["evidence"]
    assert generic("Russia returned the detained tanker to its Turkish owners.")["net"] > 0.5


def test_a_participle_set_off_by_commas_is_an_insertion_between_subject_and_verb():
    # The failure verb reaches its subject across the insertion, and what the
    # insertion says is background.
    r = generic("The ceasefire, signed with great fanfare in Doha, collapsed within hours as both sides resumed shelling.")
    assert r["net"] < 0 and "failed: 'collapsed'" in r["evidence"] and "[insertion" in r["evidence"], r["evidence"]
    r = generic("The report, released on Wednesday by the IAEA, found that Iran had breached the deal.")
    assert r["net"] < 0 and "released (release" in r["evidence"] and "insertion" in r["evidence"], r["evidence"]
    # The verb after the insertion is the main verb, not a participle clause of its own.
    r = generic("A Turkish-brokered deal, signed in Istanbul by Russia and Ukraine, collapsed after Moscow pulled out.")
    assert r["net"] < 0 and "participle 'collapsed'" not in r["evidence"], r["evidence"]
    # A second predicate (its verb has an object) and a subject that has a verb are no insertion.
    for text in ("Erdogan met Putin, signed a deal, and left.", "Jake felt optimistic, kept the families informed, and went home.",
                 "Russia attacked Ukraine, killed in the night, said officials."):
        assert "insertion" not in generic(text)["evidence"], text


def test_a_man_of_his_word_is_praise_and_not_resting_until_a_demand():
    r = generic('"We have our differences, but President Erdogan is a man of his word," Putin told reporters.')
    assert r["net"] > 0 and "man of his word (praise" in r["evidence"], r["evidence"]
    assert generic("Russia has proved a reliable partner, the Turkish energy minister said.")["net"] > 0.3
    r = generic('"We will not rest until the government resigns," the opposition leader told supporters.')
    assert r["net"] < -0.5 and "(demand" in r["evidence"], r["evidence"]


def test_an_appeal_for_troops_is_an_appeal_for_protection():
    r = generic("Albania asked NATO to deploy troops along its border with Kosovo.")
    assert r["net"] > 0.3 and "asked (appeal +3" in r["evidence"], r["evidence"]
    # Other hostile acts appealed for stay that act, intended.
    assert generic("The opposition leader called for mass protests.")["net"] < -0.5


def test_a_past_participle_after_a_comma_describes_the_noun_before_it():
    r = generic("Japan said it would resume yen loans to China, frozen since the Tiananmen crackdown.")
    assert r["net"] > 0.3 and "participle 'frozen'" in r["evidence"], r["evidence"]
    # With an object it is a second predicate, not a description.
    assert "participle" not in generic("Russia shelled the city, killed dozens and left.")["evidence"]


def test_raising_the_alert_level_is_force_posture_and_a_central_bank_deposit_aid():
    assert "force_posture" in generic("Taiwan raised its military alert level after the drills.")["evidence"]
    assert generic("The embassy raised the alert level for its citizens.")["evidence"] == ""
    r = generic("Saudi Arabia deposited $3 billion in Pakistan's central bank to shore up its reserves.")
    assert r["net"] > 0.5 and "(provide_aid" in r["evidence"], r["evidence"]


def test_what_a_hopeful_or_gloomy_comment_is_about_is_its_topic():
    # CAMEO 012/013: the comment is the event ("comment_heads" in scorer.yaml).
    r = generic('"Frankly, I don\'t expect much from this meeting," a senior European diplomat said.')
    assert r["net"] < 0 and "meeting (consult +0.00) [topic of a comment]" in r["evidence"], r["evidence"]
    assert generic("The minister was pessimistic about the peace plan.")["net"] < 0
    # An adjective before its noun comments on nothing: the talks are the event.
    assert "topic of a comment" not in generic("We have had constructive discussions with Pakistan.")["evidence"]


def test_refusing_to_talk_needing_aid_and_naming_targets():
    assert generic('"There is nothing to discuss with these people," the president said.')["net"] < -0.5
    assert generic('"We urgently need tents, blankets and heaters," the governor told aid agencies.')["net"] > 0.3
    r = generic('"Any ship heading to Ukrainian ports will be considered a military target," the ministry said.')
    assert r["net"] < -0.5 and "threaten_force" in r["evidence"], r["evidence"]
    assert generic("Is the bridge a legitimate target?")["evidence"] == ""


def test_speaking_by_hotline_or_video_link_is_consultation():
    r = generic("Leaders of the two Koreas spoke by hotline for the first time in a year, despite the North's missile launch.")
    assert r["net"] > 0 and "spoke by hotline (consult" in r["evidence"], r["evidence"]
    assert "(consult" in generic("The two presidents talked via video link.")["evidence"]


def test_taking_control_of_assets_is_seizure_and_a_decree_no_agreement():
    r = generic("Russian authorities have taken temporary control of the local assets of a Turkish construction company, "
                "according to a decree signed by Putin.")
    assert r["net"] < -0.5 and "(seize" in r["evidence"], r["evidence"]
    assert "sign_agreement" not in r["evidence"], r["evidence"]
    assert generic("Republicans took control of the House.")["evidence"] == ""
    r = generic('Peskov said Moscow valued its "very good" relations with Ankara.')
    assert r["net"] > 0.3 and "(praise" in r["evidence"], r["evidence"]


def test_sending_missiles_to_a_country_is_aid_and_to_strike_it_an_attack():
    r = generic("Britain sent Storm Shadow long-range missiles to Ukraine.")
    assert r["net"] > 0.5 and "(provide_aid" in r["evidence"], r["evidence"]
    for text in ("Russia sent missiles to strike Kyiv overnight.", "Russia sent waves of drones to attack Odesa."):
        r = generic(text)
        assert r["net"] < -0.5 and "(fight" in r["evidence"], (text, r["evidence"])
    # Dropping a currency peg is economic policy, not cutting ties.
    assert generic("The central bank said it would abandon its currency peg to the dollar.")["evidence"] == ""


def test_an_opening_setting_without_a_comma_ends_where_the_subject_begins():
    # Real text often drops the comma: the main clause is still the event.
    r = generic("Following the 2013 Ghouta attack the Syrian government joined the Chemical Weapons Convention.")
    assert r["net"] > 0.5 and "joined the Chemical Weapons Convention (sign_agreement +8" in r["evidence"], r["evidence"]
    r = generic("In the wake of the 2013 attack Assad agreed to a Russia-sponsored deal.")
    assert r["net"] > 0.5 and "agreed to (sign_agreement +8" in r["evidence"], r["evidence"]
    # A question asserts nothing: it keeps its hedge and its setting.
    assert generic("When was the last time the President spoke with the Secretary?")["net"] < 0.05


def test_claiming_an_attack_is_claiming_responsibility():
    r = generic("IS also claimed an October 2 bomb attack at a police station that killed at least 17 people.")
    assert r["net"] == 0 and "(claim_responsibility" in r["evidence"], r["evidence"]


def test_a_refused_or_negated_act_is_verbal():
    # CAMEO codes a refusal (12) as verbal conflict, not as the act refused.
    r = generic("Vice-President Moody Awori has declined to resign despite growing pressure.")
    assert r["quad"] == "verbal_conflict", r
    assert generic("Moscow said it would not return the seized cargo.")["quad"] == "verbal_conflict"


def test_a_snub_is_a_rejection():
    r = generic("Pakistan snubbed an Indian invitation to a regional security conference in New Delhi.")
    assert r["net"] < -0.5 and "snubbed (reject" in r["evidence"], r["evidence"]


def test_appeals_to_hand_over_power_or_cease_hostilities_are_appeals_to_yield():
    for text in ("Western governments urged the junta to hand power back to civilians.",
                 "The African Union called on both sides in Sudan to cease hostilities."):
        r = generic(text)
        assert -0.2 < r["net"] < 0 and "appeal to yield" in r["evidence"], (text, r["evidence"])
    # Ceasing hostilities is de-escalation.
    assert generic("The rebels ceased hostilities on Friday.")["net"] > 0.5


def test_spoken_forms_of_consultation_and_a_single_exercise():
    for text in ("Biden was on the phone with President Zelenskyy of Ukraine.",
                 "He expects to be speaking again with President Zelenskyy very soon.",
                 "Our team is having conversations with them."):
        assert "(consult" in generic(text)["evidence"], text
    r = generic("Over the weekend, China conducted a live-fire exercise.")
    assert r["net"] < -0.5 and "(force_posture" in r["evidence"], r["evidence"]


def test_a_withdrawal_of_forces_is_de_escalation():
    r = generic("The withdrawal of Russian forces from Kherson was completed in November.")
    assert r["net"] > 0.5 and "(de_escalate" in r["evidence"], r["evidence"]


def test_missiles_that_damaged_a_terminal_are_an_attack():
    r = generic("Russian missiles damaged a Turkish-owned grain terminal in Izmail, the company said.")
    assert r["net"] < -0.5 and "(assault" in r["evidence"], r["evidence"]


@pytest.mark.parametrize("text,category", [
    ("The minister berated the ambassador.", "disapprove"), ("France chided Italy over migrants.", "disapprove"),
    ("Moscow derided the proposal.", "disapprove"), ("Israel assailed the UN report.", "disapprove"),
    ("Police dispersed the crowd.", "coerce"), ("The opposition shunned the talks.", "reject"),
    ("The army routed the rebels.", "fight"), ("Rebels overran the base.", "fight"),
    ("Militants stormed the embassy.", "fight"), ("The delegation stormed out of the meeting.", "reject_negotiation"),
    ("Russia wrote off Cuba's debt.", "provide_aid"), ("The US unfroze Iranian assets.", "ease_sanctions"),
    ("The countries restored flights.", "economic_cooperation"),
    ("Russia's Sberbank opened a branch in Istanbul.", "economic_cooperation"),
    ("Rebel forces advanced into a regime-held district.", "fight"), ("It mounted a counterattack.", "fight"),
    ("The regime has been cutting supply lines to the city.", "fight")])
def test_more_verbs_of_criticism_rejection_and_force(text, category):
    assert f"({category}" in generic(text)["evidence"], generic(text)["evidence"]


def test_a_storm_and_a_besieged_city_are_no_events():
    assert generic("A storm hit the coast.")["evidence"] == ""
    assert generic("The town had been a key supply line for the capital.")["evidence"] == ""
    assert generic("Up to 300,000 people are still trapped in the besieged parts of the city.")["evidence"] == ""


def test_a_hedge_in_a_that_clause_hedges_what_follows_that_only():
    r = generic("Ankara urged Moscow and Kyiv to avoid steps that could escalate the conflict in the Black Sea.")
    assert r["net"] <= -0.05 and "urged (appeal -0.30) [appeal to yield]" in r["evidence"], r["evidence"]
    r = generic("Russia warned that Turkish drones could damage bilateral ties.")
    assert "warned (threaten -6.00)" in r["evidence"], r["evidence"]
    # A hedge before its event still hedges it.
    assert "hedged 'may'" in generic("Russia may have attacked the convoy.")["evidence"]


def test_a_hedge_factor_of_zero_is_allowed(tmp_path):
    # A user may switch hedged events off entirely; the "that" rule then
    # restores the unhedged factor instead of dividing by zero.
    from analysis.vocab import data_path

    text = data_path("scorer.yaml").read_text(encoding="utf-8")
    text = "\n".join("hedge_factor: 0" if line.startswith("hedge_factor:") else line for line in text.splitlines())
    mine = Scorer(settings=write(tmp_path / "scorer.yaml", text), tone=False)
    r = score_sentence("Russia warned that Turkish drones could damage bilateral ties.", mine)
    assert "warned (threaten -6.00)" in r["evidence"] and "(reduce_relations +0.00)" in r["evidence"], r["evidence"]


def test_acting_in_defiance_is_rejection():
    assert generic("Monks marched through Rangoon in defiance of the military government.")["net"] < 0


def test_sending_weapons_by_name_is_military_aid_and_normalising_ties_recognition():
    r = generic("President Lula said Brazil would not send ammunition to Ukraine.")
    assert r["net"] < 0 and "send ammunition to (provide_aid" in r["evidence"], r["evidence"]
    assert "provide tanks (provide_aid" in generic("Poland decided to provide tanks to Ukraine.")["evidence"]
    r = generic("Riyadh said it would not normalise ties with Israel.")
    assert r["net"] < 0 and "(recognize" in r["evidence"], r["evidence"]


def test_regretting_a_decision_is_disapproval_and_expressing_regret_an_apology():
    r = generic("Moscow regretted Turkey's decision to support Sweden's membership bid.")
    assert r["net"] < 0 and "(disapprove" in r["evidence"], r["evidence"]
    assert generic("The minister expressed regret for the incident.")["net"] > 0


def test_an_agreement_cited_as_a_rule_is_no_new_agreement():
    r = generic("Moscow accused Ankara of failing to separate moderate rebels from terrorists, as required under the Sochi agreement.")
    assert r["net"] < 0 and "sign_agreement" not in r["evidence"], r["evidence"]


def test_whatever_the_pressure_is_concessive():
    r = generic("Turkey would never abandon its Russian partners, whatever the pressure from Washington.")
    assert r["net"] > 0 and "concessive 'whatever the'" in r["evidence"], r["evidence"]


def test_a_reversal_word_in_a_time_phrase_or_idiom_undoes_nothing():
    r = generic("Russian forces entered the conflict at the end of last year backing the regime.")
    assert "reversed" not in r["evidence"], r["evidence"]
    assert "reversed" not in generic("They could end up in war.")["evidence"]
    r = generic("They stopped by to talk to me and my team.")
    assert r["net"] > 0 and "reduce_relations" not in r["evidence"], r["evidence"]
    # The verbs themselves still reverse.
    assert "reversed by 'ended'" in generic("Moscow ended the war.")["evidence"]
    assert generic("Russia stopped the shelling.")["net"] > 0


def test_aid_packages_and_arms_sales_by_name():
    assert "emergency package (provide_aid" in generic("The World Bank approved a $1.2 billion emergency package for Pakistan.")["evidence"]
    r = generic("The United States approved a $3.5 billion sale of AMRAAM missiles to Poland.")
    assert r["net"] > 0 and "sale (material_cooperation" in r["evidence"], r["evidence"]
    assert "sale of AMRAAM missiles (material_cooperation" in generic("Washington agreed to the sale of AMRAAM missiles.")["evidence"]


def test_taking_back_refugees_is_a_return_and_urging_it_an_appeal_to_yield():
    assert generic("Iraq took back 600 citizens from the camp.")["net"] > 0
    assert "appeal to yield" in generic("Bangladesh urged Myanmar to take back the Rohingya refugees.")["evidence"]


def test_a_perfect_participle_opening_is_a_setting():
    r = generic("Having fought a brief war over the region in 2008, Russia and Georgia resumed direct flights in 2023.")
    assert r["net"] > 0 and "[background 'Having fought'" in r["evidence"], r["evidence"]


def test_an_abstention_takes_no_side_on_what_it_abstained_on():
    r = generic("India abstained on a separate text condemning Russia.")
    assert r["net"] == 0 and "about a neutral event" in r["evidence"], r["evidence"]


def test_sending_warplanes_is_a_show_of_force():
    r = generic("Two weeks after a summit meant to ease tensions, China sent 30 warplanes into Taiwan's air defence zone.")
    assert r["net"] < 0 and "(force_posture" in r["evidence"], r["evidence"]
    assert "force_posture" not in generic("The Speaker is flying aboard a military aircraft.")["evidence"]


def test_speaking_to_a_topic_is_not_consulting():
    assert generic("I'm not going to speak to the Fed's policies.")["evidence"] == ""
    assert generic("The President will speak to this issue tomorrow.")["evidence"] == ""
    assert "consult" in generic("Erdogan spoke to Putin by phone on Tuesday.")["evidence"]


def test_signing_a_law_or_decree_is_no_agreement_but_what_it_does_counts():
    r = generic("Putin signed a law withdrawing Russia's ratification of the nuclear test ban treaty.")
    assert r["net"] < 0 and "sign_agreement +8" not in r["evidence"], r["evidence"]
    r = generic("Putin signed a decree granting Russian citizenship to Edward Snowden.")
    assert r["net"] > 0 and "(grant_asylum" in r["evidence"], r["evidence"]
    assert generic("Turkey and Russia signed an agreement on gas.")["net"] > 0


def test_reported_warplanes_investments_with_amounts_and_boosted_exports():
    assert "(force_posture" in generic("Taiwan's defence ministry detected 25 Chinese warplanes near the island.")["evidence"]
    assert "(economic_cooperation" in generic("Qatar will invest $10 billion in Turkish infrastructure projects.")["evidence"]
    assert "(trade_growth" in generic("Kazakhstan boosted oil exports through the Caspian pipeline.")["evidence"]


def test_vows_to_crush_or_take_back_territory_are_threats_and_never_better_ties_cooperation():
    for text in ('The prime minister vowed to "crush" Hamas.', "The Venezuelan leader vowed to take back the Essequibo region."):
        r = generic(text)
        assert r["net"] < 0 and "intention 'vowed" in r["evidence"], (text, r["evidence"])
    assert generic("We have completely crushed his economy.")["evidence"] == ""
    assert generic('"The relationship has never been better," the ambassador said.')["net"] > 0
    assert dyad("The Kremlin said relations with Ankara were at their best level in years.")["net"] > 0


def test_set_49_forms_permission_theft_no_intention_shadowing_and_valuing():
    assert generic("Ankara granted Russian companies permission to take part in a tender.")["net"] > 0
    assert generic("North Korean hackers stole $1.5 billion in cryptocurrency.")["net"] < 0
    r = generic("The minister said Ankara had no intention of joining Western sanctions against Russia.")
    assert r["net"] > 0 and "negated by 'no intention of'" in r["evidence"], r["evidence"]
    assert "(force_posture" in generic("Russian warships shadowed a Turkish research vessel.")["evidence"]
    assert generic("Moscow valued Ankara's position on the Black Sea.")["net"] > 0


def test_not_seeing_someone_as_a_threat_is_reassurance():
    r = generic('"We do not see Russia as a threat," the Hungarian foreign minister said.')
    assert r["net"] > 0 and "(optimistic_comment" in r["evidence"], r["evidence"]
    assert generic("Moscow sees NATO expansion as a threat.")["net"] < 0


def test_disengagement_is_de_escalation_and_friction_points_are_places():
    r = generic("Chinese and Indian troops completed disengagement at two friction points in eastern Ladakh.")
    assert r["net"] > 0 and "rivalry" not in r["evidence"], r["evidence"]


def test_a_failure_word_used_as_an_adjective_fails_nothing_before_it():
    r = generic("Mubarak received Arafat in Cairo to discuss the stalled peace process.")
    assert r["net"] > 0 and "failed" not in r["evidence"], r["evidence"]
    assert "failed: 'stalled'" in generic("The peace talks stalled.")["evidence"]
    assert "failed: 'fell apart'" in generic("There was an agreement to shift funds that fell apart.")["evidence"]


def test_held_up_trucks_won_contracts_and_resumed_imports():
    assert generic("Russian customs officers held up Turkish trucks at the border for weeks.")["net"] < 0
    assert "(economic_cooperation" in generic("Turkish firms won contracts to rebuild housing in Kursk.")["evidence"]
    assert generic("Slovakia resumed gas imports from Russia after a brief halt.")["net"] > 0
