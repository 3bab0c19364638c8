"""Understanding a customer's question: its language and intent, what it asks, and the product it means."""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

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
    """Intent (question words when they are unambiguous, else the classifier), hand-over reasons and asked attributes."""
    model_intent, conf = intent_model().predict(text)
    attrs = intent_rules.asked_attributes(text)
    topic = intent_rules.keyword_topic(text)
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
