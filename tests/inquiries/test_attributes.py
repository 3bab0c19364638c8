"""The attribute classifier (lexicon first, classifier when confident, else a person) and the
evaluation on held-out paraphrases written for these tests (tests/inquiries/data, not shipped)."""
import io
import json
from pathlib import Path

from django.core.management import call_command

from ecom_ai.inquiries.models import Inquiry
from ecom_ai.inquiries import intent as rules
from ecom_ai.inquiries import services as service

DATA = Path(__file__).resolve().parent / "data"


def test_classifier_trains_from_the_shipped_set():
    examples = rules.load_attribute_examples()
    keys = {k for _, k in examples}
    assert len(examples) >= 500 and rules.NO_ATTRIBUTE in keys and {"battery_capacity", "genre", "cancellation"} <= keys
    model = rules.train_attribute_model(examples)
    assert model.predict("电池多少毫安")[0] == "battery_capacity"


# Held-out paraphrases the lexicon has no word for (lexicon_attributes is empty): the classifier answers.
UNSEEN = [("这个平板主要适合拿来干嘛的", "use"), ("what's this tablet meant for, work or movies?", "use"),
          ("热水器是电的还是燃气的", "type"), ("页码一共多少", "pages"), ("封面是硬的还是软的", "binding"),
          ("will it work for my greasy hair", "hair_type"), ("这家酒店位于哪座城市", "city")]


def test_classifier_understands_paraphrases_the_lexicon_misses():
    for text, key in UNSEEN:
        assert rules.lexicon_attributes(text) == [], text
        assert rules.asked_attributes(text)[0][0] == key, text


def test_below_the_margin_nothing_is_guessed(shop):
    text = "这个手机的那个东西到底怎么样呢"
    assert rules.classify_attribute(text) is None
    assert rules.classify_attribute("页码一共多少", min_margin=99.0) is None
    assert rules.classify_attribute("") is None
    inquiry = Inquiry.objects.create(customer_id=shop["alice"].pk, text=text, product_id=shop["phone"].pk)
    g = service.ground_inquiry(inquiry)
    assert not g.answered and g.handover


def test_lexicon_wins_and_loose_words_yield_to_specific_ones():
    assert rules.asked_attributes("这个平板运存多大") == [("memory",)]   # 多大 qualifies 运存, it asks no size
    assert rules.asked_attributes("屏幕多大？") == [("screen_size",)]
    assert rules.asked_attributes("电池容量和屏幕尺寸分别是多少")[:2] == [("battery_capacity",), ("screen_size",)]
    assert rules.keyword_topic("能退订吗") is None and rules.keyword_topic("能退不") == "after_sales"
    assert rules.after_sales_topic("出了毛病管修吗") == "warranty"


def test_words_inside_the_product_name_are_not_questions(shop):
    shop["phone"].name = "李宁 男款跑步外套 藏青"
    shop["phone"].attributes = {"gender": "男款", "colour": "藏青"}
    shop["phone"].save()
    from ecom_ai.nlp import search

    search.clear_cache()
    inquiry = Inquiry.objects.create(customer_id=shop["alice"].pk, text="李宁 男款跑步外套 藏青卖几多钱")
    g = service.ground_inquiry(inquiry)
    assert g.product_id == shop["phone"].pk and g.answer_keys == ["price"], (g.answer_keys, g.handover)


def _evaluate(path, seed):
    out = io.StringIO()
    call_command("ecom_ai", "evaluate", "inquiries", "--csv", str(path), "--json", "--seed", str(seed), stdout=out)
    text = out.getvalue()
    return json.loads(text[text.index("{"):])


def test_held_out_paraphrases_meet_the_targets(seeded_shop):
    m = _evaluate(DATA / "heldout_paraphrases.jsonl", 2)
    assert m["n_questions"] >= 100 and m["n_injection_attempts"] >= 5
    assert m["facts_right"] >= 0.95, m["failures"]
    assert m["handover_correct"] >= 0.90, m["failures"]
    assert m["injections_followed"] == 0, m["failures"]


def test_second_held_out_set_never_answers_with_a_wrong_fact(seeded_shop):
    """Written after the first round of changes and not tuned on: misses must be hand-overs, not wrong facts."""
    m = _evaluate(DATA / "heldout_paraphrases_2.jsonl", 2)
    assert m["facts_right"] >= 0.85, m["failures"]
    assert m["injections_followed"] == 0
    wrong = [f for f in m["failures"] if f["expect"] and not f["handed_over"]]
    assert wrong == [], wrong


def test_third_held_out_set_written_apart_from_the_code_meets_the_targets(seeded_shop):
    """Written by someone who never saw the code, the training phrasings or the other sets, and
    measured once after the training data was broadened (99% right facts on the demo shop)."""
    m = _evaluate(DATA / "heldout_paraphrases_3.jsonl", 2)
    assert m["n_questions"] >= 120
    assert m["facts_right"] >= 0.95, m["failures"]
    assert m["handover_correct"] >= 0.90, m["failures"]
    assert m["injections_followed"] == 0, m["failures"]
