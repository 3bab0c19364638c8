"""Small interaction logs with a known answer, for the candidates and the selection."""
import numpy as np

from ecom_ai.recommendations.data import InteractionLog

DAY = 86400.0
T0 = 1_700_000_000.0


def taste_log(n_users: int = 160, n_groups: int = 4, per_group: int = 12, per_user: int = 9, seed: int = 0) -> InteractionLog:
    """Customers in groups, each buying only (and at random) among its group's items over 60 days, three
    items an order: a personal model can tell what a customer will buy next, popularity cannot."""
    rng = np.random.default_rng(seed)
    users, items, ts = [], [], []
    for u in range(n_users):
        g = u % n_groups
        picks = rng.choice(per_group, size=per_user, replace=False)
        times = np.repeat(np.sort(rng.uniform(0, 60 * DAY, -(-per_user // 3))), 3)[:per_user]
        for j, t in zip(picks, times):
            users.append(f"u{u}")
            items.append(f"g{g}-i{j}")
            ts.append(T0 + t)
    return _log(users, items, ts)


def crowd_log(n_users: int = 300, n_items: int = 60, per_user: int = 6, seed: int = 0) -> InteractionLog:
    """No tastes at all: every purchase is drawn from the same long-tailed bestseller list, whoever
    buys; nothing about a customer tells more than what sells."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, n_items + 1) ** 1.1
    p /= p.sum()
    users, items, ts = [], [], []
    for u in range(n_users):
        for t in np.sort(rng.uniform(0, 60 * DAY, per_user)):
            users.append(f"u{u}")
            items.append(f"i{int(rng.choice(n_items, p=p))}")
            ts.append(T0 + t)
    return _log(users, items, ts)


def _log(users, items, ts) -> InteractionLog:
    n = len(users)
    return InteractionLog(np.asarray(users, dtype=object), np.asarray(items, dtype=object), np.asarray(ts, dtype=np.float64),
                          np.ones(n, dtype=np.float32), np.ones(n, dtype=bool))


def write_csv(path, log: InteractionLog):
    path.write_text("user,item,timestamp,weight\n" + "".join(
        f"{u},{i},{int(t)},{w:g}\n" for u, i, t, w in zip(log.users, log.items, log.ts, log.weight)))
    return path
