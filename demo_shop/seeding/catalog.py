"""Per-category product templates: brands, models and attributes, in Chinese with an English name.

Each maker takes a ``random.Random``, a hidden *style* (0..2, what kind of shopper it appeals to)
and a price *tier* (0 budget, 1 mid, 2 premium) and returns the fields of one product.
"""
from __future__ import annotations

import random
from decimal import Decimal

# (name, slug, English) in the order of the review file's categories
CATEGORIES = [
    ("书籍", "books", "Books"),
    ("平板", "tablets", "Tablets"),
    ("手机", "phones", "Phones"),
    ("水果", "fruit", "Fruit"),
    ("洗发水", "shampoo", "Shampoo"),
    ("热水器", "water-heaters", "Water heaters"),
    ("蒙牛", "mengniu-dairy", "Mengniu dairy"),
    ("衣服", "clothing", "Clothing"),
    ("计算机", "computers", "Computers"),
    ("酒店", "hotels", "Hotels"),
]
CONSUMABLE = {"水果", "洗发水", "蒙牛"}
#: ecom_ai's CategoryPolicy per category: (bought again and again, days a durable purchase holds its category
#: back, standalone: never a "because you bought" partner of another category)
RECOMMENDATION_POLICY = {
    "书籍": (True, 0, False), "平板": (False, 730, False), "手机": (False, 365, False), "水果": (True, 0, False),
    "洗发水": (True, 0, False), "热水器": (False, 1825, False), "蒙牛": (True, 0, False), "衣服": (True, 0, False),
    "计算机": (False, 1095, False), "酒店": (True, 0, True),
}
STYLE_NAMES = {  # what the hidden style means per category (also used for search queries)
    "手机": ("户外运动", "影像旗舰", "轻薄"),
    "平板": ("学习", "影音娱乐", "办公"),
    "计算机": ("轻薄办公", "游戏", "商务"),
    "书籍": ("文学", "技术", "少儿"),
    "水果": ("进口", "国产", "礼盒"),
    "洗发水": ("去屑", "控油", "修护"),
    "热水器": ("电热水器", "燃气热水器", "空气能"),
    "蒙牛": ("纯牛奶", "酸奶", "儿童奶"),
    "衣服": ("运动", "休闲", "商务"),
    "酒店": ("商务出行", "家庭亲子", "度假"),
}
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "南京", "武汉", "西安", "重庆", "苏州", "天津", "长沙", "青岛", "厦门", "昆明"]
CITY_EN = dict(zip(CITIES, ["Beijing", "Shanghai", "Guangzhou", "Shenzhen", "Hangzhou", "Chengdu", "Nanjing", "Wuhan", "Xi'an",
                            "Chongqing", "Suzhou", "Tianjin", "Changsha", "Qingdao", "Xiamen", "Kunming"]))


def _price(rng: random.Random, bands, tier: int) -> Decimal:
    lo, hi = bands[tier]
    p = rng.uniform(lo, hi)
    # shop prices end in 9 or 9.9
    if p >= 100:
        return Decimal(int(p) // 10 * 10 + 9)
    return Decimal(f"{int(p)}.90")


def _pick(rng, seq):
    return seq[rng.randrange(len(seq))]


def _phone(rng, style, tier):
    brands = [("华为", "Huawei", ["Mate", "nova", "Pura"]), ("小米", "Xiaomi", ["Redmi Note", "Xiaomi", "Civi"]),
              ("OPPO", "OPPO", ["Reno", "Find X", "A"]), ("vivo", "vivo", ["X", "S", "iQOO"]),
              ("荣耀", "Honor", ["Magic", "X", "数字"]), ("一加", "OnePlus", ["Ace", "", "Nord"]), ("真我", "realme", ["GT", "Neo", "C"])]
    zh, en, series = _pick(rng, brands)
    model = f"{_pick(rng, series)} {rng.randint(10, 70)}{_pick(rng, ['', ' Pro', ' Pro+', ' Ultra', 's'])}".strip()
    edition = ("运动版", "影像版", "轻薄版")[style]
    edition_en = ("Active", "Camera", "Slim")[style]
    battery = (rng.choice([5500, 5800, 6000, 6100]), rng.choice([4800, 5000, 5200]), rng.choice([4000, 4200, 4500]))[style]
    waterproof = (rng.choice(["IP68", "IP69"]), rng.choice(["IP68", "IP67"]), rng.choice(["IP54", "无"]))[style]
    weight = (rng.randint(200, 225), rng.randint(190, 215), rng.randint(160, 182))[style]
    storage = ("128GB", "256GB", "512GB")[tier]
    screen = f"{rng.choice([6.1, 6.36, 6.5, 6.67, 6.7, 6.78, 6.82])}英寸"
    attrs = {"battery_capacity": f"{battery}mAh", "screen_size": screen, "waterproof": waterproof, "weight": f"{weight}g",
             "storage": storage, "memory": ("8GB", "12GB", "16GB")[tier], "camera": ("5000万像素双摄", "5000万像素三摄 潜望长焦", "5000万像素双摄")[style]}
    name = f"{zh} {model} {edition} {attrs['memory']}+{storage}"
    desc = (f"{zh}{model}{edition}，{screen}屏幕，{battery}mAh大电池，防水等级{waterproof}，机身重量约{weight}g。"
            + ("适合跑步、骑行等户外运动，续航更久。" if style == 0 else "主摄支持夜景与人像模式，拍照更清晰。" if style == 1 else "机身轻薄，单手握持舒适。"))
    return name, f"{en} {model} {edition_en} {attrs['memory']}+{storage}", desc, _price(rng, [(999, 1999), (2000, 3999), (4000, 6999)], tier), attrs


def _tablet(rng, style, tier):
    brands = [("华为", "Huawei", "MatePad"), ("小米", "Xiaomi", "Pad"), ("联想", "Lenovo", "小新Pad"), ("荣耀", "Honor", "平板"), ("OPPO", "OPPO", "Pad")]
    zh, en, series = _pick(rng, brands)
    gen = rng.randint(5, 12)
    screen = (rng.choice([10.1, 10.4, 11.0]), rng.choice([11.0, 11.5, 12.1]), rng.choice([12.1, 12.4, 12.6]))[style]
    battery = rng.choice([7250, 7700, 8000, 8600, 10000])
    attrs = {"battery_capacity": f"{battery}mAh", "screen_size": f"{screen}英寸", "waterproof": "无",
             "weight": f"{rng.randint(440, 610)}g", "storage": ("64GB", "128GB", "256GB")[tier],
             "use": STYLE_NAMES["平板"][style]}
    extra = ("护眼模式，适合网课学习", "四扬声器，追剧影音更沉浸", "支持手写笔与键盘，移动办公")[style]
    name = f"{zh} {series} {gen} {attrs['screen_size']} {attrs['storage']}"
    desc = f"{zh}{series} {gen}，{attrs['screen_size']}高刷屏，{battery}mAh电池，重量{attrs['weight']}，{extra}。"
    ename = f"{en} {'Pad' if series != 'Pad' else series} {gen} {screen}-inch {attrs['storage']}"
    return name, ename, desc, _price(rng, [(999, 1799), (1800, 2999), (3000, 5499)], tier), attrs


def _computer(rng, style, tier):
    brands = [("联想", "Lenovo", ["ThinkPad X1", "小新Pro", "拯救者Y9000P"]), ("华为", "Huawei", ["MateBook X", "MateBook D", "MateBook 14"]),
              ("戴尔", "Dell", ["XPS", "游匣G16", "Latitude"]), ("惠普", "HP", ["星Book", "暗影精灵", "战66"]),
              ("华硕", "ASUS", ["灵耀", "天选", "破晓"])]
    zh, en, series = _pick(rng, brands)
    line = series[(0, 2, 1)[style] if len(series) > 2 else 0]
    cpu = _pick(rng, [["Intel 酷睿 Ultra5 125H", "AMD 锐龙5 7640HS"], ["Intel 酷睿 i7-13700H", "AMD 锐龙7 8845H"],
                      ["Intel 酷睿 i9-14900HX", "AMD 锐龙9 7945HX"]][tier])
    screen = (rng.choice([13.3, 14.0]), rng.choice([16.0, 17.3]), rng.choice([14.0, 15.6]))[style]
    weight = (rng.uniform(1.1, 1.4), rng.uniform(2.3, 2.8), rng.uniform(1.5, 1.9))[style]
    attrs = {"cpu": cpu, "memory": ("16GB", "32GB", "32GB")[tier], "storage": ("512GB SSD", "1TB SSD", "2TB SSD")[tier],
             "screen_size": f"{screen}英寸", "weight": f"{weight:.2f}kg",
             "gpu": ("集成显卡", rng.choice(["RTX 4060", "RTX 4070"]), "集成显卡")[style]}
    name = f"{zh} {line} {screen}英寸 {cpu.split(' ', 1)[1]} {attrs['memory']}/{attrs['storage']}"
    desc = (f"{zh}{line}笔记本电脑，{cpu}处理器，{attrs['memory']}内存，{attrs['storage']}，{screen}英寸屏幕，重约{attrs['weight']}。"
            + ("轻薄便携，适合出差办公。" if style == 0 else f"{attrs['gpu']}独立显卡，畅玩3A游戏。" if style == 1 else "商务稳重，接口齐全。"))
    cpu_en = cpu.replace("酷睿", "Core").replace("锐龙", "Ryzen ")
    return name, f"{en} {line} {screen}\" {cpu_en} {attrs['memory']}/{attrs['storage'].replace(' SSD', '')}", desc, \
        _price(rng, [(3299, 4999), (5000, 7999), (8000, 15999)], tier), attrs


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉兰萍红鹏辉建华玲飞斌宇浩凯欣怡子涵梓轩雨萱思远一鸣嘉怡晨晓文博俊杰佳琪"


def person_name(rng: random.Random) -> str:
    given = _GIVEN[rng.randrange(len(_GIVEN))] + (_GIVEN[rng.randrange(len(_GIVEN))] if rng.random() < 0.6 else "")
    return _SURNAMES[rng.randrange(len(_SURNAMES))] + given


def _book(rng, style, tier):
    places = [("长安", "Chang'an"), ("江南", "Jiangnan"), ("北方", "the North"), ("海边", "the Seaside"), ("小城", "a Small Town"),
              ("山村", "a Mountain Village"), ("雪国", "Snow Country"), ("南洋", "the South Seas")]
    nouns = [("往事", "Memories"), ("岁月", "Years"), ("灯火", "Lights"), ("春天", "Spring"), ("故人", "Old Friends"), ("河流", "Rivers"),
             ("秘密", "Secrets"), ("远方", "Distant Places")]
    techs = [("Python", "Python"), ("机器学习", "Machine Learning"), ("Django", "Django"), ("数据库系统", "Database Systems"),
             ("深度学习", "Deep Learning"), ("算法", "Algorithms"), ("分布式系统", "Distributed Systems")]
    kids = [("恐龙", "Dinosaurs"), ("宇宙", "the Universe"), ("海洋动物", "Ocean Animals"), ("古诗", "Classical Poems"), ("成语", "Idioms")]
    if style == 0:
        (pl, pl_en), (no, no_en) = _pick(rng, places), _pick(rng, nouns)
        title, en = f"{pl}{no}", f"{no_en} of {pl_en}"
        publisher = _pick(rng, ["人民文学出版社", "上海译文出版社", "译林出版社"])
    elif style == 1:
        t, te = _pick(rng, techs)
        form, form_en = _pick(rng, [("{}实战", "{} in Action"), ("深入理解{}", "Understanding {}"), ("{}从入门到精通", "{}: From Beginner to Expert")])
        title, en = form.format(t), form_en.format(te)
        publisher = _pick(rng, ["机械工业出版社", "人民邮电出版社", "电子工业出版社"])
    else:
        t, te = _pick(rng, kids)
        title, en = f"{t}的100个故事", f"100 Stories of {te}"
        publisher = _pick(rng, ["中信出版社", "接力出版社", "少年儿童出版社"])
    edition = rng.randint(1, 4)
    if edition > 1:
        title, en = f"{title}（第{edition}版）", f"{en} ({edition} ed.)"
    author = person_name(rng)
    pages = (rng.randint(200, 480), rng.randint(320, 860), rng.randint(48, 160))[style]
    attrs = {"author": author, "pages": pages, "publisher": publisher, "binding": ("平装", "平装", "精装")[tier], "genre": STYLE_NAMES["书籍"][style]}
    desc = f"《{title}》，{author} 著，{publisher}出版，共{pages}页，{attrs['binding']}。"
    return f"《{title}》", en, desc, _price(rng, [(19, 39), (40, 79), (80, 159)], tier), attrs


def _fruit(rng, style, tier):
    items = [[("智利车厘子", "Chilean Cherries", "智利"), ("新西兰佳沛奇异果", "Zespri Kiwifruit", "新西兰"), ("泰国金枕榴莲", "Thai Monthong Durian", "泰国"),
              ("越南红心火龙果", "Vietnamese Red Dragon Fruit", "越南")],
             [("烟台红富士苹果", "Yantai Fuji Apples", "山东烟台"), ("赣南脐橙", "Gannan Navel Oranges", "江西赣州"), ("海南贵妃芒", "Hainan Guifei Mangoes", "海南"),
              ("广西砂糖橘", "Guangxi Tangerines", "广西"), ("新疆阿克苏冰糖心苹果", "Aksu Apples", "新疆")],
             [("阳光玫瑰葡萄礼盒", "Shine Muscat Grape Gift Box", "云南"), ("丹东草莓礼盒", "Dandong Strawberry Gift Box", "辽宁丹东"),
              ("云南蓝莓礼盒", "Yunnan Blueberry Gift Box", "云南")]]
    zh, en, origin = _pick(rng, items[style])
    kg = (rng.choice([1, 1.5, 2]), rng.choice([2.5, 3, 5]), rng.choice([4, 5]))[tier]
    grade = ("精选", "特级", "顶级")[tier]
    attrs = {"weight": f"{kg}kg", "net_content": f"{int(kg * 2)}斤装", "origin": origin, "shelf_life": f"{rng.choice([5, 7, 10, 15])}天",
             "storage": "冷藏0-4℃"}
    name = f"{zh} {grade} {attrs['net_content']}"
    desc = f"{zh}，产地{origin}，{grade}果，净重{kg}kg，保质期{attrs['shelf_life']}，建议冷藏保存，顺丰冷链配送。"
    return name, f"{en} {('Select', 'Premium', 'Top grade')[tier]} {kg}kg", desc, _price(rng, [(29, 69), (70, 149), (150, 399)], tier), attrs


def _shampoo(rng, style, tier):
    brands = [("海飞丝", "Head & Shoulders"), ("潘婷", "Pantene"), ("沙宣", "Vidal Sassoon"), ("清扬", "Clear"), ("飘柔", "Rejoice"),
              ("阿道夫", "Adolph"), ("滋源", "Seeyoung"), ("吕", "Ryo")]
    zh, en = _pick(rng, brands)
    kind, kind_en, hair = [("去屑止痒", "Anti-dandruff", "头屑头痒"), ("清爽控油", "Oil Control", "油性发质"), ("修护柔顺", "Repair & Smooth", "干性受损发质")][style]
    ml = (400, 750, 1000)[tier] if rng.random() < 0.8 else rng.choice([200, 500])
    attrs = {"volume": f"{ml}ml", "hair_type": hair, "effect": kind, "shelf_life": "3年"}
    name = f"{zh} {kind}洗发水 {ml}ml"
    desc = f"{zh}{kind}洗发水，{ml}ml，适合{hair}，温和清洁头皮，持久留香。"
    return name, f"{en} {kind_en} Shampoo {ml}ml", desc, _price(rng, [(19, 39), (40, 69), (70, 129)], tier), attrs


def _heater(rng, style, tier):
    brands = [("海尔", "Haier"), ("美的", "Midea"), ("A.O.史密斯", "A.O. Smith"), ("万和", "Vanward"), ("万家乐", "Macro"), ("林内", "Rinnai")]
    zh, en = _pick(rng, brands)
    if style == 0:
        cap = ("50L", "60L", "80L")[tier]
        attrs = {"type": "电热水器", "capacity": cap, "power": rng.choice(["2200W", "3000W", "3300W"]), "energy_rating": "一级能效"}
        kind_en = f"{cap} Electric Water Heater"
    elif style == 1:
        cap = ("13L", "16L", "18L")[tier]
        attrs = {"type": "燃气热水器", "capacity": cap, "power": "天然气12T", "energy_rating": "一级能效"}
        kind_en = f"{cap} Gas Water Heater"
    else:
        cap = ("150L", "200L", "300L")[tier]
        attrs = {"type": "空气能热水器", "capacity": cap, "power": "1500W", "energy_rating": "一级能效"}
        kind_en = f"{cap} Heat-pump Water Heater"
    attrs["warranty"] = "整机3年 内胆8年"
    name = f"{zh} {attrs['capacity']} {attrs['type']} {_pick(rng, ['速热', '变频', '智能恒温', '免换镁棒'])}"
    desc = f"{zh}{attrs['type']}，容量{attrs['capacity']}，功率{attrs['power']}，{attrs['energy_rating']}，支持手机App预约加热，免费上门安装。"
    return name, f"{en} {kind_en}", desc, _price(rng, [(999, 1999), (2000, 3499), (3500, 7999)], tier), attrs


def _dairy(rng, style, tier):
    items = [[("蒙牛纯牛奶", "Mengniu Pure Milk", "250ml×24盒", "6个月"), ("特仑苏纯牛奶", "Telunsu Pure Milk", "250ml×12盒", "6个月"),
              ("每日鲜语鲜牛奶", "Mengniu Daily Fresh Milk", "950ml", "15天")],
             [("纯甄酸奶", "Just Yoghurt", "200g×10盒", "5个月"), ("冠益乳酸奶", "Champion Yoghurt", "250g×8瓶", "21天"),
              ("真果粒", "Fruit Pieces Milk", "250g×12盒", "6个月")],
             [("未来星儿童成长牛奶", "Future Star Kids Milk", "190ml×12盒", "6个月"), ("蒙牛QQ星", "Mengniu QQ Star", "125ml×20盒", "6个月")]]
    zh, en, content, shelf = _pick(rng, items[style])
    flavour = _pick(rng, ["原味", "草莓味", "黄桃味", "低脂", "有机"]) if style else _pick(rng, ["全脂", "低脂", "有机"])
    attrs = {"net_content": content, "shelf_life": shelf, "flavour": flavour, "origin": _pick(rng, ["内蒙古", "宁夏", "黑龙江"]),
             "storage": "冷藏" if shelf in ("15天", "21天") else "常温"}
    name = f"蒙牛 {zh} {flavour} {content}"
    desc = f"蒙牛{zh}（{flavour}），规格{content}，保质期{shelf}，{attrs['storage']}保存，奶源来自{attrs['origin']}牧场。"
    return name, f"Mengniu {en} {content.replace('盒', ' cartons').replace('瓶', ' bottles')}", desc, \
        _price(rng, [(29, 49), (50, 79), (80, 129)], tier), attrs


def _clothing(rng, style, tier):
    brands = [[("李宁", "Li-Ning"), ("安踏", "Anta"), ("特步", "Xtep")], [("优衣库", "Uniqlo"), ("森马", "Semir"), ("太平鸟", "Peacebird")],
              [("海澜之家", "HLA"), ("雅戈尔", "Youngor"), ("波司登", "Bosideng")]]
    zh, en = _pick(rng, brands[style])
    item, item_en, material = _pick(rng, [
        [("速干T恤", "Quick-dry T-shirt", "聚酯纤维"), ("运动裤", "Track Pants", "锦纶氨纶"), ("跑步外套", "Running Jacket", "聚酯纤维")],
        [("纯棉T恤", "Cotton T-shirt", "100%棉"), ("连帽卫衣", "Hoodie", "棉聚酯混纺"), ("牛仔裤", "Jeans", "98%棉 2%氨纶")],
        [("免烫衬衫", "Non-iron Shirt", "100%棉"), ("羊毛西裤", "Wool Trousers", "羊毛混纺"), ("羽绒服", "Down Jacket", "90%白鸭绒")]][style])
    gender, gender_en = _pick(rng, [("男款", "Men's"), ("女款", "Women's")])
    colour = _pick(rng, ["黑色", "白色", "藏青", "灰色", "卡其"])
    attrs = {"material": material, "sizes": "S/M/L/XL/XXL", "colour": colour, "gender": gender, "fit": ("修身", "宽松", "常规")[style]}
    name = f"{zh} {gender}{item} {colour}"
    desc = f"{zh}{gender}{item}，面料{material}，{attrs['fit']}版型，尺码{attrs['sizes']}，支持七天内换码。"
    return name, f"{en} {gender_en} {item_en}", desc, _price(rng, [(49, 129), (130, 299), (300, 1299)], tier), attrs


def _hotel(rng, style, tier):
    brands = [[("汉庭", "Hanting"), ("如家", "Home Inn"), ("7天", "7 Days")], [("全季", "JI Hotel"), ("亚朵", "Atour"), ("希尔顿欢朋", "Hampton by Hilton")],
              [("万豪", "Marriott"), ("洲际", "InterContinental"), ("希尔顿", "Hilton")]]
    zh, en = _pick(rng, brands[tier])
    city = _pick(rng, CITIES)
    area = _pick(rng, [["火车站", "会展中心", "机场", "金融街"], ["大学城", "动物园", "游乐园", "市中心"], ["湖景", "江景", "古城", "海滨"]][style])
    room, room_en = [("商务大床房", "Business King Room"), ("亲子双床房", "Family Twin Room"), ("景观套房", "View Suite")][style]
    breakfast = _pick(rng, ["含双早", "含单早", "不含早"])
    attrs = {"city": city, "room_type": room, "breakfast": breakfast, "star": ("经济型", "舒适型", "五星级")[tier],
             "cancellation": "入住前一天18:00前免费取消"}
    name = f"{city}{zh}酒店（{area}店）{room} {breakfast}"
    desc = f"{zh}酒店{city}{area}店，{attrs['star']}，{room}，{breakfast}，{attrs['cancellation']}，支持开具发票。"
    return name, f"{en} {CITY_EN[city]} {room_en}", desc, _price(rng, [(159, 299), (300, 599), (600, 1999)], tier), attrs


MAKERS = {"手机": _phone, "平板": _tablet, "计算机": _computer, "书籍": _book, "水果": _fruit, "洗发水": _shampoo,
          "热水器": _heater, "蒙牛": _dairy, "衣服": _clothing, "酒店": _hotel}


def make_product(rng: random.Random, category: str, style: int, tier: int) -> dict:
    """One product's fields: name, name_en, description, price, cost, attributes, consumable."""
    name, name_en, desc, price, attrs = MAKERS[category](rng, style, tier)
    margin = rng.uniform(0.12, 0.45)
    cost = (price * Decimal(str(round(1 - margin, 2)))).quantize(Decimal("0.01"))
    return {"name": name[:200], "name_en": name_en[:200], "description": desc, "price": price, "cost": cost,
            "attributes": attrs, "consumable": category in CONSUMABLE}


def search_queries(category: str, style: int) -> list[str]:
    """Search phrases a shopper with this taste might type."""
    s = STYLE_NAMES[category][style]
    extra = {
        "手机": ["防水手机", "大电池手机", "拍照手机", "5000mAh 手机", "轻薄手机"],
        "平板": ["学习平板", "护眼平板", "平板电脑 手写笔"],
        "计算机": ["轻薄本", "游戏本 4060", "商务笔记本"],
        "书籍": ["小说", "Python 书", "儿童绘本"],
        "水果": ["车厘子", "苹果 新鲜", "水果礼盒"],
        "洗发水": ["去屑洗发水", "控油洗发水", "洗发水 修护"],
        "热水器": ["电热水器 60L", "燃气热水器 16L", "空气能热水器"],
        "蒙牛": ["特仑苏", "酸奶", "儿童牛奶"],
        "衣服": ["运动T恤", "卫衣 女", "羽绒服 男"],
        "酒店": ["商务酒店", "亲子酒店", "湖景酒店", "上海酒店", "含早酒店"],
    }[category]
    return [f"{s}{category}", category, extra[style % len(extra)], extra[(style + 3) % len(extra)]]
