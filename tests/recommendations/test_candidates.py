"""Every candidate model: fits, ranks a customer's own group first, never returns what they have,
and its item similarity (where it has one) points inside the group."""
import numpy as np
import pytest

from ecom_ai.recommendations.algorithms import EASE, Blend, ItemKNN, RecentPopularity, Trending
from ecom_ai.recommendations.data import Index
from ecom_ai.recommendations.evaluation import train_set
from ecom_ai.recommendations.selection import GRID, build

from .logs import DAY, T0, _log, taste_log


@pytest.fixture(scope="module")
def data():
    log = taste_log()
    users, items = Index(log.users.tolist()), Index(log.items.tolist())
    return log, users, items, train_set(log, users, items, half_life_days=None)


def _group(items: Index, i: int) -> str:
    return str(items.ids[i]).split("-")[0]


PERSONAL = [f for f in GRID if f not in ("popular", "recent_popular", "trending")]


@pytest.mark.parametrize("family", PERSONAL)
def test_personal_candidates_recommend_from_the_customers_own_group(family, data):
    log, users, items, ts = data
    model = build(family, GRID[family][0], num_threads=1).fit(ts)
    rows = np.arange(40)
    recs = model.recommend(rows, ts.user_items, 3)
    assert recs.shape == (40, 3)
    in_group = had = 0
    for r, row in zip(rows, recs):
        mine = set(ts.user_items[r].indices)
        group = _group(items, next(iter(mine)))
        had += sum(int(i) in mine for i in row)
        in_group += sum(i >= 0 and _group(items, i) == group for i in row)
    assert had == 0                       # what a customer already has is never recommended
    assert in_group >= 0.8 * 40 * 3, family
    sims = model.similar(0)
    sims[0] = -np.inf
    assert _group(items, int(np.argmax(sims))) == _group(items, 0)


@pytest.mark.parametrize("family", ["als", "bpr", "ease", "itemknn", "bm25"])
def test_an_unseen_customer_is_folded_in_from_their_history(family, data):
    _, _, items, ts = data
    model = build(family, GRID[family][0], num_threads=1).fit(ts)
    history = ts.user_items[[0]]
    scores = model.scores(np.array([-1]), history)[0]
    scores[history.indices] = -np.inf
    top = np.argsort(-scores)[:3]
    assert all(_group(items, i) == _group(items, history.indices[0]) for i in top)


def test_popularity_three_ways():
    # item a: old hit; item b: bought lately; item c: one recent buyer
    rows = [("u%d" % n, "a", T0 + n * 60) for n in range(10)] + [("v%d" % n, "b", T0 + 90 * DAY + n) for n in range(5)]
    rows += [("w", "c", T0 + 99 * DAY)]
    log = _log(*zip(*rows))
    users, items = Index(log.users.tolist()), Index(log.items.tolist())
    ts = train_set(log, users, items, half_life_days=None)
    pop = build("popular").fit(ts)
    recent = RecentPopularity(window=0.1).fit(ts)
    trend = Trending(half_life=0.05).fit(ts)
    name = items.ids.tolist()
    assert name[int(np.argmax(pop.item_scores))] == "a"
    assert [name[i] for i in np.argsort(-recent.item_scores)[:2]] == ["b", "c"]
    assert name[int(np.argmax(trend.item_scores))] == "b"
    # the same list for everyone, minus what each has
    recs = recent.recommend(np.array([users.get("v0")]), ts.user_items, 2)
    assert [name[i] for i in recs[0]] == ["c", "a"]


def test_ease_covers_only_the_most_touched_items_on_a_large_catalogue(data):
    _, _, _, ts = data
    model = EASE(lam=10.0, max_items=20).fit(ts)
    assert model.B.shape == (20, 20) and np.allclose(np.diag(model.B), 0)
    scores = model.scores(np.arange(5), ts.user_items[:5])
    outside = np.setdiff1d(np.arange(ts.n_items), model.items)
    assert (scores[:, outside].max(axis=1) < scores[:, model.items].min(axis=1) + 1e-6).all()


def test_blend_sums_its_parts_scaled_per_customer(data):
    _, _, _, ts = data
    knn = ItemKNN("cosine", K=20, num_threads=1).fit(ts)
    pop = build("popular").fit(ts)
    blend = Blend([(knn, 1.0), (pop, 0.5)])
    s = blend.scores(np.arange(3), ts.user_items[:3])
    assert s.shape == (3, ts.n_items) and s.max() <= 1.5 + 1e-6 and s.min() >= 0
    with pytest.raises(ValueError, match="positive weight"):
        Blend([(knn, 0.0)])
    with pytest.raises(ValueError, match="Unknown recommendation model"):
        build("svd")
