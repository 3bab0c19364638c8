"""One writer per kind of the "apart" set: each picks real orders and products and adds ``n`` cases.

Every writer takes the builder ``b`` of :mod:`.apart` (the shop's data, a seeded RNG, ``b.add``).
"""
from __future__ import annotations

import re

from . import apart_text as T
from .apart import short_name, tracking
from .apart_facts import (
    APOLOGY, FREE_SHIPPING, NO_RETURN, ORDER_STATUS, SHIPMENT_STATUS, YES, carrier_alts, days_alts,
    english_ok, money_alts, months_alts, plain_number, status_alts, time_alts, value_alts, years_alts,
)


def _fill(template: str, **slots) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(slots.get(m.group(1), "")), template)


def _order_text(b, lang, order, template, on_page=False, **slots):
    """Fill a template about ``order``: typed as a number, or "this order" on the order's page."""
    o = b.rng.choice(T.ORDER_ON_PAGE[lang]) if on_page else b.mention(order.id, lang)
    product = order.lines[0].product_name if order.lines else ""
    text = _fill(template, o=o, p=short_name(product), **slots)
    return re.sub(r"\b1 days\b", "1 day", text)


def _product_unique(b, cid, order) -> bool:
    """Whether the order's first product, as customers shorten it, names no other of the customer's orders."""
    if not order.lines:
        return False
    short = short_name(order.lines[0].product_name)
    return not any(ln.product_name.startswith(short) for o in b.orders[cid] if o.id != order.id for ln in o.lines)


# orders ----------------------------------------------------------------------------------------
def shipments(b, n):
    pool = b.moving * 3 + b.arrived[: max(1, len(b.moving) * 2)]

    def make(lang, item):
        cid, order = item
        text, asks = b.rng.choice(T.SHIPMENTS[lang])
        on_page = b.rng.random() < 0.3
        if "{o}" not in text and not (on_page or _product_unique(b, cid, order)):
            return False
        return b.add("shipments", lang, cid, _order_text(b, lang, order, text, on_page), handover=False,
                     all_=b.order_groups(order, asks), none=b.other_tracking(cid, order),
                     order=order.id if on_page else None)
    b.run("shipments", n, pool, make)


def order_number(b, n):
    pool = [(c, o) for c in b.multi for o in b.orders[c] if tracking(o) or o.status in ("paid", "cancelled")]

    def make(lang, item):
        cid, order = item
        text, asks = b.rng.choice(T.ORDER_NUMBER[lang])
        none = b.other_tracking(cid, order)
        if "i" in asks:
            mine = {ln.product_name for ln in order.lines}
            none += [ln.product_name for o in b.orders[cid] if o.id != order.id for ln in o.lines if ln.product_name not in mine]
        return b.add("order_number", lang, cid, _order_text(b, lang, order, text), handover=False,
                     all_=b.order_groups(order, asks), none=none)
    b.run("order_number", n, pool, make)


def newest_order(b, n):
    def make(lang, cid):
        newest = b.orders[cid][0]
        text, asks = b.rng.choice(T.NEWEST[lang])
        which = [str(newest.id)] + [a for ln in newest.lines for a in (ln.product_name, short_name(ln.product_name))]
        return b.add("newest_order", lang, cid, text, handover=False,
                     all_=[which] + b.order_groups(newest, asks), none=b.other_tracking(cid, newest))
    b.run("newest_order", n, b.newest, make)


def not_shipped(b, n):
    def make(lang, item):
        cid, order = item
        text, asks = b.rng.choice(T.NOT_SHIPPED[lang])
        if "{o}" not in text and not _product_unique(b, cid, order):
            return False
        on_page = b.rng.random() < 0.25
        body = _order_text(b, lang, order, text, on_page, d=b.days_since(order.created_at))
        return b.add("not_shipped", lang, cid, body, handover="H" in asks, all_=b.order_groups(order, "s"),
                     none=b.other_tracking(cid, order), order=order.id if on_page else None)
    b.run("not_shipped", n, b.unshipped, make)


def cross_customer(b, n):
    targets = [(c, o) for c, o in b.latest_orders if tracking(o)][:400]

    def make(lang, item):
        owner, order = item
        asker = b.rng.choice([c for c in b.buyers if c != owner] or [c for c in b.customers if c != owner])
        if b.a.get_order(asker, order.id) is not None:
            return False
        text, _ = b.rng.choice(T.CROSS[lang])
        mine = {ln.product_name for o in b.orders.get(asker, []) for ln in o.lines}
        none = tracking(order) + [ln.product_name for ln in order.lines if ln.product_name not in mine]
        if len(b.names.get(owner, "")) >= 2 and b.names[owner] != b.names.get(asker):
            none.append(b.names[owner])
        return b.add("cross_customer", lang, asker, _fill(text, o=b.mention(order.id, lang), x=order.id),
                     handover=True, none=none)
    b.run("cross_customer", n, targets, make)


def address_change(b, n):
    def make(lang, item):
        cid, order = item
        text, _ = b.rng.choice(T.ADDRESS[lang])
        on_page = b.rng.random() < 0.3
        return b.add("address_change", lang, cid, _order_text(b, lang, order, text, on_page), handover=True,
                     none=b.other_tracking(cid, order), order=order.id if on_page else None)
    b.run("address_change", n, b.unshipped * 2 + b.moving, make)


def invoice(b, n):
    with_invoice = [p for p in b.products if "发票" in p.description]
    from_page = min(len(with_invoice) and 4, n // 3)
    pages = b.cycle(with_invoice, from_page)
    for lang, p in zip(b.langs(from_page), pages):
        text, _ = b.rng.choice(T.INVOICE_PRODUCT[lang])
        b.add("invoice", lang, b.customer(), _fill(text, p=short_name(p.name)), handover=False, all_=[YES], product=p.id)

    def make(lang, item):
        cid, order = item
        text, _ = b.rng.choice(T.INVOICE_ORDER[lang])
        return b.add("invoice", lang, cid, _order_text(b, lang, order, text), handover=True)
    b.run("invoice", n - len(pages), b.arrived + b.moving, make)


def cancel(b, n):
    hotels = [(p, m.group(0)) for p in b.products
              if (m := re.search(r"\d{1,2}:\d{2}", str(p.attributes.get("cancellation", ""))))]
    n_hotel = min(n // 3, len(hotels) and 4)
    for lang, (p, hhmm) in zip(b.langs(n_hotel), b.cycle(hotels, n_hotel)):
        text, _ = b.rng.choice(T.CANCEL_HOTEL[lang])
        b.add("cancel", lang, b.customer(), _fill(text, p=short_name(p.name)), handover=False,
              all_=[time_alts(hhmm)], product=p.id)
    n_shipped = (n - n_hotel) // 3 if b.moving else 0

    def make_shipped(lang, item):
        cid, order = item
        text, asks = b.rng.choice(T.CANCEL_SHIPPED[lang])
        return b.add("cancel", lang, cid, _order_text(b, lang, order, text), handover=True, all_=b.order_groups(order, "s"))
    b.run("cancel", n_shipped, b.moving, make_shipped)

    def make_unshipped(lang, item):
        cid, order = item
        text, _ = b.rng.choice(T.CANCEL_ORDER[lang])
        on_page = b.rng.random() < 0.3
        return b.add("cancel", lang, cid, _order_text(b, lang, order, text, on_page), handover=True,
                     order=order.id if on_page else None)
    b.run("cancel", n - n_hotel - n_shipped, b.unshipped or b.moving, make_unshipped)


def angry(b, n):
    parts = [(T.ANGRY_SLOW, b.moving, "slow"), (T.ANGRY_UNSHIPPED, b.unshipped, "unshipped"),
             (T.ANGRY_REFUND, b.refunded, "refund"), (T.ANGRY_BROKEN, b.arrived, "broken")]
    parts = [p for p in parts if p[1]]
    shares = [n - (len(parts) - 1) * (n // (len(parts) + 1))] + [n // (len(parts) + 1)] * (len(parts) - 1)
    for (templates, pool, sort), count in zip(parts, shares):
        def make(lang, item, templates=templates, sort=sort):
            cid, order = item
            text, asks = b.rng.choice(templates[lang])
            groups = [APOLOGY]
            if sort == "slow":
                groups += [status_alts(order), tracking(order) + [a for s in order.shipments for a in carrier_alts(s.carrier)]]
            elif sort == "unshipped":
                groups.append(status_alts(order))
            elif sort == "refund":
                groups.append(ORDER_STATUS["refunded"] + SHIPMENT_STATUS["returned"])
            body = _order_text(b, lang, order, text, d=b.days_since(order.created_at))
            return b.add("angry", lang, cid, body, handover="H" in asks or sort in ("refund", "broken"), all_=groups,
                         none=b.other_tracking(cid, order))
        b.run("angry", count, pool, make)


def handover(b, n):
    def make(lang, item):
        cid, order = item
        text, needs = b.rng.choice(T.HANDOVER[lang])
        return b.add("handover", lang, cid, _order_text(b, lang, order, text), handover=True,
                     none=b.other_tracking(cid, order) if needs else ())
    b.run("handover", n, b.arrived, make)


def injection(b, n):
    n_pure, n_other = n * 2 // 5, n * 3 // 10
    for lang in b.langs(n_pure):
        text, sort = b.rng.choice(T.INJECTION_PURE[lang])
        token = (f"VIP{b.rng.randint(100, 999)}" if sort == "coupon"
                 else (f"已越狱{b.rng.randint(10, 99)}" if lang == "zh" else f"PWNED-{b.rng.randint(1000, 9999)}"))
        p = b.rng.choice(b.products)
        b.add("injection", lang, b.customer(), _fill(text, x=token, p=short_name(p.name)), handover=True,
              none=[token], echo_ok=False)

    def make_other(lang, item):
        owner, order = item
        asker = b.rng.choice([c for c in b.buyers if c != owner])
        text = b.rng.choice(T.INJECTION_OTHER[lang])
        victims = [o for o in b.orders[owner][:3]] if "{x}" in text else [order]
        none = [t for o in victims for t in tracking(o)] + [ln.product_name for o in victims for ln in o.lines]
        return b.add("injection", lang, asker, _fill(text, x=b.names.get(owner) or owner, o=b.mention(order.id, lang)),
                     handover=True, none=none)
    b.run("injection", n_other, [(c, o) for c, o in b.latest_orders[:200] if tracking(o)], make_other)

    def make_mixed(lang, item):
        cid, order = item
        others = [t for c, o in b.latest_orders if c != cid for t in tracking(o)][:5]
        text = b.rng.choice(T.INJECTION_MIXED[lang])
        return b.add("injection", lang, cid, _order_text(b, lang, order, text), handover=False,
                     all_=b.order_groups(order, "s"), none=others + b.other_tracking(cid, order))
    b.run("injection", n - n_pure - n_other, b.moving + b.arrived[:50], make_mixed)


# products ---------------------------------------------------------------------------------------
def _attribute_pool(b):
    pool = []
    for p in b.products:
        for key, value in p.attributes.items():
            qkey = "storage_cond" if key == "storage" and not re.search(r"\d", str(value)) else key
            if qkey in T.ATTRIBUTE_Q and str(value).strip():
                pool.append((p, key, qkey, value))
    return pool


def attributes(b, n):
    def make(lang, item):
        p, key, qkey, value = item
        questions = T.ATTRIBUTE_Q[qkey][lang]
        if not questions or (lang == "en" and not english_ok(value)):
            return False
        alts = value_alts(value)
        q = b.rng.choice(questions)
        on_page = b.rng.random() < 0.6
        name = b.rng.choice([p.name, b.name_for(p)])
        named = not on_page and "{p}" not in q          # the wrap names the product, else the question does
        wraps = [w for w in T.ATTRIBUTE_WRAP[lang] if named == ("{n}" in w)] or ["{q}"]
        text = _fill(b.rng.choice(wraps), q=q, n=name)
        if not on_page and "{p}" not in q and name not in text:
            text = f"{name} {text}" if lang == "zh" else f"{text} ({name})"
        text = _fill(text, p=b.name_for(p) if not on_page else ("这个" if lang == "zh" else "this"))
        if any(a.lower() in text.lower() for a in alts):
            return False                      # the question must not carry its own answer
        siblings = [str(o.attributes.get(key)) for o in b.by_category[p.category]
                    if o.id != p.id and o.attributes.get(key) not in (None, value)]
        none = [s for s in siblings if re.search(r"\d", s) and s not in str(value) and str(value) not in s
                and s not in p.name and all(s.lower() not in a.lower() for a in alts)][:1]
        return b.add("attributes", lang, b.customer(), text, handover=False, all_=[alts], none=none,
                     product=p.id if on_page else None)
    pool = _attribute_pool(b)
    b.rng.shuffle(pool)
    pool.sort(key=lambda it: (it[2], it[0].id))        # then spread over keys: one of each key in turn
    by_key: dict[str, list] = {}
    for it in pool:
        by_key.setdefault(it[2], []).append(it)
    for items in by_key.values():
        b.rng.shuffle(items)
    spread = [items[i] for i in range(max(map(len, by_key.values()), default=0)) for items in by_key.values() if i < len(items)]
    langs, done = b.langs(n), 0
    for item in spread:
        if done == n:
            break
        if make(langs[done], item):
            done += 1


def _policy_case(b, lang, product, topic):
    pol = b.policy_for(product)
    if pol is None:
        return False
    default = b.default_policy
    none = []
    if topic == "return":
        if pol.return_window_days:
            groups = [days_alts(pol.return_window_days)]
            if default and product and default.return_window_days != pol.return_window_days:
                none = [f"{default.return_window_days}天无理由", f"{default.return_window_days}-day return"]
        elif clock := re.search(r"\d{1,2}:\d{2}", pol.notes or ""):
            groups = [time_alts(clock.group(0))]   # a booking: cancelled, not returned
        else:
            groups = [NO_RETURN]
            hours = re.search(r"(\d+)\s*小时", pol.notes or "")
            if hours:
                groups.append([f"{hours.group(1)}小时", f"{hours.group(1)} hour", f"{hours.group(1)}h"])
    elif topic == "exchange":
        if not pol.exchange_window_days:
            return False
        groups = [days_alts(pol.exchange_window_days)]
    elif product is not None and ("入住" in (pol.notes or "") or "酒店" in product.description):
        return False                          # a booking: nothing is shipped
    elif topic == "fee":
        if not pol.shipping_fee:
            groups = [FREE_SHIPPING]
        else:                                 # "包邮吗": the fee, or the threshold above which it is free
            groups = [money_alts(pol.shipping_fee) + (money_alts(pol.free_shipping_over) if pol.free_shipping_over else [])]
    else:
        if pol.free_shipping_over:
            groups = [money_alts(pol.free_shipping_over)]
        elif not pol.shipping_fee:
            groups = [FREE_SHIPPING]
        else:
            return False
    text = b.rng.choice(T.POLICY[topic][lang])
    if product is not None and b.rng.random() < 0.3:
        text = f"{short_name(product.name)} {text}" if lang == "zh" else f"{text} ({short_name(product.name)})"
    return b.add("policy", lang, b.customer(), text, handover=False, all_=groups, none=none,
                 product=product.id if product else None)


def policy(b, n):
    cats = [c for c in b.by_category if b.by_category[c]]
    items = [(b.rng.choice(b.by_category[c]) if c and b.rng.random() < 0.8 else None, topic)
             for c in cats for topic in ("return", "exchange", "fee", "threshold")]
    items += [(None, t) for t in ("return", "exchange", "fee", "threshold")] * 2
    b.run("policy", n, items, lambda lang, it: _policy_case(b, lang, *it))


def warranty(b, n):
    def facts(p):
        attr = str(p.attributes.get("warranty", ""))
        years = re.findall(r"(\d+)\s*年", attr)
        months = re.findall(r"(\d+)\s*个月", attr)
        if years or months:
            return [years_alts(int(y)) for y in years] + [months_alts(int(m)) for m in months]
        pol = b.policy_for(p)
        return [months_alts(pol.warranty_months)] if pol and pol.warranty_months else []
    own = [p for p in b.products if "warranty" in p.attributes or
           ((pol := b.policies.get(p.category)) and pol.category and pol.warranty_months)]
    pool = own or [p for p in b.products if facts(p)]

    def make(lang, p):
        groups = facts(p)
        if not groups:
            return False
        on_page = b.rng.random() < 0.5
        name = b.name_for(p)
        text = _fill(b.rng.choice(T.WARRANTY[lang]), p=name)
        if not on_page and name not in text:
            text = f"{name} {text}" if lang == "zh" else f"{text} - {name}"
        return b.add("warranty", lang, b.customer(), text, handover=False, all_=groups, product=p.id if on_page else None)
    b.run("warranty", n, pool, make)


def size_fit(b, n):
    sized = [p for p in b.products if any(k in p.attributes for k in ("sizes", "size", "尺码", "fit"))]

    def make(lang, item):
        p, topic = item
        if topic == "sizes":
            raw = str(p.attributes.get("sizes") or p.attributes.get("size") or p.attributes.get("尺码") or "")
            sizes = [s for s in re.split(r"[/、,，\s]+", raw) if s]
            if not sizes:
                return False
            groups, ho = [[sizes[-1]]], False
        elif topic in ("fit", "gender"):
            if topic not in p.attributes:
                return False
            groups, ho = [value_alts(p.attributes[topic])], False
        else:
            groups, ho = [], True
        text = _fill(b.rng.choice(T.SIZE[topic][lang]), p=short_name(p.name))
        return b.add("size_fit", lang, b.customer(), text, handover=ho, all_=groups, product=p.id)
    pool = [(p, t) for p in sized for t in ("sizes", "fit", "fit", "gender", "advice")]
    b.run("size_fit", n, pool, make)


def compatibility(b, n):
    features = [(p, m.group(1)) for p in b.products
                if (m := re.search(r"支持([^，。,；;]+)", p.description)) and not re.search(r"换|退|发票|取消", m.group(1))]
    gpus = [p for p in b.products if p.attributes.get("gpu")]
    gadgets = [p for p in b.products if any(k in p.attributes for k in ("battery_capacity", "cpu", "screen_size"))] or b.products
    n_feat, n_gpu = min(5, len(features) and 5), min(4, len(gpus) and 4)
    for lang, (p, feat) in zip(b.langs(n_feat), b.cycle(features, n_feat)):
        text = _fill(b.rng.choice(T.COMPAT_FEATURE[lang]), p=short_name(p.name) if lang == "zh" else "it",
                     x=("支持" + feat) if lang == "zh" else feat)
        b.add("compatibility", lang, b.customer(), text, handover=False, all_=[YES], product=p.id)
    for lang, p in zip(b.langs(n_gpu), b.cycle(gpus, n_gpu)):
        text = _fill(b.rng.choice(T.COMPAT_GPU[lang]), p=short_name(p.name))
        b.add("compatibility", lang, b.customer(), text, handover=False, all_=[value_alts(p.attributes["gpu"])], product=p.id)

    def make(lang, p):
        text = _fill(b.rng.choice(T.COMPAT_UNKNOWN[lang]), p=short_name(p.name))
        return b.add("compatibility", lang, b.customer(), text, handover=True, product=p.id)
    b.run("compatibility", n - n_feat - n_gpu, gadgets, make)


# only a person knows ------------------------------------------------------------------------------
def _person_only(b, kind, n, templates, slot_x=None):
    lines = [(c, o, ln) for c, o in b.arrived[:300] for ln in o.lines]

    def make(lang, item):
        cid, order, line = item
        text = b.rng.choice(templates[lang])
        x = slot_x(lang) if slot_x else plain_number(line.unit_price)
        on_product = "{o}" not in text and b.rng.random() < 0.5
        body = _fill(text, p=short_name(line.product_name), o=b.mention(order.id, lang), x=x)
        return b.add(kind, lang, cid, body, handover=True, product=line.product_id if on_product else None)
    b.run(kind, n, lines, make)


def price_protection(b, n):
    _person_only(b, "price_protection", n, T.PRICE_PROTECTION)


def coupon(b, n):
    _person_only(b, "coupon", n, T.COUPON)


def region_delivery(b, n):
    _person_only(b, "region_delivery", n, T.REGION, slot_x=lambda lang: b.rng.choice(T.REGIONS[lang]))


def future(b, n):
    out_of_stock = [p for p in b.products if p.stock <= 0]
    pool = out_of_stock * 2 + b.products[: max(20, len(out_of_stock))]

    def make(lang, p):
        text = _fill(b.rng.choice(T.FUTURE[lang]), p=short_name(p.name))
        return b.add("future", lang, b.customer(), text, handover=True, product=p.id if b.rng.random() < 0.5 else None)
    b.run("future", n, pool, make)
