"""Understanding a customer's question: its language and intent, what it asks, and the product it means."""
from __future__ import annotations

import logging
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from ecom_ai.inquiries import intent as intent_rules
from ecom_ai.nlp.text import language_of, normalize, tokenize

log = logging.getLogger(__name__)

_model_lock = threading.Lock()
_seed_model = None
_override_model = None  # a stored version under evaluation (evaluate(model=...))


def intent_model():
    """The active trained intent model, or one trained on the shipped seed set on first use."""
    global _seed_model
    from ecom_ai.storage import artifacts

    if _override_model is not None:
        return _override_model
    try:
        artifact = artifacts.load_active("intent")
        artifact.obj.version = artifact.version
        return artifact.obj
    except artifacts.NoArtifact:
        pass
    except Exception:  # a broken artefact must not stop replies; the seed model still works
        log.exception("ecom_ai: cannot load the active intent model; using the seed model")
    with _model_lock:
        if _seed_model is None:
            texts, labels = zip(*intent_rules.load_seed())
            _seed_model = intent_rules.train(list(texts), list(labels))
        return _seed_model


@dataclass
class Analysis:
    intent: str
    confidence: float
    handover: list = field(default_factory=list)   # [Handover]
    attributes: list = field(default_factory=list)  # [(key, ...)]
    language: str = "zh"


MIN_MODEL_CONFIDENCE = 0.6


def analyse(text: str) -> Analysis:
    """Intent (question words when they are unambiguous, else the classifier), hand-over reasons and asked attributes.
    A threat ("ship it now or I want a refund") does not make the question one about refunds."""
    core = without_threats(text)
    model_intent, conf = intent_model().predict(core)
    attrs = intent_rules.asked_attributes(core)
    topic = intent_rules.keyword_topic(core)
    if topic:
        intent, conf = topic, max(conf, 0.9) if topic == model_intent else 0.8
    elif attrs:
        # it names a product attribute and no logistics/after-sales word: a product question
        intent, conf = "product", max(conf, 0.8) if model_intent == "product" else 0.7
    elif model_intent in ("logistics", "after_sales") and conf < MIN_MODEL_CONFIDENCE:
        # no question word backs a weak guess: better a person than another topic's facts
        intent = "other"
    else:
        intent = model_intent
    return Analysis(intent, conf, intent_rules.handover_reasons(text), attrs, language_of(text))


@contextmanager
def intent_model_override(model):
    """Use ``model`` (a stored version under evaluation) instead of the active one inside the block."""
    global _override_model
    previous, _override_model = _override_model, model
    try:
        yield
    finally:
        _override_model = previous


# --------------------------------------------------------------------------- the product asked about


def _products_of_order(adapter, order) -> dict:
    return adapter.get_products([ln.product_id for ln in order.lines]) if order and order.lines else {}


def find_product(adapter, text, *, product_id=None, order=None, customer_id=None, index=None):
    """The product asked about: an explicit id, the order's items, a catalogue search, or the customer's recent purchases.

    ``index`` is the catalogue index to search (default: :func:`ecom_ai.nlp.search.shop_index`).
    """
    if product_id:
        return adapter.get_products([product_id]).get(int(product_id))
    if order is not None and order.lines:
        items = _products_of_order(adapter, order)
        if len(items) == 1:
            return next(iter(items.values()))
        hit = _best_among(text, items)
        return hit or items.get(order.lines[0].product_id)
    if index is None:
        from ecom_ai.nlp.search import shop_index

        index = shop_index()
    hits = index.search(text, limit=3)
    if hits:
        product = adapter.get_products([hits[0].product_id]).get(hits[0].product_id)
        # the question must name it: half its name, or two of its words and a clear lead over the next hit
        clear = len(hits) == 1 or hits[0].score > hits[1].score * 1.05
        if product and (_name_overlap(text, product.name) >= 0.5 or (_name_matches(text, product.name) >= 2 and clear)):
            return product
    if customer_id is not None:
        # one lookup for the products of all the recent orders
        ids = list(dict.fromkeys(ln.product_id for o in adapter.get_orders(customer_id, limit=5) for ln in o.lines))
        recent = adapter.get_products(ids) if ids else {}
        norm = normalize(text)
        in_category = {pid: p for pid, p in recent.items() if p.category and p.category in norm}
        if len(in_category) == 1:
            return next(iter(in_category.values()))
        hit = _best_among(text, recent)
        if hit is not None:
            return hit
    return None


def _name_overlap(text: str, name: str) -> float:
    name_tokens = set(tokenize(name))
    if not name_tokens:
        return 0.0
    text_norm = normalize(text).lower()
    return sum(1 for t in name_tokens if t in text_norm) / len(name_tokens)


def _name_matches(text: str, name: str) -> int:
    text_norm = normalize(text).lower()
    return sum(1 for t in set(tokenize(name)) if len(t) > 1 and t in text_norm)


def _best_among(text, products: dict):
    scored = sorted(((_name_overlap(text, p.name), pid) for pid, p in products.items()), reverse=True)
    if scored and scored[0][0] >= 0.5 and (len(scored) == 1 or scored[0][0] > scored[1][0]):
        return products[scored[0][1]]
    return None


def attributes_beside_name(text: str, name: str, asked: list) -> list:
    """The asked attributes once the product's own name is taken out of the question.

    "李宁 男款跑步外套多少钱" names a product whose name holds 男款: that is the product, not a
    question about its cut. Only done when the question names the product (its whole name or two
    of its words); what is left is analysed again.
    """
    norm = normalize(text).lower()
    full = normalize(name).lower()
    words = sorted({t for t in tokenize(name) if len(t) > 1 and t in norm}, key=len, reverse=True)
    if full and full in norm:
        rest = norm.replace(full, " ")
    elif len(words) >= 2:
        rest = norm
    else:
        return asked
    for w in words:
        rest = rest.replace(w, " ")
    return intent_rules.asked_attributes(rest)


# --------------------------------------------------------------------------- what the question names

_ORDER_NO = [
    re.compile(r"(?:订单|单子|单号|(?<![a-z])(?:order|ord)(?![a-z]))\s*(?:号码|号|编号|number|no\.?|num|id)?\s*(?:是|为|:|：|#|＃)?\s*#?\s*(\d{1,12})(?![\d.])", re.I),
    re.compile(r"(?<![A-Za-z0-9.#])#\s*(\d{1,12})(?![\d.])"),
    re.compile(r"(?<![A-Za-z])no\.\s*#?\s*(\d{1,12})(?![\d.])", re.I),
    re.compile(r"(?<![\d.])(\d{1,12})\s*号?\s*(?:这|那)\s*[一个]?\s*(?:单|订单|笔)"),
    re.compile(r"(?<![\d.])(\d{2,12})\s*号?\s*(?:订单|单子)"),
    re.compile(r"(?<![\d.])(\d{3,12})\s+order\b(?!s)", re.I),
]
_TRACKING_NO = re.compile(r"(?<![a-z0-9])([a-z]{2,4}\d{8,18}|\d{12,18})(?![a-z0-9])", re.I)
_PHONE = re.compile(r"^1[3-9]\d{9}$")


def order_numbers(text: str) -> list[int]:
    """Order numbers typed in the question ("订单731", "731这单", "order #2820", "#2820"), in the order written."""
    norm = normalize(text)
    tracking = set(tracking_numbers(norm))
    found: list[tuple[int, int]] = []
    for pattern in _ORDER_NO:
        for m in pattern.finditer(norm):
            if m.group(1) not in tracking and not intent_rules.card_numbers(m.group(1)):
                found.append((m.start(1), int(m.group(1))))
    return list(dict.fromkeys(n for _, n in sorted(found)))


def tracking_numbers(text: str) -> list[str]:
    """Tracking numbers in the question: two to four letters and 8+ digits (SF1234567890), or 12–18 digits
    that are neither a phone nor a payment card."""
    out = []
    for m in _TRACKING_NO.finditer(normalize(text)):
        value = m.group(1).upper()
        if value.isdigit() and (_PHONE.match(value) or intent_rules.card_numbers(value)):
            continue
        out.append(value)
    return out


_NEWEST = re.compile(r"最新|最近(?:的|下的|买的|那|一)|刚(?:刚|才)?(?:下|买|拍|订)|最后(?:一|那)|上一[单笔个]|"
                     r"\b(?:latest|newest|most recent(?:ly)?|last order|recent order|previous order|just (?:ordered|bought|placed))\b", re.I)
_OLDEST = re.compile(r"最早|第一[单笔个]|\b(?:oldest|first order|earliest)\b", re.I)
_CN_NUM = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "半": 0}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}


def order_reference(text: str) -> str | None:
    """"newest" / "oldest" when the question picks an order by its place, else None."""
    norm = normalize(text)
    if _NEWEST.search(norm):
        return "newest"
    if _OLDEST.search(norm):
        return "oldest"
    return None


def relative_dates(text: str, now=None) -> tuple | None:
    """The local dates (first, last) a relative or written date in the question covers ("上周", "昨天到的",
    "3 days ago", "5月3日"), else None."""
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    norm = normalize(text).lower()
    day = timedelta(days=1)
    monday = today - timedelta(days=today.weekday())

    def n_of(word):
        return int(word) if word.isdigit() else _CN_NUM.get(word, 1)

    checks = [
        (r"大前天|three days ago", lambda m: (today - 3 * day,) * 2),
        (r"前天|day before yesterday", lambda m: (today - 2 * day,) * 2),
        (r"昨天|昨日|昨晚|yesterday|last night", lambda m: (today - day,) * 2),
        (r"今天|今日|今早|today|this morning", lambda m: (today,) * 2),
        (r"(\d+|[一两二三四五六七八九十半])\s*(?:天|日)(?:前|之前)|(\d+) days? ago", lambda m: (today - n_of(m.group(1) or m.group(2)) * day,) * 2),
        (r"上(?:个)?(?:周|星期|礼拜)([一二三四五六日天])", lambda m: (monday - 7 * day + _WEEKDAYS[m.group(1)] * day,) * 2),
        (r"上(?:个)?(?:周|星期|礼拜)|last week", lambda m: (monday - 7 * day, monday - day)),
        (r"(\d+|[两二三四五六七八九十])\s*(?:个)?(?:周|星期|礼拜)(?:前|之前)|(\d+) weeks? ago",
         lambda m: (today - (7 * n_of(m.group(1) or m.group(2)) + 3) * day, today - (7 * n_of(m.group(1) or m.group(2)) - 3) * day)),
        (r"这(?:个)?(?:周|星期|礼拜)|本周|this week", lambda m: (monday, today)),
        (r"上(?:个)?月|last month", lambda m: _month_before(today)),
        (r"这个月|本月|this month", lambda m: (today.replace(day=1), today)),
        (r"(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]", lambda m: _written_date(today, int(m.group(1)), int(m.group(2)))),
    ]
    for pattern, span in checks:
        m = re.search(pattern, norm)
        if m:
            return span(m)
    return None


def _month_before(today):
    first = today.replace(day=1)
    last_prev = first - timedelta(days=1)
    return last_prev.replace(day=1), last_prev


def _written_date(today, month, day):
    try:
        d = today.replace(month=month, day=day)
    except ValueError:
        return None
    if d > today:  # "12月30日" asked in January: last year
        d = d.replace(year=d.year - 1)
    return d, d


# --------------------------------------------------------------------------- what kind of question it is

#: topics the shop's facts answer only in part, or not at all: each decides how a reply is grounded
TOPICS: list[tuple[str, re.Pattern]] = [(name, re.compile(p, re.I)) for name, p in [
    ("address_change", r"(?:改|修改|更改|换|变更|更新)(?:一下|个|下)?(?:收货|配送|寄送)?地址|(?:sent|send|deliver(?:ed)?|ship(?:ped)?) (?:it )?to (?:my|a|another|the) (?:office|work|new|different|other)|地址(?:写|填|留)错|收货地址.{0,6}(?:改|换|错)|"
                       r"(?:收货人|联系人)?(?:电话|手机号|姓名|名字|地址|门牌号?)(?:号码)?(?:填|写|留)?(?:错|少|漏)|少写了?.{0,4}(?:门牌|地址|楼号|单元)|(?:改|修改|更改).{0,4}(?:电话|收货人|联系方式)|"
                       r"change (?:the |my )?(?:delivery |shipping )?ad+res+|wrong (?:phone|number|name)|wrong ad+res+|update (?:the |my )?(?:delivery |shipping )?ad+res+|ad+res+ change|"
                       r"搬家|新地址|地址变了|(?:寄|送|发)(?:到|去)?别的(?:地方|地址)|换个地方(?:收|送)|moved (?:house|home|flat|apartment)|new (?:home |delivery )?ad+res+|different ad+res+|"
                       r"(?:deliver(?:ed)?|sent|send|ship(?:ped)?) (?:it |this |the order )?(?:somewhere else|elsewhere|to (?:a |my )?new place)"),
    ("invoice", r"发票|开票|专票|普票|抬头|税号|\binvoice|\bfapiao\b|\breceipt\b|\bvat\b"),
    ("price_protection", r"保价|价保|差价|降价.{0,8}(?:补|退|赔)|(?:补|退|赔).{0,4}差价|price (?:protection|match|guarantee)|"
                         r"refund the difference|price (?:drop|dropped|went down).{0,40}(?:refund|back|difference|compensat)|pay (?:me )?the difference|"
                         r"match (?:the )?(?:new |lower )?price|(?:get|give me|refund) the difference|(?:now|it'?s|its) cheaper.{0,30}(?:refund|difference|back)"),
    ("coupon", r"优惠券|优惠码|折扣码|红包|满减|代金券|消费券|用券|券|coupons?|vouchers?|promo ?code|discount code"),
    ("cancel", r"(?:取消|撤销|撤回)(?:掉)?(?:这个|那个|我的|该)?(?:订单|单子|这单|那单|购买)|(?:订单|单子|这单|那单).{0,14}(?:取消|撤销)|"
               r"拦截|别(?:给我)?发(?:货)?了|不用发(?:货)?了|(?:不要了|不想要了).{0,8}(?:别发|退掉|取消)|\bcancel(?:led|ling)?\b(?!\s*(?:policy|ation))|"
               r"(?:stop|intercept|hold) (?:the |my |this )?(?:order|shipment|parcel|package)|don'?t (?:ship|send) (?:it|the order|my order)"),
    ("recommend", r"推荐(?:一款|一个|一下|几款|个)|有什么.{0,6}推荐|帮我(?:挑|选)|适合我的|\brecommend|\bsuggest (?:a|an|some)\b|what should i buy|which (?:one|phone|laptop) should i"),
    ("future", r"(?:会|能|要)?降价|会不会(?:便宜|降|打折|有活动|优惠)|什么时候(?:补货|有货|到货|降价|打折|有活动|上新|开售)|补货|"
               r"(?:下|这)(?:个)?(?:周|星期|月).{0,8}(?:降价|打折|活动|优惠|便宜|补货|有货)|(?:双十一|双11|618|黑五).{0,8}(?:降价|便宜|活动|优惠|打折)|"
               r"新款.{0,6}(?:什么时候|何时|上市|出)|(?:will|going to|gonna).{0,30}(?:drop|go down|get cheaper|be cheaper|on sale|restock|back in stock|discount)|"
               r"\brestock|back in stock|next (?:week|month).{0,30}(?:price|sale|discount|cheaper)|price drop|cheaper (?:next|later|soon)"),
    ("region_delivery", r"(?:能|可以|可不可以|能不能|支持)?(?:寄|送|发|配送|邮寄|快递)(?:到|去|往)\S{0,12}(?:吗|么|嘛|不)|配送范围|偏远地区|"
                        r"(?:be )?deliver(?:ed)? (?:to|in)\b|(?:be )?ship(?:ped)? (?:to|in)\b|"
                        r"(?:新疆|西藏|青海|港澳台|香港|澳门|台湾|海外|国外).{0,8}(?:能|可以|发|寄|送|配送|包邮)|"
                        r"(?:ship|deliver)(?:ping)? (?:to|outside|overseas|abroad|internationally)\b|do you (?:ship|deliver)|delivery area"),
    ("shipping_fee", r"运费|邮费|包邮|免运费|shipping (?:fee|cost|charge)|delivery (?:fee|cost|charge)|free shipping|postage|"
                     r"shipping (?:is )?free|free delivery|delivery (?:is )?free|how much (?:is|for|does) (?:the )?(?:delivery|shipping)"),
    ("compatibility", r"兼容|适配|适用于|(?:能|可以)(?:不能)?(?:用|装|配|连|插|接)(?:在|到|上|于)?\S{0,10}(?:吗|么|嘛)|支持.{1,12}(?:吗|么|嘛)|配得上|"
                      r"内存卡|储存卡|存储卡|sd卡|tf卡|memory card|sd card|micro ?sd|\b(?:take|accept)s? (?:an? |the )?\w+ card\b|compatible|compatibility|work(?:s)? with|\b(?:does|do|can|will) (?:it|this|this one|that) (?:take|support|fit|work)\b|\bsupported\b|fit(?:s)? (?:my|an?|the) (?!size)|support(?:s)? (?!me)"),
    ("size_fit", r"尺码|码数|(?:穿|选|拿|买)(?:多大|什么|哪个|啥|几)码|多大码|身高|体重|\d{2,3}\s*(?:cm|公分)|\d{2,3}\s*斤|偏大|偏小|合身|"
                 r"what size|which size|size (?:should|would|do|up|down)|usually (?:wear|take)|平时穿|true to size|runs? (?:small|large|big)|\bfit me\b|i'?m \d|tall|\d+\s*(?:kg|lbs?)\b"),
    ("not_shipped", r"(?:发货|发出|寄出|出库)了?(?:没|吗|么|了吗|没有)|还没(?:有)?(?:发货|发|寄|出库)|(?:什么时[候侯]|何时|几时|多久|几天|啥时[候侯]|哪天|几号)(?:能|可以|才|会)?(?:发货|发出|寄出|发)|"
                    r"(?:has|did|have) (?:it|my order|the order|this|they|you) (?:been )?(?:shipped|dispatched|sent)|not (?:yet )?(?:shipped|dispatched)|"
                    r"when (?:will|does|do|would|is|can|are) .{0,30}?\b(?:ship|dispatch|send|sent|be sent)\b|ship(?:ped)? yet|dispatch(?:ed)? yet|can you (?:ship|send|dispatch)"),
]]
_QUESTION_ABOUT_WHEN = re.compile(r"什么时[候侯]|何时|几时|多久|几天|哪天|几号|啥时[候侯]|明天|今天(?:能|可以)|后天|\bwhen\b|how (?:long|soon)|what day|"
                                  r"\bby (?:tomorrow|tonight|today|monday|tuesday|wednesday|thursday|friday|saturday|sunday|the weekend)", re.I)


def topics_of(text: str, names=()) -> list[str]:
    """The topics the question raises, in TOPICS order (the more specific first); ``names`` (the products it
    names) are taken out first, so "泰国金枕榴莲" is no place to deliver to."""
    norm = normalize(text)
    for name in sorted((n for n in names if n), key=len, reverse=True):
        norm = norm.replace(normalize(name), " ")
    found = [name for name, pattern in TOPICS if pattern.search(norm)]
    if "region_delivery" not in found and _PLACE.search(norm) and _DELIVER_VERB.search(norm):
        found.insert(next((i for i, t in enumerate(found) if t not in ("address_change", "invoice", "price_protection",
                                                                     "coupon", "cancel", "future")), len(found)), "region_delivery")
    return found


def _place_pattern():
    from ecom_ai.inquiries.glossary import PLACES

    names = sorted({n for pair in PLACES.items() for n in pair}, key=len, reverse=True)
    return re.compile("|".join(re.escape(n) for n in names) + r"|港澳台|香港|澳门|台湾|海岛|偏远|\b(?:macau|macao|hong kong|taiwan|overseas|abroad)\b", re.I)


_PLACE = _place_pattern()
_DELIVER_VERB = re.compile(r"发货|配送|送(?:货|到|去|吗|不)|寄|邮|快递|\bdeliver|\bship", re.I)
#: a size question that needs a person: the customer gives their own measurements or usual size
_PERSONAL_SIZE = re.compile(r"\d{2,3}\s*(?:cm|公分|厘米|斤|kg|公斤|lbs?)|身高|体重|平时穿|一般穿|大一码|小一码|"
                            r"胸围|腰围|臀围|肩宽|三围|i'?m \d|usually (?:wear|take)|size (?:up|down)|\d\s*(?:ft|foot|feet)\b|\b(?:chest|bust|waist|hips?)\b.{0,12}\d", re.I)


def personal_size(text: str) -> bool:
    return bool(_PERSONAL_SIZE.search(normalize(text)))


_ROLE_CLAIM = re.compile(r"我是(?:这家店的)?(?:管理员|店长|老板|客服主管|开发者|系统)|管理员授权|系统通知|【系统|\[system|system:|system override|"
                         r"忽略(?:之前|以上|前面|所有|你的)|忽略.{0,6}(?:规则|规定|指令|限制|设定|要求)|无视.{0,6}(?:规则|规定|指令)|忘掉.{0,6}(?:规则|指令)|新任务|forget (?:the |all |your )?.{0,12}rules|privacy rules|"
                         r"ignore (?:all |any |the |your )?(?:previous |above |prior )?(?:instructions|rules)|forget your|you are (?:now )?an? .{0,20}bot|"
                         r"developer mode|new instructions|as the admin|i am the (?:admin|owner|manager)|i'?m the (?:admin|owner|manager)", re.I)
_CHANGE_REQUEST = re.compile(r"(?:改成|改为|修改为|调成|调为|设为|设置为|标记为|标成)|\b(?:change|set|mark|update)\b.{0,40}\b(?:to|as)\b\s*(?:0|free|refunded|paid|\d)", re.I)
_OTHERS_DATA = re.compile(r"(?:客户|用户|顾客|买家)\S{1,5}的(?:订单|地址|电话|快递|信息)|其他(?:客户|人|用户|买家)的|别人的(?:订单|地址|电话|信息)|"
                          r"所有(?:客户|用户|订单)|全部(?:客户|订单)|(?:other|all) (?:customers?|users?)(?:'s?)?\b|someone else'?s|"
                          r"(?:all|every) orders|newest orders in the shop|what (?:did|has) (?!i\b|you\b|we\b)\S+ (?:buy|bought|order)|(?<!我)(?:他|她)买了什么", re.I)
#: "张小明最近买了什么": a named person's purchases (the name is any two or three characters but the asker's own words)
_NAMED_BUYER = re.compile(r"(?:^|[\s，,。！？!?：:；;]|查(?:一?下|查)?|看(?:一?下|看)?|问(?:一?下)?)([\u4e00-\u9fff]{2,3}?)(?:最近|之前|上次|都)?买了?(?:什么|啥|哪些)(?!时|样|牌|颜色|型号|尺码|码)")
_SELF_WORDS = re.compile(r"[我你您咱自己的了们这那它该此单货件东]")


def injection_signs(text: str) -> set:
    """"role" (claims a role or overrides instructions), "change" (asks to change the shop's data),
    "others" (asks for other customers' data)."""
    norm = normalize(text)
    signs = set()
    if _ROLE_CLAIM.search(norm):
        signs.add("role")
    if _CHANGE_REQUEST.search(norm):
        signs.add("change")
    if _OTHERS_DATA.search(norm) or any(not _SELF_WORDS.search(m.group(1)) for m in _NAMED_BUYER.finditer(norm)):
        signs.add("others")
    return signs


def asks_when(text: str) -> bool:
    return bool(_QUESTION_ABOUT_WHEN.search(normalize(text)))


_NEGATIVE = re.compile(r"失望|太慢|太差|好慢|怎么还没|怎么还不|还没到|到底|这么久|那么久|好久|等了|kidding|been waiting|forever|\bages\b|搞什么|什么情况|烦|气人|离谱|无语|坑|差劲|生气|着急|急死|"
                       r"disappoint|frustrat|annoy|upset|unhappy|not happy|still (?:not|hasn'?t|haven'?t)|so slow|too slow|ridiculous|"
                       r"what the hell|seriously|again\?|why (?:is|isn'?t|hasn'?t)|fed up|sick of|useless", re.I)


def is_negative(text: str) -> bool:
    """An upset or angry message: the reply opens with an apology."""
    norm = normalize(text)
    return bool(_NEGATIVE.search(norm) or _THREAT.search(norm)) or any(h.code in ("anger", "complaint") for h in intent_rules.handover_reasons(text))


_EN_FUNCTION = re.compile(r"\b(?:what|whats|what's|how|where|when|which|who|why|is|are|does|do|did|can|could|will|would|the|my|it|"
                          r"this|for|of|to|have|has|i|you|any|come|with|get|pls|please|thanks|thx)\b", re.I)


def reply_language(text: str, names=()) -> str:
    """The question's language once the product names it quotes are taken out ("Does 海尔 150L … have a warranty?" is
    English): English when it has two or more English function words, else by script."""
    if len(set(m.lower() for m in _EN_FUNCTION.findall(normalize(text)))) >= 2:
        return "en"
    rest = normalize(text)
    for name in sorted((n for n in names if n), key=len, reverse=True):
        rest = rest.replace(name, " ")
        for part in name.split():
            if len(part) > 1:
                rest = rest.replace(part, " ")
    return language_of(rest) if re.search(r"[A-Za-z\u4e00-\u9fff]", rest) else language_of(text)


#: what a threatening customer says they will do, and the threat itself ("不然就退款", "or I want a refund")
_THREAT_TAIL = r"(?:退款|退货|投诉|差评|举报|告你)"
_THREAT = re.compile(rf"(?:否则|不然|要不然).{{0,6}}{_THREAT_TAIL}|再不.{{1,8}}?(?:我)?就.{{0,4}}{_THREAT_TAIL}|"
                     r"\bor (?:else,? )?i(?:'ll| will| want| am going to| gonna)? .{0,12}\b(?:refund|complain|report|bad review|chargeback)", re.I)
#: "再不发货我就投诉" asks for 发货
_THREAT_ASK = re.compile(rf"再不(.{{1,8}}?)(?:的话)?(?:我)?就.{{0,4}}{_THREAT_TAIL}")

_GRIEVANCES = [
    ("not_received", re.compile(r"(?:显示|说|写着?|提示)(?:已经?)?签收.{0,12}(?:没|未)(?:有)?收到|(?:没|未)(?:有)?收到.{0,12}(?:显示|却|但)(?:已经?)?签收|"
                                r"(?:says|shows|marked|showing)(?: as)? delivered.{0,40}(?:not|never|didn'?t|haven'?t|no)\b|"
                                r"(?:never|didn'?t|did not|haven'?t) (?:got|get|receive[d]?).{0,40}(?:says|shows|marked) delivered", re.I)),
    ("missing", re.compile(r"少发|漏发|少了一件|少了个|缺了一|少寄|发错|寄错|missing (?:an? )?(?:item|part|piece)|item (?:was )?missing|wrong item|"
                           r"(?:was|were) missing", re.I)),
    ("damaged", re.compile(r"破损|破了|破掉|摔坏|压坏|压扁|压烂|碎了|东西少了|少了东西|坏的|收到.{0,6}(?:就)?坏|到货.{0,4}坏|烂了|变质|发霉|"
                           r"arrived (?:broken|damaged|smashed|crushed|rotten)|(?:is|was|came) (?:broken|damaged|smashed|rotten)|damaged|broken on arrival", re.I)),
    ("threat", _THREAT),
    ("compensation", re.compile(r"赔偿|补偿|赔钱|赔我|必须赔|要赔|compensat|reimburse", re.I)),
    ("delay", re.compile(r"拖了|拖到|(?:都|已经)?(?:等了|过了|付款)?\s*\d+\s*(?:天|日|周|个?星期|个月)(?:了|还|都)|"
                         r"\d+\s*(?:days?|weeks?|months?)\b.{0,30}\b(?:still|yet|and nothing|no update)|(?:still|yet).{0,30}\d+\s*(?:days?|weeks?)|"
                         r"(?:been )?waiting (?:for )?\d+\s*(?:days?|weeks?)|等了\s*\d+", re.I)),
]


def without_threats(text: str) -> str:
    """``text`` less its threats ("…, or I want a refund", "不然就投诉"); the rest is what is asked."""
    rest = _THREAT.sub(" ", _THREAT_ASK.sub(r"\1", text))
    return rest if re.search(r"\w", rest) else text


def grievances(text: str) -> list[str]:
    """What a complaint is about when only a person can settle it: not received though marked delivered,
    damaged on arrival, a demand for compensation, a long delay the customer states."""
    norm = normalize(text)
    return [name for name, pattern in _GRIEVANCES if pattern.search(norm)]


_ABUSE = re.compile(r"傻逼|\bsb\b|他妈|妈的|混蛋|滚|骗子|骗人|黑店|欺诈|\bscam|\bfraud|fuck|shit|idiot|[!！]{3,}|[?？!！]{4,}", re.I)


def is_abusive(text: str) -> bool:
    """Shouting or abuse (not just frustration): a person answers, even when the facts could."""
    return bool(_ABUSE.search(normalize(text)))


_AMOUNT_PAID = re.compile(r"(?:付|花|支付|交)了?多少|实付|付款金额|订单金额|多少钱.{0,4}(?:买|付)|"
                          r"how much (?:did|have) i (?:pay|paid|spend|spent)|what did i pay|amount (?:i )?paid|order total|total (?:amount|price|cost)", re.I)


def asks_amount_paid(text: str) -> bool:
    """"How much did I pay for order 3205": the order's total, not a product's price."""
    return bool(_AMOUNT_PAID.search(normalize(text)))
