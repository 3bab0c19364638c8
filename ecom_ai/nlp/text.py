"""Text helpers shared by every feature: normalising, language guess, jieba segmentation."""
from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache

_jieba_lock = threading.Lock()
_jieba = None

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_TOKEN_KEEP = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)
_SPACES = re.compile(r"\s+")

STOPWORDS = frozenset(
    "的 了 是 我 你 他 她 它 们 这 那 个 也 和 与 就 都 还 很 吗 呢 吧 啊 呀 在 有 没 不 被 把 给 对 说 要 会 能 "
    "可以 一个 什么 怎么 这个 那个 还是 但是 因为 所以 而且 如果 就是 没有 不是 自己 我们 你们 他们 非常 比较 "
    "a an the is are was were be been to of and or in on for with at by it this that i you he she we they my "
    "your me do does did have has had not no so but if as from can will would could should".split()
)


def normalize(text: str) -> str:
    """NFKC (full-width to half-width), collapse whitespace, strip."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def language_of(text: str) -> str:
    """'zh' when the text has more CJK than Latin letters, else 'en'."""
    cjk = len(_CJK.findall(text or ""))
    latin = len(_LATIN.findall(text or ""))
    return "zh" if cjk >= max(1, latin // 4) else "en"


def _get_jieba():
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


def add_words(words) -> None:
    """Teach jieba a shop's own terms (brand and product names) so they stay whole."""
    jieba = _get_jieba()
    for word in words:
        if word and len(word) > 1:
            jieba.add_word(word)


@lru_cache(maxsize=20000)
def _cut(text: str) -> tuple[str, ...]:
    return tuple(_get_jieba().lcut(text))


def tokenize(text: str, *, stopwords: bool = True) -> list[str]:
    """Lower-cased words: jieba for Chinese, word characters for the rest; punctuation dropped."""
    text = normalize(text).lower()
    if not text:
        return []
    tokens = [t.strip() for t in (_cut(text) if _CJK.search(text) else re.findall(r"[a-z0-9]+(?:[.'-][a-z0-9]+)*", text))]
    return [t for t in tokens if t and _TOKEN_KEEP.search(t) and not (stopwords and t in STOPWORDS)]
