"""Which strings a correct reply may use for a fact the shop stores: the stored value, its usual
Chinese and English renderings, numbers with their units written the ways people write them.

Written for the "apart" evaluation set (see README.md): every alternative here comes from how
customers and shop staff write these facts, not from the wording of any reply generator.
"""
from __future__ import annotations

import re
from decimal import Decimal

APOLOGY = ["抱歉", "不好意思", "对不起", "歉意", "sorry", "apolog"]
YES = ["支持", "可以", "能", "是的", "有的", "yes", "support", "can ", "compatible", "able to", "does"]
FREE_SHIPPING = ["包邮", "免运费", "免邮", "不收运费", "0元运费", "运费0", "免费配送", "免费送",
                 "free shipping", "ships free", "shipped free", "free delivery", "no shipping fee",
                 "no shipping charge", "shipping is free", "delivery is free", "free of charge"]
NO_RETURN = ["不支持", "不能", "不可以", "无法", "不退", "不接受", "不适用", "not support", "not eligible",
             "cannot", "can't", "can not", "no return", "non-returnable", "not returnable", "not accept",
             "don't accept", "do not accept", "not available", "isn't available", "not applicable", "unable"]

ORDER_STATUS = {
    "paid": ["已付款", "待发货", "未发货", "还没发货", "还未发货", "尚未发货", "没有发货", "暂未发货", "paid",
             "not shipped", "not yet shipped", "awaiting shipment", "hasn't shipped", "has not shipped",
             "not been shipped", "hasn't been shipped", "yet to ship", "not yet been shipped"],
    "shipped": ["已发货", "发货", "运输", "在途", "派送", "shipped", "dispatched", "on its way", "on the way",
                "in transit"],
    "delivered": ["已签收", "签收", "送达", "delivered"],
    "completed": ["已完成", "完成", "签收", "送达", "completed", "delivered", "complete"],
    "refunded": ["退款", "已退", "refund"],
    "cancelled": ["取消", "cancel"],
}
SHIPMENT_STATUS = {
    "pending": ["待揽收", "等待揽收", "已打包", "打包", "未揽收", "尚未发出", "还没发出", "pending", "packed",
                "awaiting pickup", "waiting for pickup", "waiting to be picked up", "not yet picked up",
                "not yet shipped", "not shipped", "hasn't shipped", "awaiting collection"],
    "shipped": ["已发货", "已揽件", "揽件", "揽收", "发货", "shipped", "picked up", "dispatched", "collected"],
    "in_transit": ["运输中", "运输", "在途", "转运", "途中", "路上", "in transit", "on its way", "on the way"],
    "out_for_delivery": ["派送", "派件", "配送中", "送货", "out for delivery", "being delivered", "delivering"],
    "delivered": ["已签收", "签收", "送达", "delivered"],
    "returned": ["退货", "退回", "退款", "returned", "return", "refund"],
}

CARRIERS = {
    "顺丰": ["顺丰", "SF Express", "SF "], "EMS": ["EMS", "邮政", "China Post"],
    "中通": ["中通", "ZTO", "Zhongtong"], "京东": ["京东", "JD"], "圆通": ["圆通", "YTO", "Yuantong"],
    "韵达": ["韵达", "Yunda"], "申通": ["申通", "STO", "Shentong"], "极兔": ["极兔", "J&T"],
    "德邦": ["德邦", "Deppon"], "邮政": ["邮政", "China Post", "EMS"],
}

# Chinese words the shop stores as attribute values, with the English a reply may use instead.
WORDS = {
    "云南": ["Yunnan"], "内蒙古": ["Inner Mongolia"], "宁夏": ["Ningxia"], "山东烟台": ["烟台", "Yantai"],
    "广西": ["Guangxi"], "新疆": ["Xinjiang"], "新西兰": ["New Zealand"], "智利": ["Chile"],
    "江西赣州": ["赣州", "Ganzhou"], "泰国": ["Thailand", "Thai"], "海南": ["Hainan"], "越南": ["Vietnam"],
    "辽宁丹东": ["丹东", "Dandong"], "黑龙江": ["Heilongjiang"], "四川": ["Sichuan"], "山东": ["Shandong"],
    "100%棉": ["纯棉", "全棉", "100% cotton"], "90%白鸭绒": ["白鸭绒", "90%", "duck down"],
    "98%棉 2%氨纶": ["98%棉", "98% cotton"], "棉聚酯混纺": ["混纺", "cotton", "blend"],
    "羊毛混纺": ["羊毛", "wool"], "聚酯纤维": ["涤纶", "polyester"], "锦纶氨纶": ["锦纶", "nylon"],
    "黑色": ["黑", "black"], "白色": ["白", "white"], "灰色": ["灰", "grey", "gray"], "藏青": ["navy"],
    "卡其": ["khaki"], "红色": ["red"], "蓝色": ["blue"],
    "修身": ["slim"], "宽松": ["loose", "relaxed", "oversize"], "常规": ["regular", "standard"],
    "女款": ["女士", "女生", "女装", "女式", "women", "female", "ladies"], "男款": ["男士", "男生", "男装", "男式", "men's", "mens", "for men", " male"],
    "平装": ["paperback", "softcover"], "精装": ["hardcover", "hardback", "hard cover"],
    "含双早": ["双早", "两份早餐", "2份早餐", "two breakfasts", "2 breakfasts", "breakfast for two",
            "breakfast for 2", "breakfast included", "includes breakfast"],
    "含单早": ["单早", "一份早餐", "1份早餐", "one breakfast", "1 breakfast", "breakfast for one",
            "breakfast for 1", "single breakfast"],
    "不含早": ["无早", "不含早餐", "没有早餐", "no breakfast", "without breakfast", "breakfast not included",
            "doesn't include breakfast", "does not include breakfast"],
    "五星级": ["五星", "5星", "five-star", "five star", "5-star", "5 star"], "经济型": ["经济", "budget", "economy"],
    "舒适型": ["舒适", "comfort"], "高档型": ["高档", "upscale"], "豪华型": ["豪华", "luxury"],
    "一级能效": ["一级", "1级", "level 1", "grade 1", "class 1", "tier 1", "first-level", "first level"],
    "电热水器": ["electric"], "燃气热水器": ["燃气", "gas"], "空气能热水器": ["空气能", "heat pump", "air source", "air-source"],
    "冷藏": ["冷藏", "冰箱", "refrigerat", "fridge", "chilled", "cold"], "常温": ["常温", "room temperature", "ambient"],
    "无": ["不防水", "无防水", "没有防水", "防水等级无", "不具备防水", "not waterproof", "no waterproof",
           "isn't waterproof", "is not waterproof", "no ip rating", "not water resistant", "not water-resistant",
           "no water resistance", "without water"],
    "集成显卡": ["集成", "核显", "integrated"], "全脂": ["whole", "full-fat", "full fat"], "低脂": ["low-fat", "low fat"],
    "有机": ["organic"], "原味": ["original", "plain"], "草莓味": ["草莓", "strawberry"], "黄桃味": ["黄桃", "peach"],
    "北京": ["Beijing"], "上海": ["Shanghai"], "广州": ["Guangzhou"], "深圳": ["Shenzhen"], "成都": ["Chengdu"],
    "杭州": ["Hangzhou"], "武汉": ["Wuhan"], "重庆": ["Chongqing"], "昆明": ["Kunming"], "苏州": ["Suzhou"],
    "长沙": ["Changsha"], "青岛": ["Qingdao"], "办公": ["office", "work"], "学习": ["study", "learning", "school"],
    "影音娱乐": ["影音", "entertainment", "media"],
}

_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """12 -> 十二, 24 -> 二十四 (0..99; larger numbers stay in digits)."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return str(n)


def plain_number(d) -> str:
    """3309.00 -> 3309, 30.90 -> 30.9."""
    d = Decimal(str(d))
    return str(int(d)) if d == d.to_integral_value() else format(d.normalize(), "f")


def days_alts(n: int) -> list[str]:
    out = [f"{n}天", f"{n} 天", f"{cn_number(n)}天", f"{n}日", f"{n} day", f"{n}-day", f"{n}days"]
    out += {7: ["一周", "一星期", "one week", "a week"], 15: ["半个月", "half a month"],
            30: ["一个月", "one month", "a month"], 2: ["两天", "two day"]}.get(n, [])
    return out


def years_alts(y: int) -> list[str]:
    out = [f"{y}年", f"{y} 年", f"{cn_number(y)}年", f"{y} year", f"{y}-year", f"{y}yr"]
    out += {1: ["一年", "one year", "a year", "one-year", "12个月", "12 month", "12-month"],
            2: ["两年", "二年", "two year", "two-year", "24个月", "24 month", "24-month"],
            3: ["三年", "three year", "three-year", "36个月", "36 month"]}.get(y, [])
    return out


def months_alts(m: int) -> list[str]:
    out = [f"{m}个月", f"{m} 个月", f"{cn_number(m)}个月", f"{m} month", f"{m}-month", f"{m}months"]
    if m == 6:
        out += ["半年", "half a year", "six month", "six-month"]
    if m and m % 12 == 0:
        out += years_alts(m // 12)
    return out


def money_alts(amount) -> list[str]:
    n = plain_number(amount)
    return [f"{n}元", f"{n} 元", f"¥{n}", f"￥{n}", f"¥ {n}", f"￥ {n}", f"{n} yuan", f"{n}yuan", f"{n} rmb",
            f"{n}rmb", f"rmb {n}", f"rmb{n}", f"cny {n}", f"cny{n}", f"{n}.00", f"{n}块", f"满{n}", f"over {n}",
            f"above {n}", f"{n} cny", f"{n} kuai"]


def time_alts(hhmm: str) -> list[str]:
    h, m = (int(x) for x in hhmm.split(":"))
    out = [hhmm, hhmm.replace(":", "："), f"{h}点", f"{h}:{m:02d}"]
    if h > 12:
        h12 = h - 12
        out += [f"{h12}pm", f"{h12} pm", f"{h12}:{m:02d} pm", f"{h12}:{m:02d}pm", f"{h12} p.m.", f"下午{h12}点",
                f"晚上{h12}点", f"傍晚{h12}点"]
    return out


def status_alts(order) -> list[str]:
    """Words that state where an order stands: its shipments' statuses and the order's own."""
    out: list[str] = []
    for s in order.shipments:
        out += SHIPMENT_STATUS.get(s.status, [s.status])
    if order.status == "paid" and not any(s.status != "pending" for s in order.shipments):
        out += ORDER_STATUS["paid"]
    elif not order.shipments or order.status in ("refunded", "cancelled"):
        out += ORDER_STATUS.get(order.status, [order.status])
    return list(dict.fromkeys(out))


def carrier_alts(carrier: str) -> list[str]:
    out = [carrier]
    for key, alts in CARRIERS.items():
        if key.lower() in carrier.lower():
            out += alts
    return list(dict.fromkeys(out))


_UNIT = re.compile(r"(\d+(?:\.\d+)?)\s*(mAh|英寸|kg|GB|TB|ml|g|L|W|天|个月|年|斤|小时)", re.I)
_UNIT_FORMS = {
    "mah": ["{n}mAh", "{n} mAh", "{n}毫安"], "英寸": ["{n}英寸", "{n} 英寸", "{n}寸", "{n} inch", "{n}-inch", '{n}"', "{n}in"],
    "kg": ["{n}kg", "{n} kg", "{n}公斤", "{n}千克"], "g": ["{n}g", "{n} g", "{n}克", "{n} gram"],
    "gb": ["{n}GB", "{n} GB", "{n}G "], "tb": ["{n}TB", "{n} TB", "{n}T "], "ml": ["{n}ml", "{n} ml", "{n}毫升", "{n}mL"],
    "l": ["{n}L", "{n} L", "{n}升", "{n} liter", "{n} litre", "{n}-liter", "{n}-litre"],
    "w": ["{n}W", "{n} W", "{n}瓦", "{n} watt"], "斤": ["{n}斤", "{n} jin"], "小时": ["{n}小时", "{n} hour", "{n}h "],
}


def value_alts(value) -> list[str]:
    """Ways a reply may state one stored attribute value (the value itself always among them)."""
    text = str(value).strip()
    out = [text] if len(text) > 1 or text.isascii() else []
    m = _UNIT.search(text)
    if m:
        n, unit = m.group(1), m.group(2)
        key = unit.lower()
        if key == "天":
            out += days_alts(int(float(n)))
        elif key == "个月":
            out += months_alts(int(float(n)))
        elif key == "年":
            out += years_alts(int(float(n)))
        else:
            out += [f.format(n=n) for f in _UNIT_FORMS.get(key, [])]
    mp = re.search(r"(\d+)万像素", text)
    if mp:
        mpx = int(mp.group(1)) // 100
        out += [f"{mp.group(1)}万", f"{mpx}MP", f"{mpx} MP", f"{mpx} megapixel", f"{mpx}-megapixel", f"{mpx}M "]
    tokens = [t for t in re.split(r"[\s/]+", text) if re.search(r"[A-Za-z]", t) and re.search(r"\d", t)]
    if tokens and not m:
        best = max(tokens, key=len)
        out += [best, best.split("-")[-1]]
    out += WORDS.get(text, [])
    return list(dict.fromkeys(a for a in out if a.strip()))


def english_ok(value) -> bool:
    """Whether an English reply can state the value in a checkable way."""
    return any(re.search(r"[A-Za-z0-9]", a) for a in value_alts(value))
