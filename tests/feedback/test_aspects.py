"""Aspect-based sentiment: negation and clause scope, words resolved by category, discovered themes that are
opinion targets only, true counts, actions with their teams, the shop's own aspects, and the evaluator."""
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from demo_shop.models import Category, Product
from ecom_ai.feedback import services as service
from ecom_ai.feedback.aspects import Detector, parse_gold
from ecom_ai.feedback.models import FeedbackAspect
from ecom_ai.feedback.themes import found_themes

from .conftest import make_review


@pytest.fixture(scope="module")
def detector():
    return Detector()


def read(detector, text, category=None):
    return {slug: j.polarity for slug, j in detector.detect(text, category).items()}


@pytest.mark.parametrize("text, category, expected", [
    # negation turns an opinion over
    ("不贵，性价比高", "手机", {"price": "pos"}),
    ("水果不新鲜", "水果", {"freshness": "neg"}),
    ("屏幕不是很清晰", "手机", {"screen": "neg"}),
    ("没有异味", "酒店", {"scent": "pos"}),
    ("物流没有那么快", "衣服", {"logistics": "neg"}),
    ("运行一点也不卡", "计算机", {"performance": "pos"}),
    # an opinion reaches only its own clause; a contrast word starts a new one
    ("东西很好，就是物流太慢", "衣服", {"logistics": "neg"}),
    ("质量不错 但是价格有点贵", "衣服", {"quality": "pos", "price": "neg"}),
    ("价格便宜，质量好", "手机", {"price": "pos", "quality": "pos"}),
    # "A和B都很好" gives both the opinion
    ("物流和包装都很好", "水果", {"logistics": "pos", "packaging": "pos"}),
    # the same aspect judged both ways in one review is mixed
    ("屏幕清晰，但是屏幕有坏点", "平板", {"screen": "mixed"}),
    # the aspect's own polarity of a word: a high price blames, a high value for money praises
    ("价格太高了", "书籍", {"price": "neg"}),
    ("性价比很高", "书籍", {"price": "pos"}),
    # generic praise judges no aspect
    ("很好，非常满意，下次还来", "酒店", {}),
    ("", None, {}),
    # a wish that something were better blames it; a comparison with another product is about that one
    ("希望物流快点", "手机", {"logistics": "neg"}),
    ("不如超市买的好吃", "水果", {}),
    # English
    ("The delivery was not fast, but the price is good", None, {"logistics": "neg", "price": "pos"}),
    # a list shares its opinion; "感觉" is no target that takes the opinion away
    ("包装、味道很好", "水果", {"packaging": "pos", "taste": "pos"}),
    ("东西质量感觉不错", "衣服", {"quality": "pos"}),
    # a problem said not to be found praises; a judging phrase keeps its own "问题"
    ("并未发现散热和噪音的问题", "计算机", {"performance": "pos", "sound": "pos"}),
    ("正常使用软件没有卡顿问题", "平板", {"performance": "pos"}),
    ("散热有问题", "计算机", {"performance": "neg"}),
    # leaks are packaging, unanswered customers and missing gifts service, sizes said as a body
    ("打开发现盖子是松的，漏得到处都是", "洗发水", {"packaging": "neg"}),
    ("联系了退货，一个月了，也没人搭理我", "书籍", {"service": "neg"}),
    ("挺好的，就是赠品没有！", "平板", {"service": "neg"}),
    ("质量很好，有点瘦了", "衣服", {"quality": "pos", "size": "neg"}),
    ("洗了一点效果都没有", "洗发水", {"effect": "neg"}),
    # wearing comfort and warmth are the fabric even after another aspect; side-by-side aspects share an opinion,
    # unless one only qualifies the other
    ("大小合适，质量非常不错、穿上很舒服", "衣服", {"size": "pos", "quality": "pos", "fabric": "pos"}),
    ("面料做工都不错", "衣服", {"fabric": "pos", "quality": "pos"}),
    ("房间的宽带收费不合理", "酒店", {"price": "neg"}),
    # a clause that announces what comes next does not go on about the aspect before it
    ("售后很不错，唯一不太好的，就是耗电量很大", "热水器", {"service": "pos"}),
])
def test_negation_and_clause_scope(detector, text, category, expected):
    assert read(detector, text, category) == expected


def test_words_resolved_by_the_product_category(detector):
    assert read(detector, "味道很好", "蒙牛") == {"taste": "pos"}
    assert read(detector, "味道很好", "洗发水") == {"scent": "pos"}
    assert read(detector, "这本书很好看", "书籍") == {"content": "pos"}
    assert read(detector, "颜色很好看", "衣服") == {"appearance": "pos"}
    assert read(detector, "房间很吵", "酒店") == {"room": "neg"}
    assert read(detector, "风扇很吵", "计算机") == {"sound": "neg"}
    # without a category the review's own words say what it is about
    assert read(detector, "牛奶味道很好") == {"taste": "pos"}


MILK_REVIEWS = [
    (5, "蒙牛的牛奶很好喝，口感醇厚"), (5, "牛奶很新鲜，日期也新"), (4, "喝完一瓶还想喝，牛奶很香"),
    (1, "光明的牛奶比这个好喝，这个有股怪味"), (2, "包装破损，一瓶漏了"), (1, "包装漏了，洒了一箱"),
    (2, "快递太慢，牛奶到的时候快过期了"), (1, "日期不新鲜，快过期了"), (5, "每日鲜语一直喝，蒙牛牛奶不错"),
]


@pytest.fixture
def milk(shop):
    dairy = Category.objects.create(name="蒙牛", slug="dairy")
    product = Product.objects.create(category=dairy, name="蒙牛 每日鲜语鲜牛奶 950ml", price="19.90", stock=5)
    for i, (rating, text) in enumerate(MILK_REVIEWS):
        make_review(product, rating, text, i % 4)
    return product


def test_milk_summary_names_what_customers_judge(milk):
    s = service.summarise(product_id=milk.pk)
    slugs = [t["slug"] for t in s.themes]
    labels = {t["label"] for t in s.themes}
    # the product's own words, a verb, a measure word and a competitor are no theme
    assert not labels & {"牛奶", "喝完", "一瓶", "光明", "蒙牛", "每日鲜语"}
    assert {"taste", "freshness", "packaging", "logistics"} <= set(slugs)
    packaging = next(t for t in s.themes if t["slug"] == "packaging")
    assert packaging["count"] == 2 and packaging["negative"] == 2 and packaging["team"] == "warehouse"
    # every aspect blamed by two or more reviews has an action with its count and team
    blamed = {t["slug"] for t in s.themes if t["negative"] + t["mixed"] >= 2}
    assert blamed and blamed <= {a["theme"] for a in s.actions}
    action = next(a for a in s.actions if a["theme"] == "packaging")
    assert action["negative"] == 2 and action["team"] == "warehouse" and "负责：仓储" in action["text"]


def test_found_themes_are_opinion_targets_not_product_words(detector):
    docs = [(1, "喝完一瓶还想喝，牛奶很香"), (2, "光明的牛奶比这个好喝"), (3, "牛奶不错，一瓶喝完"),
            (4, "赠品很差"), (5, "送的赠品质量一般"), (6, "蒙牛的牛奶很好"), (7, "伊利的牛奶更好")]
    themes = found_themes(docs, detector, about=["蒙牛 每日鲜语鲜牛奶 950ml", "蒙牛"])
    assert [t.label for t in themes] == ["赠品"]
    assert themes[0].count == 2 and themes[0].negative == 2
    # and the gift's own quality is not the product's
    assert read(detector, "送的赠品质量一般", "蒙牛") == {}


def test_team_edits_and_shop_aspects_change_the_summary(milk):
    FeedbackAspect.objects.filter(slug="packaging").update(team=FeedbackAspect.Team.LOGISTICS)
    FeedbackAspect.objects.create(slug="straw", name="吸管", name_en="straw", synonyms="吸管, 管子",
                                  team=FeedbackAspect.Team.PRODUCT, action="换用更硬的吸管")
    make_review(milk, 2, "吸管不好用，插不进去", 3)
    make_review(milk, 1, "管子太差了", 3)
    s = service.summarise(product_id=milk.pk)
    straw = next(t for t in s.themes if t["slug"] == "straw")
    assert straw["source"] == "aspect" and straw["count"] == 2 and straw["negative"] == 2
    actions = {a["theme"]: a for a in s.actions}
    assert actions["straw"]["team"] == "product" and "换用更硬的吸管" in actions["straw"]["text"]
    assert actions["packaging"]["team"] == "logistics"
    FeedbackAspect.objects.filter(slug="straw").update(enabled=False)
    assert "straw" not in {t["slug"] for t in service.summarise(product_id=milk.pk).themes}


def test_category_summary_counts_are_true(milk):
    other = Product.objects.create(category=milk.category, name="蒙牛 纯牛奶 250ml", price="3.50")
    make_review(other, 1, "包装破了，漏奶", 1)
    s = service.summarise(product_id=milk.pk, category="蒙牛")
    assert s.scope == "category" and s.distinct_count == len(MILK_REVIEWS) + 1
    packaging = next(t for t in s.themes if t["slug"] == "packaging")
    assert packaging["count"] == 3 and packaging["negative"] == 3
    # every week's aspect cell adds up to the aspect's count
    assert sum(w["aspects"]["packaging"][0] for w in s.trend) == 3
    assert sum(w["aspects"]["packaging"][1] for w in s.trend) == 3


def test_aspect_problems_in_the_admin_form():
    assert service.aspect_problems("logistics", "") == []
    assert service.aspect_problems("straw", "") == ["A new aspect needs synonyms: the words customers use for it."]
    assert "at most" in service.aspect_problems("straw", "x" * 30)[0]


def test_parse_gold():
    assert parse_gold("quality:pos;price:neg; logistics : mixed") == {"quality": "pos", "price": "neg", "logistics": "mixed"}
    assert parse_gold("") == {}
    with pytest.raises(ValueError, match="slug:pos"):
        parse_gold("quality:good")


def _csv(tmp_path, rows, header="review,aspects"):
    path = tmp_path / "gold.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return str(path)


def test_evaluator_micro_scores_and_polarity(db, tmp_path):
    path = _csv(tmp_path, [
        "物流很快，包装很好,logistics:pos;packaging:pos",   # both found, both right
        "价格便宜,price:neg",                                # found, polarity wrong
        "很满意,",                                          # nothing either side
        "客服态度很差,quality:neg",                          # service found but not gold; quality missed
    ])
    out = io.StringIO()
    call_command("ecom_ai", "evaluate", "aspects", "--csv", path, "--json", stdout=out)
    metrics = json.loads(out.getvalue()[out.getvalue().index("{"):])
    # gold pairs 4, predicted 4 (logistics, packaging, price, service), found 3
    assert metrics["micro_precision"] == 0.75 and metrics["micro_recall"] == 0.75 and metrics["micro_f1"] == 0.75
    assert metrics["polarity_accuracy"] == round(2 / 3, 4)
    assert metrics["per_aspect"]["quality"]["recall"] == 0.0 and metrics["per_aspect"]["service"]["precision"] == 0.0
    assert "aspect" in out.getvalue() and "logistics" in out.getvalue()


def test_evaluator_rejects_bad_files(db, tmp_path):
    with pytest.raises(CommandError, match="lacks the column"):
        call_command("ecom_ai", "evaluate", "aspects", "--csv", _csv(tmp_path, ["物流很快"], header="review"), stdout=io.StringIO())
    with pytest.raises(CommandError, match="line 2"):
        call_command("ecom_ai", "evaluate", "aspects", "--csv", _csv(tmp_path, ["物流很快,logistics:great"]), stdout=io.StringIO())
    with pytest.raises(CommandError, match="--csv"):
        call_command("ecom_ai", "evaluate", "aspects", stdout=io.StringIO())


def test_gold_set_scores_per_split(db):
    """The lexicon detector on the gold set annotated by reading (ecom_ai/data/aspects_gold.csv): a floor
    under today's figures, so a change that loses quality fails here."""
    from pathlib import Path

    gold = Path(__file__).resolve().parents[2] / "ecom_ai" / "data" / "aspects_gold.csv"
    m = service.evaluate_aspects(out=io.StringIO(), csv=str(gold))
    assert m["review_sentiment"]          # the CSV's label column plays the rating a summary has
    assert m["splits"]["dev"]["micro_f1"] >= 0.85 and m["splits"]["dev"]["polarity_accuracy"] >= 0.92
    assert m["splits"]["test"]["micro_f1"] >= 0.80 and m["splits"]["test"]["polarity_accuracy"] >= 0.90


def test_second_gold_set_annotated_apart(db):
    """ecom_ai/data/aspects_gold_apart.csv: another annotator, other rules, never read by the detector's authors in
    half b (odd ids). A floor under today's figures there."""
    from pathlib import Path

    gold = Path(__file__).resolve().parents[2] / "ecom_ai" / "data" / "aspects_gold_apart.csv"
    m = service.evaluate_aspects(out=io.StringIO(), csv=str(gold))
    assert m["n"] == 200 and m["gold_pairs"] == 322
    assert m["splits"]["b"]["micro_f1"] >= 0.79 and m["splits"]["b"]["polarity_accuracy"] >= 0.89
