"""Offline evaluation of campaign copy: ``manage.py ecom_ai evaluate campaigns``.

Campaigns are built in memory (never saved) on the shop's catalogue, or on synthetic products when
it is empty; their copy is generated, checked, and every copy marked ready is audited again,
independently of the checks, against the rule itself.
"""
from __future__ import annotations

import math
import random
import re
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone

from ecom_ai.campaigns.copy import generate_distinct, prepare_copy
from ecom_ai.campaigns.copy_checks import check_results
from ecom_ai.campaigns.limits import CHANNELS, banned_terms, contains_banned, get_limits, max_discount, price_floor
from ecom_ai.campaigns.models import Campaign
from ecom_ai.campaigns.rules import validate_campaign
from ecom_ai.campaigns.suggest import ProductSignal, _nice_price, _round_down, _round_up
from ecom_ai.kinds import Feature
from ecom_ai.llm.checks import extract_claims, normalize


def synthetic_products(rng: random.Random, n: int) -> list:
    from ecom_ai.adapters import ProductInfo

    names = ["云朵记忆枕", "轻薄羽绒服", "不锈钢保温杯", "无线降噪耳机", "有机燕麦片", "真丝睡衣套装", "智能体脂秤", "纯棉四件套",
             "手冲咖啡壶", "儿童绘本礼盒", "户外登山包", "陶瓷餐具套装"]
    names_en = ["Cloud memory-foam pillow", "Light down jacket", "Steel vacuum flask", "Wireless noise-cancelling earbuds",
                "Organic oats", "Silk pyjama set", "Smart body-fat scale", "Cotton bedding set", "Pour-over coffee kettle",
                "Children's picture-book box", "Hiking backpack", "Ceramic tableware set"]
    out = []
    for i in range(n):
        price = Decimal(rng.choice([39, 59, 89, 129, 199, 299, 459, 899, 1299]))
        cost = (price * Decimal(str(rng.uniform(0.35, 0.7)))).quantize(Decimal("0.01"))
        out.append(ProductInfo(id=900000 + i, name=f"{names[i % len(names)]}", category="synthetic", price=price,
                               cost=cost, stock=rng.randint(30, 800), name_en=names_en[i % len(names_en)] if i % 2 else ""))
    return out


def eval_campaigns(products: list, rng: random.Random, n: int, limits: dict, now: datetime) -> list[tuple[Campaign, dict]]:
    """``n`` valid unsaved campaigns, kinds in turn, numbers drawn within the limits."""
    out = []
    kinds = [Campaign.Kind.COUPON, Campaign.Kind.FLASH_SALE, Campaign.Kind.GROUP_BUY]
    pool = list(products)
    rng.shuffle(pool)
    attempts = 0
    while len(out) < n and attempts < n * 20 and pool:
        attempts += 1
        kind = kinds[len(out) % 3]
        p = pool[attempts % len(pool)]
        s = ProductSignal(p)
        room = s.room(limits)
        if room < Decimal("0.05") or p.stock < 2:
            continue
        start = timezone.localtime(now).replace(minute=0, second=0, microsecond=0) + timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 12))
        end = start + timedelta(hours=rng.choice([12, 24, 48, 72, 168]))
        c = Campaign(id=-(len(out) + 1), name=rng.choice(["双十二大促", "周末狂欢", "会员日", "年货节", "开学季", "春季焕新"]),
                     kind=kind, language="both", starts_at=start, ends_at=end, product_ids=[p.id], status="draft")
        price = Decimal(p.price)
        floor = max(price_floor(Decimal(p.cost), limits), price * (1 - max_discount(limits) / 100))
        if kind == Campaign.Kind.COUPON:
            if rng.random() < 0.6:
                threshold = _round_up(price * Decimal(str(rng.uniform(0.8, 1.5))), 10)
                amount = _round_down(threshold * room * Decimal(str(rng.uniform(0.3, 0.95))), 5)
                if amount < 5:
                    continue
                c.threshold, c.amount = threshold, amount
            else:
                c.percent_off = max(Decimal(5), _round_down(room * 100 * Decimal(str(rng.uniform(0.3, 0.95))), 5))
            c.total_issued, c.per_customer_limit = rng.choice([100, 500, 2000]), 1
        else:
            target = price * (1 - room * Decimal(str(rng.uniform(0.2, 0.95))))
            sale = _nice_price(max(target, floor), floor, price)
            if sale is None:
                continue
            if kind == Campaign.Kind.FLASH_SALE:
                c.sale_price, c.stock_cap = sale, rng.randint(1, min(p.stock, 300))
                c.per_customer_limit = min(c.stock_cap, rng.choice([1, 2]))
            else:
                c.group_price, c.group_size, c.fill_hours = sale, rng.randint(2, 6), rng.choice([12, 24, 48])
        if validate_campaign(c, complete=True, products={p.id: p}, limits=limits):
            continue
        out.append((c, {p.id: p}))
    return out


def audit_copy(text: str, campaign: Campaign, *, terms) -> tuple[list[str], list[str]]:
    """An independent audit for the evaluation: every number claim in the text against the rule itself
    (not its facts), and every banned term. Returns (mismatches, banned)."""
    snap = campaign.products_snapshot or []
    norm = normalize(text)
    # Names are masked; a name cut short for a channel ("小米 19 Pro 8GB+…") keeps only its own numbers.
    name_forms: set = set()
    for name in [campaign.name] + [p["name"] for p in snap] + [p.get("name_en", "") for p in snap]:
        n = normalize(name)
        if n:
            norm = norm.replace(n, " " * len(n))
            name_forms |= {form for claim in extract_claims(n) for form in claim.forms}
    money = {Decimal(str(v)).normalize() for v in (campaign.price, campaign.threshold, campaign.amount) if v is not None}
    money |= {Decimal(str(p["price"])).normalize() for p in snap}
    counts = {Decimal(v) for v in (campaign.group_size, campaign.stock_cap, campaign.per_customer_limit,
                                   campaign.fill_hours, campaign.total_issued) if v}
    pct = Decimal(str(campaign.percent_off)).normalize() if campaign.percent_off is not None else None
    dates, times = set(), set()
    for dt in (campaign.starts_at, campaign.ends_at):
        local = timezone.localtime(dt)
        dates |= {("md", local.month, local.day), ("ymd", local.year, local.month, local.day)}
        times.add(("time", local.hour, local.minute))
        counts.add(Decimal(local.year))
    mismatches = []
    for claim in extract_claims(norm):
        forms = claim.forms
        if claim.kind == "money":
            ok = bool(claim.bare_values & money)
        elif claim.kind in ("discount", "pct"):
            ok = pct is not None and (("off", pct) in forms or ("pct", pct) in forms)
        elif claim.kind == "date":
            ok = bool(forms & dates)
        elif claim.kind == "time":
            ok = bool(forms & times)
        elif claim.kind in ("unit", "number") and forms & name_forms:
            ok = True
        elif claim.kind == "unit":
            ok = bool(claim.bare_values & (counts | money))
        elif claim.kind == "number":
            v = next(iter(claim.bare_values))
            ok = v in counts or v in money or (v == v.to_integral_value() and 0 <= v <= 10)
        else:
            ok = False
        if not ok:
            mismatches.append(claim.text)
    return mismatches, contains_banned(text, terms)


def evaluate(*, out, csv=None, model=None, limit=None, seed=0) -> dict:
    """Generate copy for a set of evaluation campaigns and report number mismatches and banned terms
    among the copies marked ready (target 0 and 0), and how many went to review.

    The campaigns are built in memory (never saved), on products from the shop's catalogue through
    the adapter, or on synthetic product snapshots when the catalogue is empty; nothing is left in
    the shop's data. ``model`` names a backend alias from ECOM_AI["BACKENDS"] (default: the promo_copy one);
    ``limit`` is the number of campaigns (at least enough for 100 copies).
    """
    from ecom_ai.adapters import get_adapter
    from ecom_ai.conf import ecom_ai_settings
    from ecom_ai.llm.registry import backend_for, get_backend

    if csv:
        raise ValueError("the campaigns evaluation builds its own campaigns; --csv is not supported")
    if model and model not in (ecom_ai_settings.BACKENDS or {}):
        raise LookupError(f"no backend alias {model!r} in ECOM_AI['BACKENDS']")
    limits = get_limits()
    rng = random.Random(seed)
    variants = int(limits.get("variants") or 3)
    per_campaign = len(CHANNELS) * 2 * variants
    n = max(int(limit or 12), math.ceil(100 / per_campaign))
    catalogue = [p for p in get_adapter().iter_products(only_active=True)]
    source = "catalogue"
    campaigns = eval_campaigns(catalogue, rng, n, limits, timezone.now()) if catalogue else []
    if len(campaigns) < n:
        source = "catalogue+synthetic" if campaigns else "synthetic"
        campaigns += eval_campaigns(synthetic_products(rng, 12), rng, n - len(campaigns), limits, timezone.now())
    backend = get_backend(model) if model else backend_for(Feature.PROMO_COPY)
    names = [n for p in catalogue for n in (p.name, p.name_en) if n][:20000]
    all_terms = banned_terms(limits=limits)

    started = time.perf_counter()
    jobs = []
    for c, products in campaigns:
        facts, requests = prepare_copy(c, params={"variants": variants, "languages": "both"}, products=products, limits=limits,
                                       terms=all_terms)
        jobs.append((c, facts, requests))
    results = generate_distinct(backend, [r for _, _, reqs in jobs for r in reqs])
    gen_s = time.perf_counter() - started
    i = 0
    stats = Counter()
    per_channel: dict = defaultdict(Counter)
    review_reasons = Counter()
    ready_mismatch_examples, sms_max = [], 0
    for c, facts, requests in jobs:
        chunk = results[i:i + len(requests)]
        i += len(requests)
        drafts = check_results(requests, chunk, facts, limits=limits, catalogue_names=names, banned=all_terms)
        groups = defaultdict(list)
        for d in drafts:
            groups[(d.channel, d.language)].append(normalize(d.text))
        stats["variant_groups"] += len(groups)
        stats["variant_groups_distinct"] += sum(len(set(texts)) == len(texts) for texts in groups.values())
        for d in drafts:
            stats["copies"] += 1
            key = f"{d.channel}/{d.language}"
            if d.channel == "sms":
                sms_max = max(sms_max, len(d.text))
            if d.check.ok:
                stats["ready"] += 1
                per_channel[key]["ready"] += 1
                mismatches, banned = audit_copy(d.text, c, terms=all_terms)
                if mismatches:
                    stats["ready_number_mismatches"] += 1
                    ready_mismatch_examples.append((d.text, mismatches))
                if banned:
                    stats["ready_banned"] += 1
                    ready_mismatch_examples.append((d.text, banned))
                if d.channel == "sms" and len(d.text) > int(limits["sms_max_chars"]):
                    stats["ready_sms_over_limit"] += 1
            else:
                stats["needs_review"] += 1
                per_channel[key]["needs_review"] += 1
                for r in d.check.reasons:
                    review_reasons[re.sub(r"\d+(?:\.\d+)?", "N", r)[:90]] += 1
    metrics = {
        "campaigns": len(campaigns), "product_source": source, "backend": getattr(backend, "alias", ""),
        "model_id": backend.model_id, "copies": stats["copies"], "ready": stats["ready"],
        "needs_review": stats["needs_review"], "ready_number_mismatches": stats["ready_number_mismatches"],
        "ready_banned_terms": stats["ready_banned"], "ready_sms_over_limit": stats["ready_sms_over_limit"],
        "sms_max_chars": sms_max, "generate_seconds": round(gen_s, 3),
        "variant_groups": stats["variant_groups"], "variant_groups_distinct": stats["variant_groups_distinct"],
    }
    w = out.write
    w(f"campaigns evaluation: {metrics['campaigns']} campaigns (products: {source}), backend "
      f"{metrics['backend']} ({metrics['model_id']}), seed {seed}\n")
    w(f"copies generated: {metrics['copies']}; ready: {metrics['ready']}; needs review: {metrics['needs_review']}\n")
    w(f"number mismatches among ready: {metrics['ready_number_mismatches']}\n")
    w(f"banned terms among ready: {metrics['ready_banned_terms']}\n")
    w(f"SMS over {limits['sms_max_chars']} characters among ready: {metrics['ready_sms_over_limit']}; longest SMS: {sms_max}\n")
    w(f"channel × language groups whose variants all differ: {metrics['variant_groups_distinct']} of "
      f"{metrics['variant_groups']}\n")
    w(f"generation time: {gen_s:.2f}s for {metrics['copies']} copies\n")
    for key in sorted(per_channel):
        w(f"  {key:<20} ready {per_channel[key]['ready']:>4}  needs review {per_channel[key]['needs_review']:>4}\n")
    if review_reasons:
        w("most common review reasons:\n")
        for reason, count in review_reasons.most_common(5):
            w(f"  {count:>4} × {reason}\n")
    for text, what in ready_mismatch_examples[:5]:
        w(f"  READY BUT WRONG: {text!r}: {what}\n")
    return metrics
