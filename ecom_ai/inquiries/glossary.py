"""The glossary English drafts are written with: carriers, statuses, policy and catalogue terms, units, places.

Values reach the facts in the shop's own words (Chinese). :func:`to_english` translates a value term by
term (longest term first, then units), and returns None when Chinese is left over, so an English draft
never carries untranslated Chinese: the fact is left out and a person takes the question. Product names
are not translated (they stay as the shop wrote them). A shop adds or overrides terms with the
``INQUIRY_GLOSSARY`` setting (``{"中文": "English"}``). Brand and category words also help to recognise
a product named in English ("the Haier water heater").
"""
from __future__ import annotations

import re
from functools import lru_cache

CARRIERS = {
    "顺丰速运": "SF Express", "顺丰": "SF Express", "中通快递": "ZTO Express", "中通": "ZTO Express",
    "圆通速递": "YTO Express", "圆通": "YTO Express", "韵达快递": "Yunda Express", "韵达": "Yunda Express",
    "申通快递": "STO Express", "申通": "STO Express", "京东物流": "JD Logistics", "京东快递": "JD Logistics",
    "邮政EMS": "China Post EMS", "中国邮政": "China Post", "极兔速递": "J&T Express", "德邦快递": "Deppon Express",
}

BRANDS = {
    "华为": "Huawei", "小米": "Xiaomi", "荣耀": "Honor", "真我": "realme", "苹果": "Apple", "三星": "Samsung",
    "vivo": "vivo", "oppo": "OPPO", "一加": "OnePlus", "魅族": "Meizu", "联想": "Lenovo", "戴尔": "Dell",
    "惠普": "HP", "华硕": "ASUS", "宏碁": "Acer", "海尔": "Haier", "美的": "Midea", "林内": "Rinnai",
    "万和": "Vanward", "万家乐": "Macro", "A.O.史密斯": "A.O. Smith", "史密斯": "A.O. Smith", "方太": "Fotile",
    "格力": "Gree", "李宁": "Li-Ning", "安踏": "Anta", "优衣库": "Uniqlo", "雅戈尔": "Youngor", "波司登": "Bosideng",
    "耐克": "Nike", "阿迪达斯": "Adidas", "海澜之家": "HLA", "蒙牛": "Mengniu", "伊利": "Yili", "特仑苏": "Telunsu",
    "纯甄": "Chun Zhen", "沙宣": "Vidal Sassoon", "滋源": "Seeyoung", "吕": "Ryo", "海飞丝": "Head & Shoulders",
    "潘婷": "Pantene", "飘柔": "Rejoice", "清扬": "Clear", "洲际": "InterContinental", "如家": "Home Inn",
    "全季": "JI Hotel", "汉庭": "Hanting", "亚朵": "Atour", "希尔顿": "Hilton", "万豪": "Marriott",
    "锦江": "Jinjiang", "香格里拉": "Shangri-La", "凯悦": "Hyatt",
}

#: category and product words: what a customer calls a kind of product in either language
CATEGORY_WORDS = {
    "手机": ("phone", "mobile", "cellphone", "smartphone"), "平板": ("tablet", "pad", "ipad"),
    "书籍": ("book", "books", "novel"), "书": ("book",), "水果": ("fruit", "fruits"),
    "洗发水": ("shampoo",), "热水器": ("water heater", "heater", "boiler"), "蒙牛": ("milk", "dairy"),
    "牛奶": ("milk",), "酸奶": ("yogurt", "yoghurt"), "衣服": ("clothes", "clothing", "jacket", "coat", "jeans", "pants", "shirt"),
    "计算机": ("laptop", "computer", "notebook", "pc"), "电脑": ("laptop", "computer", "notebook", "pc"),
    "笔记本": ("laptop", "notebook"), "酒店": ("hotel", "room", "booking", "stay"), "耳机": ("earphones", "headphones", "earbuds"),
    "榴莲": ("durian",), "葡萄": ("grape", "grapes"), "砂糖橘": ("tangerine", "tangerines", "mandarin"),
    "橘": ("tangerine", "orange"), "橙": ("orange", "oranges"), "苹果": ("apple", "apples"), "芒果": ("mango", "mangoes"),
    "车厘子": ("cherries", "cherry"), "樱桃": ("cherries", "cherry"), "猕猴桃": ("kiwi", "kiwifruit"),
    "草莓": ("strawberry", "strawberries"), "蓝莓": ("blueberry", "blueberries"), "哈密瓜": ("melon", "cantaloupe"),
    "羽绒服": ("down jacket", "puffer"), "外套": ("jacket", "coat"), "牛仔裤": ("jeans",), "卫衣": ("hoodie", "sweatshirt"),
    "T恤": ("t-shirt", "tee"), "衬衫": ("shirt",), "运动裤": ("joggers", "sweatpants"), "毛衣": ("sweater", "jumper"),
    "大床房": ("king room", "double room"), "双床房": ("twin room",), "套房": ("suite",),
}

_TERMS = {
    # shipment and order statuses, shipment notes
    "待揽收": "waiting for pickup", "已揽件发货": "picked up by the courier", "已揽件": "picked up by the courier",
    "运输中": "in transit", "派送中": "out for delivery", "已签收": "delivered", "已退回": "returned",
    "订单已打包，等待揽收": "packed and waiting for the courier", "快递员已揽件": "picked up by the courier",
    "快递员正在派送，请保持电话畅通": "out for delivery", "已签收，感谢使用": "delivered and signed for",
    "退货已签收，退款处理中": "the return was received and the refund is being processed",
    "分拨中心": "sorting centre", "转运中心": "sorting centre", "快件已到达": "arrived at the",
    # policy and catalogue values
    "不提供保修": "no warranty", "无保修": "no warranty", "不支持无理由退换": "no returns without a fault",
    "暂时缺货": "out of stock", "已下架": "no longer sold", "无": "none", "有": "yes", "是": "yes", "否": "no",
    "平装": "paperback", "精装": "hardcover", "文学": "literature", "技术": "technology", "少儿": "children's books",
    "办公": "office work", "学习": "studying", "影音娱乐": "video and entertainment", "集成显卡": "integrated graphics",
    "独立显卡": "dedicated graphics", "锐龙": "Ryzen ", "酷睿": "Core ", "像素": " pixels", "双摄": "dual camera",
    "三摄": "triple camera", "潜望长焦": "periscope telephoto", "冷藏": "refrigerated", "冷冻": "frozen", "常温": "room temperature",
    "低脂": "low-fat", "全脂": "whole", "原味": "plain", "有机": "organic", "草莓味": "strawberry", "黄桃味": "yellow peach",
    "白鸭绒": "white duck down", "灰鸭绒": "grey duck down", "鹅绒": "goose down", "棉聚酯混纺": "cotton-polyester blend",
    "羊毛混纺": "wool blend", "聚酯纤维": "polyester", "锦纶氨纶": "nylon-spandex", "氨纶": "spandex", "锦纶": "nylon",
    "棉": "cotton", "羊毛": "wool", "真丝": "silk", "亚麻": "linen", "卡其": "khaki", "灰色": "grey", "白色": "white",
    "藏青": "navy", "黑色": "black", "红色": "red", "蓝色": "blue", "绿色": "green", "粉色": "pink", "米色": "beige",
    "女款": "women's", "男款": "men's", "中性": "unisex", "修身": "slim fit", "宽松": "loose fit", "常规": "regular fit",
    "燃气热水器": "gas water heater", "电热水器": "electric water heater", "空气能热水器": "heat-pump water heater",
    "一级能效": "grade 1 energy efficiency", "二级能效": "grade 2 energy efficiency", "三级能效": "grade 3 energy efficiency",
    "整机": "whole unit ", "内胆": "tank ", "天然气": "natural gas ", "亲子双床房": "family twin room",
    "商务大床房": "business king room", "景观套房": "view suite", "不含早": "no breakfast", "含单早": "breakfast for one",
    "含双早": "breakfast for two", "五星级": "five-star", "四星级": "four-star", "经济型": "budget", "舒适型": "comfort class",
    "高档型": "upscale", "入住前一天18:00前免费取消": "free cancellation until 18:00 the day before check-in", "免费取消": "free cancellation",
    "头屑头痒": "dandruff and itchy scalp", "干性受损发质": "dry, damaged hair", "油性发质": "oily hair",
    "中性发质": "normal hair", "修护柔顺": "repairs and smooths", "去屑止痒": "anti-dandruff, soothes itching",
    "清爽控油": "oil control",
    **{},
}
PLACES = {
    "北京": "Beijing", "上海": "Shanghai", "天津": "Tianjin", "重庆": "Chongqing", "广州": "Guangzhou", "深圳": "Shenzhen",
    "杭州": "Hangzhou", "南京": "Nanjing", "苏州": "Suzhou", "成都": "Chengdu", "武汉": "Wuhan", "西安": "Xi'an",
    "长沙": "Changsha", "厦门": "Xiamen", "昆明": "Kunming", "青岛": "Qingdao", "大连": "Dalian", "郑州": "Zhengzhou",
    "云南": "Yunnan", "内蒙古": "Inner Mongolia", "宁夏": "Ningxia", "山东烟台": "Yantai, Shandong", "山东": "Shandong",
    "烟台": "Yantai", "广西": "Guangxi", "新疆": "Xinjiang", "西藏": "Tibet", "新西兰": "New Zealand", "智利": "Chile",
    "江西赣州": "Ganzhou, Jiangxi", "江西": "Jiangxi", "赣州": "Ganzhou", "泰国": "Thailand", "海南": "Hainan",
    "越南": "Vietnam", "辽宁丹东": "Dandong, Liaoning", "辽宁": "Liaoning", "丹东": "Dandong", "黑龙江": "Heilongjiang",
    "四川": "Sichuan", "福建": "Fujian", "浙江": "Zhejiang", "江苏": "Jiangsu", "广东": "Guangdong", "河北": "Hebei",
    "河南": "Henan", "湖北": "Hubei", "湖南": "Hunan", "陕西": "Shaanxi", "甘肃": "Gansu", "吉林": "Jilin",
    "澳大利亚": "Australia", "美国": "the USA", "日本": "Japan", "韩国": "South Korea", "秘鲁": "Peru", "菲律宾": "the Philippines",
    "青海": "Qinghai", "贵州": "Guizhou", "山西": "Shanxi", "安徽": "Anhui", "三沙": "Sansha", "三亚": "Sanya", "拉萨": "Lhasa",
    "乌鲁木齐": "Urumqi", "哈尔滨": "Harbin", "香港": "Hong Kong", "澳门": "Macau", "台湾": "Taiwan",
}

_UNITS = [
    (r"(\d+(?:\.\d+)?)\s*个月", r"\1 months"), (r"(\d+(?:\.\d+)?)\s*年", r"\1 years"), (r"(\d+(?:\.\d+)?)\s*天", r"\1 days"),
    (r"(\d+(?:\.\d+)?)\s*小时", r"\1 hours"), (r"(\d+(?:\.\d+)?)\s*英寸", r"\1 inches"), (r"(\d+(?:\.\d+)?)\s*寸", r"\1 inches"),
    (r"(\d+(?:\.\d+)?)\s*斤装", r"\1-jin pack"), (r"(\d+(?:\.\d+)?)\s*斤", r"\1 jin"), (r"(\d+(?:\.\d+)?)\s*公斤", r"\1 kg"),
    (r"(\d+(?:\.\d+)?)\s*克", r"\1 g"), (r"(\d+(?:\.\d+)?)\s*升", r"\1 L"), (r"(\d+(?:\.\d+)?)\s*毫升", r"\1 ml"),
    (r"(\d+)\s*盒", r"\1 cartons"), (r"(\d+)\s*瓶", r"\1 bottles"), (r"(\d+)\s*袋", r"\1 bags"),
    (r"(\d+)\s*件", r"\1"), (r"(\d+(?:\.\d+)?)\s*元", r"\1 yuan"), (r"(\d+)\s*页", r"\1 pages"), (r"(\d+)\s*核", r"\1 cores"),
    (r"(\d+)\s*瓦", r"\1 W"), (r"(\d+)\s*星", r"\1-star"),
]
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uff0f\uff1a-\uff20]")
_PUNCT = {"，": ", ", "、": ", ", "；": "; ", "：": ": ", "（": " (", "）": ")", "。": ". ", "×": " × "}


def has_chinese(text: str) -> bool:
    return bool(_CJK.search(text or ""))


@lru_cache(maxsize=1)
def _terms_sorted(extra: tuple) -> list[tuple[str, str]]:
    terms = {**CARRIERS, **BRANDS, **_TERMS, **PLACES, **dict(extra)}
    return sorted(terms.items(), key=lambda kv: len(kv[0]), reverse=True)


def _extra_terms() -> tuple:
    try:
        from ecom_ai.conf import ecom_ai_settings

        extra = getattr(ecom_ai_settings, "INQUIRY_GLOSSARY", None) or {}
    except Exception:  # outside Django: the shipped glossary only
        extra = {}
    return tuple(sorted(extra.items()))


def to_english(value: str) -> str | None:
    """``value`` in English through the glossary, or None when some Chinese cannot be translated."""
    text = str(value or "").strip()
    if not has_chinese(text):
        return text
    text = re.sub(r"(\d+)\s*万像素", lambda m: f" {int(m.group(1)) // 100} MP ", text)  # 5000万像素 → 50 MP
    for zh, en in _terms_sorted(_extra_terms()):
        if zh in text:
            text = text.replace(zh, f" {en} ")
    for pattern, repl in _UNITS:
        text = re.sub(pattern, repl, text)
    for zh, en in _PUNCT.items():
        text = text.replace(zh, en)
    text = re.sub(r"\s+", " ", text).replace(" ,", ",").replace("( ", "(").strip(" ,;")
    return None if has_chinese(text) else text


def english_aliases(word: str) -> tuple[str, ...]:
    """English words a customer may use for a Chinese brand or category word."""
    out = list(CATEGORY_WORDS.get(word, ()))
    if word in BRANDS:
        out.append(BRANDS[word].lower())
    return tuple(out)


#: clauses of a shop's after-sales notes that English replies can state (the rest stays for staff)
_FOR = {"退款": " for a refund", "退货": " for a return", "换货": " for an exchange"}
_POLICY_CLAUSES = [
    (re.compile(r"质量问题\s*(\d+)\s*(小时|天)内(?:可)?(?:申请)?(退款|退货|换货|反馈|联系客服)?"),
     lambda m: f"quality problems can be reported within {m.group(1)} {'hours' if m.group(2) == '小时' else 'days'}"
               + _FOR.get(m.group(3) or "", "")),
    (re.compile(r"入住前(一|1|两|2)天\s*(\d{1,2}[:：]\d{2})\s*前可?免费取消"),
     lambda m: f"free cancellation until {m.group(2).replace('：', ':')} the day before check-in"
               if m.group(1) in ("一", "1") else f"free cancellation until {m.group(2).replace('：', ':')} two days before check-in"),
    (re.compile(r"之后取消或未入住收取首晚房费"), lambda m: "later cancellations or no-shows are charged the first night"),
    (re.compile(r"可改期一次"), lambda m: "the dates can be changed once"),
]


def policy_notes_english(notes: str) -> str | None:
    """The clauses of ``notes`` (a shop's after-sales notes, in Chinese) that English can state, joined; None if none."""
    found = [(m.start(), render(m)) for pattern, render in _POLICY_CLAUSES for m in pattern.finditer(notes or "")]
    return "; ".join(text for _, text in sorted(found)) or None
