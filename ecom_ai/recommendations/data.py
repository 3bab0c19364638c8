"""Interaction logs as numpy arrays: kind weights, time decay, id indexes, CSV loading and temporal splits.

A log is whatever the recommender learns from: the shop's purchases, cart adds and views (through
the adapter's ``iter_interactions``), or a CSV of ``user,item,timestamp[,weight]``. Ids stay as
they came (ints from the shop, strings from a CSV); models see dense row/column numbers.
"""
from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import chain
from pathlib import Path
from typing import Iterable

import numpy as np
import scipy.sparse as sp

from ecom_ai.storage.datafiles import open_text

#: purchase above add-to-cart above view
KIND_WEIGHTS = {"purchase": 4.0, "cart": 2.0, "view": 1.0}
DEFAULT_HALF_LIFE_DAYS = 90.0
DAY = 86400.0
MIN_DECAY = 0.01


@dataclass
class InteractionLog:
    """One row per interaction; ``basket`` groups a customer's purchases made together (an order)."""

    users: np.ndarray          # raw ids (int64 or object/str)
    items: np.ndarray
    ts: np.ndarray             # float64 epoch seconds
    weight: np.ndarray         # float32: kind weight × given weight (quantity, rating…)
    purchase: np.ndarray       # bool

    def __len__(self) -> int:
        return len(self.users)

    def subset(self, mask) -> "InteractionLog":
        return InteractionLog(self.users[mask], self.items[mask], self.ts[mask], self.weight[mask], self.purchase[mask])

    @classmethod
    def empty(cls) -> "InteractionLog":
        return cls(np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([], dtype=np.float64),
                   np.array([], dtype=np.float32), np.array([], dtype=bool))

    @classmethod
    def from_interactions(cls, rows: Iterable) -> "InteractionLog":
        """From the adapter's :class:`~ecom_ai.adapters.Interaction` rows (any iterable)."""
        users, items, ts, weight, purchase = [], [], [], [], []
        for r in rows:
            users.append(r.customer_id)
            items.append(r.product_id)
            ts.append(r.at.timestamp())
            # a quantity of 3 is a stronger signal than 1, but not three times one
            weight.append(KIND_WEIGHTS.get(r.kind, 1.0) * (1.0 + math.log(max(float(r.weight or 1.0), 1.0))))
            purchase.append(r.kind == "purchase")
        if not users:
            return cls.empty()
        return cls(np.asarray(users, dtype=np.int64), np.asarray(items, dtype=np.int64), np.asarray(ts, dtype=np.float64),
                   np.asarray(weight, dtype=np.float32), np.asarray(purchase, dtype=bool))

    def time_split(self, test_share: float = 0.2) -> tuple["InteractionLog", "InteractionLog", float]:
        """Everything before the cut-off (the last ``test_share`` of time) trains; the rest tests."""
        if not len(self):
            return self, self, 0.0
        cutoff = float(np.quantile(self.ts, 1.0 - test_share))
        before = self.ts < cutoff
        if before.all() or not before.any():  # all at one instant: split by position instead
            before = np.arange(len(self)) < int(len(self) * (1.0 - test_share))
        return self.subset(before), self.subset(~before), cutoff


class Index:
    """Raw id <-> dense number."""

    def __init__(self, ids: Iterable):
        self.ids = np.asarray(list(dict.fromkeys(ids)), dtype=object)
        self.pos = {k: i for i, k in enumerate(self.ids.tolist())}
        self._sorted = None
        if len(self.ids) and all(type(k) is int for k in self.pos):  # shop ids: a vectorised lookup
            numbers = self.ids.astype(np.int64)
            order = np.argsort(numbers, kind="stable")
            self._sorted = (numbers[order], order)

    def __len__(self) -> int:
        return len(self.ids)

    def get(self, key, default=None):
        return self.pos.get(key, default)

    def lookup(self, keys: np.ndarray) -> np.ndarray:
        """Dense numbers for ``keys``; -1 for unknown ones."""
        keys = np.asarray(keys)
        if getattr(self, "_sorted", None) is not None and keys.dtype.kind in "iu":
            values, order = self._sorted
            at = np.minimum(np.searchsorted(values, keys), len(values) - 1)
            return np.where(values[at] == keys, order[at], -1).astype(np.int64)
        get = self.pos.get
        return np.fromiter((get(k, -1) for k in keys.tolist()), dtype=np.int64, count=len(keys))


def decayed_weights(log: InteractionLog, *, half_life_days: float | None = DEFAULT_HALF_LIFE_DAYS,
                    now: float | None = None) -> np.ndarray:
    """``weight × 0.5 ** (age / half-life)``, age measured from ``now`` (default: the newest row)."""
    if not len(log):
        return log.weight.astype(np.float32)
    if not half_life_days:
        return log.weight.astype(np.float32)
    now = float(log.ts.max()) if now is None else now
    age = np.clip(now - log.ts, 0, None) / (half_life_days * DAY)
    # floored, so years-old history (a public dataset) still counts a little instead of vanishing
    return (log.weight * np.maximum(np.power(0.5, age), MIN_DECAY)).astype(np.float32)


def user_item_matrix(log: InteractionLog, users: Index, items: Index, *, half_life_days=DEFAULT_HALF_LIFE_DAYS,
                     now: float | None = None) -> sp.csr_matrix:
    """Users × items CSR of summed, time-decayed weights (duplicates add up); unknown ids are dropped."""
    u = users.lookup(log.users)
    i = items.lookup(log.items)
    ok = (u >= 0) & (i >= 0)
    w = decayed_weights(log, half_life_days=half_life_days, now=now)
    m = sp.csr_matrix((w[ok], (u[ok], i[ok])), shape=(len(users), len(items)), dtype=np.float32)
    m.sum_duplicates()
    return m


def basket_matrix(log: InteractionLog, items: Index) -> sp.csr_matrix:
    """Baskets × items (binary): a customer's purchases at the same instant form one order."""
    p = log.subset(log.purchase)
    if not len(p):
        return sp.csr_matrix((0, len(items)), dtype=np.float32)
    _, who = np.unique(p.users, return_inverse=True)
    _, when = np.unique(p.ts.astype(np.int64), return_inverse=True)
    _, basket = np.unique(who.astype(np.int64) * (int(when.max()) + 1) + when, return_inverse=True)
    i = items.lookup(p.items)
    ok = i >= 0
    m = sp.csr_matrix((np.ones(ok.sum(), dtype=np.float32), (basket[ok], i[ok])), shape=(basket.max() + 1, len(items)))
    m.sum_duplicates()
    m.data[:] = 1.0
    return m


# ------------------------------------------------------------------------------------ CSV

_USER_COLS = ("user", "user_id", "userid", "customer", "customer_id", "uid", "visitorid")
_ITEM_COLS = ("item", "item_id", "itemid", "product", "product_id", "movieid", "movie_id", "iid", "sku")
_TIME_COLS = ("timestamp", "time", "ts", "at", "date", "datetime", "created_at", "event_time")
_WEIGHT_COLS = ("weight", "rating", "score", "value", "count", "quantity", "qty")


def _parse_time(text: str) -> float | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        pass
    else:
        if not math.isfinite(value):
            return None
        return value / 1000.0 if value > 1e11 else value  # epoch milliseconds
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("/", "-"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def read_csv(path) -> InteractionLog:
    """Read ``user,item,timestamp[,weight]`` (gzip accepted; ``::``, tab or ``;`` separators too).

    A header row is optional; when present, columns are found by name (``userId``, ``movieId``,
    ``rating``… are understood), else by position. Timestamps are epoch seconds (or milliseconds)
    or ISO dates. Rows with a missing id or an unreadable time are skipped and counted; ids are
    kept as strings. Raises ``FileNotFoundError`` or ``ValueError`` with a clear message.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"No such CSV file: {path}")
    users, items, ts, weights = [], [], [], []
    skipped = 0
    with open_text(path, errors="replace") as fh:
        first = fh.readline()
        if not first.strip():
            raise ValueError(f"{path} is empty")
        sep = "::" if "::" in first else "\t" if "\t" in first else ";" if first.count(";") > first.count(",") else ","

        def split(line: str) -> list[str]:
            if sep == "::":
                return [c.strip() for c in line.rstrip("\r\n").split("::")]
            return [c.strip() for c in next(csv.reader([line], delimiter=sep))]

        cells = split(first)
        lowered = [c.lower().strip('"') for c in cells]
        cols = {"user": 0, "item": 1, "time": 2, "weight": 3 if len(cells) > 3 else None}
        is_header = len(cells) >= 3 and _parse_time(cells[2]) is None and not any(c.replace(".", "").isdigit() for c in cells[:1])
        if is_header:
            def find(names, default):
                return next((k for k, c in enumerate(lowered) if c in names), default)
            cols = {"user": find(_USER_COLS, 0), "item": find(_ITEM_COLS, 1), "time": find(_TIME_COLS, None),
                    "weight": find(_WEIGHT_COLS, None)}
            if cols["time"] is None:
                raise ValueError(f"{path}: no timestamp column in the header {cells!r} (expected user,item,timestamp[,weight])")
            lines = fh
        else:
            if len(cells) < 3:
                raise ValueError(f"{path}: expected user,item,timestamp[,weight], got {len(cells)} column(s) in {first.strip()!r}")
            lines = chain([first], fh)
        for line in lines:
            if not line.strip():
                continue
            row = split(line)
            try:
                u, it, t = row[cols["user"]], row[cols["item"]], _parse_time(row[cols["time"]])
            except IndexError:
                skipped += 1
                continue
            if not u or not it or t is None:
                skipped += 1
                continue
            w = 1.0
            if cols["weight"] is not None and cols["weight"] < len(row) and row[cols["weight"]]:
                try:
                    w = float(row[cols["weight"]])
                except ValueError:
                    w = 1.0
                if not math.isfinite(w) or w <= 0:
                    w = 1.0 if not math.isfinite(w) else 0.0
            if w <= 0:
                skipped += 1
                continue
            users.append(u)
            items.append(it)
            ts.append(t)
            weights.append(w)
    if not users:
        raise ValueError(f"{path}: no usable rows (skipped {skipped})")
    log = InteractionLog(np.asarray(users, dtype=object), np.asarray(items, dtype=object), np.asarray(ts, dtype=np.float64),
                         np.asarray(weights, dtype=np.float32), np.ones(len(users), dtype=bool))
    log.skipped = skipped  # type: ignore[attr-defined]
    return log
